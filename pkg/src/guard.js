// The panic guard every entry shares: a Rust panic (a trap, since wasm builds abort on panic)
// becomes a real Error with code 'internal_error' and never leaves the module unusable: the
// instance is reset and the next call works.

// One reset counter per set of bindings (the main entry's .wasm and the metrics entry's are
// separate instances): objects made before a reset belong to the old instance and rebuild.
const states = new WeakMap();

export function makeGuard(bindings) {
  let state = states.get(bindings);
  if (state === undefined) {
    state = { generation: 0 };
    states.set(bindings, state);
  }

  function internalError(err) {
    let detail = '';
    try { detail = bindings.__lastPanic(); } catch { /* the message is a nicety */ }
    bindings.__wbg_reset_state();
    state.generation++;
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

  return { guard, generation: () => state.generation };
}
