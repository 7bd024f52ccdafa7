//! Exports of the archive's articles and annotations, and imports of
//! annotations made elsewhere.
//!
//! Every export reflects the user's corrections: automatic entities that
//! were not rejected (status `auto` or `accepted`), plus the user's own
//! (status `user`); rejected ones are left out. Offsets are code points into
//! the cleaned article text unless a format's module says otherwise.
//!
//! The entry point is [`export`] with a [`Format`]; stream formats can also
//! be written to any writer with [`export_to_writer`]. [`import()`] reads
//! jsonl, brat and W3C files back (see [module `import`](mod@import) for the
//! rules).
//!
//! | format | module | output |
//! |---|---|---|
//! | `jsonl` | [`jsonl`] | doccano-compatible JSON lines |
//! | `conll` | [`conll`] | CoNLL BIO, one character (or jieba token) per line |
//! | `brat` | [`brat`] | a folder of `.txt` + `.ann` and `annotation.conf` |
//! | `csv` | [`csv`](mod@csv) | one row per entity (or highlight), UTF-8 with BOM |
//! | `labelstudio` | [`labelstudio`] | Label Studio task JSON |
//! | `w3c` | [`w3c`] | W3C Web Annotation JSON-LD collection |
//! | `markdown`, `html` | [`reading`] | a reading copy for people |
//!
//! Output paths ([`check_output_path`], applied by [`export`]): never the
//! database, its journal files or anything inside the archive's `.pizhu`
//! folder; never a source file of the archive; never, inside the archive
//! folder, an export that indexing would read as new articles (a brat or
//! reading-copy folder, or a file named `.txt`, `.md`, `.markdown`, `.html`
//! or `.htm`) unless it goes into a hidden folder, which indexing skips
//! (`ARCHIVE/out.jsonl` and `ARCHIVE/.exports/copy.md` are fine,
//! `ARCHIVE/copy.md` is refused); never a symbolic link (except one leading
//! to a device or pipe such as `/dev/stdout`). Every file is written to a fresh temporary name
//! (created exclusively, so no link is followed) and renamed into place.
//! A brat folder also gets an [`EXPORT_MARKER`](crate::archive::EXPORT_MARKER)
//! file (indexing skips folders that hold one); reading copies carry their
//! own signature (see [`reading`]).

pub mod brat;
pub mod conll;
pub mod csv;
pub mod import;
pub mod jsonl;
pub mod labelstudio;
pub mod reading;
pub mod w3c;

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::extract::EntityType;
use crate::store::{Annotation, AnnotationKind, Article, EffectiveEntity, EntityStatus, Store};

pub use import::{ImportSummary, import, import_as};
pub use jsonl::{JsonArticle, JsonHighlight, export_jsonl, json_article};

/// An export (or import) format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// doccano-compatible JSON lines.
    Jsonl,
    /// CoNLL BIO columns.
    Conll,
    /// brat standoff folder.
    Brat,
    /// CSV, one row per entity mention or highlight.
    Csv,
    /// Label Studio tasks.
    LabelStudio,
    /// W3C Web Annotation JSON-LD.
    W3c,
    /// A Markdown reading copy.
    Markdown,
    /// An HTML reading copy.
    Html,
}

impl Format {
    /// Every format, in the order listed to users.
    pub const ALL: [Format; 8] = [
        Format::Jsonl,
        Format::Conll,
        Format::Brat,
        Format::Csv,
        Format::LabelStudio,
        Format::W3c,
        Format::Markdown,
        Format::Html,
    ];

