//! Features of the character tagger ([`super::tagger`]): for every character
//! of a text, a fixed number of hashed feature ids (buckets of the model's
//! weight table).
//!
//! Evidence used, per character `c[i]`:
//! - characters `c[i-2..=i+2]`, bigrams around `i` and the skip pair
//!   `c[i-1] c[i+1]`; a character-class shape of `c[i-1..=i+1]`;
//! - the jieba token holding `i`: the character's position in it (BMES) with
//!   the token's part-of-speech tag, with the word itself, and with the tags
//!   of the tokens before and after; the token's gazetteer level; the
//!   words before and after it;
//! - list membership: surnames (`c[i-1]`, `c[i]`), transliteration characters;
//! - the rules' opinion (stacking): the label, position and source of the
//!   rule extractor's resolved entity at `i` (alone, with `c[i]`, and with
//!   its neighbours' labels), and which PER/LOC/ORG candidates (before
//!   overlap resolution) cover, start or end at `i`;
//! - the names seen in training ([`super::names`]): per type, the position
//!   of `i` in the longest match covering it and that match's length
//!   bucket, and the set of (type, position) of every match covering `i`.
//! - pretrained word classes ([`super::lacwords`], k-means classes of Baidu
//!   LAC's word embeddings): the jieba token's class (a token LAC lacks
//!   takes the class of its characters' mean vector) with its position and
//!   tag, and the class of the longest LAC word covering `i` with `i`'s
//!   position in it; SoftLexicon-style (Ma et al. 2020, template 0): the longest LAC
//!   word beginning at `i` and the longest ending at `i` (length bucket and
//!   class of each, conjoined).
//! - outside knowledge of single characters ([`super::charknow`]): the
//!   radicals of `c[i-1..=i+1]` (Unihan), conjoined into the
//!   transliteration and shape template (17).
//!
//! Every feature is a 64-bit mix of a template id and its values, reduced to
//! `bits` bits; the mix is fixed (no process-random hashing), so training and
//! tagging agree across runs and machines.

use super::gazetteer::Gazetteer;
use super::names::{Match, NameDict};
use super::rules::Span;
use super::tokens::Tok;
use super::{Entity, EntityType};
use crate::lexdata::{is_single_surname, is_transliteration};
use std::mem::MaybeUninit;

/// Feature ids per character (every template yields exactly one).
pub const PER_CHAR: usize = 32;

/// Version of the feature set: a model trained with another set is refused
/// (5: SoftLexicon-style LAC boundaries in template 0, until 4 the bias;
/// 6: the radicals of `c[i-1..=i+1]` in template 17, [`super::charknow`]).
pub const FEATURES_VERSION: u32 = 6;

const K: u64 = 0x9E37_79B9_7F4A_7C15;

#[inline]
fn mix(h: u64, v: u64) -> u64 {
    (h ^ v).wrapping_mul(K).rotate_left(29)
}

const FINISH: u64 = 0xBF58_476D_1CE4_E5B9;

#[inline]
fn finish(h: u64, bits: u32) -> u32 {
    let h = (h ^ (h >> 31)).wrapping_mul(FINISH);
    let h = h ^ (h >> 29);
    (h >> (64 - bits)) as u32
}

/// The id of template `t` with values `a` and `b` (what every path
/// computes, or looks up in a [`Memo`] that holds it).
#[inline(always)]
fn id_of(t: usize, a: u64, b: u64, bits: u32) -> u32 {
    finish(mix(mix((t as u64).wrapping_mul(K), a), b), bits)
}

/// Per template, the value domain `(a, b)` whose ids the scalar path looks
/// up in [`Memo::small`] instead of hashing (`a < .0` and `b < .1`; `(0,
/// 0)`: none). Templates 1–5 (one character each) and 19 without a rule
/// entity (its value the character) have their own table, [`Memo::chars`].
const SMALL: [(u64, u64); PER_CHAR] = {
    let mut d = [(0, 0); PER_CHAR];
    d[11] = (5, 256); // position in the token, its tag
    d[15] = (5, 8); // position, gazetteer level
    d[16] = (4, 5); // surnames, position
    d[18] = (1, 1); // no rule entity here (most characters)
    d[20] = (1, 1); // nor beside it
    d[21] = (512, 1); // candidate mask
    d[22] = (512, 5); // candidate mask, position
    d[23] = (256, 5); // shape, position
    d[26] = (32, 1); // name matches, per type
    d[27] = (32, 1);
    d[28] = (32, 1);
    d[29] = (4096, 1); // name match mask
    d[31] = (1024, 1); // longest LAC word's class and position
    d
};

/// The templates with a [`SMALL`] domain, one bit each: their few weight
/// rows stay in the cache, so the emission sum does not prefetch them.
pub(super) const SMALL_TEMPLATES: u32 = {
    let mut m = 0;
    let mut t = 0;
    while t < PER_CHAR {
        if SMALL[t].0 > 0 {
            m |= 1 << t;
        }
        t += 1;
    }
    m
};

/// Where each template's ids start in [`Memo::small`] (the last: its length).
const SMALL_OFF: [usize; PER_CHAR + 1] = {
    let mut o = [0; PER_CHAR + 1];
    let mut t = 0;
    while t < PER_CHAR {
        o[t + 1] = o[t] + (SMALL[t].0 * SMALL[t].1) as usize;
        t += 1;
    }
    o
};

/// Character values (`ch` in [`features_in`]: 1, 2, or the code + 16)
/// whose ids [`Memo::chars`] keeps: the BMP's.
const CHAR_MEMO: usize = 0x10000 + 16;

/// The ids a character value `v` gives: templates 1–5 with values `(v,
/// 0)`, and template 19 with `(0, v)` (no rule entity at the character).
type CharIds = [u32; 6];

/// Ids of the scalar path's templates of few values, computed once per
/// thread and table size (`bits`), so that the scalar path hashes only
/// half of its 32 ids per character (three 64-bit products each).
struct Memo {
    bits: u32,
    /// The ids of the [`SMALL`] domains: template `t`, values `a, b` at
    /// `SMALL_OFF[t] + a * SMALL[t].1 + b`.
    small: Vec<u32>,
    /// Per character value below [`CHAR_MEMO`]: its [`CharIds`], computed
    /// the first time the value is asked for ([`Memo::chars_of`]);
    /// `filled` has its bit set then.
    chars: Vec<CharIds>,
    filled: Vec<u64>,
}

