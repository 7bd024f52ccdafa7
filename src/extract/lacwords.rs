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
    /// 25 bits of [`Slot`]: the classes less one (c32 5, c256 8, c512 9
    /// bits), whether the key is a word (not only a prefix), and whether
    /// a longer word starts with it. One 8-byte read per probe, 1 MiB in
    /// all: this lookup runs once per character and token.
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

/// What the table holds of one key (a slot's low 25 bits): the classes
/// less one (c512 bits 0–8, c256 bits 9–16, c32 bits 17–21), [`Slot::WORD`]
/// and [`Slot::LONGER`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot(u64);

impl Slot {
    /// The key is a word (else only a prefix of words: no classes).
    const WORD: u64 = 1 << 22;
    /// Some longer word starts with the key (else a scan can stop).
    const LONGER: u64 = 1 << 23;

    /// Packs a key's classes (a word when `c32` is not 0, as [`LacWords::get`]
    /// reads it) and whether a longer word starts with it.
    fn pack(c: Classes, longer: bool) -> Slot {
        let less = |x: u16, bits: u32| (x.saturating_sub(1) as u64) & ((1 << bits) - 1);
        let mut v = less(c.c32, 5) << 17 | less(c.c256, 8) << 9 | less(c.c512, 9);
        if c.c32 != 0 {
            v |= Slot::WORD;
        }
        if longer {
            v |= Slot::LONGER;
        }
        Slot(v)
    }

    /// Whether the key is a word.
    #[inline]
    pub fn is_word(self) -> bool {
        self.0 & Slot::WORD != 0
    }

    /// Whether some longer word starts with the key.
    #[inline]
    pub fn longer(self) -> bool {
        self.0 & Slot::LONGER != 0
    }

    /// The word's K=32 class (0 if the key is only a prefix).
    #[inline]
    pub fn c32(self) -> u16 {
        if self.is_word() {
            (self.0 >> 17 & 31) as u16 + 1
        } else {
            0
        }
    }

    /// The word's classes (default if the key is only a prefix).
    #[inline]
    pub fn classes(self) -> Classes {
        if self.is_word() {
            Classes {
                c32: (self.0 >> 17 & 31) as u16 + 1,
                c256: (self.0 >> 9 & 255) as u16 + 1,
                c512: (self.0 & 511) as u16 + 1,
            }
        } else {
            Classes::default()
        }
    }
}

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
            map.entry(word_key(w.chars()))
                .or_insert((Classes::default(), false))
                .0 = Classes {
                c32: p(a),
                c256: p(b),
                c512: p(c),
            };
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
                    map.entry(h).or_insert((Classes::default(), false)).1 = true;
                }
            }
        }
        let size = (map.len() * 2).next_power_of_two().max(16);
        let mut table = vec![0u64; size];
        for (&key, &(c, longer)) in &map {
            let val = Slot::pack(c, longer).0;
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

    /// The slot of this key, if the table holds it.
    #[inline]
    fn lookup(&self, key: u64) -> Option<Slot> {
        let fp = fingerprint(key);
        let mask = self.table.len() - 1;
        let mut i = key as usize & mask;
        loop {
            let e = self.table[i];
            if e == 0 {
                return None;
            }
            if e >> 25 == fp {
                return Some(Slot(e & ((1 << 25) - 1)));
            }
            i = (i + 1) & mask;
        }
    }

    /// The classes of the word with this key (default if LAC lacks it).
    #[inline]
    pub fn get(&self, key: u64) -> Classes {
        self.lookup(key)
            .map_or_else(Classes::default, Slot::classes)
    }

    /// Whether the vocabulary holds a word with this key.
    #[inline]
    pub fn contains(&self, key: u64) -> bool {
        self.lookup(key).is_some_and(Slot::is_word)
    }

    /// Whether some word may start with the two characters whose chain is
    /// `key` (false: none does).
    #[inline]
    pub fn may_start(&self, key: u64) -> bool {
        let b = (key >> (64 - PAIR_BITS)) as usize;
        self.pairs[b / 64] >> (b % 64) & 1 != 0
    }

    /// Asks the CPU to fetch the first slot of `key` into the cache (a
    /// hint; no effect on results).
    #[inline(always)]
    pub fn prefetch(&self, key: u64) {
        #[cfg(target_arch = "x86_64")]
        {
            let i = key as usize & (self.table.len() - 1);
            // SAFETY: a prefetch never faults and reads nothing observable;
            // `i` is inside the table (its length is a power of two).
            #[allow(unused_unsafe)]
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                    self.table.as_ptr().add(i) as *const i8,
                )
            };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = key;
    }

    /// One step of a scan for the longest word (`key` the chain of 2+
    /// characters so far): `None` when no word starts with them (stop),
    /// else their slot (whether they are a word, its classes, and whether
    /// a longer word starts with them: if not, the scan can stop).
    #[inline]
    pub fn step(&self, key: u64) -> Option<Slot> {
        self.lookup(key)
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

    /// A slot says whether its key is a word and whether a longer word
    /// starts with it, and gives back the classes it was packed with.
    #[test]
    fn slots_mark_words_and_longer_words() {
        let w = LacWords::parse(
            "甲乙\t32\t256\t512\n甲乙丙\t1\t1\t1\n乙乙乙丁\t7\t9\t11\n",
            &[],
        );
        let slot = |s: &str| w.step(word_key(s.chars()));
        let a = slot("甲乙").expect("a word");
        assert!(a.is_word() && a.longer());
        assert_eq!(
            (a.c32(), a.classes().c256, a.classes().c512),
            (32, 256, 512)
        );
        let b = slot("甲乙丙").expect("a word");
        assert!(b.is_word() && !b.longer());
        assert_eq!(
            b.classes(),
            Classes {
                c32: 1,
                c256: 1,
                c512: 1
            }
        );
        for p in ["乙乙", "乙乙乙"] {
            let s = slot(p).expect("a prefix");
            assert!(!s.is_word() && s.longer(), "{p}");
            assert_eq!((s.c32(), s.classes()), (0, Classes::default()));
        }
        let d = slot("乙乙乙丁").expect("a word");
        assert!(d.is_word() && !d.longer());
        assert_eq!(
            w.get(word_key("乙乙乙丁".chars())),
            Classes {
                c32: 7,
                c256: 9,
                c512: 11
            }
        );
        assert!(!w.contains(word_key("乙乙".chars())));
        assert_eq!(slot("丙丁"), None);
    }
}
