//! # aizip-coder: the binary arithmetic coder
//!
//! Every model in aizip ends in one number per bit: `p1`, the probability that the next bit is a 1,
//! as a 16-bit fixed-point fraction (`1..=65535` standing for `p1 / 65536`). This crate turns the
//! sequence of `(bit, p1)` pairs into bytes and back. It knows nothing about models.
//!
//! ## The coder
//! A 32-bit carry-less range coder of the paq/lpaq family. The state is an interval
//! `[low, high]` of 32-bit integers, initially `[0, 2^32 - 1]`. To code a bit the interval is split at
//!
//! ```text
//! mid = low + floor((high - low) * p1 / 2^16)
//! ```
//!
//! A 1 keeps `[low, mid]`, a 0 keeps `[mid + 1, high]`, so a 1 costs about `-log2(p1 / 2^16)` bits.
//! Whenever `low` and `high` agree in their top byte that byte can never change again: it is written
//! out and both ends shift left by 8 (`high` shifting in ones). After that loop the top bytes differ,
//! so `high - low >= 1` and both halves of the next split are non-empty for any `p1` in `1..=65535`:
//! no carry can ever propagate, which is what makes the coder carry-less.
//!
//! The price of carry-lessness is that the interval can become narrow while straddling a byte
//! boundary (`low = 0x12FF_FFF0`, `high = 0x1300_0010`), when `p1` is resolved with only a few
//! bits. This is rare on real data: the test `overhead_on_real_text_is_tiny` measures the total cost
//! over the ideal code length `sum(-log2 p)` and requires it below 0.05%.
//!
//! ## The end of the stream
//! [`Encoder::finish`] writes the shortest tail that pins a value inside the final interval: one byte
//! `top(low) + 1` (or nothing beyond the bytes already written when `low`'s low bits are zero). The
//! [`Decoder`] reads zero bytes past the end of its input, so the coded stream needs no length field
//! of its own. A decoder that had to invent more than [`Decoder::MAX_PADDING`] bytes has read past
//! what any encoder could have produced: [`Decoder::overran`] reports it, which callers turn into a
//! "truncated archive" error.
//!
//! ## Calling order
//! ```
//! use aizip_coder::{Decoder, Encoder};
//! let bits = [1u32, 0, 0, 1, 1, 1];
//! let mut enc = Encoder::new(Vec::new());
//! for &b in &bits { enc.encode(b, 40_000); }
//! let bytes = enc.finish().unwrap();
//! let mut dec = Decoder::new(&bytes[..]);
//! for &b in &bits { assert_eq!(dec.decode(40_000), b); }
//! ```
//! Output is buffered inside the coder and handed to the writer in blocks, so the per-bit path
//! has no I/O and no error branch; I/O errors surface from [`Encoder::flush_buffer`] and
//! [`Encoder::finish`] (encoding) or [`Decoder::io_error`] (decoding).

use std::io::{self, Read, Write};

/// Probabilities are `p1 / 2^PROB_BITS`.
pub const PROB_BITS: u32 = 16;
/// Smallest and largest probability the coder accepts.
pub const PROB_MIN: u32 = 1;
/// See [`PROB_MIN`].
pub const PROB_MAX: u32 = (1 << PROB_BITS) - 1;

const BUFFER_BYTES: usize = 1 << 16;

#[inline(always)]
fn split(low: u32, high: u32, p1: u32) -> u32 {
    debug_assert!((PROB_MIN..=PROB_MAX).contains(&p1));
    low + (((high - low) as u64 * p1 as u64) >> PROB_BITS) as u32
}

/// Encodes bits into a byte stream written to `W`.
pub struct Encoder<W: Write> {
    low: u32,
    high: u32,
    buffer: Vec<u8>,
    sink: W,
}

impl<W: Write> Encoder<W> {
    pub fn new(sink: W) -> Self {
        Encoder {
            low: 0,
            high: u32::MAX,
            buffer: Vec::with_capacity(BUFFER_BYTES),
            sink,
        }
    }

