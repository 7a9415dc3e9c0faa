// execd's pending gauges as one state machine, apart from the process (stdin, timers, the
// API), so that delivery, drops and shutdown interleave in unit tests
// (tests/js/execd-pending.test.mjs).
//
// An entry is one queue message (one request's gauges), `waiting` (with the time it may be
// sent again) or `inflight`. The rules:
// - past `limit` gauges the oldest go, exactly as many as are over; a drop is counted only
//   for gauges that will never be sent. Gauges in flight are not dropped: if their request
//   succeeds the API has them. They are first in line, though: the limit is applied again
//   when they come back unsent, so the oldest are still the ones that go. While they are in
//   flight the pending count may exceed the limit by at most that request.
// - oldest first, and nothing newer while the oldest wait for their retry;
// - `abort()` puts whatever is in flight back (shutdown: not delivered, kept or counted).
import { itemCount, withoutOldest } from './message.mjs';

export class Pending {
  #entries = []; // { text, count, attempts, notBefore, file, inflight }
  #store;
  #limit;
  #count = 0;

  /**
   * `limit`: gauges kept at most; `store`: `{ write(text) -> file, remove(file) }` (the spool),
   * or null; `onDrop(n)`: told each time gauges are dropped.
   */
  constructor({ limit, store = null, onDrop = () => {} }) {
    this.#limit = limit;
    this.#store = store;
    this.onDrop = onDrop;
    this.stats = { sent: 0, failed: 0, dropped: 0 };
  }

  /** Gauges not yet acknowledged, refused or dropped (in flight included). */
  get count() { return this.#count; }
  /** Gauges in flight. */
  get inflight() { return this.#entries.reduce((n, e) => n + (e.inflight ? e.count : 0), 0); }

  /** A new message (of `count` gauges; `file` when it is already on disk). */
  add(text, count = itemCount(text), file = null) {
    if (this.#store && !file) file = this.#store.write(text);
    count = Math.max(0, count); // an unreadable message holds no gauge we can count
    this.#entries.push({ text, count, attempts: 1, notBefore: 0, file, inflight: false });
    this.#count += count;
    this.#enforce();
  }

  /**
   * The messages to send now, oldest first, up to `batch` gauges (all due ones with `force`),
   * marked in flight; empty when the oldest waits for its retry.
   */
  take(now, batch, force = false) {
    const due = [];
    let gauges = 0;
    for (const e of this.#entries) {
      if (e.inflight) continue;
      if (!force && e.notBefore > now) break;
      due.push(e);
      gauges += e.count;
      if (gauges >= batch) break;
    }
    for (const e of due) e.inflight = true;
    return due;
  }

  /** When the oldest waiting message may be sent (ms), or undefined. */
  nextDue() {
    return this.#entries.find((e) => !e.inflight)?.notBefore;
  }

  /**
   * What deliver() said of an entry: `{ ackedItems, attempted, ack, requeue?: { body,
   * delaySeconds }, retryDelaySeconds?, refused? (gauges refused for good) }`. Returns the
   * gauges dropped by the limit applied again.
   */
  settle(e, o, now) {
    e.inflight = false;
    this.stats.sent += o.ackedItems;
    if (o.refused) this.stats.failed += o.refused;
    if (o.requeue) {
      const left = itemCount(o.requeue.body);
      this.#count -= e.count - left;
      this.#replace(e, o.requeue.body, left);
      if (o.attempted) e.attempts += 1;
      e.notBefore = now + o.requeue.delaySeconds * 1000;
    } else if (o.ack) {
      this.#forget(e);
    } else {
      if (o.attempted) e.attempts += 1;
      e.notBefore = now + (o.retryDelaySeconds ?? 0) * 1000;
    }
    return this.#enforce();
  }

  /** A message that cannot be read: taken out (its file is the caller's to set aside). */
  discard(e) {
    e.inflight = false;
    const file = e.file;
    e.file = null;
    this.#forget(e);
    return file;
  }

  /** Entries in flight back to waiting, to be tried after `delayMs` (a failed or aborted call). */
  release(entries, now, delayMs = 0) {
    for (const e of entries) {
      if (!this.#entries.includes(e)) continue;
      e.inflight = false;
      e.notBefore = now + delayMs;
    }
    return this.#enforce();
  }

  /** Everything in flight back to waiting (shutdown). */
  abort(now) {
    return this.release(this.#entries.filter((e) => e.inflight), now);
  }

  #forget(e) {
    const i = this.#entries.indexOf(e);
    if (i >= 0) this.#entries.splice(i, 1);
    this.#count -= e.count;
    if (e.file) this.#store.remove(e.file);
    e.file = null;
  }

  #replace(e, text, count) {
    const old = e.file;
    if (this.#store) e.file = this.#store.write(text);
    if (old) this.#store.remove(old);
    e.text = text;
    e.count = count;
  }

  /** Past the limit the oldest waiting gauges go; in-flight ones only hold their place. */
  #enforce() {
    let excess = this.#count - this.#limit;
    if (excess <= 0) return 0;
    let dropped = 0;
    for (const e of [...this.#entries]) {
      if (excess <= 0) break;
      if (e.inflight) {
        excess -= Math.min(excess, e.count);
        continue;
      }
      if (e.count <= excess) {
        excess -= e.count;
        dropped += e.count;
        this.#forget(e);
      } else {
        // Keep its newest gauges.
        this.#count -= excess;
        dropped += excess;
        this.#replace(e, withoutOldest(e.text, excess), e.count - excess);
        excess = 0;
      }
    }
    if (dropped > 0) {
      this.stats.dropped += dropped;
      this.onDrop(dropped);
    }
    return dropped;
  }
}
