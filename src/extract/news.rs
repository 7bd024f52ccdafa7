//! [`NewsExtractor`]: the extractor for Chinese news. Sentence split, jieba
//! part-of-speech tags with HMM per sentence, then the genre rules of
//! [`super::rules`] and the gazetteer, merged by [`super::resolve_overlaps`]
//! (rule > gazetteer > dictionary > model, then the longer span).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use jieba_rs::Jieba;

use super::features::{self, Evidence, PER_CHAR};
use super::gazetteer::{Gazetteer, Level, gazetteer};
use super::names::NameDict;
use super::pos::Pos;
use super::rules::{self, Ctx, Span, Tok};
use super::sets::{CharFilter, CharList, WordSet};
use super::tagger::{Tagger, spans_of_labels};
use super::{Entity, EntityType, Extractor, overlap_survivors, resolve_overlaps};
use crate::chars::is_sentence_end;

/// What [`NewsExtractor::analyse_with_tokens`] reads of a text.
struct Analysis {
    /// The text's characters.
    chars: Vec<char>,
    /// The tagger's hashed features, `features::PER_CHAR` per character.
    feats: Vec<u32>,
    /// The rules' own entities.
    rules: Vec<Entity>,
    /// `true` where a jieba token starts (one more than the characters).
    tok_starts: Vec<bool>,
    /// The sentences, as [`segments`] of the characters.
    segments: Vec<(usize, usize)>,
}

/// A text's jieba tokens (tagged per sentence), its characters and its
/// sentences (as [`segments`] of the characters), from one decoding
/// ([`NewsExtractor::tokens_and_chars`]).
struct Tokenised<'a> {
    toks: Vec<Tok<'a>>,
    chars: Vec<char>,
    segments: Vec<(usize, usize)>,
    /// Where a date or an amount may start, found in the same pass.
    number_starts: rules::NumberStarts,
}

/// The rules' candidate spans before overlap resolution, with the
/// [`Tokenised`] text they were found in.
struct Candidates<'a> {
    spans: Vec<Span>,
    chars: Vec<char>,
    toks: Vec<Tok<'a>>,
    segments: Vec<(usize, usize)>,
}

/// The news extractor. Cheap to share: the segmenter is behind an [`Arc`].
#[derive(Clone)]
pub struct NewsExtractor {
    jieba: Arc<Jieba>,
    gaz: &'static Gazetteer,
    /// Word → type overrides kept outside jieba (jieba's `add_word` does not
    /// change the tag of a word it already knows).
    words: Arc<HashMap<String, EntityType>>,
    /// The character tagger for PER/LOC/ORG; without it the rules decide.
    tagger: Option<Arc<Tagger>>,
}

impl Default for NewsExtractor {
    fn default() -> Self {
        Self::new()
    }
}

impl NewsExtractor {
    /// Loads jieba's default dictionary and the built-in gazetteer.
    pub fn new() -> Self {
        NewsExtractor {
            jieba: Arc::new(Jieba::new()),
            gaz: gazetteer(),
            words: Arc::new(HashMap::new()),
            tagger: None,
        }
    }

    /// The same extractor with `tagger` deciding PER, LOC and ORG (the
    /// rules become its features; DATE, MONEY and TITLE stay rule-based).
    pub fn with_tagger(mut self, tagger: Option<Tagger>) -> Self {
        self.tagger = tagger.map(Arc::new);
        self
    }

    /// The tagger, if any.
    pub fn tagger(&self) -> Option<&Tagger> {
        self.tagger.as_deref()
    }

    /// An extractor with extra words of known type (tagged wherever they
    /// occur as a jieba token), e.g. from a user dictionary.
    pub fn with_words(words: HashMap<String, EntityType>) -> Self {
        let mut jieba = Jieba::new();
        for w in words.keys() {
            jieba.add_word(w, Some(50_000), None);
        }
        NewsExtractor {
            jieba: Arc::new(jieba),
            gaz: gazetteer(),
            words: Arc::new(words),
            tagger: None,
        }
    }

    /// The shared segmenter.
    pub fn jieba(&self) -> &Jieba {
        &self.jieba
    }

    /// jieba tokens of `text`, tagged per sentence with HMM, with offsets
    /// into the whole text.
    pub fn tokens<'a>(&'a self, text: &'a str) -> Vec<Tok<'a>> {
        self.tokens_and_chars(text).toks
    }

    /// The tokens of [`NewsExtractor::tokens`], the text's characters and
    /// its sentences (as [`segments`] of the characters), from one pass over
    /// the text: the sentence split, the offsets and the character vector
    /// all come from the same decoding.
    fn tokens_and_chars<'a>(&'a self, text: &'a str) -> Tokenised<'a> {
        let mut toks = Vec::with_capacity(text.len() / 4);
        let mut chars = Vec::with_capacity(text.len() / 3 + 1);
        let tag = |sentence: &'a str, offset: usize, toks: &mut Vec<Tok<'a>>| {
            for t in self.jieba.tag(sentence, true) {
                toks.push(Tok {
                    start32: (offset + t.start) as u32,
                    end32: (offset + t.end) as u32,
                    word: t.word,
                    pos: Pos::of(t.tag),
                    last: CharFilter::last_key_of(t.word),
                });
            }
        };
        // Sentences end at (and include) a sentence-ending character, as
        // `split_inclusive(is_sentence_end)` cuts them.
        let mut segments = Vec::new();
        let mut number_starts = rules::NumberStarts::new();
        let (mut start_byte, mut start_char) = (0, 0);
        for (b, c) in text.char_indices() {
            number_starts.push(chars.len(), b, c);
            chars.push(c);
            if is_sentence_end(c) {
                let end = b + c.len_utf8();
                tag(&text[start_byte..end], start_char, &mut toks);
                segments.push((start_char, chars.len()));
                (start_byte, start_char) = (end, chars.len());
            }
        }
        if start_byte < text.len() {
            tag(&text[start_byte..], start_char, &mut toks);
            segments.push((start_char, chars.len()));
        }
        Tokenised {
            toks,
            chars,
            segments,
            number_starts,
        }
    }

    /// All candidate spans before overlap resolution (for tests and tuning).
    pub fn candidates(&self, text: &str) -> Vec<Span> {
        self.candidates_and_chars(text).spans
    }

    /// [`NewsExtractor::candidates`], the text's characters and its
    /// tokens, and its sentences.
    fn candidates_and_chars<'a>(&'a self, text: &'a str) -> Candidates<'a> {
        let Tokenised {
            toks,
            chars,
            segments,
            number_starts,
        } = self.tokens_and_chars(text);
        let ctx = Ctx::with_chars(chars, toks);
        let n = ctx.chars.len();
        let mut out = Vec::with_capacity(ctx.toks.len() / 2);
        out.extend(rules::dates_and_money_at(text, &ctx.chars, number_starts));
        let titles = rules::titles(&ctx);
        let bylines = rules::bylines(&ctx);
        let mut people = rules::names_after_cues(&ctx, &titles);
        people.extend(rules::names_before_verbs(&ctx));
        people.extend(rules::names_before_titles(&ctx, &titles));
        people.extend(rules::dotted_names(&ctx));
        people.extend(rules::transliteration_runs(&ctx));
        people.extend(rules::surnames_with_posts(&ctx));
        people.extend(rules::surnames_with_honorifics(&ctx));
        people.extend(
            bylines
                .iter()
                .filter(|s| s.label == EntityType::Per)
                .cloned(),
        );
        // A place name is not a person (`代表某州…`).
        let mut name = String::new();
        people.retain(|p| {
            name.clear();
            name.extend(&ctx.chars[p.start..p.end]);
            self.gaz.get(&name).is_none()
        });
        let more = rules::propagate(&ctx, &people, EntityType::Per);
        people.extend(more);
        // Titles and rule-found people block organisation growth.
        let blocked = rules::coverage(n, titles.iter().chain(people.iter()));
        let jieba = &self.jieba;
        let is_word = |w: &str| jieba.has_word(w);
        // Places: the gazetteer's full names win over the suffix rule's guess
        // for the same place (`某河镇` rather than `河镇`).
        let gaz_places = rules::gazetteer_places(&ctx, self.gaz);
        let mut suffix = rules::suffix_places(&ctx, &is_word);
        // A chain of known places is one place per unit (`某省某市`).
        suffix.retain(|s| {
            !gaz_places.iter().any(|g| {
                (g.end == s.end && g.start < s.start && g.end - g.start >= 3)
                    || (g.start == s.start && g.end + 3 <= s.end && g.end - g.start >= 2)
            })
        });
        let prefixes = rules::gazetteer_prefixes(&ctx, self.gaz, &is_word);
        let mut all_places = suffix.clone();
        all_places.extend(gaz_places.iter().cloned());
        all_places.extend(prefixes.iter().cloned());
        // Characters inside a place name, for the organisation rule.
        let in_place = rules::coverage(n, all_places.iter());
        out.extend(rules::head_orgs(&ctx, &blocked, &is_word, &in_place));
        out.extend(rules::orgs_before_inner_titles(&ctx, &titles));
        out.extend(rules::media_orgs(&ctx));
        out.extend(rules::teams(&ctx, &is_word, &in_place));
        out.extend(rules::glued_teams(&ctx, &in_place));
        out.extend(rules::dictionary_orgs(&ctx, self.gaz));
        out.extend(rules::departments(&ctx, &is_word, &blocked));
        out.extend(rules::team_lists(&ctx, self.gaz));
        out.extend(rules::industry_orgs(&ctx, self.gaz));
        out.extend(rules::facilities(&ctx, &is_word, &in_place));
        out.extend(rules::orgs_in_posts(&ctx, &in_place));
        out.extend(rules::place_short_names(&ctx, &all_places));
        out.extend(suffix);
        out.extend(gaz_places);
        out.extend(prefixes);
        out.extend(rules::abbreviation_pairs(&ctx, self.gaz));
        out.extend(rules::abbreviation_singles(&ctx));
        out.extend(rules::dictionary_places(&ctx, self.gaz));
        out.extend(rules::landmark_places(&ctx, &is_word));
        let tag_of = |w: &str| {
            jieba
                .has_word(w)
                .then(|| jieba.tag(w, false))
                .and_then(|t| (t.len() == 1).then(|| Pos::of(t[0].tag)))
        };
        out.extend(rules::model_names(&ctx, &is_word, &tag_of));
        if !self.words.is_empty() {
            for t in &ctx.toks {
                if let Some(label) = self.words.get(t.word) {
                    out.push(Span {
                        start: t.start(),
                        end: t.end(),
                        label: label.clone(),
                        source: super::Source::Dictionary,
                        confidence: 0.9,
                    });
                }
            }
        }
        split_leading_places(&mut out, &ctx.chars, self.gaz);
        let mut countries = Vec::new();
        out.retain(|s| {
            // jieba's own bank words are names (`某国银行`/nt).
            let nt_word = ctx
                .tok_starting
                .get(s.start)
                .and_then(|&i| ctx.toks.get(i as usize))
                .is_some_and(|t| t.end() == s.end && t.pos == Pos::Nt && t.word.ends_with("银行"));
            let generic = s.label == EntityType::Org
                && !nt_word
                && country_and_generic_head(&ctx.chars[s.start..s.end], self.gaz)
                    .inspect(|&n| {
                        countries.push(Span::new(
                            s.start,
                            s.start + n,
                            EntityType::Loc,
                            super::Source::Gazetteer,
                            0.8,
                        ))
                    })
                    .is_some();
            !generic
        });
        out.extend(countries);
        // `某桥/村支部书记`: a bare place name and a post starting with a
        // level word: the level word ends the place (`某桥村` + `支部书记`).
        let mut titles = titles;
        for t in titles.iter_mut() {
            if t.end - t.start < 3 || !crate::char_list!("村镇乡").has(ctx.chars[t.start]) {
                continue;
            }
            if let Some(p) = out.iter_mut().find(|p| {
                p.label == EntityType::Loc
                    && p.end == t.start
                    && !crate::char_list!("村镇乡县市区省").has(ctx.chars[p.end - 1])
            }) {
                p.end += 1;
                t.start += 1;
            }
        }
        out.extend(titles);
        out.extend(bylines);
        out.extend(people);
        Candidates {
            spans: out,
            chars: ctx.chars,
            toks: ctx.toks,
            segments,
        }
    }