    /// Codes `bit` (0 or 1) with probability `p1` (in `PROB_MIN..=PROB_MAX`) that it is a 1.
    #[inline(always)]
    pub fn encode(&mut self, bit: u32, p1: u32) {
        let mid = split(self.low, self.high, p1);
        if bit != 0 {
            self.high = mid;
        } else {
            self.low = mid + 1;
        }
        while (self.low ^ self.high) & 0xFF00_0000 == 0 {
            self.buffer.push((self.high >> 24) as u8);
            self.low <<= 8;
            self.high = (self.high << 8) | 0xFF;
        }
    }

    /// Bytes still buffered in the coder.
    pub fn bytes_out(&self) -> usize {
        self.buffer.len()
    }

    /// The writer (bytes still buffered in the coder have not reached it yet).
    pub fn sink(&self) -> &W {
        &self.sink
    }

    /// Hands buffered bytes to the writer once enough have collected. Call it between symbols.
    pub fn flush_buffer(&mut self) -> io::Result<()> {
        if self.buffer.len() >= BUFFER_BYTES {
            self.sink.write_all(&self.buffer)?;
            self.buffer.clear();
        }
        Ok(())
    }

    /// Writes the tail of the stream and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        if self.low & 0x00FF_FFFF != 0 {
            // `top(low) + 1` followed by implicit zeros lies in (low, high]: the top bytes differ.
            self.buffer.push((self.low >> 24) as u8 + 1);
        } else if self.low != 0 {
            self.buffer.push((self.low >> 24) as u8);
        }
        self.sink.write_all(&self.buffer)?;
        self.sink.flush()?;
        Ok(self.sink)
    }
}

/// Decodes bits from a byte stream read from `R`.
pub struct Decoder<R: Read> {
    low: u32,
    high: u32,
    value: u32,
    buffer: Box<[u8]>,
    pos: usize,
    len: usize,
    source: R,
    exhausted: bool,
    padding: u64,
    io_error: Option<io::Error>,
}

impl<R: Read> Decoder<R> {
    /// The most zero bytes a decoder reads past the end of a complete stream (its look-ahead).
    pub const MAX_PADDING: u64 = 4;

    pub fn new(source: R) -> Self {
        let mut decoder = Decoder {
            low: 0,
            high: u32::MAX,
            value: 0,
            buffer: vec![0; BUFFER_BYTES].into_boxed_slice(),
            pos: 0,
            len: 0,
            source,
            exhausted: false,
            padding: 0,
            io_error: None,
        };
        for _ in 0..4 {
            decoder.value = (decoder.value << 8) | decoder.next_byte() as u32;
        }
        decoder
    }

    /// Decodes one bit that was coded with probability `p1`.
    #[inline(always)]
    pub fn decode(&mut self, p1: u32) -> u32 {
        let mid = split(self.low, self.high, p1);
        let bit = (self.value <= mid) as u32;
        if bit != 0 {
            self.high = mid;
        } else {
            self.low = mid + 1;
        }
        while (self.low ^ self.high) & 0xFF00_0000 == 0 {
            self.low <<= 8;
            self.high = (self.high << 8) | 0xFF;
            self.value = (self.value << 8) | self.next_byte() as u32;
        }
        bit
    }

    /// True when the decoder has read further past the end of its input than a complete stream
    /// allows: the input was truncated (or is not a coded stream).
    pub fn overran(&self) -> bool {
        self.padding > Self::MAX_PADDING
    }

    /// The first read error met, if any; the decoder carries on with zeros after it.
    pub fn io_error(&mut self) -> Option<io::Error> {
        self.io_error.take()
    }

    /// True when every input byte has been consumed (the decoder may be inside its look-ahead).
    pub fn at_end(&self) -> bool {
        self.exhausted && self.pos == self.len
    }

    #[inline(always)]
    fn next_byte(&mut self) -> u8 {
        if self.pos == self.len {
            self.refill();
            if self.pos == self.len {
                self.padding += 1;
                return 0;
            }
        }
        let byte = self.buffer[self.pos];
        self.pos += 1;
        byte
    }

