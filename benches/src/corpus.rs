//! The text the benchmarks run on.
//!
//! Speed and cache behaviour depend on the data: on real XML the match model follows long
//! matches, context tables fill unevenly and the coder sees confident probabilities. So every
//! benchmark uses the CI score sample `enwik8-head.xml` (348,539 bytes of real enwik8), found in
//! this order:
//!
//! 1. `$AIZIP_CORPUS/enwik8-head.xml`, when the environment variable `AIZIP_CORPUS` names a folder;
//! 2. `../shared/corpus/enwik8-head.xml` relative to the workspace root;
//! 3. otherwise a fallback compiled into the benchmarks: the sources of the workspace's crate
//!    roots, concatenated and repeated to about 300 KB. It is far more repetitive than real text,
//!    so its numbers are only comparable with other fallback runs; the benchmark ids carry the
//!    sample's name ([`Sample::name`]) so the two are never mixed up in criterion's history.
//!
//! [`sample`] prints which one it used, once per benchmark binary.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// File name of the CI score sample.
pub const SAMPLE_FILE: &str = "enwik8-head.xml";

/// Environment variable naming a folder that holds [`SAMPLE_FILE`].
pub const CORPUS_ENV: &str = "AIZIP_CORPUS";

/// Approximate size of the fallback text.
pub const FALLBACK_BYTES: usize = 300_000;

/// The project's own text, used when the corpus is not at hand.
const FALLBACK_SOURCES: &[&str] = &[
    include_str!("../../crates/aizip/src/lib.rs"),
    include_str!("../../crates/coder/src/lib.rs"),
    include_str!("../../crates/mixer/src/lib.rs"),
    include_str!("../../crates/models/src/lib.rs"),
];

/// A text to benchmark on.
pub struct Sample {
    /// Short name used in benchmark ids: `enwik8-head` or `fallback`.
    pub name: &'static str,
    /// Where it came from, for the log.
    pub origin: String,
    pub bytes: Vec<u8>,
}

/// The benchmark sample (loaded once per process; announces its origin on stderr).
pub fn sample() -> &'static Sample {
    static SAMPLE: OnceLock<Sample> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let sample = load_from(&candidates());
        eprintln!(
            "aizip-benches: sample `{}`: {} bytes from {}",
            sample.name,
            sample.bytes.len(),
            sample.origin
        );
        sample
    })
}

/// At most `limit` bytes from the start of the sample.
pub fn sample_prefix(limit: usize) -> &'static [u8] {
    let bytes = &sample().bytes;
    &bytes[..bytes.len().min(limit)]
}

/// The first readable, non-empty file of `paths`, or else the fallback.
pub fn load_from(paths: &[PathBuf]) -> Sample {
    for path in paths {
        match std::fs::read(path) {
            Ok(bytes) if !bytes.is_empty() => {
                return Sample {
                    name: "enwik8-head",
                    origin: path.display().to_string(),
                    bytes,
                }
            }
            Ok(_) => eprintln!("aizip-benches: {} is empty, skipped", path.display()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => eprintln!("aizip-benches: cannot read {}: {e}", path.display()),
        }
    }
    Sample {
        name: "fallback",
        origin: format!(
            "the fallback text (no {SAMPLE_FILE} in ${CORPUS_ENV} or ../shared/corpus; \
             workspace crate sources repeated)"
        ),
        bytes: fallback(),
    }
}

/// Where the sample file is looked for, in order.
pub fn candidates() -> Vec<PathBuf> {
    let mut paths = Vec::new();
    if let Some(dir) = std::env::var_os(CORPUS_ENV) {
        paths.push(Path::new(&dir).join(SAMPLE_FILE));
    }
    paths.push(workspace_root().join("../shared/corpus").join(SAMPLE_FILE));
    paths
}

/// The workspace root (the parent of this crate's folder).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// The fallback text: the crate roots' sources, concatenated and repeated to about
/// [`FALLBACK_BYTES`].
pub fn fallback() -> Vec<u8> {
    let once = FALLBACK_SOURCES.concat();
    let copies = FALLBACK_BYTES.div_ceil(once.len().max(1));
    once.repeat(copies).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_is_about_the_promised_size() {
        let text = fallback();
        let once: usize = FALLBACK_SOURCES.iter().map(|s| s.len()).sum();
        assert!(text.len() >= FALLBACK_BYTES && text.len() < FALLBACK_BYTES + once);
    }

    #[test]
    fn missing_files_fall_back_to_the_project_text() {
        let sample = load_from(&[PathBuf::from("/nonexistent/enwik8-head.xml")]);
        assert_eq!(sample.name, "fallback");
        assert_eq!(sample.bytes, fallback());
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
        let sample = load_from(&[PathBuf::from("/nonexistent/x"), manifest.clone()]);
        assert_eq!(sample.name, "enwik8-head");
        assert_eq!(sample.origin, manifest.display().to_string());
    }

    #[test]
    fn the_shared_corpus_is_looked_for_next_to_the_workspace() {
        let last = candidates().pop().unwrap();
        assert!(
            last.ends_with("../shared/corpus/enwik8-head.xml"),
            "{}",
            last.display()
        );
        assert!(workspace_root().join("Cargo.toml").is_file());
    }
}
