//! Fast membership tests for the rules' fixed word and character lists.
//!
//! The lists stay readable `&[&str]` / `&str` constants next to the rules
//! that use them; these sets are built from them once, on first use, and
//! answer in constant time (the rules ask millions of times per archive).

use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHasher};

use super::tokens::Tok;

/// A bitmap over code points, sized to the largest member: one shift and
/// one load per test, no hashing (the rules test every token's characters
/// against a dozen of these).
struct CharBits(Vec<u64>);

impl CharBits {
    fn new(chars: impl Iterator<Item = char>) -> CharBits {
        let mut bits = Vec::new();
        for c in chars {
            let i = c as usize / 64;
            if bits.len() <= i {
                bits.resize(i + 1, 0);
            }
            bits[i] |= 1 << (c as usize % 64);
        }
        CharBits(bits)
    }

    #[inline]
    fn has(&self, c: char) -> bool {
        self.0
            .get(c as usize / 64)
            .is_some_and(|w| w & (1 << (c as usize % 64)) != 0)
    }
}

/// A 4096-bit filter on characters, keyed by the low twelve bits of the
/// code point: 512 bytes, one load per test. Characters whose low bits
/// collide pass; nothing added is refused. A word's last character is
/// keyed straight from its UTF-8 bytes, without decoding (the last two
/// bytes of a multi-byte character carry its low twelve bits).
pub struct CharFilter([u64; 64]);

impl CharFilter {
    /// The filter of the characters of `s`, built at compile time.
    pub const fn of(s: &str) -> CharFilter {
        let b = s.as_bytes();
        let mut bits = [0u64; 64];
        let mut i = 0;
        while i < b.len() {
            // UTF-8 decoding by hand (`str::chars` is not `const`).
            let x = b[i];
            let (c, n) = if x < 0x80 {
                (x as u32, 1)
            } else if x < 0xE0 {
                (((x & 0x1F) as u32) << 6 | (b[i + 1] & 0x3F) as u32, 2)
            } else if x < 0xF0 {
                (
                    ((x & 0x0F) as u32) << 12
                        | ((b[i + 1] & 0x3F) as u32) << 6
                        | (b[i + 2] & 0x3F) as u32,
                    3,
                )
            } else {
                (
                    ((x & 0x07) as u32) << 18
                        | ((b[i + 1] & 0x3F) as u32) << 12
                        | ((b[i + 2] & 0x3F) as u32) << 6
                        | (b[i + 3] & 0x3F) as u32,
                    4,
                )
            };
            let k = (c & 0xFFF) as usize;
            bits[k / 64] |= 1 << (k % 64);
            i += n;
        }
        CharFilter(bits)
    }
}

/// A short constant list of characters, built at compile time (see
/// [`char_list!`](crate::char_list)): the 512-byte filter answers nearly
/// every "no" with one load, and only a "maybe" searches the list
/// (`"…".contains(c)` alone is a substring search for a CJK character).
pub struct CharList {
    filter: CharFilter,
    chars: &'static str,
}

impl CharList {
    /// The list of the characters of `chars`.
    pub const fn new(chars: &'static str) -> CharList {
        CharList {
            filter: CharFilter::of(chars),
            chars,
        }
    }

    /// Whether `c` is in the list.
    #[inline]
    pub fn has(&self, c: char) -> bool {
        self.filter.may_have(c) && self.chars.contains(c)
    }

    /// Whether a character with filter key `k` ([`CharFilter::key`]) may
    /// be in the list.
    #[inline]
    pub fn may_have_key(&self, k: u16) -> bool {
        self.filter.has_key_of(k)
    }
}

/// A `&'static` [`CharList`] of a string literal's characters, built at
/// compile time: `char_list!("省市县").has(c)`.
#[macro_export]
macro_rules! char_list {
    ($s:literal) => {{
        const LIST: $crate::extract::sets::CharList = $crate::extract::sets::CharList::new($s);
        &LIST
    }};
}

impl Default for CharFilter {
    fn default() -> Self {
        CharFilter([0; 64])
    }
}

impl CharFilter {
    #[inline]
    fn has_key(&self, k: usize) -> bool {
        self.0[k / 64] & (1 << (k % 64)) != 0
    }

    /// The key of the character that ends `w` (`None` for ""): the same
    /// as `c as usize & 0xFFF` for that character.
    #[inline]
    fn last_key(w: &str) -> Option<usize> {
        let b = w.as_bytes();
        let &last = b.last()?;
        Some(if last < 0x80 {
            last as usize
        } else {
            // A non-ASCII last character has at least two bytes, both its own.
            (((b[b.len() - 2] & 0x3F) as usize) << 6) | (last & 0x3F) as usize
        })
    }