    /// The rule extractor's entities from its candidates: overlaps
    /// resolved, nested organisations merged.
    fn resolve_rules(spans: &[Span], chars: &[char]) -> Vec<Entity> {
        if spans.is_empty() {
            return Vec::new();
        }
        // Overlaps are resolved on the spans, so only the kept ones get
        // their text copied (from the characters: no char-to-byte table).
        let len = chars.len();
        let kept = overlap_survivors(spans, |s| s.start < s.end && s.end <= len);
        let ents = kept
            .into_iter()
            .map(|i| {
                let s = &spans[i as usize];
                Entity {
                    text: super::text_of(&chars[s.start..s.end]),
                    start: s.start,
                    end: s.end,
                    label: s.label.clone(),
                    source: s.source,
                    confidence: s.confidence,
                }
            })
            .collect();
        merge_nested_orgs(ents, chars)
    }

    /// Everything the tagger reads of `text`: its characters, the hashed
    /// features of every character (`features::PER_CHAR` each, table of
    /// `2^bits`, with `names` the names seen in training), and the rules'
    /// own entities; `text` is read whole, as a training sentence is
    /// (extraction bounds each character's features by its sentence).
    pub fn analyse(
        &self,
        text: &str,
        bits: u32,
        names: &NameDict,
    ) -> (Vec<char>, Vec<u32>, Vec<Entity>) {
        let a = self.analyse_with_tokens(text, bits, names, false);
        (a.chars, a.feats, a.rules)
    }

    /// [`NewsExtractor::analyse`], the token starts and the sentences;
    /// `per_sentence` as in [`Evidence`] (on for articles, off for training
    /// sentences).
    fn analyse_with_tokens(
        &self,
        text: &str,
        bits: u32,
        names: &NameDict,
        per_sentence: bool,
    ) -> Analysis {
        let Candidates {
            spans,
            chars,
            toks,
            segments,
        } = self.candidates_and_chars(text);
        let rules = Self::resolve_rules(&spans, &chars);
        let feats = features::features(
            &Evidence {
                chars: &chars,
                toks: &toks,
                candidates: &spans,
                resolved: &rules,
                gaz: self.gaz,
                names,
                per_sentence,
            },
            bits,
        );
        let mut tok_starts = vec![false; chars.len() + 1];
        for t in &toks {
            if let Some(x) = tok_starts.get_mut(t.start()) {
                *x = true;
            }
        }
        Analysis {
            chars,
            feats,
            rules,
            tok_starts,
            segments,
        }
    }

    /// The rules alone (no tagger), for comparison and stacking.
    pub fn extract_rules(&self, text: &str) -> Vec<Entity> {
        let c = self.candidates_and_chars(text);
        Self::resolve_rules(&c.spans, &c.chars)
    }
}

/// Generic body words that are not entities on their own, even after a
/// level character (`管委会`, `镇党委`, `市政府`): the product's annotation
/// convention (`tests/gold/README.md`). `X委` abbreviations of party
/// committees (`市委`) are names in news and stay.
const BARE_BODIES: &[&str] = &[
    "管委会",
    "村委会",
    "居委会",
    "党委",
    "党工委",
    "党支部",
    "总支部",
    "支部",
    "党组",
    "政府",
    "人民政府",
    "工作队",
    "办公室",
    "委员会",
    "常委会",
];

/// Level characters that end one administrative unit.
const UNIT_ENDS: &str = "省市县区镇乡村";
/// [`UNIT_ENDS`] as a character test.
static UNIT_END: CharList = CharList::new(UNIT_ENDS);

/// The product's conventions applied to the model's PER/LOC/ORG (MSRA's
/// differ in places): a post found by the rules is a TITLE and no part of a
/// name (`某某局党组` + `党组成员` → ORG `某某局`); bare generic bodies are
/// not entities; a chain of administrative units is one LOC per unit; two
/// bodies side by side are two; a name does not hold an unbalanced
/// quotation mark.
fn conventions(model: &mut Vec<Entity>, rules: &[Entity], chars: &[char]) {
    let titles: Vec<&Entity> = rules
        .iter()
        .filter(|r| r.label == EntityType::Title)
        .collect();
    let mut out: Vec<Entity> = Vec::with_capacity(model.len());
    let retext = |e: &mut Entity| e.text = super::text_of(&chars[e.start..e.end]);
    'next: for mut m in model.drain(..) {
        for t in &titles {
            if t.end <= m.start || m.end <= t.start {
                continue;
            }
            if t.start <= m.start && m.end <= t.end {
                continue 'next;
            }
            if m.start < t.start && t.end >= m.end {
                m.end = t.start;
            } else if t.start <= m.start && t.end < m.end {
                m.start = t.end;
            } else {
                continue 'next;
            }
            if m.end - m.start < 2 {
                continue 'next;
            }
            retext(&mut m);
        }
        let open = m.text.matches(['“', '「', '《', '（', '(']).count();
        let close = m.text.matches(['”', '」', '》', '）', ')']).count();
        if open != close {
            continue;
        }
        if m.label == EntityType::Org && slogan_part(&m, chars) {
            continue;
        }
        if m.label == EntityType::Org {
            let rest = m
                .text
                .strip_prefix(|c: char| UNIT_END.has(c))
                .unwrap_or(&m.text);
            if BARE_BODIES.contains(&rest) || BARE_BODIES.contains(&m.text.as_str()) {
                continue;
            }
        }
        if m.label == EntityType::Org
            && let Some(k) = coordination(&m, chars)
        {
            // Two bodies joined by a conjunction are two (`某市某联和某县某联`).
            let mut first = m.clone();
            first.end = k;
            retext(&mut first);
            out.push(first);
            m.start = k + 1;
            retext(&mut m);
        }
        if m.label == EntityType::Org && m.end - m.start >= 6 {
            // Two bodies written side by side stay two (`某局办公室` +
            // `县政府办公室`): cut where a level character follows a head.
            let cut = (m.start + 3..m.end - 3).find(|&k| {
                crate::char_list!("室局委会部院所办处厅").has(chars[k - 1])
                    && UNIT_END.has(chars[k])
                    && crate::char_list!("委政人").has(chars[k + 1])
            });
            if let Some(k) = cut {
                let mut first = m.clone();
                first.end = k;
                retext(&mut first);
                m.start = k;
                retext(&mut m);
                out.push(first);
            }
        }
        if m.label == EntityType::Loc && m.end - m.start >= 5 {
            // Cut after a unit character when both parts are units of
            // two characters or more (`某某镇某某村`).
            let mut cut = m.start;
            let mut parts = Vec::new();
            for (k, &c) in chars.iter().enumerate().take(m.end - 2).skip(m.start + 2) {
                if UNIT_END.has(c) && k + 1 - cut >= 3 {
                    parts.push((cut, k + 1));
                    cut = k + 1;
                }
            }
            if !parts.is_empty() && UNIT_END.has(chars[m.end - 1]) && m.end - cut >= 3 {
                parts.push((cut, m.end));
                for (a, b) in parts {
                    let mut p = m.clone();
                    (p.start, p.end) = (a, b);
                    retext(&mut p);
                    out.push(p);
                }
                continue;
            }
        }
        out.push(m);
    }
    *model = out;
}

