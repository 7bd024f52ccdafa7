//! The doccano-compatible JSONL export: one JSON object per article with the
//! fields `id, file, index, title, date, source, text, label, tags,
//! highlights, corrections, entity_tags, reviewed, annotator`. `label` is `[[start, end, "TYPE"], …]` in code
//! points, as doccano's sequence-labelling import expects. `text` and every
//! offset stay those of the source text; `corrections` lists the OCR fixes
//! over it (`start, end, text, replacement`) for whoever wants the corrected
//! text.

use std::io::Write;

use serde::{Deserialize, Serialize};

use super::{ExportArticle, ExportOptions, load_article, load_articles};
use crate::error::{Error, Result};
use crate::store::Store;

/// A highlight or note in the JSONL export.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JsonHighlight {
    /// Start (code points).
    pub start: usize,
    /// End (code points, exclusive).
    pub end: usize,
    /// The highlighted text.
    pub text: String,
    /// Colour, `#rrggbb`.
    #[serde(default)]
    pub color: Option<String>,
    /// Note.
    #[serde(default)]
    pub note: Option<String>,
    /// In a curated set: the annotators the highlight was merged from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made_by: Option<String>,
}

/// An OCR correction in the JSONL export.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JsonCorrection {
    /// Start (code points).
    pub start: usize,
    /// End (code points, exclusive).
    pub end: usize,
    /// The text as in the source.
    pub text: String,
    /// The corrected text.
    pub replacement: String,
}

/// One line of the doccano-compatible JSONL export.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JsonArticle {
    /// Stable article id.
    #[serde(default)]
    pub id: String,
    /// File path relative to the archive.
    #[serde(default)]
    pub file: String,
    /// Article number in the file.
    #[serde(default)]
    pub index: usize,
    /// Headline.
    #[serde(default)]
    pub title: String,
    /// Date as stated.
    #[serde(default)]
    pub date: Option<String>,
    /// Source.
    #[serde(default)]
    pub source: Option<String>,
    /// The whole cleaned article.
    pub text: String,
    /// Entities after corrections: `[start, end, "TYPE"]`.
    #[serde(default)]
    pub label: Vec<(usize, usize, String)>,
    /// Article tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Highlights and notes.
    #[serde(default)]
    pub highlights: Vec<JsonHighlight>,
    /// OCR corrections over `text`.
    #[serde(default)]
    pub corrections: Vec<JsonCorrection>,
    /// Tags of entities (archive-wide entity tags), for the entities of
    /// `label` that have any: `[start, end, "TYPE", ["tag", …]]`.
    #[serde(default)]
    pub entity_tags: Vec<(usize, usize, String, Vec<String>)>,
    /// Whether the article was marked reviewed (its entity list complete
    /// and correct). On import, `true` marks the article reviewed, so work
    /// checked in another tool counts as training data (`pizhu train`).
    #[serde(default)]
    pub reviewed: bool,
    /// Whose work the document is (the annotator exported). On import
    /// without `--annotator`, the document is stored under this name;
    /// absent, under the current annotator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotator: Option<String>,
}

/// The JSONL record of a loaded article.
pub fn record(a: &ExportArticle) -> JsonArticle {
    JsonArticle {
        id: a.article.id.clone(),
        file: a.article.file.clone(),
        index: a.article.index,
        title: a.article.title.clone().unwrap_or_default(),
        date: a.article.date.clone(),
        source: a.article.source.clone(),
        text: a.article.text.clone(),
        label: a
            .entities
            .iter()
            .map(|e| {
                (
                    e.entity.start,
                    e.entity.end,
                    e.entity.label.as_str().to_string(),
                )
            })
            .collect(),
        tags: a.tags.clone(),
        reviewed: a.article.reviewed,
        annotator: Some(a.annotator.clone()),
        highlights: a
            .highlights
            .iter()
            .map(|n| JsonHighlight {
                start: n.start,
                end: n.end,
                text: n.quote.exact.clone(),
                color: n.color.clone(),
                note: n.note.clone(),
                made_by: n.made_by.clone(),
            })
            .collect(),
        entity_tags: a
            .entities
            .iter()
            .zip(&a.entity_tags)
            .filter(|(_, t)| !t.is_empty())
            .map(|(e, t)| {
                (
                    e.entity.start,
                    e.entity.end,
                    e.entity.label.as_str().to_string(),
                    t.clone(),
                )
            })
            .collect(),
        corrections: a
            .corrections
            .iter()
            .map(|c| JsonCorrection {
                start: c.start,
                end: c.end,
                text: c.quote.exact.clone(),
                replacement: c.replacement.clone().unwrap_or_default(),
            })
            .collect(),
    }
}

/// Builds the JSONL record of one article.
pub fn json_article(store: &Store, id: &str) -> Result<JsonArticle> {
    Ok(record(&load_article(store, id)?))
}

/// Writes one JSON object per article.
pub fn write(arts: &[ExportArticle], out: &mut dyn Write) -> std::io::Result<()> {
    for a in arts {
        let line = serde_json::to_string(&record(a))?;
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Writes one JSON object per article; returns the number written.
pub fn export_jsonl(store: &Store, out: &mut dyn Write, opts: &ExportOptions) -> Result<usize> {
    let arts = load_articles(store, opts)?;
    write(&arts, out).map_err(|e| Error::io("export output", e))?;
    Ok(arts.len())
}
