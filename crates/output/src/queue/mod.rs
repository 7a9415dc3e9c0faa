//! The durable relay's rules, for Cloudflare Queues (or any queue with ack and retry): a
//! write's items packed into versioned messages ([`message`], [`pack`]); a consumer batch's
//! messages regrouped into full requests ([`regroup`]), sent with the send loop, and each
//! message's outcome decided ([`outcome`], [`deliver`]). Pure functions of the messages and
//! the send report; the JS only calls the queue's APIs.

pub mod deliver;
pub mod message;
pub mod outcome;
pub mod pack;
pub mod regroup;

#[cfg(test)]
mod tests;
