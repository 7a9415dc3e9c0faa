// Cloudflare Workers entry: the bundler hands over a compiled WebAssembly.Module.
import wasm from './dist/librato_wasm_bg.wasm';
import * as bindings from './dist/librato_wasm.js';
import { makeApi } from './src/api.js';

bindings.initSync({ module: wasm });

export const { parse, loadConfig, render, redactConfig, LibratoOutput, LibratoMetrics } = makeApi(bindings);
