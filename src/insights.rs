//! Insights: article dates and the aggregates behind the charts (articles
//! per month, mentions of entities over time, top entities per type,
//! co-occurrence of entities in the same article). Headless; the GUI view
//! (`ui::insights`) and the `pizhu stats --by month` / `pizhu cooccur`
//! commands both read [`Insights`].
//!
//! Every article gets one [`ArticleDate`] with its [`DateSource`]: the text
//! (the splitter's date field, a dateline or a full date near the start),
//! else the file's path or name, else undated. A text date without a year
//! (`6月10日`, common in datelines) takes its year from the path when the
//! path has one ([`DateSource::TextPath`]).
//!
//! Counts are *article* counts: an entity mentioned three times in one
//! article counts once for that article; a pair co-occurs in an article
//! when both are among its (effective) entities.

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::Result;
use crate::extract::Entity;
use crate::store::Store;

/// Where an article's date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum DateSource {
    /// A full date in the text (the splitter's date, a dateline, the head).
    Text,
    /// Month and day from the text, the year from the file's path or name.
    TextPath,
    /// The file's path or name (`2019/06/…`, `20190610_…`, `2019-06-10`).
    Path,
    /// No date found.
    Undated,
}

impl DateSource {
    /// Stable name (CLI, CSV).
    pub fn as_str(self) -> &'static str {
        match self {
            DateSource::Text => "text",
            DateSource::TextPath => "text+path",
            DateSource::Path => "path",
            DateSource::Undated => "undated",
        }
    }
}

impl fmt::Display for DateSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A year and month, ordered; the unit of the time charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Month {
    /// Year (1900–2100).
    pub year: i32,
    /// Month (1–12).
    pub month: u32,
}

impl Month {
    /// Months since year 0 (for plotting on a numeric axis).
    pub fn index(self) -> i64 {
        self.year as i64 * 12 + self.month as i64 - 1
    }

    /// The month of an [`Month::index`].
    pub fn from_index(i: i64) -> Month {
        Month {
            year: i.div_euclid(12) as i32,
            month: (i.rem_euclid(12) + 1) as u32,
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// An article's date: year and month always, the day when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ArticleDate {
    /// Year and month.
    pub month: Month,
    /// Day of the month, when the source gives one.
    pub day: Option<u32>,
    /// Where it came from.
    pub source: DateSource,
}

impl fmt::Display for ArticleDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.day {
            Some(d) => write!(f, "{}-{:02}", self.month, d),
            None => write!(f, "{}", self.month),
        }
    }
}

/// Year, month, optional day as found (year optional for text dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Found {
    year: Option<i32>,
    month: u32,
    day: Option<u32>,
}

fn valid(year: Option<i32>, month: u32, day: Option<u32>) -> bool {
    year.is_none_or(|y| (1900..=2100).contains(&y))
        && (1..=12).contains(&month)
        && day.is_none_or(|d| (1..=31).contains(&d))
}

/// Full-width digits to ASCII (OCR'd and typeset dates use both).
fn ascii_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Dates written in text: `2019年6月10日`, `2019年6月`, `6月10日`,
/// `2019-06-10`, `2019/6/10`, `2019.06.10`.
static TEXT_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?:(?P<y>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*[日号])?
        | (?P<y2>\d{4})[-/.](?P<m2>\d{1,2})[-/.](?P<d2>\d{1,2})(?:\D|$)
        ",
    )
    .expect("date regex")
});

/// Dates in paths: `2019/06/10`, `2019/06/`, `2019-06-10`, `2019_06`,
/// `20190610`, `201906` (digits not part of a longer number).
static PATH_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?:^|\D)(?P<y>(?:19|20)\d{2})[-_/.](?P<m>0?[1-9]|1[0-2])(?:[-_/.](?P<d>0?[1-9]|[12]\d|3[01]))?(?:\D|$)
        | (?:^|\D)(?P<y2>(?:19|20)\d{2})(?P<m2>0[1-9]|1[0-2])(?P<d2>0[1-9]|[12]\d|3[01])?(?:\D|$)
        | (?:^|\D)(?P<y3>(?:19|20)\d{2})(?:/|$)
        ",
    )
    .expect("path date regex")
});

fn num<T: std::str::FromStr>(c: &regex::Captures<'_>, names: &[&str]) -> Option<T> {
    names
        .iter()
        .find_map(|n| c.name(n))
        .and_then(|m| m.as_str().parse().ok())
}

