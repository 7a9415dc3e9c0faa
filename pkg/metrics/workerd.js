// librato-wasm/metrics, Cloudflare Workers entry: the bundler hands over its compiled .wasm.
import wasm from '../dist/metrics/librato_wasm_bg.wasm';
import { initSync, MetricsCore, __lastPanic, __wbg_reset_state, makeMetrics, makeGuard } from '../dist/metrics/librato_wasm.js';

initSync({ module: wasm });

// The glue bundles guard.js and metrics.js (scripts/build.sh): one script. Named imports let
// a bundler drop the rest.
const bindings = { MetricsCore, __lastPanic, __wbg_reset_state };
export const LibratoMetrics = makeMetrics(bindings, makeGuard(bindings));
