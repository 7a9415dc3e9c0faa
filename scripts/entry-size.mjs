#!/usr/bin/env node
// The gzipped size (-9, each file alone, as a server sends them) of an entry's whole module
// graph: the entry, every module it imports (followed from the source, so that a new import
// is counted without editing a list) and the .wasm it loads. Used by the build's summary and
// by `make bench`.
//
//   node scripts/entry-size.mjs pkg/browser.js pkg/metrics/browser.js
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]/g;
const ASSET = /new URL\(\s*['"](\.{1,2}\/[^'"]+\.wasm)['"]\s*,\s*import\.meta\.url\s*\)/g;

/** Every file of the graph from `entry` (a path), with its gzipped size. */
export function entryGraph(entry) {
  const seen = new Map();
  const visit = (file) => {
    if (seen.has(file)) return;
    const bytes = readFileSync(file);
    seen.set(file, gzipSync(bytes, { level: 9 }).length);
    if (!file.endsWith('.js')) return;
    const text = bytes.toString('utf8');
    for (const re of [IMPORT, ASSET]) {
      for (const m of text.matchAll(re)) visit(resolve(dirname(file), m[1]));
    }
  };
  visit(resolve(entry));
  return [...seen].map(([file, gz]) => ({ file, gz }));
}

export const graphBytes = (entry) => entryGraph(entry).reduce((n, f) => n + f.gz, 0);

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  for (const entry of process.argv.slice(2)) {
    const files = entryGraph(entry);
    const total = files.reduce((n, f) => n + f.gz, 0);
    const parts = files.map((f) => `${relative(process.cwd(), f.file)} ${f.gz}`).join(', ');
    console.log(`[build] ${entry} graph (JS + .wasm, each gzip -9): ${total} bytes (${(total / 1024).toFixed(1)} KB): ${parts}`);
  }
}
