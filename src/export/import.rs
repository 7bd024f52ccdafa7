//! Importing annotations made elsewhere (jsonl, brat, W3C) into the store.
//!
//! Rules:
//! - **Documents** are matched to articles by id (jsonl `id`, the brat file
//!   name, the W3C target source `urn:pizhu:article:ID`), else by identical
//!   text. A document that matches no article keeps all its annotations as
//!   orphans under its own id, and is reported.
//! - **Text checks**: a document that carries a text (jsonl, brat with its
//!   `.txt`) and matches an article by id is applied only when its text is
//!   the article's, or nearly so ([`similar_text`]: the same length within
//!   10% and 90% of character pairs shared, as after a re-cleaning); a
//!   document whose text is a different one is reported in
//!   [`ImportSummary::mismatched`] and skipped whole. A document without a
//!   text (a brat `.ann` without its `.txt`) is matched by id, else by a
//!   quote only when the quote with its context is at least
//!   [`MIN_QUOTE_PROBE`] characters long and found in exactly one article.
//! - **Spans** are placed by position when the document's text is identical
//!   to the article's (or, for W3C, when the quote matches there), else by
//!   quote — exact text plus prefix and suffix, fuzzy when the text changed
//!   slightly ([`anchor::reanchor`](crate::anchor::reanchor)). What cannot be
//!   placed is stored as an orphan (`orphan` flag) and reported.
//! - **Entities**: a span equal to an automatic entity (same span and type)
//!   adds nothing, or an `accept` when the file says it was accepted;
//!   anything else becomes a user entity. In jsonl and brat the document's
//!   entity list is complete, so automatic entities it leaves out are
//!   rejected (a `reject` annotation) — but only when the document's text is
//!   exactly the article's: a document whose text differs slightly, or that
//!   has no text, never rejects anything. W3C carries rejections explicitly.
//!   An existing rejection of an entity the file lists is kept and reported.
//! - **Highlights** (with colour and note), article tags, entity tags and the
//!   reviewed mark (W3C) come back as they were.
//! - Nothing is duplicated: an identical annotation already stored is not
//!   inserted again, so importing the same file twice changes nothing.
//!   Everything is one transaction.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::Format;
use super::brat::{HIGHLIGHT, unescape_note};
use super::jsonl::JsonArticle;
use crate::anchor::{Quote, quote, reanchor};
use crate::error::{Error, Result};
use crate::extract::EntityType;
use crate::store::{Annotation, AnnotationKind, EntityStatus, NewAnnotation, Store};

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Documents read.
    pub documents: usize,
    /// Documents matched to an article by id.
    pub matched_by_id: usize,
    /// Documents matched to an article by identical text.
    pub matched_by_text: usize,
    /// Documents that matched no article (their annotations are orphans).
    pub unmatched: Vec<String>,
    /// Annotations inserted and placed.
    pub added: usize,
    /// Of those, placed by quote because the text differed.
    pub moved: usize,
    /// Annotations already present (or equal to an automatic entity).
    pub unchanged: usize,
    /// Automatic entities rejected because the file left them out.
    pub rejected: usize,
    /// Tags added (article and entity tags).
    pub tags_added: usize,
    /// Articles newly marked reviewed.
    pub reviewed: usize,
    /// What could not be placed, one line each (kept as orphans).
    pub orphans: Vec<String>,
    /// What was read but not imported, and why (one line each).
    pub skipped: Vec<String>,
    /// Documents skipped whole because their text is not their article's.
    pub mismatched: Vec<String>,
    /// Documents stored under the annotator the file names (jsonl
    /// `annotator`), per name.
    pub stored_as: std::collections::BTreeMap<String, usize>,
    /// Documents naming another annotator that were stored under the
    /// current one, because the import was told whose work it is
    /// ([`import_as`], `--annotator`).
    pub renamed: usize,
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "documents: {} ({} by id, {} by text, {} unmatched)",
            self.documents,
            self.matched_by_id,
            self.matched_by_text,
            self.unmatched.len()
        )?;
        writeln!(
            f,
            "annotations: {} added ({} placed by quote), {} already present, {} automatic entities rejected",
            self.added, self.moved, self.unchanged, self.rejected
        )?;
        writeln!(
            f,
            "tags added: {}; marked reviewed: {}",
            self.tags_added, self.reviewed
        )?;
        if !self.stored_as.is_empty() {
            let v: Vec<String> = self
                .stored_as
                .iter()
                .map(|(n, k)| format!("{n} ({k} documents)"))
                .collect();
            writeln!(f, "stored as the file names them: {}", v.join(", "))?;
        }
        if self.renamed > 0 {
            writeln!(
                f,
                "documents naming another annotator, stored under --annotator as asked: {}",
                self.renamed
            )?;
        }
        writeln!(f, "orphans (kept, not placed): {}", self.orphans.len())?;
        for o in &self.orphans {
            writeln!(f, "  {o}")?;
        }
        for d in &self.unmatched {
            writeln!(f, "  unmatched document {d}")?;
        }
        if !self.mismatched.is_empty() {
            writeln!(
                f,
                "documents skipped (their text is not their article's): {}",
                self.mismatched.len()
            )?;
            for d in &self.mismatched {
                writeln!(f, "  {d}")?;
            }
        }
        if !self.skipped.is_empty() {
            writeln!(f, "not imported: {}", self.skipped.len())?;
            for s in &self.skipped {
                writeln!(f, "  {s}")?;
            }
        }
        Ok(())
    }
}

