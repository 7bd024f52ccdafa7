//! Learning from the user: an article marked reviewed has a complete and
//! correct entity list, so its effective entities (PER, LOC, ORG) are
//! training data. [`learn_from_reviewed`] adapts the shipped tagger to them,
//! saves the adapted model beside the archive's database (the shipped model
//! is never changed) and re-extracts the unreviewed articles with it.
//!
//! This is the one part of `extract` that reads the store; it uses only the
//! store's public API (articles, reviewed flag, effective entities,
//! replacing automatic entities). [`least_confident`] gives the review
//! order: what the model doubts most, first.

use std::path::{Path, PathBuf};

use super::news::NewsExtractor;
use super::tagger::Tagger;
use super::train::{adapt, sentences_of};
use super::{EntityType, Extractor};
use crate::error::{Error, Result};
use crate::store::Store;

/// File name of the adapted model, in the folder of the database.
pub const ADAPTED_MODEL: &str = "tagger-adapted.bin";

/// Passes over the reviewed sentences.
pub const ADAPT_EPOCHS: usize = 8;
/// Size of one adaptation update relative to one update in training.
/// Measured with `pizhu train --curve pd_dev.bio`: 4.0 overfits the few
/// reviewed sentences (F1 on the rest 0.916 → 0.849 after 200), 1.0 keeps it
/// (0.916) while still learning an archive's own convention (the district
/// test in `tests/extract.rs`: 0.30 → 1.00).
pub const ADAPT_STEP: f32 = 1.0;

/// Where the adapted model of the archive whose database is `db` lives.
pub fn adapted_model_path(db: &Path) -> PathBuf {
    db.parent()
        .unwrap_or_else(|| Path::new("."))
        .join(ADAPTED_MODEL)
}

/// The extractor for the archive whose database is `db`: the adapted model
/// if one was learned (and is readable), else the shipped one.
pub fn extractor_for(db: &Path) -> NewsExtractor {
    let path = adapted_model_path(db);
    let adapted = path.exists().then(|| Tagger::load(&path).ok()).flatten();
    match adapted {
        Some(t) => NewsExtractor::new().with_tagger(Some(t)),
        None => super::default_extractor(),
    }
}

/// Goes back to the shipped model: removes the adapted one (if any).
/// Returns whether there was one.
pub fn forget_adapted(db: &Path) -> Result<bool> {
    let path = adapted_model_path(db);
    if !path.exists() {
        return Ok(false);
    }
    std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
    Ok(true)
}

/// What [`learn_from_reviewed`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LearnSummary {
    /// Reviewed articles read.
    pub reviewed: usize,
    /// Their sentences trained on.
    pub sentences: usize,
    /// PER/LOC/ORG entities in them.
    pub entities: usize,
    /// Unreviewed articles re-extracted.
    pub reextracted: usize,
    /// Where the adapted model was written.
    pub model: PathBuf,
}

/// Adapts the shipped tagger to the reviewed articles of `store`, writes
/// it to `adapted_model_path(db)`, and re-extracts the unreviewed
/// articles with it. Fails (saving nothing) when no article is reviewed or
/// the binary has no shipped model.
pub fn learn_from_reviewed(store: &mut Store, db: &Path) -> Result<(NewsExtractor, LearnSummary)> {
    let base = Tagger::shipped()
        .ok_or_else(|| Error::Invalid("this pizhu has no shipped tagger to adapt".into()))?;
    let mut sentences = Vec::new();
    let mut summary = LearnSummary::default();
    let articles = store.articles()?;
    for a in articles.iter().filter(|a| a.reviewed) {
        let art = store.article(&a.id)?;
        let spans: Vec<(usize, usize, EntityType)> = store
            .effective_entities(&a.id)?
            .into_iter()
            .map(|e| e.entity)
            .filter(|e| matches!(e.label, EntityType::Per | EntityType::Loc | EntityType::Org))
            .map(|e| (e.start, e.end, e.label))
            .collect();
        summary.reviewed += 1;
        summary.entities += spans.len();
        sentences.extend(sentences_of(&art.text, &spans));
    }
    if sentences.is_empty() {
        return Err(Error::Invalid(
            "no reviewed article to learn from: mark articles whose entities are complete and \
             correct as reviewed first"
                .into(),
        ));
    }
    summary.sentences = sentences.len();
    let rules = NewsExtractor::new();
    let adapted = adapt(&rules, &base, &sentences, ADAPT_EPOCHS, ADAPT_STEP);
    let path = adapted_model_path(db);
    adapted.save(&path)?;
    summary.model = path;
    let ex = NewsExtractor::new().with_tagger(Some(adapted));
    summary.reextracted = reextract_unreviewed(store, &ex)?;
    Ok((ex, summary))
}

/// Re-extracts every unreviewed article with `ex` and the archive's
/// lexicon; returns how many.
pub fn reextract_unreviewed(store: &mut Store, ex: &dyn Extractor) -> Result<usize> {
    let ids: Vec<String> = store
        .articles()?
        .into_iter()
        .filter(|a| !a.reviewed)
        .map(|a| a.id)
        .collect();
    store.set_bulk_mode(true)?;
    let n = crate::index::reextract_ids(store, ex, &ids);
    store.set_bulk_mode(false)?;
    let n = n?;
    // The next index sees the adapted extractor as current (the reviewed
    // articles keep their entities: they are the user's).
    store.set_meta(
        "extractor_version",
        &format!("{}|{}", ex.version(), crate::split::SPLIT_VERSION),
    )?;
    Ok(n)
}

/// Review order: the automatic entities of the unreviewed articles that the
/// user has not confirmed or corrected, least confident first (ties by
/// article and position). Returns `(article id, entity)`, at most `limit`.
pub fn least_confident(store: &Store, limit: usize) -> Result<Vec<(String, super::Entity)>> {
    let mut out = Vec::new();
    for a in store.articles()?.into_iter().filter(|a| !a.reviewed) {
        for e in store.effective_entities(&a.id)? {
            if e.status == crate::store::EntityStatus::Auto {
                out.push((a.id.clone(), e.entity));
            }
        }
    }
    out.sort_by(|x, y| {
        x.1.confidence
            .total_cmp(&y.1.confidence)
            .then_with(|| x.0.cmp(&y.0))
            .then(x.1.start.cmp(&y.1.start))
    });
    out.truncate(limit);
    Ok(out)
}
