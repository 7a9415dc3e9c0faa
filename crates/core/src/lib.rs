//! The hot path of librato-wasm, as its own crate so that it can be optimised for speed while
//! everything else is optimised for size: line protocol ([`line_protocol`]) or Telegraf JSON
//! ([`json`]) → metrics
//! ([`metric`]) → Telegraf sources ([`template`]) → Librato gauges written straight into
//! request bodies ([`librato`]), with numbers in Go's text ([`number`]). No JS, no I/O.
//!
//! ```
//! use librato_core::librato::GaugeWriter;
//! use librato_core::line_protocol;
//! use librato_core::metric::{ParseOptions, Precision};
//! use librato_core::template::Template;
//!
//! let text = "cpu,host=web.1,cpu=cpu0 usage_idle=97.5,usage_user=2i 1700000000000000000\n";
//! let mut writer = GaugeWriter::new(Template::new("host.tags"), 300);
//! for metric in line_protocol::parse(text, ParseOptions::new(Precision::Ns, 0)) {
//!     writer.push(&metric.unwrap());
//! }
//! let (bodies, gauges, _skipped) = writer.finish();
//! assert_eq!(gauges, 2);
//! assert!(bodies.body(0).contains(r#""name":"cpu.usage_user","value":2,"source":"web_1.cpu0""#));
//! ```

#![forbid(unsafe_code)]
// Slicing a str with `&s[a..b]` brings its panic's formatting into every .wasm (~4 KB
// gzipped): `find::piece` instead (tests may slice).
#![cfg_attr(not(test), deny(clippy::string_slice))]
#![warn(missing_docs)]

pub mod find;
pub mod hash;
pub mod json;
pub mod librato;
pub mod line_protocol;
pub mod metric;
pub mod number;
pub mod sort;
pub mod template;
#[cfg(test)]
mod testing;
