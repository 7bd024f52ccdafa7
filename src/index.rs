//! Indexing an archive into the store: incremental, parallel, never
//! stopping on a bad file.
//!
//! Flow: list files → skip those whose size and mtime (or content hash) are
//! unchanged → read, decode, split, clean and extract the rest in parallel
//! (rayon, in chunks to bound memory) → store each file in its own
//! transaction, re-anchoring annotations. Files gone from disk are removed
//! and their annotations kept as orphans. When the extractor's version
//! changes, every stored article is re-extracted.

use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;

use crate::archive::{self, FileKind, SourceFile};
use crate::error::Result;
use crate::extract::{Extractor, Lexicon, extract_with_lexicon};
use crate::split::split_articles;
use crate::store::{IndexedFile, Store, content_hash};

/// Options for [`index_archive`].
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Files larger than this are skipped.
    pub max_file_bytes: u64,
    /// Re-read every file even when unchanged.
    pub force: bool,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            max_file_bytes: archive::DEFAULT_MAX_FILE_BYTES,
            force: false,
        }
    }
}

/// Progress reported while indexing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Files handled so far.
    pub done: usize,
    /// Files to handle.
    pub total: usize,
}

/// What an indexing run did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexSummary {
    /// Files in the archive.
    pub files: usize,
    /// Files (re)read this run.
    pub files_read: usize,
    /// Files removed from the archive since the last run.
    pub files_removed: usize,
    /// Articles in the archive after the run.
    pub articles: usize,
    /// Automatic entities in the archive after the run.
    pub entities: usize,
    /// Files skipped, with reasons (this run and earlier ones still failing).
    pub skipped: Vec<(String, String)>,
    /// Annotations moved to follow changed text.
    pub reanchored: usize,
    /// Annotations that could not be placed (kept as orphans).
    pub orphaned: usize,
    /// Articles re-extracted because the extractor changed.
    pub reextracted: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Problems that did not stop a file, as (relative path, message): files
    /// read this run with invalid bytes (shown as U+FFFD), links not followed,
    /// link loops, folders that could not be listed, export folders left out.
    pub warnings: Vec<(String, String)>,
}

/// `Indexed`: the file and how many of its bytes were invalid.
enum Outcome {
    Indexed(IndexedFile, usize),
    Skipped { reason: String },
    Unchanged,
}

fn process(
    file: &SourceFile,
    known_hash: Option<&str>,
    opts: &IndexOptions,
    ex: &dyn Extractor,
    lex: &Lexicon,
) -> Outcome {
    let (bytes, decoded) = match archive::read_file(&file.path, opts.max_file_bytes) {
        Ok(ok) => ok,
        Err(reason) => {
            return Outcome::Skipped {
                reason: reason.to_string(),
            };
        }
    };
    let hash = content_hash(&bytes);
    if !opts.force && known_hash == Some(hash.as_str()) {
        return Outcome::Unchanged;
    }
    let parsed = if file.kind == FileKind::Html {
        let (visible, map) = archive::strip_html(&decoded.text);
        split_articles(&visible, Some(&map))
    } else {
        split_articles(&decoded.text, None)
    };
    if parsed.is_empty() {
        return Outcome::Skipped {
            reason: "no article text found".into(),
        };
    }
    let articles = parsed
        .into_iter()
        .map(|a| {
            let ents = extract_with_lexicon(ex, lex, &a.text);
            (a, ents)
        })
        .collect();
    let invalid = decoded.invalid_bytes;
    Outcome::Indexed(
        IndexedFile {
            rel: file.rel.clone(),
            size: file.size,
            mtime: file.mtime,
            hash,
            encoding: decoded.encoding,
            raw_text: decoded.text,
            articles,
        },
        invalid,
    )
}

