// Types for librato-wasm. The names and shapes are the package's public contract.

/**
 * Metrics text: a string, or UTF-8 bytes as a request body arrives (`Uint8Array`, Node's
 * `Buffer`, `ArrayBuffer`). Bytes are read without a UTF-16 round trip; invalid UTF-8 is the
 * error of the line that holds it (column in bytes), every other line is used.
 */
export type Text = string | Uint8Array | ArrayBuffer;

/** InfluxDB v2's precisions, and v1's spellings (`n`, `u`, `m` for minutes, `h`). */
export type Precision = 'ns' | 'us' | 'ms' | 's' | 'n' | 'u' | 'm' | 'h';

export interface ParseOptions {
  /** Input format; default 'influx' (line protocol). */
  format?: 'influx' | 'json';
  /** Timestamp precision of the input; default 'ns' for line protocol, 's' for JSON. */
  precision?: Precision;
  /**
   * Nanoseconds given to lines without a timestamp, truncated to the precision (as InfluxDB
   * does); default: now.
   */
  defaultTime?: bigint;
  /** Refuse input longer than this (characters of a string, or bytes) with code 'input_too_large'; default 128 MiB. */
  maxInputBytes?: number;
}

export interface RenderOptions extends ParseOptions, LoadConfigOptions {
  /**
   * Also return `gaugeLines`, `sources` (how the template built each source) and warnings for
   * template parts that match no tag; with `api: "measurements"`, `tagNotes` instead of `sources`.
   */
  explain?: boolean;
}

export interface Metric {
  name: string;
  tags: Record<string, string>;
  /** Integer (`i`) and unsigned (`u`) fields are bigint. */
  fields: Record<string, number | bigint | boolean | string>;
  /** Nanoseconds since the epoch. */
  time: bigint;
}

export interface LineError {
  /** 1-based line of the input. */
  line: number;
  /** 1-based column (in characters). */
  column: number;
  message: string;
  /** The offending line, cut short. */
  text: string;
}

/** `[[outputs.librato]]` keys, named as in TOML. */
export interface LibratoConfig {
  /**
   * Which API: "metrics" (default; Telegraf's gauges with a source, `POST /v1/metrics`) or
   * "measurements" (the tagged API, `POST /v1/measurements`: each measurement carries its
   * metric's tags; `template` is not used).
   */
  api: LibratoApi;
  /** The account's email; optional with `api: "measurements"` (then the token alone is sent as the Basic user). */
  api_user: string;
  api_token: string;
  /**
   * Default https://metrics-api.librato.com/v1/metrics, or …/v1/measurements with
   * `api: "measurements"` (the hosted service is retired: set your own).
   */
  api_url: string;
  /**
   * Graphite-style source template; default "host". Not used with `api: "measurements"` (a
   * template set there gets a warning, and loadConfig leaves the key out).
   */
  template?: string;
  /** Deprecated: migrated to `template` with a warning. */
  source_tag?: string;
  /** Duration string ("5s", "1m30s") or a number of seconds; default "5s". */
  timeout: string | number;
  debug: boolean;
  /** Gauges per request, 1–300 (measurements: 1–1000); default 300. */
  batch_size: number;
  /**
   * Request body shape; default "telegraf" (every gauge carries source and measure_time).
   * "compact" writes them once at the top of each body and on a gauge only where it differs:
   * Librato stores the same gauges from fewer bytes.
   */
  body_format: 'telegraf' | 'compact';
  /** Retries after the first attempt; default 3. */
  retries: number;
  /** Requests in flight at once; default 4. */
  concurrency: number;
  /** First backoff ceiling (doubles each retry, full jitter); default "500ms". */
  retry_backoff: string | number;
  /** Cap on backoff and on Retry-After; default "30s". */
  retry_max_wait: string | number;
  /** Name of this output instance, for logs. */
  alias: string;
  /** Telegraf's output-level filters (globs as Telegraf matches them) and renames. */
  namepass?: string[];
  namedrop?: string[];
  namepass_separator?: string;
  namedrop_separator?: string;
  tagpass?: Record<string, string[]>;
  tagdrop?: Record<string, string[]>;
  fieldinclude?: string[];
  fieldexclude?: string[];
  /** Deprecated spellings (warned); their globs are added to fieldinclude / fieldexclude, as Telegraf does. */
  fieldpass?: string[];
  fielddrop?: string[];
  pass?: string[];
  drop?: string[];
  taginclude?: string[];
  tagexclude?: string[];
  name_override?: string;
  name_prefix?: string;
  name_suffix?: string;
  /** Accepted with a warning: CEL expressions are not evaluated here. */
  metricpass?: string;
  /** Accepted for Telegraf compatibility, not used (with a warning). */
  flush_interval?: string;
  flush_jitter?: string;
  metric_batch_size?: number;
  metric_buffer_limit?: number;
  log_level?: string;
}

