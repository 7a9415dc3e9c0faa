// The playground in real Chromium (Debian's, driven by playwright-core), served with its strict
// Content-Security-Policy, sending to the local Librato API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import http from 'node:http';
import { inflateRawSync } from 'node:zlib';
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

const WIDE = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

/** A page that records console errors, page errors and CSP violations. */
async function open(url = site.url, viewport = WIDE, colorScheme = 'light') {
  const page = await browser.newPage({ viewport, colorScheme });
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
  // On a phone the editor may sit behind its tab: open it, type, and come back to Results.
  const hidden = !(await page.isVisible(selector));
  if (hidden) await page.click(`#tab-${selector.slice(1)}`);
  await page.fill(selector, text);
  await page.dispatchEvent(selector, 'input');
  await page.waitForFunction((n) => Number(document.body.dataset.renders ?? 0) > n, before);
  if (hidden) await page.click('#tab-results');
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

test('body_format = "compact": the same gauge table, and each request says which body shape it is', async () => {
  const { page, problems } = await open();
  const rows = () => page.$$eval('#gauges tbody tr', (trs) => trs.map((tr) => tr.innerText));
  const before = await rows();
  assert.match(await page.textContent('#requests .note'), /Telegraf's body shape/);
  const config = (await page.inputValue('#config')).replace('template = "host"', 'template = "host"\n  body_format = "compact"');
  await typeInto(page, '#config', config);
  assert.match(await page.textContent('#config-status'), /compact bodies/);
  assert.match(await page.textContent('#requests .note'), /compact body: source and measure_time once at the top/);
  assert.match(await page.textContent('#requests pre.body'), /^\{"source":"/);
  assert.deepEqual(await rows(), before, 'sources and times read from the top of compact bodies');
  assert.deepEqual(problems, []);
  await page.close();
});

for (const viewport of [WIDE, PHONE]) {
  test(`a bad TOML line: its place once, panels marked stale (${viewport.width} px)`, async () => {
    const { page, problems } = await open(site.url, viewport);
    if (viewport === PHONE) await page.click('#tab-config');
    await typeInto(page, '#config', '[[outputs.librato]]\n  api_user = "u"\n  template = host\n');
    assert.match(await page.textContent('#config-status'), /^line 3, column 14: /);
    assert.equal(await page.textContent('#config-gutter .bad'), '3');
    if (viewport === PHONE) await page.click('#tab-results');
    const problem = await page.textContent('.problems .problem');
    assert.equal(problem.match(/line 3, column 14/g).length, 1, problem);
    // What depends on the config is emptied and said to be out of date.
    assert.equal(await page.getAttribute('#panel-results', 'data-stale'), '');
    assert.match(await page.textContent('#explain'), /config has an error/);
    assert.equal(await page.$$eval('#gauges tbody tr', (r) => r.length), 0);
    await page.screenshot({ path: join(ARTIFACTS, `config-error-${viewport.width}.png`), fullPage: true });
    await page.click('.problems .problem a');
    const caret = await page.$eval('#config', (t) => t.value.slice(0, t.selectionStart).split('\n').length);
    assert.equal(caret, 3, 'the link puts the caret on the bad line');
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test('a string field appears as skipped with its line', async () => {
  const { page } = await open();
  await typeInto(page, '#metrics', 'cpu,host=a usage=1 1764000000000000000\nsystem,host=a uptime_format="4 days" 1764000000000000000\n');
  const skipped = await page.textContent('#skipped');
  assert.match(skipped, /line 2: system \/ uptime_format string_value/);
  await page.close();
});

for (const viewport of [WIDE, PHONE]) {
  test(`filters show what they did, each linked to the config line of its option (${viewport.width} px)`, async () => {
  const { page, problems } = await open(site.url, viewport);
  const base = await page.inputValue('#config');
  const config = `${base}  namedrop = ["disk"]\n  fieldexclude = ["usage_iowait"]\n`;
  await typeInto(page, '#config', config);
  const skipped = await page.textContent('#skipped');
  assert.match(skipped, /disk filtered metric dropped by namedrop \(3 times\)/);
  assert.match(skipped, /cpu \/ usage_iowait filtered field "usage_iowait" removed by fieldexclude/);
  const namedropLine = config.split('\n').findIndex((l) => l.includes('namedrop')) + 1;
  const link = page.locator('#skipped a.option', { hasText: 'namedrop' }).first();
  assert.equal(await link.textContent(), `namedrop, config line ${namedropLine}`);
  await link.click();
  const caret = await page.$eval('#config', (t) => t.value.slice(0, t.selectionStart).split('\n').length);
  assert.equal(caret, namedropLine);
  await page.screenshot({ path: join(ARTIFACTS, `filtered-${viewport.width}.png`), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
  });
}

/** Every form a link's config can be read back from: raw, URL-decoded, and inflated. */
function linkTexts(link) {
  const fragment = new URL(link).hash;
  const m = /s=([A-Za-z0-9_-]+)/.exec(fragment);
  const inflated = inflateRawSync(Buffer.from(m[1].replaceAll('-', '+').replaceAll('_', '/'), 'base64')).toString('utf8');
  return [link, decodeURIComponent(link), inflated, JSON.parse(inflated).config ?? ''];
}

const USER_SECRET = 'alice-user@example.com';
const TOKEN_SECRET = 'sup3r-s3cret-token-77';
const SPELLINGS = [
  `[[outputs.librato]]\n  api_user = "${USER_SECRET}"\n  api_token = "${TOKEN_SECRET}"\n  template = "tags"\n`,
  `[[outputs.librato]]\n  "api_user" = "${USER_SECRET}"\n  "api_token" = "${TOKEN_SECRET}"\n  template = "tags"\n`,
  `[[outputs.librato]]\n  'api_user' = '${USER_SECRET}'\n  'api_token' = '${TOKEN_SECRET}'\n  template = "tags"\n`,
  `[[outputs.librato]]\n  api_token = """\n${TOKEN_SECRET}"""\n  api_user = '''${USER_SECRET}'''\n  template = "tags"\n`,
  `[outputs]\n  librato = [{ api_user = "${USER_SECRET}", api_token = "${TOKEN_SECRET}", template = "tags" }]\n`,
  `[[outputs.librato]]\n  template = "tags"\n  # api_token = "${TOKEN_SECRET}" (the old one)\n  api_user = "${USER_SECRET}"\n`,
  `[[outputs.librato]]\n  api_token = "\\u0073up3r-s3cret-token-77"\n  api_user = "${USER_SECRET}" # ${TOKEN_SECRET}\n  template = "tags"\n`,
];

for (const viewport of [WIDE, PHONE]) {
  test(`the share link never carries a credential, whatever the spelling (${viewport.width} px)`, async () => {
    const { page, problems } = await open(site.url, viewport);
    if (viewport === PHONE) await page.click('#tab-metrics');
    await typeInto(page, '#metrics', 'mem,host=h1,dc=x used=5i 1764000000000000000\n');
    if (viewport === PHONE) await page.click('#tab-config');
    for (const config of SPELLINGS) {
      await typeInto(page, '#config', config);
      await page.evaluate(() => { document.getElementById('share-link').value = ''; });
      await page.click('#share');
      await page.waitForFunction(() => document.getElementById('share-link').value.includes('#s='));
      const link = await page.inputValue('#share-link');
      for (const text of linkTexts(link)) {
        assert.ok(!text.includes(TOKEN_SECRET) && !text.includes(USER_SECRET), `${config}\n→ ${text}`);
        assert.ok(!text.includes('sup3r') && !text.includes('alice'), `${config}\n→ ${text}`);
      }
      assert.match(await page.textContent('#share-status'), /replaced by "\[redacted\]"/);
      // The link opens to the same config, credentials replaced, and the same sources.
      const again = await open(link, viewport);
      const restored = await again.page.inputValue('#config');
      assert.ok(restored.includes('template = "tags"'), restored);
      assert.ok(restored.includes('"[redacted]"'), restored);
      assert.deepEqual(await sources(again.page), ['x.h1']);
      assert.deepEqual(again.problems, []);
      await again.page.close();
    }
    // Not TOML: the link carries no config at all, and the page says so.
    await typeInto(page, '#config', `[[outputs.librato]]\n  api_token = "${TOKEN_SECRET}\n`);
    await page.click('#share');
    await page.waitForFunction(() => /no config/.test(document.getElementById('share-status').textContent));
    const link = await page.inputValue('#share-link');
    for (const text of linkTexts(link)) assert.ok(!text.includes(TOKEN_SECRET), text);
    assert.equal(JSON.parse(linkTexts(link)[2]).config, undefined);
    const again = await open(link, viewport);
    assert.match(await again.page.textContent('#share-status'), /carries no config/);
    await again.page.screenshot({ path: join(ARTIFACTS, `share-no-config-${viewport.width}.png`), fullPage: true });
    await again.page.close();
    assert.deepEqual(problems, []);
    await page.close();
  });
}

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

test('readable and usable at 390 px wide, by keyboard: Results first, tabs, 16 px editors', async () => {
  const { page, problems } = await open(site.url, PHONE);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `horizontal overflow of ${overflow}px`);
  // The first gauge is on the first screen: no editors to scroll past.
  const firstRow = await page.locator('#gauges tbody tr').first().boundingBox();
  assert.ok(firstRow && firstRow.y + firstRow.height <= PHONE.height, JSON.stringify(firstRow));
  await page.screenshot({ path: join(ARTIFACTS, 'playground-390.png') });
  // Every control has a label.
  const unlabelled = await page.$$eval('textarea, select, input', (els) => els.filter((e) => !document.querySelector(`label[for="${e.id}"]`)).map((e) => e.id));
  assert.deepEqual(unlabelled, []);
  // Tabs show one panel at a time; editor text is at least 16 px (iOS zooms below that).
  await page.click('#tab-metrics');
  assert.ok(await page.isVisible('#metrics') && !(await page.isVisible('#gauges')));
  assert.ok(parseFloat(await page.$eval('#metrics', (t) => getComputedStyle(t).fontSize)) >= 16);
  await page.focus('#metrics');
  await page.keyboard.press('Shift+Tab');
  const before = await page.evaluate(() => document.activeElement.id);
  assert.ok(['format', 'precision'].includes(before), before);
  await page.click('#tab-config');
  assert.ok(parseFloat(await page.$eval('#config', (t) => getComputedStyle(t).fontSize)) >= 16);
  assert.ok(parseFloat(await page.$eval('#config-gutter', (t) => getComputedStyle(t).fontSize)) >= 16);
  await page.screenshot({ path: join(ARTIFACTS, 'playground-390-config.png') });
  assert.deepEqual(problems, []);
  await page.close();
});

for (const viewport of [WIDE, PHONE]) {
  test(`the gauge table never breaks a word or number, scrolls sideways with the name kept (${viewport.width} px)`, async () => {
    const { page, problems } = await open(site.url, viewport);
    await typeInto(page, '#metrics', 'cpu,host=a-very-long-host-name.with.many.parts.example.com,cpu=cpu-total usage_idle=858993459.2,usage_id\\|le=1 1764000000000000000\n');
    // The table is rebuilt as the input changes (one render per animation frame): wait until a
    // frame passes with no new render, then read every cell in one evaluation, so no rebuild can
    // fall between two reads (a detached cell's computed style is empty).
    const table = await page.evaluate(async () => {
      const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      for (let n = document.body.dataset.renders; ; n = document.body.dataset.renders) {
        await frame();
        if (document.body.dataset.renders === n && document.querySelectorAll('#gauges tbody tr').length >= 2) break;
      }
      const cells = [...document.querySelectorAll('#gauges tbody tr > *')].map((c) => {
        const s = getComputedStyle(c);
        return { text: c.textContent, whiteSpace: s.whiteSpace, wordBreak: s.wordBreak };
      });
      const first = getComputedStyle(document.querySelector('#gauges tbody tr > :first-child')).position;
      // Names, values and sources each stay on one line of text.
      const lines = [1, 2, 3].map((nth) => {
        const r = document.createRange();
        r.selectNodeContents(document.querySelector(`#gauges tbody tr > :nth-child(${nth})`).firstChild);
        return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size;
      });
      return { cells, first, lines };
    });
    assert.ok(table.cells.length >= 5);
    for (const c of table.cells) {
      assert.equal(c.whiteSpace, 'nowrap', c.text);
      assert.notEqual(c.wordBreak, 'break-all', c.text);
    }
    assert.equal(table.first, 'sticky');
    assert.deepEqual(table.lines, [1, 1, 1], 'columns 1-3 each on one line');
    await page.screenshot({ path: join(ARTIFACTS, `gauges-${viewport.width}.png`), fullPage: true });
    assert.deepEqual(problems, []);
    await page.close();
  });

  test(`keyboard: a skip link per section, gauge rows are not tab stops (${viewport.width} px)`, async () => {
    const { page, problems } = await open(site.url, viewport);
    const skips = await page.$$eval('.skip a', (as) => as.map((a) => a.textContent));
    assert.deepEqual(skips, ['Gauges', 'Skipped', 'Requests', 'Send']);
    const rowStops = await page.$$eval('#gauges tbody *', (els) => els.filter((e) => e.tabIndex >= 0).length);
    assert.equal(rowStops, 0);
    await page.focus('.skip a[href="#sec-send"]');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.closest('details')?.id), 'sec-send');
    assert.equal(await page.$eval('#sec-send', (d) => d.open), true);
    await page.focus('.skip a[href="#sec-requests"]');
    await page.keyboard.press('Enter');
    assert.equal(await page.$eval('#sec-requests', (d) => d.open), true);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test(`requests show the exact body bytes, headers one per line, the size in bytes (${viewport.width} px)`, async () => {
    const { page, problems } = await open(site.url, viewport);
    await typeInto(page, '#metrics', 'cpu,host=é usage=0.1,n=3i 1764000000000000000\n');
    await page.click('.skip a[href="#sec-requests"]');
    const body = await page.textContent('#requests pre.body');
    assert.equal(body, '{"gauges":[{"name":"cpu.usage","value":0.1,"source":"-","measure_time":1764000000},{"name":"cpu.n","value":3,"source":"-","measure_time":1764000000}]}');
    assert.match(await page.textContent('#requests .note'), new RegExp(`^2 gauges, ${Buffer.byteLength(body)} bytes`));
    const headers = (await page.textContent('#requests pre.headers')).split('\n');
    assert.equal(headers[0], 'Content-Type: application/json');
    assert.match(headers[1], /^Authorization: Basic •+/);
    await page.click('#requests details.pretty summary');
    assert.deepEqual(JSON.parse(await page.textContent('#requests details.pretty pre')), JSON.parse(body));
    await page.screenshot({ path: join(ARTIFACTS, `requests-${viewport.width}.png`), fullPage: true });
    assert.deepEqual(problems, []);
    await page.close();
  });

  test(`a whole telegraf.conf opens from the file picker and by drag-and-drop (${viewport.width} px)`, async () => {
    const { page, problems } = await open(site.url, viewport);
    const conf = '[agent]\n  interval = "10s"\n[[inputs.cpu]]\n[[outputs.librato]]\n  template = "host.tags"\n';
    await page.setInputFiles('#open-config', { name: 'telegraf.conf', mimeType: 'text/plain', buffer: Buffer.from(conf) });
    await page.waitForFunction(() => document.getElementById('config').value.includes('[agent]'));
    assert.match(await page.textContent('#config-status'), /template "host.tags"/);
    const dropped = conf.replace('host.tags', 'tags');
    const dt = await page.evaluateHandle((text) => {
      const d = new DataTransfer();
      d.items.add(new File([text], 'telegraf.conf', { type: 'text/plain' }));
      return d;
    }, dropped);
    await page.dispatchEvent('#config-editor', 'drop', { dataTransfer: dt });
    await page.waitForFunction(() => document.getElementById('config').value.includes('template = "tags"'));
    assert.match(await page.textContent('#config-status'), /template "tags"/);
    await page.screenshot({ path: join(ARTIFACTS, `open-file-${viewport.width}.png`) });
    assert.deepEqual(problems, []);
    await page.close();
  });

  test(`the report box appears only with a report; a blocked request (CORS) says why, with curl (${viewport.width} px)`, async () => {
    // An API that answers without CORS headers: the browser blocks the response.
    const strict = http.createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200); res.end('{}'); }); });
    await new Promise((r) => strict.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${strict.address().port}/v1/metrics`;
    const { page } = await open(site.url, viewport);
    await page.click('.skip a[href="#sec-send"]');
    assert.equal(await page.isVisible('#report'), false, 'no empty report box');
    await page.fill('#send-url', url);
    await page.fill('#send-user', USER);
    await page.fill('#send-token', TOKEN);
    await page.click('#send');
    await page.waitForFunction(() => /^ok: /.test(document.getElementById('report').textContent), null, { timeout: 30_000 });
    assert.match(await page.textContent('#report'), /ok: false/);
    assert.equal(await page.isVisible('#cors-help'), true);
    const help = await page.textContent('#cors-help');
    assert.match(help, /must allow this page's origin/);
    assert.ok(help.includes(`curl -X POST '${url}' -u "$LIBRATO_USER:$LIBRATO_TOKEN"`), help);
    assert.ok(!help.includes(TOKEN), 'no credential in the hint');
    await page.screenshot({ path: join(ARTIFACTS, `send-cors-${viewport.width}.png`), fullPage: true });
    await page.close();
    await new Promise((r) => strict.close(r));
  });
}

/** WCAG contrast of every element's own text (gutter numbers included) on its background. */
async function lowContrast(page) {
  return page.evaluate(() => {
    const rgb = (c) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (e) => {
      for (let n = e; n; n = n.parentElement) {
        const c = rgb(getComputedStyle(n).backgroundColor);
        if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c;
      }
      return rgb(getComputedStyle(document.documentElement).backgroundColor);
    };
    const out = [];
    for (const e of document.querySelectorAll('body *')) {
      const own = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!own || !e.getClientRects().length || getComputedStyle(e).visibility === 'hidden') continue;
      const [a, b] = [lum(rgb(getComputedStyle(e).color)), lum(background(e))];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < 4.5) out.push(`${e.tagName}.${e.className}#${e.id} "${e.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
    }
    return out;
  });
}

for (const scheme of ['light', 'dark']) {
  test(`${scheme} scheme: every text at 4.5:1 or more, gutter numbers included`, async () => {
    const { page, problems } = await open(site.url, WIDE, scheme);
    await typeInto(page, '#config', (await page.inputValue('#config')) + '  namedrop = ["disk"]\n  source_tag = "host"\n');
    await typeInto(page, '#metrics', (await page.inputValue('#metrics')) + 'bad line\n');
    await page.click('.skip a[href="#sec-requests"]');
    const bg = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    assert.equal(bg === 'rgb(21, 23, 27)', scheme === 'dark', bg);
    assert.ok(await page.$eval('#metrics-gutter .bad', (e) => e.textContent));
    assert.deepEqual(await lowContrast(page), []);
    await page.screenshot({ path: join(ARTIFACTS, `playground-1280-${scheme}.png`), fullPage: true });
    const phone = await open(site.url, PHONE, scheme);
    assert.deepEqual(await lowContrast(phone.page), []);
    await phone.page.click('#tab-config');
    assert.deepEqual(await lowContrast(phone.page), []);
    await phone.page.screenshot({ path: join(ARTIFACTS, `playground-390-${scheme}.png`) });
    assert.deepEqual([...problems, ...phone.problems], []);
    await phone.page.close();
    await page.close();
  });
}
