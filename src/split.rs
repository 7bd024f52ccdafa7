//! Splitting a decoded file into articles and cleaning them for reading.
//!
//! Owns: line classification (headings, boilerplate, bylines, datelines),
//! article boundaries, metadata (title, subtitle, byline people, date,
//! source), and cleaning (joining paragraphs broken by stray line breaks,
//! removing spaces left inside Chinese text by PDF extraction, dropping web
//! boilerplate).
//!
//! Invariant: for every [`ParsedArticle`], `map.len() == text.chars().count()`
//! and `map[i]` is the code-point offset in the decoded file text of cleaned
//! character `i` (inserted line breaks map to the raw line break they stand
//! for). The source text is never changed.

use std::sync::LazyLock;

use regex::Regex;

use crate::chars::{is_cjk_punct, is_han, is_prose_punct, is_space, is_terminal};
use crate::lexdata::{BYLINE_ROLES, is_media, surname_len};

/// One article cut from a file, cleaned.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedArticle {
    /// Position of the article in its file (0-based).
    pub index: usize,
    /// Headline, if the article has one.
    pub title: Option<String>,
    /// Subtitle, if any.
    pub subtitle: Option<String>,
    /// People named in the byline (reporters, correspondents, photographers).
    pub byline: Vec<String>,
    /// Date as stated in the article (e.g. `8月1日`), if any.
    pub date: Option<String>,
    /// Publishing source (e.g. a newspaper or website), if stated.
    pub source: Option<String>,
    /// The cleaned article: headline, subtitle and body paragraphs, one per line.
    pub text: String,
    /// Code-point offset where the body starts in `text`.
    pub body_start: usize,
    /// For each character of `text`, its code-point offset in the file text.
    pub map: Vec<usize>,
    /// Code-point range of the article in the file text (end exclusive).
    pub raw_range: (usize, usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Blank,
    Boilerplate,
    /// Markdown heading of this level.
    Heading(usize),
    Text,
}

#[derive(Debug, Clone)]
struct Line {
    kind: Kind,
    /// Content range (trimmed, heading marks removed) in the file chars.
    start: usize,
    end: usize,
    /// Offset of the line break ending the line (or end of text).
    eol: usize,
    content: String,
}

/// Version of the splitting and cleaning rules; bump it to re-index archives.
pub const SPLIT_VERSION: u32 = 1;

static COPYRIGHT_SITE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"@\s*(\p{Han}{2,10}?)\s*(?:网站)?版权所有").unwrap());
static SOURCE_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^来源\s*[:：]\s*(\S{2,20})").unwrap());
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\d{4}年)?\d{1,2}月\d{1,2}日|\d{4}-\d{1,2}-\d{1,2}|\d{4}年\d{1,2}月").unwrap()
});

/// Splits and cleans the text of one file.
///
/// `base_map`, when given, maps each character of `text` to an offset in the
/// file (used for HTML, whose visible text is a projection of the source).
pub fn split_articles(text: &str, base_map: Option<&[usize]>) -> Vec<ParsedArticle> {
    let chars: Vec<char> = text.chars().collect();
    let lines = classify(&chars);
    let site = file_source(&lines);
    let items: Vec<usize> = (0..lines.len())
        .filter(|&i| matches!(lines[i].kind, Kind::Heading(_) | Kind::Text))
        .collect();
    let starts = article_starts(&lines, &items);
    let mut out = Vec::new();
    for (n, &s) in starts.iter().enumerate() {
        let e = starts.get(n + 1).copied().unwrap_or(items.len());
        let mut art = build_article(&chars, &lines, &items[s..e], n);
        if art.source.is_none() {
            art.source = site.clone();
        }
        if let Some(bm) = base_map {
            for m in &mut art.map {
                *m = bm.get(*m).copied().unwrap_or(*m);
            }
            art.raw_range = (
                bm.get(art.raw_range.0).copied().unwrap_or(art.raw_range.0),
                bm.get(art.raw_range.1)
                    .copied()
                    .unwrap_or_else(|| bm.last().map_or(0, |l| l + 1)),
            );
        }
        out.push(art);
    }
    out
}

fn classify(chars: &[char]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut s = 0;
    while s <= chars.len() {
        let e = chars[s..]
            .iter()
            .position(|&c| c == '\n')
            .map_or(chars.len(), |p| s + p);
        lines.push(classify_line(chars, s, e));
        if e == chars.len() {
            break;
        }
        s = e + 1;
    }
    lines
}

