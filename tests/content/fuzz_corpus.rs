//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`) and the crashes the fuzzers
//! once found (`fuzz/regressions/<target>/`) through the same entry points the cargo-fuzz
//! targets call (`posdesk::fuzzing`), so every property the fuzzers check is checked by
//! `cargo test` on stable too, and a fixed bug stays fixed. See `fuzz/README.md`.

use std::fs;
use std::path::{Path, PathBuf};

type Target = fn(&[u8]);

const TARGETS: [(&str, Target); 3] = [
    ("validators", posdesk::fuzzing::validators),
    ("callback_data", posdesk::fuzzing::callback_data),
    ("matcher", posdesk::fuzzing::matcher),
];

/// The files of `dir`, sorted (an absent directory has none).
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// Runs `target` on every file; fails naming every file whose properties do not hold.
fn replay(target: Target, paths: &[PathBuf]) {
    let failed: Vec<String> = paths
        .iter()
        .filter(|path| {
            let data = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            std::panic::catch_unwind(|| target(&data)).is_err()
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(failed.is_empty(), "properties violated by {failed:#?}");
}

#[test]
fn every_target_has_a_seed_corpus() {
    for (name, _) in TARGETS {
        let seeds = files(&fuzz_dir().join("corpus").join(name));
        assert!(
            seeds.len() >= 20,
            "fuzz/corpus/{name} has {} files: moved or emptied?",
            seeds.len()
        );
    }
}

#[test]
fn the_targets_are_the_fuzz_binaries() {
    // A target added to the library but not to fuzz/ (or renamed) would never be fuzzed.
    let manifest = fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap_or_default();
    for (name, _) in TARGETS {
        let source = fs::read_to_string(fuzz_dir().join(format!("fuzz_targets/{name}.rs")))
            .unwrap_or_default();
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "fuzz/Cargo.toml has no [[bin]] {name}"
        );
        assert!(
            source.contains(&format!("posdesk::fuzzing::{name}(data)")),
            "fuzz/fuzz_targets/{name}.rs does not call posdesk::fuzzing::{name}"
        );
    }
}

#[test]
fn validators_corpus() {
    replay(TARGETS[0].1, &files(&fuzz_dir().join("corpus/validators")));
}

#[test]
fn callback_data_corpus() {
    replay(
        TARGETS[1].1,
        &files(&fuzz_dir().join("corpus/callback_data")),
    );
}

#[test]
fn matcher_corpus() {
    replay(TARGETS[2].1, &files(&fuzz_dir().join("corpus/matcher")));
}

#[test]
fn regressions() {
    // A directory named after no target would silently never be replayed.
    if let Ok(entries) = fs::read_dir(fuzz_dir().join("regressions")) {
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(
                TARGETS.iter().any(|(t, _)| *t == name),
                "fuzz/regressions/{name} is not a fuzz target"
            );
        }
    }
    for (name, target) in TARGETS {
        replay(target, &files(&fuzz_dir().join("regressions").join(name)));
    }
}

#[test]
fn replay_reports_a_violated_property() {
    // The replay itself must be able to fail: a target whose property breaks on a file
    // makes it panic.
    let broken: Target = |data| assert!(data.is_empty(), "property violated");
    let outcome = std::panic::catch_unwind(|| replay(broken, &[fuzz_dir().join("Cargo.toml")]));
    assert!(outcome.is_err());
}
