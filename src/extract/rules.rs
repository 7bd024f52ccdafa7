//! Hand-written rules for Chinese news: dates, money, job titles, bylines,
//! person names (surname list + context), places by suffix and gazetteer,
//! organisations by head word, media names.
//!
//! Every rule is a small pure function over the article's characters and
//! its jieba tokens ([`Ctx`]) and returns candidate [`Span`]s; the
//! [`super::news::NewsExtractor`] merges them. The word lists here are
//! generic Chinese vocabulary (post names, organisation head words, place
//! suffixes), never names taken from sample or evaluation texts.

use std::sync::LazyLock;

use regex::Regex;

use super::gazetteer::{Gazetteer, Level};
use super::pos::Pos;
use super::sets::{CharFilter, CharList, CharSet, PairSet, WordSet};
pub use super::tokens::Tok;
use super::{EntityType, Source};
use crate::char_list;
use crate::chars::{is_han, is_space};
use crate::lexdata::{COMPOUND_SURNAMES, is_media, is_single_surname, is_transliteration};
use crate::tags;

/// A candidate entity span produced by a rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// Start, code points.
    pub start: usize,
    /// End, code points, exclusive.
    pub end: usize,
    /// Type.
    pub label: EntityType,
    /// Which kind of evidence produced it.
    pub source: Source,
    /// Confidence in 0..=1.
    pub confidence: f32,
}

impl Span {
    pub(crate) fn new(
        start: usize,
        end: usize,
        label: EntityType,
        source: Source,
        confidence: f32,
    ) -> Span {
        Span {
            start,
            end,
            label,
            source,
            confidence,
        }
    }
}

/// No token starts (or ends) here, in [`Ctx::tok_starting`] and
/// [`Ctx::tok_ending`] (indexes are `u32`: half the memory of `usize`).
pub const NO_TOK: u32 = u32::MAX;

/// The article as seen by the rules: characters, tokens and lookups.
pub struct Ctx<'a> {
    /// The article's characters.
    pub chars: Vec<char>,
    /// jieba tokens in order, covering the text.
    pub toks: Vec<Tok<'a>>,
    /// Token index starting at each character position ([`NO_TOK`] if none).
    pub tok_starting: Vec<u32>,
    /// Token index ending at each character position ([`NO_TOK`] if none).
    pub tok_ending: Vec<u32>,
    /// For each [`Hint`], the indices of the tokens that pass it.
    hinted: [Vec<u32>; HINTS],
}

/// The first test of a rule that looks only at a token's last character,
/// first character or tag: one pass over the tokens sorts them into a list
/// per hint (a table load per character key), and each rule visits its list
/// instead of every token. A hint is a necessary condition of its rule's
/// own first test, which the rule still makes.
///
/// Hints 0–15 come from the last character (`HINT_TABLE`, two bytes an
/// entry), 16–19 from the first character (`FIRST_HINT_TABLE`, one byte
/// an entry; both tables together stay small beside the token array), 20–23
/// from the tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    /// Ends like an organisation head word ([`head_orgs`]).
    OrgHead = 0,
    /// Ends like a place suffix ([`suffix_places`]).
    PlaceSuffix,
    /// Ends like a facility head or a celestial body ([`facilities`]).
    Facility,
    /// Ends like a name cue, or in 岁 ([`names_after_cues`]).
    NameCue,
    /// Ends like a speech verb ([`names_before_verbs`]).
    SpeechVerb,
    /// Ends like a periodical kind or a media suffix ([`media_orgs`]).
    Media,
    /// Ends like an industry word ([`industry_orgs`]).
    Industry,
    /// Ends in 队 or like a sport team noun ([`teams`]).
    Team,
    /// Ends like a post ([`titles`]).
    Title,
    /// Ends like a landmark suffix ([`landmark_places`]).
    Landmark,
    /// Ends in 长 ([`orgs_in_posts`]).
    Chief,
    /// Ends in 部, 局, 署 or 委 ([`departments`]).
    Department,
    /// Ends like a body a country has one of ([`dictionary_orgs`]).
    SingleBody,
    /// Ends like a leader's post, or in 义 ([`surnames_with_posts`]).
    LeaderPost,
    /// Starts like a place or country abbreviation or a verb before one
    /// ([`abbreviation_singles`]).
    AbbreviationStart = 16,
    /// Starts like a place abbreviation ([`abbreviation_pairs`]).
    PlaceAbbreviation,
    /// Starts like a single surname ([`surnames_with_honorifics`]).
    Surname,
    /// Starts with 队 ([`glued_teams`]).
    GluedTeam,
    /// Tagged `nt` ([`dictionary_orgs`]).
    TaggedNt = 20,
    /// Tagged `ns` ([`dictionary_orgs`], [`team_lists`]).
    TaggedNs,
    /// Tagged `j` ([`dictionary_orgs`]).
    TaggedJ,
    /// Tagged `nr`, `nrt` or `nrfg` ([`model_names`],
    /// [`transliteration_runs`]).
    TaggedName,
}

/// Number of [`Hint`] places (two are unused).
const HINTS: usize = 24;

/// For each first-character filter key, the hints it passes, as bits
/// `hint - 16`.
static FIRST_HINT_TABLE: LazyLock<Box<[u8; 4096]>> = LazyLock::new(|| {
    let country = CharFilter::of(COUNTRY_ABBREVIATIONS);
    let place = CharFilter::of(PLACE_ABBREVIATIONS);
    let before = CharFilter::of(BEFORE_ABBREVIATION);
    let surname = CharFilter::of(crate::lexdata::SINGLE_SURNAMES);
    let dui = CharFilter::key('队');
    let mut table = Box::new([0u8; 4096]);
    for (k, bits) in table.iter_mut().enumerate() {
        let k = k as u16;
        for (h, on) in [
            (
                Hint::AbbreviationStart,
                country.has_key_of(k) || place.has_key_of(k) || before.has_key_of(k),
            ),
            (Hint::PlaceAbbreviation, place.has_key_of(k)),
            (Hint::Surname, surname.has_key_of(k)),
            (Hint::GluedTeam, k == dui),
        ] {
            if on {
                *bits |= 1 << (h as u8 - 16);
            }
        }
    }
    table
});

/// For each last-character filter key, the bit set of the hints it passes.
static HINT_TABLE: LazyLock<Box<[u16; 4096]>> = LazyLock::new(|| {
    let (sui, dui, zhang, yi) = (
        CharFilter::key('岁'),
        CharFilter::key('队'),
        CharFilter::key('长'),
        CharFilter::key('义'),
    );
    let depts = CharFilter::of("部局署委");
    let mut table = Box::new([0u16; 4096]);
    for (k, bits) in table.iter_mut().enumerate() {
        let k = k as u16;
        let hints = [
            (Hint::OrgHead, ORG_HEADS_SET.may_end_key(k)),
            (Hint::PlaceSuffix, PLACE_SUFFIXES_SET.may_end_key(k)),
            (
                Hint::Facility,
                FACILITY_HEADS_SET.may_end_key(k) || CELESTIAL_SET.may_end_key(k),
            ),
            (
                Hint::NameCue,
                NAME_CUES_SET.may_end_key(k) || WEAK_NAME_CUES_SET.may_end_key(k) || k == sui,
            ),
            (Hint::SpeechVerb, SPEECH_VERBS_SET.may_end_key(k)),
            (
                Hint::Media,
                MEDIA_KINDS_SET.may_end_key(k) || crate::lexdata::may_end_media_key(k),
            ),
            (Hint::Industry, INDUSTRIES_SET.may_end_key(k)),
            (Hint::Team, k == dui || SPORT_TEAMS_SET.may_end_key(k)),
            (Hint::Title, TITLES.may_end_key(k)),
            (Hint::Landmark, LANDMARK_SUFFIXES.may_have_key(k)),
            (Hint::Chief, k == zhang),
            (Hint::Department, depts.has_key_of(k)),
            (Hint::SingleBody, SINGLE_BODIES_SET.may_end_key(k)),
            (Hint::LeaderPost, LEADER_POSTS_SET.may_end_key(k) || k == yi),
        ];
        for (h, on) in hints {
            if on {
                *bits |= 1 << h as u16;
            }
        }
    }
    table
});