impl Memo {
    fn new(bits: u32) -> Memo {
        let mut small = Vec::with_capacity(SMALL_OFF[PER_CHAR]);
        for (t, &(na, nb)) in SMALL.iter().enumerate() {
            for a in 0..na {
                small.extend((0..nb).map(|b| id_of(t, a, b, bits)));
            }
        }
        Memo {
            bits,
            small,
            chars: vec![[0; 6]; CHAR_MEMO],
            filled: vec![0; CHAR_MEMO.div_ceil(64)],
        }
    }

    /// The [`CharIds`] of the character value `v` (1, 2, or a code + 16).
    #[inline]
    fn chars_of(&mut self, v: u64) -> CharIds {
        let bits = self.bits;
        let ids = move || {
            std::array::from_fn(|k| match k {
                0..5 => id_of(k + 1, v, 0, bits),
                _ => id_of(19, 0, v, bits),
            })
        };
        let x = v as usize;
        if x >= CHAR_MEMO {
            return ids();
        }
        if self.filled[x / 64] >> (x % 64) & 1 == 0 {
            self.chars[x] = ids();
            self.filled[x / 64] |= 1 << (x % 64);
        }
        self.chars[x]
    }

    /// [`id_of`]`(t, a, b, self.bits)`, looked up when `t` has a
    /// [`SMALL`] domain holding `a` and `b` (`t` is a constant at every
    /// call: the choice is made when compiling).
    #[inline(always)]
    fn id(&self, t: usize, a: u64, b: u64) -> u32 {
        let (na, nb) = SMALL[t];
        if a < na && b < nb {
            return self.small[SMALL_OFF[t] + (a * nb + b) as usize];
        }
        id_of(t, a, b, self.bits)
    }
}

/// Eight feature ids at a time with AVX-512 (the same arithmetic as
/// [`mix`] and [`finish`], lane by lane, so the same ids).
#[cfg(target_arch = "x86_64")]
mod wide {
    use std::arch::x86_64::*;

    /// Whether this CPU can hash eight ids at a time (and
    /// `PIZHU_NO_AVX512` is not set: the bench's way to measure the path a
    /// CPU without AVX-512 takes).
    pub fn available() -> bool {
        static OK: std::sync::LazyLock<bool> = std::sync::LazyLock::new(|| {
            is_x86_feature_detected!("avx512f")
                && is_x86_feature_detected!("avx512dq")
                && std::env::var_os("PIZHU_NO_AVX512").is_none()
        });
        *OK
    }

    /// Characters whose values are gathered before they are hashed (the
    /// values are then read from memory, not from pending stores).
    pub const BLOCK: usize = 16;

