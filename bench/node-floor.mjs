// What any wasm-backed ES module costs Node 20 in a fresh process, next to librato-wasm/metrics'
// cold start (make bench): importing an ES module that reads a file and starts V8's wasm engine
// with an empty module. The process's own start-up is not counted.
const t0 = performance.now();
await import('./floor/empty-wasm.mjs');
console.log(JSON.stringify({ ms: performance.now() - t0 }));
