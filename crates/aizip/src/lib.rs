//! # aizip: the library
//!
//! [`compress`] and [`decompress`] turn bytes into an archive and back. An archive is a short
//! header ([`format::Header`]: magic, version, level, flags, original length, xxh3-64 of the
//! original) followed by the arithmetic-coded stream (crate `aizip-coder`), bit by bit, with the
//! probabilities of one [`engine::Predictor`]: the models of [`model_set::MODEL_SET`] (crate
//! `aizip-models`), a two-layer mixer and a chain of APMs (crate `aizip-mixer`).
//!
//! Decompression rebuilds the same predictor from the header, decodes exactly `original_len`
//! bytes and checks the length of the coded data and the checksum; any disagreement is an
//! [`Error`], never wrong output reported as success.
//!
//! ```
//! let text = b"to be or not to be, that is the question";
//! let mut archive = Vec::new();
//! aizip::compress(text, &aizip::Options::default(), &mut archive, |_| {}).unwrap();
//! let mut restored = Vec::new();
//! aizip::decompress(&archive[..], &mut restored, |_| {}).unwrap();
//! assert_eq!(&restored[..], &text[..]);
//! ```

pub mod engine;
pub mod format;
pub mod model_set;

pub use aizip_mixer::Simd;
pub use format::{DictionaryHeader, Error, Header};
pub use model_set::{EngineConfig, DEFAULT_LEVEL, MAX_LEVEL, MIN_LEVEL};

use aizip_coder::{Decoder, Encoder};
use aizip_dict::WordCodec;
use engine::Predictor;
use std::io::{Read, Write};
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

/// How often (in input bytes) progress is reported and output flushed.
const PROGRESS_INTERVAL: usize = 1 << 16;

/// Compression settings.
#[derive(Clone, Debug)]
pub struct Options {
    pub level: u8,
    /// Apply the dictionary transform when it helps (`--no-dict` turns it off).
    pub dictionary: bool,
    /// Instruction-set path of the coding loop (archives are identical on every path).
    pub simd: Simd,
    /// Models to leave out (ablation studies); empty for normal archives.
    pub disabled: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            level: DEFAULT_LEVEL,
            dictionary: true,
            simd: Simd::detect(),
            disabled: Vec::new(),
        }
    }
}

/// Progress of a run: bytes of original data done and archive bytes produced so far.
#[derive(Clone, Copy, Debug, Default)]
pub struct Progress {
    pub original_bytes: u64,
    pub archive_bytes: u64,
}

/// Compresses `input` into `out`; returns the archive size. `progress` is called every 64 KiB.
pub fn compress<W: Write>(
    input: &[u8],
    options: &Options,
    out: W,
    mut progress: impl FnMut(Progress),
) -> Result<u64, Error> {
    let (codec, transformed) = match options
        .dictionary
        .then(|| WordCodec::transform(input))
        .flatten()
    {
        Some((codec, transformed)) => (Some(codec), Some(transformed)),
        None => (None, None),
    };
    let coded: &[u8] = transformed.as_deref().unwrap_or(input);
    let header = Header {
        level: options.level,
        original_len: input.len() as u64,
        checksum: xxh3_64(input),
        dictionary: codec.as_ref().map(|c| DictionaryHeader {
            space: c.space().clone(),
            coded_len: coded.len() as u64,
        }),
    };
    let mut out = CountingWriter {
        inner: out,
        written: 0,
    };
    header.write(&mut out)?;

    let config = EngineConfig {
        level: options.level,
        input_len: coded.len() as u64,
        word_classes: codec
            .as_ref()
            .map_or_else(aizip_dict::default_classes, |c| c.space().classes()),
        disabled: options.disabled.clone(),
    };
    let mut predictor = Predictor::new(&config, options.simd);
    let mut encoder = Encoder::new(out);
    for (done, chunk) in coded.chunks(PROGRESS_INTERVAL).enumerate() {
        for &byte in chunk {
            for i in (0..8).rev() {
                let bit = ((byte >> i) & 1) as u32;
                encoder.encode(bit, predictor.p());
                predictor.update(bit);
            }
        }
        encoder.flush_buffer()?;
        let coded_done = (done * PROGRESS_INTERVAL + chunk.len()) as u64;
        progress(Progress {
            original_bytes: (coded_done as u128 * input.len() as u128 / coded.len() as u128) as u64,
            archive_bytes: encoder.sink().written + encoder.bytes_out() as u64,
        });
    }
    Ok(encoder.finish()?.written)
}

/// Compresses everything `input` yields (held in memory: the header needs its length and
/// checksum first) into `out`; returns the archive size.
pub fn compress_reader<R: Read, W: Write>(
    mut input: R,
    options: &Options,
    out: W,
    progress: impl FnMut(Progress),
) -> Result<u64, Error> {
    let mut data = Vec::new();
    input.read_to_end(&mut data)?;
    compress(&data, options, out, progress)
}

/// Compresses `input` into a new archive in memory.
pub fn compress_to_vec(input: &[u8], options: &Options) -> Result<Vec<u8>, Error> {
    let mut archive = Vec::new();
    compress(input, options, &mut archive, |_| {})?;
    Ok(archive)
}

/// Decompresses an archive held in memory.
pub fn decompress_to_vec(archive: &[u8]) -> Result<Vec<u8>, Error> {
    let mut original = Vec::new();
    decompress(archive, &mut original, |_| {})?;
    Ok(original)
}

