// The playground's measurements mode in real Chromium (Debian's, via playwright-core): the API
// switch, the config's own `api`, the measurements table with its tags column, the notes where
// a tag was changed to fit the API, and a send to the local API's tagged endpoint.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from './browser-harness.mjs';
import { startLibratoApi } from '../../dev/librato-api.mjs';
import { startStaticServer } from '../../dev/static-server.mjs';
import { ROOT } from './helpers.mjs';

const ARTIFACTS = join(ROOT, 'tests', 'artifacts');
const USER = 'demo@example.com';
const TOKEN = 'demo-token';
let api;
let site;
let browser;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  api = await startLibratoApi({ port: 0, user: USER, token: TOKEN });
  site = await startStaticServer({ root: ROOT, port: 0, apiUrl: api.url });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await site?.close();
  await api?.close();
});

async function open() {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(site.url);
  await page.waitForSelector('body[data-ready="true"]');
  return { page, problems };
}

async function rendered(page, action) {
  const before = await page.evaluate(() => Number(document.body.dataset.renders ?? 0));
  await action();
  await page.waitForFunction((n) => Number(document.body.dataset.renders ?? 0) > n, before);
}

const METRICS = [
  'cpu,host=web-1,cpu=cpu0 usage_idle=97.5,usage_user=2i 1764000000000000000',
  'disk,host=web-1,mount\\ point=/var\\ log used_percent=41.5 1764000000000000000',
  'bare value=1 1764000000000000000',
].join('\n');

test('the API switch: a measurements table with tags, notes on changed tags, and a send to /v1/measurements', async () => {
  const { page, problems } = await open();
  await rendered(page, () => page.fill('#metrics', METRICS).then(() => page.dispatchEvent('#metrics', 'input')));
  assert.match(await page.textContent('#summary'), /^3 gauges in 1 request/);
  await rendered(page, () => page.selectOption('#api', 'measurements'));
  assert.match(await page.textContent('#summary'), /^3 measurements in 1 request, 1 skipped/);
  assert.deepEqual(await page.$$eval('#gauges thead th', (th) => th.map((t) => t.textContent)), ['name', 'tags', 'value', 'time', 'line']);
  assert.equal(await page.textContent('#gauges-title'), 'Measurements');
  const rows = await page.$$eval('#gauges tbody tr', (trs) => trs.map((tr) => [...tr.children].slice(0, 3).map((c) => c.textContent)));
  assert.deepEqual(rows, [
    ['cpu.usage_idle', 'cpu=cpu0, host=web-1', '97.5'],
    ['cpu.usage_user', 'cpu=cpu0, host=web-1', '2'],
    ['disk.used_percent', 'host=web-1, mount_point=/var log (changed)', '41.5'],
  ]);
  assert.equal(await page.isVisible('#tag-notes-box'), true);
  assert.match(await page.textContent('#tag-notes'), /line 2: tag key "mount point" sent as "mount_point"/);
  assert.match(await page.textContent('#skipped'), /bare.*no_tags/);
  assert.match(await page.textContent('#requests'), /\{"measurements":\[\{"name":"cpu.usage_idle","value":97.5,"time":1764000000,"tags":\{"cpu":"cpu0","host":"web-1"\}\}/);
  // The explanation follows the API: the line's tags and what was changed.
  await page.fill('#explain-line', '2');
  await page.dispatchEvent('#explain-line', 'input');
  assert.equal(await page.textContent('#explain-title'), 'How the tags were made');
  assert.equal(await page.textContent('#explain-source'), 'host=web-1, mount_point=/var log');
  // Send: the URL follows the API; the local API stores the measurements with their tags.
  assert.equal(await page.inputValue('#send-url'), api.measurementsUrl);
  await page.click('summary:has-text("Send")');
  await page.fill('#send-user', USER);
  await page.fill('#send-token', TOKEN);
  await page.click('#send');
  await page.waitForFunction(() => !document.getElementById('report').textContent.startsWith('Sending'));
  assert.match(await page.textContent('#report'), /ok: true\nsent: 3 measurements in 1 request/);
  assert.deepEqual(api.received().measurements.map((m) => m.tags), [
    { cpu: 'cpu0', host: 'web-1' }, { cpu: 'cpu0', host: 'web-1' }, { host: 'web-1', mount_point: '/var log' },
  ]);
  await page.screenshot({ path: join(ARTIFACTS, 'playground-measurements.png'), fullPage: true });
  // Back to the gauges: Telegraf's table and URL again.
  await rendered(page, () => page.selectOption('#api', 'metrics'));
  assert.match(await page.textContent('#summary'), /^3 gauges/);
  assert.equal(await page.inputValue('#send-url'), api.url);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a config with api = "measurements" shows the measurements table as the config says', async () => {
  const { page, problems } = await open();
  await rendered(page, () => page.fill('#config', '[[outputs.librato]]\n  api = "measurements"\n  body_format = "compact"\n').then(() => page.dispatchEvent('#config', 'input')));
  await rendered(page, () => page.fill('#metrics', METRICS).then(() => page.dispatchEvent('#metrics', 'input')));
  assert.match(await page.textContent('#config-status'), /api "measurements"/);
  assert.match(await page.textContent('#summary'), /^3 measurements/);
  assert.match(await page.textContent('#requests'), /compact body: time and tags once at the top/);
  assert.match(await page.textContent('#gauges tbody tr:nth-child(3) td:nth-child(2)'), /mount_point=\/var log/);
  // A template there is not used: the config's warning says so.
  await rendered(page, () => page.fill('#config', 'api = "measurements"\ntemplate = "host.tags"\n').then(() => page.dispatchEvent('#config', 'input')));
  assert.match(await page.textContent('#problems'), /template is not used with api = "measurements"/);
  assert.deepEqual(problems, []);
  await page.close();
});
