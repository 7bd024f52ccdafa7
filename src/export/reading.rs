//! Reading copies for people: one Markdown or HTML file with every article
//! (or, given a folder, one file per article named like the brat files),
//! its metadata and tags, highlights marked in the text and notes as
//! numbered footnotes. Entities are not marked (this is for reading). OCR
//! corrections are applied: the copy shows the corrected text, and the
//! highlights are moved onto it.
//!
//! Overlapping highlights are merged for display (a character is marked
//! when any highlight covers it; the colour is the innermost one's). Each
//! line of the cleaned text is a paragraph. Markdown escapes the ASCII
//! characters that Markdown would interpret; HTML escapes all article text,
//! titles, tags and notes, and only uses a highlight colour that is a
//! `#hex` value. Every copy carries Pizhu's signature (the `# Pizhu 批注`
//! heading, [`GENERATOR_META`]) so that indexing never reads one back as
//! articles.

use std::io::Write;
use std::path::Path;

use super::{ExportArticle, ExportSummary, Format, chars};
use crate::error::{Error, Result};
use crate::store::Annotation;

/// The tag that marks an HTML reading copy as Pizhu's own export.
pub const GENERATOR_META: &str = "<meta name=\"generator\" content=\"Pizhu 批注 export\">";

/// A piece of an article prepared for display.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    Break,
    Mark(Option<String>),
    Unmark,
    NoteRef(usize),
}

/// The colour if it is a `#hex` value (safe inside a style attribute).
pub fn safe_color(c: &Option<String>) -> Option<String> {
    c.as_ref()
        .filter(|c| {
            let h = c.strip_prefix('#').unwrap_or("");
            matches!(h.len(), 3 | 4 | 6 | 8) && h.chars().all(|x| x.is_ascii_hexdigit())
        })
        .cloned()
}

/// `text` with the (non-overlapping) corrections applied, and the
/// highlights' spans moved onto the corrected text.
pub fn corrected(
    text: &str,
    corrections: &[Annotation],
    hs: &[Annotation],
) -> (String, Vec<Annotation>) {
    if corrections.is_empty() {
        return (text.to_string(), hs.to_vec());
    }
    let cs = chars(text);
    let mut corr: Vec<&Annotation> = corrections
        .iter()
        .filter(|c| c.start < c.end && c.end <= cs.len())
        .collect();
    corr.sort_by_key(|c| c.start);
    // from[i]: position in the corrected text of source character i.
    let mut from = vec![0; cs.len() + 1];
    let mut out = String::with_capacity(text.len());
    let (mut i, mut d) = (0, 0);
    let mut next = corr.iter().peekable();
    while i < cs.len() {
        while next.peek().is_some_and(|c| c.start < i) {
            next.next();
        }
        if let Some(c) = next.peek().filter(|c| c.start == i) {
            let rep = c.replacement.as_deref().unwrap_or("");
            for f in &mut from[i..c.end] {
                *f = d;
            }
            out.push_str(rep);
            d += rep.chars().count();
            i = c.end;
            next.next();
            continue;
        }
        from[i] = d;
        out.push(cs[i]);
        d += 1;
        i += 1;
    }
    from[cs.len()] = d;
    let moved = hs
        .iter()
        .map(|h| {
            let mut h = h.clone();
            let (s, e) = (from[h.start.min(cs.len())], from[h.end.min(cs.len())]);
            h.start = s;
            h.end = e.max(s);
            h
        })
        .collect();
    (out, moved)
}

/// Splits an article into pieces; notes are numbered from `*next_note`.
fn pieces(
    text: &str,
    hs: &[Annotation],
    next_note: &mut usize,
) -> (Vec<Piece>, Vec<(usize, String)>) {
    let cs = chars(text);
    let n = cs.len();
    let mut notes = Vec::new();
    let mut out = Vec::new();
    let mut marked: Option<Option<String>> = None;
    let cover = |i: usize| -> Option<Option<String>> {
        hs.iter()
            .filter(|h| h.start <= i && i < h.end)
            .min_by_key(|h| h.end.saturating_sub(h.start))
            .map(|h| safe_color(&h.color))
    };
    let mut buf = String::new();
    for i in 0..=n {
        let c = cs.get(i).copied();
        // Notes of highlights ending here.
        let ending: Vec<&Annotation> = hs
            .iter()
            .filter(|h| h.end == i && h.note.is_some())
            .collect();
        let now = if c.is_some_and(|c| c != '\n') {
            cover(i)
        } else {
            None
        };
        if now != marked || !ending.is_empty() || c.is_none_or(|c| c == '\n') {
            if !buf.is_empty() {
                out.push(Piece::Text(std::mem::take(&mut buf)));
            }
            if marked.is_some() && (now != marked || !ending.is_empty()) {
                out.push(Piece::Unmark);
                marked = None;
            }
            for h in ending {
                *next_note += 1;
                out.push(Piece::NoteRef(*next_note));
                notes.push((*next_note, h.note.clone().unwrap_or_default()));
            }
        }
        let Some(c) = c else { break };
        if c == '\n' {
            if marked.is_some() {
                out.push(Piece::Unmark);
                marked = None;
            }
            out.push(Piece::Break);
            continue;
        }
        if now.is_some() && marked.is_none() {
            out.push(Piece::Mark(now.clone().flatten()));
            marked = now;
        }
        buf.push(c);
    }
    if marked.is_some() {
        out.push(Piece::Unmark);
    }
    (out, notes)
}

