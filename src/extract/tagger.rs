//! The character tagger for PER, LOC and ORG: a linear-chain model over
//! BMES labels, trained as an averaged structured perceptron (Collins 2002)
//! on hashed features ([`super::features`]), decoded by Viterbi with hard
//! label-transition constraints.
//!
//! Weights: a table of `2^bits` buckets × 16 `i8` (13 labels used), one
//! global scale (weight units per quantum), transitions in `f32`. The
//! shipped model is compiled into the binary (`assets/model/tagger.bin`) and
//! read in place (no copy, no parsing of the table).
//!
//! Confidence: the perceptron's scores, divided by a temperature fitted on
//! held-out sentences, are used as the potentials of a linear-chain CRF; the
//! forward-backward algorithm gives each character's marginal probability of
//! its Viterbi label, and an entity's confidence is the smallest marginal
//! over its characters (a margin-based score, calibrated only by the
//! temperature).

use std::borrow::Cow;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use super::EntityType;
use super::expf;
use super::names::NameDict;
use crate::error::{Error, Result};

/// Labels: `O`, then B, M, E, S for PER, LOC and ORG.
pub const LABELS: usize = 13;
const STRIDE: usize = 16;
const MAGIC: &[u8; 8] = b"PZTAG\0\0\x01";

/// The shipped model (see `assets/model/README.md`).
static SHIPPED: &[u8] = include_bytes!("../../assets/model/tagger.bin");

/// The entity type of a label (`None` for `O`).
pub fn label_type(l: u8) -> Option<EntityType> {
    match l {
        0 => None,
        1..=4 => Some(EntityType::Per),
        5..=8 => Some(EntityType::Loc),
        _ => Some(EntityType::Org),
    }
}

/// Position of a label in its entity: 0 B, 1 M, 2 E, 3 S (`O`: 4).
#[inline]
fn pos(l: u8) -> u8 {
    if l == 0 { 4 } else { (l - 1) % 4 }
}

/// The label of a BMES/BIO tag (`B-PER`, `I-LOC`, `O`, …); unknown types
/// are `O`. `I-` is read as `M-` (BIO input).
pub fn label_of_tag(tag: &str) -> u8 {
    let Some((p, t)) = tag.split_once('-') else {
        return 0;
    };
    let ty = match t {
        "PER" | "NR" => 0,
        "LOC" | "NS" => 1,
        "ORG" | "NT" => 2,
        _ => return 0,
    };
    let p = match p {
        "B" => 0,
        "M" | "I" => 1,
        "E" => 2,
        "S" => 3,
        _ => return 0,
    };
    1 + ty * 4 + p
}

/// BMES labels for spans `(start, end, type)` over `n` characters
/// (PER/LOC/ORG only; later overlapping spans are skipped).
pub fn labels_of_spans(n: usize, spans: &[(usize, usize, EntityType)]) -> Vec<u8> {
    let mut out = vec![0u8; n];
    for (s, e, ty) in spans {
        let base = match ty {
            EntityType::Per => 1,
            EntityType::Loc => 5,
            EntityType::Org => 9,
            _ => continue,
        };
        if *s >= *e || *e > n || out[*s..*e].iter().any(|&l| l != 0) {
            continue;
        }
        if e - s == 1 {
            out[*s] = base + 3;
        } else {
            out[*s] = base;
            for l in &mut out[s + 1..e - 1] {
                *l = base + 1;
            }
            out[e - 1] = base + 2;
        }
    }
    out
}

/// Spans `(start, end, type)` of a label sequence.
pub fn spans_of_labels(labels: &[u8]) -> Vec<(usize, usize, EntityType)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, &l) in labels.iter().enumerate() {
        match pos(l) {
            0 => start = Some(i),
            1 => {}
            2 => {
                if let (Some(s), Some(t)) = (start.take(), label_type(l)) {
                    out.push((s, i + 1, t));
                }
            }
            3 => {
                start = None;
                if let Some(t) = label_type(l) {
                    out.push((i, i + 1, t));
                }
            }
            _ => start = None,
        }
    }
    out
}

#[inline]
fn allowed(prev: u8, cur: u8) -> bool {
    let (pp, cp) = (pos(prev), pos(cur));
    match pp {
        // Inside an entity: continue or end the same type.
        0 | 1 => (cp == 1 || cp == 2) && (prev - 1) / 4 == (cur - 1) / 4,
        // Outside: start a new one or stay out.
        _ => cp == 0 || cp == 3 || cp == 4,
    }
}

/// Labels that may precede each label (the nonzero entries of
/// [`allowed`], listed so that decoding visits only those).
#[cfg(test)]
const PREVS: [&[usize]; LABELS] = {
    const OUT: &[usize] = &[0, 3, 4, 7, 8, 11, 12];
    [
        OUT,
        OUT,
        &[1, 2],
        &[1, 2],
        OUT,
        OUT,
        &[5, 6],
        &[5, 6],
        OUT,
        OUT,
        &[9, 10],
        &[9, 10],
        OUT,
    ]
};

/// Labels that may follow each label (decoding walks them unrolled; the
/// tests check against this list).
#[cfg(test)]
const NEXTS: [&[usize]; LABELS] = {
    const OPEN: &[usize] = &[0, 1, 4, 5, 8, 9, 12];
    [
        OPEN,
        &[2, 3],
        &[2, 3],
        OPEN,
        OPEN,
        &[6, 7],
        &[6, 7],
        OPEN,
        OPEN,
        &[10, 11],
        &[10, 11],
        OPEN,
        OPEN,
    ]
};

#[inline]
fn can_start(l: u8) -> bool {
    matches!(pos(l), 0 | 3 | 4)
}

#[inline]
fn can_end(l: u8) -> bool {
    matches!(pos(l), 2..=4)
}

/// Transition and boundary weights, in weight units.
#[derive(Clone)]
struct Chain {
    trans: [f32; LABELS * LABELS],
    start: [f32; LABELS],
    end: [f32; LABELS],
}

impl Chain {
    fn zero() -> Chain {
        Chain {
            trans: [0.0; LABELS * LABELS],
            start: [0.0; LABELS],
            end: [0.0; LABELS],
        }
    }
}

/// What decoding needs of a chain at a temperature, computed once per
/// model rather than per sentence: the transitions with forbidden ones at
/// −∞ and the boundary weights (Viterbi), and their exponentials at the
/// temperature (forward-backward).
#[derive(Clone)]
struct Prepared {
    trans: [f32; LABELS * LABELS],
    start: [f32; LABELS],
    end: [f32; LABELS],
    /// `exp((trans − max) / temp)`, 0 where forbidden.
    tr: [f32; LABELS * LABELS],
    /// Boundary potentials, normalised.
    st: [f32; LABELS],
    en: [f32; LABELS],
    /// `1 / temp`.
    k: f32,
    /// The transitions from `O`/ends/singles to the labels that open
    /// (`OUT_PREVS` × `OPEN_CURS`), one row of 8 lanes per predecessor, for
    /// Viterbi (`trans`; the 8th lane −∞) and the forward pass (`tr`; 0).
    open_trans: [[f32; 8]; 7],
    open_tr: [[f32; 8]; 7],
    /// The same potentials one row per successor (`OPEN_CURS` ×
    /// `OUT_PREVS`), for the backward pass.
    open_tr_back: [[f32; 8]; 7],
}

impl Prepared {
    fn new(chain: &Chain, temp: f32) -> Prepared {
        Prepared::build(chain, temp, true)
    }

    /// Only what Viterbi reads (training decodes with a changing chain).
    fn for_viterbi(chain: &Chain) -> Prepared {
        Prepared::build(chain, 1.0, false)
    }

    fn build(chain: &Chain, temp: f32, potentials: bool) -> Prepared {
        const NEG: f32 = f32::NEG_INFINITY;
        let k = 1.0 / temp.max(1e-3);
        let mut trans = [NEG; LABELS * LABELS];
        let mut tr = [0f32; LABELS * LABELS];
        let tmax = chain.trans.iter().cloned().fold(f32::MIN, f32::max);
        for p in 0..LABELS {
            for c in 0..LABELS {
                if allowed(p as u8, c as u8) {
                    trans[p * LABELS + c] = chain.trans[p * LABELS + c];
                    if potentials {
                        tr[p * LABELS + c] = ((chain.trans[p * LABELS + c] - tmax) * k).exp();
                    }
                }
            }
        }
        let mut start = [NEG; LABELS];
        let mut end = [NEG; LABELS];
        for l in 0..LABELS {
            if can_start(l as u8) {
                start[l] = chain.start[l];
            }
            if can_end(l as u8) {
                end[l] = chain.end[l];
            }
        }
        let edge = |w: &[f32; LABELS], ok: fn(u8) -> bool| -> [f32; LABELS] {
            let m = w.iter().cloned().fold(f32::MIN, f32::max);
            let mut out = [0f32; LABELS];
            for l in 0..LABELS {
                if ok(l as u8) {
                    out[l] = ((w[l] - m) * k).exp();
                }
            }
            normalise(&mut out);
            out
        };
        let mut open_trans = [[NEG; 8]; 7];
        let mut open_tr = [[0f32; 8]; 7];
        let mut open_tr_back = [[0f32; 8]; 7];
        for (i, &q) in OUT_PREVS.iter().enumerate() {
            for (j, &c) in OPEN_CURS.iter().enumerate() {
                open_trans[i][j] = trans[q * LABELS + c];
                open_tr[i][j] = tr[q * LABELS + c];
                open_tr_back[j][i] = tr[q * LABELS + c];
            }
        }
        Prepared {
            trans,
            start,
            end,
            tr,
            st: edge(&chain.start, can_start),
            en: edge(&chain.end, can_end),
            k,
            open_trans,
            open_tr,
            open_tr_back,
        }
    }
}

