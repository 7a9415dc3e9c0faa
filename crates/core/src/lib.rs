//! The hot path of librato-wasm, as its own crate so that it can be optimised for speed while
//! everything else is optimised for size: line protocol → metrics → Telegraf sources →
//! Librato gauges written straight into request bodies. Re-exported by `librato-wasm`.

#![forbid(unsafe_code)]

pub mod find;
pub mod librato;
pub mod line_protocol;
pub mod metric;
pub mod number;
pub mod sort;
pub mod template;
