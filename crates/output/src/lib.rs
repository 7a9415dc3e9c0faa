//! librato-wasm without JavaScript: everything between a user's config and the Librato API
//! that is not the hot path.
//!
//! - [`aggregate`]: `LibratoMetrics`' periods, series and summaries;
//! - [`config`]: Telegraf's `[[outputs.librato]]` table read by our own TOML reader, with
//!   `${VAR}` substitution, `@{store:key}` secrets, durations and the filter keys;
//! - [`filter`]: Telegraf's selectors, modifiers and renames, with gobwas-compatible globs;
//! - [`render`]: the one entry from input to request bodies (a [`render::Plan`]);
//! - [`send`]: the send loop, generic over a [`send::Transport`], with the pure retry policy
//!   ([`send::retry`]), API response reading ([`send::api_response`]) and the report;
//! - [`queue`]: the durable relay's messages, regrouping and per-message outcomes;
//! - [`statsd`]: the StatsD grammar and statsd-librato-backend's names.
//!
//! The hot path (line protocol and Telegraf JSON in, metrics, the template, gauges) is
//! `librato_core`.

#![forbid(unsafe_code)]
// Slicing a str with `&s[a..b]` brings its panic's formatting into every .wasm (~4 KB
// gzipped): `librato_core::find::piece` instead (tests may slice).
#![cfg_attr(not(test), deny(clippy::string_slice))]
#![warn(missing_docs)]

pub mod aggregate;
pub mod config;
pub mod filter;
pub mod queue;
pub mod render;
pub mod send;
pub mod statsd;