/// Escapes text for Markdown.
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '['
                | ']'
                | '<'
                | '>'
                | '#'
                | '~'
                | '|'
                | '!'
                | '-'
                | '+'
                | '{'
                | '}'
                | '='
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes text for HTML.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn meta_line(a: &ExportArticle) -> Vec<String> {
    let mut m = Vec::new();
    if let Some(d) = &a.article.date {
        m.push(d.clone());
    }
    if let Some(s) = &a.article.source {
        m.push(s.clone());
    }
    m.push(format!("{} #{}", a.article.file, a.article.index));
    m
}

/// Writes the Markdown reading copy.
pub fn write_markdown(arts: &[ExportArticle], out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "# Pizhu 批注\n")?;
    let mut note_no = 0;
    for a in arts {
        writeln!(out, "## {}\n", md_escape(&a.article.display_title()))?;
        writeln!(out, "*{}*\n", md_escape(&meta_line(a).join(" · ")))?;
        if !a.tags.is_empty() {
            writeln!(out, "Tags: {}\n", md_escape(&a.tags.join(", ")))?;
        }
        let (text, hs) = corrected(&a.article.text, &a.corrections, &a.highlights);
        let (ps, notes) = pieces(&text, &hs, &mut note_no);
        let mut line = String::new();
        for p in ps {
            match p {
                Piece::Text(t) => line.push_str(&md_escape(&t)),
                Piece::Break => {
                    if !line.trim().is_empty() {
                        writeln!(out, "{}\n", line.trim())?;
                    }
                    line.clear();
                }
                Piece::Mark(_) | Piece::Unmark => line.push_str("**"),
                Piece::NoteRef(n) => line.push_str(&format!("[^{n}]")),
            }
        }
        if !line.trim().is_empty() {
            writeln!(out, "{}\n", line.trim())?;
        }
        for (n, text) in notes {
            let body = md_escape(&text).replace('\n', "\n    ");
            writeln!(out, "[^{n}]: {body}")?;
        }
        writeln!(out, "\n---\n")?;
    }
    Ok(())
}

/// Writes the HTML reading copy.
pub fn write_html(arts: &[ExportArticle], out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"utf-8\">\n{GENERATOR_META}\n<title>Pizhu 批注</title>\n\
         <style>body{{max-width:40em;margin:auto;font-family:serif;line-height:1.8}}\
         mark{{background:#fff3a0}}.meta{{color:#666}}.notes{{font-size:.9em;color:#333}}</style>\n\
         </head>\n<body>"
    )?;
    let mut note_no = 0;
    for a in arts {
        let id = html_escape(&a.article.id);
        writeln!(out, "<article id=\"a-{id}\">")?;
        writeln!(out, "<h2>{}</h2>", html_escape(&a.article.display_title()))?;
        writeln!(
            out,
            "<p class=\"meta\">{}</p>",
            html_escape(&meta_line(a).join(" · "))
        )?;
        if !a.tags.is_empty() {
            writeln!(
                out,
                "<p class=\"tags\">Tags: {}</p>",
                html_escape(&a.tags.join(", "))
            )?;
        }
        let (text, hs) = corrected(&a.article.text, &a.corrections, &a.highlights);
        let (ps, notes) = pieces(&text, &hs, &mut note_no);
        let mut line = String::new();
        let mut has_text = false;
        for p in ps {
            match p {
                Piece::Text(t) => {
                    has_text |= !t.trim().is_empty();
                    line.push_str(&html_escape(&t));
                }
                Piece::Break => {
                    if has_text {
                        writeln!(out, "<p>{line}</p>")?;
                    }
                    line.clear();
                    has_text = false;
                }
                Piece::Mark(Some(c)) => line.push_str(&format!("<mark style=\"background:{c}\">")),
                Piece::Mark(None) => line.push_str("<mark>"),
                Piece::Unmark => line.push_str("</mark>"),
                Piece::NoteRef(n) => line.push_str(&format!(
                    "<sup><a href=\"#note-{n}\" id=\"ref-{n}\">[{n}]</a></sup>"
                )),
            }
        }
        if has_text {
            writeln!(out, "<p>{line}</p>")?;
        }
        if !notes.is_empty() {
            writeln!(out, "<ol class=\"notes\">")?;
            for (n, text) in notes {
                writeln!(
                    out,
                    "<li value=\"{n}\" id=\"note-{n}\">{} <a href=\"#ref-{n}\">↩</a></li>",
                    html_escape(&text).replace('\n', "<br>")
                )?;
            }
            writeln!(out, "</ol>")?;
        }
        writeln!(out, "</article>\n<hr>")?;
    }
    writeln!(out, "</body>\n</html>")
}

/// Writes one reading copy per article into `dir`.
pub fn write_folder(arts: &[ExportArticle], format: Format, dir: &Path) -> Result<ExportSummary> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut summary = super::summarize(arts);
    let mut used = std::collections::HashSet::new();
    for a in arts {
        let base = super::brat::file_stem(&a.article.id);
        let mut stem = base.clone();
        let mut k = 2;
        while !used.insert(stem.to_ascii_lowercase()) {
            stem = format!("{base}-{k}");
            k += 1;
        }
        let path = dir.join(format!("{stem}.{}", format.extension()));
        let mut buf = Vec::new();
        let one = std::slice::from_ref(a);
        match format {
            Format::Html => write_html(one, &mut buf),
            _ => write_markdown(one, &mut buf),
        }
        .map_err(|e| Error::io(&path, e))?;
        super::write_file_safely(&path, &buf)?;
        summary.files.push(path);
    }
    Ok(summary)
}
