//! Replays the fuzzers' saved inputs (`fuzz/corpus/<target>/`) and every crash they ever found
//! (`fuzz/regressions/<target>/`) with the fuzz targets' own checks, in the normal test suite: what
//! the fuzzers learnt stays tested on every build, without a fuzzer installed.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The longest one saved input may take (they are small).
const TIME_BOUND: Duration = Duration::from_secs(10);

/// Every file saved for `target`, corpus and regressions.
fn saved_inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut inputs = Vec::new();
    for folder in ["corpus", "regressions"] {
        let Ok(entries) = fs::read_dir(fuzz.join(folder).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let bytes = fs::read(&path).unwrap();
            inputs.push((path, bytes));
        }
    }
    inputs.sort();
    inputs
}

fn replay(target: &str, check: impl Fn(&[u8])) {
    let inputs = saved_inputs(target);
    assert!(!inputs.is_empty(), "no saved inputs for {target}");
    for (path, bytes) in &inputs {
        let start = Instant::now();
        check(bytes);
        assert!(
            start.elapsed() < TIME_BOUND,
            "{}: took {:?}",
            path.display(),
            start.elapsed()
        );
    }
    eprintln!("{target}: {} saved inputs replayed", inputs.len());
}

#[test]
fn decompress_corpus() {
    replay("decompress", |bytes| {
        let _ = aizip::decompress_to_vec(bytes);
    });
}

#[test]
fn dict_decode_corpus() {
    replay("dict_decode", |bytes| {
        if let Ok((space, used)) = aizip_dict::CodeSpace::from_bytes(bytes) {
            let _ = aizip_dict::WordCodec::for_decoding(space).decode(&bytes[used..]);
        }
    });
}

#[test]
fn round_trip_corpus() {
    replay("round_trip", |data| {
        let Some((&selector, input)) = data.split_first() else {
            return;
        };
        for dictionary in [aizip::Dictionary::Forced, aizip::Dictionary::Off] {
            let options = aizip::Options {
                level: aizip::MIN_LEVEL + selector % aizip::MAX_LEVEL,
                dictionary,
                ..aizip::Options::default()
            };
            let archive = aizip::compress_to_vec(input, &options).unwrap();
            assert!(aizip::decompress_to_vec(&archive).unwrap() == input);
        }
    });
}
