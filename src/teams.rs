//! Teams: several annotators on one archive, their agreement, and a curated
//! set merged from their work.
//!
//! Owns who the current annotator is ([`default_annotator`]), what an
//! annotator's entities are ([`entity_set`]), the agreement figures
//! ([`agreement`]: exact-span F1, Cohen's and Fleiss' kappa on characters),
//! and curation ([`merge`], [`disagreements`], [`conform`]).
//!
//! Data model (migration 6): every annotation, reviewed mark, article tag
//! and entity tag carries an `annotator` name; the lexicon is shared (it
//! changes the automatic entities everyone starts from) and each entry
//! records who made it. The [`Store`] has a current annotator; everything
//! it reads or writes of that kind is the current annotator's
//! ([`Store::set_annotator`], [`Store::with_annotator`]).
//!
//! Decisions:
//! - **An annotator's entities** in an article are their *effective*
//!   entities: the automatic entities after their own corrections
//!   (rejections, retypes, boundaries, additions). Two people who accept
//!   the automatic entities unchanged therefore agree fully.
//! - **Which articles count**: those every annotator of a pair (or of the
//!   Fleiss group) has marked reviewed; with [`Scope::Annotated`], those
//!   where each made at least one entity decision (an entity, rejection or
//!   confirmation).
//! - **Exact-span F1**: a span matches when start, end and type are equal.
//!   F1 = 2·matched / (spans of A + spans of B): taking either one as the
//!   reference gives the same figure (precision and recall swap).
//! - **Character labels** for kappa: each character of the article's cleaned
//!   text (title, line breaks and all) gets the type of the span covering
//!   it, or O. Where an annotator's spans overlap, the span that starts
//!   first wins, then the longer, then the type name's order (the CoNLL
//!   export's rule). Per type, the labels are binary (covered by a span of
//!   that type or not); overall, the selected types and O. A kappa whose
//!   chance agreement is 1 (both label every character the same) is
//!   undefined and reported as such, as is an F1 without any span.
//! - **Merge** (see [`Strategy`]): per article, the voters are the
//!   annotators who reviewed it (or annotated it); candidate spans are
//!   grouped into clusters of overlapping spans; a cluster where every voter
//!   has the same spans is kept as it is; otherwise the strategy decides,
//!   and what it cannot decide is listed as a [`Conflict`] and left out of
//!   the curated set. The curated set is stored as the annotations of the
//!   `--into` name, marked curated in `annotators` and saved as the meta key
//!   [`META_CURATED`]; its articles without conflicts are marked reviewed.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::extract::EntityType;
use crate::store::{
    Annotation, AnnotationKind, DISMISSED_HIGHLIGHT, DISMISSED_REVIEWED, DISMISSED_TAG,
    NewAnnotation, Store, effective, highlight_key,
};

/// The annotator that rows made before migration 6 belong to.
pub const MIGRATED_ANNOTATOR: &str = "default";

/// Meta key: the archive's saved annotator (set by `pizhu annotators --use`
/// and the GUI's settings; by migration 6 when the archive had work).
pub const META_ANNOTATOR: &str = "annotator";

/// Meta key: the curated set the last `pizhu merge` wrote (exports default
/// to it).
pub const META_CURATED: &str = "curated";

/// Checks an annotator name and returns it trimmed: 1–64 characters, no
/// control characters, no comma (lists of names are comma-separated).
pub fn check_name(name: &str) -> Result<String> {
    let n = name.trim();
    if n.is_empty() {
        return Err(Error::Invalid("an annotator needs a name".into()));
    }
    if n.chars().count() > 64 {
        return Err(Error::Invalid(format!(
            "annotator name {n:?} is longer than 64 characters"
        )));
    }
    if n.chars().any(|c| c.is_control() || c == ',') {
        return Err(Error::Invalid(format!(
            "annotator name {n:?} contains a comma or a control character"
        )));
    }
    Ok(n.to_string())
}

/// The operating system's user name (`$USER`, else `$USERNAME`), if it is
/// a valid annotator name.
pub fn os_user() -> Option<String> {
    ["USER", "USERNAME"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find_map(|v| check_name(&v).ok())
}

/// The annotator a store starts with ([`Store::open`] calls this), in this
/// order:
/// 1. the archive's saved annotator (meta key [`META_ANNOTATOR`]): set by
///    `pizhu annotators ARCHIVE --use NAME` or the GUI's settings, and set
///    to [`MIGRATED_ANNOTATOR`] by migration 6 when the archive already had
///    annotations, reviewed marks, tags or lexicon entries — so an upgraded
///    archive keeps showing its work whatever the OS user is called;
/// 2. the OS user ([`os_user`]);
/// 3. [`MIGRATED_ANNOTATOR`].
///
/// `--annotator NAME` (CLI) and the GUI's switcher override it for one run
/// ([`Store::set_annotator`]).
pub fn default_annotator(store: &Store) -> Result<String> {
    if let Some(n) = store.meta(META_ANNOTATOR)?
        && let Ok(n) = check_name(&n)
    {
        return Ok(n);
    }
    Ok(os_user().unwrap_or_else(|| MIGRATED_ANNOTATOR.to_string()))
}

/// Whose work an export writes when no annotator is named: the curated set
/// of the last merge if there is one ([`META_CURATED`]), else the current
/// annotator.
pub fn export_annotator(store: &Store) -> Result<String> {
    if let Some(n) = store.meta(META_CURATED)?
        && let Ok(n) = check_name(&n)
    {
        return Ok(n);
    }
    Ok(store.annotator())
}

/// Splits a comma-separated list of names, checking each.
pub fn parse_names(list: &str) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for n in list.split(',').filter(|n| !n.trim().is_empty()) {
        let n = check_name(n)?;
        if !out.contains(&n) {
            out.push(n);
        }
    }
    Ok(out)
}

/// An entity as compared between annotators: span and type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    /// Start (code points into the cleaned text).
    pub start: usize,
    /// End, exclusive.
    pub end: usize,
    /// Type name (`PER`, …).
    pub label: String,
}

impl Span {
    /// A span.
    pub fn new(start: usize, end: usize, label: &str) -> Span {
        Span {
            start,
            end,
            label: label.to_string(),
        }
    }

    fn overlaps(&self, start: usize, end: usize) -> bool {
        self.start < end && start < self.end
    }
}

