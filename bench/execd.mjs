// `librato-wasm execd` throughput: the bench input's first lines written to its stdin as
// Telegraf would, to a do-nothing local API (200 at once), timed until every gauge arrived;
// and its memory (RSS) with --buffer-limit 10,000 full while the API answers 503, and with
// 20,000 gauges pending (issue 28's case). Prints JSON.
import http from 'node:http';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const [file, linesArg] = process.argv.slice(2);
const LINES = Number(linesArg ?? 20_000);
const text = readFileSync(file, 'utf8').split('\n').slice(0, LINES).join('\n') + '\n';
let gauges = 0;
let status = 200;
const server = http.createServer((req, res) => {
  let n = 0;
  req.on('data', (c) => { for (let i = c.indexOf('"name":'); i !== -1; i = c.indexOf('"name":', i + 1)) n++; });
  req.on('end', () => { if (status === 200) gauges += n; res.writeHead(status); res.end(); });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const dir = mkdtempSync(join(tmpdir(), 'execd-bench-'));
const conf = join(dir, 'librato.conf');
writeFileSync(conf, `api_user = "u@example.com"\napi_token = "t"\napi_url = "http://127.0.0.1:${server.address().port}/v1/metrics"\nretries = 0\n`);
const bin = join(ROOT, 'pkg', 'bin', 'librato-wasm.mjs');

function start(extra = []) {
  const child = spawn(process.execPath, [bin, 'execd', '--config', conf, '--flush-after', '20', ...extra], { stdio: ['pipe', 'ignore', 'ignore'] });
  const done = new Promise((r) => child.on('exit', r));
  return { child, done };
}
const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;

// The expected gauge count, from the package itself.
const { render } = await import('../pkg/node.js');
const want = render(text).gauges;

const p = start(['--buffer-limit', '100000000']); // all of it pending at once is fine here
await new Promise((r) => setTimeout(r, 300)); // start-up excluded
const t0 = performance.now();
p.child.stdin.write(text);
while (gauges < want) await new Promise((r) => setTimeout(r, 2));
const ms = performance.now() - t0;
p.child.stdin.end();
await p.done;

// The buffer full: the API refusing, 10,000 gauges pending.
status = 503;
const q = start(['--buffer-limit', '10000', '--retry-base', '60']);
q.child.stdin.write(text);
await new Promise((r) => setTimeout(r, 1500));
const bufferRss = rss(q.child.pid);
q.child.kill('SIGKILL');
await q.done;

// Issue 28's case: 10,000 lines of two fields (20,000 gauges) pending, the API down, nothing
// dropped (--buffer-limit 20,000); next to Node 20's own RSS (a process that only waits).
const two = Array.from({ length: 10_000 }, (_, i) =>
  `cpu,host=web-${String(i % 200).padStart(3, '0')},cpu=cpu${i % 8} usage_idle=${((i * 7919) % 10000) / 100},usage_user=${((i * 104729) % 10000) / 100} ${1_764_000_000 + i}000000000`).join('\n') + '\n';
const r = start(['--buffer-limit', '20000', '--retry-base', '60']);
await new Promise((res) => setTimeout(res, 500));
r.child.stdin.write(two);
await new Promise((res) => setTimeout(res, 1500));
const pendingRss = rss(r.child.pid);
r.child.kill('SIGKILL');
await r.done;
const bare = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 3000)'], { stdio: 'ignore' });
await new Promise((res) => setTimeout(res, 700));
const nodeRss = rss(bare.pid);
bare.kill('SIGKILL');
server.close();
console.log(JSON.stringify({ gauges: want, bytes: Buffer.byteLength(text), ms, buffer_rss: bufferRss, pending_20000_rss: pendingRss, node_rss: nodeRss }));
