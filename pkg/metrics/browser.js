// librato-wasm/metrics, browser entry: fetches its own small .wasm next to this module (top-level
// await, so the import is ready to use).
import init, * as bindings from '../dist/metrics/librato_wasm.js';

await init({ module_or_path: new URL('../dist/metrics/librato_wasm_bg.wasm', import.meta.url) });

// The glue bundles guard.js and metrics.js (scripts/build.sh): one script to load.
export const LibratoMetrics = bindings.makeMetrics(bindings, bindings.makeGuard(bindings));
