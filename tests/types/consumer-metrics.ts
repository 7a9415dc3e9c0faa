// A consumer of `librato-wasm/metrics` (LibratoMetrics alone), checked by tsc --strict against
// pkg/metrics/index.d.ts as a user's editor resolves the subpath export.
import { LibratoMetrics, type MetricsOptions, type WriteReport, type LibratoError } from 'librato-wasm/metrics';

const options: MetricsOptions = { period: 10, percentiles: [90, 99], maxSamples: 5000, tags: { svc: 'a' }, now: Date.now };
const metrics = new LibratoMetrics({ api: 'measurements', api_token: 't', api_url: 'http://127.0.0.1:8071/v1/measurements' }, options);
metrics.increment('hits', 1, { tags: { route: '/' } });
metrics.measure('size', 3);
metrics.timing('latency', 12.5, { source: 'web-1' });
const answer: number = metrics.time('work', () => 42);
async function flushAll(): Promise<number> {
  const r: WriteReport = await metrics.flush({ all: true });
  metrics.start();
  return r.sent + (await metrics.stop()).sent + (await metrics.resend(r.failed)).sent;
}
// @ts-expect-error: a TOML string needs the main entry, 'librato-wasm'
new LibratoMetrics('[[outputs.librato]]');
try {
  new LibratoMetrics({ api_token: 't' });
} catch (e) {
  void [(e as LibratoError).code === 'invalid_config', (e as LibratoError).key];
}
void [answer, flushAll];
