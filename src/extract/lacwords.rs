//! Word classes from Baidu LAC's word embeddings (the tagger's LAC word
//! templates): every multi-character Han word of
//! LAC 2.1.2's vocabulary (41,115) with its k-means class at three
//! granularities (K = 32, 256, 512), made by `scripts/lac_word_classes.py`
//! from the PyPI sdist `LAC-2.1.2.tar.gz` (Apache-2.0;
//! `assets/model/lac-words.tsv`). A word LAC does not hold gets the classes
//! of the mean of its characters' LAC vectors (nearest centre;
//! `assets/model/lac-words.vec`), so "not in LAC's vocabulary" is not
//! itself a feature (it made common words the vocabulary lacks read as
//! names).
//!
//! Words are keyed by the same 64-bit chain of characters the features use
//! for a token's word ([`word_key`]), so a jieba token's class is one lookup
//! of a hash the features already computed.

use rustc_hash::FxHashMap as HashMap;
use std::sync::{LazyLock, OnceLock};

/// Classes of one word: K = 32, 256 and 512 (1-based; 0 = none).
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Classes {
    pub c32: u16,
    pub c256: u16,
    pub c512: u16,
}

/// Bits of the two-character filter ([`LacWords::may_start`]).
const PAIR_BITS: u32 = 20;

/// A key's top 39 bits, made odd (never 0: 0 marks an empty slot).
#[inline]
fn fingerprint(key: u64) -> u64 {
    key >> 25 | 1
}

/// Dimensions of LAC's embeddings.
const DIM: usize = 128;

/// The words' classes and the back-off for other words.
pub struct LacWords {
    /// Words and their prefixes by key, open addressing: each slot packs
    /// the key's top 39 bits (made odd, so no slot of a key is 0) above
    /// the classes' 25 bits (c32 6, c256 9, c512 10; 0 for a prefix that
    /// is not a word). One 8-byte read per probe, 1 MiB in all: this
    /// lookup runs once per character and token.
    table: Vec<u64>,
    /// A bit per 2-character chain's top [`PAIR_BITS`] bits, set for every
    /// word's first two characters: most chains are ruled out without a
    /// lookup in `table` (128 KiB, stays in cache).
    pairs: Vec<u64>,
    /// Longest word, characters.
    pub max_len: usize,
    /// Single characters' unit vectors (`DIM` f32 each), by row.
    char_row: HashMap<char, usize>,
    vecs: Vec<f32>,
    /// All granularities' centres, concatenated (32 + 256 + 512 rows), with
    /// half their squared norms, and where each granularity starts.
    centres: Vec<f32>,
    half: Vec<f32>,
    bounds: Vec<usize>,
    /// Per character row: its dot products with every centre (computed on
    /// first use).
    proj: Vec<OnceLock<Box<[f32]>>>,
}

const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// The key of a word: the features' hash chain of its characters
/// (`features::mix` from 0x51; the features compute a token's word hash
/// with this function, and their scan's chain is tested against it).
#[inline]
pub fn word_key(chars: impl IntoIterator<Item = char>) -> u64 {
    let mut h = 0x51u64;
    for c in chars {
        h = (h ^ c as u64).wrapping_mul(K).rotate_left(29);
    }
    h
}

impl LacWords {
    /// Reads `word<TAB>c32<TAB>c256<TAB>c512` lines and the back-off vectors
    /// (`scripts/lac_word_classes.py`'s `.vec`; empty = no back-off).
    pub fn parse(text: &str, vec: &[u8]) -> LacWords {
        let mut map = HashMap::with_capacity_and_hasher(50_000, Default::default());
        let mut max_len = 0;
        let mut words = Vec::new();
        for line in text.lines() {
            let mut f = line.split('\t');
            let (Some(w), Some(a), Some(b), Some(c)) = (f.next(), f.next(), f.next(), f.next())
            else {
                continue;
            };
            let p = |s: &str| s.trim().parse::<u16>().unwrap_or(0);
            max_len = max_len.max(w.chars().count());
            words.push(w);
            map.insert(
                word_key(w.chars()),
                Classes {
                    c32: p(a),
                    c256: p(b),
                    c512: p(c),
                },
            );
        }
        // Every word's proper prefixes of 2+ characters, with no classes
        // (so [`LacWords::get`] and [`LacWords::contains`] do not see
        // them): a scan for the longest word stops at the first prefix no
        // word has ([`LacWords::step`]).
        let mut pairs = vec![0u64; (1 << PAIR_BITS) / 64];
        for w in words {
            let mut h = 0x51u64;
            let n = w.chars().count();
            for (l, c) in w.chars().enumerate() {
                h = (h ^ c as u64).wrapping_mul(K).rotate_left(29);
                if l == 1 {
                    let b = (h >> (64 - PAIR_BITS)) as usize;
                    pairs[b / 64] |= 1 << (b % 64);
                }
                if l >= 1 && l + 1 < n {
                    map.entry(h).or_default();
                }
            }
        }
        let size = (map.len() * 2).next_power_of_two().max(16);
        let mut table = vec![0u64; size];
        for (&key, c) in &map {
            let val = (c.c32 as u64) << 19 | (c.c256 as u64) << 10 | c.c512 as u64;
            let mut i = key as usize & (size - 1);
            while table[i] != 0 {
                i = (i + 1) & (size - 1);
            }
            table[i] = fingerprint(key) << 25 | val;
        }
        let mut w = LacWords {
            table,
            pairs,
            max_len,
            char_row: HashMap::default(),
            vecs: Vec::new(),
            centres: Vec::new(),
            half: Vec::new(),
            bounds: vec![0],
            proj: Vec::new(),
        };
        w.load_vectors(vec);
        w
    }