    /// The formats [`import()`] reads.
    pub const IMPORTABLE: [Format; 3] = [Format::Jsonl, Format::Brat, Format::W3c];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Conll => "conll",
            Format::Brat => "brat",
            Format::Csv => "csv",
            Format::LabelStudio => "labelstudio",
            Format::W3c => "w3c",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }

    /// All names, comma-separated (for messages and help).
    pub fn names() -> String {
        Format::ALL.map(Format::name).join(", ")
    }

    /// Whether the output is a folder rather than one file.
    pub fn writes_folder(self) -> bool {
        self == Format::Brat
    }

    /// A usual file extension (without the dot); empty for folders.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Conll => "conll",
            Format::Brat => "",
            Format::Csv => "csv",
            Format::LabelStudio | Format::W3c => "json",
            Format::Markdown => "md",
            Format::Html => "html",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let l = s.trim().to_ascii_lowercase();
        Ok(match l.as_str() {
            "jsonl" | "doccano" => Format::Jsonl,
            "conll" | "bio" => Format::Conll,
            "brat" => Format::Brat,
            "csv" => Format::Csv,
            "labelstudio" | "label-studio" => Format::LabelStudio,
            "w3c" | "webannotation" => Format::W3c,
            "markdown" | "md" => Format::Markdown,
            "html" => Format::Html,
            _ => {
                return Err(Error::Invalid(format!(
                    "unknown export format {s:?}; known formats: {}",
                    Format::names()
                )));
            }
        })
    }
}

/// Units of the CoNLL export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tokens {
    /// One character per line (the usual unit for Chinese NER).
    #[default]
    Char,
    /// One jieba token per line.
    Jieba,
}

impl FromStr for Tokens {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "char" | "chars" => Ok(Tokens::Char),
            "jieba" => Ok(Tokens::Jieba),
            _ => Err(Error::Invalid(format!(
                "unknown token unit {s:?}; use char or jieba"
            ))),
        }
    }
}

/// What the CSV export lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvWhat {
    /// One row per entity mention.
    #[default]
    Entities,
    /// One row per highlight (with its note).
    Highlights,
    /// One row per OCR correction (the source text and its replacement).
    Corrections,
}

impl FromStr for CsvWhat {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "entities" | "entity" => Ok(CsvWhat::Entities),
            "highlights" | "highlight" | "notes" => Ok(CsvWhat::Highlights),
            "corrections" | "correction" => Ok(CsvWhat::Corrections),
            _ => Err(Error::Invalid(format!(
                "unknown CSV content {s:?}; use entities, highlights or corrections"
            ))),
        }
    }
}

/// Options shared by exports.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Only articles the user marked as reviewed.
    pub only_reviewed: bool,
    /// CoNLL: characters or jieba tokens.
    pub tokens: Tokens,
    /// CSV: entities or highlights.
    pub what: CsvWhat,
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Articles written.
    pub articles: usize,
    /// Entity mentions written.
    pub entities: usize,
    /// Highlights written.
    pub highlights: usize,
    /// Overlapping entities left out where the format cannot nest (CoNLL).
    pub flattened: usize,
    /// Files written.
    pub files: Vec<PathBuf>,
}

/// One article with everything an export needs.
#[derive(Debug, Clone)]
pub struct ExportArticle {
    /// The article.
    pub article: Article,
    /// Effective entities (after corrections), sorted by span.
    pub entities: Vec<EffectiveEntity>,
    /// Tags of each entity, parallel to `entities`.
    pub entity_tags: Vec<Vec<String>>,
    /// Placed highlights (with colours and notes), sorted by span.
    pub highlights: Vec<Annotation>,
    /// Placed rejections of automatic entities.
    pub rejections: Vec<Annotation>,
    /// Article tags, sorted.
    pub tags: Vec<String>,
    /// Placed OCR corrections (replacement text over a span), sorted by span.
    pub corrections: Vec<Annotation>,
    /// Whose work this is (the store's current annotator when loaded;
    /// written as `annotator` in jsonl and CSV, `creator` in W3C).
    pub annotator: String,
}

impl ExportArticle {
    /// Whether the article has user decisions (reviewed, accepted or user
    /// entities, rejections).
    pub fn has_user_decisions(&self) -> bool {
        self.article.reviewed
            || !self.rejections.is_empty()
            || self.entities.iter().any(|e| e.status != EntityStatus::Auto)
    }
}

