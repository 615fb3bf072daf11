//! One block: an independently coded piece of the original, with its own dictionary decision
//! and its own predictor. Single-stream archives are one block; `-T N` cuts the input into N.

use crate::engine::Predictor;
use crate::format::{BlockHeader, DictionaryHeader, Error};
use crate::model_set::EngineConfig;
use crate::Options;
use aizip_coder::{Decoder, Encoder};
use aizip_dict::WordCodec;
use aizip_mixer::Simd;
use std::io::{Read, Write};

/// How often (in coded bytes) progress is reported and output flushed.
pub const PROGRESS_INTERVAL: usize = 1 << 16;

/// Codes `data` as one block into `out`. The last block's stream runs to the end of the archive,
/// so it is written as it is coded; any other block's stream is coded in memory first, because
/// its length precedes it. Returns `out` and the bytes written to it.
/// `progress(original bytes done, bytes written so far)`.
pub fn encode<W: Write>(
    data: &[u8],
    options: &Options,
    last: bool,
    out: W,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(W, u64), Error> {
    let (codec, transformed) = match options
        .dictionary
        .then(|| WordCodec::transform(data))
        .flatten()
    {
        Some((codec, transformed)) => (Some(codec), Some(transformed)),
        None => (None, None),
    };
    let coded: &[u8] = transformed.as_deref().unwrap_or(data);
    let mut header = BlockHeader {
        original_len: data.len() as u64,
        dictionary: codec.as_ref().map(|c| DictionaryHeader {
            space: c.space().clone(),
            coded_len: coded.len() as u64,
        }),
        stream_len: None,
    };
    let config = EngineConfig {
        level: options.level,
        input_len: coded.len() as u64,
        word_classes: codec
            .as_ref()
            .map_or_else(aizip_dict::default_classes, |c| c.space().classes()),
        disabled: options.disabled.clone(),
    };
    // Progress counts original bytes: scale the coded position by the transform's ratio.
    let mut report = |coded_done: usize, archive: u64| {
        let done = coded_done as u128 * data.len() as u128 / coded.len().max(1) as u128;
        progress(done as u64, archive)
    };
    let mut out = CountingWriter {
        inner: out,
        written: 0,
    };
    if last {
        header.write(&mut out)?;
        out = encode_stream(coded, &config, options.simd, out, &mut report)?;
    } else {
        let start = CountingWriter {
            inner: Vec::new(),
            written: 0,
        };
        let stream = encode_stream(coded, &config, options.simd, start, &mut report)?.inner;
        header.stream_len = Some(stream.len() as u64);
        header.write(&mut out)?;
        out.write_all(&stream)?;
    }
    Ok((out.inner, out.written))
}

/// Codes `coded` after whatever `out` has already counted.
fn encode_stream<W: Write>(
    coded: &[u8],
    config: &EngineConfig,
    simd: Simd,
    out: CountingWriter<W>,
    progress: &mut dyn FnMut(usize, u64),
) -> Result<CountingWriter<W>, Error> {
    let mut predictor = Predictor::new(config, simd);
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
        progress(
            done * PROGRESS_INTERVAL + chunk.len(),
            encoder.sink().written + encoder.bytes_out() as u64,
        );
    }
    Ok(encoder.finish()?)
}

/// Decodes one block whose header has been read; `input` yields exactly its coded stream (the
/// caller limits it for blocks that are not last). The restored bytes go to `emit` in pieces;
/// `progress(original bytes done)`, estimated through the transform's ratio until the end.
pub fn decode<R: Read>(
    header: &BlockHeader,
    level: u8,
    simd: Simd,
    input: R,
    emit: &mut dyn FnMut(&[u8]) -> Result<(), Error>,
    progress: &mut dyn FnMut(u64),
) -> Result<(), Error> {
    let mut config = EngineConfig::new(level, header.coded_len());
    let codec = header
        .dictionary
        .as_ref()
        .map(|d| WordCodec::for_decoding(d.space.clone()));
    if let Some(codec) = &codec {
        config.word_classes = codec.space().classes();
    }
    let coded_len = header.coded_len();
    let mut decoder = Decoder::new(input);
    // An empty block needs no models (and a forged one gets no tables built for nothing).
    let mut predictor = (coded_len > 0).then(|| Predictor::new(&config, simd));
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
        }
        if let Some(e) = decoder.io_error() {
            return Err(Error::Io(e));
        }
        if decoder.overran() {
            return Err(Error::Truncated);
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