/// Every date written in `text`, in order (year optional).
fn text_dates(text: &str) -> Vec<Found> {
    let text = ascii_digits(text);
    TEXT_DATE
        .captures_iter(&text)
        .filter_map(|c| {
            let f = Found {
                year: num(&c, &["y", "y2"]),
                month: num(&c, &["m", "m2"])?,
                day: num(&c, &["d", "d2"]),
            };
            // A bare `6月` without year or day is too weak to place an article.
            (valid(f.year, f.month, f.day) && (f.year.is_some() || f.day.is_some())).then_some(f)
        })
        .collect()
}

/// The date in a file path (the most specific match; the last component wins
/// ties). The year alone (`2019/…`) gives no month and is not used.
fn path_date(path: &str) -> Option<Found> {
    let path = path.replace('\\', "/");
    let mut best: Option<Found> = None;
    // Overlapping matches (`2019/06/20190610_x`): scan from every start.
    let mut year_only: Option<i32> = None;
    let mut at = 0;
    while let Some(c) = PATH_DATE.captures_at(&path, at) {
        let whole = c.get(0).expect("match");
        if let Some(y) = num::<i32>(&c, &["y3"]) {
            year_only = Some(y);
        } else if let (Some(y), Some(m)) = (num::<i32>(&c, &["y", "y2"]), num(&c, &["m", "m2"])) {
            let f = Found {
                year: Some(y),
                month: m,
                day: num(&c, &["d", "d2"]),
            };
            if valid(f.year, f.month, f.day)
                && best.is_none_or(|b| b.day.is_none() || f.day.is_some())
            {
                best = Some(f);
            }
        }
        // Continue just after the year, so `2019/06/…` inside a longer match is seen.
        at = whole.start() + 1;
        if at >= path.len() {
            break;
        }
        while !path.is_char_boundary(at) {
            at += 1;
        }
    }
    // `2019/06/…` split over two folders where the month folder alone matched nothing.
    best.or_else(|| {
        year_only.map(|y| Found {
            year: Some(y),
            month: 0,
            day: None,
        })
    })
}

/// Resolves an article's date from the splitter's date field (its dateline),
/// the file path and the start of its text, in that order of trust; `None`
/// when undated.
///
/// - The splitter's date with a year: [`DateSource::Text`].
/// - The splitter's date without a year (`6月10日`) and a year in the
///   path: [`DateSource::TextPath`].
/// - A date (at least year and month) in the path: [`DateSource::Path`].
/// - A full date with a year in the first 300 characters (a dateline the
///   splitter did not take): [`DateSource::Text`]. Dates later in the text
///   are what the article talks about, not when it was written.
pub fn resolve_date(split_date: Option<&str>, text: &str, path: &str) -> Option<ArticleDate> {
    let path = path_date(path);
    let split = split_date.map(text_dates).unwrap_or_default();
    let text_date = |f: &Found| {
        Some(ArticleDate {
            month: Month {
                year: f.year?,
                month: f.month,
            },
            day: f.day,
            source: DateSource::Text,
        })
    };
    if let Some(d) = split.iter().find_map(text_date) {
        return Some(d);
    }
    if let (Some(f), Some(year)) = (split.first(), path.and_then(|p| p.year)) {
        return Some(ArticleDate {
            month: Month {
                year,
                month: f.month,
            },
            day: f.day,
            source: DateSource::TextPath,
        });
    }
    if let Some(p) = path
        && p.month != 0
        && let Some(year) = p.year
    {
        return Some(ArticleDate {
            month: Month {
                year,
                month: p.month,
            },
            day: p.day,
            source: DateSource::Path,
        });
    }
    let head: String = text.chars().take(300).collect();
    let found = text_dates(&head);
    if let Some(d) = found.iter().filter(|f| f.day.is_some()).find_map(text_date) {
        return Some(d);
    }
    // A dateline without a year in a year folder.
    if let (Some(f), Some(year)) = (
        found.iter().find(|f| f.day.is_some()),
        path.and_then(|p| p.year),
    ) {
        return Some(ArticleDate {
            month: Month {
                year,
                month: f.month,
            },
            day: f.day,
            source: DateSource::TextPath,
        });
    }
    None
}

/// One article as the aggregates see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    /// Article id.
    pub id: String,
    /// File path relative to the archive.
    pub file: String,
    /// Its date, if any.
    pub date: Option<ArticleDate>,
    /// Its distinct effective entities, as indices into [`Insights::names`], sorted.
    pub ents: Vec<u32>,
}

/// An entity key: text and type name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Name {
    /// The entity's text.
    pub text: String,
    /// Its type (`PER`, `ORG`, …).
    pub label: String,
}

