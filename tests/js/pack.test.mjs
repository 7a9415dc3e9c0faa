// Packs the package (npm pack), installs the tarball into a temporary project and uses it
// from Node 20 ESM exactly as a user would: `import ... from 'librato-wasm'` and
// `import { LibratoMetrics } from 'librato-wasm/metrics'`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ROOT } from './helpers.mjs';

test('npm pack → npm install → import from Node ESM', () => {
  const dir = mkdtempSync(join(tmpdir(), 'librato-wasm-pack-'));
  try {
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: join(ROOT, 'pkg'), encoding: 'utf8' });
    const [info] = JSON.parse(out);
    const files = info.files.map((f) => f.path).sort();
    assert.deepEqual(files, [
      'LICENSE', 'README.md', 'bin/common.mjs', 'bin/execd.mjs', 'bin/lean.mjs', 'bin/librato-wasm.mjs', 'bin/message.mjs', 'bin/pending.mjs', 'bin/sender.mjs', 'bin/spool.mjs', 'bin/statsd.mjs', 'bin/wasm.mjs',
      'browser.js', 'dist/cli/librato_wasm.js', 'dist/cli/librato_wasm_bg.wasm', 'dist/librato_wasm.js', 'dist/librato_wasm_bg.wasm',
      'dist/metrics-node.js', 'dist/metrics/librato_wasm.js', 'dist/metrics/librato_wasm_bg.wasm',
      'index.d.ts', 'metrics/browser.js', 'metrics/index.d.ts', 'metrics/workerd.js',
      'node.js', 'package.json', 'src/api.js', 'src/guard.js', 'src/metrics.js', 'src/send.js', 'workerd.js',
    ]);
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    const app = join(dir, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', join(dir, tarball)], { cwd: app, encoding: 'utf8' });
    writeFileSync(join(app, 'main.mjs'), `
      import { parse, loadConfig, render, LibratoOutput } from 'librato-wasm';
      import pkg from 'librato-wasm/package.json' with { type: 'json' };
      const [config] = loadConfig('[[outputs.librato]]\\n  api_user = "u"\\n  api_token = "t"\\n  template = "host"\\n');
      const plan = render('cpu,host=web.1 usage=1.5 1700000000000000000\\n', config);
      console.log(JSON.stringify({
        name: pkg.name,
        metrics: parse('a v=1 1').metrics.length,
        body: plan.requests[0].body,
        output: typeof LibratoOutput,
      }));
    `);
    const result = JSON.parse(execFileSync('node', ['main.mjs'], { cwd: app, encoding: 'utf8' }));
    // The subpath export: LibratoMetrics alone, from its own .wasm.
    writeFileSync(join(app, 'metrics.mjs'), `
      import * as entry from 'librato-wasm/metrics';
      let now = 1700000040000;
      const bodies = [];
      globalThis.fetch = async (url, init) => { bodies.push(new TextDecoder().decode(init.body)); return new Response(null, { status: 200 }); };
      const m = new entry.LibratoMetrics({ api_user: 'u', api_token: 't', api_url: 'http://127.0.0.1:9/v1/metrics' }, { now: () => now });
      m.increment('hits', 2);
      now += 60000;
      const r = await m.flush();
      console.log(JSON.stringify({ exports: Object.keys(entry), ok: r.ok, bodies }));
    `);
    assert.deepEqual(JSON.parse(execFileSync('node', ['metrics.mjs'], { cwd: app, encoding: 'utf8' })), {
      exports: ['LibratoMetrics'],
      ok: true,
      bodies: ['{"gauges":[{"name":"hits","value":2,"measure_time":1700000040,"period":60}]}'],
    });
    // ESM only, and require() works where Node requires ES modules (Node >= 20.19).
    // Both entries: neither may use a top-level await (require() refuses such a module).
    writeFileSync(join(app, 'main.cjs'), `
      const { render } = require('librato-wasm');
      const { LibratoMetrics } = require('librato-wasm/metrics');
      console.log(render('m,host=h v=1 1700000000000000000').gauges, typeof LibratoMetrics);
    `);
    assert.equal(execFileSync('node', ['main.cjs'], { cwd: app, encoding: 'utf8' }).trim().split('\n').pop(), '1 function');
    // The package's bin, as npm links it.
    const bin = execFileSync(join(app, 'node_modules', '.bin', 'librato-wasm'), ['render', '-'], { input: 'm,host=h v=1 1700000000000000000\n', encoding: 'utf8' });
    assert.match(bin, /"source":"h"/);
    assert.deepEqual(result, {
      name: 'librato-wasm',
      metrics: 1,
      body: '{"gauges":[{"name":"cpu.usage","value":1.5,"source":"web_1","measure_time":1700000000}]}',
      output: 'function',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
