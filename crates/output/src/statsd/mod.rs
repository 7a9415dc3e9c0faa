//! `librato-wasm statsd`: StatsD packets in, what statsd 0.9.0 with statsd-librato-backend
//! 2.0.16 posts out. The grammar is [`parse`] (statsd's `handlePacket`), the naming [`map`]
//! (the backend's `addMeasure`); the interval's state and its flush are
//! [`crate::aggregate::statsd`], with the percentiles `LibratoMetrics` uses.

pub mod map;
pub mod parse;
#[cfg(test)]
mod tests;