/// The archive's articles reduced to dates and entity sets, built once
/// (one pass over the store) and queried in memory.
#[derive(Debug, Clone, Default)]
pub struct Insights {
    /// Every article, in the store's order.
    pub docs: Vec<Doc>,
    /// Every distinct entity.
    pub names: Vec<Name>,
    /// Per type: text → key (looked up by `&str`, no allocation).
    index: HashMap<String, rustc_hash::FxHashMap<String, u32>>,
}

/// Articles per month, with every month between the first and the last
/// (zero when none: gaps show), and the undated articles counted apart.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MonthSeries {
    /// Column names after `month` (e.g. `articles`, or entity texts).
    pub columns: Vec<String>,
    /// (month, one count per column).
    pub rows: Vec<(Month, Vec<usize>)>,
    /// Undated articles, one count per column.
    pub undated: Vec<usize>,
}

/// A pair of entities and the number of articles where both appear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pair {
    /// First entity (of the first type).
    pub a: String,
    /// Second entity (of the second type).
    pub b: String,
    /// Articles with both.
    pub articles: usize,
}

/// What a chart series counts per article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Measure {
    /// The article itself.
    Articles,
    /// Articles mentioning this entity text (of the given type, if any).
    Entity(String, Option<String>),
    /// Distinct entities of this type in the article.
    Type(String),
}

/// An article's date as stored (`article_facts`): `yyyymmdd` (`dd` = 00
/// when the day is unknown; `None` when undated) and the source's number.
pub fn date_code(date: Option<ArticleDate>) -> (Option<i64>, i64) {
    let src = |s: DateSource| match s {
        DateSource::Text => 0,
        DateSource::TextPath => 1,
        DateSource::Path => 2,
        DateSource::Undated => 3,
    };
    match date {
        Some(d) => (
            Some(
                d.month.year as i64 * 10000
                    + d.month.month as i64 * 100
                    + d.day.unwrap_or(0) as i64,
            ),
            src(d.source),
        ),
        None => (None, src(DateSource::Undated)),
    }
}

/// The date of a [`date_code`].
pub fn date_from_code(day: Option<i64>, src: i64) -> Option<ArticleDate> {
    let day = day?;
    let source = match src {
        0 => DateSource::Text,
        1 => DateSource::TextPath,
        2 => DateSource::Path,
        _ => return None,
    };
    Some(ArticleDate {
        month: Month {
            year: (day / 10000) as i32,
            month: (day / 100 % 100) as u32,
        },
        day: Some((day % 100) as u32).filter(|&d| d > 0),
        source,
    })
}

impl Insights {
    /// Reads what the aggregates need of every article: the dates and
    /// entity sets stored at index time (no text read), and in full only
    /// the articles with entity corrections.
    pub fn load(store: &Store) -> Result<Insights> {
        let mut ins = Insights::default();
        let mut full = Vec::new();
        let names = store.entity_names_by_key()?;
        let mut by_key: rustc_hash::FxHashMap<u64, u32> = Default::default();
        let mut unnamed = false;
        store.for_each_article_facts(
            |id, file, day, src, keys| {
                let mut k: Vec<u32> = crate::store::decode_keys(keys)
                    .filter_map(|key| {
                        if let Some(&i) = by_key.get(&key) {
                            return Some(i);
                        }
                        let Some((text, label)) = names.get(&key) else {
                            unnamed = true;
                            return None;
                        };
                        let i = ins.intern(text, label);
                        by_key.insert(key, i);
                        Some(i)
                    })
                    .collect();
                k.sort_unstable();
                k.dedup();
                ins.docs.push(Doc {
                    id: id.to_string(),
                    file: file.to_string(),
                    date: date_from_code(day, src),
                    ents: k,
                });
            },
            |id, file, date, text, ents| {
                full.push((
                    id.to_string(),
                    file.to_string(),
                    date.map(str::to_string),
                    text.to_string(),
                    ents,
                ));
            },
        )?;
        if unnamed {
            // A key without a name (the counts and the facts disagree,
            // which no write should cause): read everything in full.
            let mut ins = Insights::default();
            store.for_each_article_entities(|id, file, date, text, ents| {
                ins.push(id, file, date, text, &ents);
            })?;
            return Ok(ins);
        }
        for (id, file, date, text, ents) in full {
            ins.push(&id, &file, date.as_deref(), &text, &ents);
        }
        Ok(ins)
    }

