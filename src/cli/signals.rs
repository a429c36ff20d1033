//! SIGINT and SIGTERM while kite runs.
//!
//! - While terraform runs, kite stays and waits for it, and returns its
//!   status. SIGTERM is forwarded to terraform. SIGINT is forwarded only
//!   when a process sent it to kite (`kill -INT <pid>`): Ctrl-C in a
//!   terminal already reaches terraform, which is in kite's process group,
//!   and a second interrupt would make terraform stop at once, holding the
//!   state lock. Each further signal is forwarded the same way (terraform
//!   then force-stops). terraform stays in kite's process group, so its
//!   approval prompt keeps reading the terminal.
//! - At any other moment (synthesis, waiting for the output's lock, between
//!   two terraform commands) kite removes the staging directory it made and
//!   exits with 128 + N.
//! - After a signal, no further terraform command is started.
//! - Several terraform processes may run at once (a run over several
//!   stacks with `--parallelism`): a signal is forwarded to each. While a
//!   run is under way ([`RunGuard`]), a signal that arrives when no
//!   terraform runs is recorded, not fatal: the run stops starting stacks
//!   and commands, removes its plan files, reports and exits.
//!
//! Only [`install`] (called by [`super::main`]) changes how the process
//! handles signals; a program that embeds [`super::run_with`] keeps its own.
//!
//! Until there is something to clean up or forward to, a signal ends kite
//! at once, in the handler itself (with 128 + N, as the thread would). The
//! thread that does the rest is started only when kite is about to make a
//! staging directory, start terraform or begin a run ([`listen`]): most
//! synths leave the output as it is and never need it, and starting and
//! stopping a thread was a tenth of such a synth's time (doc/adr/0017).

use std::io;
use std::process::{Child, Command, ExitStatus};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

/// terraform was not started because kite received this signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Interrupted(pub i32);

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "stopped by signal {}", self.0)
    }
}

impl std::error::Error for Interrupted {}

struct State {
    /// The terraform processes running.
    children: Vec<u32>,
    /// The first signal received.
    received: Option<i32>,
    /// Runs under way ([`RunGuard`]).
    runs: usize,
}

static STATE: Mutex<State> = Mutex::new(State {
    children: Vec::new(),
    received: None,
    runs: 0,
});

fn state() -> MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// From now on, SIGINT and SIGTERM end kite with 128 + N until [`listen`]
/// hands them to a thread of their own.
#[cfg(unix)]
pub(crate) fn install() -> io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};

    // Held while installing: two calls at once install once.
    let _state = state();
    if AT_ONCE.get().is_some() {
        return Ok(());
    }
    let at_once = Arc::new(AtomicBool::new(true));
    for signal in [SIGINT, SIGTERM] {
        let status = i32::from(super::exit::by_signal(signal));
        signal_hook::flag::register_conditional_shutdown(signal, status, Arc::clone(&at_once))?;
    }
    let _ = AT_ONCE.set(at_once);
    crate::synth::output_dir::before_staging(listen);
    Ok(())
}

#[cfg(not(unix))]
pub(crate) fn install() -> io::Result<()> {
    Ok(())
}

/// Whether a signal ends kite in the handler, without the thread: true
/// until [`listen`] has started it. Set once [`install`] has succeeded.
static AT_ONCE: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// Whether the thread is started (or could not be).
static LISTENING: OnceLock<()> = OnceLock::new();

