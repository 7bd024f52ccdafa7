//! Character classes shared by cleaning, splitting and extraction.

/// Whether `c` is a Han ideograph (CJK unified ideographs and extensions).
#[inline]
pub fn is_han(c: char) -> bool {
    let c = c as u32;
    // The common block first: nearly every character asked about is in it.
    if (0x4E00..=0x9FFF).contains(&c) {
        return true;
    }
    matches!(c,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF
        | 0x2A700..=0x2EBEF | 0x30000..=0x3134F | 0x3007)
}

/// Whether `c` is CJK (full-width) punctuation or a symbol used in Chinese text.
pub fn is_cjk_punct(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0xFF00..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40
        | 0xFF5B..=0xFF65 | 0x2010..=0x2027 | 0x2030..=0x205E | 0x25A0..=0x25FF)
}

/// Whether `c` is horizontal white space (ASCII, ideographic or no-break).
pub fn is_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\u{3000}' | '\u{a0}' | '\u{2002}'..='\u{200b}' | '\u{feff}'
    )
}

/// Whether `c` ends a sentence (or a clause that a line may end on).
pub fn is_terminal(c: char) -> bool {
    matches!(
        c,
        '。' | '！'
            | '？'
            | '!'
            | '?'
            | '；'
            | ';'
            | '…'
            | '”'
            | '"'
            | '’'
            | '」'
            | '』'
            | '）'
            | ')'
            | '】'
            | '》'
            | '：'
            | ':'
    )
}

/// Whether `c` ends a sentence for sentence splitting.
pub fn is_sentence_end(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '!' | '?' | '；' | ';' | '\n')
}

/// Whether `c` is clause punctuation that marks running prose.
pub fn is_prose_punct(c: char) -> bool {
    matches!(c, '，' | ',' | '。' | '、' | '；' | ';' | '！' | '？')
}