/// `annotator`'s entities in an article: their effective entities (the
/// automatic ones after their corrections), sorted, each span once.
pub fn entity_set(store: &Store, article: &str, annotator: &str) -> Result<Vec<Span>> {
    let mut out: Vec<Span> = store
        .with_annotator(annotator, |s| s.effective_entities(article))?
        .into_iter()
        .map(|e| Span::new(e.entity.start, e.entity.end, e.entity.label.as_str()))
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

/// Which articles count for an annotator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Articles the annotator marked reviewed.
    #[default]
    Reviewed,
    /// Articles where the annotator made an entity decision.
    Annotated,
}

fn scope_of(store: &Store, name: &str, scope: Scope) -> Result<BTreeSet<String>> {
    match scope {
        Scope::Reviewed => store.reviewed_by(name),
        Scope::Annotated => store.annotated_by(name),
    }
}

// ---- agreement figures (pure) ---------------------------------------------

/// Matched spans and F1 of two span sets (exact span and type); F1 is
/// `None` when neither has a span.
pub fn span_f1(a: &[Span], b: &[Span]) -> (usize, Option<f64>) {
    let bs: BTreeSet<&Span> = b.iter().collect();
    let sa: BTreeSet<&Span> = a.iter().collect();
    let matched = sa.iter().filter(|s| bs.contains(*s)).count();
    let total = sa.len() + bs.len();
    (
        matched,
        (total > 0).then(|| 2.0 * matched as f64 / total as f64),
    )
}

/// Per character of a text of `len` characters: the index in `types` of
/// the span covering it, or `types.len()` for O. Spans of other types are
/// ignored; overlapping spans: first start, then longer, then type order.
pub fn char_labels(len: usize, spans: &[Span], types: &[String]) -> Vec<u16> {
    let o = types.len() as u16;
    let mut out = vec![o; len];
    let mut sorted: Vec<(&Span, u16)> = spans
        .iter()
        .filter_map(|s| {
            types
                .iter()
                .position(|t| *t == s.label)
                .map(|i| (s, i as u16))
        })
        .collect();
    sorted.sort_by(|(a, ai), (b, bi)| {
        a.start
            .cmp(&b.start)
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(ai.cmp(bi))
    });
    for (s, i) in sorted {
        for c in out.iter_mut().take(s.end.min(len)).skip(s.start) {
            if *c == o {
                *c = i;
            }
        }
    }
    out
}

/// Cohen's kappa of two label sequences of equal length: (pₒ − pₑ) / (1 −
/// pₑ), pₑ from each one's label frequencies. `None` when undefined (no
/// items, or pₑ = 1: both give every item one and the same label).
pub fn cohen_kappa(a: &[u16], b: &[u16]) -> Option<f64> {
    let n = a.len().min(b.len());
    if n == 0 {
        return None;
    }
    let mut fa: BTreeMap<u16, f64> = BTreeMap::new();
    let mut fb: BTreeMap<u16, f64> = BTreeMap::new();
    let mut agree = 0usize;
    for (x, y) in a.iter().zip(b) {
        *fa.entry(*x).or_default() += 1.0;
        *fb.entry(*y).or_default() += 1.0;
        agree += (x == y) as usize;
    }
    let nf = n as f64;
    let po = agree as f64 / nf;
    let pe: f64 = fa
        .iter()
        .map(|(k, ca)| ca / nf * fb.get(k).copied().unwrap_or(0.0) / nf)
        .sum();
    (1.0 - pe > 1e-12).then(|| (po - pe) / (1.0 - pe))
}

/// Fleiss' kappa of several raters' label sequences (one sequence per
/// rater, all of one length; every item rated by every rater). `None` when
/// undefined (fewer than two raters, no items, or chance agreement 1).
pub fn fleiss_kappa(raters: &[Vec<u16>]) -> Option<f64> {
    let n = raters.len();
    let items = raters.iter().map(Vec::len).min().unwrap_or(0);
    if n < 2 || items == 0 {
        return None;
    }
    let mut totals: BTreeMap<u16, f64> = BTreeMap::new();
    let mut pbar = 0.0;
    let mut counts: BTreeMap<u16, usize> = BTreeMap::new();
    for i in 0..items {
        counts.clear();
        for r in raters {
            *counts.entry(r[i]).or_default() += 1;
        }
        let sq: usize = counts.values().map(|c| c * c).sum();
        pbar += (sq - n) as f64 / (n * (n - 1)) as f64;
        for (k, c) in &counts {
            *totals.entry(*k).or_default() += *c as f64;
        }
    }
    pbar /= items as f64;
    let all = (items * n) as f64;
    let pe: f64 = totals.values().map(|t| (t / all) * (t / all)).sum();
    (1.0 - pe > 1e-12).then(|| (pbar - pe) / (1.0 - pe))
}

// ---- agreement over an archive --------------------------------------------

/// What [`agreement`] compares.
#[derive(Debug, Clone, Default)]
pub struct AgreementOptions {
    /// The annotators (default: every one that is not a curated set and
    /// has an article in scope).
    pub annotators: Option<Vec<String>>,
    /// The types (default: every type any of them used in those articles),
    /// stored names (`PER`, …).
    pub types: Option<Vec<String>>,
    /// Which articles count.
    pub scope: Scope,
}

/// One figure row: one type (or `all`) for one pair.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairScore {
    /// Type name, or `all` for the selected types together.
    #[serde(rename = "type")]
    pub type_: String,
    /// Spans of the first annotator.
    pub spans_a: usize,
    /// Spans of the second.
    pub spans_b: usize,
    /// Spans both have (same start, end and type).
    pub matched: usize,
    /// Exact-span F1 (`None`: no span on either side).
    pub f1: Option<f64>,
    /// Cohen's kappa on characters (`None`: undefined).
    pub kappa: Option<f64>,
}

/// Agreement of one pair.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairAgreement {
    /// First annotator.
    pub a: String,
    /// Second annotator.
    pub b: String,
    /// Articles both have in scope (what every figure rests on).
    pub articles: usize,
    /// Characters of those articles.
    pub characters: usize,
    /// Per type, then `all`.
    pub scores: Vec<PairScore>,
}

/// One Fleiss figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FleissScore {
    /// Type name, or `all`.
    #[serde(rename = "type")]
    pub type_: String,
    /// Spans of each annotator (in the group's order).
    pub spans: Vec<usize>,
    /// Fleiss' kappa on characters (`None`: undefined).
    pub kappa: Option<f64>,
}

