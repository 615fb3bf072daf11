//! Instruction-set paths for the mixer's inner loops.
//!
//! Every path computes exactly the same integers (see [`crate::dot`](mod@crate::dot)); they
//! differ only in speed.
//! [`Simd::detect`] picks the fastest path the CPU supports; the environment variable
//! `AIZIP_SIMD=scalar|avx2|avx512` forces one, for tests and comparisons.

use std::fmt;

/// An instruction-set path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Simd {
    /// Portable Rust, whatever the compiler makes of it for the baseline target.
    Scalar,
    /// x86-64 AVX2 intrinsics.
    Avx2,
    /// x86-64 AVX-512F intrinsics (16 lanes).
    Avx512,
}

impl Simd {
    /// Every path this CPU can run, slowest first.
    pub fn available() -> Vec<Simd> {
        #[allow(unused_mut)] // only x86-64 adds paths
        let mut paths = vec![Simd::Scalar];
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            paths.push(Simd::Avx2);
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            paths.push(Simd::Avx512);
        }
        paths
    }

    /// `AIZIP_SIMD` when it names a path this CPU supports, else AVX2 where available, else
    /// scalar. AVX-512 is only used when asked for: the engine's weight vectors are 16 lanes, one
    /// AVX-512 register, and on the AMD Zen 4 machine it was measured on the AVX-512 dot product
    /// was slower than AVX2 (its 512-bit horizontal sum costs more than it saves).
    pub fn detect() -> Simd {
        let available = Simd::available();
        if let Ok(name) = std::env::var("AIZIP_SIMD") {
            if let Some(&forced) = available.iter().find(|s| s.name() == name) {
                return forced;
            }
        }
        available
            .into_iter()
            .rfind(|&s| s != Simd::Avx512)
            .expect("scalar is always available")
    }

    pub fn name(self) -> &'static str {
        match self {
            Simd::Scalar => "scalar",
            Simd::Avx2 => "avx2",
            Simd::Avx512 => "avx512",
        }
    }
}

impl fmt::Display for Simd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
