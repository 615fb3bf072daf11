//! The dictionary transform's decoder on arbitrary bytes: the first bytes are read as a code
//! space, the rest as transformed text. An error or some output, never a panic.
#![no_main]
use aizip_dict::{CodeSpace, WordCodec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((space, used)) = CodeSpace::from_bytes(data) {
        let _ = WordCodec::for_decoding(space).decode(&data[used..]);
    }
});
