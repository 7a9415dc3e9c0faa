// The worker's largest accepted write: a gzip body that inflates to just under
// MAX_DECOMPRESSED_BYTES (32 MB) of line protocol, far more gauges than MAX_SUBREQUESTS (45)
// requests carry. In workerd, with the worker's own body reader and the package's workerd
// entry: expected 413, rendering stopped at the limit. Measured: the time to answer, and the
// wasm memory after it (wasm memory never shrinks, so that is its peak; the request bodies
// rendered are inside it). Prints JSON.
import { Miniflare } from 'miniflare';
import { readFileSync, mkdtempSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { packageModules } from '../tests/js/worker-harness.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAX = 32_000_000;
const [file] = process.argv.slice(2);
const one = readFileSync(file);
const chunks = [];
let size = 0;
while (size + one.length <= MAX) { chunks.push(one); size += one.length; }
const rest = one.subarray(0, one.lastIndexOf(10, MAX - size - 1) + 1);
chunks.push(rest);
const raw = Buffer.concat(chunks);
const body = gzipSync(raw);

const dir = mkdtempSync(join(tmpdir(), 'wlimits-'));
const script = `import { LibratoOutput } from 'librato-wasm';
import { __wasmMemoryBytes } from './dist/librato_wasm.js';
import { readBody } from './body.mjs';
const out = new LibratoOutput({ api_user: 'u@example.com', api_token: 't', api_url: 'http://127.0.0.1:9/v1/metrics' });
export default { async fetch(req) {
  const before = __wasmMemoryBytes();
  const t = Date.now();
  const b = await readBody(req, { maxBody: 10_000_000, maxDecompressed: ${MAX} });
  let status = 202, message = '';
  try { await out.write(b.data, { maxRequests: 45 }); } catch (e) { status = e.code === 'too_many_requests' ? 413 : 500; message = e.message; }
  return Response.json({ status, message, before, after: __wasmMemoryBytes(), decompressed: b.decompressed, ms: Date.now() - t });
} };`;
const mod = (path, contents) => ({ type: 'ESModule', path: join(dir, path), contents });
const mf = new Miniflare({
  modulesRoot: dir,
  modules: [
    mod('index.mjs', script),
    mod('body.mjs', readFileSync(join(ROOT, 'worker', 'src', 'body.mjs'), 'utf8')),
    ...packageModules(dir),
  ],
  compatibilityDate: '2026-04-01',
  host: '127.0.0.1',
  port: 0,
});
const url = await mf.ready;
const t = performance.now();
const r = await (await fetch(url, { method: 'POST', headers: { 'Content-Encoding': 'gzip' }, body })).json();
const ms = performance.now() - t;
await mf.dispose();
console.log(JSON.stringify({ ...r, request_ms: ms, gzipped: body.length }));
