//! Exports of the archive's articles and annotations.
//!
//! Every export reflects the user's corrections: automatic entities that
//! were not rejected, plus the user's own. Offsets are code points into the
//! cleaned article text.

use std::io::Write;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::store::{AnnotationKind, Store};

/// Options shared by exports.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Only articles the user marked as reviewed.
    pub only_reviewed: bool,
}

/// A highlight or note in the JSONL export.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct JsonHighlight {
    /// Start (code points).
    pub start: usize,
    /// End (code points, exclusive).
    pub end: usize,
    /// The highlighted text.
    pub text: String,
    /// Colour, `#rrggbb`.
    pub color: Option<String>,
    /// Note.
    pub note: Option<String>,
}

/// One line of the doccano-compatible JSONL export.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct JsonArticle {
    /// Stable article id.
    pub id: String,
    /// File path relative to the archive.
    pub file: String,
    /// Article number in the file.
    pub index: usize,
    /// Headline.
    pub title: String,
    /// Date as stated.
    pub date: Option<String>,
    /// Source.
    pub source: Option<String>,
    /// The whole cleaned article.
    pub text: String,
    /// Entities after corrections: `[start, end, "TYPE"]`.
    pub label: Vec<(usize, usize, String)>,
    /// Article tags.
    pub tags: Vec<String>,
    /// Highlights and notes.
    pub highlights: Vec<JsonHighlight>,
}

/// Builds the JSONL record of one article.
pub fn json_article(store: &Store, id: &str) -> Result<JsonArticle> {
    let a = store.article(id)?;
    let label = store
        .effective_entities(id)?
        .into_iter()
        .map(|e| {
            (
                e.entity.start,
                e.entity.end,
                e.entity.label.as_str().to_string(),
            )
        })
        .collect();
    let highlights = store
        .annotations(id)?
        .into_iter()
        .filter(|n| n.kind == AnnotationKind::Highlight)
        .map(|n| JsonHighlight {
            start: n.start,
            end: n.end,
            text: n.quote.exact,
            color: n.color,
            note: n.note,
        })
        .collect();
    Ok(JsonArticle {
        tags: store.article_tags(id)?,
        id: a.id,
        file: a.file,
        index: a.index,
        title: a.title.unwrap_or_default(),
        date: a.date,
        source: a.source,
        text: a.text,
        label,
        highlights,
    })
}

/// Writes one JSON object per article; returns the number written.
pub fn export_jsonl(store: &Store, out: &mut dyn Write, opts: &ExportOptions) -> Result<usize> {
    let mut n = 0;
    for s in store.articles()? {
        if opts.only_reviewed && !s.reviewed {
            continue;
        }
        let rec = json_article(store, &s.id)?;
        let line = serde_json::to_string(&rec).map_err(|source| Error::Json {
            context: format!("article {}", s.id),
            source,
        })?;
        writeln!(out, "{line}").map_err(|e| Error::io("export output", e))?;
        n += 1;
    }
    Ok(n)
}
