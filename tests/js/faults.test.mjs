// Nothing lost under faults: a long run against the local Librato API failing ~30% of responses
// in every way it can (429 with and without Retry-After, 500, 502, 503, responses slower than
// the timeout, dropped connections, garbage bodies), directly and through the worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { LibratoOutput, render } from '../../pkg/node.js';
import { startLibratoApi } from '../../dev/librato-api.mjs';
import { startWorker } from './worker-harness.mjs';

const USER = 'faults@example.com';
const TOKEN = 'faults-token-5e1';
const FAULTS = {
  rate: 0.3,
  seed: 20261125, // the same faults every run, so a lucky run cannot skip the retries
  kinds: [
    { status: 429, retryAfter: 1 }, { status: 429 }, { status: 500 }, { status: 502 }, { status: 503 },
    { delayMs: 600 }, { drop: true }, { status: 200, body: 'garbage <html>' },
  ],
};
let api;

before(async () => { api = await startLibratoApi({ port: 0, user: USER, token: TOKEN }); });
after(async () => { await api.close(); });

/** Distinct lines of 5 fields each: `n` lines make 5n gauges, all with different keys. */
function lines(n, offset = 0) {
  const out = [];
  for (let i = offset; i < offset + n; i++) {
    out.push(`m${i % 11},host=h${i % 97},dc=d${i % 3} a=${i},b=${i}.5,c=${i}i,d=true,e=${i % 7} ${1_764_000_000 + i}000000000`);
  }
  return out.join('\n') + '\n';
}

const key = (g) => `${g.name}|${g.source}|${g.measure_time}`;
const keysOf = (bodies) => bodies.flatMap((b) => JSON.parse(b).gauges.map(key));

test('50,000 gauges with 30% faults: every gauge is received or in failed; resend delivers the rest', async () => {
  api.clear();
  api.setFaults({ random: FAULTS });
  const input = lines(10_000);
  const plan = render(input);
  assert.equal(plan.gauges, 50_000);
  const out = new LibratoOutput(
    { api_user: USER, api_token: TOKEN, api_url: api.url, timeout: '300ms', retries: 2, retry_backoff: '20ms', retry_max_wait: '1s', concurrency: 8 },
    {},
  );
  const report = await out.write(input);
  api.setFaults({ random: null });

  const all = new Set(keysOf(plan.requests.map((r) => r.body)));
  const received = new Set(api.received().gauges.map(key));
  const failed = new Set(keysOf(report.failed.map((f) => f.body)));
  assert.equal(report.sent + report.failed.reduce((n, f) => n + f.count, 0), 50_000, 'the report accounts for every gauge');
  const lost = [...all].filter((k) => !received.has(k) && !failed.has(k));
  assert.deepEqual(lost, [], 'no gauge is neither received nor in failed');
  assert.ok(report.attempts > report.requests, `faults were hit: ${report.attempts} attempts for ${report.requests} requests`);
  for (const f of report.failed) assert.equal(f.retryable, true, f.message);

  const again = await out.resend(report.failed);
  assert.equal(again.ok, true);
  const finally_ = new Set(api.received().gauges.map(key));
  assert.equal([...all].filter((k) => !finally_.has(k)).length, 0, 'after resend the API holds every gauge');
});

test('through the worker: the client retries on 503 until everything is in', async () => {
  api.clear();
  const worker = await startWorker({
    WRITE_TOKEN: 'w',
    LIBRATO_CONFIG: `[[outputs.librato]]\n  api_user = "${USER}"\n  api_token = "${TOKEN}"\n  api_url = "${api.url}"\n  timeout = "300ms"\n  retries = 1\n  retry_backoff = "10ms"\n  retry_max_wait = "1s"\n`,
    RETRY_AFTER_SECONDS: '1',
  }, { quiet: true });
  try {
    api.setFaults({ random: FAULTS });
    const writes = Array.from({ length: 10 }, (_, w) => lines(200, w * 200)); // 10 writes × 1,000 gauges
    let retried = 0;
    for (const body of writes) {
      for (let attempt = 1; ; attempt++) {
        const r = await fetch(`${worker.url}/api/v2/write?bucket=b`, { method: 'POST', headers: { Authorization: 'Token w' }, body });
        await r.arrayBuffer();
        if (r.status === 204) break;
        assert.equal(r.status, 503, 'only ever 204 or 503');
        assert.ok(r.headers.get('retry-after'));
        assert.ok(attempt < 30, 'converges');
        retried++;
      }
    }
    api.setFaults({ random: null });
    const all = new Set(writes.flatMap((b) => keysOf(render(b).requests.map((r) => r.body))));
    const received = new Set(api.received().gauges.map(key));
    assert.equal(all.size, 10_000);
    assert.equal([...all].filter((k) => !received.has(k)).length, 0, 'the API holds every gauge');
    assert.ok(retried > 0, 'the faults made the client retry');
  } finally {
    api.setFaults({ random: null });
    await worker.close();
  }
});
