//! The predictor: models → mixer → APM chain, one probability per bit.
//!
//! The engine is two stages: [`ModelStage`] (the models, whose state depends on the coded bits
//! alone) and [`MixStage`] (mixer and APMs; with two threads, also some of the context maps'
//! state maps, see [`stages`]). The decoder, and an encoder on one thread, drive both through
//! [`Predictor`]: `p()` before a bit, `update(bit)` after it. A two-thread encoder (the
//! `pipeline` module) runs the stages on two threads, each part of the engine in the same order
//! for every bit; a test holds its archives to the single thread's, which is what guarantees
//! that decoding sees exactly the predictions encoding saw. A decoder may learn the primer (below)
//! on two threads the same way, then run both stages on one ([`Predictor::primed_on_two_threads`];
//! a test decodes alike with one thread and two).
//!
//! A primed engine ([`EngineConfig::primed`], text from level 3 on) learns the `primer`, the
//! dictionary's built-in English words and a few wiki pages, before the first bit of the text,
//! as if it had coded it: the models, the mixer and the APMs then start from English and wiki
//! markup rather than from nothing.

use crate::model_set::{EngineConfig, MAX_LEVEL, MODEL_SET, RICH_LEVEL};
use aizip_coder::{PROB_MAX, PROB_MIN};
use aizip_dict::ByteClass;
use aizip_mixer::{Apm, ApmRate, LearningRate, Mixer, Simd, VectorSettling};
use aizip_models::matcher::{length_bucket, LENGTH_BUCKETS, RECOVERY_STATES};
use aizip_models::shape::{TEXT_CLASS, TEXT_CLASSES};
use aizip_models::{
    BitContext, Brackets, ContextSet, ContextStateMaps, Detail, History, Inputs, Model, Tokens,
};
use std::ops::Range;
use std::sync::OnceLock;

/// Layer-1 weight-set selectors: (match state: the length bucket of a followed match, or a
/// recovery's state, see [`aizip_models::BitContext::recovery`], which took kennedy.xls 0.3% and
/// wiki4m 0.004% off at level 6 beside the match APM's; partial byte), (the last
/// [`SELECTOR_TOKENS`] word-class tokens, hashed to [`TOKEN_SELECTOR_BITS`], bit position: see
/// [`TOKEN_SET`]), (partial byte, [`TEXT_CLASS`] of the last three bytes: 0.5-1.6% smaller
/// archives than the partial byte alone); from level 7 also (last byte, bit position) and (last
/// byte, partial byte); from [`STRONG_LEVEL`] also (byte before last, bit position), for each of
/// the [`STATE_SELECTOR_MODELS`] (bit-history state of its first context, bit position), and (the
/// two innermost open [`Brackets`], partial byte: 0.2% at level 9 on wiki text); at
/// [`MAX_LEVEL`] also (the last 8 [misses](MissHistory), bit position), (the current word,
/// hashed to [`WORD_SELECTOR_BITS`], bit position), one global vector, (how many byte
/// orders have seen their context, partial byte: see [`FOUND_ORDERS_SET`]) and (the byte the
/// LSTM expects, bit position: see [`LSTM_SET`]). The first three
/// gained 0.10% on wiki4m together (misses 0.03%, the word 0.06%, the global vector
/// 0.01-0.02%); more selectors of this kind (the previous word, the column, the last two bytes
/// hashed, the bit-history state of order 6) cost 0.01-0.09% in their place, and the byte the
/// match model expects × the bit position in the global vector's place cost enwik8-head 8 bytes
/// at level 9 (59 with a recovery's byte as well). See [`selectors`].
const SELECTORS: [usize; 14] = [
    (LENGTH_BUCKETS + RECOVERY_STATES) * 256,
    (1 << TOKEN_SELECTOR_BITS) * 8,
    256 * 256,
    256 * 8,
    256 * 256,
    256 * 8,
    256 * 8,
    256 * 8,
    Brackets::KINDS * 256,
    MissHistory::VALUES * 8,
    (1 << WORD_SELECTOR_BITS) * 8,
    1,
    FOUND_ORDER_VALUES * 256,
    256 * 8,
];
/// The set the last word-class [`Tokens`] select: the grammar of the words just read (a 1-byte
/// code is a frequent word, a 2-byte code's lead a group of words used alike, a capitalised word
/// its flag, a number its first digit, other words one token, other bytes themselves) says which
/// models to trust for the next. Words are read as [`WORD_SET`] reads them ([`continues_word`]:
/// 0.02% better than the word models' letters). Binary data has no words (with tokens, level 9
/// lost ptt5 0.17%): from level 7, where [`LAST_BYTE_SET`] runs, its token is always 0 and the
/// set selects by the bit position alone; below, its token is the last byte, and the set takes
/// the last byte set's place.
///
/// The default level runs it in place of the last byte set: wiki4m -0.79% at level 6,
/// enwik8-head -0.33%, book1 -0.13%, alice29 -0.12% (as a fourth set: -0.84%, -0.35%, -0.15%,
/// -0.09%, for 7% more time; in place of the class set: +0.28%).
///
/// Measured on wiki4m at level 9: -0.31% with 3 tokens hashed to 14 bits; 2 tokens -0.22%, 4
/// -0.29%; 12 bits -0.28%, 16 bits -0.31%; the last token × the partial byte -0.01%; in place of
/// the word set -0.26%; 2 tokens × the partial byte in place of the second layer-2 set's
/// context, a loss. At level 8: wiki4m -0.49%, enwik8-head -0.22%, book1 -0.08%; at level 7
/// -0.72%, -0.41% and -0.12%.
const TOKEN_SET: usize = 1;
/// The set the partial byte selects with the classes of the last three bytes.
const CLASS_SET: usize = 2;
/// The set the last byte selects with the bit position: from [`RICH_LEVEL`] (below, binary
/// data's token stands in for it).
const LAST_BYTE_SET: usize = 3;
/// The sets the last byte with the partial byte, and the byte before last with the bit
/// position, select.
const LAST_BYTE_PARTIAL_SET: usize = 4;
const SECOND_BYTE_SET: usize = 5;
/// How many tokens [`TOKEN_SET`] sees, and the bits of their hash that select a vector.
const SELECTOR_TOKENS: u32 = 3;
const TOKEN_SELECTOR_BITS: u32 = 14;
/// The first set that a context's bit-history state selects.
const FIRST_STATE_SET: usize = 6;
/// The set the open brackets select.
const BRACKET_SET: usize = 8;
/// The set the [`MissHistory`] selects with the bit position: the [`ModelStage`] writes the bit
/// position, the [`MixStage`], which keeps the history, adds the misses.
const MISS_SET: usize = 9;
/// The set the current word selects.
const WORD_SET: usize = 10;
/// The set of one vector.
const GLOBAL_SET: usize = 11;
/// At [`MAX_LEVEL`], the set selected by the partial byte and by how many byte orders (the
/// models named [`ORDER_MODEL_PREFIX`]…) have a bit history for their context at the current
/// bit: how far back the text has been seen before says how far to trust the long contexts (as
/// paq8 selects weights by the orders found). Measured at level 9: wiki4m -0.010%, wiki-dev
/// -0.010%. Its time is not measured apart: with it and the one-pass kernels (see
/// `aizip_mixer::ONE_PASS_SET_COUNTS`) level 9 took 51.6 s on wiki4m, against 63.2 s with
/// neither.
const FOUND_ORDERS_SET: usize = 12;
/// At [`MAX_LEVEL`], the set selected by the byte the LSTM model expects
/// ([`aizip_models::BitContext::lstm_byte`], which with the partial byte says which bit it
/// expects) and the bit position: where the network's guess is a common word's next letter the
/// mixer learns to trust it more than where it guesses a name (as paq8px selects by its LSTM's
/// expected byte). Measured at level 9: wiki4m -0.030%; its confidence in 32 steps × the bit
/// position in its place +0.027%; both sets -0.005%. An APM on its context beside the
/// [`SET_APMS`]: -6 bytes.
/// Without the LSTM model (`aizip ablate`) the expected byte stays 0 and the set selects by the
/// bit position alone, so the model's row also measures the set.
const LSTM_SET: usize = 13;
/// Values of [`FOUND_ORDERS_SET`]'s count: none of the byte orders to all of them.
const FOUND_ORDER_VALUES: usize = byte_order_models() + 1;
/// How the byte-order models' names begin (`OrderModel::name`), and no other model's.
const ORDER_MODEL_PREFIX: &str = "order";

