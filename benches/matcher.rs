//! Questions classified per second on one core.
//!
//! `cargo bench --bench matcher` — classifies the evaluation sample and the held-out sets
//! (about 430 real merchant questions, Chinese and English) over and over on one thread,
//! and reports questions per second. The target of issue #6 is ≥ 50,000 per second.

use posdesk::knowledge::matcher;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn questions() -> Vec<String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut out = Vec::new();
    for file in [
        format!("{root}/tests/data/questions.tsv"),
        format!("{root}/tests/data/matcher_holdout.tsv"),
        format!("{root}/tests/data/matcher_fresh.tsv"),
    ] {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        out.extend(
            text.lines()
                .skip(1)
                .filter_map(|l| l.splitn(3, '\t').nth(2))
                .map(str::to_string),
        );
    }
    out
}

fn main() {
    let questions = questions();
    assert!(!questions.is_empty(), "no questions found");
    let m = matcher();
    // Warm up (builds the matcher, fills caches).
    for q in &questions {
        black_box(m.classify(q));
    }
    let mut runs = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let mut n = 0u64;
        while start.elapsed() < Duration::from_millis(600) {
            for q in &questions {
                black_box(m.classify(black_box(q)));
            }
            n += questions.len() as u64;
        }
        runs.push(n as f64 / start.elapsed().as_secs_f64());
    }
    runs.sort_by(|a, b| a.total_cmp(b));
    println!(
        "matcher: {} questions; median {:.0} questions/s on one core (min {:.0}, max {:.0})",
        questions.len(),
        runs[2],
        runs[0],
        runs[4]
    );
}