impl<'a> Ctx<'a> {
    /// Builds the lookups for `text` and its tokens.
    pub fn new(text: &str, toks: Vec<Tok<'a>>) -> Ctx<'a> {
        Ctx::with_chars(text.chars().collect(), toks)
    }

    /// Builds the lookups for a text already split into `chars`.
    pub fn with_chars(chars: Vec<char>, toks: Vec<Tok<'a>>) -> Ctx<'a> {
        let n = chars.len();
        let mut tok_starting = vec![NO_TOK; n + 1];
        let mut tok_ending = vec![NO_TOK; n + 1];
        let mut hinted: [Vec<u32>; HINTS] =
            std::array::from_fn(|_| Vec::with_capacity(toks.len() / 8));
        let (table, firsts): (&[u16; 4096], &[u8; 4096]) = (&HINT_TABLE, &FIRST_HINT_TABLE);
        for (i, t) in toks.iter().enumerate() {
            if t.start() <= n {
                tok_starting[t.start()] = i as u32;
            }
            if t.end() <= n {
                tok_ending[t.end()] = i as u32;
            }
            let first = chars.get(t.start()).map_or(0, |&c| CharFilter::key(c));
            let mut bits = u32::from(table[t.last as usize & 0xFFF])
                | u32::from(firsts[first as usize & 0xFFF]) << 16
                | match t.pos {
                    Pos::Nt => 1 << Hint::TaggedNt as u32,
                    Pos::Ns => 1 << Hint::TaggedNs as u32,
                    Pos::J => 1 << Hint::TaggedJ as u32,
                    Pos::Nr | Pos::Nrt | Pos::Nrfg => 1 << Hint::TaggedName as u32,
                    _ => 0,
                };
            while bits != 0 {
                hinted[bits.trailing_zeros() as usize].push(i as u32);
                bits &= bits - 1;
            }
        }
        Ctx {
            chars,
            toks,
            tok_starting,
            tok_ending,
            hinted,
        }
    }

    /// The tokens that pass `hint`, with their indices, in text order.
    pub fn hinted(&self, hint: Hint) -> impl Iterator<Item = (usize, &Tok<'a>)> + '_ {
        self.hinted[hint as usize]
            .iter()
            .map(|&i| (i as usize, &self.toks[i as usize]))
    }

    /// The token starting at `pos`.
    pub fn starting(&self, pos: usize) -> Option<&Tok<'a>> {
        self.tok_starting
            .get(pos)
            .filter(|&&i| i != NO_TOK)
            .map(|&i| &self.toks[i as usize])
    }

    /// The token ending at `pos`.
    pub fn ending(&self, pos: usize) -> Option<&Tok<'a>> {
        self.tok_ending
            .get(pos)
            .filter(|&&i| i != NO_TOK)
            .map(|&i| &self.toks[i as usize])
    }

    /// Whether the characters at `pos` spell `word`.
    pub fn has_at(&self, pos: usize, word: &str) -> bool {
        (pos..)
            .zip(word.chars())
            .all(|(i, c)| self.chars.get(i) == Some(&c))
    }

    /// The characters `start..end` as a string.
    pub fn text(&self, start: usize, end: usize) -> String {
        self.chars[start.min(self.chars.len())..end.min(self.chars.len())]
            .iter()
            .collect()
    }

    /// Whether every character of `t` is a Han character (read from the
    /// decoded text, not decoded again from the token).
    pub fn all_han(&self, t: &Tok<'_>) -> bool {
        self.chars[t.start()..t.end()].iter().all(|&c| is_han(c))
    }

    fn han_at(&self, pos: usize) -> bool {
        self.chars.get(pos).is_some_and(|&c| is_han(c))
    }
}

// ---- dates and money ----------------------------------------------------------

static DATE: LazyLock<Regex> = LazyLock::new(|| {
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

static MONEY: LazyLock<Regex> = LazyLock::new(|| {
    let num = r"(?:[0-9０-９]+(?:[.,][0-9０-９]+)*|[零〇一二两三四五六七八九十百千万亿]+)";
    Regex::new(&format!(
        r"^(?:近?{num} ?(?:多|余|来)?(?:[十百千万亿]|万亿)*(?:多|余)?(?:元|美元|欧元|英镑|日元|港元|港币|卢布|人民币)|近?{num}(?:多|余)?个亿(?:元)?)"
    ))
    .unwrap()
});

/// Longest text a date or an amount can span, in characters (the grammars
/// are tried on a window of `4 * MAX_GRAMMAR_CHARS` bytes, at least this
/// many characters, not on the rest of the article).
const MAX_GRAMMAR_CHARS: usize = 64;

/// A small grammar for numeric expressions (dates, amounts): an anchored
/// regex and the cheap tests that say where it can match.
struct Grammar {
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
static DATE_GRAMMAR: Grammar = Grammar {
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
static MONEY_GRAMMAR: Grammar = Grammar {
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
fn grammar_spans(text: &str, chars: &[char], grammars: &[&Grammar]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut skip_to = vec![0; grammars.len()];
    let starts: &CharSet = &NUMBER_STARTS_SET;
    // First a tight pass over the decoded characters for the places a
    // number starts (not right after an Arabic number), with their byte
    // offsets: the running sum of the UTF-8 lengths, counted without
    // branches.
    let mut found = Vec::new();
    let (mut b, mut prev) = (0usize, ' ');
    for (pos, &c) in chars.iter().enumerate() {
        if starts.has(c) && !(prev.is_ascii_digit() || prev == '.') {
            found.push((pos, b));
        }
        let u = c as u32;
        b += 1 + usize::from(u >= 0x80) + usize::from(u >= 0x800) + usize::from(u >= 0x10000);
        prev = c;
    }
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
const DATE_NUMERALS: &str = "0123456789０１２３４５６７８９〇零一二三四五六七八九十";
/// The numerals and multipliers an amount is written in.
const MONEY_NUMERALS: &str = "0123456789０１２３４５６７８９零〇一二两三四五六七八九十百千万亿";

static DATE_NUMERALS_SET: LazyLock<CharSet> = LazyLock::new(|| CharSet::new(DATE_NUMERALS));
static MONEY_STARTS_SET: LazyLock<CharSet> =
    LazyLock::new(|| CharSet::new(&format!("{MONEY_NUMERALS}近")));
/// An amount's number with its separators and approximations.
static MONEY_NUMBER_SET: LazyLock<CharSet> =
    LazyLock::new(|| CharSet::new(&format!("{MONEY_NUMERALS}., 多余来")));
/// Every character a date or an amount can start with.
static NUMBER_STARTS_SET: LazyLock<CharSet> =
    LazyLock::new(|| CharSet::new(&format!("{DATE_NUMERALS}{MONEY_NUMERALS}近")));

/// Dates and amounts of money, in one pass (see [`dates`], [`money`]).
/// `chars` are `text`'s characters.
pub fn dates_and_money(text: &str, chars: &[char]) -> Vec<Span> {
    grammar_spans(text, chars, &[&DATE_GRAMMAR, &MONEY_GRAMMAR])
}

/// Dates: `8月1日`, `2017年11月`, `10月24日~25日`, `11月1日下午`, `2018年`.
pub fn dates(text: &str) -> Vec<Span> {
    grammar_spans(text, &text.chars().collect::<Vec<_>>(), &[&DATE_GRAMMAR])
}

/// Money: `274.3亿元`, `30万元`, `1个亿`, `2500多万元`, `60余万元`.
pub fn money(text: &str) -> Vec<Span> {
    grammar_spans(text, &text.chars().collect::<Vec<_>>(), &[&MONEY_GRAMMAR])
}

// ---- titles -----------------------------------------------------------------

/// Posts (job titles). Each may also take the modifiers of [`TITLE_MODIFIERS`].
pub const POSTS: &[&str] = &[
    "书记",
    "第一书记",
    "总书记",
    "支部书记",
    "党支部书记",
    "村支部书记",
    "党委书记",
    "常委",
    "委员",
    "常务委员",
    "党组成员",
    "党组书记",
    "主任",
    "主席",
    "市长",
    "县长",
    "区长",
    "镇长",
    "乡长",
    "省长",
    "州长",
    "局长",
    "部长",
    "组织部长",
    "宣传部长",
    "统战部长",
    "武装部长",
    "厅长",
    "处长",
    "科长",
    "所长",
    "站长",
    "院长",
    "校长",
    "园长",
    "馆长",
    "社长",
    "会长",
    "理事长",
    "秘书长",
    "董事长",
    "总经理",
    "经理",
    "总裁",
    "厂长",
    "村长",
    "组长",
    "队长",
    "村民组长",
    "主编",
    "总编辑",
    "总监",
    "记者",
    "通讯员",
    "总理",
    "总统",
    "首相",
    "议长",
    "外长",
    "大使",
    "委员长",
    "国务委员",
    "政委",
    "司令员",
    "参谋长",
    "检察长",
    "庭长",
    "审判长",
    "调研员",
    "巡视员",
    "指导员",
    "教授",
    "研究员",
    "院士",
    "行长",
    "署长",
    "主任委员",
    "发言人",
    "领队",
    "教练",
    "主教练",
    "村主任",
    "大臣",
    "司令",
    "协调员",
    "国王",
    "女王",
    "总督",
    "特使",
    "总干事",
    "秘书",
    "参赞",
    "领事",
    "总领事",
    "总参谋长",
    "军长",
    "师长",
    "团长",
    "舰长",
    "船长",
    "法官",
    "检察官",
    "工程师",
    "总工程师",
    "律师",
    "上将",
    "中将",
    "少将",
    "上校",
    "中校",
    "少校",
];

/// Modifiers that may precede a post.
pub const TITLE_MODIFIERS: &[&str] = &["常务副", "副", "代理", "执行", "名誉", "前", "原"];

/// Every post with and without its modifiers (built once; the strings live
/// as long as the program, like the lists they are made from).
static TITLE_LIST: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut v: Vec<&'static str> = Vec::new();
    for p in POSTS {
        v.push(p);
        for m in TITLE_MODIFIERS {
            v.push(Box::leak(format!("{m}{p}").into_boxed_str()));
        }
    }
    v
});

static TITLES: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(&TITLE_LIST));

const MAX_TITLE_CHARS: usize = 8;

/// The first two characters of every post (a cheap test before hashing).
static TITLE_PAIRS: LazyLock<PairSet> =
    LazyLock::new(|| PairSet::from_words(TITLE_LIST.iter().copied(), 14));

static TITLE_FIRST_CHARS: LazyLock<CharSet> =
    LazyLock::new(|| CharSet::nth_chars(TITLE_LIST.iter().copied(), 0));

/// Organisation words after which a post starts even inside a jieba token
/// (`市委常委`, `市委书记`).
const LEVEL_ORGS: &[&str] = &[
    "市委",
    "县委",
    "省委",
    "区委",
    "党委",
    "党工委",
    "党组",
    "政府",
    "管委会",
    "工委",
    "人大",
    "政协",
    "委员会",
    "常委会",
    "国务院",
    "中央",
];

/// Job titles at token starts (longest match): `副书记`, `组织部长`,
/// `常务副书记`, `第一书记`, `镇长`. A title must end at a token end or
/// right before a surname (jieba sometimes glues a title to a name).
pub fn titles(ctx: &Ctx<'_>) -> Vec<Span> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let n = ctx.chars.len();
    let firsts: &CharSet = &TITLE_FIRST_CHARS;
    let mut pos = 0;
    while pos < n {
        let Some(k) = ctx.chars[pos..].iter().position(|&c| firsts.has(c)) else {
            break;
        };
        pos += k;
        if ctx
            .chars
            .get(pos + 1)
            .is_none_or(|&c1| !TITLE_PAIRS.may_start(ctx.chars[pos], c1))
        {
            pos += 1;
            continue;
        }
        if ctx.tok_starting[pos] == NO_TOK
            && !LEVEL_ORGS.iter().any(|w| {
                let l = w.chars().count();
                pos >= l && ctx.has_at(pos - l, w)
            })
        {
            pos += 1;
            continue;
        }
        let mut found = None;
        for len in (1..=MAX_TITLE_CHARS.min(n - pos)).rev() {
            if len < 2 {
                break;
            }
            let end = pos + len;
            if !TITLES.may_end_with(ctx.chars[end - 1]) {
                continue;
            }
            // `委员/会`: the post word begins a body's name.
            let ends_ok = (ctx.tok_ending[end] != NO_TOK
                || ctx.chars.get(end).is_some_and(|&c| is_single_surname(c)))
                && !(ctx.chars[end - 1] == '员' && ctx.chars.get(end) == Some(&'会'));
            if !ends_ok {
                continue;
            }
            buf.clear();
            buf.extend(&ctx.chars[pos..end]);
            if TITLES.has(&buf) {
                found = Some(end);
                break;
            }
        }
        if let Some(end) = found {
            out.push(Span::new(pos, end, EntityType::Title, Source::Rule, 0.9));
            pos = end;
        } else {
            pos += 1;
        }
    }
    // A post at the end of a token that names its field or country
    // (`某政部长`, `外交大臣`, `某国总理`): the longest known post inside.
    let covered = coverage(n, out.iter());
    for (_, t) in ctx.hinted(Hint::Title) {
        let len = t.len();
        if len < 4
            || !TITLES.may_end_with(ctx.chars[t.end() - 1])
            || covered[t.end() - 1]
            || !ctx.all_han(t)
        {
            continue;
        }
        for k in (2..=(len - 2).min(MAX_TITLE_CHARS)).rev() {
            if !TITLE_PAIRS.may_start(ctx.chars[t.end() - k], ctx.chars[t.end() - k + 1]) {
                continue;
            }
            buf.clear();
            buf.extend(&ctx.chars[t.end() - k..t.end()]);
            if TITLES.has(&buf) {
                out.push(Span::new(
                    t.end() - k,
                    t.end(),
                    EntityType::Title,
                    Source::Rule,
                    0.85,
                ));
                break;
            }
        }
    }
    out
}

/// The organisation glued before a post inside one jieba token (`市委书记`
/// → ORG `市委`): the token's part before the title when it ends with an
/// organisation word.
pub fn orgs_before_inner_titles(ctx: &Ctx<'_>, titles: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    for t in titles {
        if ctx.tok_starting[t.start] != NO_TOK {
            continue;
        }
        let i = ctx.toks.partition_point(|k| k.start() <= t.start);
        let Some(tok) = i.checked_sub(1).map(|k| &ctx.toks[k]) else {
            continue;
        };
        if tok.start() >= t.start {
            continue;
        }
        let prefix: String = ctx.chars[tok.start()..t.start].iter().collect();
        if prefix.chars().count() >= 2 && LEVEL_ORGS.iter().any(|w| prefix.ends_with(w)) {
            // A place right before belongs to it (`某某` + `市委书记`).
            let start = match i.checked_sub(2).map(|k| &ctx.toks[k]) {
                Some(p) if p.pos == Pos::Ns && p.end() == tok.start() => p.start(),
                _ => tok.start(),
            };
            out.push(Span::new(
                start,
                t.start,
                EntityType::Org,
                Source::Rule,
                0.75,
            ));
        }
    }
    out
}

// ---- person names -------------------------------------------------------------

/// Characters that do not start or continue a given name in running text.
const GIVEN_STOP: &str = "老的了在是和与及等说对为从向到将也都就又把被让给于而并或之这那其该各每表指陪参汇告主出同个们年月日时上下内外前后里来去要会能可已还再更最很不没无有党村镇乡县市区省局委办院所部讲召率一二三四五六七八九十两几百千万亿共分带";

/// Function words that may follow a bare two-character name guess.
const BARE_NAME_FOLLOWERS: &str = "的是也已曾和与等则都就还又便却在从把被将对向给";

/// Characters that never sit inside a given name: particles and pronouns.
const GIVEN_HARD_STOP: CharList =
    CharList::new("的了是和与及等说对为从向到将也都就又把被让给于而并或这那其该各每们个在");

/// Words that typically follow a person's name.
pub const NAME_FOLLOWERS: &[&str] = &[
    "说", "表示", "指出", "强调", "介绍", "告诉", "认为", "主持", "出席", "讲话", "汇报", "带领",
    "陪同", "作", "在", "等", "同志", "先生", "女士", "书记", "主任", "一行", "家", "指示", "要求",
    "提出", "坦言", "回忆", "笑着", "激动", "拿到", "领到", "含着", "特意", "当选",
];

/// Words after which a person's name is expected (besides job titles).
pub const NAME_CUES: &[&str] = &[
    "领导",
    "同志",
    "老党员",
    "村民",
    "贫困户",
    "低保户",
    "五保户",
    "对象",
    "选手",
    "运动员",
    "教练员",
    "户主",
];

/// Weaker cues: the name after them must be a jieba token of name length.
pub const WEAK_NAME_CUES: &[&str] = &[
    "党员",
    "群众",
    "干部",
    "队员",
    "老人",
    "专家",
    "农民",
    "工人",
    "医生",
    "教师",
    "老师",
    "学生",
    "志愿者",
    "厂长",
    "老板",
];

fn given_ok(c: char) -> bool {
    is_han(c) && !GIVEN_STOP_SET.has(c)
}

/// Length of the surname at `pos` (2 compound, 1 single).
pub fn surname_at(chars: &[char], pos: usize) -> Option<usize> {
    static COMPOUND_PAIRS: LazyLock<Vec<(char, char)>> = LazyLock::new(|| {
        COMPOUND_SURNAMES
            .iter()
            .filter_map(|s| {
                let mut cs = s.chars();
                let pair = (cs.next()?, cs.next()?);
                cs.next().is_none().then_some(pair)
            })
            .collect()
    });
    let c0 = *chars.get(pos)?;
    if let Some(&c1) = chars.get(pos + 1)
        && COMPOUND_PAIRS.contains(&(c0, c1))
    {
        return Some(2);
    }
    is_single_surname(c0).then_some(1)
}

fn followed_by_cue(ctx: &Ctx<'_>, pos: usize) -> bool {
    static FIRSTS: LazyLock<CharSet> =
        LazyLock::new(|| CharSet::nth_chars(NAME_FOLLOWERS.iter().copied(), 0));
    ctx.chars.get(pos).is_some_and(|&c| FIRSTS.has(c))
        && NAME_FOLLOWERS.iter().any(|w| ctx.has_at(pos, w))
}

/// The end of a Chinese person name starting at `pos` (surname + one or two
/// given-name characters), using jieba's segmentation when it agrees and a
/// character window otherwise.
pub fn name_at(ctx: &Ctx<'_>, pos: usize) -> Option<usize> {
    let chars = &ctx.chars;
    let sl = surname_at(chars, pos)?;
    let g1 = pos + sl;
    if !chars.get(g1).is_some_and(|&c| given_ok(c)) {
        return None;
    }
    let weak = sl == 1 && char_list!("和向于从同与把在及对为将以由经万能").has(chars[pos]);
    if let Some(t) = ctx.starting(pos) {
        let n = t.len();
        // A verb or a function word is no name (`书记/提高`, `国王/任命`)
        // unless it closes a list item (`、某起超、`).
        let closes = |k: usize| {
            chars
                .get(k)
                .is_none_or(|c| char_list!("、，,。；;等 \u{3000}").has(*c))
        };
        if n > sl
            && (t.pos.is(tags!(V | Vn | D | P | C | Ad | R | U | Uj))
                || (n == sl + 1 && t.pos.is(tags!(N | T | An))))
            && !closes(t.end())
            && !ctx
                .starting(t.end())
                .is_some_and(|t2| t2.len() == 1 && closes(t2.end()))
        {
            return None;
        }
        // jieba's own full-name guess may hold characters that usually end
        // a name (`某育之`, `某玉来`): trust it unless one is a particle.
        let nr_full = t.pos == Pos::Nr
            && n == sl + 2
            && (pos + sl..t.end()).all(|i| is_han(chars[i]) && !GIVEN_HARD_STOP.has(chars[i]));
        if (n == sl + 1 || n == sl + 2)
            && (nr_full || (pos + sl..t.end()).all(|i| given_ok(chars[i])))
        {
            // `某小` + `某…`: 小 starts a two-character given name (a
            // person is not called by surname + 小 alone).
            if n == sl + 1 && chars[g1] == '小' && chars.get(g1 + 1).is_some_and(|&c| given_ok(c))
            {
                return Some(g1 + 2);
            }
            // `付国` + `乾`: a lone given-name character jieba split off.
            if n == sl + 1
                && let Some(t2) = ctx.starting(t.end())
                && t2.len() == 1
                && given_ok(chars[t2.start()])
                && !t2
                    .pos
                    .is(tags!(U | Ug | Ul | Uz | Uj | Uv | Ud | Y | E | P | C | D))
                && !followed_by_cue(ctx, t2.start())
                && ctx.starting(t2.end()).is_none_or(|t3| {
                    t3.len() >= 2
                        || !ctx.all_han(t3)
                        || BARE_NAME_FOLLOWERS.contains(t3.word)
                        || matches!(t3.word, "时" | "说")
                })
            {
                return Some(t2.end());
            }
            // `某云/江说`: jieba glued the last given character to the verb
            // after the name.
            if n == sl + 1
                && let Some(t2) = ctx.starting(t.end())
                && t2.len() == 2
                && given_ok(chars[t2.start()])
                && matches!(chars[t2.start() + 1], '说' | '等')
            {
                return Some(t.end() + 1);
            }
            return Some(t.end());
        }
        if n == sl
            && let Some(t2) = ctx.starting(g1)
            && (1..=2).contains(&t2.len())
            && (!weak || t2.pos.is_name())
            && (g1..t2.end()).all(|i| given_ok(chars[i]))
            && !t2.pos.is(tags!(V | P | C | U | Uj | D | R | M | Q | F))
        {
            return Some(t2.end());
        }
    }
    if weak {
        return None;
    }
    // Character window: two given characters unless the second looks like
    // the start of the next word.
    if followed_by_cue(ctx, g1 + 1) || !chars.get(g1 + 1).is_some_and(|&c| given_ok(c)) {
        return Some(g1 + 1);
    }
    Some(g1 + 2)
}

/// The start of a Chinese person name ending at `end`, from jieba tokens.
pub fn name_ending_at(ctx: &Ctx<'_>, end: usize) -> Option<usize> {
    let t = ctx.ending(end)?;
    let n = t.len();
    if (2..=3).contains(&n)
        && let Some(sl) = surname_at(&ctx.chars, t.start())
        && n > sl
        && (t.start() + sl..end).all(|i| given_ok(ctx.chars[i]))
        && t.pos.is(tags!(Nr | Nrfg | X | Nz | Nrt))
    {
        return Some(t.start());
    }
    if (1..=2).contains(&n)
        && (t.start()..end).all(|i| given_ok(ctx.chars[i]))
        && t.start() > 0
        && let Some(p) = ctx.ending(t.start())
        && p.len() == 1
        && surname_at(&ctx.chars, p.start()) == Some(1)
        && !char_list!("和向于从同与把在及对为将以由经万能").has(ctx.chars[p.start()])
        && t.pos.is(tags!(Nr | X | Ng | Nz | Nrfg | A))
    {
        return Some(p.start());
    }
    None
}

/// Person names right after a job title or a cue word (`市委副书记王某某`,
/// `低保户李某`), continued over lists separated by `、` or spaces
/// (`马某某、秦某某、李某等`).
pub fn names_after_cues(ctx: &Ctx<'_>, titles: &[Span]) -> Vec<Span> {
    let mut starts: Vec<(usize, bool)> = titles.iter().map(|t| (t.end, false)).collect();
    for (i, t) in ctx.hinted(Hint::NameCue) {
        if NAME_CUES_SET.has_tok(t) {
            starts.push((t.end(), false));
        } else if WEAK_NAME_CUES_SET.has_tok(t) {
            starts.push((t.end(), true));
        } else if t.word == "岁" && ctx.toks.get(i + 1).is_some_and(|n| n.word == "的") {
            starts.push((t.end() + 1, false));
        }
    }
    let mut out = Vec::new();
    for (s, weak) in starts {
        if weak {
            let Some(t) = ctx.starting(s) else { continue };
            let sl = surname_at(&ctx.chars, s).unwrap_or(9);
            if !(t.len() > sl && t.len() <= sl + 2 && t.pos.is(tags!(Nr | X | Nz))) {
                continue;
            }
        }
        // A foreign name after a post (`某国外交大臣/库克`): a token jieba
        // tags as a transliteration, or made of transliteration characters.
        if !weak
            && name_at(ctx, s).is_none()
            && let Some(t) = ctx.starting(s)
            && (2..=6).contains(&t.len())
            && (t.pos.is(tags!(Nrt | Nrfg))
                || (t.pos.is(tags!(Nr | Ns | Nz | X))
                    && ctx.chars[t.start()..t.end()]
                        .iter()
                        .all(|&c| is_transliteration(c))))
        {
            // The name may go on over more transliteration tokens
            // (`某列兹/尼奥夫`, `某莫拉/诺`).
            let mut end = t.end();
            while let Some(nx) = ctx.starting(end) {
                if nx.len() <= 4
                    && end - t.start() + nx.len() <= 8
                    && (nx.len() == 1 || nx.pos.is(tags!(Nr | Nrt | Nrfg | X | Nz)))
                    && ctx.chars[nx.start()..nx.end()]
                        .iter()
                        .all(|&c| is_transliteration(c))
                {
                    end = nx.end();
                } else {
                    break;
                }
            }
            out.push(Span::new(
                t.start(),
                end,
                EntityType::Per,
                Source::Rule,
                0.8,
            ));
            continue;
        }
        let mut pos = s;
        let mut first = true;
        while let Some(end) = name_at(ctx, pos) {
            // `某某/委员会`: a name is not followed by a body's head word.
            if ctx
                .starting(end)
                .is_some_and(|nx| ORG_HEADS_SET.has_tok(nx))
            {
                break;
            }
            // Later names of a list must end the way names do (`、`, `等`…).
            let closed = matches!(
                ctx.chars.get(end),
                None | Some('、' | ' ' | '\u{3000}' | '，' | '。' | '等' | '（' | '(' | '\n')
            ) || followed_by_cue(ctx, end);
            if !first && !closed {
                break;
            }
            out.push(Span::new(pos, end, EntityType::Per, Source::Rule, 0.85));
            first = false;
            match ctx.chars.get(end) {
                Some('、') | Some(' ') | Some('\u{3000}') => pos = end + 1,
                _ => break,
            }
        }
    }
    out
}

/// Speech and action verbs that follow a person's name.
const SPEECH_VERBS: &[&str] = &[
    "说", "表示", "指出", "强调", "介绍", "告诉", "认为", "主持", "出席", "汇报", "带领", "陪同",
    "含着", "特意", "拿到", "领到",
];

/// Person names right before a speech or action verb (`王某某指出`), from
/// jieba's segmentation.
pub fn names_before_verbs(ctx: &Ctx<'_>) -> Vec<Span> {
    let mut out = Vec::new();
    for (_, t) in ctx.hinted(Hint::SpeechVerb) {
        if !SPEECH_VERBS_SET.has_tok(t) {
            continue;
        }
        if let Some(s) = name_ending_at(ctx, t.start()) {
            out.push(Span::new(s, t.start(), EntityType::Per, Source::Rule, 0.8));
        }
    }
    out
}

/// Names from jieba's `nr` tags (a model source). Chinese names must start
/// with a known surname; jieba's dictionary also tags many common words `nr`,
/// so a two-character dictionary word needs a context (a title, a cue or a
/// verb next to it) and a three-character one must not end in a common word
/// (`tag_of` gives the dictionary tag of a word). Transliterated names
/// (`nrt`, `nrfg`) are kept as they are.
pub fn model_names(
    ctx: &Ctx<'_>,
    is_word: &dyn Fn(&str) -> bool,
    tag_of: &dyn Fn(&str) -> Option<Pos>,
) -> Vec<Span> {
    let mut out = Vec::new();
    let toks = &ctx.toks;
    let context = |i: usize| {
        let next = toks.get(i + 1).map(|n| n.word).unwrap_or("");
        let prev = if i > 0 { toks[i - 1].word } else { "" };
        NAME_FOLLOWERS_SET.has(next)
            || TITLES.has(next)
            || TITLES.has(prev)
            || NAME_CUES_SET.has(prev)
    };
    // Only name-tagged tokens start a guess; a surname token with its
    // given name consumes the next token too.
    let mut skip_to = 0;
    for (i, &t) in ctx.hinted(Hint::TaggedName) {
        if i < skip_to {
            continue;
        }
        let n = t.len();
        if t.pos == Pos::Nr {
            let sl = surname_at(&ctx.chars, t.start());
            if n == 1 && sl == Some(1) {
                // Surname token followed by a one- or two-character given name.
                if let Some(t2) = toks.get(i + 1)
                    && (1..=2).contains(&t2.len())
                    && (t2.start()..t2.end()).all(|k| given_ok(ctx.chars[k]))
                    && t2.pos.is(tags!(Nr | X | Ng | Nz | A | Nrfg))
                {
                    out.push(Span::new(
                        t.start(),
                        t2.end(),
                        EntityType::Per,
                        Source::Model,
                        0.55,
                    ));
                    skip_to = i + 2;
                    continue;
                }
            } else if n == 3
                && sl == Some(1)
                && HONORIFICS
                    .iter()
                    .any(|h| h.chars().count() == 2 && t.word.ends_with(h))
            {
                // `某小姐`: the surname is the name, the rest a form of address.
                out.push(Span::new(
                    t.start(),
                    t.start() + 1,
                    EntityType::Per,
                    Source::Model,
                    0.55,
                ));
            } else if (2..=4).contains(&n) && sl.is_some_and(|l| l < n) {
                let known = is_word(t.word);
                // A two-character guess of jieba's HMM needs a weaker
                // context: a list, a role noun or a preposition before it.
                let weak_context = |i: usize| {
                    let prev = if i > 0 { toks[i - 1].word } else { "" };
                    let next = toks.get(i + 1).map_or("", |n| n.word);
                    let prev_last = prev.chars().last().unwrap_or(' ');
                    prev == "、"
                        || next == "、"
                        || (prev.chars().count() == 1
                            && char_list!("找把从对向给让被和与及同请派").has(prev_last))
                        || (prev.chars().count() >= 2
                            && i > 0
                            && toks[i - 1].pos == Pos::N
                            && char_list!("人家将员女儿子妻夫姐妹哥弟手生师友者").has(prev_last))
                };
                // No context at all: the guess must stand as a subject or a
                // possessor, before punctuation or a function word, and not
                // in a run of one-character tokens (a broken transliteration).
                let bare_ok = |i: usize| {
                    let prev_ok = i == 0 || {
                        let p = &toks[i - 1];
                        p.len() > 1 || !is_han(ctx.chars[p.start()])
                    };
                    prev_ok
                        && ctx.chars[t.start() + 1] != '某'
                        && toks.get(i + 1).is_some_and(|nx| {
                            matches!(nx.word, "：" | ":" | "（" | "(")
                                || (nx.len() == 1 && BARE_NAME_FOLLOWERS.contains(nx.word))
                        })
                };
                let ok = if !known {
                    n == 3 || context(i) || (n == 2 && (weak_context(i) || bare_ok(i)))
                } else if n == 2 || n == 4 {
                    context(i)
                } else if !context(i) && known_nr_is_thing(&ctx.chars[t.start()..t.end()]) {
                    false
                } else {
                    let given = &t.word[t
                        .word
                        .char_indices()
                        .nth(sl.unwrap_or(1))
                        .map_or(0, |(b, _)| b)..];
                    !is_word(given)
                        || tag_of(given).is_some_and(|g| {
                            g.is_name() || g.is(tags!(Ns | Nz | T | J))
                        })
                        // A given name that is also a noun (`某志民`) needs
                        // a name's place: before a function word, not after
                        // a verb or 的.
                        || (tag_of(given).is_some_and(|g| g.is(tags!(N | Ng)))
                            && toks.get(i + 1).is_some_and(|nx| {
                                (nx.len() == 1 && BARE_NAME_FOLLOWERS.contains(nx.word))
                                    || NAME_FOLLOWERS_SET.has_tok(nx)
                            })
                            && (i == 0 || !toks[i - 1].pos.is(tags!(V | Vn | Uj | A))))
                        || context(i)
                };
                // `智能化`, `金白银`: a common word inside is not a name.
                let common = |w: &str| is_word(w) && !tag_of(w).is_some_and(|g| g.is_name());
                let b2 = t
                    .word
                    .char_indices()
                    .nth(2)
                    .map_or(t.word.len(), |(b, _)| b);
                let b1 = t.word.char_indices().nth(1).map_or(0, |(b, _)| b);
                let weak =
                    char_list!("和向于从同与把在及对为将以由经万能").has(ctx.chars[t.start()]);
                let inner_word = n == 3
                    && !context(i)
                    && (common(&t.word[..b2])
                        || (!known
                            && tag_of(&t.word[b1..])
                                .is_some_and(|g| g.is(tags!(V | Vn | A | Ad | D | An))))
                        || (!known && weak));
                // A two-character guess of jieba's HMM: the given name may
                // go on into a one-character token (`某某/某`), and a place
                // or road suffix after it shows a place (`某某路`).
                let next = toks.get(i + 1);
                let after = |k: usize| ctx.chars.get(k).copied().unwrap_or('。');
                let mut end = t.end();
                // `真/金白银`: a one-character token before it makes a word
                // with the surname, and the given name is a word too.
                let split_idiom = n == 3
                    && i > 0
                    && toks[i - 1].len() == 1
                    && is_han(ctx.chars[toks[i - 1].start()])
                    && sl == Some(1)
                    && is_word(&format!("{}{}", toks[i - 1].word, ctx.chars[t.start()]))
                    && is_word(&t.word[ctx.chars[t.start()].len_utf8()..]);
                let mut guess_ok = !split_idiom;
                if !known {
                    let sl = sl.unwrap_or(1);
                    let prev_single = i > 0
                        && toks[i - 1].len() == 1
                        && is_han(ctx.chars[toks[i - 1].start()])
                        && !"和与及同向对给让被把由等、将跟找请派带送称为是"
                            .contains(ctx.chars[toks[i - 1].start()]);
                    // `某某/陶瓷`: a guess glued to a common noun names a brand.
                    let before_noun = n == 2
                        && toks.get(i + 1).is_some_and(|nx| {
                            nx.pos == Pos::N
                                && nx.len() >= 2
                                && !NAME_FOLLOWERS_SET.has_tok(nx)
                                && !TITLES.has_tok(nx)
                                && !nx.word.ends_with([
                                    '士', '夫', '长', '师', '员', '家', '生', '者', '手', '工',
                                ])
                        });
                    if (prev_single && n == 2)
                        || before_noun
                        || !(t.start() + sl..t.end()).all(|k| given_ok(ctx.chars[k]))
                    {
                        guess_ok = false;
                    }
                }
                if !known && n == 2 {
                    if let Some(nx) = next
                        && nx.len() == 1
                        && given_ok(ctx.chars[nx.start()])
                        && !char_list!("路街村镇线区县市省乡家号队").has(ctx.chars[nx.start()])
                        && nx.pos.is(tags!(Ng | N | X | Nr | Ns | A | Ag | Nz))
                        && (!is_han(after(nx.end()))
                            || toks
                                .get(i + 2)
                                .is_some_and(|a| a.len() > 1 || NAME_FOLLOWERS_SET.has_tok(a)))
                    {
                        end = nx.end();
                    } else if next.is_some_and(|nx| {
                        char_list!("路街村镇线区县市省乡家号队").has(ctx.chars[nx.start()])
                    }) {
                        guess_ok = false;
                    }
                }
                if ok && !inner_word && guess_ok {
                    out.push(Span::new(
                        t.start(),
                        end,
                        EntityType::Per,
                        Source::Model,
                        0.6,
                    ));
                }
            } else if n >= 5
                && let Some(l) = sl
                && let Some((b, _)) = t.word.char_indices().nth(n - 2)
                && is_word(&t.word[b..])
                && !tag_of(&t.word[b..]).is_some_and(|g| g.is_name())
                && n - 2 > l
            {
                // `某某某理论`: a name glued to a common word.
                out.push(Span::new(
                    t.start(),
                    t.end() - 2,
                    EntityType::Per,
                    Source::Model,
                    0.55,
                ));
            } else if n >= 3
                && sl.is_none()
                && ctx.chars[t.start()..t.end()]
                    .iter()
                    .all(|&c| is_transliteration(c))
                && (!is_word(t.word) || context(i))
            {
                out.push(Span::new(
                    t.start(),
                    t.end(),
                    EntityType::Per,
                    Source::Model,
                    0.5,
                ));
            } else if n == 2 && sl.is_none() && context(i) {
                out.push(Span::new(
                    t.start(),
                    t.end(),
                    EntityType::Per,
                    Source::Model,
                    0.45,
                ));
            }
        } else if t.pos.is(tags!(Nrt | Nrfg))
            && (n >= 3 || (n == 2 && context(i)))
            && (surname_at(&ctx.chars, t.start()).is_some()
                || ctx.chars[t.start()..t.end()]
                    .iter()
                    .all(|&c| is_transliteration(c)))
        {
            // `某莫拉/诺`: a last transliteration syllable jieba split off.
            let end = match toks.get(i + 1) {
                Some(nx)
                    if nx.len() == 1
                        && is_transliteration(ctx.chars[nx.start()])
                        && toks.get(i + 2).is_none_or(|a| {
                            a.len() > 1 || !is_transliteration(ctx.chars[a.start()])
                        }) =>
                {
                    nx.end()
                }
                _ => t.end(),
            };
            out.push(Span::new(
                t.start(),
                end,
                EntityType::Per,
                Source::Model,
                0.5,
            ));
        }
    }
    // A word no person is followed by (`某某现象`, `某某问题`, `某某等地`):
    // before a place word the guess is a place, otherwise nothing.
    out.retain_mut(|sp| {
        let next = ctx.starting(sp.end).map_or("", |nx| nx.word);
        if PLACE_FOLLOWERS_SET.has(next) || ctx.has_at(sp.end, "等地") {
            // An administrative or river suffix is part of the name.
            if matches!(next, "州" | "省" | "市" | "县" | "大区" | "河") {
                sp.end += next.chars().count();
            }
            sp.label = EntityType::Loc;
            sp.confidence = 0.45;
            return true;
        }
        !NOT_PERSON_FOLLOWERS_SET.has(next)
    });
    out
}

/// Words that do not follow a person's name: a name guess before them is
/// a place, a body, a brand or a phenomenon.
const NOT_PERSON_FOLLOWERS: &[&str] = &[
    "现象",
    "问题",
    "争端",
    "组织",
    "国家",
    "各国",
    "产油国",
    "成员国",
    "政府",
    "军队",
    "地区",
    "境内",
    "一带",
    "汽车",
    "轿车",
    "公司",
    "集团",
    "决议",
    "小镇",
    "大区",
    "河",
    "州",
    "省",
    "市",
    "县",
    "牌",
    "型",
];

/// Of [`NOT_PERSON_FOLLOWERS`], those that follow a place.
const PLACE_FOLLOWERS: &[&str] = &[
    "问题",
    "争端",
    "国家",
    "各国",
    "产油国",
    "成员国",
    "地区",
    "境内",
    "一带",
    "小镇",
    "大区",
    "河",
    "州",
    "省",
    "市",
    "县",
    "军队",
    "政府",
];

/// Last characters of things, not people (`某可证`, `某全性`, `某伯杯`).
const THING_ENDINGS: CharList = CharList::new("证性车杯器机票卡费率型式品物剂药症赛奖菌");

/// Whether a three-character word jieba's dictionary tags as a name is a
/// thing or a phrase: it ends like a thing, has a numeral or a negation in
/// the given name (`某战三捷`, `某不丁`), or starts with a preposition-like
/// surname before a word (`和某山`).
fn known_nr_is_thing(name: &[char]) -> bool {
    let [a, b, c] = name else { return false };
    THING_ENDINGS.has(*c)
        || char_list!("一二三四五六七八九十两不").has(*b)
        || (char_list!("和向于从同与把在及对为将以由经").has(*a)
            && char_list!("山河江湖省市县").has(*c))
}

/// Posts that news writes after a bare surname for a state leader
/// (`某主席`, `某总理`).
const LEADER_POSTS: &[&str] = &[
    "主席",
    "总理",
    "总书记",
    "委员长",
    "副主席",
    "副总理",
    "总统",
];

/// A state leader by surname and post in one token (`某主席`): the
/// surname is the person. A doctrine named after a person (`某某某主义`,
/// transliterated): the name is the person.
pub fn surnames_with_posts(ctx: &Ctx<'_>) -> Vec<Span> {
    let mut out = Vec::new();
    for (_, t) in ctx.hinted(Hint::LeaderPost) {
        // Both cases below have three characters or more.
        if t.len() < 3 {
            continue;
        }
        let c0 = ctx.chars[t.start()];
        let rest = &t.word[c0.len_utf8()..];
        if LEADER_POSTS_SET.has(rest) && is_single_surname(c0) {
            out.push(Span::new(
                t.start(),
                t.start() + 1,
                EntityType::Per,
                Source::Rule,
                0.6,
            ));
        } else if let Some(name) = t.word.strip_suffix("主义")
            && name.chars().count() >= 3
            && name.chars().all(is_transliteration)
        {
            let n = name.chars().count();
            out.push(Span::new(
                t.start(),
                t.start() + n,
                EntityType::Per,
                Source::Rule,
                0.6,
            ));
        }
    }
    out
}

/// Common words of a surname character and 老 (not `某老`, an honorific).
const OLD_WORDS: &[&str] = &[
    "元老",
    "长老",
    "父老",
    "古老",
    "养老",
    "敬老",
    "尊老",
    "终老",
    "衰老",
    "苍老",
    "遗老",
    "到老",
    "白头偕老",
];

/// Honorifics after a bare surname (`某先生`, `某老`).
const HONORIFICS: &[&str] = &["先生", "小姐", "女士", "老", "夫人", "太太"];

/// A bare surname with an honorific (`某先生`, `某老说`): the surname is the
/// person.
pub fn surnames_with_honorifics(ctx: &Ctx<'_>) -> Vec<Span> {
    let mut out = Vec::new();
    let toks = &ctx.toks;
    for (i, t) in ctx.hinted(Hint::Surname) {
        let first = ctx.chars[t.start()];
        // `和/夫人`: a conjunction, not a surname.
        if !is_single_surname(first) || char_list!("和与同跟向及").has(first) {
            continue;
        }
        let rest = &t.word[first.len_utf8()..];
        // `元老`: a word, not a surname and an honorific.
        let glued = HONORIFICS_SET.has(rest)
            && !OLD_WORDS.contains(&t.word)
            && (rest != "老"
                || toks
                    .get(i + 1)
                    .is_none_or(|a| NAME_FOLLOWERS_SET.has_tok(a) || !ctx.all_han(a)));
        let split = rest.is_empty()
            && toks.get(i + 1).is_some_and(|n| {
                HONORIFICS_SET.has_tok(n)
                    && (n.word != "老"
                        || toks
                            .get(i + 2)
                            .is_none_or(|a| NAME_FOLLOWERS_SET.has_tok(a) || !ctx.all_han(a)))
            });
        let before_ok = i == 0 || !ctx.han_at(t.start() - 1) || toks[i - 1].len() > 1;
        if (glued || split) && before_ok {
            out.push(Span::new(
                t.start(),
                t.start() + 1,
                EntityType::Per,
                Source::Rule,
                0.6,
            ));
        }
    }
    out
}

/// Separators between the parts of a transliterated name (`某某·某某`).
/// Whether `c` is a dot between the parts of a transliterated name
/// (`·•・‧`; a `match`: this runs on every character).
fn is_name_dot(c: char) -> bool {
    matches!(c, '·' | '•' | '・' | '‧')
}

/// Transliterated foreign names written with a middle dot (`卡某·某某特`):
/// runs of transliteration characters (at most seven) joined by dots, cut
/// at token boundaries on the outer ends.
pub fn dotted_names(ctx: &Ctx<'_>) -> Vec<Span> {
    let chars = &ctx.chars;
    let n = chars.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        if !is_name_dot(chars[i]) {
            i += 1;
            continue;
        }
        // Left part.
        let mut l = i;
        while l > 0 && i - l < 7 && is_transliteration(chars[l - 1]) {
            l -= 1;
        }
        let Some(start) = (l..i).find(|&p| p == 0 || ctx.tok_starting[p] != NO_TOK) else {
            i += 1;
            continue;
        };
        // Following parts.
        let mut end = i;
        let mut j = i;
        loop {
            let mut r = j + 1;
            while r < n && r - j <= 7 && is_transliteration(chars[r]) {
                r += 1;
            }
            if r == j + 1 {
                break;
            }
            if r < n && is_name_dot(chars[r]) {
                end = r;
                j = r;
                continue;
            }
            // A last part running into a longer token is cut at that
            // token's start (`某某·安南希望`), unless only a verb or a
            // particle follows (`某某·某斯说`).
            end = r;
            if ctx.tok_ending[r] == NO_TOK
                && let Some(ts) = (j + 1..r).rev().find(|&p| ctx.tok_starting[p] != NO_TOK)
            {
                let tk = &ctx.toks[ctx.tok_starting[ts] as usize];
                let tail = tk.end().saturating_sub(r);
                if !(tail == 1 && char_list!("说在和等的与是及将已也").has(chars[r])) && ts > j + 1
                {
                    end = ts;
                }
            }
            break;
        }
        if end > i + 1 && i - start >= 1 {
            out.push(Span::new(start, end, EntityType::Per, Source::Rule, 0.8));
        }
        i = end.max(i + 1);
    }
    out
}

/// Foreign names that jieba breaks into several name tokens (`某斯/某夫`,
/// `某/某斯`): a run of two or more adjacent `nr`/`nrt`/`nrfg` tokens
/// written only in transliteration characters, three characters or more,
/// is one person. A name token that is a Chinese surname plus given name
/// (`王/某`) does not start a run.
pub fn transliteration_runs(ctx: &Ctx<'_>) -> Vec<Span> {
    let toks = &ctx.toks;
    let name_tok = |t: &Tok<'_>| {
        t.pos.is(tags!(Nr | Nrt | Nrfg))
            && (t.start()..t.end()).all(|k| is_transliteration(ctx.chars[k]))
    };
    let mut out = Vec::new();
    // A run starts at a name-tagged token; a run's tokens start no other.
    let mut next = 0;
    for (i, t) in ctx.hinted(Hint::TaggedName) {
        if i < next || !name_tok(t) {
            continue;
        }
        let mut j = i + 1;
        while j < toks.len() && name_tok(&toks[j]) && j - i < 4 {
            j += 1;
        }
        let len = toks[j - 1].end() - toks[i].start();
        // One token with a run after it is enough if the run has a
        // transliteration-only `nrt` in it.
        let has_nrt = toks[i..j].iter().any(|t| t.pos == Pos::Nrt);
        if j - i >= 2 && (3..=10).contains(&len) && (has_nrt || len >= 4) {
            out.push(Span::new(
                toks[i].start(),
                toks[j - 1].end(),
                EntityType::Per,
                Source::Rule,
                0.7,
            ));
        }
        next = j;
    }
    out
}

// ---- bylines ----------------------------------------------------------------

/// Byline roles, longest first.
const BYLINE_ROLES: &[&str] = &[
    "本报记者",
    "见习记者",
    "特约记者",
    "实习记者",
    "记者",
    "通讯员",
    "实习生",
    "摄影",
    "编辑",
];

/// Bylines: `记者 某某某 某某时报 某某某`, `通讯员 某某 某某某 文/图`: the role
/// is a TITLE, space-separated names are PER, media names ORG (also a media
/// name glued before the role, `某报融媒记者`).
pub fn bylines(ctx: &Ctx<'_>) -> Vec<Span> {
    let chars = &ctx.chars;
    let n = chars.len();
    let mut out = Vec::new();
    let (starts, seconds): (&CharSet, &CharSet) = (&BYLINE_STARTS, &BYLINE_SECONDS);
    let mut pos = 0;
    while pos < n {
        let Some(k) = chars[pos..].iter().position(|&c| starts.has(c)) else {
            break;
        };
        pos += k;
        if !chars.get(pos + 1).is_some_and(|&c| seconds.has(c)) {
            pos += 1;
            continue;
        }
        let Some(role) = BYLINE_ROLES.iter().find(|r| ctx.has_at(pos, r)) else {
            pos += 1;
            continue;
        };
        let rlen = role.chars().count();
        let role_end = pos + rlen;
        // What follows: optional spaces then a name.
        let mut p = role_end;
        while p < n && is_space(chars[p]) {
            p += 1;
        }
        let spaced = p > role_end;
        let mut names = Vec::new();
        let mut q = p;
        loop {
            let ws = q;
            let mut we = ws;
            while we < n && is_han(chars[we]) {
                we += 1;
            }
            let wlen = we - ws;
            if wlen == 0 {
                break;
            }
            let word = ctx.text(ws, we);
            let delimited = we >= n || !is_han(chars[we]);
            let name_len_ok = match surname_at(chars, ws) {
                Some(2) => (3..=4).contains(&wlen),
                Some(_) => (2..=3).contains(&wlen),
                None => false,
            };
            if spaced && delimited && name_len_ok {
                names.push(Span::new(ws, we, EntityType::Per, Source::Rule, 0.9));
            } else if spaced && delimited && is_media(&word) {
                names.push(Span::new(ws, we, EntityType::Org, Source::Rule, 0.85));
            } else if BYLINE_ROLES.contains(&word.as_str()) {
                names.push(Span::new(ws, we, EntityType::Title, Source::Rule, 0.9));
            } else if !spaced && names.is_empty() {
                // `记者某某某说`: a glued name.
                if let Some(e) = name_at(ctx, ws) {
                    names.push(Span::new(ws, e, EntityType::Per, Source::Rule, 0.8));
                }
                break;
            } else {
                break;
            }
            q = we;
            let mut sp = q;
            while sp < n && is_space(chars[sp]) {
                sp += 1;
            }
            if sp == q || sp >= n {
                break;
            }
            q = sp;
        }
        if names.iter().any(|s| s.label == EntityType::Per) {
            out.push(Span::new(
                pos,
                role_end,
                EntityType::Title,
                Source::Rule,
                0.9,
            ));
            // A media name glued before the role.
            let mut ms = pos;
            let mut media = None;
            while ms > 0 && is_han(chars[ms - 1]) && pos - ms < 8 {
                ms -= 1;
                if is_media(&ctx.text(ms, pos)) && ctx.tok_starting[ms] != NO_TOK {
                    media = Some(ms);
                }
            }
            if let Some(ms) = media {
                out.push(Span::new(ms, pos, EntityType::Org, Source::Rule, 0.85));
            }
            out.extend(names);
        }
        pos = role_end;
    }
    out
}

// ---- places -------------------------------------------------------------------

/// Place suffixes for administrative units, longest first.
pub const PLACE_SUFFIXES: &[&str] = &[
    "街道",
    "社区",
    "自治州",
    "自治县",
    "村",
    "镇",
    "乡",
    "县",
    "市",
    "区",
    "省",
    "州",
    "旗",
];

/// Words that end with a place suffix but are not names of a place, or
/// prefixes that make a generic noun (贫困村, 全市, 该镇).
const GENERIC_PLACE_PREFIXES: &[&str] = &[
    "贫困",
    "全",
    "该",
    "本",
    "各",
    "每",
    "此",
    "这",
    "那",
    "城",
    "农",
    "乡",
    "外",
    "邻",
    "城市",
    "农村",
    "新农",
    "两",
    "下",
    "上",
    "山",
    "老",
    "郊",
    "边",
    "辖",
    "园",
    "景",
    "开发",
    "集聚",
    "示范",
    "试验",
    "自贸",
    "新",
    "灾",
    "牧",
    "林",
    "矿",
    "市",
    "县",
    "镇",
    "社",
    "街",
    "都",
    "超",
    "股",
    "门",
    "夜",
    "省",
    "家",
    "故",
    "返",
    "重点",
    "薄弱",
    "软弱涣散",
    "先进",
    "后进",
    "文明",
    "卫生",
    "美丽",
    "特色",
    "行政",
    "自然",
    "试点",
    "整",
    "入",
    "进",
    "驻",
    "包",
    "到",
    "在",
    "出",
    "回",
    "离",
    "跨",
    "兄弟",
    "友邻",
    "周边",
    "所在",
    "相关",
    "城关",
    "山区",
    "村",
    "小",
    "大",
    "一",
    "二",
    "三",
    "几",
    "多",
    "个",
    "同",
    "近",
    "远",
    "其",
    "我",
    "你",
    "他",
    "本地",
    "当地",
    "外地",
    "异地",
    "各地",
    "湾区",
    "社会",
    "城乡",
    "县乡",
    "乡村",
    "市县",
    "省市",
    "地",
    "分",
];

fn place_prefix_ok(prefix: &str) -> bool {
    !prefix.is_empty()
        && prefix.chars().all(is_han)
        && !GENERIC_PLACE_PREFIXES_SET.has(prefix)
        && !prefix.ends_with('的')
}

fn tag_can_name(tag: Pos) -> bool {
    !tag.is(tags!(
        V | Vd
            | Vi
            | P
            | C
            | U
            | Uj
            | Ul
            | Uz
            | Ud
            | Ug
            | Uv
            | D
            | R
            | Rr
            | Rz
            | M
            | Mq
            | Q
            | F
            | T
            | Y
            | E
            | O
            | Zg
            | Ad
            | W
            | Df
            | K
            | H
    ))
}

/// Characters that end a place chain when scanning left from a suffix.
const PLACE_STOP_CHARS: &str =
    "的了在是和与及等对为从向到将把被由于而并或之这那其该各每全本此个两几多驻包因来去共至经";

/// Place names ending in an administrative suffix (`某某镇`, `某庄村`,
/// `某某路街道`, `某某社区`). The name is the run of name-like characters
/// before the suffix (at most four), stopping at a preceding place suffix
/// (`某镇某村` gives two places) or a function word, and starting at a token
/// boundary. The piece right before the suffix must not be a generic word; a
/// dictionary word not tagged as a name needs a list or chain context
/// (`、`, `某镇某村`). `is_word` says whether a string is in the segmenter's
/// dictionary.
pub fn suffix_places(ctx: &Ctx<'_>, is_word: &dyn Fn(&str) -> bool) -> Vec<Span> {
    let mut out = Vec::new();
    let toks = &ctx.toks;
    let chars = &ctx.chars;
    let is_suffix_char = |c: char| char_list!("村镇乡县市区省州旗").has(c);
    for (i, t) in ctx.hinted(Hint::PlaceSuffix) {
        let Some(suf) = PLACE_SUFFIXES_SET.first_suffix_tok(t) else {
            continue;
        };
        let suf = &suf;
        // `某某地区` is a region named by its first part, not a unit.
        if t.word.ends_with("地区") || (t.word == "区" && i > 0 && toks[i - 1].word.ends_with('地'))
        {
            continue;
        }
        if t.pos.is(tags!(V | Vn | D | P | C | R | M | Q)) {
            continue;
        }
        let sfx = t.end() - suf.chars().count();
        // Scan left over name characters.
        let mut lim = sfx;
        while lim > 0 && sfx - lim < 4 {
            let c = chars[lim - 1];
            if !is_han(c)
                || PLACE_STOP_CHARS_SET.has(c)
                || is_suffix_char(c)
                || (lim >= 2 && (ctx.has_at(lim - 2, "街道") || ctx.has_at(lim - 2, "社区")))
            {
                break;
            }
            lim -= 1;
        }
        if lim == sfx {
            continue;
        }
        // `该镇`, `全村`: a demonstrative and a level word are no place.
        let chain = lim > 0
            && !(lim >= 2
                && PLACE_STOP_CHARS_SET.has(chars[lim - 2])
                && is_suffix_char(chars[lim - 1]))
            && (is_suffix_char(chars[lim - 1])
                || (lim >= 2 && (ctx.has_at(lim - 2, "街道") || ctx.has_at(lim - 2, "社区"))));
        // The longest start at a token boundary (or right after a chain
        // suffix, or inside the suffix token) whose token can be a name.
        let mut start = None;
        for p in lim..sfx {
            let tok_start = ctx.tok_starting[p] != NO_TOK;
            if !(tok_start || (p == lim && chain) || p >= t.start()) {
                continue;
            }
            if tok_start && p < t.start() && !(p == lim && chain) {
                let tk = &toks[ctx.tok_starting[p] as usize];
                let is_near = tk.end() == sfx;
                let proper = tk.pos.is(tags!(Ns | Nr | Nz | Nt | J | X | Nrt))
                    || tk.len() == 1
                    || !is_word(tk.word);
                // In a list of places (`、某某某村`) any noun or numeral
                // word may start the name (`牌坊/庄村`, `七里/井村`).
                let in_list = p > 0
                    && matches!(chars[p - 1], '、' | '与' | '和')
                    && tk.pos.is(tags!(N | M | S | F | A))
                    && (t.word == *suf || t.pos.is(tags!(Nr | Ns | Nz | X | Zg)));
                if !in_list && (!tag_can_name(tk.pos) || (!is_near && !proper)) {
                    continue;
                }
            }
            start = Some(p);
            break;
        }
        let Some(start) = start else { continue };
        let prefix: String = chars[start..sfx].iter().collect();
        if !place_prefix_ok(&prefix) {
            continue;
        }
        // The piece right before the suffix.
        let (near, near_tok) = if t.start() < sfx {
            (&t.word[..t.word.len() - suf.len()], Some(t))
        } else if i > 0 {
            (toks[i - 1].word, Some(&toks[i - 1]))
        } else {
            ("", None)
        };
        // A generic one-character piece (`山村`, `家村`) is fine after a
        // name token (`某/山村`, `某/家村`).
        let named_start = ctx.tok_starting[start] != NO_TOK
            && near_tok.is_some_and(|nt| start < nt.start())
            && toks[ctx.tok_starting[start] as usize]
                .pos
                .is(tags!(Nr | Ns | Nz | Nrt));
        if GENERIC_PLACE_PREFIXES_SET.has(near) && !(near.chars().count() == 1 && named_start) {
            continue;
        }
        let listed = chain
            || (start > 0 && matches!(chars[start - 1], '、' | '和' | '与'))
            || matches!(chars.get(t.end()), Some('、'));
        let named = near_tok.is_some_and(|x| x.pos.is(tags!(Ns | Nr | Nz | J | Nrt)));
        let dict = near.chars().count() >= 2 && is_word(near);
        let whole_dict = t.start() < sfx && is_word(t.word) && t.pos != Pos::Ns;
        if (dict && !named && !listed)
            || (whole_dict && !listed)
            || (sfx - start == 1 && !listed && !named)
        {
            continue;
        }
        out.push(Span::new(
            start,
            t.end(),
            EntityType::Loc,
            Source::Rule,
            0.75,
        ));
    }
    out
}

/// Landmark suffixes: a name token ending in one is a place.
const LANDMARK_SUFFIXES: CharList = CharList::new("郡堡宫寺庙岛阁矶湖河湾沟岭峰川顶原洲");

/// Suffixes too rare at the end of a Chinese given name to read a
/// surname-initial token ending in them as a person.
const STRONG_LANDMARK_SUFFIXES: CharList = CharList::new("郡堡宫寺庙岛阁矶湖湾沟");

/// Places that jieba tags as a person or an unknown noun (`某某宫`,
/// `某某岛`, `某某郡`): a token of three characters or more ending in a
/// landmark suffix. A token that starts with a surname must end in a
/// strong suffix (a given name may end in 峰 or 川); a common noun
/// (`大草原`) is not a name.
pub fn landmark_places(ctx: &Ctx<'_>, is_word: &dyn Fn(&str) -> bool) -> Vec<Span> {
    let mut out = Vec::new();
    for (_, t) in ctx.hinted(Hint::Landmark) {
        if t.len() < 3 {
            continue;
        }
        let last = ctx.chars[t.end() - 1];
        if !LANDMARK_SUFFIXES.has(last) {
            continue;
        }
        let name_tag = t.pos.is(tags!(Nr | Nrt | Nrfg));
        let noun_tag = t.pos.is(tags!(Nz | N)) && !is_word(t.word);
        if !(name_tag || noun_tag) || !ctx.all_han(t) {
            continue;
        }
        if surname_at(&ctx.chars, t.start()).is_some() && !STRONG_LANDMARK_SUFFIXES.has(last) {
            continue;
        }
        out.push(Span::new(
            t.start(),
            t.end(),
            EntityType::Loc,
            Source::Rule,
            0.65,
        ));
    }
    out
}

/// Bare names of places found with their suffix (`某某镇` → `某某`), as
/// places wherever they occur in the article.
pub fn place_short_names(ctx: &Ctx<'_>, places: &[Span]) -> Vec<Span> {
    let mut shorts: Vec<Span> = Vec::new();
    for p in places {
        let last = ctx.chars[p.end - 1];
        if p.end - p.start >= 3 && char_list!("镇乡县").has(last) {
            shorts.push(Span::new(
                p.start,
                p.end - 1,
                EntityType::Loc,
                Source::Rule,
                0.7,
            ));
        }
    }
    propagate(ctx, &shorts, EntityType::Loc)
        .into_iter()
        .map(|mut s| {
            s.source = Source::Gazetteer;
            s.confidence = 0.6;
            s
        })
        .collect()
}

/// Places from the gazetteer: a token, or two or three tokens together,
/// spelling a known division (`某某市`, `某某镇`, a country, a province's
/// short name). A single short-name token must be tagged as a name by jieba.
pub fn gazetteer_places(ctx: &Ctx<'_>, gaz: &Gazetteer) -> Vec<Span> {
    let mut out = Vec::new();
    let toks = &ctx.toks;
    let mut buf = String::new();
    for i in 0..toks.len() {
        // One cheap test of the first two characters for all three spans.
        let (s0, c0) = (toks[i].start(), ctx.chars[toks[i].start()]);
        if !is_han(c0)
            || !ctx
                .chars
                .get(s0 + 1)
                .is_some_and(|&c1| gaz.may_start_pair(c0, c1))
        {
            continue;
        }
        buf.clear();
        let mut best = None;
        let mut len = 0;
        for k in 0..3 {
            let Some(t) = toks.get(i + k) else { break };
            len += t.len();
            if len > gaz.max_chars() || !ctx.all_han(t) {
                break;
            }
            buf.push_str(t.word);
            if let Some(level) = gaz.get(&buf)
                && !NOT_PLACES_SET.has(buf.as_str())
            {
                // Countries, provinces and cities are names whatever jieba
                // tagged them (it tags some cities `nrt`, `n` or `d`).
                let single_ok = k > 0
                    || t.pos.is(tags!(Ns | Nz | J | Nr | Nt | X))
                    || (level != Level::Town
                        && level != Level::County
                        && !t.pos.is(tags!(V | P | C | R | M | Q | U | Uj)))
                    || PLACE_SUFFIXES_SET.ends_any_tok(t);
                if single_ok {
                    best = Some(t.end());
                }
            }
        }
        if let Some(end) = best {
            out.push(Span::new(
                toks[i].start(),
                end,
                EntityType::Loc,
                Source::Gazetteer,
                0.85,
            ));
        } else if let Some((a, b)) = split_known_places(&toks[i], gaz) {
            // One token holding two known places (`某省某市`).
            out.push(Span::new(
                a.0,
                a.1,
                EntityType::Loc,
                Source::Gazetteer,
                0.85,
            ));
            out.push(Span::new(
                b.0,
                b.1,
                EntityType::Loc,
                Source::Gazetteer,
                0.85,
            ));
        }
    }
    out
}

/// A place token that is two known places in a row (`某省某市`), split
/// after the first: both parts at least two characters and in the
/// gazetteer.
fn split_known_places(t: &Tok<'_>, gaz: &Gazetteer) -> Option<((usize, usize), (usize, usize))> {
    if t.pos != Pos::Ns || t.len() < 4 || gaz.get(t.word).is_some() {
        return None;
    }
    t.word
        .char_indices()
        .enumerate()
        .skip(2)
        .take_while(|(k, _)| t.len() - k >= 2)
        .find(|&(_, (b, _))| {
            gaz.get(&t.word[..b]).is_some_and(|l| l != Level::Town)
                && gaz.get(&t.word[b..]).is_some()
        })
        .map(|(k, _)| ((t.start(), t.start() + k), (t.start() + k, t.end())))
}

/// Places glued to a following word in one jieba token (`某国总理`,
/// `某省境内`): the token starts with a country, province or city from the
/// gazetteer and the rest is a dictionary word.
pub fn gazetteer_prefixes(
    ctx: &Ctx<'_>,
    gaz: &Gazetteer,
    is_word: &dyn Fn(&str) -> bool,
) -> Vec<Span> {
    let mut out = Vec::new();
    for t in &ctx.toks {
        let n = t.len();
        // Every prefix starts with the token's first two characters, so a
        // pair no name starts with rules them all out.
        if n < 3
            || !gaz.may_start_pair(ctx.chars[t.start()], ctx.chars[t.start() + 1])
            || t.pos.is(tags!(J | Ns | Nt))
            || gaz.get(t.word).is_some()
            || !ctx.all_han(t)
            || ORG_HEADS_SET.ends_any_tok(t)
        {
            continue;
        }
        // The longest prefix naming a country, province or city.
        let Some((chars, head_end)) = t
            .word
            .char_indices()
            .enumerate()
            .skip(2)
            .filter(|&(_, (b, _))| {
                let head = &t.word[..b];
                gaz.get(head)
                    .is_some_and(|l| !matches!(l, Level::Town | Level::County))
                    && !NOT_PLACES_SET.has(head)
            })
            .map(|(k, (b, _))| (k, b))
            .last()
        else {
            continue;
        };
        let rest = &t.word[head_end..];
        if is_word(rest) || TITLES.has(rest) {
            out.push(Span::new(
                t.start(),
                t.start() + chars,
                EntityType::Loc,
                Source::Gazetteer,
                0.8,
            ));
        }
    }
    out
}

/// One-character abbreviations of countries and provinces used in pairs
/// (`中美`, `京津`).
const PLACE_ABBREVIATIONS: &str = "中美日俄英法德韩朝印巴以埃澳加意西葡荷越泰菲蒙非欧亚港台京沪津渝苏浙皖闽赣鲁豫鄂湘粤桂琼川黔滇藏陕甘青宁疆";

/// Words after a pair of abbreviations that jieba keeps in one token
/// (`中美关系`, `某某等国`, `某某高原`).
const AFTER_PAIR: &[&str] = &[
    "关系", "两国", "等国", "三国", "地区", "高原", "铁路", "公路", "边境", "边界", "两地", "三地",
    "合作", "会谈", "友好", "贸易", "之间",
];

/// Kinds of a regional art or cuisine named by a one-character
/// abbreviation (`京剧`, `川菜`): the abbreviation is a place.
const ABBREVIATED_KINDS: CharList = CharList::new("剧戏菜韵腔曲");

/// Pairs of one-character place abbreviations tagged as a single word by
/// jieba (`中美关系` → 中, 美): each character is a place. Two country
/// abbreviations (`中日`, `中葡`) are a pair whatever jieba's tag; a place
/// abbreviation with a regional art (`京剧`) is a place.
pub fn abbreviation_pairs(ctx: &Ctx<'_>, gaz: &Gazetteer) -> Vec<Span> {
    let mut out = Vec::new();
    for (_, t) in ctx.hinted(Hint::PlaceAbbreviation) {
        if !(2..=6).contains(&t.len()) || !PLACE_ABBREVIATIONS_SET.has(ctx.chars[t.start()]) {
            continue;
        }
        let mut cs = t.word.char_indices();
        let (Some((_, c0)), Some((_, c1))) = (cs.next(), cs.next()) else {
            continue;
        };
        let rest = cs.next().map_or("", |(b, _)| &t.word[b..]);
        if t.len() == 2
            && PLACE_ABBREVIATIONS_SET.has(c0)
            && ABBREVIATED_KINDS.has(c1)
            && !t.pos.is_verb()
        {
            out.push(Span::new(
                t.start(),
                t.start() + 1,
                EntityType::Loc,
                Source::Rule,
                0.6,
            ));
            continue;
        }
        // `中美关系` is one dictionary word: look at its first two characters.
        let n = if t.len() >= 4 && AFTER_PAIR_SET.has(rest) {
            2
        } else {
            t.len()
        };
        let word = &t.word[..t
            .word
            .char_indices()
            .nth(n)
            .map_or(t.word.len(), |(b, _)| b)];
        let countries = n == 2
            && COUNTRY_ABBREVIATIONS_SET.has(c0)
            && COUNTRY_ABBREVIATIONS_SET.has(c1)
            && c0 != c1
            && !t.pos.is(tags!(V | Vn | A | D | M | Q | P | C | U | R));
        // `鲁/西亚/努小`: part of a transliteration jieba broke up.
        if (2..=3).contains(&n)
            && (countries
                || (t.pos.is(tags!(J | Ns | Nz | Nt))
                    && word.chars().all(|c| PLACE_ABBREVIATIONS_SET.has(c))
                    && gaz.get(word).is_none()))
            && !NOT_PLACES_SET.has(word)
            && !in_broken_transliteration(ctx, t)
        {
            for k in t.start()..t.start() + n {
                out.push(Span::new(k, k + 1, EntityType::Loc, Source::Rule, 0.6));
            }
        }
    }
    out
}

/// Common nouns that jieba's dictionary tags as places.
const NOT_PLACES: &[&str] = &[
    "美德",
    "中西",
    "城市",
    "和平",
    "各乡镇",
    "镇村",
    "镇区",
    "上门",
    "美化",
    "深度",
    "安宁",
    "青山",
    "示范区",
    "经济技术开发区",
    "产业集聚区",
    "集聚区",
    "文明城市",
    "满意度",
    "海洋",
    "山水",
    "山区",
    "大国",
    "外国",
    "两国",
    "各国",
    "黑洞",
    "治安",
    "大桥",
    "上半场",
    "下半场",
    "滑坡",
    "海关",
    "友谊",
    "福利",
    "白云",
    "海港",
    "海峡",
    "普及",
    "大街",
    "大城市",
    "小城镇",
    "开发区",
    "长达",
    "西瓜",
    "街道",
    "农村",
    "城乡",
    "山村",
    "郊区",
    "城区",
    "市区",
    "地区",
    "乡村",
    "乡镇",
    "城镇",
    "社区",
    "园区",
    "景区",
    "辖区",
    "灾区",
    "老区",
    "边区",
    "林区",
    "牧区",
    "矿区",
    "新区",
    "特区",
    "国外",
    "境外",
    "海外",
    "天下",
    "人间",
    "世界",
    "全球",
    "当地",
    "本地",
    "外地",
    "各地",
    "内地",
    "东方",
    "西方",
    "南方",
    "北方",
    "中原地区",
    "沿海",
    "内陆",
    "高原",
    "平原",
    "盆地",
    "大陆",
    "半岛",
    "岛屿",
    "山路",
    "山间",
    "田野",
    "港口",
    "机场",
    "车站",
    "广场",
    "公园",
    "大厦",
    "宾馆",
    "饭店",
    "会堂",
    "故乡",
    "家乡",
    "老家",
    "祖国",
    "国家",
    "大山",
    "高山",
    "冰山",
    "山洞",
    "山沟",
    "山坡",
    "山湾",
    "深山老林",
    "池塘",
    "深涧",
    "海滨",
    "火海",
    "大湖",
    "长河",
    "内河",
    "河口",
    "古都",
    "古庙",
    "小城",
    "大城市",
    "中小城市",
    "大中城市",
    "港口城市",
    "直辖市",
    "自治区",
    "百强县",
];

/// Country abbreviations that stand alone for the country.
const COUNTRY_ABBREVIATIONS: &str = "中美日俄英法德韩朝印巴以埃澳加意越泰菲蒙欧";

/// Words after which a one-character country abbreviation is a place
/// (`俄总统`, `中方`).
const AFTER_ABBREVIATION: &[&str] = &[
    "总统",
    "总理",
    "首相",
    "外长",
    "政府",
    "方面",
    "方",
    "军",
    "两国",
    "关系",
    "双方",
    "经贸",
    "合作",
    "建交",
    "友好",
    "边境",
    "领导人",
    "驻",
    "外交部",
    "国防部",
    "副总统",
    "副总理",
    "议会",
    "元首",
    "大使",
    "使馆",
];

/// Verbs after which `华` (China) or a country abbreviation is a place
/// (`访华`, `来华投资`).
const BEFORE_ABBREVIATION: &str = "访来对驻在赴抵离援侵反旅留返";

/// One-character country abbreviations used alone: a separate token
/// followed by a word such as 总统 or 方 (`俄总统`, `中方`), an
/// abbreviation + 方 word (`美方`), or a verb + 华 word (`访华`, `来华`).
pub fn abbreviation_singles(ctx: &Ctx<'_>) -> Vec<Span> {
    let mut out = Vec::new();
    let toks = &ctx.toks;
    for (i, t) in ctx.hinted(Hint::AbbreviationStart) {
        let first = ctx.chars[t.start()];
        if t.len() >= 2
            && COUNTRY_ABBREVIATIONS_SET.has(first)
            && AFTER_ABBREVIATION_SET.has(&t.word[first.len_utf8()..])
        {
            out.push(Span::new(
                t.start(),
                t.start() + 1,
                EntityType::Loc,
                Source::Rule,
                0.65,
            ));
            continue;
        }
        let (c0, c1) = match t.len() {
            1 => (first, None),
            2 => (first, Some(ctx.chars[t.start() + 1])),
            _ => continue,
        };
        let single_abbr = |k: usize| {
            toks.get(k).is_some_and(|n| {
                n.len() == 1
                    && n.word.chars().all(|c| PLACE_ABBREVIATIONS_SET.has(c))
                    && !n.pos.is(tags!(P | C | V | D | U | M | Q | R))
            })
        };
        match c1 {
            None if PLACE_ABBREVIATIONS_SET.has(c0) => {
                // `中、美`: a list goes on with another abbreviation or place.
                let listed = toks.get(i + 1).is_some_and(|n| n.word == "、")
                    && (single_abbr(i + 2) || toks.get(i + 2).is_some_and(|n| n.pos == Pos::Ns));
                let next_ok = COUNTRY_ABBREVIATIONS_SET.has(c0)
                    && (listed
                        || toks
                            .get(i + 1)
                            .is_some_and(|n| AFTER_ABBREVIATION_SET.has_tok(n)));
                // `中/美`, `日/俄`: two abbreviations side by side; or an
                // abbreviation jieba itself tags as a place or short form.
                // Not inside a run of one-character tokens (a transliteration
                // jieba broke up, `某西/亚`).
                let lone = |k: usize| {
                    toks.get(k)
                        .is_none_or(|n| n.len() > 1 || !is_han(ctx.chars[n.start()]))
                };
                // `日` is also a day (`27日/俄`): a number before it rules
                // the pair out, a number tag alone does not.
                let after_number = i > 0
                    && toks[i - 1].word.chars().last().is_some_and(|c| {
                        c.is_ascii_digit() || char_list!("一二三四五六七八九十〇零两").has(c)
                    });
                let tag_ok = !t.pos.is(tags!(P | C | V | D | U | Q | R))
                    && (t.pos != Pos::M || (c0 == '日' && !after_number));
                let pair = tag_ok
                    && ((single_abbr(i + 1) && lone(i + 2) && (i == 0 || lone(i - 1)))
                        || (i > 0 && single_abbr(i - 1) && lone(i + 1) && (i < 2 || lone(i - 2))));
                let tagged = t.pos.is(tags!(J | Ns)) && !char_list!("中法西亚非").has(c0);
                let prev_ok = i > 0
                    && toks[i - 1].word == "、"
                    && i > 1
                    && toks[i - 2].len() == 1
                    && toks[i - 2]
                        .word
                        .chars()
                        .all(|c| COUNTRY_ABBREVIATIONS_SET.has(c));
                if next_ok || prev_ok || pair || tagged {
                    out.push(Span::new(
                        t.start(),
                        t.end(),
                        EntityType::Loc,
                        Source::Rule,
                        0.65,
                    ));
                }
            }
            Some('方') if COUNTRY_ABBREVIATIONS_SET.has(c0) => {
                out.push(Span::new(
                    t.start(),
                    t.start() + 1,
                    EntityType::Loc,
                    Source::Rule,
                    0.65,
                ));
            }
            Some(c)
                if BEFORE_ABBREVIATION_SET.has(c0)
                    && (c == '华'
                        || COUNTRY_ABBREVIATIONS_SET.has(c)
                        || char_list!("京沪港澳台").has(c))
                    && c != '中'
                    && c != '以'
                    && c != '加'
                    && c != '意'
                    && c != '法'
                    && c != '英'
                    && c != '日' =>
            {
                out.push(Span::new(
                    t.start() + 1,
                    t.end(),
                    EntityType::Loc,
                    Source::Rule,
                    0.65,
                ));
            }
            _ => {}
        }
    }
    out
}

/// Currency names that jieba's dictionary tags as places with the country
/// (`某国马克`).
const CURRENCIES: &[&str] = &[
    "克朗",
    "马克",
    "卢比",
    "法郎",
    "卢布",
    "比索",
    "里拉",
    "英镑",
    "日元",
    "美元",
    "兰特",
    "第纳尔",
    "林吉特",
    "比塞塔",
    "盾",
    "元",
];

/// Whether a word jieba tags `ns` is a place: not a verb phrase ending in
/// 国 that no gazetteer knows (`建国`, `科教兴国`), not a currency, not
/// a room of a building (`馆里`).
fn dictionary_place_ok(word: &str, gaz: &Gazetteer) -> bool {
    // `馆里`, `各支部`: a room or a demonstrative, not a place.
    if word.starts_with(['馆', '各', '该', '每']) || word.ends_with('部') {
        return false;
    }
    if word.ends_with('国') && gaz.get(word).is_none() {
        return false;
    }
    if CURRENCIES_SET.ends_any(word) {
        return false;
    }
    true
}

/// Last characters of two-character place words: continents, regions,
/// rivers, seas, mountains, cities.
const SHORT_PLACE_ENDINGS: CharList =
    CharList::new("洲江河海湖山岛城关亚湾峡京平东南西北美尼桥陵丹");

/// jieba's dictionary tags many two-character phrases `ns` (`惠及`,
/// `广为`, `挪窝`, `南北`): an unknown two-character word is a place only
/// when it ends like one and is not a pair of directions, or stands in a
/// list.
fn short_dictionary_place_ok(ctx: &Ctx<'_>, t: &Tok<'_>) -> bool {
    let (a, b) = (ctx.chars[t.start()], ctx.chars[t.start() + 1]);
    let listed = (t.start() > 0 && ctx.chars[t.start() - 1] == '、')
        || ctx.chars.get(t.end()) == Some(&'、');
    // `东北`, `西南` are regions; `南北`, `东西` are not.
    if char_list!("东西南北").has(a)
        && char_list!("东西南北").has(b)
        && !(char_list!("东西").has(a) && char_list!("南北").has(b))
    {
        return false;
    }
    // `鲁/西亚/努小`: part of a transliteration jieba broke up.
    (listed || SHORT_PLACE_ENDINGS.has(b)) && !in_broken_transliteration(ctx, t)
}

/// Whether token `t` is a piece of a transliteration jieba broke up
/// (`鲁/西亚/努小`): a one-character name before it or a transliterated
/// name after it.
fn in_broken_transliteration(ctx: &Ctx<'_>, t: &Tok<'_>) -> bool {
    ctx.ending(t.start())
        .is_some_and(|p| p.len() == 1 && p.pos.is(tags!(Nr | Nrt)))
        || ctx
            .starting(t.end())
            .is_some_and(|nx| nx.pos.is(tags!(Nrt | Nrfg)))
}

/// Generic tails jieba glues to a place word.
const PLACE_TAILS: &[&str] = &["地区", "政府", "各国", "市民", "流域", "山水", "人民"];

/// jieba's own place tags (`ns`, two characters or more, not a common noun),
/// a dictionary source. A trailing `地区` is left out (`东北地区` → 东北).
pub fn dictionary_places(ctx: &Ctx<'_>, gaz: &Gazetteer) -> Vec<Span> {
    ctx.toks
        .iter()
        .filter(|t| t.pos == Pos::Ns && t.len() >= 2 && !NOT_PLACES_SET.has_tok(t))
        .filter_map(|t| {
            if !dictionary_place_ok(t.word, gaz) {
                // `某国马克`: the country before the currency.
                let c = CURRENCIES_SET.first_suffix_tok(t)?;
                let prefix = &t.word[..t.word.len() - c.len()];
                gaz.get(prefix)?;
                let n = prefix.chars().count();
                return Some(Span::new(
                    t.start(),
                    t.start() + n,
                    EntityType::Loc,
                    Source::Gazetteer,
                    0.8,
                ));
            }
            // `离京`, `赴沪`: a verb glued to a one-character place.
            let mut cs = t.word.chars();
            if let (Some(v), Some(p), None) = (cs.next(), cs.next(), cs.next())
                && BEFORE_ABBREVIATION_SET.has(v)
                && PLACE_ABBREVIATIONS_SET.has(p)
            {
                return Some(Span::new(
                    t.start() + 1,
                    t.end(),
                    EntityType::Loc,
                    Source::Dictionary,
                    0.7,
                ));
            }
            if t.len() == 2 && gaz.get(t.word).is_none() && !short_dictionary_place_ok(ctx, t) {
                return None;
            }
            // `某某地区`, `某国政府`, `某洲各国`, `某某流域`: the place without
            // the generic tail.
            let end = match PLACE_TAILS.iter().find(|s| t.word.ends_with(*s)) {
                Some(s) if t.len() >= s.chars().count() + 2 => t.end() - s.chars().count(),
                _ => t.end(),
            };
            Some(Span::new(
                t.start(),
                end,
                EntityType::Loc,
                Source::Dictionary,
                0.7,
            ))
        })
        .collect()
}

/// Heads of buildings and sites, which are places (`某某大厦`, `某某体育馆`).
const FACILITY_HEADS: &[&str] = &[
    "大会堂",
    "大厦",
    "体育馆",
    "体育场",
    "展览馆",
    "展览中心",
    "博物馆",
    "美术馆",
    "纪念馆",
    "大剧院",
    "剧院",
    "广场",
    "公园",
    "植物园",
    "动物园",
    "机场",
    "火车站",
    "车站",
    "码头",
    "大桥",
    "隧道",
    "寺",
    "宫",
    "庙",
    "塔",
    "阁",
    "楼",
    "亭",
];

/// Celestial bodies, places in news usage.
const CELESTIAL: &[&str] = &[
    "地球",
    "月球",
    "火星",
    "金星",
    "木星",
    "水星",
    "土星",
    "天王星",
    "海王星",
    "冥王星",
    "银河系",
    "太阳系",
];

/// Buildings and sites named by a place or a proper name and a facility
/// head (`某某大厦`, `某市体育馆`), and celestial bodies: places. A token
/// that jieba tags as an organisation but ends in a facility head is a
/// place too.
pub fn facilities(ctx: &Ctx<'_>, is_word: &dyn Fn(&str) -> bool, in_place: &[bool]) -> Vec<Span> {
    let mut out = Vec::new();
    let toks = &ctx.toks;
    for (j, t) in ctx.hinted(Hint::Facility) {
        if CELESTIAL_SET.has_tok(t) {
            out.push(Span::new(
                t.start(),
                t.end(),
                EntityType::Loc,
                Source::Rule,
                0.7,
            ));
            continue;
        }
        let Some(head) = FACILITY_HEADS_SET.first_suffix_tok(t) else {
            continue;
        };
        let head = &head;
        let hlen = head.chars().count();
        let named = |x: &Tok<'_>| {
            x.pos.is(tags!(Ns | Nz | Nt | J | Nrt | Nr))
                || (x.start()..x.end()).all(|k| in_place[k])
                || (x.len() >= 2 && !is_word(x.word) && ctx.all_han(x))
        };
        if t.len() > hlen {
            // One token: `某某大厦` tagged as a name or organisation.
            if t.pos.is(tags!(Nt | Ns | Nz)) && t.len() >= hlen + 2 {
                out.push(Span::new(
                    t.start(),
                    t.end(),
                    EntityType::Loc,
                    Source::Rule,
                    0.75,
                ));
            }
            continue;
        }
        if hlen == 1 || j == 0 {
            continue;
        }
        let p = &toks[j - 1];
        if !named(p) {
            continue;
        }
        let mut start = p.start();
        if j >= 2
            && named(&toks[j - 2])
            && (toks[j - 2].start()..toks[j - 2].end()).all(|k| in_place[k])
        {
            start = toks[j - 2].start();
        }
        out.push(Span::new(
            start,
            t.end(),
            EntityType::Loc,
            Source::Rule,
            0.75,
        ));
    }
    out
}