/// Loads one article for export.
pub fn load_article(store: &Store, id: &str) -> Result<ExportArticle> {
    let article = store.article(id)?;
    let entities = store.effective_entities(id)?;
    let mut entity_tags = Vec::with_capacity(entities.len());
    for e in &entities {
        entity_tags.push(store.entity_tags(&e.entity.text, &e.entity.label)?);
    }
    let anns = store.annotations(id)?;
    let highlights = anns
        .iter()
        .filter(|a| a.kind == AnnotationKind::Highlight)
        .cloned()
        .collect();
    let rejections = anns
        .iter()
        .filter(|a| a.kind == AnnotationKind::Reject)
        .cloned()
        .collect();
    let corrections = anns
        .iter()
        .filter(|a| a.kind == AnnotationKind::Correction && a.replacement.is_some() && !a.orphan)
        .cloned()
        .collect();
    Ok(ExportArticle {
        annotator: store.annotator(),
        corrections,
        tags: store.article_tags(id)?,
        article,
        entities,
        entity_tags,
        highlights,
        rejections,
    })
}

/// Every article to export, in file and position order.
pub fn load_articles(store: &Store, opts: &ExportOptions) -> Result<Vec<ExportArticle>> {
    let mut out = Vec::new();
    for s in store.articles()? {
        if opts.only_reviewed && !s.reviewed {
            continue;
        }
        out.push(load_article(store, &s.id)?);
    }
    Ok(out)
}

/// Entity types used in `arts`, built-ins first.
pub fn types_used(arts: &[ExportArticle]) -> Vec<EntityType> {
    let mut types: Vec<EntityType> = EntityType::BUILTIN.to_vec();
    for a in arts {
        for e in &a.entities {
            if !types.contains(&e.entity.label) {
                types.push(e.entity.label.clone());
            }
        }
    }
    types
}

/// The name of an entity status as exported.
pub fn status_name(s: EntityStatus) -> &'static str {
    match s {
        EntityStatus::Auto => "auto",
        EntityStatus::Accepted => "accepted",
        EntityStatus::User => "user",
    }
}

/// Counts what an export contains.
fn summarize(arts: &[ExportArticle]) -> ExportSummary {
    ExportSummary {
        articles: arts.len(),
        entities: arts.iter().map(|a| a.entities.len()).sum(),
        highlights: arts.iter().map(|a| a.highlights.len()).sum(),
        ..ExportSummary::default()
    }
}

/// Writes a single-stream format to `out`. Brat (a folder) is refused.
pub fn export_to_writer(
    store: &Store,
    format: Format,
    out: &mut dyn Write,
    opts: &ExportOptions,
) -> Result<ExportSummary> {
    let arts = load_articles(store, opts)?;
    let mut summary = summarize(&arts);
    let werr = |e: std::io::Error| Error::io("export output", e);
    match format {
        Format::Jsonl => jsonl::write(&arts, out).map_err(werr)?,
        Format::Conll => {
            summary.flattened = conll::write(&arts, opts.tokens, out).map_err(werr)?;
        }
        Format::Csv => csv::write(&arts, opts.what, out)?,
        Format::LabelStudio => labelstudio::write(&arts, out)?,
        Format::W3c => w3c::write(&arts, out)?,
        Format::Markdown => reading::write_markdown(&arts, out).map_err(werr)?,
        Format::Html => reading::write_html(&arts, out).map_err(werr)?,
        Format::Brat => {
            return Err(Error::Invalid(
                "the brat export is a folder: give a folder path, not standard output".into(),
            ));
        }
    }
    out.flush().map_err(werr)?;
    Ok(summary)
}

