//! Entity extraction: the [`Extractor`] interface, the entity model and the
//! learned lexicon that overrides every extractor.
//!
//! Invariant: entity offsets are code-point offsets into the cleaned article
//! text, end exclusive, and `text == slice_chars(article, start, end)`.
//! Extractors are `Send + Sync` and shared across rayon threads.

pub mod charknow;
pub mod eval;
pub mod expf;
pub mod features;
pub mod gazetteer;
mod jieba;
pub mod lacwords;
pub mod learn;
pub mod names;
pub mod news;
pub mod pos;
pub mod relations;
pub mod rules;
pub mod sets;
pub mod tagger;
pub mod tokens;
pub mod train;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use jieba::JiebaExtractor;
pub use news::NewsExtractor;

/// The extractor the application uses (the CLI and the GUI call this): the
/// rules and the shipped tagger ([`tagger::Tagger::shipped`]).
pub fn default_extractor() -> NewsExtractor {
    let ex = NewsExtractor::new().with_tagger(tagger::Tagger::shipped());
    // The LAC tables are otherwise built by the first extraction; built
    // now, they move to huge pages with the rest.
    lacwords::words();
    tables_on_huge_pages();
    ex
}

/// Asks the kernel, once per process and in a thread of its own, to back
/// the process's large anonymous memory (the heap and mappings of 4 MiB or
/// more: jieba's dictionary, the gazetteer, the LAC and name tables) with
/// 2 MiB pages (`MADV_COLLAPSE`, Linux 6.1 and later; elsewhere, or if
/// refused, nothing changes). Extraction reads these tables at random, and
/// with 4 KiB pages many of its cache misses were TLB misses too: full
/// extraction about 4% faster (`speed9`). The kernel copies the pages
/// (about 70 ms for 66 MiB), so it is done beside start-up, not in it. A
/// hint only: no value read changes. `PIZHU_NO_HUGE_PAGES` turns it off
/// (the bench's way to compare: raw jieba `tag`, the bench's baseline, uses
/// the same dictionary and gains from it too).
fn tables_on_huge_pages() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("PIZHU_NO_HUGE_PAGES").is_none() {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            let _ = std::thread::Builder::new()
                .name("huge-pages".into())
                .spawn(|| {
                    let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else {
                        return;
                    };
                    for (start, end) in maps.lines().filter_map(collapsible) {
                        // SAFETY: advice on whole pages inside a mapping of
                        // this process; it changes how memory is backed,
                        // never what it holds.
                        unsafe {
                            let at = start as *mut libc::c_void;
                            libc::madvise(at, end - start, libc::MADV_HUGEPAGE);
                            libc::madvise(at, end - start, MADV_COLLAPSE);
                        }
                    }
                });
        });
    }
}

/// `MADV_COLLAPSE` (Linux 6.1; not yet in every `libc`).
#[cfg(target_os = "linux")]
const MADV_COLLAPSE: libc::c_int = 25;

/// The 2 MiB-aligned part of a `/proc/self/maps` line worth backing with
/// huge pages: the heap, or an anonymous read-write mapping of 4 MiB or
/// more (smaller ones are mostly thread stacks and small arenas).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn collapsible(line: &str) -> Option<(usize, usize)> {
    const HUGE: usize = 2 << 20;
    // `start-end perms offset dev inode [path]`.
    let mut f = line.split_whitespace();
    let (a, b) = f.next()?.split_once('-')?;
    let (a, b) = (
        usize::from_str_radix(a, 16).ok()?,
        usize::from_str_radix(b, 16).ok()?,
    );
    if !f.next()?.starts_with("rw") {
        return None;
    }
    match f.nth(3) {
        Some("[heap]") => {}
        None if b.checked_sub(a)? >= 2 * HUGE => {}
        _ => return None,
    }
    let (start, end) = (a.checked_add(HUGE - 1)? & !(HUGE - 1), b & !(HUGE - 1));
    (start < end).then_some((start, end))
}

use crate::error::{Error, Result};