/// Ministries and bureaus inside a post word (`某国财政部长` → ORG
/// `某国财政部`): a token ending in 部长 or 局长 whose stem is a
/// department, extended left over places. Party departments
/// (`组织部长`) stay posts.
pub fn orgs_in_posts(ctx: &Ctx<'_>, in_place: &[bool]) -> Vec<Span> {
    let mut out = Vec::new();
    let toks = &ctx.toks;
    for (j, t) in ctx.hinted(Hint::Chief) {
        // Every post this rule splits ends in 长.
        if !t.word.ends_with('长') {
            continue;
        }
        // `某国 农林 部长`, `某洲 发展 银行行长`: a place, one or two field
        // words, then the post.
        let bank = t.word.ends_with("银行行长");
        if matches!(t.word, "部长" | "局长") || bank {
            let mut k = j;
            let mut fields = 0;
            while k > 0
                && fields < 2
                && toks[k - 1].pos.is(tags!(N | Vn | J | Nz))
                && toks[k - 1].len() >= 2
                && !toks[k - 1]
                    .word
                    .ends_with(['局', '部', '委', '办', '院', '厅'])
                && !place_token(&toks[k - 1], in_place)
            {
                k -= 1;
                fields += 1;
            }
            if (fields > 0 || bank) && k > 0 && place_token(&toks[k - 1], in_place) {
                let mut start = toks[k - 1].start();
                while k > 1 && place_token(&toks[k - 2], in_place) {
                    k -= 1;
                    start = toks[k - 1].start();
                }
                let end = if bank { t.end() - 2 } else { t.end() - 1 };
                out.push(Span::new(start, end, EntityType::Org, Source::Rule, 0.7));
            }
            continue;
        }
        if t.len() < 4
            || !(t.word.ends_with("部长") || t.word.ends_with("局长"))
            || t.word.starts_with("副")
            || matches!(t.word, "组织部长" | "宣传部长" | "统战部长")
            || !ctx.all_han(t)
        {
            continue;
        }
        let mut start = t.start();
        let mut k = j;
        while k > 0 {
            let p = &toks[k - 1];
            if place_token(p, in_place) {
                start = p.start();
                k -= 1;
            } else {
                break;
            }
        }
        if k > 0 && toks[k - 1].word.ends_with('委') {
            continue;
        }
        out.push(Span::new(
            start,
            t.end() - 1,
            EntityType::Org,
            Source::Rule,
            0.7,
        ));
    }
    out
}

