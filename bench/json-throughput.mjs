// render of Telegraf JSON (one metric per line, as Telegraf's json serializer writes it),
// made from the same line-protocol input through parse(). Writes it next to the input as
// bench.json (for `AB_FORMAT=json bench/ab.mjs`). Prints JSON.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, render } from '../pkg/node.js';

const [file, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);

/** The input as Telegraf JSON; the parsed metrics are garbage once it returns (100,000 live
 * objects would otherwise be traced by every collection during the timed renders). */
function telegrafJson(path) {
  const { metrics } = parse(readFileSync(path, 'utf8'));
  return metrics.map((m) => JSON.stringify({
    fields: Object.fromEntries(Object.entries(m.fields).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
    name: m.name,
    tags: m.tags,
    timestamp: Number(m.time / 1_000_000_000n),
  })).join('\n');
}

const json = telegrafJson(file);
writeFileSync(join(dirname(file), 'bench.json'), json);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = [];
let gauges = 0;
for (let i = 0; i <= runs; i++) {
  globalThis.gc?.();
  const t = performance.now();
  gauges = render(json, undefined, { format: 'json' }).gauges;
  if (i > 0) ms.push(performance.now() - t);
}
console.log(JSON.stringify({ render_ms: median(ms), bytes: json.length, gauges }));