/// Fleiss' kappa of three or more annotators.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FleissAgreement {
    /// The annotators.
    pub annotators: Vec<String>,
    /// Articles all of them have in scope.
    pub articles: usize,
    /// Characters of those articles.
    pub characters: usize,
    /// Per type, then `all`.
    pub scores: Vec<FleissScore>,
}

/// An annotator and how many articles they have in scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnnotatorScope {
    /// Name.
    pub name: String,
    /// Articles in scope.
    pub articles: usize,
}

/// Everything `pizhu agreement` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgreementReport {
    /// Which articles count.
    pub scope: Scope,
    /// The annotators compared.
    pub annotators: Vec<AnnotatorScope>,
    /// The types compared.
    pub types: Vec<String>,
    /// Every pair.
    pub pairs: Vec<PairAgreement>,
    /// With three or more annotators.
    pub fleiss: Option<FleissAgreement>,
}

/// Canonical order of type names: the built-in types first, then others
/// by name.
fn type_order(t: &str) -> (usize, String) {
    let i = EntityType::BUILTIN
        .iter()
        .position(|b| b.as_str() == t)
        .unwrap_or(EntityType::BUILTIN.len());
    (i, t.to_string())
}

/// Per article in scope: its length and each annotator's spans.
struct Loaded {
    len: BTreeMap<String, usize>,
    sets: BTreeMap<(String, String), Vec<Span>>,
}

fn load(store: &Store, names: &[String], articles: &BTreeSet<String>) -> Result<Loaded> {
    let mut len = BTreeMap::new();
    let mut sets = BTreeMap::new();
    for id in articles {
        len.insert(id.clone(), store.article(id)?.text.chars().count());
        for n in names {
            sets.insert((id.clone(), n.clone()), entity_set(store, id, n)?);
        }
    }
    Ok(Loaded { len, sets })
}

/// Agreement of annotators over the articles they share (see the module
/// documentation for every definition).
pub fn agreement(store: &Store, opts: &AgreementOptions) -> Result<AgreementReport> {
    let names: Vec<String> = match &opts.annotators {
        Some(list) => list.clone(),
        None => {
            let mut v = Vec::new();
            for a in store.annotators()? {
                if !a.curated && !scope_of(store, &a.name, opts.scope)?.is_empty() {
                    v.push(a.name);
                }
            }
            v
        }
    };
    if names.len() < 2 {
        return Err(Error::Invalid(format!(
            "agreement needs two or more annotators with {} articles; found {}",
            match opts.scope {
                Scope::Reviewed => "reviewed",
                Scope::Annotated => "annotated",
            },
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        )));
    }
    let known: BTreeSet<String> = store.annotators()?.into_iter().map(|a| a.name).collect();
    if let Some(n) = names.iter().find(|n| !known.contains(*n)) {
        return Err(Error::NotFound(format!(
            "no annotator named {n:?} in this archive (see `pizhu annotators`)"
        )));
    }
    let scopes: Vec<BTreeSet<String>> = names
        .iter()
        .map(|n| scope_of(store, n, opts.scope))
        .collect::<Result<_>>()?;
    let union: BTreeSet<String> = {
        // Articles of any pair.
        let mut u = BTreeSet::new();
        for i in 0..names.len() {
            for j in i + 1..names.len() {
                u.extend(scopes[i].intersection(&scopes[j]).cloned());
            }
        }
        u
    };
    let data = load(store, &names, &union)?;
    let types: Vec<String> = match &opts.types {
        Some(t) => t.clone(),
        None => {
            let mut t: BTreeSet<(usize, String)> = BTreeSet::new();
            for s in data.sets.values() {
                t.extend(s.iter().map(|s| type_order(&s.label)));
            }
            t.into_iter().map(|(_, n)| n).collect()
        }
    };
    let mut pairs = Vec::new();
    for i in 0..names.len() {
        for j in i + 1..names.len() {
            let common: Vec<&String> = scopes[i].intersection(&scopes[j]).collect();
            pairs.push(pair_agreement(&data, &names[i], &names[j], &common, &types));
        }
    }
    let fleiss = (names.len() >= 3).then(|| {
        let common: Vec<&String> = union
            .iter()
            .filter(|id| scopes.iter().all(|s| s.contains(*id)))
            .collect();
        fleiss_agreement(&data, &names, &common, &types)
    });
    Ok(AgreementReport {
        scope: opts.scope,
        annotators: names
            .iter()
            .zip(&scopes)
            .map(|(n, s)| AnnotatorScope {
                name: n.clone(),
                articles: s.len(),
            })
            .collect(),
        types,
        pairs,
        fleiss,
    })
}

/// Label sequences over `articles` (concatenated), per type (binary) and
/// overall (the last).
fn labels_of(data: &Loaded, name: &str, articles: &[&String], types: &[String]) -> Vec<Vec<u16>> {
    let mut out = vec![Vec::new(); types.len() + 1];
    for id in articles {
        let len = data.len[*id];
        let spans = &data.sets[&((*id).clone(), name.to_string())];
        for (t, ty) in types.iter().enumerate() {
            out[t].extend(char_labels(len, spans, std::slice::from_ref(ty)));
        }
        out[types.len()].extend(char_labels(len, spans, types));
    }
    out
}

fn spans_of(data: &Loaded, name: &str, id: &str, ty: Option<&str>, types: &[String]) -> Vec<Span> {
    data.sets[&(id.to_string(), name.to_string())]
        .iter()
        .filter(|s| match ty {
            Some(t) => s.label == t,
            None => types.contains(&s.label),
        })
        .cloned()
        .collect()
}

fn pair_agreement(
    data: &Loaded,
    a: &str,
    b: &str,
    articles: &[&String],
    types: &[String],
) -> PairAgreement {
    let la = labels_of(data, a, articles, types);
    let lb = labels_of(data, b, articles, types);
    let mut scores = Vec::new();
    let rows: Vec<(String, Option<&str>)> = types
        .iter()
        .map(|t| (t.clone(), Some(t.as_str())))
        .chain(std::iter::once(("all".to_string(), None)))
        .collect();
    for (k, (name, ty)) in rows.iter().enumerate() {
        let (mut sa, mut sb, mut m) = (0, 0, 0);
        for id in articles {
            let x = spans_of(data, a, id, *ty, types);
            let y = spans_of(data, b, id, *ty, types);
            let (mm, _) = span_f1(&x, &y);
            sa += x.len();
            sb += y.len();
            m += mm;
        }
        scores.push(PairScore {
            type_: name.clone(),
            spans_a: sa,
            spans_b: sb,
            matched: m,
            f1: (sa + sb > 0).then(|| 2.0 * m as f64 / (sa + sb) as f64),
            kappa: cohen_kappa(&la[k], &lb[k]),
        });
    }
    PairAgreement {
        a: a.to_string(),
        b: b.to_string(),
        articles: articles.len(),
        characters: articles.iter().map(|id| data.len[*id]).sum(),
        scores,
    }
}

