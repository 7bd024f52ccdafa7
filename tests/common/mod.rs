//! Helpers shared by the integration tests: temp copies of the seed archive.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

#[cfg(feature = "gui")]
pub mod app;

/// The bundled sample archive.
pub fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds")
}

/// Copies the seeds into a fresh temp dir and returns (guard, archive path).
pub fn seed_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let arch = dir.path().join("archive");
    std::fs::create_dir_all(&arch).unwrap();
    for e in std::fs::read_dir(seeds()).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), arch.join(e.file_name())).unwrap();
        }
    }
    (dir, arch)
}

/// The seed file whose name starts with `prefix`.
pub fn seed_file(prefix: &str) -> PathBuf {
    std::fs::read_dir(seeds())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .unwrap()
}

/// Whether the tests run on CI (`CI` set to anything but `false`/`0`, as
/// CI services and `.ci/run` do).
pub fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// A test that cannot run here: on CI this FAILS (a missing tool must not
/// pass as a skip; `.ci/run` installs everything); on a developer's machine
/// it prints why it was skipped.
pub fn skip_or_fail(test: &str, reason: &str) {
    if on_ci() {
        panic!(
            "{test} cannot run on CI: {reason} (.ci/run installs it; skipping is not allowed with CI set)"
        );
    }
    println!("SKIPPED {test}: {reason}");
    eprintln!("SKIPPED {test}: {reason}");
}

/// The Insights' answers as one string: articles and per-type mentions per
/// month, date sources, top entities per type and every pair of types'
/// co-occurrences, with every row.
pub fn insights_answers(ins: &pizhu::insights::Insights) -> String {
    use pizhu::insights::Measure;
    let types = ["PER", "ORG", "LOC", "TITLE", "EVENT"];
    let mut measures = vec![Measure::Articles];
    measures.extend(types.iter().map(|t| Measure::Type(t.to_string())));
    let mut out = format!(
        "{:?}\n{:?}\n",
        ins.by_month(&measures, None),
        ins.date_sources(None)
    );
    for t in types {
        out += &format!("{t}: {:?}\n", ins.top_entities(t, usize::MAX, None));
        for u in types {
            out += &format!("{t}x{u}: {:?}\n", ins.cooccur(t, u, usize::MAX, None));
        }
    }
    out
}

/// Checks that the Insights read from the stored facts (`article_facts`,
/// `entity_names`) answer exactly as one full pass over every article's
/// text and effective entities; returns the answers.
pub fn assert_facts_match_full_pass(store: &pizhu::store::Store, what: &str) -> String {
    use pizhu::insights::Insights;
    let fast = insights_answers(&Insights::load(store).unwrap());
    let mut full = Insights::default();
    store
        .for_each_article_entities(|id, file, date, text, ents| {
            full.push(id, file, date, text, &ents);
        })
        .unwrap();
    assert!(fast.contains("PER: [("), "{what}: {fast}");
    // (Not assert_eq: the strings are long.)
    assert!(
        fast == insights_answers(&full),
        "{what}: the stored facts differ from a full pass"
    );
    fast
}
