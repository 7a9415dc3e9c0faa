// Peak RSS while rendering the input file, against Node with the input loaded.
import { readFileSync } from 'node:fs';

const text = readFileSync(process.argv[2], 'utf8');
const { render } = await import('../pkg/node.js');
render('warm,host=h v=1 1764000000000000000');
globalThis.gc?.();
const base = process.memoryUsage().rss;
const plan = render(text);
const peak = process.resourceUsage().maxRSS * 1024;
if (!plan.gauges) throw new Error('nothing rendered');
console.log(JSON.stringify({ base_rss: base, peak_rss: peak }));