/// How many models of [`MODEL_SET`] are byte orders (see [`ORDER_MODEL_PREFIX`]).
const fn byte_order_models() -> usize {
    let prefix = ORDER_MODEL_PREFIX.as_bytes();
    let mut count = 0;
    let mut i = 0;
    while i < MODEL_SET.len() {
        let name = MODEL_SET[i].name.as_bytes();
        let mut matches = name.len() >= prefix.len();
        let mut k = 0;
        while matches && k < prefix.len() {
            matches = name[k] == prefix[k];
            k += 1;
        }
        count += matches as usize;
        i += 1;
    }
    count
}
/// Bits of the current word's hash that select a weight vector.
const WORD_SELECTOR_BITS: u32 = 13;
/// The models whose first context's bit-history state selects a weight set at the strong levels:
/// how much a context has seen says which inputs to trust (measured: of the byte orders, order 4
/// gains most, 0.1-0.2%; word1's state then gains 0.05-0.17% more).
const STATE_SELECTOR_MODELS: [&str; 2] = ["order4", "word1"];
/// The mixer's learning rate with plain context maps (levels 1-6): 640 against 512 and 768 on
/// w2m, book1, alice29 and enwik8-head (768 gains most on wiki text and loses 0.05% on book1).
/// The boosts are measured in [`LearningRate`]'s documentation.
pub const PLAIN_RATE: LearningRate = LearningRate {
    base: 640,
    new_vector_boost: 8,
    settled_eighths: 7,
    settling_bits: 0,
    output_vectors: None,
};
/// With rich maps, which quadruple the inputs, a slower rate suits the larger vectors (measured:
/// 192 against 256 and 160 on wiki4m, and again on w2m after the mixer learnt to skip
/// near-certain bits, at level 9; at level 7, 160 costs wiki4m 0.1%, and at level 8 it gains
/// binary files what it loses on wiki text).
pub const RICH_RATE: LearningRate = LearningRate {
    base: 192,
    new_vector_boost: 4,
    output_vectors: Some(OUTPUT_VECTOR_SETTLING),
    ..PLAIN_RATE
};
/// From [`RICH_LEVEL`] up, each layer-2 vector settles with its own updates towards 1/8 of its
/// rate, half way there by 2^15 updates. Measured at level 9: wiki4m -0.020%, wiki-dev -0.020%,
/// enwik8-head -0.060%, alice29 -0.066%, book1 -0.046%, bible -0.065%, kennedy.xls -0.19%, ptt5
/// -0.27%; wiki-dev at level 8 -0.036%, at level 7 -0.019%. At level 6 it
/// gained only a few bytes (wiki4m 1, kennedy.xls 5), so levels 1-6 leave it off. Variants on
/// wiki4m at level 9: half way by 2^14 -0.020%, by 2^16 -0.016%, by 2^18 -0.008%, by 2^12
/// towards 2/8 -0.008%, by 2^16 towards 2/8 -0.015% and 4/8 -0.012%, by 2^14 towards 0
/// -0.012%. A lower base rate for layer 2 instead lost (96: +0.015%, 64: +0.063%).
const OUTPUT_VECTOR_SETTLING: VectorSettling = VectorSettling {
    settled_eighths: 1,
    settling_bits: 15,
};
/// At [`MAX_LEVEL`], with the text models' inputs and the miss and word selectors' sets, 160
/// beats 192: wiki4m -0.02%, enwik8-head -0.07%, alice29 -0.11%, book1 -0.10%, kennedy.xls
/// -0.7%. Its sets, both layers, settle on towards 3/8 of their rates, half way by 2^23
/// updates: wiki-dev -0.071%, wiki4m -0.033%, enwik8-head -0.034%, alice29 -0.039% (towards
/// 4/8: wiki4m -0.030%, enwik8-head -0.027%, alice29 -0.030%; towards 2/8: wiki4m -0.030%; half
/// way by 2^22: wiki4m -0.016%, alice29 -0.072%; by 2^24: wiki4m -0.029%). Level 8 lost wiki4m
/// 0.04% with the same, level 7 0.02% with a single settling to 5/8 by 2^22.
pub const MAX_LEVEL_RATE: LearningRate = LearningRate {
    base: 160,
    settled_eighths: 3,
    settling_bits: 23,
    ..RICH_RATE
};
/// A constant mixer input: each weight vector learns an offset for its context.
const BIAS: i32 = 256;
/// Levels from here on use the selectors up to the brackets' set (level 9 all of them), the
/// hashed order-2 and order-3 APMs, the miss APM and the set APMs (see [`StrongApms`]).
pub const STRONG_LEVEL: u8 = 8;

/// The modelling stage: every model and context map, and the per-bit contexts the mixing stage
/// selects by. Its state depends on the coded bits alone, never on a prediction, which is what
/// lets a compressor run it on a thread of its own (the `pipeline` module).
pub struct ModelStage {
    models: Vec<Box<dyn Model>>,
    /// For each model, its slice of `hashes`.
    context_ranges: Vec<Range<usize>>,
    /// Indices of the models that push inputs of their own every bit.
    bit_models: Vec<usize>,
    hashes: Vec<u64>,
    contexts: ContextSet,
    history: History,
    bit: BitContext,
    /// Number of layer-1 weight sets the level selects for.
    set_count: usize,
    /// Strong levels: the context maps whose states select the sets from [`FIRST_STATE_SET`] on
    /// (none without maps).
    state_selectors: Vec<usize>,
    /// At [`MAX_LEVEL`]: the context map of every byte-order model, for [`FOUND_ORDERS_SET`]
    /// (else none).
    order_maps: Vec<usize>,
    /// Whether this is a strong level (see [`STRONG_LEVEL`]).
    strong: bool,
    /// The open brackets of the text, followed at every level: they select the first layer-2
    /// set below the strong levels, and the second layer-2 set and a weight set at the strong
    /// levels.
    brackets: Brackets,
    /// What each byte does to [`ModelStage::brackets`] (see [`BracketAction`]).
    bracket_actions: [BracketAction; 256],
    byte: ByteContexts,
    /// [`continues_word`] of each byte.
    word_bytes: [bool; 256],
    /// The word-class tokens of the text, of words as [`continues_word`] reads them: for
    /// [`TOKEN_SET`], in text only (see there).
    tokens: Option<Tokens>,
}

/// What the mixing stage needs of one bit besides the mixer inputs: the contexts it selects
/// weight vectors and APM rows by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MixContexts {
    /// One per layer-1 set: those of sets the level lacks are never used, and those the level
    /// uses but that have no context (a state selector without maps) stay 0.
    sets: [u32; SELECTORS.len()],
    /// One per layer-2 set.
    outputs: [u32; 2],
    /// The match APM's context.
    apm_match: u32,
    /// The partial byte (with its leading 1).
    c0: u32,
    /// The last three bytes, most recent first.
    last: [u8; 3],
}

/// The mixing stage: the mixer and the APM chain, from the models' inputs and [`MixContexts`] to
/// one probability per bit. On two threads it also holds the [`ContextStateMaps`] of
/// the last context maps (see `modelling_state_maps`): the modelling stage then gives each of
/// those maps' bit-history state in place of its inputs, and this stage writes the inputs.
pub struct MixStage {
    /// The state maps of the context maps that the modelling stage leaves to this one (none on
    /// one thread).
    state_maps: ContextStateMaps,
    /// The mixer input of the first of those maps.
    first_state_map_input: usize,
    mixer: Mixer,
    apm_order1: Apm,
    apm_match: Apm,
    /// In text from [`RICH_LEVEL`]: an APM on the tokens (see [`APM_TOKEN_BITS`]).
    apm_tokens: Option<Apm>,
    /// Strong levels: APMs on the partial byte and the last two and three bytes, hashed, on the
    /// misses, and on four weight sets' contexts.
    apm_strong: Option<StrongApms>,
    misses: MissHistory,
    /// Whether the level has [`MISS_SET`].
    miss_set: bool,
    /// The partial byte after each value of the bit of the last [`MixStage::p`], for
    /// [`MixStage::update`].
    next_c0: [usize; 2],
    /// The last [`MixStage::p`]'s probability (before clamping), which says whether the bit
    /// [`MixStage::update`] learns was a miss.
    p: u32,
}

/// Whether each of the last 8 bits fell on the side of ½ its final probability did not favour
/// (after paq8px's `misses`): a run of misses says the models are lost (a new kind of data, the
/// end of a match), and the APM and weight set it selects learn how far to trust them then.
/// The strong levels keep it, for [`StrongApms::misses`], the first layer-2 set (see
/// [`OUTPUT_MISSES`]) and, at [`MAX_LEVEL`], [`MISS_SET`].
/// At level 9 the APM gained 0.06% on wiki4m (kennedy.xls -3.5% with the new selectors and
/// rate). At level 6 it gained 0.18% on wiki-dev and 0.7% on kennedy.xls, but cost about 5%
/// more time: the default level keeps its speed.
#[derive(Clone, Copy, Debug, Default)]
struct MissHistory(u32);

impl MissHistory {
    /// Values of [`MissHistory::last`].
    const VALUES: usize = 256;

    /// The last 8 bits' misses, the latest in bit 0.
    #[inline]
    fn last(self) -> u32 {
        self.latest(8)
    }

    /// The last `bits` bits' misses, the latest in bit 0.
    #[inline]
    fn latest(self, bits: u32) -> u32 {
        self.0 & ((1 << bits) - 1)
    }

    /// The history after a bit `bit` coded at probability `p` (16 bits) of a 1.
    #[inline]
    fn after(self, bit: u32, p: u32) -> MissHistory {
        let missed = bit != u32::from(p >= 1 << 15);
        MissHistory(self.0 << 1 | u32::from(missed))
    }

    /// The miss APM's context at partial byte `c0`.
    #[inline]
    fn apm_context(self, c0: u32) -> usize {
        (self.last() << 8 | c0) as usize
    }
}

/// The miss APM's contexts: [`MissHistory::VALUES`] × the partial byte.
const APM_MISS_CONTEXTS: usize = MissHistory::VALUES * 256;

/// Both stages, run one after the other on one thread: what decoding (and compressing on one
/// core) uses.
pub struct Predictor {
    models: ModelStage,
    mixing: MixStage,
    /// The contexts of the next bit.
    contexts: MixContexts,
    p: u32,
}