#[inline]
fn normalise(v: &mut [f32; LABELS]) {
    let s: f32 = v.iter().sum();
    if s > 0.0 {
        v.iter_mut().for_each(|x| *x /= s);
    }
}

/// Scratch buffers of decoding, reused across sentences (one set per
/// thread).
#[derive(Default)]
struct Scratch {
    em: Vec<f32>,
    labels: Vec<u8>,
    conf: Vec<f32>,
    back: Vec<u8>,
    alpha: Vec<[f32; LABELS]>,
    beta: Vec<[f32; LABELS]>,
    emits: Vec<[f32; LABELS]>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// Viterbi over emissions `em` (`n × LABELS`).
fn viterbi(em: &[f32], n: usize, chain: &Chain) -> Vec<u8> {
    let mut out = Vec::new();
    viterbi_into(
        em,
        n,
        &Prepared::for_viterbi(chain),
        &mut Vec::new(),
        &mut out,
    );
    out
}

/// The labels that may follow `O`, an end or a single (their predecessors
/// are [`OUT_PREVS`]); the others (`M`, `E`) follow their type's `B`/`M`.
const OPEN_CURS: [usize; 7] = [0, 1, 4, 5, 8, 9, 12];
/// `PREVS` of every label of [`OPEN_CURS`].
const OUT_PREVS: [usize; 7] = [0, 3, 4, 7, 8, 11, 12];

/// The best predecessor of `cur` among `prevs` (the first of equals) and
/// its score (−∞ if none is allowed).
#[inline(always)]
fn best_prev<const N: usize>(
    score: &[f32; LABELS],
    trans: &[f32; LABELS * LABELS],
    cur: usize,
    prevs: &[usize; N],
) -> (f32, u8) {
    let mut best = f32::NEG_INFINITY;
    let mut arg = 0u8;
    for &prev in prevs {
        let s = score[prev] + trans[prev * LABELS + cur];
        if s > best {
            best = s;
            arg = prev as u8;
        }
    }
    (best, arg)
}

/// For each label that opens (`OPEN_CURS`, a lane each), its best
/// predecessor among `OUT_PREVS` (the first of equals) and that score:
/// per lane the same sums as [`best_prev`] and the same choice (SSE2 on
/// x86-64: two registers of four lanes). The seven candidates are compared
/// as a tree, `((0 1)(2 3))((4 5) 6)`, where a later one wins only when
/// greater: the first of the greatest, as the walk in order finds it, in
/// three steps of dependent compares rather than seven (the maximum is one
/// value whatever the order; when all are −∞ both give the first
/// predecessor, `O`, which is also the walk's initial choice).
#[inline(always)]
fn best_open(score: &[f32; LABELS], open_trans: &[[f32; 8]; 7]) -> ([f32; 8], [i32; 8]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        let (mut best, mut arg) = ([0f32; 8], [0i32; 8]);
        // SAFETY: SSE2 is part of x86-64; every load and store is of four
        // lanes inside an 8-lane array (unaligned forms).
        unsafe {
            // `r` replaces `l` in the lanes where it is greater.
            #[inline(always)]
            unsafe fn pick(l: (__m128, __m128i), r: (__m128, __m128i)) -> (__m128, __m128i) {
                // SAFETY: SSE2 is part of x86-64 (register operations only).
                unsafe {
                    let m = _mm_cmpgt_ps(r.0, l.0);
                    let mi = _mm_castps_si128(m);
                    (
                        _mm_or_ps(_mm_and_ps(m, r.0), _mm_andnot_ps(m, l.0)),
                        _mm_or_si128(_mm_and_si128(mi, r.1), _mm_andnot_si128(mi, l.1)),
                    )
                }
            }
            for h in 0..2 {
                let leaf = |i: usize| {
                    let prev = OUT_PREVS[i];
                    (
                        _mm_add_ps(
                            _mm_set1_ps(score[prev]),
                            _mm_loadu_ps(open_trans[i].as_ptr().add(4 * h)),
                        ),
                        _mm_set1_epi32(prev as i32),
                    )
                };
                let a = pick(pick(leaf(0), leaf(1)), pick(leaf(2), leaf(3)));
                let b = pick(pick(leaf(4), leaf(5)), leaf(6));
                let (b, a) = pick(a, b);
                _mm_storeu_ps(best.as_mut_ptr().add(4 * h), b);
                _mm_storeu_si128(arg.as_mut_ptr().add(4 * h) as *mut __m128i, a);
            }
        }
        (best, arg)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let (mut best, mut arg) = ([f32::NEG_INFINITY; 8], [0i32; 8]);
        for (i, &prev) in OUT_PREVS.iter().enumerate() {
            let sp = score[prev];
            for j in 0..8 {
                let s = sp + open_trans[i][j];
                if s > best[j] {
                    best[j] = s;
                    arg[j] = prev as i32;
                }
            }
        }
        (best, arg)
    }
}

/// [`best_open`], or with `WIDE` [`best_open_avx2`].
#[inline(always)]
fn best_open_for<const WIDE: bool>(
    score: &[f32; LABELS],
    open_trans: &[[f32; 8]; 7],
) -> ([f32; 8], [i32; 8]) {
    #[cfg(target_arch = "x86_64")]
    if WIDE {
        // SAFETY: `WIDE` is set only by `decode_avx2`, which runs only where
        // the CPU has AVX2.
        return unsafe { best_open_avx2(score, open_trans) };
    }
    best_open(score, open_trans)
}

/// [`best_open`] in one 8-lane AVX register, each choice one compare and
/// two blends: the same sums, the same tree, the same choices (`>` on
/// values that are never NaN: `_CMP_GT_OQ` is SSE2's `cmpgt`).
///
/// # Safety
/// The CPU has AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn best_open_avx2(
    score: &[f32; LABELS],
    open_trans: &[[f32; 8]; 7],
) -> ([f32; 8], [i32; 8]) {
    use std::arch::x86_64::*;
    let leaf = |i: usize| {
        let prev = OUT_PREVS[i];
        // SAFETY: an unaligned load of the 8 lanes of `open_trans[i]`.
        let t = unsafe { _mm256_loadu_ps(open_trans[i].as_ptr()) };
        (
            _mm256_add_ps(_mm256_set1_ps(score[prev]), t),
            _mm256_castsi256_ps(_mm256_set1_epi32(prev as i32)),
        )
    };
    // `r` replaces `l` in the lanes where it is greater.
    let pick = |l: (__m256, __m256), r: (__m256, __m256)| {
        let m = _mm256_cmp_ps::<_CMP_GT_OQ>(r.0, l.0);
        (_mm256_blendv_ps(l.0, r.0, m), _mm256_blendv_ps(l.1, r.1, m))
    };
    let a = pick(pick(leaf(0), leaf(1)), pick(leaf(2), leaf(3)));
    let b = pick(pick(leaf(4), leaf(5)), leaf(6));
    let (b, a) = pick(a, b);
    let (mut best, mut arg) = ([0f32; 8], [0i32; 8]);
    // SAFETY: unaligned stores of 8 lanes into arrays of 8.
    unsafe {
        _mm256_storeu_ps(best.as_mut_ptr(), b);
        _mm256_storeu_ps(arg.as_mut_ptr() as *mut f32, a);
    }
    (best, arg)
}

/// Viterbi over emissions `em` (`n × LABELS`) into `out`; `back` is scratch.
#[inline(always)]
fn viterbi_into(em: &[f32], n: usize, p: &Prepared, back: &mut Vec<u8>, out: &mut Vec<u8>) {
    viterbi_into_with::<false>(em, n, p, back, out)
}

