//! The mixer's inner loops: dot product and weight update.
//!
//! Inputs are at most ±2047 (12 bits) and weights are clamped to ±[`WEIGHT_LIMIT`] (2^19, i.e.
//! ±8.0 in 16.16 fixed point), so every product fits in 31 bits. Each product is shifted right by
//! 8 before summing and the sum wraps, which is associative: all arithmetic is 32-bit and
//! lane-wise, so every instruction-set path computes exactly the integers of the sequential
//! definition below. Vectors are padded with zeros to a multiple of [`LANES`].

use crate::Simd;

/// Weights are clamped to `±WEIGHT_LIMIT` (±8.0).
pub const WEIGHT_LIMIT: i32 = 1 << 19;

/// Vector lengths are multiples of this (one AVX2 register of `i32`; AVX-512 takes two at a time).
pub const LANES: usize = 8;

/// `Σ (inputs[i] · weights[i]) >> 8`: the dot product in 16.8 fixed point.
#[inline]
pub fn dot(simd: Simd, inputs: &[i32], weights: &[i32]) -> i32 {
    assert!(inputs.len().is_multiple_of(LANES) && inputs.len() == weights.len());
    match simd {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: Simd::Avx2 is only offered when the CPU supports AVX2; lengths checked above.
        Simd::Avx2 => unsafe { Avx2::dot(inputs, weights) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: Simd::Avx512 is only offered when the CPU supports AVX-512F; lengths checked.
        Simd::Avx512 => unsafe { Avx512::dot(inputs, weights) },
        // SAFETY: the scalar path runs anywhere; lengths checked above.
        _ => unsafe { Scalar::dot(inputs, weights) },
    }
}

/// `weights[i] += round(inputs[i] · err / 2^14)`, clamped to ±[`WEIGHT_LIMIT`]. `inputs[i] · err`
/// must fit in 31 bits: the mixer's rates are bounded so that it does (`Mixer::new` checks).
#[inline]
pub fn train(simd: Simd, inputs: &[i32], weights: &mut [i32], err: i32) {
    assert!(inputs.len().is_multiple_of(LANES) && inputs.len() == weights.len());
    match simd {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as in dot.
        Simd::Avx2 => unsafe { Avx2::train(inputs, weights, err) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as in dot.
        Simd::Avx512 => unsafe { Avx512::train(inputs, weights, err) },
        // SAFETY: as in dot.
        _ => unsafe { Scalar::train(inputs, weights, err) },
    }
}

/// One instruction-set path's [`dot`] and [`train`], and their several-vector forms `dots` and
/// `trains`, for callers that choose the path once for many vectors: the mixer runs all its sets
/// inside one function compiled for the path, where these inline (see `Mixer::mix`).
pub(crate) trait Kernel {
    /// # Safety
    /// The CPU supports the path; both slices hold the same multiple of [`LANES`] elements.
    unsafe fn dot(inputs: &[i32], weights: &[i32]) -> i32;
    /// # Safety
    /// As for [`Kernel::dot`].
    unsafe fn train(inputs: &[i32], weights: &mut [i32], err: i32);
    /// `[dot(inputs, vectors[0]), …]`: several weight sets' dot products with the same inputs,
    /// which a path may compute in one pass over the inputs.
    ///
    /// # Safety
    /// As for [`Kernel::dot`], for every vector.
    unsafe fn dots<const N: usize>(inputs: &[i32], vectors: [&[i32]; N]) -> [i32; N];
    /// `train(inputs, vectors[k], errs[k])` for every `k`, likewise.
    ///
    /// # Safety
    /// As for [`Kernel::dot`], for every vector.
    unsafe fn trains<const N: usize>(inputs: &[i32], vectors: [&mut [i32]; N], errs: [i32; N]);
}

/// Implements [`Kernel`] for the path `$path` with the `dot`, `train`, `dots` and `trains` of
/// module `$module`.
macro_rules! kernel {
    ($(#[$attr:meta])* $path:ident, $module:ident) => {
        $(#[$attr])*
        pub(crate) struct $path;

        $(#[$attr])*
        impl Kernel for $path {
            #[inline(always)]
            unsafe fn dot(inputs: &[i32], weights: &[i32]) -> i32 {
                $module::dot(inputs, weights)
            }

            #[inline(always)]
            unsafe fn train(inputs: &[i32], weights: &mut [i32], err: i32) {
                $module::train(inputs, weights, err)
            }

            #[inline(always)]
            unsafe fn dots<const N: usize>(inputs: &[i32], vectors: [&[i32]; N]) -> [i32; N] {
                $module::dots(inputs, vectors)
            }

            #[inline(always)]
            unsafe fn trains<const N: usize>(
                inputs: &[i32],
                vectors: [&mut [i32]; N],
                errs: [i32; N],
            ) {
                $module::trains(inputs, vectors, errs)
            }
        }
    };
}

kernel!(Scalar, scalar);
kernel!(
    #[cfg(target_arch = "x86_64")]
    Avx2,
    avx2
);
kernel!(
    #[cfg(target_arch = "x86_64")]
    Avx512,
    avx512
);

mod scalar {
    use super::WEIGHT_LIMIT;

    #[inline(always)]
    pub fn dot(inputs: &[i32], weights: &[i32]) -> i32 {
        inputs
            .iter()
            .zip(weights)
            .fold(0i32, |sum, (&x, &w)| sum.wrapping_add((x * w) >> 8))
    }

    #[inline(always)]
    pub fn train(inputs: &[i32], weights: &mut [i32], err: i32) {
        for (w, &x) in weights.iter_mut().zip(inputs) {
            *w = (*w + ((x * err + (1 << 13)) >> 14)).clamp(-WEIGHT_LIMIT, WEIGHT_LIMIT);
        }
    }

    super::one_vector_at_a_time!();
}

/// `dots` and `trains` as one `dot` or `train` per vector, for the paths that do not fuse them
/// (the scalar path, and AVX-512, which is only used on request: see `Simd`).
macro_rules! one_vector_at_a_time {
    () => {
        #[inline(always)]
        pub unsafe fn dots<const N: usize>(inputs: &[i32], vectors: [&[i32]; N]) -> [i32; N] {
            vectors.map(|weights| dot(inputs, weights))
        }

        #[inline(always)]
        pub unsafe fn trains<const N: usize>(
            inputs: &[i32],
            vectors: [&mut [i32]; N],
            errs: [i32; N],
        ) {
            for (weights, err) in vectors.into_iter().zip(errs) {
                train(inputs, weights, err);
            }
        }
    };
}
use one_vector_at_a_time;

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{LANES, WEIGHT_LIMIT};
    use std::arch::x86_64::*;

    /// # Safety
    /// AVX2 must be available; both slices hold the same multiple of [`LANES`] elements.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub unsafe fn dot(inputs: &[i32], weights: &[i32]) -> i32 {
        let mut acc = _mm256_setzero_si256();
        let (x, w) = (
            inputs.as_ptr() as *const __m256i,
            weights.as_ptr() as *const __m256i,
        );
        for block in 0..inputs.len() / LANES {
            let x = _mm256_loadu_si256(x.add(block));
            let w = _mm256_loadu_si256(w.add(block));
            acc = _mm256_add_epi32(acc, _mm256_srai_epi32(_mm256_mullo_epi32(x, w), 8));
        }
        sum_lanes(acc)
    }

    /// # Safety
    /// As for [`dot`].
    #[target_feature(enable = "avx2")]
    #[inline]
    pub unsafe fn train(inputs: &[i32], weights: &mut [i32], err: i32) {
        let err = _mm256_set1_epi32(err);
        let round = _mm256_set1_epi32(1 << 13);
        let (low, high) = (
            _mm256_set1_epi32(-WEIGHT_LIMIT),
            _mm256_set1_epi32(WEIGHT_LIMIT),
        );
        let (x, w) = (
            inputs.as_ptr() as *const __m256i,
            weights.as_mut_ptr() as *mut __m256i,
        );
        for block in 0..inputs.len() / LANES {
            let x = _mm256_loadu_si256(x.add(block));
            let p = w.add(block);
            let delta = _mm256_srai_epi32(_mm256_add_epi32(_mm256_mullo_epi32(x, err), round), 14);
            let w = _mm256_add_epi32(_mm256_loadu_si256(p), delta);
            _mm256_storeu_si256(p, _mm256_min_epi32(_mm256_max_epi32(w, low), high));
        }
    }

    /// [`dot`] of each vector, in one pass: each block of inputs is loaded once for all of
    /// them (the mixer's weight sets share their inputs).
    ///
    /// # Safety
    /// As for [`dot`], for every vector.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub unsafe fn dots<const N: usize>(inputs: &[i32], vectors: [&[i32]; N]) -> [i32; N] {
        debug_assert!(vectors.iter().all(|v| v.len() == inputs.len()));
        let mut acc = [_mm256_setzero_si256(); N];
        let x = inputs.as_ptr() as *const __m256i;
        let w = vectors.map(|weights| weights.as_ptr() as *const __m256i);
        for block in 0..inputs.len() / LANES {
            let x = _mm256_loadu_si256(x.add(block));
            for (acc, w) in acc.iter_mut().zip(w) {
                let w = _mm256_loadu_si256(w.add(block));
                *acc = _mm256_add_epi32(*acc, _mm256_srai_epi32(_mm256_mullo_epi32(x, w), 8));
            }
        }
        acc.map(|acc| sum_lanes(acc))
    }

    /// [`train`] of each vector with its own error, in one pass over the inputs.
    ///
    /// # Safety
    /// As for [`dot`], for every vector.
    #[target_feature(enable = "avx2")]
    #[inline]
    pub unsafe fn trains<const N: usize>(inputs: &[i32], vectors: [&mut [i32]; N], errs: [i32; N]) {
        debug_assert!(vectors.iter().all(|v| v.len() == inputs.len()));
        let errs = errs.map(|err| _mm256_set1_epi32(err));
        let round = _mm256_set1_epi32(1 << 13);
        let (low, high) = (
            _mm256_set1_epi32(-WEIGHT_LIMIT),
            _mm256_set1_epi32(WEIGHT_LIMIT),
        );
        let x = inputs.as_ptr() as *const __m256i;
        let w = vectors.map(|weights| weights.as_mut_ptr() as *mut __m256i);
        for block in 0..inputs.len() / LANES {
            let x = _mm256_loadu_si256(x.add(block));
            for (w, &err) in w.iter().zip(&errs) {
                let p = w.add(block);
                let delta =
                    _mm256_srai_epi32(_mm256_add_epi32(_mm256_mullo_epi32(x, err), round), 14);
                let w = _mm256_add_epi32(_mm256_loadu_si256(p), delta);
                _mm256_storeu_si256(p, _mm256_min_epi32(_mm256_max_epi32(w, low), high));
            }
        }
    }

    /// The (wrapping) sum of the eight lanes.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn sum_lanes(acc: __m256i) -> i32 {
        let pair = _mm_add_epi32(
            _mm256_castsi256_si128(acc),
            _mm256_extracti128_si256(acc, 1),
        );
        let pair = _mm_add_epi32(pair, _mm_shuffle_epi32(pair, 0b01_00_11_10));
        let pair = _mm_add_epi32(pair, _mm_shuffle_epi32(pair, 0b10_11_00_01));
        _mm_cvtsi128_si32(pair)
    }
}

/// Sixteen lanes at a time; a length that is an odd multiple of [`LANES`] ends with a half
/// vector, loaded and stored under a mask (the masked-off lanes read and write nothing).
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::{LANES, WEIGHT_LIMIT};
    use std::arch::x86_64::*;

    const WIDE: usize = 2 * LANES;

    /// Mask of the lanes of the vector starting at `start` that lie inside `len`.
    fn lanes_in(start: usize, len: usize) -> __mmask16 {
        if len - start >= WIDE {
            0xFFFF
        } else {
            0x00FF
        }
    }

    /// # Safety
    /// AVX-512F must be available; both slices hold the same multiple of [`LANES`] elements.
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub unsafe fn dot(inputs: &[i32], weights: &[i32]) -> i32 {
        let mut acc = _mm512_setzero_si512();
        for start in (0..inputs.len()).step_by(WIDE) {
            let mask = lanes_in(start, inputs.len());
            let x = _mm512_maskz_loadu_epi32(mask, inputs.as_ptr().add(start));
            let w = _mm512_maskz_loadu_epi32(mask, weights.as_ptr().add(start));
            acc = _mm512_add_epi32(acc, _mm512_srai_epi32(_mm512_mullo_epi32(x, w), 8));
        }
        _mm512_reduce_add_epi32(acc)
    }

    /// # Safety
    /// As for [`dot`].
    #[target_feature(enable = "avx512f")]
    #[inline]
    pub unsafe fn train(inputs: &[i32], weights: &mut [i32], err: i32) {
        let err = _mm512_set1_epi32(err);
        let round = _mm512_set1_epi32(1 << 13);
        let (low, high) = (
            _mm512_set1_epi32(-WEIGHT_LIMIT),
            _mm512_set1_epi32(WEIGHT_LIMIT),
        );
        for start in (0..inputs.len()).step_by(WIDE) {
            let mask = lanes_in(start, inputs.len());
            let p = weights.as_mut_ptr().add(start);
            let x = _mm512_maskz_loadu_epi32(mask, inputs.as_ptr().add(start));
            let delta = _mm512_srai_epi32(_mm512_add_epi32(_mm512_mullo_epi32(x, err), round), 14);
            let w = _mm512_add_epi32(_mm512_maskz_loadu_epi32(mask, p), delta);
            _mm512_mask_storeu_epi32(p, mask, _mm512_min_epi32(_mm512_max_epi32(w, low), high));
        }
    }

    super::one_vector_at_a_time!();
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn every_path_computes_the_same_integers(
            pairs in prop::collection::vec((-2047i32..=2047, -WEIGHT_LIMIT..=WEIGHT_LIMIT), 0..80),
            err in -(1 << 17)..(1 << 17),
        ) {
            let (mut inputs, mut weights): (Vec<i32>, Vec<i32>) = pairs.into_iter().unzip();
            inputs.resize(inputs.len().next_multiple_of(LANES), 0);
            weights.resize(inputs.len(), 0);
            let expected_dot = scalar::dot(&inputs, &weights);
            let mut expected_weights = weights.clone();
            scalar::train(&inputs, &mut expected_weights, err);
            for simd in Simd::available() {
                prop_assert_eq!(dot(simd, &inputs, &weights), expected_dot, "{}", simd);
                let mut trained = weights.clone();
                train(simd, &inputs, &mut trained, err);
                prop_assert_eq!(&trained, &expected_weights, "{}", simd);
            }
        }

        #[test]
        fn one_pass_kernels_match_one_vector_at_a_time(
            inputs in prop::collection::vec(-2047i32..=2047, 24),
            weights in prop::collection::vec(-WEIGHT_LIMIT..=WEIGHT_LIMIT, 13 * 24),
            errs in prop::array::uniform13(-(1 << 17)..(1 << 17)),
        ) {
            // The counts of `ONE_PASS_SET_COUNTS`.
            let three: [i32; 3] = errs[..3].try_into().unwrap();
            let five: [i32; 5] = errs[..5].try_into().unwrap();
            let nine: [i32; 9] = errs[..9].try_into().unwrap();
            one_pass_matches::<3>(&inputs, &weights[..3 * 24], three)?;
            one_pass_matches::<5>(&inputs, &weights[..5 * 24], five)?;
            one_pass_matches::<9>(&inputs, &weights[..9 * 24], nine)?;
            one_pass_matches::<13>(&inputs, &weights, errs)?;
        }
    }

    /// Every path's `dots`/`trains` of `N` vectors against the scalar `dot`/`train` of each.
    fn one_pass_matches<const N: usize>(
        inputs: &[i32],
        weights: &[i32],
        errs: [i32; N],
    ) -> Result<(), TestCaseError> {
        let vectors: [&[i32]; N] =
            std::array::from_fn(|k| &weights[k * inputs.len()..][..inputs.len()]);
        let expected_dots = vectors.map(|w| scalar::dot(inputs, w));
        let mut expected_weights = weights.to_vec();
        for (w, err) in expected_weights.chunks_mut(inputs.len()).zip(errs) {
            scalar::train(inputs, w, err);
        }
        for simd in Simd::available() {
            let mut trained = weights.to_vec();
            let mut parts = trained.chunks_mut(inputs.len());
            let parts: [&mut [i32]; N] = std::array::from_fn(|_| parts.next().unwrap());
            // SAFETY: each path only where the CPU offers it; every length is that of `inputs`,
            // a multiple of LANES.
            let dots = unsafe {
                match simd {
                    #[cfg(target_arch = "x86_64")]
                    Simd::Avx2 => {
                        Avx2::trains(inputs, parts, errs);
                        Avx2::dots(inputs, vectors)
                    }
                    #[cfg(target_arch = "x86_64")]
                    Simd::Avx512 => {
                        Avx512::trains(inputs, parts, errs);
                        Avx512::dots(inputs, vectors)
                    }
                    _ => {
                        Scalar::trains(inputs, parts, errs);
                        Scalar::dots(inputs, vectors)
                    }
                }
            };
            prop_assert_eq!(dots, expected_dots, "{}", simd);
            prop_assert_eq!(&trained, &expected_weights, "{}", simd);
        }
        Ok(())
    }
}
