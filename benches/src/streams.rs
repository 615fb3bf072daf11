//! Realistic `(bit, p1)` streams for the coder and APM benchmarks.
//!
//! The coder's speed depends on its input: confident probabilities shrink the interval slowly
//! and emit a byte rarely, uncertain ones renormalise often. Timing it on random bits at
//! `p1 = 1/2` would measure a case that never occurs. So the streams here are the bits of real
//! text (MSB first, as the engine codes them) with the probabilities of a simple adaptive model:
//! an order-2 context (the two previous bytes) and the partial byte select a 16-bit probability
//! that moves 1/16 of the way toward each coded bit. On `enwik8-head.xml` it codes at roughly
//! 3 bits per byte — less sharp than the real engine but with the same mix of confident and
//! uncertain bits.

use aizip_coder::{Encoder, PROB_MAX, PROB_MIN};

/// The bits of a text with the probability a simple adaptive model gave each one.
pub struct BitStream {
    /// The text; its bits, MSB first, are the coded bits.
    pub bytes: Vec<u8>,
    /// `probs[8 * i + k]` is the probability (in `PROB_MIN..=PROB_MAX`) that bit `k` (MSB first) of
    /// `bytes[i]` is a 1.
    pub probs: Vec<u16>,
}

/// One bit of a [`BitStream`] and where it stands (see [`BitStream::bits_in_context`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BitInContext {
    pub bit: u32,
    /// Probability of a 1.
    pub p: u32,
    /// The bits of the byte before this one, with a leading 1 (1 at the first bit).
    pub partial: usize,
    /// The byte before (0 at the start).
    pub previous: usize,
    /// Bits of the byte before this one (0-7).
    pub position: usize,
}

impl BitStream {
    /// Runs the order-2 model over `text`.
    pub fn from_text(text: &[u8]) -> Self {
        // (two previous bytes, partial byte with its leading 1) -> probability of a 1.
        let mut table = vec![1u16 << 15; 1 << 24];
        let mut probs = Vec::with_capacity(text.len() * 8);
        let mut prev = 0usize;
        for &byte in text {
            let mut node = 1usize;
            for k in (0..8).rev() {
                let bit = (byte >> k) & 1;
                let slot = &mut table[(prev << 8) | node];
                probs.push((*slot).clamp(PROB_MIN as u16, PROB_MAX as u16));
                if bit == 1 {
                    *slot += (u16::MAX - *slot) >> 4;
                } else {
                    *slot -= *slot >> 4;
                }
                node = (node << 1) | bit as usize;
            }
            prev = ((prev << 8) | byte as usize) & 0xFFFF;
        }
        BitStream {
            bytes: text.to_vec(),
            probs,
        }
    }

    /// Number of bits in the stream.
    pub fn bit_count(&self) -> usize {
        self.probs.len()
    }

    /// `(bit, p1)` for every bit, in coding order.
    pub fn bits(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.bytes
            .iter()
            .flat_map(|&byte| (0..8).rev().map(move |k| ((byte >> k) & 1) as u32))
            .zip(self.probs.iter().map(|&p| p as u32))
    }

    /// Every bit in coding order with the contexts a model selects by: the partial byte (with its
    /// leading 1), the previous byte and the bit position.
    pub fn bits_in_context(&self) -> impl Iterator<Item = BitInContext> + '_ {
        let previous = std::iter::once(0).chain(self.bytes.iter().copied());
        self.bytes
            .iter()
            .zip(previous)
            .zip(self.probs.chunks_exact(8))
            .flat_map(|((&byte, previous), probs)| {
                (0..8).map(move |position| {
                    let bit = ((byte >> (7 - position)) & 1) as u32;
                    BitInContext {
                        bit,
                        p: probs[position] as u32,
                        partial: (byte as usize | 0x100) >> (8 - position),
                        previous: previous as usize,
                        position,
                    }
                })
            })
    }

    /// The ideal code length `Σ -log2 p(bit)` in bits.
    pub fn ideal_bits(&self) -> f64 {
        self.bits()
            .map(|(bit, p)| {
                let p = p as f64 / 65536.0;
                -if bit == 1 { p } else { 1.0 - p }.log2()
            })
            .sum()
    }

    /// The stream arithmetic-coded with its probabilities.
    pub fn encode(&self) -> Vec<u8> {
        let mut encoder = Encoder::new(Vec::with_capacity(self.bytes.len()));
        for (bit, p) in self.bits() {
            encoder.encode(bit, p);
        }
        encoder.finish().expect("writing to a Vec cannot fail")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aizip_coder::Decoder;

    #[test]
    fn bits_in_context_follow_the_bytes() {
        let stream = BitStream::from_text(b"ab");
        let bits: Vec<BitInContext> = stream.bits_in_context().collect();
        let plain: Vec<(u32, u32)> = stream.bits().collect();
        assert_eq!(bits.iter().map(|b| (b.bit, b.p)).collect::<Vec<_>>(), plain);
        // 'a' = 0b0110_0001: after its first three bits (0, 1, 1) the partial byte is 0b1011.
        assert_eq!(
            (bits[3].partial, bits[3].previous, bits[3].position),
            (0b1011, 0, 3)
        );
        assert_eq!(
            (bits[8].partial, bits[8].previous, bits[8].position),
            (1, b'a' as usize, 0)
        );
    }

    #[test]
    fn stream_is_skewed_and_round_trips() {
        let text = crate::corpus::fallback();
        let stream = BitStream::from_text(&text[..50_000]);
        assert_eq!(stream.bit_count(), 400_000);
        let bits_per_byte = stream.ideal_bits() / 50_000.0;
        assert!(bits_per_byte < 6.0, "{bits_per_byte} bits per byte");
        let coded = stream.encode();
        let mut decoder = Decoder::new(&coded[..]);
        for (bit, p) in stream.bits() {
            assert_eq!(decoder.decode(p), bit);
        }
    }
}