/// Starts the thread that handles signals, when [`install`] was called:
/// before kite makes anything a signal must clean up or reach. Until it
/// runs, a signal still ends kite at once; if it cannot be started, that
/// stays so (a staging directory left behind is removed by the next
/// synth).
#[cfg(unix)]
pub(crate) fn listen() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    use signal_hook::iterator::SignalsInfo;
    use signal_hook::iterator::exfiltrator::WithOrigin;

    let Some(at_once) = AT_ONCE.get() else {
        return;
    };
    LISTENING.get_or_init(|| {
        // Registered before the handler stops ending kite: a signal in
        // between waits in the iterator for the thread.
        let Ok(mut signals) = SignalsInfo::<WithOrigin>::new([SIGINT, SIGTERM]) else {
            return;
        };
        let started = std::thread::Builder::new()
            .name("kite-signals".into())
            .spawn(move || {
                for origin in signals.forever() {
                    handle(origin.signal, origin.process.is_some());
                }
            });
        if started.is_ok() {
            at_once.store(false, Ordering::SeqCst);
        }
    });
}

#[cfg(not(unix))]
pub(crate) fn listen() {}

/// One signal: forwarded to terraform while it runs, otherwise the end of
/// kite (without a half-written output).
#[cfg(unix)]
fn handle(signal: i32, sent_by_a_process: bool) {
    use signal_hook::consts::SIGTERM;

    let mut state = state();
    state.received.get_or_insert(signal);
    if !state.children.is_empty() {
        if signal == SIGTERM || sent_by_a_process {
            for pid in &state.children {
                forward(*pid, signal);
            }
        }
    } else if state.runs == 0 {
        crate::synth::output_dir::abandon_staging();
        std::process::exit(i32::from(super::exit::by_signal(signal)));
    }
}

#[cfg(unix)]
fn forward(pid: u32, signal: i32) {
    use rustix::process::{Pid, Signal, kill_process};
    let (Some(pid), Some(signal)) = (
        i32::try_from(pid).ok().and_then(Pid::from_raw),
        Signal::from_named_raw(signal),
    ) else {
        return;
    };
    let _ = kill_process(pid, signal);
}

/// The first signal kite received, if any.
pub(crate) fn received() -> Option<i32> {
    state().received
}

/// While it lives, a signal that arrives when no terraform runs is recorded
/// for the run to act on ([`received`]) instead of ending kite.
pub(crate) struct RunGuard(());

impl RunGuard {
    pub(crate) fn new() -> Self {
        listen();
        state().runs += 1;
        RunGuard(())
    }
}

impl Drop for RunGuard {
    fn drop(&mut self) {
        let mut state = state();
        state.runs = state.runs.saturating_sub(1);
    }
}

/// Starts `command` (terraform), registered for signals. Not started at
/// all when kite has received a signal already ([`Interrupted`]).
pub(crate) fn spawn(command: &mut Command) -> io::Result<Result<Child, Interrupted>> {
    listen();
    let mut state = state();
    if let Some(signal) = state.received {
        return Ok(Err(Interrupted(signal)));
    }
    // Registered before a signal can be handled: the handler waits for
    // this lock, then forwards.
    let child = command.spawn()?;
    state.children.push(child.id());
    Ok(Ok(child))
}

/// Waits for a child of [`spawn`] to end.
pub(crate) fn wait(child: &mut Child) -> io::Result<ExitStatus> {
    wait_until_exited(child);
    // Unregistered before the child is reaped: its pid cannot have been
    // reused for another process while a signal might be sent to it.
    {
        let mut state = state();
        let id = child.id();
        if let Some(i) = state.children.iter().position(|&p| p == id) {
            state.children.swap_remove(i);
        }
    }
    child.wait()
}

/// Waits until `child` has exited without reaping it.
#[cfg(unix)]
fn wait_until_exited(child: &Child) {
    use rustix::process::{Pid, WaitId, WaitIdOptions, waitid};
    let Some(pid) = i32::try_from(child.id()).ok().and_then(Pid::from_raw) else {
        return;
    };
    loop {
        match waitid(
            WaitId::Pid(pid),
            WaitIdOptions::EXITED | WaitIdOptions::NOWAIT,
        ) {
            Err(rustix::io::Errno::INTR) => continue,
            _ => return,
        }
    }
}

#[cfg(not(unix))]
fn wait_until_exited(_child: &Child) {}