/// One annotation read from a file.
#[derive(Debug, Clone, Default)]
struct Item {
    kind: Option<AnnotationKind>,
    span: Option<(usize, usize)>,
    quote: Option<Quote>,
    label: Option<EntityType>,
    status: Option<EntityStatus>,
    color: Option<String>,
    note: Option<String>,
    replacement: Option<String>,
    tags: Vec<String>,
    /// The annotators a merged highlight came from (jsonl `made_by`, W3C
    /// `pizhu:madeBy`): kept, so an export of a curated set imports back
    /// saying who made what.
    made_by: Option<String>,
    /// Where it came from, for reports.
    origin: String,
}

/// One document read from a file.
#[derive(Debug, Clone, Default)]
struct Doc {
    id: Option<String>,
    text: Option<String>,
    items: Vec<Item>,
    tags: Vec<String>,
    reviewed: bool,
    /// The entity list is complete: automatic entities not in it are rejected.
    complete: bool,
    origin: String,
    /// Whose work the file says it is (jsonl `annotator`, W3C `creator`).
    annotator: Option<String>,
}

fn bad(path: &Path, problem: impl Into<String>) -> Error {
    Error::Import {
        path: path.to_path_buf(),
        problem: problem.into(),
    }
}

/// Imports the annotations in `path` (a file; for brat a folder or one
/// `.ann` file) into `store`: a jsonl document that names its annotator
/// (`annotator`, as Pizhu's export writes it) and a W3C annotation that
/// names its `creator` (an agent's `name`) are stored under that name,
/// everything else under the store's current annotator. Re-importing one's
/// own export therefore changes nothing, and a file of someone else's work
/// never lands under your name.
pub fn import(store: &mut Store, format: Format, path: &Path) -> Result<ImportSummary> {
    import_with(store, format, path, false)
}

/// [`import`], storing everything under the store's current annotator,
/// whatever the file says (`pizhu import --annotator NAME`: the user says
/// whose work it is); documents naming someone else are counted in
/// [`ImportSummary::renamed`].
pub fn import_as(store: &mut Store, format: Format, path: &Path) -> Result<ImportSummary> {
    import_with(store, format, path, true)
}

