//! Dates and money: anchored grammars tried where a number starts.
//! A family of [`super`] rules.

#[allow(unused_imports)]
use super::*;

pub(super) static DATE: LazyLock<Regex> = LazyLock::new(|| {
    let num = r"(?:[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3})";
    let year = r"(?:[0-9０-９]{4}|[〇零一二三四五六七八九]{4})年";
    let day = format!(r"{num}[日号]");
    let tod = r"(?:上午|下午|中午|晚上|晚|凌晨|早上|傍晚|夜间)?";
    let range = r"[~～至\-—–到]";
    Regex::new(&format!(
        r"^(?:(?:{year})?(?:{num}月(?:{day}(?:{range}(?:{num}月)?{day})?|{range}{num}月)?|{year}){tod}|{day}{tod}(?:{range}{day}))"
    ))
    .unwrap()
});

pub(super) static MONEY: LazyLock<Regex> = LazyLock::new(|| {
    let num = r"(?:[0-9０-９]+(?:[.,][0-9０-９]+)*|[零〇一二两三四五六七八九十百千万亿]+)";
    Regex::new(&format!(
        r"^(?:近?{num} ?(?:多|余|来)?(?:[十百千万亿]|万亿)*(?:多|余)?(?:元|美元|欧元|英镑|日元|港元|港币|卢布|人民币)|近?{num}(?:多|余)?个亿(?:元)?)"
    ))
    .unwrap()
});

/// Longest text a date or an amount can span, in characters (the grammars
/// are tried on a window of `4 * MAX_GRAMMAR_CHARS` bytes, at least this
/// many characters, not on the rest of the article).
pub(super) const MAX_GRAMMAR_CHARS: usize = 64;

/// A small grammar for numeric expressions (dates, amounts): an anchored
/// regex and the cheap tests that say where it can match.
pub(super) struct Grammar {
    /// The grammar, anchored at the start (`^`).
    re: &'static LazyLock<Regex>,
    /// Characters a match can start with.
    can_start: &'static LazyLock<CharSet>,
    /// Characters of the number a match starts with.
    in_number: &'static LazyLock<CharSet>,
    /// Whether the text right after that number can continue a match.
    can_follow: fn(&str) -> bool,
    /// Whether a match is kept (a skipped match still consumes its text).
    keep: fn(&str) -> bool,
    /// The type of a kept match.
    label: EntityType,
}

/// Dates: every date has 年, 月, 日 or 号 right after its first number.
pub(super) static DATE_GRAMMAR: Grammar = Grammar {
    re: &DATE,
    can_start: &DATE_NUMERALS_SET,
    in_number: &DATE_NUMERALS_SET,
    can_follow: |s| s.starts_with(['年', '月', '日', '号']),
    // A bare month must be Arabic (十月 is prose as often as a date).
    keep: |s| s.contains(['年', '日', '号']) || s.starts_with(|c: char| c.is_ascii_digit()),
    label: EntityType::Date,
};

/// Amounts: past the number, its separators and multipliers, a currency
/// or 个亿.
pub(super) static MONEY_GRAMMAR: Grammar = Grammar {
    re: &MONEY,
    can_start: &MONEY_STARTS_SET,
    in_number: &MONEY_NUMBER_SET,
    can_follow: |s| {
        s.starts_with(['元', '美', '欧', '英', '日', '港', '卢', '人']) || s.starts_with("个亿")
    },
    keep: |_| true,
    label: EntityType::Money,
};

/// The matches of `grammars` in `text` (whose characters are `chars`), each
/// grammar's left to right and not overlapping. A grammar is tried only
/// where a match can start: at a character it can start with that does
/// not continue an Arabic number (`123月` holds no date), and only if the
/// text after the number there can continue a match. It then runs on a
/// short window, so prose costs almost nothing.
pub(super) fn grammar_spans(text: &str, chars: &[char], grammars: &[&Grammar]) -> Vec<Span> {
    // First a tight pass over the decoded characters for the places a
    // number may start, with their byte offsets: the running sum of the
    // UTF-8 lengths, counted without branches.
    let mut scan = NumberStarts::new();
    let mut b = 0usize;
    for (pos, &c) in chars.iter().enumerate() {
        scan.push(pos, b, c);
        let u = c as u32;
        b += 1 + usize::from(u >= 0x80) + usize::from(u >= 0x800) + usize::from(u >= 0x10000);
    }
    grammar_spans_at(text, chars, scan.found, grammars)
}

/// The places a date or an amount may start (a character one can start
/// with, not right after an Arabic number), as `(character, byte)`
/// offsets, found while a text's characters are read in order: the token
/// pass decodes every character anyway ([`dates_and_money_at`]).
pub struct NumberStarts {
    starts: &'static CharSet,
    prev: char,
    found: Vec<(usize, usize)>,
}

