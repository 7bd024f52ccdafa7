//! The token stage: a jieba token with code-point offsets, its interned
//! part-of-speech tag and the filter key of its last character. Rules,
//! sets and features read tokens; this module depends on none of them.

use super::pos::Pos;

/// A jieba token with code-point offsets into the whole article.
///
/// 32 bytes: every rule walks the token array, so two tokens share a
/// cache line (the offsets are `u32`; articles are far shorter than 4 G
/// characters, see [`crate::archive::DEFAULT_MAX_FILE_BYTES`]).
#[derive(Debug, Clone, Copy)]
pub struct Tok<'a> {
    /// The word.
    pub word: &'a str,
    /// Start, code points ([`Tok::start`]).
    pub start32: u32,
    /// End, code points, exclusive ([`Tok::end`]).
    pub end32: u32,
    /// jieba's part-of-speech tag.
    pub pos: Pos,
    /// The filter key of the last character ([`super::sets::CharFilter::key`]): word
    /// sets test it before they read the word.
    pub last: u16,
}

impl Tok<'_> {
    /// Start, code points.
    #[inline]
    pub fn start(&self) -> usize {
        self.start32 as usize
    }

    /// End, code points, exclusive.
    #[inline]
    pub fn end(&self) -> usize {
        self.end32 as usize
    }

    /// Length in characters.
    #[inline]
    pub fn len(&self) -> usize {
        (self.end32 - self.start32) as usize
    }

    /// Whether the token is empty (never, for jieba output).
    pub fn is_empty(&self) -> bool {
        self.end32 == self.start32
    }
}