fn import_with(
    store: &mut Store,
    format: Format,
    path: &Path,
    as_current: bool,
) -> Result<ImportSummary> {
    let mut summary = ImportSummary::default();
    let docs = match format {
        Format::Jsonl => read_jsonl(path, &mut summary)?,
        Format::Brat => read_brat(path, &mut summary)?,
        Format::W3c => read_w3c(path, &mut summary)?,
        other => {
            return Err(Error::Invalid(format!(
                "cannot import {other}; importable formats: jsonl, brat, w3c"
            )));
        }
    };
    summary.documents = docs.len();
    let current = store.annotator();
    store.in_transaction(|s| {
        for mut d in docs {
            match d.annotator.take() {
                Some(n) if n != current && as_current => {
                    summary.renamed += 1;
                    apply(s, d, &mut summary)?;
                }
                Some(n) if !as_current => match crate::teams::check_name(&n) {
                    Ok(n) => {
                        *summary.stored_as.entry(n.clone()).or_default() += 1;
                        s.with_annotator(&n, |s| apply(s, d, &mut summary))?;
                    }
                    Err(e) => summary.skipped.push(format!(
                        "{}: whole document: its annotator {n:?} is not a valid name ({e})",
                        d.origin
                    )),
                },
                _ => apply(s, d, &mut summary)?,
            }
        }
        Ok(())
    })?;
    Ok(summary)
}

fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let s = String::from_utf8(bytes).map_err(|_| bad(path, "not UTF-8 text"))?;
    Ok(s.strip_prefix('\u{feff}').unwrap_or(&s).to_string())
}

// ---- jsonl -------------------------------------------------------------------

fn read_jsonl(path: &Path, summary: &mut ImportSummary) -> Result<Vec<Doc>> {
    let text = read_text(path)?;
    let mut docs = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value =
            serde_json::from_str(line).map_err(|e| bad(path, format!("line {}: {e}", n + 1)))?;
        // doccano writes `label`; some tools write `labels`.
        let mut v = v;
        if v.get("label").is_none()
            && let Some(l) = v.get("labels").cloned()
        {
            v["label"] = l;
        }
        if v.get("id").is_some_and(|i| !i.is_string()) {
            v["id"] = Value::String(v["id"].to_string());
        }
        let a: JsonArticle =
            serde_json::from_value(v).map_err(|e| bad(path, format!("line {}: {e}", n + 1)))?;
        let origin = format!("{}:{}", path.display(), n + 1);
        let mut items = Vec::new();
        for (s, e, t) in &a.label {
            match t.parse::<EntityType>() {
                Ok(label) => items.push(Item {
                    kind: Some(AnnotationKind::Entity),
                    span: Some((*s, *e)),
                    tags: a
                        .entity_tags
                        .iter()
                        .filter(|(ts, te, tt, _)| (ts, te, tt) == (s, e, t))
                        .flat_map(|(.., tags)| tags.iter().cloned())
                        .collect(),
                    label: Some(label),
                    origin: format!("{origin}: {t} {s}..{e}"),
                    ..Item::default()
                }),
                Err(err) => summary
                    .skipped
                    .push(format!("{origin}: label {s}..{e}: {err}")),
            }
        }
        for h in &a.highlights {
            items.push(Item {
                kind: Some(AnnotationKind::Highlight),
                span: Some((h.start, h.end)),
                color: h.color.clone(),
                note: h.note.clone(),
                made_by: h.made_by.clone(),
                origin: format!("{origin}: highlight {}..{}", h.start, h.end),
                ..Item::default()
            });
        }
        for c in &a.corrections {
            items.push(Item {
                kind: Some(AnnotationKind::Correction),
                span: Some((c.start, c.end)),
                replacement: Some(c.replacement.clone()),
                origin: format!("{origin}: correction {}..{}", c.start, c.end),
                ..Item::default()
            });
        }
        docs.push(Doc {
            id: (!a.id.is_empty()).then(|| a.id.clone()),
            text: Some(a.text),
            items,
            tags: a.tags,
            reviewed: a.reviewed,
            complete: true,
            origin,
            annotator: a.annotator,
        });
    }
    Ok(docs)
}

// ---- brat --------------------------------------------------------------------

