// Types for librato-wasm. The names and shapes are the package's public contract.

export interface ParseOptions {
  /** Input format; default 'influx' (line protocol). */
  format?: 'influx' | 'json';
  /** Timestamp precision of the input; default 'ns' for line protocol, 's' for JSON. */
  precision?: 'ns' | 'us' | 'ms' | 's';
  /** Nanoseconds given to lines without a timestamp; default: now. */
  defaultTime?: bigint;
  /** Refuse text longer than this (characters) with code 'input_too_large'; default 128 MiB. */
  maxInputBytes?: number;
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
  api_user: string;
  api_token: string;
  /** Default https://metrics-api.librato.com/v1/metrics (retired: set your own). */
  api_url: string;
  /** Graphite-style source template; default "host". */
  template: string;
  /** Deprecated: migrated to `template` with a warning. */
  source_tag?: string;
  /** Duration string ("5s", "1m30s") or a number of seconds; default "5s". */
  timeout: string | number;
  debug: boolean;
  /** Gauges per request, 1–300; default 300. */
  batch_size: number;
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
  /** Deprecated spellings of fieldinclude / fieldexclude (warned). */
  fieldpass?: string[];
  fielddrop?: string[];
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
  body: string;
  /** Gauges in the body. */
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
  | 'filtered';

export interface Skipped {
  line?: number;
  metric: string;
  field?: string;
  reason: SkipReason;
  message: string;
  /** For 'filtered' and 'string_value': how many metrics (or fields) this entry stands for. */
  count?: number;
}

export interface Plan {
  requests: LibratoRequest[];
  gauges: number;
  skipped: Skipped[];
  errors: LineError[];
  warnings: string[];
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
}

export interface RateLimit {
  std?: Record<string, number>;
  agg?: Record<string, number>;
}

export interface WriteReport {
  /** True when every rendered gauge was acknowledged. */
  ok: boolean;
  /** Gauges acknowledged by a 200. */
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

export function parse(text: string, options?: ParseOptions): { metrics: Metric[]; errors: LineError[] };

export function loadConfig(toml: string, options?: LoadConfigOptions): LibratoConfig[];

export function render(
  input: string | Metric[],
  config?: Partial<LibratoConfig> | string,
  options?: ParseOptions & LoadConfigOptions,
): Plan;

export class LibratoOutput {
  constructor(config: Partial<LibratoConfig> | string, options?: OutputOptions);
  /** `maxRequests`: reject (code 'too_many_requests') before sending when more bodies are needed. */
  write(input: string | Metric[], options?: ParseOptions & { maxRequests?: number }): Promise<WriteReport>;
  resend(failed: FailedRequest[]): Promise<WriteReport>;
}
