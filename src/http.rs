//! The runtime's own `fetch`, timers and a tiny join for concurrent tasks. Bound as free
//! functions so they work whatever the global scope is (window, worker scope, Node).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, Response};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str, init: &RequestInit) -> Promise;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// What one HTTP attempt ended with.
pub enum Attempt {
    Response {
        status: u16,
        body: String,
        retry_after: Option<String>,
        rate_std: Option<String>,
        rate_agg: Option<String>,
    },
    Timeout,
    Network(String),
}

/// POSTs `body` with a whole-request timeout (headers and body), via `fetch_fn` or the global fetch.
pub async fn post(
    fetch_fn: Option<&Function>,
    url: &str,
    authorization: &str,
    body: &str,
    timeout_ms: u64,
) -> Attempt {
    let controller = match AbortController::new() {
        Ok(c) => c,
        Err(_) => return Attempt::Network("AbortController is not available".into()),
    };
    let headers = match Headers::new() {
        Ok(h) => h,
        Err(_) => return Attempt::Network("Headers is not available".into()),
    };
    let _ = headers.set("Content-Type", "application/json");
    let _ = headers.set("Authorization", authorization);
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(body));
    init.set_signal(Some(&controller.signal()));

    let timer = abort_after(&controller, timeout_ms);
    let result = send(fetch_fn, url, &init).await;
    if let Some(id) = timer {
        clear_timeout(&id);
    }
    match result {
        Ok(a) => a,
        Err(e) if controller.signal().aborted() => {
            let _ = e;
            Attempt::Timeout
        }
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
    let rate_std = header("X-Librato-RateLimit-Std");
    let rate_agg = header("X-Librato-RateLimit-Agg");
    let body = JsFuture::from(resp.text()?)
        .await?
        .as_string()
        .unwrap_or_default();
    Ok(Attempt::Response {
        status,
        body,
        retry_after,
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

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: u64) {
    if ms == 0 {
        return;
    }
    let p = Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, ms as f64);
    });
    let _ = JsFuture::from(p).await;
}

/// Runs futures concurrently on the current task and waits for all of them.
pub struct JoinAll<'a> {
    tasks: Vec<Option<Pin<Box<dyn Future<Output = ()> + 'a>>>>,
}

impl<'a> JoinAll<'a> {
    pub fn new(tasks: Vec<Pin<Box<dyn Future<Output = ()> + 'a>>>) -> Self {
        JoinAll {
            tasks: tasks.into_iter().map(Some).collect(),
        }
    }
}

impl Future for JoinAll<'_> {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut pending = false;
        for slot in self.tasks.iter_mut() {
            if let Some(task) = slot {
                if task.as_mut().poll(cx).is_ready() {
                    *slot = None;
                } else {
                    pending = true;
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    }
}