/// Counts the bytes written through it.
struct CountingWriter<W> {
    inner: W,
    written: u64,
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Decompresses the archive read from `input` into `out`; returns the original length.
pub fn decompress<R: Read, W: Write>(
    input: R,
    out: W,
    progress: impl FnMut(Progress),
) -> Result<u64, Error> {
    decompress_with(Simd::detect(), input, out, progress)
}

/// [`decompress`] on a chosen instruction-set path (the result is the same on every path).
pub fn decompress_with<R: Read, W: Write>(
    simd: Simd,
    mut input: R,
    mut out: W,
    mut progress: impl FnMut(Progress),
) -> Result<u64, Error> {
    let header = Header::read(&mut input)?;
    let mut config = EngineConfig::new(header.level, header.coded_len());
    let codec = header
        .dictionary
        .as_ref()
        .map(|d| WordCodec::for_decoding(d.space.clone()));
    if let Some(codec) = &codec {
        config.word_classes = codec.space().classes();
    }
    let mut predictor = Predictor::new(&config, simd);
    let mut decoder = Decoder::new(input);
    let mut hasher = Xxh3::new();
    let mut block = Vec::with_capacity(PROGRESS_INTERVAL);
    // Transformed text is collected and inverted at the end; plain text streams to `out`.
    let mut transformed = Vec::new();
    let mut remaining = header.coded_len();
    let mut done = 0u64;
    while remaining > 0 {
        let n = remaining.min(PROGRESS_INTERVAL as u64) as usize;
        block.clear();
        for _ in 0..n {
            let mut c = 1u32;
            while c < 256 {
                let bit = decoder.decode(predictor.p());
                predictor.update(bit);
                c = (c << 1) | bit;
            }
            block.push(c as u8);
        }
        if let Some(e) = decoder.io_error() {
            return Err(Error::Io(e));
        }
        if decoder.overran() {
            return Err(Error::Truncated);
        }
        if codec.is_some() {
            transformed.extend_from_slice(&block);
        } else {
            hasher.update(&block);
            out.write_all(&block)?;
        }
        remaining -= n as u64;
        done += n as u64;
        progress(Progress {
            original_bytes: done,
            archive_bytes: 0,
        });
    }
    if !decoder.at_end() {
        // Bytes after the coded stream: not produced by the encoder.
        return Err(Error::ChecksumMismatch);
    }
    if let Some(codec) = &codec {
        let original = codec
            .decode(&transformed)
            .map_err(|_| Error::ChecksumMismatch)?;
        if original.len() as u64 != header.original_len {
            return Err(Error::ChecksumMismatch);
        }
        hasher.update(&original);
        out.write_all(&original)?;
    }
    if hasher.digest() != header.checksum {
        return Err(Error::ChecksumMismatch);
    }
    out.flush()?;
    Ok(header.original_len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn round_trip(data: &[u8], level: u8) -> usize {
        let mut archive = Vec::new();
        let options = Options {
            level,
            ..Options::default()
        };
        let size = compress(data, &options, &mut archive, |_| {}).unwrap();
        assert_eq!(size as usize, archive.len());
        assert!(
            decompress_to_vec(&archive).unwrap() == data,
            "round trip differs"
        );
        archive.len()
    }

    #[test]
    fn reader_and_vector_forms_agree() {
        let text = include_bytes!("engine.rs");
        let options = Options {
            level: 1,
            ..Options::default()
        };
        let mut from_reader = Vec::new();
        compress_reader(&text[..], &options, &mut from_reader, |_| {}).unwrap();
        assert_eq!(from_reader, compress_to_vec(text, &options).unwrap());
    }

    #[test]
    fn every_simd_path_writes_the_same_archive_and_reads_every_other() {
        let text = include_str!("lib.rs").repeat(2);
        let archives: Vec<Vec<u8>> = Simd::available()
            .into_iter()
            .map(|simd| {
                compress_to_vec(
                    text.as_bytes(),
                    &Options {
                        level: 2,
                        simd,
                        ..Options::default()
                    },
                )
                .unwrap()
            })
            .collect();
        for archive in &archives {
            assert_eq!(archive, &archives[0]);
        }
        for simd in Simd::available() {
            let mut restored = Vec::new();
            decompress_with(simd, &archives[0][..], &mut restored, |_| {}).unwrap();
            assert_eq!(restored, text.as_bytes(), "{simd}");
        }
    }

    #[test]
    fn empty_and_tiny_inputs() {
        round_trip(b"", 1);
        round_trip(b"a", 1);
        round_trip(&[0u8], 9);
        round_trip(&[255u8], 5);
    }

    #[test]
    fn all_byte_values_and_runs() {
        let all: Vec<u8> = (0..=255u8).collect();
        round_trip(&all, 1);
        round_trip(&all.repeat(20), 3);
        round_trip(&vec![0u8; 100_000], 1);
        round_trip(&vec![0xFFu8; 100_000], 1);
    }

    #[test]
    fn text_compresses_well() {
        let text = include_str!("lib.rs").repeat(3);
        let size = round_trip(text.as_bytes(), 2);
        assert!(size < text.len() / 6, "{size} of {}", text.len());
    }

    #[test]
    fn trailing_garbage_is_rejected() {
        let mut archive = Vec::new();
        compress(
            b"hello hello hello",
            &Options::default(),
            &mut archive,
            |_| {},
        )
        .unwrap();
        archive.extend_from_slice(b"junkjunk");
        assert!(decompress(&archive[..], &mut Vec::new(), |_| {}).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn random_binary_round_trips(data in prop::collection::vec(any::<u8>(), 0..3000)) {
            round_trip(&data, 1);
        }

        #[test]
        fn structured_text_round_trips(words in prop::collection::vec("[a-zA-Z]{1,8}|[ ,.\n<>/=\"]|&amp;|\\[\\[", 0..600)) {
            round_trip(words.concat().as_bytes(), 1);
        }
    }
}
