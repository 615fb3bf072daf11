//! The mixer's inner loops: dot product and weight update.
//!
//! Inputs are at most ±2047 (12 bits) and weights are clamped to ±[`WEIGHT_LIMIT`] (2^19, i.e.
//! ±8.0 in 16.16 fixed point), so every product fits in 31 bits and each is shifted right by 8
//! before summing: all arithmetic is 32-bit and lane-wise, so any vector width computes exactly
//! what the scalar loop computes. The loops are written once and compiled twice: for the baseline
//! target and, on x86-64, with AVX2 enabled, chosen at run time.

/// Weights are clamped to `±WEIGHT_LIMIT` (±8.0).
pub const WEIGHT_LIMIT: i32 = 1 << 19;

#[inline(always)]
fn dot_body(inputs: &[i32], weights: &[i32]) -> i32 {
    let n = inputs.len().min(weights.len());
    let (inputs, weights) = (&inputs[..n], &weights[..n]);
    let mut sum = 0i32;
    for i in 0..n {
        sum = sum.wrapping_add((inputs[i] * weights[i]) >> 8);
    }
    sum
}

#[inline(always)]
fn train_body(inputs: &[i32], weights: &mut [i32], err: i32) {
    let n = inputs.len().min(weights.len());
    let (inputs, weights) = (&inputs[..n], &mut weights[..n]);
    for i in 0..n {
        weights[i] =
            (weights[i] + ((inputs[i] * err + (1 << 13)) >> 14)).clamp(-WEIGHT_LIMIT, WEIGHT_LIMIT);
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn dot(inputs: &[i32], weights: &[i32]) -> i32 {
        super::dot_body(inputs, weights)
    }

    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn train(inputs: &[i32], weights: &mut [i32], err: i32) {
        super::train_body(inputs, weights, err)
    }
}

#[inline]
fn use_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// `Σ (inputs[i] · weights[i]) >> 8`: the dot product in 16.8 fixed point.
#[inline]
pub fn dot(inputs: &[i32], weights: &[i32]) -> i32 {
    #[cfg(target_arch = "x86_64")]
    if use_avx2() {
        // SAFETY: the CPU supports AVX2 (checked at run time).
        return unsafe { avx2::dot(inputs, weights) };
    }
    dot_body(inputs, weights)
}

/// `weights[i] += round(inputs[i] · err / 2^14)`, clamped to ±[`WEIGHT_LIMIT`].
#[inline]
pub fn train(inputs: &[i32], weights: &mut [i32], err: i32) {
    #[cfg(target_arch = "x86_64")]
    if use_avx2() {
        // SAFETY: the CPU supports AVX2 (checked at run time).
        return unsafe { avx2::train(inputs, weights, err) };
    }
    train_body(inputs, weights, err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn every_path_agrees_with_the_scalar_loop(
            pairs in prop::collection::vec((-2047i32..=2047, -WEIGHT_LIMIT..=WEIGHT_LIMIT), 0..80),
            err in -(1 << 17)..(1 << 17),
        ) {
            let (inputs, weights): (Vec<i32>, Vec<i32>) = pairs.into_iter().unzip();
            prop_assert_eq!(dot(&inputs, &weights), dot_body(&inputs, &weights));
            let mut a = weights.clone();
            let mut b = weights;
            train(&inputs, &mut a, err);
            train_body(&inputs, &mut b, err);
            prop_assert_eq!(a, b);
        }
    }
}
