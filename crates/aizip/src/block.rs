//! One block: an independently coded piece of the original, with its own dictionary decision
//! and its own predictor. Single-stream archives are one block; `-T N` cuts the input into N.

use crate::engine::Predictor;
use crate::format::{BlockHeader, DictionaryHeader, Error};
use crate::model_set::{EngineConfig, MIN_PRIMED_LEVEL};
use crate::{Dictionary, Options};
use aizip_coder::{Decoder, Encoder};
use aizip_dict::WordCodec;
use aizip_mixer::Simd;
use std::io::{Read, Write};

/// How often (in coded bytes) progress is reported and output flushed.
pub const PROGRESS_INTERVAL: usize = 1 << 16;
/// A decoder lets its tables use huge pages only if the block's stream has at least this many
/// bytes (and its coded text is long enough, see [`EngineConfig::huge_pages`]).
const HUGE_PAGE_STREAM: u64 = 1 << 14;

/// Blocks shorter than this are coded both with and without the dictionary transform when it
/// applies, and the smaller kept: on a short text the dictionary's listing can cost more than its
/// codes save (enwik8-head.xml, 348,539 bytes, is 0.3% larger with it). The two codings run in
/// parallel, and a short block codes in well under a second at the default level (each coding
/// pays the primer's fixed cost too, measured before it existed).
pub(crate) const TRIAL_LIMIT: usize = 1 << 20;
/// At the strong levels, whose models learn more of the words themselves, the dictionary pays
/// only on longer texts (level 9 without it: the first 1.1 MB of wiki-dev.xml -0.47%, its first
/// 2 MB -0.28%, its first 4 MB +0.07%, book1 +0.15%), so blocks up to this long get the trial
/// (it doubles their time: neither coding has a second core for its models).
const STRONG_TRIAL_LIMIT: usize = 3 << 20;

/// Whether a block of `len` bytes is coded both with and without the dictionary.
fn trial(len: usize, options: &Options) -> bool {
    let limit = if options.level >= crate::engine::STRONG_LEVEL {
        STRONG_TRIAL_LIMIT
    } else {
        TRIAL_LIMIT
    };
    len < limit && options.dictionary == Dictionary::Auto
}

