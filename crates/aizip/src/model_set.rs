//! The model set and the compression levels: the one place a researcher edits.
//!
//! [`MODEL_SET`] lists every model the engine runs, in mixer-input order, with the lowest level
//! that runs it and a constructor that receives the table sizes of the chosen level;
//! [`TEXT_LEVELS`] names the models that text runs at other levels, and
//! [`TEXT_ONLY`] those that binary data never runs. Removing a
//! line removes a model (the archive format version must then change, since archives depend on
//! the exact set); `aizip ablate` does the same at run time with [`EngineConfig::disabled`].

use aizip_dict::{default_classes, ByteClass, CodeSpace, EntityCodes};
use aizip_mixer::Simd;
use aizip_models::context_map::exact_context_bytes;
use aizip_models::matcher::{MIN_MATCH, MIN_MATCH_TRANSFORMED};
use aizip_models::sparse::{MORE_TEXT_MASKS, TEXT_MASKS};
use aizip_models::{
    ContextMap, Detail, DirectModel, DmcModel, History, IndirectModel, LexicalModel,
    LongOrderModel, LstmModel, MatchModel, Model, NumberModel, OrderModel, RunsModel,
    SentenceModel, ShapeModel, SparseModel, StructureModel, TextModel, WordIndirectModel,
    WordModel,
};
use std::ops::RangeInclusive;

/// What model constructors receive: table sizes derived from the level and the input length, and
/// how the (possibly transformed) text forms words.
#[derive(Clone, Copy, Debug)]
pub struct ModelParams {
    /// Bytes of each full-size hashed context table: the level's size, or what the input could
    /// fill if that is less.
    pub context_bytes: usize,
    /// The level's full-size table, whatever the input.
    level_bytes: usize,
    /// What the input could fill (see [`EngineConfig::params`]).
    fill_bytes: usize,
    /// Whether the level is [`MAX_LEVEL`].
    max_level: bool,
    /// log2 of the match model's position-table entries.
    pub match_bits: u32,
    /// Bytes of history kept for the match model.
    pub history_bytes: usize,
    /// Bytes a match candidate must share with the text: fewer where the dictionary transform
    /// has coded it, below [`RICH_LEVEL`] (see `aizip_models::matcher::MIN_MATCH_TRANSFORMED`).
    pub match_min: u64,
    /// Which bytes are letters, word codes, flags or separators.
    pub word_classes: [ByteClass; 256],
    /// The classes of every model that reads words but the sentence model (and word-prefix, which
    /// reads plain letters): `word_classes`, but the 1-byte codes of XML entities are separators
    /// (see [`EngineConfig::word_context_classes`]).
    pub word_context_classes: [ByteClass; 256],
    /// What each hashed context gives the mixer (rich from [`RICH_LEVEL`] up).
    pub context_detail: Detail,
    /// The instruction-set path of the models that compute in floating point (the LSTM), which
    /// gives the same bits on every path (see [`EngineConfig::models_on`]).
    pub simd: Simd,
}

impl ModelParams {
    /// Bytes of a table sized as `1/n` of a full one: the level's share, or half a full table
    /// where the input could not fill the level's tables. The shares keep level 9 within the
    /// prize's memory on a gigabyte (the strong levels' extra models) or a model's tables in
    /// proportion to what it gains (shape, the match model's expected byte); on a shorter input
    /// that limit does not bind, and half a full table gains more than it costs (wiki4m at level
    /// 9: -0.077%, 1.13 -> 1.64 GB; a whole one: -0.10% at 2.41 GB; a quarter: -0.02%, 1.26 GB).
    pub fn share(&self, n: usize) -> usize {
        (self.level_bytes / n)
            .min(self.fill_bytes / 2)
            .max(MIN_TABLE_BYTES)
    }

    /// A [share](ModelParams::share) of `1/n`, or of `1/n_at_max` at [`MAX_LEVEL`], where the
    /// prize's memory on 1 GB binds.
    pub fn share_by_level(&self, n: usize, n_at_max: usize) -> usize {
        self.share(if self.max_level { n_at_max } else { n })
    }

    /// Bytes of `1/n` of the level's full-size table, whatever the input: for a table filled
    /// from its start, whose untouched pages never become resident, so that a short input pays
    /// only for what it fills. (The DMC graphs want about 24 bytes per input byte, three times
    /// what a [share](ModelParams::share) allows a short input: at level 9 they took 0.02% off
    /// enwik8-head with a share's 4 MiB, 0.23% with 32 MiB.)
    pub fn level_share(&self, n: usize) -> usize {
        self.level_bytes / n
    }

    /// A full table, or at [`MAX_LEVEL`] a [share](ModelParams::share) of `1/n`: for the models
    /// that gain least there, whose memory the strongest level's text models take (the prize's
    /// memory on 1 GB). Measured on wiki4m, where the share only halves these tables (on 1 GB
    /// it is an eighth): order 6 and word2 each gained 0.005% at level 9 beside the text models;
    /// the halving changed binary files by a few bytes (kennedy.xls +1, obj2 +2).
    pub fn full_below_max(&self, n: usize) -> usize {
        if self.max_level {
            self.share(n)
        } else {
            self.context_bytes
        }
    }
}

/// The smallest full or shared table handed to a model (a model may divide its own further).
const MIN_TABLE_BYTES: usize = 1 << 16;

/// The lowest level whose context maps are [`Detail::Rich`].
pub const RICH_LEVEL: u8 = 7;