    /// Adds one article (what [`Insights::load`] does per row; tests build
    /// the same from an export).
    pub fn push(
        &mut self,
        id: &str,
        file: &str,
        split_date: Option<&str>,
        text: &str,
        ents: &[Entity],
    ) {
        let mut keys: Vec<u32> = ents
            .iter()
            .map(|e| self.intern(&e.text, e.label.as_str()))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        self.docs.push(Doc {
            id: id.to_string(),
            file: file.to_string(),
            date: resolve_date(split_date, text, file),
            ents: keys,
        });
    }

    fn intern(&mut self, text: &str, label: &str) -> u32 {
        let by_text = match self.index.get_mut(label) {
            Some(m) => m,
            None => self.index.entry(label.to_string()).or_default(),
        };
        if let Some(&i) = by_text.get(text) {
            return i;
        }
        let i = self.names.len() as u32;
        by_text.insert(text.to_string(), i);
        self.names.push(Name {
            text: text.to_string(),
            label: label.to_string(),
        });
        i
    }

    /// The key of an entity, if it occurs.
    pub fn key(&self, text: &str, label: &str) -> Option<u32> {
        self.index.get(label)?.get(text).copied()
    }

    /// Keys of every entity with this text (any type), or of this type.
    fn keys_of(&self, text: &str, label: Option<&str>) -> Vec<u32> {
        self.names
            .iter()
            .enumerate()
            .filter(|(_, n)| n.text == text && label.is_none_or(|l| n.label == l))
            .map(|(i, _)| i as u32)
            .collect()
    }

