//! The one boundary between code-point offsets and byte offsets.
//!
//! Invariant: every offset stored, exported or passed between modules is a
//! Unicode scalar (code point) offset into the cleaned article text, end
//! exclusive. Rust strings and egui use byte offsets; convert here and only
//! here.

/// Converts a code-point offset into a byte offset of `text`.
///
/// Offsets past the end clamp to `text.len()`.
pub fn char_to_byte(text: &str, char_offset: usize) -> usize {
    text.char_indices()
        .nth(char_offset)
        .map_or(text.len(), |(byte, _)| byte)
}

/// Converts a byte offset of `text` into a code-point offset.
///
/// A byte offset inside a character counts that character as not yet reached;
/// offsets past the end clamp to the number of characters.
pub fn byte_to_char(text: &str, byte_offset: usize) -> usize {
    let end = byte_offset.min(text.len());
    text.char_indices().take_while(|(b, _)| *b < end).count()
}

/// The substring of `text` between two code-point offsets (clamped).
pub fn slice_chars(text: &str, start: usize, end: usize) -> &str {
    let b0 = char_to_byte(text, start);
    let b1 = char_to_byte(text, end.max(start));
    &text[b0..b1]
}

/// Number of code points in `text`.
pub fn char_len(text: &str) -> usize {
    text.chars().count()
}

/// A precomputed code-point → byte table for repeated conversions on one text.
#[derive(Debug, Clone)]
pub struct CharIndex {
    bytes: Vec<usize>,
}

impl CharIndex {
    /// Builds the table for `text`.
    pub fn new(text: &str) -> Self {
        let mut bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        bytes.push(text.len());
        CharIndex { bytes }
    }

    /// Byte offset of code point `char_offset` (clamped to the end).
    pub fn byte(&self, char_offset: usize) -> usize {
        self.bytes[char_offset.min(self.bytes.len() - 1)]
    }

    /// Code-point offset of `byte_offset` (the character starting at or after it).
    pub fn char_of_byte(&self, byte_offset: usize) -> usize {
        self.bytes.partition_point(|&b| b < byte_offset)
    }

    /// Number of code points.
    pub fn len(&self) -> usize {
        self.bytes.len() - 1
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_byte_characters_round_trip() {
        let text = "a𠀀喆b中";
        assert_eq!(char_to_byte(text, 0), 0);
        assert_eq!(char_to_byte(text, 1), 1);
        assert_eq!(char_to_byte(text, 2), 5);
        assert_eq!(char_to_byte(text, 3), 8);
        assert_eq!(char_to_byte(text, 5), text.len());
        assert_eq!(char_to_byte(text, 99), text.len());
        for c in 0..=5 {
            assert_eq!(byte_to_char(text, char_to_byte(text, c)), c);
        }
        assert_eq!(slice_chars(text, 1, 3), "𠀀喆");
        let idx = CharIndex::new(text);
        for c in 0..=5 {
            assert_eq!(idx.byte(c), char_to_byte(text, c));
            assert_eq!(idx.char_of_byte(idx.byte(c)), c);
        }
        assert_eq!(idx.len(), 5);
    }
}