/// Indexes `root` into `store` with `extractor`; `progress` is called after
/// each chunk of files.
pub fn index_archive(
    root: &Path,
    store: &mut Store,
    extractor: &dyn Extractor,
    opts: &IndexOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<IndexSummary> {
    let t0 = Instant::now();
    let skip_dir = store.path().parent().map(Path::to_path_buf);
    let listing = archive::list_archive(root, skip_dir.as_deref())?;
    let files = listing.files;
    let states = store.file_states()?;
    let lexicon = store.lexicon()?;
    let version = format!("{}|{}", extractor.version(), crate::split::SPLIT_VERSION);
    let version_changed = store.meta("extractor_version")?.as_deref() != Some(version.as_str());
    let mut summary = IndexSummary {
        files: files.len(),
        warnings: listing.problems,
        ..Default::default()
    };
    store.set_bulk_mode(true)?;
    // A changed cleaning/splitting or extractor version re-reads every file.
    let force = opts.force || version_changed;
    let todo: Vec<&SourceFile> = files
        .iter()
        .filter(|f| {
            force
                || states
                    .get(&f.rel)
                    .is_none_or(|s| s.size != f.size || s.mtime != f.mtime || s.error.is_some())
        })
        .collect();
    let total = todo.len();
    let run_opts = IndexOptions {
        force,
        ..opts.clone()
    };
    let mut done = 0;
    progress(Progress { done, total });
    for chunk in todo.chunks(64) {
        let outcomes: Vec<Outcome> = chunk
            .par_iter()
            .map(|f| {
                let known = states.get(&f.rel).and_then(|s| s.hash.as_deref());
                process(f, known, &run_opts, extractor, &lexicon)
            })
            .collect();
        for (f, outcome) in chunk.iter().zip(outcomes) {
            match outcome {
                Outcome::Indexed(file, invalid) => {
                    if invalid > 0 {
                        summary.warnings.push((
                            f.rel.clone(),
                            format!("{invalid} invalid bytes as {} (shown as �)", file.encoding),
                        ));
                    }
                    let r = store.store_file(&file)?;
                    summary.files_read += 1;
                    summary.reanchored += r.placed;
                    summary.orphaned += r.orphaned;
                }
                Outcome::Skipped { reason } => {
                    let r = store.record_skipped(&f.rel, f.size, f.mtime, &reason)?;
                    summary.orphaned += r.orphaned;
                }
                Outcome::Unchanged => store.touch_file(&f.rel, f.size, f.mtime)?,
            }
        }
        done += chunk.len();
        progress(Progress { done, total });
    }
    let present: HashSet<&str> = files.iter().map(|f| f.rel.as_str()).collect();
    for rel in states.keys().filter(|r| !present.contains(r.as_str())) {
        let r = store.remove_file(rel)?;
        summary.files_removed += 1;
        summary.orphaned += r.orphaned;
    }
    store.set_meta("extractor_version", &version)?;
    let abs_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    store.set_meta("archive_root", &abs_root.to_string_lossy())?;
    store.set_bulk_mode(false)?;
    summary.articles = store.article_count()?;
    summary.entities = store.entity_count()?;
    summary.skipped = store.skipped_files()?;
    summary.seconds = t0.elapsed().as_secs_f64();
    Ok(summary)
}

/// Re-extracts the articles containing `needle` (all when empty) with the
/// current lexicon; returns how many articles were updated.
pub fn reextract(store: &mut Store, extractor: &dyn Extractor, needle: &str) -> Result<usize> {
    let lexicon = store.lexicon()?;
    let ids = store.article_ids_containing(needle)?;
    let mut n = 0;
    for chunk in ids.chunks(256) {
        let texts: Vec<(String, String)> = chunk
            .iter()
            .map(|id| store.article(id).map(|a| (a.id, a.text)))
            .collect::<Result<_>>()?;
        let results: Vec<_> = texts
            .par_iter()
            .map(|(id, text)| (id, extract_with_lexicon(extractor, &lexicon, text)))
            .collect();
        store.set_bulk_mode(true)?;
        for (id, ents) in results {
            store.replace_auto_entities(id, &ents)?;
            n += 1;
        }
        store.set_bulk_mode(false)?;
    }
    Ok(n)
}
