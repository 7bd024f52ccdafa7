//! `exp` of a row of the tagger's emission scores ([`super::tagger`]'s
//! forward-backward), sixteen lanes at a time with AVX-512 where the CPU
//! has it, giving to the bit what the C library's `expf` gives.
//!
//! On x86-64 Linux with glibc (2.27 and later), `f32::exp` is glibc's
//! `expf`, which on a CPU with FMA (every CPU with AVX-512) is
//! `__expf_fma`: the argument in double precision, `2^(k/32)` from a table
//! of 32 entries and a cubic polynomial, with fused multiply-adds, rounded
//! to `f32` once (Arm's optimized-routines, MIT OR Apache-2.0 WITH
//! LLVM-exception; the table and constants below are its `exp2f_data`).
//! [`exp_row`] and [`exp_below_max`] do the same operations in the same
//! order on eight doubles at a time, so their values are the same; glibc's special cases (|x| ≥ 88, NaN) are left to the
//! library, a whole row at a time. Before the wide path is used it is
//! compared with `f32::exp` on 100,000 arguments spread over the range the
//! tagger uses (−88 to 0) and a few outside it: a C library that computes
//! otherwise keeps the scalar path. `PIZHU_NO_AVX512` turns it off too.
//! Without AVX-512 (or with `PIZHU_NO_AVX512`), [`exp_rows_below_max`]
//! does the same steps four doubles at a time with AVX2 and FMA (the table
//! read by a gather), after the same check.

/// `2^(i/32)` less `i << 47`, as glibc's `__exp2f_data.tab`.
#[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
const TAB: [u64; 32] = [
    0x3ff0000000000000,
    0x3fefd9b0d3158574,
    0x3fefb5586cf9890f,
    0x3fef9301d0125b51,
    0x3fef72b83c7d517b,
    0x3fef54873168b9aa,
    0x3fef387a6e756238,
    0x3fef1e9df51fdee1,
    0x3fef06fe0a31b715,
    0x3feef1a7373aa9cb,
    0x3feedea64c123422,
    0x3feece086061892d,
    0x3feebfdad5362a27,
    0x3feeb42b569d4f82,
    0x3feeab07dd485429,
    0x3feea47eb03a5585,
    0x3feea09e667f3bcd,
    0x3fee9f75e8ec5f74,
    0x3feea11473eb0187,
    0x3feea589994cce13,
    0x3feeace5422aa0db,
    0x3feeb737b0cdc5e5,
    0x3feec49182a3f090,
    0x3feed503b23e255d,
    0x3feee89f995ad3ad,
    0x3feeff76f2fb5e47,
    0x3fef199bdd85529c,
    0x3fef3720dcef9069,
    0x3fef5818dcfba487,
    0x3fef7c97337b9b5f,
    0x3fefa4afa2a490da,
    0x3fefd0765b6e4540,
];

/// Lanes of a row (the tagger's 13 labels fit).
pub const LANES: usize = 16;

/// `exp` of every lane of `x` (the first `n` lanes are read and written,
/// `n <= LANES`): the same values as `f32::exp` lane by lane.
#[inline]
pub fn exp_row(x: &[f32; LANES], n: usize, out: &mut [f32; LANES]) {
    #[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
    if wide::available() {
        // SAFETY: `available` checked AVX-512F.
        if unsafe { wide::exp16(x, n, out) } {
            return;
        }
    }
    for (o, &v) in out.iter_mut().zip(x).take(n) {
        *o = v.exp();
    }
}

/// `exp((row[l] − max(row)) · k)` of every lane (`row.len()` lanes, at
/// most [`LANES`], into `out` of the same length): the forward-backward's
/// emission potentials, the same values as the scalar expression.
#[inline]
pub fn exp_below_max(row: &[f32], k: f32, out: &mut [f32]) {
    assert!(row.len() <= LANES && out.len() == row.len());
    #[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
    if wide::available() {
        // SAFETY: `available` checked AVX-512F; the lengths are asserted.
        if unsafe { wide::exp_below_max(row, k, out) } {
            return;
        }
    }
    let m = row.iter().cloned().fold(f32::MIN, f32::max);
    for (o, &r) in out.iter_mut().zip(row) {
        *o = ((r - m) * k).exp();
    }
}