fn fleiss_agreement(
    data: &Loaded,
    names: &[String],
    articles: &[&String],
    types: &[String],
) -> FleissAgreement {
    let labels: Vec<Vec<Vec<u16>>> = names
        .iter()
        .map(|n| labels_of(data, n, articles, types))
        .collect();
    let mut scores = Vec::new();
    for k in 0..=types.len() {
        let ty = types.get(k).map(String::as_str);
        let raters: Vec<Vec<u16>> = labels.iter().map(|l| l[k].clone()).collect();
        scores.push(FleissScore {
            type_: ty.unwrap_or("all").to_string(),
            spans: names
                .iter()
                .map(|n| {
                    articles
                        .iter()
                        .map(|id| spans_of(data, n, id, ty, types).len())
                        .sum()
                })
                .collect(),
            kappa: fleiss_kappa(&raters),
        });
    }
    FleissAgreement {
        annotators: names.to_vec(),
        articles: articles.len(),
        characters: articles.iter().map(|id| data.len[*id]).sum(),
        scores,
    }
}

fn fmt_fig(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".to_string(), |v| format!("{v:.3}"))
}

impl AgreementReport {
    /// The report as a table for people.
    pub fn render(&self) -> String {
        use std::fmt::Write;
        let mut o = String::new();
        let scope = match self.scope {
            Scope::Reviewed => "reviewed",
            Scope::Annotated => "annotated (an entity decision made)",
        };
        let _ = writeln!(o, "articles counted: those {scope} by both of a pair");
        for a in &self.annotators {
            let _ = writeln!(o, "  {}: {} articles", a.name, a.articles);
        }
        let _ = writeln!(
            o,
            "F1: exact spans (same start, end, type), symmetric; kappa: Cohen's, per character (O included)"
        );
        for p in &self.pairs {
            let _ = writeln!(
                o,
                "\n{} × {}: {} articles, {} characters",
                p.a, p.b, p.articles, p.characters
            );
            let _ = writeln!(
                o,
                "  {:<8} {:>8} {:>8} {:>8} {:>7} {:>7}",
                "type", "spans A", "spans B", "matched", "F1", "kappa"
            );
            for s in &p.scores {
                let _ = writeln!(
                    o,
                    "  {:<8} {:>8} {:>8} {:>8} {:>7} {:>7}",
                    s.type_,
                    s.spans_a,
                    s.spans_b,
                    s.matched,
                    fmt_fig(s.f1),
                    fmt_fig(s.kappa)
                );
            }
        }
        if let Some(f) = &self.fleiss {
            let _ = writeln!(
                o,
                "\nFleiss' kappa ({}): {} articles reviewed by all, {} characters",
                f.annotators.join(", "),
                f.articles,
                f.characters
            );
            let _ = writeln!(o, "  {:<8} {:>7}  spans", "type", "kappa");
            for s in &f.scores {
                let spans: Vec<String> = s.spans.iter().map(|n| n.to_string()).collect();
                let _ = writeln!(
                    o,
                    "  {:<8} {:>7}  {}",
                    s.type_,
                    fmt_fig(s.kappa),
                    spans.join(" / ")
                );
            }
        }
        o
    }
}

// ---- curation ---------------------------------------------------------------

/// How [`merge`] settles a cluster where the voters differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Strategy {
    /// A span is kept when more than half of the voters have it and left
    /// out when fewer than half do; exactly half is a tie: a conflict (with
    /// two voters, every difference is one).
    Majority,
    /// Every span any voter has is kept, unless spans of a cluster differ
    /// (overlap with other boundaries or types): a conflict, and only the
    /// spans every voter has are kept there.
    Union,
    /// The named annotator's spans wherever they reviewed the article;
    /// elsewhere, majority among the others.
    Prefer(String),
}

impl std::str::FromStr for Strategy {
    type Err = Error;
    fn from_str(s: &str) -> Result<Strategy> {
        match s.trim() {
            "majority" => Ok(Strategy::Majority),
            "union" => Ok(Strategy::Union),
            p if p.starts_with("prefer:") => Ok(Strategy::Prefer(check_name(&p[7..])?)),
            other => Err(Error::Invalid(format!(
                "unknown strategy {other:?}: majority, union or prefer:NAME"
            ))),
        }
    }
}

/// What [`merge`] does.
#[derive(Debug, Clone)]
pub struct MergeOptions {
    /// The annotators merged (two or more).
    pub annotators: Vec<String>,
    /// The curated set written.
    pub into: String,
    /// How differences are settled.
    pub strategy: Strategy,
    /// Which articles each annotator votes on.
    pub scope: Scope,
}

/// A region of an article where annotators differ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    /// Article id.
    pub article: String,
    /// Start of the region (the union of the overlapping spans).
    pub start: usize,
    /// End, exclusive.
    pub end: usize,
    /// The region's text.
    pub text: String,
    /// Each voter's spans in the region (empty: none there).
    pub versions: Vec<(String, Vec<Span>)>,
    /// Why it was not settled.
    pub why: String,
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}..{} {:?}: {}",
            self.article, self.start, self.end, self.text, self.why
        )?;
        for (n, spans) in &self.versions {
            let v: Vec<String> = spans
                .iter()
                .map(|s| format!("{} {}..{}", s.label, s.start, s.end))
                .collect();
            write!(
                f,
                "; {n}: {}",
                if v.is_empty() {
                    "nothing".to_string()
                } else {
                    v.join(", ")
                }
            )?;
        }
        Ok(())
    }
}

