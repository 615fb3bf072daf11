//! What each fuzz target checks, in one place: the targets in `fuzz/` call these, and the test
//! suite replays the fuzzers' saved inputs through them (`tests/fuzz_corpus.rs`), so a target and
//! its replay can never drift apart. Each function panics exactly when its property fails.

use crate::{
    compress_to_vec, decompress_to_vec, inspect, Dictionary, Options, MAX_LEVEL, MIN_LEVEL,
};
use aizip_dict::{CodeSpace, WordCodec};

/// `round_trip`: any input survives compression and decompression, with and without the
/// dictionary transform, and compression on two threads writes the one-thread archive. The
/// first byte picks the level (so every level's models are fuzzed) and whether text is primed;
/// the rest is the input.
pub fn round_trip(data: &[u8]) {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let level = MIN_LEVEL + selector % (MAX_LEVEL - MIN_LEVEL + 1);
    for dictionary in [Dictionary::Forced, Dictionary::Off] {
        let options = Options {
            level,
            dictionary,
            pipeline: true,
            primer: selector >= FIRST_PRIMING_SELECTOR && level < MAX_LEVEL,
            ..Options::default()
        };
        let archive = compress_to_vec(input, &options).expect("compression of a slice cannot fail");
        let one_thread = Options {
            pipeline: false,
            ..options.clone()
        };
        assert!(
            compress_to_vec(input, &one_thread).expect("compression of a slice cannot fail")
                == archive,
            "the two-thread archive differs at level {}",
            options.level
        );
        let restored = decompress_to_vec(&archive).expect("own archive must decode");
        assert!(
            restored == input,
            "round trip differs at level {}",
            options.level
        );
    }
}

/// The selectors from this one up prime text: the top nine, one per level, but levels 1-2 never
/// prime and level 9 is not primed here. Priming is a fixed cost, paid six times per input here,
/// and the fuzzer's time is better spent on the inputs themselves: the primer's code path is the
/// same for any input and at any level. At level 9, where the LSTM model learns the primer too,
/// that cost is about 10 s a block in a release build, and one input took 579 s under CI's
/// sanitizer, near libFuzzer's 1,200 s limit per input. The unit tests round-trip a primed
/// level-9 text with and without the transform, on one thread and on two
/// (`pipelined_compression_writes_the_single_thread_archive` in `lib.rs`).
const FIRST_PRIMING_SELECTOR: u8 = u8::MAX - (MAX_LEVEL - MIN_LEVEL);

/// `decompress`: arbitrary bytes decompress to an error or some output, never a panic or a hang;
/// [`inspect`] reads them without a panic too, and for an archive that decodes it accounts for
/// every byte of the archive and of the original.
pub fn decompress(data: &[u8]) {
    let info = inspect(data);
    if let Ok(original) = decompress_to_vec(data) {
        let info = info.expect("an archive that decodes has readable headers");
        assert_eq!(info.archive_len, data.len() as u64);
        let restored: u64 = info
            .blocks
            .iter()
            .map(|(block, _)| block.original_len)
            .sum();
        assert_eq!(restored, original.len() as u64);
    }
}

/// `dict_decode`: the dictionary transform's decoder on arbitrary bytes (the first read as a
/// code space, the rest as transformed text) returns an error or some output, never panics.
pub fn dict_decode(data: &[u8]) {
    if let Ok((space, used)) = CodeSpace::from_bytes(data) {
        let _ = WordCodec::for_decoding(space).decode(&data[used..]);
    }
}
