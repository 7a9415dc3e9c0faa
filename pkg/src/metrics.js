// LibratoMetrics for every entry (the main one and librato-wasm/metrics, each over its own
// .wasm): samples are buffered here as (series, value) pairs of one period and folded in Rust
// in bulk (a wasm call per sample would cost more than the sample); each series is interned
// once (a JS Map from the call's name, source and tags to its id). Every rule (names, tags,
// periods, summaries, bodies) is Rust's (crates/output/src/aggregate).

import { makeDrive } from './send.js';

export function makeMetrics(bindings, { guard, generation }) {
  const drive = makeDrive({ guard, generation });
  const PAIRS = 8192;
  const ID = Symbol('series id');
  const child = (map, key) => {
    let next = map.get(key);
    if (next === undefined) {
      next = new Map();
      map.set(key, next);
    }
    return next;
  };
  const clock = globalThis.performance?.now ? () => globalThis.performance.now() : () => Date.now();

  class LibratoMetrics {
    #args;
    #core;
    #generation;
    #now;
    #periodMs;
    #counters = new Map();
    #gauges = new Map();
    #taggedCounters = new Map();
    #taggedGauges = new Map();
    #size = 0;
    #tableGeneration = 0;
    #buf = new Float64Array(PAIRS * 2);
    #n = 0;
    #bucket = 0;
    #timer = null;

    #onReport;
    #log;
    // What timer flushes could not deliver, for stop()'s report: at most HELD_CHARS of
    // bodies (the oldest let go and counted), skipped entries merged by metric and reason.
    #held = held();

    constructor(config, options = {}) {
      this.#args = [config, options];
      this.#now = typeof options?.now === 'function' ? options.now : Date.now;
      this.#onReport = typeof options?.onReport === 'function' ? options.onReport : null;
      this.#log = typeof options?.log === 'function' ? options.log : null;
      this.#init();
    }

    #init() {
      this.#core = guard(() => new bindings.MetricsCore(...this.#args));
      this.#tableGeneration = 0;
      this.#periodMs = this.#core.periodMs();
      this.#generation = generation();
      this.#forget();
      this.#n = 0;
    }

    #id(counter, name, opts) {
      let sub = '';
      let tags;
      if (opts !== undefined) {
        sub = opts.source ?? '';
        tags = opts.tags;
      }
      if (tags === undefined) {
        // Without tags, a name's first source is held in its entry (the usual case, and an
        // object is far smaller than a Map); other sources in a Map beside it.
        const root = counter ? this.#counters : this.#gauges;
        const e = root.get(name);
        if (e !== undefined && e.sub === sub) return e.id;
        const known = e?.more?.get(sub);
        if (known !== undefined) return known;
        const id = this.#intern(counter, name, opts);
        // Only interned series are kept here: a refused one (a bad name, past maxSeries) is
        // asked again, so that ever new names cost no memory on either side.
        if (id < 0) return id;
        if (e === undefined) root.set(name, { sub, id, more: null });
        else (e.more ??= new Map()).set(sub, id);
        return id;
      }
      // With tags: a tree of Maps (name, source, each tag key and value) ending in the id, a
      // lookup of strings the caller already holds, building no key string per call.
      const root = counter ? this.#taggedCounters : this.#taggedGauges;
      let node = root.get(name)?.get(sub);
      for (const t in tags) node = node?.get(t)?.get(tags[t]);
      const known = node?.get(ID);
      if (known !== undefined) return known;
      const id = this.#intern(counter, name, opts);
      if (id < 0) return id;
      node = child(child(root, name), sub);
      for (const t in tags) node = child(child(node, t), tags[t]);
      node.set(ID, id);
      return id;
    }

    #intern(counter, name, opts) {
      if (this.#generation !== generation()) this.#init();
      this.#size++;
      return guard(() => this.#core.series(counter, String(name), opts?.source, opts?.tags));
    }

    #forget() {
      for (const m of [this.#counters, this.#gauges, this.#taggedCounters, this.#taggedGauges]) m.clear();
      this.#size = 0;
    }

    #record(counter, name, value, opts) {
      const id = this.#id(counter, name, opts);
      const bucket = Math.floor(this.#now() / this.#periodMs) * this.#periodMs;
      if (bucket !== this.#bucket || this.#n === this.#buf.length) this.#drain();
      this.#bucket = bucket;
      this.#buf[this.#n++] = id;
      this.#buf[this.#n++] = +value;
    }

    #drain() {
      if (this.#n === 0) return;
      const n = this.#n;
      this.#n = 0;
      guard(() => this.#core.fold(this.#buf.subarray(0, n), this.#bucket));
    }

    increment(name, value = 1, opts) { this.#record(true, name, value, opts); }
    measure(name, value, opts) { this.#record(false, name, value, opts); }
    timing(name, ms, opts) { this.#record(false, name, ms, opts); }

    time(name, fn, opts) {
      const started = clock();
      const done = () => this.#record(false, name, clock() - started, opts);
      let result;
      try {
        result = fn();
      } catch (e) {
        done();
        throw e;
      }
      if (result && typeof result.then === 'function') {
        return result.then((v) => { done(); return v; }, (e) => { done(); throw e; });
      }
      done();
      return result;
    }

    /** Sends every period that has ended (with `all`, the current one too). */
    flush({ all = false } = {}) {
      let job;
      try {
        this.#drain();
        job = guard(() => this.#core.flush(all, this.#now()));
      } catch (e) {
        return Promise.reject(e);
      }
      // The series table is rebuilt once it outgrew twice maxSeries: the ids here are stale.
      const g = this.#core.generation();
      if (g !== this.#tableGeneration) { this.#tableGeneration = g; this.#forget(); }
      return drive(job);
    }

    /** A timer flushes each period as it ends (Node, browsers; not between Workers requests). */
    start() {
      if (this.#timer) return;
      const schedule = () => {
        const wait = this.#periodMs - (this.#now() % this.#periodMs) + 5;
        this.#timer = setTimeout(() => {
          this.#timerFlush();
          schedule();
        }, wait);
        this.#timer.unref?.();
      };
      schedule();
    }

    // A timer flush's report goes to onReport; what it could not deliver (or skipped) is kept
    // for stop()'s report, so a failure between explicit calls is never only a log line.
    #timerFlush() {
      let pending;
      try {
        pending = this.flush();
      } catch (e) {
        pending = Promise.reject(e);
      }
      pending.then((report) => {
        hold(this.#held, report);
        this.#onReport?.(report);
      }, (e) => {
        // Nothing was taken out (the periods wait for the next flush): said, not kept.
        this.#log?.('error', `LibratoMetrics: a timed flush failed: ${e.message}`);
        this.#onReport?.({ ok: false, sent: 0, requests: 0, attempts: 0, failed: [], skipped: [], errors: [], rateLimit: null, error: e });
      });
    }

    /** Stops the timer and sends everything recorded; the report also carries what the
     * timer's flushes could not deliver (their `failed` and `skipped`). */
    async stop() {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
      const report = await this.flush({ all: true });
      const h = this.#held;
      this.#held = held();
      report.failed = [...h.failed, ...report.failed];
      report.skipped = [...h.skipped.values(), ...report.skipped];
      if (h.droppedRequests > 0) {
        report.skipped.push({
          metric: '',
          reason: 'held_dropped',
          message: `${h.droppedRequests} failed requests of timed flushes (${h.droppedCount} measurements) were reported to onReport but not kept for stop(): past ${HELD_CHARS / 2 ** 20} MB of held bodies`,
          count: h.droppedCount,
        });
      }
      report.ok = report.failed.length === 0;
      return report;
    }

    resend(failed) {
      let job;
      try {
        job = guard(() => this.#core.resend(failed));
      } catch (e) {
        return Promise.reject(e);
      }
      return drive(job);
    }
  }

  return LibratoMetrics;
}

// Bodies of timed flushes' failures held for stop(), in UTF-16 units: ~8 periods of 10,000
// series; an app whose API is down for hours must not grow without end.
const HELD_CHARS = 8 * 2 ** 20;

function held() {
  return { failed: [], chars: 0, skipped: new Map(), droppedRequests: 0, droppedCount: 0 };
}

function hold(h, report) {
  for (const f of report.failed) {
    h.failed.push(f);
    h.chars += f.body.length;
  }
  while (h.chars > HELD_CHARS && h.failed.length > 1) {
    const f = h.failed.shift();
    h.chars -= f.body.length;
    h.droppedRequests += 1;
    h.droppedCount += f.count;
  }
  for (const s of report.skipped) {
    const key = `${s.reason}\0${s.metric}`;
    const was = h.skipped.get(key);
    if (was) was.count = (was.count ?? 1) + (s.count ?? 1);
    else h.skipped.set(key, { ...s });
  }
}