fn is_trim(c: char) -> bool {
    is_space(c) || c == '\r'
}

fn classify_line(chars: &[char], s: usize, e: usize) -> Line {
    let mut a = s;
    let mut b = e;
    while a < b && is_trim(chars[a]) {
        a += 1;
    }
    while b > a && (is_trim(chars[b - 1]) || (chars[b - 1] == '|' || chars[b - 1] == '｜')) {
        // Trailing scraping debris such as "… |".
        b -= 1;
    }
    let mut kind = Kind::Text;
    if a == b {
        let only_debris = chars[s..e].iter().any(|&c| c == '|' || c == '｜');
        kind = if only_debris {
            Kind::Boilerplate
        } else {
            Kind::Blank
        };
    } else if chars[a] == '#' {
        let level = chars[a..b].iter().take_while(|&&c| c == '#').count();
        let mut c = a + level;
        if level <= 6 && (c == b || is_space(chars[c])) {
            while c < b && is_space(chars[c]) {
                c += 1;
            }
            a = c;
            kind = if a == b {
                Kind::Blank
            } else {
                Kind::Heading(level)
            };
        }
    }
    let content: String = chars[a..b].iter().collect();
    if matches!(kind, Kind::Text | Kind::Heading(_)) && is_boilerplate(&content) {
        kind = Kind::Boilerplate;
    }
    Line {
        kind,
        start: a,
        end: b,
        eol: e,
        content,
    }
}

fn is_boilerplate(line: &str) -> bool {
    let t = line.trim();
    let n = t.chars().count();
    if t.chars()
        .all(|c| "|｜-=_*~·•—+#".contains(c) || is_space(c))
    {
        return true;
    }
    let short = n <= 40;
    let stripped = t.trim_start_matches(['■', '□', '●', '◆', '▲', '★', ' ']);
    const SEPARATORS: &[&str] = &["相关新闻", "相关阅读", "延伸阅读", "相关链接", "推荐阅读"];
    if SEPARATORS.contains(&stripped) {
        return true;
    }
    const MARKERS: &[&str] = &[
        "上一篇",
        "下一篇",
        "版权声明",
        "版权所有",
        "All Rights Reserved",
        "Copyright",
        "返回顶部",
        "打印本页",
        "关闭窗口",
        "分享到",
        "责任编辑",
        "扫一扫",
        "【打印】",
        "【关闭】",
    ];
    if short && MARKERS.iter().any(|m| t.contains(m)) {
        return true;
    }
    short && SOURCE_LINE.is_match(t)
}

/// A source stated once for the whole file (copyright line, "来源：" line).
fn file_source(lines: &[Line]) -> Option<String> {
    lines.iter().find_map(|l| {
        COPYRIGHT_SITE
            .captures(&l.content)
            .or_else(|| SOURCE_LINE.captures(&l.content))
            .map(|c| c[1].to_string())
    })
}

fn is_dateline(s: &str) -> bool {
    const MARKS: &[&str] = &[
        "本报讯",
        "本报记者",
        "本报通讯员",
        "新华社",
        "中新社",
        "据新华社",
        "中新网",
        "人民网",
    ];
    MARKS.iter().any(|m| s.starts_with(m))
}

fn titleish(line: &Line) -> bool {
    let n = line.content.chars().count();
    let last = line.content.chars().last().unwrap_or(' ');
    (2..=80).contains(&n)
        && !line.content.contains('。')
        && !matches!(
            last,
            '。' | '！' | '？' | '!' | '?' | '；' | ';' | '，' | ',' | '：' | ':'
        )
        && !is_dateline(&line.content)
        && parse_byline(&line.content).is_none()
}

fn is_body_paragraph(line: &Line) -> bool {
    line.kind == Kind::Text
        && line.content.chars().count() >= 30
        && line.content.chars().any(is_prose_punct)
}

/// Byline people and source parsed from a run of whitespace-separated tokens.
#[derive(Debug, Default, Clone, PartialEq)]
struct Byline {
    people: Vec<String>,
    source: Option<String>,
}

fn is_name_token(t: &str) -> bool {
    let n = t.chars().count();
    (2..=4).contains(&n) && t.chars().all(is_han) && surname_len(t).is_some_and(|s| s < n)
}

