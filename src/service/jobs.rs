//! Periodic work: expired claims back to the queue, reminders about unfinished drafts, the
//! daily digest of overdue cases, and retention. Each takes `now`, so tests drive the clock;
//! jobs that must happen once per period claim the period in the database first, so several
//! instances running them at once still do each once.

use super::{Inbound, Service, ServiceError, StaffEvent};
use crate::conversation::{Event, Incoming};
use chrono::{DateTime, Duration, Timelike, Utc};

/// The daily digest's job name (`job_runs.job`).
pub const DIGEST_JOB: &str = "overdue-digest";

/// When the periodic jobs act.
#[derive(Debug, Clone, Copy)]
pub struct JobSettings {
    /// A merchant with an unfinished draft gets one reminder after this long.
    pub reminder_after: Duration,
    /// Personal data of cases decided longer ago than this is erased.
    pub retention: Duration,
    /// The hour (China time) from which the day's overdue digest is sent.
    pub digest_hour: u32,
}

impl Default for JobSettings {
    fn default() -> Self {
        JobSettings {
            reminder_after: Duration::hours(24),
            retention: Duration::days(90),
            digest_hour: 9,
        }
    }
}

/// What one round of jobs did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobReport {
    pub leases_expired: usize,
    pub reminders: usize,
    pub digest_sent: bool,
    pub erased: usize,
}

impl Service {
    /// Run every job that is due at `now`.
    pub async fn run_jobs(
        &self,
        settings: &JobSettings,
        now: DateTime<Utc>,
    ) -> Result<JobReport, ServiceError> {
        Ok(JobReport {
            leases_expired: self.expire_leases(now).await?,
            reminders: self.send_reminders(now, settings.reminder_after).await?,
            digest_sent: self.overdue_digest(now, settings.digest_hour).await?,
            erased: self.apply_retention(now, settings.retention).await?,
        })
    }

    /// Claims whose lease ran out go back to the queue; the group is told.
    pub async fn expire_leases(&self, now: DateTime<Utc>) -> Result<usize, ServiceError> {
        self.retrying(|| async {
            let mut tx = self.store.begin().await?;
            let expired = tx.expire_leases(now).await?;
            for case in &expired {
                let event = StaffEvent::Changed {
                    case: case.clone(),
                    by: None,
                    what: super::staff::Change::LeaseExpired,
                };
                for row in self.staff_rows(&event, None, now) {
                    tx.enqueue(&row).await?;
                }
            }
            tx.commit().await?;
            Ok(expired.len())
        })
        .await
    }

    /// One reminder to each merchant whose draft has been idle for `after`.
    pub async fn send_reminders(
        &self,
        now: DateTime<Utc>,
        after: Duration,
    ) -> Result<usize, ServiceError> {
        let chats = self
            .retrying(|| async {
                let mut tx = self.store.begin().await?;
                let chats = tx.drafts_to_remind(now - after).await?;
                tx.commit().await?;
                Ok(chats)
            })
            .await?;
        let mut sent = 0;
        for chat_id in chats {
            let outcome = self
                .handle(Inbound {
                    chat_id,
                    update_id: None,
                    locale_hint: None,
                    incoming: Incoming::new(Event::Reminder),
                    now,
                })
                .await?;
            if !outcome.effects.is_empty() {
                sent += 1;
            }
        }
        Ok(sent)
    }

    /// Once a day, from `hour` China time, the list of overdue open cases to the group.
    pub async fn overdue_digest(
        &self,
        now: DateTime<Utc>,
        hour: u32,
    ) -> Result<bool, ServiceError> {
        if self.staff_config().is_none() {
            return Ok(false);
        }
        let local = now.with_timezone(&crate::calendar::china());
        if local.hour() < hour {
            return Ok(false);
        }
        let period = local.date_naive().to_string();
        let overdue = self.overdue(now).await?;
        self.retrying(|| async {
            let mut tx = self.store.begin().await?;
            if !tx.claim_job(DIGEST_JOB, &period, now).await? {
                return Ok(false);
            }
            if !overdue.is_empty() {
                let event = StaffEvent::Digest {
                    overdue: overdue.clone(),
                    now,
                    job: DIGEST_JOB,
                    period: period.clone(),
                };
                for row in self.staff_rows(&event, None, now) {
                    tx.enqueue(&row).await?;
                }
            }
            tx.commit().await?;
            Ok(true)
        })
        .await
    }

    /// Once a day: erase the personal data of cases decided more than `keep` ago.
    pub async fn apply_retention(
        &self,
        now: DateTime<Utc>,
        keep: Duration,
    ) -> Result<usize, ServiceError> {
        let period = crate::calendar::china_date(now).to_string();
        self.retrying(|| async {
            let mut tx = self.store.begin().await?;
            if !tx.claim_job("retention", &period, now).await? {
                return Ok(0);
            }
            let erased = tx.erase_decided_before(now - keep, now).await?;
            tx.commit().await?;
            if !erased.is_empty() {
                tracing::info!(count = erased.len(), "personal data of old cases erased");
            }
            Ok(erased.len())
        })
        .await
    }
}
