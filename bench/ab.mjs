#!/usr/bin/env node
// A/B of two builds of the package on this noisy machine: renders the bench input with each,
// alternating, and prints min / 25th percentile / median of each. Only alternating runs were
// trusted for deciding whether a change helped (the same build varies by a third between runs).
// Usage: [AB_FN=render|parse] [AB_FORMAT=json] node --expose-gc bench/ab.mjs <pkg dir A> <pkg dir B> [input file] [rounds]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [a, b, file = 'bench/out/bench-100000.lp', roundsArg = '12'] = process.argv.slice(2);
if (!a || !b) throw new Error('usage: node --expose-gc bench/ab.mjs <pkg A> <pkg B> [input] [rounds]');
const text = readFileSync(file, 'utf8');
const FN = process.env.AB_FN ?? 'render';
// Telegraf JSON: the input file is JSON (bench/out/bench.json, written by make bench).
const json = process.env.AB_FORMAT === 'json';
const load = (dir) => import(pathToFileURL(resolve(dir, 'node.js')).href);
const [A, B] = [await load(a), await load(b)];
const times = { A: [], B: [] };
for (let i = 0; i < Number(roundsArg); i++) {
  for (const [name, pkg] of [['A', A], ['B', B]]) {
    globalThis.gc?.();
    const t = performance.now();
    if (!json) pkg[FN](text);
    else if (FN === 'render') pkg.render(text, undefined, { format: 'json' });
    else pkg.parse(text, { format: 'json' });
    times[name].push(performance.now() - t);
  }
}
for (const [name, xs] of Object.entries(times)) {
  const s = xs.slice(2).sort((x, y) => x - y); // the first two rounds warm up
  const at = (q) => s[Math.floor(q * (s.length - 1))].toFixed(1);
  console.log(`${name} (${name === 'A' ? a : b}): min ${at(0)} ms, p25 ${at(0.25)} ms, median ${at(0.5)} ms`);
}