/// [`viterbi_into`], with `WIDE` the labels that open compared in one
/// 8-lane AVX register ([`best_open_avx2`]); only [`decode_avx2`] sets it.
#[inline(always)]
fn viterbi_into_with<const WIDE: bool>(
    em: &[f32],
    n: usize,
    p: &Prepared,
    back: &mut Vec<u8>,
    out: &mut Vec<u8>,
) {
    out.clear();
    if n == 0 {
        return;
    }
    const NEG: f32 = f32::NEG_INFINITY;
    let trans = &p.trans;
    let mut score = [NEG; LABELS];
    // Not cleared: the walk back reads only entries written below (those
    // of labels with a finite score), so stale ones need no zeroing.
    back.resize(n * LABELS, 0);
    for l in 0..LABELS {
        score[l] = p.start[l] + em[l];
    }
    for i in 1..n {
        let mut next = [NEG; LABELS];
        let row = &em[i * LABELS..(i + 1) * LABELS];
        let bk = &mut back[i * LABELS..(i + 1) * LABELS];
        // The labels by their predecessors (`PREVS`), each set a fixed-size
        // array so that the loops unroll; the same sums and comparisons in
        // the same order as a walk of `PREVS`.
        // No test of `best > −∞`: emissions are finite, so an unreachable
        // label gets −∞ + row = −∞ all the same, and its back-pointer is
        // never read (the walk back follows finite scores; `O` always has
        // one).
        let mut visit = |cur: usize, (best, arg): (f32, u8)| {
            next[cur] = best + row[cur];
            bk[cur] = arg;
        };
        // The labels that open, all at once (a lane each): per lane the
        // same sums and comparisons in the same order as `best_prev`.
        let (best, arg) = best_open_for::<WIDE>(&score, &p.open_trans);
        for (j, cur) in OPEN_CURS.into_iter().enumerate() {
            visit(cur, (best[j], arg[j] as u8));
        }
        for t in 0..3 {
            let prevs = [1 + 4 * t, 2 + 4 * t];
            for cur in [2 + 4 * t, 3 + 4 * t] {
                visit(cur, best_prev(&score, trans, cur, &prevs));
            }
        }
        score = next;
    }
    let mut best = NEG;
    let mut arg = 0u8;
    for (l, &sc) in score.iter().enumerate() {
        if sc > NEG {
            let s = sc + p.end[l];
            if s > best {
                best = s;
                arg = l as u8;
            }
        }
    }
    // The walk back keeps the current label in a register (reading it back
    // from `out` waited on the store just made, every character).
    out.resize(n, 0);
    let mut cur = arg;
    out[n - 1] = cur;
    for i in (1..n).rev() {
        cur = back[i * LABELS + cur as usize];
        out[i - 1] = cur;
    }
}

/// Per-character marginal probability of `labels` under the CRF whose
/// potentials are the scores divided by `temp`.
fn marginals(em: &[f32], n: usize, chain: &Chain, temp: f32, labels: &[u8]) -> Vec<f32> {
    let mut out = Vec::new();
    let mut sc = Scratch::default();
    marginals_into(
        em,
        n,
        &Prepared::new(chain, temp),
        labels,
        &mut sc,
        &mut out,
        false,
    );
    out
}

/// `Σ alpha[q] · tr[q → cur]` over `prevs`, in their order.
#[inline(always)]
fn forward_sum<const N: usize>(
    alpha: &[f32; LABELS],
    tr: &[f32; LABELS * LABELS],
    cur: usize,
    prevs: &[usize; N],
) -> f32 {
    let mut s = 0.0;
    for &q in prevs {
        s += alpha[q] * tr[q * LABELS + cur];
    }
    s
}

/// `Σ tr[q → c] · e[c] · next[c]` over `nexts`, in their order.
#[inline(always)]
fn backward_sum<const N: usize>(
    e: &[f32; LABELS],
    next: &[f32; LABELS],
    tr: &[f32; LABELS * LABELS],
    q: usize,
    nexts: &[usize; N],
) -> f32 {
    let mut s = 0.0;
    for &c in nexts {
        s += tr[q * LABELS + c] * e[c] * next[c];
    }
    s
}

/// The marginal of label `l` from a row's forward and backward vectors.
#[inline(always)]
fn marg(a: &[f32; LABELS], b: &[f32; LABELS], l: u8) -> f32 {
    let z: f32 = (0..LABELS).map(|x| a[x] * b[x]).sum();
    if z > 0.0 {
        a[l as usize] * b[l as usize] / z
    } else {
        0.0
    }
}

/// One row of the forward pass: `alpha` of a row from the previous row's
/// (`prev`) and this row's emission potentials `e`, normalised. The labels
/// by their predecessors (`PREVS`) in fixed-size arrays that unroll, as in
/// Viterbi: the same products summed in the same order as a walk of
/// `PREVS`.
#[inline(always)]
fn forward_row(prev: &[f32; LABELS], e: &[f32; LABELS], p: &Prepared) -> [f32; LABELS] {
    let tr = &p.tr;
    let mut a = [0f32; LABELS];
    let mut open = [0f32; 8];
    for (i, &q) in OUT_PREVS.iter().enumerate() {
        let aq = prev[q];
        let row = &p.open_tr[i];
        for j in 0..8 {
            open[j] += aq * row[j];
        }
    }
    for (j, c) in OPEN_CURS.into_iter().enumerate() {
        a[c] = open[j] * e[c];
    }
    for t in 0..3 {
        let prevs = [1 + 4 * t, 2 + 4 * t];
        for c in [2 + 4 * t, 3 + 4 * t] {
            a[c] = forward_sum(prev, tr, c, &prevs) * e[c];
        }
    }
    normalise(&mut a);
    a
}

/// One row of the backward pass: `beta` of a row from the next row's
/// (`next`) and the next row's emission potentials `e`, normalised. The
/// labels by their successors (`NEXTS`): those after which an entity may
/// open, then each type's `B` and `M`.
#[inline(always)]
fn backward_row(e: &[f32; LABELS], next: &[f32; LABELS], p: &Prepared) -> [f32; LABELS] {
    let tr = &p.tr;
    let mut b = [0f32; LABELS];
    let mut open = [0f32; 8];
    for (j, &c) in OPEN_CURS.iter().enumerate() {
        let (ec, nc) = (e[c], next[c]);
        let row = &p.open_tr_back[j];
        for i in 0..8 {
            open[i] += row[i] * ec * nc;
        }
    }
    for (i, q) in OUT_PREVS.into_iter().enumerate() {
        b[q] = open[i];
    }
    for t in 0..3 {
        let nexts = [2 + 4 * t, 3 + 4 * t];
        for q in [1 + 4 * t, 2 + 4 * t] {
            b[q] = backward_sum(e, next, tr, q, &nexts);
        }
    }
    normalise(&mut b);
    b
}

/// [`marginals`] into `out`, with prepared potentials and scratch buffers.
/// Every row's emission potentials are computed first (rows independent of
/// each other); then the forward and the backward pass run in one loop, a
/// row of each per step: two chains of dependent sums and divisions that
/// the CPU overlaps, where one after the other each waited on its own
/// latency. Each row's values are the same operations in the same order as
/// either pass alone.
///
/// With `entities_only`, only the characters whose label is not `O` get
/// their marginal (the others get 1.0): the forward pass stops at the last
/// of them and the backward pass at the first. Their values are the same
/// to the bit as without (the same operations in the same order).
#[inline(always)]
fn marginals_into(
    em: &[f32],
    n: usize,
    p: &Prepared,
    labels: &[u8],
    sc: &mut Scratch,
    out: &mut Vec<f32>,
    entities_only: bool,
) {
    out.clear();
    if n == 0 {
        return;
    }
    let (lo, hi) = if entities_only {
        match (
            labels.iter().position(|&l| l != 0),
            labels.iter().rposition(|&l| l != 0),
        ) {
            (Some(lo), Some(hi)) => (lo, hi),
            _ => {
                out.resize(n, 1.0);
                return;
            }
        }
    } else {
        (0, n - 1)
    };
    let wanted = |i: usize| !entities_only || labels[i] != 0;
    let k = p.k;
    let (alpha, beta, emits) = (&mut sc.alpha, &mut sc.beta, &mut sc.emits);
    // Not cleared: every row that is read is written below first (`emits`
    // all; `alpha` up to `hi`; `beta` from `lo`).
    alpha.resize(n, [0f32; LABELS]);
    beta.resize(n, [0f32; LABELS]);
    emits.resize(n, [0f32; LABELS]);
    // `exp((row − max) / temp)` of every row, sixteen lanes wide where the
    // CPU allows (`super::expf`: the same values as `f32::exp`).
    expf::exp_rows_below_max(&em[..n * LABELS], k, &mut emits[..n]);
    let e0 = &emits[0];
    let mut a = [0f32; LABELS];
    for l in 0..LABELS {
        a[l] = p.st[l] * e0[l];
    }
    normalise(&mut a);
    alpha[0] = a;
    let mut b = p.en;
    beta[n - 1] = b;
    // Forward rows 1..=hi and backward rows n−2 down to lo, one of each
    // per step while both last.
    let (fw, bw) = (hi, n - 1 - lo);
    for s in 0..fw.max(bw) {
        if s < fw {
            a = forward_row(&a, &emits[s + 1], p);
            alpha[s + 1] = a;
        }
        if s < bw {
            let i = n - 2 - s;
            b = backward_row(&emits[i + 1], &b, p);
            beta[i] = b;
        }
    }
    out.resize(n, if entities_only { 1.0 } else { 0.0 });
    for i in lo..n {
        if wanted(i) {
            out[i] = marg(&alpha[i], &beta[i], labels[i]);
        }
    }
}

