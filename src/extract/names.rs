//! The tagger's dictionary of names seen in training: every PER, LOC and
//! ORG annotated in the training corpus (two to [`MAX_LEN`] characters), by
//! type, matched over the text as a feature of the tagger
//! ([`super::features`]).
//!
//! It is built from the training data only (`pizhu train --corpus`), stored
//! in the model file, and jackknifed for training: the sentences of fold
//! `k` see the dictionary built from the other folds, so the weight of "this
//! string was a name elsewhere" is learned on names the fold did not
//! annotate itself, as text the model tags later will be.
//!
//! Lookup: a hash of every prefix of every name (`FxHashMap<u64, u8>`: the
//! types that end there and whether a longer name continues), walked from
//! each character while a prefix exists; a 64 Kibit bitmap of first
//! characters answers most starts without touching the table.

use rustc_hash::FxHashMap;

use super::EntityType;

/// Longest name kept, in characters.
pub const MAX_LEN: usize = 16;

/// Flag: a longer name continues this prefix.
const MORE: u8 = 8;

const SEED: u64 = 0x6E61_6D65_7331_u64;

#[inline]
fn step(h: u64, c: char) -> u64 {
    (h ^ c as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .rotate_left(31)
}

fn type_bit(t: &EntityType) -> Option<u8> {
    match t {
        EntityType::Per => Some(1),
        EntityType::Loc => Some(2),
        EntityType::Org => Some(4),
        _ => None,
    }
}

/// One match of the dictionary: characters `start..end` are a name of the
/// types in `types` (bit 0 PER, 1 LOC, 2 ORG).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    /// First character.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// Type bits.
    pub types: u8,
}

/// The buffers of [`NameDict::matches`]' scans: the live starts (position,
/// chain) and their values at one length.
type ScanBuffers = (Vec<(usize, u64)>, Vec<Option<u8>>);

/// A dictionary of typed names.
#[derive(Clone, Default)]
pub struct NameDict {
    /// Prefix hash → type bits of names ending there | [`MORE`].
    table: FxHashMap<u64, u8>,
    /// First characters of names (bit per BMP code point; others pass).
    first: Vec<u64>,
    /// Whether `first` is exact for the BMP: a set bit means the table
    /// holds that one-character prefix (with [`MORE`], as every name has two
    /// characters or more), so `matches` need not look it up.
    first_exact: bool,
    /// Bloom-style bitmap of every prefix hash in `table` (low bits of the
    /// hash; no false negatives): most two-character prefixes are no name,
    /// and this answers them from cache instead of from the table.
    bloom: Vec<u64>,
    /// Names added (distinct name–type pairs).
    names: usize,
}

impl std::fmt::Debug for NameDict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NameDict")
            .field("names", &self.names)
            .field("prefixes", &self.table.len())
            .finish()
    }
}

/// Bits of the prefix bitmap per prefix (about 6% false "yes").
const BLOOM_BITS_PER_KEY: usize = 16;

/// Whether `table` holds prefix `h` with a longer name continuing it.
fn self_prefix_continues(table: &FxHashMap<u64, u8>, h: u64) -> bool {
    table.get(&h).is_some_and(|&v| v & MORE != 0)
}

/// The prefix bitmap of `table` (at least 4,096 bits, a power of two).
fn bloom_of(table: &FxHashMap<u64, u8>) -> Vec<u64> {
    let bits = (table.len() * BLOOM_BITS_PER_KEY)
        .next_power_of_two()
        .max(4096);
    let mut bloom = vec![0u64; bits / 64];
    for &h in table.keys() {
        let b = h as usize & (bits - 1);
        bloom[b >> 6] |= 1 << (b & 63);
    }
    bloom
}