/// The type of an entity. The six built-in types plus user-defined ones.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityType {
    /// People.
    Per,
    /// Places.
    Loc,
    /// Organisations.
    Org,
    /// Job titles and posts.
    Title,
    /// Dates and times.
    Date,
    /// Amounts of money.
    Money,
    /// A user-defined type (upper-case ASCII letters, digits, `_` or `-`).
    Custom(String),
}

impl EntityType {
    /// The six built-in types in display order.
    pub const BUILTIN: [EntityType; 6] = [
        EntityType::Per,
        EntityType::Loc,
        EntityType::Org,
        EntityType::Title,
        EntityType::Date,
        EntityType::Money,
    ];

    /// The label as written in exports (`PER`, `LOC`, …).
    pub fn as_str(&self) -> &str {
        match self {
            EntityType::Per => "PER",
            EntityType::Loc => "LOC",
            EntityType::Org => "ORG",
            EntityType::Title => "TITLE",
            EntityType::Date => "DATE",
            EntityType::Money => "MONEY",
            EntityType::Custom(s) => s,
        }
    }
}

impl fmt::Display for EntityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EntityType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let up = s.trim().to_ascii_uppercase();
        Ok(match up.as_str() {
            "PER" | "PERSON" => EntityType::Per,
            "LOC" | "LOCATION" | "GPE" => EntityType::Loc,
            "ORG" | "ORGANIZATION" | "ORGANISATION" => EntityType::Org,
            "TITLE" => EntityType::Title,
            "DATE" | "TIME" => EntityType::Date,
            "MONEY" => EntityType::Money,
            _ if !up.is_empty()
                && up.len() <= 32
                && up
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
            {
                EntityType::Custom(up)
            }
            _ => {
                return Err(Error::Invalid(format!(
                    "unknown entity type {s:?}: use PER, LOC, ORG, TITLE, DATE, MONEY or a name of \
                     ASCII letters, digits, '_' or '-' (at most 32)"
                )));
            }
        })
    }
}

impl Serialize for EntityType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EntityType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Where an entity came from. Higher [`Source::priority`] wins overlaps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A statistical model (jieba's POS tags and HMM).
    Model,
    /// The segmenter's dictionary.
    Dictionary,
    /// The gazetteer of places.
    Gazetteer,
    /// A hand-written rule for this genre.
    Rule,
    /// The lexicon learned from the user's corrections.
    Lexicon,
    /// Added by the user by hand.
    User,
}

impl Source {
    /// Overlap priority (higher wins).
    pub fn priority(self) -> u8 {
        match self {
            Source::Model => 0,
            Source::Dictionary => 1,
            Source::Gazetteer => 2,
            Source::Rule => 3,
            Source::Lexicon => 4,
            Source::User => 5,
        }
    }

    /// The name stored and exported.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Model => "model",
            Source::Dictionary => "dictionary",
            Source::Gazetteer => "gazetteer",
            Source::Rule => "rule",
            Source::Lexicon => "lexicon",
            Source::User => "user",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Source {
        match s {
            "dictionary" => Source::Dictionary,
            "gazetteer" => Source::Gazetteer,
            "rule" => Source::Rule,
            "lexicon" => Source::Lexicon,
            "user" => Source::User,
            _ => Source::Model,
        }
    }
}

/// An entity mention in a cleaned article text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Start, code points, inclusive.
    pub start: usize,
    /// End, code points, exclusive.
    pub end: usize,
    /// The mention's text.
    pub text: String,
    /// Its type.
    pub label: EntityType,
    /// Who found it.
    pub source: Source,
    /// Confidence in 0..=1.
    pub confidence: f32,
}

/// Finds entities in cleaned article text.
///
/// Implementations must be deterministic and return spans sorted by start,
/// not overlapping.
pub trait Extractor: Send + Sync {
    /// A name and version; changing it makes the next index re-extract everything.
    fn version(&self) -> String;
    /// Entities in `text`.
    fn extract(&self, text: &str) -> Vec<Entity>;
}

/// Something with a character span and a source: what overlap resolution
/// needs to know of an entity or a rule's candidate.
pub trait Sourced {
    /// Start, code points.
    fn span_start(&self) -> usize;
    /// End, code points, exclusive.
    fn span_end(&self) -> usize;
    /// Who found it.
    fn span_source(&self) -> Source;
}

