// A consumer of the whole public API, checked by `tsc --strict` in `make test`: if
// pkg/index.d.ts drifts from what the package accepts and returns, this stops compiling.
import {
  parse,
  loadConfig,
  render,
  redactConfig,
  LibratoOutput,
  LibratoMetrics,
  type Text,
  type Metric,
  type Plan,
  type WriteReport,
  type LibratoError,
  type SourceExplanation,
  type Precision,
  type MeasurementsBody,
  type TagNote,
  type SkipReason,
  type LibratoApi,
} from 'librato-wasm';

const text: Text = 'cpu,host=a usage=1 1700000000000000000';
const bytes: Text = new TextEncoder().encode(text);
const buffer: Text = bytes.buffer as ArrayBuffer;
const precisions: Precision[] = ['ns', 'us', 'ms', 's', 'n', 'u', 'm', 'h'];

const parsed = parse(bytes, { format: 'influx', precision: precisions[3], defaultTime: 1n, maxInputBytes: 1e6 });
const first: Metric | undefined = parsed.metrics[0];
const time: bigint | undefined = first?.time;
const column: number | undefined = parsed.errors[0]?.column;

const configs = loadConfig('[[outputs.librato]]\n  template = "host"', { env: { A: 'b' }, secrets: { 'vault:t': 'x' } });
const warnings: readonly string[] = configs[0]!.warnings;
const template: string = configs[0]!.template ?? 'host';

const plan: Plan = render(buffer, { template: 'host.tags', namepass: ['cpu*'], pass: ['u*'] }, { explain: true, env: {} });
const lines: Uint32Array | undefined = plan.gaugeLines;
const sources: SourceExplanation[] = plan.sources ?? [];
const stepText: string | undefined = sources[0]?.steps[0]?.what;
const body: string | undefined = plan.requests[0]?.body;
render(parsed.metrics, 'template = "host"');
const compact: Plan = render(text, { body_format: 'compact', batch_size: 100 });
const shape: 'telegraf' | 'compact' = configs[0]!.body_format;
// @ts-expect-error: only "telegraf" and "compact" are body formats
render(text, { body_format: 'pretty' });

const tagged: Plan = render(text, { api: 'measurements', batch_size: 1000 }, { explain: true });
const notes: TagNote[] = tagged.tagNotes ?? [];
const noteLine: number | undefined = notes[0]?.line;
const measurementsBody: MeasurementsBody = JSON.parse(tagged.requests[0]?.body ?? '{"measurements":[]}');
const firstTags: Record<string, string> | undefined = measurementsBody.measurements[0]?.tags ?? measurementsBody.tags;
const reasons: SkipReason[] = ['no_tags', 'too_many_tags'];
const api: LibratoApi = configs[0]!.api;
// @ts-expect-error: only "metrics" and "measurements" are APIs
render(text, { api: 'tags' });
new LibratoOutput({ api: 'measurements', api_token: 't', api_url: 'http://127.0.0.1:8071/v1/measurements' });
void [noteLine, firstTags, reasons, api];

const relay = new LibratoOutput({ api_user: 'u@example.com', api_token: 't' });
const packed = relay.pack(bytes, { format: 'influx', maxMessages: 100 });
const firstBatch: string[] | undefined = packed.batches[0];
async function consume(): Promise<number> {
  const d = await relay.deliver(packed.messages.map((body) => ({ body, attempts: 1 })), { maxRequests: 40, retryBaseSeconds: 1 });
  const o = d.outcomes[0];
  return (o?.retryDelaySeconds ?? 0) + (o?.requeue?.delaySeconds ?? 0) + (o?.deadLetter?.length ?? 0) + d.requests;
}
void [firstBatch, packed.tooMany, consume];

const metrics = new LibratoMetrics({ api: 'measurements', api_token: 't' }, { period: 10, prefix: 'app.', tags: { svc: 'a' }, maxSeries: 100, now: Date.now });
metrics.increment('hits');
metrics.measure('size', 3, { tags: { route: '/' } });
metrics.timing('latency', 12.5, { source: 'web-1' });
const answer: number = metrics.time('work', () => 42);
const later: Promise<string> = metrics.time('io', async () => 'done');
async function flushAll(): Promise<number> {
  const r: WriteReport = await metrics.flush({ all: true });
  metrics.start();
  return r.sent + (await metrics.stop()).sent + (await metrics.resend(r.failed)).sent;
}
void [answer, later, flushAll];

const out = new LibratoOutput(
  { api_user: 'u@example.com', api_token: '@{vault:t}', api_url: 'http://127.0.0.1:8071/v1/metrics', timeout: '5s', retries: 2 },
  { secrets: { 'vault:t': 'x' }, fetch: globalThis.fetch, log: (level, message) => void [level.toUpperCase(), message] },
);
async function send(): Promise<number> {
  const report: WriteReport = await out.write(text, { precision: 's', maxRequests: 45 });
  const again: WriteReport = await out.resend(report.failed.filter((f) => f.retryable));
  return report.sent + again.sent + (report.rateLimit?.std?.remaining ?? 0);
}

try {
  loadConfig('bogus = 1');
} catch (e) {
  const err = e as LibratoError;
  const where: [number | undefined, number | undefined, string | undefined] = [err.line, err.column, err.key];
  void [err.code === 'invalid_config', where];
}

const shared: string = redactConfig('api_token = "x"');
void [shared, time, column, warnings, template, lines, stepText, body, send];