impl NameDict {
    /// An empty dictionary (matches nothing).
    pub fn new() -> NameDict {
        NameDict {
            table: FxHashMap::default(),
            first: vec![0; 1024],
            first_exact: true,
            bloom: Vec::new(),
            names: 0,
        }
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Distinct name–type pairs.
    pub fn len(&self) -> usize {
        self.names
    }

    /// Adds `name` as a name of type `ty` (PER/LOC/ORG of 2..=`MAX_LEN`
    /// characters; others are ignored).
    pub fn add(&mut self, name: &[char], ty: &EntityType) {
        let Some(bit) = type_bit(ty) else { return };
        if name.len() < 2 || name.len() > MAX_LEN || name.iter().any(|c| c.is_whitespace()) {
            return;
        }
        self.insert(name, bit);
    }

    fn insert(&mut self, name: &[char], bits: u8) {
        if self.first.is_empty() {
            self.first = vec![0; 1024];
            self.first_exact = true;
        }
        let c0 = name[0] as u32;
        if c0 < 0x10000 {
            self.first[(c0 >> 6) as usize] |= 1 << (c0 & 63);
        }
        let mut h = SEED;
        for (k, &c) in name.iter().enumerate() {
            h = step(h, c);
            let v = self.table.entry(h).or_insert(0);
            if k + 1 == name.len() {
                if *v & bits != bits {
                    self.names += (bits & !*v).count_ones() as usize;
                }
                *v |= bits;
            } else {
                *v |= MORE;
            }
            self.note_key(h);
        }
    }

    /// Keeps the prefix bitmap holding every key after `h` was added
    /// (rebuilt, twice as large, when the table outgrew it).
    fn note_key(&mut self, h: u64) {
        let need = (self.table.len() * BLOOM_BITS_PER_KEY)
            .next_power_of_two()
            .max(4096);
        if self.bloom.len() * 64 < need {
            self.bloom = bloom_of(&self.table);
        } else {
            let b = h as usize & (self.bloom.len() * 64 - 1);
            self.bloom[b >> 6] |= 1 << (b & 63);
        }
    }

    /// Whether the table may hold prefix hash `h` (no false negatives).
    #[inline]
    fn may_hold(&self, h: u64) -> bool {
        // An empty bitmap (after an insertion, before `matches` rebuilt it)
        // answers yes.
        let n = self.bloom.len() * 64;
        n == 0 || {
            let b = h as usize & (n - 1);
            self.bloom[b >> 6] >> (b & 63) & 1 == 1
        }
    }

    /// Every name of the sentence spans of `sentences` (PER/LOC/ORG).
    pub fn from_spans<'a>(
        sentences: impl IntoIterator<Item = &'a super::eval::BioSentence>,
    ) -> NameDict {
        let mut d = NameDict::new();
        d.extend(sentences);
        d
    }