/// Codes `data` as one block into `out`. The last block's stream runs to the end of the archive,
/// so it is written as it is coded; any other block's stream is coded in memory first, because
/// its length precedes it, and so is a block that gets the dictionary [`trial`]. Returns `out`
/// and the bytes written to it. `progress(original bytes done, bytes written so far)`.
/// `release_input` is called once the coding will read no more of `data` than its length: when
/// a last block is transformed without the trial, before its engine is built.
pub fn encode<W: Write>(
    data: &[u8],
    options: &Options,
    last: bool,
    release_input: impl FnOnce(),
    out: W,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(W, u64), Error> {
    let transform = match options.dictionary {
        Dictionary::Off => None,
        Dictionary::Auto | Dictionary::Forced => WordCodec::transform(data),
    };
    // Text is primed whether or not it is transformed: `--no-dict` leaves out the transform
    // alone (and asks the transform whether the block is text).
    let primed = options.primer
        && options.level >= MIN_PRIMED_LEVEL
        && (transform.is_some()
            || options.dictionary == Dictionary::Off && WordCodec::transform(data).is_some());
    let mut out = CountingWriter {
        inner: out,
        written: 0,
    };
    let transform = transform
        .as_ref()
        .map(|(codec, text)| (codec, text.as_slice()));
    let (mut header, stream) = if transform.is_some() && trial(data.len(), options) {
        // Side by side where there is a second core: the trial then takes the time of one
        // coding on one thread. The two codings already take both cores, so neither runs its
        // models on a thread of its own. The coding without the transform, which codes every
        // byte and so finishes last, reports the progress.
        let options = &Options {
            pipeline: false,
            ..options.clone()
        };
        let with_transform = || encode_in_memory(data, transform, primed, options, &mut |_, _| {});
        let (with, without) = std::thread::scope(|scope| {
            let started = std::thread::Builder::new()
                .name("aizip trial".into())
                .spawn_scoped(scope, with_transform);
            let without = encode_in_memory(data, None, primed, options, progress);
            let with = match started {
                Ok(thread) => thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                // No second thread: one after the other.
                Err(_) => with_transform(),
            };
            (with, without)
        });
        let (with, without) = (with?, without?);
        let size = |(header, stream): &(BlockHeader, Vec<u8>)| header.encoded_len() + stream.len();
        if size(&with) < size(&without) {
            with
        } else {
            without
        }
    } else if !last {
        encode_in_memory(data, transform, primed, options, progress)?
    } else {
        let (header, config, coded) = plan(data, transform, primed, options);
        if transform.is_some() {
            release_input();
        }
        header.write(&mut out)?;
        let mut report = scaled_progress(data, coded, progress);
        let out = encode_stream(coded, &config, options, out, &mut report)?;
        return Ok((out.inner, out.written));
    };
    header.stream_len = (!last).then_some(stream.len() as u64);
    header.write(&mut out)?;
    out.write_all(&stream)?;
    progress(data.len() as u64, out.written);
    Ok((out.inner, out.written))
}

/// The block header (without a stream length), engine configuration and coded text of `data`,
/// transformed by `transform` or not, `primed` or not.
fn plan<'a>(
    data: &'a [u8],
    transform: Option<(&WordCodec, &'a [u8])>,
    primed: bool,
    options: &Options,
) -> (BlockHeader, EngineConfig, &'a [u8]) {
    let coded = transform.map_or(data, |(_, text)| text);
    let codec = transform.map(|(codec, _)| codec);
    let header = BlockHeader {
        original_len: data.len() as u64,
        dictionary: codec.map(|c| DictionaryHeader {
            space: c.space().clone(),
            coded_len: coded.len() as u64,
        }),
        primed,
        stream_len: None,
    };
    let config = EngineConfig {
        disabled: options.disabled.clone(),
        primed,
        ..EngineConfig::new(options.level, coded.len() as u64)
    }
    .with_code_space(codec.map(|c| c.space()));
    (header, config, coded)
}

/// Progress in original bytes, from progress in coded bytes: scaled by the transform's ratio.
fn scaled_progress<'p>(
    data: &[u8],
    coded: &[u8],
    progress: &'p mut dyn FnMut(u64, u64),
) -> impl FnMut(usize, u64) + 'p {
    let (original_len, coded_len) = (data.len() as u128, coded.len().max(1) as u128);
    move |coded_done: usize, archive: u64| {
        progress(
            (coded_done as u128 * original_len / coded_len) as u64,
            archive,
        )
    }
}

