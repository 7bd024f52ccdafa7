//! Indexing an archive into the store: incremental, parallel, never
//! stopping on a bad file.
//!
//! Flow: list files → skip those whose size and mtime (or content hash) are
//! unchanged → read, decode, split, clean and extract the rest in parallel
//! (rayon, in chunks to bound memory) on a producer thread, while this
//! thread stores the previous chunk → files are stored in batches (one
//! transaction per batch, a savepoint per file, `synchronous=NORMAL`),
//! re-anchoring annotations. Files gone from disk are removed and their
//! annotations kept as orphans (reviewed marks and tags are kept by article
//! id); files under a folder that cannot be listed are kept and reported.
//! When the extractor's version changes, every stored article is
//! re-extracted. Work recorded as pending (an interrupted re-extraction
//! after a lexicon change) is finished at the end of a run.
//!
//! Freshness: a complete run records every folder's modification time;
//! [`looks_unchanged`] compares them (a few `stat` calls, no walk), so
//! commands on an unchanged archive answer at once. Adding, removing or
//! renaming a file changes its folder's time; a file rewritten in place
//! (same name) does not, and is picked up by the next `pizhu index`.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::archive::{self, FileKind, SourceFile};
use crate::error::{Error, Result};
use crate::extract::{Extractor, Lexicon, extract_with_lexicon};
use crate::split::split_articles;
use crate::store::{IndexedFile, Store, TextDict, content_hash, dict};

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
    /// Files that disappeared this run, with why (deleted, folder gone…);
    /// their annotations, reviewed marks and tags are kept.
    pub removed: Vec<(String, String)>,
    /// Files not seen because their folder could not be listed: kept as
    /// they were, with the reason.
    pub unlisted: Vec<(String, String)>,
    /// Annotations moved to follow changed text.
    pub reanchored: usize,
    /// Annotations that could not be placed (kept as orphans).
    pub orphaned: usize,
    /// Articles re-extracted because the extractor changed or a lexicon
    /// change had left them pending.
    pub reextracted: usize,
    /// Bytes this process wrote to disk during the run (Linux
    /// `/proc/self/io`, 0 elsewhere).
    pub bytes_written: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Problems that did not stop a file, as (relative path, message): files
    /// read this run with invalid bytes (shown as U+FFFD), links not followed,
    /// link loops, folders that could not be listed, export folders left out.
    pub warnings: Vec<(String, String)>,
}

/// Bytes written by this process so far (`write_bytes` of `/proc/self/io`;
/// 0 where it cannot be read).
pub fn process_write_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/io")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("write_bytes:"))
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or(0)
}

/// The version string that, when it changes, makes indexing re-read
/// everything.
pub fn index_version(extractor: &dyn Extractor) -> String {
    format!("{}|{}", extractor.version(), crate::split::SPLIT_VERSION)
}

fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i64)
}

/// Every folder of the archive (not hidden, not the database's) with its
/// modification time in nanoseconds; `""` is the root.
fn folder_times(root: &Path, skip_dir: Option<&Path>) -> Vec<(String, i64)> {
    let skip = skip_dir.and_then(|d| d.canonicalize().ok());
    let mut out = Vec::new();
    let walker = walkdir::WalkDir::new(root).follow_links(true).into_iter();
    for entry in walker.filter_entry(|e| {
        let hidden = e.depth() > 0 && e.file_name().to_str().is_some_and(|n| n.starts_with('.'));
        e.file_type().is_dir()
            && !hidden
            && skip
                .as_ref()
                .is_none_or(|s| e.path().canonicalize().ok().as_ref() != Some(s))
    }) {
        let Ok(entry) = entry else { continue };
        let Ok(meta) = entry.metadata() else { continue };
        let rel = entry
            .path()
            .strip_prefix(root)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        out.push((rel, mtime_ns(&meta)));
    }
    out
}

/// Whether the archive looks unchanged since the last complete index run,
/// from the folders' modification times alone (one `stat` per folder, no
/// walk of the files): the extractor is the same, no work is pending,
/// every recorded folder still has its recorded time. A file added,
/// removed or renamed changes its folder's time; a file rewritten in place
/// does not (run `pizhu index` for those).
pub fn looks_unchanged(root: &Path, store: &Store, extractor: &dyn Extractor) -> Result<bool> {
    looks_unchanged_as(root, store, &index_version(extractor))
}

