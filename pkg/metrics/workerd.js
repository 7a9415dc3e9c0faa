// librato-wasm/metrics, Cloudflare Workers entry: the bundler hands over its compiled .wasm.
import wasm from '../dist/metrics/librato_wasm_bg.wasm';
import * as bindings from '../dist/metrics/librato_wasm.js';

bindings.initSync({ module: wasm });

// The glue bundles guard.js and metrics.js (scripts/build.sh): one script to load.
export const LibratoMetrics = bindings.makeMetrics(bindings, bindings.makeGuard(bindings));
