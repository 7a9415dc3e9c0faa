// librato-wasm/metrics, browser entry: fetches its own small .wasm next to this module (top-level
// await, so the import is ready to use).
import init, * as bindings from '../dist/metrics/librato_wasm.js';
import { makeGuard } from '../src/guard.js';
import { makeMetrics } from '../src/metrics.js';

await init({ module_or_path: new URL('../dist/metrics/librato_wasm_bg.wasm', import.meta.url) });

export const LibratoMetrics = makeMetrics(bindings, makeGuard(bindings));