/// [`looks_unchanged`] for a known [`index_version`] (so a caller that knows
/// it need not load the extractor). Cheap enough to poll (the GUI can call
/// it every few seconds and index when it turns false).
pub fn looks_unchanged_as(root: &Path, store: &Store, version: &str) -> Result<bool> {
    if store.meta("extractor_version")?.as_deref() != Some(version) {
        return Ok(false);
    }
    let canon = root.canonicalize().map_err(|e| Error::io(root, e))?;
    if store.meta("archive_root")?.as_deref() != Some(canon.to_string_lossy().as_ref()) {
        return Ok(false);
    }
    if !store.pending()?.is_empty() {
        return Ok(false);
    }
    let dirs = store.dir_states()?;
    if dirs.is_empty() {
        return Ok(false);
    }
    for (rel, mtime) in dirs {
        let path = if rel.is_empty() {
            root.to_path_buf()
        } else {
            root.join(&rel)
        };
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() && mtime_ns(&m) == mtime => {}
            _ => return Ok(false),
        }
    }
    Ok(true)
}

/// Why a known file was not found: `Err(reason)` when its folder could not
/// be listed (the file is kept), `Ok(reason)` when it is really gone.
fn why_missing(root: &Path, rel: &str) -> std::result::Result<String, String> {
    let mut dir = root.join(rel);
    let mut gone_folder: Option<String> = None;
    while dir.pop() {
        if !dir.starts_with(root) {
            break;
        }
        if dir.is_dir() {
            if std::fs::read_dir(&dir).is_err() {
                return Err(format!(
                    "folder {} could not be listed; kept as it was",
                    dir.display()
                ));
            }
            return Ok(match gone_folder {
                Some(f) => format!("folder {f} is gone"),
                None => "deleted or moved".into(),
            });
        }
        gone_folder = Some(dir.strip_prefix(root).unwrap_or(&dir).display().to_string());
    }
    Ok("archive folder is gone".into())
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
    dict: Option<TextDict>,
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
        IndexedFile::with_dict(
            file.rel.clone(),
            file.size,
            file.mtime,
            hash,
            decoded.encoding,
            articles,
            dict,
        ),
        invalid,
    )
}

/// Trains the database's text dictionary during an index run: collects the
/// first texts stored (up to [`dict::SAMPLE_BYTES`]), trains on a thread of
/// its own, then stores the dictionary and compresses again the texts stored
/// before it (see [`crate::store::dict`]).
#[derive(Default)]
struct DictTrainer<'scope> {
    samples: Vec<String>,
    bytes: usize,
    /// Articles stored without the dictionary in this run.
    plain: Vec<String>,
    running: Option<std::thread::ScopedJoinHandle<'scope, Option<Vec<u8>>>>,
    done: bool,
}

impl<'scope> DictTrainer<'scope> {
    fn collect(&mut self, file: &IndexedFile) {
        if self.done {
            return;
        }
        self.plain.extend(file.article_ids().map(str::to_string));
        if self.running.is_none() && self.bytes < dict::SAMPLE_BYTES {
            for t in file.texts() {
                self.bytes += t.len();
                self.samples.push(t.to_string());
            }
        }
    }

    /// Enough samples collected and no training started yet.
    fn ready(&self) -> bool {
        !self.done && self.running.is_none() && self.bytes >= dict::SAMPLE_BYTES
    }

    fn start<'env>(&mut self, scope: &'scope std::thread::Scope<'scope, 'env>) {
        let samples = std::mem::take(&mut self.samples);
        self.running = Some(scope.spawn(move || dict::train(&samples)));
    }

    /// Installs the trained dictionary once training is over (`wait`: wait
    /// for it, or train now on what was collected if it never started).
    fn finish(&mut self, store: &Store, wait: bool) -> Result<Option<TextDict>> {
        if self.done {
            return Ok(None);
        }
        let bytes = match self.running.take() {
            Some(h) if wait || h.is_finished() => h.join().ok().flatten(),
            Some(h) => {
                self.running = Some(h);
                return Ok(None);
            }
            None if wait => dict::train(&std::mem::take(&mut self.samples)),
            None => return Ok(None),
        };
        self.done = true;
        self.samples = Vec::new();
        let Some(bytes) = bytes else {
            return Ok(None);
        };
        let d = store.add_text_dict(&bytes)?;
        store.recompress_texts(&std::mem::take(&mut self.plain), d)?;
        Ok(Some(d))
    }
}