/// One entry of the model set.
pub struct ModelSpec {
    pub name: &'static str,
    /// Levels below this leave the model out (text may run it at other levels, see
    /// [`TEXT_LEVELS`]; binary data never runs the [`TEXT_ONLY`] models).
    pub min_level: u8,
    pub build: fn(&ModelParams) -> Box<dyn Model>,
}

/// Every model of the engine, in mixer-input order, with the lowest level that uses it (see
/// [`runs_at`] for how text and binary data differ).
pub const MODEL_SET: &[ModelSpec] = &[
    ModelSpec {
        name: "order0",
        min_level: 1,
        build: |s| {
            Box::new(OrderModel::new(
                0,
                s.context_bytes.min(exact_context_bytes(0)),
            ))
        },
    },
    // Levels 1-6 spend order 1's time on the shape model instead: the last byte also selects
    // the order-1 APM and, in binary data, a weight set (wiki4m at level 6: shape -1.36%,
    // order 1 -0.30%). Text leaves it out at level 9 (see TEXT_LEVELS).
    ModelSpec {
        name: "order1",
        min_level: 7,
        build: |s| {
            Box::new(OrderModel::new(
                1,
                s.context_bytes.min(exact_context_bytes(1)),
            ))
        },
    },
    ModelSpec {
        name: "order2",
        min_level: 1,
        build: |s| {
            Box::new(OrderModel::new(
                2,
                s.context_bytes.min(exact_context_bytes(2)),
            ))
        },
    },
    ModelSpec {
        name: "order3",
        min_level: 1,
        build: |s| Box::new(OrderModel::new(3, s.context_bytes)),
    },
    ModelSpec {
        name: "order4",
        min_level: 1,
        build: |s| Box::new(OrderModel::new(4, s.context_bytes)),
    },
    ModelSpec {
        name: "order5",
        min_level: 7,
        build: |s| Box::new(OrderModel::new(5, s.context_bytes)),
    },
    // Text leaves order 6 out at level 9 (see TEXT_LEVELS).
    ModelSpec {
        name: "order6",
        min_level: 3,
        build: |s| Box::new(OrderModel::new(6, s.full_below_max(8))),
    },
    // A sixteenth table: it gains least of the orders (wiki4m +0.016% without it), and inputs
    // under 4 MiB fill no more.
    ModelSpec {
        name: "order7",
        min_level: 9,
        build: |s| Box::new(OrderModel::new(7, s.share(16))),
    },
    // Level 9: the contexts of the last 10 to 64 bytes ([`LONG_ORDERS`]), in sixteenth tables
    // (347 MB on 1 GB with their mixer weights).
    ModelSpec {
        name: "long-orders",
        min_level: 9,
        build: |s| Box::new(LongOrderModel::new(&LONG_ORDERS, s.share(16))),
    },
    ModelSpec {
        name: "word1",
        min_level: 1,
        build: |s| Box::new(WordModel::new(1, s.context_bytes, s.word_context_classes)),
    },
    // Text only (see TEXT_ONLY). The word so far, read by the plain letter classes even in
    // transformed text (see `WordModel::prefix`), in a quarter table, at level 9 a sixteenth:
    // level 9's engine on 1 GB is then 12.6 MB under the prize's memory (see
    // `level_9_fits_the_prize_memory_on_a_gigabyte`). wiki4m fills no more, so the sixteenth's
    // cost where the input fills more (wiki-dev, enwik9) is not measured. Measured on wiki4m,
    // with the match model's byte-pair context: level 7 -0.24%, level 8 -0.106%, level 9 -0.075%.
    // Levels 1-6 leave it out, whose speed the score gate holds (level 6 on wiki4m: -0.23%; its
    // time there not measured).
    ModelSpec {
        name: "word-prefix",
        min_level: 7,
        build: |s| {
            Box::new(WordModel::prefix(
                s.share_by_level(4, 16),
                default_classes(),
            ))
        },
    },
    ModelSpec {
        name: "word2",
        min_level: 3,
        build: |s| {
            Box::new(WordModel::new(
                2,
                s.full_below_max(8),
                s.word_context_classes,
            ))
        },
    },
    ModelSpec {
        name: "word3",
        min_level: 7,
        build: |s| Box::new(WordModel::new(3, s.context_bytes, s.word_context_classes)),
    },
    // A quarter table at level 9, where the engine's token weight set takes the memory (on 1 GB;
    // inputs under about 16 MB fill no more than a quarter).
    ModelSpec {
        name: "word-skip",
        min_level: 8,
        build: |s| {
            Box::new(WordModel::skipping(
                s.share_by_level(2, 4),
                s.word_context_classes,
            ))
        },
    },
    ModelSpec {
        name: "text",
        min_level: 8,
        build: |s| Box::new(TextModel::new(s.share(4), s.word_context_classes)),
    },
    // The number, sentence, indirect and structure models take eighth-size tables: at a
    // quarter (with word-indirect's), level 9's engine on 1 GB would take 0.98 GB more (format
    // version 26), over what the prize's 10 GB leave beside the transformed text once the
    // lexical model has its eighths. The eighth binds only where the input fills the level's
    // tables (on wiki4m at level 9 under format version 8, when it bound there too, it cost
    // 0.02%; wiki-dev fills no more than an eighth).
    ModelSpec {
        name: "number",
        min_level: 8,
        build: |s| Box::new(NumberModel::new(s.share(8), s.word_context_classes)),
    },
    ModelSpec {
        name: "sentence",
        min_level: 8,
        build: |s| Box::new(SentenceModel::new(s.share(8), s.word_classes)),
    },
    // At level 9 in place of a word4 model (the current word and three before it), which gained
    // least of the word models (wiki4m: 0.035%) and whose memory this takes (the engine's
    // budget on 1 GB was then 8 GB). New at level 8.
    ModelSpec {
        name: "word-indirect",
        min_level: 8,
        build: |s| Box::new(WordIndirectModel::new(s.share(8), s.word_context_classes)),
    },
    ModelSpec {
        name: "sparse",
        min_level: 8,
        build: |s| Box::new(SparseModel::new("sparse", &TEXT_MASKS, s.share(4))),
    },
    ModelSpec {
        name: "sparse-far",
        min_level: 9,
        build: |s| Box::new(SparseModel::new("sparse-far", &MORE_TEXT_MASKS, s.share(4))),
    },
    ModelSpec {
        name: "indirect",
        min_level: 8,
        build: |s| Box::new(IndirectModel::new(s.share(8))),
    },
    ModelSpec {
        name: "structure",
        min_level: 8,
        build: |s| Box::new(StructureModel::new(s.share(8))),
    },
    // Text only (see TEXT_ONLY): 25 contexts after paq8px's word, text and character-group
    // models, which level 9 on 1 GB has room for because order 6 and word2 take an eighth of
    // their tables there (`ModelParams::full_below_max`) and text leaves order 6 out
    // (TEXT_LEVELS). At level 9 on wiki4m the first twenty gained 2.0% together, for about 1.8
    // times the time (40.5 s against 20-23 s). Lexical's tables are eighths, runs' sixteenths:
    // wiki4m fills no more than a sixteenth, but on wiki-dev at format version 26 eighths took
    // 0.045% off for lexical (2,083,686 bytes against 2,084,629) and 0.014% for runs, which cost
    // 453 and 491 MB more on 1 GB; lexical's fit once the input's pages were released.
    ModelSpec {
        name: "lexical",
        min_level: 9,
        build: |s| Box::new(LexicalModel::new(s.share(8), s.word_context_classes)),
    },
    ModelSpec {
        name: "runs",
        min_level: 9,
        build: |s| Box::new(RunsModel::new(s.share(16), s.word_context_classes)),
    },
    // Direct counters on the last one, two and three bytes (see `aizip_models::direct`):
    // wiki-dev -0.39% at level 7, -0.22% at 8, -0.19% at 9; at level 7 book1 -0.68%,
    // kennedy.xls -1.6%, at level 9 -0.14% and -0.3%. At the default level wiki-dev -0.50%, but
    // for 14.5% more simulated cycles (`ci/score`'s cost on enwik8-head), so levels 1-6 leave
    // it out. Tables: a ⅛ share each for orders 2 and 3 (on 1 GB 80 MiB in all at level 9).
    ModelSpec {
        name: "direct",
        min_level: 7,
        build: |s| Box::new(DirectModel::new(s.share(8))),
    },
    // Two DMC graphs (see `aizip_models::dmc`): wiki4m -0.44% at level 7, -0.25% at 8, -0.17%
    // at 9. A quarter of the level's table below level 9 (32 and 64 MiB), of which a short input
    // touches only what it fills. Level 9 runs a third graph in an eighth (64 MiB: 0.027% more
    // off wiki4m than two graphs in a sixteenth).
    // The default level would gain more (with 32 MiB: wiki4m -1.06%, enwik8-head -1.36%), but
    // with 48 MiB it took a third more time (3.6-3.7 s on wiki4m against 2.6-2.8 s): each graph
    // reads a node a bit, at random once the graph outgrows the caches.
    ModelSpec {
        name: "dmc",
        min_level: 7,
        build: |s| {
            let (share, graphs) = if s.max_level { (8, 3) } else { (4, 2) };
            Box::new(DmcModel::new(s.level_share(share), graphs))
        },
    },
    // Level 9: a recurrent network of LSTM_CELLS cells that predicts the next byte's
    // distribution and learns it online (see `aizip_models::lstm`). Its errors are not the
    // counters': wiki4m -0.47% for 2.7 times the time (see `LSTM_CELLS`), enwik8-head -0.14%,
    // book1 -0.62%, alice29 -0.08%, and binary data more (kennedy.xls -11.4%, obj2 -1.7%, ptt5
    // -0.66%, geo -0.32%). Format version 29 lets its step size fall, gives the mixer its
    // probability as well as its logit, selects a weight set by the byte it expects (see
    // `engine::LSTM_SET`) and names two contexts from the byte it finds likeliest: wiki4m
    // 673,463 bytes against 674,173 (-0.105%) in 116.6-119.0 s against 119.8; enwik8-head
    // 71,064 against 70,943 (+0.17%, but see `LSTM_CELLS` for what the starting weights move).
    // Format version 30 bounds its weights, which had grown with the text (see
    // `GATE_WEIGHT_LIMIT` in `aizip_models::lstm`): wiki-dev -0.037%, wiki4m the same.
    // Format version 31 decays its recurrent weights, which kept the 160-cell network from
    // losing itself with the three seeds tried on wiki4m (see `RECURRENT_WEIGHT_DECAY` there),
    // and runs 160 cells instead of 128: wiki4m -0.18% for a third more time (see `LSTM_CELLS`).
    ModelSpec {
        name: "lstm",
        min_level: 9,
        build: |s| {
            Box::new(LstmModel::new(
                LSTM_CELLS,
                s.simd != Simd::Scalar,
                s.share(16),
            ))
        },
    },
    ModelSpec {
        name: "shape",
        min_level: 1,
        build: |s| Box::new(ShapeModel::new(s.share(4))),
    },
    ModelSpec {
        name: "match",
        min_level: 1,
        build: |s| {
            let model = if s.context_detail == Detail::Rich {
                let pair_bytes = s.share_by_level(4, 16);
                MatchModel::with_context(s.match_bits, s.share(4), pair_bytes)
                    .with_expected_context()
            } else {
                MatchModel::new(s.match_bits)
            };
            Box::new(model.with_min_match(s.match_min))
        },
    },
    // The latest repeat of the last 12 bytes, where `match` follows the latest of 6 (w2m at
    // level 9: -0.10%; 9, 16, 20 and 32 bytes gained less). Its expected byte's context took
    // 0.012% more off wiki4m (671,978 bytes against 672,063, with the match model's, in a trial
    // before the predictions while recovering); a context of its expected byte, length bucket
    // and last byte as well, at a ¼ table, took only 8 bytes more off.
    ModelSpec {
        name: "match-long",
        min_level: 9,
        build: |s| Box::new(MatchModel::long(s.match_bits - 2, 12).with_expected_context()),
    },
];

