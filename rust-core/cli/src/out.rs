//! What the CLI prints. A reader that goes away (`chibo history … | head`) is no error:
//! the command finishes its work, stops printing, and its exit status still says how
//! the work went. Nothing panics on a closed pipe.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `text` to standard output, unless the reader has gone.
pub fn write(text: std::fmt::Arguments<'_>) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if out.write_fmt(text).and_then(|()| out.flush()).is_err() {
        // A closed pipe (or a full disk for a redirect): nothing more can be shown.
        CLOSED.store(true, Ordering::Relaxed);
    }
}

/// `println!` that survives a closed pipe.
macro_rules! say {
    () => { $crate::out::write(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::out::write(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `print!` that survives a closed pipe.
macro_rules! say_raw {
    ($($arg:tt)*) => { $crate::out::write(format_args!($($arg)*)) };
}

pub(crate) use say;
