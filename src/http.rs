//! The fetch [`Transport`]: the runtime's own `fetch` and timers, bound as free functions so
//! they work whatever the global scope is (window, worker scope, Node's globalThis).

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, RequestInit, RequestRedirect, Response};

use librato_output::send::{Attempt, Post, Transport};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str, init: &RequestInit) -> Promise;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// Sends through `options.fetch` when given, else the global `fetch`.
pub struct FetchTransport {
    pub fetch: Option<Function>,
}

impl Transport for FetchTransport {
    async fn post(&self, post: Post<'_>) -> Attempt {
        post_once(self.fetch.as_ref(), post).await
    }

    async fn sleep(&self, ms: u64) {
        if ms == 0 {
            return;
        }
        let p = Promise::new(&mut |resolve, _| {
            // (Durations are held to the JS timer limit when the config is read.)
            set_timeout(&resolve, ms as f64);
        });
        let _ = JsFuture::from(p).await;
    }

    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }

    fn read_json(&self, body: &str) -> Option<librato_output::send::api_response::Json> {
        crate::json_body::read(body)
    }
}

/// One POST with a whole-request timeout (headers and body); redirects are not followed.
async fn post_once(fetch_fn: Option<&Function>, post: Post<'_>) -> Attempt {
    let controller = match AbortController::new() {
        Ok(c) => c,
        Err(_) => return Attempt::Network("AbortController is not available".into()),
    };
    // A plain object, not a `Headers`: in Node the first `Headers` loads undici (~18 ms of a
    // cold start), which a user's own fetch may never need; every fetch takes a record.
    let headers = js_sys::Object::new();
    let _ = Reflect::set(&headers, &"Content-Type".into(), &"application/json".into());
    let _ = Reflect::set(
        &headers,
        &"Authorization".into(),
        &post.authorization.into(),
    );
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    // The body as bytes copied out of wasm memory: never decoded into a JS string (and never
    // encoded again by fetch).
    init.set_body(&js_sys::Uint8Array::from(post.body.as_bytes()));
    init.set_signal(Some(&controller.signal()));
    init.set_redirect(RequestRedirect::Manual);

    let timer = abort_after(&controller, post.timeout_ms);
    let result = send(fetch_fn, post.url, &init).await;
    if let Some(id) = timer {
        clear_timeout(&id);
    }
    match result {
        Ok(a) => a,
        Err(_) if controller.signal().aborted() => Attempt::Timeout,
        Err(e) => Attempt::Network(error_text(&e)),
    }
}

async fn send(
    fetch_fn: Option<&Function>,
    url: &str,
    init: &RequestInit,
) -> Result<Attempt, JsValue> {
    let promise = match fetch_fn {
        Some(f) => f.call2(&JsValue::UNDEFINED, &url.into(), init)?,
        None => global_fetch(url, init).into(),
    };
    let promise: Promise = Promise::resolve(&promise);
    // Duck-typed: a user's fetch may return any Response-like object.
    let resp: Response = JsFuture::from(promise).await?.unchecked_into();
    let status = resp.status();
    let headers = resp.headers();
    let header = |name: &str| headers.get(name).ok().flatten();
    let retry_after = header("Retry-After");
    let location = header("Location");
    let rate_std = header("X-Librato-RateLimit-Std");
    let rate_agg = header("X-Librato-RateLimit-Agg");
    let body = JsFuture::from(resp.text()?)
        .await?
        .as_string()
        .unwrap_or_default();
    // A browser's manual redirect is an opaque response with status 0.
    let status = if status == 0 && resp.type_() == web_sys::ResponseType::Opaqueredirect {
        302
    } else {
        status
    };
    Ok(Attempt::Response {
        status,
        body,
        retry_after,
        location,
        rate_std,
        rate_agg,
    })
}

fn abort_after(controller: &AbortController, ms: u64) -> Option<JsValue> {
    let abort: Function = Reflect::get(controller, &"abort".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let bound = abort.bind0(controller);
    Some(set_timeout(&bound, ms as f64))
}

fn error_text(e: &JsValue) -> String {
    let msg = Reflect::get(e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "network error".into());
    // Node's fetch puts the useful part ("ECONNREFUSED", "other side closed") in `cause`.
    let cause = Reflect::get(e, &"cause".into())
        .ok()
        .filter(|c| c.is_object())
        .and_then(|c| Reflect::get(&c, &"message".into()).ok())
        .and_then(|m| m.as_string());
    match cause {
        Some(c) if !c.is_empty() => format!("{msg}: {c}"),
        _ => msg,
    }
}