/// Models that text runs at other levels than [`ModelSpec::min_level`]..=[`MAX_LEVEL`], and the
/// levels it runs them at: text here is a block the dictionary transform coded or that is primed
/// (see [`EngineConfig::is_text`]).
///
/// Order 4 gains least of the default level's models on text (level 6 on wiki-dev: +0.50%
/// without it, enwik8-head +0.80%, book1 +0.55%, alice29 +0.67%) and costs as much time as any
/// other context: without it the default level compresses wiki-dev in 6% less time on two
/// threads (medians of five alternating rounds: 0.70 × `xz -9`'s time, against 0.74). Binary
/// data needs it (kennedy.xls +3.2%, obj2 +1.0%).
///
/// At level 9 the text models' contexts know what order 6 does (without it: wiki4m +0.009%,
/// alice29 +0.015%, book1 +0.03%), and its table is what lets the runs model's word-class
/// contexts fit the prize's memory on 1 GB. Binary data keeps it. (Word2 gains as little on
/// wiki4m, but 0.09% on alice29 and book1.)
///
/// At level 9 order 1 gains nothing on text: the direct model's counters on the last bytes, the
/// shape model, the order-1 APM and the strong levels' many contexts know what it does. In
/// `aizip ablate` on wiki4m at format version 34 it gained 1 byte for 8.4 cpu seconds; without
/// it, wiki4m took 669,423 bytes against 669,424, enwik8-head 70,851 against 70,853, book1
/// 183,498 against 183,508 and alice29 33,123 against 33,128. Order 2 (0.010% for 13.4 s in
/// that run) stays: without both, wiki4m took 669,482 bytes (+0.009%), though book1 183,471 and
/// alice29 33,117, and compressing wiki4m on two threads took no less time (136.8 s against
/// 136.4 s, one after the other). Binary data keeps order 1.
pub const TEXT_LEVELS: &[(&str, RangeInclusive<u8>)] = &[
    ("order1", 7..=MAX_LEVEL - 1),
    ("order4", DEFAULT_LEVEL + 1..=MAX_LEVEL),
    ("order6", 3..=MAX_LEVEL - 1),
];

