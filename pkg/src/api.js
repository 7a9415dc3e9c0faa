// The main entry's glue for every runtime: wraps the wasm-bindgen exports in the panic guard
// (guard.js), and makes parse()'s metrics from the flat arrays Rust writes
// (src/metrics_js.rs). LibratoMetrics is metrics.js, which the metrics entry loads alone;
// send.js drives the send jobs over fetch. No other logic lives in JS.
import { makeGuard } from './guard.js';
import { makeMetrics } from './metrics.js';
import { makeDrive } from './send.js';

// `o[k] = v` would set the prototype for the key "__proto__" (and drop a string value).
function put(o, k, v) {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

// The tape of src/metrics_js.rs, per metric: name, tag count, (key, value)*, field count,
// (key, kind, [payload])*, strings as indices into the table. Kinds: 0 float, 1 integer (the
// next of `floats`/`ints`), 2 unsigned (the next of `ints`, read unsigned), 3 boolean (payload
// 0/1), 4 string (payload: index). Each metric's time is the next of `ints`.
function buildMetrics({ table, offsets, tape, floats, ints }) {
  const strings = new Array(offsets.length - 1);
  for (let i = 0; i < strings.length; i++) strings[i] = table.slice(offsets[i], offsets[i + 1]);
  const out = [];
  let t = 0, f = 0, n = 0;
  while (t < tape.length) {
    const m = {};
    m.name = strings[tape[t++]];
    const tags = {};
    for (let k = tape[t++]; k > 0; k--, t += 2) put(tags, strings[tape[t]], strings[tape[t + 1]]);
    m.tags = tags;
    const fields = {};
    for (let k = tape[t++]; k > 0; k--) {
      const key = strings[tape[t++]];
      let v;
      switch (tape[t++]) {
        case 0: v = floats[f++]; break; // FLOAT
        case 1: v = ints[n++]; break; // INT
        case 2: v = BigInt.asUintN(64, ints[n++]); break; // UINT
        case 3: v = tape[t++] === 1; break; // BOOL
        default: v = strings[tape[t++]]; // STRING
      }
      put(fields, key, v);
    }
    m.fields = fields;
    m.time = ints[n++];
    out.push(m);
  }
  return out;
}

export function makeApi(bindings) {

  const { guard, generation } = makeGuard(bindings);
  const drive = makeDrive({ guard, generation });
  // A send job made by `fn` and driven to its report; any error is a rejection.
  const sending = (fn) => {
    let job;
    try {
      job = guard(fn);
    } catch (e) {
      return Promise.reject(e);
    }
    return drive(job);
  };

  const parse = (text, options) => guard(() => {
    const { metrics, errors } = bindings.parse(text, options);
    return { metrics: buildMetrics(metrics), errors };
  });
  const loadConfig = (toml, options) => guard(() => bindings.loadConfig(toml, options));
  const render = (input, config, options) => guard(() => bindings.render(input, config, options));
  const redactConfig = (toml) => guard(() => bindings.redactConfig(toml));

  class LibratoOutput {
    #args;
    #inner;
    #generation;

    constructor(config, options) {
      this.#args = [config, options];
      this.#inner = guard(() => new bindings.LibratoOutput(config, options));
      this.#generation = generation();
    }

    #current() {
      // After a reset the old instance's objects are stale: rebuild from the same arguments.
      if (this.#generation !== generation()) {
        this.#inner = guard(() => new bindings.LibratoOutput(...this.#args));
        this.#generation = generation();
      }
      return this.#inner;
    }

    write(input, options) {
      return sending(() => this.#current().write(input, options));
    }

    resend(failed) {
      return sending(() => this.#current().resend(failed));
    }

    pack(input, options) {
      return guard(() => this.#current().pack(input, options));
    }

    deliver(messages, options) {
      return sending(() => this.#current().deliver(messages, options));
    }
  }

  const LibratoMetrics = makeMetrics(bindings, { guard, generation });

  // `call` is for the package's own tests (it runs a raw binding under the same guard).
  return { parse, loadConfig, render, redactConfig, LibratoOutput, LibratoMetrics, call: guard };
}
