// execd's pending state machine (pkg/bin/pending.mjs) without a process: delivery, drops past
// --buffer-limit and shutdown interleaved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pending } from '../../pkg/bin/pending.mjs';
import { itemCount } from '../../pkg/bin/message.mjs';

/** A queue message of `n` gauges named `tag.i`. */
const message = (tag, n) => [`librato-wasm-queue 1 metrics ${n} 0`,
  ...Array.from({ length: n }, (_, i) => `{"name":"${tag}.${i}","value":${i},"measure_time":1}`)].join('\n');
const names = (e) => e.text.split('\n').slice(1).map((l) => JSON.parse(l).name);
const acked = (e) => ({ ack: true, attempted: true, ackedItems: e.count });
const failed = { ack: false, attempted: true, ackedItems: 0, retryDelaySeconds: 1 };

function pending(limit, store = null) {
  const drops = [];
  const p = new Pending({ limit, store, onDrop: (n) => drops.push(n) });
  return { p, drops };
}

test('past the limit the oldest waiting gauges go, exactly as many as are over', () => {
  const { p, drops } = pending(50);
  p.add(message('old', 30));
  p.add(message('mid', 30));
  assert.deepEqual([p.count, drops, p.stats.dropped], [50, [10], 10]);
  const [first] = p.take(0, 300, true);
  assert.deepEqual(names(first).slice(0, 2), ['old.10', 'old.11'], 'the oldest ten went');
});

test('a message in flight is never counted dropped: if its request succeeds the API has it', () => {
  const { p, drops } = pending(50);
  p.add(message('old', 30));
  const [flying] = p.take(0, 30);
  assert.equal(flying.inflight, true);
  p.add(message('mid', 30));
  p.add(message('new', 20));
  assert.deepEqual(drops, [], 'nothing dropped while the oldest are in flight');
  assert.equal(p.count, 80, 'over by at most the request in flight');
  p.settle(flying, acked(flying), 0);
  assert.deepEqual([p.count, p.stats.sent, p.stats.dropped, drops], [50, 30, 0, []]);
});

test('a message in flight that comes back unsent is first to go: the oldest still are the ones dropped', () => {
  const { p, drops } = pending(50);
  p.add(message('old', 30));
  const [flying] = p.take(0, 30);
  p.add(message('mid', 30));
  p.add(message('new', 20));
  p.settle(flying, failed, 0);
  assert.deepEqual([p.count, drops, p.stats.dropped, p.stats.sent], [50, [30], 30, 0]);
  const due = p.take(10_000, 300, true);
  assert.deepEqual(due.map((e) => names(e)[0]), ['mid.0', 'new.0']);
});

test('a requeued remainder replaces its message; its attempts grow only when tried', () => {
  const { p } = pending(1000);
  p.add(message('a', 10));
  const [e] = p.take(0, 300);
  const rest = message('a', 4);
  p.settle(e, { ack: true, attempted: true, ackedItems: 6, requeue: { body: rest, delaySeconds: 2 } }, 1000);
  assert.deepEqual([p.count, p.stats.sent, e.attempts, e.notBefore, e.text], [4, 6, 2, 3000, rest]);
  assert.deepEqual(p.take(2999, 300), [], 'not before its retry time');
  const [again] = p.take(3000, 300);
  p.settle(again, { ack: false, attempted: false, ackedItems: 0, retryDelaySeconds: 0 }, 3000);
  assert.equal(again.attempts, 2, 'not sent (the request budget) is no attempt');
});

test('oldest first, and nothing newer while the oldest waits for its retry', () => {
  const { p } = pending(1000);
  p.add(message('a', 2));
  p.add(message('b', 2));
  const [a] = p.take(0, 2);
  assert.equal(names(a)[0], 'a.0');
  p.settle(a, failed, 0);
  assert.deepEqual(p.take(500, 300), [], 'b waits behind a');
  assert.deepEqual(p.take(1000, 300).map((e) => names(e)[0]), ['a.0', 'b.0']);
});

test('shutdown: abort() puts what is in flight back; count says what is not delivered', () => {
  const { p, drops } = pending(100);
  p.add(message('a', 60));
  const flying = p.take(0, 300);
  p.add(message('b', 60));
  p.abort(0);
  assert.equal(flying[0].inflight, false);
  // Back from flight the limit applies again, to the oldest.
  assert.deepEqual([p.count, drops], [100, [20]]);
  assert.equal(p.inflight, 0);
  // An answer arriving for an entry already gone is ignored by the caller; release() of a
  // forgotten entry is harmless.
  assert.equal(p.release(flying, 0), 0);
});

test('refused gauges count failed; an unreadable message is discarded, its file handed back', () => {
  const files = new Map();
  let n = 0;
  const store = { write: (t) => { const f = `f${n++}`; files.set(f, t); return f; }, remove: (f) => files.delete(f) };
  const { p } = pending(1000, store);
  p.add(message('a', 3));
  p.add('garbage');
  assert.equal(files.size, 2, 'each message on disk');
  const [a, g] = p.take(0, 300, true);
  p.settle(a, { ack: true, attempted: true, ackedItems: 1, refused: 2 }, 0);
  assert.deepEqual([p.stats.sent, p.stats.failed], [1, 2]);
  const file = p.discard(g);
  assert.equal(files.get(file), 'garbage');
  assert.equal(files.size, 1, 'the acknowledged message left the spool; the unreadable one is the caller\'s');
  assert.equal(itemCount('garbage'), -1);
  assert.equal(p.count, 0, 'an unreadable message counts no gauge');
});