/// The orders of the long-orders model. Measured at level 9 on wiki4m, with the third DMC graph
/// and the surroundings' APM (677,684 bytes without any), in trial builds whose hash met the
/// last byte and the ninth back only as their sum: these eight -0.047% (677,367 bytes); 12, 16
/// and 24 -0.021%; 10, 12, 16 and 24 -0.027%; 10, 12, 16, 20 and 32 -0.034%; 10, 12, 14, 16,
/// 20, 24 and 32 -0.039%; with 48 too -0.045%; these eight and 14 -0.048%. With the hash fixed,
/// these eight gave 677,358 bytes (-0.048%).
const LONG_ORDERS: [u32; 8] = [10, 12, 16, 20, 24, 32, 48, 64];

/// The cells of the LSTM model's network (a multiple of 32). Measured at level 9 on wiki4m, which
/// took 677,358 bytes and 44 s to compress without the model. In trial builds that updated every
/// input row and had no floor on the logits, at a learning rate of 0.01: 32 cells 675,970 bytes, 64
/// 675,069. With the lazy rows: 64 cells at 0.005 675,177, at 0.02 675,699, with a window of 10
/// bytes 675,722; 96 cells 674,525 (96 s), 128 674,380 (115 s), 192 674,873 (197 s); 128 with a
/// window of 40 bytes 674,570, at 0.015 677,113 in 270 s (subnormal numbers, see
/// `aizip_models::lstm`). With the floor, 128 cells: 674,192 bytes (-0.47%) in 122.5 s, at 0.015
/// 674,962; with the bit predictions read from a pairwise tree instead of a running sum (whose
/// differences lose a small range's probability to rounding), 674,173 in 119.8 s. With format
/// version 29's step sizes, inputs and contexts (673,458 bytes in that trial, whose confidence
/// context had a 32 MiB table; 673,464 with the committed 557 KB, 673,463 once the second input
/// kept to the stretch domain): 192 cells 673,085 (-0.055%) in 182 s against 107 s, but 160 cells
/// 677,354, about what the model set gives without the network (its weights kept growing: the
/// largest output weight 12.7 after 131,072 bytes, 31.7 after 1.3 MB). One size that gains and the
/// next that fails is no ground for 70% more time. The starting weights' seed moves the result:
/// with seeds 12345 and 987654321 in place of 0x2545F491 (before the second input kept to the
/// stretch domain), wiki4m 673,455 and 673,666 bytes against 673,464; enwik8-head 70,988 and 71,013
/// against 71,062 (seed 1: 71,032), so differences of 0.1% there, 0.03% on wiki4m, are noise (seed
/// 12345 at format version 29: bible.txt 593,069 against 592,767, kennedy.xls 9,784 against
/// 10,060). Format version 30 bounds the weights (see `aizip_models::lstm`), which kept 160 cells
/// from failing with two seeds: 673,335 and 673,044 bytes (128 cells: 673,606 and 673,289; -0.04%)
/// for 12-25% more time in runs beside others, with ±4 on every weight 673,559; 192 cells with the
/// gate weights to ±4 and the output weights to ±8, 673,120 (128 cells: 673,541), with both to ±8,
/// 673,285 (128 cells: 673,404): still no clear gain for 70% more time. But 160 cells with a third
/// seed (987654321) lost the network again (677,499 bytes; 128 cells 674,038), which format version
/// 31's decay of the recurrent weights prevented with every seed tried (see `aizip_models::lstm`):
/// with it, 160 cells give 672,410, 672,268 and 672,585 bytes with the three seeds, against
/// 673,606, 674,038 and 673,289 at 128 cells without it (-0.18% on average; 128 cells with it
/// 673,547 with the committed seed), in 170.6 s against 127.9 s (+33%), one after the other between
/// two runs of `xz -9` (2.25 and 2.37 s). 192 cells with the decay gave 671,994, 672,131 and
/// 672,123 bytes with the three seeds (-0.050% on average), but one after the other between two
/// runs of `xz -9` (2.47 and 2.65 s) took 249.5 s to compress against 160 cells' 198.5 s (+26%;
/// 97 × `xz -9` against 78 ×) and 319.3 s to decompress against 265.6 s (+20%): a poorer trade
/// than the network's own (0.75% for 145 of the 676 cpu seconds of an `aizip ablate` run), left
/// for when the time has nothing better to buy.
pub const LSTM_CELLS: usize = 160;

