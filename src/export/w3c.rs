//! The W3C Web Annotation export: one JSON-LD `AnnotationCollection` whose
//! first `AnnotationPage` holds every annotation (Web Annotation Data Model,
//! <https://www.w3.org/TR/annotation-model/>).
//!
//! Each article is the source `urn:pizhu:article:ID`. Annotations:
//! - entities: motivation `classifying`, a `TextualBody` with purpose
//!   `classifying` and the type as value, one with purpose `tagging` per
//!   entity tag; `pizhu:status` (auto, accepted, user) and `pizhu:source`.
//! - rejected automatic entities: motivation `assessing`, bodies `rejected`
//!   (purpose `assessing`) and the type (purpose `classifying`).
//! - highlights: motivation `highlighting`, or `commenting` with the note as
//!   a `TextualBody`; the colour as `pizhu:color`.
//! - article tags: motivation `tagging`, one body per tag, the whole
//!   article as target; the reviewed mark: motivation `assessing`, body
//!   `reviewed`, the whole article as target.
//!
//! Every annotation names its `creator`, the annotator exported (an agent
//! `{"id": "urn:pizhu:annotator:NAME", "type": "Person", "name": NAME}`).
//!
//! Span targets carry both a `TextQuoteSelector` (exact, prefix, suffix of up
//! to 32 characters) and a `TextPositionSelector`; positions count code
//! points, as the model requires ("character" = Unicode code point).

use std::io::Write;

use serde_json::{Value, json};

use super::{ExportArticle, annotator_iri, article_iri, chars, status_name};
use crate::anchor::quote;
use crate::error::{Error, Result};

/// The JSON-LD context: the W3C one plus a `pizhu:` prefix for extras.
pub fn context() -> Value {
    json!(["http://www.w3.org/ns/anno.jsonld", { "pizhu": "urn:pizhu:vocab#" }])
}

fn target(source: &str, cs: &[char], start: usize, end: usize) -> Value {
    let q = quote(cs, start, end);
    json!({
        "source": source,
        "selector": [
            { "type": "TextQuoteSelector", "exact": q.exact, "prefix": q.prefix, "suffix": q.suffix },
            { "type": "TextPositionSelector", "start": start, "end": end },
        ]
    })
}

fn body(purpose: &str, value: &str) -> Value {
    json!({ "type": "TextualBody", "purpose": purpose, "value": value })
}

/// The annotations of one article.
pub fn annotations(a: &ExportArticle) -> Vec<Value> {
    let src = article_iri(&a.article.id);
    let cs = chars(&a.article.text);
    let mut out = Vec::new();
    for (e, tags) in a.entities.iter().zip(&a.entity_tags) {
        let ent = &e.entity;
        let mut bodies = vec![body("classifying", ent.label.as_str())];
        bodies.extend(tags.iter().map(|t| body("tagging", t)));
        out.push(json!({
            "id": format!("{src}#entity-{}-{}-{}", ent.start, ent.end, ent.label.as_str()),
            "type": "Annotation",
            "motivation": "classifying",
            "body": bodies,
            "target": target(&src, &cs, ent.start, ent.end),
            "pizhu:status": status_name(e.status),
            "pizhu:source": ent.source.as_str(),
        }));
    }
    for r in &a.rejections {
        let mut bodies = vec![body("assessing", "rejected")];
        if let Some(l) = &r.label {
            bodies.push(body("classifying", l.as_str()));
        }
        out.push(json!({
            "id": format!("{src}#reject-{}-{}", r.start, r.end),
            "type": "Annotation",
            "motivation": "assessing",
            "body": bodies,
            "target": target(&src, &cs, r.start, r.end),
        }));
    }
    for (i, h) in a.highlights.iter().enumerate() {
        let mut v = json!({
            "id": format!("{src}#highlight-{}-{}-{i}", h.start, h.end),
            "type": "Annotation",
            "motivation": if h.note.is_some() { "commenting" } else { "highlighting" },
            "target": target(&src, &cs, h.start, h.end),
        });
        if let Some(n) = &h.note {
            v["body"] = json!([body("commenting", n)]);
        }
        if let Some(c) = &h.color {
            v["pizhu:color"] = json!(c);
        }
        if let Some(m) = &h.made_by {
            v["pizhu:madeBy"] = json!(m);
        }
        out.push(v);
    }
    for c in &a.corrections {
        out.push(json!({
            "id": format!("{src}#correction-{}-{}", c.start, c.end),
            "type": "Annotation",
            "motivation": "editing",
            "body": [body("editing", c.replacement.as_deref().unwrap_or(""))],
            "target": target(&src, &cs, c.start, c.end),
        }));
    }
    if !a.tags.is_empty() {
        out.push(json!({
            "id": format!("{src}#tags"),
            "type": "Annotation",
            "motivation": "tagging",
            "body": a.tags.iter().map(|t| body("tagging", t)).collect::<Vec<_>>(),
            "target": src,
        }));
    }
    if a.article.reviewed {
        out.push(json!({
            "id": format!("{src}#reviewed"),
            "type": "Annotation",
            "motivation": "assessing",
            "body": [body("assessing", "reviewed")],
            "target": src,
        }));
    }
    let creator = json!({
        "id": annotator_iri(&a.annotator),
        "type": "Person",
        "name": a.annotator,
    });
    for v in &mut out {
        v["creator"] = creator.clone();
    }
    out
}

/// The whole collection.
pub fn collection(arts: &[ExportArticle]) -> Value {
    let items: Vec<Value> = arts.iter().flat_map(annotations).collect();
    json!({
        "@context": context(),
        "id": "urn:pizhu:export",
        "type": "AnnotationCollection",
        "label": "Pizhu 批注 export",
        "total": items.len(),
        "first": {
            "id": "urn:pizhu:export#page-1",
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": items,
        }
    })
}

/// Writes the collection.
pub fn write(arts: &[ExportArticle], out: &mut dyn Write) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, &collection(arts)).map_err(|source| Error::Json {
        context: "W3C export".into(),
        source,
    })?;
    writeln!(out).map_err(|e| Error::io("export output", e))
}
