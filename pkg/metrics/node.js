// librato-wasm/metrics, Node entry: LibratoMetrics alone over its own small .wasm
// (dist/metrics/), read from disk and instantiated synchronously (no top-level await:
// `require()` of this entry must keep working). The package ships it bundled with its glue as
// dist/metrics-node.js (scripts/build.sh): one module to load instead of two.
import { initSync, MetricsCore, __lastPanic, __wbg_reset_state, makeMetrics, makeGuard } from '../dist/metrics/librato_wasm.js';

const { readFileSync } = nodeFs();
initSync({ module: readFileSync(new URL('../dist/metrics/librato_wasm_bg.wasm', import.meta.url)) });

// The glue bundles guard.js and metrics.js (scripts/build.sh). Only what LibratoMetrics calls
// is named, so that the bundle leaves out the rest of the glue (its async init, test hooks).
const bindings = { MetricsCore, __lastPanic, __wbg_reset_state };
export const LibratoMetrics = makeMetrics(bindings, makeGuard(bindings));

// node:fs from process.getBuiltinModule (Node 20.16+, the package's `engines`): it hands over
// the built-in without loading a module system. `createRequire` cost ~1 ms of a cold start and
// the ESM form of node:fs evaluates every export, which loads Node's streams (~0.7 ms).
function nodeFs() {
  if (typeof process.getBuiltinModule !== 'function') {
    throw new Error(`librato-wasm needs Node 20.16 or later (this is ${process.version})`);
  }
  return process.getBuiltinModule('node:fs');
}