/// Files per parallel chunk (bounds memory), and a batch commits after
/// this many files or this much time, whichever comes first. A crash loses
/// at most the uncommitted batch: those files' stored state did not change,
/// so the next run reads them again.
const CHUNK: usize = 64;
const BATCH_FILES: usize = 4096;
const BATCH_TIME: Duration = Duration::from_secs(10);

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
    let written0 = process_write_bytes();
    if store.is_read_only() {
        return Err(Error::Invalid(format!(
            "database {} is read-only: cannot index (make its folder writable, or pass --db)",
            store.path().display()
        )));
    }
    let skip_dir = store.path().parent().map(Path::to_path_buf);
    // Folder times are read before the files are listed: a change made
    // during the run shows as a changed time at the next check.
    let dirs = folder_times(root, skip_dir.as_deref());
    let listing = archive::list_archive(root, skip_dir.as_deref())?;
    let files = listing.files;
    let states = store.file_states()?;
    let lexicon = store.lexicon()?;
    let version = index_version(extractor);
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
    progress(Progress { done: 0, total });
    let text_dict = std::sync::OnceLock::<TextDict>::new();
    if let Some(d) = store.text_dict() {
        let _ = text_dict.set(d);
    }
    let stored = std::thread::scope(|scope| -> Result<()> {
        // Extraction runs ahead on a producer thread (two chunks at most),
        // so storing one chunk overlaps extracting the next.
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<Outcome>)>(2);
        let states = &states;
        let lexicon = &lexicon;
        let todo = &todo;
        let run_opts = &run_opts;
        // The database's text dictionary: the one it has, else one trained
        // (on a thread of its own) from the first texts this run stores;
        // the extraction threads compress with it from the next chunk on.
        let text_dict = &text_dict;
        let mut trainer = DictTrainer::default();
        scope.spawn(move || {
            for (i, chunk) in todo.chunks(CHUNK).enumerate() {
                let dict = text_dict.get().copied();
                let outcomes: Vec<Outcome> = chunk
                    .par_iter()
                    .map(|f| {
                        let known = states.get(&f.rel).and_then(|s| s.hash.as_deref());
                        process(f, known, run_opts, extractor, lexicon, dict)
                    })
                    .collect();
                if tx.send((i, outcomes)).is_err() {
                    break;
                }
            }
        });
        let mut done = 0;
        let mut in_batch = 0;
        let mut batch_start = Instant::now();
        store.begin_batch()?;
        for (i, outcomes) in rx {
            let chunk = &todo[i * CHUNK..(i * CHUNK + outcomes.len())];
            for (f, outcome) in chunk.iter().zip(outcomes) {
                match outcome {
                    Outcome::Indexed(file, invalid) => {
                        if invalid > 0 {
                            summary.warnings.push((
                                f.rel.clone(),
                                format!(
                                    "{invalid} invalid bytes as {} (shown as �)",
                                    file.encoding
                                ),
                            ));
                        }
                        let r = store.store_file(&file)?;
                        if text_dict.get().is_none() && !file.has_dict() {
                            trainer.collect(&file);
                        }
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
            if text_dict.get().is_none() {
                if trainer.ready() {
                    trainer.start(scope);
                }
                if let Some(d) = trainer.finish(store, false)? {
                    let _ = text_dict.set(d);
                }
            }
            done += chunk.len();
            in_batch += chunk.len();
            // The first chunk commits at once, so a reader (the GUI's list)
            // sees articles within a second of the start.
            if done == chunk.len() || in_batch >= BATCH_FILES || batch_start.elapsed() >= BATCH_TIME
            {
                store.commit_batch()?;
                store.begin_batch()?;
                in_batch = 0;
                batch_start = Instant::now();
            }
            progress(Progress { done, total });
        }
        if text_dict.get().is_none() {
            trainer.finish(store, true)?;
        }
        store.commit_batch()
    });
    if let Err(e) = stored {
        store.rollback_batch();
        let _ = store.set_bulk_mode(false);
        return Err(e);
    }
    let present: HashSet<&str> = files.iter().map(|f| f.rel.as_str()).collect();
    let mut missing: Vec<&String> = states
        .keys()
        .filter(|r| !present.contains(r.as_str()))
        .collect();
    missing.sort();
    let mut why: HashMap<String, std::result::Result<String, String>> = HashMap::new();
    let finish = |store: &mut Store, summary: &mut IndexSummary| -> Result<()> {
        store.begin_batch()?;
        for rel in missing {
            let parent = rel.rsplit_once('/').map_or("", |(d, _)| d).to_string();
            let reason = why
                .entry(parent)
                .or_insert_with(|| why_missing(root, rel))
                .clone();
            match reason {
                Ok(reason) => {
                    let r = store.remove_file(rel)?;
                    summary.files_removed += 1;
                    summary.orphaned += r.orphaned;
                    summary.removed.push((rel.clone(), reason));
                }
                Err(reason) => summary.unlisted.push((rel.clone(), reason)),
            }
        }
        store.set_meta("extractor_version", &version)?;
        let canon = root.canonicalize().map_err(|e| Error::io(root, e))?;
        store.set_meta("archive_root", &canon.to_string_lossy())?;
        store.commit_batch()
    };
    if let Err(e) = finish(store, &mut summary) {
        store.rollback_batch();
        let _ = store.set_bulk_mode(false);
        return Err(e);
    }
    // Folder times are recorded only when every folder could be listed
    // (otherwise the next command checks again).
    if summary.unlisted.is_empty() {
        store.set_dir_states(&dirs)?;
    } else {
        store.set_dir_states(&[])?;
    }
    summary.reextracted += finish_pending(store, extractor)?;
    store.set_bulk_mode(false)?;
    summary.articles = store.article_count()?;
    summary.entities = store.entity_count()?;
    summary.skipped = store.skipped_files()?;
    summary.bytes_written = process_write_bytes().saturating_sub(written0);
    summary.seconds = t0.elapsed().as_secs_f64();
    Ok(summary)
}

/// Finishes work recorded as pending (re-extractions after a lexicon change
/// that a crash or a closed window interrupted); returns the articles
/// re-extracted.
pub fn finish_pending(store: &mut Store, extractor: &dyn Extractor) -> Result<usize> {
    let mut n = 0;
    for (_, kind, arg) in store.pending()? {
        if kind == crate::edit::PENDING_REEXTRACT {
            n += reextract(store, extractor, &arg)?;
        }
    }
    Ok(n)
}

/// Re-extracts the articles containing `needle` (all when empty) with the
/// current lexicon, in one transaction, and marks the pending work for
/// `needle` done in it; returns how many articles were updated.
/// Extracts the articles `ids` again with `extractor` and the store's
/// lexicon, in chunks of 256 extracted in parallel, replacing their
/// automatic entities (the user's annotations are kept as they are).
/// Returns how many were re-extracted. The caller chooses the transaction
/// and bulk mode.
pub fn reextract_ids(store: &Store, extractor: &dyn Extractor, ids: &[String]) -> Result<usize> {
    let lexicon = store.lexicon()?;
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
        for (id, ents) in results {
            store.replace_auto_entities(id, &ents)?;
            n += 1;
        }
    }
    Ok(n)
}

pub fn reextract(store: &mut Store, extractor: &dyn Extractor, needle: &str) -> Result<usize> {
    store.set_bulk_mode(true)?;
    let result = store.atomically(|store| {
        let ids = store.article_ids_containing(needle)?;
        let n = reextract_ids(store, extractor, &ids)?;
        for (id, kind, arg) in store.pending()? {
            if kind == crate::edit::PENDING_REEXTRACT && arg == needle {
                store.finish_pending(id)?;
            }
        }
        Ok(n)
    });
    store.set_bulk_mode(false)?;
    result
}