/// What [`merge`] did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MergeReport {
    /// Articles merged (any voter had them in scope).
    pub articles: usize,
    /// Of those, with every cluster settled (marked reviewed in the set).
    pub settled: usize,
    /// Spans in the curated set over those articles.
    pub spans: usize,
    /// Annotations written to the curated set.
    pub added: usize,
    /// Annotations of the curated set removed (a previous merge's that no
    /// longer hold).
    pub removed: usize,
    /// What could not be settled (left out of the curated set).
    pub conflicts: Vec<Conflict>,
    /// Regions where the curated set was decided by hand and differs from
    /// what the merge decided: kept as they are.
    pub kept: Vec<Kept>,
    /// Articles left marked reviewed because the mark was set by hand,
    /// though the merge has conflicts there.
    pub kept_reviewed: usize,
    /// Highlights (with notes) brought into the curated set.
    pub highlights_added: usize,
    /// Highlights a previous merge brought that no annotator has any more.
    pub highlights_removed: usize,
    /// Article tags brought into the curated set.
    pub tags_added: usize,
    /// Article tags a previous merge brought that no annotator has any more.
    pub tags_removed: usize,
    /// Highlights not brought back because they were deleted (or changed)
    /// by hand in the curated set.
    pub highlights_dismissed: usize,
    /// Article tags not brought back because they were removed by hand.
    pub tags_dismissed: usize,
    /// Settled articles not marked reviewed because the mark was removed
    /// by hand.
    pub reviewed_dismissed: usize,
}

/// A region of a curated set decided by hand, which [`merge`] kept.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kept {
    /// Article id.
    pub article: String,
    /// Start of the region.
    pub start: usize,
    /// End, exclusive.
    pub end: usize,
    /// The region's text.
    pub text: String,
    /// The curated set's spans there (kept).
    pub hand: Vec<Span>,
    /// What the merge would have written there.
    pub merge: Vec<Span>,
}

fn fmt_spans(spans: &[Span]) -> String {
    if spans.is_empty() {
        return "nothing".to_string();
    }
    let v: Vec<String> = spans
        .iter()
        .map(|s| format!("{} {}..{}", s.label, s.start, s.end))
        .collect();
    v.join(", ")
}

impl std::fmt::Display for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}..{} {:?}: by hand {}; merge would write {}",
            self.article,
            self.start,
            self.end,
            self.text,
            fmt_spans(&self.hand),
            fmt_spans(&self.merge)
        )
    }
}

impl std::fmt::Display for MergeReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "articles: {} merged, {} settled (marked reviewed), {} with conflicts",
            self.articles,
            self.settled,
            self.articles - self.settled
        )?;
        writeln!(
            f,
            "curated spans: {}; annotations: {} added, {} removed",
            self.spans, self.added, self.removed
        )?;
        writeln!(
            f,
            "highlights: {} added, {} removed; article tags: {} added, {} removed",
            self.highlights_added, self.highlights_removed, self.tags_added, self.tags_removed
        )?;
        writeln!(f, "conflicts (left out): {}", self.conflicts.len())?;
        for c in &self.conflicts {
            writeln!(f, "  {c}")?;
        }
        writeln!(
            f,
            "kept because made by hand: {} regions, {} reviewed marks",
            self.kept.len(),
            self.kept_reviewed
        )?;
        for k in &self.kept {
            writeln!(f, "  {k}")?;
        }
        writeln!(
            f,
            "not brought back because removed by hand: {} highlights, {} article tags, {} reviewed marks",
            self.highlights_dismissed, self.tags_dismissed, self.reviewed_dismissed
        )?;
        Ok(())
    }
}

/// Clusters of overlapping spans (connected components), in order.
fn clusters(spans: &BTreeSet<Span>) -> Vec<Vec<Span>> {
    let mut out: Vec<Vec<Span>> = Vec::new();
    let mut end = 0;
    for s in spans {
        match out.last_mut() {
            Some(c) if s.start < end => {
                c.push(s.clone());
                end = end.max(s.end);
            }
            _ => {
                out.push(vec![s.clone()]);
                end = s.end;
            }
        }
    }
    out
}

/// How one cluster is settled: the spans kept, and why not, when it is
/// not.
fn settle(
    cluster: &[Span],
    voters: &[String],
    sets: &[Vec<Span>],
    strategy: &Strategy,
) -> (Vec<Span>, Option<String>) {
    let votes = |s: &Span| sets.iter().filter(|set| set.contains(s)).count();
    let n = voters.len();
    if cluster.iter().all(|s| votes(s) == n) {
        return (cluster.to_vec(), None);
    }
    let majority = |cluster: &[Span]| {
        let kept: Vec<Span> = cluster
            .iter()
            .filter(|s| 2 * votes(s) > n)
            .cloned()
            .collect();
        let tie = cluster.iter().any(|s| 2 * votes(s) == n);
        (
            kept,
            tie.then(|| "tie: as many voters for as against".to_string()),
        )
    };
    match strategy {
        Strategy::Prefer(p) => match voters.iter().position(|v| v == p) {
            Some(i) => (
                cluster
                    .iter()
                    .filter(|s| sets[i].contains(s))
                    .cloned()
                    .collect(),
                None,
            ),
            None => majority(cluster),
        },
        Strategy::Majority => majority(cluster),
        Strategy::Union => {
            if cluster.len() == 1 {
                (cluster.to_vec(), None)
            } else {
                (
                    cluster.iter().filter(|s| votes(s) == n).cloned().collect(),
                    Some("overlapping spans with other boundaries or types".to_string()),
                )
            }
        }
    }
}

/// The regions of an article where the given annotators' entities differ
/// (clusters of overlapping spans not every one of them has), each with
/// every annotator's version: what a curation view marks.
pub fn disagreements(store: &Store, article: &str, annotators: &[String]) -> Result<Vec<Conflict>> {
    let sets: Vec<Vec<Span>> = annotators
        .iter()
        .map(|n| entity_set(store, article, n))
        .collect::<Result<_>>()?;
    let text: Vec<char> = store.article(article)?.text.chars().collect();
    let all: BTreeSet<Span> = sets.iter().flatten().cloned().collect();
    let mut out = Vec::new();
    for c in clusters(&all) {
        if c.iter().all(|s| sets.iter().all(|set| set.contains(s))) {
            continue;
        }
        out.push(conflict(
            article,
            &text,
            &c,
            annotators,
            &sets,
            "annotators differ",
        ));
    }
    Ok(out)
}

fn conflict(
    article: &str,
    text: &[char],
    cluster: &[Span],
    voters: &[String],
    sets: &[Vec<Span>],
    why: &str,
) -> Conflict {
    let start = cluster.iter().map(|s| s.start).min().unwrap_or(0);
    let end = cluster.iter().map(|s| s.end).max().unwrap_or(0);
    Conflict {
        article: article.to_string(),
        start,
        end,
        text: text[start.min(text.len())..end.min(text.len())]
            .iter()
            .collect(),
        versions: voters
            .iter()
            .zip(sets)
            .map(|(v, set)| {
                (
                    v.clone(),
                    set.iter()
                        .filter(|s| s.overlaps(start, end))
                        .cloned()
                        .collect(),
                )
            })
            .collect(),
        why: why.to_string(),
    }
}

