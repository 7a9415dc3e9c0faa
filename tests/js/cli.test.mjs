// The librato-wasm command line, spawned as Telegraf's [[outputs.execd]] would (stdin pipe,
// stderr read), against the strict local API on 127.0.0.1 with its fault injection.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startLibratoApi } from '../../dev/librato-api.mjs';
import { ROOT, FIXTURES } from './helpers.mjs';

const BIN = join(ROOT, 'pkg', 'bin', 'librato-wasm.mjs');
const USER = 'execd@example.com';
const TOKEN = 'tok-execd-secret-51f0c2';
const BASIC = Buffer.from(`${USER}:${TOKEN}`).toString('base64');
const T = 1_764_000_000;
const captured = []; // every stdout/stderr text and file name the tests saw, scanned at the end
const children = new Set(); // killed at the end, should a test fail with one running
let api;
let dir;
let conf;

before(async () => {
  api = await startLibratoApi({ port: 0, user: USER, token: TOKEN });
  dir = mkdtempSync(join(tmpdir(), 'librato-cli-'));
  conf = join(dir, 'librato.conf');
  writeFileSync(conf, `[agent]\n  interval = "10s"\n[[outputs.librato]]\n  api_user = "\${LIBRATO_USER}"\n  api_token = "@{vault:librato_token}"\n  api_url = "${api.url}"\n  timeout = "1s"\n  retries = 0\n  retry_backoff = "10ms"\n  batch_size = 50\n`);
});
after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await api.close();
  // 7. No credential in anything the tests captured, nor in a file name.
  for (const text of captured) {
    assert.ok(!text.includes(TOKEN) && !text.includes(BASIC), `a credential leaked: ${text.slice(0, 200)}`);
  }
});
beforeEach(() => { api.clear(); api.setFaults([]); });

const ENV = { ...process.env, LIBRATO_USER: USER, LIBRATO_SECRET_VAULT_LIBRATO_TOKEN: TOKEN };

function run(args, input) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, env: ENV, encoding: 'utf8' });
  captured.push(r.stdout, r.stderr);
  return r;
}

/** Like run, without blocking this process (the local API runs in it). */
function runAsync(args, input) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: ENV });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (status) => { captured.push(stdout, stderr); resolve({ status, stdout, stderr }); });
    child.stdin.end(input ?? '');
  });
}