/// How a byte of the coded text moves the open brackets.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BracketAction {
    /// A byte of the text itself (a separator to the word models): `(`, `[`, `{` open and their
    /// partners close.
    Follow,
    /// A control byte of the text itself, other than tab, line feed, vertical tab, form feed and
    /// carriage return: binary data, where bracket bytes are noise, so it closes every bracket
    /// (without this the bracket contexts cost kennedy.xls 0.9% at level 6).
    Reset,
    /// A dictionary code, flag or escape: whatever its byte value, not a bracket.
    Ignore,
}

/// Whether `byte`, of word class `class`, continues a word for [`WORD_SET`]: all bytes but the
/// separators the brackets follow (punctuation, white space) other than digits. Control bytes,
/// the escape and the word codes and flags are part of the word: on binary data the word is then
/// the bytes since the last printable separator (kennedy.xls -0.5%, wiki4m -0.01% against ending
/// the word at a control byte or the escape).
fn continues_word(byte: u8, class: ByteClass) -> bool {
    byte.is_ascii_alphanumeric() || BracketAction::of(byte, class) != BracketAction::Follow
}

impl BracketAction {
    fn of(byte: u8, class: ByteClass) -> BracketAction {
        match (class, byte) {
            (ByteClass::Separator, 0..=8 | 14..=31) => BracketAction::Reset,
            (ByteClass::Separator, _) => BracketAction::Follow,
            _ => BracketAction::Ignore,
        }
    }
}

/// Values of [`surroundings`].
const SURROUNDINGS: usize = Brackets::KINDS * TEXT_CLASSES;
/// The match-length buckets in quarters.
const MATCH_QUARTERS: usize = 4;
/// Layer-2 contexts below the strong levels: the partial byte × [`surroundings`] with the
/// brackets.
const OUTPUT_SELECTORS: [usize; 1] = [SURROUNDINGS * 256];
/// At the strong levels: the partial byte × the class of the last byte × the last
/// [`OUTPUT_MISSES`] misses, and the partial byte × [`surroundings`] with the brackets × a
/// quarter of the match-length bucket. Averaged, the second gains 0.2% on w2m and 0.16% on
/// enwik8-head at level 9, 0.01-0.11% on plain text and binary files.
const STRONG_OUTPUT_SELECTORS: [usize; 2] = [
    OUTPUT_CLASS_CONTEXTS << OUTPUT_MISSES,
    SURROUNDINGS * MATCH_QUARTERS * 256,
];
/// Which of the [`STRONG_OUTPUT_SELECTORS`] is the surroundings' (whose context has the partial
/// byte as its last 8 bits, as an APM's row does).
const SURROUNDINGS_OUTPUT: usize = 1;
/// The first strong layer-2 set's contexts without the misses: the partial byte × the class of
/// the last byte.
const OUTPUT_CLASS_CONTEXTS: usize = TEXT_CLASSES * 256;
/// How many of the latest misses the first strong layer-2 set sees: 3 gained 0.06% on wiki4m
/// at level 9 and 0.05% at level 8, kennedy.xls 0.5% (2 gained 0.05% and 4 as much as 3 on
/// wiki4m).
const OUTPUT_MISSES: u32 = 3;

/// The layer-2 sets a level uses: the default level keeps one for speed (a second costs about 8%
/// more instructions there).
fn output_selectors(level: u8) -> &'static [usize] {
    if level >= STRONG_LEVEL {
        &STRONG_OUTPUT_SELECTORS
    } else {
        &OUTPUT_SELECTORS
    }
}

/// APM contexts: partial byte × last byte; match state × partial byte; partial byte × the last
/// two, and the last three, bytes hashed to [`APM_ORDER2_HASH_BITS`] and
/// [`APM_ORDER3_HASH_BITS`].
const APM_ORDER1_CONTEXTS: usize = 1 << 16;
/// The match APM's match states: 0 for none, then a recovery's states (see
/// [`aizip_models::BitContext::recovery`]: at level 6 wiki4m -0.017%, obj2 -0.12%, kennedy.xls
/// -0.1%), from 16 on the length bucket rounded down to even plus the expected bit.
const APM_MATCH_CONTEXTS: usize = 32 * 256;
const _: () = assert!(RECOVERY_STATES < 16);

/// The match state the first weight set selects by: 0 for none, the length bucket of a followed
/// match, or after the buckets a recovery's state (`match_length` is 0 meanwhile).
#[inline]
fn match_set_state(bit: &BitContext) -> u32 {
    match bit.recovery {
        0 => length_bucket(bit.match_length),
        recovery => LENGTH_BUCKETS as u32 - 1 + recovery,
    }
}

/// The match APM's match state (see [`APM_MATCH_CONTEXTS`]).
#[inline]
fn match_apm_state(bit: &BitContext) -> u32 {
    match bit.recovery {
        0 if bit.match_length > 0 => {
            16 + (length_bucket(bit.match_length).min(15) & 0xE) + bit.match_bit
        }
        recovery => recovery,
    }
}
const APM_ORDER2_HASH_BITS: u32 = 10;
/// Measured at level 9 with the [`SET_APMS`]: 11 bits against 9 gained wiki4m 0.022% for 39 MB
/// more (with the set APMs at full weight, 10 bits took 68 bytes more than 11).
const APM_ORDER3_HASH_BITS: u32 = 11;
const APM_ORDER2_CONTEXTS: usize = 256 << APM_ORDER2_HASH_BITS;
const APM_ORDER3_CONTEXTS: usize = 256 << APM_ORDER3_HASH_BITS;
/// How the order-1, match and token APMs learn. Counting each bucket's updates (format version
/// 25) took wiki4m at level 6 from 752,291 to 750,881 bytes (-0.19%), enwik8-head from 76,889
/// to 76,749 (-0.18%) and kennedy.xls from 22,552 to 21,992 (-2.5%), against a fixed 2^-7; in a
/// trial whose steps truncated towards zero, start 8 gave wiki4m 751,049, and 4, 6, 12 and 16
/// 0.001-0.022% more.
pub const APM_RATE: ApmRate = ApmRate { start: 8, shift: 7 };
/// The token APM, in text from [`RICH_LEVEL`]: the partial byte × the leading
/// [`APM_TOKEN_BITS`] of the hash of the last word-class tokens that selects [`TOKEN_SET`]'s
/// vector (26 MB with its counts, not scaled by the input). Binary data has none: an order-0
/// APM in its place cost ptt5 0.15% at level 9.
///
/// Measured: level 7 wiki4m -0.33%, enwik8-head -0.12%, book1 -0.17%; level 8 wiki4m -0.12%;
/// level 9 wiki4m -0.065% (8 bits -0.04%, 6 bits -0.01%; a fixed 2^-6 -0.061%). At level 6 it
/// gained wiki4m 0.31% (a fixed 2^-6 0.27%, 2^-7 0.20%), enwik8-head 0.06% and book1 0.18% for
/// 6.1% more simulated cycles; in place of the order-1 APM there, enwik8-head lost 0.18%: the
/// default level keeps its speed. Tried at level 9 and not kept: a learnt mix of the APMs, averaged
/// with their fixed average (-0.004%); a second mixer of three small sets at a faster rate,
/// averaged with the first (+0.06 to +1.2%). Format version 25 measured a learnt mix again, on
/// enwik8-head at level 9: alone +0.7 to +2.5% (its rate, a vector per partial byte or per match
/// length too), averaged with the fixed average +0.16%; other fixed weights gained at most 0.001%.
///
/// With a fixed rate (format version 24 and before) it learnt at 2^-5. Counting its updates it
/// learns at [`APM_RATE`] (with steps rounded to nearest, wiki4m at level 9: 678,646 bytes
/// against 678,795 with start 16 and shift 5, 678,725 with 16 and 6; at level 7 723,158 against
/// 723,632 with 16 and 5).
const APM_TOKEN_BITS: u32 = 10;
const APM_TOKEN_CONTEXTS: usize = 256 << APM_TOKEN_BITS;

/// Whether `level` has the token APM for text or binary data.
fn has_token_apm(level: u8, text: bool) -> bool {
    level >= RICH_LEVEL && text
}

const _: () = assert!(APM_TOKEN_BITS <= TOKEN_SELECTOR_BITS);

/// The token APM's context for the partial byte `c0` where [`TOKEN_SET`] selects
/// `token_vector`: the token hash's leading bits, past the bit position.
#[inline]
fn token_apm_context(c0: usize, token_vector: u32) -> usize {
    ((token_vector >> (3 + TOKEN_SELECTOR_BITS - APM_TOKEN_BITS)) as usize) << 8 | c0
}

/// The strong levels' own APMs: on hashed byte contexts, the last two bytes hashed to 10 bits
/// and the last three to 11, each × the partial byte, on the [`MissHistory`] × the partial
/// byte, on the contexts of the [`SET_APMS`] and on the second layer-2 set's. The order-3 APM
/// gained 0.05% on w2m at level 9 with 9 bits (12 bits gained 0.07%, but that table alone,
/// 104 MB, would have taken level 9 on 1 GB over the prize limit then). Unlike the context
/// tables they do not shrink with the input (117 MB in all with their counts, of which the
/// order-3 APM takes 52 MB, the set APMs 20 MB and the surroundings' 13 MB, all touched when
/// built).
///
/// The hashed and miss APMs learn at [`STRONG_APM_RATE`], the others at [`APM_RATE`] (for the
/// set APMs, on enwik8-head at level 9, against it: start 4 -2 bytes, 16 +4, 32 +11; shift 6
/// +11).
struct StrongApms {
    order2: Apm,
    order3: Apm,
    misses: Apm,
    sets: [Apm; SET_APMS.len()],
    /// On the second layer-2 set's context ([`SURROUNDINGS_OUTPUT`]), weighed as the set APMs
    /// are: wiki4m -0.014% at level 9 (677,876 bytes against 677,969 at format version 26),
    /// enwik8-head -11 bytes, for 13 MB.
    surroundings: Apm,
}

