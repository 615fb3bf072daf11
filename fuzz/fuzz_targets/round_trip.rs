//! Any input survives compression and decompression at the smallest level, with and without the
//! dictionary transform.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for dictionary in [true, false] {
        let options = aizip::Options {
            level: 1,
            dictionary,
            ..aizip::Options::default()
        };
        let archive =
            aizip::compress_to_vec(data, &options).expect("compression of a slice cannot fail");
        assert_eq!(
            aizip::decompress_to_vec(&archive).expect("own archive must decode"),
            data
        );
    }
});
