//! Fixed-point logistic functions.
//!
//! `stretch(p) = ln(p / (1 - p))` and its inverse `squash(x) = 1 / (1 + e^-x)` move probabilities
//! into the domain where the mixer adds evidence. Both are tables built once with integer
//! arithmetic only (at compile time), so every machine computes the same bits:
//!
//! * the stretch domain is `-2047..=2047`, i.e. the logit in units of 1/256 (|logit| <= 8);
//! * [`squash`] returns a 16-bit probability (`1..=65535`);
//! * [`stretch`] takes a 16-bit probability and looks up its top 12 bits.
//!
//! `e^(-k/256)` is built by repeated multiplication with `round(2^48 * e^(-1/256))`, a constant
//! computed offline; the rounding error after 2,047 steps is below 2^-36, far below the 2^-16
//! resolution of the results.

/// Largest magnitude in the stretch domain.
pub const STRETCH_MAX: i32 = 2047;

/// `round(2^48 * e^(-1/256))`.
const EXP_MINUS_1_256: u128 = 280_377_609_773_054;

/// `SQUASH[x + 2047]` = 16-bit probability of the logit `x / 256`, built at compile time.
static SQUASH: [u16; 4095] = build_squash();
/// `STRETCH[p >> 4]` = logit of a 16-bit probability, built at compile time.
static STRETCH: [i16; 4096] = build_stretch(&build_squash());

const fn build_squash() -> [u16; 4095] {
    const ONE: u128 = 1 << 48;
    // decay[k] = e^(-k/256) in 48-bit fixed point.
    let mut decay = [0u128; STRETCH_MAX as usize + 1];
    decay[0] = ONE;
    let mut k = 1;
    while k < decay.len() {
        decay[k] = (decay[k - 1] * EXP_MINUS_1_256 + (ONE >> 1)) >> 48;
        k += 1;
    }
    let mut squash = [0u16; 4095];
    let mut x = -STRETCH_MAX;
    while x <= STRETCH_MAX {
        let e = decay[x.unsigned_abs() as usize];
        // p = 1 / (1 + e^-x): for x >= 0 that is ONE / (ONE + e); for x < 0, e / (ONE + e).
        let numerator = if x >= 0 { ONE } else { e };
        let p = ((numerator << 16) + ((ONE + e) >> 1)) / (ONE + e);
        squash[(x + STRETCH_MAX) as usize] = if p < 1 {
            1
        } else if p > 65535 {
            65535
        } else {
            p as u16
        };
        x += 1;
    }
    squash
}

/// The inverse of squash on 12-bit buckets: the smallest x whose squash reaches the bucket.
const fn build_stretch(squash: &[u16; 4095]) -> [i16; 4096] {
    let mut stretch = [STRETCH_MAX as i16; 4096];
    let mut bucket = 0usize;
    let mut x = -STRETCH_MAX;
    while x <= STRETCH_MAX {
        let top = (squash[(x + STRETCH_MAX) as usize] >> 4) as usize;
        while bucket <= top {
            stretch[bucket] = x as i16;
            bucket += 1;
        }
        x += 1;
    }
    stretch
}

/// Probability (16 bits) of the logit `x / 256`; `x` is clamped to the stretch domain.
#[inline]
pub fn squash(x: i32) -> u32 {
    SQUASH[(x.clamp(-STRETCH_MAX, STRETCH_MAX) + STRETCH_MAX) as usize] as u32
}

/// Logit (units of 1/256) of the 16-bit probability `p`.
#[inline]
pub fn stretch(p: u32) -> i32 {
    STRETCH[(p >> 4) as usize & 4095] as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squash_matches_the_logistic_function() {
        for x in (-STRETCH_MAX..=STRETCH_MAX).step_by(7) {
            let exact = 65536.0 / (1.0 + (-(x as f64) / 256.0).exp());
            assert!(
                (squash(x) as f64 - exact).abs() <= 1.0,
                "x={x}: {} vs {exact}",
                squash(x)
            );
        }
        assert_eq!(squash(0), 32768);
    }

    #[test]
    fn stretch_inverts_squash() {
        for x in (-1500..=1500).step_by(3) {
            let back = stretch(squash(x));
            assert!((back - x).abs() <= 24, "x={x} back={back}");
        }
    }

    #[test]
    fn stretch_is_monotone_and_odd() {
        let mut last = i32::MIN;
        for p in (0..65536).step_by(16) {
            let s = stretch(p);
            assert!(s >= last);
            last = s;
        }
        assert!(stretch(32768).abs() <= 1);
    }
}
