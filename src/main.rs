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
    },
    /// Who's who: every person with their titles, organisations and articles.
    People {
        /// Archive folder.
        archive: PathBuf,
    },
    /// Throughput of raw jieba tagging and of full extraction, and start-up time.
    Bench {
        /// Archive folder (its articles are the benchmark text).
        archive: PathBuf,
    },
    /// Print the entities found in TEXT (and, with --tokens, jieba's tags).
    Extract {
        /// The text.
        text: String,
        /// Also print the tagged tokens.
        #[arg(long)]
        tokens: bool,
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
    /// List the lexicon.
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
        eprintln!("pizhu: error: {e:#}");
        std::process::exit(1);
    }
}

fn extractor() -> NewsExtractor {
    pizhu::extract::default_extractor()
}

/// Opens the store for `archive`, saying where it went if the archive is read-only.
fn open_store(archive: &Path, db: Option<&Path>) -> Result<(Store, PathBuf)> {
    let loc = pizhu::db_location(archive, db)?;
    if loc.fallback {
        eprintln!(
            "pizhu: {} is read-only; the database is at {}",
            archive.display(),
            loc.path.display()
        );
    }
    Ok((Store::open(&loc.path)?, loc.path))
}

/// Opens the store for `archive` and brings the index up to date.
fn open_indexed(
    archive: &Path,
    db: Option<&Path>,
    quiet: bool,
) -> Result<(Store, NewsExtractor, IndexSummary)> {
    let (mut store, db_path) = open_store(archive, db)?;
    let ex = pizhu::extract::learn::extractor_for(&db_path);
    let summary = run_index(archive, &mut store, &ex, &IndexOptions::default(), quiet)?;
    Ok((store, ex, summary))
}

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
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(summary)
}

fn run(cli: Cli) -> Result<()> {
    let db = cli.db.as_deref();
    let Some(command) = cli.command else {
        return open_gui(cli.archive, db);
    };
    match command {
        Command::Index {
            archive,
            force,
            max_file_mb,
        } => {
            let (mut store, db_path) = open_store(&archive, db)?;
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
            let (store, _, _) = open_indexed(&archive, db, true)?;
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
            let (mut store, _, _) = open_indexed(&archive, db, true)?;
            let s = pizhu::export::import(&mut store, format, &path)
                .with_context(|| format!("importing {}", path.display()))?;
            print!("{s}");
        }
        Command::Search {
            archive,
            query,
            limit,
        } => {
            let (store, _, _) = open_indexed(&archive, db, true)?;
            let hits = store.search(&query, limit)?;
            for h in &hits {
                println!("{}\t{}\t{}\t{}", h.id, h.file, h.title, h.snippet);
            }
            eprintln!("{} matching articles", hits.len());
        }
        Command::Stats { archive, top } => {
            let (store, _, s) = open_indexed(&archive, db, true)?;
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
        Command::Review { archive, limit } => {
            let (store, _, _) = open_indexed(&archive, db, true)?;
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
            };
            train(archive, &corpus, out, &dev, &opts, reset, db)?
        }
        Command::People { archive } => {
            let (store, _, _) = open_indexed(&archive, db, true)?;
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
        Command::Bench { archive } => bench(&archive)?,
        Command::Extract { text, tokens } => {
            let ex = extractor();
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
            let sentences = pizhu::extract::eval::parse_bio(&input);
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
    // Where extraction's time goes: its own tagging pass alone.
    let t = thread_cpu_seconds();
    for text in &texts {
        std::hint::black_box(ex.tokens(text).len());
    }
    let tokens_time = thread_cpu_seconds() - t;
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
    println!(
        "  of which its own tagging: {:.0}%, the rules and overlap resolution: {:.0}%",
        100.0 * tokens_time / full_time,
        100.0 * (full_time - tokens_time).max(0.0) / full_time
    );

    let t = Instant::now();
    let n: usize = texts.par_iter().map(|t| ex.extract(t).len()).sum();
    let all = mb / t.elapsed().as_secs_f64();
    println!(
        "full extraction, {} threads: {all:.2} MB/s ({n} entities)",
        rayon::current_num_threads()
    );
    Ok(())
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
        let (mut store, db_path) = open_store(&archive, db)?;
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

fn lexicon(action: LexiconCmd, db: Option<&Path>) -> Result<()> {
    match action {
        LexiconCmd::Add {
            archive,
            text,
            r#type,
        } => {
            let label: EntityType = r#type.parse()?;
            let (mut store, ex, _) = open_indexed(&archive, db, true)?;
            store.lexicon_add(&text, &label)?;
            let n = reextract(&mut store, &ex, &text)?;
            println!("added {text} as {label}; {n} articles updated");
        }
        LexiconCmd::Reject { archive, text } => {
            let (mut store, ex, _) = open_indexed(&archive, db, true)?;
            store.lexicon_reject(&text)?;
            let n = reextract(&mut store, &ex, &text)?;
            println!("rejected {text}; {n} articles updated");
        }
        LexiconCmd::Remove { archive, text } => {
            let (mut store, ex, _) = open_indexed(&archive, db, true)?;
            if store.lexicon_remove(&text)?.is_none() {
                bail!("{text:?} is not in the lexicon");
            }
            let n = reextract(&mut store, &ex, &text)?;
            println!("removed {text}; {n} articles updated");
        }
        LexiconCmd::List { archive } => {
            let (store, _) = open_store(&archive, db)?;
            for e in store.lexicon_list()? {
                let label = e.label.map(|l| l.to_string()).unwrap_or_default();
                println!("{}\t{}\t{}", e.action, e.text, label);
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
    pizhu::ui::run(archive, db.map(Path::to_path_buf))
        .map_err(|e| anyhow::anyhow!("the window could not open: {e}"))
}

#[cfg(not(feature = "gui"))]
fn open_gui(_archive: Option<PathBuf>, _db: Option<&Path>) -> Result<()> {
    bail!(
        "this pizhu was built without the GUI (feature `gui`); use a subcommand, see `pizhu --help`"
    )
}
