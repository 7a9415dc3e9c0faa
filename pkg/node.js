// Node entry: reads the .wasm next to this file and instantiates it synchronously (no top-level
// await: `require()` of this entry must keep working).
import * as bindings from './dist/librato_wasm.js';
import { makeApi } from './src/api.js';

const { readFileSync } = nodeFs();
bindings.initSync({ module: readFileSync(new URL('./dist/librato_wasm_bg.wasm', import.meta.url)) });

export const { parse, loadConfig, render, redactConfig, LibratoOutput, LibratoMetrics } = makeApi(bindings);

// node:fs from process.getBuiltinModule (Node 20.16+, the package's `engines`): it hands over
// the built-in without loading a module system. `createRequire` cost ~1 ms of a cold start and
// the ESM form of node:fs evaluates every export, which loads Node's streams (~0.7 ms).
function nodeFs() {
  if (typeof process.getBuiltinModule !== 'function') {
    throw new Error(`librato-wasm needs Node 20.16 or later (this is ${process.version})`);
  }
  return process.getBuiltinModule('node:fs');
}
