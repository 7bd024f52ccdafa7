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
