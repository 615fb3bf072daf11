//! # aizip-benches: shared helpers for the criterion benchmarks
//!
//! The benchmarks themselves live in `benches/*.rs`, one binary per crate under test, and name
//! their groups after the stage they time (`coder/encode`, `mixer/dot`, `context_map/lookup`,
//! `engine/compress`, …) so that a regression points at its stage. This library holds what they
//! share:
//!
//! * [`corpus`]: the real text every benchmark runs on (the CI sample `enwik8-head.xml`, or a
//!   fallback built from the project's own sources), so the stages see realistic data.
//! * [`streams`]: bit and probability streams produced by a simple adaptive model over that
//!   text, so the coder and the APM are timed on the skewed probabilities they meet in practice
//!   rather than on uniform noise (which would exercise different branches of the renormalisation
//!   loop).
//!
//! Run them with `cargo bench -p aizip-benches`; `AIZIP_CORPUS=DIR` points at a folder holding
//! `enwik8-head.xml` (for instance an unpacked copy of the shared corpus).

pub mod corpus;
pub mod streams;