    /// Adds every name of the sentence spans of `sentences`.
    pub fn extend<'a>(
        &mut self,
        sentences: impl IntoIterator<Item = &'a super::eval::BioSentence>,
    ) {
        for s in sentences {
            let chars: Vec<char> = s.text.chars().collect();
            for (a, b, t) in &s.spans {
                if *b <= chars.len() {
                    self.add(&chars[*a..*b], t);
                }
            }
        }
    }

    #[inline]
    fn may_start(&self, c: char) -> bool {
        let c = c as u32;
        c >= 0x10000 || self.first[(c >> 6) as usize] >> (c & 63) & 1 == 1
    }

    /// Every match in `chars` (all lengths, all starts), in order of start
    /// then end, appended to `out`.
    pub fn matches(&self, chars: &[char], out: &mut Vec<Match>) {
        if self.table.is_empty() {
            return;
        }
        // The scans' buffers, kept per thread (no allocation per text).
        thread_local! {
            static SCANS: std::cell::RefCell<ScanBuffers> = std::cell::RefCell::default();
        }
        SCANS.with(|cell| match cell.try_borrow_mut() {
            Ok(mut b) => {
                let (live, found) = &mut *b;
                self.matches_with(chars, out, live, found);
                if live.capacity() > 1 << 16 {
                    *b = Default::default();
                }
            }
            Err(_) => self.matches_with(chars, out, &mut Vec::new(), &mut Vec::new()),
        })
    }

    /// [`NameDict::matches`] with the scans' buffers (emptied first).
    fn matches_with(
        &self,
        chars: &[char],
        out: &mut Vec<Match>,
        live: &mut Vec<(usize, u64)>,
        found: &mut Vec<Option<u8>>,
    ) {
        let n = chars.len();
        let from = out.len();
        // The scans from every start run one length at a time: each
        // length's lookups of all the live starts in one tight loop (their
        // cache misses overlap, where one start's chain waits on each of its
        // own), then the matches and the starts a longer name continues.
        // The same lookups and matches as one scan after the other, put back
        // in order of start then end at the end.
        // Without a branch on the bitmap (about half the characters pass,
        // unpredictably): every start is written at the next place and
        // kept if it passes.
        live.clear();
        live.resize(n, (0, 0));
        let mut kept = 0;
        for (i, &c0) in chars.iter().enumerate() {
            let h = step(SEED, c0);
            let c = c0 as u32;
            // A first character the exact bitmap holds is a prefix that a
            // longer name continues (its value is `MORE` and maybe type bits
            // that a one-character match ignores): no lookup needed.
            let ok = if self.first_exact && c < 0x10000 {
                self.first[(c >> 6) as usize] >> (c & 63) & 1 == 1
            } else {
                self.may_start(c0) && self.table.get(&h).is_some_and(|&v| v & MORE != 0)
            };
            live[kept] = (i, h);
            kept += ok as usize;
        }
        live.truncate(kept);
        let mut k = 1;
        while !live.is_empty() {
            // The next character's chain of every live start, and its value
            // (`None`: no name continues; `Some(0xFF)`: past the text or
            // `MAX_LEN`).
            found.clear();
            found.extend(live.iter_mut().map(|(i, h)| {
                let j = *i + k;
                if j >= n.min(*i + MAX_LEN) {
                    return Some(0xFF);
                }
                *h = step(*h, chars[j]);
                if !self.may_hold(*h) {
                    return None;
                }
                self.table.get(h).copied()
            }));
            let mut next = 0;
            for q in 0..live.len() {
                let (i, h) = live[q];
                let v = match found[q] {
                    Some(0xFF) | None => continue,
                    Some(v) => v,
                };
                if v & 7 != 0 {
                    out.push(Match {
                        start: i,
                        end: i + k + 1,
                        types: v & 7,
                    });
                }
                if v & MORE == 0 {
                    continue;
                }
                live[next] = (i, h);
                next += 1;
            }
            live.truncate(next);
            k += 1;
        }
        out[from..].sort_unstable_by_key(|m| (m.start, m.end));
    }

    /// The dictionary as bytes: a count, then (prefix hash, bits) pairs in
    /// hash order (deterministic).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut pairs: Vec<(u64, u8)> = self.table.iter().map(|(&k, &v)| (k, v)).collect();
        pairs.sort_unstable();
        let mut out = Vec::with_capacity(8 + pairs.len() * 9);
        out.extend_from_slice(&(pairs.len() as u32).to_le_bytes());
        out.extend_from_slice(&(self.names as u32).to_le_bytes());
        for (k, _) in &pairs {
            out.extend_from_slice(&k.to_le_bytes());
        }
        out.extend(pairs.iter().map(|p| p.1));
        out
    }

    /// Reads [`NameDict::to_bytes`]; `None` if malformed. The first
    /// characters are not stored: the bitmap is then conservative (every
    /// character may start a name) until rebuilt from `firsts`.
    pub fn from_bytes(b: &[u8], firsts: &[u8]) -> Option<NameDict> {
        let count = u32::from_le_bytes(b.get(0..4)?.try_into().ok()?) as usize;
        let names = u32::from_le_bytes(b.get(4..8)?.try_into().ok()?) as usize;
        if b.len() != 8 + count * 9 {
            return None;
        }
        let keys = &b[8..8 + count * 8];
        let vals = &b[8 + count * 8..];
        let mut table = FxHashMap::with_capacity_and_hasher(count, Default::default());
        for (k, &v) in keys.chunks_exact(8).zip(vals) {
            table.insert(u64::from_le_bytes(k.try_into().ok()?), v);
        }
        let (first, first_exact) = if firsts.len() == 8192 {
            let first: Vec<u64> = firsts
                .chunks_exact(8)
                .map(|w| u64::from_le_bytes(w.try_into().expect("8 bytes")))
                .collect();
            // Exact when every character it holds is a prefix a longer name
            // continues (always so for a bitmap written by `firsts_bytes`).
            let exact = (0..0x10000u32).all(|c| {
                first[(c >> 6) as usize] >> (c & 63) & 1 == 0
                    || char::from_u32(c)
                        .is_some_and(|ch| self_prefix_continues(&table, step(SEED, ch)))
            });
            (first, exact)
        } else {
            (vec![u64::MAX; 1024], false)
        };
        let bloom = bloom_of(&table);
        Some(NameDict {
            table,
            first,
            first_exact,
            bloom,
            names,
        })
    }

    /// The first-character bitmap as bytes (8 KiB).
    pub fn firsts_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8192);
        for w in &self.first {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out.resize(8192, 0);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cs(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn finds_every_name_and_round_trips() {
        let mut d = NameDict::new();
        d.add(&cs("青石镇"), &EntityType::Loc);
        d.add(&cs("青石镇农业站"), &EntityType::Org);
        d.add(&cs("柳明远"), &EntityType::Per);
        d.add(&cs("柳"), &EntityType::Per); // too short: ignored
        assert_eq!(d.len(), 3);
        let text = cs("柳明远到青石镇农业站。");
        let mut m = Vec::new();
        d.matches(&text, &mut m);
        assert_eq!(
            m,
            vec![
                Match {
                    start: 0,
                    end: 3,
                    types: 1
                },
                Match {
                    start: 4,
                    end: 7,
                    types: 2
                },
                Match {
                    start: 4,
                    end: 10,
                    types: 4
                },
            ]
        );
        let back = NameDict::from_bytes(&d.to_bytes(), &d.firsts_bytes()).unwrap();
        let mut m2 = Vec::new();
        back.matches(&text, &mut m2);
        assert_eq!(m, m2);
        assert_eq!(back.len(), 3);
        assert!(NameDict::from_bytes(&d.to_bytes()[..10], &[]).is_none());
    }

    /// Every match equals a walk of every substring against the added names,
    /// with enough names that the prefix bitmap grows, and the same after a
    /// round trip with and without the first-character bitmap.
    #[test]
    fn matches_equal_a_walk_of_every_substring() {
        let pool = cs("山水河湖林木石田云风花草青白金银东西南北中");
        let mut d = NameDict::new();
        let mut added = std::collections::HashMap::new();
        let mut x = 7u64;
        for k in 0..600 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = 2 + (x >> 60) as usize % 5;
            let name: Vec<char> = (0..len)
                .map(|j| pool[(x >> (j * 5 + 3)) as usize % pool.len()])
                .collect();
            let ty = [EntityType::Per, EntityType::Loc, EntityType::Org][k % 3].clone();
            d.add(&name, &ty);
            *added.entry(name).or_insert(0u8) |= type_bit(&ty).unwrap();
        }
        let text: Vec<char> = (0..400)
            .map(|j| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                if j % 37 == 0 {
                    '𠀀'
                } else {
                    pool[(x >> 40) as usize % pool.len()]
                }
            })
            .collect();
        let mut want = Vec::new();
        for i in 0..text.len() {
            for j in i + 2..=text.len().min(i + MAX_LEN) {
                if let Some(&types) = added.get(&text[i..j]) {
                    want.push(Match {
                        start: i,
                        end: j,
                        types,
                    });
                }
            }
        }
        assert!(want.len() > 20);
        let mut got = Vec::new();
        d.matches(&text, &mut got);
        assert_eq!(got, want);
        // Appended after what `out` held, which stays first.
        let first = Match {
            start: 99,
            end: 100,
            types: 1,
        };
        let mut more = vec![first];
        d.matches(&text, &mut more);
        assert_eq!((more[0], &more[1..]), (first, &want[..]));
        // A shorter text after a longer one (the scans' buffers are
        // reused): only its own matches.
        let mut short = Vec::new();
        d.matches(&text[..60], &mut short);
        let want_short: Vec<Match> = want.iter().filter(|m| m.end <= 60).copied().collect();
        assert!(!want_short.is_empty());
        assert_eq!(short, want_short);
        for firsts in [d.firsts_bytes(), Vec::new()] {
            let back = NameDict::from_bytes(&d.to_bytes(), &firsts).unwrap();
            let mut got = Vec::new();
            back.matches(&text, &mut got);
            assert_eq!(got, want);
        }
    }
}
