//! Calendar dates as merchants write them (`2026年11月3日`, `11/3`, `昨天`, `Nov 3`).
//!
//! Used for "when did you receive the terminal": always a day in the past, so a date without a
//! year is read as the most recent such day, and the day itself is the only thing the review
//! team needs (no times, no time zones: `today` comes from the caller's clock, in China time).

use super::norm;
use super::Invalid;
use chrono::{Datelike, Months, NaiveDate};

/// How far back a date may be: the guides advise returning a terminal within three months, and
/// nothing the bot asks about is older than a few years. Older dates are almost always typos.
const MAX_YEARS_BACK: u32 = 5;

/// Parse a date no later than `today` and no more than five years before it.
///
/// Accepted: `2026-11-03`, `2026/11/3`, `2026.11.3`, `20261103`, `2026年11月3日`, `26年11月3日`,
/// `11月3日`, `11月3号`, `十一月三日`, `3号`, `11/3`, `11-3`, `11.3` (month first, as written in
/// China), `3/11/2026` or `11/30/2026` when unambiguous, `今天`/`昨天`/`前天`/`大前天`,
/// `today`/`yesterday`, `Nov 3`, `3 Nov`, `3 Nov 2026`, `November 3, 2026`, `Nov 3rd`.
///
/// Errors: [`Invalid::DateInFuture`] (including `明天`), [`Invalid::DateTooOld`],
/// [`Invalid::DateImpossible`] (`2月30日`, `13月1日`), [`Invalid::DateUnreadable`].
pub fn parse_date(input: &str, today: NaiveDate) -> Result<NaiveDate, Invalid> {
    let s = norm::clean(input).to_lowercase();
    let s = s.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, '.' | '。' | '!' | '！' | '~' | '～' | ',' | '，')
    });
    if s.is_empty() || s.chars().count() > 40 {
        return Err(Invalid::DateUnreadable);
    }
    let s = strip_time(s);
    let parts = relative(s)
        .map(Parts::Relative)
        .or_else(|| chinese(s))
        .or_else(|| numeric(s))
        .or_else(|| english(s))
        .ok_or(Invalid::DateUnreadable)?;
    let date = match parts {
        Parts::Relative(None) => return Err(Invalid::DateInFuture),
        Parts::Relative(Some(back)) => today
            .checked_sub_days(chrono::Days::new(back))
            .ok_or(Invalid::DateTooOld)?,
        Parts::Full(y, m, d) => {
            check_range(m, d)?;
            NaiveDate::from_ymd_opt(y, m, d).ok_or(Invalid::DateImpossible)?
        }
        Parts::MonthDay(m, d) => {
            check_range(m, d)?;
            // The most recent such day not after today; 2月29日 looks back to a leap year.
            (0..=MAX_YEARS_BACK as i32 + 3)
                .filter_map(|back| NaiveDate::from_ymd_opt(today.year() - back, m, d))
                .find(|date| *date <= today)
                .ok_or(Invalid::DateImpossible)?
        }
        Parts::Day(d) => {
            if !(1..=31).contains(&d) {
                return Err(Invalid::DateImpossible);
            }
            // The most recent month that has that day, not after today.
            let mut month_start = today.with_day(1).ok_or(Invalid::DateUnreadable)?;
            let mut found = None;
            for _ in 0..3 {
                if let Some(date) = month_start.with_day(d).filter(|date| *date <= today) {
                    found = Some(date);
                    break;
                }
                month_start = month_start
                    .checked_sub_months(Months::new(1))
                    .ok_or(Invalid::DateTooOld)?;
            }
            found.ok_or(Invalid::DateImpossible)?
        }
    };
    if date > today {
        return Err(Invalid::DateInFuture);
    }
    let oldest = today.checked_sub_months(Months::new(12 * MAX_YEARS_BACK));
    if oldest.map_or(true, |oldest| date < oldest) {
        return Err(Invalid::DateTooOld);
    }
    Ok(date)
}

