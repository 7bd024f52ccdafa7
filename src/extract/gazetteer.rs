//! The gazetteer of places, compiled into the binary from
//! `assets/gazetteer/divisions.tsv` (Chinese administrative divisions,
//! countries and foreign cities; Apache-2.0, from jionlp).
//!
//! Loading parses the embedded table once into a hash map (a few
//! milliseconds); lookups are by exact string.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use super::sets::{CharFilter, CharSet, PairSet, WordBloom};

/// The embedded division table: `level<TAB>full_name<TAB>short_name<TAB>parent`.
pub const DIVISIONS_TSV: &str = include_str!("../../assets/gazetteer/divisions.tsv");

/// The administrative level of a gazetteer entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// 省, 自治区, 直辖市.
    Province,
    /// 地级市, 州, 盟.
    City,
    /// 县, 县级市, 区.
    County,
    /// 乡, 镇, 街道.
    Town,
    /// A country.
    Country,
    /// A city abroad.
    ForeignCity,
}

impl Level {
    fn parse(s: &str) -> Option<Level> {
        Some(match s {
            "province" => Level::Province,
            "city" => Level::City,
            "county" => Level::County,
            "town" => Level::Town,
            "country" => Level::Country,
            "foreign_city" => Level::ForeignCity,
            _ => return None,
        })
    }
}

/// Names (full and safe short forms) to their highest level.
pub struct Gazetteer {
    names: FxHashMap<&'static str, Level>,
    max_chars: usize,
    /// Bloom-style bitmap of the first two characters of every name: a
    /// cheap test before hashing (no false negatives).
    pairs: PairSet,
    /// The first characters of all names: a small bitmap that turns most
    /// characters away before the pair bitmap is read.
    firsts: CharSet,
    /// The last characters of all names (512 bytes): most words end in a
    /// character no place name ends in, and this says so before the
    /// whole-name filter is read.
    ends: CharFilter,
    /// Bloom-style bitmap of the whole names: most words are no place,
    /// and this answers them from cache instead of from the 1 MiB table.
    bloom: WordBloom,
}

/// log2 of the bits in the pair bitmap (32 KiB: small enough to stay in
/// cache beside jieba's dictionary, a few per cent false "yes").
const PAIR_BITS_LOG2: u32 = 18;

/// log2 of the bits in the whole-name bitmap (64 KiB for ~41 000 names:
/// under one "yes" in ten for a word that is no place).
const BLOOM_BITS_LOG2: u32 = 19;

impl Gazetteer {
    /// Parses a division table. Full names of every level are kept; short
    /// names only for provinces, cities, counties, countries and foreign
    /// cities and only when at least two characters long (town short names
    /// such as 一元 are ordinary words).
    pub fn parse(tsv: &'static str) -> Gazetteer {
        let mut g = Gazetteer {
            names: FxHashMap::default(),
            max_chars: 0,
            pairs: PairSet::with_bits(PAIR_BITS_LOG2),
            bloom: WordBloom::with_bits(BLOOM_BITS_LOG2),
            firsts: CharSet::new(""),
            ends: CharFilter::default(),
        };
        for line in tsv.lines() {
            let mut f = line.split('\t');
            let (Some(level), Some(full), short) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            let Some(level) = Level::parse(level) else {
                continue;
            };
            g.insert(full, level);
            if let Some(short) = short.filter(|s| s.chars().count() >= 2)
                && level != Level::Town
            {
                g.insert(short, level);
            }
        }
        g.firsts = CharSet::nth_chars(g.names.keys().copied(), 0);
        g
    }

    fn insert(&mut self, name: &'static str, level: Level) {
        let n = name.chars().count();
        if n < 2 {
            return;
        }
        self.max_chars = self.max_chars.max(n);
        self.pairs.insert_word(name);
        self.ends.insert_last(name);
        self.bloom.insert(name);
        let e = self.names.entry(name).or_insert(level);
        *e = (*e).min(level);
    }

    /// The level of `name`, if it is a known place.
    pub fn get(&self, name: &str) -> Option<Level> {
        // Every name has two characters or more (see `insert`).
        if !self.ends.may_end(name) || name.chars().nth(1).is_none() || !self.bloom.may_hold(name) {
            return None;
        }
        self.names.get(name).copied()
    }

    /// Whether some name may start with `c0` `c1` (no false negatives).
    pub fn may_start_pair(&self, c0: char, c1: char) -> bool {
        self.firsts.has(c0) && self.pairs.may_start(c0, c1)
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the gazetteer is empty.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The longest name in characters.
    pub fn max_chars(&self) -> usize {
        self.max_chars
    }
}

static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(|| Gazetteer::parse(DIVISIONS_TSV));

/// The built-in gazetteer (parsed on first use).
pub fn gazetteer() -> &'static Gazetteer {
    &GAZETTEER
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_levels_and_keeps_safe_short_names() {
        let g = Gazetteer::parse(
            "county\t某某市\t某某\t某城市\ntown\t一元街道\t一元\t某区\ncountry\t某某王国\t某国\t亚洲\n",
        );
        assert_eq!(g.get("某某市"), Some(Level::County));
        assert_eq!(g.get("某某"), Some(Level::County));
        assert_eq!(g.get("一元街道"), Some(Level::Town));
        assert_eq!(g.get("一元"), None);
        assert_eq!(g.get("某国"), Some(Level::Country));
        assert_eq!(g.len(), 5);
    }

    #[test]
    fn builtin_table_has_provinces_and_towns() {
        let g = gazetteer();
        assert!(g.len() > 40_000);
        assert_eq!(g.get("河南省"), Some(Level::Province));
        assert_eq!(g.get("河南"), Some(Level::Province));
        assert!(g.get("中国").is_some());
    }
}
