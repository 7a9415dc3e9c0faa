//! Runs a few futures concurrently on the current task and waits for all of them: the only
//! concurrency the send loop needs (no executor, no threads, no `Send`), so it works the
//! same under wasm's single-threaded event loop and in native tests.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A boxed future borrowing from the send loop's state.
pub type Task<'a> = Pin<Box<dyn Future<Output = ()> + 'a>>;

/// Polls every unfinished task each time it is polled; ready when all are.
pub struct JoinAll<'a> {
    tasks: Vec<Option<Task<'a>>>,
}

impl<'a> JoinAll<'a> {
    /// Joins `tasks`.
    pub fn new(tasks: Vec<Task<'a>>) -> Self {
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
