//! Outside knowledge about single characters for the tagger's features
//! (`assets/model/char-knowledge.tsv`, made by `scripts/char_knowledge.py`):
//! how name-like a character is (a bucket of the log ratio of its share of
//! real Chinese given names, from the `ngender` sdist, to its share of
//! jieba's dictionary text) and its radical (Unihan `kRSUnicode`, Debian's
//! `unicode-data`). Radicals generalise across rare characters (names:
//! 氵木金玉王; places: 阝山), the name bucket tells a name's rare character
//! from a rare ordinary one.
//!
//! Stored as a dense table over U+3400..=U+9FFF (the only characters the
//! file holds), one `u16` each: bucket in the top 4 bits, radical below.

use std::sync::LazyLock;

/// First code point of the table.
const FIRST: u32 = 0x3400;
/// Code points in the table.
const LEN: usize = (0x9FFF - FIRST + 1) as usize;

/// Per character of U+3400..=U+9FFF: its given-name bucket and radical.
pub struct CharKnowledge {
    table: Vec<u16>,
}

impl CharKnowledge {
    /// Parses `char<TAB>bucket<TAB>radical` lines (bucket 0..=15, radical
    /// 0..=511; characters outside the table's range are ignored).
    pub fn parse(tsv: &str) -> CharKnowledge {
        let mut table = vec![0u16; LEN];
        for line in tsv.lines() {
            let mut f = line.split('\t');
            let (Some(c), Some(b), Some(r)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            let mut cs = c.chars();
            let (Some(c), None) = (cs.next(), cs.next()) else {
                continue;
            };
            let (Ok(b), Ok(r)) = (b.parse::<u16>(), r.parse::<u16>()) else {
                continue;
            };
            if let Some(slot) = (c as u32)
                .checked_sub(FIRST)
                .and_then(|k| table.get_mut(k as usize))
            {
                *slot = (b.min(15) << 12) | r.min(0x1FF);
            }
        }
        CharKnowledge { table }
    }

    #[inline]
    fn get(&self, c: char) -> u16 {
        (c as u32)
            .checked_sub(FIRST)
            .and_then(|k| self.table.get(k as usize))
            .copied()
            .unwrap_or(0)
    }

    /// Given-name bucket: 1 (common in text, rare in names) ..= 9 (far
    /// more common in names than in text); 0 = no evidence.
    #[inline]
    pub fn name_bucket(&self, c: char) -> u64 {
        (self.get(c) >> 12) as u64
    }

    /// Radical (1..=214; +256 for a simplified form); 0 = none.
    #[inline]
    pub fn radical(&self, c: char) -> u64 {
        (self.get(c) & 0x1FF) as u64
    }
}

static TSV: &str = include_str!("../../assets/model/char-knowledge.tsv");

/// The compiled-in table (parsed on first use).
pub fn knowledge() -> &'static CharKnowledge {
    static K: LazyLock<CharKnowledge> = LazyLock::new(|| CharKnowledge::parse(TSV));
    &K
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_buckets_and_radicals() {
        let k = CharKnowledge::parse("丁\t3\t1\n婷\t9\t38\n讠\t0\t405\nA\t5\t5\nbad line\n");
        assert_eq!((k.name_bucket('丁'), k.radical('丁')), (3, 1));
        assert_eq!((k.name_bucket('婷'), k.radical('婷')), (9, 38));
        assert_eq!((k.name_bucket('讠'), k.radical('讠')), (0, 405));
        // Outside the table: nothing.
        assert_eq!((k.name_bucket('A'), k.radical('A')), (0, 0));
        assert_eq!(k.radical('，'), 0);
    }

    /// The shipped table: name-only characters rank above function words,
    /// and radicals are those of the Kangxi index.
    #[test]
    fn shipped_table() {
        let k = knowledge();
        for c in ['婷', '昊', '琳'] {
            assert!(k.name_bucket(c) >= 8, "{c}: {}", k.name_bucket(c));
        }
        for c in ['的', '了', '是'] {
            assert!(k.name_bucket(c) <= 2, "{c}: {}", k.name_bucket(c));
        }
        assert_eq!(k.radical('河'), 85);
        assert_eq!(k.radical('海'), 85);
        assert_eq!(k.radical('林'), 75);
        assert_eq!(k.radical('山'), 46);
        // A simplified radical form (言 → 讠).
        assert_eq!(k.radical('说'), 149 + 256);
    }
}
