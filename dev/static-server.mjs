#!/usr/bin/env node
// Serves the playground (www/) and the package's browser files (pkg/ → /pkg/) on 127.0.0.1,
// with a strict Content-Security-Policy. /config.json tells the page where the local API is.
//
//   node dev/static-server.mjs --port 8080 --api http://127.0.0.1:8071/v1/metrics
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize, extname, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.toml': 'text/plain; charset=utf-8',
  '.conf': 'text/plain; charset=utf-8',
};

/** The page's policy: nothing from elsewhere; wasm compiled from our own file only. */
export const CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' http: https:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// Only these folders are served; everything else in the repo stays private.
const MOUNTS = [
  ['/pkg/', ['pkg'], ['browser.js', 'src/api.js', 'src/guard.js', 'src/metrics.js', 'src/send.js', 'dist/librato_wasm.js', 'dist/librato_wasm_bg.wasm',
    'metrics/browser.js', 'dist/metrics/librato_wasm.js', 'dist/metrics/librato_wasm_bg.wasm']],
  ['/', ['www'], null],
];

/** `mounts` ([prefix, folder parts under root, allowed files or null]) replaces the default ones. */
export async function startStaticServer({ root, port = 8080, host = '127.0.0.1', apiUrl = null, mounts = MOUNTS }) {
  const server = http.createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const headers = {
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    };
    if (path === '/config.json') {
      res.writeHead(200, { ...headers, 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ apiUrl }));
    }
    for (const [prefix, dir, allow] of mounts) {
      if (!path.startsWith(prefix)) continue;
      let rel = path.slice(prefix.length) || 'index.html';
      if (rel.endsWith('/')) rel += 'index.html';
      rel = normalize(rel);
      if (rel.startsWith('..') || (allow && !allow.includes(rel))) break;
      try {
        const body = await readFile(join(root, ...dir, rel));
        res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(rel)] ?? 'application/octet-stream' });
        return res.end(body);
      } catch {
        break;
      }
    }
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' });
    res.end('not found');
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const url = `http://${host}:${server.address().port}/`;
  return { url, stop: () => new Promise((r) => server.close(() => r())), close: () => new Promise((r) => server.close(() => r())) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = Object.fromEntries(process.argv.slice(2).join(' ').split('--').filter(Boolean).map((a) => a.trim().split(/\s+/)));
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const s = await startStaticServer({ root, port: Number(args.port ?? 8080), apiUrl: args.api ?? null });
  console.log(`Playground on ${s.url}`);
}