/// Viterbi's labels of one sequence and, where it has an entity, the
/// marginals (see [`Tagger::decode_emissions`]).
#[inline(always)]
fn decode_one<const WIDE: bool>(
    em: &[f32],
    n: usize,
    p: &Prepared,
    labels: &mut Vec<u8>,
    conf: &mut Vec<f32>,
    entities_only: bool,
    sc: &mut Scratch,
) {
    viterbi_into_with::<WIDE>(em, n, p, &mut sc.back, labels);
    // Confidences are read for entities only.
    if labels.iter().any(|&l| l != 0) {
        marginals_into(em, n, p, labels, sc, conf, entities_only);
    } else {
        conf.clear();
        conf.resize(n, 1.0);
    }
}

/// [`decode_one`] compiled for AVX2: the same operations on the same
/// values (IEEE sums, products and quotients in the same order; no fused
/// multiply-add), in three-operand VEX instructions and wider registers.
///
/// # Safety
/// The CPU has AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn decode_avx2(
    em: &[f32],
    n: usize,
    p: &Prepared,
    labels: &mut Vec<u8>,
    conf: &mut Vec<f32>,
    entities_only: bool,
    sc: &mut Scratch,
) {
    decode_one::<true>(em, n, p, labels, conf, entities_only, sc)
}

/// Asks the CPU to fetch a weight row into the cache (a hint; no effect on
/// results).
#[inline(always)]
fn prefetch(w: &[u8], f: u32) {
    #[cfg(target_arch = "x86_64")]
    if let Some(row) = w.get(f as usize * STRIDE) {
        // SAFETY: a prefetch never faults and reads nothing observable; the
        // address is inside the table.
        #[allow(unused_unsafe)]
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                row as *const u8 as *const i8,
            );
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (w, f);
}

/// The emission sum with AVX2: a weight row's 16 bytes sign-extended and
/// added at once (integer sums: the same values in any order).
#[cfg(target_arch = "x86_64")]
mod sum16 {
    use super::{LABELS, STRIDE};
    use std::arch::x86_64::*;

    /// Whether the CPU has AVX2 (most CPUs without AVX-512 have it, so
    /// `PIZHU_NO_AVX512` leaves this path on).
    pub fn available() -> bool {
        static OK: std::sync::LazyLock<bool> =
            std::sync::LazyLock::new(|| is_x86_feature_detected!("avx2"));
        *OK
    }

    /// [`super::Tagger::emissions_into`]'s loop: `em` (`n × LABELS`, sized)
    /// gets each character's sum of its `per` rows times `scale`, the row
    /// `ahead` ids on prefetched as each is summed.
    ///
    /// The rows are read through a pointer, each id masked to the table
    /// (`w` is `2^bits` rows, asserted; every id is below `2^bits`, so the
    /// mask changes none): about half the instructions per row of checked
    /// slicing (a bounds check for the id, the row and the prefetch's id
    /// and row), and the sum waits on memory less.
    ///
    /// # Safety
    /// The CPU has AVX2.
    #[target_feature(enable = "avx2")]
    pub unsafe fn emissions(
        w: &[u8],
        feats: &[u32],
        n: usize,
        per: usize,
        ahead: usize,
        scale: f32,
        em: &mut [f32],
    ) {
        let rows = w.len() / STRIDE;
        assert!(rows.is_power_of_two() && rows * STRIDE == w.len());
        assert!(feats.len() >= n * per && em.len() >= n * LABELS);
        let mask = rows - 1;
        let base = w.as_ptr();
        // The row of id `f`, sign-extended to 16 lanes of i16.
        let row = |f: u32| -> __m256i {
            debug_assert!((f as usize) < rows, "feature id {f} outside the table");
            let at = (f as usize & mask) * STRIDE;
            // SAFETY: `at + STRIDE <= rows * STRIDE == w.len()`: the 16
            // bytes read lie inside `w`.
            unsafe { _mm256_cvtepi8_epi16(_mm_loadu_si128(base.add(at) as *const __m128i)) }
        };
        // A prefetch never faults and reads nothing observable; the address
        // is inside the table all the same.
        let fetch = |g: u32| {
            let at = (g as usize & mask) * STRIDE;
            _mm_prefetch::<_MM_HINT_T0>(base.wrapping_add(at) as *const i8);
        };
        for (i, ids) in feats.chunks_exact(per.max(1)).take(n).enumerate() {
            // 16 lanes of i16: 32 features × 127 cannot overflow.
            let mut acc = _mm256_setzero_si256();
            let from = i * per + ahead;
            if let (Ok(ids), Some(Ok(next))) = (
                <&[u32; 32]>::try_from(ids),
                feats.get(from..from + per).map(<&[u32; 32]>::try_from),
            ) {
                // A character's 32 ids (one per template): the rows of
                // the templates of few values stay in the cache and are not
                // prefetched (the sum's samples −10% in profiles, `speedh`;
                // leaving out the one-character templates' rows, 1–5, too
                // cost +50%: those miss). Unrolled: no test per id.
                const FETCH: u32 = !crate::extract::features::SMALL_TEMPLATES;
                macro_rules! step {
                    ($($k:literal)*) => {$(
                        if FETCH >> $k & 1 != 0 {
                            fetch(next[$k]);
                        }
                        acc = _mm256_add_epi16(acc, row(ids[$k]));
                    )*};
                }
                step!(
                    0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
                    16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31
                );
            } else if let Some(next) = feats.get(from..from + per) {
                for (&f, &g) in ids.iter().zip(next) {
                    fetch(g);
                    acc = _mm256_add_epi16(acc, row(f));
                }
            } else {
                for (k, &f) in ids.iter().enumerate() {
                    if let Some(&g) = feats.get(from + k) {
                        fetch(g);
                    }
                    acc = _mm256_add_epi16(acc, row(f));
                }
            }
            let mut lanes = [0i16; STRIDE];
            // SAFETY: `lanes` holds 16 i16.
            unsafe { _mm256_storeu_si256(lanes.as_mut_ptr() as *mut __m256i, acc) };
            for (e, &a) in em[i * LABELS..(i + 1) * LABELS].iter_mut().zip(&lanes) {
                *e = a as f32 * scale;
            }
        }
    }
}

/// A copy of `table` in memory that the kernel is asked to back with
/// transparent huge pages (2 MiB), kept for the life of the process; `None`
/// where that is unavailable (the table is then read where it lies).
#[cfg(target_os = "linux")]
fn huge_page_copy(table: &[u8]) -> Option<&'static [u8]> {
    const HUGE: usize = 2 << 20;
    let len = table.len();
    if len < HUGE {
        return None;
    }
    let map_len = len + HUGE;
    // SAFETY: an anonymous private mapping owned by nobody else; it is
    // checked for failure, only its aligned part is used (within
    // `map_len`), and it is never unmapped, so the `'static` slice stays
    // valid.
    unsafe {
        let p = libc::mmap(
            std::ptr::null_mut(),
            map_len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        if p == libc::MAP_FAILED {
            return None;
        }
        let start = (p as usize + HUGE - 1) & !(HUGE - 1);
        let at = start as *mut u8;
        // Advisory only: without huge pages the copy still works.
        libc::madvise(at as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
        std::ptr::copy_nonoverlapping(table.as_ptr(), at, len);
        Some(std::slice::from_raw_parts(at, len))
    }
}

#[cfg(not(target_os = "linux"))]
fn huge_page_copy(_table: &[u8]) -> Option<&'static [u8]> {
    None
}

/// A trained, quantised tagger.
#[derive(Clone)]
pub struct Tagger {
    bits: u32,
    scale: f32,
    temp: f32,
    chain: Chain,
    /// `2^bits × STRIDE` weights, each an `i8` stored as its byte.
    weights: Cow<'static, [u8]>,
    /// Names seen in training (a feature; stored after the weights).
    names: Arc<NameDict>,
    checksum: u64,
    /// The chain prepared for decoding at `temp`.
    prep: Box<Prepared>,
    /// Whether the rules' arbitration applies to this model's entities
    /// (off in an adapted model when it lowered F1 on the user's reviewed
    /// sentences); stored as an optional last byte.
    arbitrate: bool,
}

