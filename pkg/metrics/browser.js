// librato-wasm/metrics, browser entry: fetches its own small .wasm next to this module (top-level
// await, so the import is ready to use).
import init, { MetricsCore, __lastPanic, __wbg_reset_state, makeMetrics, makeGuard } from '../dist/metrics/librato_wasm.js';

await init({ module_or_path: new URL('../dist/metrics/librato_wasm_bg.wasm', import.meta.url) });

// The glue bundles guard.js and metrics.js (scripts/build.sh): one script. Named imports let
// a bundler drop the rest.
const bindings = { MetricsCore, __lastPanic, __wbg_reset_state };
export const LibratoMetrics = makeMetrics(bindings, makeGuard(bindings));