    /// The documents passing `only` (indices into `docs`; all when `None`).
    fn selected<'a>(&'a self, only: Option<&'a [usize]>) -> Box<dyn Iterator<Item = &'a Doc> + 'a> {
        match only {
            Some(ix) => Box::new(ix.iter().filter_map(|&i| self.docs.get(i))),
            None => Box::new(self.docs.iter()),
        }
    }

    /// Indices of the documents whose id is in `ids`.
    pub fn indices_of(&self, ids: &std::collections::HashSet<String>) -> Vec<usize> {
        self.docs
            .iter()
            .enumerate()
            .filter(|(_, d)| ids.contains(&d.id))
            .map(|(i, _)| i)
            .collect()
    }

    /// Counts per month for each measure, over the selected documents.
    pub fn by_month(&self, measures: &[Measure], only: Option<&[usize]>) -> MonthSeries {
        enum Key {
            All,
            Any(Vec<u32>),
            Label(String),
        }
        let keys: Vec<Key> = measures
            .iter()
            .map(|m| match m {
                Measure::Articles => Key::All,
                Measure::Entity(t, l) => Key::Any(self.keys_of(t, l.as_deref())),
                Measure::Type(l) => Key::Label(l.clone()),
            })
            .collect();
        let is_label: Vec<Vec<bool>> = keys
            .iter()
            .map(|k| match k {
                Key::Label(l) => self.names.iter().map(|n| &n.label == l).collect(),
                _ => Vec::new(),
            })
            .collect();
        let n = measures.len();
        let mut per: HashMap<Month, Vec<usize>> = HashMap::new();
        let mut undated = vec![0; n];
        for d in self.selected(only) {
            let row = match d.date {
                Some(date) => per.entry(date.month).or_insert_with(|| vec![0; n]),
                None => &mut undated,
            };
            for (c, k) in keys.iter().enumerate() {
                row[c] += match k {
                    Key::All => 1,
                    Key::Any(ks) => usize::from(ks.iter().any(|k| d.ents.binary_search(k).is_ok())),
                    Key::Label(_) => d.ents.iter().filter(|&&e| is_label[c][e as usize]).count(),
                };
            }
        }
        let mut rows = Vec::new();
        if let (Some(first), Some(last)) = (per.keys().min(), per.keys().max()) {
            for i in first.index()..=last.index() {
                let m = Month::from_index(i);
                rows.push((m, per.remove(&m).unwrap_or_else(|| vec![0; n])));
            }
        }
        MonthSeries {
            columns: measures
                .iter()
                .map(|m| match m {
                    Measure::Articles => "articles".to_string(),
                    Measure::Entity(t, _) => t.clone(),
                    Measure::Type(l) => l.clone(),
                })
                .collect(),
            rows,
            undated,
        }
    }

    /// The `top` entities of a type by number of articles (most first, then by text).
    pub fn top_entities(
        &self,
        label: &str,
        top: usize,
        only: Option<&[usize]>,
    ) -> Vec<(String, usize)> {
        let is: Vec<bool> = self.names.iter().map(|n| n.label == label).collect();
        let mut counts = vec![0u32; self.names.len()];
        for d in self.selected(only) {
            for &e in &d.ents {
                if is[e as usize] {
                    counts[e as usize] += 1;
                }
            }
        }
        let mut all: Vec<(u32, u32)> = counts
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| (k as u32, *n))
            .collect();
        if top == 0 {
            return Vec::new();
        }
        if all.len() > top {
            // Keep the pairs at or above the `top`-th count (ties sorted by text below).
            all.select_nth_unstable_by(top - 1, |p, q| q.1.cmp(&p.1));
            let cut = all[top - 1].1;
            all.retain(|p| p.1 >= cut);
        }
        let text = |k: u32| self.names[k as usize].text.as_str();
        all.sort_unstable_by(|p, q| q.1.cmp(&p.1).then_with(|| text(p.0).cmp(text(q.0))));
        all.truncate(top);
        all.into_iter()
            .map(|(k, n)| (text(k).to_string(), n as usize))
            .collect()
    }

    /// Pairs of entities (type `a` × type `b`, different texts) by the number
    /// of articles where both appear; the `top` most frequent (then by texts).
    pub fn cooccur(&self, a: &str, b: &str, top: usize, only: Option<&[usize]>) -> Vec<Pair> {
        if top == 0 {
            return Vec::new();
        }
        let is_a: Vec<bool> = self.names.iter().map(|n| n.label == a).collect();
        let is_b: Vec<bool> = self.names.iter().map(|n| n.label == b).collect();
        // Entities with the same text under both types (a name tagged PER in
        // one place and ORG in another) are not a pair.
        let same_text: rustc_hash::FxHashMap<&str, u32> = if a == b {
            Default::default()
        } else {
            self.names
                .iter()
                .enumerate()
                .filter(|(i, _)| is_a[*i])
                .map(|(i, n)| (n.text.as_str(), i as u32))
                .collect()
        };
        // A pair is in at most as many articles as its rarer entity: count
        // only pairs of entities in at least `t` articles; when the `top`-th
        // count found is ≥ `t`, no pair left out can reach it (exact), else
        // lower `t` to that count (or halve it) and count again.
        let mut df = vec![0u32; self.names.len()];
        for d in self.selected(only) {
            for &e in &d.ents {
                if is_a[e as usize] || is_b[e as usize] {
                    df[e as usize] += 1;
                }
            }
        }
        let mut dfs: Vec<u32> = df.iter().copied().filter(|&n| n > 0).collect();
        dfs.sort_unstable_by(|x, y| y.cmp(x));
        let mut t = dfs
            .get(top.saturating_mul(2).min(dfs.len().saturating_sub(1)))
            .copied()
            .unwrap_or(1)
            .max(1);
        let mut all: Vec<(u64, u32)>;
        loop {
            let mut counts: rustc_hash::FxHashMap<u64, u32> = Default::default();
            let (mut xs, mut ys) = (Vec::new(), Vec::new());
            for d in self.selected(only) {
                xs.clear();
                ys.clear();
                xs.extend(
                    d.ents
                        .iter()
                        .copied()
                        .filter(|&e| is_a[e as usize] && df[e as usize] >= t),
                );
                if xs.is_empty() {
                    continue;
                }
                ys.extend(
                    d.ents
                        .iter()
                        .copied()
                        .filter(|&e| is_b[e as usize] && df[e as usize] >= t),
                );
                for &x in &xs {
                    for &y in &ys {
                        if x != y && same_text.get(self.names[y as usize].text.as_str()) != Some(&x)
                        {
                            *counts.entry((x as u64) << 32 | y as u64).or_default() += 1;
                        }
                    }
                }
            }
            all = counts.into_iter().collect();
            if t <= 1 {
                break;
            }
            if top > 0 && all.len() >= top {
                all.select_nth_unstable_by(top - 1, |p, q| q.1.cmp(&p.1));
                let nth = all[top - 1].1;
                if nth >= t {
                    break;
                }
                t = nth.max(1);
            } else {
                t /= 2;
            }
        }
        // Only the pairs at or above the `top`-th count need sorting by text.
        if top < all.len() {
            all.select_nth_unstable_by(top, |p, q| q.1.cmp(&p.1));
            let cut = all[top].1;
            all.retain(|p| p.1 >= cut);
        }
        let text = |k: u64, hi: bool| {
            let i = if hi { k >> 32 } else { k & 0xffff_ffff };
            self.names[i as usize].text.as_str()
        };
        all.sort_unstable_by(|p, q| {
            q.1.cmp(&p.1)
                .then_with(|| text(p.0, true).cmp(text(q.0, true)))
                .then_with(|| text(p.0, false).cmp(text(q.0, false)))
        });
        all.truncate(top);
        all.into_iter()
            .map(|(k, n)| Pair {
                a: text(k, true).to_string(),
                b: text(k, false).to_string(),
                articles: n as usize,
            })
            .collect()
    }

    /// Ids of the selected articles matching a chart element: a month
    /// (`None`: undated) and/or entities that must all be present.
    pub fn article_ids(
        &self,
        month: Option<Option<Month>>,
        entities: &[(String, Option<String>)],
        only: Option<&[usize]>,
    ) -> Vec<String> {
        let keys: Vec<Vec<u32>> = entities
            .iter()
            .map(|(t, l)| self.keys_of(t, l.as_deref()))
            .collect();
        self.selected(only)
            .filter(|d| month.is_none_or(|m| d.date.map(|x| x.month) == m))
            .filter(|d| {
                keys.iter()
                    .all(|ks| ks.iter().any(|k| d.ents.binary_search(k).is_ok()))
            })
            .map(|d| d.id.clone())
            .collect()
    }

    /// Number of selected articles per date source.
    pub fn date_sources(&self, only: Option<&[usize]>) -> Vec<(DateSource, usize)> {
        let mut c: HashMap<DateSource, usize> = HashMap::new();
        for d in self.selected(only) {
            *c.entry(d.date.map_or(DateSource::Undated, |x| x.source))
                .or_default() += 1;
        }
        let mut v: Vec<_> = c.into_iter().collect();
        v.sort();
        v
    }
}