fn read_brat(path: &Path, summary: &mut ImportSummary) -> Result<Vec<Doc>> {
    let mut anns: Vec<PathBuf> = if path.is_dir() {
        let rd = std::fs::read_dir(path).map_err(|e| Error::io(path, e))?;
        let mut v = Vec::new();
        for e in rd {
            let p = e.map_err(|e| Error::io(path, e))?.path();
            if p.extension().is_some_and(|x| x == "ann") {
                v.push(p);
            }
        }
        v
    } else {
        vec![path.to_path_buf()]
    };
    anns.sort();
    let mut docs = Vec::new();
    for ann in anns {
        let stem = ann
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let txt_path = ann.with_extension("txt");
        let text = if txt_path.is_file() {
            Some(read_text(&txt_path)?)
        } else {
            summary.skipped.push(format!(
                "{}: no {}; spans placed by their text only",
                ann.display(),
                txt_path.display()
            ));
            None
        };
        let body = read_text(&ann)?;
        let mut items: Vec<Item> = Vec::new();
        let mut by_t: BTreeMap<String, usize> = BTreeMap::new();
        for (n, line) in body.lines().enumerate() {
            let origin = format!("{}:{}", ann.display(), n + 1);
            if line.trim().is_empty() {
                continue;
            }
            let mut cols = line.splitn(3, '\t');
            let id = cols.next().unwrap_or("");
            let mid = cols.next().unwrap_or("");
            let rest = cols.next();
            match id.chars().next() {
                Some('T') => {
                    let (ty, spans) = mid.split_once(' ').unwrap_or((mid, ""));
                    let mut lo = usize::MAX;
                    let mut hi = 0;
                    for frag in spans.split(';') {
                        let mut it = frag.split_whitespace().map(str::parse::<usize>);
                        match (it.next(), it.next()) {
                            (Some(Ok(s)), Some(Ok(e))) => {
                                lo = lo.min(s);
                                hi = hi.max(e);
                            }
                            _ => {
                                return Err(bad(
                                    &ann,
                                    format!("line {}: bad span {spans:?}", n + 1),
                                ));
                            }
                        }
                    }
                    let mut item = Item {
                        span: Some((lo, hi)),
                        origin: format!("{origin}: {ty} {lo}..{hi}"),
                        ..Item::default()
                    };
                    if text.is_none() {
                        item.quote = rest.map(|t| Quote {
                            exact: t.to_string(),
                            ..Quote::default()
                        });
                    }
                    if ty == HIGHLIGHT {
                        item.kind = Some(AnnotationKind::Highlight);
                    } else {
                        match ty.parse::<EntityType>() {
                            Ok(l) => {
                                item.kind = Some(AnnotationKind::Entity);
                                item.label = Some(l);
                            }
                            Err(e) => {
                                summary.skipped.push(format!("{origin}: {e}"));
                                continue;
                            }
                        }
                    }
                    by_t.insert(id.to_string(), items.len());
                    items.push(item);
                }
                Some('A') | Some('M') => {
                    let mut w = mid.split_whitespace();
                    let (name, tid, value) = (w.next(), w.next(), w.next());
                    let Some(&k) = tid.and_then(|t| by_t.get(t)) else {
                        summary
                            .skipped
                            .push(format!("{origin}: attribute on an unknown annotation"));
                        continue;
                    };
                    match (name, value) {
                        (Some("Status"), Some("accepted")) => {
                            items[k].status = Some(EntityStatus::Accepted)
                        }
                        (Some("Status"), Some("user")) => {
                            items[k].status = Some(EntityStatus::User)
                        }
                        (Some("Tag"), Some(v)) => items[k].tags.push(v.to_string()),
                        (Some("Color"), Some(v)) => items[k].color = Some(format!("#{v}")),
                        _ => summary
                            .skipped
                            .push(format!("{origin}: attribute {mid:?} not used by Pizhu")),
                    }
                }
                Some('#') => {
                    let tid = mid.split_whitespace().nth(1).unwrap_or("");
                    match by_t.get(tid) {
                        Some(&k) => items[k].note = Some(unescape_note(rest.unwrap_or(""))),
                        None => summary
                            .skipped
                            .push(format!("{origin}: note on an unknown annotation")),
                    }
                }
                _ => summary.skipped.push(format!(
                    "{origin}: {} annotations are not used by Pizhu",
                    match id.chars().next() {
                        Some('R') => "relation",
                        Some('E') => "event",
                        Some('N') => "normalization",
                        _ => "unknown",
                    }
                )),
            }
        }
        docs.push(Doc {
            id: Some(stem),
            text,
            items,
            tags: Vec::new(),
            reviewed: false,
            complete: true,
            origin: ann.display().to_string(),
            annotator: None,
        });
    }
    Ok(docs)
}