/// [`exp_below_max`] of every row of `em` (rows of `W` lanes, `W <=
/// LANES`) into the rows of `out` (as many): one test of the CPU for all
/// rows, and the rows in one loop; each row's values are
/// [`exp_below_max`]'s.
pub fn exp_rows_below_max<const W: usize>(em: &[f32], k: f32, out: &mut [[f32; W]]) {
    assert!(W <= LANES && em.len() == out.len() * W);
    #[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
    {
        if wide::available() {
            // SAFETY: `available` checked AVX-512F; the lengths are asserted.
            unsafe { wide::exp_rows_below_max(em, k, out) };
            return;
        }
        if narrow::available() {
            // SAFETY: `available` checked AVX2 and FMA; the lengths are
            // asserted.
            unsafe { narrow::exp_rows_below_max(em, k, out) };
            return;
        }
    }
    for (row, o) in em.chunks_exact(W).zip(out.iter_mut()) {
        exp_below_max(row, k, o);
    }
}

/// The same steps as the wide path's `exp8` four doubles at a time, with
/// AVX2 and FMA (CPUs without AVX-512; `PIZHU_NO_AVX512` leaves it on), for
/// [`exp_rows_below_max`]; checked against `f32::exp` as the wide path is
/// before it is used.
/// Whether `exp` (`L` lanes at a time; it returns whether it computed
/// them, `false` for lanes off its main path) gives `f32::exp`'s bits on
/// `count` arguments spread evenly (by bit pattern) over −88..=0 and on a
/// few others: the check both wide paths pass before first use.
#[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
fn agrees_on_grid<const L: usize>(
    count: u32,
    mut exp: impl FnMut(&[f32; L], &mut [f32; L]) -> bool,
) -> bool {
    let top = (-88f32).to_bits();
    let bottom = (-0f32).to_bits();
    let step = ((top - bottom) / count).max(1);
    let (mut x, mut out) = ([0f32; L], [0f32; L]);
    let mut bits = bottom;
    let mut extra = [0.0f32, 1.0, 0.5, 10.0, 87.9, -87.99, -1e-30, 1e-30, 3.0e-8].into_iter();
    loop {
        for v in x.iter_mut() {
            *v = match extra.next() {
                Some(e) => e,
                None => {
                    bits = bits.saturating_add(step).min(top);
                    f32::from_bits(bits)
                }
            };
        }
        if exp(&x, &mut out)
            && x.iter()
                .zip(&out)
                .any(|(v, o)| v.exp().to_bits() != o.to_bits())
        {
            return false;
        }
        if bits == top {
            return true;
        }
    }
}

#[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
mod narrow {
    use super::{LANES, TAB};
    use std::arch::x86_64::*;

    const INV_LN2_N: f64 = f64::from_bits(0x40471547652b82fe);
    const SHIFT: f64 = f64::from_bits(0x4338000000000000);
    const C0: f64 = f64::from_bits(0x3ebc6af84b912394);
    const C1: f64 = f64::from_bits(0x3f2ebfce50fac4f3);
    const C2: f64 = f64::from_bits(0x3f962e42ff0c52d6);

    /// Whether this path runs: AVX2 and FMA, and the same values as
    /// `f32::exp` on the check's arguments.
    pub fn available() -> bool {
        static OK: std::sync::LazyLock<bool> = std::sync::LazyLock::new(|| {
            is_x86_feature_detected!("avx2")
                && is_x86_feature_detected!("fma")
                // SAFETY: AVX2 and FMA checked just before.
                && unsafe { agrees_with_libm(100_000) }
        });
        *OK
    }

