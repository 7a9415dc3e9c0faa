// librato-wasm/metrics' cold start in a fresh process (its Node entry as the package ships it): from the start of its import to the end
// of the first flush of one measure (a stub fetch acknowledging at once). The process's own
// start-up is not counted.
const t0 = performance.now();
const { LibratoMetrics } = await import('../pkg/dist/metrics-node.js');
const imported = performance.now();
let now = 1_764_000_000_000;
let bodies = 0;
// A Response-like answer: Node's own Response class loads undici (~16 ms), a cost of Node's
// fetch whichever library calls it, not of this one.
const ack = { status: 200, headers: { get: () => null }, text: async () => '', type: 'basic' };
globalThis.fetch = async () => { bodies++; return ack; };
const m = new LibratoMetrics({ api_user: 'u', api_token: 't', api_url: 'http://127.0.0.1:9/v1/metrics' }, { now: () => now });
m.measure('latency', 12.5);
now += 60_000;
const r = await m.flush();
const ms = performance.now() - t0;
// The split says where a cold start goes: the import (module loading, compiling the .wasm) and
// the first calls (V8 compiling each function they run on first use).
const importMs = imported - t0;
if (!r.ok || r.sent !== 1 || bodies !== 1) throw new Error(`wrong flush: ${JSON.stringify(r)}`);
console.log(JSON.stringify({ ms, importMs, firstCallsMs: ms - importMs }));
