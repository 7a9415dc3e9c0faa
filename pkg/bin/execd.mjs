// `librato-wasm execd`: behind Telegraf's [[outputs.execd]]. Line protocol arrives on stdin;
// each chunk Telegraf writes is cut once complete (an idle gap, or batch_size lines), packed
// into messages (one gauge a line: the package's queue format) and delivered with the package's
// deliver(): full requests, the config's retries, and per message ack / retry / re-enqueue of
// what was not stored. Telegraf counts metrics delivered once written to the pipe, so this
// process owns them: pending gauges are bounded by --buffer-limit (the oldest dropped past it,
// said on an E! line) and, with --spool, on disk until acknowledged.
import { LibratoOutput } from '../node.js';
import { Spool } from './spool.mjs';
import { itemCount, withoutOldest } from './message.mjs';

const NEWLINE = 0x0a;

export function execd(opts) {
  const { config } = opts;
  const say = (prefix, message) => process.stderr.write(`${prefix} ${message}\n`);
  const output = new LibratoOutput(opts.text, {
    ...opts.options,
    log: (level, message) => {
      if (level === 'debug') say('D!', message);
      else if (level === 'error') say('E!', message);
      else if (level === 'warn') say('W!', message);
    },
  });
  const noun = config.api === 'measurements' ? 'measurements' : 'gauges';
  const batch = config.batch_size ?? 300;
  const spool = opts.spool ? new Spool(opts.spool) : null;
  const pending = []; // { text, count, attempts, notBefore, file, inflight, dropped }
  let pendingCount = 0;
  const stats = { sent: 0, failed: 0, dropped: 0 };
  let stopping = false;

  function add(text, count, file = null) {
    if (spool && !file) file = spool.write(text);
    pending.push({ text, count, attempts: 1, notBefore: 0, file, inflight: false, dropped: false });
    pendingCount += count;
    enforceLimit();
  }

  function forget(e) {
    const i = pending.indexOf(e);
    if (i >= 0) pending.splice(i, 1);
    if (!e.dropped) pendingCount -= e.count;
    if (e.file) spool.remove(e.file);
  }

  /** Past --buffer-limit the oldest gauges go, exactly as many as are over. */
  function enforceLimit() {
    let excess = pendingCount - opts.bufferLimit;
    if (excess <= 0) return;
    let dropped = 0;
    while (excess > 0 && pending.length > 0) {
      const oldest = pending.find((e) => !e.dropped);
      if (!oldest) break;
      if (oldest.count <= excess) {
        excess -= oldest.count;
        dropped += oldest.count;
        pendingCount -= oldest.count;
        oldest.dropped = true;
        if (!oldest.inflight) forget(oldest);
      } else {
        // Keep its newest gauges.
        replace(oldest, withoutOldest(oldest.text, excess), oldest.count - excess);
        pendingCount -= excess;
        dropped += excess;
        excess = 0;
      }
    }
    stats.dropped += dropped;
    say('E!', `dropped the ${dropped} oldest ${noun} not yet delivered: more than --buffer-limit ${opts.bufferLimit} are pending (the API is not taking them)`);
  }

  function replace(e, text, count) {
    const old = e.file;
    if (spool) e.file = spool.write(text);
    if (old) spool.remove(old);
    e.text = text;
    e.count = count;
  }

  // Delivery: one request at a time, oldest gauges first, and nothing newer while the oldest
  // wait for their retry: Librato receives each batch in its order of arrival.
  let sending = null;
  let wake = null;
  function pump(force = false) {
    if (sending) return sending;
    const now = Date.now();
    const due = [];
    let gauges = 0;
    for (const e of pending) {
      if (e.dropped) continue;
      if (!force && e.notBefore > now) break;
      due.push(e);
      gauges += e.count;
      if (gauges >= batch) break;
    }
    if (due.length === 0) {
      schedule();
      return Promise.resolve();
    }
    for (const e of due) e.inflight = true;
    sending = output.deliver(due.map((e) => ({ body: e.text, attempts: e.attempts })), {
      maxRequests: 1, retryBaseSeconds: opts.retryBase, retryMaxSeconds: opts.retryMax, fixDelaySeconds: opts.retryMax,
    }).then((d) => {
      d.outcomes.forEach((o, i) => {
        const e = due[i];
        e.inflight = false;
        stats.sent += e.dropped ? 0 : o.ackedItems;
        if (e.dropped) { forget(e); return; }
        if (o.deadLetter !== undefined) {
          if (o.unreadable) {
            say('E!', `a pending message could not be read: ${o.reason}`);
            if (e.file) { spool.setAside(e.file, (m) => say('E!', m), o.reason); e.file = null; }
          } else {
            const refused = itemCount(o.deadLetter);
            stats.failed += refused;
            say('E!', `the API refused ${refused} ${noun} for good: ${o.reason}`);
          }
        }
        if (o.fix) say('E!', `the API refused the credentials or a setting; ${noun} kept and retried: ${o.reason}`);
        // Not sent yet (one request a call) is no failed attempt.
        const tried = o.attempted;
        if (o.requeue) {
          const left = itemCount(o.requeue.body);
          pendingCount -= e.count - left;
          replace(e, o.requeue.body, left);
          if (tried) e.attempts += 1;
          e.notBefore = Date.now() + o.requeue.delaySeconds * 1000;
        } else if (o.ack) {
          forget(e);
        } else {
          if (tried) e.attempts += 1;
          e.notBefore = Date.now() + (o.retryDelaySeconds ?? 0) * 1000;
        }
      });
    }, (err) => {
      for (const e of due) { e.inflight = false; e.notBefore = Date.now() + opts.retryBase * 1000; }
      say('E!', `delivery failed: ${err.message}`);
    }).finally(() => {
      sending = null;
      if (!stopping) pump();
    });
    return sending;
  }

  function schedule() {
    if (wake) clearTimeout(wake);
    wake = null;
    if (stopping) return;
    const next = pending.find((e) => !e.dropped && !e.inflight)?.notBefore;
    if (Number.isFinite(next)) wake = setTimeout(() => pump(), Math.max(0, next - Date.now()));
  }

  // Reading: complete lines into the current chunk; cut it on an idle gap or batch_size lines.
  let partial = Buffer.alloc(0);
  let chunk = [];
  let chunkLines = 0;
  let chunkStart = 1; // the stream line the chunk starts at
  let idle = null;

  function cut() {
    if (idle) clearTimeout(idle);
    idle = null;
    if (chunk.length === 0) return;
    const bytes = Buffer.concat(chunk);
    const base = chunkStart;
    chunkStart += chunkLines;
    chunk = [];
    chunkLines = 0;
    // Messages of one request each: sent one at a time, none needs re-encoding.
    const packed = output.pack(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), { format: opts.format ?? 'influx', precision: opts.precision, maxItems: batch });
    for (const e of packed.errors) say('W!', `line ${base + e.line - 1}, column ${e.column}: ${e.message}`);
    for (const s of packed.skipped) if (config.debug) say('D!', `skipped ${s.metric}${s.field ? `.${s.field}` : ''}: ${s.reason}: ${s.message}`);
    for (const m of packed.messages) add(m, itemCount(m));
    pump();
  }

  function onData(buf) {
    const data = partial.length ? Buffer.concat([partial, buf]) : buf;
    const end = data.lastIndexOf(NEWLINE);
    if (end < 0) { partial = data; return; }
    const complete = data.subarray(0, end + 1);
    partial = Buffer.from(data.subarray(end + 1));
    chunk.push(complete);
    for (let i = 0; i < complete.length; i++) if (complete[i] === NEWLINE) chunkLines++;
    if (chunkLines >= batch) cut();
    else {
      if (idle) clearTimeout(idle);
      idle = setTimeout(cut, opts.flushAfter);
    }
  }

  const summary = setInterval(() => {
    say('I!', `${noun} sent ${stats.sent}, failed ${stats.failed}, dropped ${stats.dropped}, pending ${pendingCount}`);
  }, opts.summaryEvery);
  summary.unref();

  if (spool) {
    const left = spool.load((m) => say('E!', m));
    for (const e of left) add(e.text, e.count, e.file);
    if (left.length) say('I!', `resending ${left.reduce((n, e) => n + e.count, 0)} ${noun} a previous run left in the spool`);
    pump();
  }

  return new Promise((resolve) => {
    async function stop(why) {
      if (stopping) return;
      stopping = true;
      process.stdin.off('data', onData);
      process.stdin.pause();
      if (partial.length) { chunk.push(Buffer.concat([partial, Buffer.from('\n')])); chunkLines++; partial = Buffer.alloc(0); }
      cut();
      const deadline = Date.now() + opts.shutdownTimeout;
      const timeLeft = () => deadline - Date.now();
      // Everything pending gets its tries now, until the bound.
      while (pending.some((e) => !e.dropped) && timeLeft() > 0) {
        const round = (sending ?? Promise.resolve()).then(() => pump(true));
        const timer = new Promise((r) => setTimeout(r, Math.max(0, timeLeft())).unref());
        await Promise.race([round, timer]);
        if (pending.some((e) => !e.dropped) && timeLeft() > 0) await new Promise((r) => setTimeout(r, Math.min(500, Math.max(0, timeLeft()))));
      }
      clearInterval(summary);
      if (wake) clearTimeout(wake);
      const left = pending.filter((e) => !e.dropped).reduce((n, e) => n + e.count, 0);
      say('I!', `${why}: ${noun} sent ${stats.sent}, failed ${stats.failed}, dropped ${stats.dropped}, pending ${left}`);
      if (left > 0) {
        say(spool ? 'W!' : 'E!', spool
          ? `${left} ${noun} not yet acknowledged stay in the spool (${opts.spool}) and are sent at the next start`
          : `${left} ${noun} could not be delivered before shutting down (run with --spool DIR to keep them)`);
      }
      resolve(0);
    }
    process.stdin.on('data', onData);
    process.stdin.on('end', () => stop('stdin closed'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
