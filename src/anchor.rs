//! Anchoring annotations so they survive changes to the cleaned text.
//!
//! An annotation remembers its position and a quote in the style of the W3C
//! TextQuoteSelector: the exact text plus up to [`CONTEXT`] characters before
//! and after. [`reanchor`] places it again in a new text: at the same
//! position when the text there is unchanged, else at the occurrence of the
//! exact text whose context matches best, else between its unchanged prefix
//! and suffix. `None` means the annotation is an orphan (kept, never deleted).

/// Characters of context stored on each side.
pub const CONTEXT: usize = 32;

/// A quote selector.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Quote {
    /// The annotated text.
    pub exact: String,
    /// Up to [`CONTEXT`] characters before it.
    pub prefix: String,
    /// Up to [`CONTEXT`] characters after it.
    pub suffix: String,
}

/// The quote for `chars[start..end]`.
pub fn quote(chars: &[char], start: usize, end: usize) -> Quote {
    let start = start.min(chars.len());
    let end = end.clamp(start, chars.len());
    Quote {
        exact: chars[start..end].iter().collect(),
        prefix: chars[start.saturating_sub(CONTEXT)..start].iter().collect(),
        suffix: chars[end..(end + CONTEXT).min(chars.len())]
            .iter()
            .collect(),
    }
}

/// The quote for a span of `text` (code-point offsets).
pub fn quote_text(text: &str, start: usize, end: usize) -> Quote {
    let chars: Vec<char> = text.chars().collect();
    quote(&chars, start, end)
}

fn common_suffix(a: &[char], b: &[char]) -> usize {
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

fn common_prefix(a: &[char], b: &[char]) -> usize {
    a.iter().zip(b.iter()).take_while(|(x, y)| x == y).count()
}

fn find_all(hay: &[char], needle: &[char]) -> Vec<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return Vec::new();
    }
    (0..=hay.len() - needle.len())
        .filter(|&i| hay[i..i + needle.len()] == *needle)
        .collect()
}

/// Places a quote in `text`, preferring `old_start`. Returns the new span.
pub fn reanchor(text: &str, old_start: usize, q: &Quote) -> Option<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let exact: Vec<char> = q.exact.chars().collect();
    let prefix: Vec<char> = q.prefix.chars().collect();
    let suffix: Vec<char> = q.suffix.chars().collect();
    let n = exact.len();
    if n == 0 {
        return None;
    }
    let here = old_start + n <= chars.len() && chars[old_start..old_start + n] == exact[..];
    if here {
        let pre = common_suffix(
            &chars[old_start.saturating_sub(prefix.len())..old_start],
            &prefix,
        );
        let suf = common_prefix(&chars[old_start + n..], &suffix);
        if pre + suf >= (prefix.len() + suffix.len()) / 2 || prefix.len() + suffix.len() == 0 {
            return Some((old_start, old_start + n));
        }
    }
    let score = |i: usize| -> (usize, std::cmp::Reverse<usize>) {
        let pre = common_suffix(&chars[i.saturating_sub(prefix.len())..i], &prefix);
        let suf = common_prefix(&chars[i + n..], &suffix);
        (pre + suf, std::cmp::Reverse(i.abs_diff(old_start)))
    };
    let best = find_all(&chars, &exact)
        .into_iter()
        .max_by_key(|&i| score(i));
    let context_len = prefix.len() + suffix.len();
    if let Some(b) = best
        && score(b).0 >= (context_len / 4).max(4).min(context_len)
    {
        return Some((b, b + n));
    }
    // The annotated text itself changed: place it between its context.
    let p: Vec<char> = prefix[prefix.len().saturating_sub(12)..].to_vec();
    let s: Vec<char> = suffix[..suffix.len().min(12)].to_vec();
    if p.len() >= 4 && s.len() >= 4 {
        for pi in find_all(&chars, &p) {
            let a = pi + p.len();
            let limit = (a + 2 * n + 8 + s.len()).min(chars.len());
            if let Some(si) = find_all(&chars[a..limit], &s).first()
                && *si > 0
            {
                return Some((a, a + si));
            }
        }
    }
    // Same text elsewhere, weak context: better placed than orphaned.
    best.map(|b| (b, b + n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reanchors_after_edits() {
        let old = "甲乙丙丁。新郑市召开会议，张三出席。会议要求张三落实。";
        let chars: Vec<char> = old.chars().collect();
        let start = old.chars().position(|c| c == '张').unwrap();
        let q = quote(&chars, start, start + 2);
        assert_eq!(reanchor(old, start, &q), Some((start, start + 2)));
        let new = format!("新增一段文字。{old}");
        assert_eq!(reanchor(&new, start, &q), Some((start + 7, start + 9)));
        // Second occurrence keeps its own context.
        let second = old.chars().collect::<Vec<_>>().len() - 5;
        let q2 = quote(&chars, second, second + 2);
        assert_eq!(&q2.exact, "张三");
        assert_eq!(reanchor(&new, second, &q2), Some((second + 7, second + 9)));
        // Exact text edited, context intact.
        let edited = old.replace("张三出席", "李四出席");
        assert_eq!(reanchor(&edited, start, &q), Some((start, start + 2)));
        assert_eq!(reanchor("完全不同的文本", start, &q), None);
    }
}