/// What the text named, before it is checked against the calendar.
#[derive(Debug, PartialEq, Eq)]
enum Parts {
    /// Days back from today; `None` for a future word (`明天`).
    Relative(Option<u64>),
    Full(i32, u32, u32),
    MonthDay(u32, u32),
    Day(u32),
}

/// Drops a time of day after the date (`2026-11-03 14:30`, `11月3日 9:05:00`): only the day
/// matters.
fn strip_time(s: &str) -> &str {
    let Some((date, time)) = s.rsplit_once(|c: char| c.is_whitespace() || c == 't') else {
        return s;
    };
    let fields: Vec<&str> = time.split(':').collect();
    let is_time = (2..=3).contains(&fields.len())
        && fields
            .iter()
            .all(|f| (1..=2).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit()));
    if is_time && !date.trim().is_empty() {
        date.trim_end()
    } else {
        s
    }
}

fn check_range(m: u32, d: u32) -> Result<(), Invalid> {
    if (1..=12).contains(&m) && (1..=31).contains(&d) {
        Ok(())
    } else {
        Err(Invalid::DateImpossible)
    }
}

fn relative(s: &str) -> Option<Option<u64>> {
    let back = match s {
        "今天" | "今日" | "今儿" | "今儿个" | "today" => 0,
        "昨天" | "昨日" | "昨儿" | "昨儿个" | "yesterday" => 1,
        "前天" | "前日" | "前儿" | "the day before yesterday" => 2,
        "大前天" => 3,
        "明天" | "明日" | "后天" | "大后天" | "tomorrow" => return Some(None),
        _ => return None,
    };
    Some(Some(back))
}

/// 1–4 ASCII digits as a number.
fn small_number(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Chinese numerals 1–99 as used for months and days: 三, 十, 十一, 二十, 二十三, 卅一.
fn chinese_number(s: &str) -> Option<u32> {
    let digit = |c: char| -> Option<u32> {
        Some(match c {
            '〇' | '零' => 0,
            '一' => 1,
            '二' | '两' => 2,
            '三' => 3,
            '四' => 4,
            '五' => 5,
            '六' => 6,
            '七' => 7,
            '八' => 8,
            '九' => 9,
            _ => return None,
        })
    };
    let s = s.replace('廿', "二十").replace('卅', "三十");
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [a] if *a == '十' => Some(10),
        [a] => digit(*a),
        ['十', b] => Some(10 + digit(*b)?),
        [a, '十'] => Some(digit(*a)? * 10),
        [a, '十', b] => Some(digit(*a)? * 10 + digit(*b)?),
        _ => None,
    }
}

fn number(s: &str) -> Option<u32> {
    small_number(s).or_else(|| chinese_number(s))
}

fn year(s: &str) -> Option<i32> {
    match s.len() {
        4 => small_number(s).map(|y| y as i32),
        2 => small_number(s).map(|y| 2000 + y as i32),
        _ => None,
    }
}

/// `2026年11月3日`, `11月3号`, `十一月三日`, `3号`.
fn chinese(s: &str) -> Option<Parts> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let s = s.replace('號', "号");
    let Some((left, right)) = s.split_once('月') else {
        let day = s.strip_suffix('号').or_else(|| s.strip_suffix('日'))?;
        return number(day).map(Parts::Day);
    };
    let day = right
        .strip_suffix('日')
        .or_else(|| right.strip_suffix('号'))
        .unwrap_or(right);
    let day = number(day)?;
    match left.split_once('年') {
        Some((y, m)) => Some(Parts::Full(year(y)?, number(m)?, day)),
        None => Some(Parts::MonthDay(number(left)?, day)),
    }
}