/// Where a model ORG is two bodies joined by a conjunction (`和`, `与`,
/// `及`): the index of the conjunction, when the part before it is a body
/// of three characters or more (it ends with a body's head character) and
/// the part after it one with a level prefix (`市…`, `县…`) and a head of
/// its own. A name with a conjunction inside (`某某发展和改革委员会`) has no
/// head before it and stays whole.
fn coordination(m: &Entity, chars: &[char]) -> Option<usize> {
    let head = crate::char_list!("联局委会部院所办处厅协署司行团社校站队");
    let (a, b) = (m.start, m.end);
    if b - a < 7 || !head.has(chars[b - 1]) {
        return None;
    }
    (a + 3..b - 3).find(|&k| {
        matches!(chars[k], '和' | '与' | '及')
            && head.has(chars[k - 1])
            && UNIT_END.has(chars[k + 1])
    })
}

/// The first part of a quoted slogan of parallel numbered parts
/// (`“三联三帮”`, `“两联一包”`: a numeral opens each part) is no organisation,
/// however much `某联` reads like a federation's short name. Only the part
/// that opens the quotation and is followed in it by another numbered part
/// of at most its length twice: a quoted name alone (`“四人帮”`) or a
/// place inside a slogan (`“三进某桥”`) stays.
fn slogan_part(m: &Entity, chars: &[char]) -> bool {
    let numeral = crate::char_list!("一二两双三四五六七八九十百千万");
    let (a, b) = (m.start, m.end);
    if a == 0 || !matches!(chars[a - 1], '“' | '"' | '「') || !numeral.has(chars[a]) {
        return false;
    }
    let Some(rest) = chars[b..]
        .iter()
        .take(2 * (b - a) + 1)
        .position(|&c| matches!(c, '”' | '"' | '」'))
    else {
        return false;
    };
    rest >= 2 && numeral.has(chars[b])
}

/// Arbitration between the model and the rules (tuned on `pd_dev` and the
/// seeds' gold; see ARCHITECTURE.md): a rule's PER/LOC/ORG replaces the
/// model's overlapping entities when all of them are less sure than this.
const OVERRIDE_BELOW: f32 = 0.6;
/// A one-character place the rules do not confirm (`中`, `美`) needs this
/// confidence from the model.
const SINGLE_PLACE_FROM: f32 = 0.8;

/// Rule entities with the shape of local-government news, where the rules
/// know more than a model trained on national news: administrative units
/// (`某某村`, `某某社区`, `某某街道`) and bodies with a place prefix or a
/// company head (`某某局`, `某某有限公司`). They win over the model.
fn domain_shape(r: &Entity, chars: &[char]) -> bool {
    r.end - r.start >= 3
        && matches!(r.source, super::Source::Rule | super::Source::Gazetteer)
        && match r.label {
            EntityType::Loc => {
                UNIT_END.has(chars[r.end - 1])
                    || r.text.ends_with("社区")
                    || r.text.ends_with("街道")
            }
            EntityType::Org => DOMAIN_ORG_HEADS.iter().any(|h| r.text.ends_with(h)),
            _ => false,
        }
}

/// A model ORG that starts inside a jieba word starts with that word
/// (`某新区慈善总会` cut as `新区慈善总会` inside the word `某新区`): the
/// start moves back to the word's, over Han characters only, when no other
/// entity lies there.
fn snap_org_starts(model: &mut [Entity], tok_starts: &[bool], chars: &[char]) {
    let taken: Vec<(usize, usize)> = model.iter().map(|e| (e.start, e.end)).collect();
    for e in model.iter_mut() {
        if e.label != EntityType::Org || tok_starts.get(e.start).is_none_or(|&x| x) {
            continue;
        }
        let mut s = e.start;
        while s > 0 && !tok_starts[s] && crate::chars::is_han(chars[s - 1]) {
            s -= 1;
        }
        if s < e.start
            && tok_starts[s]
            && crate::chars::is_han(chars[s])
            && !taken.iter().any(|&(a, b)| a < e.start && b > s)
        {
            e.start = s;
            e.text = super::text_of(&chars[s..e.end]);
        }
    }
}

/// A rule's PER laid out as in a byline: a post the rules found, one space,
/// the name (`记者 某某`). News bylines are rare in the training data (which
/// has no spaces); where the model finds nothing there, the rule's name is
/// added (on `pd_dev`: no change; a post directly followed by the name,
/// with no space, added a false positive there).
fn byline_name(r: &Entity, rules: &[Entity], chars: &[char]) -> bool {
    r.label == EntityType::Per
        && r.start >= 1
        && chars[r.start - 1].is_whitespace()
        && rules
            .iter()
            .any(|t| t.label == EntityType::Title && t.end + 1 == r.start)
}

/// Organisation heads of [`domain_shape`].
const DOMAIN_ORG_HEADS: &[&str] = &[
    "公司",
    "局",
    "办",
    "委",
    "所",
    "中心",
    "支部",
    "药业",
    "合作社",
];

/// A word of jieba's dictionary that it tags as something other than a
/// name (`代表`, `经营者`; not `某某杯`, an event's name, nor a place).
fn lead_in_word(jieba: &Jieba, w: &str) -> bool {
    if !jieba.has_word(w) {
        return false;
    }
    let tags = jieba.tag(w, false);
    tags.len() == 1 && !Pos::of(tags[0].tag).is(crate::tags!(Ns | Nr | Nrfg | Nrt | Nz | Nt | J))
}

/// Where the rules and the model disagree on PER/LOC/ORG: see the
/// constants above. Entities are kept sorted by start.
/// `is_word` tells a word of jieba's dictionary; `is_lead_in` a word of it
/// that is no name (see [`lead_in_word`]).
fn arbitrate(
    model: &mut Vec<Entity>,
    rules: &[Entity],
    chars: &[char],
    is_word: &dyn Fn(&str) -> bool,
    is_lead_in: &dyn Fn(&str) -> bool,
) {
    let mut add = Vec::new();
    let mut over: Vec<usize> = Vec::new();
    for r in rules {
        if !matches!(r.label, EntityType::Per | EntityType::Loc | EntityType::Org)
            || !matches!(r.source, super::Source::Rule | super::Source::Gazetteer)
        {
            continue;
        }
        let shape = domain_shape(r, chars);
        over.clear();
        over.extend(
            model
                .iter()
                .enumerate()
                .filter(|(_, m)| m.start < r.end && r.start < m.end)
                .map(|(i, _)| i),
        );
        if over.is_empty() {
            // Where the model found nothing, only a domain shape or a
            // byline's name is added (adding any confident rule entity cost
            // 0.3 pt on pd_dev and gained nothing on the seeds).
            // A place that is a word of jieba's dictionary (`直辖市`,
            // `大城市`) is a common noun more often than a name; only
            // the model adds it (on pd_dev and the held-out split: +0.002
            // and +0.003; seeds unchanged).
            let generic =
                r.label == EntityType::Loc && r.source == super::Source::Rule && is_word(&r.text);
            if (shape && !generic) || byline_name(r, rules, chars) {
                add.push(r.clone());
            }
            continue;
        }
        if over.len() == 1 && model[over[0]].start == r.start && model[over[0]].end == r.end {
            continue;
        }
        // A rule's place inside the model's organisation is that
        // organisation's place prefix (`某省高等学校工作委员会`), and a
        // rule's organisation that the model reads as the end of a name
        // begun further left (`某某·某某公司`) is its tail: neither cuts
        // the organisation down (pd_dev +0.003, held-out split +0.004,
        // seeds unchanged).
        let inside = (r.label == EntityType::Loc
            || (r.label == EntityType::Org && over.len() == 1 && model[over[0]].start < r.start))
            && over.len() == 1
            && model[over[0]].label == EntityType::Org
            && model[over[0]].start <= r.start
            && model[over[0]].end >= r.end;
        // A rule's organisation or place that reaches further left than the
        // model's to the same end, over a common word of two or more
        // characters (`代表某某市委`, `经营者某某公司`: a verb or a role
        // before the name; `南部某某县`: a direction), does not replace it
        // (unseen training articles: ORG 0.776 -> 0.781, LOC 0.813 ->
        // 0.815; `pd_dev`, the held-out split and the seeds unchanged).
        // Single characters (`和` of a trade name) and place levels are left
        // to the rules.
        if matches!(r.label, EntityType::Org | EntityType::Loc) && over.len() == 1 {
            let m = &model[over[0]];
            if m.label == r.label
                && m.end == r.end
                && m.start >= r.start + 2
                && !NAME_LEVEL.has(chars[m.start - 1])
                && is_lead_in(&super::text_of(&chars[r.start..m.start]))
            {
                continue;
            }
        }
        if (shape && !inside) || over.iter().all(|&i| model[i].confidence < OVERRIDE_BELOW) {
            for &i in over.iter().rev() {
                model.remove(i);
            }
            add.push(r.clone());
        }
    }
    // One-character places side by side (`中美`, `中日韩`) vouch for each
    // other (pd_dev LOC 0.952 -> 0.953, held-out split 0.917 -> 0.918,
    // seeds unchanged).
    let single: Vec<usize> = model
        .iter()
        .filter(|m| m.label == EntityType::Loc && m.end - m.start == 1)
        .map(|m| m.start)
        .collect();
    let paired = |m: &Entity| single.iter().any(|&s| s + 1 == m.start || m.start + 1 == s);
    model.retain(|m| {
        m.end - m.start > 1
            || m.label != EntityType::Loc
            || m.confidence >= SINGLE_PLACE_FROM
            || paired(m)
            || rules.iter().any(|r| r.start == m.start && r.end == m.end)
    });
    model.extend(add);
    model.sort_by_key(|e| e.start);
}