/// Output format of the aggregate commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// Tab-separated, for reading.
    Table,
    /// CSV with a header.
    Csv,
    /// JSON.
    Json,
}

impl std::str::FromStr for TableFormat {
    type Err = crate::Error;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s {
            "table" => Ok(TableFormat::Table),
            "csv" => Ok(TableFormat::Csv),
            "json" => Ok(TableFormat::Json),
            _ => Err(crate::Error::Invalid(format!(
                "unknown format {s:?}; use table, csv or json"
            ))),
        }
    }
}

fn csv_bytes(header: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(r);
    }
    w.into_inner().unwrap_or_default()
}

fn table_text(header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = header.join("\t");
    out.push('\n');
    for r in rows {
        out.push_str(&r.join("\t"));
        out.push('\n');
    }
    out
}

impl MonthSeries {
    /// Header and rows as text (the undated row last, month `undated`).
    pub fn table(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let mut header = vec!["month".to_string()];
        header.extend(self.columns.iter().cloned());
        let mut rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|(m, c)| {
                std::iter::once(m.to_string())
                    .chain(c.iter().map(|n| n.to_string()))
                    .collect()
            })
            .collect();
        rows.push(
            std::iter::once("undated".to_string())
                .chain(self.undated.iter().map(|n| n.to_string()))
                .collect(),
        );
        (header, rows)
    }

    /// Renders in a format (CSV has a header row; JSON an object).
    pub fn render(&self, format: TableFormat) -> Vec<u8> {
        let (h, r) = self.table();
        match format {
            TableFormat::Table => table_text(&h, &r).into_bytes(),
            TableFormat::Csv => csv_bytes(&h, &r),
            TableFormat::Json => {
                let months: Vec<serde_json::Value> = self
                    .rows
                    .iter()
                    .map(|(m, c)| {
                        let mut o = serde_json::Map::new();
                        o.insert("month".into(), m.to_string().into());
                        for (name, n) in self.columns.iter().zip(c) {
                            o.insert(name.clone(), (*n).into());
                        }
                        serde_json::Value::Object(o)
                    })
                    .collect();
                let undated: serde_json::Map<String, serde_json::Value> = self
                    .columns
                    .iter()
                    .zip(&self.undated)
                    .map(|(n, c)| (n.clone(), (*c).into()))
                    .collect();
                let v = serde_json::json!({"columns": self.columns, "months": months, "undated": undated});
                let mut s = serde_json::to_vec_pretty(&v).unwrap_or_default();
                s.push(b'\n');
                s
            }
        }
    }
}

/// Renders co-occurring pairs (columns: the two type names, `articles`).
pub fn render_pairs(pairs: &[Pair], a: &str, b: &str, format: TableFormat) -> Vec<u8> {
    let h = vec![a.to_string(), b.to_string(), "articles".to_string()];
    let r: Vec<Vec<String>> = pairs
        .iter()
        .map(|p| vec![p.a.clone(), p.b.clone(), p.articles.to_string()])
        .collect();
    match format {
        TableFormat::Table => table_text(&h, &r).into_bytes(),
        TableFormat::Csv => csv_bytes(&h, &r),
        TableFormat::Json => {
            let mut s = serde_json::to_vec_pretty(pairs).unwrap_or_default();
            s.push(b'\n');
            s
        }
    }
}

