// `librato-wasm execd`: behind Telegraf's [[outputs.execd]]. Line protocol arrives on stdin;
// each chunk Telegraf writes is cut once complete (an idle gap, or batch_size lines), packed
// into messages (one gauge a line: the package's queue format) and delivered with the package's
// deliver(): full requests, the config's retries, and per message ack / retry / re-enqueue of
// what was not stored. Telegraf counts metrics delivered once written to the pipe, so this
// process owns them: pending gauges are bounded by --buffer-limit (the oldest dropped past it,
// said on an E! line) and, with --spool, on disk until acknowledged.
import { LibratoOutput } from '../node.js';
import { Spool } from './spool.mjs';
import { itemCount } from './message.mjs';
import { Pending } from './pending.mjs';

const NEWLINE = 0x0a;

export function execd(opts) {
  const { config } = opts;
  const say = (prefix, message) => process.stderr.write(`${prefix} ${message}\n`);
  // Shutdown aborts what is in flight: every request's signal also listens to this one.
  const shutdown = new AbortController();
  const fetchFn = opts.options?.fetch ?? globalThis.fetch;
  const output = new LibratoOutput(opts.text, {
    ...opts.options,
    fetch: (url, init = {}) => fetchFn(url, {
      ...init,
      signal: init.signal ? AbortSignal.any([init.signal, shutdown.signal]) : shutdown.signal,
    }),
    log: (level, message) => {
      if (level === 'debug') say('D!', message);
      else if (level === 'error') say('E!', message);
      else if (level === 'warn') say('W!', message);
    },
  });
  const noun = config.api === 'measurements' ? 'measurements' : 'gauges';
  const batch = config.batch_size ?? 300;
  const spool = opts.spool ? new Spool(opts.spool) : null;
  const pending = new Pending({
    limit: opts.bufferLimit,
    store: spool,
    onDrop: (n) => say('E!', `dropped the ${n} oldest ${noun} not yet delivered: more than --buffer-limit ${opts.bufferLimit} are pending (the API is not taking them)`),
  });
  const stats = pending.stats;
  let stopping = false;
  // After the shutdown bound: no round starts, and answers still arriving are ignored.
  let closed = false;

  // Delivery: one request at a time, oldest gauges first, and nothing newer while the oldest
  // wait for their retry: Librato receives each batch in its order of arrival.
  let sending = null;
  let wake = null;
  function pump(force = false) {
    if (sending) return sending;
    if (closed) return Promise.resolve();
    const due = pending.take(Date.now(), batch, force);
    if (due.length === 0) {
      schedule();
      return Promise.resolve();
    }
    const round = output.deliver(due.map((e) => ({ body: e.text, attempts: e.attempts })), {
      maxRequests: 1, retryBaseSeconds: opts.retryBase, retryMaxSeconds: opts.retryMax, fixDelaySeconds: opts.retryMax,
    }).then((d) => {
      if (closed) return;
      d.outcomes.forEach((o, i) => {
        const e = due[i];
        let refused = 0;
        if (o.deadLetter !== undefined) {
          if (o.unreadable) {
            say('E!', `a pending message could not be read: ${o.reason}`);
            const file = pending.discard(e);
            if (file) spool.setAside(file, (m) => say('E!', m), o.reason);
            return;
          }
          refused = itemCount(o.deadLetter);
          say('E!', `the API refused ${refused} ${noun} for good: ${o.reason}`);
        }
        if (o.fix) say('E!', `the API refused the credentials or a setting; ${noun} kept and retried: ${o.reason}`);
        pending.settle(e, { ...o, refused }, Date.now());
      });
    }, (err) => {
      if (closed) return;
      pending.release(due, Date.now(), opts.retryBase * 1000);
      say('E!', `delivery failed: ${err.message}`);
    }).finally(() => {
      sending = null;
      if (!stopping) pump();
    });
    sending = round;
    return round;
  }

  function schedule() {
    if (wake) clearTimeout(wake);
    wake = null;
    if (stopping) return;
    const next = pending.nextDue();
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
    for (const m of packed.messages) pending.add(m, itemCount(m));
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
    say('I!', `${noun} sent ${stats.sent}, failed ${stats.failed}, dropped ${stats.dropped}, pending ${pending.count}`);
  }, opts.summaryEvery);
  summary.unref();

  if (spool) {
    const left = spool.load((m) => say('E!', m));
    for (const e of left) pending.add(e.text, e.count, e.file);
    if (left.length) say('I!', `resending ${left.reduce((n, e) => n + e.count, 0)} ${noun} a previous run left in the spool`);
    pump();
  }

  return new Promise((resolve) => {
    let hurry;
    const hurried = new Promise((r) => { hurry = r; });
    async function stop(why) {
      if (stopping) { hurry(); return; } // a second signal: stop trying now
      stopping = true;
      process.stdin.off('data', onData);
      process.stdin.pause();
      if (partial.length) { chunk.push(Buffer.concat([partial, Buffer.from('\n')])); chunkLines++; partial = Buffer.alloc(0); }
      cut();
      // Everything pending gets its tries now, until the bound: then in-flight requests are
      // aborted and what is left stays in the spool (or is counted as lost).
      const deadline = Date.now() + opts.shutdownTimeout;
      const bound = new Promise((r) => setTimeout(r, opts.shutdownTimeout));
      const drain = (async () => {
        while (pending.count > 0 && !closed && Date.now() < deadline) {
          await (sending ?? pump(true));
          if (pending.count > 0 && !closed) await new Promise((r) => setTimeout(r, Math.min(200, Math.max(0, deadline - Date.now()))));
        }
      })();
      await Promise.race([drain, bound, hurried]);
      closed = true;
      shutdown.abort();
      pending.abort(Date.now());
      clearInterval(summary);
      if (wake) clearTimeout(wake);
      const left = pending.count;
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
