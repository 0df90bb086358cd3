//! One request at a time per upload, and a newer request takes over.
//!
//! On a 2G link a phone often loses its connection without the server seeing it close
//! (the NAT mapping changes, no FIN ever arrives), so the old PATCH would wait for body
//! bytes that never come while the phone is already sending HEAD to resume. A request
//! that wants the lock asks the holder to let go: the holder stops reading its body once
//! no more bytes are ready, keeps or discards what it has (see `handlers`), and
//! releases. Like tusd's lock release requests.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};

use tokio::sync::{Notify, OwnedMutexGuard};

#[derive(Default)]
pub struct UploadLocks {
    locks: Mutex<HashMap<String, Weak<UploadLock>>>,
}

#[derive(Default)]
struct UploadLock {
    mutex: Arc<tokio::sync::Mutex<()>>,
    /// Requests waiting for the lock; the holder lets go while this is non-zero.
    waiting: AtomicUsize,
    release: Notify,
}

/// Holding the lock of one upload.
pub struct UploadGuard {
    _guard: OwnedMutexGuard<()>,
    lock: Arc<UploadLock>,
}

impl UploadLocks {
    /// Waits for the upload's lock, asking the current holder to release it.
    pub async fn acquire(&self, upload_id: &str) -> UploadGuard {
        let lock = {
            let mut locks = self.locks.lock().expect("upload lock table poisoned");
            locks.retain(|_, lock| lock.strong_count() > 0);
            match locks.get(upload_id).and_then(Weak::upgrade) {
                Some(lock) => lock,
                None => {
                    let lock = Arc::new(UploadLock::default());
                    locks.insert(upload_id.to_string(), Arc::downgrade(&lock));
                    lock
                }
            }
        };
        if let Ok(guard) = lock.mutex.clone().try_lock_owned() {
            return UploadGuard {
                _guard: guard,
                lock,
            };
        }
        lock.waiting.fetch_add(1, Ordering::SeqCst);
        lock.release.notify_waiters();
        let guard = lock.mutex.clone().lock_owned().await;
        lock.waiting.fetch_sub(1, Ordering::SeqCst);
        UploadGuard {
            _guard: guard,
            lock,
        }
    }
}

impl UploadGuard {
    /// Resolves once another request wants this upload.
    pub async fn release_requested(&self) {
        loop {
            let notified = self.lock.release.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.lock.waiting.load(Ordering::SeqCst) > 0 {
                return;
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_waiting_request_asks_the_holder_to_let_go() {
        let locks = Arc::new(UploadLocks::default());
        let holder = locks.acquire("u1").await;
        let other = locks.acquire("u2").await;

        let waiter = tokio::spawn({
            let locks = locks.clone();
            async move {
                let _guard = locks.acquire("u1").await;
            }
        });
        // The holder learns of the waiter, lets go, and the waiter gets the lock.
        holder.release_requested().await;
        drop(holder);
        waiter.await.unwrap();

        // A lock on another upload is not disturbed.
        let quiet = tokio::select! {
            biased;
            _ = other.release_requested() => false,
            _ = std::future::ready(()) => true,
        };
        assert!(quiet);
    }
}