    /// Compares [`exp4`] with `f32::exp` on `count` arguments spread evenly
    /// (by bit pattern) over −88..=0, and on a few others.
    ///
    /// # Safety
    /// The CPU has AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn agrees_with_libm(count: u32) -> bool {
        super::agrees_on_grid::<4>(count, |x, out| {
            // SAFETY: `x` holds four lanes.
            let v = unsafe { _mm_loadu_ps(x.as_ptr()) };
            if !main_path(v) {
                return false;
            }
            // SAFETY: `out` holds four lanes.
            unsafe { _mm_storeu_ps(out.as_mut_ptr(), exp4(v)) };
            true
        })
    }

    /// Whether every lane takes `__expf_fma`'s main path (|x| < 88, by its
    /// test of the top bits).
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn main_path(v: __m128) -> bool {
        let top = _mm_and_si128(
            _mm_srli_epi32::<20>(_mm_castps_si128(v)),
            _mm_set1_epi32(0x7FF),
        );
        _mm_movemask_epi8(_mm_cmpgt_epi32(top, _mm_set1_epi32(0x42A))) == 0
    }

    /// `exp` of four lanes on the main path (`__expf_fma`'s steps, as the
    /// wide path's `exp8`).
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn exp4(x: __m128) -> __m128 {
        let xd = _mm256_cvtps_pd(x);
        let kd = _mm256_fmadd_pd(_mm256_set1_pd(INV_LN2_N), xd, _mm256_set1_pd(SHIFT));
        let ki = _mm256_castpd_si256(kd);
        let kd = _mm256_sub_pd(kd, _mm256_set1_pd(SHIFT));
        let r = _mm256_fmsub_pd(_mm256_set1_pd(INV_LN2_N), xd, kd);
        // The table entry `ki % 32`.
        let at = _mm256_and_si256(ki, _mm256_set1_epi64x(31));
        // SAFETY: every index is below 32, inside `TAB`.
        let e = unsafe { _mm256_i64gather_epi64::<8>(TAB.as_ptr() as *const i64, at) };
        let s = _mm256_castsi256_pd(_mm256_add_epi64(e, _mm256_slli_epi64::<47>(ki)));
        let z = _mm256_fmadd_pd(r, _mm256_set1_pd(C0), _mm256_set1_pd(C1));
        let r2 = _mm256_mul_pd(r, r);
        let y = _mm256_fmadd_pd(r, _mm256_set1_pd(C2), _mm256_set1_pd(1.0));
        let y = _mm256_fmadd_pd(z, r2, y);
        _mm256_cvtpd_ps(_mm256_mul_pd(y, s))
    }

    /// [`super::exp_rows_below_max`]: per row the maximum, the difference
    /// and the product as the scalar path computes them, then `exp` four
    /// lanes at a time (four at a time off the main path by `f32::exp`).
    ///
    /// # Safety
    /// The CPU has AVX2 and FMA; `W <= LANES`, `em.len() == out.len() * W`.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn exp_rows_below_max<const W: usize>(em: &[f32], k: f32, out: &mut [[f32; W]]) {
        for (row, o) in em.chunks_exact(W).zip(out.iter_mut()) {
            let m = row.iter().cloned().fold(f32::MIN, f32::max);
            let mut x = [0f32; LANES];
            for (x, &r) in x.iter_mut().zip(row) {
                *x = (r - m) * k;
            }
            let mut y = [0f32; LANES];
            for (xs, ys) in x.chunks_exact(4).zip(y.chunks_exact_mut(4)) {
                // SAFETY: four lanes read from and written to `x` and `y`.
                unsafe {
                    let v = _mm_loadu_ps(xs.as_ptr());
                    if main_path(v) {
                        _mm_storeu_ps(ys.as_mut_ptr(), exp4(v));
                    } else {
                        for (y, &x) in ys.iter_mut().zip(xs) {
                            *y = x.exp();
                        }
                    }
                }
            }
            o.copy_from_slice(&y[..W]);
        }
    }
}

#[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
mod wide {
    use super::{LANES, TAB};
    use std::arch::x86_64::*;

    const INV_LN2_N: f64 = f64::from_bits(0x40471547652b82fe); // 0x1.71547652b82fep+5
    const SHIFT: f64 = f64::from_bits(0x4338000000000000); // 0x1.8p+52
    const C0: f64 = f64::from_bits(0x3ebc6af84b912394); // 0x1.c6af84b912394p-20
    const C1: f64 = f64::from_bits(0x3f2ebfce50fac4f3); // 0x1.ebfce50fac4f3p-13
    const C2: f64 = f64::from_bits(0x3f962e42ff0c52d6); // 0x1.62e42ff0c52d6p-6

    /// Whether the wide path runs: AVX-512F, `PIZHU_NO_AVX512` not set, and
    /// the same values as `f32::exp` on the check's arguments.
    pub fn available() -> bool {
        static OK: std::sync::LazyLock<bool> = std::sync::LazyLock::new(|| {
            is_x86_feature_detected!("avx512f")
                && is_x86_feature_detected!("fma")
                && std::env::var_os("PIZHU_NO_AVX512").is_none()
                // SAFETY: AVX-512F checked just before.
                && unsafe { agrees_with_libm(100_000) }
        });
        *OK
    }

