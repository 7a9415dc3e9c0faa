//! JSON in: a strict reader ([`reader`]) and Telegraf's JSON serializer output read straight
//! into metrics ([`telegraf`]), the second input format beside line protocol.

pub mod reader;
pub mod telegraf;