/// The weight sets whose contexts the strong levels also refine by, each with the partial byte
/// (see [`SetPosition`]): the classes of the last three bytes ([`CLASS_SET`]), the bit-history
/// states of order 4 and word1 ([`FIRST_STATE_SET`]) and the open brackets ([`BRACKET_SET`]).
/// Where the weight sets choose which models to trust, these APMs learn how far the mix itself
/// is off in the same situations. In the final average each weighs as much as the mixer and
/// the match APM, half as much as the order-1, hashed, miss and token APMs.
///
/// Measured at level 9 on wiki4m (with the order-3 APM at 9 bits): the four -0.055% (678,115
/// bytes against 678,488), order 4's and word1's states alone -0.035%; at level 8 the four
/// -0.051%. With the order-3 APM at 11 bits, full weight took 51 bytes more than half. On
/// enwik8-head each alone: the states -0.024% and -0.037%, the classes -0.021%, the brackets
/// -0.017%, the match length's set +0.008%. Tried beside the four on wiki4m: the match length's,
/// the current word's and the found orders' sets together +147 bytes; text's first state -12
/// bytes, order 5's and lexical's none. Not kept either: an APM on the match model's expected
/// byte (enwik8-head -6 bytes), on the first layer-2 set's context (+4 bytes). The second
/// layer-2 set's context gained: see [`StrongApms::surroundings`].
const SET_APMS: [(usize, SetPosition); 4] = [
    (CLASS_SET, SetPosition::PartialByte),
    (FIRST_STATE_SET, SetPosition::BitPosition),
    (FIRST_STATE_SET + 1, SetPosition::BitPosition),
    (BRACKET_SET, SetPosition::PartialByte),
];
/// Which of the [`SET_APMS`] is the class set's, whose row the bytes decide.
const CLASS_SET_APM: usize = 0;
const _: () = assert!(
    SET_APMS[CLASS_SET_APM].0 == CLASS_SET
        && matches!(SET_APMS[CLASS_SET_APM].1, SetPosition::PartialByte)
);

/// What a weight set's context holds of the position in the byte (as [`ModelStage::predict`]
/// writes it): the partial byte, as its last 8 bits, or the bit position, as its last 3, which
/// its APM replaces by the partial byte.
#[derive(Clone, Copy)]
enum SetPosition {
    PartialByte,
    BitPosition,
}

impl SetPosition {
    /// Rows of an APM on the contexts of a set with `vectors` vectors.
    const fn apm_contexts(self, vectors: usize) -> usize {
        match self {
            SetPosition::PartialByte => vectors,
            SetPosition::BitPosition => vectors / 8 * 256,
        }
    }

    /// The row of such an APM for the set's context `context` at partial byte `c0`.
    #[inline]
    fn apm_context(self, context: u32, c0: usize) -> usize {
        match self {
            SetPosition::PartialByte => context as usize,
            SetPosition::BitPosition => (context as usize >> 3) << 8 | c0,
        }
    }
}

/// How the hashed and miss APMs of [`StrongApms`] learn. In the trial of [`APM_RATE`], at level
/// 9 on wiki4m: start 16 for these (8 for the others) gave 678,843 bytes, 8 678,952 and 24
/// 678,881; with start 16 for every APM, settling at 2^-7 gave 678,853 and at 2^-6 678,963.
/// With a fixed rate (format version 24 and before) they learnt faster than the others, at 2^-6
/// (wiki4m -0.02% at levels 8 and 9 against 2^-7).
const STRONG_APM_RATE: ApmRate = ApmRate {
    start: 16,
    shift: 7,
};

impl StrongApms {
    fn new() -> Self {
        StrongApms {
            order2: Apm::new(APM_ORDER2_CONTEXTS, STRONG_APM_RATE),
            order3: Apm::new(APM_ORDER3_CONTEXTS, STRONG_APM_RATE),
            misses: Apm::new(APM_MISS_CONTEXTS, STRONG_APM_RATE),
            sets: SET_APMS
                .map(|(set, position)| Apm::new(position.apm_contexts(SELECTORS[set]), APM_RATE)),
            surroundings: Apm::new(STRONG_OUTPUT_SELECTORS[SURROUNDINGS_OUTPUT], APM_RATE),
        }
    }

    /// How many of these APMs the final average weighs once: the set APMs and the surroundings'.
    const WEIGHED_ONCE: u32 = SET_APMS.len() as u32 + 1;

    /// Bytes of the tables of [`StrongApms::new`].
    fn bytes() -> usize {
        Apm::bytes(APM_ORDER2_CONTEXTS)
            + Apm::bytes(APM_ORDER3_CONTEXTS)
            + Apm::bytes(APM_MISS_CONTEXTS)
            + SET_APMS
                .iter()
                .map(|&(set, position)| Apm::bytes(position.apm_contexts(SELECTORS[set])))
                .sum::<usize>()
            + Apm::bytes(STRONG_OUTPUT_SELECTORS[SURROUNDINGS_OUTPUT])
    }

    /// The rows of the [`SET_APMS`] for the weight-set contexts `sets` at partial byte `c0`.
    #[inline]
    fn set_contexts(sets: &[u32; SELECTORS.len()], c0: usize) -> [usize; SET_APMS.len()] {
        SET_APMS.map(|(set, position)| position.apm_context(sets[set], c0))
    }

    /// The sum of the refinements of `p` that the final average weighs once: the [`SET_APMS`]'
    /// for the weight-set contexts `sets` and the surroundings' for the layer-2 contexts
    /// `outputs`.
    #[inline]
    fn refine_weighed_once(
        &mut self,
        p: u32,
        sets: &[u32; SELECTORS.len()],
        outputs: &[u32; 2],
        c0: usize,
    ) -> u32 {
        let rows = StrongApms::set_contexts(sets, c0);
        let by_sets: u32 = self
            .sets
            .iter_mut()
            .zip(rows)
            .map(|(apm, row)| apm.refine(p, row))
            .sum();
        by_sets
            + self
                .surroundings
                .refine(p, outputs[SURROUNDINGS_OUTPUT] as usize)
    }

    /// Starts loading the rows of [`StrongApms::refine_weighed_once`], but the class set's, which
    /// [`StrongApms::prefetch`] loads.
    #[inline]
    fn prefetch_weighed_once(&self, sets: &[u32; SELECTORS.len()], outputs: &[u32; 2], c0: usize) {
        let rows = StrongApms::set_contexts(sets, c0);
        for (k, (apm, row)) in self.sets.iter().zip(rows).enumerate() {
            if k != CLASS_SET_APM {
                apm.prefetch(row);
            }
        }
        self.surroundings
            .prefetch(outputs[SURROUNDINGS_OUTPUT] as usize);
    }

    /// The contexts of both APMs after the bytes `last` (most recent first), partial byte `c0`.
    #[inline]
    fn contexts(c0: usize, last: [u8; 3]) -> [usize; 2] {
        let [c1, c2, c3] = last.map(u32::from);
        let hash =
            |bytes: u32, bits: u32| (bytes.wrapping_mul(0x9E37_79B1) >> (32 - bits)) as usize;
        [
            c0 | hash(c1 << 8 | c2, APM_ORDER2_HASH_BITS) << 8,
            c0 | hash(c1 << 16 | c2 << 8 | c3, APM_ORDER3_HASH_BITS) << 8,
        ]
    }

    /// The three refinements of `p` after the bytes `last` and the `misses`, partial byte `c0`.
    #[inline]
    fn refine(&mut self, p: u32, c0: usize, last: [u8; 3], misses: MissHistory) -> [u32; 3] {
        let [order2, order3] = StrongApms::contexts(c0, last);
        [
            self.order2.refine(p, order2),
            self.order3.refine(p, order3),
            self.misses.refine(p, misses.apm_context(c0 as u32)),
        ]
    }

    /// Starts loading the rows that the bytes `last` and the partial byte `c0` decide, those of
    /// the hashed APMs and of the class set's APM: in these tables each bit's row is a cache
    /// miss (at level 6 an order-2 APM without its rows loaded ahead cost 20% of the time on
    /// wiki4m, with them 7%).
    #[inline]
    fn prefetch(&self, c0: usize, last: [u8; 3]) {
        let [order2, order3] = StrongApms::contexts(c0, last);
        self.order2.prefetch(order2);
        self.order3.prefetch(order3);
        let (_, class_position) = SET_APMS[CLASS_SET_APM];
        let class_row = class_position.apm_context(class_context(c0, last) as u32, c0);
        self.sets[CLASS_SET_APM].prefetch(class_row);
    }

    #[inline]
    fn update(&mut self, bit: u32) {
        self.order2.update(bit);
        self.order3.update(bit);
        self.misses.update(bit);
        for apm in &mut self.sets {
            apm.update(bit);
        }
        self.surroundings.update(bit);
    }
}

/// The weight-set selectors a level uses. The default level keeps three for speed (a fourth
/// costs 7-10% more time, see [`TOKEN_SET`]), a better trade where the rich context maps
/// already double the time.
fn selectors(level: u8) -> &'static [usize] {
    match level {
        ..RICH_LEVEL => &SELECTORS[..LAST_BYTE_SET],
        RICH_LEVEL => &SELECTORS[..=LAST_BYTE_PARTIAL_SET],
        STRONG_LEVEL..MAX_LEVEL => &SELECTORS[..MISS_SET],
        _ => &SELECTORS,
    }
}