    /// For every row `r < rows` (32 values each in `a` and `b`), writes the
    /// 32 ids `finish(mix(mix(tk[s], a[s]), b[s]), bits)` to
    /// `dst[r * PER_CHAR..][..32]`, rows in order (a row's last two ids are
    /// the next row's first two, written again with it).
    ///
    /// # Safety
    /// The CPU has AVX-512F and DQ ([`available`]); `a` and `b` hold
    /// `rows * 32` values; `dst` is valid for `(rows - 1) * PER_CHAR + 32`
    /// `u32` writes.
    #[target_feature(enable = "avx512f,avx512dq")]
    pub unsafe fn hash_rows(
        tk: &[u64; 32],
        a: &[u64],
        b: &[u64],
        rows: usize,
        bits: u32,
        dst: *mut u32,
    ) {
        let k = _mm512_set1_epi64(super::K as i64);
        let f = _mm512_set1_epi64(super::FINISH as i64);
        let sh = _mm_cvtsi64_si128((64 - bits) as i64);
        // SAFETY: `tk` holds 32 values.
        let t: [__m512i; 4] = std::array::from_fn(|q| unsafe {
            _mm512_loadu_epi64(tk.as_ptr().add(q * 8) as *const i64)
        });
        assert!(a.len() >= rows * 32 && b.len() >= rows * 32);
        for r in 0..rows {
            for (q, &t) in t.iter().enumerate() {
                let at = r * 32 + q * 8;
                // SAFETY: `at + 8 <= rows * 32` (asserted above); `dst`
                // holds the row's 32 ids.
                let (x, y) = unsafe {
                    (
                        _mm512_loadu_epi64(a.as_ptr().add(at) as *const i64),
                        _mm512_loadu_epi64(b.as_ptr().add(at) as *const i64),
                    )
                };
                let h = _mm512_rol_epi64::<29>(_mm512_mullo_epi64(_mm512_xor_si512(t, x), k));
                let h = _mm512_rol_epi64::<29>(_mm512_mullo_epi64(_mm512_xor_si512(h, y), k));
                let h = _mm512_mullo_epi64(_mm512_xor_si512(h, _mm512_srli_epi64::<31>(h)), f);
                let h = _mm512_xor_si512(h, _mm512_srli_epi64::<29>(h));
                let ids = _mm512_cvtepi64_epi32(_mm512_srl_epi64(h, sh));
                unsafe {
                    _mm256_storeu_si256(dst.add(r * super::PER_CHAR + q * 8) as *mut __m256i, ids)
                };
            }
        }
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod wide {
    pub fn available() -> bool {
        false
    }
}

/// Position of a character in a span: B, M, E or S (0–3); 4 = outside.
#[inline]
fn bmes(i: usize, start: usize, end: usize) -> u64 {
    // Without branches (token lengths vary too much to predict): S = 1 +
    // 1 - 1 + 2, B = 1 - 1, E = 1 + 1, M = 1.
    let (first, last, single) = (i == start, i + 1 == end, end - start == 1);
    1 + last as u64 - first as u64 + 2 * single as u64
}

#[inline]
fn class(c: char) -> u64 {
    if ('\u{4E00}'..='\u{9FFF}').contains(&c) || crate::chars::is_han(c) {
        0
    } else if c.is_ascii_punctuation()
        || ('\u{3000}'..='\u{303F}').contains(&c)
        || ('\u{FF01}'..='\u{FF0F}').contains(&c)
    {
        5
    } else if c.is_ascii_digit() || ('０'..='９').contains(&c) {
        1
    } else if c.is_alphabetic() {
        2
    } else if c.is_whitespace() {
        3
    } else if c == '·' || c == '•' || c == '・' {
        4
    } else {
        5
    }
}

fn label_code(l: &EntityType) -> u64 {
    match l {
        EntityType::Per => 1,
        EntityType::Loc => 2,
        EntityType::Org => 3,
        EntityType::Title => 4,
        EntityType::Date => 5,
        EntityType::Money => 6,
        EntityType::Custom(_) => 7,
    }
}

/// What the features read of one text: its characters, jieba tokens, the
/// rule candidates and the rules' resolved entities.
pub struct Evidence<'a, 'b> {
    /// The characters.
    pub chars: &'b [char],
    /// jieba tokens covering the text, in order.
    pub toks: &'b [Tok<'a>],
    /// Rule candidates before overlap resolution.
    pub candidates: &'b [Span],
    /// The rule extractor's entities (resolved, all six types).
    pub resolved: &'b [Entity],
    /// The gazetteer.
    pub gaz: &'b Gazetteer,
    /// Names seen in training (the model's; jackknifed while training).
    pub names: &'b NameDict,
    /// Each character reads its own sentence only (`news::segments`: up
    /// to and including a sentence end); what lies across a sentence end
    /// reads as the text's start or end. On for articles, where the tagger
    /// decodes sentence by sentence as it was trained; off for the training
    /// sentences themselves, which are read whole (masking their inner
    /// sentence ends too lowered `pd_dev` by 0.0015, mean of two seeds).
    pub per_sentence: bool,
}

/// Length bucket of a name match: 2, 3, 4, 5–6, 7+ characters.
#[inline]
fn len_bucket(len: usize) -> u64 {
    match len {
        0..=2 => 0,
        3 => 1,
        4 => 2,
        5 | 6 => 3,
        _ => 4,
    }
}

/// Length bucket of a LAC word (2+ characters): 2, 3, 4, 5+ (1–4).
#[inline]
fn lac_len_bucket(len: usize) -> u64 {
    match len {
        0..=2 => 1,
        3 => 2,
        4 => 3,
        _ => 4,
    }
}

/// Hashed feature ids of every character: `PER_CHAR` ids per character, in
/// character order.
pub fn features(ev: &Evidence, bits: u32) -> Vec<u32> {
    features_with(ev, bits, wide::available())
}

/// Ids written past the last character's by the wide hashing (then cut).
const WIDE_SLACK: usize = 32 - PER_CHAR;

/// One start of the LAC scans in [`features_with`]: its position, its
/// chain so far, its longest word's length and K=32 class (16 bytes).
type Scan = (u32, u64, u8, u16);

/// The working buffers of [`features_with`], kept per thread and reused
/// from text to text (cleared and refilled with their initial values
/// each time): no allocation per text, and the memory is still in the
/// caches. Per character unless said otherwise.
#[derive(Default)]
struct Scratch {
    /// Character class ([`class`]).
    cls: Vec<u8>,
    /// Index of the token holding the character (`u32::MAX`: none).
    tok_of: Vec<u32>,
    /// Per token: its word key and gazetteer level.
    word_hash: Vec<u64>,
    gaz_level: Vec<u64>,
    /// The token of 2..=`maxl` characters starting here (`u32::MAX`: none).
    tok_at: Vec<u32>,
    /// Per token: its LAC classes, and whether the scan found it in LAC.
    tok_lac: Vec<super::lacwords::Classes>,
    tok_in_lac: Vec<bool>,
    /// Longest LAC word covering the character: (length, K=32 class,
    /// position; 4 = none).
    lac_match: Vec<(u8, u16, u8)>,
    /// The LAC scans, their live starts and their slots of one length.
    scans: Vec<Scan>,
    live: Vec<u32>,
    slots: Vec<Option<super::lacwords::Slot>>,
    /// SoftLexicon: the longest LAC word beginning here, and (length,
    /// value) of the longest ending here.
    lac_begin: Vec<u32>,
    lac_end: Vec<(u8, u32)>,
    /// Radical ([`super::charknow`]).
    krad: Vec<u16>,
    /// The rules' resolved label, packed.
    rule: Vec<u64>,
    /// Candidate coverage mask.
    cand: Vec<u16>,
    /// Name matches, and per character per type (longest length, its
    /// value), and the mask of all matches.
    found: Vec<Match>,
    longest: Vec<[(u8, u8); 3]>,
    nmask: Vec<u16>,
    /// The wide hashing's value rows.
    wa: Vec<u64>,
    wb: Vec<u64>,
    /// The scalar path's ids of few values (kept across texts; rebuilt
    /// when `bits` changes).
    memo: Option<Memo>,
    /// The [`CharIds`] of the character's own value (scalar path, from
    /// [`Memo::chars_of`]).
    char_ids: Vec<CharIds>,
}

/// Texts longer than this (characters) do not leave their buffers in the
/// thread's [`Scratch`] (a few hundred bytes a character).
const SCRATCH_KEEP: usize = 1 << 18;

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// `v` emptied and refilled with `len` copies of `x` (its capacity kept).
#[inline]
fn refill<T: Clone>(v: &mut Vec<T>, len: usize, x: T) {
    v.clear();
    v.resize(len, x);
}

/// [`features`], hashing eight ids at a time when `wide` (the same ids).
fn features_with(ev: &Evidence, bits: u32, wide: bool) -> Vec<u32> {
    let n = ev.chars.len();
    if n == 0 {
        return Vec::new();
    }
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut s) => {
            let out = features_in(ev, bits, wide, !wide, &mut s);
            if n > SCRATCH_KEEP {
                let memo = s.memo.take();
                *s = Scratch {
                    memo,
                    ..Scratch::default()
                };
            }
            out
        }
        // Not reached (no feature computation runs inside another); a
        // fresh scratch gives the same ids.
        Err(_) => features_in(ev, bits, wide, !wide, &mut Scratch::default()),
    })
}

