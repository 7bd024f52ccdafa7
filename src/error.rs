//! The library's error type: every fallible core call returns [`Result`].
//!
//! Errors name the file or database and the problem, so the CLI and the GUI
//! can show them as they are. The binary wraps them in `anyhow` at its edge.

use std::path::PathBuf;

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder concerned.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The archive folder does not exist or is not a folder.
    #[error("{0}: not a folder (an archive is a folder of .txt, .md or .html files)")]
    NotAFolder(PathBuf),
    /// The SQLite database failed.
    #[error("database {path}: {source}")]
    Db {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// The database was written by a newer Pizhu.
    #[error(
        "database {path} has schema version {found}, but this Pizhu only knows up to {known}: \
         it was written by a newer version of Pizhu; upgrade Pizhu to open it"
    )]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// The schema version in the file.
        found: i64,
        /// The newest schema version this build knows.
        known: i64,
    },
    /// A request named something that does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A request was malformed (bad span, unknown type, …).
    #[error("{0}")]
    Invalid(String),
    /// JSON could not be written or read.
    #[error("{context}: {source}")]
    Json {
        /// What was being read or written.
        context: String,
        /// The serde_json error.
        source: serde_json::Error,
    },
    /// CSV could not be written.
    #[error("{context}: {source}")]
    Csv {
        /// What was being written.
        context: String,
        /// The csv crate's error.
        source: csv::Error,
    },
    /// A file being imported is malformed.
    #[error("{path}: {problem}")]
    Import {
        /// The file being imported.
        path: PathBuf,
        /// What is wrong with it (with a line number where there is one).
        problem: String,
    },
}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