// ---- organisations ------------------------------------------------------------

/// Head words that end an organisation's name, longest first.
pub const ORG_HEADS: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "人大常委会",
    "有限公司",
    "委员会",
    "管委会",
    "村委会",
    "居委会",
    "党工委",
    "党支部",
    "总支部",
    "办事处",
    "总领事馆",
    "领事馆",
    "大使馆",
    "使馆",
    "总厂",
    "办公室",
    "服务中心",
    "卫生院",
    "研究院",
    "研究所",
    "派出所",
    "检察院",
    "总工会",
    "联合会",
    "基金会",
    "出版社",
    "电视台",
    "广播电台",
    "人民政府",
    "集团",
    "公司",
    "合作社",
    "支部",
    "党委",
    "党组",
    "工委",
    "纪委",
    "政协",
    "人大",
    "政府",
    "中心",
    "医院",
    "学校",
    "小学",
    "中学",
    "大学",
    "学院",
    "法院",
    "银行",
    "协会",
    "学会",
    "商会",
    "工会",
    "联盟",
    "报社",
    "女队",
    "男队",
    "球队",
    "俱乐部",
    "代表团",
    "艺术团",
    "集训队",
    "总会",
    "中队",
    "大队",
    "支队",
    "总队",
    "局",
    "厂",
    "厅",
    "委",
    "办",
    "院",
    "所",
    "部",
    "处",
    "科",
    "站",
    "社",
    "党",
    "署",
];

