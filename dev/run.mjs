#!/usr/bin/env node
// `make run`: the whole system on local defaults.
//  1. starts the strict local Librato API on 127.0.0.1 (LIBRATO_API_PORT, default 8071);
//  2. renders the bundled Telegraf sample (dev/sample.lp) and prints the requests;
//  3. sends it through LibratoOutput and prints the report and what the API received, as
//     Telegraf's gauges (/v1/metrics) and as tagged measurements (/v1/measurements);
//  4. starts the edge worker (wrangler dev, WORKER_PORT, default 8787) and the playground
//     (PLAYGROUND_PORT, default 8080) when they exist, and keeps everything up until Ctrl-C.
import { readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLibratoApi } from './librato-api.mjs';
import { render, LibratoOutput } from '../pkg/node.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const USER = process.env.LIBRATO_API_USER ?? 'demo@example.com';
const TOKEN = process.env.LIBRATO_API_TOKEN ?? 'demo-token';
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

const api = await startLibratoApi({
  port: Number(process.env.LIBRATO_API_PORT ?? 8071),
  user: USER,
  token: TOKEN,
});
console.log(`${bold('Local Librato API')}  ${api.url}  (user ${USER}, token from LIBRATO_API_TOKEN or the demo default)`);

// The sample's times are shifted to now, as if Telegraf had just collected it.
const sample = readFileSync(join(ROOT, 'dev', 'sample.lp'), 'utf8');
const first = BigInt(sample.match(/ (\d{19})$/m)[1]);
const shift = BigInt(Date.now()) * 1_000_000n - first;
const input = sample.replace(/ (\d{19})$/gm, (_, t) => ` ${BigInt(t) + shift}`);

const config = { api_url: api.url, api_user: USER, api_token: TOKEN, template: 'host' };
const plan = render(input, config);
console.log(`\n${bold('Plan')} for dev/sample.lp (${input.split('\n').length - 1} lines of Telegraf line protocol):`);
plan.requests.forEach((r, i) => {
  console.log(`  request ${i + 1}: POST ${r.url}  ${r.count} gauges, ${r.body.length} bytes`);
});
console.log(`  first gauge: ${JSON.stringify(JSON.parse(plan.requests[0].body).gauges[0])}`);
const reasons = {};
for (const s of plan.skipped) reasons[s.reason] = (reasons[s.reason] ?? 0) + 1;
console.log(`  ${plan.gauges} gauges; skipped: ${JSON.stringify(reasons)}; errors: ${plan.errors.length}`);

const out = new LibratoOutput(config, {
  log: (level, message) => { if (level !== 'debug') console.log(`  [${level}] ${message}`); },
});
const report = await out.write(input);
console.log(`\n${bold('WriteReport')}: ok=${report.ok} sent=${report.sent} requests=${report.requests} attempts=${report.attempts} failed=${report.failed.length}`);
console.log(`  rate limit: ${JSON.stringify(report.rateLimit)}`);
const received = api.received();
console.log(`${bold('The API received')} ${received.gauges.length} gauges in ${received.requests.length} requests, e.g.:`);
for (const g of received.gauges.slice(0, 3)) console.log(`  ${JSON.stringify(g)}`);

// The same sample as tagged measurements (api = "measurements"): every tag kept.
const taggedConfig = { api: 'measurements', api_url: api.measurementsUrl, api_user: USER, api_token: TOKEN };
const taggedPlan = render(input, taggedConfig);
console.log(`\n${bold('Tagged')} (api = "measurements"): ${taggedPlan.gauges} measurements in ${taggedPlan.requests.length} request(s) to ${api.measurementsUrl}`);
console.log(`  first measurement: ${JSON.stringify(JSON.parse(taggedPlan.requests[0].body).measurements[0])}`);
const tagged = await new LibratoOutput(taggedConfig, {}).write(input);
console.log(`${bold('WriteReport')}: ok=${tagged.ok} sent=${tagged.sent} requests=${tagged.requests} failed=${tagged.failed.length}`);
const series = api.received().measurements;
console.log(`${bold('The API stored')} ${series.length} measurements (names and tags lower-cased), e.g.:`);
for (const m of series.slice(0, 2)) console.log(`  ${m.series}`);

const children = [];
const extras = join(ROOT, 'dev', 'run-extras.mjs');
if (existsSync(extras)) {
  const { startExtras } = await import(extras);
  children.push(...(await startExtras({ api, user: USER, token: TOKEN, root: ROOT })));
}

console.log(`\nUp until Ctrl-C. Try:  curl -s ${api.base}/__received | head -c 300`);
const stop = async () => {
  for (const c of children) await c.stop();
  await api.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