/// `Sourced` for a type with `start`, `end` and `source` fields.
macro_rules! impl_sourced {
    ($($t:ty),*) => {$(
        impl Sourced for $t {
            fn span_start(&self) -> usize {
                self.start
            }
            fn span_end(&self) -> usize {
                self.end
            }
            fn span_source(&self) -> Source {
                self.source
            }
        }
    )*};
}

impl_sourced!(Entity, rules::Span);

/// The string of `chars`, allocated once at its length in bytes
/// (collecting characters into a `String` reserves a byte per character and
/// then grows, twice for Chinese text at three bytes each).
pub(crate) fn text_of(chars: &[char]) -> String {
    let mut s = String::with_capacity(chars.iter().map(|c| c.len_utf8()).sum());
    s.extend(chars);
    s
}

/// Resolves overlaps: higher source priority wins, then the longer span, then
/// the earlier one. Returns the survivors sorted by start.
pub fn resolve_overlaps<T: Sourced>(ents: Vec<T>) -> Vec<T> {
    let kept = overlap_survivors(&ents, |_| true);
    let mut slots: Vec<Option<T>> = ents.into_iter().map(Some).collect();
    kept.into_iter()
        .filter_map(|i| slots[i as usize].take())
        .collect()
}

/// The indices of [`resolve_overlaps`]' survivors among the `eligible`
/// items of `ents`, sorted by start (the others take no part). The items
/// are ranked by one sort of small keys (priority, length, start, then the
/// index: the order of a stable sort by the first three) instead of moving
/// the items themselves.
pub(crate) fn overlap_survivors<T: Sourced>(ents: &[T], eligible: impl Fn(&T) -> bool) -> Vec<u32> {
    use std::cmp::Reverse;
    // The same keys packed into one integer each, compared as the tuples
    // are (priority descending, length descending, start, index): one
    // 128-bit compare per step of the sort instead of four fields.
    // Lengths and starts of 2^40 characters or more (never in a text) take
    // the tuples' sort.
    const FIELD: u32 = 40;
    const MAX: usize = (1 << FIELD) - 1;
    let wide = ents
        .iter()
        .any(|e| e.span_start() > MAX || e.span_end().saturating_sub(e.span_start()) > MAX);
    let order: Vec<(usize, u32)> = if !wide {
        let mut keys: Vec<u128> = ents
            .iter()
            .enumerate()
            .filter(|(_, e)| eligible(e))
            .map(|(i, e)| {
                let (s, t) = (e.span_start(), e.span_end());
                ((255 - e.span_source().priority()) as u128) << (3 * FIELD)
                    | ((MAX - t.saturating_sub(s)) as u128) << (2 * FIELD)
                    | (s as u128) << FIELD
                    | i as u128
            })
            .collect();
        keys.sort_unstable();
        keys.into_iter()
            .map(|k| (((k >> FIELD) as usize) & MAX, k as u32))
            .collect()
    } else {
        let mut order: Vec<(Reverse<u8>, Reverse<usize>, usize, u32)> = ents
            .iter()
            .enumerate()
            .filter(|(_, e)| eligible(e))
            .map(|(i, e)| {
                let (s, t) = (e.span_start(), e.span_end());
                (
                    Reverse(e.span_source().priority()),
                    Reverse(t.saturating_sub(s)),
                    s,
                    i as u32,
                )
            })
            .collect();
        order.sort_unstable();
        order.into_iter().map(|(_, _, s, i)| (s, i)).collect()
    };
    // A span is kept when none of its characters is taken by a kept span
    // (linear in the total span length rather than quadratic in the count).
    let max_end = order
        .iter()
        .map(|o| ents[o.1 as usize].span_end())
        .max()
        .unwrap_or(0);
    let mut taken = vec![false; max_end];
    let mut kept: Vec<(usize, u32)> = Vec::with_capacity(order.len());
    for &(s, i) in &order {
        let t = ents[i as usize].span_end();
        if s < t && !taken[s..t].iter().any(|&x| x) {
            taken[s..t].iter_mut().for_each(|x| *x = true);
            kept.push((s, i));
        }
    }
    // Survivors do not overlap and are not empty: their starts differ.
    kept.sort_unstable();
    kept.into_iter().map(|(_, i)| i).collect()
}