/// Whether `word` ends in a generic head word of two characters or more
/// other than `head` (suffix lookups in a set, not a scan of the list).
fn generic_head_suffix(word: &str, head: &str) -> bool {
    word.char_indices().rev().skip(1).take(5).any(|(b, _)| {
        let suffix = &word[b..];
        suffix != head && GENERIC_HEAD_WORDS_SET.has(suffix)
    })
}

/// Words ending in a head word that are not organisations.
const GENERIC_HEAD_WORDS: &[&str] = &[
    "政局",
    "当局",
    "工厂",
    "上市公司",
    "加油站",
    "新格局",
    "大部",
    "交界处",
    "总部",
    "结局",
    "部署",
    "大院",
    "各党",
    "格局",
    "布局",
    "全局",
    "大局",
    "局面",
    "内部",
    "外部",
    "全部",
    "局部",
    "干部",
    "中部",
    "东部",
    "西部",
    "南部",
    "北部",
    "部分",
    "好处",
    "到处",
    "之处",
    "难处",
    "相处",
    "各处",
    "此处",
    "深处",
    "场所",
    "住所",
    "厕所",
    "处所",
    "网站",
    "队伍",
    "团队",
    "入党",
    "建党",
    "全党",
    "我党",
    "本党",
    "两委",
    "政党",
    "庭院",
    "书院",
    "一处",
    "所",
    "部",
    "处",
    "院",
    "办",
    "委",
    "局",
    "队",
    "社",
    "站",
    "科",
    "党",
    "署",
    "厅",
    "举办",
    "主办",
    "承办",
    "创办",
    "开办",
    "兴办",
    "包办",
    "督办",
    "代办",
    "查办",
    "合办",
    "协办",
    "筹办",
    "领办",
    "操办",
    "怎么办",
    "基部",
    "头部",
    "腹部",
    "背部",
    "胸部",
    "面部",
    "足部",
    "根部",
    "顶部",
    "底部",
    "尾部",
    "上部",
    "下部",
    "细部",
    "本部",
    "支部",
    "组织",
    "中心",
    "政府",
    "单位",
    "部队",
    "军队",
    "大学",
    "中学",
    "小学",
    "学校",
    "医院",
    "公司",
    "银行",
    "集团",
    "工会",
    "学院",
    "社区",
    "学科",
    "专科",
    "本科",
    "工科",
    "理科",
    "文科",
    "外科",
    "内科",
    "牙科",
    "眼科",
    "教科",
    "百科",
    "转站",
    "车站",
    "驿站",
    "小站",
    "总站",
    "之所",
    "何所",
    "无所",
    "诊所",
    "哨所",
    "寓所",
    "处处",
    "判处",
    "论处",
    "所处",
    "身处",
    "地处",
    "共处",
    "独处",
    "联办",
    "党办",
    "特办",
];

