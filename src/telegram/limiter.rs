//! Telegram's flood limits, applied to each outgoing message without adding latency.
//!
//! A message within the limits leaves at once; one over them waits exactly until it is
//! allowed. teloxide's `Throttle` adaptor, used before, checks its queue every 250 ms, which
//! put up to a quarter of a second on every reply even when no limit was near (issue #6).
//! The limits are Telegram's published ones: about one message per second in a chat (a short
//! burst is tolerated), twenty a minute in a group, thirty a second overall. A 429 that
//! still happens is honoured by the sender (`retry_after`).

use crate::config::ThrottleSettings;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;

/// Messages a private chat may receive at once before the per-second rate applies: a reply
/// plus a follow-up (a notice and the next question) should not wait a second.
const CHAT_BURST: u32 = 3;

/// The three limits, shared by every sending task.
pub struct Limiter {
    overall: DefaultDirectRateLimiter,
    per_chat: DefaultKeyedRateLimiter<i64>,
    per_group: DefaultKeyedRateLimiter<i64>,
}

impl Limiter {
    /// Limits from `settings` (a zero is taken as one).
    pub fn new(settings: &ThrottleSettings) -> Self {
        let n = |v: u32| NonZeroU32::new(v.max(1)).unwrap_or(NonZeroU32::MIN);
        let chat_rate = n(settings.per_chat_per_sec);
        Limiter {
            overall: RateLimiter::direct(Quota::per_second(n(settings.overall_per_sec))),
            per_chat: RateLimiter::keyed(
                Quota::per_second(chat_rate).allow_burst(chat_rate.max(n(CHAT_BURST))),
            ),
            per_group: RateLimiter::keyed(Quota::per_minute(n(settings.per_chat_per_min))),
        }
    }

    /// Waits until a message to `chat_id` is within every limit, and counts it. Returns at
    /// once when it already is.
    pub async fn until_ready(&self, chat_id: i64) {
        self.per_chat.until_key_ready(&chat_id).await;
        // Negative ids are groups and channels: Telegram's per-minute limit applies.
        if chat_id < 0 {
            self.per_group.until_key_ready(&chat_id).await;
        }
        self.overall.until_ready().await;
    }

    /// Forgets chats whose limits are back at full capacity, so memory follows the chats
    /// active in the last minute rather than every chat ever served.
    pub fn forget_idle(&self) {
        self.per_chat.retain_recent();
        self.per_chat.shrink_to_fit();
        self.per_group.retain_recent();
        self.per_group.shrink_to_fit();
    }

    /// Chats currently remembered (for tests and diagnostics).
    pub fn tracked_chats(&self) -> usize {
        self.per_chat.len() + self.per_group.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(
        per_chat_per_sec: u32,
        per_chat_per_min: u32,
        overall_per_sec: u32,
    ) -> ThrottleSettings {
        ThrottleSettings {
            per_chat_per_sec,
            per_chat_per_min,
            overall_per_sec,
        }
    }

    #[test]
    fn a_private_chat_gets_a_short_burst_then_waits() {
        let limiter = Limiter::new(&settings(1, 20, 30));
        for _ in 0..CHAT_BURST {
            assert!(limiter.per_chat.check_key(&42).is_ok());
        }
        assert!(
            limiter.per_chat.check_key(&42).is_err(),
            "the burst is spent"
        );
        assert!(
            limiter.per_chat.check_key(&43).is_ok(),
            "other chats are not affected"
        );
    }

    #[test]
    fn a_group_is_held_to_its_per_minute_quota() {
        let limiter = Limiter::new(&settings(1000, 2, 1000));
        assert!(limiter.per_group.check_key(&-100).is_ok());
        assert!(limiter.per_group.check_key(&-100).is_ok());
        assert!(limiter.per_group.check_key(&-100).is_err());
    }

    #[test]
    fn the_overall_quota_is_shared_by_all_chats() {
        let limiter = Limiter::new(&settings(1000, 1000, 2));
        assert!(limiter.overall.check().is_ok());
        assert!(limiter.overall.check().is_ok());
        assert!(limiter.overall.check().is_err());
    }

    #[test]
    fn zero_settings_do_not_panic_and_mean_one() {
        let limiter = Limiter::new(&settings(0, 0, 0));
        assert!(limiter.overall.check().is_ok());
        assert!(limiter.overall.check().is_err());
    }

    #[tokio::test]
    async fn within_the_limits_a_message_does_not_wait() {
        let limiter = Limiter::new(&settings(1, 20, 30));
        // A zero timeout polls the future once before looking at the clock: it completes
        // only if the message needs no waiting at all.
        let first_poll = std::time::Duration::ZERO;
        let ready = tokio::time::timeout(first_poll, limiter.until_ready(7)).await;
        assert!(ready.is_ok(), "a first message to a chat must not wait");
    }

    #[test]
    fn idle_chats_are_forgotten() {
        let limiter = Limiter::new(&settings(1000, 1000, 100_000));
        for chat in 0..100 {
            assert!(limiter.per_chat.check_key(&chat).is_ok());
        }
        assert_eq!(limiter.tracked_chats(), 100);
        std::thread::sleep(std::time::Duration::from_millis(5));
        limiter.forget_idle();
        assert_eq!(limiter.tracked_chats(), 0);
    }
}