/// The lexicon learned from corrections: words always tagged with a type,
/// and words never to be entities. It outranks every extractor.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lexicon {
    /// Text → type for words to add everywhere.
    pub add: HashMap<String, EntityType>,
    /// Texts never to be entities.
    pub reject: HashSet<String>,
}

impl Lexicon {
    /// Whether the lexicon has no entries.
    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.reject.is_empty()
    }

    /// Applies the lexicon to an extractor's output for `text`.
    pub fn apply(&self, text: &str, mut ents: Vec<Entity>) -> Vec<Entity> {
        if self.is_empty() {
            return ents;
        }
        ents.retain(|e| !self.reject.contains(&e.text));
        let chars: Vec<char> = text.chars().collect();
        for (word, label) in &self.add {
            let w: Vec<char> = word.chars().collect();
            if w.is_empty() || w.len() > chars.len() {
                continue;
            }
            let mut i = 0;
            while i + w.len() <= chars.len() {
                if chars[i..i + w.len()] == w[..] {
                    ents.push(Entity {
                        start: i,
                        end: i + w.len(),
                        text: word.clone(),
                        label: label.clone(),
                        source: Source::Lexicon,
                        confidence: 1.0,
                    });
                    i += w.len();
                } else {
                    i += 1;
                }
            }
        }
        resolve_overlaps(ents)
    }
}

/// Runs `extractor` and then the lexicon on `text`.
pub fn extract_with_lexicon(
    extractor: &dyn Extractor,
    lexicon: &Lexicon,
    text: &str,
) -> Vec<Entity> {
    lexicon.apply(text, extractor.extract(text))
}

/// An entity of `text` at the first occurrence of `word` from character
/// `from` on (unit tests of the extraction stages).
#[cfg(test)]
pub(crate) fn entity_at(
    text: &str,
    word: &str,
    from: usize,
    label: EntityType,
    source: Source,
    confidence: f32,
) -> Entity {
    let chars: Vec<char> = text.chars().collect();
    let w: Vec<char> = word.chars().collect();
    let start = (from..chars.len())
        .find(|&i| chars[i..].starts_with(&w))
        .unwrap();
    Entity {
        start,
        end: start + w.len(),
        text: word.into(),
        label,
        source,
        confidence,
    }
}

