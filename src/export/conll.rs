//! The CoNLL BIO export: one token per line, `TOKEN<TAB>TAG` with tags
//! `B-TYPE`, `I-TYPE` or `O`.
//!
//! Layout: each article starts with a `-DOCSTART-<TAB>O` line followed by a
//! blank line (the CoNLL-2003 convention, which readers skip), and every
//! sentence ends with a blank line. A sentence ends after `。！？!?…` (and
//! any closing quotes or brackets that follow) and at every line break, but
//! never inside an entity.
//!
//! Tokens: by default one character per line ([`Tokens::Char`]), the usual
//! unit for Chinese NER; with [`Tokens::Jieba`] one jieba-rs token per line.
//! A jieba token takes the type of the entity covering its first character
//! (else of an entity starting inside it); it is `B-` when it holds the
//! entity's first character or starts the entity's part of the sentence.
//!
//! Whitespace: whitespace characters (spaces, tabs, U+3000 ideographic
//! spaces, …) are never tokens, so no line is ever blank or broken by them;
//! line breaks (`\n`, `\r`, U+2028, U+2029) end the sentence, other
//! whitespace is dropped. Tokens therefore do not map back to offsets one
//! to one; use jsonl, brat or w3c for offsets.
//!
//! Overlaps: BIO cannot nest, so overlapping entities are flattened: sorted
//! by start, the earlier one wins; at the same start the longer one; at the
//! same span a user entity over an accepted over an automatic one. The
//! entities left out are counted in [`ExportSummary::flattened`](super::ExportSummary).

use std::io::Write;

use jieba_rs::Jieba;

use super::{ExportArticle, Tokens, chars};
use crate::store::{EffectiveEntity, EntityStatus};

fn status_rank(s: EntityStatus) -> u8 {
    match s {
        EntityStatus::User => 0,
        EntityStatus::Accepted => 1,
        EntityStatus::Auto => 2,
    }
}

/// Non-overlapping entities by the rule in the module doc, and how many were
/// left out.
pub fn flatten(ents: &[EffectiveEntity]) -> (Vec<&EffectiveEntity>, usize) {
    let mut sorted: Vec<&EffectiveEntity> = ents
        .iter()
        .filter(|e| e.entity.start < e.entity.end)
        .collect();
    sorted.sort_by_key(|e| {
        (
            e.entity.start,
            std::cmp::Reverse(e.entity.end),
            status_rank(e.status),
        )
    });
    let mut kept: Vec<&EffectiveEntity> = Vec::new();
    let mut end = 0;
    for e in sorted {
        if kept.is_empty() || e.entity.start >= end {
            end = e.entity.end;
            kept.push(e);
        }
    }
    let dropped = ents.len() - kept.len();
    (kept, dropped)
}

fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' | '\u{b}' | '\u{c}'
    )
}

fn is_terminal(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '!' | '?' | '…')
}

fn is_closer(c: char) -> bool {
    matches!(
        c,
        '”' | '’' | '」' | '』' | '）' | ')' | '》' | '】' | '"' | '\''
    )
}

/// Writes the articles as CoNLL; returns how many entities were flattened away.
pub fn write(
    arts: &[ExportArticle],
    tokens: Tokens,
    out: &mut dyn Write,
) -> std::io::Result<usize> {
    let jieba = (tokens == Tokens::Jieba).then(Jieba::new);
    let mut dropped = 0;
    for a in arts {
        let text = &a.article.text;
        let cs = chars(text);
        let (kept, d) = flatten(&a.entities);
        dropped += d;
        // Entity index covering each character.
        let mut owner: Vec<Option<usize>> = vec![None; cs.len()];
        for (k, e) in kept.iter().enumerate() {
            for o in owner
                .iter_mut()
                .take(e.entity.end.min(cs.len()))
                .skip(e.entity.start)
            {
                *o = Some(k);
            }
        }
        // Units: (start, end) code-point spans, whitespace already removed.
        let mut units: Vec<(usize, usize)> = Vec::new();
        let single = jieba.is_none();
        let push_pieces = |s: usize, e: usize, units: &mut Vec<(usize, usize)>| {
            let e = e.min(cs.len());
            let mut p = s;
            for (i, &c) in cs.iter().enumerate().take(e).skip(s) {
                if c.is_whitespace() {
                    if p < i {
                        units.push((p, i));
                    }
                    if is_line_break(c) {
                        units.push((i, i)); // a sentence break marker
                    }
                    p = i + 1;
                } else if single {
                    units.push((i, i + 1));
                    p = i + 1;
                }
            }
            if p < e {
                units.push((p, e));
            }
        };
        match &jieba {
            None => push_pieces(0, cs.len(), &mut units),
            Some(j) => {
                // jieba works line by line; a line break is never inside a token.
                let mut pos = 0;
                for line in text.split_inclusive('\n') {
                    for tok in j.cut(line, true) {
                        let n = tok.word.chars().count();
                        push_pieces(pos, pos + n, &mut units);
                        pos += n;
                    }
                }
            }
        }
        writeln!(out, "-DOCSTART-\tO")?;
        writeln!(out)?;
        let mut in_sentence = false;
        let mut prev: Option<usize> = None;
        let mut pending_end = false;
        for (s, e) in units {
            if s == e {
                if in_sentence {
                    writeln!(out)?;
                    in_sentence = false;
                }
                prev = None;
                pending_end = false;
                continue;
            }
            let first = cs[s];
            let label_of = owner[s].or_else(|| (s + 1..e).find_map(|i| owner[i]));
            let continues_entity = label_of.is_some() && label_of == prev;
            if pending_end && !is_closer(first) && !is_terminal(first) && !continues_entity {
                writeln!(out)?;
                prev = None;
            }
            pending_end = false;
            let tag = match label_of {
                None => "O".to_string(),
                Some(k) => {
                    let b = if prev == Some(k) { "I" } else { "B" };
                    format!("{b}-{}", kept[k].entity.label.as_str())
                }
            };
            let token: String = cs[s..e].iter().collect();
            writeln!(out, "{token}\t{tag}")?;
            in_sentence = true;
            prev = label_of;
            let last = cs[e - 1];
            if is_terminal(last) || (is_closer(last) && pending_after_terminal(&cs, e)) {
                pending_end = true;
            }
        }
        if in_sentence {
            writeln!(out)?;
        }
    }
    Ok(dropped)
}

/// Whether the closing quotes or brackets ending at `e` follow a terminal.
fn pending_after_terminal(cs: &[char], e: usize) -> bool {
    let mut i = e;
    while i > 0 && is_closer(cs[i - 1]) {
        i -= 1;
    }
    i > 0 && is_terminal(cs[i - 1])
}
