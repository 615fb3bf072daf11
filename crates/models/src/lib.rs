//! # aizip-models: the bit models
//!
//! aizip codes a byte as 8 binary decisions, most significant bit first. Before each bit every
//! model looks at what it knows (the bytes so far, the bits of the current byte) and pushes one or
//! more *stretched* probabilities — logits, see [`logistic`] — that the bit is a 1. The mixer
//! (crate `aizip-mixer`) weighs them into one probability for the coder.
//!
//! ## The pieces, bottom up
//! * [`logistic`]: `stretch(p) = ln(p/(1-p))` and `squash(x) = 1/(1+e^-x)` in fixed point
//!   (logits in 1/256 units, clamped to ±2047; probabilities in 16 bits).
//! * [`state`]: a byte-sized *bit history* state per context and node: bounded counts `(n0, n1)`,
//!   updated nonstationarily (the opposite count's excess over 2 is halved).
//! * [`statemap`]: adaptive probability per small context (a bit-history state, a match length…):
//!   `p += (bit - p) · 2/(2n+3)`, n = hits so far, capped.
//! * [`context_map`]: a hashed table of bit histories, 64-byte buckets of four 16-byte nibble slots
//!   with checksums and priority replacement, and a [`statemap::StateMap`] over its states.
//! * [`model`]: the [`Model`] trait, the shared [`History`] of coded bytes and the per-bit
//!   [`BitContext`].
//! * Models: [`order::OrderModel`] (last n bytes), [`word::WordModel`] (last words, case-folded),
//!   [`matcher::MatchModel`] (longest recent match).
//!
//! ## Calling order (per byte)
//! ```text
//! for model: model.update_byte(&history)          // new contexts, prefetches
//! for bit in 0..8:
//!     for model: model.predict(&mut bit_ctx, &history, &mut inputs)
//!     p = mixer(inputs) → SSE → coder codes bit with p
//!     for model: model.update(bit)
//! history.push(byte)
//! ```
//! All arithmetic that influences a coded bit is integer, so archives are identical on every machine.

pub mod context_map;
pub mod logistic;
pub mod matcher;
pub mod model;
pub mod order;
pub mod state;
pub mod statemap;
pub mod table;
pub mod word;

pub use context_map::ContextMap;
pub use matcher::MatchModel;
pub use model::{BitContext, History, Inputs, Model};
pub use order::OrderModel;
pub use statemap::StateMap;
pub use word::WordModel;