    /// Adds `c`.
    pub fn insert(&mut self, c: char) {
        let k = c as usize & 0xFFF;
        self.0[k / 64] |= 1 << (k % 64);
    }

    /// Whether `c` may have been added (no false "no").
    #[inline]
    pub fn may_have(&self, c: char) -> bool {
        self.has_key(c as usize & 0xFFF)
    }

    /// Adds the last character of `w`.
    pub fn insert_last(&mut self, w: &str) {
        if let Some(c) = w.chars().next_back() {
            self.insert(c);
        }
    }

    /// Whether the last character of `w` may have been added.
    #[inline]
    pub fn may_end(&self, w: &str) -> bool {
        CharFilter::last_key(w).is_some_and(|k| self.has_key(k))
    }

    /// The filter key of the last character of `w` (0 for ""), read from
    /// its UTF-8 bytes: `CharFilter::key` of that character.
    #[inline]
    pub fn last_key_of(w: &str) -> u16 {
        CharFilter::last_key(w).map_or(0, |k| k as u16)
    }

    /// The filter key of `c`: its low twelve bits.
    #[inline]
    pub fn key(c: char) -> u16 {
        (c as u32 & 0xFFF) as u16
    }

    /// Whether the character with key `k` ([`CharFilter::key`]) may have
    /// been added.
    #[inline]
    pub fn has_key_of(&self, k: u16) -> bool {
        self.has_key(k as usize)
    }
}

/// A set of words built from a constant list.
///
/// The tests run a cheap filter on the last character first, inline: the
/// rules ask several of these per token and nearly all answers are "no".
pub struct WordSet {
    /// Each word with its place in the list.
    words: FxHashMap<&'static str, usize>,
    /// The last characters of the words.
    ends: CharFilter,
    /// Length of the longest word, bytes.
    max_len: usize,
}

impl WordSet {
    /// Builds the set of `list`.
    pub fn new(list: &[&'static str]) -> WordSet {
        let mut ends = CharFilter::default();
        for w in list {
            ends.insert_last(w);
        }
        WordSet {
            // Reversed, so that a word listed twice keeps its first place.
            words: list
                .iter()
                .enumerate()
                .map(|(i, &w)| (w, i))
                .rev()
                .collect(),
            max_len: list.iter().map(|w| w.len()).max().unwrap_or(0),
            ends,
        }
    }

    /// Whether `w` is in the set.
    #[inline]
    pub fn has(&self, w: &str) -> bool {
        self.may_end(w) && self.contains(w)
    }

    #[inline(never)]
    fn contains(&self, w: &str) -> bool {
        self.words.contains_key(w)
    }

    /// The suffixes of `w` that are words of the set, with their places in
    /// the list (a hash lookup per suffix instead of a scan of the list).
    fn suffixes<'w>(&'w self, w: &'w str) -> impl Iterator<Item = (usize, &'static str)> + 'w {
        let min_start = w.len().saturating_sub(self.max_len);
        w.char_indices()
            .rev()
            .take_while(move |&(b, _)| b >= min_start)
            .filter_map(move |(b, _)| self.words.get_key_value(&w[b..]))
            .map(|(&word, &i)| (i, word))
    }

    /// The word of the set that `w` ends with, the first in the list's
    /// order if several do: `list.iter().find(|s| w.ends_with(s))`.
    #[inline]
    pub fn first_suffix(&self, w: &str) -> Option<&'static str> {
        if !self.may_end(w) {
            return None;
        }
        self.first_suffix_slow(w)
    }

    #[inline(never)]
    fn first_suffix_slow(&self, w: &str) -> Option<&'static str> {
        self.suffixes(w).min().map(|(_, word)| word)
    }

    /// Whether `w` ends with a word of the set.
    #[inline]
    pub fn ends_any(&self, w: &str) -> bool {
        self.may_end(w) && self.ends_any_slow(w)
    }

    #[inline(never)]
    fn ends_any_slow(&self, w: &str) -> bool {
        self.suffixes(w).next().is_some()
    }

    /// Whether some word of the set could end `w` (its last character ends
    /// a word of the set, or shares that character's filter bit): a cheap
    /// filter before a suffix scan.
    #[inline]
    pub fn may_end(&self, w: &str) -> bool {
        self.ends.may_end(w)
    }

    /// Whether some word of the set could end in `c` (as [`WordSet::may_end`]).
    #[inline]
    pub fn may_end_with(&self, c: char) -> bool {
        self.ends.may_have(c)
    }

    // The same tests for a token: its last character's filter key is
    // stored in the token, so the "no" answers read neither the text nor
    // the token's word.

    /// [`WordSet::has`] for a token's word.
    #[inline]
    pub fn has_tok(&self, t: &Tok<'_>) -> bool {
        self.ends.has_key_of(t.last) && self.contains(t.word)
    }

    /// [`WordSet::first_suffix`] for a token's word.
    #[inline]
    pub fn first_suffix_tok(&self, t: &Tok<'_>) -> Option<&'static str> {
        if !self.ends.has_key_of(t.last) {
            return None;
        }
        self.first_suffix_slow(t.word)
    }

    /// [`WordSet::ends_any`] for a token's word.
    #[inline]
    pub fn ends_any_tok(&self, t: &Tok<'_>) -> bool {
        self.ends.has_key_of(t.last) && self.ends_any_slow(t.word)
    }

    /// [`WordSet::may_end`] for a token's word.
    #[inline]
    pub fn may_end_tok(&self, t: &Tok<'_>) -> bool {
        self.ends.has_key_of(t.last)
    }

    /// [`WordSet::may_end`] for a word whose last character has filter key
    /// `k` ([`CharFilter::key`]).
    #[inline]
    pub fn may_end_key(&self, k: u16) -> bool {
        self.ends.has_key_of(k)
    }
}