/// Level characters after which a place's own name may stand alone.
const NAME_LEVELS: &str = "省市县乡镇村";
/// [`NAME_LEVELS`] as a character test.
static NAME_LEVEL: CharList = CharList::new(NAME_LEVELS);

/// Document consistency: an article names a place once in full, with its
/// level (`某某镇`), and elsewhere by its name alone (`向某某捐赠`,
/// `“某某蓝”`). The name alone is a LOC wherever it stands between jieba
/// token boundaries and no other entity covers it (a shorter LOC inside it,
/// a guess at part of it, gives way). Names that are words of jieba's
/// dictionary tagged other than as names (`中心` of `中心村`) are left
/// alone.
fn place_names_in_document(
    out: &mut Vec<Entity>,
    chars: &[char],
    tok_starts: &[bool],
    jieba: &Jieba,
) {
    let mut names: Vec<(Vec<char>, f32)> = Vec::new();
    let mut seen: Vec<Vec<char>> = Vec::new();
    for e in out.iter() {
        let n = e.end - e.start;
        if e.label != EntityType::Loc
            || !(3..=5).contains(&n)
            || !NAME_LEVEL.has(chars[e.end - 1])
            || !chars[e.start..e.end]
                .iter()
                .all(|&c| crate::chars::is_han(c))
        {
            continue;
        }
        let name = &chars[e.start..e.end - 1];
        if seen.iter().any(|n| n == name) {
            continue;
        }
        seen.push(name.to_vec());
        let word: String = super::text_of(name);
        if jieba.has_word(&word) {
            let tags = jieba.tag(&word, false);
            if tags.len() != 1 || !Pos::of(tags[0].tag).is(crate::tags!(Ns | Nr | Nrfg | Nrt | Nz))
            {
                continue;
            }
        }
        names.push((name.to_vec(), e.confidence));
    }
    if names.is_empty() {
        return;
    }
    let boundary =
        |i: usize| i == 0 || i >= chars.len() || tok_starts.get(i).copied().unwrap_or(true);
    let mut add: Vec<Entity> = Vec::new();
    for (name, confidence) in &names {
        let n = name.len();
        for a in occurrences(chars, name) {
            let b = a + n;
            if !boundary(a) || !boundary(b) {
                continue;
            }
            // Only a LOC inside the name gives way; anything else wins.
            let over: Vec<&Entity> = out.iter().filter(|e| e.start < b && a < e.end).collect();
            if over.iter().any(|e| {
                e.label != EntityType::Loc || e.start < a || e.end > b || (e.start, e.end) == (a, b)
            }) {
                continue;
            }
            out.retain(|e| !(e.start < b && a < e.end));
            add.push(Entity {
                start: a,
                end: b,
                text: super::text_of(name),
                label: EntityType::Loc,
                source: super::Source::Rule,
                confidence: *confidence,
            });
        }
    }
    out.extend(add);
    out.sort_by_key(|e| e.start);
}

/// Every start of `name` in `chars`, overlapping ones included, in order.
/// The first character is tested before the whole name (a slice
/// comparison at every character was a `memcmp` call each: 1.4% of
/// extraction's time, `speed6`), sixteen characters at a time into a bit
/// mask (vector compares) rather than one branch per character.
fn occurrences<'c>(chars: &'c [char], name: &'c [char]) -> impl Iterator<Item = usize> + 'c {
    const LANES: usize = 16;
    let n = name.len();
    // The possible starts (none for an empty name).
    let starts = if n == 0 {
        0
    } else {
        (chars.len() + 1).saturating_sub(n)
    };
    let first = name.first().copied().unwrap_or('\0');
    let (mut base, mut next, mut mask) = (0usize, 0usize, 0u32);
    std::iter::from_fn(move || {
        loop {
            while mask != 0 {
                let i = base + mask.trailing_zeros() as usize;
                mask &= mask - 1;
                if chars[i..i + n] == name[..] {
                    return Some(i);
                }
            }
            if next >= starts {
                return None;
            }
            base = next;
            next = (base + LANES).min(starts);
            mask = match chars[base..next].try_into() {
                Ok(block) => {
                    let block: &[char; LANES] = block;
                    block
                        .iter()
                        .enumerate()
                        .fold(0, |m, (k, &c)| m | (u32::from(c == first) << k))
                }
                Err(_) => chars[base..next]
                    .iter()
                    .enumerate()
                    .fold(0, |m, (k, &c)| m | (u32::from(c == first) << k)),
            };
        }
    })
}

/// A short "name" whose every character is the first character of a
/// different place the same article names (`甲乙` for the places `甲某`
/// and `乙某`) is those places' joint abbreviation, as in names of
/// partnerships, roads and zones, not a person.
fn place_initials_are_not_people(out: &mut Vec<Entity>, chars: &[char]) {
    let initials: Vec<char> = out
        .iter()
        .filter(|e| e.label == EntityType::Loc && e.end - e.start >= 2)
        .map(|e| chars[e.start])
        .collect();
    out.retain(|e| {
        if e.label != EntityType::Per || !(2..=3).contains(&(e.end - e.start)) {
            return true;
        }
        let mut used: Vec<char> = Vec::new();
        let all = chars[e.start..e.end].iter().all(|&c| {
            let ok = !used.contains(&c) && initials.contains(&c);
            used.push(c);
            ok
        });
        !all
    });
}

/// An unsure person (`conf < UNSURE_PERSON`) whose last character lies in a
/// common noun of jieba's dictionary (a token of two or more characters
/// tagged `n`: `某计委`, a plant's name cut short) is that noun read as a
/// name, not a person: a real name's last characters are a name token or
/// characters jieba does not join into a noun.
fn unsure_people_are_not_nouns(
    out: &mut Vec<Entity>,
    chars: &[char],
    tok_starts: &[bool],
    jieba: &Jieba,
) {
    out.retain(|e| {
        if e.label != EntityType::Per
            || e.source != super::Source::Model
            || e.confidence >= UNSURE_PERSON
            || e.end == 0
        {
            return true;
        }
        let last = e.end - 1;
        let a = (0..=last).rev().find(|&i| tok_starts[i]).unwrap_or(0);
        let b = (last + 1..chars.len())
            .find(|&i| tok_starts[i])
            .unwrap_or(chars.len());
        if b - a < 2 {
            return true;
        }
        let word: String = super::text_of(&chars[a..b]);
        let noun = jieba.has_word(&word) && {
            let t = jieba.tag(&word, false);
            t.len() == 1 && Pos::of(t[0].tag) == Pos::N
        };
        !noun
    });
}

/// Below this confidence a person is unsure (see
/// [`unsure_people_are_not_nouns`]).
const UNSURE_PERSON: f32 = 0.6;

/// The registered legal forms a company name ends in, longest first.
/// (A bare `公司` is not one: short names such as `某某公司` are often a
/// brand that is also a common word.)
const LEGAL_FORMS: &[&str] = &["股份有限公司", "有限责任公司", "有限公司"];

/// A company's name is place + trade name + industry + legal form; the
/// trade name is what names it. A company found with nothing but common
/// words before its legal form (`物流有限公司`, `绿色农业股份有限公司`) has
/// lost its trade name at a jieba split: it grows to the left over the
/// name-like tokens right before it (places, names, words jieba does not
/// know), and without any it is dropped.
fn companies_need_a_name(out: &mut Vec<Entity>, chars: &[char], jieba: &Jieba) {
    let generic = crate::tags!(N | Vn | A | An | Ad | V | D | B);
    let name_like = crate::tags!(Ns | Nr | Nrfg | Nrt | Nz | Nt | J | Eng | X);
    let mut drop: Vec<usize> = Vec::new();
    let taken: Vec<(usize, usize)> = out.iter().map(|e| (e.start, e.end)).collect();
    for (k, e) in out.iter_mut().enumerate() {
        if e.label != EntityType::Org {
            continue;
        }
        let text: String = super::text_of(&chars[e.start..e.end]);
        let Some(form) = LEGAL_FORMS.iter().find(|f| text.ends_with(**f)) else {
            continue;
        };
        let body_end = e.end - form.chars().count();
        if body_end <= e.start {
            continue;
        }
        let body: String = super::text_of(&chars[e.start..body_end]);
        if !body.chars().all(crate::chars::is_han) {
            continue;
        }
        let toks = jieba.tag(&body, true);
        if !toks.iter().all(|t| Pos::of(t.tag).is(generic)) {
            continue;
        }
        // Grow over the name-like tokens right before it, in the same
        // stretch of Han text (at most 8 characters).
        let from = (e.start.saturating_sub(8)..e.start)
            .rev()
            .take_while(|&i| crate::chars::is_han(chars[i]))
            .last()
            .unwrap_or(e.start);
        let mut start = e.start;
        if from < e.start {
            let left: String = super::text_of(&chars[from..e.start]);
            let lt = jieba.tag(&left, true);
            let mut pos = e.start;
            for t in lt.iter().rev() {
                if !Pos::of(t.tag).is(name_like) {
                    break;
                }
                pos -= t.word.chars().count();
                start = pos;
            }
        }
        let free = !taken
            .iter()
            .any(|&(a, b)| (a, b) != (e.start, e.end) && a < e.start && b > start);
        if start < e.start && free {
            e.start = start;
            e.text = super::text_of(&chars[start..e.end]);
        } else {
            drop.push(k);
        }
    }
    for k in drop.into_iter().rev() {
        out.remove(k);
    }
    out.sort_by_key(|e| e.start);
}