    fn load_vectors(&mut self, raw: &[u8]) {
        let mut at = 0;
        let take = |at: &mut usize, k: usize| -> Option<&[u8]> {
            let s = raw.get(*at..*at + k)?;
            *at += k;
            Some(s)
        };
        let u32_at = |at: &mut usize| -> Option<u32> {
            Some(u32::from_le_bytes(take(at, 4)?.try_into().ok()?))
        };
        let Some(n) = u32_at(&mut at) else {
            return;
        };
        for r in 0..n as usize {
            let (Some(cp), Some(scale), Some(q)) = (
                u32_at(&mut at),
                u32_at(&mut at).map(f32::from_bits),
                take(&mut at, DIM),
            ) else {
                return;
            };
            self.char_row.insert(char::from_u32(cp).unwrap_or('\0'), r);
            self.vecs.extend(q.iter().map(|&b| b as i8 as f32 * scale));
        }
        while let Some(k) = u32_at(&mut at) {
            let Some(c) = take(&mut at, k as usize * DIM * 4) else {
                return;
            };
            let c: Vec<f32> = c
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            self.half.extend(
                c.chunks_exact(DIM)
                    .map(|r| r.iter().map(|x| x * x).sum::<f32>() / 2.0),
            );
            self.centres.extend(c);
            self.bounds.push(self.half.len());
        }
        self.proj = (0..n).map(|_| OnceLock::new()).collect();
    }

    /// The slot's classes bits of this key, if the table holds it.
    #[inline]
    fn lookup(&self, key: u64) -> Option<u64> {
        let fp = fingerprint(key);
        let mask = self.table.len() - 1;
        let mut i = key as usize & mask;
        loop {
            let e = self.table[i];
            if e == 0 {
                return None;
            }
            if e >> 25 == fp {
                return Some(e & ((1 << 25) - 1));
            }
            i = (i + 1) & mask;
        }
    }

    /// The classes of the word with this key (default if LAC lacks it).
    #[inline]
    pub fn get(&self, key: u64) -> Classes {
        self.lookup(key).map_or_else(Classes::default, |v| Classes {
            c32: (v >> 19) as u16,
            c256: (v >> 10 & 0x1FF) as u16,
            c512: (v & 0x3FF) as u16,
        })
    }

    /// Whether the vocabulary holds a word with this key.
    #[inline]
    pub fn contains(&self, key: u64) -> bool {
        self.lookup(key).is_some_and(|v| v >> 19 != 0)
    }

    /// Whether some word may start with the two characters whose chain is
    /// `key` (false: none does).
    #[inline]
    pub fn may_start(&self, key: u64) -> bool {
        let b = (key >> (64 - PAIR_BITS)) as usize;
        self.pairs[b / 64] >> (b % 64) & 1 != 0
    }

    /// One step of a scan for the longest word (`key` the chain of 2+
    /// characters so far): `None` when no word starts with them (stop),
    /// else their K=32 class if they are a word, 0 if only a prefix.
    #[inline]
    pub fn step(&self, key: u64) -> Option<u16> {
        self.lookup(key).map(|v| (v >> 19) as u16)
    }

    /// A character row's dot products with every centre.
    fn projection(&self, r: usize) -> &[f32] {
        self.proj[r].get_or_init(|| {
            let v = &self.vecs[r * DIM..(r + 1) * DIM];
            self.centres
                .chunks_exact(DIM)
                .map(|c| c.iter().zip(v).map(|(a, b)| a * b).sum())
                .collect()
        })
    }