/// A set of characters built from a constant string.
pub struct CharSet(CharBits);

impl CharSet {
    /// Builds the set of the characters of `chars`.
    pub fn new(chars: &str) -> CharSet {
        CharSet(CharBits::new(chars.chars()))
    }

    /// The set of the `n`th characters (from 0) of `words` that have one:
    /// the first characters of a list, for a test before the list.
    pub fn nth_chars<'w>(words: impl IntoIterator<Item = &'w str>, n: usize) -> CharSet {
        CharSet(CharBits::new(
            words.into_iter().filter_map(|w| w.chars().nth(n)),
        ))
    }

    /// Whether `c` is in the set.
    #[inline]
    pub fn has(&self, c: char) -> bool {
        self.0.has(c)
    }
}

/// A bitmap of `1 << log2_bits` bits indexed by a 64-bit key's hash: a
/// false "yes" now and then, never a false "no", which is what a prefilter
/// before a real lookup needs. [`PairSet`] and [`WordBloom`] differ only in
/// their key.
struct HashedBits {
    bits: Vec<u64>,
    shift: u32,
}

impl HashedBits {
    fn new(log2_bits: u32) -> HashedBits {
        HashedBits {
            bits: vec![0; (1usize << log2_bits).div_ceil(64)],
            shift: 64 - log2_bits,
        }
    }

    #[inline]
    fn bit(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    fn insert(&mut self, key: u64) {
        let k = self.bit(key);
        self.bits[k / 64] |= 1 << (k % 64);
    }

    #[inline]
    fn may_hold(&self, key: u64) -> bool {
        let k = self.bit(key);
        self.bits[k / 64] & (1 << (k % 64)) != 0
    }
}

/// The key of a pair of characters.
#[inline]
fn pair_key(c0: char, c1: char) -> u64 {
    ((c0 as u64) << 32) | c1 as u64
}

/// A set of character pairs (the first two characters of a list's words)
/// as a hashed bitmap.
pub struct PairSet(HashedBits);

impl PairSet {
    /// An empty set of `1 << log2_bits` bits (more bits, fewer false "yes").
    pub fn with_bits(log2_bits: u32) -> PairSet {
        PairSet(HashedBits::new(log2_bits))
    }

    /// The pairs starting `words` (words shorter than two characters add
    /// nothing).
    pub fn from_words<'w>(words: impl Iterator<Item = &'w str>, log2_bits: u32) -> PairSet {
        let mut set = PairSet::with_bits(log2_bits);
        for w in words {
            set.insert_word(w);
        }
        set
    }

    /// Adds the first two characters of `word`.
    pub fn insert_word(&mut self, word: &str) {
        let mut cs = word.chars();
        if let (Some(c0), Some(c1)) = (cs.next(), cs.next()) {
            self.0.insert(pair_key(c0, c1));
        }
    }

    /// Whether some word may start with `c0 c1`.
    #[inline]
    pub fn may_start(&self, c0: char, c1: char) -> bool {
        self.0.may_hold(pair_key(c0, c1))
    }