// ---- W3C ---------------------------------------------------------------------

fn as_list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(Value::Null) | None => Vec::new(),
        Some(o) => vec![o],
    }
}

fn str_of<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

fn article_id_of(source: &str) -> String {
    source
        .strip_prefix(&super::article_iri(""))
        .unwrap_or(source)
        .to_string()
}

fn read_w3c(path: &Path, summary: &mut ImportSummary) -> Result<Vec<Doc>> {
    let text = read_text(path)?;
    let root: Value = serde_json::from_str(&text).map_err(|e| bad(path, e.to_string()))?;
    let mut anns: Vec<&Value> = Vec::new();
    match &root {
        Value::Array(a) => anns.extend(a.iter()),
        o if o.get("first").is_some() => {
            let first = &o["first"];
            anns.extend(as_list(first.get("items")));
        }
        o if o.get("items").is_some() => anns.extend(as_list(o.get("items"))),
        o if str_of(o, "type") == Some("Annotation") => anns.push(o),
        _ => {
            return Err(bad(
                path,
                "not a W3C Annotation, AnnotationPage or AnnotationCollection",
            ));
        }
    }
    let mut docs: BTreeMap<(String, Option<String>), Doc> = BTreeMap::new();
    for (n, a) in anns.iter().enumerate() {
        let origin = format!(
            "{} annotation {} ({})",
            path.display(),
            n + 1,
            str_of(a, "id").unwrap_or("no id")
        );
        let motivation = str_of(a, "motivation").unwrap_or("");
        let mut bodies: Vec<(String, String)> = as_list(a.get("body"))
            .into_iter()
            .filter_map(|b| match b {
                Value::String(s) => Some((String::new(), s.clone())),
                o => str_of(o, "value").map(|v| {
                    (
                        str_of(o, "purpose").unwrap_or("").to_string(),
                        v.to_string(),
                    )
                }),
            })
            .collect();
        if let Some(v) = str_of(a, "bodyValue") {
            bodies.push((String::new(), v.to_string()));
        }
        let with = |p: &str| -> Vec<String> {
            bodies
                .iter()
                .filter(|(q, _)| q == p)
                .map(|(_, v)| v.clone())
                .collect()
        };
        let targets = as_list(a.get("target"));
        let Some(target) = targets.first() else {
            summary.skipped.push(format!("{origin}: no target"));
            continue;
        };
        let (source, selectors) = match target {
            Value::String(s) => (s.clone(), Vec::new()),
            o => (
                str_of(o, "source").unwrap_or("").to_string(),
                as_list(o.get("selector")),
            ),
        };
        let id = article_id_of(&source);
        // Whose it is: the annotation's `creator` (an agent with a `name`,
        // as Pizhu writes it), one document per article and creator.
        let creator = a
            .get("creator")
            .and_then(|c| str_of(c, "name"))
            .map(str::to_string);
        let doc = docs
            .entry((id.clone(), creator.clone()))
            .or_insert_with(|| Doc {
                id: Some(id.clone()),
                origin: source.clone(),
                annotator: creator,
                ..Doc::default()
            });
        if selectors.is_empty() {
            match motivation {
                "tagging" => doc.tags.extend(with("tagging").into_iter().chain(with(""))),
                "assessing" if with("assessing").iter().any(|v| v == "reviewed") => {
                    doc.reviewed = true
                }
                _ => summary.skipped.push(format!(
                    "{origin}: {motivation:?} on a whole article is not used by Pizhu"
                )),
            }
            continue;
        }
        let mut item = Item {
            origin: origin.clone(),
            made_by: str_of(a, "pizhu:madeBy").map(str::to_string),
            ..Item::default()
        };
        for s in selectors {
            match str_of(s, "type") {
                Some("TextQuoteSelector") => {
                    item.quote = Some(Quote {
                        exact: str_of(s, "exact").unwrap_or("").to_string(),
                        prefix: str_of(s, "prefix").unwrap_or("").to_string(),
                        suffix: str_of(s, "suffix").unwrap_or("").to_string(),
                    })
                }
                Some("TextPositionSelector") => {
                    let g = |k| s.get(k).and_then(Value::as_u64).map(|x| x as usize);
                    if let (Some(st), Some(en)) = (g("start"), g("end")) {
                        item.span = Some((st, en));
                    }
                }
                _ => {}
            }
        }
        let classifying = with("classifying").into_iter().next();
        match motivation {
            "classifying" | "identifying" | "tagging" if classifying.is_some() => {
                let t = classifying.unwrap_or_default();
                match t.parse::<EntityType>() {
                    Ok(l) => item.label = Some(l),
                    Err(e) => {
                        summary.skipped.push(format!("{origin}: {e}"));
                        continue;
                    }
                }
                item.kind = Some(AnnotationKind::Entity);
                item.tags = with("tagging");
                item.status = match str_of(a, "pizhu:status") {
                    Some("accepted") => Some(EntityStatus::Accepted),
                    Some("user") => Some(EntityStatus::User),
                    Some("auto") => Some(EntityStatus::Auto),
                    _ => None,
                };
            }
            "assessing" if with("assessing").iter().any(|v| v == "rejected") => {
                item.kind = Some(AnnotationKind::Reject);
                item.label = classifying.and_then(|t| t.parse().ok());
            }
            "editing" => {
                item.kind = Some(AnnotationKind::Correction);
                item.replacement = Some(
                    with("editing")
                        .into_iter()
                        .chain(with(""))
                        .next()
                        .unwrap_or_default(),
                );
            }
            "highlighting" | "commenting" | "describing" | "questioning" => {
                item.kind = Some(AnnotationKind::Highlight);
                let notes: Vec<String> = bodies.iter().map(|(_, v)| v.clone()).collect();
                item.note = (!notes.is_empty()).then(|| notes.join("\n"));
                item.color = str_of(a, "pizhu:color").map(str::to_string);
            }
            other => {
                summary.skipped.push(format!(
                    "{origin}: motivation {other:?} is not used by Pizhu"
                ));
                continue;
            }
        }
        doc.items.push(item);
    }
    Ok(docs.into_values().collect())
}

