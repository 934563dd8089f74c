//! Business-day arithmetic in China time, for due dates.
//!
//! The review team works Monday to Friday, China Standard Time (UTC+8, no daylight saving).
//! Public holidays are configured by the operator; weekends are always skipped.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc, Weekday,
};

/// China Standard Time.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The calendar date in China at `now`.
pub fn china_date(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&china()).date_naive()
}

/// Whether `date` is a working day.
pub fn is_business_day(date: NaiveDate, holidays: &[NaiveDate]) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(&date)
}

/// The date `days` business days after `from` (not counting `from` itself).
pub fn add_business_days(from: NaiveDate, days: u32, holidays: &[NaiveDate]) -> NaiveDate {
    let mut date = from;
    let mut left = days;
    // A year of holidays cannot stall this for long; the bound only guards bad config.
    let mut guard = 0u32;
    while left > 0 && guard < 3660 {
        date += Duration::days(1);
        guard += 1;
        if is_business_day(date, holidays) {
            left -= 1;
        }
    }
    date
}

/// When a case submitted at `now` is due: the end (18:00 China time) of the `days`-th
/// business day after the submission date.
pub fn due_at(now: DateTime<Utc>, days: u32, holidays: &[NaiveDate]) -> DateTime<Utc> {
    let date = add_business_days(china_date(now), days, holidays);
    let end_of_day = NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default();
    china()
        .from_local_datetime(&date.and_time(end_of_day))
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn skips_weekends_and_holidays() {
        // 2026-11-20 is a Friday.
        assert_eq!(add_business_days(d(2026, 11, 20), 1, &[]), d(2026, 11, 23));
        assert_eq!(add_business_days(d(2026, 11, 20), 3, &[]), d(2026, 11, 25));
        assert_eq!(add_business_days(d(2026, 11, 21), 1, &[]), d(2026, 11, 23));
        assert_eq!(
            add_business_days(d(2026, 11, 20), 1, &[d(2026, 11, 23)]),
            d(2026, 11, 24)
        );
        assert_eq!(add_business_days(d(2026, 11, 20), 0, &[]), d(2026, 11, 20));
        assert_eq!(add_business_days(d(2026, 11, 20), 15, &[]), d(2026, 12, 11));
    }

    #[test]
    fn due_time_is_end_of_day_in_china() {
        // Friday 2026-11-20 23:30 UTC is already Saturday in China.
        let now = Utc.with_ymd_and_hms(2026, 11, 20, 23, 30, 0).unwrap();
        assert_eq!(china_date(now), d(2026, 11, 21));
        let due = due_at(now, 1, &[]);
        assert_eq!(due, Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap());
    }
}
