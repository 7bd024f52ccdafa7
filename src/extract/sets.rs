//! Fast membership tests for the rules' fixed word and character lists.
//!
//! The lists stay readable `&[&str]` / `&str` constants next to the rules
//! that use them; these sets are built from them once, on first use, and
//! answer in constant time (the rules ask millions of times per archive).

use rustc_hash::FxHashSet;

/// A set of words built from a constant list.
pub struct WordSet {
    words: FxHashSet<&'static str>,
    last_chars: FxHashSet<char>,
}

impl WordSet {
    /// Builds the set of `list`.
    pub fn new(list: &[&'static str]) -> WordSet {
        WordSet {
            words: list.iter().copied().collect(),
            last_chars: list.iter().filter_map(|w| w.chars().last()).collect(),
        }
    }

    /// Whether `w` is in the set.
    pub fn has(&self, w: &str) -> bool {
        self.words.contains(w)
    }

    /// Whether some word of the set could end `w` (its last character ends
    /// a word of the set): a cheap filter before a suffix scan.
    pub fn may_end(&self, w: &str) -> bool {
        w.chars()
            .last()
            .is_some_and(|c| self.last_chars.contains(&c))
    }
}

/// A set of characters built from a constant string.
pub struct CharSet(FxHashSet<char>);

impl CharSet {
    /// Builds the set of the characters of `chars`.
    pub fn new(chars: &str) -> CharSet {
        CharSet(chars.chars().collect())
    }

    /// Whether `c` is in the set.
    pub fn has(&self, c: char) -> bool {
        self.0.contains(&c)
    }
}
