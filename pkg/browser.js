// Browser entry: fetches the .wasm next to this module (top-level await, so imports are ready).
import init, * as bindings from './dist/librato_wasm.js';
import { makeApi } from './src/api.js';

await init({ module_or_path: new URL('./dist/librato_wasm_bg.wasm', import.meta.url) });

export const { parse, loadConfig, render, redactConfig, LibratoOutput, LibratoMetrics } = makeApi(bindings);