/// `2026-11-03`, `2026/11/3`, `2026.11.3`, `20261103`, `11/3`, `11-3`, `11.3`, `3/11/2026`.
fn numeric(s: &str) -> Option<Parts> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Parts::Full(
            year(&s[..4])?,
            small_number(&s[4..6])?,
            small_number(&s[6..])?,
        ));
    }
    let fields: Vec<&str> = s
        .split(|c: char| matches!(c, '-' | '/' | '.') || norm::is_dash(c))
        .collect();
    if !fields
        .iter()
        .all(|f| !f.is_empty() && f.len() <= 4 && f.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    match fields.as_slice() {
        [m, d] if m.len() <= 2 && d.len() <= 2 => {
            Some(Parts::MonthDay(small_number(m)?, small_number(d)?))
        }
        [y, m, d] if y.len() == 4 && m.len() <= 2 && d.len() <= 2 => {
            Some(Parts::Full(year(y)?, small_number(m)?, small_number(d)?))
        }
        [a, b, y] if y.len() == 4 && a.len() <= 2 && b.len() <= 2 => {
            // Year last: day-month (3/11/2026) or month-day (11/30/2026). Only when the
            // order is unambiguous; 3/11/2026 could be either, so it is asked again.
            let (a, b, y) = (small_number(a)?, small_number(b)?, year(y)?);
            if a == b || b > 12 {
                Some(Parts::Full(y, a, b))
            } else if a > 12 {
                Some(Parts::Full(y, b, a))
            } else {
                None
            }
        }
        _ => None,
    }
}

fn month_name(token: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if token == "sept" {
        return Some(9);
    }
    if token.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(token))
        .map(|i| i as u32 + 1)
}