    /// [`LacWords::backoff`] of the word with this key, remembered per
    /// thread (the same words recur; the cache is emptied at 200,000).
    pub fn backoff_cached(&self, key: u64, chars: &[char]) -> Classes {
        thread_local! {
            static CACHE: std::cell::RefCell<HashMap<u64, Classes>> =
                std::cell::RefCell::new(HashMap::default());
        }
        CACHE.with(|c| {
            if let Some(&v) = c.borrow().get(&key) {
                return v;
            }
            let v = self.backoff(chars);
            let mut c = c.borrow_mut();
            if c.len() >= 200_000 {
                c.clear();
            }
            c.insert(key, v);
            v
        })
    }

    /// Classes of a word LAC does not hold: for each granularity the
    /// nearest centre of the mean of its characters' unit vectors, made
    /// unit (default if no character is known).
    pub fn backoff(&self, chars: &[char]) -> Classes {
        if self.bounds.len() < 4 {
            return Classes::default();
        }
        let mut s = [0f32; DIM];
        let mut rows = [0usize; 8];
        let mut nr = 0;
        for c in chars {
            if let Some(&r) = self.char_row.get(c) {
                for (a, b) in s.iter_mut().zip(&self.vecs[r * DIM..(r + 1) * DIM]) {
                    *a += b;
                }
                if nr < rows.len() {
                    rows[nr] = r;
                    nr += 1;
                }
            }
        }
        if nr == 0 {
            return Classes::default();
        }
        let norm = s.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
        let mut projs: [&[f32]; 8] = [&[]; 8];
        for (p, &r) in projs.iter_mut().zip(&rows[..nr]) {
            *p = self.projection(r);
        }
        let projs = &projs[..nr];
        let best = |g: usize| -> u16 {
            let (lo, hi) = (self.bounds[g], self.bounds[g + 1]);
            let mut bj = lo;
            let mut bs = f32::NEG_INFINITY;
            for j in lo..hi {
                let dot: f32 = projs.iter().map(|p| p[j]).sum();
                let score = dot / norm - self.half[j];
                if score > bs {
                    bs = score;
                    bj = j;
                }
            }
            (bj - lo) as u16 + 1
        };
        Classes {
            c32: best(0),
            c256: best(1),
            c512: best(2),
        }
    }
}

static TSV: &str = include_str!("../../assets/model/lac-words.tsv");
static VEC: &[u8] = include_bytes!("../../assets/model/lac-words.vec");

/// The classes (compiled in, parsed on first use).
pub fn words() -> &'static LacWords {
    static W: LazyLock<LacWords> = LazyLock::new(|| LacWords::parse(TSV, VEC));
    &W
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_backoff() {
        // A made-up vocabulary: two words, two characters, one centre per
        // granularity pair.
        let mut vec = Vec::new();
        vec.extend(2u32.to_le_bytes());
        for (c, sign) in [('甲', 1i8), ('乙', -1i8)] {
            vec.extend((c as u32).to_le_bytes());
            vec.extend((1.0f32 / 127.0).to_le_bytes());
            vec.extend((0..DIM).map(|d| if d == 0 { (127 * sign) as u8 } else { 0 }));
        }
        for k in [1u32, 2, 2] {
            vec.extend(k.to_le_bytes());
            for j in 0..k {
                for d in 0..DIM {
                    let x: f32 = if d == 0 {
                        if j == 0 { 1.0 } else { -1.0 }
                    } else {
                        0.0
                    };
                    vec.extend(x.to_le_bytes());
                }
            }
        }
        let w = LacWords::parse("甲乙\t1\t2\t3\n乙乙乙\t4\t5\t6\n", &vec);
        assert_eq!(w.max_len, 3);
        assert_eq!(
            w.get(word_key("甲乙".chars())),
            Classes {
                c32: 1,
                c256: 2,
                c512: 3
            }
        );
        assert!(!w.contains(word_key("甲甲".chars())));
        assert_eq!(
            w.backoff(&['甲', '甲']),
            Classes {
                c32: 1,
                c256: 1,
                c512: 1
            }
        );
        assert_eq!(
            w.backoff(&['乙', '乙', '甲']),
            Classes {
                c32: 1,
                c256: 2,
                c512: 2
            }
        );
        assert_eq!(w.backoff(&['丙', '丁']), Classes::default());
    }
}