// ---- applying ----------------------------------------------------------------

/// The article whose text is exactly `text`, by the store's text-hash index.
fn find_by_text(store: &Store, text: &str) -> Result<Option<String>> {
    store.article_id_by_text(text)
}

/// Shortest quote (with its context) that may match a document without a
/// text to an article.
pub const MIN_QUOTE_PROBE: usize = 12;

/// Finds the article of a document without a known id or text: the one
/// article whose text contains a quote (exact with its context, at least
/// [`MIN_QUOTE_PROBE`] characters) of the document. A short quote, or one
/// found in several articles, matches nothing.
fn find_by_quote(store: &Store, doc: &Doc) -> Result<Option<String>> {
    let probes: Vec<String> = doc
        .items
        .iter()
        .filter_map(|i| i.quote.as_ref())
        .filter(|q| !q.exact.is_empty())
        .map(|q| format!("{}{}{}", q.prefix, q.exact, q.suffix))
        .filter(|p| p.chars().count() >= MIN_QUOTE_PROBE)
        .take(3)
        .collect();
    for p in probes {
        let ids = store.article_ids_containing(&p)?;
        if ids.len() == 1 {
            return Ok(ids.into_iter().next());
        }
    }
    Ok(None)
}

/// Whether `a` and `b` are the same text but for small changes: lengths
/// within 10% and a Dice coefficient of at least 0.9 over character pairs.
pub fn similar_text(a: &str, b: &str) -> bool {
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la.max(lb) * 9 > la.min(lb) * 10 {
        return false;
    }
    let pairs = |t: &str| {
        let mut m: std::collections::HashMap<(char, char), i64> = Default::default();
        let cs: Vec<char> = t.chars().collect();
        for w in cs.windows(2) {
            *m.entry((w[0], w[1])).or_default() += 1;
        }
        m
    };
    let (pa, pb) = (pairs(a), pairs(b));
    let total: i64 = pa.values().sum::<i64>() + pb.values().sum::<i64>();
    if total == 0 {
        return a == b;
    }
    let shared: i64 = pa
        .iter()
        .map(|(k, &n)| n.min(pb.get(k).copied().unwrap_or(0)))
        .sum();
    shared * 2 * 10 >= total * 9
}

