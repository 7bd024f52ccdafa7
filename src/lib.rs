//! Pizhu 批注: the headless core of a reader and annotator for archives of
//! Chinese news articles.
//!
//! The core modules never depend on a GUI toolkit; the egui shell lives in
//! `ui`, compiled only with the `gui` feature. Modules:
//! - [`archive`] — finding files, decoding them (UTF-8, UTF-16, GB18030…).
//! - [`split`] — splitting files into articles, cleaning, the offset map.
//! - [`extract`] — the [`extract::Extractor`] interface, entities, lexicon.
//! - [`store`] — the SQLite store (schema, search, annotations, tags).
//! - [`anchor`] — re-anchoring annotations when text changes.
//! - [`edit`] — user edits as commands, with undo and redo.
//! - [`index`] — incremental, parallel indexing.
//! - [`export`] — exports in every format, and imports of annotations.
//! - [`offsets`] — the one code-point ↔ byte conversion.
//!
//! Invariant: every offset is a Unicode scalar offset into the cleaned
//! article text, end exclusive.

pub mod anchor;
pub mod archive;
pub mod chars;
pub mod edit;
pub mod error;
pub mod export;
pub mod extract;
pub mod index;
pub mod insights;
pub mod lexdata;
pub mod offsets;
pub mod split;
pub mod store;
pub mod teams;
#[cfg(feature = "gui")]
pub mod ui;

use std::path::{Path, PathBuf};

pub use error::{Error, Result};

/// Where an archive's database lives, and whether it had to fall back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbLocation {
    /// The database file.
    pub path: PathBuf,
    /// Set when the archive folder was read-only and had no database, so
    /// the database went to the user's data directory instead.
    pub fallback: bool,
    /// Whether the database (and its folder) can be written. A database
    /// that exists in a read-only folder is used read-only, never swapped
    /// for another one.
    pub writable: bool,
}

/// Whether files can be created in `dir` (it is created if missing).
fn dir_writable(dir: &Path) -> bool {
    std::fs::create_dir_all(dir).is_ok() && {
        let probe = dir.join(format!(".write-test-{}", std::process::id()));
        let ok = std::fs::write(&probe, b"").is_ok();
        let _ = std::fs::remove_file(&probe);
        ok
    }
}

/// Whether the database at `path` can be written: its folder is writable
/// and the file (if it exists) is not read-only.
fn db_writable(path: &Path) -> bool {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    dir_writable(dir) && std::fs::metadata(path).map_or(true, |m| !m.permissions().readonly())
}

/// The database for `archive`: `explicit` if given, else
/// `<archive>/.pizhu/pizhu.sqlite` (read-only if that folder cannot be
/// written: it is never replaced by another database), else, for a
/// read-only archive without a database, a file in the user's data
/// directory named after the archive's path.
pub fn db_location(archive: &Path, explicit: Option<&Path>) -> Result<DbLocation> {
    if let Some(p) = explicit {
        return Ok(DbLocation {
            path: p.to_path_buf(),
            fallback: false,
            writable: db_writable(p),
        });
    }
    if !archive.is_dir() {
        return Err(Error::NotAFolder(archive.to_path_buf()));
    }
    let dir = archive.join(archive::DATA_DIR);
    let path = dir.join("pizhu.sqlite");
    if path.is_file() || dir_writable(&dir) {
        return Ok(DbLocation {
            writable: db_writable(&path),
            path,
            fallback: false,
        });
    }
    let canon = archive
        .canonicalize()
        .unwrap_or_else(|_| archive.to_path_buf());
    let name = format!(
        "{}.sqlite",
        store::content_hash(canon.to_string_lossy().as_bytes())
    );
    let base = directories::ProjectDirs::from("", "", "pizhu")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(std::env::temp_dir);
    let path = base.join("archives").join(name);
    Ok(DbLocation {
        writable: db_writable(&path),
        path,
        fallback: true,
    })
}
