//! The CSV export, written with the `csv` crate as UTF-8 with a byte-order
//! mark so that Excel opens Chinese text correctly.
//!
//! [`CsvWhat::Entities`]: one row per entity mention with the columns
//! `article_id, file, title, type, text, start, end, source, status, tags,
//! annotator`
//! (`source` is who found it: model, dictionary, rule, lexicon, user…;
//! `status` is auto, accepted or user; `tags` are the entity's tags joined
//! by `; `). [`CsvWhat::Highlights`]: one row per highlight with the columns
//! `article_id, file, title, start, end, text, color, note, annotator`.
//! [`CsvWhat::Corrections`]: one row per OCR correction with the columns
//! `article_id, file, title, start, end, text, replacement, annotator`.
//! Offsets are code points. `annotator` (whose work the row is) is the last
//! column, so that the columns before it keep their positions.
//!
//! Formula injection (OWASP "CSV Injection"): a text cell that starts with
//! `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a formula
//! by Excel or LibreOffice; such a cell is written with a leading `'` (and
//! quoted), which spreadsheets show as text. To read the value back, drop a
//! leading `'` that is followed by one of those characters ([`unneutralize`]).
//! Number cells (offsets) are never touched.

use std::io::Write;

use super::{CsvWhat, ExportArticle, status_name};
use crate::error::{Error, Result};
use crate::store::Annotation;

/// The UTF-8 byte-order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Characters that make a spreadsheet read a cell as a formula.
pub const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell made safe to open in a spreadsheet: a leading `'` when it
/// starts with one of [`FORMULA_START`].
pub fn neutralize(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(FORMULA_START) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// The original value of a cell written by [`neutralize`].
pub fn unneutralize(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_START) => rest,
        _ => cell,
    }
}

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
                "annotator",
            ])
            .map_err(cerr)?;
            for a in arts {
                let title = a.article.display_title();
                for (e, tags) in a.entities.iter().zip(&a.entity_tags) {
                    let tags = tags.join("; ");
                    let cells = [
                        neutralize(&a.article.id),
                        neutralize(&a.article.file),
                        neutralize(&title),
                        neutralize(e.entity.label.as_str()),
                        neutralize(&e.entity.text),
                        e.entity.start.to_string().into(),
                        e.entity.end.to_string().into(),
                        neutralize(e.entity.source.as_str()),
                        status_name(e.status).into(),
                        neutralize(&tags),
                        neutralize(&a.annotator),
                    ];
                    w.write_record(cells.iter().map(|c| c.as_bytes()))
                        .map_err(cerr)?;
                }
            }
        }
        CsvWhat::Highlights => span_rows(
            &mut w,
            arts,
            &["color", "note"],
            |a| &a.highlights,
            |h| vec![h.color.as_deref(), h.note.as_deref()],
        )?,
        CsvWhat::Corrections => span_rows(
            &mut w,
            arts,
            &["replacement"],
            |a| &a.corrections,
            |c| vec![c.replacement.as_deref()],
        )?,
    }
    w.flush().map_err(|e| Error::io("export output", e))
}

/// Rows of span annotations (highlights, corrections): `article_id, file,
/// title, start, end, text` and then the `extra` columns.
fn span_rows<W: Write>(
    w: &mut csv::Writer<W>,
    arts: &[ExportArticle],
    extra: &[&str],
    anns: impl Fn(&ExportArticle) -> &[Annotation],
    cells_of: impl Fn(&Annotation) -> Vec<Option<&str>>,
) -> Result<()> {
    let head = ["article_id", "file", "title", "start", "end", "text"];
    w.write_record(head.iter().chain(extra).chain(&["annotator"]))
        .map_err(cerr)?;
    for a in arts {
        let title = a.article.display_title();
        for n in anns(a) {
            let mut cells = vec![
                neutralize(&a.article.id),
                neutralize(&a.article.file),
                neutralize(&title),
                n.start.to_string().into(),
                n.end.to_string().into(),
                neutralize(&n.quote.exact),
            ];
            cells.extend(cells_of(n).into_iter().map(|c| neutralize(c.unwrap_or(""))));
            cells.push(neutralize(&a.annotator));
            w.write_record(cells.iter().map(|c| c.as_bytes()))
                .map_err(cerr)?;
        }
    }
    Ok(())
}
