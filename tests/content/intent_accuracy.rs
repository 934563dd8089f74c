//! Accuracy of the free-text intent matcher on the evaluation sample
//! (`tests/data/questions.tsv`) and on the held-out set
//! (`tests/data/matcher_holdout.tsv`, written before the matcher), and on a
//! second set written after it and never used for tuning
//! (`tests/data/matcher_fresh.tsv`). Every miss is printed; run with
//! `cargo test --test intent_accuracy -- --nocapture` to see them.

use posdesk::knowledge::matcher;

/// `(lang, intent, question)` rows of a TSV file with a header line.
fn rows(path: &str) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut cols = l.splitn(3, '\t');
            let mut next = || {
                cols.next()
                    .unwrap_or_else(|| panic!("{path}: bad row {l:?}"))
                    .to_string()
            };
            (next(), next(), next())
        })
        .collect()
}

/// Accuracy on one file, printing every miss.
fn accuracy(name: &str, path: &str) -> f64 {
    let rows = rows(path);
    assert!(!rows.is_empty(), "{path} is empty");
    let m = matcher();
    let mut hits = 0;
    for (lang, expected, question) in &rows {
        let got = m.classify(question);
        if got.id() == expected {
            hits += 1;
        } else {
            println!(
                "MISS [{name}] {lang} {question:?}: expected {expected}, got {} ({:.2})",
                got.id(),
                got.score
            );
        }
    }
    let acc = hits as f64 / rows.len() as f64;
    println!("{name}: {hits}/{} = {:.1} %", rows.len(), acc * 100.0);
    acc
}

#[test]
fn sample_accuracy_at_least_95_percent() {
    let acc = accuracy(
        "sample",
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/questions.tsv"),
    );
    assert!(acc >= 0.95, "sample accuracy {:.1} % < 95 %", acc * 100.0);
}

#[test]
fn holdout_accuracy_at_least_90_percent() {
    let acc = accuracy(
        "holdout",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/matcher_holdout.tsv"
        ),
    );
    assert!(acc >= 0.90, "held-out accuracy {:.1} % < 90 %", acc * 100.0);
}

/// A second held-out set, written after the matcher was built and never used to
/// tune it: the honest estimate of accuracy on unseen questions.
#[test]
fn fresh_accuracy_at_least_85_percent() {
    let acc = accuracy(
        "fresh",
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/matcher_fresh.tsv"),
    );
    assert!(acc >= 0.85, "fresh accuracy {:.1} % < 85 %", acc * 100.0);
}

#[test]
fn confident_answers_are_mostly_right() {
    // The conversation treats score >= 0.5 as confident: on both files, confident
    // intents must be right at least 95 % of the time.
    let m = matcher();
    let mut confident = 0;
    let mut right = 0;
    for path in [
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/questions.tsv"),
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/matcher_holdout.tsv"
        ),
    ] {
        for (_, expected, question) in rows(path) {
            let got = m.classify(&question);
            if got.intent.is_some() && got.score >= 0.5 {
                confident += 1;
                right += usize::from(got.id() == expected);
            }
        }
    }
    let precision = right as f64 / confident.max(1) as f64;
    println!("confident: {right}/{confident} right");
    assert!(
        precision >= 0.95,
        "confident precision {:.1} %",
        precision * 100.0
    );
}

#[test]
fn form_values_are_not_confident_questions() {
    let m = matcher();
    for value in [
        "张三",
        "13800138000",
        "SN20231234",
        "拉卡拉便利店",
        "6222",
        "是",
        "否",
        "2024-05-01",
        "Zhang San",
    ] {
        let got = m.classify(value);
        assert!(got.score < 0.5, "{value:?} looked like a question: {got:?}");
    }
}
