//! Decompression of arbitrary bytes: an error or some output, never a panic or a hang
//! (see `aizip::fuzz_checks::decompress`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| aizip::fuzz_checks::decompress(data));