    #[cold]
    fn refill(&mut self) {
        if self.exhausted {
            return;
        }
        self.pos = 0;
        self.len = 0;
        loop {
            match self.source.read(&mut self.buffer) {
                Ok(0) => {
                    self.exhausted = true;
                    return;
                }
                Ok(n) => {
                    self.len = n;
                    return;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.io_error = Some(e);
                    self.exhausted = true;
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn round_trip(symbols: &[(u32, u32)]) {
        let mut enc = Encoder::new(Vec::new());
        for &(bit, p) in symbols {
            enc.encode(bit, p);
        }
        let bytes = enc.finish().unwrap();
        let mut dec = Decoder::new(&bytes[..]);
        for (i, &(bit, p)) in symbols.iter().enumerate() {
            assert_eq!(dec.decode(p), bit, "symbol {i}");
        }
        assert!(!dec.overran());
    }

    #[test]
    fn empty_stream_is_empty() {
        let bytes = Encoder::new(Vec::new()).finish().unwrap();
        assert!(bytes.is_empty());
    }

    #[test]
    fn extreme_probabilities_round_trip() {
        let mut symbols = Vec::new();
        for i in 0..10_000u32 {
            let p = if i % 3 == 0 { PROB_MIN } else { PROB_MAX };
            symbols.push(((i % 7 == 0) as u32, p));
        }
        round_trip(&symbols);
    }

    #[test]
    fn truncation_is_detected_as_overrun() {
        let mut enc = Encoder::new(Vec::new());
        for i in 0..100_000u32 {
            enc.encode(i & 1, 32768);
        }
        let bytes = enc.finish().unwrap();
        let mut dec = Decoder::new(&bytes[..bytes.len() / 2]);
        for _ in 0..100_000u32 {
            dec.decode(32768);
        }
        assert!(dec.overran());
    }

    /// An adaptive order-2 bit model over real text, to give the coder realistic probabilities.
    fn coded_cost(text: &[u8]) -> (f64, usize) {
        let mut counts = vec![32768u32; 1 << 16 << 8];
        let mut enc = Encoder::new(Vec::new());
        let mut ideal_bits = 0.0f64;
        let mut prev = 0usize;
        for &byte in text {
            let mut node = 1usize;
            for i in (0..8).rev() {
                let bit = ((byte >> i) & 1) as u32;
                let slot = &mut counts[(prev << 8) | node];
                let p = (*slot).clamp(PROB_MIN, PROB_MAX);
                enc.encode(bit, p);
                let p_bit = if bit == 1 { p } else { 65536 - p } as f64 / 65536.0;
                ideal_bits -= p_bit.log2();
                if bit == 1 {
                    *slot += (65536 - *slot) >> 4;
                } else {
                    *slot -= *slot >> 4;
                }
                node = (node << 1) | bit as usize;
            }
            prev = ((prev << 8) | byte as usize) & 0xFFFF;
        }
        (ideal_bits, enc.finish().unwrap().len())
    }

    #[test]
    fn overhead_on_real_text_is_tiny() {
        // This crate's own source, repeated so the model becomes confident (as on XML markup).
        let text = include_str!("lib.rs").as_bytes().repeat(20);
        let (ideal_bits, bytes) = coded_cost(&text);
        let overhead = (bytes as f64 * 8.0 - ideal_bits) / ideal_bits;
        assert!(
            overhead < 0.0005,
            "overhead {:.5}% ({bytes} bytes, ideal {:.0} bits)",
            overhead * 100.0,
            ideal_bits
        );
    }

    proptest! {
        #[test]
        fn any_bits_round_trip(symbols in prop::collection::vec((0u32..2, PROB_MIN..=PROB_MAX), 0..2000)) {
            round_trip(&symbols);
        }

        #[test]
        fn decoding_garbage_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64), p in PROB_MIN..=PROB_MAX) {
            let mut dec = Decoder::new(&bytes[..]);
            for _ in 0..1000 { dec.decode(p); }
        }
    }
}