export type LibratoApi = 'metrics' | 'measurements';

export interface LoadConfigOptions {
  /** Resolves `@{store:key}` references (checked here, resolved when sending). */
  secrets?: Record<string, string>;
  /** Values for `${VAR}` substitutions. */
  env?: Record<string, string>;
}

export interface LibratoRequest {
  method: 'POST';
  url: string;
  /** Never carries credentials: Authorization is added only when sending. */
  headers: Record<string, string>;
  /**
   * JSON: `{"gauges":[{name, value, source, measure_time}]}`, or with `api: "measurements"`
   * `{"measurements":[{name, value, time, tags}]}` (see `MeasurementsBody`).
   */
  body: string;
  /** Gauges (or measurements) in the body. */
  count: number;
}

export type SkipReason =
  | 'time_zero'
  | 'no_source'
  | 'string_value'
  | 'non_finite'
  | 'out_of_range'
  | 'empty_name'
  | 'name_too_long'
  | 'source_too_long'
  | 'reserved_source'
  | 'filtered'
  /** `api: "measurements"`: the metric has no tags (the API requires at least one). */
  | 'no_tags'
  /** `api: "measurements"`: more than 50 tags. */
  | 'too_many_tags'
  /** LibratoMetrics: a new series past `maxSeries` in one period. */
  | 'too_many_series'
  /** LibratoMetrics: more than `maxSamples` samples of a series in a period; its percentiles
   * are estimates (within 1% of the value). A note: every sample was counted. */
  | 'percentile_estimated'
  /** LibratoMetrics' stop(): failed requests of timed flushes not kept past 8 MB of bodies
   * (each was in its flush's onReport report); `count` is their measurements. */
  | 'held_dropped';

/** The body of a `api: "measurements"` request, as `JSON.parse(request.body)` gives it. */
export interface MeasurementsBody {
  /** With `body_format: "compact"`: the tags of every measurement that has none of its own. */
  tags?: Record<string, string>;
  /** With `body_format: "compact"`: the time of every measurement that has none of its own. */
  time?: number;
  measurements: Array<{ name: string; value: number; time?: number; tags?: Record<string, string> }>;
}

/** With `explain` and `api: "measurements"`: a tag key or value changed (or a tag left out) to fit the API. */
export interface TagNote {
  line: number;
  message: string;
}

export interface Skipped {
  line?: number;
  metric: string;
  field?: string;
  reason: SkipReason;
  message: string;
  /** For 'filtered' and 'string_value': how many metrics (or fields) this entry stands for. */
  count?: number;
  /** For 'filtered': the config key that removed it (e.g. 'namepass'). */
  option?: string;
}

export interface SourceStep {
  /** The template part (`host`, `tags`, `field`...) or the pass (`join`, `FIELDNAME`, `characters`, `source`). */
  part: string;
  what: string;
}

export interface SourceExplanation {
  /** The input line of the metric. */
  line: number;
  /** The source as sent, or null when the metric is skipped for having none. */
  source: string | null;
  steps: SourceStep[];
}

export interface Plan {
  requests: LibratoRequest[];
  gauges: number;
  skipped: Skipped[];
  errors: LineError[];
  warnings: string[];
  /** With `explain`: the input line of each gauge, in body order. */
  gaugeLines?: Uint32Array;
  /** With `explain`: for each metric that reached the template, how its source was built. */
  sources?: SourceExplanation[];
  /** With `explain` and `api: "measurements"`: where a tag was changed to fit the API. */
  tagNotes?: TagNote[];
}

export interface FailedRequest {
  /** HTTP status, or null for a timeout, network error or a request not sent. */
  status: number | null;
  message: string;
  /** The exact request body, for `resend`. */
  body: string;
  count: number;
  attempts: number;
  retryable: boolean;
  /**
   * What the failure means for the data, decided by the package once for every caller:
   * `refused` (400, 413, 422 or a 2xx naming errors: resending the same body cannot help),
   * `fix` (401/403, a redirect or wrong URL, or not sent after one: fix the setting, keep the
   * data), `retry` (429, 5xx, timeout, network: resend later), `unsent` (not attempted).
   */
  disposition: 'refused' | 'fix' | 'retry' | 'unsent';
}

