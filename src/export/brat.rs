//! The brat standoff export: a folder with `NAME.txt` (the cleaned article
//! text, UTF-8, exactly) and `NAME.ann` per article, plus `annotation.conf`
//! listing the entity types and attributes.
//!
//! Offsets: brat is Python and slices the `.txt` as a `str`, so its offsets
//! count Unicode code points — the same as Pizhu's (a character such as 𠀀
//! is one position, not two or four). The cleaned text never contains `\r`,
//! so Python's newline translation cannot shift offsets.
//!
//! `.ann` contents:
//! - `T` lines for entities (`T1<TAB>PER 10 12<TAB>张三`); a span crossing a
//!   line break is written as fragments (`10 12;13 15`), as brat requires.
//!   Highlights are `T` lines of type `Highlight`.
//! - `A` lines for attributes: `Status` (`accepted` or `user`; automatic
//!   entities have none), one `Tag` line per entity tag (whitespace, `|` and
//!   `,` in tag names become `_`; brat's editor shows one value per
//!   attribute, the file keeps them all), and `Color` on highlights
//!   (`rrggbb`).
//! - `#` lines (`AnnotatorNotes`) for notes, with `\`, newlines and tabs
//!   escaped as `\\`, `\n`, `\t`.
//!
//! Whose work it is: `annotation.conf` opens with a comment line
//! `# Annotator: NAME` (the folder is one annotator's export). Not in the
//! `.ann` files: brat's only free-text lines there (`#` notes) must name an
//! annotation (`AnnotatorNotes T1`), and a document-level line would be
//! rejected by brat's parser or read as a note on an entity.
//!
//! Article tags have no place in brat and are not written. File names come
//! from article ids with everything but ASCII letters, digits, `-` and `_`
//! replaced by `_` (and a numeric suffix on a clash), so nothing can be
//! written outside the output folder. Files are written to a temporary name
//! and renamed into place, so an existing symbolic link in the folder is
//! replaced, never written through; the folder gets Pizhu's export marker
//! (`.pizhu-export`) so that it is never indexed as articles.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{ExportArticle, chars, types_used};
use crate::error::{Error, Result};
use crate::store::EntityStatus;

/// The brat entity type of highlights.
pub const HIGHLIGHT: &str = "Highlight";

/// A file name (without extension) for an article id: only ASCII letters,
/// digits, `-` and `_`, at most 100 characters, never empty.
pub fn file_stem(id: &str) -> String {
    let mut s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    if s.is_empty() || s.chars().all(|c| c == '_') {
        s = format!("article{s}");
    }
    s
}