/// One annotation written or removed by [`conform`]: (before, after), as
/// the editor's history records it.
pub type AnnotationChange = (Option<Annotation>, Option<Annotation>);

/// Makes the current annotator's entities in `article` equal `target`, in
/// `region` (every span overlapping it; `None`: the whole article), with
/// as few writes as possible: automatic entities kept are confirmed
/// (`accept`), the others rejected, target spans that are not automatic
/// become user entities; entity decisions of the current annotator in the
/// region that are not needed are deleted. Highlights, corrections and
/// everything outside the region are left alone. Returns the changes, and
/// the spans where the result differs from `target` (none, unless `target`
/// keeps an automatic entity that one of its own user entities overlaps:
/// a user entity hides the automatic entities it overlaps).
pub fn conform(
    store: &Store,
    article: &str,
    region: Option<(usize, usize)>,
    target: &[Span],
) -> Result<(Vec<AnnotationChange>, Vec<Span>)> {
    conform_by(store, article, region, &[], target, false)
}

/// [`conform`], leaving alone everything overlapping one of the `keep`
/// regions, and recording the rows it writes as `pizhu merge`'s
/// (`by_merge`) or as made by hand. With `by_merge`, rows made by hand are
/// never deleted, wherever they are.
fn conform_by(
    store: &Store,
    article: &str,
    region: Option<(usize, usize)>,
    keep: &[(usize, usize)],
    target: &[Span],
    by_merge: bool,
) -> Result<(Vec<AnnotationChange>, Vec<Span>)> {
    let inside = |s: usize, e: usize| {
        region.is_none_or(|(rs, re)| s < re && rs < e)
            && !keep.iter().any(|&(ks, ke)| s < ke && ks < e)
    };
    let target: BTreeSet<Span> = target
        .iter()
        .filter(|t| inside(t.start, t.end))
        .cloned()
        .collect();
    let auto = store.auto_entities(article)?;
    let mut want: Vec<(AnnotationKind, Span)> = Vec::new();
    for e in &auto {
        if !inside(e.start, e.end) {
            continue;
        }
        let s = Span::new(e.start, e.end, e.label.as_str());
        let kind = if target.contains(&s) {
            AnnotationKind::Accept
        } else {
            AnnotationKind::Reject
        };
        if !want.contains(&(kind, s.clone())) {
            want.push((kind, s));
        }
    }
    for t in &target {
        if !auto
            .iter()
            .any(|e| (e.start, e.end, e.label.as_str()) == (t.start, t.end, t.label.as_str()))
        {
            want.push((AnnotationKind::Entity, t.clone()));
        }
    }
    let mut changes: Vec<AnnotationChange> = Vec::new();
    let mut have: Vec<Annotation> = store
        .annotations(article)?
        .into_iter()
        .filter(|a| {
            matches!(
                a.kind,
                AnnotationKind::Entity | AnnotationKind::Reject | AnnotationKind::Accept
            ) && inside(a.start, a.end)
                && (a.by_merge || !by_merge)
        })
        .collect();
    let key = |a: &Annotation| {
        (
            a.kind,
            Span::new(a.start, a.end, a.label.as_ref().map_or("", |l| l.as_str())),
        )
    };
    let mut missing: Vec<(AnnotationKind, Span)> = Vec::new();
    for w in want {
        match have.iter().position(|a| key(a) == w) {
            Some(i) => {
                have.remove(i);
            }
            None => missing.push(w),
        }
    }
    for a in have {
        changes.push((Some(store.delete_annotation(a.id)?), None));
    }
    for (kind, s) in missing {
        let label: EntityType = s
            .label
            .parse()
            .unwrap_or(EntityType::Custom(s.label.clone()));
        let id = store.add_annotation_by(
            article,
            kind,
            s.start,
            s.end,
            NewAnnotation {
                label: Some(label),
                ..Default::default()
            },
            by_merge,
        )?;
        changes.push((None, Some(store.annotation(id)?)));
    }
    let now: BTreeSet<Span> = effective(auto, &store.annotations(article)?)
        .into_iter()
        .filter(|e| inside(e.entity.start, e.entity.end))
        .map(|e| Span::new(e.entity.start, e.entity.end, e.entity.label.as_str()))
        .collect();
    Ok((
        changes,
        now.symmetric_difference(&target).cloned().collect(),
    ))
}