    /// Compares [`exp16`] with `f32::exp` on `count` arguments spread evenly
    /// (by bit pattern) over −88..=0, and on a few others.
    ///
    /// # Safety
    /// The CPU has AVX-512F.
    #[target_feature(enable = "avx512f,fma")]
    pub unsafe fn agrees_with_libm(count: u32) -> bool {
        // SAFETY: the caller's AVX-512F.
        super::agrees_on_grid::<LANES>(count, |x, out| unsafe { exp16(x, LANES, out) })
    }

    /// `exp` of eight lanes (`__expf_fma`'s steps).
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn exp8(x: __m256) -> __m256 {
        // SAFETY: `TAB` holds 32 values.
        let t: [__m512i; 4] = unsafe {
            let p = TAB.as_ptr() as *const i64;
            [
                _mm512_loadu_epi64(p),
                _mm512_loadu_epi64(p.add(8)),
                _mm512_loadu_epi64(p.add(16)),
                _mm512_loadu_epi64(p.add(24)),
            ]
        };
        let xd = _mm512_cvtps_pd(x);
        let kd = _mm512_fmadd_pd(_mm512_set1_pd(INV_LN2_N), xd, _mm512_set1_pd(SHIFT));
        let ki = _mm512_castpd_si512(kd);
        let kd = _mm512_sub_pd(kd, _mm512_set1_pd(SHIFT));
        let r = _mm512_fmsub_pd(_mm512_set1_pd(INV_LN2_N), xd, kd);
        // The table entry `ki % 32`: bits 0–3 pick one of 16 in each half,
        // bit 4 the half.
        let lo = _mm512_permutex2var_epi64(t[0], ki, t[1]);
        let hi = _mm512_permutex2var_epi64(t[2], ki, t[3]);
        let e = _mm512_mask_blend_epi64(_mm512_test_epi64_mask(ki, _mm512_set1_epi64(16)), lo, hi);
        let s = _mm512_castsi512_pd(_mm512_add_epi64(e, _mm512_slli_epi64::<47>(ki)));
        let z = _mm512_fmadd_pd(r, _mm512_set1_pd(C0), _mm512_set1_pd(C1));
        let r2 = _mm512_mul_pd(r, r);
        let y = _mm512_fmadd_pd(r, _mm512_set1_pd(C2), _mm512_set1_pd(1.0));
        let y = _mm512_fmadd_pd(z, r2, y);
        _mm512_cvtpd_ps(_mm512_mul_pd(y, s))
    }

