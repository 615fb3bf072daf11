//! # aizip-models: the bit models
//!
//! aizip codes a byte as 8 binary decisions, most significant bit first. Before each bit every
//! model looks at what it knows (the bytes so far, the bits of the current byte) and pushes one
//! or more *stretched* probabilities — logits, see [`logistic`] — that the bit is a 1 (a context
//! map finds a bit-history state, which [`ContextStateMaps`] turns into those). The mixer
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
//!   with checksums and priority replacement; [`context_set`] runs all of them side by side, and
//!   [`ContextStateMaps`] holds a state map over each one's states, which turns the state
//!   into inputs (for some or all of the maps on the mixer's thread, when a compressor runs
//!   two).
//! * [`model`]: the [`Model`] trait, the shared [`History`] of coded bytes and the per-bit
//!   [`BitContext`].
//! * Models: [`order::OrderModel`] (last n bytes), [`order::LongOrderModel`] (the last
//!   10 to 64 bytes), [`word::WordModel`] (last words, case-folded),
//!   [`sparse::SparseModel`] (chosen bytes with gaps), [`text::TextModel`] (words and their
//!   punctuation), [`number::NumberModel`] (the digits of a number and what introduced it),
//!   [`sentence::SentenceModel`] (a word's place in its clause), [`indirect::IndirectModel`]
//!   (what followed the context last time), [`word_indirect::WordIndirectModel`] (the word that
//!   followed the last words last time), [`structure::StructureModel`] (XML/wiki markup
//!   state, column), [`shape::ShapeModel`] (classes of the last bytes: letter, digit, space,
//!   …), [`lexical::LexicalModel`] (a word with its template field, line, phrase and stretch of
//!   text) and [`runs::RunsModel`] (the text as runs of letters, runs of digits and other
//!   bytes) name hashed contexts; [`matcher::MatchModel`] (longest recent match),
//!   [`direct::DirectModel`] (a counter per context and partial byte, learnt from the bits
//!   without a bit history), [`dmc::DmcModel`] (graphs of bit contexts that grow by cloning)
//!   and [`lstm::LstmModel`] (a recurrent network's distribution of the next byte) predict bits
//!   themselves.
//!
//! ## Calling order (per byte)
//! ```text
//! history.push(byte)
//! for model: model.update_byte(&history, &mut its_context_hashes)
//! context_set.set_contexts(&all_context_hashes)        // prefetches every bucket
//! for bit in 0..8:
//!     context_set.predict(c0, bit_pos, &mut inputs)     // one input per context
//!     for bit model: model.predict(&mut bit_ctx, &history, &mut inputs)
//!     p = mixer(inputs) → APMs → coder codes bit with p
//!     for bit model: model.update(bit); context_set.update(bit)
//! ```
//! A two-thread compressor takes the set's [`ContextStateMaps`] (of all maps, or of the last
//! ones) to the mixer's thread: the set then pushes those contexts' bit-history states, and that
//! thread runs
//! ```text
//!     state_maps.predict(&mut inputs[first taken map's..])  // each state → the context's input
//!     p = mixer(inputs) → …; state_maps.update(bit)
//! ```
//! All arithmetic that influences a coded bit is integer, or, in the LSTM model, IEEE 754
//! single precision in an order the source fixes (see [`lstm`]), so archives are identical on
//! every machine.

// The modules' documentation is the manual of their internals (as lpaq1.cpp's comments are):
// it links to the private constants that hold each figure, which
// `cargo doc --document-private-items` renders (CI builds it so, with warnings as errors).
#![allow(rustdoc::private_intra_doc_links)]

pub mod context_map;
pub mod context_set;
pub mod direct;
pub mod dmc;
pub mod indirect;
pub mod lexical;
pub mod logistic;
pub mod lstm;
pub mod matcher;
pub mod model;
pub mod number;
pub mod order;
pub mod runs;
pub mod sentence;
pub mod shape;
pub mod sparse;
pub mod state;
pub mod statemap;
pub mod structure;
pub mod table;
pub mod text;
pub mod word;
pub mod word_indirect;

pub use context_map::{ContextMap, ContextStateMaps, Detail};
pub use context_set::ContextSet;
pub use direct::DirectModel;
pub use dmc::DmcModel;
pub use indirect::IndirectModel;
pub use lexical::LexicalModel;
pub use lstm::LstmModel;
pub use matcher::MatchModel;
pub use model::{BitContext, History, Inputs, Model};
pub use number::NumberModel;
pub use order::{LongOrderModel, OrderModel};
pub use runs::{RunsModel, Tokens};
pub use sentence::SentenceModel;
pub use shape::ShapeModel;
pub use sparse::SparseModel;
pub use statemap::StateMap;
pub use structure::StructureModel;
pub use text::{BracketChange, Brackets, TextModel};
pub use word::WordModel;
pub use word_indirect::WordIndirectModel;