/// The block header (without a stream length) and the coded stream of `data`, coded in memory.
fn encode_in_memory(
    data: &[u8],
    transform: Option<(&WordCodec, &[u8])>,
    primed: bool,
    options: &Options,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(BlockHeader, Vec<u8>), Error> {
    let (header, config, coded) = plan(data, transform, primed, options);
    let start = CountingWriter {
        inner: Vec::new(),
        written: 0,
    };
    let mut report = scaled_progress(data, coded, progress);
    let stream = encode_stream(coded, &config, options, start, &mut report)?.inner;
    Ok((header, stream))
}

/// Codes `coded` after whatever `out` has already counted, on two threads if `options.pipeline`
/// (see [`crate::pipeline`]; the stream is the same either way).
fn encode_stream<W: Write>(
    coded: &[u8],
    config: &EngineConfig,
    options: &Options,
    out: CountingWriter<W>,
    progress: &mut dyn FnMut(usize, u64),
) -> Result<CountingWriter<W>, Error> {
    let mut encoder = Encoder::new(out);
    let mut piece_done = |encoder: &mut Encoder<CountingWriter<W>>, done: usize| {
        encoder.flush_buffer()?;
        progress(done, encoder.sink().written + encoder.bytes_out() as u64);
        Ok(())
    };
    if options.pipeline {
        let stages = crate::engine::stages(config, options.simd);
        let primer = crate::engine::primer_of(config);
        crate::pipeline::encode(primer, coded, stages, &mut encoder, &mut piece_done)?;
    } else {
        let predictor = Predictor::new(config, options.simd);
        crate::pipeline::encode_on_one_thread(coded, predictor, &mut encoder, &mut piece_done)?;
    }
    Ok(encoder.finish()?)
}

/// Decodes one block whose header has been read; `input` yields exactly its coded stream (the
/// caller limits it for blocks that are not last). `two_threads`: a primed engine may learn its
/// primer on a second thread (the text is decoded on this one in any case). The restored bytes
/// go to `emit` in pieces; `progress(original bytes done)`, estimated through the transform's
/// ratio until the end.
pub fn decode<R: Read>(
    header: &BlockHeader,
    level: u8,
    simd: Simd,
    two_threads: bool,
    mut input: R,
    emit: &mut dyn FnMut(&[u8]) -> Result<(), Error>,
    progress: &mut dyn FnMut(u64),
) -> Result<(), Error> {
    // The encoder never primes below MIN_PRIMED_LEVEL: a forged flag there would only buy the
    // primer's time.
    if header.primed && level < MIN_PRIMED_LEVEL {
        return Err(Error::BadHeader("primed block below the primed levels"));
    }
    let space = header.dictionary.as_ref().map(|d| &d.space);
    let mut config = EngineConfig {
        primed: header.primed,
        ..EngineConfig::new(level, header.coded_len())
    }
    .with_code_space(space);
    let codec = space.map(|space| WordCodec::for_decoding(space.clone()));
    let coded_len = header.coded_len();
    // The header's length is only a claim: huge pages need a stream that is not tiny as well.
    let mut head = Vec::new();
    input
        .by_ref()
        .take(HUGE_PAGE_STREAM)
        .read_to_end(&mut head)
        .map_err(Error::Io)?;
    config.huge_pages &= head.len() as u64 >= HUGE_PAGE_STREAM;
    let mut decoder = Decoder::new(head.as_slice().chain(input));
    // An empty block needs no models (and a forged one gets no tables built for nothing).
    let mut predictor = (coded_len > 0).then(|| match two_threads {
        true => Predictor::primed_on_two_threads(&config, simd),
        false => Predictor::new(&config, simd),
    });
    let mut piece = Vec::with_capacity(PROGRESS_INTERVAL);
    // Transformed text is collected and inverted at the end; plain text streams to `emit`.
    let mut transformed = Vec::new();
    let mut remaining = coded_len;
    let mut done = 0u64;
    while let (true, Some(predictor)) = (remaining > 0, predictor.as_mut()) {
        let n = remaining.min(PROGRESS_INTERVAL as u64) as usize;
        piece.clear();
        for _ in 0..n {
            let mut c = 1u32;
            while c < 256 {
                let bit = decoder.decode(predictor.p());
                predictor.update(bit);
                c = (c << 1) | bit;
            }
            piece.push(c as u8);
            // Checked every byte: a truncated or forged stream stops at once, before decoding
            // garbage for the length its header claims (its tables are resident from the start
            // only with huge pages, which a stream of HUGE_PAGE_STREAM bytes must earn).
            if decoder.overran() {
                return Err(decoder.io_error().map_or(Error::Truncated, Error::Io));
            }
        }
        if let Some(e) = decoder.io_error() {
            return Err(Error::Io(e));
        }
        if codec.is_some() {
            transformed.extend_from_slice(&piece);
        } else {
            emit(&piece)?;
        }
        remaining -= n as u64;
        done += n as u64;
        progress((done as u128 * header.original_len as u128 / coded_len as u128) as u64);
    }
    if !decoder.at_end() {
        // Bytes after the coded stream: not produced by the encoder.
        return Err(Error::ChecksumMismatch);
    }
    // The models' tables (gigabytes at level 9) are not needed to undo the transform.
    drop(predictor);
    if let Some(codec) = &codec {
        let original = codec
            .decode(&transformed)
            .map_err(|_| Error::ChecksumMismatch)?;
        if original.len() as u64 != header.original_len {
            return Err(Error::ChecksumMismatch);
        }
        emit(&original)?;
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strong_levels_try_both_codings_on_longer_blocks() {
        let options = |level, dictionary| Options {
            level,
            dictionary,
            ..Options::default()
        };
        let auto = Dictionary::Auto;
        assert!(trial(TRIAL_LIMIT - 1, &options(6, auto)));
        assert!(!trial(TRIAL_LIMIT, &options(7, auto)));
        assert!(trial(STRONG_TRIAL_LIMIT - 1, &options(8, auto)));
        assert!(!trial(STRONG_TRIAL_LIMIT, &options(9, auto)));
        assert!(!trial(100, &options(9, Dictionary::Forced)));
        assert!(!trial(100, &options(9, Dictionary::Off)));
    }
}