    /// `exp` of the lanes of `mask` of `v`, if every one of them takes
    /// `__expf_fma`'s main path (|x| < 88, by its test of the top bits).
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    fn exp_lanes(v: __m512, mask: u16) -> Option<__m512> {
        let top = _mm512_and_si512(
            _mm512_srli_epi32::<20>(_mm512_castps_si512(v)),
            _mm512_set1_epi32(0x7FF),
        );
        // glibc: `abstop >= top12(88.0f)` (0x42B) leaves the main path.
        if _mm512_mask_cmpgt_epi32_mask(mask, top, _mm512_set1_epi32(0x42A)) != 0 {
            return None;
        }
        let a = exp8(_mm512_castps512_ps256(v));
        let b = exp8(_mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(
            _mm512_castps_pd(v),
        )));
        Some(_mm512_castpd_ps(_mm512_insertf64x4::<1>(
            _mm512_castps_pd(_mm512_castps256_ps512(a)),
            _mm256_castps_pd(b),
        )))
    }

    /// The lanes `0..n`.
    #[inline]
    fn mask(n: usize) -> u16 {
        if n >= LANES { 0xFFFF } else { (1u16 << n) - 1 }
    }

    /// `exp` of the first `n` lanes of `x` into `out`, if every one of them
    /// takes `__expf_fma`'s main path; false (nothing written) otherwise.
    ///
    /// # Safety
    /// The CPU has AVX-512F.
    #[target_feature(enable = "avx512f,fma")]
    pub unsafe fn exp16(x: &[f32; LANES], n: usize, out: &mut [f32; LANES]) -> bool {
        // SAFETY: `x` holds 16 lanes.
        let v = unsafe { _mm512_loadu_ps(x.as_ptr()) };
        match exp_lanes(v, mask(n)) {
            Some(e) => {
                // SAFETY: `out` holds 16 lanes.
                unsafe { _mm512_storeu_ps(out.as_mut_ptr(), e) };
                true
            }
            None => false,
        }
    }

    /// [`super::exp_rows_below_max`]: each row by [`exp_below_max`], or
    /// where a lane leaves the main path by the scalar path.
    ///
    /// # Safety
    /// The CPU has AVX-512F; `W <= LANES`, `em.len() == out.len() * W`.
    #[target_feature(enable = "avx512f,fma")]
    pub unsafe fn exp_rows_below_max<const W: usize>(em: &[f32], k: f32, out: &mut [[f32; W]]) {
        for (row, o) in em.chunks_exact(W).zip(out.iter_mut()) {
            // SAFETY: AVX-512F (this function's); `row` and `o` hold `W`
            // lanes, at most `LANES`.
            if !unsafe { exp_below_max(row, k, o) } {
                let m = row.iter().cloned().fold(f32::MIN, f32::max);
                for (o, &r) in o.iter_mut().zip(row) {
                    *o = ((r - m) * k).exp();
                }
            }
        }
    }

    /// [`super::exp_below_max`] (`row.len() <= LANES == out.len()`), if
    /// every lane takes the main path; false (nothing written) otherwise.
    /// The maximum, the difference and the product are the scalar path's
    /// operations lane by lane.
    ///
    /// # Safety
    /// The CPU has AVX-512F; `row.len() <= LANES`, `out.len() == row.len()`.
    #[inline]
    #[target_feature(enable = "avx512f,fma")]
    pub unsafe fn exp_below_max(row: &[f32], k: f32, out: &mut [f32]) -> bool {
        let m = mask(row.len());
        // SAFETY: the masked load and store touch lanes `0..row.len()`
        // only, inside `row` and `out`.
        unsafe {
            let v = _mm512_maskz_loadu_ps(m, row.as_ptr());
            let max = _mm512_mask_reduce_max_ps(m, v);
            let x = _mm512_mul_ps(_mm512_sub_ps(v, _mm512_set1_ps(max)), _mm512_set1_ps(k));
            match exp_lanes(x, m) {
                Some(e) => {
                    _mm512_mask_storeu_ps(out.as_mut_ptr(), m, e);
                    true
                }
                None => false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The AVX2 path (what a CPU without AVX-512 runs) gives `f32::exp`'s
    /// values: its check on 2,000,000 arguments, and rows relative to their
    /// maximum, some with lanes off the main path, lane by lane.
    #[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
    #[test]
    fn the_avx2_path_equals_the_scalar_expression() {
        if !(is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")) {
            return;
        }
        // SAFETY: AVX2 and FMA checked above.
        assert!(unsafe { narrow::agrees_with_libm(2_000_000) });
        let mut seed = 11u64;
        const W: usize = 13;
        let rows = 3000;
        let em: Vec<f32> = (0..rows * W)
            .map(|i| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let spread = if (i / W).is_multiple_of(7) {
                    3.0e-3
                } else {
                    3.1e-5
                };
                ((seed >> 40) as i32 - (1 << 23)) as f32 * spread
            })
            .collect();
        let mut off = 0;
        for k in [0.37f32, 1.0, 2.9] {
            let mut got = vec![[0f32; W]; rows];
            // SAFETY: AVX2 and FMA checked above; the lengths match.
            unsafe { narrow::exp_rows_below_max(&em, k, &mut got) };
            for (i, got) in got.iter().enumerate() {
                let row = &em[i * W..(i + 1) * W];
                let m = row.iter().cloned().fold(f32::MIN, f32::max);
                for l in 0..W {
                    let x = (row[l] - m) * k;
                    off += usize::from(x < -88.0);
                    assert_eq!(got[l].to_bits(), x.exp().to_bits(), "row {i} lane {l}");
                }
            }
        }
        assert!(off > 100, "{off}");
    }

    /// All rows at once equal each row alone, the scalar expression lane by
    /// lane, also for rows with a lane off the main path (below −88).
    #[test]
    fn all_rows_equal_each_row_alone() {
        let mut xs = crate::extract::xorshift(0x2545_F491_4F6C_DD1D);
        let mut rnd = |spread: u64| {
            let x = xs();
            (x % spread) as f32 / 10.0 - (spread / 20) as f32
        };
        const W: usize = 13;
        let rows = 300;
        // Every fifth row spreads over 2000 units: lanes far below its
        // maximum leave the main path.
        let em: Vec<f32> = (0..rows * W)
            .map(|i| {
                rnd(if (i / W).is_multiple_of(5) {
                    20_001
                } else {
                    201
                })
            })
            .collect();
        for k in [0.03f32, 1.0] {
            let mut all = vec![[0f32; W]; rows];
            exp_rows_below_max(&em, k, &mut all);
            for (i, got) in all.iter().enumerate() {
                let row = &em[i * W..(i + 1) * W];
                let mut one = [0f32; W];
                exp_below_max(row, k, &mut one);
                let m = row.iter().cloned().fold(f32::MIN, f32::max);
                for l in 0..W {
                    assert_eq!(got[l].to_bits(), one[l].to_bits(), "row {i} lane {l}");
                    let want = ((row[l] - m) * k).exp();
                    assert_eq!(got[l].to_bits(), want.to_bits(), "row {i} lane {l}");
                }
            }
        }
    }

    /// The row exp equals `f32::exp` lane by lane, on the tagger's range
    /// (−88..0, every 1009th float) and across glibc's special cases.
    #[test]
    fn rows_equal_f32_exp() {
        let top = (-88f32).to_bits();
        let mut bits = (-0f32).to_bits();
        let mut x = [0f32; LANES];
        let mut out = [0f32; LANES];
        while bits < top {
            for v in x.iter_mut() {
                *v = f32::from_bits(bits.min(top));
                bits += 1009;
            }
            exp_row(&x, LANES, &mut out);
            for (v, o) in x.iter().zip(&out) {
                assert_eq!(v.exp().to_bits(), o.to_bits(), "exp({v})");
            }
        }
        let odd = [
            -88.0f32,
            -100.0,
            -104.0,
            -1e9,
            f32::NEG_INFINITY,
            0.0,
            -0.0,
            1e-30,
            50.0,
            88.7,
            89.0,
            f32::INFINITY,
            -1e-40,
            2.5,
            -3.75,
            -87.9,
        ];
        for n in [1, 13, 16] {
            let mut x = [0f32; LANES];
            x[..n].copy_from_slice(&odd[..n]);
            let mut out = [0f32; LANES];
            exp_row(&x, n, &mut out);
            for (v, o) in x.iter().zip(&out).take(n) {
                assert_eq!(v.exp().to_bits(), o.to_bits(), "exp({v})");
            }
        }
        // Rows relative to their maximum, as the tagger computes them.
        let mut seed = 7u64;
        for n in 1..=LANES {
            for _ in 0..2000 {
                let row: Vec<f32> = (0..n)
                    .map(|_| {
                        seed = seed
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        ((seed >> 40) as i32 - (1 << 23)) as f32 * 3.1e-5
                    })
                    .collect();
                for k in [0.37f32, 1.0, 2.9] {
                    let mut out = vec![0f32; n];
                    exp_below_max(&row, k, &mut out);
                    let m = row.iter().cloned().fold(f32::MIN, f32::max);
                    for (r, o) in row.iter().zip(&out) {
                        assert_eq!(((r - m) * k).exp().to_bits(), o.to_bits());
                    }
                }
            }
        }
        // NaN stays NaN.
        let mut x = [0f32; LANES];
        x[3] = f32::NAN;
        exp_row(&x, LANES, &mut out);
        assert!(out[3].is_nan());
    }

    /// The check the wide path passes before it is used, on 2,000,000
    /// arguments here.
    #[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
    #[test]
    fn the_wide_path_agrees_with_libm() {
        if is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("fma") {
            // SAFETY: checked just above.
            unsafe {
                assert!(wide::agrees_with_libm(2_000_000));
                // The wide path does run on the tagger's arguments.
                let mut out = [0f32; LANES];
                assert!(wide::exp16(&[-1.5; LANES], 13, &mut out));
                assert_eq!(out[12], (-1.5f32).exp());
            }
        }
    }

    /// Every float of −88..=0 (about 1.1 billion): run by hand in a
    /// release build (`cargo test --release --lib expf -- --ignored`).
    #[cfg(all(target_arch = "x86_64", target_os = "linux", target_env = "gnu"))]
    #[test]
    #[ignore]
    fn the_wide_path_agrees_with_libm_everywhere() {
        if is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("fma") {
            // SAFETY: checked just above.
            assert!(unsafe { wide::agrees_with_libm(u32::MAX) });
        }
    }
}
