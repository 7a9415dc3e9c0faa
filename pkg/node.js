// Node entry: reads the .wasm next to this file and instantiates it synchronously.
import { readFileSync } from 'node:fs';
import * as bindings from './dist/librato_wasm.js';
import { makeApi } from './src/api.js';

bindings.initSync({ module: readFileSync(new URL('./dist/librato_wasm_bg.wasm', import.meta.url)) });

export const { parse, loadConfig, render, redactConfig, LibratoOutput, LibratoMetrics } = makeApi(bindings);
