// Types of `librato-wasm/metrics`: LibratoMetrics alone. Its config is an object of
// `[[outputs.librato]]` keys (TOML text needs the main entry, `librato-wasm`); everything
// else is the main entry's LibratoMetrics, whose types these are.
import type {
  FailedRequest,
  LibratoApi,
  LibratoConfig,
  LibratoError,
  LogLevel,
  MetricsMethods,
  MetricsOptions,
  RateLimit,
  SampleOptions,
  Skipped,
  SkipReason,
  WriteReport,
} from '../index.js';

export type {
  FailedRequest,
  LibratoApi,
  LibratoConfig,
  LibratoError,
  LogLevel,
  MetricsMethods,
  MetricsOptions,
  RateLimit,
  SampleOptions,
  Skipped,
  SkipReason,
  WriteReport,
};

/**
 * Counters, gauges and timings from code, aggregated per period: one summary per series and
 * period is sent, as gauges (`api: "metrics"`) or tagged measurements; the same bodies as the
 * main entry's `LibratoMetrics` for the same calls. In Workers, call
 * `ctx.waitUntil(metrics.flush())` at the end of a request.
 */
export interface LibratoMetrics extends MetricsMethods {}
export class LibratoMetrics {
  /** `config`: an object of `[[outputs.librato]]` keys (a TOML string throws `invalid_config`:
   * import from `librato-wasm` for TOML). Filter keys (`namepass`...) are refused. */
  constructor(config: Partial<LibratoConfig>, options?: MetricsOptions);
}