impl std::fmt::Debug for Tagger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tagger")
            .field("bits", &self.bits)
            .field("scale", &self.scale)
            .field("temp", &self.temp)
            .field("names", &self.names.len())
            .field("checksum", &format_args!("{:016x}", self.checksum))
            .finish()
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    // FNV-1a over 8-byte words (fast enough for the 16 MB table at save time).
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for chunk in bytes.chunks(8) {
        let mut w = [0u8; 8];
        w[..chunk.len()].copy_from_slice(chunk);
        h ^= u64::from_le_bytes(w);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let s = self.b.get(self.at..self.at + n)?;
        self.at += n;
        Some(s)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn f32(&mut self) -> Option<f32> {
        Some(f32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
}

impl Tagger {
    /// The model shipped in the binary, if it is valid (parsed once per
    /// process: the weights are read in place, the name table is built).
    pub fn shipped() -> Option<Tagger> {
        static ONCE: OnceLock<Option<Tagger>> = OnceLock::new();
        ONCE.get_or_init(|| {
            let mut t = Tagger::from_bytes(Cow::Borrowed(SHIPPED)).ok()?;
            // Lookups are random over the whole table: a copy on huge
            // pages (made once per process) spares most TLB misses.
            if let Some(hot) = huge_page_copy(&t.weights) {
                t.weights = Cow::Borrowed(hot);
            }
            Some(t)
        })
        .clone()
    }

    /// Reads a model file.
    pub fn load(path: &Path) -> Result<Tagger> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Tagger::from_bytes(Cow::Owned(bytes))
            .map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))
    }

    /// Parses a model (the header, then the weight table in place).
    pub fn from_bytes(bytes: Cow<'static, [u8]>) -> Result<Tagger> {
        let bad = |what: &str| Error::Invalid(format!("not a Pizhu tagger model: {what}"));
        let mut r = Reader { b: &bytes, at: 0 };
        if r.take(8) != Some(MAGIC.as_slice()) {
            return Err(bad("wrong magic"));
        }
        let fv = r.u32().ok_or_else(|| bad("truncated"))?;
        if fv != super::features::FEATURES_VERSION {
            return Err(bad("made for another feature set"));
        }
        let bits = r.u32().ok_or_else(|| bad("truncated"))?;
        if !(8..=24).contains(&bits) {
            return Err(bad("bad table size"));
        }
        let scale = r.f32().ok_or_else(|| bad("truncated"))?;
        let temp = r.f32().ok_or_else(|| bad("truncated"))?;
        let checksum = r.u64().ok_or_else(|| bad("truncated"))?;
        let mut chain = Chain::zero();
        for v in chain
            .trans
            .iter_mut()
            .chain(chain.start.iter_mut())
            .chain(chain.end.iter_mut())
        {
            *v = r.f32().ok_or_else(|| bad("truncated"))?;
        }
        let header = r.at;
        let len = (1usize << bits) * STRIDE;
        // After the weights: the names (length-prefixed) and their
        // first-character bitmap.
        let rest = bytes
            .get(header + len..)
            .ok_or_else(|| bad("wrong length"))?;
        let (names, arbitrate) = (|| {
            let k = u64::from_le_bytes(rest.get(..8)?.try_into().ok()?) as usize;
            let body = rest.get(8..8usize.checked_add(k)?)?;
            let tail = rest.get(8 + k..)?;
            let arbitrate = match tail.len() {
                8192 => true,
                8193 => tail[8192] & 1 == 0,
                _ => return None,
            };
            Some((NameDict::from_bytes(body, &tail[..8192])?, arbitrate))
        })()
        .ok_or_else(|| bad("bad name table"))?;
        let weights = match bytes {
            Cow::Borrowed(b) => Cow::Borrowed(&b[header..header + len]),
            Cow::Owned(mut v) => {
                v.truncate(header + len);
                v.drain(..header);
                Cow::Owned(v)
            }
        };
        if !scale.is_finite() || scale <= 0.0 || !temp.is_finite() || temp <= 0.0 {
            return Err(bad("bad scale"));
        }
        Ok(Tagger {
            bits,
            scale,
            temp,
            prep: Box::new(Prepared::new(&chain, temp)),
            chain,
            weights,
            names: Arc::new(names),
            checksum,
            arbitrate,
        })
    }

    /// The model as bytes (the file format read by [`Tagger::from_bytes`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.weights.len() + 1024);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&super::features::FEATURES_VERSION.to_le_bytes());
        out.extend_from_slice(&self.bits.to_le_bytes());
        out.extend_from_slice(&self.scale.to_le_bytes());
        out.extend_from_slice(&self.temp.to_le_bytes());
        out.extend_from_slice(&self.checksum.to_le_bytes());
        for v in self
            .chain
            .trans
            .iter()
            .chain(&self.chain.start)
            .chain(&self.chain.end)
        {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&self.weights);
        let names = self.names.to_bytes();
        out.extend_from_slice(&(names.len() as u64).to_le_bytes());
        out.extend_from_slice(&names);
        out.extend_from_slice(&self.names.firsts_bytes());
        if !self.arbitrate {
            out.push(1);
        }
        out
    }

    /// Writes the model to `path` (through a temporary file and a rename).
    pub fn save(&self, path: &Path) -> Result<()> {
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, self.to_bytes()).map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
    }

    /// A short id of the weights (part of the extractor's version).
    pub fn id(&self) -> String {
        format!("{:08x}", self.checksum as u32)
    }

    /// Hash-table size in bits (the features are reduced to it).
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// Whether the rules' arbitration applies to this model's entities.
    pub fn arbitrates(&self) -> bool {
        self.arbitrate
    }

    /// The same model with the rules' arbitration on or off (its id
    /// changes with it).
    pub fn with_arbitration(mut self, on: bool) -> Tagger {
        if on != self.arbitrate {
            self.checksum ^= 0xA5B1_7A7E;
        }
        self.arbitrate = on;
        self
    }

    /// The names seen in training (a feature of the model).
    pub fn names(&self) -> &NameDict {
        &self.names
    }

    /// The same model with the name dictionary `names` (its checksum,
    /// hence its id, changes with it).
    pub fn with_names(mut self, names: NameDict) -> Tagger {
        self.checksum ^= fnv(&names.to_bytes()).rotate_left(17);
        self.names = Arc::new(names);
        self
    }

    /// The confidence temperature.
    pub fn temperature(&self) -> f32 {
        self.temp
    }

    /// Weight units per quantum.
    pub fn scale(&self) -> f32 {
        self.scale
    }

    fn emissions(&self, feats: &[u32], n: usize) -> Vec<f32> {
        let mut em = Vec::new();
        self.emissions_into(feats, n, &mut em);
        em
    }

    fn emissions_into(&self, feats: &[u32], n: usize, em: &mut Vec<f32>) {
        let per = feats.len() / n.max(1);
        // Not cleared: every value is written below.
        em.resize(n * LABELS, 0.0);
        let w = &*self.weights;
        // The table is far larger than the caches: the row `AHEAD` features
        // on (about eight characters) is prefetched as each row is summed, a
        // steady stream across characters (and sentences, when `feats`
        // holds a whole text). A row costs a few cycles once in the cache
        // and hundreds from memory: 64 ahead (two characters) left the sum
        // waiting on its loads (full extraction 26–27% of raw jieba against
        // 28–30% at 256–512, `speed6`). With the leaner sum of `speedd`
        // (rows read unchecked) 512 gained 2–3% of extraction over 256 in
        // alternating harness runs (1024 no more): 512 rows are 32 KiB of
        // lines, inside the first-level cache.
        const AHEAD: usize = 512;
        for &f in feats.iter().take(AHEAD) {
            prefetch(w, f);
        }
        #[cfg(target_arch = "x86_64")]
        if sum16::available() && per > 0 && feats.len() == n * per {
            // SAFETY: AVX2 checked; `feats` holds `per` ids per character.
            unsafe { sum16::emissions(w, feats, n, per, AHEAD, self.scale, em) };
            return;
        }
        for i in 0..n {
            // 16 lanes of i16: 32 features × 127 cannot overflow.
            let mut acc = [0i16; STRIDE];
            for at in i * per..(i + 1) * per {
                if let Some(&g) = feats.get(at + AHEAD) {
                    prefetch(w, g);
                }
                let at = feats[at] as usize * STRIDE;
                let row: &[u8; STRIDE] = w[at..at + STRIDE].try_into().expect("row of 16");
                for (a, &b) in acc.iter_mut().zip(row) {
                    *a += b as i8 as i16;
                }
            }
            for l in 0..LABELS {
                em[i * LABELS + l] = acc[l] as f32 * self.scale;
            }
        }
    }

    /// Labels of one sequence and each character's marginal probability of
    /// its label (1.0 throughout a sequence with no entity: not computed). `feats` holds the same number of ids for each of the `n`
    /// characters.
    pub fn tag(&self, feats: &[u32], n: usize) -> (Vec<u8>, Vec<f32>) {
        let (mut labels, mut conf) = (Vec::new(), Vec::new());
        self.tag_into(feats, n, &mut labels, &mut conf);
        (labels, conf)
    }

    /// [`Tagger::tag`] into `labels` and `conf` (cleared first), with this
    /// thread's scratch buffers: no allocation once they have grown.
    pub fn tag_into(&self, feats: &[u32], n: usize, labels: &mut Vec<u8>, conf: &mut Vec<f32>) {
        self.decode(feats, n, labels, conf, false)
    }

    /// [`Tagger::tag_into`] where only the characters inside entities get
    /// their marginal (the others 1.0): what extraction reads (an entity's
    /// confidence is its characters' smallest), for less work. The values
    /// inside entities are the same to the bit.
    pub fn tag_entities_into(
        &self,
        feats: &[u32],
        n: usize,
        labels: &mut Vec<u8>,
        conf: &mut Vec<f32>,
    ) {
        self.decode(feats, n, labels, conf, true)
    }

    fn decode(
        &self,
        feats: &[u32],
        n: usize,
        labels: &mut Vec<u8>,
        conf: &mut Vec<f32>,
        entities_only: bool,
    ) {
        SCRATCH.with_borrow_mut(|sc| {
            let mut em = std::mem::take(&mut sc.em);
            self.emissions_into(feats, n, &mut em);
            self.decode_emissions(&em, n, labels, conf, entities_only, sc);
            sc.em = em;
        })
    }

    fn decode_emissions(
        &self,
        em: &[f32],
        n: usize,
        labels: &mut Vec<u8>,
        conf: &mut Vec<f32>,
        entities_only: bool,
        sc: &mut Scratch,
    ) {
        #[cfg(target_arch = "x86_64")]
        if sum16::available() {
            // SAFETY: the CPU has AVX2.
            unsafe { decode_avx2(em, n, &self.prep, labels, conf, entities_only, sc) };
            return;
        }
        decode_one::<false>(em, n, &self.prep, labels, conf, entities_only, sc);
    }

    /// [`Tagger::tag_entities_into`] for every segment `(start, end)` of a
    /// text of `n` characters whose features are `feats`: `each` gets the
    /// segment and its labels and confidences. The emissions of the whole
    /// text are summed in one pass (the same values as per segment), so the
    /// weight rows are fetched in one steady stream.
    pub fn tag_segments_entities(
        &self,
        feats: &[u32],
        n: usize,
        segments: &[(usize, usize)],
        mut each: impl FnMut((usize, usize), &[u8], &[f32]),
    ) {
        SCRATCH.with_borrow_mut(|sc| {
            let mut em = std::mem::take(&mut sc.em);
            let (mut labels, mut conf) =
                (std::mem::take(&mut sc.labels), std::mem::take(&mut sc.conf));
            self.emissions_into(feats, n, &mut em);
            for &(s, e) in segments {
                self.decode_emissions(
                    &em[s * LABELS..e * LABELS],
                    e - s,
                    &mut labels,
                    &mut conf,
                    true,
                    sc,
                );
                each((s, e), &labels, &conf);
            }
            (sc.em, sc.labels, sc.conf) = (em, labels, conf);
        })
    }
}