fn apply(store: &Store, mut doc: Doc, summary: &mut ImportSummary) -> Result<()> {
    // 1. The article.
    let mut article = None;
    if let Some(id) = &doc.id
        && let Ok(a) = store.article(id)
    {
        summary.matched_by_id += 1;
        article = Some(a);
    }
    if article.is_none() {
        let found = match &doc.text {
            Some(t) => find_by_text(store, t)?,
            None => find_by_quote(store, &doc)?,
        };
        if let Some(id) = found {
            summary.matched_by_text += 1;
            article = Some(store.article(&id)?);
        }
    }
    let doc_chars: Option<Vec<char>> = doc.text.as_ref().map(|t| t.chars().collect());
    // Quotes from the document's own text where the file gave only positions.
    for it in &mut doc.items {
        if it.quote.is_none()
            && let (Some(cs), Some((s, e))) = (&doc_chars, it.span)
            && s < e
            && e <= cs.len()
        {
            it.quote = Some(quote(cs, s, e));
        }
    }
    let Some(article) = article else {
        let id = doc.id.clone().unwrap_or_else(|| doc.origin.clone());
        summary.unmatched.push(format!("{} ({})", id, doc.origin));
        for it in &doc.items {
            store_orphan(store, &id, it, summary)?;
        }
        return Ok(());
    };
    let id = article.id.clone();
    let same_text = doc.text.as_deref() == Some(article.text.as_str());
    if !same_text {
        // The entity list is complete for the document's own text only.
        doc.complete = false;
        if let Some(t) = &doc.text
            && !similar_text(t, &article.text)
        {
            summary.mismatched.push(format!(
                "{}: its text ({} characters) is not the text of article {id} ({} characters); \
                 nothing imported from it",
                doc.origin,
                t.chars().count(),
                article.text.chars().count()
            ));
            return Ok(());
        }
    }
    let art_chars: Vec<char> = article.text.chars().collect();
    let auto = store.auto_entities(&id)?;
    let existing = store.annotations(&id)?;
    // 2. Each span.
    let mut imported_entities: Vec<(usize, usize, EntityType)> = Vec::new();
    for it in &doc.items {
        let Some(kind) = it.kind else { continue };
        let placed = place(it, &article.text, &art_chars, same_text);
        let Some((s, e)) = placed else {
            store_orphan(store, &id, it, summary)?;
            continue;
        };
        let moved = it.span != Some((s, e)) || !same_text && doc.text.is_some();
        let fields = NewAnnotation {
            label: it.label.clone(),
            color: it.color.clone(),
            note: it.note.clone(),
            replacement: it.replacement.clone(),
        };
        let mut kind = kind;
        if kind == AnnotationKind::Entity {
            let label = it
                .label
                .clone()
                .unwrap_or(EntityType::Custom("ENTITY".into()));
            imported_entities.push((s, e, label.clone()));
            for t in &it.tags {
                if !store
                    .entity_tags(&slice(&art_chars, s, e), &label)?
                    .contains(t)
                {
                    store.tag_entity(&slice(&art_chars, s, e), &label, t)?;
                    summary.tags_added += 1;
                }
            }
            let is_auto = auto
                .iter()
                .any(|a| a.start == s && a.end == e && a.label == label);
            if is_auto && it.status != Some(EntityStatus::User) {
                if existing
                    .iter()
                    .any(|a| a.kind == AnnotationKind::Reject && a.start == s && a.end == e)
                {
                    summary.skipped.push(format!(
                        "{}: kept your rejection of {} {s}..{e}",
                        it.origin,
                        label.as_str()
                    ));
                    continue;
                }
                if it.status == Some(EntityStatus::Accepted) {
                    kind = AnnotationKind::Accept;
                } else {
                    summary.unchanged += 1;
                    continue;
                }
            }
        }
        let made_by = it.made_by.clone();
        insert_placed(
            store, &id, kind, s, e, fields, made_by, &art_chars, summary, moved,
        )?;
    }
    // 3. Automatic entities the complete list left out.
    if doc.complete {
        for ent in store.effective_entities(&id)? {
            if ent.status == EntityStatus::User {
                continue;
            }
            let e = &ent.entity;
            let listed = imported_entities
                .iter()
                .any(|(s, en, l)| *s == e.start && *en == e.end && *l == e.label);
            if !listed {
                let fields = NewAnnotation {
                    label: Some(e.label.clone()),
                    ..NewAnnotation::default()
                };
                let before = summary.added;
                insert_placed(
                    store,
                    &id,
                    AnnotationKind::Reject,
                    e.start,
                    e.end,
                    fields,
                    None,
                    &art_chars,
                    summary,
                    false,
                )?;
                if summary.added > before {
                    summary.added -= 1;
                    summary.rejected += 1;
                }
            }
        }
    }
    // 4. Tags and the reviewed mark.
    let have = store.article_tags(&id)?;
    for t in &doc.tags {
        if !t.trim().is_empty() && !have.contains(&t.trim().to_string()) {
            store.tag_article(&id, t)?;
            summary.tags_added += 1;
        }
    }
    if doc.reviewed && !article.reviewed {
        store.set_reviewed(&id, true)?;
        summary.reviewed += 1;
    }
    Ok(())
}