/// Tokens allowed inside an organisation name when they are verbs
/// (`监督所`, `服务中心`, `执法局`).
const ORG_VERBS: &[&str] = &[
    "监督", "服务", "管理", "执法", "预防", "控制", "规划", "建设", "发展", "改革", "保障", "监察",
    "检验", "检疫", "研究", "开发", "投资", "交易", "经营", "运输", "生产", "制造", "加工", "培训",
    "促进", "保护", "出版", "咨询", "设计", "养殖", "种植", "信访", "扶贫", "攻坚", "督导", "防治",
    "审计", "统计", "招商", "环保", "卫生", "计生", "监测", "调查", "考核", "督查", "维修", "置业",
];

/// Words that cut an organisation candidate wherever they are: the name
/// starts after them (`科教企业某某公司`).
const ORG_CUT_WORDS: &[&str] = &[
    "企业", "单位", "部门", "帮扶", "联村", "成立", "召开", "负责", "领导", "主要", "其他", "所有",
    "每个", "驻村", "确定",
];

/// Leading words dropped from an organisation candidate.
const ORG_STOP_PREFIXES: &[&str] = &[
    "全市", "全县", "全省", "全区", "全镇", "全乡", "全村", "全国", "各级", "相关", "有关", "各",
    "全", "该", "本", "其", "每一", "市直", "县直", "镇直", "驻村", "原", "现", "每个", "所有",
    "其他", "主要", "领导", "负责", "成立", "召开", "组织", "部门", "单位", "机关", "企业", "帮扶",
    "联村",
];

/// Whether a token names something (a proper noun or an unknown word) rather
/// than being a common noun, for the organisation rule.
fn proper_token(t: &Tok<'_>, is_word: &dyn Fn(&str) -> bool) -> bool {
    t.pos
        .is(tags!(Ns | Nr | Nrt | Nrfg | Nz | Nt | J | X | Eng))
        || matches!(
            t.word,
            "市" | "县"
                | "区"
                | "省"
                | "镇"
                | "乡"
                | "村"
                | "州"
                | "中共"
                | "市委"
                | "县委"
                | "省委"
                | "区委"
                | "市政府办"
                | "市政府"
                | "县政府"
                | "区政府"
                | "镇政府"
                | "乡政府"
                | "县政府办"
                | "区政府办"
                | "自治区"
                | "国际"
                | "世界"
                | "全球"
                | "中华"
                | "中央"
        )
        || (t.len() >= 2 && !is_word(t.word))
}

fn org_token_ok(t: &Tok<'_>) -> bool {
    if !t.word.chars().all(is_han) {
        return false;
    }
    if matches!(
        t.word,
        "市" | "县" | "区" | "省" | "镇" | "乡" | "村" | "州" | "中共"
    ) {
        return true;
    }
    if t.pos == Pos::V {
        return ORG_VERBS_SET.has_tok(t);
    }
    if t.pos == Pos::Vn {
        return true;
    }
    // A count is no part of a name, a word starting with a numeral
    // character may be (`五金`, `三峡`).
    let numeral_start = t
        .word
        .starts_with(|c: char| char_list!("一二三四五六七八九十两几数多").has(c));
    let counts = t
        .word
        .chars()
        .nth(1)
        .is_some_and(|c| char_list!("国个家名位项条所座种次年届方岸地省市县级批件大").has(c));
    let named_word = t.pos.is(tags!(N | Nz | Ns | Nr | Nt | J)) && !counts;
    tag_can_name(t.pos)
        && !t.pos.is(tags!(L | I))
        && (!numeral_start || named_word)
        && !matches!(t.word, "的" | "和" | "与" | "及" | "等" | "之")
}

/// Teams whose 队 jieba glued to the next function word (`某国/队以`).
pub fn glued_teams(ctx: &Ctx<'_>, in_place: &[bool]) -> Vec<Span> {
    let mut out = Vec::new();
    for (j, t) in ctx.hinted(Hint::GluedTeam) {
        let Some(p) = j.checked_sub(1).map(|i| &ctx.toks[i]) else {
            continue;
        };
        if t.len() == 2
            && ctx.chars[t.start()] == '队'
            && char_list!("以在和与把被将对的也都就又还已是").has(ctx.chars[t.start() + 1])
            && place_token(p, in_place)
            && p.len() >= 2
        {
            out.push(Span::new(
                p.start(),
                t.start() + 1,
                EntityType::Org,
                Source::Rule,
                0.75,
            ));
        }
    }
    out
}

/// Team nouns of a sport (`某某围棋队`).
const SPORT_TEAMS: &[&str] = &[
    "球队",
    "足球队",
    "篮球队",
    "排球队",
    "乒乓球队",
    "网球队",
    "羽毛球队",
    "棋队",
    "围棋队",
    "象棋队",
    "体操队",
    "游泳队",
    "田径队",
    "女篮",
    "男篮",
    "女排",
    "男排",
    "女足",
    "男足",
];

/// Heads a number may name (`某某九十中学`, `某某三中队`).
const NUMBERED_HEADS: &[&str] = &[
    "中学",
    "小学",
    "学校",
    "医院",
    "中队",
    "大队",
    "支队",
    "总队",
    "研究所",
    "分局",
    "派出所",
];

/// Tokens an organisation never extends left over: datelines
/// (`某月某日电`, `本报讯`) and lead-in words.
const ORG_LEFT_STOPS: &[&str] = &[
    "月份",
    "年度",
    "报",
    "见图",
    "日电",
    "电",
    "讯",
    "本报讯",
    "据",
    "由原",
    "原",
    "经",
    "由",
    "正由",
];

/// Words that, right after a head word, show it is not the end of a name
/// (`中心组`, `党委成员`, `中心城市`).
const NOT_AFTER_HEAD: &[&str] = &[
    "城市",
    "组",
    "小组",
    "成员",
    "班子",
    "干部",
    "工作",
    "建设",
    "委员",
    "书记处",
];