/// One training sequence: its feature ids and gold labels.
pub struct Sample {
    /// `PER_CHAR` ids per character.
    pub feats: Vec<u32>,
    /// Gold label per character.
    pub gold: Vec<u8>,
}

/// Averaged-perceptron training state (floating-point weights and the
/// running sums for lazy averaging).
pub struct Trainer {
    bits: u32,
    w: Vec<f32>,
    acc: Vec<f32>,
    chain: Chain,
    chain_acc: Chain,
    /// Updates so far (the averaging clock).
    c: f32,
    /// Size of one update.
    step: f32,
    /// Share of sentences trained without their lexical features.
    dropout: f32,
    rng: u64,
}

/// Feature templates that read characters or words themselves, and the
/// names seen in training (see [`super::features`]): feature bagging drops
/// them together, so that what transfers to text unlike the training data
/// (rules, lists, gazetteer) keeps weight of its own.
const LEXICAL: u64 = 0b11_1111_0000_1000_0001_0111_1111_1110;

impl Trainer {
    /// A zero model with `2^bits` buckets.
    pub fn new(bits: u32) -> Trainer {
        let len = (1usize << bits) * STRIDE;
        Trainer {
            bits,
            w: vec![0.0; len],
            acc: vec![0.0; len],
            chain: Chain::zero(),
            chain_acc: Chain::zero(),
            c: 1.0,
            step: 1.0,
            dropout: 0.0,
            rng: 0x2545_F491_4F6C_DD1D,
        }
    }

    /// Feature bagging: each sentence is, with probability `p`, decoded and
    /// learned from without its lexical features (characters, words), so
    /// that the list, gazetteer and rule features carry weight of their
    /// own: they are what transfers to text unlike the training data.
    pub fn with_dropout(mut self, p: f32) -> Trainer {
        self.dropout = p;
        self
    }

    fn coin(&mut self) -> f32 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Continues training from a model (adaptation); `step` is the size of
    /// one update relative to the model's weights.
    pub fn from_tagger(t: &Tagger, step: f32) -> Trainer {
        let w = t
            .weights
            .iter()
            .map(|&b| b as i8 as f32 * t.scale)
            .collect();
        Trainer {
            bits: t.bits,
            acc: vec![0.0; t.weights.len()],
            w,
            chain: t.chain.clone(),
            chain_acc: Chain::zero(),
            c: 1.0,
            step,
            dropout: 0.0,
            rng: 0x2545_F491_4F6C_DD1D,
        }
    }

    fn emissions(&self, s: &Sample, mask: u64) -> Vec<f32> {
        let n = s.gold.len();
        let per = s.feats.len() / n.max(1);
        let mut em = vec![0f32; n * LABELS];
        for i in 0..n {
            let row = &mut em[i * LABELS..(i + 1) * LABELS];
            for (j, &f) in s.feats[i * per..(i + 1) * per].iter().enumerate() {
                if mask >> j & 1 == 1 {
                    continue;
                }
                let w = &self.w[f as usize * STRIDE..f as usize * STRIDE + LABELS];
                for (a, b) in row.iter_mut().zip(w) {
                    *a += b;
                }
            }
        }
        em
    }

    /// One pass over `samples` in `order`; returns the number of sequences
    /// decoded wrongly.
    pub fn epoch(&mut self, samples: &[Sample], order: &[usize]) -> usize {
        let mut wrong = 0;
        for &k in order {
            let s = &samples[k];
            let n = s.gold.len();
            if n == 0 {
                continue;
            }
            let mask = if self.dropout > 0.0 && self.coin() < self.dropout {
                LEXICAL
            } else {
                0
            };
            let em = self.emissions(s, mask);
            let pred = viterbi(&em, n, &self.chain);
            if pred != s.gold {
                wrong += 1;
                let per = s.feats.len() / n;
                let (d, cd) = (self.step, self.step * self.c);
                for i in 0..n {
                    let (g, p) = (s.gold[i] as usize, pred[i] as usize);
                    if g != p {
                        for (j, &f) in s.feats[i * per..(i + 1) * per].iter().enumerate() {
                            if mask >> j & 1 == 1 {
                                continue;
                            }
                            let b = f as usize * STRIDE;
                            self.w[b + g] += d;
                            self.acc[b + g] += cd;
                            self.w[b + p] -= d;
                            self.acc[b + p] -= cd;
                        }
                    }
                    if i > 0 {
                        let (gp, pp) = (s.gold[i - 1] as usize, pred[i - 1] as usize);
                        if (gp, g) != (pp, p) {
                            self.chain.trans[gp * LABELS + g] += d;
                            self.chain_acc.trans[gp * LABELS + g] += cd;
                            self.chain.trans[pp * LABELS + p] -= d;
                            self.chain_acc.trans[pp * LABELS + p] -= cd;
                        }
                    }
                }
                let (g0, p0) = (s.gold[0] as usize, pred[0] as usize);
                if g0 != p0 {
                    self.chain.start[g0] += d;
                    self.chain_acc.start[g0] += cd;
                    self.chain.start[p0] -= d;
                    self.chain_acc.start[p0] -= cd;
                }
                let (gn, pn) = (s.gold[n - 1] as usize, pred[n - 1] as usize);
                if gn != pn {
                    self.chain.end[gn] += d;
                    self.chain_acc.end[gn] += cd;
                    self.chain.end[pn] -= d;
                    self.chain_acc.end[pn] -= cd;
                }
            }
            self.c += 1.0;
        }
        wrong
    }

    /// The averaged weights, quantised to `i8` (the largest magnitudes are
    /// clipped at the 99.99th percentile), with confidence temperature `temp`.
    pub fn finish(&self, temp: f32) -> Tagger {
        self.finish_scaled(temp, None)
    }

    /// [`Trainer::finish`] with a given quantisation scale (adaptation keeps
    /// the base model's, so that its small weights are not rounded away).
    pub fn finish_scaled(&self, temp: f32, scale: Option<f32>) -> Tagger {
        let c = self.c;
        let avg: Vec<f32> = self
            .w
            .iter()
            .zip(&self.acc)
            .map(|(w, a)| w - a / c)
            .collect();
        let mut mags: Vec<f32> = avg.iter().map(|x| x.abs()).filter(|&x| x > 0.0).collect();
        let scale = if let Some(s) = scale {
            s
        } else if mags.is_empty() {
            1.0
        } else {
            let k = ((mags.len() as f64) * 0.9999) as usize;
            let k = k.min(mags.len() - 1);
            let (_, q, _) = mags.select_nth_unstable_by(k, |a, b| a.total_cmp(b));
            (*q / 127.0).max(1e-6)
        };
        let weights: Vec<u8> = avg
            .iter()
            .map(|x| ((x / scale).round().clamp(-127.0, 127.0) as i8) as u8)
            .collect();
        let mut chain = self.chain.clone();
        for (w, a) in chain
            .trans
            .iter_mut()
            .zip(&self.chain_acc.trans)
            .chain(chain.start.iter_mut().zip(&self.chain_acc.start))
            .chain(chain.end.iter_mut().zip(&self.chain_acc.end))
        {
            *w -= a / c;
        }
        let prep = Box::new(Prepared::new(&chain, temp));
        let mut t = Tagger {
            bits: self.bits,
            scale,
            temp,
            chain,
            checksum: fnv(&weights),
            weights: Cow::Owned(weights),
            names: Arc::new(NameDict::new()),
            prep,
            arbitrate: true,
        };
        t.checksum ^= fnv(&t.to_bytes()[8..64]);
        t
    }

