//! Any input survives compression and decompression, with and without the dictionary transform.
//! The first byte picks the level (1-9, so the strong levels' models are fuzzed too); the rest is
//! the input.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let level = aizip::MIN_LEVEL + selector % aizip::MAX_LEVEL;
    for dictionary in [aizip::Dictionary::Forced, aizip::Dictionary::Off] {
        let options = aizip::Options {
            level,
            dictionary,
            ..aizip::Options::default()
        };
        let archive =
            aizip::compress_to_vec(input, &options).expect("compression of a slice cannot fail");
        assert_eq!(
            aizip::decompress_to_vec(&archive).expect("own archive must decode"),
            input
        );
    }
});