/** Starts execd; `lines()` gives its stderr so far; `done` resolves to the exit code. */
function startExecd(extra = []) {
  const child = spawn(process.execPath, [BIN, 'execd', '--config', conf, '--flush-after', '100', '--retry-base', '1', '--retry-max', '1', ...extra], { env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  child.stderr.on('data', (d) => { err += d; });
  child.stdout.on('data', (d) => { out += d; });
  children.add(child);
  const done = new Promise((resolve) => child.on('exit', (code, signal) => { children.delete(child); captured.push(err, out); resolve(code ?? signal); }));
  return { child, done, stderr: () => err, write: (s) => child.stdin.write(s) };
}

/** A Telegraf-shaped batch: `n` lines of 1 gauge each, names unique by `tag`. */
const batch = (tag, n, first = 0) => Array.from({ length: n }, (_, i) => `${tag},host=h${i % 3} v=${first + i} ${T + first + i}`).join('\n') + '\n';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(what, cond, ms = 20_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) { if (cond()) return; await sleep(50); }
  assert.fail(`timed out waiting for ${what}`);
}
const stored = (tag) => api.received().gauges.filter((g) => g.name === `${tag}.v`).map((g) => g.value);

test('1. batches written over time with the API faulting 30%: every gauge stored, in order per batch', async () => {
  api.setFaults({ random: { rate: 0.3, seed: 7, kinds: [{ status: 503 }, { status: 500 }, { status: 429 }, { drop: true }, { delayMs: 1200 }] } });
  const p = startExecd(['--precision', 's']);
  for (let b = 0; b < 8; b++) {
    p.write(batch(`b${b}`, 40));
    await sleep(150);
  }
  await waitFor('every gauge', () => [...Array(8).keys()].every((b) => new Set(stored(`b${b}`)).size === 40), 30_000);
  api.setFaults({ random: null });
  for (let b = 0; b < 8; b++) {
    const got = stored(`b${b}`);
    assert.deepEqual([...new Set(got)], got.filter((v, i) => got.indexOf(v) === i));
    const firsts = [...new Set(got)];
    assert.deepEqual(firsts, [...firsts].sort((x, y) => x - y), `batch ${b} in order of arrival`);
  }
  p.child.stdin.end();
  assert.equal(await p.done, 0);
});

test('2. the API down, then up: nothing lost within --buffer-limit; past it exactly the oldest dropped and said', async () => {
  api.setFaults([{ status: 503, times: 1_000_000 }]);
  const p = startExecd(['--precision', 's', '--buffer-limit', '50']);
  p.write(batch('old', 30));
  await sleep(400);
  p.write(batch('mid', 30));
  await sleep(400);
  p.write(batch('new', 20));
  await waitFor('the E! line', () => /E! dropped the \d+ oldest/.test(p.stderr()));
  await sleep(300);
  const dropped = [...p.stderr().matchAll(/E! dropped the (\d+) oldest/g)].reduce((n, m) => n + Number(m[1]), 0);
  assert.equal(dropped, 30);
  api.setFaults([]);
  await waitFor('the rest', () => stored('mid').length + stored('new').length >= 50);
  assert.deepEqual(stored('old'), [], 'the oldest 30 were the ones dropped');
  assert.equal(new Set(stored('mid')).size, 30);
  assert.equal(new Set(stored('new')).size, 20);
  p.child.stdin.end();
  assert.equal(await p.done, 0);
});

test('3. kill -9 in the middle with --spool, then a restart: every pending gauge delivered', async () => {
  const spool = join(dir, 'spool');
  api.setFaults([{ status: 503, times: 1_000_000 }]);
  const p = startExecd(['--precision', 's', '--spool', spool]);
  p.write(batch('spooled', 45));
  await waitFor('spool files', () => existsSync(spool) && readdirSync(spool).some((f) => f.endsWith('.msg')));
  await sleep(200);
  p.child.kill('SIGKILL');
  await p.done;
  const files = readdirSync(spool);
  captured.push(...files);
  // A corrupt file next to them is set aside, not a crash.
  writeFileSync(join(spool, '00000000000000000001.msg'), 'not a message');
  api.setFaults([]);
  const q = startExecd(['--precision', 's', '--spool', spool]);
  await waitFor('the spooled gauges', () => new Set(stored('spooled')).size === 45);
  q.child.stdin.end();
  assert.equal(await q.done, 0);
  assert.match(q.stderr(), /E! spool file 00000000000000000001\.msg set aside in corrupt\//);
  assert.deepEqual(readdirSync(spool).filter((f) => f.endsWith('.msg')), [], 'acknowledged files are removed');
  for (const f of readdirSync(spool)) captured.push(f);
});

test('4. stdin closed: pending bodies sent, exit 0 within the bound; SIGTERM the same', async () => {
  const p = startExecd(['--precision', 's', '--flush-after', '5000']);
  p.write(batch('closing', 10));
  p.write(`closing,host=x v=99 ${T + 99}`); // no newline: stdin's end completes it
  const started = Date.now();
  p.child.stdin.end();
  assert.equal(await p.done, 0);
  assert.ok(Date.now() - started < 4500, `${Date.now() - started} ms`);
  assert.equal(stored('closing').length, 11);
  assert.match(p.stderr(), /I! stdin closed: gauges sent 11/);

  api.setFaults([{ status: 503, times: 1_000_000 }]);
  const q = startExecd(['--precision', 's', '--shutdown-timeout', '1000']);
  q.write(batch('term', 5));
  await sleep(300);
  const t0 = Date.now();
  q.child.kill('SIGTERM');
  assert.equal(await q.done, 0);
  assert.ok(Date.now() - t0 < 3000, `exited ${Date.now() - t0} ms after SIGTERM`);
  assert.match(q.stderr(), /E! 5 gauges could not be delivered before shutting down/);
});

test('5. bad lines in the stream: W! lines with their line of the stream and column; the good lines delivered', async () => {
  const p = startExecd(['--precision', 's']);
  p.write(batch('good', 3));
  await sleep(300);
  p.write(`good,host=a v=10 ${T}\nthis is not line protocol\ngood,host=a v=11 ${T}\n`);
  await sleep(300);
  p.child.stdin.end();
  assert.equal(await p.done, 0);
  assert.match(p.stderr(), /W! line 5, column \d+: /);
  assert.deepEqual(stored('good').sort((a, b) => a - b), [0, 1, 2, 10, 11]);
});

test('6. check and render: messages and exit codes on the fixtures and on broken configs', () => {
  let r = run(['check', conf]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /ok \(1 \[\[outputs.librato\]\] table/);
  const broken = join(dir, 'broken.conf');
  writeFileSync(broken, '[[outputs.librato]]\n  api_user = "a"\n  batch_size = 301\n');
  r = run(['check', broken]);
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim(), `${broken}:3:16: batch_size must be between 1 and 300, found 301`);
  writeFileSync(broken, '[[outputs.librato]]\n  tempalte = "host"\n  source_tag = "host"\n');
  r = run(['check', broken]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`^${broken}:2:3: unknown key "tempalte"`));
  writeFileSync(broken, 'api_user = "a"\nflush_interval = "10s"\n');
  r = run(['check', broken]);
  assert.equal(r.status, 0);
  assert.match(r.stderr, /warning: flush_interval is accepted but not used/);
  assert.equal(run(['check']).status, 2);
  assert.equal(run(['check', join(dir, 'missing.conf')]).status, 2);
  assert.equal(run(['frobnicate']).status, 2);
  assert.equal(run(['render', '--nope']).status, 2);
  for (const c of ['check', 'render', 'send', 'resend', 'execd']) assert.equal(run([c, '--help']).status, 0, c);

  const fx = join(FIXTURES, 'parse-errors-keep-good-lines');
  r = run(['render', join(fx, 'input.lp')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`${join(fx, 'input.lp')}:\\d+:\\d+: `));
  r = run(['render', '--json', '--config', join(FIXTURES, 'measurements-basic', 'config.toml'), join(FIXTURES, 'measurements-basic', 'input.lp')]);
  assert.equal(r.status, 0, r.stderr);
  const plan = JSON.parse(r.stdout);
  assert.deepEqual(plan.requests.map((q) => q.count), JSON.parse(readFileSync(join(FIXTURES, 'measurements-basic', 'expected.json'), 'utf8')).batches);
  assert.deepEqual(plan.skipped.map((s) => s.reason), ['string_value', 'no_tags', 'time_zero']);
  r = run(['render', '-'], `cpu,host=a v=1 ${T}000000000\n`);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /"source":"a"/);
});