export interface RateLimit {
  std?: Record<string, number>;
  agg?: Record<string, number>;
}

export interface WriteReport {
  /** True when every rendered gauge was acknowledged. */
  ok: boolean;
  /** Gauges acknowledged by a 2xx. */
  sent: number;
  /** Request bodies in this write. */
  requests: number;
  /** HTTP attempts made, retries included. */
  attempts: number;
  skipped: Skipped[];
  errors: LineError[];
  failed: FailedRequest[];
  /** The last X-Librato-RateLimit-Std/-Agg headers seen, parsed. */
  rateLimit: RateLimit | null;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface OutputOptions {
  /** Default: the runtime's global fetch. */
  fetch?: typeof fetch;
  /** Resolves `@{store:key}` references in api_user / api_token. */
  secrets?: Record<string, string>;
  /** Values for `${VAR}` when the config is TOML text. */
  env?: Record<string, string>;
  log?: (level: LogLevel, message: string) => void;
}

/** Errors thrown or rejected by this package carry a stable code. */
export interface LibratoError extends Error {
  code:
    | 'invalid_config'
    | 'invalid_options'
    | 'invalid_input'
    | 'invalid_metric'
    | 'missing_credentials'
    | 'unresolved_secret'
    | 'too_many_requests'
    | 'input_too_large'
    | 'internal_error';
  line?: number;
  column?: number;
  key?: string;
}

export interface WriteOptions extends ParseOptions {
  /** Reject (code 'too_many_requests') before sending when more request bodies are needed; a non-negative number. */
  maxRequests?: number;
}

export function parse(text: Text, options?: ParseOptions): { metrics: Metric[]; errors: LineError[] };

/** Warnings (deprecated keys, unevaluated options) and `keyLines` (the line of each key, and of each filter option as `Skipped.option` names it) ride along on each config, not enumerable. */
export function loadConfig(
  toml: string,
  options?: LoadConfigOptions,
): Array<LibratoConfig & { readonly warnings: string[]; readonly keyLines: Record<string, number> }>;

/**
 * The config text with the value of every key that resolves to `api_user` / `api_token`
 * (any quoting, dotted keys, inline tables, multi-line strings) replaced by `"[redacted]"`,
 * comments that mention one emptied, and any other occurrence of a credential's value
 * replaced; the rest byte for byte. Throws `invalid_config` when the text is not TOML.
 */
export function redactConfig(toml: string): string;

export function render(
  input: Text | Metric[],
  config?: Partial<LibratoConfig> | string,
  options?: RenderOptions,
): Plan;

export class LibratoOutput {
  constructor(config: Partial<LibratoConfig> | string, options?: OutputOptions);
  write(input: Text | Metric[], options?: WriteOptions): Promise<WriteReport>;
  /** Sends the bodies of `report.failed` again. */
  resend(failed: FailedRequest[]): Promise<WriteReport>;
  /**
   * The durable relay's producer half: renders `input` into versioned queue messages (text, at
   * most 127,000 bytes each), already grouped into `sendBatch` calls (100 messages, 256 KB).
   */
  pack(input: Text | Metric[], options?: PackOptions): PackedWrite;
  /**
   * The durable relay's consumer half: regroups a queue batch's messages into full requests,
   * sends them, and says per message what to do with it.
   */
  deliver(messages: QueuedMessage[], options?: DeliverOptions): Promise<Delivery>;
}

export interface MetricsOptions extends OutputOptions {
  /** Seconds per period (default 60); periods start at multiples of it of `now()`. */
  period?: number;
  /** Prepended to every name (sanitised with it, as gauge names are). */
  prefix?: string;
  /** The default source (`api: "metrics"`; without one a gauge has no source). */
  source?: string;
  /** The default tags (`api: "measurements"`), under each call's own. */
  tags?: Record<string, string>;
  /** New series kept per period (default 10,000); beyond, not kept (memory stays flat) and
   * counted in one `too_many_series` entry per flush with a few example names. */
  maxSeries?: number;
  /**
   * Percentiles sent for each `measure`/`timing` series and period, as statsd-librato-backend
   * names and computes them: `name.90` is the summary (count, sum, min, max, and `stddev_m2`
   * or `sum_squares`) of the lowest `n - round(n * (100 - 90) / 100)` samples. Each in (0, 100);
   * default none.
   */
  percentiles?: number[];
  /** Samples a series keeps exactly per period for its percentiles (default 10,000); past it,
   * an estimate within 1 % of the value and a `percentile_estimated` note in `skipped`. */
  maxSamples?: number;
  /** Milliseconds since the epoch (tests); default Date.now. */
  now?: () => number;
  /** Called with the report of each flush the timer (`start()`) makes; a timed flush that
   * could not start (no credentials) reports `ok: false` with `error`. What timed flushes
   * failed to deliver is also in `stop()`'s report. */
  onReport?: (report: WriteReport & { error?: Error }) => void;
}

export interface SampleOptions {
  /** `api: "metrics"`: this sample's source (else `options.source`). */
  source?: string;
  /** `api: "measurements"`: merged over `options.tags`. */
  tags?: Record<string, string>;
}

/** `LibratoMetrics`' methods (the same in `librato-wasm/metrics`). */
export interface MetricsMethods {
  /** Adds to the period's total (sent as one value; nothing is sent for a period without any). */
  increment(name: string, value?: number, opts?: SampleOptions): void;
  measure(name: string, value: number, opts?: SampleOptions): void;
  timing(name: string, ms: number, opts?: SampleOptions): void;
  /** Measures how long `fn` (or the promise it returns) takes, and returns its result. */
  time<T>(name: string, fn: () => T, opts?: SampleOptions): T;
  /** Sends every period that has ended (`all`: the current one too, early: what is recorded
   * later in that period counts in the next one, so a period is never sent twice). */
  flush(options?: { all?: boolean }): Promise<WriteReport>;
  /** A timer flushes each period as it ends (Node, browsers). */
  start(): void;
  /** Stops the timer and sends everything recorded; the report includes what the timer's
   * flushes could not deliver. */
  stop(): Promise<WriteReport>;
  resend(failed: FailedRequest[]): Promise<WriteReport>;
}

/**
 * Counters, gauges and timings from code, aggregated per period: one summary per series and
 * period is sent, as gauges (`api: "metrics"`) or tagged measurements. In Workers, call
 * `ctx.waitUntil(metrics.flush())` at the end of a request (cheap while no period has ended).
 * `librato-wasm/metrics` has the same class alone, in a far smaller module.
 */
export interface LibratoMetrics extends MetricsMethods {}
export class LibratoMetrics {
  /** `config`: an object of `[[outputs.librato]]` keys, or TOML text. Filter keys
   * (`namepass`...) are refused: every series is named by the caller. */
  constructor(config: Partial<LibratoConfig> | string, options?: MetricsOptions);
}

export interface PackOptions extends RenderOptions {
  /** More messages than this makes `tooMany` true (and rendering stops once that is sure). */
  maxMessages?: number;
  /** Gauges (or measurements) a message holds at most; default: as many as 127,000 bytes take. */
  maxItems?: number;
}

export interface PackedWrite {
  messages: string[];
  /** `messages` cut into as few `sendBatch` calls as Queues' limits allow. */
  batches: string[][];
  gauges: number;
  skipped: Skipped[];
  errors: LineError[];
  warnings: string[];
  tooMany: boolean;
}

/** A queue message as the consumer gets it: `message.body` (text) and `message.attempts`. */
export interface QueuedMessage {
  body: string;
  attempts: number;
}

export interface DeliverOptions {
  /** The most HTTP requests this invocation may make; default 45. */
  maxRequests?: number;
  /** First retry delay, doubled each attempt, with jitter; default 30. */
  retryBaseSeconds?: number;
  /** Cap on any delay (Retry-After included); default 3600, at most 86400. */
  retryMaxSeconds?: number;
  /** Delay after refused credentials or a setting to fix (401/403, a redirect); default 900. */
  fixDelaySeconds?: number;
}

export interface MessageOutcome {
  /** `message.ack()` (after sending `deadLetter` and `requeue`, when given). */
  ack: boolean;
  /** When `ack` is false: `message.retry({ delaySeconds: retryDelaySeconds })`. */
  retryDelaySeconds?: number;
  /** The items not yet stored, to send to the relay's queue before acking. */
  requeue?: { body: string; delaySeconds: number };
  /** The items the API refused for good (its message on the `# ` line), for the dead-letter queue. */
  deadLetter?: string;
  reason?: string;
  ackedItems: number;
  /** The API refused the credentials or a setting: log it as an error. */
  fix: boolean;
  /** Some of its items reached the API (false: it only waited for the request budget). */
  attempted: boolean;
  /** It could not be read (or is for another API): `deadLetter` is the message as it was. */
  unreadable: boolean;
}

export interface Delivery {
  outcomes: MessageOutcome[];
  items: number;
  requests: number;
  attempts: number;
}
