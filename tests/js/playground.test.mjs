// The playground in real Chromium (Debian's, driven by playwright-core), served with its strict
// Content-Security-Policy, sending to the local Librato API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
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
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => {
  await browser?.close();
  await site?.close();
  await api?.close();
});

/** A page that records console errors, page errors and CSP violations. */
async function open(url = site.url, viewport = { width: 1280, height: 900 }) {
  const page = await browser.newPage({ viewport });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  return { page, problems };
}

/** Replaces an editor's text and waits until the page has rendered the new output. */
async function typeInto(page, selector, text) {
  const before = await page.evaluate(() => Number(document.body.dataset.renders ?? 0));
  await page.fill(selector, text);
  await page.dispatchEvent(selector, 'input');
  await page.waitForFunction((n) => Number(document.body.dataset.renders ?? 0) > n, before);
}

const sources = (page) => page.$$eval('#gauges tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent));

test('loads with no console errors and no CSP violations, under the strict policy', async () => {
  const { page, problems } = await open();
  const csp = (await page.request.get(site.url)).headers()['content-security-policy'];
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(csp, /default-src 'none'/);
  assert.match(await page.textContent('#summary'), /^\d+ gauges in \d+ request/);
  assert.ok((await sources(page)).length > 10);
  await page.screenshot({ path: join(ARTIFACTS, 'playground-1280.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('editing the template changes the sources in the table', async () => {
  const { page, problems } = await open();
  assert.ok((await sources(page)).includes('web-01_prod_example_com'));
  const config = (await page.inputValue('#config')).replace('template = "host"', 'template = "host.tags"');
  await typeInto(page, '#config', config);
  const after = await sources(page);
  assert.ok(after.includes('web-01_prod_example_com.cpu-total'), after.slice(0, 5).join(' '));
  assert.deepEqual(problems, []);
  await page.close();
});

test('a bad TOML line shows an error at that line', async () => {
  const { page } = await open();
  await typeInto(page, '#config', '[[outputs.librato]]\n  api_user = "u"\n  template = host\n');
  assert.match(await page.textContent('#config-status'), /line 3, column 14/);
  assert.equal(await page.textContent('#config-gutter .bad'), '3');
  await page.click('.problems .problem a');
  const caret = await page.$eval('#config', (t) => t.value.slice(0, t.selectionStart).split('\n').length);
  assert.equal(caret, 3, 'the link puts the caret on the bad line');
  await page.close();
});

test('a string field appears as skipped with its line', async () => {
  const { page } = await open();
  await typeInto(page, '#metrics', 'cpu,host=a usage=1 1764000000000000000\nsystem,host=a uptime_format="4 days" 1764000000000000000\n');
  const skipped = await page.textContent('#skipped');
  assert.match(skipped, /line 2: system \/ uptime_format string_value/);
  await page.close();
});

test('filters show what they did', async () => {
  const { page } = await open();
  const config = (await page.inputValue('#config')) + '  namedrop = ["disk"]\n  fieldexclude = ["usage_iowait"]\n';
  await typeInto(page, '#config', config);
  const skipped = await page.textContent('#skipped');
  assert.match(skipped, /disk filtered metric dropped by namedrop \(3 times\)/);
  assert.match(skipped, /cpu \/ usage_iowait filtered field "usage_iowait" removed by fieldexclude/);
  await page.close();
});

test('the share link round-trips and carries no credentials', async () => {
  const { page } = await open();
  const config = (await page.inputValue('#config'))
    .replace('telegraf@influxdb.com', 'alice@example.com')
    .replace('my-secret-token', 'sup3r-s3cret')
    .replace('template = "host"', 'template = "tags"');
  await typeInto(page, '#config', config);
  await typeInto(page, '#metrics', 'mem,host=h1,dc=x used=5i 1764000000000000000\n');
  await page.click('#share');
  await page.waitForFunction(() => document.getElementById('share-link').value.includes('#s='));
  const link = await page.inputValue('#share-link');
  assert.ok(!link.includes('alice') && !link.includes('sup3r'));
  const again = await open(link);
  const restored = await again.page.inputValue('#config');
  assert.ok(restored.includes('template = "tags"'));
  assert.ok(!restored.includes('alice@example.com') && !restored.includes('sup3r-s3cret'));
  assert.equal(await again.page.inputValue('#metrics'), 'mem,host=h1,dc=x used=5i 1764000000000000000\n');
  assert.deepEqual(await sources(again.page), ['x.h1']);
  assert.deepEqual(again.problems, []);
  await page.close();
  await again.page.close();
});

test('Send to the local API reports success and the API received those gauges', async () => {
  api.clear();
  const { page, problems } = await open();
  const now = Math.floor(Date.now() / 1000);
  await typeInto(page, '#metrics', `cpu,host=play usage_idle=97.5,usage_user=1.5 ${now}000000000\n`);
  await page.click('summary:has-text("Send")');
  assert.equal(await page.inputValue('#send-url'), api.url);
  await page.fill('#send-user', USER);
  await page.fill('#send-token', TOKEN);
  await page.click('#send');
  await page.waitForFunction(() => /^ok: /.test(document.getElementById('report').textContent));
  assert.match(await page.textContent('#report'), /ok: true\nsent: 2 gauges in 1 request/);
  assert.deepEqual(api.received().gauges.map((g) => [g.name, g.source, g.value, g.measure_time]), [
    ['cpu.usage_idle', 'play', 97.5, now],
    ['cpu.usage_user', 'play', 1.5, now],
  ]);
  // Nothing about the credentials stays behind in the page's storage or URL.
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + location.href);
  assert.ok(!stored.includes(TOKEN) && !stored.includes(USER));
  assert.deepEqual(problems, []);
  await page.close();
});

test('readable and usable at 390 px wide, by keyboard', async () => {
  const { page, problems } = await open(site.url, { width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `horizontal overflow of ${overflow}px`);
  await page.screenshot({ path: join(ARTIFACTS, 'playground-390.png'), fullPage: true });
  // Every control has a label.
  const unlabelled = await page.$$eval('textarea, select, input', (els) => els.filter((e) => !document.querySelector(`label[for="${e.id}"]`)).map((e) => e.id));
  assert.deepEqual(unlabelled, []);
  // Tab reaches the editors and the format switch.
  await page.focus('#config');
  await page.keyboard.press('Tab');
  const next = await page.evaluate(() => document.activeElement.id);
  assert.ok(['format', 'metrics', 'precision'].includes(next), next);
  assert.deepEqual(problems, []);
  await page.close();
});