/// Organisations by head word (`…局`, `…委员会`, `…有限公司`, `…党支部`),
/// extended left over name-like tokens, places and other organisations
/// (`某市林业局`, `某镇机关党支部`). `blocked` marks characters that cannot be
/// part of an organisation (job titles, person names).
pub fn head_orgs(
    ctx: &Ctx<'_>,
    blocked: &[bool],
    is_word: &dyn Fn(&str) -> bool,
    in_place: &[bool],
) -> Vec<Span> {
    let mut out = Vec::new();
    let toks = &ctx.toks;
    for (j, t) in ctx.hinted(Hint::OrgHead) {
        let Some(head) = ORG_HEADS_SET.first_suffix_tok(t) else {
            continue;
        };
        if (t.start()..t.end()).any(|k| blocked[k]) {
            continue;
        }
        let head = &head;
        // `某里斯/坚科`: a transliterated name ending like a head.
        if head.chars().count() == 1
            && j > 0
            && toks[j - 1].pos.is(tags!(Nr | Nrt | Nrfg))
            && ctx.chars[toks[j - 1].start()..t.end()]
                .iter()
                .all(|&c| is_transliteration(c) || c == head.chars().next().unwrap_or(' '))
        {
            continue;
        }
        // `两院`, `三会`: a count of bodies, not a name.
        if t.word
            .starts_with(|c: char| char_list!("一二三四五六七八九十两几各").has(c))
        {
            continue;
        }
        // Parts of a region (`某某中南部`) even when jieba tags them `nt`.
        if ["东部", "西部", "南部", "北部", "中部"]
            .iter()
            .any(|d| t.word.ends_with(d))
        {
            continue;
        }
        if t.pos != Pos::Nt && t.word != *head && generic_head_suffix(t.word, head) {
            continue;
        }
        // A verb-tagged token is a head only when it is long enough to be a
        // compound (`禁毒署`), never a short verb (`部署` is generic).
        if t.pos.is(tags!(D | A | Ad | M | Ns | Nr | Nrt | Nrfg)) && t.word != *head
            || (t.pos.is(tags!(V | Vn)) && t.word != *head && t.len() < 3)
        {
            continue;
        }
        if toks
            .get(j + 1)
            .is_some_and(|n| NOT_AFTER_HEAD_SET.has_tok(n))
        {
            continue;
        }
        // `总会` is also an adverb phrase (`总会来`).
        if t.word == "总会" && t.pos != Pos::N {
            continue;
        }
        // A one-character head standing alone must be a noun (`所` is also
        // a particle: `某某所说`).
        if t.word == *head
            && head.chars().count() == 1
            && *head == "所"
            && t.pos.is(tags!(C | U | P | D | V | R | Uj | Ul))
        {
            continue;
        }
        let hlen = head.chars().count();
        let mut start = t.start();
        let mut k = j;
        // A place is the leftmost part of a name: left of it only more
        // places (`某省某市某局`), never a verb jieba tagged as a noun.
        // `in_place` marks characters inside place names.
        let mut after_place = false;
        while k > 0 {
            let p = &toks[k - 1];
            let place = p.pos == Pos::Ns || (p.start()..p.end()).any(|x| in_place[x]);
            let whole_place = (p.start()..p.end()).all(|x| in_place[x]);
            // `某市/九十/中学`: a number names a school or a unit.
            // `某地/首届/某会`, `六届/某大`: a term of office.
            let term = p.pos == Pos::M
                && p.word.ends_with('届')
                && p.word
                    .chars()
                    .all(|c| char_list!("第首一二三四五六七八九十百零〇0123456789届").has(c));
            let numbered = term
                || p.pos == Pos::M
                    && NUMBERED_HEADS.iter().any(|h| t.word.ends_with(h))
                    && p.word
                        .chars()
                        .all(|c| char_list!("第一二三四五六七八九十百零〇0123456789").has(c));
            // `某市住房/和/城乡规划建设局`: two fields of one body.
            let joined_fields = p.word == "和"
                && k >= 2
                && toks[k - 2].pos == Pos::N
                && toks[k - 2].len() >= 2
                && toks[k].pos == Pos::N
                && !ORG_HEADS_SET.ends_any_tok(&toks[k - 2]);
            // `、/和/某家某某有限公司`: after a list comma 和 starts a name
            // (a conjunction never follows 、).
            let list_he = p.word == "和" && k >= 2 && toks[k - 2].word == "、";
            // `某某正之源/科技有限公司`: a set phrase inside a company name.
            let company_phrase = p.pos == Pos::L
                && p.len() <= 4
                && ctx.all_han(p)
                && ["公司", "集团", "有限公司"]
                    .iter()
                    .any(|h| t.word.ends_with(h));
            // `某监督/所/总支部`: 所 (tagged a conjunction) ends the first body.
            let inner_suo = p.word == "所"
                && k >= 2
                && toks[k - 2].pos.is(tags!(N | Vn))
                && toks[k].word.ends_with("支部");
            // `某家/湾/小学`: a village's suffix character.
            let village = p.pos == Pos::Zg
                && matches!(
                    p.word,
                    "湾" | "庄" | "营" | "屯" | "寨" | "店" | "集" | "铺"
                );
            if !(org_token_ok(p)
                || whole_place
                || numbered
                || joined_fields
                || village
                || list_he
                || company_phrase
                || inner_suo)
                || (p.start()..p.end()).any(|x| blocked[x])
                || t.end() - p.start() > 20
                || (after_place
                    && !place
                    && !p.pos.is(tags!(Nz | Nt | J | X | Eng))
                    && p.len() >= 2
                    && is_word(p.word))
                || ORG_LEFT_STOPS_SET.has_tok(p)
                // `某委办公室/县政府办公室`: a whole body on the left and a
                // level word starting the right one: two bodies.
                || (toks[k].word.starts_with(['市', '县', '省', '区', '镇', '乡'])
                    && ORG_HEADS_SET.may_end_tok(p)
                    && ORG_HEADS.iter().any(|h| h.chars().count() >= 2 && p.word.ends_with(h)))
            {
                break;
            }
            after_place = place;
            start = p.start();
            k -= 1;
        }
        // Drop everything up to the last generic word (`科教企业某某公司`).
        let mut p = start;
        while p < t.start() {
            let Some(&ti) = ctx.tok_starting.get(p).filter(|&&i| i != NO_TOK) else {
                break;
            };
            let tk = &toks[ti as usize];
            if ORG_CUT_WORDS_SET.has_tok(tk) || (p == start && ORG_STOP_PREFIXES_SET.has_tok(tk)) {
                start = tk.end();
            }
            p = tk.end();
        }
        // `镇党委`, `市政府`: a level word and a head name no organisation.
        if start + 1 == t.end() - hlen
            && hlen >= 2
            && char_list!("省市县区镇乡村").has(ctx.chars[start])
        {
            continue;
        }
        let len = t.end() - start;
        let prefix = len - hlen;
        let level_committee = hlen == 1
            && *head == "委"
            && prefix == 1
            && char_list!("省市县区镇乡州").has(ctx.chars[start]);
        let ok = if hlen == 1 {
            (prefix >= 2 && len >= 3) || level_committee
        } else {
            prefix >= 1 && len >= 3
        };
        if !ok {
            continue;
        }
        // 政府 alone closes a local government only (某某市政府), not a
        // country's (某国政府 is a place and a common noun).
        if *head == "政府"
            && (!char_list!("省市县区镇乡州").has(ctx.chars[t.end() - hlen - 1]) || prefix < 3)
        {
            continue;
        }
        // Some part must be a name: a proper or unknown token, or a level word.
        // `交运/局`: a field word jieba split from a one-character head.
        let split_field = t.word == *head
            && matches!(*head, "局" | "厅" | "署")
            && t.start() - start == 2
            && ctx
                .starting(start)
                .is_some_and(|f| f.end() == t.start() && f.pos == Pos::N);
        let head_tok_proper = split_field || (t.len() > hlen && proper_token(t, is_word));
        let mut proper = head_tok_proper;
        let mut p = start;
        while !proper && p < t.start() {
            let Some(&ti) = ctx.tok_starting.get(p).filter(|&&i| i != NO_TOK) else {
                break;
            };
            let tk = &toks[ti as usize];
            proper = proper_token(tk, is_word) || (tk.start()..tk.end()).all(|x| in_place[x]);
            p = tk.end();
        }
        if !proper {
            continue;
        }
        out.push(Span::new(
            start,
            t.end(),
            EntityType::Org,
            Source::Rule,
            0.8,
        ));
    }
    out
}

/// Media names: a name followed by a media suffix (`某某时报`, `某某网`),
/// one or two tokens.
pub fn media_orgs(ctx: &Ctx<'_>) -> Vec<Span> {
    let mut out = Vec::new();
    let toks = &ctx.toks;
    for (j, t) in ctx.hinted(Hint::Media) {
        if j == 0 {
            continue;
        }
        let p = &toks[j - 1];
        if !p.pos.is(tags!(Ns | Nz | Nt | J | Nr | X)) {
            continue;
        }
        // Each case below ends in a periodical kind (报 among them) or a
        // media suffix.
        if !(MEDIA_KINDS_SET.may_end_tok(t) || crate::lexdata::may_end_media(t.word)) {
            continue;
        }
        // `《某某》杂志`: a title in book brackets and a periodical kind,
        // brackets included.
        if MEDIA_KINDS_SET.has_tok(t) && p.word == "》" {
            let open = (0..j - 1).rev().take(8).find(|&k| toks[k].word == "《");
            if let Some(k) = open
                && k + 2 < j
                && toks[k + 1..j - 1].iter().all(|x| ctx.all_han(x))
            {
                out.push(Span::new(
                    toks[k].start(),
                    t.end(),
                    EntityType::Org,
                    Source::Rule,
                    0.75,
                ));
                continue;
            }
        }
        if t.word == "报" && p.pos.is(tags!(Nr | Nrt | Nz | Ns)) && p.len() >= 2 {
            out.push(Span::new(
                p.start(),
                t.end(),
                EntityType::Org,
                Source::Rule,
                0.7,
            ));
            continue;
        }
        if !crate::lexdata::may_end_media(t.word) {
            continue;
        }
        let s = format!("{}{}", p.word, t.word);
        // `网` alone only after a name token (not `互联网`, `电网`).
        if is_media(&s) && (!t.word.ends_with('网') || t.word == "网") {
            out.push(Span::new(
                p.start(),
                t.end(),
                EntityType::Org,
                Source::Rule,
                0.8,
            ));
        }
    }
    out
}

/// Bodies a state has one of, which news names by the common noun alone.
const SINGLE_BODIES: &[&str] = &[
    "国会",
    "内阁",
    "参议院",
    "众议院",
    "议会",
    "上院",
    "下院",
    "议会上院",
    "议会下院",
    "国民议会",
    "海军",
    "陆军",
    "空军",
    "人武部",
    "最高法院",
    "宪法法院",
];

/// Kinds of periodical after a title in book brackets (`《某某》杂志`).
const MEDIA_KINDS: &[&str] = &[
    "杂志",
    "周刊",
    "月刊",
    "半月刊",
    "画报",
    "日报",
    "晚报",
    "周报",
    "报",
    "杂志社",
];

/// jieba's own organisation tags (`nt`), a dictionary source.
/// Generic bodies that jieba's dictionary tags as organisations.
const NOT_ORGS: &[&str] = &[
    "党委",
    "党组",
    "党组织",
    "基层党组织",
    "村党组织",
    "团组织",
    "党政机关",
    "国家机关",
    "机关",
    "单位",
    "企业",
];

/// Body words ending in 会 (an event otherwise: `音乐会`).
const BODY_HUI: &[&str] = &[
    "委员会",
    "协会",
    "学会",
    "工会",
    "商会",
    "联合会",
    "基金会",
    "总会",
    "议会",
    "理事会",
    "董事会",
    "常委会",
    "研究会",
    "促进会",
    "红十字会",
    "组委会",
    "筹委会",
    "管委会",
    "村委会",
    "居委会",
    "联谊会",
    "同乡会",
    "教会",
    "大会",
    "代表大会",
    "人大常委会",
    "国会",
    "基会",
    "总商会",
    "青年会",
];

/// Whether a word jieba tags `nt` names a body: not a discipline
/// (`某某学` but `大学`), an event (`某某会` but `某协会`), a process
/// (`某某化`) or a commodity.
fn nt_is_body(word: &str) -> bool {
    if word.ends_with('学') {
        return word.ends_with("大学") || word.ends_with("中学") || word.ends_with("小学");
    }
    if word.ends_with('会') {
        return BODY_HUI.iter().any(|h| word.ends_with(h));
    }
    // `某某中南部`: a part of a region.
    let region_part = word.ends_with('部')
        && word
            .chars()
            .rev()
            .nth(1)
            .is_some_and(|c| char_list!("东西南北中").has(c));
    !word.ends_with(['化', '众', '油', '药']) && !word.ends_with("飞行") && !region_part
}

/// Whether `word` starts with a place the gazetteer knows (two characters
/// or more) and goes on after it.
fn gaz_prefix(word: &str, gaz: &Gazetteer) -> bool {
    word.char_indices()
        .skip(2)
        .any(|(b, _)| gaz.get(&word[..b]).is_some())
}

/// A country's government or relations (`某国政府`, `某某关系`) are not
/// organisations: the place before them is.
pub fn dictionary_orgs(ctx: &Ctx<'_>, gaz: &Gazetteer) -> Vec<Span> {
    let mut out = Vec::new();
    for t in ctx
        .hinted(Hint::TaggedNt)
        .map(|(_, t)| t)
        .filter(|t| t.pos == Pos::Nt && t.len() >= 2 && !NOT_ORGS_SET.has_tok(t))
        .filter(|t| nt_is_body(t.word))
    {
        // `某某美术馆`/nt: a building, a place.
        if FACILITY_HEADS
            .iter()
            .any(|h| h.chars().count() >= 2 && t.word.ends_with(h))
        {
            out.push(Span::new(
                t.start(),
                t.end(),
                EntityType::Loc,
                Source::Dictionary,
                0.7,
            ));
            continue;
        }
        if let Some(prefix) = ["政府", "当局", "关系"]
            .iter()
            .find_map(|s| t.word.strip_suffix(s))
        {
            if gaz.get(prefix).is_some() {
                let n = prefix.chars().count();
                out.push(Span::new(
                    t.start(),
                    t.start() + n,
                    EntityType::Loc,
                    Source::Gazetteer,
                    0.8,
                ));
            }
            continue;
        }
        // A body named after a place outranks the place (`某国银行`).
        let source =
            if t.len() >= 3 && ctx.tok_starting.get(t.start()).is_some() && gaz_prefix(t.word, gaz)
            {
                Source::Rule
            } else {
                Source::Dictionary
            };
        // `第某届/某某代表大会`: the term is part of the name; `某某党/中央`:
        // a party's centre is a body of its own.
        let start = match ctx.ending(t.start()) {
            Some(p)
                if p.pos == Pos::M
                    && p.word.ends_with('届')
                    && (t.word.ends_with('会') || t.word.ends_with("人大")) =>
            {
                p.start()
            }
            _ => t.start(),
        };
        let end = match ctx.starting(t.end()) {
            Some(n) if t.word.ends_with('党') && n.word == "中央" => n.end(),
            _ => t.end(),
        };
        out.push(Span::new(start, end, EntityType::Org, source, 0.7));
    }
    // `某省/残联`, `某国/足球报`: a place and an abbreviated federation or
    // a newspaper.
    for (i, p) in ctx.hinted(Hint::TaggedNs) {
        let Some(t) = ctx.toks.get(i + 1) else {
            continue;
        };
        let body = (t.len() == 2 && t.pos.is(tags!(N | J)) && t.word.ends_with(['联', '协']))
            || t.word == "交警"
            || (t.len() >= 3
                && t.pos == Pos::N
                && t.word.ends_with('报')
                && !t.word.ends_with("情报"));
        if body && gaz.get(p.word).is_some() {
            out.push(Span::new(
                p.start(),
                t.end(),
                EntityType::Org,
                Source::Rule,
                0.7,
            ));
        }
    }
    // Bodies a country has one of, named by a common noun (`议会`, `内阁`).
    for (_, t) in ctx
        .hinted(Hint::SingleBody)
        .filter(|(_, t)| SINGLE_BODIES_SET.has_tok(t))
    {
        out.push(Span::new(
            t.start(),
            t.end(),
            EntityType::Org,
            Source::Dictionary,
            0.6,
        ));
    }
    // Abbreviations (`j`) of unions, committees, universities and companies
    // (`某盟`, `某协`, `某联`, `某委`, `某大`, `某钢`, `某航`).
    for t in ctx
        .hinted(Hint::TaggedJ)
        .map(|(_, t)| t)
        .filter(|t| t.pos == Pos::J && (2..=4).contains(&t.len()))
    {
        if t.word.chars().all(|c| PLACE_ABBREVIATIONS_SET.has(c))
            || !t
                .word
                .ends_with(['盟', '协', '联', '委', '大', '钢', '航', '行', '汽'])
            || (t.len() == 2
                && t.word
                    .starts_with(|c: char| char_list!("一二三四五六七八九十两首同通拉扩").has(c)))
            || t.word.ends_with("进行")
            || NOT_ORGS_SET.has_tok(t)
            || gaz.get(t.word).is_some()
            || t.word.ends_with('电')
            || !ctx.all_han(t)
        {
            continue;
        }
        // `市/纪委`: a level word before the abbreviation belongs to it.
        let start = match ctx.ending(t.start()) {
            Some(p) if matches!(p.word, "市" | "县" | "省" | "区" | "镇" | "乡") => p.start(),
            _ => t.start(),
        };
        out.push(Span::new(
            start,
            t.end(),
            EntityType::Org,
            Source::Model,
            0.5,
        ));
    }
    out
}

/// Three-character dictionary words ending in 部/局/署 that are no body:
/// body parts, music, games, turns of events.
const NOT_DEPARTMENTS: &[&str] = &[
    "下腹部",
    "下颌部",
    "会阴部",
    "低音部",
    "高音部",
    "中音部",
    "咽喉部",
    "外阴部",
    "头顶部",
    "头颈部",
    "木质部",
    "脚踝部",
    "颌面部",
    "鱼际部",
    "黄斑部",
    "韧皮部",
    "躯干部",
    "接合部",
    "结合部",
    "再现部",
    "呈示部",
    "展开部",
    "团干部",
    "干部部",
    "决胜局",
    "发球局",
    "开好局",
    "大变局",
    "踢出局",
    "纸牌局",
    "战斗部",
    "掩蔽部",
];

/// Ministries and departments named by a field alone (`某业部`, `某务局`,
/// `某某署`): a three-character dictionary word of a field word and 部,
/// 局 or 署, which jieba often tags as a common noun (or even a person).
/// A level organ or a place right before it belongs to it (`省委/宣传部`).
pub fn departments(ctx: &Ctx<'_>, is_word: &dyn Fn(&str) -> bool, blocked: &[bool]) -> Vec<Span> {
    let mut out = Vec::new();
    for (j, t) in ctx.hinted(Hint::Department) {
        if !(3..=5).contains(&t.len())
            || !t.word.ends_with(['部', '局', '署', '委'])
            || !t.pos.is(tags!(N | Nr | Nt | J | Nz))
            || NOT_DEPARTMENTS_SET.has_tok(t)
            || t.word.ends_with("党委")
            || generic_head_suffix(t.word, "")
            || (t.start()..t.end()).any(|k| blocked[k])
        {
            continue;
        }
        let field = &t.word[..t.word.len() - 3];
        // `市教委`, `团县委`: a level word and an abbreviated committee.
        let level_committee = t.len() == 3
            && t.word.ends_with('委')
            && t.word.starts_with(['市', '县', '省', '区', '团']);
        if !is_word(field) && !level_committee {
            continue;
        }
        // `…部长`: the post, not the body; `某和某局`: part of a longer name.
        if ctx.chars.get(t.end()) == Some(&'长')
            || (t.start() > 0 && matches!(ctx.chars[t.start() - 1], '和' | '与' | '及'))
        {
            continue;
        }
        let mut start = t.start();
        if j > 0 {
            let p = &ctx.toks[j - 1];
            if (p.pos.is(tags!(Ns | Nt | J)) && ctx.all_han(p) && p.len() >= 2)
                || matches!(p.word, "中央" | "国务院" | "省委" | "市委" | "县委" | "区委")
                // `机场/管理局`, `国内/贸易部`: what it manages.
                || (p.pos.is(tags!(N | S | Nz))
                    && p.len() >= 2
                    && ctx.all_han(p)
                    && !ORG_STOP_PREFIXES_SET.has_tok(p)
                    && !ORG_CUT_WORDS_SET.has_tok(p)
                    && !(p.start()..p.end()).any(|k| blocked[k]))
            {
                start = p.start();
            }
        }
        out.push(Span::new(
            start,
            t.end(),
            EntityType::Org,
            Source::Rule,
            0.7,
        ));
    }
    out
}

/// Countries listed as teams (`某组的甲国、乙国、丙国`, `甲国、乙国等强队`):
/// sports news names a national team by its country.
pub fn team_lists(ctx: &Ctx<'_>, gaz: &Gazetteer) -> Vec<Span> {
    let mut out = Vec::new();
    let toks = &ctx.toks;
    let country = |k: usize| {
        toks.get(k)
            .is_some_and(|t| t.pos == Pos::Ns && gaz.get(t.word) == Some(Level::Country))
    };
    // A list starts at a country tagged `ns`; its items start no other.
    let mut next = 0;
    for (i, _) in ctx.hinted(Hint::TaggedNs) {
        if i < next || !country(i) {
            continue;
        }
        let mut j = i + 1;
        while toks.get(j).is_some_and(|t| t.word == "、") && country(j + 1) {
            j += 2;
        }
        let items = (j - i).div_ceil(2);
        let start = toks[i].start();
        let end = toks[j - 1].end();
        let before_group = start >= 2 && ctx.has_at(start - 2, "组的");
        let after_team = ["等强队", "等队", "等球队"]
            .iter()
            .any(|w| ctx.has_at(end, w));
        if items >= 2 && (before_group || after_team) {
            for t in toks[i..j].iter().step_by(2) {
                out.push(Span::new(
                    t.start(),
                    t.end(),
                    EntityType::Org,
                    Source::Rule,
                    0.75,
                ));
            }
        }
        next = j;
    }
    out
}

