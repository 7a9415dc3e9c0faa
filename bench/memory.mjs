// Peak RSS while rendering the input file, against Node with the input loaded. WARM_BYTES
// (default: one line) of the input are rendered first: compile and JIT memory is a one-off
// per process, so a warm figure shows what a render itself costs.
import { readFileSync } from 'node:fs';

const text = readFileSync(process.argv[2], 'utf8');
const warmBytes = Number(process.env.WARM_BYTES ?? 1);
const { render } = await import('../pkg/node.js');
const warmEnd = text.indexOf('\n', warmBytes);
render(text.slice(0, warmEnd < 0 ? text.length : warmEnd + 1));
globalThis.gc?.();
const base = process.memoryUsage().rss;
const plan = render(text);
const peak = process.resourceUsage().maxRSS * 1024;
if (!plan.gauges) throw new Error('nothing rendered');
console.log(JSON.stringify({ base_rss: base, peak_rss: peak }));
