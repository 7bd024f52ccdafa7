//! The CSV export, written with the `csv` crate as UTF-8 with a byte-order
//! mark so that Excel opens Chinese text correctly.
//!
//! [`CsvWhat::Entities`]: one row per entity mention with the columns
//! `article_id, file, title, type, text, start, end, source, status, tags`
//! (`source` is who found it: model, dictionary, rule, lexicon, user…;
//! `status` is auto, accepted or user; `tags` are the entity's tags joined
//! by `; `). [`CsvWhat::Highlights`]: one row per highlight with the columns
//! `article_id, file, title, start, end, text, color, note`. Offsets are
//! code points.

use std::io::Write;

use super::{CsvWhat, ExportArticle, status_name};
use crate::error::{Error, Result};

/// The UTF-8 byte-order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

fn cerr(source: csv::Error) -> Error {
    Error::Csv {
        context: "CSV export".into(),
        source,
    }
}

/// Writes the CSV (with BOM).
pub fn write(arts: &[ExportArticle], what: CsvWhat, out: &mut dyn Write) -> Result<()> {
    out.write_all(BOM)
        .map_err(|e| Error::io("export output", e))?;
    let mut w = csv::Writer::from_writer(out);
    match what {
        CsvWhat::Entities => {
            w.write_record([
                "article_id",
                "file",
                "title",
                "type",
                "text",
                "start",
                "end",
                "source",
                "status",
                "tags",
            ])
            .map_err(cerr)?;
            for a in arts {
                let title = a.article.display_title();
                for (e, tags) in a.entities.iter().zip(&a.entity_tags) {
                    w.write_record([
                        a.article.id.as_str(),
                        a.article.file.as_str(),
                        title.as_str(),
                        e.entity.label.as_str(),
                        e.entity.text.as_str(),
                        &e.entity.start.to_string(),
                        &e.entity.end.to_string(),
                        e.entity.source.as_str(),
                        status_name(e.status),
                        &tags.join("; "),
                    ])
                    .map_err(cerr)?;
                }
            }
        }
        CsvWhat::Highlights => {
            w.write_record([
                "article_id",
                "file",
                "title",
                "start",
                "end",
                "text",
                "color",
                "note",
            ])
            .map_err(cerr)?;
            for a in arts {
                let title = a.article.display_title();
                for h in &a.highlights {
                    w.write_record([
                        a.article.id.as_str(),
                        a.article.file.as_str(),
                        title.as_str(),
                        &h.start.to_string(),
                        &h.end.to_string(),
                        h.quote.exact.as_str(),
                        h.color.as_deref().unwrap_or(""),
                        h.note.as_deref().unwrap_or(""),
                    ])
                    .map_err(cerr)?;
                }
            }
        }
    }
    w.flush().map_err(|e| Error::io("export output", e))
}
