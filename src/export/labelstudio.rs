//! The Label Studio export: a JSON array of tasks, ready for Label Studio's
//! import, so a team can continue the work there.
//!
//! Each task has `data` (`text` plus `article_id`, `file`, `title`, `date`,
//! `source`, `tags`), `predictions` with the automatic entities (status auto
//! or accepted; `model_version` `pizhu`), and — when the article was
//! reviewed or has any user decision — `annotations` with one completed
//! annotation holding every effective entity (the corrected state).
//! Regions use `from_name` `label` and `to_name` `text`, matching the
//! labelling config from [`label_config`].
//!
//! Offsets: code points. Label Studio's text regions count code points
//! since its fix for astral characters (label-studio PR #1559 /
//! label-studio-frontend PR #308, "store code points instead of js length").

use std::io::Write;

use serde_json::{Value, json};

use super::{ExportArticle, types_used};
use crate::error::{Error, Result};
use crate::store::{EffectiveEntity, EntityStatus};

fn region(i: usize, e: &EffectiveEntity) -> Value {
    json!({
        "id": format!("e{i}"),
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "score": e.entity.confidence,
        "value": {
            "start": e.entity.start,
            "end": e.entity.end,
            "text": e.entity.text,
            "labels": [e.entity.label.as_str()],
        }
    })
}

/// The Label Studio task of one article.
pub fn task(a: &ExportArticle) -> Value {
    let auto: Vec<Value> = a
        .entities
        .iter()
        .enumerate()
        .filter(|(_, e)| e.status != EntityStatus::User)
        .map(|(i, e)| region(i, e))
        .collect();
    let mut t = json!({
        "data": {
            "text": a.article.text,
            "article_id": a.article.id,
            "file": a.article.file,
            "title": a.article.title.clone().unwrap_or_default(),
            "date": a.article.date,
            "source": a.article.source,
            "tags": a.tags,
        },
        "predictions": [{ "model_version": "pizhu", "result": auto }],
    });
    if a.has_user_decisions() {
        let all: Vec<Value> = a
            .entities
            .iter()
            .enumerate()
            .map(|(i, e)| region(i, e))
            .collect();
        t["annotations"] = json!([{
            "result": all,
            "was_cancelled": false,
            "ground_truth": a.article.reviewed,
        }]);
    }
    t
}

/// A Label Studio labelling config (XML) for the types in `arts`.
pub fn label_config(arts: &[ExportArticle]) -> String {
    let mut s = String::from("<View>\n  <Labels name=\"label\" toName=\"text\">\n");
    for t in types_used(arts) {
        s.push_str(&format!("    <Label value=\"{t}\"/>\n"));
    }
    s.push_str("  </Labels>\n  <Text name=\"text\" value=\"$text\"/>\n</View>\n");
    s
}

/// Writes the task array.
pub fn write(arts: &[ExportArticle], out: &mut dyn Write) -> Result<()> {
    let tasks: Vec<Value> = arts.iter().map(task).collect();
    serde_json::to_writer_pretty(&mut *out, &tasks).map_err(|source| Error::Json {
        context: "Label Studio export".into(),
        source,
    })?;
    writeln!(out).map_err(|e| Error::io("export output", e))
}
