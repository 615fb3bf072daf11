//! Replays the fuzzers' saved inputs (`fuzz/corpus/<target>/`) and every crash they ever found
//! (`fuzz/regressions/<target>/`) with the fuzz targets' own checks (`aizip::fuzz_checks`), in
//! the normal test suite: what the fuzzers learnt stays tested on every build, without a fuzzer
//! installed.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The longest one saved input may take (they are small, but the round trip codes each six
/// times, up to level 9, and primes text below level 9: two dictionary settings, each compressed
/// on one and on two threads and decompressed; a forged primed level-9 archive costs the
/// decoder one priming, about 15 s in the test profile). A guard against hangs, not a speed
/// test: the three targets' replays took 24 s in all at format version 35.
const TIME_BOUND: Duration = Duration::from_secs(60);

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
    replay("decompress", aizip::fuzz_checks::decompress);
}

#[test]
fn dict_decode_corpus() {
    replay("dict_decode", aizip::fuzz_checks::dict_decode);
}

#[test]
fn round_trip_corpus() {
    replay("round_trip", aizip::fuzz_checks::round_trip);
}
