// The .wasm each entry loads, against the glue that instantiates it (scripts/imports.mjs
// rewrites both after wasm-bindgen): its imports share at most
// three signatures (V8 compiles a wrapper per signature), every JS function the glue hands an
// import declares as many parameters as the import's signature has (V8 compiles another
// wrapper for each that does not), the numbers the rewritten imports carry both ways still
// arrive whole, and every export returns at most one value (scripts/no-multivalue.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import binaryen from 'binaryen';

// Every imports object the entries below instantiate with, by the module it instantiates.
const seen = new Map();
const RealInstance = WebAssembly.Instance;
WebAssembly.Instance = function Instance(module, imports) {
  seen.set(module, imports);
  return new RealInstance(module, imports);
};
const { render, parse } = await import('../../pkg/node.js');
const { LibratoMetrics } = await import('../../pkg/dist/metrics-node.js');
const cli = await import('../../pkg/bin/wasm.mjs');
WebAssembly.Instance = RealInstance;

const ENTRIES = {
  'librato-wasm': 'pkg/dist/librato_wasm_bg.wasm',
  'librato-wasm/metrics': 'pkg/dist/metrics/librato_wasm_bg.wasm',
  'the command line': 'pkg/dist/cli/librato_wasm_bg.wasm',
};

/** The glue's imports object for `path`'s .wasm: the one its module's imports name. */
function importsOf(path) {
  const bytes = readFileSync(new URL(`../../${path}`, import.meta.url));
  const names = WebAssembly.Module.imports(new WebAssembly.Module(bytes)).map((i) => `${i.module}/${i.name}`).sort().join();
  for (const [module, imports] of seen) {
    if (WebAssembly.Module.imports(module).map((i) => `${i.module}/${i.name}`).sort().join() === names) return { bytes, imports };
  }
  throw new Error(`no entry instantiated ${path}`);
}

for (const [entry, path] of Object.entries(ENTRIES)) {
  test(`${entry}: its imports share at most three signatures and have short names, each JS function declaring its import's parameters`, () => {
    const { bytes, imports } = importsOf(path);
    const m = binaryen.readBinary(bytes);
    const signatures = new Set();
    let functions = 0;
    for (let i = 0; i < m.getNumFunctions(); i++) {
      const f = binaryen.getFunctionInfo(m.getFunctionByIndex(i));
      if (!f.module) continue;
      functions++;
      const params = binaryen.expandType(f.params);
      signatures.add(`${params.join()}->${binaryen.expandType(f.results).join()}`);
      // Short names, not wasm-bindgen's hashed ones (which do not compress).
      assert.match(f.base, /^[a-zA-Z]{1,2}$/, `${f.module}/${f.base}`);
      const js = imports[f.module][f.base];
      assert.equal(typeof js, 'function', `${f.module}/${f.base}`);
      assert.equal(js.length, params.length, `${f.module}/${f.base}: the glue's function takes ${js.length} parameters, the import ${params.length}`);
    }
    m.dispose();
    assert.ok(functions > 20, `${functions} imported functions`);
    assert.ok(signatures.size <= 3, `${signatures.size} import signatures`);
  });
}

for (const [entry, path] of Object.entries(ENTRIES)) {
  // V8 compiles a JS-to-wasm wrapper with TurboFan for each signature returning several
  // values (scripts/no-multivalue.mjs); single-value exports share one generic wrapper.
  test(`${entry}: every export returns at most one value`, () => {
    const bytes = readFileSync(new URL(`../../${path}`, import.meta.url));
    const m = binaryen.readBinary(bytes);
    let exports = 0;
    for (let i = 0; i < m.getNumExports(); i++) {
      const e = binaryen.getExportInfo(m.getExportByIndex(i));
      if (e.kind !== binaryen.ExternalFunction) continue;
      exports++;
      const results = binaryen.expandType(binaryen.getFunctionInfo(m.getFunction(e.value)).results);
      assert.ok(results.length <= 1, `${e.name} returns ${results.length} values`);
    }
    m.dispose();
    assert.ok(exports > 15, `${exports} exported functions`);
  });
}

test('numbers and strings cross the rewritten imports whole', async () => {
  // Strings out of wasm (pointer and length, as f64 now), BigInts (an i64 import), u32
  // lengths and booleans back in (i32 through f64): values near the types' edges.
  const line = 'm,host=h\u00e9 a=4294967295i,b=-2147483648i,c=true,d="x\u{1F600}" 1764000000123456789';
  assert.deepEqual(parse(line), {
    metrics: [{ name: 'm', tags: { host: 'h\u00e9' }, fields: { a: 4294967295n, b: -2147483648n, c: true, d: 'x\u{1F600}' }, time: 1764000000123456789n }],
    errors: [],
  });
  const plan = render(line);
  const gauges = plan.requests.flatMap((r) => JSON.parse(r.body).gauges.map((g) => `${g.name}=${g.value}@${g.source}`));
  // Telegraf's source rule turns the é into a dash.
  assert.deepEqual(gauges.sort(), ['m.a=4294967295@h-', 'm.b=-2147483648@h-', 'm.c=1@h-']);
  assert.equal(cli.render('m,host=h v=1 1764000000000000000').gauges, 1);
  // LibratoMetrics' clock (an f64 import) and its config object read key by key.
  let now = 1_764_000_000_000;
  const bodies = [];
  globalThis.fetch = async (_url, init) => {
    bodies.push(init.body);
    return { status: 200, headers: { get: () => null }, text: async () => '', type: 'basic' };
  };
  const metrics = new LibratoMetrics({ api_user: 'u', api_token: 't', api_url: 'http://127.0.0.1:9/v1/metrics' }, { source: 'web-1', now: () => now });
  metrics.measure('latency', 12.5);
  now += 60_000;
  const report = await metrics.flush();
  assert.equal(report.sent, 1);
  const body = JSON.parse(new TextDecoder().decode(bodies[0]));
  assert.deepEqual(body, { gauges: [{ name: 'latency', value: 12.5, source: 'web-1', measure_time: 1_764_000_000, period: 60 }] });
});