/// Mixer inputs of a model set: the bias, each context's, and the bit models' own.
pub fn mixer_inputs(models: &[Box<dyn Model>], detail: Detail) -> usize {
    let contexts: usize = models.iter().map(|m| m.context_tables().len()).sum();
    FIRST_CONTEXT_INPUT
        + contexts * detail.inputs()
        + models.iter().map(|m| m.input_count()).sum::<usize>()
}

/// Where the context maps' inputs start: after the bias.
const FIRST_CONTEXT_INPUT: usize = 1;

/// Bytes of mixer weights and APM tables of a predictor with `inputs` inputs at `level`, for
/// text or binary data.
pub fn mixing_bytes(level: u8, text: bool, inputs: usize) -> usize {
    let strong = level >= STRONG_LEVEL;
    Mixer::bytes(inputs, selectors(level), output_selectors(level))
        + Apm::bytes(APM_ORDER1_CONTEXTS)
        + Apm::bytes(APM_MATCH_CONTEXTS)
        + if has_token_apm(level, text) {
            Apm::bytes(APM_TOKEN_CONTEXTS)
        } else {
            0
        }
        + if strong { StrongApms::bytes() } else { 0 }
}

/// Where the coder is, which says which layer-1 set to trust: the [`TEXT_CLASS`] of the last
/// byte (better than the bit position alone: 0.1-0.3% smaller archives at levels 6 and 9) and
/// the two innermost open [`Brackets`] (if given), which tell a link, a template or a remark from
/// running text. The first layer-2 set sees the brackets below [`STRONG_LEVEL`] (level 6: w2m
/// -0.48%, enwik8-head -0.42%); the strong levels have a bracket weight set, and there the
/// brackets serve better in a second layer-2 set (see [`STRONG_OUTPUT_SELECTORS`]) than in the
/// first (0.06-0.14% gained on wiki text, as much lost on plain English).
#[inline]
fn surroundings(brackets: Option<Brackets>, c1: u8) -> usize {
    brackets.map_or(0, Brackets::two_innermost) * TEXT_CLASSES + TEXT_CLASS[c1 as usize] as usize
}

/// The order-1 APM's context: the partial byte `c0` and the last byte.
#[inline]
fn order1_apm_context(c0: usize, last: [u8; 3]) -> usize {
    c0 | (last[0] as usize) << 8
}

/// The partial byte and the last three bytes (most recent first) after each value of the next bit,
/// given them now: what the contexts that tables load ahead of time are computed from.
#[inline]
fn after_next_bit(c0: usize, last: [u8; 3]) -> [(usize, [u8; 3]); 2] {
    [0, 1].map(|bit| {
        let next = c0 * 2 + bit;
        if next < 256 {
            (next, last)
        } else {
            (1, [next as u8, last[0], last[1]])
        }
    })
}

/// [`CLASS_SET`]'s context: the partial byte and the [`TEXT_CLASS`] of the last three bytes (the
/// third coarsely), which [`class_bits`] gives.
#[inline]
fn class_context(c0: usize, last: [u8; 3]) -> usize {
    c0 | class_bits(last)
}

/// The part of [`class_context`] that the last three bytes give.
#[inline]
fn class_bits(last: [u8; 3]) -> usize {
    let class = |byte: u8| TEXT_CLASS[byte as usize] as usize;
    class(last[0]) << 8 | class(last[1]) << 11 | (class(last[2]) >> 1) << 14
}

/// The parts of the next bits' [`MixContexts`] that change only between bytes: worked out once
/// a byte, not once a bit.
#[derive(Clone, Copy, Default)]
struct ByteContexts {
    /// The last three bytes, most recent first.
    last: [u8; 3],
    /// [`class_bits`] of `last`.
    classes: u32,
    /// [`Brackets::two_innermost`].
    brackets: u32,
    /// [`surroundings`] with the brackets, and without.
    surrounded: u32,
    unbracketed: u32,
    /// A hash of the current word (0 between words, and below [`MAX_LEVEL`], which alone has
    /// [`WORD_SET`]), see [`ModelStage::word_bytes`].
    word: u32,
    /// The last [`SELECTOR_TOKENS`] tokens hashed to [`TOKEN_SELECTOR_BITS`]; in binary data the
    /// last byte below [`RICH_LEVEL`] and 0 from there.
    tokens: u32,
}

impl ModelStage {
    /// The models of `config` on the instruction-set path `simd`, at the start of the text.
    pub fn new(config: &EngineConfig, simd: Simd) -> Self {
        aizip_models::table::with_huge_pages(config.huge_pages, || ModelStage::build(config, simd))
    }

    fn build(config: &EngineConfig, simd: Simd) -> Self {
        let models = config.models_on(simd);
        let mut tables = Vec::new();
        let mut context_ranges = Vec::new();
        for model in &models {
            let own = model.context_tables();
            context_ranges.push(tables.len()..tables.len() + own.len());
            tables.extend(own);
        }
        let bit_models: Vec<usize> = (0..models.len())
            .filter(|&i| models[i].input_count() > 0)
            .collect();
        let detail = config.params().context_detail;
        let strong = config.level >= STRONG_LEVEL;
        // Without such a model (ablation), the first context map, if there is any.
        let state_selectors = STATE_SELECTOR_MODELS
            .iter()
            .map(|name| {
                models
                    .iter()
                    .zip(&context_ranges)
                    .find(|(m, r)| m.name() == *name && !r.is_empty())
                    .map_or(0, |(_, r)| r.start)
            })
            .filter(|&map| strong && map < tables.len())
            .collect();
        let set_count = selectors(config.level).len();
        let order_maps = if set_count > FOUND_ORDERS_SET {
            models
                .iter()
                .zip(&context_ranges)
                .filter(|(m, r)| m.name().starts_with(ORDER_MODEL_PREFIX) && !r.is_empty())
                .map(|(_, r)| r.start)
                .collect()
        } else {
            Vec::new()
        };
        let mut stage = ModelStage {
            models,
            context_ranges,
            bit_models,
            hashes: vec![0; tables.len()],
            contexts: ContextSet::new(&tables, detail),
            history: History::new(config.params().history_bytes),
            bit: BitContext {
                c0: 1,
                ..BitContext::default()
            },
            set_count,
            state_selectors,
            order_maps,
            strong,
            brackets: Brackets::default(),
            bracket_actions: std::array::from_fn(|b| {
                BracketAction::of(b as u8, config.word_classes[b])
            }),
            byte: ByteContexts::default(),
            word_bytes: std::array::from_fn(|b| continues_word(b as u8, config.word_classes[b])),
            tokens: config.is_text().then(Tokens::default),
        };
        stage.start_byte();
        stage
    }

    /// Told the byte about to be coded, at its start (a compressor knows it), starts loading
    /// what its second nibble needs: a hint, which changes no prediction.
    #[inline]
    pub fn prefetch_byte(&self, byte: u8) {
        self.contexts.prefetch_byte(byte);
    }

    /// Learns the coded bit and, at the end of a byte, names the contexts of the next one.
    #[inline(always)]
    pub fn update(&mut self, bit: u32) {
        for &i in &self.bit_models {
            self.models[i].update(bit);
        }
        self.bit.c0 = (self.bit.c0 << 1) | bit;
        self.bit.bit_pos += 1;
        if self.bit.bit_pos == 8 {
            self.history.push(self.bit.c0 as u8);
            let byte = self.bit.c0 as u8;
            match self.bracket_actions[byte as usize] {
                BracketAction::Follow => {
                    self.brackets.follow(byte);
                }
                BracketAction::Reset => self.brackets = Brackets::default(),
                BracketAction::Ignore => {}
            }
            self.bit.c0 = 1;
            self.bit.bit_pos = 0;
            self.start_byte();
        }
        // Learning the bit needs nothing of the next byte's contexts: done after start_byte, it
        // overlaps the loads of their buckets (a cache miss each), which predict() then needs.
        self.contexts.update(bit);
    }

    /// The models name the contexts of the next byte.
    fn start_byte(&mut self) {
        for (model, range) in self.models.iter_mut().zip(&self.context_ranges) {
            model.update_byte(&self.history, &mut self.hashes[range.clone()]);
        }
        self.contexts.set_contexts(&self.hashes);
        let last = [1, 2, 3].map(|n| self.history.back(n));
        // Only level 9 has the word set.
        let word = if self.set_count > WORD_SET && self.word_bytes[last[0] as usize] {
            (self.byte.word.wrapping_add(u32::from(last[0]) + 1)).wrapping_mul(0x2F0F_3A4D)
        } else {
            0
        };
        let tokens = match &mut self.tokens {
            Some(tokens) => {
                tokens.read(last[0], self.word_bytes[last[0] as usize]);
                let hash = tokens
                    .last(SELECTOR_TOKENS)
                    .wrapping_mul(0x9E37_79B9_7F4A_7C15);
                (hash >> (64 - TOKEN_SELECTOR_BITS)) as u32
            }
            // Binary data has no words: where the level has no set of the last byte, its token
            // stands in for one.
            None if self.set_count <= LAST_BYTE_SET => u32::from(last[0]),
            None => 0,
        };
        self.byte = ByteContexts {
            word,
            tokens,
            last,
            classes: class_bits(last) as u32,
            brackets: self.brackets.two_innermost() as u32,
            surrounded: surroundings(Some(self.brackets), last[0]) as u32,
            unbracketed: surroundings(None, last[0]) as u32,
        };
    }

