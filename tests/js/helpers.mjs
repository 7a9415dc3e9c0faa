// Shared helpers for the JS tests (not a test file itself: tests are listed explicitly).
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = join(ROOT, 'tests', 'fixtures');

/** Every fixture case: { name, input, config, options, expected }. */
export function loadFixtures() {
  return readdirSync(FIXTURES)
    .filter((d) => statSync(join(FIXTURES, d)).isDirectory())
    .sort()
    .map((name) => {
      const dir = join(FIXTURES, name);
      const read = (f) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : undefined);
      const file = existsSync(join(dir, 'input.lp')) ? 'input.lp' : 'input.json';
      // Inputs are bytes (a fixture may hold invalid UTF-8); `input` is the text when valid.
      const bytes = new Uint8Array(readFileSync(join(dir, file)));
      let input;
      try { input = new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch { input = undefined; }
      const options = read('options.json') ? JSON.parse(read('options.json')) : {};
      if (!read('input.lp') && !options.format) options.format = 'json';
      if (options.defaultTime !== undefined) options.defaultTime = BigInt(options.defaultTime);
      else options.defaultTime = 0n;
      return { name, input, bytes, config: read('config.toml'), options, expected: JSON.parse(read('expected.json')) };
    });
}

/** Flattens a Plan's (or the API's) bodies into [name, value, source, measure_time] rows. */
export function gaugeRows(bodies) {
  const rows = [];
  for (const body of bodies) {
    for (const g of JSON.parse(body).gauges) rows.push([g.name, g.value, g.source, g.measure_time]);
  }
  return rows;
}

/**
 * Flattens tagged bodies into [name, value, time, tags] rows with each measurement's effective
 * time and tags: its own, or else the body's top-level ones (never merged), as the API reads them.
 */
export function measurementRows(bodies) {
  const rows = [];
  for (const body of bodies) {
    const b = JSON.parse(body);
    for (const m of b.measurements) rows.push([m.name, m.value, m.time ?? b.time, m.tags ?? b.tags]);
  }
  return rows;
}

/** n lines of Telegraf-shaped line protocol with `fields` gauges each, distinct per line. */
export function sampleLines(n, { fields = 1, start = 1_700_000_000 } = {}) {
  const lines = [];
  for (let i = 0; i < n; i++) {
    const fs = Array.from({ length: fields }, (_, f) => `f${f}=${i}.${f}`).join(',');
    lines.push(`m${i % 7},host=h${i % 13} ${fs} ${(start + i) * 1e9}`);
  }
  return lines.join('\n') + '\n';
}
