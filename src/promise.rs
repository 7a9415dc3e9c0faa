//! Every `Promise` the boundary returns, made in one place.
//!
//! `future_to_promise` is generic over its future: each call site (write, resend, flush,
//! deliver) had its own copy of the executor's glue. Boxed, the futures share one.

use std::future::Future;
use std::pin::Pin;

use js_sys::Promise;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::future_to_promise;

type Boxed = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// A promise of `f`'s result (a rejection with its error).
pub fn spawn(f: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    let f: Boxed = Box::pin(f);
    future_to_promise(f)
}