/// `Nov 3`, `3 Nov`, `3 Nov 2026`, `November 3, 2026`, `Nov. 3rd`, `the 3rd of November`.
fn english(s: &str) -> Option<Parts> {
    let mut month = None;
    let mut numbers: Vec<&str> = Vec::new();
    for token in s
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | '-' | '/'))
        .filter(|t| !t.is_empty())
    {
        if token == "of" || token == "the" {
            continue;
        }
        if let Some(m) = month_name(token) {
            if month.replace(m).is_some() {
                return None;
            }
            continue;
        }
        let digits = ["st", "nd", "rd", "th"]
            .iter()
            .find_map(|suffix| token.strip_suffix(suffix))
            .unwrap_or(token);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        numbers.push(digits);
    }
    let month = month?;
    match numbers.as_slice() {
        [d] if d.len() <= 2 => Some(Parts::MonthDay(month, small_number(d)?)),
        [d, y] | [y, d] if d.len() <= 2 && y.len() == 4 => {
            Some(Parts::Full(year(y)?, month, small_number(d)?))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const TODAY: (i32, u32, u32) = (2026, 11, 20);

    fn today() -> NaiveDate {
        d(TODAY.0, TODAY.1, TODAY.2)
    }

    #[test]
    fn full_dates_in_every_spelling() {
        for s in [
            "2026-11-03",
            "2026/11/3",
            "2026.11.3",
            "2026.11.03.",
            "20261103",
            "2026年11月3日",
            "2026 年 11 月 3 日",
            "２０２６年１１月３日",
            "26年11月3日",
            "2026年11月3号",
            "3 Nov 2026",
            "November 3, 2026",
            "Nov. 3rd, 2026",
            "3rd of November 2026",
            "2026 Nov 3",
            "2026-11-03 14:30",
            "2026-11-03T14:30:00",
            "11月3日 9:05",
        ] {
            assert_eq!(parse_date(s, today()), Ok(d(2026, 11, 3)), "{s:?}");
        }
        assert_eq!(parse_date("30/10/2026", today()), Ok(d(2026, 10, 30)));
        assert_eq!(parse_date("10/30/2026", today()), Ok(d(2026, 10, 30)));
        assert_eq!(parse_date("3/3/2026", today()), Ok(d(2026, 3, 3)));
    }

    #[test]
    fn dates_without_a_year_are_the_most_recent() {
        for s in [
            "11月3日",
            "11月3号",
            "11月03日",
            "十一月三日",
            "十一月三号",
            "11/3",
            "11-3",
            "11.3",
            "Nov 3",
            "nov 3rd",
            "3 Nov",
            "November 3",
            "3号",
            "3日",
        ] {
            assert_eq!(parse_date(s, today()), Ok(d(2026, 11, 3)), "{s:?}");
        }
        // Later in the year than today: last year.
        assert_eq!(parse_date("12月25日", today()), Ok(d(2025, 12, 25)));
        assert_eq!(parse_date("12/25", today()), Ok(d(2025, 12, 25)));
        assert_eq!(parse_date("Dec 25", today()), Ok(d(2025, 12, 25)));
        // Today itself counts.
        assert_eq!(parse_date("11月20日", today()), Ok(today()));
        assert_eq!(parse_date("二十号", today()), Ok(today()));
        // A day of the month later than today's: last month.
        assert_eq!(parse_date("25号", today()), Ok(d(2026, 10, 25)));
        // 31号 on 2026-11-20: October has a 31st.
        assert_eq!(parse_date("31号", today()), Ok(d(2026, 10, 31)));
        // 2月29日 looks back to the last leap year.
        assert_eq!(parse_date("2月29日", today()), Ok(d(2024, 2, 29)));
        assert_eq!(parse_date("廿九日", today()), Ok(d(2026, 10, 29)));
    }

    #[test]
    fn relative_words() {
        assert_eq!(parse_date("今天", today()), Ok(today()));
        assert_eq!(parse_date("today", today()), Ok(today()));
        assert_eq!(parse_date("Today.", today()), Ok(today()));
        assert_eq!(parse_date("昨天", today()), Ok(d(2026, 11, 19)));
        assert_eq!(parse_date("yesterday", today()), Ok(d(2026, 11, 19)));
        assert_eq!(parse_date("前天", today()), Ok(d(2026, 11, 18)));
        assert_eq!(parse_date("大前天", today()), Ok(d(2026, 11, 17)));
        assert_eq!(parse_date("明天", today()), Err(Invalid::DateInFuture));
        assert_eq!(parse_date("tomorrow", today()), Err(Invalid::DateInFuture));
    }

    #[test]
    fn year_boundary() {
        let jan2 = d(2027, 1, 2);
        assert_eq!(parse_date("12/31", jan2), Ok(d(2026, 12, 31)));
        assert_eq!(parse_date("1/2", jan2), Ok(jan2));
        assert_eq!(parse_date("1/3", jan2), Ok(d(2026, 1, 3)));
    }

    #[test]
    fn each_failure() {
        let cases = [
            ("2026-11-21", Invalid::DateInFuture),
            ("2027年1月1日", Invalid::DateInFuture),
            ("Nov 3 2030", Invalid::DateInFuture),
            ("2021-11-19", Invalid::DateTooOld),
            ("2020年1月1日", Invalid::DateTooOld),
            ("1999-01-01", Invalid::DateTooOld),
            ("2月30日", Invalid::DateImpossible),
            ("2026-02-30", Invalid::DateImpossible),
            ("2025年2月29日", Invalid::DateImpossible),
            ("13月1日", Invalid::DateImpossible),
            ("0月1日", Invalid::DateImpossible),
            ("11月0日", Invalid::DateImpossible),
            ("11月32日", Invalid::DateImpossible),
            ("13/45", Invalid::DateImpossible),
            ("Nov 31", Invalid::DateImpossible),
            ("32号", Invalid::DateImpossible),
            ("", Invalid::DateUnreadable),
            ("上周", Invalid::DateUnreadable),
            ("不记得了", Invalid::DateUnreadable),
            ("2026年11月", Invalid::DateUnreadable),
            ("11月", Invalid::DateUnreadable),
            ("3/11/2026", Invalid::DateUnreadable),
            ("2026-111-3", Invalid::DateUnreadable),
            ("99999999999999999999-1-1", Invalid::DateUnreadable),
            ("Nov Dec 3", Invalid::DateUnreadable),
            ("hello", Invalid::DateUnreadable),
            ("12345", Invalid::DateUnreadable),
        ];
        for (s, want) in cases {
            assert_eq!(parse_date(s, today()), Err(want), "{s:?}");
        }
        // Exactly five years back is still accepted; the day before is not.
        assert_eq!(parse_date("2021-11-20", today()), Ok(d(2021, 11, 20)));
    }
}