/// Models that binary data never runs: they read words, lines and markup. At level 9 lexical and
/// runs cost kennedy.xls 2.1%, ptt5 0.2% and geo 0.1% (and gained obj2 1.8%); at level 8
/// word-prefix cost kennedy.xls 19 bytes and ptt5 14 and gained obj2 2 and geo 1.
pub const TEXT_ONLY: &[&str] = &["lexical", "runs", "word-prefix"];

/// Whether `level` runs `spec` on a block that is `text` or binary data.
pub fn runs_at(spec: &ModelSpec, text: bool, level: u8) -> bool {
    if !text {
        return level >= spec.min_level && !TEXT_ONLY.contains(&spec.name);
    }
    TEXT_LEVELS
        .iter()
        .find(|(name, _)| *name == spec.name)
        .map_or(level >= spec.min_level, |(_, levels)| {
            levels.contains(&level)
        })
}

/// Compression levels: 1 (fastest, least memory) ..= 9 (strongest).
pub const MIN_LEVEL: u8 = 1;
/// See [`MIN_LEVEL`].
pub const MAX_LEVEL: u8 = 9;
/// The level used when none is given.
pub const DEFAULT_LEVEL: u8 = 6;
/// The lowest level whose encoder primes text ([`EngineConfig::primed`]); a decoder refuses a
/// primed block below it. The primer costs a block a fixed time, what coding 111 KB takes
/// (0.15-0.25 s at levels 1-6; at level 9, where the LSTM model learns it too, 4-5 s at format
/// version 28 and about 10 s at version 31): the fastest levels leave it out, though it would gain
/// there too (level 1: alice29 -1.7%, enwik8-head -2.8%, grammar.lsp -11%, but 0.02 s became 0.22 s
/// on that one).
pub const MIN_PRIMED_LEVEL: u8 = 3;

