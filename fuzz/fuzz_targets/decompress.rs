//! Decompression of arbitrary bytes: an error or some output, never a panic or a hang.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = aizip::decompress_to_vec(data);
});