/// A xorshift64 generator (unit tests' pseudo-random inputs: the same
/// numbers for the same seed).
#[cfg(test)]
pub(crate) fn xorshift(mut x: u64) -> impl FnMut() -> u64 {
    move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only the heap and large anonymous read-write mappings are backed
    /// with huge pages, and only their 2 MiB-aligned part.
    #[test]
    fn huge_pages_go_to_the_heap_and_large_anonymous_mappings() {
        let line = |s: &str| collapsible(s);
        // The heap: its aligned part, whatever its size.
        assert_eq!(
            line("55a21de02000-55a21f783000 rw-p 00000000 00:00 0          [heap]"),
            Some((0x55a21e000000, 0x55a21f600000))
        );
        assert_eq!(
            line("55a21de02000-55a21de83000 rw-p 00000000 00:00 0 [heap]"),
            None
        );
        // Anonymous: 4 MiB or more.
        assert_eq!(
            line("7f00e4504000-7f00e5505000 rw-p 00000000 00:00 0 "),
            Some((0x7f00e4600000, 0x7f00e5400000))
        );
        assert_eq!(
            line("7f00e4400000-7f00e4600000 rw-p 00000000 00:00 0"),
            None
        );
        assert_eq!(
            line("7f00e4000000-7f00e4400000 rw-p 00000000 00:00 0"),
            Some((0x7f00e4000000, 0x7f00e4400000))
        );
        // Not writable, a file, the stack, garbage.
        assert_eq!(
            line("7f00e4000000-7f00e8000000 r--p 00000000 00:00 0"),
            None
        );
        assert_eq!(
            line("7f00e4000000-7f00e8000000 rw-p 00000000 08:01 1234 /usr/lib/libc.so.6"),
            None
        );
        assert_eq!(
            line("7ffd4000000-7ffd8000000 rw-p 00000000 00:00 0 [stack]"),
            None
        );
        assert_eq!(line("not a mapping"), None);
        assert_eq!(line(""), None);
    }

    fn ent(start: usize, end: usize, label: EntityType, source: Source) -> Entity {
        Entity {
            start,
            end,
            text: String::new(),
            label,
            source,
            confidence: 0.5,
        }
    }

    #[test]
    fn overlaps_prefer_source_then_length() {
        let out = resolve_overlaps(vec![
            ent(0, 4, EntityType::Org, Source::Model),
            ent(0, 2, EntityType::Loc, Source::Rule),
            ent(5, 9, EntityType::Per, Source::Model),
            ent(5, 7, EntityType::Per, Source::Model),
        ]);
        assert_eq!(out.len(), 2);
        assert_eq!((out[0].start, out[0].end), (0, 2));
        assert_eq!((out[1].start, out[1].end), (5, 9));
    }

    /// `resolve_overlaps` as it was written before `speed8`: a stable sort
    /// of the items themselves.
    fn resolve_by_stable_sort(mut ents: Vec<Entity>) -> Vec<Entity> {
        let len = |e: &Entity| e.end.saturating_sub(e.start);
        ents.sort_by(|a, b| {
            b.source
                .priority()
                .cmp(&a.source.priority())
                .then(len(b).cmp(&len(a)))
                .then(a.start.cmp(&b.start))
        });
        let max_end = ents.iter().map(|e| e.end).max().unwrap_or(0);
        let mut taken = vec![false; max_end];
        ents.retain(|e| {
            let free = e.start < e.end && !taken[e.start..e.end].iter().any(|&x| x);
            if free {
                taken[e.start..e.end].iter_mut().for_each(|x| *x = true);
            }
            free
        });
        ents.sort_by_key(|e| e.start);
        ents
    }

    #[test]
    fn overlaps_resolve_as_a_stable_sort_of_the_items() {
        // Random spans with many exact ties (same source, start and end,
        // different labels or confidences), empty and reversed spans: the
        // key sort keeps the stable sort's choice among ties.
        let labels = [EntityType::Per, EntityType::Loc, EntityType::Org];
        let sources = [Source::Model, Source::Gazetteer, Source::Rule];
        let mut xs = crate::extract::xorshift(0x9E37_79B9_7F4A_7C15);
        let mut next = |n: u64| {
            let x = xs();
            (x % n) as usize
        };
        for round in 0..500 {
            let n = next(40);
            let ents: Vec<Entity> = (0..n)
                .map(|k| {
                    let start = next(30);
                    let end = if next(10) == 0 {
                        start.saturating_sub(1)
                    } else {
                        start + next(6)
                    };
                    let mut e = ent(start, end, labels[next(3)].clone(), sources[next(3)]);
                    e.confidence = k as f32;
                    e
                })
                .collect();
            assert_eq!(
                resolve_overlaps(ents.clone()),
                resolve_by_stable_sort(ents),
                "round {round}"
            );
        }
    }

    #[test]
    fn text_of_spells_the_characters_in_one_allocation() {
        for s in ["", "a", "某某市", "Ab·某某 ñ 𠀋！"] {
            let chars: Vec<char> = s.chars().collect();
            let t = text_of(&chars);
            assert_eq!(t, s);
            assert_eq!(t.capacity(), s.len(), "{s:?}");
        }
    }

    #[test]
    fn lexicon_adds_and_rejects() {
        let mut lex = Lexicon::default();
        lex.add.insert("某某报".into(), EntityType::Org);
        lex.reject.insert("承诺".into());
        let text = "某某报说承诺某某报";
        let mut e = ent(4, 6, EntityType::Per, Source::Model);
        e.text = "承诺".into();
        let out = lex.apply(text, vec![e]);
        assert_eq!(out.len(), 2);
        assert!(
            out.iter()
                .all(|e| e.label == EntityType::Org && e.text == "某某报")
        );
        assert_eq!("person".parse::<EntityType>().unwrap(), EntityType::Per);
        assert!("坏".parse::<EntityType>().is_err());
    }
}