/// Renders rows of (name, count) as CSV (chart data for the GUI's "Save CSV").
pub fn render_counts(header: [&str; 2], rows: &[(String, usize)]) -> Vec<u8> {
    let r: Vec<Vec<String>> = rows
        .iter()
        .map(|(t, n)| vec![t.clone(), n.to_string()])
        .collect();
    csv_bytes(&[header[0].to_string(), header[1].to_string()], &r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: Option<u32>, source: DateSource) -> Option<ArticleDate> {
        Some(ArticleDate {
            month: Month { year: y, month: m },
            day,
            source,
        })
    }

    #[test]
    fn full_date_in_the_dateline() {
        let text = "标题\n本报北京2019年6月10日电 记者报道，会议召开。";
        assert_eq!(
            resolve_date(None, text, "x/a.txt"),
            d(2019, 6, Some(10), DateSource::Text)
        );
        // Full-width digits and spaces, as OCR leaves them.
        assert_eq!(
            resolve_date(None, "２０２０年 3 月 5 日消息", "a.txt"),
            d(2020, 3, Some(5), DateSource::Text)
        );
        // ISO date in the text.
        assert_eq!(
            resolve_date(None, "发布时间：2018-11-02 08:30", "a.txt"),
            d(2018, 11, Some(2), DateSource::Text)
        );
    }

    #[test]
    fn splitters_date_field_first() {
        assert_eq!(
            resolve_date(Some("2017年3月8日"), "正文没有日期", "2016/01/a.txt"),
            d(2017, 3, Some(8), DateSource::Text)
        );
        // Year and month only.
        assert_eq!(
            resolve_date(Some("2017年3月"), "正文", "a.txt"),
            d(2017, 3, None, DateSource::Text)
        );
        // A year and month in the body is not a dateline.
        assert_eq!(
            resolve_date(None, "2017年11月以来，产量增长", "a.txt"),
            None
        );
    }

    #[test]
    fn dateline_without_year_takes_the_paths_year() {
        let text = "本报讯 6月1日，会议召开。";
        assert_eq!(
            resolve_date(Some("6月1日"), text, "2019/10/0021513.txt"),
            d(2019, 6, Some(1), DateSource::TextPath)
        );
        assert_eq!(
            resolve_date(Some("3月2日"), "新华社电（3月2日）", "news/20150410_x.txt"),
            d(2015, 3, Some(2), DateSource::TextPath)
        );
        // Not taken by the splitter as the date: the path's full date wins.
        assert_eq!(
            resolve_date(None, "新华社电（3月2日）", "news/20150410_x.txt"),
            d(2015, 4, Some(10), DateSource::Path)
        );
    }

    #[test]
    fn the_dateline_beats_dates_the_article_talks_about() {
        // The splitter's date (the dateline) has no year; a historical date
        // further on does: the path's year and the dateline's day win.
        let text = "本报讯 6月1日，纪念1937年9月18日的活动举行。";
        assert_eq!(
            resolve_date(Some("6月1日"), text, "2019/10/0021513.txt"),
            d(2019, 6, Some(1), DateSource::TextPath)
        );
        // A path date beats a date in the body.
        assert_eq!(
            resolve_date(None, "回顾2008年8月8日的开幕式", "2019/06/a.txt"),
            d(2019, 6, None, DateSource::Path)
        );
    }

    #[test]
    fn dates_from_paths() {
        assert_eq!(
            resolve_date(None, "正文", "2019/06/a.txt"),
            d(2019, 6, None, DateSource::Path)
        );
        assert_eq!(
            resolve_date(None, "正文", "2019/06/10/a.txt"),
            d(2019, 6, Some(10), DateSource::Path)
        );
        assert_eq!(
            resolve_date(None, "正文", "20190610_会议.txt"),
            d(2019, 6, Some(10), DateSource::Path)
        );
        assert_eq!(
            resolve_date(None, "正文", "archive/2019-06-10 会议.md"),
            d(2019, 6, Some(10), DateSource::Path)
        );
        // The more specific of two path dates.
        assert_eq!(
            resolve_date(None, "正文", "2019/06/20190612_x.txt"),
            d(2019, 6, Some(12), DateSource::Path)
        );
        // Windows separators.
        assert_eq!(
            resolve_date(None, "正文", "2021\\12\\a.txt"),
            d(2021, 12, None, DateSource::Path)
        );
    }

    #[test]
    fn undated() {
        // No date anywhere; a hash-like name and an index are not dates.
        assert_eq!(resolve_date(None, "正文", "000_72e93a97abb16404.txt"), None);
        assert_eq!(resolve_date(None, "正文", "0021513.txt"), None);
        // A year folder alone does not place an article in a month.
        assert_eq!(resolve_date(None, "正文", "2019/misc/a.txt"), None);
        // A day without a year and no year in the path.
        assert_eq!(resolve_date(Some("8月1日"), "本报讯 8月1日", "a.txt"), None);
        // Impossible dates are not dates.
        assert_eq!(resolve_date(None, "2019年13月40日", "20191340.txt"), None);
        // A bare month in the text is not a date.
        assert_eq!(resolve_date(None, "6月份以来", "a.txt"), None);
    }

    #[test]
    fn a_year_folder_with_a_day_in_the_text() {
        assert_eq!(
            resolve_date(None, "本报讯 8月1日，", "2018/misc/a.txt"),
            d(2018, 8, Some(1), DateSource::TextPath)
        );
    }

    fn ent(text: &str, label: &str) -> Entity {
        Entity {
            start: 0,
            end: text.chars().count(),
            text: text.into(),
            label: label.parse().unwrap(),
            source: crate::extract::Source::Rule,
            confidence: 1.0,
        }
    }

    #[test]
    fn cooccur_top_equals_the_head_of_all_pairs() {
        // Skewed random articles: the thresholded top equals the full count's head.
        let mut ins = Insights::default();
        let mut x: u64 = 7;
        let mut next = |n: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let r = (x >> 33) % n;
            r * r / n
        };
        for i in 0..400 {
            let ents: Vec<Entity> = (0..8)
                .map(|k| {
                    let (t, l) = if k % 2 == 0 {
                        ("P", "PER")
                    } else {
                        ("O", "ORG")
                    };
                    ent(&format!("{t}{}", next(60)), l)
                })
                .collect();
            ins.push(&i.to_string(), "a.txt", None, "x", &ents);
        }
        let all = ins.cooccur("PER", "ORG", usize::MAX, None);
        assert!(all.len() > 100);
        for top in [1, 5, 20, 77] {
            assert_eq!(
                ins.cooccur("PER", "ORG", top, None),
                all[..top].to_vec(),
                "top {top}"
            );
        }
        assert!(ins.cooccur("PER", "ORG", 0, None).is_empty());
    }

    #[test]
    fn aggregates() {
        let mut ins = Insights::default();
        ins.push(
            "a",
            "2019/01/a.txt",
            None,
            "x",
            &[ent("甲", "PER"), ent("乙机构", "ORG"), ent("甲", "PER")],
        );
        ins.push(
            "b",
            "2019/03/b.txt",
            None,
            "x",
            &[ent("甲", "PER"), ent("丙", "PER")],
        );
        ins.push(
            "c",
            "c.txt",
            None,
            "x",
            &[ent("丙", "PER"), ent("乙机构", "ORG")],
        );
        let s = ins.by_month(
            &[
                Measure::Articles,
                Measure::Entity("甲".into(), None),
                Measure::Type("PER".into()),
            ],
            None,
        );
        // Every month between the first and last, gaps as zero.
        assert_eq!(s.rows.len(), 3);
        assert_eq!(s.rows[0].1, vec![1, 1, 1]);
        assert_eq!(s.rows[1].1, vec![0, 0, 0]);
        assert_eq!(s.rows[2].1, vec![1, 1, 2]);
        assert_eq!(s.undated, vec![1, 0, 1]);
        assert_eq!(
            ins.top_entities("PER", 10, None),
            vec![("丙".into(), 2), ("甲".into(), 2)]
        );
        let pairs = ins.cooccur("PER", "ORG", 10, None);
        assert_eq!(pairs.len(), 2);
        assert!(pairs.iter().all(|p| p.articles == 1 && p.b == "乙机构"));
        assert_eq!(
            ins.article_ids(Some(None), &[("丙".into(), Some("PER".into()))], None),
            vec!["c".to_string()]
        );
        assert_eq!(
            ins.article_ids(None, &[("甲".into(), None)], Some(&[1, 2])),
            vec!["b".to_string()]
        );
        let (h, r) = s.table();
        assert_eq!(h, vec!["month", "articles", "甲", "PER"]);
        assert_eq!(r.last().unwrap()[0], "undated");
    }
}