/// [`features_with`] with the buffers of `sc` (every one refilled here:
/// the ids never depend on what a previous text left in them); the
/// scalar path looks ids up in `sc.memo` when `memo` (the same ids).
fn features_in(ev: &Evidence, bits: u32, wide: bool, memo: bool, sc: &mut Scratch) -> Vec<u32> {
    let chars = ev.chars;
    let n = chars.len();
    let Scratch {
        cls,
        tok_of,
        word_hash,
        gaz_level,
        tok_at,
        tok_lac,
        tok_in_lac,
        lac_match,
        scans,
        live,
        slots,
        lac_begin,
        lac_end,
        krad,
        rule,
        cand,
        found,
        longest,
        nmask,
        wa,
        wb,
        memo: memo_slot,
        char_ids,
    } = sc;
    // The scalar path's memo, and per character the [`CharIds`] of its own
    // value, gathered in one pass before the main loop (their
    // table's misses overlap here, not there); the text's start and end
    // (values 1 and 2) read `edge`.
    let mut edge = [[0u32; 6]; 2];
    let memo = if memo && !wide {
        let m = match memo_slot {
            Some(m) if m.bits == bits => m,
            _ => memo_slot.insert(Memo::new(bits)),
        };
        edge = [m.chars_of(1), m.chars_of(2)];
        char_ids.clear();
        char_ids.extend(chars.iter().map(|&c| m.chars_of(c as u64 + 16)));
        Some(&*m)
    } else {
        None
    };
    let char_ids = &char_ids[..];
    // Not zeroed (that was 128 bytes a character): every id is written
    // below, and the length set at the end.
    let mut out: Vec<u32> = Vec::with_capacity(n * PER_CHAR + WIDE_SLACK);
    // Tests fill it with an id no table has, to catch an id left unwritten.
    #[cfg(debug_assertions)]
    {
        out.resize(n * PER_CHAR + WIDE_SLACK, u32::MAX);
        out.clear();
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = wide;
    // The wide hashing's inputs: per template its id's seed (`t * K`) and
    // its two values (the two slots past `PER_CHAR` are padding).
    #[cfg(target_arch = "x86_64")]
    let tk: [u64; 32] = std::array::from_fn(|t| (t as u64).wrapping_mul(K));
    #[cfg(target_arch = "x86_64")]
    if wa.len() != 32 * wide::BLOCK {
        // Every value of a row is written before the row is hashed: the
        // rows need no refilling from text to text.
        (*wa, *wb) = (vec![0u64; 32 * wide::BLOCK], vec![0u64; 32 * wide::BLOCK]);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (&wa, &wb);
    cls.clear();
    cls.extend(chars.iter().map(|&c| class(c) as u8));
    // Per character: token index.
    refill(tok_of, n, u32::MAX);
    for (k, t) in ev.toks.iter().enumerate() {
        let (s, e) = (t.start(), t.end().min(n));
        if s < e {
            tok_of[s..e].fill(k as u32);
        }
    }
    // Token word hashes and gazetteer levels, once per token.
    word_hash.clear();
    gaz_level.clear();
    for t in ev.toks {
        // The key LAC's word classes are stored under (`lacwords::word_key`).
        word_hash.push(super::lacwords::word_key(
            chars[t.start().min(n)..t.end().min(n)].iter().copied(),
        ));
        let lvl = if t.end() - t.start() >= 2 {
            ev.gaz.get(t.word).map_or(0, |l| l as u64 + 1)
        } else {
            0
        };
        gaz_level.push(lvl);
    }
    // LAC word classes (`super::lacwords`): per token its classes (a token
    // LAC lacks takes the classes of its characters' mean vector), and per
    // character the longest LAC word covering it, with the character's
    // position in it. LAC's words are Han characters only, so a match
    // never crosses a sentence end.
    let lac = super::lacwords::words();
    let maxl = lac.max_len.min(6);
    // A token of 2..=`maxl` characters is looked up by the scan below, at
    // its first character (its chain is the token's word hash): per
    // character the token starting there, if any.
    refill(tok_at, n, u32::MAX);
    for (k, t) in ev.toks.iter().enumerate() {
        let (s, e) = (t.start().min(n), t.end().min(n));
        if (2..=maxl).contains(&(e - s)) {
            tok_at[s] = k as u32;
        }
    }
    refill(tok_lac, ev.toks.len(), Default::default());
    // Tokens the scan found in LAC (the others it looked up are not LAC
    // words).
    refill(tok_in_lac, ev.toks.len(), false);
    // Per character: (longest LAC word's length, its K=32 class, the
    // character's position in it; 4 = none).
    refill(lac_match, n, (0u8, 0u16, 4u8));
    // The scans from every start, one length at a time: first the chains
    // of two characters that may begin a word (most pairs begin none),
    // then their slots, in one tight loop of independent lookups (the
    // table is far larger than the first-level cache: their misses
    // overlap, each fetched `LAC_AHEAD` lookups before), then the next
    // character's for the starts a longer word may continue, and so on.
    // The same lookups and the same results as one scan after the other.
    const LAC_AHEAD: usize = 32;
    // Per start: its position, its chain so far, its longest word's
    // length and K=32 class ([`Scan`]).
    // SoftLexicon-style, per character: the longest LAC word beginning at
    // it and the longest ending at it, each `length bucket << 16 | K=32
    // class` (0 = none; with the length, for the end); the same scan finds
    // both.
    refill(lac_begin, n, 0);
    refill(lac_end, n, (0, 0));
    // Without a branch (about half the pairs pass, unpredictably): every
    // pair is written at the next place and kept if it passes, so the
    // filter's lookups overlap instead of waiting on each misprediction.
    refill(scans, n, (0, 0, 0, 0));
    let mut kept = 0;
    for s in 0..n.saturating_sub(1) {
        let h = mix(mix(0x51, chars[s] as u64), chars[s + 1] as u64);
        scans[kept] = (s as u32, h, 0, 0);
        kept += lac.may_start(h) as usize;
    }
    scans.truncate(kept);
    live.clear();
    live.extend(0..scans.len() as u32);
    let mut len = 2;
    while !live.is_empty() {
        for &c in live.iter().take(LAC_AHEAD) {
            lac.prefetch(scans[c as usize].1);
        }
        slots.clear();
        slots.extend((0..live.len()).map(|j| {
            if let Some(&g) = live.get(j + LAC_AHEAD) {
                lac.prefetch(scans[g as usize].1);
            }
            lac.step(scans[live[j] as usize].1)
        }));
        let mut next = 0;
        for j in 0..live.len() {
            let Some(slot) = slots[j] else {
                continue;
            };
            let c = live[j];
            let scan = &mut scans[c as usize];
            let s = scan.0 as usize;
            if slot.is_word() {
                (scan.2, scan.3) = (len as u8, slot.c32());
                // Lengths grow: the last word found from `s` is the
                // longest beginning there.
                let v = (lac_len_bucket(len) << 16 | slot.c32() as u64) as u32;
                lac_begin[s] = v;
                let e = &mut lac_end[s + len - 1];
                if len as u8 > e.0 {
                    *e = (len as u8, v);
                }
                let tok = tok_at[s] as usize;
                if ev.toks.get(tok).is_some_and(|t| t.end().min(n) - s == len) {
                    (tok_lac[tok], tok_in_lac[tok]) = (slot.classes(), true);
                }
            }
            // No longer word starts with these characters: the lookups
            // past them would all miss.
            if !slot.longer() || len == maxl || s + len == n {
                continue;
            }
            scan.1 = mix(scan.1, chars[s + len] as u64);
            live[next] = c;
            next += 1;
        }
        live.truncate(next);
        len += 1;
    }
    for &(s, _, best, c32) in scans.iter() {
        let (s, best) = (s as usize, best as usize);
        if best > 0 {
            for (j, slot) in lac_match.iter_mut().enumerate().skip(s).take(best) {
                if best as u8 > slot.0 {
                    *slot = (best as u8, c32, bmes(j, s, s + best) as u8);
                }
            }
        }
    }
    for (k, t) in ev.toks.iter().enumerate() {
        let (s, e) = (t.start().min(n), t.end().min(n));
        if e - s < 2 || tok_in_lac[k] {
            // LAC's words have two or more characters.
            continue;
        }
        let h = word_hash[k];
        // A token the scan looked up and did not find is no LAC word.
        let c = if tok_at[s] == k as u32 {
            Default::default()
        } else {
            lac.get(h)
        };
        tok_lac[k] = if c.c32 == 0 {
            lac.backoff_cached(h, &chars[s..e])
        } else {
            c
        };
    }
    // Outside knowledge per character: its radical (`super::charknow`; 0
    // for characters it lacks).
    let know = super::charknow::knowledge();
    krad.clear();
    krad.extend(chars.iter().map(|&c| know.radical(c) as u16));
    // Rules' resolved label per character: (label code, bmes, source) packed.
    refill(rule, n, 0);
    for e in ev.resolved {
        let end = e.end.min(n);
        if e.start >= end {
            continue;
        }
        // The rules' fixed confidences tell their families apart.
        let family = (e.confidence * 40.0).round() as u64;
        let fixed = family << 16 | label_code(&e.label) << 8 | e.source as u64;
        for (i, slot) in (e.start..end).zip(&mut rule[e.start..end]) {
            *slot = fixed | bmes(i, e.start, e.end) << 4;
        }
    }
    // Candidate coverage mask: per PER/LOC/ORG, bits covered/starts/ends.
    refill(cand, n, 0);
    for s in ev.candidates {
        let base = match s.label {
            EntityType::Per => 0,
            EntityType::Loc => 3,
            EntityType::Org => 6,
            _ => continue,
        };
        if s.start >= s.end || s.end > n {
            continue;
        }
        for slot in &mut cand[s.start..s.end] {
            *slot |= 1 << base;
        }
        cand[s.start] |= 1 << (base + 1);
        cand[s.end - 1] |= 1 << (base + 2);
    }
    // Name matches: per type the longest match covering each character
    // (position and length bucket, 0 = none) and the mask of (type,
    // position) of all matches covering it.
    found.clear();
    ev.names.matches(chars, found);
    refill(longest, n, [(0, 0); 3]);
    refill(nmask, n, 0);
    for m in found.iter() {
        let len = m.end - m.start;
        for (i, (mask, best)) in nmask[m.start..m.end]
            .iter_mut()
            .zip(&mut longest[m.start..m.end])
            .enumerate()
        {
            let p = bmes(m.start + i, m.start, m.end);
            for (t, slot) in best.iter_mut().enumerate() {
                if m.types >> t & 1 == 1 {
                    *mask |= 1 << (t as u64 * 4 + p);
                    // Names have at most `names::MAX_LEN` characters:
                    // the length and the value (29 at most) are bytes.
                    if len as u8 > slot.0 {
                        *slot = (len as u8, (1 + p * 8 + len_bucket(len)) as u8);
                    }
                }
            }
        }
    }
    // Each character sees its own sentence only (`news::segments`: up to
    // and including a sentence end), as the training sentences were seen:
    // what lies across a sentence end reads as the text's start or end.
    // As slices from here (the main loop reads them per character).
    let (cls, tok_of, word_hash, gaz_level, tok_lac) = (
        &cls[..],
        &tok_of[..],
        &word_hash[..],
        &gaz_level[..],
        &tok_lac[..],
    );
    let (lac_match, lac_begin, lac_end, krad, rule, cand, longest, nmask) = (
        &lac_match[..],
        &lac_begin[..],
        &lac_end[..],
        &krad[..],
        &rule[..],
        &cand[..],
        &longest[..],
        &nmask[..],
    );
    #[cfg(target_arch = "x86_64")]
    let (wa, wb) = (&mut wa[..], &mut wb[..]);
    let (mut lo, mut hi) = (0isize, 0isize);
    let mut prev_sur = false;
    for i in 0..n {
        let ii = i as isize;
        if !ev.per_sentence {
            (lo, hi) = (0, n as isize);
        } else if ii >= hi {
            lo = ii;
            hi = chars[i..]
                .iter()
                .position(|&c| crate::chars::is_sentence_end(c))
                .map_or(n, |k| i + k + 1) as isize;
        }
        let ch = |j: isize| -> u64 {
            if j < lo {
                1
            } else if j >= hi {
                2
            } else {
                chars[j as usize] as u64 + 16
            }
        };
        let rl = |j: isize| -> u64 {
            if j < lo || j >= hi {
                0xFFFF
            } else {
                rule[j as usize] >> 8 & 0xFF
            }
        };
        let (cm2, cm1, c0, cp1, cp2) = (ch(ii - 2), ch(ii - 1), ch(ii), ch(ii + 1), ch(ii + 2));
        let t = tok_of[i];
        let (prev_word, next_word) = if t == u32::MAX {
            (0, 0)
        } else {
            let k = t as usize;
            (
                if k > 0 && ev.toks[k - 1].end() as isize > lo {
                    word_hash[k - 1]
                } else {
                    1
                },
                match ev.toks.get(k + 1) {
                    Some(x) if (x.start() as isize) < hi => word_hash[k + 1],
                    _ => 2,
                },
            )
        };
        let (tpos, tpos_tag, twh, tgaz, prev_tag, next_tag) = if t == u32::MAX {
            (4, 0xFF, 0, 0, 0xFF, 0xFF)
        } else {
            let k = t as usize;
            let tok = &ev.toks[k];
            let p = bmes(i, tok.start(), tok.end());
            let prev = if k > 0 && ev.toks[k - 1].end() as isize > lo {
                ev.toks[k - 1].pos as u64
            } else {
                0xFE
            };
            let next = match ev.toks.get(k + 1) {
                Some(x) if (x.start() as isize) < hi => x.pos as u64,
                _ => 0xFE,
            };
            (p, tok.pos as u64, word_hash[k], gaz_level[k], prev, next)
        };
        // The token's fine LAC class with its position and tag; the
        // longest LAC word at `i`: its coarse class and `i`'s position.
        let tok_class = if t == u32::MAX {
            0
        } else {
            tok_lac[t as usize].c512 as u64
        };
        let m = lac_match[i];
        let lac_at = (m.1 as u64) << 4 | m.2 as u64;
        let (lac_b, lac_e) = (lac_begin[i] as u64, lac_end[i].1 as u64);
        let cur = chars[i];
        // `c[i-1]`'s surname test is the previous character's own.
        let cur_sur = is_single_surname(cur);
        let sur = (ii > lo && prev_sur) as u64 * 2 + cur_sur as u64;
        prev_sur = cur_sur;
        let cl = |j: usize| cls[j] as u64;
        let shape = cl(i) * 36
            + if ii > lo { cl(i - 1) } else { 6 } * 6
            + if ii + 1 < hi { cl(i + 1) } else { 6 };
        // The radicals of `c[i-1..=i+1]` (510 and 511: across the
        // sentence's start or end).
        let kr = |j: isize| -> u64 {
            if j < lo {
                510
            } else if j >= hi {
                511
            } else {
                krad[j as usize] as u64
            }
        };
        let radicals = (kr(ii - 1) << 20 | kr(ii) << 10 | kr(ii + 1)) << 1;
        macro_rules! templates {
            ($put:ident) => {
                $put!(0, lac_b, lac_e);
                $put!(1, cm2, 0);
                $put!(2, cm1, 0);
                $put!(3, c0, 0);
                $put!(4, cp1, 0);
                $put!(5, cp2, 0);
                $put!(6, cm1, c0);
                $put!(7, c0, cp1);
                $put!(8, cm2, cm1);
                $put!(9, cp1, cp2);
                $put!(10, cm1, cp1);
                $put!(11, tpos, tpos_tag);
                $put!(12, tpos, twh);
                $put!(13, tpos << 8 | prev_tag, tpos_tag);
                $put!(14, tpos << 8 | next_tag, tpos_tag);
                $put!(15, tpos, tgaz);
                $put!(16, sur, tpos);
                $put!(17, is_transliteration(cur) as u64 | radicals, shape);
                $put!(18, rule[i], 0);
                $put!(19, rule[i] & 0xFFFF, c0);
                $put!(20, rl(ii - 1) << 16 | rl(ii + 1), rule[i] >> 4 & 0xFFF);
                $put!(21, cand[i] as u64, 0);
                $put!(22, cand[i] as u64, tpos);
                $put!(23, shape, tpos);
                $put!(24, prev_word, tpos);
                $put!(25, next_word, tpos);
                $put!(26, longest[i][0].1 as u64, 0);
                $put!(27, longest[i][1].1 as u64, 0);
                $put!(28, longest[i][2].1 as u64, 0);
                $put!(29, nmask[i] as u64, 0);
                $put!(30, tpos << 8 | tpos_tag, tok_class);
                $put!(31, lac_at, 0);
            };
        }
        #[cfg(target_arch = "x86_64")]
        if wide {
            let row = i % wide::BLOCK * 32;
            macro_rules! put_wide {
                // A second value of 0 is not written: no row of `wb` holds
                // anything else there (it starts zeroed, and only this
                // macro writes to it).
                ($t:expr, $a:expr, 0) => {
                    wa[row + $t] = $a
                };
                ($t:expr, $a:expr, $b:expr) => {
                    (wa[row + $t], wb[row + $t]) = ($a, $b)
                };
            }
            templates!(put_wide);
            if (i + 1) % wide::BLOCK == 0 || i + 1 == n {
                let first = i - i % wide::BLOCK;
                // SAFETY: `wide` only when the CPU has AVX-512F and DQ; the
                // rows `first..=i` were filled; `out` has `WIDE_SLACK` ids
                // past the last character's, so the 32 ids written from
                // `i * PER_CHAR` stay inside it.
                unsafe {
                    wide::hash_rows(
                        &tk,
                        wa,
                        wb,
                        i + 1 - first,
                        bits,
                        out.as_mut_ptr().add(first * PER_CHAR),
                    )
                };
            }
            continue;
        }
        // Written in place (no intermediate array: it cost as much as the hashing).
        let dst: &mut [MaybeUninit<u32>; PER_CHAR] = (&mut out.spare_capacity_mut()
            [i * PER_CHAR..(i + 1) * PER_CHAR])
            .try_into()
            .expect("PER_CHAR ids");
        if let Some(memo) = memo {
            // Template `t` in 1..=5 reads `c[i + t - 3]`'s value.
            let cid = |t: usize| -> u32 {
                let j = ii + t as isize - 3;
                if j < lo {
                    edge[0][t - 1]
                } else if j >= hi {
                    edge[1][t - 1]
                } else {
                    char_ids[j as usize][t - 1]
                }
            };
            macro_rules! put_memo {
                ($t:expr, $a:expr, $b:expr) => {
                    dst[$t].write(if (1..=5).contains(&$t) {
                        cid($t)
                    } else if $t == 19 && $a == 0 {
                        // `(0, c0)`: `c[i]` is inside its sentence.
                        char_ids[i][5]
                    } else {
                        memo.id($t, $a, $b)
                    })
                };
            }
            templates!(put_memo);
            continue;
        }
        macro_rules! put {
            ($t:expr, $a:expr, $b:expr) => {
                dst[$t].write(id_of($t, $a, $b, bits))
            };
        }
        templates!(put);
    }
    // SAFETY: the capacity holds `n * PER_CHAR` ids and every one was
    // written: each character's `PER_CHAR` templates (`templates!` puts
    // ids 0..PER_CHAR), or its row by `wide::hash_rows`.
    unsafe { out.set_len(n * PER_CHAR) };
    debug_assert!(
        out.iter().all(|&f| (f as u64) < 1 << bits),
        "an id left unwritten"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::Source;
    use crate::extract::pos::Pos;

    /// The scan for the longest LAC word extends its chain with `mix`
    /// from 0x51: it must reach the same key as `lacwords::word_key`,
    /// under which the words are stored.
    #[test]
    fn the_lac_scan_chain_is_the_word_key() {
        for w in ["甲乙", "河湾县城", "Ａ12号"] {
            let h = w.chars().fold(0x51u64, |h, c| mix(h, c as u64));
            assert_eq!(h, crate::extract::lacwords::word_key(w.chars()), "{w}");
        }
    }

    /// Template 0 holds the longest LAC word
    /// beginning and the longest ending at each character, as a brute-force
    /// look-up of every substring of 2–6 characters finds them.
    #[test]
    fn soft_lexicon_template_matches_every_substring() {
        let lac = crate::extract::lacwords::words();
        let text = "我们要继续发展农村经济，提高人民生活水平和社会保障能力。";
        let chars: Vec<char> = text.chars().collect();
        let n = chars.len();
        let class = |s: usize, e: usize| {
            lac.get(crate::extract::lacwords::word_key(
                chars[s..e].iter().copied(),
            ))
            .c32 as u64
        };
        let names = NameDict::new();
        let ids = features(&characters_only(&chars, &names), 32);
        let mut seen = 0;
        for i in 0..n {
            let maxl = lac.max_len.min(6);
            let begin = (2..=maxl)
                .rev()
                .filter(|l| i + l <= n)
                .find(|&l| class(i, i + l) != 0)
                .map_or(0, |l| lac_len_bucket(l) << 16 | class(i, i + l));
            let end = (2..=maxl)
                .rev()
                .filter(|&l| i + 1 >= l)
                .find(|&l| class(i + 1 - l, i + 1) != 0)
                .map_or(0, |l| lac_len_bucket(l) << 16 | class(i + 1 - l, i + 1));
            seen += (begin != 0) as usize + (end != 0) as usize;
            assert_eq!(
                ids[i * PER_CHAR],
                finish(mix(mix(0, begin), end), 32),
                "at {i}"
            );
        }
        // The sentence holds LAC words (the check is not of empty slots).
        assert!(seen >= 8, "{seen}");
    }

    /// Evidence of the characters alone: no tokens, candidates or rule
    /// entities (the templates that read only characters and the tables).
    fn characters_only<'a>(chars: &'a [char], names: &'a NameDict) -> Evidence<'a, 'a> {
        Evidence {
            chars,
            toks: &[],
            candidates: &[],
            resolved: &[],
            gaz: super::super::gazetteer::gazetteer(),
            names,
            per_sentence: true,
        }
    }

    /// The radical template (17, with the shipped outside knowledge) reads
    /// the radicals of `c[i-1..=i+1]`: characters with the same radicals
    /// around them share its id, a different radical beside them does
    /// not, and the characters' own templates still tell them apart.
    #[test]
    fn radical_template_generalises_over_characters() {
        let names = NameDict::new();
        let ids = |text: &str| {
            let chars: Vec<char> = text.chars().collect();
            features(&characters_only(&chars, &names), 20)
        };
        // 氵 three times (no transliteration character in the middle); 木
        // 氵 氵.
        let (a, b, c) = (ids("河湖池"), ids("江洋湾"), ids("村湖池"));
        let t17 = |v: &[u32]| v[PER_CHAR + 17];
        assert_eq!(t17(&a), t17(&b));
        assert_ne!(t17(&a), t17(&c));
        assert_ne!(a[PER_CHAR + 3], b[PER_CHAR + 3]);
        // A character outside the table (no radical) reads as before.
        let (d, e) = (ids("A1B"), ids("A2B"));
        assert_eq!(t17(&d), t17(&e));
    }

    /// The per-thread buffers give the ids of fresh ones: a short text
    /// after a long one (with tokens, candidates, rule entities and names
    /// where the short one has none) and the long one again, scalar and
    /// wide.
    /// The rules' candidates taken as their resolved entities, unchanged.
    fn resolved_as_is(candidates: &[Span], chars: &[char]) -> Vec<Entity> {
        candidates
            .iter()
            .map(|s| Entity {
                start: s.start,
                end: s.end,
                text: chars[s.start..s.end].iter().collect(),
                label: s.label.clone(),
                source: s.source,
                confidence: s.confidence,
            })
            .collect()
    }

    #[test]
    fn reused_buffers_give_the_ids_of_fresh_buffers() {
        let long =
            "河湾县的林晓舟昨天在北京市会见了绿洲农业合作社代表，双方签署协议。林晓舟说：“好。”";
        let chars: Vec<char> = long.chars().collect();
        let mut names = NameDict::new();
        names.add(&chars[3..6], &EntityType::Per);
        names.add(&chars[10..13], &EntityType::Loc);
        // Two-character tokens over the whole long text.
        let mut toks = Vec::new();
        let mut byte = 0;
        for at in (0..chars.len()).step_by(2) {
            let w = 2.min(chars.len() - at);
            let bytes: usize = chars[at..at + w].iter().map(|c| c.len_utf8()).sum();
            toks.push(Tok {
                word: &long[byte..byte + bytes],
                start32: at as u32,
                end32: (at + w) as u32,
                pos: Pos::Ns,
                last: 0,
            });
            byte += bytes;
        }
        let candidates = vec![
            Span {
                start: 0,
                end: 3,
                label: EntityType::Loc,
                source: Source::Rule,
                confidence: 0.8,
            },
            Span {
                start: 3,
                end: 6,
                label: EntityType::Per,
                source: Source::Rule,
                confidence: 0.9,
            },
        ];
        let resolved = resolved_as_is(&candidates, &chars);
        let empty = NameDict::new();
        let long_ev = Evidence {
            chars: &chars,
            toks: &toks,
            candidates: &candidates,
            resolved: &resolved,
            gaz: super::super::gazetteer::gazetteer(),
            names: &names,
            per_sentence: true,
        };
        let short_ev = characters_only(&chars[..8], &empty);
        for wide in [false, wide::available()] {
            for ev in [&long_ev, &short_ev, &long_ev, &short_ev] {
                let fresh = features_in(ev, 20, wide, !wide, &mut Scratch::default());
                assert_eq!(fresh.len(), ev.chars.len() * PER_CHAR);
                assert_eq!(features_with(ev, 20, wide), fresh, "wide {wide}");
            }
        }
        // The short text's ids differ from the long text's at the same
        // characters (the check is not of texts alike).
        let (a, b) = (features(&long_ev, 20), features(&short_ev, 20));
        assert_ne!(&a[..8 * PER_CHAR], &b[..]);
    }

    /// The branch-free position is B, M, E or S as spelled out.
    #[test]
    fn bmes_is_the_position_in_the_span() {
        for start in 0..3 {
            for end in start + 1..start + 6 {
                for i in start..end {
                    let want = if end - start == 1 {
                        3
                    } else if i == start {
                        0
                    } else if i + 1 == end {
                        2
                    } else {
                        1
                    };
                    assert_eq!(bmes(i, start, end), want, "{i} in {start}..{end}");
                }
            }
        }
    }

    /// The memo's ids are the hashed ones for every value of every
    /// template's domain, and values outside a domain are hashed.
    #[test]
    fn memo_ids_equal_hashed_ids() {
        for bits in [12, 24, 32] {
            let mut m = Memo::new(bits);
            for (t, &(na, nb)) in SMALL.iter().enumerate() {
                for a in 0..na + 2 {
                    for b in [0, 1, 4, 5, 7, 8, 255, 256, nb.saturating_sub(1), nb] {
                        assert_eq!(m.id(t, a, b), id_of(t, a, b, bits), "{t} {a} {b}");
                    }
                }
                assert_eq!(m.id(t, 1 << 40, 3), id_of(t, 1 << 40, 3, bits));
            }
            for v in [
                1,
                2,
                16,
                0x4E00 + 16,
                CHAR_MEMO as u64 - 1,
                CHAR_MEMO as u64,
                0x20000 + 16,
            ] {
                // Twice: computed, then read back.
                for _ in 0..2 {
                    let ids = m.chars_of(v);
                    for (k, &id) in ids[..5].iter().enumerate() {
                        assert_eq!(id, id_of(k + 1, v, 0, bits), "{v}");
                    }
                    assert_eq!(ids[5], id_of(19, 0, v, bits), "{v}");
                }
            }
        }
    }

    /// The wide hashing and the scalar path's memo give the plain scalar
    /// path's ids, bit for bit, for every table size and for texts of
    /// every length around the block size (with characters past the BMP,
    /// which the memo does not keep).
    #[test]
    fn wide_hashing_and_memo_equal_scalar_hashing() {
        let text = "河湾县的林晓舟昨天在北京市会见了绿洲农业合作社代表，双方签署协议。Ａ12号·test 林𠀀舟说：“好\u{FFEE}。”";
        let chars: Vec<char> = text.chars().collect();
        let mut names = NameDict::new();
        names.add(&chars[3..6], &EntityType::Per);
        names.add(&chars[10..13], &EntityType::Loc);
        names.add(&chars[15..21], &EntityType::Org);
        let pos = [
            Pos::Ns,
            Pos::Uj,
            Pos::Nr,
            Pos::T,
            Pos::P,
            Pos::Ns,
            Pos::V,
            Pos::N,
        ];
        for len in [1, 2, 15, 16, 17, 31, 32, 33, chars.len()] {
            let chars = &chars[..len];
            // Tokens of one to three characters, cut at every byte of the text.
            let mut toks = Vec::new();
            let (mut at, mut byte) = (0usize, 0usize);
            while at < len {
                let w = (1 + at % 3).min(len - at);
                let bytes: usize = chars[at..at + w].iter().map(|c| c.len_utf8()).sum();
                toks.push(Tok {
                    word: &text[byte..byte + bytes],
                    start32: at as u32,
                    end32: (at + w) as u32,
                    pos: pos[toks.len() % pos.len()],
                    last: 0,
                });
                at += w;
                byte += bytes;
            }
            let span = |start: usize, end: usize, label| Span {
                start,
                end: end.min(len),
                label,
                source: Source::Model,
                confidence: 0.8,
            };
            let candidates: Vec<Span> = [
                span(3, 6, EntityType::Per),
                span(0, 3, EntityType::Loc),
                span(15, 21, EntityType::Org),
            ]
            .into_iter()
            .filter(|s| s.start < s.end)
            .collect();
            let resolved = resolved_as_is(&candidates, chars);
            for per_sentence in [false, true] {
                let ev = Evidence {
                    chars,
                    toks: &toks,
                    candidates: &candidates,
                    resolved: &resolved,
                    gaz: super::super::gazetteer::gazetteer(),
                    names: &names,
                    per_sentence,
                };
                for bits in [12, 20, 24, 32] {
                    let scalar = features_in(&ev, bits, false, false, &mut Scratch::default());
                    assert_eq!(scalar.len(), len * PER_CHAR);
                    // The memo (this thread's, rebuilt as `bits` changes).
                    assert_eq!(
                        features_with(&ev, bits, false),
                        scalar,
                        "memo: len {len}, bits {bits}"
                    );
                    if wide::available() {
                        assert_eq!(
                            features_with(&ev, bits, true),
                            scalar,
                            "len {len}, bits {bits}"
                        );
                    }
                }
            }
        }
    }
}
