//! Where "now" comes from.

use chrono::{DateTime, Utc};

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// Now, in UTC.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to (feature `test-utils`).
#[cfg(feature = "test-utils")]
#[derive(Debug)]
pub struct FakeClock {
    now: std::sync::Mutex<DateTime<Utc>>,
}

#[cfg(feature = "test-utils")]
impl FakeClock {
    /// A clock stopped at `start`.
    pub fn new(start: DateTime<Utc>) -> FakeClock {
        FakeClock {
            now: std::sync::Mutex::new(start),
        }
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: chrono::TimeDelta) {
        if let Ok(mut now) = self.now.lock() {
            *now += by;
        }
    }
}

#[cfg(feature = "test-utils")]
impl Clock for FakeClock {
    fn now(&self) -> DateTime<Utc> {
        self.now.lock().map(|n| *n).unwrap_or_else(|_| Utc::now())
    }
}