    /// Clears `inputs` and pushes the mixer inputs for the next bit (with the states of the
    /// context maps whose state maps [`stages`] gave to the [`MixStage`] in place of their
    /// inputs), and
    /// writes its contexts into `contexts` (in place: this runs every bit).
    #[inline(always)]
    pub fn predict(&mut self, inputs: &mut Inputs, contexts: &mut MixContexts) {
        inputs.clear();
        inputs.push(BIAS);
        debug_assert_eq!(inputs.as_slice().len(), FIRST_CONTEXT_INPUT);
        self.contexts.predict(self.bit.c0, self.bit.bit_pos, inputs);
        for &i in &self.bit_models {
            self.models[i].predict(&mut self.bit, &self.history, inputs);
        }
        let c0 = self.bit.c0;
        let byte = self.byte;
        let c1 = u32::from(byte.last[0]);
        let bit_pos = self.bit.bit_pos;
        let match_bucket = length_bucket(self.bit.match_length);
        let sets = &mut contexts.sets;
        sets[0] = match_set_state(&self.bit) * 256 + c0;
        sets[TOKEN_SET] = byte.tokens * 8 + bit_pos;
        sets[CLASS_SET] = byte.classes | c0;
        if self.set_count > LAST_BYTE_SET {
            sets[LAST_BYTE_SET] = c1 * 8 + bit_pos;
            sets[LAST_BYTE_PARTIAL_SET] = c1 << 8 | c0;
        }
        if self.strong {
            sets[SECOND_BYTE_SET] = u32::from(byte.last[1]) * 8 + bit_pos;
            for (k, &map) in self.state_selectors.iter().enumerate() {
                sets[FIRST_STATE_SET + k] = u32::from(self.contexts.state(map)) * 8 + bit_pos;
            }
            sets[BRACKET_SET] = byte.brackets * 256 + c0;
            if self.set_count > GLOBAL_SET {
                // The mixing stage adds the misses, which it keeps.
                sets[MISS_SET] = bit_pos;
                sets[WORD_SET] = (byte.word >> (32 - WORD_SELECTOR_BITS)) * 8 + bit_pos;
                sets[GLOBAL_SET] = 0;
                let found = self
                    .order_maps
                    .iter()
                    .filter(|&&map| self.contexts.state(map) != 0)
                    .count();
                sets[FOUND_ORDERS_SET] = found as u32 * 256 + c0;
                sets[LSTM_SET] = self.bit.lstm_byte * 8 + bit_pos;
            }
            contexts.outputs[0] = byte.unbracketed * 256 + c0;
            let surrounded = byte.surrounded * MATCH_QUARTERS as u32
                + match_bucket * MATCH_QUARTERS as u32 / LENGTH_BUCKETS as u32;
            contexts.outputs[SURROUNDINGS_OUTPUT] = surrounded * 256 + c0;
        } else {
            contexts.outputs[0] = byte.surrounded * 256 + c0;
        }
        contexts.apm_match = match_apm_state(&self.bit) * 256 + c0;
        contexts.c0 = c0;
        contexts.last = byte.last;
    }
}

impl MixStage {
    /// The mixer and the APMs of `config` for `inputs` mixer inputs, on the instruction-set path
    /// `simd`, and the `state_maps` of the context maps that run in this stage, the first of
    /// which gives mixer input `first_state_map_input`.
    pub fn new(
        config: &EngineConfig,
        state_maps: ContextStateMaps,
        first_state_map_input: usize,
        inputs: usize,
        simd: Simd,
    ) -> Self {
        aizip_models::table::with_huge_pages(config.huge_pages, || {
            let rate = match config.params().context_detail {
                Detail::Plain => PLAIN_RATE,
                Detail::Rich if config.level == MAX_LEVEL => MAX_LEVEL_RATE,
                Detail::Rich => RICH_RATE,
            };
            MixStage {
                state_maps,
                first_state_map_input,
                mixer: Mixer::new(
                    simd,
                    inputs,
                    selectors(config.level),
                    rate,
                    output_selectors(config.level),
                ),
                apm_order1: Apm::new(APM_ORDER1_CONTEXTS, APM_RATE),
                apm_match: Apm::new(APM_MATCH_CONTEXTS, APM_RATE),
                apm_strong: (config.level >= STRONG_LEVEL).then(StrongApms::new),
                apm_tokens: has_token_apm(config.level, config.is_text())
                    .then(|| Apm::new(APM_TOKEN_CONTEXTS, APM_RATE)),
                misses: MissHistory::default(),
                miss_set: selectors(config.level).len() > MISS_SET,
                next_c0: [2, 3],
                p: 1 << 15,
            }
        })
    }

    /// The buffer the mixer reads its inputs from: [`ModelStage::predict`] fills it, or fills
    /// another of the same length that is swapped in (the two-thread compressor).
    #[inline]
    pub fn inputs(&mut self) -> &mut Inputs {
        self.mixer.inputs()
    }

    /// Probability (16 bits, within the coder's range) that the next bit is a 1, from the inputs
    /// in [`MixStage::inputs`] and their contexts. Call it once per [`ModelStage::predict`] into
    /// that buffer: it replaces the states of the maps whose state maps it holds by their inputs.
    #[inline(always)]
    pub fn p(&mut self, contexts: &MixContexts) -> u32 {
        let MixContexts { c0, last, .. } = *contexts;
        let c0 = c0 as usize;
        self.state_maps
            .predict(&mut self.mixer.inputs().as_mut_slice()[self.first_state_map_input..]);
        // The contexts that hold the misses are completed here, where the misses are kept.
        let mut sets = contexts.sets;
        let mut outputs = contexts.outputs;
        if self.apm_strong.is_some() {
            outputs[0] += self.misses.latest(OUTPUT_MISSES) * OUTPUT_CLASS_CONTEXTS as u32;
            if self.miss_set {
                sets[MISS_SET] += self.misses.last() * 8;
            }
        }
        self.mixer.select(&sets);
        self.mixer.select_outputs(&outputs);
        let p_mix = self.mixer.mix();

        let p1 = self.apm_order1.refine(p_mix, order1_apm_context(c0, last));
        let p_match = self.apm_match.refine(p_mix, contexts.apm_match as usize);
        // The mixer's, the match APM's, the set APMs' and the surroundings' APM's probabilities
        // once, each of the others twice.
        let (mut once, mut once_count) = (p_mix + p_match, 2);
        let (mut twice, mut twice_count) = (p1, 1);
        if let Some(apms) = &mut self.apm_strong {
            let [p2, p3, p_misses] = apms.refine(p_mix, c0, last, self.misses);
            twice += p2 + p3 + p_misses;
            twice_count += 3;
            once += apms.refine_weighed_once(p_mix, &sets, &outputs, c0);
            once_count += StrongApms::WEIGHED_ONCE;
        }
        if let Some(apm) = &mut self.apm_tokens {
            twice += apm.refine(p_mix, token_apm_context(c0, sets[TOKEN_SET]));
            twice_count += 1;
        }
        let weight = once_count + 2 * twice_count;
        let p = (once + 2 * twice + weight / 2) / weight;
        self.next_c0 = after_next_bit(c0, last).map(|(next, _)| next);
        self.p = p;

        p.clamp(PROB_MIN, PROB_MAX)
    }

    /// Starts loading what the next bit may read after a [`MixStage::p`] with `contexts`, for
    /// either value of this bit: the class set's 65,536 vectors, the token set's 2^17, and the
    /// rows of the order-1, hashed, class set and token APMs do not stay in cache. For a caller
    /// that does not know the next bit's contexts yet (a decoder); one that does calls
    /// [`MixStage::prefetch`].
    #[inline(always)]
    pub fn prefetch_after(&self, contexts: &MixContexts) {
        // Within a byte the tokens and the word stay: their sets' next vectors are the ones after
        // this bit's, and the token APM's next rows are the tokens' with the next partial byte.
        let within_byte = contexts.c0 < 128;
        if within_byte {
            self.mixer
                .prefetch(TOKEN_SET, contexts.sets[TOKEN_SET] as usize + 1);
            if self.miss_set {
                self.mixer
                    .prefetch(WORD_SET, contexts.sets[WORD_SET] as usize + 1);
            }
        }
        for (next, last) in after_next_bit(contexts.c0 as usize, contexts.last) {
            self.mixer.prefetch(CLASS_SET, class_context(next, last));
            self.apm_order1.prefetch(order1_apm_context(next, last));
            if let Some(apms) = &self.apm_strong {
                apms.prefetch(next, last);
            }
            if let Some(apm) = self.apm_tokens.as_ref().filter(|_| within_byte) {
                apm.prefetch(token_apm_context(next, contexts.sets[TOKEN_SET]));
            }
        }
    }

    /// Starts loading the weight vectors and APM rows that a later [`MixStage::p`] with
    /// `contexts` will read: a hint, for a caller that knows the contexts ahead (the two-thread
    /// compressor).
    #[inline(always)]
    pub fn prefetch(&self, contexts: &MixContexts) {
        let MixContexts { c0, last, .. } = *contexts;
        let c0 = c0 as usize;
        self.mixer
            .prefetch_selected(&contexts.sets, &contexts.outputs);
        self.apm_order1.prefetch(order1_apm_context(c0, last));
        self.apm_match.prefetch(contexts.apm_match as usize);
        if let Some(apms) = &self.apm_strong {
            apms.prefetch(c0, last);
            apms.prefetch_weighed_once(&contexts.sets, &contexts.outputs, c0);
        }
        if let Some(apm) = &self.apm_tokens {
            apm.prefetch(token_apm_context(c0, contexts.sets[TOKEN_SET]));
        }
    }