/// What the engine is built from: the level, the length of the coded text, its word classes, and
/// models switched off.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    pub level: u8,
    pub input_len: u64,
    pub word_classes: [ByteClass; 256],
    /// As `word_classes`, but the 1-byte codes of XML entities (`&quot;`, `&amp;`, `&lt;`,
    /// `&gt;`, `&nbsp;`, those frequent enough for one) are separators, like the punctuation
    /// they stand for: the classes of the models that read words (word1-3, word-skip, text,
    /// number, word-indirect, lexical, runs), whose contexts then reach past an entity to the
    /// words around it, and in which the runs model sees `&quot;` as a symbol of its own, not as
    /// a word. Against version 33, on wiki4m: level 6 -0.19%, level 8 -0.12% (trial builds),
    /// level 9 -0.238%; wiki-dev at level 6 -0.17%. word1-3 and text alone took 0.10% off at
    /// level 8; word-skip and word-indirect 0.009% each; lexical 0.105% at level 9, runs 0.056%,
    /// number 28 bytes at level 8 and 17 at level 9. The sentence model and the engine's tokens and
    /// brackets keep reading them as words: as separators, the sentence model lost 6 to 38 bytes
    /// at level 8 and 10 at level 9, and every reader, the engine's tokens included, lost 0.05%
    /// at level 8 against the models alone. Not taken either: twenty frequent function words
    /// (`the`, `of`, `and`, …) among the 1-byte codes as separators for word1-3 and text too,
    /// which took 78 bytes more off wiki4m at level 8 and 0.22% off bible.txt but cost book1
    /// 0.073%.
    pub word_context_classes: [ByteClass; 256],
    /// Whether the coded text is the dictionary transform's output (with `word_classes` from its
    /// code space): see [`EngineConfig::with_code_space`].
    pub transformed: bool,
    /// Whether the engine learns the primer (the dictionary's built-in word list and a few wiki
    /// pages, see `engine::primer`) before the text: the encoder primes text from
    /// [`MIN_PRIMED_LEVEL`] on, where the dictionary transform applies
    /// (whether or not it is applied), and not binary data, where the primer costs (kennedy.xls
    /// +1.4% at level 6); the block header records it.
    pub primed: bool,
    /// Names of models to leave out (for ablation studies; such archives need the same setting).
    pub disabled: Vec<String>,
    /// Whether the tables may use huge pages (see `aizip_models::table::with_huge_pages`): by
    /// default when the coded text is at least [`HUGE_PAGE_INPUT`] long. A decoder also asks the
    /// stream to prove that length. It changes speed and memory, never the coded bits.
    pub huge_pages: bool,
}

/// Coded text from which the engine's tables use huge pages.
pub const HUGE_PAGE_INPUT: u64 = 1 << 16;

impl EngineConfig {
    /// The configuration for text the dictionary transform coded with `space`, or for
    /// untransformed data (`None`): the word classes and the transformed flag, which encoder and
    /// decoder must set alike.
    pub fn with_code_space(self, space: Option<&CodeSpace>) -> Self {
        EngineConfig {
            word_classes: space.map_or_else(default_classes, |s| s.classes(EntityCodes::Words)),
            word_context_classes: space
                .map_or_else(default_classes, |s| s.classes(EntityCodes::Separators)),
            transformed: space.is_some(),
            ..self
        }
    }

    pub fn new(level: u8, input_len: u64) -> Self {
        EngineConfig {
            level,
            input_len,
            word_classes: default_classes(),
            word_context_classes: default_classes(),
            transformed: false,
            primed: false,
            disabled: Vec::new(),
            huge_pages: input_len >= HUGE_PAGE_INPUT,
        }
    }

    /// Table sizes: each level doubles the context tables (2 MiB at level 1, 256 MiB at 8,
    /// 512 MiB at 9), but no table is larger than the input (and the primer, if primed) could
    /// fill.
    pub fn params(&self) -> ModelParams {
        let level = self.level.clamp(MIN_LEVEL, MAX_LEVEL) as u32;
        // A primed engine's tables hold at least what the primer teaches (tiny texts at level 9:
        // 2-4% smaller archives than with tables sized for the text alone). Sized for the text
        // and the primer together, wiki-dev.xml at level 9 would cross a doubling: 4.6 GB.
        let primer = crate::engine::primer_of(self).len() as u64;
        let len = self.input_len.max(primer).clamp(1, 1 << 40) as usize;
        // Each byte touches two nibble slots (16 bytes each) per context, but most contexts
        // repeat: half of that loses 0.02-0.05% on 1-4 MB of text and halves the memory (the
        // kernel's zeroing of fresh pages is a large part of the time on small inputs). At
        // format version 31, wiki4m at level 8: with 32 bytes per byte -0.019% for 41% more
        // peak memory, with 64 -0.024% for twice the peak memory.
        let fill_bytes = (len * 16).next_power_of_two().max(MIN_TABLE_BYTES);
        let level_bytes = 1usize << (20 + level);
        let context_bytes = level_bytes.min(fill_bytes);
        let match_bits = (15 + level)
            .min(usize::BITS - len.leading_zeros() + 1)
            .max(12);
        let history_bytes = len.min(1 << (23 + level)).max(1 << 12);
        ModelParams {
            context_bytes,
            level_bytes,
            fill_bytes,
            max_level: level == MAX_LEVEL as u32,
            match_bits,
            history_bytes,
            // The rich maps' run tables already follow short repeats: from RICH_LEVEL on the
            // shorter key gained 0.03-0.06% on wiki4m and small texts and lost 0.02% on
            // wiki-dev and bible.txt at level 9.
            match_min: if self.transformed && self.level < RICH_LEVEL {
                MIN_MATCH_TRANSFORMED
            } else {
                MIN_MATCH
            },
            word_classes: self.word_classes,
            word_context_classes: self.word_context_classes,
            context_detail: if self.level >= RICH_LEVEL {
                Detail::Rich
            } else {
                Detail::Plain
            },
            simd: Simd::Scalar,
        }
    }

