//! The model trait and what the engine shares with every model.

/// Stretched predictions collected for the mixer, in model order.
#[derive(Default)]
pub struct Inputs {
    values: Vec<i32>,
}

impl Inputs {
    #[inline]
    pub fn push(&mut self, stretched: i32) {
        self.values.push(stretched);
    }

    pub fn clear(&mut self) {
        self.values.clear();
    }

    pub fn as_slice(&self) -> &[i32] {
        &self.values
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// The bytes coded so far: a ring buffer of the most recent ones, plus the last eight in a word.
pub struct History {
    ring: Vec<u8>,
    mask: usize,
    len: u64,
    last8: u64,
}

impl History {
    /// A history remembering at least `capacity` bytes (rounded up to a power of two).
    pub fn new(capacity: usize) -> Self {
        let size = capacity.max(16).next_power_of_two();
        History {
            ring: vec![0; size],
            mask: size - 1,
            len: 0,
            last8: 0,
        }
    }

    #[inline]
    pub fn push(&mut self, byte: u8) {
        self.ring[self.len as usize & self.mask] = byte;
        self.len += 1;
        self.last8 = (self.last8 << 8) | byte as u64;
    }

    /// Number of bytes seen.
    #[inline]
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many of the most recent bytes can still be read back.
    pub fn capacity(&self) -> u64 {
        self.ring.len() as u64
    }

    /// The byte at absolute position `pos` (which must be within the last `capacity` bytes).
    #[inline]
    pub fn at(&self, pos: u64) -> u8 {
        self.ring[pos as usize & self.mask]
    }

    /// The `n`-th most recent byte (`n = 1` is the last one); 0 before the start.
    #[inline]
    pub fn back(&self, n: u64) -> u8 {
        if n > self.len {
            0
        } else {
            self.at(self.len - n)
        }
    }

    /// The last eight bytes, the most recent in the low byte.
    #[inline]
    pub fn last8(&self) -> u64 {
        self.last8
    }
}

/// Per-bit state the engine shares with the models.
#[derive(Default, Clone, Copy)]
pub struct BitContext {
    /// The bits of the current byte seen so far, behind a leading 1 (1 at a byte boundary).
    pub c0: u32,
    /// How many bits of the current byte are known (0..=7).
    pub bit_pos: u32,
    /// Length of the match the match model follows (0 when none), for mixer and SSE contexts.
    pub match_length: u32,
    /// Bit the match model expects (meaningful when `match_length > 0`).
    pub match_bit: u32,
}

/// A bit predictor. The engine calls, for every byte:
/// `update_byte` once (the new byte is in `history`), then for each of the 8 bits
/// `predict` (push exactly `input_count()` inputs) and `update` with the coded bit.
pub trait Model {
    /// Short name, used by reports such as `aizip ablate`.
    fn name(&self) -> String;
    /// Number of mixer inputs this model pushes per bit.
    fn input_count(&self) -> usize;
    /// A byte was completed (or coding starts): compute the contexts for the next byte.
    fn update_byte(&mut self, history: &History);
    /// Push this model's predictions for the next bit.
    fn predict(&mut self, bit: &mut BitContext, history: &History, inputs: &mut Inputs);
    /// Learn the bit just coded.
    fn update(&mut self, bit: u32);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_wraps_and_remembers() {
        let mut h = History::new(16);
        for b in 0..40u8 {
            h.push(b);
        }
        assert_eq!(h.len(), 40);
        assert_eq!(h.back(1), 39);
        assert_eq!(h.back(16), 24);
        assert_eq!(h.last8() & 0xFF, 39);
        assert_eq!(h.at(30), 30);
    }
}