    /// Learns the coded bit.
    #[inline(always)]
    pub fn update(&mut self, bit: u32) {
        if let Some(apms) = &self.apm_strong {
            self.misses = self.misses.after(bit, self.p);
            // The miss APM's next row is known now (the next partial byte, and the history after
            // this bit): it loads while the mixer learns.
            let next_c0 = self.next_c0[bit as usize] as u32;
            apms.misses.prefetch(self.misses.apm_context(next_c0));
        }
        self.state_maps.update(bit);
        self.mixer.update(bit);
        self.apm_order1.update(bit);
        self.apm_match.update(bit);
        if let Some(apm) = &mut self.apm_tokens {
            apm.update(bit);
        }
        if let Some(apms) = &mut self.apm_strong {
            apms.update(bit);
        }
    }
}

/// The two stages of `config`'s engine, before the first bit, for a caller that runs them apart
/// (the `pipeline` module): the state maps of the last context maps go to the mixing stage, so
/// that each thread has about the same work (see `modelling_state_maps`). They have not yet
/// learnt what [`primer_of`] gives for `config`: the caller runs them over it first, as over
/// coded text, and can do so on both threads. [`Predictor::new`] runs the stages together,
/// primed.
pub fn stages(config: &EngineConfig, simd: Simd) -> (ModelStage, MixStage) {
    build_stages(config, simd, true)
}

/// Of `maps` context maps, how many keep their state maps with them on the modelling thread of
/// a two-thread compressor; the state maps of the others run with the mixer. Running a state map
/// with its map costs less (one loop over the maps, not two), but the coder waits for whichever
/// thread is slower. Measured as the coding thread's user cycles over the modelling thread's,
/// while both run (wiki4m): with the rich maps the modelling thread is the slower one (level 7:
/// 0.84 with every state map on the coding thread, 0.72 with half on each); below, the coding
/// thread was (level 6: 1.04-1.17 with every state map on it, 0.95-0.98 with half on each, 0.83
/// with none, all with level 6's eight maps), so each thread takes half (of the seven maps text
/// has at level 6 since format version 14, the coding thread takes four: 7.1-7.6 billion cycles on
/// wiki-dev against the modelling thread's 7.7-7.8).
fn modelling_state_maps(detail: Detail, maps: usize) -> usize {
    match detail {
        Detail::Rich => 0,
        Detail::Plain => maps / 2,
    }
}

/// Both stages; `two_threads`: the state maps of the last context maps (see
/// [`modelling_state_maps`]) go to the mixing stage, else every map keeps its own.
fn build_stages(config: &EngineConfig, simd: Simd, two_threads: bool) -> (ModelStage, MixStage) {
    let mut models = ModelStage::new(config, simd);
    let detail = config.params().context_detail;
    let inputs = mixer_inputs(&models.models, detail);
    let maps = models.hashes.len();
    let kept = if two_threads {
        modelling_state_maps(detail, maps)
    } else {
        maps
    };
    let state_maps = models.contexts.take_state_maps(kept);
    let first_input = FIRST_CONTEXT_INPUT + kept * detail.inputs();
    (
        models,
        MixStage::new(config, state_maps, first_input, inputs, simd),
    )
}

/// What a primed engine learns before the text ([`EngineConfig::primed`]): the dictionary
/// transform's built-in word list (`aizip_dict::built_in_words`), one word per line, in reverse,
/// so that the most valuable words come last; then [`PRIMER_WIKI`], nearest the text.
///
/// The words reach the engine as letters, while the text codes most of them, but what the
/// models, the mixer and the APMs learn from 109 KB of English carries over: at level 9 the list
/// alone shrinks archives by 3.6% on enwik8-head, 2.7% on alice29, 1.9% on w1m and 0.5% on
/// wiki4m, where the text itself soon teaches as much (in the list's order, 0.25% less; words
/// separated by spaces, or the list twice, gained less, and the first 30 KB of it under half as
/// much). The wiki pages take 0.6% more off enwik8-head and 0.2% off w1m, and change plain
/// English by under 0.05%.
pub(crate) fn primer() -> &'static [u8] {
    static PRIMER: OnceLock<Vec<u8>> = OnceLock::new();
    PRIMER.get_or_init(|| {
        let words = aizip_dict::built_in_words();
        let mut text = Vec::new();
        for word in words.iter().rev() {
            text.extend_from_slice(word);
            text.push(b'\n');
        }
        text.extend_from_slice(PRIMER_WIKI);
        text
    })
}

/// The end of the [`primer`]: three short MediaWiki pages written for it (none is taken from
/// any corpus), in the XML of a Wikipedia export, with the markup articles use: a redirect,
/// an infobox, a reference, an image, a table, headings, lists, categories and interlanguage
/// links. Wikipedia dumps are what the prize compresses.
const PRIMER_WIKI: &[u8] = include_bytes!("../data/primer-wiki.xml");

/// What an engine of `config` learns before the text: the primer (see the module
/// documentation) if it is primed, else nothing.
pub fn primer_of(config: &EngineConfig) -> &'static [u8] {
    if config.primed {
        primer()
    } else {
        &[]
    }
}

/// The bits of `byte` in the order they are coded, most significant first.
#[inline(always)]
pub(crate) fn bits_of(byte: u8) -> impl Iterator<Item = u32> {
    (0..8).rev().map(move |i| u32::from(byte >> i & 1))
}

/// Runs both stages over `primer` as over coded text, in the order every coder runs them (the
/// pipeline runs the same steps on two threads).
pub fn prime(models: &mut ModelStage, mixing: &mut MixStage, primer: &[u8]) {
    let mut contexts = MixContexts::default();
    for &byte in primer {
        for bit in bits_of(byte) {
            models.predict(mixing.inputs(), &mut contexts);
            mixing.p(&contexts);
            models.update(bit);
            mixing.update(bit);
        }
    }
}

impl Predictor {
    /// The engine of `config`, the context maps' state maps with the maps, where they cost
    /// least on one thread (one loop over the maps instead of two: 5% fewer instructions at level
    /// 6).
    pub fn new(config: &EngineConfig, simd: Simd) -> Self {
        let (mut models, mut mixing) = build_stages(config, simd, false);
        prime(&mut models, &mut mixing, primer_of(config));
        Predictor::from_stages(models, mixing)
    }

    /// As [`Predictor::new`], but a primed engine learns its primer on two threads where a
    /// second can be started (see `pipeline::prime`): what a decoder with a core to spare uses.
    pub fn primed_on_two_threads(config: &EngineConfig, simd: Simd) -> Self {
        if !config.primed {
            return Predictor::new(config, simd);
        }
        let (mut models, mut mixing) = crate::pipeline::prime(primer(), stages(config, simd));
        // On one thread the state maps cost least with their maps (see `Predictor::new`).
        let taken = mixing.state_maps.split_off(0);
        models.contexts.return_state_maps(taken);
        Predictor::from_stages(models, mixing)
    }

    /// Both [`stages`], before the first bit (primed if they are to be), run together.
    pub fn from_stages(models: ModelStage, mixing: MixStage) -> Self {
        let mut predictor = Predictor {
            models,
            mixing,
            contexts: MixContexts::default(),
            p: 32768,
        };
        predictor.predict();
        predictor
    }

    /// Probability (16 bits, within the coder's range) that the next bit is a 1.
    #[inline]
    pub fn p(&self) -> u32 {
        self.p
    }

    /// Learns the coded bit and prepares the next prediction.
    #[inline]
    pub fn update(&mut self, bit: u32) {
        self.models.update(bit);
        self.mixing.update(bit);
        self.predict();
    }