    /// Hash-table size in bits.
    pub fn bits(&self) -> u32 {
        self.bits
    }
}

/// Mean log marginal probability of the gold labels under `t` at
/// temperature `temp` (higher is better calibrated).
pub fn log_likelihood(t: &Tagger, samples: &[Sample], temp: f32) -> f64 {
    let (mut sum, mut n) = (0f64, 0usize);
    for s in samples {
        let len = s.gold.len();
        if len == 0 {
            continue;
        }
        let em = t.emissions(&s.feats, len);
        let m = marginals(&em, len, &t.chain, temp, &s.gold);
        for p in m {
            sum += (p.max(1e-6) as f64).ln();
            n += 1;
        }
    }
    sum / n.max(1) as f64
}

impl Tagger {
    /// The same model with another confidence temperature.
    pub fn with_temperature(mut self, temp: f32) -> Tagger {
        self.temp = temp;
        self.prep = Box::new(Prepared::new(&self.chain, temp));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unrolled_viterbi_equals_a_walk_of_prevs() {
        assert!(OPEN_CURS.iter().all(|&c| PREVS[c] == OUT_PREVS));
        let mut xs = crate::extract::xorshift(0x9E37_79B9_7F4A_7C15);
        let mut rnd = || {
            let x = xs();
            // Few distinct values: ties between predecessors are common.
            (x % 7) as f32 - 3.0
        };
        for round in 0..50 {
            let mut chain = Chain::zero();
            chain.trans.iter_mut().for_each(|t| *t = rnd());
            chain.start.iter_mut().for_each(|t| *t = rnd());
            chain.end.iter_mut().for_each(|t| *t = rnd());
            let p = Prepared::for_viterbi(&chain);
            let n = 1 + round % 30;
            let em: Vec<f32> = (0..n * LABELS).map(|_| rnd()).collect();
            let mut got = Vec::new();
            viterbi_into(&em, n, &p, &mut Vec::new(), &mut got);
            // Reference: every label, its predecessors in `PREVS` order.
            let neg = f32::NEG_INFINITY;
            let mut score: Vec<f32> = (0..LABELS).map(|l| p.start[l] + em[l]).collect();
            let mut back = vec![[0u8; LABELS]; n];
            for i in 1..n {
                let mut next = [neg; LABELS];
                for cur in 0..LABELS {
                    let (mut best, mut arg) = (neg, 0u8);
                    for &prev in PREVS[cur] {
                        let s = score[prev] + p.trans[prev * LABELS + cur];
                        if s > best {
                            (best, arg) = (s, prev as u8);
                        }
                    }
                    if best > neg {
                        next[cur] = best + em[i * LABELS + cur];
                        back[i][cur] = arg;
                    }
                }
                score = next.to_vec();
            }
            let (mut best, mut arg) = (neg, 0u8);
            for (l, (&sc, &e)) in score.iter().zip(&p.end).enumerate() {
                if sc > neg && sc + e > best {
                    (best, arg) = (sc + e, l as u8);
                }
            }
            let mut want = vec![arg; n];
            for i in (1..n).rev() {
                want[i - 1] = back[i][want[i] as usize];
            }
            assert_eq!(got, want, "round {round}");
        }
    }

    #[test]
    fn unrolled_forward_backward_equals_a_walk_of_prevs_and_nexts() {
        assert!(OUT_PREVS.iter().all(|&q| NEXTS[q] == OPEN_CURS));
        let mut xs = crate::extract::xorshift(0x5851_F42D_4C95_7F2D);
        let mut rnd = || {
            let x = xs();
            (x % 2001) as f32 / 100.0 - 10.0
        };
        for round in 0..30 {
            let mut chain = Chain::zero();
            chain.trans.iter_mut().for_each(|t| *t = rnd());
            chain.start.iter_mut().for_each(|t| *t = rnd());
            chain.end.iter_mut().for_each(|t| *t = rnd());
            let p = Prepared::new(&chain, 0.5 + round as f32 / 10.0);
            let n = 1 + round % 25;
            let em: Vec<f32> = (0..n * LABELS).map(|_| rnd()).collect();
            let mut labels = Vec::new();
            viterbi_into(&em, n, &p, &mut Vec::new(), &mut labels);
            let mut got = Vec::new();
            marginals_into(
                &em,
                n,
                &p,
                &labels,
                &mut Scratch::default(),
                &mut got,
                false,
            );
            // Reference: every label, its neighbours in `PREVS`/`NEXTS` order.
            let emit = |i: usize| -> [f32; LABELS] {
                let row = &em[i * LABELS..(i + 1) * LABELS];
                let m = row.iter().cloned().fold(f32::MIN, f32::max);
                std::array::from_fn(|l| ((row[l] - m) * p.k).exp())
            };
            let mut alpha = vec![[0f32; LABELS]; n];
            let e0 = emit(0);
            for l in 0..LABELS {
                alpha[0][l] = p.st[l] * e0[l];
            }
            normalise(&mut alpha[0]);
            for i in 1..n {
                let e = emit(i);
                for c in 0..LABELS {
                    let mut s = 0.0;
                    for &q in PREVS[c] {
                        s += alpha[i - 1][q] * p.tr[q * LABELS + c];
                    }
                    alpha[i][c] = s * e[c];
                }
                normalise(&mut alpha[i]);
            }
            let mut beta = vec![p.en; n];
            for i in (0..n - 1).rev() {
                let e = emit(i + 1);
                for q in 0..LABELS {
                    let mut s = 0.0;
                    for &c in NEXTS[q] {
                        s += p.tr[q * LABELS + c] * e[c] * beta[i + 1][c];
                    }
                    beta[i][q] = s;
                }
                normalise(&mut beta[i]);
            }
            for i in 0..n {
                let want = marg(&alpha[i], &beta[i], labels[i]);
                assert_eq!(got[i].to_bits(), want.to_bits(), "round {round} at {i}");
            }
        }
    }

    #[test]
    fn entity_marginals_match_the_full_pass_bit_for_bit() {
        // A pseudo-random chain and emissions; labels from Viterbi, and
        // hand-made ones with entities at the edges, in the middle, none.
        let mut xs = crate::extract::xorshift(0x2545_F491_4F6C_DD1D);
        let mut rnd = || {
            let x = xs();
            (x % 2001) as f32 / 100.0 - 10.0
        };
        let mut chain = Chain::zero();
        chain.trans.iter_mut().for_each(|t| *t = rnd());
        chain.start.iter_mut().for_each(|t| *t = rnd());
        chain.end.iter_mut().for_each(|t| *t = rnd());
        let p = Prepared::new(&chain, 3.0);
        let n = 40;
        let em: Vec<f32> = (0..n * LABELS).map(|_| rnd()).collect();
        let mut viterbi_labels = Vec::new();
        viterbi_into(&em, n, &p, &mut Vec::new(), &mut viterbi_labels);
        let per = |at: usize| {
            let mut l = vec![0u8; n];
            l[at] = label_of_tag("B-PER");
            l[at + 1] = label_of_tag("E-PER");
            l
        };
        let mut sc = Scratch::default();
        for labels in [viterbi_labels, per(0), per(17), per(n - 2), vec![0; n]] {
            let (mut full, mut part) = (Vec::new(), Vec::new());
            marginals_into(&em, n, &p, &labels, &mut sc, &mut full, false);
            marginals_into(&em, n, &p, &labels, &mut sc, &mut part, true);
            assert_eq!(part.len(), n);
            for i in 0..n {
                if labels[i] != 0 {
                    assert_eq!(part[i].to_bits(), full[i].to_bits(), "{i} {labels:?}");
                    assert!(part[i] > 0.0);
                } else {
                    assert_eq!(part[i], 1.0);
                }
            }
        }
    }

    #[test]
    fn decoding_compiled_for_avx2_equals_the_baseline_bit_for_bit() {
        #[cfg(target_arch = "x86_64")]
        {
            if !sum16::available() {
                return;
            }
            let mut xs = crate::extract::xorshift(0x1F83_D9AB_FB41_BD6B);
            let mut rnd = |spread: u64| {
                let x = xs();
                (x % spread) as f32 / 100.0 - (spread / 200) as f32
            };
            let mut entities = 0;
            for round in 0..40 {
                let mut chain = Chain::zero();
                // Few distinct values in some rounds: ties in Viterbi.
                let spread = if round % 2 == 0 { 701 } else { 2001 };
                chain.trans.iter_mut().for_each(|t| *t = rnd(spread));
                chain.start.iter_mut().for_each(|t| *t = rnd(spread));
                chain.end.iter_mut().for_each(|t| *t = rnd(spread));
                let p = Prepared::new(&chain, 0.5 + round as f32 / 8.0);
                let n = 1 + round * 3;
                let em: Vec<f32> = (0..n * LABELS).map(|_| rnd(spread)).collect();
                for entities_only in [false, true] {
                    let (mut l1, mut c1, mut l2, mut c2) =
                        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
                    decode_one::<false>(
                        &em,
                        n,
                        &p,
                        &mut l1,
                        &mut c1,
                        entities_only,
                        &mut Scratch::default(),
                    );
                    // SAFETY: AVX2 checked above.
                    unsafe {
                        decode_avx2(
                            &em,
                            n,
                            &p,
                            &mut l2,
                            &mut c2,
                            entities_only,
                            &mut Scratch::default(),
                        )
                    };
                    assert_eq!(l1, l2, "round {round}");
                    let bits = |c: &[f32]| c.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(&c1), bits(&c2), "round {round}");
                    entities += l1.iter().filter(|&&l| l != 0).count();
                }
            }
            assert!(entities > 100, "{entities}");
        }
    }