/// Industry words a company's short name ends in (`某某药业`, `某某工贸`).
const INDUSTRIES: &[&str] = &[
    "药业", "乳业", "陶瓷", "工贸", "食品", "实业", "置业", "科技", "电器", "建材", "制药", "纺织",
    "服饰", "物流", "地产", "商贸", "酒业", "油脂", "化工", "钢铁", "家居", "牧业", "农牧", "传媒",
    "股份", "控股", "电子", "机械",
];

/// Companies by their short name: a brand and an industry word, standing
/// alone between list or sentence punctuation (`、某某药业、`). A place
/// and an industry alone is an industry (`某省食品`), not a company.
pub fn industry_orgs(ctx: &Ctx<'_>, gaz: &Gazetteer) -> Vec<Span> {
    let mut out = Vec::new();
    let chars = &ctx.chars;
    let left_ok = |k: usize| {
        k == 0
            || matches!(
                chars[k - 1],
                '、' | '，' | ',' | '。' | '；' | '：' | '“' | '（' | '(' | ' ' | '\n'
            )
    };
    let right_ok = |k: usize| {
        chars
            .get(k)
            .is_none_or(|c| char_list!("、，,。；;等和与及）)”").has(*c))
    };
    for (j, t) in ctx.hinted(Hint::Industry) {
        if !INDUSTRIES_SET.may_end_tok(t)
            || !INDUSTRIES_SET.has_tok(t)
            || j == 0
            || !right_ok(t.end())
        {
            continue;
        }
        // The brand: one or two tokens right before, delimited on the left.
        // After punctuation, or after a verb or 了 (`走访了/某某药业`).
        let left_ok =
            |k: usize| left_ok(k) || ctx.ending(k).is_some_and(|p| p.pos.is(tags!(V | Ul | P)));
        let Some(start) = (1..=2)
            .filter(|&k| k <= j)
            .map(|k| ctx.toks[j - k].start())
            .find(|&s| left_ok(s))
        else {
            continue;
        };
        let brand: String = chars[start..t.start()].iter().collect();
        let n = t.start() - start;
        if !(2..=6).contains(&n) || !brand.chars().all(is_han) || gaz.get(&brand).is_some() {
            continue;
        }
        if ctx.toks[j.saturating_sub(2)..j]
            .iter()
            .filter(|x| x.start() >= start)
            .any(|x| x.pos.is(tags!(V | Vn | P | C | U | Uj | R | M | Q)))
        {
            continue;
        }
        out.push(Span::new(
            start,
            t.end(),
            EntityType::Org,
            Source::Rule,
            0.7,
        ));
    }
    out
}

/// Names before a job title (`某某某总理`): a two- or three-character
/// token starting with a surname, whatever jieba tagged it.
pub fn names_before_titles(ctx: &Ctx<'_>, titles: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    for ti in titles {
        let Some(t) = ctx.ending(ti.start) else {
            continue;
        };
        if (2..=3).contains(&t.len())
            && let Some(sl) = surname_at(&ctx.chars, t.start())
            && t.len() > sl
            && (t.start() + sl..t.end()).all(|k| given_ok(ctx.chars[k]))
            && t.pos.is(tags!(Nr | T | X | Nz | Nrfg | Nrt))
            // `和谈/协调员`: a preposition-like surname on a dictionary word.
            && !(t.pos == Pos::Nz && char_list!("和向于从同与把在及对为将以由经万能").has(ctx.chars[t.start()]))
        {
            out.push(Span::new(
                t.start(),
                t.end(),
                EntityType::Per,
                Source::Rule,
                0.75,
            ));
        }
    }
    out
}

/// Sports teams: a place and/or a sponsor's name followed by `队`
/// (`某国队`, `某市某某队`, `某某女队`). The token right before `队` must be a
/// place or a proper or unknown word, not a common noun (`工作队`).
pub fn teams(ctx: &Ctx<'_>, is_word: &dyn Fn(&str) -> bool, in_place: &[bool]) -> Vec<Span> {
    let mut out = Vec::new();
    let toks = &ctx.toks;
    let proper = |t: &Tok<'_>| {
        t.pos.is(tags!(Nz | Nt | J | Nrt))
            || (t.len() >= 2
                && !is_word(t.word)
                && ctx.all_han(t)
                && !t.pos.is(tags!(V | Vn | D | R | P | C | A)))
    };
    for (j, t) in ctx.hinted(Hint::Team) {
        // Both cases below end in 队 or a sport team noun.
        if !t.word.ends_with('队') && !SPORT_TEAMS_SET.may_end_tok(t) {
            continue;
        }
        // `某国队`, `某某队` in one token: the part before 队 is a place
        // or an unknown name.
        let glued = t.len() >= 3
            && t.word.ends_with('队')
            && !t.pos.is(tags!(V | Vn | A | D))
            && ((t.start()..t.end() - 1).all(|k| in_place[k]) || {
                let prefix = &t.word[..t.word.len() - '队'.len_utf8()];
                !is_word(prefix) && prefix.chars().all(is_han) && !prefix.ends_with(['小', '大'])
            });
        // `女队`, `围棋队`: the team noun, maybe with its sport or section.
        let team_noun = matches!(
            t.word,
            "队" | "女队" | "男队" | "青年队" | "国家队" | "少年队"
        ) || SPORT_TEAMS_SET.has_tok(t);
        if !glued && !team_noun {
            continue;
        }
        if j == 0 && !glued {
            continue;
        }
        let p = &toks[j.saturating_sub(1)];
        // `某市/某某/队`: a place, a word and the team noun.
        let place_noun = !glued
            && j >= 2
            && p.pos.is(tags!(N | V | Vn))
            && p.len() == 2
            && (place_token(&toks[j - 2], in_place) || proper(&toks[j - 2]));
        if !(glued || place_token(p, in_place) || proper(p) || place_noun) {
            continue;
        }
        let (mut start, mut k, mut parts) = if glued {
            (t.start(), j, 0)
        } else {
            (p.start(), j - 1, 1)
        };
        while k > 0 && parts < 3 {
            let q = &toks[k - 1];
            if place_token(q, in_place) || (proper(q) && !place_token(&toks[k], in_place)) {
                start = q.start();
                k -= 1;
                parts += 1;
            } else {
                break;
            }
        }
        out.push(Span::new(
            start,
            t.end(),
            EntityType::Org,
            Source::Rule,
            0.75,
        ));
    }
    out
}

/// Extra occurrences of names found by a rule: every other occurrence of
/// the same text becomes an entity of the same type (document consistency).
pub fn propagate(ctx: &Ctx<'_>, found: &[Span], label: EntityType) -> Vec<Span> {
    let mut names: Vec<Vec<char>> = found
        .iter()
        .filter(|s| s.label == label && s.source == Source::Rule && s.end - s.start >= 2)
        .map(|s| ctx.chars[s.start..s.end].to_vec())
        .collect();
    names.sort();
    names.dedup();
    let mut out = Vec::new();
    if names.is_empty() {
        return out;
    }
    // One pass over the text for all names: a character that starts no
    // name is passed over after one filter test. Each name's matches are
    // taken left to right without overlapping, and the output keeps the
    // names' sorted order.
    let mut firsts = CharFilter::default();
    for name in &names {
        firsts.insert(name[0]);
    }
    let mut found_at: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
    let mut next_free = vec![0; names.len()];
    let chars = &ctx.chars;
    let mut next = 0;
    while let Some(k) = chars[next..].iter().position(|&c| firsts.may_have(c)) {
        let i = next + k;
        next = i + 1;
        let c = chars[i];
        // The names are sorted: those starting with `c` are side by side.
        let from = names.partition_point(|n| n[0] < c);
        for (k, name) in names.iter().enumerate().skip(from) {
            if name[0] != c {
                break;
            }
            if i >= next_free[k] && chars[i..].starts_with(name) {
                found_at[k].push(i);
                next_free[k] = i + name.len();
            }
        }
    }
    for (name, starts) in names.iter().zip(found_at) {
        for i in starts {
            out.push(Span::new(
                i,
                i + name.len(),
                label.clone(),
                Source::Rule,
                0.75,
            ));
        }
    }
    out
}

/// Marks the characters covered by `spans` in a text of `n` characters.
pub fn coverage<'s>(n: usize, spans: impl Iterator<Item = &'s Span>) -> Vec<bool> {
    let mut covered = vec![false; n + 1];
    for s in spans {
        covered[s.start..s.end].fill(true);
    }
    covered
}

/// Whether a token is a place: tagged `ns` by jieba or inside a place name
/// found by the place rules (`in_place`, from [`coverage`]).
fn place_token(t: &Tok<'_>, in_place: &[bool]) -> bool {
    t.pos == Pos::Ns || in_place[t.start()..t.end()].iter().all(|&b| b)
}

/// Whether `pos` starts a han character run (for callers' boundary checks).
pub fn han_at(ctx: &Ctx<'_>, pos: usize) -> bool {
    ctx.han_at(pos)
}

// ---- fast sets of the lists above ---------------------------------------------

static NOT_PLACES_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(NOT_PLACES));
static GENERIC_PLACE_PREFIXES_SET: LazyLock<WordSet> =
    LazyLock::new(|| WordSet::new(GENERIC_PLACE_PREFIXES));
static NAME_FOLLOWERS_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(NAME_FOLLOWERS));
static NAME_CUES_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(NAME_CUES));
static WEAK_NAME_CUES_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(WEAK_NAME_CUES));
static CURRENCIES_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(CURRENCIES));
static PLACE_FOLLOWERS_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(PLACE_FOLLOWERS));
static NOT_PERSON_FOLLOWERS_SET: LazyLock<WordSet> =
    LazyLock::new(|| WordSet::new(NOT_PERSON_FOLLOWERS));
static GENERIC_HEAD_WORDS_SET: LazyLock<WordSet> =
    LazyLock::new(|| WordSet::new(GENERIC_HEAD_WORDS));
static INDUSTRIES_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(INDUSTRIES));
static NOT_DEPARTMENTS_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(NOT_DEPARTMENTS));
static SINGLE_BODIES_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(SINGLE_BODIES));
static MEDIA_KINDS_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(MEDIA_KINDS));
static LEADER_POSTS_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(LEADER_POSTS));
static AFTER_PAIR_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(AFTER_PAIR));
static AFTER_ABBREVIATION_SET: LazyLock<WordSet> =
    LazyLock::new(|| WordSet::new(AFTER_ABBREVIATION));
static ORG_VERBS_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(ORG_VERBS));
static ORG_CUT_WORDS_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(ORG_CUT_WORDS));
static ORG_STOP_PREFIXES_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(ORG_STOP_PREFIXES));
static NOT_AFTER_HEAD_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(NOT_AFTER_HEAD));
static NOT_ORGS_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(NOT_ORGS));
static ORG_LEFT_STOPS_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(ORG_LEFT_STOPS));
static SPEECH_VERBS_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(SPEECH_VERBS));
static SPORT_TEAMS_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(SPORT_TEAMS));
static HONORIFICS_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(HONORIFICS));
/// The characters a byline role can start with.
static BYLINE_STARTS: LazyLock<CharSet> =
    LazyLock::new(|| CharSet::nth_chars(BYLINE_ROLES.iter().copied(), 0));
/// The second characters of [`BYLINE_ROLES`].
static BYLINE_SECONDS: LazyLock<CharSet> =
    LazyLock::new(|| CharSet::nth_chars(BYLINE_ROLES.iter().copied(), 1));
static CELESTIAL_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(CELESTIAL));
static GIVEN_STOP_SET: LazyLock<CharSet> = LazyLock::new(|| CharSet::new(GIVEN_STOP));
static PLACE_STOP_CHARS_SET: LazyLock<CharSet> = LazyLock::new(|| CharSet::new(PLACE_STOP_CHARS));
static PLACE_ABBREVIATIONS_SET: LazyLock<CharSet> =
    LazyLock::new(|| CharSet::new(PLACE_ABBREVIATIONS));
static COUNTRY_ABBREVIATIONS_SET: LazyLock<CharSet> =
    LazyLock::new(|| CharSet::new(COUNTRY_ABBREVIATIONS));
static BEFORE_ABBREVIATION_SET: LazyLock<CharSet> =
    LazyLock::new(|| CharSet::new(BEFORE_ABBREVIATION));
static ORG_HEADS_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(ORG_HEADS));
static FACILITY_HEADS_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(FACILITY_HEADS));
static PLACE_SUFFIXES_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(PLACE_SUFFIXES));

#[cfg(test)]
mod tests {
    use super::*;

    /// Every token a hinted rule's own first test lets through is in that
    /// hint's list (the lists may hold more).
    #[test]
    fn hint_lists_hold_every_token_a_rule_would_test() {
        let ex = crate::extract::news::NewsExtractor::new();
        let mut text = String::new();
        for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds")).unwrap() {
            text.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default());
        }
        text.push_str(
            "他今年三十岁，某某队和某某寺都在湖边。市长说，县教委和交通部的新闻报道。议会和内阁。",
        );
        let toks = ex.tokens(&text);
        assert!(toks.len() > 1000);
        let ctx = Ctx::new(&text, toks);
        let ends = |c: char| move |t: &Tok<'_>| t.word.ends_with(c);
        type Check<'c> = &'c dyn Fn(&Tok<'_>) -> bool;
        // Every hint (22 of the 24 places are used).
        let checks: [(Hint, Check); 22] = [
            (Hint::OrgHead, &|t| {
                ORG_HEADS_SET.first_suffix(t.word).is_some()
            }),
            (Hint::PlaceSuffix, &|t| {
                PLACE_SUFFIXES_SET.first_suffix(t.word).is_some()
            }),
            (Hint::Facility, &|t| {
                CELESTIAL_SET.has(t.word) || FACILITY_HEADS_SET.first_suffix(t.word).is_some()
            }),
            (Hint::NameCue, &|t| {
                NAME_CUES_SET.has(t.word) || WEAK_NAME_CUES_SET.has(t.word) || t.word == "岁"
            }),
            (Hint::SpeechVerb, &|t| SPEECH_VERBS_SET.has(t.word)),
            (Hint::Media, &|t| {
                MEDIA_KINDS_SET.may_end(t.word) || crate::lexdata::may_end_media(t.word)
            }),
            (Hint::Industry, &|t| INDUSTRIES_SET.has(t.word)),
            (Hint::Team, &|t| {
                t.word.ends_with('队') || SPORT_TEAMS_SET.may_end(t.word)
            }),
            (Hint::Title, &|t| {
                t.word
                    .chars()
                    .last()
                    .is_some_and(|c| TITLES.may_end_with(c))
            }),
            (Hint::Landmark, &|t| {
                t.word
                    .chars()
                    .last()
                    .is_some_and(|c| LANDMARK_SUFFIXES.has(c))
            }),
            (Hint::Chief, &ends('长')),
            (Hint::Department, &|t| {
                t.word.ends_with(['部', '局', '署', '委'])
            }),
            (Hint::SingleBody, &|t| SINGLE_BODIES_SET.has(t.word)),
            (Hint::TaggedNt, &|t| t.pos == Pos::Nt),
            (Hint::TaggedNs, &|t| t.pos == Pos::Ns),
            (Hint::TaggedJ, &|t| t.pos == Pos::J),
            (Hint::AbbreviationStart, &|t| {
                t.word.starts_with(|c| {
                    COUNTRY_ABBREVIATIONS_SET.has(c)
                        || PLACE_ABBREVIATIONS_SET.has(c)
                        || BEFORE_ABBREVIATION_SET.has(c)
                })
            }),
            (Hint::PlaceAbbreviation, &|t| {
                t.word.starts_with(|c| PLACE_ABBREVIATIONS_SET.has(c))
            }),
            (Hint::Surname, &|t| t.word.starts_with(is_single_surname)),
            (Hint::TaggedName, &|t| t.pos.is_name()),
            (Hint::LeaderPost, &|t| {
                LEADER_POSTS_SET.may_end(t.word) || t.word.ends_with('义')
            }),
            (Hint::GluedTeam, &|t| t.word.starts_with('队')),
        ];
        for (hint, check) in checks {
            let listed: Vec<usize> = ctx.hinted(hint).map(|(i, _)| i).collect();
            let wanted: Vec<usize> = (0..ctx.toks.len())
                .filter(|&i| check(&ctx.toks[i]))
                .collect();
            assert!(!wanted.is_empty(), "{hint:?}: the text should exercise it");
            for i in wanted {
                assert!(
                    listed.binary_search(&i).is_ok(),
                    "{hint:?} misses {}",
                    ctx.toks[i].word
                );
            }
        }
    }

    fn spans_text(text: &str, spans: &[Span]) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        spans
            .iter()
            .map(|s| chars[s.start..s.end].iter().collect())
            .collect()
    }

    #[test]
    fn dates_cover_the_genre() {
        let text = "8月1日，2017年11月启动，10月24日~25日调研，11月1日下午开会，今年前9个月";
        assert_eq!(
            spans_text(text, &dates(text)),
            ["8月1日", "2017年11月", "10月24日~25日", "11月1日下午"]
        );
    }

    #[test]
    fn money_covers_the_genre() {
        let text = "完成274.3亿元，30万元经费，再拿出1个亿，产值2500多万元，筹资60余万元，87岁";
        assert_eq!(
            spans_text(text, &money(text)),
            ["274.3亿元", "30万元", "1个亿", "2500多万元", "60余万元"]
        );
    }

    #[test]
    fn dates_and_money_in_one_pass() {
        // Numbers that start no date or amount (一个, 十月 alone, the tail
        // of 123月) are skipped; both grammars run over the same text.
        let text = "一个月后的十月，123月不算；2019年3月5日至6日拨款近3000万元，\
                    一九九九年投入5000 美元和两个亿";
        let both = spans_text(
            text,
            &dates_and_money(text, &text.chars().collect::<Vec<_>>()),
        );
        assert_eq!(
            both,
            [
                "2019年3月5日至6日",
                "近3000万元",
                "一九九九年",
                "5000 美元",
                "两个亿"
            ]
        );
        let mut apart = dates(text);
        apart.extend(money(text));
        apart.sort_by_key(|s| s.start);
        assert_eq!(spans_text(text, &apart), both);
    }

    #[test]
    fn surnames_single_and_compound() {
        let c: Vec<char> = "欧阳某某王某".chars().collect();
        assert_eq!(surname_at(&c, 0), Some(2));
        assert_eq!(surname_at(&c, 4), Some(1));
        assert_eq!(surname_at(&c, 2), None);
    }
}
