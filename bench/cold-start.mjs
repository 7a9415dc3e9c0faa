// From the start of the package's import to the end of the first render of 10 lines, in a
// fresh process (the process's own start-up is not counted).
const t0 = performance.now();
const { render } = await import('../pkg/node.js');
const lines = Array.from({ length: 10 }, (_, i) => `cpu,host=web-${i} usage_idle=9${i}.5,usage_user=1.${i} 1764000000000000000`).join('\n');
const plan = render(lines);
const ms = performance.now() - t0;
if (plan.gauges !== 20) throw new Error('wrong render');
console.log(JSON.stringify({ ms }));