/// Sentence segments `(start, end)` of `chars` (ends included), as the
/// tagger decodes them.
pub fn segments(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &c) in chars.iter().enumerate() {
        if is_sentence_end(c) {
            out.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < chars.len() {
        out.push((start, chars.len()));
    }
    out
}

impl Extractor for NewsExtractor {
    fn version(&self) -> String {
        match &self.tagger {
            Some(t) => format!("news-tagger-9+{}", t.id()),
            None => "news-rules-9".into(),
        }
    }

    fn extract(&self, text: &str) -> Vec<Entity> {
        let Some(tagger) = &self.tagger else {
            return self.extract_rules(text);
        };
        let Analysis {
            chars,
            feats,
            rules,
            tok_starts,
            segments,
        } = self.analyse_with_tokens(text, tagger.bits(), tagger.names(), true);
        let mut out: Vec<Entity> = Vec::with_capacity(rules.len() + 8);
        debug_assert_eq!(feats.len(), chars.len() * PER_CHAR);
        tagger.tag_segments_entities(&feats, chars.len(), &segments, |(s, _), labels, conf| {
            for (a, b, label) in spans_of_labels(labels) {
                // A name neither starts nor ends with a space.
                let ws = |k: usize| chars[s + k].is_whitespace();
                let (a, b) = (
                    (a..b).find(|&k| !ws(k)).unwrap_or(b),
                    (a..b).rev().find(|&k| !ws(k)).map_or(a, |k| k + 1),
                );
                if a >= b {
                    continue;
                }
                let confidence = conf[a..b].iter().cloned().fold(1.0f32, f32::min);
                out.push(Entity {
                    start: s + a,
                    end: s + b,
                    text: super::text_of(&chars[s + a..s + b]),
                    label,
                    source: super::Source::Model,
                    confidence,
                });
            }
        });
        snap_org_starts(&mut out, &tok_starts, &chars);
        if tagger.arbitrates() {
            let jieba = &self.jieba;
            arbitrate(&mut out, &rules, &chars, &|w| jieba.has_word(w), &|w| {
                lead_in_word(jieba, w)
            });
        }
        conventions(&mut out, &rules, &chars);
        if tagger.arbitrates() {
            // The article as a whole (the tagger sees one sentence at a
            // time): seeds' gold 0.944 → 0.953, PER 0.978 → 0.989; pd_dev
            // (one sentence per text) unchanged at 0.936 (news-tagger-5).
            place_names_in_document(&mut out, &chars, &tok_starts, &self.jieba);
            place_initials_are_not_people(&mut out, &chars);
            companies_need_a_name(&mut out, &chars, &self.jieba);
            unsure_people_are_not_nouns(&mut out, &chars, &tok_starts, &self.jieba);
        }
        // DATE, MONEY and TITLE stay with the rules, where the model has not
        // put a name; a word of the user's dictionary outranks the model.
        let mut taken = vec![false; chars.len()];
        for e in &out {
            taken[e.start..e.end].iter_mut().for_each(|x| *x = true);
        }
        let user_word = |e: &Entity| {
            e.source == super::Source::Dictionary && self.words.get(&e.text) == Some(&e.label)
        };
        let mut extra = Vec::new();
        for e in rules {
            if user_word(&e) {
                out.retain(|m| m.end <= e.start || m.start >= e.end);
                extra.push(e);
            } else if matches!(
                e.label,
                EntityType::Date | EntityType::Money | EntityType::Title
            ) && !taken[e.start..e.end].iter().any(|&x| x)
            {
                extra.push(e);
            }
        }
        out.extend(extra);
        resolve_overlaps(out)
    }
}

/// A country or province before a site in another place is not part of
/// its name (`某省某市火车站` → LOC 某省 + LOC 某市火车站; `某省某市` →
/// two places): cut it off rule-found places whose rest starts with a known
/// place. (Organisations keep it: news names `某国某部` as one body.)
fn split_leading_places(spans: &mut Vec<Span>, chars: &[char], gaz: &Gazetteer) {
    let mut extra = Vec::new();
    let mut name = String::new();
    for s in spans.iter_mut() {
        if s.source != super::Source::Rule
            || s.label != EntityType::Loc
            || s.end - s.start < 3
            || !gaz.may_start_pair(chars[s.start], chars[s.start + 1])
        {
            continue;
        }
        // Longest known country (or province, for sites) at the start.
        let mut cut = None;
        name.clear();
        for (k, &ch) in chars
            .iter()
            .enumerate()
            .take(s.end.min(s.start + 8))
            .skip(s.start)
        {
            name.push(ch);
            if let Some(l) = gaz.get(&name)
                && matches!(l, Level::Country | Level::Province)
                && k + 1 < s.end
            {
                cut = Some(k + 1);
            }
        }
        let Some(c) = cut else { continue };
        // The rest must start with another known place.
        name.clear();
        let mut rest_place = false;
        for (k, &ch) in chars.iter().enumerate().take(s.end.min(c + 8)).skip(c) {
            name.push(ch);
            if k > c && gaz.get(&name).is_some() {
                rest_place = true;
                break;
            }
        }
        if rest_place {
            extra.push(Span::new(
                s.start,
                c,
                EntityType::Loc,
                super::Source::Gazetteer,
                0.85,
            ));
            s.start = c;
        }
    }
    spans.extend(extra);
}

/// Common nouns for a kind of body: after a bare country they mean the
/// kind, not one body (`某国公司` = companies of that country).
const GENERIC_BODIES: &[&str] = &[
    "公司",
    "球队",
    "大学",
    "电视台",
    "工厂",
    "企业",
    "银行",
    "医院",
    "学校",
    "政府",
    "军队",
    "部队",
    "当局",
    "总部",
    "电台",
    "报纸",
];

/// If `name` is a country or continent followed by a generic body noun,
/// the length of the place in characters.
fn country_and_generic_head(name: &[char], gaz: &Gazetteer) -> Option<usize> {
    // Cheap test first: the last character must end a generic body.
    static BODIES: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(GENERIC_BODIES));
    if !name.last().is_some_and(|&c| BODIES.may_end_with(c)) {
        return None;
    }
    let s: String = super::text_of(name);
    GENERIC_BODIES.iter().find_map(|g| {
        let p = s.strip_suffix(g)?;
        let n = p.chars().count();
        ((p.ends_with('洲') && n == 2) || gaz.get(p) == Some(Level::Country)).then_some(n)
    })
}

/// Whether a name starts with an administrative level word (`市…`, `县…`):
/// a body of its own, not part of the one before it.
fn starts_with_level(name: &str) -> bool {
    name.starts_with(['市', '县', '省', '区', '镇', '乡', '村'])
}