fn slice(cs: &[char], s: usize, e: usize) -> String {
    super::slice(cs, s, e)
}

/// Where an item goes in the article text.
fn place(it: &Item, text: &str, cs: &[char], same_text: bool) -> Option<(usize, usize)> {
    let valid = |(s, e): (usize, usize)| s < e && e <= cs.len();
    if same_text {
        return it.span.filter(|&sp| valid(sp));
    }
    match &it.quote {
        Some(q) if !q.exact.is_empty() => {
            let old = it.span.map(|(s, _)| s).unwrap_or(0).min(cs.len());
            reanchor(text, old, q).filter(|&sp| valid(sp))
        }
        // No quote at all (W3C position only): trust the position.
        _ => it.span.filter(|&sp| valid(sp)),
    }
}

#[allow(clippy::too_many_arguments)]
fn insert_placed(
    store: &Store,
    id: &str,
    kind: AnnotationKind,
    s: usize,
    e: usize,
    fields: NewAnnotation,
    made_by: Option<String>,
    cs: &[char],
    summary: &mut ImportSummary,
    moved: bool,
) -> Result<()> {
    let a = Annotation {
        id: 0,
        article_id: id.to_string(),
        kind,
        start: s,
        end: e,
        quote: quote(cs, s, e),
        label: fields.label,
        color: fields.color,
        note: fields.note,
        replacement: fields.replacement,
        orphan: false,
        annotator: store.annotator(),
        by_merge: false,
        made_by,
    };
    if store.find_identical_annotation(&a)?.is_some() {
        summary.unchanged += 1;
        return Ok(());
    }
    store.insert_annotation(&a)?;
    summary.added += 1;
    if moved {
        summary.moved += 1;
    }
    Ok(())
}

fn store_orphan(store: &Store, id: &str, it: &Item, summary: &mut ImportSummary) -> Result<()> {
    let Some(kind) = it.kind else { return Ok(()) };
    let Some(q) = it.quote.clone().filter(|q| !q.exact.is_empty()) else {
        summary.skipped.push(format!(
            "{}: span outside the text and no quote to place it by",
            it.origin
        ));
        return Ok(());
    };
    let (s, e) = it.span.unwrap_or((0, 0));
    let a = Annotation {
        id: 0,
        article_id: id.to_string(),
        kind,
        start: s,
        end: e,
        quote: q,
        label: it.label.clone(),
        color: it.color.clone(),
        note: it.note.clone(),
        replacement: it.replacement.clone(),
        orphan: true,
        annotator: store.annotator(),
        by_merge: false,
        made_by: it.made_by.clone(),
    };
    summary
        .orphans
        .push(format!("{} ({:?})", it.origin, a.quote.exact));
    if store.find_identical_annotation(&a)?.is_none() {
        store.insert_annotation(&a)?;
    }
    Ok(())
}