impl Default for NumberStarts {
    fn default() -> Self {
        NumberStarts::new()
    }
}

impl NumberStarts {
    /// Before the first character.
    pub fn new() -> NumberStarts {
        NumberStarts {
            starts: &NUMBER_STARTS_SET,
            prev: ' ',
            found: Vec::new(),
        }
    }

    /// The next character `c`, at character `pos` and byte `b`.
    #[inline]
    pub fn push(&mut self, pos: usize, b: usize, c: char) {
        if self.starts.has(c) && !(self.prev.is_ascii_digit() || self.prev == '.') {
            self.found.push((pos, b));
        }
        self.prev = c;
    }
}

/// [`grammar_spans`] from the number starts already found.
fn grammar_spans_at(
    text: &str,
    chars: &[char],
    found: Vec<(usize, usize)>,
    grammars: &[&Grammar],
) -> Vec<Span> {
    let mut out = Vec::new();
    let mut skip_to = vec![0; grammars.len()];
    for (pos, b) in found {
        let c = chars[pos];
        let next_b = b + c.len_utf8();
        let rest = &text[next_b..];
        for (g, skip) in grammars.iter().zip(skip_to.iter_mut()) {
            if b < *skip
                || !g.can_start.has(c)
                || !rest
                    .find(|c| !g.in_number.has(c))
                    .is_some_and(|k| (g.can_follow)(&rest[k..]))
            {
                continue;
            }
            // The window bounds the search; the regex is anchored, so it
            // stops at the first character no match can go on with.
            let w = (b + 4 * MAX_GRAMMAR_CHARS).min(text.len());
            let w = (w..=text.len())
                .find(|&k| text.is_char_boundary(k))
                .unwrap_or(text.len());
            if let Some(m) = g.re.find(&text[b..w]) {
                let s = m.as_str();
                *skip = b + s.len();
                if (g.keep)(s) {
                    let end = pos + s.chars().count();
                    out.push(Span::new(pos, end, g.label.clone(), Source::Rule, 0.95));
                }
            }
        }
    }
    out
}

/// The numerals a date is written in.
pub(super) const DATE_NUMERALS: &str = "0123456789０１２３４５６７８９〇零一二三四五六七八九十";
/// The numerals and multipliers an amount is written in.
pub(super) const MONEY_NUMERALS: &str =
    "0123456789０１２３４５６７８９零〇一二两三四五六七八九十百千万亿";

pub(super) static DATE_NUMERALS_SET: LazyLock<CharSet> =
    LazyLock::new(|| CharSet::new(DATE_NUMERALS));
pub(super) static MONEY_STARTS_SET: LazyLock<CharSet> =
    LazyLock::new(|| CharSet::new(&format!("{MONEY_NUMERALS}近")));
/// An amount's number with its separators and approximations.
pub(super) static MONEY_NUMBER_SET: LazyLock<CharSet> =
    LazyLock::new(|| CharSet::new(&format!("{MONEY_NUMERALS}., 多余来")));
/// Every character a date or an amount can start with.
pub(super) static NUMBER_STARTS_SET: LazyLock<CharSet> =
    LazyLock::new(|| CharSet::new(&format!("{DATE_NUMERALS}{MONEY_NUMERALS}近")));

/// Dates and amounts of money, in one pass (see [`dates`], [`money`]).
/// `chars` are `text`'s characters.
pub fn dates_and_money(text: &str, chars: &[char]) -> Vec<Span> {
    grammar_spans(text, chars, &[&DATE_GRAMMAR, &MONEY_GRAMMAR])
}

/// [`dates_and_money`] with the number starts found as `chars` were
/// decoded from `text` ([`NumberStarts`] fed every character in order).
pub fn dates_and_money_at(text: &str, chars: &[char], starts: NumberStarts) -> Vec<Span> {
    grammar_spans_at(text, chars, starts.found, &[&DATE_GRAMMAR, &MONEY_GRAMMAR])
}

/// Dates: `8月1日`, `2017年11月`, `10月24日~25日`, `11月1日下午`, `2018年`.
pub fn dates(text: &str) -> Vec<Span> {
    grammar_spans(text, &text.chars().collect::<Vec<_>>(), &[&DATE_GRAMMAR])
}

/// Money: `274.3亿元`, `30万元`, `1个亿`, `2500多万元`, `60余万元`.
pub fn money(text: &str) -> Vec<Span> {
    grammar_spans(text, &text.chars().collect::<Vec<_>>(), &[&MONEY_GRAMMAR])
}