    #[test]
    fn labels_round_trip_through_spans() {
        let spans = vec![
            (0, 3, EntityType::Per),
            (4, 5, EntityType::Loc),
            (6, 9, EntityType::Org),
        ];
        let l = labels_of_spans(10, &spans);
        assert_eq!(spans_of_labels(&l), spans);
        assert_eq!(label_of_tag("B-PER"), 1);
        assert_eq!(label_of_tag("I-ORG"), 10);
        assert_eq!(label_of_tag("S-LOC"), 8);
        assert_eq!(label_of_tag("O"), 0);
    }

    #[test]
    fn transitions_are_well_formed() {
        for p in 0..LABELS as u8 {
            for c in 0..LABELS as u8 {
                let ok = allowed(p, c);
                assert_eq!(PREVS[c as usize].contains(&(p as usize)), ok, "{p} {c}");
                assert_eq!(NEXTS[p as usize].contains(&(c as usize)), ok, "{p} {c}");
            }
        }
        assert!(allowed(1, 2) && allowed(1, 3) && allowed(3, 0) && allowed(0, 5));
        assert!(!allowed(1, 6) && !allowed(0, 2) && !allowed(3, 3));
    }

    #[test]
    fn perceptron_learns_a_toy_pattern_and_round_trips() {
        // Feature 1 marks a one-character PER, feature 2 everything else.
        let mk = |gold: Vec<u8>| Sample {
            feats: gold.iter().map(|&l| if l == 4 { 1 } else { 2 }).collect(),
            gold,
        };
        let samples = vec![mk(vec![0, 4, 0]), mk(vec![4, 0, 0, 4])];
        let mut tr = Trainer::new(8);
        for _ in 0..5 {
            tr.epoch(&samples, &[0, 1]);
        }
        // A low temperature: the toy weights are a few updates large.
        let t = tr.finish(0.05);
        let (labels, conf) = t.tag(&samples[1].feats, 4);
        assert_eq!(labels, samples[1].gold);
        assert!(conf.iter().all(|&p| p > 0.5), "{conf:?}");
        let back = Tagger::from_bytes(Cow::Owned(t.to_bytes())).unwrap();
        assert_eq!(back.tag(&samples[0].feats, 3).0, samples[0].gold);
        assert_eq!(back.id(), t.id());
        assert!(back.arbitrates());
        // An adapted model that turns the rules' arbitration off keeps it
        // off through its file, under another id.
        let off = t.clone().with_arbitration(false);
        let back_off = Tagger::from_bytes(Cow::Owned(off.to_bytes())).unwrap();
        assert!(!back_off.arbitrates());
        assert_ne!(back_off.id(), t.id());
        assert_eq!(back_off.to_bytes(), off.to_bytes());
        // Damaged files are refused with an error, never a panic.
        let bytes = t.to_bytes();
        for cut in [0, 7, 20, 100, bytes.len() - 1] {
            assert!(Tagger::from_bytes(Cow::Owned(bytes[..cut].to_vec())).is_err());
        }
        let mut wrong = bytes.clone();
        wrong[8] ^= 0xFF;
        assert!(Tagger::from_bytes(Cow::Owned(wrong)).is_err());
    }

    /// `emissions_into` of `n` characters' `feats` is, bit for bit, each
    /// character's weight rows summed in integers and scaled.
    fn assert_emissions_are_row_sums(t: &Tagger, feats: &[u32], n: usize, what: &str) {
        let per = feats.len() / n;
        let mut em = Vec::new();
        t.emissions_into(feats, n, &mut em);
        assert_eq!(em.len(), n * LABELS, "{what}");
        for i in 0..n {
            let mut acc = [0i32; LABELS];
            for &f in &feats[i * per..(i + 1) * per] {
                let row = &t.weights[f as usize * STRIDE..][..LABELS];
                for (a, &b) in acc.iter_mut().zip(row) {
                    *a += b as i8 as i32;
                }
            }
            for l in 0..LABELS {
                assert_eq!(
                    em[i * LABELS + l].to_bits(),
                    (acc[l] as f32 * t.scale).to_bits(),
                    "{what}, character {i}"
                );
            }
        }
    }

    /// The article's emissions summed in one prefetched stream (rows fetched
    /// far ahead, across segment ends and up to the text's end) are a plain
    /// row-by-row sum, and tagging the segments from them gives what
    /// tagging each segment alone gives, bit for bit.
    /// Also the test of `sum16::emissions`'s unchecked row reads (on a CPU
    /// with AVX2): ids anywhere in the table, and the tail where no id lies
    /// `AHEAD` on.
    #[test]
    fn one_stream_of_emissions_equals_each_segment_alone() {
        let t = Tagger::shipped().expect("assets/model/tagger.bin loads");
        let per = crate::extract::features::PER_CHAR;
        let mut rnd = crate::extract::xorshift(0x9E37_79B9_7F4A_7C15);
        let n = 700;
        // Mostly repeated ids (as in text), some anywhere in the table.
        let pool: Vec<u32> = (0..400).map(|_| (rnd() % (1 << t.bits())) as u32).collect();
        let feats: Vec<u32> = (0..n * per)
            .map(|_| match rnd() % 4 {
                0 => (rnd() % (1 << t.bits())) as u32,
                _ => pool[rnd() as usize % pool.len()],
            })
            .collect();
        assert_emissions_are_row_sums(&t, &feats, n, "700 characters");
        let segments = [(0, 1), (1, 4), (4, 54), (54, 254), (254, 255), (255, n)];
        let bits = |c: &[f32]| c.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        let mut got = Vec::new();
        t.tag_segments_entities(&feats, n, &segments, |seg, labels, conf| {
            got.push((seg, labels.to_vec(), bits(conf)));
        });
        assert_eq!(got.len(), segments.len());
        let mut entities = 0;
        for ((s, e), labels, conf) in got {
            let (mut l1, mut c1) = (Vec::new(), Vec::new());
            t.tag_entities_into(&feats[s * per..e * per], e - s, &mut l1, &mut c1);
            assert_eq!(labels, l1, "{s}..{e}");
            assert_eq!(conf, bits(&c1), "{s}..{e}");
            entities += labels.iter().filter(|&&l| l != 0).count();
        }
        // Random ids still make the model see entities (so the
        // confidences compared are not all 1.0).
        assert!(entities > 0);
    }

    /// The emission sum of any number of ids per character (32: the
    /// unrolled loop that prefetches only some templates' rows; others:
    /// the plain loop) equals the plain sum of the rows, bit for bit.
    #[test]
    fn emissions_of_every_width_are_the_sum_of_their_rows() {
        let t = Tagger::shipped().expect("assets/model/tagger.bin loads");
        let mut rnd = crate::extract::xorshift(0x2545_F491_4F6C_DD1D);
        for per in [1, 7, 31, 32, 33] {
            for n in [1, 5, 40] {
                let feats: Vec<u32> = (0..n * per)
                    .map(|_| (rnd() % (1 << t.bits())) as u32)
                    .collect();
                assert_emissions_are_row_sums(&t, &feats, n, &format!("{per} ids, {n} characters"));
            }
        }
        // The templates left unprefetched are the memo's few-valued ones.
        assert_eq!(
            crate::extract::features::SMALL_TEMPLATES,
            [11, 15, 16, 18, 20, 21, 22, 23, 26, 27, 28, 29, 31]
                .iter()
                .fold(0, |m, t| m | 1 << t)
        );
    }

    #[test]
    fn shipped_model_is_valid_and_within_size() {
        let t = Tagger::shipped().expect("assets/model/tagger.bin loads");
        assert!(SHIPPED.len() <= 25 * 1024 * 1024);
        assert_eq!(t.bits(), 20);
        assert!(t.temperature() > 0.0);
    }
}