/// Parses a whole string as a byline ("记者 张三 新郑时报 李四 文/图").
fn parse_byline(s: &str) -> Option<Byline> {
    let tokens: Vec<&str> = s.split(is_space).filter(|t| !t.is_empty()).collect();
    let (b, used, roles) = parse_byline_tokens(&tokens);
    (used == tokens.len() && used > 0 && roles > 0 && !b.people.is_empty()
        || (used == tokens.len() && b.source.is_some() && !b.people.is_empty() && used >= 2))
        .then_some(b)
}

/// Parses byline tokens from the start; returns the byline, how many tokens
/// it used, and how many role words it saw.
fn parse_byline_tokens(tokens: &[&str]) -> (Byline, usize, usize) {
    let mut b = Byline::default();
    let mut roles = 0;
    let mut used = 0;
    for t in tokens {
        let t = t.trim_matches(|c| matches!(c, '(' | ')' | '（' | '）'));
        if BYLINE_ROLES.contains(&t) {
            roles += 1;
        } else if let Some(prefix) = t.strip_suffix("记者").or_else(|| t.strip_suffix("通讯员"))
        {
            roles += 1;
            if is_media(prefix) || prefix.chars().count() >= 2 && prefix.chars().all(is_han) {
                b.source.get_or_insert_with(|| prefix.to_string());
            }
        } else if is_media(t) {
            b.source.get_or_insert_with(|| t.to_string());
        } else if is_name_token(t) {
            b.people.push(t.to_string());
        } else {
            break;
        }
        used += 1;
        if t == "文/图" || t == "图/文" {
            break;
        }
    }
    (b, used, roles)
}

/// The byline at the end of a paragraph ("…贡献力量。记者 杨某"), if any.
fn trailing_byline(s: &str) -> Option<Byline> {
    let cut = s.rfind(['。', '！', '？', '”', '"'])?;
    let tail = &s[cut..];
    let tail = &tail[tail.chars().next()?.len_utf8()..];
    parse_byline(tail.trim())
}

/// A byline inside a paragraph (scraped pages flatten paragraphs into one line).
fn inline_byline(s: &str) -> Option<Byline> {
    let tokens: Vec<&str> = s.split(is_space).filter(|t| !t.is_empty()).collect();
    for i in 0..tokens.len() {
        let t = tokens[i];
        let starts = BYLINE_ROLES.contains(&t) && t != "文" && t != "图"
            || t.ends_with("记者") && t.chars().count() <= 8;
        let after_sentence = i == 0 || tokens[i - 1].ends_with(['。', '！', '？', '”']);
        if starts && after_sentence {
            let (b, _, _) = parse_byline_tokens(&tokens[i..]);
            if !b.people.is_empty() {
                return Some(b);
            }
        }
    }
    None
}

fn is_byline_line(line: &Line) -> bool {
    line.kind == Kind::Text
        && (parse_byline(&line.content).is_some() || trailing_byline(&line.content).is_some())
}

/// Whether `l` is a Markdown heading below the level of the article's headline
/// (a section of it, not a new article).
fn deeper_heading(l: &Line, article_first: &Line) -> bool {
    match (l.kind, article_first.kind) {
        (Kind::Heading(a), Kind::Heading(t)) => a > t,
        _ => false,
    }
}

fn article_starts(lines: &[Line], items: &[usize]) -> Vec<usize> {
    let mut starts = Vec::new();
    if items.is_empty() {
        return starts;
    }
    starts.push(0);
    let mut k = 1;
    while k < items.len() {
        let l = &lines[items[k]];
        let next = items.get(k + 1).map(|&i| &lines[i]);
        let next2 = items.get(k + 2).map(|&i| &lines[i]);
        let is_start = titleish(l)
            && (next.is_some_and(|n| is_dateline(&n.content))
                || next.is_some_and(|n| {
                    titleish(n) && next2.is_some_and(|n2| is_dateline(&n2.content))
                })
                || (is_byline_line(&lines[items[k - 1]])
                    && !deeper_heading(l, &lines[items[*starts.last().unwrap_or(&0)]])
                    && next.is_some_and(|n| is_dateline(&n.content) || is_body_paragraph(n))));
        // A headline directly above the current article's first line belongs to it.
        let just_started = starts.last() == Some(&(k - 1)) && titleish(&lines[items[k - 1]]);
        if is_start && !just_started {
            starts.push(k);
            if next.is_some_and(titleish) {
                k += 1;
            }
        }
        k += 1;
    }
    starts
}