    /// Bytes this configuration's engine allocates: context tables (with run tables), the
    /// models' own tables, what the text fills of the history, mixer weights and APM tables
    /// (what is left, state maps and buffers, about a megabyte at level 9, is not counted).
    /// While it codes, the process also holds the transformed text, or untransformed, the input
    /// (a memory-mapped input's pages are released once the transform has copied it, see
    /// [`crate::compress_releasing`]); `aizip` at level 9 on a 1 GB input must stay under the
    /// prize's 10 GB.
    pub fn engine_bytes(&self) -> u64 {
        let params = self.params();
        let models = self.models();
        let tables: usize = models
            .iter()
            .flat_map(|m| m.context_tables())
            .map(|bytes| ContextMap::allocated_bytes(bytes, params.context_detail))
            .sum();
        let own: usize = models.iter().map(|m| m.own_bytes()).sum();
        // Only the pages of the history's ring that the primer and the text reach become
        // resident: on 1 GB at levels 7-9 the ring is 2^30 bytes, of which the text fills 10^9.
        let pushed = (crate::engine::primer_of(self).len() as u64).saturating_add(self.input_len);
        let history = (History::ring_bytes(params.history_bytes) as u64).min(pushed) as usize;
        let mixing = crate::engine::mixing_bytes(
            self.level,
            self.is_text(),
            crate::engine::mixer_inputs(&models, params.context_detail),
        );
        (tables + own + history + mixing) as u64
    }

    /// Whether the coded block is text (transformed or primed), for [`TEXT_LEVELS`]: both
    /// are in the block header, so a decoder knows it as the encoder did.
    pub fn is_text(&self) -> bool {
        self.transformed || self.primed
    }

    /// The models of this configuration, in mixer-input order, on the portable path: for what
    /// they are (names, sizes, inputs), which no path changes.
    pub fn models(&self) -> Vec<Box<dyn Model>> {
        self.models_on(Simd::Scalar)
    }

