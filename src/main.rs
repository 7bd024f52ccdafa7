//! The `pizhu` command line: opens the GUI, or runs a headless subcommand.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use pizhu::export::Format;
use pizhu::extract::{EntityType, Extractor, NewsExtractor};
use pizhu::index::{IndexOptions, IndexSummary, Progress, index_archive, reextract};
use pizhu::store::Store;

/// Pizhu 批注: read and annotate archives of Chinese news articles.
#[derive(Parser, Debug)]
#[command(name = "pizhu", version, args_conflicts_with_subcommands = true)]
struct Cli {
    /// Archive folder to open in the GUI (default: the last one).
    archive: Option<PathBuf>,
    /// Database file (default: ARCHIVE/.pizhu/pizhu.sqlite).
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    /// Answer from the database as it is: no check for changed files
    /// (commands other than `index` otherwise refresh the index when a
    /// folder's modification time changed).
    #[arg(long, global = true)]
    no_refresh: bool,
    /// Whose work to read and write (teams): default the archive's saved
    /// annotator (`pizhu annotators ARCHIVE --use NAME`, the GUI's
    /// settings; `default` for an archive annotated before teams), else
    /// $USER / $USERNAME, else `default`. `export` defaults to the curated
    /// set of the last `merge` once there is one.
    #[arg(long, global = true, value_name = "NAME")]
    annotator: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Index (incrementally) an archive folder and print a summary.
    Index {
        /// Archive folder.
        archive: PathBuf,
        /// Re-read every file even if unchanged.
        #[arg(long)]
        force: bool,
        /// Largest file to read, in MB.
        #[arg(long, default_value_t = 50)]
        max_file_mb: u64,
    },
    /// Export articles and annotations (after your corrections).
    Export {
        /// Archive folder.
        archive: PathBuf,
        /// Format: jsonl, conll, brat, csv, labelstudio, w3c, markdown or html.
        #[arg(long, default_value = "jsonl")]
        format: String,
        /// Output file, or - for standard output (brat: a folder).
        #[arg(long, default_value = "-")]
        out: PathBuf,
        /// Only articles marked as reviewed.
        #[arg(long)]
        only_reviewed: bool,
        /// CoNLL: one `char` per line (default) or one `jieba` token per line.
        #[arg(long, default_value = "char")]
        tokens: String,
        /// CSV: `entities` (default) or `highlights` (with notes).
        #[arg(long, default_value = "entities")]
        what: String,
    },
    /// Import annotations made elsewhere (jsonl, brat folder or W3C JSON-LD).
    Import {
        /// Archive folder.
        archive: PathBuf,
        /// Format: jsonl, brat or w3c.
        #[arg(long)]
        format: String,
        /// The file (brat: the folder, or one .ann file).
        path: PathBuf,
    },
    /// Full-text search; lists matching articles with a snippet.
    Search {
        /// Archive folder.
        archive: PathBuf,
        /// Query: every whitespace-separated term must occur.
        query: String,
        /// Most results to print.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Counts per entity type and the most frequent entities.
    Stats {
        /// Archive folder.
        archive: PathBuf,
        /// How many frequent entities to list.
        #[arg(long, default_value_t = 20)]
        top: usize,
        /// Counts over time instead: `month` (articles per month; undated apart).
        #[arg(long)]
        by: Option<String>,
        /// With --by: articles mentioning this entity per month (repeatable).
        #[arg(long)]
        entity: Vec<String>,
        /// With --by: only entities of this type (alone: its mentions per month,
        /// each entity once per article).
        #[arg(long = "type")]
        type_: Option<String>,
        /// With --by: table, csv or json.
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// Pairs of entities appearing in the same article, with article counts.
    Cooccur {
        /// Archive folder.
        archive: PathBuf,
        /// Type of the first entity of each pair.
        #[arg(long = "type", default_value = "PER")]
        type_: String,
        /// Type of the second entity.
        #[arg(long, default_value = "ORG")]
        with: String,
        /// How many pairs to list (most articles first).
        #[arg(long, default_value_t = 20)]
        top: usize,
        /// table, csv or json.
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// Every article's date and where it came from (text, text+path, path, undated).
    Dates {
        /// Archive folder.
        archive: PathBuf,
    },
    /// Who's who: every person with their titles, organisations and articles.
    People {
        /// Archive folder.
        archive: PathBuf,
    },
    /// Throughput of raw jieba tagging and of full extraction, and start-up time;
    /// with --store, every scale figure (index time and bytes written against
    /// extraction alone, database size, start-up, search, stats, apply-to-all).
    Bench {
        /// Archive folder (its articles are the benchmark text).
        archive: PathBuf,
        /// Measure the store: index a copy of the database from scratch
        /// (in a temporary folder beside it) and time every command.
        #[arg(long)]
        store: bool,
        /// Time the Insights' loads and every chart query on the indexed
        /// archive as it is (no re-index), and the whole `stats --by month`
        /// and `cooccur` commands.
        #[arg(long)]
        insights: bool,
    },
    /// Print the entities found in TEXT (and, with --tokens, jieba's tags).
    Extract {
        /// The text.
        text: String,
        /// Also print the tagged tokens.
        #[arg(long)]
        tokens: bool,
        /// Use this tagger model instead of the shipped one.
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// Score the extractor on a character-per-line BIO file (exact spans).
    Eval {
        /// BIO file: one character and its tag per line, blank line between sentences.
        bio_file: PathBuf,
        /// Types to score, comma-separated.
        #[arg(long, default_value = "PER,LOC,ORG")]
        types: String,
        /// Also print every false positive (FP) and false negative (FN).
        #[arg(long)]
        errors: bool,
        /// Score this tagger model instead of the shipped one.
        #[arg(long)]
        model: Option<PathBuf>,
        /// Score the rules alone (no tagger).
        #[arg(long, conflicts_with = "model")]
        rules: bool,
        /// Score runs of N consecutive sentences as one article each (the
        /// article-level steps see them together; spans still exact).
        #[arg(long, default_value_t = 1, conflicts_with = "archive")]
        group: usize,
        /// Score file-level entity sets instead: BIO_FILE is a folder of
        /// `STEM.tsv` gold sets (`tests/gold`), ARCHIVE the files they describe.
        #[arg(long)]
        archive: Option<PathBuf>,
    },
    /// Train the tagger: `--corpus FILE.bio … --out MODEL` trains from
    /// corpora (reproducibly); `ARCHIVE` adapts the shipped model to the
    /// archive's reviewed articles and re-extracts the unreviewed ones.
    Train {
        /// Archive folder (learn from its reviewed articles).
        archive: Option<PathBuf>,
        /// Training corpus: BMES or BIO, one character and its tag a line.
        #[arg(long, conflicts_with = "archive")]
        corpus: Vec<PathBuf>,
        /// Where to write the trained model.
        #[arg(long, requires = "corpus")]
        out: Option<PathBuf>,
        /// Extra development file scored after each epoch (never trained on).
        #[arg(long, requires = "corpus")]
        dev: Vec<PathBuf>,
        /// Passes over the training data.
        #[arg(long, default_value_t = pizhu::extract::train::TrainOptions::default().epochs)]
        epochs: usize,
        /// Hash table size in bits (the model has 2^bits × 16 bytes).
        #[arg(long, default_value_t = pizhu::extract::train::TrainOptions::default().bits)]
        bits: u32,
        /// Hold out every N-th sentence (temperature, held-out F1); 0: none.
        #[arg(long, default_value_t = pizhu::extract::train::TrainOptions::default().holdout)]
        holdout: usize,
        /// Seed of the epoch order.
        #[arg(long, default_value_t = pizhu::extract::train::TrainOptions::default().seed)]
        seed: u64,
        /// Share of sentences learned without their character/word features.
        #[arg(long, default_value_t = pizhu::extract::train::TrainOptions::default().dropout)]
        dropout: f32,
        /// Jackknife folds of the names-seen-in-training feature.
        #[arg(long, default_value_t = pizhu::extract::train::TrainOptions::default().folds)]
        folds: usize,
        /// Print the adaptation learning curve on FILE.bio (adapt the shipped
        /// model to 0, 10, 50, 200 of its first two thirds, score the last third).
        #[arg(long, conflicts_with_all = ["archive", "corpus"])]
        curve: Option<PathBuf>,
        /// Archive: go back to the shipped model (delete the adapted one).
        #[arg(long, conflicts_with = "corpus")]
        reset: bool,
    },
    /// Review order: the automatic entities the model is least sure of.
    Review {
        /// Archive folder.
        archive: PathBuf,
        /// How many entities to list.
        #[arg(long, default_value_t = 30)]
        limit: usize,
    },
    /// Teams: the archive's annotators and what each made (* = current).
    Annotators {
        /// Archive folder.
        archive: PathBuf,
        /// Save NAME as the archive's annotator (the default of every
        /// command and of the GUI on this archive).
        #[arg(long, value_name = "NAME")]
        r#use: Option<String>,
        /// Give everything annotator OLD made to NEW (who must have no work yet).
        #[arg(long, num_args = 2, value_names = ["OLD", "NEW"])]
        rename: Option<Vec<String>>,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Teams: inter-annotator agreement per type and overall, for every pair
    /// (exact-span F1, Cohen's kappa on characters) and Fleiss' kappa for three
    /// or more, over the articles both (all) reviewed.
    Agreement {
        /// Archive folder.
        archive: PathBuf,
        /// Annotators to compare, comma-separated (default: all but curated sets).
        #[arg(long, value_name = "A,B,…")]
        annotators: Option<String>,
        /// Types, comma-separated (default: every type used).
        #[arg(long, value_name = "PER,LOC,…")]
        types: Option<String>,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Count the articles both annotated (made an entity decision in)
        /// instead of those both marked reviewed.
        #[arg(long)]
        annotated: bool,
    },
    /// Teams: merge annotators' entities into a curated set; lists the
    /// conflicts it could not settle (left out of the set).
    Merge {
        /// Archive folder.
        archive: PathBuf,
        /// Annotators to merge, comma-separated (two or more).
        #[arg(long, value_name = "A,B,…")]
        annotators: String,
        /// Name of the curated set written.
        #[arg(long, value_name = "NAME")]
        into: String,
        /// majority, union or prefer:NAME.
        #[arg(long, default_value = "majority")]
        strategy: String,
        /// Voters per article: those who annotated it, not those who reviewed it.
        #[arg(long)]
        annotated: bool,
        /// JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The learned lexicon (the same operations as "apply to all occurrences").
    Lexicon {
        #[command(subcommand)]
        action: LexiconCmd,
    },
}

#[derive(Subcommand, Debug)]
enum LexiconCmd {
    /// Tag TEXT as TYPE everywhere in the archive.
    Add {
        /// Archive folder.
        archive: PathBuf,
        /// The word.
        text: String,
        /// PER, LOC, ORG, TITLE, DATE, MONEY or a custom type.
        r#type: String,
    },
    /// Never tag TEXT as an entity.
    Reject {
        /// Archive folder.
        archive: PathBuf,
        /// The word.
        text: String,
    },
    /// Forget a lexicon entry.
    Remove {
        /// Archive folder.
        archive: PathBuf,
        /// The word.
        text: String,
    },
    /// List the lexicon (action, word, type, who made the entry).
    List {
        /// Archive folder.
        archive: PathBuf,
    },
}

fn main() {
    // Like other Unix filters, end quietly when the reader of stdout goes
    // away (`pizhu extract … | head`) instead of panicking in `println!`.
    #[cfg(unix)]
    // SAFETY: called first thing in `main`, before any other thread exists;
    // SIG_DFL is a valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    if let Err(e) = run(cli) {
        eprintln!("pizhu: error: {}", error_chain(&e));
        if let Some(hint) = db_hint(&e) {
            eprintln!("pizhu: hint: {hint}");
        }
        std::process::exit(1);
    }
}

/// The error and its causes on one line, each message once: a cause whose
/// text its parent already shows (SQLite errors repeat theirs) is left out.
fn error_chain(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let msg = cause.to_string();
        // SQLite's own error repeats the message after "Error code N: ".
        let bare = msg
            .strip_prefix("Error code ")
            .and_then(|m| m.split_once(": "))
            .map_or(msg.as_str(), |(_, m)| m);
        if out.contains(bare) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&msg);
    }
    out
}

/// What to do about a database error, if the chain holds one.
fn db_hint(e: &anyhow::Error) -> Option<String> {
    let (path, sql) = e
        .chain()
        .find_map(|c| match c.downcast_ref::<pizhu::Error>() {
            Some(pizhu::Error::Db { path, source }) => Some((path.clone(), source)),
            _ => None,
        })?;
    use rusqlite::ErrorCode as C;
    let code = sql.sqlite_error_code();
    let p = path.display();
    Some(match code {
        Some(C::DatabaseBusy | C::DatabaseLocked) => format!(
            "another Pizhu (window or command) is writing to {p}; wait for it to finish and try again"
        ),
        Some(C::ReadOnly | C::PermissionDenied | C::CannotOpen) => format!(
            "check that {p} and its folder exist and are writable by you (ls -l), or pass --db PATH"
        ),
        Some(C::DiskFull) => format!("the disk holding {p} is full; free some space and try again"),
        Some(C::DatabaseCorrupt | C::NotADatabase) => format!(
            "{p} is damaged. Your annotations live only there: first copy it (with its -wal file) \
             somewhere safe. Then try `sqlite3 {p} .recover > dump.sql` to salvage its contents, \
             or restore a backup; moving it aside and running `pizhu index` starts an empty database"
        ),
        _ => format!(
            "the database is {p}; check it with `sqlite3 {p} 'PRAGMA integrity_check'` and keep a \
             copy before changing anything"
        ),
    })
}

fn extractor() -> NewsExtractor {
    pizhu::extract::default_extractor()
}

/// Whether a command may write to the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Reads only: works on a read-only database.
    Read,
    /// Changes the database: fails clearly on a read-only one.
    Write,
}

/// Opens the store for `archive`, saying where it went if the archive is
/// read-only. A database in a read-only folder is opened read-only for
/// reading commands; writing commands fail with a clear message.
fn open_store(archive: &Path, db: Option<&Path>, access: Access) -> Result<(Store, PathBuf)> {
    let loc = pizhu::db_location(archive, db)?;
    if loc.fallback {
        eprintln!(
            "pizhu: {} is read-only; the database is at {}",
            archive.display(),
            loc.path.display()
        );
    }
    if !loc.writable {
        if access == Access::Write {
            bail!(
                "database {} is read-only (its folder or file cannot be written): this command \
                 changes it; make the folder writable, or copy the archive elsewhere",
                loc.path.display()
            );
        }
        eprintln!(
            "pizhu: database {} is read-only; answering from it as it is",
            loc.path.display()
        );
        let store = Store::open_read_only(&loc.path)?;
        choose_annotator(&store)?;
        return Ok((store, loc.path));
    }
    let store = Store::open(&loc.path)?;
    choose_annotator(&store)?;
    Ok((store, loc.path))
}

/// Set by `--annotator`.
static ANNOTATOR: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Applies `--annotator` to a freshly opened store (without it the store
/// keeps [`pizhu::teams::default_annotator`]).
fn choose_annotator(store: &Store) -> Result<()> {
    if let Some(name) = ANNOTATOR.get() {
        store.set_annotator(name)?;
    }
    Ok(())
}

/// Opens the store for `archive` and brings the index up to date, unless
/// it is read-only, `--no-refresh` was given, or no folder changed since
/// the last index run ([`pizhu::index::looks_unchanged_as`]: a few `stat`
/// calls instead of a walk of every file). The extractor (jieba's
/// dictionary) is loaded only when the index must be refreshed: when this
/// same binary made the last index run, its extractor version is known.
fn open_indexed(
    archive: &Path,
    db: Option<&Path>,
    quiet: bool,
    access: Access,
) -> Result<(Store, IndexSummary)> {
    let (mut store, db_path) = open_store(archive, db, access)?;
    // The archive's own extractor: the shipped tagger, or the model adapted
    // to its reviewed articles (`pizhu train ARCHIVE`).
    let ex = || pizhu::extract::learn::extractor_for(&db_path);
    let fresh = store.is_read_only()
        || NO_REFRESH.load(std::sync::atomic::Ordering::Relaxed)
        || match (exe_key(), store.meta("indexed_by")?) {
            (Some(key), Some(by)) if key == by => {
                let version = store.meta("extractor_version")?.unwrap_or_default();
                pizhu::index::looks_unchanged_as(archive, &store, &version)?
            }
            _ => pizhu::index::looks_unchanged(archive, &store, &ex())?,
        };
    let summary = if fresh {
        IndexSummary {
            articles: store.article_count()?,
            ..Default::default()
        }
    } else {
        run_index(archive, &mut store, &ex(), &IndexOptions::default(), quiet)?
    };
    Ok((store, summary))
}

/// This binary's identity (size and modification time): a changed binary
/// may carry a changed extractor.
fn exe_key() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(exe).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!(
        "{} {} {}",
        env!("CARGO_PKG_VERSION"),
        meta.len(),
        mtime.as_nanos()
    ))
}

/// Set by `--no-refresh`.
static NO_REFRESH: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn run_index(
    archive: &Path,
    store: &mut Store,
    ex: &dyn Extractor,
    opts: &IndexOptions,
    quiet: bool,
) -> Result<IndexSummary> {
    let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} indexing {pos}/{len} files {wide_bar} {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let progress = |p: Progress| {
        if let Some(b) = &bar {
            b.set_length(p.total as u64);
            b.set_position(p.done as u64);
        }
    };
    let summary = index_archive(archive, store, ex, opts, &progress)
        .with_context(|| format!("indexing {}", archive.display()))?;
    if let Some(key) = exe_key() {
        store.set_meta("indexed_by", &key)?;
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(summary)
}

fn run(cli: Cli) -> Result<()> {
    let db = cli.db.as_deref();
    NO_REFRESH.store(cli.no_refresh, std::sync::atomic::Ordering::Relaxed);
    if let Some(name) = &cli.annotator {
        let _ = ANNOTATOR.set(pizhu::teams::check_name(name)?);
    }
    let Some(command) = cli.command else {
        return open_gui(cli.archive, db);
    };
    match command {
        Command::Index {
            archive,
            force,
            max_file_mb,
        } => {
            let (mut store, db_path) = open_store(&archive, db, Access::Write)?;
            let opts = IndexOptions {
                max_file_bytes: max_file_mb.saturating_mul(1024 * 1024),
                force,
            };
            let ex = pizhu::extract::learn::extractor_for(&db_path);
            let s = run_index(&archive, &mut store, &ex, &opts, false)?;
            println!("database: {}", db_path.display());
            println!(
                "files: {} ({} read, {} unchanged, {} removed)",
                s.files,
                s.files_read,
                s.files.saturating_sub(s.files_read + s.skipped.len()),
                s.files_removed
            );
            println!("articles: {}", s.articles);
            println!("entities: {}", s.entities);
            if s.reanchored + s.orphaned > 0 {
                println!(
                    "annotations: {} re-anchored, {} orphaned (kept)",
                    s.reanchored, s.orphaned
                );
            }
            println!("skipped: {}", s.skipped.len());
            for (path, why) in &s.skipped {
                println!("  {path}: {why}");
            }
            if !s.warnings.is_empty() {
                println!("warnings: {}", s.warnings.len());
                for (path, why) in &s.warnings {
                    println!("  {path}: {why}");
                }
            }
            if !s.removed.is_empty() {
                println!("removed (annotations, reviewed marks and tags kept):");
                for (path, why) in &s.removed {
                    println!("  {path}: {why}");
                }
            }
            if !s.unlisted.is_empty() {
                println!("not checked: {}", s.unlisted.len());
                for (path, why) in &s.unlisted {
                    println!("  {path}: {why}");
                }
            }
            if s.reextracted > 0 {
                println!("re-extracted (pending work finished): {}", s.reextracted);
            }
            println!("seconds: {:.2}", s.seconds);
        }
        Command::Export {
            archive,
            format,
            out,
            only_reviewed,
            tokens,
            what,
        } => {
            let format: Format = format.parse()?;
            let opts = pizhu::export::ExportOptions {
                only_reviewed,
                tokens: tokens.parse()?,
                what: what.parse()?,
            };
            let (store, _) = open_indexed(&archive, db, true, Access::Read)?;
            if ANNOTATOR.get().is_none() {
                let who = pizhu::teams::export_annotator(&store)?;
                if who != store.annotator() {
                    eprintln!(
                        "exporting the curated set {who} (--annotator NAME for another's work)"
                    );
                    store.set_annotator(&who)?;
                }
            }
            let s = pizhu::export::export(&store, format, &out, &opts)
                .with_context(|| format!("exporting {format} to {}", out.display()))?;
            if out.as_os_str() != "-" {
                eprintln!(
                    "wrote {} articles ({} entities, {} highlights) to {}",
                    s.articles,
                    s.entities,
                    s.highlights,
                    out.display()
                );
            }
            if s.flattened > 0 {
                eprintln!(
                    "{} overlapping entities left out (CoNLL cannot nest them)",
                    s.flattened
                );
            }
        }
        Command::Import {
            archive,
            format,
            path,
        } => {
            let format: Format = format.parse()?;
            if !Format::IMPORTABLE.contains(&format) {
                bail!("cannot import {format}; importable formats: jsonl, brat, w3c");
            }
            let (mut store, _) = open_indexed(&archive, db, true, Access::Write)?;
            // With --annotator the user says whose work it is; without,
            // jsonl documents naming their annotator are stored as theirs.
            let s = if ANNOTATOR.get().is_some() {
                pizhu::export::import_as(&mut store, format, &path)
            } else {
                pizhu::export::import(&mut store, format, &path)
            }
            .with_context(|| format!("importing {}", path.display()))?;
            print!("{s}");
        }
        Command::Search {
            archive,
            query,
            limit,
        } => {
            let (store, _) = open_indexed(&archive, db, true, Access::Read)?;
            let hits = store.search(&query, limit)?;
            for h in &hits {
                println!("{}\t{}\t{}\t{}", h.id, h.file, h.title, h.snippet);
            }
            eprintln!("{} matching articles", hits.len());
        }
        Command::Stats {
            archive,
            by: Some(by),
            entity,
            type_,
            format,
            ..
        } => {
            // Insights: counts per month (src/insights.rs).
            use pizhu::insights::{Insights, Measure, TableFormat};
            if by != "month" {
                bail!("--by {by:?}: only `month` is supported");
            }
            let format: TableFormat = format.parse()?;
            let type_ = type_.map(|t| normalise_type(&t)).transpose()?;
            let (store, _) = open_indexed(&archive, db, true, Access::Read)?;
            let ins = Insights::load(&store)?;
            let mut measures = vec![Measure::Articles];
            measures.extend(
                entity
                    .iter()
                    .map(|e| Measure::Entity(e.clone(), type_.clone())),
            );
            if entity.is_empty()
                && let Some(t) = &type_
            {
                measures.push(Measure::Type(t.clone()));
            }
            write_stdout(&ins.by_month(&measures, None).render(format))?;
        }
        Command::Cooccur {
            archive,
            type_,
            with,
            top,
            format,
        } => {
            use pizhu::insights::{Insights, TableFormat, render_pairs};
            let format: TableFormat = format.parse()?;
            let (a, b) = (normalise_type(&type_)?, normalise_type(&with)?);
            let (store, _) = open_indexed(&archive, db, true, Access::Read)?;
            let ins = Insights::load(&store)?;
            let pairs = ins.cooccur(&a, &b, top, None);
            write_stdout(&render_pairs(&pairs, &a, &b, format))?;
        }
        Command::Dates { archive } => {
            let (store, _) = open_indexed(&archive, db, true, Access::Read)?;
            // The dates resolved at index time (`article_facts`); the
            // few articles read in full are resolved here.
            let mut rows: std::collections::HashMap<String, String> = Default::default();
            let row = |id: &str, file: &str, d: Option<pizhu::insights::ArticleDate>| {
                let (when, src) = d.map_or(("".into(), "undated"), |d| {
                    (d.to_string(), d.source.as_str())
                });
                (id.to_string(), format!("{id}\t{file}\t{when}\t{src}\n"))
            };
            let mut full = Vec::new();
            store.for_each_article_facts(
                |id, file, day, src, _| {
                    let (k, v) = row(id, file, pizhu::insights::date_from_code(day, src));
                    rows.insert(k, v);
                },
                |id, file, date, text, _| {
                    full.push(row(
                        id,
                        file,
                        pizhu::insights::resolve_date(date, text, file),
                    ));
                },
            )?;
            rows.extend(full);
            // By file, then by position in the file.
            let mut out = String::from("id\tfile\tdate\tsource\n");
            for id in store.article_ids()? {
                if let Some(line) = rows.remove(&id) {
                    out.push_str(&line);
                }
            }
            write_stdout(out.as_bytes())?;
        }
        Command::Stats { archive, top, .. } => {
            let (store, s) = open_indexed(&archive, db, true, Access::Read)?;
            println!("articles: {}", s.articles);
            let stats = store.stats(top)?;
            println!("entities per type:");
            for (t, n) in stats.per_type {
                println!("  {t}\t{n}");
            }
            println!("most frequent:");
            for (text, label, n) in stats.top {
                println!("  {text}\t{label}\t{n}");
            }
        }
        Command::Lexicon { action } => lexicon(action, db)?,
        Command::Annotators {
            archive,
            r#use,
            rename,
            json,
        } => annotators(&archive, db, r#use, rename, json)?,
        Command::Agreement {
            archive,
            annotators,
            types,
            json,
            annotated,
        } => {
            use pizhu::teams::{AgreementOptions, Scope, agreement, parse_names};
            let (store, _) = open_indexed(&archive, db, true, Access::Read)?;
            let opts = AgreementOptions {
                annotators: annotators.as_deref().map(parse_names).transpose()?,
                types: types
                    .as_deref()
                    .map(|t| {
                        t.split(',')
                            .filter(|t| !t.trim().is_empty())
                            .map(normalise_type)
                            .collect::<Result<Vec<_>>>()
                    })
                    .transpose()?,
                scope: if annotated {
                    Scope::Annotated
                } else {
                    Scope::Reviewed
                },
            };
            let report = agreement(&store, &opts)?;
            if json {
                write_stdout(format!("{}\n", serde_json::to_string_pretty(&report)?).as_bytes())?;
            } else {
                write_stdout(report.render().as_bytes())?;
            }
        }
        Command::Merge {
            archive,
            annotators,
            into,
            strategy,
            annotated,
            json,
        } => {
            use pizhu::teams::{MergeOptions, Scope, merge, parse_names};
            let (store, _) = open_indexed(&archive, db, true, Access::Write)?;
            let opts = MergeOptions {
                annotators: parse_names(&annotators)?,
                into,
                strategy: strategy.parse()?,
                scope: if annotated {
                    Scope::Annotated
                } else {
                    Scope::Reviewed
                },
            };
            let report = merge(&store, &opts)?;
            if json {
                write_stdout(format!("{}\n", serde_json::to_string_pretty(&report)?).as_bytes())?;
            } else {
                print!("{report}");
            }
        }
        Command::Review { archive, limit } => {
            let (store, _) = open_indexed(&archive, db, true, Access::Read)?;
            for (id, e) in pizhu::extract::learn::least_confident(&store, limit)? {
                println!(
                    "{:.2}\t{}\t{}\t{}\t{}-{}",
                    e.confidence, e.label, e.text, id, e.start, e.end
                );
            }
        }
        Command::Train {
            archive,
            corpus,
            out,
            dev,
            epochs,
            bits,
            holdout,
            seed,
            dropout,
            folds,
            reset,
            curve,
        } => {
            if let Some(file) = curve {
                return learning_curve(&file);
            }
            let opts = pizhu::extract::train::TrainOptions {
                bits,
                epochs,
                holdout,
                seed,
                dropout,
                folds,
            };
            train(archive, &corpus, out, &dev, &opts, reset, db)?
        }
        Command::People { archive } => {
            let (store, _) = open_indexed(&archive, db, true, Access::Read)?;
            for c in store.people()? {
                println!("{}\t{} articles", c.name, c.articles.len());
                if !c.titles.is_empty() {
                    println!("  titles: {}", c.titles.join("、"));
                }
                if !c.orgs.is_empty() {
                    println!("  organisations: {}", c.orgs.join("、"));
                }
                for (t, o) in &c.roles {
                    if let (Some(t), Some(o)) = (t, o) {
                        println!("  role: {t} @ {o}");
                    }
                }
                println!("  articles: {}", c.articles.join(" "));
            }
        }
        Command::Bench {
            archive,
            store,
            insights,
        } => {
            if insights {
                let (store, path) = open_store(&archive, db, Access::Read)?;
                drop(store);
                bench_insights(&archive, &path, true)?
            } else if store {
                bench_store(&archive)?
            } else {
                bench(&archive)?
            }
        }
        Command::Extract {
            text,
            tokens,
            model,
        } => {
            let ex = match model {
                Some(m) => pizhu::extract::NewsExtractor::new()
                    .with_tagger(Some(pizhu::extract::tagger::Tagger::load(&m)?)),
                None => extractor(),
            };
            if tokens {
                let line: Vec<String> = ex
                    .tokens(&text)
                    .iter()
                    .map(|t| format!("{}/{}", t.word, t.pos))
                    .collect();
                println!("{}", line.join(" "));
            }
            for e in ex.extract(&text) {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{:.2}",
                    e.start,
                    e.end,
                    e.label,
                    e.text,
                    e.source.as_str(),
                    e.confidence
                );
            }
        }
        Command::Eval {
            bio_file,
            types,
            errors,
            model,
            rules,
            group,
            archive,
        } => {
            let ex = match (model, rules) {
                (Some(m), _) => NewsExtractor::new()
                    .with_tagger(Some(pizhu::extract::tagger::Tagger::load(&m)?)),
                (None, true) => NewsExtractor::new(),
                (None, false) => extractor(),
            };
            let types = pizhu::extract::eval::parse_types(&types)?;
            if let Some(archive) = archive {
                let s = pizhu::extract::eval::evaluate_gold_dir(&ex, &bio_file, &archive, &types)?;
                if errors {
                    for line in
                        pizhu::extract::eval::gold_dir_errors(&ex, &bio_file, &archive, &types)?
                    {
                        println!("{line}");
                    }
                }
                print!("{}", s.report());
                return Ok(());
            }
            let input = std::fs::read_to_string(&bio_file)
                .with_context(|| format!("reading {}", bio_file.display()))?;
            let mut sentences = pizhu::extract::eval::parse_bio(&input);
            if group > 1 {
                sentences = pizhu::extract::eval::group_sentences(&sentences, group);
            }
            let scores = pizhu::extract::eval::evaluate_bio(&ex, &sentences, &types);
            if errors {
                for line in pizhu::extract::eval::bio_errors(&ex, &sentences, &types) {
                    println!("{line}");
                }
            }
            println!("sentences: {}", sentences.len());
            print!("{}", scores.report());
        }
    }
    Ok(())
}

/// Reads every article of `archive` (no database), then times raw jieba
/// tagging and full extraction on the same texts, in thread CPU time.
fn bench(archive: &Path) -> Result<()> {
    use rayon::prelude::*;
    use std::time::Instant;

    let t0 = Instant::now();
    let ex = extractor();
    let gaz = pizhu::extract::gazetteer::gazetteer().len();
    let _ = ex.extract("新郑市委副书记王某某在会上讲话。");
    let startup = t0.elapsed();

    let files = pizhu::archive::list_files(archive, None)?;
    let mut texts = Vec::new();
    for f in &files {
        if let Ok((_, decoded)) =
            pizhu::archive::read_file(&f.path, pizhu::archive::DEFAULT_MAX_FILE_BYTES)
        {
            texts.extend(
                pizhu::split::split_articles(&decoded.text, None)
                    .into_iter()
                    .map(|a| a.text),
            );
        }
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    let mb = bytes as f64 / 1e6;
    println!(
        "text: {} files, {} articles, {mb:.2} MB; gazetteer {gaz} names",
        files.len(),
        texts.len()
    );
    println!(
        "start-up (jieba dictionary + gazetteer + first call): {:.0} ms",
        startup.as_secs_f64() * 1e3
    );

    // Raw tagging and full extraction are timed article by article,
    // alternating, so that the machine's speed changes (these machines are
    // noisy) weigh on both alike; a warm-up pass first pays for lazy set-up.
    let jieba = ex.jieba();
    let raw_tag = |text: &str| {
        text.split_inclusive(pizhu::chars::is_sentence_end)
            .map(|sentence| jieba.tag(sentence, true).len())
            .sum::<usize>()
    };
    for text in texts.iter().take(50) {
        raw_tag(text);
        ex.extract(text);
    }
    // Five rounds; the round with the median ratio is reported (one round
    // on these shared machines can be off by several points).
    let mut rounds = Vec::new();
    let (mut tokens, mut entities) = (0usize, 0usize);
    for _ in 0..5 {
        let (mut raw_time, mut full_time) = (0f64, 0f64);
        tokens = 0;
        entities = 0;
        // The order alternates too, so neither side always finds the text
        // already in the caches.
        for (i, text) in texts.iter().enumerate() {
            let time = |f: &dyn Fn() -> usize| {
                let t = thread_cpu_seconds();
                let n = f();
                (n, thread_cpu_seconds() - t)
            };
            let raw_run = || raw_tag(text);
            let full_run = || ex.extract(text).len();
            let ((n_raw, t_raw), (n_full, t_full)) = if i % 2 == 0 {
                let r = time(&raw_run);
                (r, time(&full_run))
            } else {
                let f = time(&full_run);
                (time(&raw_run), f)
            };
            tokens += n_raw;
            entities += n_full;
            raw_time += t_raw;
            full_time += t_full;
        }
        rounds.push((raw_time, full_time));
    }
    rounds.sort_by(|a, b| (a.0 / a.1).total_cmp(&(b.0 / b.1)));
    let (raw_time, full_time) = rounds[rounds.len() / 2];
    // Where extraction's time goes, stage by stage: each pass runs the
    // stages before it too (jieba's tagging; + the rules and their overlap
    // resolution; + the model's features), so the differences are the
    // stages' own times, and the rest of full extraction is the model's
    // decoding and the conventions applied after it. Each pass runs alone
    // (warm caches), so the shares are approximate.
    let pass = |f: &dyn Fn(&str) -> usize| {
        let t = thread_cpu_seconds();
        for text in &texts {
            std::hint::black_box(f(text));
        }
        thread_cpu_seconds() - t
    };
    let tokens_time = pass(&|t| ex.tokens(t).len());
    let rules_time = pass(&|t| ex.extract_rules(t).len());
    let features_time = ex
        .tagger()
        .map(|tg| pass(&|t| ex.analyse(t, tg.bits(), tg.names()).1.len()));
    let raw = mb / raw_time;
    let one = mb / full_time;

    println!("raw jieba tag (HMM), 1 thread: {raw:.2} MB/s ({tokens} tokens)");
    println!(
        "full extraction, 1 thread: {one:.2} MB/s ({entities} entities), {:.0}% of raw tag",
        100.0 * one / raw
    );
    let spread: Vec<String> = rounds
        .iter()
        .map(|(r, f)| format!("{:.0}%", 100.0 * r / f))
        .collect();
    println!(
        "  per round: {} (the median is reported)",
        spread.join(", ")
    );
    let share = |t: f64| 100.0 * t.max(0.0) / full_time;
    match features_time {
        Some(features_time) => println!(
            "  of which jieba's tagging: {:.0}%, the rules and overlap resolution: {:.0}%, \
             the model's features: {:.0}%, its decoding and the conventions: {:.0}% (approximate)",
            share(tokens_time),
            share(rules_time - tokens_time),
            share(features_time - rules_time),
            share(full_time - features_time)
        ),
        None => println!(
            "  of which jieba's tagging: {:.0}%, the rules and overlap resolution: {:.0}%",
            share(tokens_time),
            share(full_time - tokens_time)
        ),
    }

    let t = Instant::now();
    let n: usize = texts.par_iter().map(|t| ex.extract(t).len()).sum();
    let all = mb / t.elapsed().as_secs_f64();
    println!(
        "full extraction, {} threads: {all:.2} MB/s ({n} entities)",
        rayon::current_num_threads()
    );
    Ok(())
}

/// Every figure of the scale targets on one archive: extraction alone
/// against indexing from scratch (wall time, bytes written, database size
/// against the sources), re-indexing unchanged, a command's start-up, search
/// latency, stats, the article list, and apply-to-all with its undo.
/// Indexes into a new database in a temporary folder (removed at the end).
fn bench_store(archive: &Path) -> Result<()> {
    use pizhu::edit::{Edit, Editor};
    use rayon::prelude::*;
    use std::time::Instant;

    let ex = extractor();
    let _ = ex.extract("新郑市委副书记王某某在会上讲话。");
    let files = pizhu::archive::list_files(archive, None)?;
    let source_bytes: u64 = files.iter().map(|f| f.size).sum();
    let threads = rayon::current_num_threads();
    println!(
        "archive: {} files, {:.1} MB; {threads} threads",
        files.len(),
        source_bytes as f64 / 1e6
    );

    // 1. Extraction alone: read, decode, split and extract every file on
    // the same threads, storing nothing.
    let cpu0 = process_cpu_seconds();
    let t = Instant::now();
    let (articles, entities) = files
        .par_iter()
        .map(|f| {
            let Ok((_, decoded)) =
                pizhu::archive::read_file(&f.path, pizhu::archive::DEFAULT_MAX_FILE_BYTES)
            else {
                return (0, 0);
            };
            let arts = pizhu::split::split_articles(&decoded.text, None);
            let n: usize = arts.iter().map(|a| ex.extract(&a.text).len()).sum();
            (arts.len(), n)
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let extract_s = t.elapsed().as_secs_f64();
    let extract_cpu = process_cpu_seconds() - cpu0;
    println!(
        "extraction alone: {extract_s:.2} s wall, {extract_cpu:.2} s CPU ({articles} articles, {entities} entities)"
    );

    // 2. Index from scratch into a new database.
    let dir = std::env::temp_dir().join(format!("pizhu-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("pizhu.sqlite");
    let result = (|| -> Result<()> {
        let mut store = Store::open(&db)?;
        let cpu0 = process_cpu_seconds();
        let s = index_archive(archive, &mut store, &ex, &IndexOptions::default(), &|_| {})?;
        let index_cpu = process_cpu_seconds() - cpu0;
        if let Some(key) = exe_key() {
            store.set_meta("indexed_by", &key)?;
        }
        drop(store);
        // Fold the write-ahead log into the file before measuring it.
        {
            let c = rusqlite::Connection::open(&db)?;
            c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        let db_bytes = std::fs::metadata(&db)?.len()
            + std::fs::metadata(db.with_extension("sqlite-wal")).map_or(0, |m| m.len());
        let ratio = |a: f64, b: f64, target: f64| {
            format!(
                "{:.2}× (target ≤ {target}×: {})",
                a / b,
                if a / b <= target { "met" } else { "NOT met" }
            )
        };
        println!(
            "index from scratch: {:.2} s wall = {} extraction alone",
            s.seconds,
            ratio(s.seconds, extract_s, 1.3)
        );
        println!(
            "  CPU: {index_cpu:.2} s = {:.2}× extraction's (wall on a shared machine varies with the load; CPU does not)",
            index_cpu / extract_cpu
        );
        println!(
            "  bytes written: {:.1} MB = {} the database",
            s.bytes_written as f64 / 1e6,
            ratio(s.bytes_written as f64, db_bytes as f64, 3.0)
        );
        println!(
            "database: {:.1} MB = {} the sources",
            db_bytes as f64 / 1e6,
            ratio(db_bytes as f64, source_bytes as f64, 1.5)
        );
        let mut store = Store::open(&db)?;
        if let Ok(sizes) = store.table_sizes() {
            let parts: Vec<String> = sizes
                .iter()
                .take(8)
                .map(|(n, b)| format!("{n} {:.1} MB", *b as f64 / 1e6))
                .collect();
            println!("  largest: {}", parts.join(", "));
        }

        // 3. Re-index unchanged (a full check of every file), and the
        // cheap freshness check commands use.
        let t = Instant::now();
        let s2 = index_archive(archive, &mut store, &ex, &IndexOptions::default(), &|_| {})?;
        println!(
            "re-index unchanged: {:.0} ms ({} files read)",
            t.elapsed().as_secs_f64() * 1e3,
            s2.files_read
        );
        if let Some(key) = exe_key() {
            store.set_meta("indexed_by", &key)?;
        }
        let t = Instant::now();
        let fresh = pizhu::index::looks_unchanged(archive, &store, &ex)?;
        println!(
            "freshness check: {:.1} ms (unchanged: {fresh})",
            t.elapsed().as_secs_f64() * 1e3
        );

        // 4. A command's start-up to its answer: the real binary, as a user
        // runs it (open, freshness check, query, print).
        let exe = std::env::current_exe()?;
        let a = archive.to_string_lossy().to_string();
        let d = db.to_string_lossy().to_string();
        for args in [
            vec![
                "search",
                a.as_str(),
                "发展",
                "--limit",
                "50",
                "--db",
                d.as_str(),
            ],
            vec!["stats", a.as_str(), "--db", d.as_str()],
        ] {
            let mut times = Vec::new();
            for _ in 0..5 {
                let t = Instant::now();
                let out = std::process::Command::new(&exe).args(&args).output()?;
                times.push(t.elapsed().as_secs_f64() * 1e3);
                if !out.status.success() {
                    bail!("{args:?}: {}", String::from_utf8_lossy(&out.stderr));
                }
            }
            times.sort_by(f64::total_cmp);
            let target = if args[0] == "stats" { 1000.0 } else { 100.0 };
            println!(
                "`pizhu {}` whole process: median {:.0} ms, max {:.0} ms (target ≤ {target:.0} ms: {})",
                args[0],
                times[2],
                times[4],
                if times[2] <= target { "met" } else { "NOT met" }
            );
        }

        // 5. Search inside the store: the first 50 hits of frequent words
        // and entities.
        let stats = store.stats(30)?;
        let mut queries: Vec<String> = [
            "发展", "经济", "记者", "会议", "脱贫", "工作", "中国", "人民",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        queries.extend(stats.top.iter().map(|(t, _, _)| t.clone()));
        let mut times = Vec::new();
        let mut hits = 0;
        for _ in 0..3 {
            for q in &queries {
                let t = Instant::now();
                hits += store.search(q, 50)?.len();
                times.push(t.elapsed().as_secs_f64() * 1e3);
            }
        }
        times.sort_by(f64::total_cmp);
        let p95 = times[(times.len() * 95 / 100).min(times.len() - 1)];
        println!(
            "search, first 50 hits, {} queries × 3: p50 {:.1} ms, p95 {p95:.1} ms (target ≤ 50 ms: {}); {hits} hits",
            queries.len(),
            times[times.len() / 2],
            if p95 <= 50.0 { "met" } else { "NOT met" }
        );
        let t = Instant::now();
        let _ = store.stats(20)?;
        let st = t.elapsed().as_secs_f64();
        println!(
            "stats in the store: {:.0} ms (target ≤ 1000 ms: {})",
            st * 1e3,
            if st <= 1.0 { "met" } else { "NOT met" }
        );
        bench_insights(archive, &db, false)?;
        let t = Instant::now();
        let list = store.articles()?;
        println!(
            "article list (the GUI's first read): {:.0} ms for {} articles (target ≤ 1000 ms)",
            t.elapsed().as_secs_f64() * 1e3,
            list.len()
        );

        // 6. Apply-to-all on the frequent entity found in the number of
        // articles nearest to 10,000 (or a tenth of the archive, if smaller):
        // never an entity, undo; then always a type, undo.
        let want = 10_000.min(list.len() / 10).max(1);
        let mut pick: Option<(String, String, usize)> = None;
        for (text, label, _) in store.stats(100)?.top {
            let n = store.count_matching(&text)?;
            if pick
                .as_ref()
                .is_none_or(|p| n.abs_diff(want) < p.2.abs_diff(want))
            {
                pick = Some((text, label, n));
            }
        }
        if let Some((word, label, _)) = pick {
            let n_articles = store.article_ids_containing(&word)?.len();
            let mut ed = Editor::new();
            let label: EntityType = label.parse()?;
            for (name, edit) in [
                (
                    "never an entity",
                    Edit::LexiconReject { text: word.clone() },
                ),
                (
                    "apply to all",
                    Edit::LexiconAdd {
                        text: word.clone(),
                        label: label.clone(),
                    },
                ),
            ] {
                let t = Instant::now();
                let out = ed.apply(&store, edit)?;
                let apply_s = t.elapsed().as_secs_f64();
                let t = Instant::now();
                ed.undo(&store)?;
                let undo_s = t.elapsed().as_secs_f64();
                println!(
                    "{name} on {word} ({n_articles} articles contain it, {} changed): {apply_s:.2} s, undo {undo_s:.2} s (target ≤ 5 s each: {})",
                    out.relabelled,
                    if apply_s <= 5.0 && undo_s <= 5.0 {
                        "met"
                    } else {
                        "NOT met"
                    }
                );
            }
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// CPU time of the whole process (all threads) in seconds.
#[cfg(unix)]
fn process_cpu_seconds() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// Wall time where no process CPU clock is available.
#[cfg(not(unix))]
fn process_cpu_seconds() -> f64 {
    thread_cpu_seconds()
}

/// CPU time of the calling thread in seconds: unlike wall time it leaves
/// out the time other processes take the core (these machines are shared),
/// so the ratio of two measurements is steadier.
#[cfg(unix)]
fn thread_cpu_seconds() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// Wall time where no thread CPU clock is available.
#[cfg(not(unix))]
fn thread_cpu_seconds() -> f64 {
    use std::sync::OnceLock;
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_secs_f64()
}

/// `pizhu train --curve FILE`: F1 after adapting to 0/10/50/200 sentences.
fn learning_curve(file: &Path) -> Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let sentences = pizhu::extract::eval::parse_bio(&text);
    let base =
        pizhu::extract::tagger::Tagger::shipped().context("this pizhu has no shipped tagger")?;
    println!("reviewed sentences\tPER\tLOC\tORG\toverall (F1 on the last third)");
    for (n, s) in pizhu::extract::train::learning_curve(&base, &sentences, &[0, 10, 50, 200]) {
        println!(
            "{n}\t{:.3}\t{:.3}\t{:.3}\t{:.3}",
            s.of(&EntityType::Per).f1(),
            s.of(&EntityType::Loc).f1(),
            s.of(&EntityType::Org).f1(),
            s.overall().f1()
        );
    }
    Ok(())
}

/// `pizhu train`: from corpora, or from an archive's reviewed articles.
fn train(
    archive: Option<PathBuf>,
    corpus: &[PathBuf],
    out: Option<PathBuf>,
    dev: &[PathBuf],
    opts: &pizhu::extract::train::TrainOptions,
    reset: bool,
    db: Option<&Path>,
) -> Result<()> {
    use pizhu::extract::{learn, train};
    let read = |p: &PathBuf| -> Result<Vec<pizhu::extract::eval::BioSentence>> {
        let text =
            std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
        let s = pizhu::extract::eval::parse_bio(&text);
        if s.is_empty() {
            bail!(
                "{}: no sentences (expected one character and its tag a line)",
                p.display()
            );
        }
        Ok(s)
    };
    if let Some(archive) = archive {
        let (mut store, db_path) = open_store(&archive, db, Access::Write)?;
        if reset {
            let had = learn::forget_adapted(&db_path)?;
            let ex = extractor();
            let n = learn::reextract_unreviewed(&mut store, &ex)?;
            println!(
                "{}; {n} unreviewed articles re-extracted with the shipped model",
                if had {
                    "adapted model removed"
                } else {
                    "no adapted model"
                }
            );
            return Ok(());
        }
        let ex = learn::extractor_for(&db_path);
        run_index(&archive, &mut store, &ex, &IndexOptions::default(), true)?;
        let t = std::time::Instant::now();
        let (_, s) = learn::learn_from_reviewed(&mut store, &db_path)?;
        println!(
            "learned from {} reviewed articles ({} sentences, {} PER/LOC/ORG entities)",
            s.reviewed, s.sentences, s.entities
        );
        println!("adapted model: {}", s.model.display());
        println!("re-extracted {} unreviewed articles", s.reextracted);
        println!("seconds: {:.1}", t.elapsed().as_secs_f64());
        return Ok(());
    }
    let Some(out) = out else {
        bail!("give an ARCHIVE, or --corpus FILE.bio … --out MODEL");
    };
    let mut sentences = Vec::new();
    for p in corpus {
        sentences.extend(read(p)?);
    }
    let mut extra = Vec::new();
    for p in dev {
        extra.extend(read(p)?);
    }
    let ex = pizhu::extract::NewsExtractor::new();
    let t = std::time::Instant::now();
    let model = train::train(&ex, &sentences, &extra, opts, &mut |line| {
        eprintln!("{line}")
    });
    model
        .save(&out)
        .with_context(|| format!("writing {}", out.display()))?;
    println!(
        "model {} ({} sentences, {:.1} s) written to {}",
        model.id(),
        sentences.len(),
        t.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(())
}

/// `pizhu annotators`: list, save the archive's annotator, rename.
fn annotators(
    archive: &Path,
    db: Option<&Path>,
    use_name: Option<String>,
    rename: Option<Vec<String>>,
    json: bool,
) -> Result<()> {
    let write = use_name.is_some() || rename.is_some();
    let (store, _) = open_store(
        archive,
        db,
        if write { Access::Write } else { Access::Read },
    )?;
    if let Some(pair) = rename {
        let (old, new) = (&pair[0], &pair[1]);
        if !store.annotators()?.iter().any(|a| &a.name == old) {
            bail!("no annotator named {old:?} in this archive");
        }
        let n = store.rename_annotator(old, new)?;
        println!("renamed {old} to {new}: {n} rows");
    }
    if let Some(name) = use_name {
        let name = pizhu::teams::check_name(&name)?;
        store.set_meta(pizhu::teams::META_ANNOTATOR, &name)?;
        if ANNOTATOR.get().is_none() {
            store.set_annotator(&name)?;
        }
        println!("annotator of this archive: {name}");
    }
    let list = store.annotators()?;
    if json {
        return write_stdout(format!("{}\n", serde_json::to_string_pretty(&list)?).as_bytes());
    }
    let current = store.annotator();
    let curated = store.meta(pizhu::teams::META_CURATED)?;
    println!(
        "name\treviewed\tannotated articles\tentity decisions\thighlights+corrections\ttags\tlexicon\tcurated"
    );
    for a in &list {
        println!(
            "{}{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            if a.name == current { "* " } else { "" },
            a.name,
            a.reviewed,
            a.annotated_articles,
            a.entity_annotations,
            a.other_annotations,
            a.tags,
            a.lexicon,
            if a.curated { "yes" } else { "" }
        );
    }
    if !list.iter().any(|a| a.name == current) {
        println!("* {current} (current, no work yet)");
    }
    if let Some(c) = curated {
        println!("exports default to the curated set {c}");
    }
    Ok(())
}

/// Lexicon changes go through the editor: the entry and the relabelled
/// entities commit in one transaction (`BEGIN IMMEDIATE`).
fn lexicon(action: LexiconCmd, db: Option<&Path>) -> Result<()> {
    use pizhu::edit::{Edit, Editor};
    let change = |archive: &Path, edit: Edit| -> Result<usize> {
        let (mut store, _) = open_indexed(archive, db, true, Access::Write)?;
        let out = Editor::new().apply(&store, edit)?;
        let mut n = out.relabelled;
        if !out.reextract.is_empty() {
            let ex = pizhu::extract::learn::extractor_for(store.path());
            for text in &out.reextract {
                n += reextract(&mut store, &ex, text)?;
            }
        }
        Ok(n)
    };
    match action {
        LexiconCmd::Add {
            archive,
            text,
            r#type,
        } => {
            let label: EntityType = r#type.parse()?;
            let n = change(
                &archive,
                Edit::LexiconAdd {
                    text: text.clone(),
                    label: label.clone(),
                },
            )?;
            println!("added {text} as {label}; {n} articles updated");
        }
        LexiconCmd::Reject { archive, text } => {
            let n = change(&archive, Edit::LexiconReject { text: text.clone() })?;
            println!("rejected {text}; {n} articles updated");
        }
        LexiconCmd::Remove { archive, text } => {
            let n = change(&archive, Edit::LexiconRemove { text: text.clone() })?;
            println!("removed {text}; {n} articles updated");
        }
        LexiconCmd::List { archive } => {
            let (store, _) = open_store(&archive, db, Access::Read)?;
            let by = store.lexicon_authors()?;
            for e in store.lexicon_list()? {
                let label = e.label.map(|l| l.to_string()).unwrap_or_default();
                let who = by.get(&e.text).map_or("", String::as_str);
                println!("{}\t{}\t{}\t{}", e.action, e.text, label, who);
            }
        }
    }
    Ok(())
}

#[cfg(feature = "gui")]
fn open_gui(archive: Option<PathBuf>, db: Option<&Path>) -> Result<()> {
    if let Some(a) = &archive
        && !a.is_dir()
    {
        bail!(
            "{}: not a folder (an archive is a folder of .txt, .md or .html files)",
            a.display()
        );
    }
    pizhu::ui::run(archive, db.map(Path::to_path_buf), ANNOTATOR.get().cloned())
        .map_err(|e| anyhow::anyhow!("the window could not open: {e}"))
}

#[cfg(not(feature = "gui"))]
fn open_gui(_archive: Option<PathBuf>, _db: Option<&Path>) -> Result<()> {
    bail!(
        "this pizhu was built without the GUI (feature `gui`); use a subcommand, see `pizhu --help`"
    )
}

/// An entity type name as stored (`per` → `PER`), checked.
fn normalise_type(t: &str) -> Result<String> {
    let t: EntityType = t
        .trim()
        .to_ascii_uppercase()
        .parse()
        .with_context(|| format!("unknown entity type {t:?}"))?;
    Ok(t.as_str().to_string())
}

/// Writes bytes to standard output (a closed pipe is not an error).
fn write_stdout(bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}

/// The Insights' figures (`pizhu bench --insights`, and part of `--store`):
/// loads and every chart query (`insights::bench`), then the whole
/// `stats --by month` and `cooccur` commands as a user runs them (with
/// `--no-refresh` when `no_refresh`: a database indexed by another build
/// would otherwise load the extractor to check freshness).
fn bench_insights(archive: &Path, db: &Path, no_refresh: bool) -> Result<()> {
    for line in pizhu::insights::bench(db, 5)? {
        println!("{line}");
    }
    let exe = std::env::current_exe()?;
    let (a, d) = (archive.to_string_lossy(), db.to_string_lossy());
    for args in [
        vec!["stats", &a, "--by", "month", "--db", &d],
        vec!["stats", &a, "--by", "month", "--type", "PER", "--db", &d],
        vec!["cooccur", &a, "--type", "PER", "--with", "ORG", "--db", &d],
    ] {
        let mut times = Vec::new();
        for _ in 0..5 {
            let t = std::time::Instant::now();
            let out = std::process::Command::new(&exe)
                .args(&args)
                .args(no_refresh.then_some("--no-refresh"))
                .output()?;
            times.push(t.elapsed().as_secs_f64() * 1e3);
            if !out.status.success() {
                bail!("{args:?}: {}", String::from_utf8_lossy(&out.stderr));
            }
        }
        times.sort_by(f64::total_cmp);
        println!(
            "  `pizhu {}{}` whole process: median {:.0} ms, max {:.0} ms (target ≤ 200 ms: {})",
            args[..args.len() - 2]
                .join(" ")
                .replace(a.as_ref(), "ARCHIVE"),
            if no_refresh { " --no-refresh" } else { "" },
            times[2],
            times[4],
            if times[2] <= 200.0 { "met" } else { "NOT met" }
        );
    }
    Ok(())
}
