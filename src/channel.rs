//! Channels between threads whose messages travel boxed.
//!
//! std's channels are generic over the message type: each type sent
//! compiles its own copy of the queue, about 5,000 lines of LLVM IR, and a
//! release build optimizes the library's code twice (doc/adr/0011). Boxed as
//! `dyn Any`, every message shares one queue of each kind; the types stay
//! checked at both ends, and a box per message costs nothing next to what
//! these channels carry (a line of terraform's output, an answer, a MiB).

use std::any::Any;
use std::marker::PhantomData;
use std::sync::mpsc;
use std::time::Duration;

pub use std::sync::mpsc::{RecvError, RecvTimeoutError, SendError};

type Message = Box<dyn Any + Send>;

/// The sending half of [`channel`] or [`sync_channel`].
pub struct Sender<T> {
    inner: Inner,
    // Invariant in `T`, as at the other end: both halves keep one type.
    message: PhantomData<fn(T) -> T>,
}

enum Inner {
    Unbounded(mpsc::Sender<Message>),
    Bounded(mpsc::SyncSender<Message>),
}

/// The receiving half of [`channel`] or [`sync_channel`].
pub struct Receiver<T> {
    inner: mpsc::Receiver<Message>,
    message: PhantomData<fn(T) -> T>,
}

/// A channel without a bound: `send` never waits.
pub fn channel<T: Send + 'static>() -> (Sender<T>, Receiver<T>) {
    let (tx, rx) = mpsc::channel();
    (Sender::new(Inner::Unbounded(tx)), Receiver::new(rx))
}

/// A channel of at most `bound` messages in flight: `send` waits for room.
pub fn sync_channel<T: Send + 'static>(bound: usize) -> (Sender<T>, Receiver<T>) {
    let (tx, rx) = mpsc::sync_channel(bound);
    (Sender::new(Inner::Bounded(tx)), Receiver::new(rx))
}

/// A message back in its type: a `Sender<T>` sends nothing else.
fn open<T: 'static>(message: Message) -> T {
    match message.downcast::<T>() {
        Ok(value) => *value,
        Err(_) => unreachable!("a channel carries one type"),
    }
}

impl<T: Send + 'static> Sender<T> {
    fn new(inner: Inner) -> Self {
        Sender {
            inner,
            message: PhantomData,
        }
    }

    /// Sends `value`, or gives it back when the receiver is gone.
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        let message: Message = Box::new(value);
        match &self.inner {
            Inner::Unbounded(tx) => tx.send(message),
            Inner::Bounded(tx) => tx.send(message),
        }
        .map_err(|SendError(message)| SendError(open(message)))
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Sender {
            inner: match &self.inner {
                Inner::Unbounded(tx) => Inner::Unbounded(tx.clone()),
                Inner::Bounded(tx) => Inner::Bounded(tx.clone()),
            },
            message: PhantomData,
        }
    }
}

impl<T: 'static> Receiver<T> {
    fn new(inner: mpsc::Receiver<Message>) -> Self {
        Receiver {
            inner,
            message: PhantomData,
        }
    }

    /// Waits for a message; an error when every sender is gone.
    pub fn recv(&self) -> Result<T, RecvError> {
        self.inner.recv().map(open)
    }

    /// Waits at most `timeout` for a message.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        self.inner.recv_timeout(timeout).map(open)
    }
}

/// Messages until every sender is gone.
impl<T: 'static> Iterator for Receiver<T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        self.recv().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_arrive_in_order_in_their_type_and_end_with_the_senders() {
        let (tx, rx) = channel::<String>();
        let other = tx.clone();
        std::thread::spawn(move || {
            tx.send("one".into()).unwrap();
            other.send("two".into()).unwrap();
        });
        assert_eq!(rx.collect::<Vec<_>>(), ["one", "two"]);
    }

    #[test]
    fn a_send_without_a_receiver_gives_the_value_back() {
        let (tx, rx) = channel::<Vec<u8>>();
        drop(rx);
        assert_eq!(tx.send(vec![1, 2]).unwrap_err().0, [1, 2]);
    }

    #[test]
    fn a_bounded_channel_waits_for_room() {
        let (tx, rx) = sync_channel::<u32>(1);
        tx.send(1).unwrap();
        let (started, has_started) = std::sync::mpsc::channel();
        let sender = std::thread::spawn(move || {
            started.send(()).unwrap();
            tx.send(2).unwrap();
        });
        has_started.recv().unwrap();
        std::thread::sleep(Duration::from_millis(200));
        // The second send waits until the first message is taken.
        assert!(!sender.is_finished());
        assert_eq!(rx.recv(), Ok(1));
        assert_eq!(rx.recv(), Ok(2));
        sender.join().unwrap();
        assert_eq!(rx.recv(), Err(RecvError));
        let (tx, rx) = sync_channel::<String>(1);
        drop(rx);
        assert_eq!(tx.send("back".into()).unwrap_err().0, "back");
    }

    #[test]
    fn a_timeout_is_not_a_disconnection() {
        let (tx, rx) = channel::<()>();
        assert_eq!(
            rx.recv_timeout(Duration::from_millis(1)),
            Err(RecvTimeoutError::Timeout)
        );
        drop(tx);
        assert_eq!(
            rx.recv_timeout(Duration::from_millis(1)),
            Err(RecvTimeoutError::Disconnected)
        );
    }
}
