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
        crate::extract::text_of(&self.chars[start.min(self.chars.len())..end.min(self.chars.len())])
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

mod dates;
pub use dates::*;
mod titles;
pub use titles::*;
mod people;
pub use people::*;
mod bylines;
pub use bylines::*;
mod places;
pub use places::*;
mod orgs;
pub use orgs::*;

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

    /// The last-character test before `dictionary_orgs`' facility heads
    /// lets through every word ending in a head of two characters or more.
    #[test]
    fn facility_head_filter_passes_every_word_ending_in_a_head() {
        let heads: Vec<&str> = FACILITY_HEADS
            .iter()
            .copied()
            .filter(|h| h.chars().count() >= 2)
            .collect();
        assert!(heads.len() > 5);
        for h in heads {
            let word = format!("某某{h}");
            let word: &str = &word;
            let t = Tok {
                word,
                start32: 0,
                end32: word.chars().count() as u32,
                pos: Pos::Nt,
                last: CharFilter::last_key_of(word),
            };
            assert!(FACILITY_HEADS_SET.may_end_tok(&t), "{word}");
        }
    }

    #[test]
    fn level_org_lengths_are_their_character_counts() {
        assert_eq!(LEVEL_ORG_LENS.len(), LEVEL_ORGS.len());
        for (&(w, l), &v) in LEVEL_ORG_LENS.iter().zip(LEVEL_ORGS) {
            assert_eq!((w, l), (v, v.chars().count()));
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