/// An attribute value: no whitespace, `|` or `,`.
pub fn attr_value(v: &str) -> String {
    v.chars()
        .map(|c| {
            if c.is_whitespace() || c == '|' || c == ',' {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// Escapes a note for an `AnnotatorNotes` line.
pub fn escape_note(n: &str) -> String {
    n.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
        .replace('\t', "\\t")
}

/// Reverses [`escape_note`].
pub fn unescape_note(n: &str) -> String {
    let mut out = String::with_capacity(n.len());
    let mut it = n.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The fragments of `start..end` split at line breaks, as `s e;s e`.
fn fragments(cs: &[char], start: usize, end: usize) -> String {
    let mut parts = Vec::new();
    let mut s = start;
    for (i, &c) in cs.iter().enumerate().take(end.min(cs.len())).skip(start) {
        if c == '\n' {
            if s < i {
                parts.push(format!("{s} {i}"));
            }
            s = i + 1;
        }
    }
    if s < end {
        parts.push(format!("{s} {end}"));
    }
    if parts.is_empty() {
        parts.push(format!("{start} {end}"));
    }
    parts.join(";")
}

fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c == '\n' || c == '\t' || c == '\r' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// The `.ann` file of one article.
pub fn ann(a: &ExportArticle) -> String {
    let cs = chars(&a.article.text);
    let mut out = String::new();
    let (mut t, mut at, mut note) = (0, 0, 0);
    for (e, tags) in a.entities.iter().zip(&a.entity_tags) {
        t += 1;
        let ent = &e.entity;
        let _ = writeln!(
            out,
            "T{t}\t{} {}\t{}",
            ent.label.as_str(),
            fragments(&cs, ent.start, ent.end),
            one_line(&ent.text)
        );
        let status = match e.status {
            EntityStatus::Auto => None,
            EntityStatus::Accepted => Some("accepted"),
            EntityStatus::User => Some("user"),
        };
        if let Some(s) = status {
            at += 1;
            let _ = writeln!(out, "A{at}\tStatus T{t} {s}");
        }
        for tag in tags {
            at += 1;
            let _ = writeln!(out, "A{at}\tTag T{t} {}", attr_value(tag));
        }
    }
    for h in &a.highlights {
        t += 1;
        let _ = writeln!(
            out,
            "T{t}\t{HIGHLIGHT} {}\t{}",
            fragments(&cs, h.start, h.end),
            one_line(&h.quote.exact)
        );
        if let Some(c) = h.color.as_deref().map(|c| c.trim_start_matches('#'))
            && !c.is_empty()
        {
            at += 1;
            let _ = writeln!(out, "A{at}\tColor T{t} {}", attr_value(c));
        }
        if let Some(n) = &h.note {
            note += 1;
            let _ = writeln!(out, "#{note}\tAnnotatorNotes T{t}\t{}", escape_note(n));
        }
    }
    out
}

/// `annotation.conf` for the exported articles.
pub fn annotation_conf(arts: &[ExportArticle]) -> String {
    let mut out = String::from("# Written by Pizhu 批注. Offsets are code points.\n");
    let mut names: Vec<&str> = arts.iter().map(|a| a.annotator.as_str()).collect();
    names.sort();
    names.dedup();
    for n in names {
        let _ = writeln!(out, "# Annotator: {}", one_line(n));
    }
    out.push_str("[entities]\n");
    for t in types_used(arts) {
        let _ = writeln!(out, "{t}");
    }
    let _ = writeln!(out, "{HIGHLIGHT}");
    out.push_str("\n[relations]\n<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n");
    out.push_str("\n[events]\n\n[attributes]\n");
    out.push_str("Status\tArg:<ENTITY>, Value:accepted|user\n");
    let mut tags: Vec<String> = arts
        .iter()
        .flat_map(|a| a.entity_tags.iter().flatten().map(|t| attr_value(t)))
        .collect();
    tags.sort();
    tags.dedup();
    if !tags.is_empty() {
        let _ = writeln!(out, "Tag\tArg:<ENTITY>, Value:{}", tags.join("|"));
    }
    let mut colors: Vec<String> = arts
        .iter()
        .flat_map(|a| a.highlights.iter().filter_map(|h| h.color.clone()))
        .map(|c| attr_value(c.trim_start_matches('#')))
        .filter(|c| !c.is_empty())
        .collect();
    colors.sort();
    colors.dedup();
    if !colors.is_empty() {
        let _ = writeln!(out, "Color\tArg:{HIGHLIGHT}, Value:{}", colors.join("|"));
    }
    out
}

fn write_file(path: &Path, text: &str) -> Result<()> {
    super::write_file_safely(path, text.as_bytes())
}

/// Writes the brat folder; returns the files written.
pub fn write_folder(arts: &[ExportArticle], dir: &Path) -> Result<Vec<PathBuf>> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Invalid(format!(
            "{}: the brat export needs a folder, but this is a file",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    super::write_marker(dir)?;
    let mut files = Vec::new();
    let mut used: HashSet<String> = HashSet::new();
    for a in arts {
        let base = file_stem(&a.article.id);
        let mut stem = base.clone();
        let mut k = 2;
        while !used.insert(stem.to_ascii_lowercase()) {
            stem = format!("{base}-{k}");
            k += 1;
        }
        let txt = dir.join(format!("{stem}.txt"));
        write_file(&txt, &a.article.text)?;
        let annp = dir.join(format!("{stem}.ann"));
        write_file(&annp, &ann(a))?;
        files.push(txt);
        files.push(annp);
    }
    let conf = dir.join("annotation.conf");
    write_file(&conf, &annotation_conf(arts))?;
    files.push(conf);
    Ok(files)
}
