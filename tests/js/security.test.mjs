// Credentials never appear in logs, errors, reports, worker output or share links; no eval;
// the worker refuses every write without the right token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LibratoOutput, loadConfig, render, redactConfig } from '../../pkg/node.js';
import { startLibratoApi } from '../../dev/librato-api.mjs';
import { startWorker } from './worker-harness.mjs';
import { encodeState } from '../../www/share.js';
import { ROOT } from './helpers.mjs';

// Distinctive values, so any appearance is a leak and not a coincidence.
const USER = 'leak-check-user@example.com';
const TOKEN = 'leak-check-token-8d2f41';
const WRITE_TOKEN = 'leak-check-write-token-77aa';
const BASIC = Buffer.from(`${USER}:${TOKEN}`).toString('base64');
const SECRETS = [USER, TOKEN, WRITE_TOKEN, BASIC];
const seen = []; // every text the project produced in this file
let api;

before(async () => { api = await startLibratoApi({ port: 0, user: USER, token: TOKEN }); });
after(async () => { await api.close(); });

const collect = (label, value) => seen.push([label, typeof value === 'string' ? value : JSON.stringify(value, (k, v) => (typeof v === 'bigint' ? String(v) : v))]);
const errorText = (e) => `${e.message} ${JSON.stringify({ ...e })} ${e.stack}`;
const T = '1764000000000000000';

test('the send path: logs, reports and errors across success, retries and failures', async () => {
  const log = (level, message) => collect(`log ${level}`, message);
  const good = new LibratoOutput({ api_user: USER, api_token: TOKEN, api_url: api.url, debug: true, retry_backoff: '5ms' }, { log });
  api.setFaults([{ status: 503 }, { status: 400, body: { errors: { request: [`echo ${TOKEN} ${USER} ${BASIC}`] } } }]);
  collect('report', await good.write(`m,host=h a=1,b=2 ${T}\nbad line\n`));
  api.setFaults([{ drop: true }, { delayMs: 800 }]);
  collect('report', await new LibratoOutput({ api_user: USER, api_token: TOKEN, api_url: api.url, debug: true, timeout: '200ms', retries: 2, retry_backoff: '5ms' }, { log }).write(`m,host=h v=1 ${T}`));
  const wrong = new LibratoOutput({ api_user: USER, api_token: `${TOKEN}-wrong`, api_url: api.url, debug: true }, { log });
  collect('report 401', await wrong.write(`m,host=h v=1 ${T}`));
  const viaSecrets = new LibratoOutput({ api_user: '@{v:user}', api_token: '@{v:token}', api_url: api.url, debug: true }, { log, secrets: { 'v:user': USER, 'v:token': TOKEN } });
  collect('report secrets', await viaSecrets.write(`m,host=h v=1 ${T}`));
  try { await new LibratoOutput({ api_user: USER, api_token: '@{v:missing}' }, { secrets: { 'v:token': TOKEN } }).write('m v=1'); } catch (e) { collect('error', errorText(e)); }
  try { loadConfig(`api_user = "${USER}"\napi_token = "@{v:nope}"\n`, { secrets: { 'v:token': TOKEN } }); } catch (e) { collect('error', errorText(e)); }
  try { loadConfig(`api_url = "https://${USER}:${TOKEN}@host/"`); } catch (e) { collect('error', errorText(e)); }
  collect('plan', render(`m,host=h v=1 ${T}`, { api_user: USER, api_token: TOKEN }));
});

test('the worker: responses and log lines, for right, wrong and missing tokens', async () => {
  const lines = [];
  const worker = await startWorker({
    WRITE_TOKEN, LIBRATO_API_USER: USER, LIBRATO_API_TOKEN: TOKEN, LIBRATO_API_URL: api.url,
  }, { quiet: true, onOutput: (text) => lines.push(text) });
  try {
    const send = async (headers, path = '/api/v2/write?bucket=b') => {
      const r = await fetch(worker.url + path, { method: 'POST', headers, body: `m,host=h v=1 ${T}\nbad\n` });
      collect(`worker ${r.status}`, await r.text());
      return r.status;
    };
    assert.equal(await send({ Authorization: `Token ${WRITE_TOKEN}` }), 400, 'partial write');
    for (const headers of [{}, { Authorization: `Token ${WRITE_TOKEN}x` }, { Authorization: 'Token ' }, { Authorization: `Basic ${Buffer.from(`u:${WRITE_TOKEN}`).toString('base64')}` }]) {
      assert.equal(await send(headers), 401, JSON.stringify(headers));
    }
    assert.equal(await send({}, `/write?db=x&p=${WRITE_TOKEN}y`), 401);
    api.setFaults([{ status: 401, times: 3 }]);
    assert.equal(await send({ Authorization: `Token ${WRITE_TOKEN}` }), 503);
    api.setFaults([]);
    collect('health', await (await fetch(worker.url + '/health')).text());
  } finally {
    await worker.close();
  }
  collect('worker logs', lines.join(''));
  assert.ok(lines.join('').includes('librato-wasm worker'), 'the worker logged its writes');
});

test('share links never carry credentials, whatever the spelling', async () => {
  const { decodeState } = await import('../../www/share.js');
  const configs = [
    `[[outputs.librato]]\n  api_user = "${USER}"\n  api_token = "${TOKEN}"\n  template = "host"\n`,
    `[[outputs.librato]]\n  "api_token" = '''${TOKEN}'''\n  'api_user' = \"\"\"\n${USER}\"\"\"\n`,
    `outputs.librato.api_token = "${TOKEN}"\n# api_user = "${USER}"\n`,
    `[[outputs.librato]]\n  api_token = "${TOKEN}\n`, // not TOML: no config in the link at all
  ];
  for (const config of configs) {
    const { fragment } = await encodeState({ config, metrics: `m,host=h v=1 ${T}\n`, format: 'influx', precision: '' }, redactConfig);
    collect('share link', fragment);
    collect('share link decoded', JSON.stringify(await decodeState(`#${fragment}`)));
  }
});

test('nothing collected contains a credential', () => {
  assert.ok(seen.length > 15, `collected ${seen.length} texts`);
  const leaks = seen.filter(([, text]) => SECRETS.some((s) => text.includes(s))).map(([label, text]) => `${label}: ${text.slice(0, 200)}`);
  assert.deepEqual(leaks, []);
});

test('no eval or new Function in anything we ship or serve', () => {
  const files = [];
  const walk = (dir) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(m?js)$/.test(f)) files.push(p);
    }
  };
  for (const d of ['pkg', 'www', 'worker/src', 'dev']) walk(join(ROOT, d));
  assert.ok(files.some((f) => f.endsWith('librato_wasm.js')), 'the generated glue is checked too');
  const bad = files.filter((f) => /\beval\s*\(|new\s+Function\s*\(|\bFunction\s*\(\s*['"`]/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(bad, []);
});