/// Builds the cleaned text with its offset map.
struct Builder {
    text: String,
    map: Vec<usize>,
}

impl Builder {
    fn push(&mut self, c: char, raw: usize) {
        self.text.push(c);
        self.map.push(raw);
    }
    fn len(&self) -> usize {
        self.map.len()
    }
    fn newline(&mut self, raw: usize) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.push('\n', raw);
        }
    }
    /// Appends `chars[a..b]` as it is (headings, titles).
    fn verbatim(&mut self, chars: &[char], a: usize, b: usize) {
        let mut prev_space = false;
        for (i, &c) in chars.iter().enumerate().take(b).skip(a) {
            if is_space(c) || c == '\r' {
                if !prev_space {
                    self.push(' ', i);
                }
                prev_space = true;
            } else {
                self.push(c, i);
                prev_space = false;
            }
        }
    }
}

fn joinable(c: char) -> bool {
    is_han(c) || is_cjk_punct(c) || ",.;:!?\"'()%".contains(c)
}

/// Appends a body paragraph made of file ranges, removing PDF wrap spaces.
fn push_paragraph(out: &mut Builder, chars: &[char], parts: &[(usize, usize)]) {
    // Gather the characters with their raw offsets.
    let mut cs: Vec<(char, usize)> = Vec::new();
    for &(a, b) in parts {
        for (i, &c) in chars.iter().enumerate().take(b).skip(a) {
            cs.push((if c == '\r' { ' ' } else { c }, i));
        }
    }
    // Find interior whitespace runs and the segments between them.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < cs.len() {
        if is_space(cs[i].0) {
            let s = i;
            while i < cs.len() && is_space(cs[i].0) {
                i += 1;
            }
            runs.push((s, i));
        } else {
            i += 1;
        }
    }
    let mut seg_lens: Vec<usize> = Vec::new();
    let mut prev_end = 0;
    for &(s, e) in &runs {
        seg_lens.push(s - prev_end);
        prev_end = e;
    }
    let mut sorted = seg_lens.clone();
    sorted.sort_unstable();
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(0);
    // Text wrapped at a fixed column: the spaces are artefacts, not separators.
    let wrapped = !seg_lens.is_empty() && (8..=40).contains(&median);
    let mut drop = vec![false; cs.len()];
    for &(s, e) in &runs {
        let before = s.checked_sub(1).map(|p| cs[p].0);
        let after = cs.get(e).map(|p| p.0);
        let remove = match (before, after) {
            (Some(a), Some(b)) => {
                wrapped
                    && ((joinable(a)
                        && joinable(b)
                        && (is_han(a) || is_han(b) || is_cjk_punct(a) || is_cjk_punct(b)))
                        || (is_han(a) && b.is_ascii_digit())
                        || (a.is_ascii_digit() && is_han(b)))
            }
            _ => true,
        };
        for d in drop.iter_mut().take(e).skip(s) {
            *d = true;
        }
        if !remove {
            drop[s] = false;
        }
    }
    for (k, &(c, raw)) in cs.iter().enumerate() {
        if !drop[k] {
            out.push(if is_space(c) { ' ' } else { c }, raw);
        }
    }
}

fn should_join(prev: &Line, cur: &Line) -> bool {
    if prev.kind != Kind::Text || cur.kind != Kind::Text {
        return false;
    }
    let Some(last) = prev.content.chars().last() else {
        return false;
    };
    let first = cur.content.chars().next().unwrap_or(' ');
    let prose = prev.content.chars().any(is_prose_punct);
    !is_terminal(last)
        && prose
        && !is_byline_line(prev)
        && !is_byline_line(cur)
        && !is_dateline(&cur.content)
        && (is_han(first)
            || first.is_ascii_alphanumeric()
            || matches!(first, '，' | ',' | '、' | '。'))
        && !matches!(first, '【' | '■' | '●' | '◆')
}

