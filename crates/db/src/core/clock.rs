//! The one clock every rule and job reads.
//!
//! A [`Clock`] belongs to a [`crate::Pool`]: production pools read the system time, test pools an
//! adjustable clock that a test moves forward (`TestApp::advance`) to let days pass — a sequence's
//! day-2 step, a decaying score, a callback hour, an expired invite — without editing rows.
//!
//! Storage code reads the time through [`crate::now`]. Every piece of storage work runs on a
//! connection checked out of a pool, and a checkout binds the pool's clock to the thread for as long
//! as the connection is held (the connection cannot leave the thread), so `now()` always answers
//! with the clock of the database being written. Code outside a checkout (the HTTP layer: token
//! expiry, the form fill timer) asks the pool for its clock. Domain rules never read a clock: they
//! take the instant as an argument, so the browser and the server compute the same answer.

use std::cell::RefCell;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, SubsecRound, Utc};

/// The system time, or the system time moved by an offset a test controls.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// Microseconds added to the system time; `None` for the system clock.
    offset_us: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system time.
    pub fn system() -> Clock {
        Clock { offset_us: None }
    }

    /// A clock that runs with the system time from where a test puts it (`advance`, `set`).
    pub fn adjustable() -> Clock {
        Clock { offset_us: Some(Arc::new(AtomicI64::new(0))) }
    }

    pub fn is_adjustable(&self) -> bool {
        self.offset_us.is_some()
    }

    /// The current instant, to the microsecond (what both databases store).
    pub fn now(&self) -> DateTime<Utc> {
        let t = Utc::now().trunc_subsecs(6);
        match &self.offset_us {
            None => t,
            Some(offset) => t + Duration::microseconds(offset.load(Ordering::SeqCst)),
        }
    }

    /// Let `by` pass at once. Only an adjustable clock moves: the system clock refuses.
    pub fn advance(&self, by: Duration) -> Result<(), &'static str> {
        let offset = self.offset_us.as_ref().ok_or("the system clock cannot be moved")?;
        offset.fetch_add(by.num_microseconds().ok_or("too far")?, Ordering::SeqCst);
        Ok(())
    }

    /// Put the clock at `at`, from where it runs on. Only an adjustable clock moves.
    pub fn set(&self, at: DateTime<Utc>) -> Result<(), &'static str> {
        let offset = self.offset_us.as_ref().ok_or("the system clock cannot be moved")?;
        offset.store((at - Utc::now()).num_microseconds().ok_or("too far")?, Ordering::SeqCst);
        Ok(())
    }

    /// Bind this clock to the current thread until the binding is dropped.
    pub(crate) fn bind(&self) -> Binding {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let token = NEXT.fetch_add(1, Ordering::Relaxed);
        BOUND.with(|b| b.borrow_mut().push((token, self.clone())));
        Binding { token, _on_this_thread: PhantomData }
    }
}

thread_local! {
    /// Clocks bound on this thread by live checkouts, innermost last.
    static BOUND: RefCell<Vec<(u64, Clock)>> = const { RefCell::new(Vec::new()) };
}

/// Keeps a clock bound to this thread; not `Send`, so it is dropped on the thread that bound it.
pub(crate) struct Binding {
    token: u64,
    _on_this_thread: PhantomData<*const ()>,
}

impl Drop for Binding {
    fn drop(&mut self) {
        let token = self.token;
        BOUND.with(|b| b.borrow_mut().retain(|(t, _)| *t != token));
    }
}

/// The clock of the innermost connection this thread holds; the system clock outside a checkout.
pub fn current() -> Clock {
    BOUND.with(|b| b.borrow().last().map(|(_, c)| c.clone())).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_adjustable_clock_moves_and_the_binding_follows_the_checkout() -> Result<(), Box<dyn std::error::Error>> {
        let clock = Clock::adjustable();
        let before = clock.now();
        clock.advance(Duration::days(2))?;
        let after = clock.now();
        assert!(after - before >= Duration::days(2) && after - before < Duration::days(2) + Duration::seconds(5));
        assert!(current().now() < after - Duration::days(1), "unbound: the system clock");
        {
            let _outer = clock.bind();
            assert!(current().now() >= after);
            let other = Clock::adjustable();
            other.advance(Duration::days(30))?;
            let inner = other.bind();
            assert!(current().now() >= after + Duration::days(27));
            drop(inner);
            assert!(current().now() < after + Duration::days(1));
        }
        assert!(current().now() < after - Duration::days(1));
        let at = DateTime::parse_from_rfc3339("2030-01-01T12:30:00Z")?.with_timezone(&Utc);
        clock.set(at)?;
        assert!((clock.now() - at).num_seconds().abs() < 5);
        Ok(())
    }

    #[test]
    fn the_system_clock_cannot_be_moved() {
        assert!(Clock::system().advance(Duration::hours(1)).is_err());
        assert!(Clock::system().set(Utc::now() + Duration::hours(1)).is_err());
    }
}