    /// Whether some word may start like `word` (false for words shorter
    /// than two characters).
    #[inline]
    pub fn may_start_word(&self, word: &str) -> bool {
        let mut cs = word.chars();
        match (cs.next(), cs.next()) {
            (Some(c0), Some(c1)) => self.may_start(c0, c1),
            _ => false,
        }
    }
}

/// A set of words as a hashed bitmap (a one-hash Bloom filter): a small,
/// cache-resident prefilter before a large table.
pub struct WordBloom(HashedBits);

impl WordBloom {
    /// An empty filter of `1 << log2_bits` bits.
    pub fn with_bits(log2_bits: u32) -> WordBloom {
        WordBloom(HashedBits::new(log2_bits))
    }

    #[inline]
    fn key(word: &str) -> u64 {
        let mut h = FxHasher::default();
        h.write(word.as_bytes());
        h.finish()
    }

    /// Adds `word`.
    pub fn insert(&mut self, word: &str) {
        self.0.insert(WordBloom::key(word));
    }

    /// Whether `word` may be in the set.
    #[inline]
    pub fn may_hold(&self, word: &str) -> bool {
        self.0.may_hold(WordBloom::key(word))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nth_chars_of_words() {
        let firsts = CharSet::nth_chars(["市委", "局", ""], 0);
        assert!(firsts.has('市') && firsts.has('局') && !firsts.has('委'));
        let seconds = CharSet::nth_chars(["市委", "局"], 1);
        assert!(seconds.has('委') && !seconds.has('市') && !seconds.has('局'));
    }

    #[test]
    fn char_lists_answer_like_contains() {
        for s in [
            "",
            "a",
            "省市县",
            "0123456789０１２３４５６７８９〇",
            "é中𠀀喆、 \u{3000}",
        ] {
            let list = CharList::new(s);
            let filter = CharFilter::of(s);
            for c in s.chars() {
                assert!(list.has(c) && filter.may_have(c), "{s:?} {c}");
            }
            for c in (0..0x30000).filter_map(char::from_u32) {
                assert_eq!(list.has(c), s.contains(c), "{s:?} {c}");
            }
        }
        assert!(crate::char_list!("东西南北").has('南'));
        assert!(!crate::char_list!("东西南北").has('中'));
    }

    #[test]
    fn char_and_word_sets() {
        let c = CharSet::new("a中𠀀");
        assert!(c.has('a') && c.has('中') && c.has('𠀀'));
        assert!(!c.has('b') && !c.has('国') && !c.has('\u{10FFFF}'));
        let w = WordSet::new(&["市委", "局"]);
        assert!(w.has("市委") && w.has("局") && !w.has("委") && !w.has("某局"));
        assert!(w.may_end("某局") && w.may_end_with('委') && !w.may_end("某市"));
        // The list's order decides between suffixes, as a scan would.
        let heads = WordSet::new(&["局", "委员会", "会", "某局"]);
        assert_eq!(heads.first_suffix("某某委员会"), Some("委员会"));
        assert_eq!(heads.first_suffix("某局"), Some("局"));
        assert_eq!(heads.first_suffix("某市"), None);
        assert!(heads.ends_any("大会") && !heads.ends_any("会议"));
    }

    #[test]
    fn end_filter_never_refuses_a_member() {
        let list = ["a", "xé", "𠀀", "某局", "委员会", "b2"];
        let w = WordSet::new(&list);
        for word in list {
            assert!(w.has(word), "{word}");
            assert_eq!(w.first_suffix(&format!("前{word}")), Some(word));
            assert!(w.may_end_with(word.chars().last().unwrap()));
        }
        assert!(!w.has("") && !w.ends_any("") && w.first_suffix("").is_none());
        // The byte-level key of a last character is its low twelve bits.
        for c in ['a', 'é', 'ࠀ', '中', '𠀀', '\u{FFFF}'] {
            let key = CharFilter::last_key(c.encode_utf8(&mut [0; 4]));
            assert_eq!(key, Some(c as usize & 0xFFF), "{c}");
        }
        assert!(!w.has("某") && !w.ends_any("会议"));
    }

    #[test]
    fn pair_set_never_says_no_to_a_member() {
        let words = ["书记", "市长", "总经理", "某"];
        let p = PairSet::from_words(words.iter().copied(), 10);
        for w in &words[..3] {
            assert!(p.may_start_word(w));
        }
        assert!(!p.may_start_word("某"));
        // A handful of unrelated pairs: in 1024 bits, most say no.
        let no = ["中国", "人民", "发展", "经济", "会议", "工作"]
            .iter()
            .filter(|w| !p.may_start_word(w))
            .count();
        assert!(no >= 4);
    }
}