/// Merges the annotators' entities into the curated set `opts.into` (see
/// [`Strategy`] and the module documentation), in one transaction. Running
/// it again on unchanged work writes nothing.
pub fn merge(store: &Store, opts: &MergeOptions) -> Result<MergeReport> {
    let into = check_name(&opts.into)?;
    if opts.annotators.len() < 2 {
        return Err(Error::Invalid("merge needs two or more annotators".into()));
    }
    if opts.annotators.contains(&into) {
        return Err(Error::Invalid(format!(
            "{into:?} is one of the annotators merged: the curated set needs a name of its own"
        )));
    }
    let summaries = store.annotators()?;
    for n in &opts.annotators {
        if !summaries.iter().any(|a| &a.name == n) {
            return Err(Error::NotFound(format!(
                "no annotator named {n:?} in this archive (see `pizhu annotators`)"
            )));
        }
    }
    if let Strategy::Prefer(p) = &opts.strategy
        && !opts.annotators.contains(p)
    {
        return Err(Error::Invalid(format!(
            "prefer:{p}: {p:?} is not among the annotators merged"
        )));
    }
    if let Some(a) = summaries.iter().find(|a| a.name == into)
        && a.has_work()
        && !a.curated
    {
        return Err(Error::Invalid(format!(
            "{into:?} is a person's work, not a curated set: merging into it would change their \
             annotations; choose another name"
        )));
    }
    let scopes: Vec<BTreeSet<String>> = opts
        .annotators
        .iter()
        .map(|n| scope_of(store, n, opts.scope))
        .collect::<Result<_>>()?;
    let articles: BTreeSet<String> = scopes.iter().flatten().cloned().collect();
    store.atomically(|s| {
        s.set_curated(&into, true)?;
        s.set_meta(META_CURATED, &into)?;
        let mut report = MergeReport::default();
        for id in &articles {
            let voters: Vec<String> = opts
                .annotators
                .iter()
                .zip(&scopes)
                .filter(|(_, sc)| sc.contains(id))
                .map(|(n, _)| n.clone())
                .collect();
            let sets: Vec<Vec<Span>> = voters
                .iter()
                .map(|n| entity_set(s, id, n))
                .collect::<Result<_>>()?;
            let text: Vec<char> = s.article(id)?.text.chars().collect();
            let all: BTreeSet<Span> = sets.iter().flatten().cloned().collect();
            let mut target: Vec<Span> = Vec::new();
            let mut conflicts = Vec::new();
            for c in clusters(&all) {
                let (kept, why) = settle(&c, &voters, &sets, &opts.strategy);
                target.extend(kept);
                if let Some(why) = why {
                    conflicts.push(conflict(id, &text, &c, &voters, &sets, &why));
                }
            }
            // Hand-made decisions of the curated set (taken sides, edits
            // by someone working as the set) and everything overlapping
            // them are left as they are.
            let keep = hand_regions(s, &into, id, &all)?;
            let touches = |a: usize, b: usize| keep.iter().any(|&(ks, ke)| a < ke && ks < b);
            let before = if keep.is_empty() {
                Vec::new()
            } else {
                entity_set(s, id, &into)?
            };
            for &(ks, ke) in &keep {
                let hand: Vec<Span> = before
                    .iter()
                    .filter(|x| x.overlaps(ks, ke))
                    .cloned()
                    .collect();
                let merged: Vec<Span> = target
                    .iter()
                    .filter(|x| x.overlaps(ks, ke))
                    .cloned()
                    .collect();
                if hand != merged {
                    report.kept.push(Kept {
                        article: id.clone(),
                        start: ks,
                        end: ke,
                        text: text[ks.min(text.len())..ke.min(text.len())]
                            .iter()
                            .collect(),
                        hand,
                        merge: merged,
                    });
                }
            }
            conflicts.retain(|c| !touches(c.start, c.end));
            target.retain(|t| !touches(t.start, t.end));
            let (changes, differ) =
                s.with_annotator(&into, |s| conform_by(s, id, None, &keep, &target, true))?;
            if !differ.is_empty() {
                let all: BTreeSet<Span> = differ.into_iter().collect();
                for c in clusters(&all) {
                    conflicts.push(conflict(
                        id,
                        &text,
                        &c,
                        &voters,
                        &sets,
                        "kept spans overlap (a user entity hides the automatic one it overlaps)",
                    ));
                }
            }
            for (before, after) in &changes {
                report.removed += before.is_some() as usize;
                report.added += after.is_some() as usize;
            }
            report.articles += 1;
            report.spans += target.len();
            let settled = conflicts.is_empty();
            report.settled += settled as usize;
            s.with_annotator(&into, |s| {
                match s.reviewed_mark(id)? {
                    // Marked reviewed by hand: kept.
                    Some(false) => report.kept_reviewed += !settled as usize,
                    Some(true) if !settled => s.set_reviewed_by_merge(id, false)?,
                    None if settled => {
                        if s.is_dismissed(id, DISMISSED_REVIEWED, "")? {
                            report.reviewed_dismissed += 1;
                        } else {
                            s.set_reviewed_by_merge(id, true)?
                        }
                    }
                    _ => {}
                }
                Ok(())
            })?;
            let left_out: Vec<(usize, usize)> =
                conflicts.iter().map(|c| (c.start, c.end)).collect();
            report.conflicts.extend(conflicts);
            s.with_annotator(&into, |s| {
                s.set_merge_conflicts(id, &left_out)?;
                merge_extras(s, id, &opts.annotators, &mut report)
            })?;
        }
        Ok(report)
    })
}

/// Brings the merged annotators' highlights (with their notes and colours)
/// and article tags of an article into the current annotator's set (the
/// curated one): their union, each marked with who made it (`made_by`,
/// comma-separated names). Only rows merge wrote are changed or removed;
/// a highlight or tag the set already has by hand is left as it is.
fn merge_extras(
    s: &Store,
    article: &str,
    annotators: &[String],
    report: &mut MergeReport,
) -> Result<()> {
    type Key = (usize, usize, Option<String>, Option<String>);
    let mut want: BTreeMap<Key, Vec<String>> = BTreeMap::new();
    let mut tags: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for n in annotators {
        let (anns, ts) = s.with_annotator(n, |s| {
            Ok((s.annotations(article)?, s.article_tags(article)?))
        })?;
        for a in anns
            .into_iter()
            .filter(|a| a.kind == AnnotationKind::Highlight)
        {
            let who = want.entry((a.start, a.end, a.color, a.note)).or_default();
            if !who.contains(n) {
                who.push(n.clone());
            }
        }
        for t in ts {
            tags.entry(t).or_default().push(n.clone());
        }
    }
    let mine: Vec<Annotation> = s
        .annotations(article)?
        .into_iter()
        .filter(|a| a.kind == AnnotationKind::Highlight)
        .collect();
    let key = |a: &Annotation| (a.start, a.end, a.color.clone(), a.note.clone());
    for a in mine.iter().filter(|a| a.by_merge) {
        if !want.contains_key(&key(a)) {
            s.delete_annotation(a.id)?;
            report.highlights_removed += 1;
        }
    }
    for (k, who) in &want {
        let who = who.join(", ");
        if let Some(a) = mine.iter().find(|a| key(a) == *k) {
            if a.by_merge && a.made_by.as_deref() != Some(who.as_str()) {
                s.set_made_by(a.id, Some(&who))?;
            }
            continue;
        }
        let dismissed = highlight_key(k.0, k.1, k.2.as_deref(), k.3.as_deref());
        if s.is_dismissed(article, DISMISSED_HIGHLIGHT, &dismissed)? {
            report.highlights_dismissed += 1;
            continue;
        }
        let id = s.add_annotation_by(
            article,
            AnnotationKind::Highlight,
            k.0,
            k.1,
            NewAnnotation {
                color: k.2.clone(),
                note: k.3.clone(),
                ..Default::default()
            },
            true,
        )?;
        s.set_made_by(id, Some(&who))?;
        report.highlights_added += 1;
    }
    let have = s.article_tag_rows(article)?;
    for (t, by_merge, _) in &have {
        if *by_merge && !tags.contains_key(t) {
            s.untag_article_by_merge(article, t)?;
            report.tags_removed += 1;
        }
    }
    for (t, who) in &tags {
        let who = who.join(", ");
        match have.iter().find(|(h, ..)| h == t) {
            Some((_, false, _)) => {}
            Some((_, true, made)) if made.as_deref() == Some(who.as_str()) => {}
            None if s.is_dismissed(article, DISMISSED_TAG, t)? => report.tags_dismissed += 1,
            found => {
                s.tag_article_by_merge(article, t, &who)?;
                report.tags_added += found.is_none() as usize;
            }
        }
    }
    Ok(())
}