/// Exports the archive in `format` to `out_path` (a file, `-` for standard
/// output, or a folder for brat). For markdown and html, an existing folder
/// (or a path ending in `/`) gets one reading copy per article. The library
/// entry point the CLI and the GUI call.
pub fn export(
    store: &Store,
    format: Format,
    out_path: &Path,
    opts: &ExportOptions,
) -> Result<ExportSummary> {
    check_output_path(store, format, out_path)?;
    if format == Format::Brat {
        if out_path.as_os_str() == "-" {
            return Err(Error::Invalid(
                "the brat export is a folder: give a folder path, not -".into(),
            ));
        }
        let arts = load_articles(store, opts)?;
        let mut summary = summarize(&arts);
        summary.files = brat::write_folder(&arts, out_path)?;
        return Ok(summary);
    }
    let to_folder = out_path.is_dir() || out_path.to_string_lossy().ends_with(['/', '\\']);
    if matches!(format, Format::Markdown | Format::Html) && to_folder {
        return reading::write_folder(&load_articles(store, opts)?, format, out_path);
    }
    if out_path.as_os_str() == "-" {
        let stdout = std::io::stdout();
        let mut lock = stdout.lock();
        return export_to_writer(store, format, &mut lock, opts);
    }
    if is_stream_link(out_path) || out_path.exists() && !out_path.is_file() {
        // A device or pipe, or the system's link to one of this process's
        // streams (`/dev/stdout`, even when redirected to a file): write
        // straight to it; never a temporary file beside it.
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(out_path)
            .map_err(|e| Error::io(out_path, e))?;
        let mut w = std::io::BufWriter::new(file);
        return export_to_writer(store, format, &mut w, opts);
    }
    if let Some(dir) = out_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    // Write to a temporary file next to the target, then rename, so a failed
    // export never leaves a half-written file in place of a good one.
    let tmp = out_path.with_extension(format!("{}.part", format.extension()));
    let file = create_fresh(&tmp)?;
    let mut w = std::io::BufWriter::new(file);
    // Name the output file in every error.
    let res = export_to_writer(store, format, &mut w, opts).map_err(|e| match e {
        Error::Io { source, .. } => Error::io(out_path, source),
        Error::Csv { source, .. } => Error::Csv {
            context: out_path.display().to_string(),
            source,
        },
        Error::Json { source, .. } => Error::Json {
            context: out_path.display().to_string(),
            source,
        },
        other => other,
    });
    drop(w);
    match res {
        Ok(mut summary) => {
            std::fs::rename(&tmp, out_path).map_err(|e| Error::io(out_path, e))?;
            summary.files.push(out_path.to_path_buf());
            Ok(summary)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// `path` made absolute with every existing part resolved (links
/// included) and the parts that do not exist yet normalised as written
/// (`..` removes the part before it, as it will once they are created).
pub fn resolve_path(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut base = abs.as_path();
    let mut rest = Vec::new();
    let mut resolved = loop {
        if let Ok(c) = base.canonicalize() {
            break c;
        }
        match (base.parent(), base.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                base = parent;
            }
            (Some(parent), None) => {
                rest.push("..".into());
                base = parent;
            }
            _ => break base.to_path_buf(),
        }
    };
    for part in rest.into_iter().rev() {
        if part == ".." {
            resolved.pop();
        } else if part != "." {
            resolved.push(part);
        }
    }
    resolved
}

fn refuse(out: &Path, why: String) -> Error {
    Error::Invalid(format!("refusing to export to {}: {why}", out.display()))
}

/// Refuses an output path that would destroy data or be read back as
/// articles (the rules are in the module documentation).
pub fn check_output_path(store: &Store, format: Format, out: &Path) -> Result<()> {
    if out.as_os_str() == "-" {
        return Ok(());
    }
    if let Ok(m) = std::fs::symlink_metadata(out)
        && m.file_type().is_symlink()
    {
        let to_device = std::fs::metadata(out).is_ok_and(|t| !t.is_file() && !t.is_dir());
        if !to_device && !is_stream_link(out) {
            return Err(refuse(
                out,
                "it is a symbolic link; Pizhu never writes through a link (it would overwrite \
                 what the link points to): remove the link or choose another path"
                    .into(),
            ));
        }
        return Ok(());
    }
    let target = resolve_path(out);
    let db = resolve_path(store.path());
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = db.as_os_str().to_os_string();
        name.push(suffix);
        if target == Path::new(&name) {
            return Err(refuse(
                out,
                format!(
                    "it is the database {}; the export would destroy every annotation",
                    db.display()
                ),
            ));
        }
    }
    if let Some(dir) = db.parent()
        && dir
            .file_name()
            .is_some_and(|n| n == crate::archive::DATA_DIR)
        && target.starts_with(dir)
    {
        return Err(refuse(
            out,
            format!("it is inside the database folder {}", dir.display()),
        ));
    }
    if let Some(root) = store.meta("archive_root")? {
        let root = resolve_path(Path::new(&root));
        if target.starts_with(&root) {
            let rel = crate::archive::rel_of(&target, &root);
            if store.file_states()?.contains_key(&rel) {
                return Err(refuse(
                    out,
                    format!(
                        "it is a source file of the archive {}; source files are never modified",
                        root.display()
                    ),
                ));
            }
            let hidden = rel.split('/').any(|part| part.starts_with('.'));
            let folder = format.writes_folder()
                || (matches!(format, Format::Markdown | Format::Html)
                    && (out.is_dir() || out.to_string_lossy().ends_with(['/', '\\'])));
            let indexable = folder || crate::archive::FileKind::of(&target).is_some();
            if indexable && !hidden {
                return Err(refuse(
                    out,
                    format!(
                        "it is inside the archive {}, where the next index would read the export \
                         as new articles; write it outside the archive folder (or into a hidden \
                         folder such as {}/.exports/)",
                        root.display(),
                        root.display()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Whether `path` is one of the system's links to a stream of this process
/// (`/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`).
fn is_stream_link(path: &Path) -> bool {
    let p = path.to_string_lossy();
    matches!(p.as_ref(), "/dev/stdout" | "/dev/stderr")
        || p.starts_with("/dev/fd/")
        || p.starts_with("/proc/self/fd/")
}

/// Creates `path` as a new file, removing a stale one first (a link is
/// removed, not followed: the file is opened with `create_new`).
fn create_fresh(path: &Path) -> Result<std::fs::File> {
    if std::fs::symlink_metadata(path).is_ok() {
        std::fs::remove_file(path).map_err(|e| Error::io(path, e))?;
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| Error::io(path, e))
}

/// Writes `bytes` to `path` through a fresh temporary file renamed into
/// place: an existing file or symbolic link at `path` is replaced, never
/// written through, and a failed write leaves the old file.
pub(crate) fn write_file_safely(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".pizhu-part");
    let tmp = path.with_file_name(name);
    let mut f = create_fresh(&tmp)?;
    let res = f.write_all(bytes).and_then(|()| f.sync_all());
    drop(f);
    if let Err(e) = res.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}

/// Marks `dir` as a Pizhu export folder (never indexed).
pub(crate) fn write_marker(dir: &Path) -> Result<()> {
    write_file_safely(
        &dir.join(crate::archive::EXPORT_MARKER),
        b"Written by Pizhu: this folder is an export; Pizhu never indexes it as articles.\n",
    )
}

/// The characters of `text`.
pub(crate) fn chars(text: &str) -> Vec<char> {
    text.chars().collect()
}

/// `chars[start..end]` as a string, clamped.
pub(crate) fn slice(chars: &[char], start: usize, end: usize) -> String {
    let s = start.min(chars.len());
    let e = end.clamp(s, chars.len());
    chars[s..e].iter().collect()
}

/// The stable IRI of an article in W3C and Label Studio exports.
pub fn article_iri(id: &str) -> String {
    format!("urn:pizhu:article:{id}")
}

/// The IRI of an annotator (W3C `creator`): `urn:pizhu:annotator:` and the
/// name, percent-encoded as UTF-8 except ASCII letters, digits and `-._~`.
pub fn annotator_iri(name: &str) -> String {
    let mut out = String::from("urn:pizhu:annotator:");
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
