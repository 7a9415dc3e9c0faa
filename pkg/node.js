// Node entry: reads the .wasm next to this file and instantiates it synchronously (no top-level
// await: `require()` of this entry must keep working).
// `node:fs` through require: its ESM form evaluates every export, which loads Node's streams.
import { createRequire } from 'node:module';
import * as bindings from './dist/librato_wasm.js';
import { makeApi } from './src/api.js';

const { readFileSync } = createRequire(import.meta.url)('node:fs');
bindings.initSync({ module: readFileSync(new URL('./dist/librato_wasm_bg.wasm', import.meta.url)) });

export const { parse, loadConfig, render, redactConfig, LibratoOutput, LibratoMetrics } = makeApi(bindings);
