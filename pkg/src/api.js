// Shared glue for every runtime entry: wraps the wasm-bindgen exports so that a Rust panic
// (a trap, since wasm builds abort on panic) becomes a real Error and never leaves the module
// unusable: the instance is reset and the next call works. No other logic lives in JS.

// Bumped on every reset: objects made before it belong to the old instance. Module-level, so
// every makeApi over the same bindings sees it.
let generation = 0;

export function makeApi(bindings) {

  function internalError(err) {
    let detail = '';
    try { detail = bindings.__lastPanic(); } catch { /* the message is a nicety */ }
    bindings.__wbg_reset_state();
    generation++;
    const e = new Error(`librato-wasm internal error${detail ? `: ${detail}` : ''} (the module was reset and stays usable)`);
    e.code = 'internal_error';
    e.cause = err;
    return e;
  }

  function guard(fn) {
    try {
      return fn();
    } catch (err) {
      if (err instanceof WebAssembly.RuntimeError) throw internalError(err);
      throw err;
    }
  }

  const parse = (text, options) => guard(() => bindings.parse(text, options));
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
      this.#generation = generation;
    }

    #current() {
      // After a reset the old instance's objects are stale: rebuild from the same arguments.
      if (this.#generation !== generation) {
        this.#inner = guard(() => new bindings.LibratoOutput(...this.#args));
        this.#generation = generation;
      }
      return this.#inner;
    }

    write(input, options) {
      return guard(() => this.#current().write(input, options));
    }

    resend(failed) {
      return guard(() => this.#current().resend(failed));
    }
  }

  // `call` is for the package's own tests (it runs a raw binding under the same guard).
  return { parse, loadConfig, render, redactConfig, LibratoOutput, call: guard };
}
