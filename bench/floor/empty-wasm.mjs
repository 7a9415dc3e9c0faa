// Node's own floor for a cold start of an ES module that loads a .wasm (bench/node-floor.mjs):
// read a file next to this one as pkg/metrics/node.js does (node:fs from
// process.getBuiltinModule) and instantiate the smallest valid module.
const { readFileSync } = process.getBuiltinModule('node:fs');
readFileSync(new URL('./empty-wasm.mjs', import.meta.url));
export const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])));