/// An organisation right after a place or another organisation is part of
/// it (`某国` + `某某部`, `联合国` + `某某署`): news names nested bodies as
/// one organisation. `ents` is sorted by start.
fn merge_nested_orgs(ents: Vec<Entity>, chars: &[char]) -> Vec<Entity> {
    let mut out: Vec<Entity> = Vec::with_capacity(ents.len());
    for e in ents {
        if e.label == EntityType::Org
            && let Some(prev) = out.last_mut()
            && prev.end == e.start
            && matches!(prev.label, EntityType::Org | EntityType::Loc)
            && prev.end - prev.start >= 2
            && !(prev.label == EntityType::Org && starts_with_level(&e.text))
        {
            prev.end = e.end;
            prev.label = EntityType::Org;
            prev.source = e.source;
            prev.confidence = prev.confidence.min(e.confidence);
            prev.text = super::text_of(&chars[prev.start..prev.end]);
            continue;
        }
        out.push(e);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ents(text: &str) -> Vec<(String, String)> {
        let ex = NewsExtractor::new();
        ex.extract(text)
            .into_iter()
            .map(|e| (e.label.to_string(), e.text))
            .collect()
    }

    fn has(v: &[(String, String)], label: &str, text: &str) -> bool {
        v.iter().any(|(l, t)| l == label && t == text)
    }

    /// An entity of `text` found at the first occurrence of `word` (after
    /// character `from`).
    fn at(text: &str, word: &str, from: usize, label: EntityType) -> Entity {
        crate::extract::entity_at(text, word, from, label, crate::extract::Source::Model, 0.9)
    }

    fn tok_starts(jieba: &Jieba, text: &str) -> Vec<bool> {
        let n = text.chars().count();
        let mut starts = vec![false; n + 1];
        let mut k = 0;
        for t in jieba.tag(text, true) {
            starts[k] = true;
            k += t.word.chars().count();
        }
        starts
    }

    fn texts(v: &[Entity]) -> Vec<(String, String)> {
        v.iter()
            .map(|e| (e.label.to_string(), e.text.clone()))
            .collect()
    }

    #[test]
    fn a_place_named_in_full_is_found_by_its_name_alone() {
        let jieba = Jieba::new();
        let text = "青禾镇修了三条路。青禾的村民说，龙泉口的路也修好了。";
        let chars: Vec<char> = text.chars().collect();
        let mut out = vec![at(text, "青禾镇", 0, EntityType::Loc)];
        place_names_in_document(&mut out, &chars, &tok_starts(&jieba, text), &jieba);
        let v = texts(&out);
        assert!(has(&v, "LOC", "青禾"), "{v:?}");
        assert_eq!(out.len(), 2, "{v:?}");
        // A shorter place guessed inside the name gives way to it; a
        // person or organisation over it stays.
        let text = "双河口乡来了客人。客人向双河口捐了书，双河口小学也收到了。";
        let chars: Vec<char> = text.chars().collect();
        let mut out = vec![
            at(text, "双河口乡", 0, EntityType::Loc),
            at(text, "河口", 5, EntityType::Loc),
            at(text, "双河口小学", 5, EntityType::Org),
        ];
        place_names_in_document(&mut out, &chars, &tok_starts(&jieba, text), &jieba);
        let v = texts(&out);
        assert!(has(&v, "LOC", "双河口"), "{v:?}");
        assert!(!has(&v, "LOC", "河口"), "{v:?}");
        assert!(has(&v, "ORG", "双河口小学"), "{v:?}");
        // A name that is a common word is not a place wherever it stands.
        let text = "中心村建了广场。这个中心很大。";
        let chars: Vec<char> = text.chars().collect();
        let mut out = vec![at(text, "中心村", 0, EntityType::Loc)];
        place_names_in_document(&mut out, &chars, &tok_starts(&jieba, text), &jieba);
        assert_eq!(out.len(), 1, "{:?}", texts(&out));
    }

    /// The number starts found in the token pass give the dates and
    /// amounts that the grammars' own scan of the characters gives.
    #[test]
    fn the_token_pass_finds_the_number_starts_the_grammars_would() {
        let ex = NewsExtractor::new();
        let mut texts: Vec<String> = [
            "",
            "5",
            "2019年3月5日至6日拨款近3000万元，123月不算",
            "一九九九年投入5000 美元和两个亿；3.5亿元、第2.5万元",
            "１２月３日，十月，近百万元\n8月1日下午，𠀀2018年",
            "今年前9个月完成274.3亿元，2500多万元，60余万元",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds")).unwrap() {
            texts.push(std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default());
        }
        let mut spans = 0;
        for text in &texts {
            let t = ex.tokens_and_chars(text);
            let own = rules::dates_and_money(text, &t.chars);
            let fused = rules::dates_and_money_at(text, &t.chars, t.number_starts);
            assert_eq!(fused, own, "{text:?}");
            spans += own.len();
        }
        assert!(spans > 20, "the texts should hold dates and amounts");
    }

    /// The token pass's sentence split is the one [`segments`] makes of
    /// the characters (the tagger's sentences come from it).
    #[test]
    fn the_token_pass_splits_sentences_as_segments_does() {
        let ex = NewsExtractor::new();
        for text in [
            "",
            "。",
            "今天下雨。明天放晴！",
            "今天下雨。明天放晴",
            "第一行\n\n第二行；第三句?",
            "a;b!c?\n",
            "没有句末",
        ] {
            let t = ex.tokens_and_chars(text);
            assert_eq!(t.segments, segments(&t.chars), "{text:?}");
        }
    }

    /// `occurrences` finds what the old scan found (a slice comparison at
    /// every character, overlapping matches included), on texts of a
    /// three-letter alphabet where most first characters match.
    #[test]
    fn occurrences_equal_a_scan_of_every_position() {
        let old = |chars: &[char], name: &[char]| {
            let (n, mut i, mut found) = (name.len(), 0, Vec::new());
            while i + n <= chars.len() {
                if chars[i..i + n] == name[..] {
                    found.push(i);
                }
                i += 1;
            }
            found
        };
        let mut next = crate::extract::xorshift(7);
        let abc = ['甲', '乙', '丙'];
        for len in 0..40 {
            let chars: Vec<char> = (0..len).map(|_| abc[next() as usize % 3]).collect();
            for n in 1..6 {
                for _ in 0..4 {
                    let name: Vec<char> = (0..n).map(|_| abc[next() as usize % 3]).collect();
                    let new: Vec<usize> = occurrences(&chars, &name).collect();
                    assert_eq!(new, old(&chars, &name), "{chars:?} {name:?}");
                }
            }
        }
        let text: Vec<char> = "甲乙甲乙甲".chars().collect();
        let name: Vec<char> = "甲乙甲".chars().collect();
        assert_eq!(occurrences(&text, &name).collect::<Vec<_>>(), vec![0, 2]);
    }

    #[test]
    fn the_first_part_of_a_numbered_slogan_is_no_organisation() {
        // The shipped model reads `某联` as a federation's short name.
        let ex = crate::extract::default_extractor();
        let text = "全镇开展“三联三帮”活动，落实“两联一包”责任，县妇联参加。";
        let found: Vec<(String, String)> = ex
            .extract(text)
            .into_iter()
            .map(|e| (e.label.to_string(), e.text))
            .collect();
        assert!(
            !found.iter().any(|(_, t)| t == "三联" || t == "两联"),
            "{found:?}"
        );
        assert!(has(&found, "ORG", "县妇联"), "{found:?}");
        let first_part = |text: &str| {
            let chars: Vec<char> = text.chars().collect();
            slogan_part(&at(text, "双联", 0, EntityType::Org), &chars)
        };
        assert!(first_part("开展“双联双助”活动"));
        assert!(first_part("开展“双联一包”活动"));
        assert!(!first_part("开展“双联”活动"), "a quoted name alone stays");
        assert!(!first_part("开展“双联工作”活动"), "no second numbered part");
        assert!(!first_part("开展双联双助活动"), "not quoted");
        assert!(
            !first_part("开展“双联双助双促双带”活动"),
            "the rest is longer than twice the part"
        );
    }

    #[test]
    fn bodies_joined_by_a_conjunction_are_two() {
        // The shipped model reads these as one organisation.
        let ex = crate::extract::default_extractor();
        for (text, first, second) in [
            ("市妇联和县侨联联合举办了座谈会。", "市妇联", "县侨联"),
            ("他代表市妇联和县侨联发言。", "市妇联", "县侨联"),
            ("市文联和县作协举办笔会。", "市文联", "县作协"),
        ] {
            let found: Vec<(String, String)> = ex
                .extract(text)
                .into_iter()
                .map(|e| (e.label.to_string(), e.text))
                .collect();
            assert!(has(&found, "ORG", first), "{text}: {found:?}");
            assert!(has(&found, "ORG", second), "{text}: {found:?}");
        }
        let cut = |text: &str, word: &str| {
            let chars: Vec<char> = text.chars().collect();
            coordination(&at(text, word, 0, EntityType::Org), &chars)
        };
        assert_eq!(cut("由市妇联和县侨联主办", "市妇联和县侨联"), Some(4));
        assert_eq!(cut("由区残联与镇团委主办", "区残联与镇团委"), Some(4));
        assert_eq!(
            cut("省发展和改革委员会", "省发展和改革委员会"),
            None,
            "no head before the conjunction"
        );
        assert_eq!(
            cut("某某市协和医院", "某某市协和医院"),
            None,
            "no level after the conjunction"
        );
        assert_eq!(
            cut("市妇联和县侨联", "市妇联和县侨"),
            None,
            "no head at the end"
        );
    }

    #[test]
    fn joint_abbreviations_of_places_are_not_people() {
        let text = "宁州市与安平县签订宁安合作协议，宁州市长王大林出席。";
        let chars: Vec<char> = text.chars().collect();
        let mut out = vec![
            at(text, "宁州市", 0, EntityType::Loc),
            at(text, "安平县", 0, EntityType::Loc),
            at(text, "宁安", 0, EntityType::Per),
            at(text, "王大林", 0, EntityType::Per),
        ];
        place_initials_are_not_people(&mut out, &chars);
        let v = texts(&out);
        assert!(!has(&v, "PER", "宁安"), "{v:?}");
        assert!(has(&v, "PER", "王大林"), "{v:?}");
        // One place's initial is not enough.
        let mut out = vec![
            at(text, "宁州市", 0, EntityType::Loc),
            at(text, "宁安", 0, EntityType::Per),
        ];
        place_initials_are_not_people(&mut out, &chars);
        assert!(has(&texts(&out), "PER", "宁安"));
    }

    #[test]
    fn unsure_people_ending_in_a_common_noun_are_dropped() {
        let jieba = Jieba::new();
        // jieba: 田/n 计委/n, 张/q 干部/n; 郝春岚/nr.
        let text = "名单上有郝春岚、田计委和李明，还有张干部。";
        let chars: Vec<char> = text.chars().collect();
        let starts = tok_starts(&jieba, text);
        let unsure = |w: &str| Entity {
            confidence: 0.5,
            ..at(text, w, 0, EntityType::Per)
        };
        let mut out = vec![
            unsure("郝春岚"),
            unsure("田计委"),
            at(text, "李明", 0, EntityType::Per),
            unsure("张干部"),
        ];
        unsure_people_are_not_nouns(&mut out, &chars, &starts, &jieba);
        let v = texts(&out);
        assert!(!has(&v, "PER", "田计委"), "{v:?}");
        assert!(!has(&v, "PER", "张干部"), "{v:?}");
        // A name token, or a sure person, stays.
        assert!(has(&v, "PER", "郝春岚"), "{v:?}");
        assert!(has(&v, "PER", "李明"), "{v:?}");
        let mut out = vec![at(text, "田计委", 0, EntityType::Per)];
        unsure_people_are_not_nouns(&mut out, &chars, &starts, &jieba);
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn a_registered_company_needs_its_trade_name() {
        let jieba = Jieba::new();
        // Only common words before the legal form: the trade name was cut
        // off where nothing name-like precedes it: dropped.
        let text = "他说好极了绿色农业股份有限公司的产品。";
        let chars: Vec<char> = text.chars().collect();
        let mut out = vec![at(text, "绿色农业股份有限公司", 0, EntityType::Org)];
        companies_need_a_name(&mut out, &chars, &jieba);
        assert!(out.is_empty(), "{:?}", texts(&out));
        // A place right before it is part of the name.
        let text = "辖区企业江西物流有限公司捐了款。";
        let chars: Vec<char> = text.chars().collect();
        let mut out = vec![at(text, "物流有限公司", 0, EntityType::Org)];
        companies_need_a_name(&mut out, &chars, &jieba);
        assert!(
            has(&texts(&out), "ORG", "江西物流有限公司"),
            "{:?}",
            texts(&out)
        );
        // With a trade name, or a short form (`某某公司`), nothing changes.
        let text = "腾云物流有限公司和电子公司都来了。";
        let chars: Vec<char> = text.chars().collect();
        let mut out = vec![
            at(text, "腾云物流有限公司", 0, EntityType::Org),
            at(text, "电子公司", 0, EntityType::Org),
        ];
        companies_need_a_name(&mut out, &chars, &jieba);
        assert_eq!(out.len(), 2, "{:?}", texts(&out));
    }

    #[test]
    fn title_then_name_and_org_with_place_prefix() {
        let v = ents("甲乙市委副书记王某光在会上讲话，市林业局与高桥镇柳林村签约。");
        assert!(has(&v, "PER", "王某光"), "{v:?}");
        assert!(has(&v, "TITLE", "副书记"), "{v:?}");
        assert!(has(&v, "ORG", "市林业局"), "{v:?}");
        assert!(has(&v, "LOC", "柳林村"), "{v:?}");
        assert!(has(&v, "LOC", "高桥镇"), "{v:?}");
    }

    #[test]
    fn byline_names_and_media() {
        let v = ents("会议召开。\n记者 杨某锦 某郑时报 李某文\n通讯员 唐某 孙某丹 文/图");
        for n in ["杨某锦", "李某文", "唐某", "孙某丹"] {
            assert!(has(&v, "PER", n), "{n} {v:?}");
        }
        assert!(has(&v, "ORG", "某郑时报"), "{v:?}");
        assert!(has(&v, "TITLE", "记者"), "{v:?}");
        assert!(has(&v, "TITLE", "通讯员"), "{v:?}");
    }

    #[test]
    fn name_lists_and_money_and_dates() {
        let v = ents("11月1日下午，市领导马某峰、秦某源、李猛等陪同，投入30万元。");
        for n in ["马某峰", "秦某源", "李猛"] {
            assert!(has(&v, "PER", n), "{n} {v:?}");
        }
        assert!(has(&v, "DATE", "11月1日下午"), "{v:?}");
        assert!(has(&v, "MONEY", "30万元"), "{v:?}");
    }

    #[test]
    fn companies_and_gazetteer_places() {
        let v = ents("河南宏达建筑材料有限公司来到郑州市中牟县。");
        assert!(has(&v, "ORG", "河南宏达建筑材料有限公司"), "{v:?}");
        assert!(has(&v, "LOC", "郑州市"), "{v:?}");
        assert!(has(&v, "LOC", "中牟县"), "{v:?}");
    }

    #[test]
    fn dotted_foreign_names_and_places_glued_to_posts() {
        let v = ents("挪威首相在机场迎接了塞巴斯蒂安·莫雷诺先生。");
        assert!(has(&v, "PER", "塞巴斯蒂安·莫雷诺"), "{v:?}");
        assert!(has(&v, "LOC", "挪威"), "{v:?}");
        assert!(!v.iter().any(|(_, t)| t == "塞巴斯蒂安"), "{v:?}");
    }

    #[test]
    fn surnames_with_honorifics_are_people() {
        let v = ents("钱老说，这件事要抓紧办。");
        assert!(has(&v, "PER", "钱"), "{v:?}");
    }

    #[test]
    fn datelines_do_not_join_organisations() {
        let v = ents("本报上海3月2日电国务院决定，德国财政部长下周来访。");
        assert!(has(&v, "ORG", "国务院"), "{v:?}");
        assert!(has(&v, "ORG", "德国财政部"), "{v:?}");
        assert!(!v.iter().any(|(_, t)| t.contains("日电")), "{v:?}");
    }

    #[test]
    fn chains_of_known_places_split_per_unit_and_verb_abbreviations() {
        let v = ents("他从湖南长沙市出发，今天离京赴沪。");
        assert!(has(&v, "LOC", "湖南"), "{v:?}");
        assert!(has(&v, "LOC", "长沙市"), "{v:?}");
        assert!(has(&v, "LOC", "京"), "{v:?}");
        assert!(!has(&v, "LOC", "湖南长沙市"), "{v:?}");
    }

    #[test]
    fn teams_and_buildings() {
        let v = ents("比赛在地球另一端进行，山东队战胜了对手，随后大家参观了凡尔赛宫。");
        assert!(has(&v, "ORG", "山东队"), "{v:?}");
        assert!(has(&v, "LOC", "凡尔赛宫"), "{v:?}");
        assert!(has(&v, "LOC", "地球"), "{v:?}");
        let v = ents("市邮政局工作队来到村里。");
        assert!(
            !v.iter().any(|(l, t)| l == "ORG" && t.ends_with("工作队")),
            "{v:?}"
        );
    }

    #[test]
    fn abbreviations_side_by_side_and_regional_arts() {
        let v = ents("两国签署了中越边境协定，中俄双方代表出席。她爱听豫剧和京剧。");
        for p in ["中", "越", "俄", "豫", "京"] {
            assert!(has(&v, "LOC", p), "{p} {v:?}");
        }
        // A preposition glued to an abbreviation is not a pair (`中以`).
        let v = ents("球队在决赛中以2∶0获胜。");
        assert!(!has(&v, "LOC", "以"), "{v:?}");
    }

    #[test]
    fn nested_bodies_are_one_organisation() {
        let v = ents("瑞典卫生部长表示，联合国开发署将派员。");
        assert!(has(&v, "ORG", "瑞典卫生部"), "{v:?}");
        assert!(has(&v, "ORG", "联合国开发署"), "{v:?}");
        // Two bodies of their own, written side by side, stay two.
        let v = ents("县委办公室县政府办公室联合发文。");
        assert!(
            !v.iter().any(|(l, t)| l == "ORG" && t.contains("室县")),
            "{v:?}"
        );
    }

    #[test]
    fn teams_glued_and_generic_bodies() {
        let v = ents("秘鲁队战胜了牙买加队，美国公司纷纷撤资。");
        assert!(has(&v, "ORG", "秘鲁队"), "{v:?}");
        assert!(has(&v, "ORG", "牙买加队"), "{v:?}");
        assert!(!has(&v, "ORG", "美国公司"), "{v:?}");
        assert!(has(&v, "LOC", "美国"), "{v:?}");
        let v = ents("比赛中，厄瓜多尔队以2∶1获胜。");
        assert!(has(&v, "ORG", "厄瓜多尔队"), "{v:?}");
    }

    #[test]
    fn broken_foreign_names_and_landmarks() {
        // jieba cuts this invented transliteration into name tokens.
        let v = ents("议长科瓦连科会谈后参观了埃菲尔铁塔和凡尔赛宫。");
        assert!(has(&v, "PER", "科瓦连科"), "{v:?}");
        assert!(has(&v, "LOC", "埃菲尔铁塔"), "{v:?}");
        assert!(has(&v, "LOC", "凡尔赛宫"), "{v:?}");
    }

    #[test]
    fn jieba_tags_filtered() {
        // Disciplines, events and verb phrases that jieba tags `nt`/`ns`.
        let v = ents("他研究天文学，出席音乐会，热爱祖国，回国后用瑞典克朗结算。");
        for w in ["天文学", "音乐会"] {
            assert!(!has(&v, "ORG", w), "{w} {v:?}");
        }
        for w in ["热爱祖国", "回国", "瑞典克朗"] {
            assert!(!has(&v, "LOC", w), "{w} {v:?}");
        }
        assert!(has(&v, "LOC", "瑞典"), "{v:?}");
    }

    #[test]
    fn periodicals_and_abbreviated_bodies() {
        let v = ents("美国《某某》杂志报道，市纪委和北大联合调查。");
        assert!(has(&v, "ORG", "美国《某某》杂志"), "{v:?}");
        assert!(has(&v, "ORG", "市纪委"), "{v:?}");
        assert!(has(&v, "ORG", "北大"), "{v:?}");
    }

    #[test]
    fn site_after_province_is_split() {
        let v = ents("他在江苏苏州火车站工作。");
        assert!(has(&v, "LOC", "江苏"), "{v:?}");
        assert!(!v.iter().any(|(_, t)| t.starts_with("江苏苏州")), "{v:?}");
    }

    #[test]
    fn name_guesses_that_are_idioms_or_brands() {
        let v = ents("各单位投入真金白银帮扶，低保户刘小某家收到慰问品。");
        assert!(
            !v.iter().any(|(l, t)| l == "PER" && t.contains("白银")),
            "{v:?}"
        );
        assert!(has(&v, "PER", "刘小某"), "{v:?}");
    }

    #[test]
    fn level_word_of_a_post_ends_a_bare_place() {
        let v = ents("局机关负责人与石桥村支部书记签订了承诺书。");
        assert!(has(&v, "LOC", "石桥村"), "{v:?}");
        assert!(has(&v, "TITLE", "支部书记"), "{v:?}");
    }

    #[test]
    fn departments_named_by_their_field() {
        let v = ents("记者从教育部了解到，省委宣传部副部长出席。");
        assert!(has(&v, "ORG", "教育部"), "{v:?}");
        assert!(has(&v, "ORG", "省委宣传部"), "{v:?}");
        assert!(has(&v, "TITLE", "副部长"), "{v:?}");
    }

    #[test]
    fn dictionary_phrases_are_not_places_or_people() {
        let v = ents(
            "好政策惠及千家万户，他走遍南北二十多个县城，东北和西南也去过。海关对颁发的进口许可证暂停审核。",
        );
        for w in ["惠及", "南北"] {
            assert!(!has(&v, "LOC", w), "{w} {v:?}");
        }
        assert!(has(&v, "LOC", "东北"), "{v:?}");
        assert!(has(&v, "LOC", "西南"), "{v:?}");
        assert!(!has(&v, "PER", "许可证"), "{v:?}");
    }

    #[test]
    fn posts_inside_tokens_and_foreign_names_after_them() {
        let v = ents("某国国防大臣莫兰今天表示，秘书长安娜·科娃讲话。");
        assert!(has(&v, "TITLE", "大臣"), "{v:?}");
        assert!(has(&v, "PER", "莫兰"), "{v:?}");
        assert!(has(&v, "PER", "安娜·科娃"), "{v:?}");
        // A verb after a post is not a name.
        let v = ents("连续任职的村支部书记提高工资待遇。");
        assert!(!v.iter().any(|(l, _)| l == "PER"), "{v:?}");
    }

    #[test]
    fn name_guesses_before_place_words_are_places() {
        let v = ents("拉尼娜现象明年可能再次出现，货车在奥斯维小镇抛锚。");
        assert!(!has(&v, "PER", "拉尼娜"), "{v:?}");
        assert!(has(&v, "LOC", "奥斯维"), "{v:?}");
    }

    #[test]
    fn countries_listed_as_teams() {
        let v = ents("乙组的巴西、阿根廷、葡萄牙出线，我们要战胜丹麦、荷兰等强队。巴西经济很好。");
        for c in ["丹麦", "荷兰"] {
            assert!(has(&v, "ORG", c), "{c} {v:?}");
        }
        assert!(has(&v, "LOC", "巴西"), "{v:?}");
    }

    #[test]
    fn words_after_posts_are_not_names() {
        let v = ents("某国总理反腐委员会主席说，国王任命的成员是政坛元老，校长和夫人来了。");
        for w in ["反腐", "任命", "元", "和"] {
            assert!(!has(&v, "PER", w), "{w} {v:?}");
        }
        assert!(has(&v, "TITLE", "总理"), "{v:?}");
    }

    #[test]
    fn companies_by_brand_and_industry() {
        let v = ents("调研组先后走访了康瑞药业、华晟陶瓷、鑫源工贸等企业。河南食品行业发展快。");
        for c in ["康瑞药业", "华晟陶瓷", "鑫源工贸"] {
            assert!(has(&v, "ORG", c), "{c} {v:?}");
        }
        assert!(
            !v.iter().any(|(l, t)| l == "ORG" && t.contains("食品")),
            "{v:?}"
        );
    }

    #[test]
    fn bodies_with_inner_conjunctions_and_offices() {
        let v =
            ents("康瑞药业、和泰隆五金有限公司代表签约。县农机监督所总支部和市政府办公室参加。");
        assert!(has(&v, "ORG", "和泰隆五金有限公司"), "{v:?}");
        assert!(has(&v, "ORG", "县农机监督所总支部"), "{v:?}");
        assert!(has(&v, "ORG", "市政府办公室"), "{v:?}");
    }

    fn ent(
        chars: &[char],
        start: usize,
        end: usize,
        label: EntityType,
        source: super::super::Source,
        confidence: f32,
    ) -> Entity {
        Entity {
            start,
            end,
            text: chars[start..end].iter().collect(),
            label,
            source,
            confidence,
        }
    }

    #[test]
    fn arbitration_keeps_a_model_organisation_over_its_place_prefix_and_tail() {
        use super::super::Source;
        // An invented province and body: the rule's place `青川省` and the
        // rule's company `柏森公司` lie inside the model's organisations.
        let chars: Vec<char> = "青川省高等学校工作委员会与木兰·柏森公司签约。"
            .chars()
            .collect();
        let model = vec![
            ent(&chars, 0, 12, EntityType::Org, Source::Model, 0.9),
            ent(&chars, 13, 20, EntityType::Org, Source::Model, 0.9),
        ];
        let rules = vec![
            ent(&chars, 0, 3, EntityType::Loc, Source::Rule, 0.75),
            ent(&chars, 16, 20, EntityType::Org, Source::Rule, 0.8),
        ];
        let mut out = model.clone();
        arbitrate(&mut out, &rules, &chars, &|_| false, &|_| false);
        let got: Vec<_> = out
            .iter()
            .map(|e| (e.start, e.end, e.label.clone()))
            .collect();
        assert_eq!(
            got,
            vec![(0, 12, EntityType::Org), (13, 20, EntityType::Org)]
        );
        // A rule's organisation that ends before the model's (a unit's
        // office after its body) still cuts it down to the body.
        let chars: Vec<char> = "柏森公司驻村工作队到了。".chars().collect();
        let mut out = vec![ent(&chars, 0, 9, EntityType::Org, Source::Model, 0.9)];
        let rules = vec![ent(&chars, 0, 4, EntityType::Org, Source::Rule, 0.8)];
        arbitrate(&mut out, &rules, &chars, &|_| false, &|_| false);
        let got: Vec<_> = out.iter().map(|e| (e.start, e.end)).collect();
        assert_eq!(got, vec![(0, 4)]);
    }

    /// In an article each sentence is read as the tagger was trained, as
    /// a text of its own: a name opening a sentence after another one has
    /// the features (and so the labels) it has when the sentence stands
    /// alone, not the previous sentence's end as context.
    #[test]
    fn a_sentence_in_an_article_reads_as_it_does_alone() {
        let ex = NewsExtractor::new();
        let names = NameDict::new();
        let first = "记者从县里了解到有关情况。\n";
        let second = "柏铁军还对值班制度进行了改革，效果明显！";
        let third = "溪口镇的乔木兰说：“很好。”";
        let article = format!("{first}{second}{third}");
        let feats = ex.analyse_with_tokens(&article, 20, &names, true).feats;
        let mut at = 0;
        for part in [first, second, third] {
            let n = part.chars().count();
            let alone = ex.analyse_with_tokens(part, 20, &names, true).feats;
            assert_eq!(
                feats[at * PER_CHAR..(at + n) * PER_CHAR],
                alone[..],
                "{part}"
            );
            at += n;
        }
        // Read whole (training sentences), the first character sees the
        // sentence end before it.
        let whole = ex.analyse_with_tokens(&article, 20, &names, false).feats;
        let k = first.chars().count();
        assert_ne!(
            whole[k * PER_CHAR..(k + 1) * PER_CHAR],
            feats[k * PER_CHAR..(k + 1) * PER_CHAR]
        );
        // And the shipped model finds the sentence's names as it does alone.
        let full = super::super::default_extractor();
        let (k, n) = (first.chars().count(), second.chars().count());
        let names_in = |text: &str, from: usize| -> Vec<(usize, usize, EntityType)> {
            full.extract(text)
                .into_iter()
                .filter(|e| matches!(e.label, EntityType::Per | EntityType::Loc | EntityType::Org))
                .filter(|e| e.start >= from && e.end <= from + n)
                .map(|e| (e.start - from, e.end - from, e.label))
                .collect()
        };
        let alone = names_in(second, 0);
        assert!(alone.contains(&(0, 3, EntityType::Per)), "{alone:?}");
        assert_eq!(names_in(&article, k), alone);
    }

    #[test]
    fn a_rule_name_led_by_a_common_word_does_not_replace_the_models() {
        use super::super::Source;
        let jieba = Jieba::new();
        let run_as =
            |label: EntityType, text: &str, model: (usize, usize), rule: (usize, usize)| {
                let chars: Vec<char> = text.chars().collect();
                let mut out = vec![ent(
                    &chars,
                    model.0,
                    model.1,
                    label.clone(),
                    Source::Model,
                    0.9,
                )];
                let rules = vec![ent(&chars, rule.0, rule.1, label, Source::Rule, 0.8)];
                arbitrate(&mut out, &rules, &chars, &|w| jieba.has_word(w), &|w| {
                    lead_in_word(&jieba, w)
                });
                out.iter().map(|e| e.text.clone()).collect::<Vec<_>>()
            };
        let run = |text: &str, model, rule| run_as(EntityType::Org, text, model, rule);
        // A direction before a place, a verb or a role before a body: the
        // model's name stays.
        assert_eq!(
            run_as(
                EntityType::Loc,
                "它位于青川省南部柏林县。",
                (8, 11),
                (6, 11)
            ),
            ["柏林县"]
        );
        assert_eq!(run("我代表青川县委致辞。", (3, 7), (1, 7)), ["青川县委"]);
        assert_eq!(
            run("经营者柏森装饰公司说。", (3, 9), (0, 9)),
            ["柏森装饰公司"]
        );
        // A place before the body, or one character (part of a trade
        // name): the rule's longer name wins as before.
        assert_eq!(
            run("青川县农业局发布通知。", (3, 6), (0, 6)),
            ["青川县农业局"]
        );
        assert_eq!(
            run("和美佳厨具公司开业了。", (1, 7), (0, 7)),
            ["和美佳厨具公司"]
        );
    }

    #[test]
    fn arbitration_adds_no_rule_place_that_is_a_dictionary_word() {
        use super::super::Source;
        let chars: Vec<char> = "他去过青柳村和几个大城市。".chars().collect();
        let rules = vec![
            ent(&chars, 3, 6, EntityType::Loc, Source::Rule, 0.75),
            ent(&chars, 9, 12, EntityType::Loc, Source::Rule, 0.75),
        ];
        let jieba = Jieba::new();
        let mut out = Vec::new();
        arbitrate(&mut out, &rules, &chars, &|w| jieba.has_word(w), &|w| {
            lead_in_word(&jieba, w)
        });
        let got: Vec<String> = out.iter().map(|e| e.text.clone()).collect();
        assert_eq!(got, vec!["青柳村".to_string()]);
    }

    #[test]
    fn one_character_places_side_by_side_stay() {
        use super::super::Source;
        let chars: Vec<char> = "中美两国和港口。".chars().collect();
        let mut out = vec![
            ent(&chars, 0, 1, EntityType::Loc, Source::Model, 0.5),
            ent(&chars, 1, 2, EntityType::Loc, Source::Model, 0.5),
            ent(&chars, 5, 6, EntityType::Loc, Source::Model, 0.5),
        ];
        arbitrate(&mut out, &[], &chars, &|_| false, &|_| false);
        let got: Vec<String> = out.iter().map(|e| e.text.clone()).collect();
        assert_eq!(got, vec!["中".to_string(), "美".to_string()]);
    }
}
