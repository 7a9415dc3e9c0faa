// What execd and statsd share once they hold queue messages: delivery one request at a time
// (oldest first, with the config's retries and per message ack / retry / re-enqueue), the
// pending state (pkg/bin/pending.mjs) bounded by --buffer-limit, the optional --spool, the
// I! summary, and the bounded shutdown (in-flight requests aborted at --shutdown-timeout).
import { LibratoOutput } from './wasm.mjs';
import { Spool } from './spool.mjs';
import { itemCount } from './message.mjs';
import { Pending } from './pending.mjs';

/** stderr lines with Telegraf's level prefixes. */
export const say = (prefix, message) => process.stderr.write(`${prefix} ${message}\n`);

/**
 * `opts`: { text, options, config, spool, bufferLimit, shutdownTimeout, retryBase, retryMax,
 * summaryEvery }. Returns { output, batch, add(message), stop(why) -> Promise<0> }.
 */
export function sender(opts) {
  const { config } = opts;
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
  const add = (m) => { pending.add(m, itemCount(m)); pump(); };
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

  let hurry;
  const hurried = new Promise((r) => { hurry = r; });
  let finished = null;
  /** Sends what is pending within the bound, then aborts the rest; a second call hurries. */
  function stop(why) {
    if (stopping) { hurry(); return finished; }
    stopping = true;
    finished = (async () => {
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
      return 0;
    })();
    return finished;
  }

  return { output, batch, add, stop };
}