    #[inline]
    fn predict(&mut self) {
        self.models
            .predict(self.mixing.inputs(), &mut self.contexts);
        self.p = self.mixing.p(&self.contexts);
        self.mixing.prefetch_after(&self.contexts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model_set::MIN_LEVEL;

    #[test]
    fn match_states_keep_recoveries_apart_from_matches() {
        let following = |match_length, match_bit| BitContext {
            match_length,
            match_bit,
            ..BitContext::default()
        };
        let recovering = |recovery| BitContext {
            recovery,
            ..BitContext::default()
        };
        let recoveries = 1..=RECOVERY_STATES as u32;
        let lengths = [1, 2, 5, 11, 12, 16, 24, 32, 65535];
        let neither = BitContext::default();
        // The weight set: none, then the length buckets, then the recoveries, each its own.
        assert_eq!(match_set_state(&neither), 0);
        let set_states: Vec<u32> = lengths
            .iter()
            .map(|&length| match_set_state(&following(length, 1)))
            .chain(recoveries.clone().map(|r| match_set_state(&recovering(r))))
            .collect();
        assert!(set_states.windows(2).all(|pair| pair[0] <= pair[1]));
        assert_eq!(
            set_states[lengths.len()..],
            [16, 17, 18, 19, 20, 21, 22, 23]
        );
        assert!(set_states
            .iter()
            .all(|&state| (state as usize) < SELECTORS[0] / 256));
        // The APM: none, the recoveries below 16, the matches from 16 by their expected bit.
        assert_eq!(match_apm_state(&neither), 0);
        assert!(recoveries
            .clone()
            .all(|r| match_apm_state(&recovering(r)) == r));
        for length in lengths {
            let [zero, one] = [0, 1].map(|bit| match_apm_state(&following(length, bit)));
            assert!((16..32).contains(&zero) && one == zero + 1);
        }
        assert_eq!(APM_MATCH_CONTEXTS, 32 * 256);
    }

    #[test]
    fn misses_are_bits_on_the_side_their_probability_did_not_favour() {
        let history = MissHistory::default()
            .after(1, 40_000)
            .after(0, 40_000)
            .after(1, 20_000)
            .after(0, 20_000);
        assert_eq!(history.last(), 0b0110);
        // A probability of exactly ½ favours a 1.
        assert_eq!(MissHistory::default().after(0, 1 << 15).last(), 1);
        assert_eq!(history.latest(3), 0b110);
        let all_missed = (0..20).fold(MissHistory::default(), |h, _| h.after(1, 100));
        assert_eq!(all_missed.last() as usize, MissHistory::VALUES - 1);
        assert_eq!(all_missed.apm_context(0x9A), 0xFF9A);
    }

    #[test]
    fn every_level_mixes_its_sets_in_one_pass() {
        // A level whose set count the mixer lacks still codes alike, only slower: levels 7-9
        // ran set by set from the token set's arrival until this test.
        let mut counts: Vec<usize> = (MIN_LEVEL..=MAX_LEVEL)
            .map(|level| selectors(level).len())
            .collect();
        counts.dedup();
        assert_eq!(counts, aizip_mixer::ONE_PASS_SET_COUNTS);
    }

    #[test]
    fn words_for_the_word_selector_end_at_printable_separators_but_not_digits() {
        let plain = aizip_dict::default_classes();
        let continues = |byte: u8| continues_word(byte, plain[byte as usize]);
        for byte in [b'a', b'Z', b'7', 0xC3, 0, 7, 0x1B] {
            assert!(continues(byte), "{byte:#x}");
        }
        for byte in [b' ', b'\n', b'\t', b',', b'[', b'=', b'|'] {
            assert!(!continues(byte), "{byte:#x}");
        }
        // In transformed text the codes, flags and escape are part of the word, whatever their
        // byte value; a byte value the code space leaves a separator still ends it.
        let roles = [
            ByteClass::Letter,
            ByteClass::Lead,
            ByteClass::Flag,
            ByteClass::Escape,
        ];
        for (byte, class) in [b'#', b'%', b'&', b'*'].into_iter().zip(roles) {
            assert!(continues_word(byte, class), "{byte:#x}");
        }
        assert!(!continues_word(0xA0, ByteClass::Separator));
    }

    #[test]
    fn text_selects_weights_by_its_tokens_and_binary_data_by_the_last_byte_below_level_7() {
        let stage_after = |level: u8, primed: bool, text: &[u8]| {
            let config = EngineConfig {
                primed,
                ..EngineConfig::new(level, 1 << 16)
            };
            let (mut models, mut mixing) = build_stages(&config, Simd::Scalar, false);
            prime(&mut models, &mut mixing, text);
            let mut contexts = MixContexts::default();
            models.predict(mixing.inputs(), &mut contexts);
            (models.byte.tokens, contexts.sets)
        };
        // A number's token is its first digit: these differ in the tokens, not in the last byte.
        let (in_1920, sets) = stage_after(6, true, b"born in 1920 ");
        let (in_2020, _) = stage_after(6, true, b"born in 2020 ");
        assert_ne!(in_1920, in_2020);
        assert_eq!(sets[TOKEN_SET], in_1920 * 8);
        for level in [1, 7, 9] {
            assert_eq!(stage_after(level, true, b"born in 1920 ").0, in_1920);
        }
        let space = u32::from(b' ');
        for (level, token) in [(1, space), (6, space), (7, 0), (9, 0)] {
            let (binary, sets) = stage_after(level, false, b"born in 1920 ");
            assert_eq!(
                (binary, sets[TOKEN_SET]),
                (token, token * 8),
                "level {level}"
            );
            if level >= RICH_LEVEL {
                assert_eq!(sets[LAST_BYTE_SET], space * 8, "level {level}");
                assert_eq!(sets[LAST_BYTE_PARTIAL_SET], space << 8 | 1, "level {level}");
            }
        }
    }

    #[test]
    fn every_context_selects_a_vector_of_its_set() {
        // The mixer clamps a context past its set's last vector, which would only cost
        // compression: a set too small for its selector goes unnoticed without this.
        let text = "<page><title>Paris</title> born in 1920, [[Paris|the city]] \
                    {{Infobox|name=Été}} &amp; ÆØÅ\n\t\0\u{ff}"
            .as_bytes();
        for level in MIN_LEVEL..=MAX_LEVEL {
            for primed in [false, true] {
                let config = EngineConfig {
                    primed,
                    ..EngineConfig::new(level, 1 << 16)
                };
                let (mut models, mut mixing) = build_stages(&config, Simd::Scalar, false);
                let sizes = selectors(level);
                let mut contexts = MixContexts::default();
                for &byte in text {
                    for bit in bits_of(byte) {
                        models.predict(mixing.inputs(), &mut contexts);
                        for (set, (&context, &size)) in contexts.sets.iter().zip(sizes).enumerate()
                        {
                            assert!((context as usize) < size, "level {level}, set {set}");
                        }
                        // Each set APM reads its set's context as the set holds it, and its row
                        // is within its table and has the partial byte as its last 8 bits.
                        if level >= STRONG_LEVEL {
                            let c0 = contexts.c0 as usize;
                            let rows = StrongApms::set_contexts(&contexts.sets, c0);
                            for (&(set, position), row) in SET_APMS.iter().zip(rows) {
                                let context = contexts.sets[set] as usize;
                                let (held, expected) = match position {
                                    SetPosition::PartialByte => (context & 0xFF, c0),
                                    SetPosition::BitPosition => (context & 7, c0.ilog2() as usize),
                                };
                                assert_eq!(held, expected, "level {level}, set {set}");
                                let table = position.apm_contexts(SELECTORS[set]);
                                assert!(row < table, "level {level}, set {set}");
                                assert_eq!(row & 0xFF, c0, "level {level}, set {set}");
                            }
                            let surroundings = contexts.outputs[SURROUNDINGS_OUTPUT] as usize;
                            let table = STRONG_OUTPUT_SELECTORS[SURROUNDINGS_OUTPUT];
                            assert!(surroundings < table, "level {level}");
                            assert_eq!(surroundings & 0xFF, c0, "level {level}");
                        }
                        mixing.p(&contexts);
                        models.update(bit);
                        mixing.update(bit);
                    }
                }
            }
        }
    }

    #[test]
    fn the_found_orders_set_counts_every_byte_order_at_the_strongest_level() {
        for level in MIN_LEVEL..=MAX_LEVEL {
            for primed in [false, true] {
                let config = EngineConfig {
                    primed,
                    ..EngineConfig::new(level, 1 << 16)
                };
                let models = ModelStage::new(&config, Simd::Scalar);
                let orders = config
                    .models()
                    .iter()
                    .filter(|m| m.name().starts_with(ORDER_MODEL_PREFIX))
                    .count();
                let expected = if level == MAX_LEVEL { orders } else { 0 };
                assert_eq!(models.order_maps.len(), expected, "level {level}");
            }
        }
        // On repeated text the count climbs to every order, and falls at a byte never seen.
        let config = EngineConfig {
            primed: true,
            ..EngineConfig::new(MAX_LEVEL, 1 << 16)
        };
        let (mut models, mut mixing) = build_stages(&config, Simd::Scalar, false);
        let mut contexts = MixContexts::default();
        let mut found = Vec::new();
        for &byte in b"the cat sat on the mat. ".repeat(8).iter().chain(b"\xff") {
            for bit in bits_of(byte) {
                models.predict(mixing.inputs(), &mut contexts);
                found.push(contexts.sets[FOUND_ORDERS_SET] as usize / 256);
                mixing.p(&contexts);
                models.update(bit);
                mixing.update(bit);
            }
        }
        let all = models.order_maps.len();
        assert_eq!(found[found.len() - 9], all, "{found:?}");
        assert!(found[found.len() - 1] < all, "{found:?}");
    }

    #[test]
    fn text_from_the_rich_level_is_refined_by_its_tokens() {
        for level in MIN_LEVEL..=MAX_LEVEL {
            for text in [false, true] {
                let config = EngineConfig {
                    primed: text,
                    ..EngineConfig::new(level, 1 << 16)
                };
                let (_, mixing) = build_stages(&config, Simd::Scalar, false);
                let expected = text && level >= RICH_LEVEL;
                assert_eq!(mixing.apm_tokens.is_some(), expected, "level {level}");
            }
            let apm = mixing_bytes(level, true, 100) - mixing_bytes(level, false, 100);
            let expected = if level >= RICH_LEVEL {
                Apm::bytes(APM_TOKEN_CONTEXTS)
            } else {
                0
            };
            assert_eq!(apm, expected, "level {level}");
        }
    }

    #[test]
    fn the_primer_is_the_reversed_word_list_and_the_wiki_pages_unchanged() {
        let primer = primer();
        let words = aizip_dict::built_in_words();
        let first_line = primer.split(|&b| b == b'\n').next().unwrap();
        assert_eq!(first_line, *words.last().unwrap());
        assert!(primer.ends_with(PRIMER_WIKI));
        // The primer is part of the archive format: a change needs a new format version, and
        // then new values here.
        assert_eq!(primer.len(), 111_438);
        let hash = xxhash_rust::xxh3::xxh3_64(primer);
        assert_eq!(hash, 0xfc29_664e_fb1a_7824, "{hash:#x}");
    }
}