test('send and resend: one-shot with the report; --failed OUT sent again by resend', async () => {
  const out = join(dir, 'failed.json');
  api.setFaults([{ status: 503, times: 10 }]);
  let r = await runAsync(['send', '--config', conf, '--precision', 's', '--failed', out, '-'], batch('once', 60));
  assert.equal(r.status, 1);
  assert.match(r.stdout, /ok: false; sent 0 in 2 request\(s\)/);
  assert.match(r.stdout, /failed: 50, status 503/);
  assert.equal(JSON.parse(readFileSync(out, 'utf8')).length, 2);
  api.setFaults([]);
  r = await runAsync(['resend', '--config', conf, out]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(new Set(stored('once')).size, 60);
  captured.push(readFileSync(out, 'utf8'));
});

/** A config whose requests would go on for minutes: a long timeout, many slow retries. */
function patientConf() {
  const file = join(dir, 'patient.conf');
  writeFileSync(file, `[[outputs.librato]]\n  api_user = "\${LIBRATO_USER}"\n  api_token = "@{vault:librato_token}"\n  api_url = "${api.url}"\n  timeout = "30s"\n  retries = 5\n  retry_backoff = "3s"\n`);
  return file;
}

function startWith(file, extra = []) {
  const child = spawn(process.execPath, [BIN, 'execd', '--config', file, '--flush-after', '50', ...extra], { env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  children.add(child);
  const done = new Promise((resolve) => child.on('exit', (code, signal) => { children.delete(child); captured.push(err); resolve(code ?? signal); }));
  return { child, done, stderr: () => err, write: (s) => child.stdin.write(s) };
}

test('8. shutdown is bounded: the API never answering, stdin closed or SIGTERM: exit within --shutdown-timeout, in flight aborted', async () => {
  api.setFaults([{ delayMs: 120_000, times: 1_000_000 }]);
  const file = patientConf();
  for (const how of ['stdin', 'SIGTERM']) {
    const p = startWith(file, ['--precision', 's', '--shutdown-timeout', '1000']);
    p.write(batch(`hang${how}`, 7));
    await sleep(400);
    const t0 = Date.now();
    if (how === 'stdin') p.child.stdin.end(); else p.child.kill('SIGTERM');
    assert.equal(await p.done, 0, how);
    const took = Date.now() - t0;
    assert.ok(took < 2000, `${how}: exited ${took} ms after, bound 1000 ms`);
    assert.match(p.stderr(), /E! 7 gauges could not be delivered before shutting down/);
    assert.equal(p.stderr().match(/could not be delivered/g).length, 1, 'said once: no orphaned round after it');
  }
  // With --spool the 7 stay on disk, and the next start sends them.
  const spool = join(dir, 'spool-bounded');
  const p = startWith(file, ['--precision', 's', '--shutdown-timeout', '800', '--spool', spool]);
  p.write(batch('kept', 7));
  await sleep(400);
  const t0 = Date.now();
  p.child.kill('SIGTERM');
  assert.equal(await p.done, 0);
  assert.ok(Date.now() - t0 < 2000);
  assert.match(p.stderr(), /W! 7 gauges not yet acknowledged stay in the spool/);
  api.setFaults([]);
  const q = startWith(file, ['--precision', 's', '--spool', spool]);
  await waitFor('the spooled gauges', () => new Set(stored('kept')).size === 7);
  q.child.stdin.end();
  assert.equal(await q.done, 0);
});

test('9. a second SIGTERM stops at once; the API refusing connections is bounded the same', async () => {
  const file = join(dir, 'refused.conf');
  // A port nothing listens on: every attempt fails fast and is retried after a long backoff.
  writeFileSync(file, `[[outputs.librato]]\n  api_user = "u@example.com"\n  api_token = "t"\n  api_url = "http://127.0.0.1:9/v1/metrics"\n  retries = 8\n  retry_backoff = "5s"\n`);
  const p = startWith(file, ['--precision', 's', '--shutdown-timeout', '10000']);
  p.write(batch('gone', 4));
  await sleep(400);
  const t0 = Date.now();
  p.child.kill('SIGTERM');
  await sleep(300);
  p.child.kill('SIGTERM');
  assert.equal(await p.done, 0);
  assert.ok(Date.now() - t0 < 1500, `exited ${Date.now() - t0} ms after the first SIGTERM`);
  assert.match(p.stderr(), /E! 4 gauges could not be delivered/);
});

test('10. options are checked at start-up: a bad --precision or --format is a usage error, exit 2, nothing read', async () => {
  for (const [flag, value] of [['--precision', 'sec'], ['--format', 'xml']]) {
    const p = startWith(conf, [flag, value]);
    const code = await p.done;
    assert.equal(code, 2, `${flag} ${value}`);
    assert.match(p.stderr(), new RegExp(`librato-wasm: ${flag}`));
    assert.doesNotMatch(p.stderr(), /at .*\.mjs:\d+/, 'no stack trace');
  }
  assert.equal(run(['render', '--precision', 'sec', join(FIXTURES, 'basic', 'input.lp')]).status, 2);
});

test('11. --buffer-limit counts a drop only for gauges never sent: a slow request that succeeds drops nothing', async () => {
  // Each request takes 700 ms and succeeds; 80 gauges arrive with a limit of 50 while the
  // first 30 are in flight.
  api.setFaults([{ delayMs: 700, times: 1_000_000 }]);
  const file = patientConf();
  const p = startWith(file, ['--precision', 's', '--buffer-limit', '50']);
  p.write(batch('first', 30));
  await sleep(250);
  p.write(batch('second', 30));
  await sleep(100);
  p.write(batch('third', 20));
  await waitFor('every gauge', () => stored('first').length + stored('second').length + stored('third').length >= 50, 20_000);
  await sleep(1500);
  p.child.stdin.end();
  assert.equal(await p.done, 0);
  const dropped = [...p.stderr().matchAll(/dropped the (\d+) oldest/g)].reduce((n, m) => n + Number(m[1]), 0);
  const got = new Set(stored('first')).size + new Set(stored('second')).size + new Set(stored('third')).size;
  assert.equal(got + dropped, 80, `stored ${got} + dropped ${dropped}`);
  assert.equal(new Set(stored('first')).size, 30, 'the request in flight was not cut');
  assert.match(p.stderr(), new RegExp(`dropped ${dropped}, pending 0`));
});