    /// The models of this configuration, in mixer-input order, on the instruction-set path
    /// `simd`: for an engine.
    pub fn models_on(&self, simd: Simd) -> Vec<Box<dyn Model>> {
        let params = ModelParams {
            simd,
            ..self.params()
        };
        MODEL_SET
            .iter()
            .filter(|spec| {
                runs_at(spec, self.is_text(), self.level)
                    && !self.disabled.iter().any(|d| d == spec.name)
            })
            .map(|spec| (spec.build)(&params))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aizip_dict::WordCodec;

    #[test]
    fn names_match_the_models() {
        let params = EngineConfig::new(MAX_LEVEL, 1000).params();
        for spec in MODEL_SET {
            assert_eq!(spec.name, (spec.build)(&params).name());
        }
    }

    #[test]
    fn level_9_fits_the_prize_memory_on_a_gigabyte() {
        const GB: u64 = 1_000_000_000;
        // Beside the engine, the transformed text (at worst as long as the input: the input's
        // pages are released once it is made, see `compress_releasing`), or untransformed, the
        // input itself.
        let around_engine = GB;
        // Text (here primed) and binary data run different model sets: the larger counts.
        let text_and_binary = |level: u8| {
            let binary = EngineConfig::new(level, GB);
            let text = EngineConfig {
                primed: true,
                ..binary.clone()
            };
            (text.engine_bytes(), binary.engine_bytes())
        };
        let largest = |level: u8| {
            let (text, binary) = text_and_binary(level);
            text.max(binary)
        };
        let engine = largest(MAX_LEVEL);
        // The README's "engine on a 1 GB input" column (`-- --nocapture` shows it).
        for level in MIN_LEVEL..=MAX_LEVEL {
            let (text, binary) = text_and_binary(level);
            let bytes = text.max(binary);
            eprintln!("level {level}: engine on 1 GB: {bytes} bytes (binary data: {binary})");
        }
        assert!(engine + around_engine <= 10 * GB, "{engine} bytes");
        // And it uses most of it.
        assert!(engine + around_engine >= 8 * GB, "{engine} bytes");
        for level in MIN_LEVEL..MAX_LEVEL {
            assert!(largest(level) < engine);
        }
    }

    #[test]
    fn transformed_text_has_the_shorter_match_key_below_the_rich_levels() {
        let mut config = EngineConfig::new(6, 1 << 20);
        assert_eq!(config.params().match_min, MIN_MATCH);
        let (codec, _) =
            WordCodec::transform(&b"the word and the other word ".repeat(4000)).unwrap();
        config = config.with_code_space(Some(codec.space()));
        assert_eq!(config.params().match_min, MIN_MATCH_TRANSFORMED);
        config.level = RICH_LEVEL;
        assert_eq!(config.params().match_min, MIN_MATCH);
    }

    #[test]
    fn text_runs_the_binary_set_but_for_its_own_levels_and_models() {
        let names = |config: &EngineConfig| -> Vec<String> {
            config.models().iter().map(|m| m.name()).collect()
        };
        let (codec, _) =
            WordCodec::transform(&b"the word and the other word ".repeat(4000)).unwrap();
        for level in MIN_LEVEL..=MAX_LEVEL {
            let binary = EngineConfig::new(level, 1 << 20);
            let primed = EngineConfig {
                primed: true,
                ..binary.clone()
            };
            let transformed = binary.clone().with_code_space(Some(codec.space()));
            assert!(!binary.is_text());
            let mut expected = names(&binary);
            assert!(!expected.iter().any(|n| TEXT_ONLY.contains(&n.as_str())));
            // Text leaves out order 4 up to the default level, orders 1 and 6 at 9.
            let text_leaves_out: &[&str] = match level {
                ..=DEFAULT_LEVEL => &["order4"],
                MAX_LEVEL => &["order1", "order6"],
                _ => &[],
            };
            for name in text_leaves_out {
                assert!(expected.iter().any(|n| n == name), "level {level}: {name}");
                expected.retain(|n| n != name);
            }
            for text in [primed, transformed] {
                assert!(text.is_text());
                let mut text_names = names(&text);
                let text_only = text_names
                    .iter()
                    .filter(|n| TEXT_ONLY.contains(&n.as_str()))
                    .count();
                let text_only_here = MODEL_SET
                    .iter()
                    .filter(|spec| TEXT_ONLY.contains(&spec.name) && level >= spec.min_level)
                    .count();
                assert_eq!(text_only, text_only_here, "level {level}");
                text_names.retain(|n| !TEXT_ONLY.contains(&n.as_str()));
                assert_eq!(text_names, expected, "level {level}");
            }
        }
    }

    #[test]
    fn exactly_the_word_context_models_read_entity_codes_as_punctuation() {
        let text = b"She said &quot;the word&quot; and the other &amp; word. ".repeat(2000);
        let (codec, transformed) = WordCodec::transform(&text).unwrap();
        assert_eq!(codec.space().entity_singles, 2);
        let config = EngineConfig::new(MAX_LEVEL, 1 << 16).with_code_space(Some(codec.space()));
        let separating = config.params();
        assert_eq!(
            separating.word_classes,
            codec.space().classes(EntityCodes::Words)
        );
        assert_eq!(
            separating.word_context_classes,
            codec.space().classes(EntityCodes::Separators)
        );
        let as_words = ModelParams {
            word_context_classes: separating.word_classes,
            ..separating
        };
        // Every context each model names over the last 600 bytes (the listed words come first).
        let contexts_named = |spec: &ModelSpec, params: &ModelParams| {
            let mut model = (spec.build)(params);
            let body = &transformed[transformed.len() - 600..];
            let mut history = History::new(body.len());
            let mut contexts = vec![0u64; model.context_tables().len()];
            let mut named = Vec::new();
            for &byte in body {
                history.push(byte);
                model.update_byte(&history, &mut contexts);
                named.extend_from_slice(&contexts);
            }
            named
        };
        let readers: Vec<&str> = MODEL_SET
            .iter()
            .filter(|spec| contexts_named(spec, &separating) != contexts_named(spec, &as_words))
            .map(|spec| spec.name)
            .collect();
        assert_eq!(
            readers,
            [
                "word1",
                "word2",
                "word3",
                "word-skip",
                "text",
                "number",
                "word-indirect",
                "lexical",
                "runs"
            ]
        );
    }

    #[test]
    fn every_text_level_names_a_model_and_narrows_its_levels() {
        for (name, levels) in TEXT_LEVELS {
            let spec = MODEL_SET.iter().find(|s| s.name == *name);
            assert!(
                spec.is_some_and(|s| s.min_level <= *levels.start()
                    && *levels.end() <= MAX_LEVEL
                    && *levels != (s.min_level..=MAX_LEVEL)),
                "{name}"
            );
        }
        for name in TEXT_ONLY {
            assert!(MODEL_SET.iter().any(|s| s.name == *name), "{name}");
        }
    }

    #[test]
    fn tables_never_exceed_what_the_input_needs() {
        let small = EngineConfig::new(9, 1000).params();
        assert!(small.context_bytes <= 1 << 16);
        let big = EngineConfig::new(9, 1 << 30).params();
        assert_eq!(big.context_bytes, 1 << 29);
    }

    #[test]
    fn a_primed_engine_has_tables_for_at_least_the_primer() {
        let tables = |len: u64, primed| {
            EngineConfig {
                primed,
                ..EngineConfig::new(9, len)
            }
            .params()
            .context_bytes
        };
        let primer = crate::engine::primer().len() as u64;
        assert_eq!(tables(100, true), tables(primer, false));
        assert!(tables(100, false) < tables(primer, false));
        // A text longer than the primer sizes its tables alone.
        assert_eq!(tables(10_000_000, true), tables(10_000_000, false));
    }

    #[test]
    fn shared_tables_grow_on_small_inputs_up_to_half_the_fill() {
        // On a gigabyte the level's share binds (what the prize's memory allows)...
        let big = EngineConfig::new(9, 1 << 30).params();
        assert_eq!(big.share(8), 1 << 26);
        // ... on 4 MB half of the 64 MiB the input could fill: 32 MiB.
        let small = EngineConfig::new(9, 4_000_000).params();
        assert_eq!(small.context_bytes, 1 << 26);
        assert_eq!(small.share(8), 1 << 25);
        assert_eq!(small.share(2), 1 << 25);
        assert_eq!(EngineConfig::new(9, 10).params().share(8), MIN_TABLE_BYTES);
    }

    #[test]
    fn no_length_makes_an_engine_larger_than_a_longer_one() {
        // A decoder sizes its engine from the length a header claims: a level's allocation must
        // grow with the length, up to what a gigabyte gets.
        for level in MIN_LEVEL..=MAX_LEVEL {
            let mut last = 0;
            for len in [
                0,
                10,
                5_000,
                1 << 16,
                300_000,
                4_000_000,
                40_000_000,
                1 << 30,
            ] {
                let bytes = EngineConfig::new(level, len).engine_bytes();
                assert!(
                    bytes >= last,
                    "level {level}, {len} bytes: {bytes} < {last}"
                );
                last = bytes;
            }
        }
    }
}
