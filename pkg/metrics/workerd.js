// librato-wasm/metrics, Cloudflare Workers entry: the bundler hands over its compiled .wasm.
import wasm from '../dist/metrics/librato_wasm_bg.wasm';
import * as bindings from '../dist/metrics/librato_wasm.js';
import { makeGuard } from '../src/guard.js';
import { makeMetrics } from '../src/metrics.js';

bindings.initSync({ module: wasm });

export const LibratoMetrics = makeMetrics(bindings, makeGuard(bindings));