fn build_article(chars: &[char], lines: &[Line], items: &[usize], index: usize) -> ParsedArticle {
    let mut b = Builder {
        text: String::new(),
        map: Vec::new(),
    };
    let mut k = 0;
    let mut title = None;
    let mut subtitle = None;
    let first = &lines[items[0]];
    if titleish(first) {
        b.verbatim(chars, first.start, first.end);
        title = Some(b.text.clone());
        k = 1;
        if let Some(&si) = items.get(1) {
            let s = &lines[si];
            let is_sub = titleish(s)
                && match (first.kind, s.kind) {
                    (Kind::Heading(a), Kind::Heading(c)) => c > a,
                    (_, Kind::Text) => {
                        s.content.chars().count() <= 40 && !s.content.chars().any(is_prose_punct)
                    }
                    _ => false,
                };
            if is_sub {
                b.newline(first.eol);
                let start = b.len();
                b.verbatim(chars, s.start, s.end);
                subtitle = Some(b.text.chars().skip(start).collect());
                k = 2;
            }
        }
    }
    let body_start_line = k;
    if k > 0 {
        b.newline(lines[items[k - 1]].eol);
    }
    let body_start = b.len();
    // Group body lines into paragraphs.
    let mut byline = Byline::default();
    let mut date = None;
    let mut para_no = 0;
    while k < items.len() {
        let line = &lines[items[k]];
        let mut parts = vec![(line.start, line.end)];
        let mut last = line;
        let mut j = k + 1;
        while j < items.len() && should_join(last, &lines[items[j]]) {
            last = &lines[items[j]];
            parts.push((last.start, last.end));
            j += 1;
        }
        b.newline(lines[items[k]].start.saturating_sub(1));
        let start = b.len();
        if let Kind::Heading(_) = line.kind {
            b.verbatim(chars, line.start, line.end);
        } else {
            push_paragraph(&mut b, chars, &parts);
        }
        let para: String = b.text.chars().skip(start).collect();
        if let Some(found) = parse_byline(&para)
            .or_else(|| trailing_byline(&para))
            .or_else(|| inline_byline(&para))
        {
            for p in found.people {
                if !byline.people.contains(&p) {
                    byline.people.push(p);
                }
            }
            if byline.source.is_none() {
                byline.source = found.source;
            }
        }
        if date.is_none() && para_no < 3 {
            let head: String = para.chars().take(80).collect();
            date = DATE.find(&head).map(|m| m.as_str().to_string());
        }
        para_no += 1;
        k = j;
    }
    let _ = body_start_line;
    let raw_start = first.start;
    let raw_end = items.last().map_or(raw_start, |&i| lines[i].end);
    ParsedArticle {
        index,
        title,
        subtitle,
        byline: byline.people,
        date,
        source: byline.source,
        text: b.text,
        body_start,
        map: b.map,
        raw_range: (raw_start, raw_end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byline_parsing() {
        let b = parse_byline("记者 杨一二 新郑时报 李三四 文/图").unwrap();
        assert_eq!(b.people, vec!["杨一二", "李三四"]);
        assert_eq!(b.source.as_deref(), Some("新郑时报"));
        assert!(parse_byline("书记挂帅 大员上阵").is_none());
        let b = trailing_byline("贡献力量。记者 王五六").unwrap();
        assert_eq!(b.people, vec!["王五六"]);
        let b = parse_byline("郑报融媒记者 张某某 通讯员 刘某 文/图").unwrap();
        assert_eq!(b.source.as_deref(), Some("郑报融媒"));
    }

    #[test]
    fn map_points_at_raw_characters() {
        let raw = "# 标题\n\n本报讯 8月1日,某地举行活动,有关单位参加会议并作了发言,会议\n\n要求加强管理。\n记者 王小明";
        let arts = split_articles(raw, None);
        assert_eq!(arts.len(), 1);
        let a = &arts[0];
        assert_eq!(a.title.as_deref(), Some("标题"));
        assert!(a.text.contains("会议要求"), "{}", a.text);
        assert_eq!(a.byline, vec!["王小明"]);
        assert_eq!(a.date.as_deref(), Some("8月1日"));
        let rc: Vec<char> = raw.chars().collect();
        for (c, &m) in a.text.chars().zip(&a.map) {
            if c != '\n' {
                assert_eq!(c, rc[m]);
            }
        }
    }

    #[test]
    fn removes_wrap_spaces_only_in_wrapped_text() {
        let raw =
            "甲乙丙丁戊己庚辛壬癸甲乙 丙丁戊己庚辛壬癸甲乙丙丁 戊己庚辛壬癸甲乙丙丁戊己 庚辛。";
        let a = &split_articles(raw, None)[0];
        assert!(!a.text.contains(' '));
        let raw = "活动结束。 记者 王小明 书记挂帅 大员上阵 全员参与 全市党员参加活动。";
        let a = &split_articles(raw, None)[0];
        assert!(a.text.contains("记者 王小明"), "{}", a.text);
    }
}