/// The regions of an article that a merge into `into` leaves alone: every
/// entity decision of `into` made by hand (not by merge), grown to cover
/// the candidate clusters (`spans`, the voters' spans) and automatic
/// entities overlapping it, until nothing more overlaps. Sorted, disjoint.
fn hand_regions(
    store: &Store,
    into: &str,
    article: &str,
    spans: &BTreeSet<Span>,
) -> Result<Vec<(usize, usize)>> {
    let mut regions: Vec<(usize, usize)> = store
        .with_annotator(into, |s| s.annotations(article))?
        .into_iter()
        .filter(|a| {
            !a.by_merge
                && matches!(
                    a.kind,
                    AnnotationKind::Entity | AnnotationKind::Reject | AnnotationKind::Accept
                )
        })
        .map(|a| (a.start, a.end))
        .collect();
    if regions.is_empty() {
        return Ok(regions);
    }
    let mut others: Vec<(usize, usize)> = clusters(spans)
        .iter()
        .map(|c| {
            (
                c.iter().map(|s| s.start).min().unwrap_or(0),
                c.iter().map(|s| s.end).max().unwrap_or(0),
            )
        })
        .collect();
    others.extend(
        store
            .auto_entities(article)?
            .iter()
            .map(|e| (e.start, e.end)),
    );
    loop {
        regions.sort();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (s, e) in regions.drain(..) {
            match merged.last_mut() {
                Some(last) if s < last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        let mut grew = false;
        for &(s, e) in &others {
            for r in merged.iter_mut() {
                if s < r.1 && r.0 < e && (s < r.0 || e > r.1) {
                    *r = (r.0.min(s), r.1.max(e));
                    grew = true;
                }
            }
        }
        regions = merged;
        if !grew {
            return Ok(regions);
        }
    }
}

/// The spans of `from` in `region` of an article, written into the
/// current annotator's set there (curation's "take this side"): see
/// [`conform`]. The editor wraps it as [`crate::edit::Edit::TakeSide`],
/// one undo step.
pub fn take_side(
    store: &Store,
    article: &str,
    from: &str,
    region: (usize, usize),
) -> Result<Vec<AnnotationChange>> {
    let target: Vec<Span> = entity_set(store, article, from)?
        .into_iter()
        .filter(|s| s.overlaps(region.0, region.1))
        .collect();
    // The region grows to cover the chosen spans, so that nothing of the
    // current set that overlaps them survives beside them.
    let start = target.iter().map(|s| s.start).fold(region.0, usize::min);
    let end = target.iter().map(|s| s.end).fold(region.1, usize::max);
    Ok(conform(store, article, Some((start, end)), &target)?.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(s: usize, e: usize, l: &str) -> Span {
        Span::new(s, e, l)
    }

    #[test]
    fn kappa_by_hand() {
        // 10 items: a = 4×1 then 6×0; b = 3×1 then 7×0 (agree on 9).
        // pₒ = 0.9; pₑ = 0.4·0.3 + 0.6·0.7 = 0.54; κ = 0.36/0.46.
        let a = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
        let b = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
        let k = cohen_kappa(&a, &b).unwrap();
        assert!((k - 0.36 / 0.46).abs() < 1e-12, "{k}");
        assert_eq!(cohen_kappa(&a, &a), Some(1.0));
        assert_eq!(cohen_kappa(&[0, 0], &[0, 0]), None);
    }

    #[test]
    fn fleiss_by_hand() {
        // 4 items, 3 raters: [0,0,0], [1,1,1], [0,0,1], [1,1,0].
        // Pᵢ = 1, 1, 1/3, 1/3 → P̄ = 2/3; p₀ = p₁ = 6/12 → Pₑ = 0.5;
        // κ = (2/3 − 1/2) / (1/2) = 1/3.
        let r = vec![vec![0, 1, 0, 1], vec![0, 1, 0, 1], vec![0, 1, 1, 0]];
        let k = fleiss_kappa(&r).unwrap();
        assert!((k - 1.0 / 3.0).abs() < 1e-12, "{k}");
    }

    #[test]
    fn labels_and_overlaps() {
        let types = vec!["PER".to_string(), "LOC".to_string()];
        // LOC 1..5 and PER 2..4 overlap: the earlier start wins; DATE ignored.
        let l = char_labels(
            7,
            &[sp(1, 5, "LOC"), sp(2, 4, "PER"), sp(5, 7, "DATE")],
            &types,
        );
        assert_eq!(l, vec![2, 1, 1, 1, 1, 2, 2]);
        let (m, f) = span_f1(&[sp(0, 2, "PER"), sp(3, 4, "LOC")], &[sp(0, 2, "PER")]);
        assert_eq!(m, 1);
        assert!((f.unwrap() - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn settle_strategies() {
        let voters = vec!["a".to_string(), "b".to_string()];
        let sets = vec![vec![sp(0, 3, "PER")], vec![sp(0, 4, "PER")]];
        let all: BTreeSet<Span> = sets.iter().flatten().cloned().collect();
        let c = &clusters(&all)[0];
        let (kept, why) = settle(c, &voters, &sets, &Strategy::Majority);
        assert!(kept.is_empty() && why.is_some());
        let (kept, why) = settle(c, &voters, &sets, &Strategy::Union);
        assert!(kept.is_empty() && why.is_some());
        let (kept, why) = settle(c, &voters, &sets, &Strategy::Prefer("b".into()));
        assert_eq!((kept, why), (vec![sp(0, 4, "PER")], None));
        // Union keeps what only one voter saw when nothing else overlaps it.
        let sets = vec![vec![sp(0, 3, "PER")], vec![]];
        let (kept, why) = settle(&[sp(0, 3, "PER")], &voters, &sets, &Strategy::Union);
        assert_eq!((kept, why), (vec![sp(0, 3, "PER")], None));
        assert!(check_name("a,b").is_err() && check_name(" ").is_err());
        assert_eq!(check_name(" 李 ").unwrap(), "李");
    }
}
