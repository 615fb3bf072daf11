//! The model trait and what the engine shares with every model.

/// Stretched predictions collected for the mixer, in model order, in a buffer whose length is
/// fixed in advance (the mixer pads it to its vector width; unused lanes stay 0). Where a
/// [`crate::ContextSet`]'s state maps run apart, those maps' inputs hold bit-history states until
/// [`crate::ContextStateMaps::predict`] replaces them.
#[derive(Default)]
pub struct Inputs {
    values: Vec<i32>,
    len: usize,
}

impl Inputs {
    /// Room for `capacity` inputs.
    pub fn with_capacity(capacity: usize) -> Self {
        Inputs {
            values: vec![0; capacity],
            len: 0,
        }
    }

    #[inline]
    pub fn push(&mut self, stretched: i32) {
        self.values[self.len] = stretched;
        self.len += 1;
    }

    /// The next `n` inputs, to be written in place (cheaper than `n` pushes in a hot loop).
    #[inline]
    pub fn push_slots(&mut self, n: usize) -> &mut [i32] {
        let start = self.len;
        self.len += n;
        &mut self.values[start..self.len]
    }

    #[inline]
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// The inputs pushed since the last [`Inputs::clear`].
    pub fn as_slice(&self) -> &[i32] {
        &self.values[..self.len]
    }

    /// The inputs pushed since the last [`Inputs::clear`], to be rewritten in place.
    #[inline]
    pub fn as_mut_slice(&mut self) -> &mut [i32] {
        &mut self.values[..self.len]
    }

    /// The whole buffer, padding included.
    pub fn padded(&self) -> &[i32] {
        &self.values
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
        let size = History::ring_bytes(capacity);
        History {
            ring: vec![0; size],
            mask: size - 1,
            len: 0,
            last8: 0,
        }
    }

    /// Bytes of the ring of [`History::new`] for `capacity`: it is allocated zeroed, so only
    /// the pages that pushed bytes reach become resident.
    pub fn ring_bytes(capacity: usize) -> usize {
        capacity.max(16).next_power_of_two()
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
        if (1..=8).contains(&n) {
            // The last eight bytes are at hand without a look into the ring (and are 0 before
            // the start, as the ring's answer is).
            (self.last8 >> (8 * (n - 1))) as u8
        } else if n > self.len {
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
    /// The byte the LSTM model expects: from the partial byte, the likelier branch of its
    /// distribution at each bit (0 where no LSTM runs).
    pub lstm_byte: u32,
    /// While the match model recovers from a mismatch (see `matcher`) and the bits so far agree
    /// with the byte it expects: `1 + 2 ×` the disagreements it may still pass over `+` the bit it
    /// expects (up to [`crate::matcher::RECOVERY_STATES`]); otherwise 0.
    pub recovery: u32,
}

/// A model. Most models only *name contexts*: at each byte boundary they hash what they look at
/// (the last bytes, the current word…) into one value per context, and the engine's
/// [`crate::ContextSet`] and [`crate::ContextStateMaps`] turn each hash into bit predictions.
/// Models that predict bits in their own way (the match and direct models) also push mixer
/// inputs every bit.
///
/// Calling order, per byte: `update_byte` once (the completed byte is in `history`); then for each
/// of the 8 bits, if `input_count() > 0`, `predict` (push exactly `input_count()` inputs) and
/// `update` with the coded bit.
pub trait Model: Send {
    /// Short name, used by reports such as `aizip ablate`.
    fn name(&self) -> String;
    /// Table bytes for each hashed context this model names (empty if it names none).
    fn context_tables(&self) -> Vec<usize> {
        Vec::new()
    }
    /// Bytes of memory the model allocates itself, beyond its context tables (for memory budgets).
    fn own_bytes(&self) -> usize {
        0
    }
    /// Number of mixer inputs this model pushes itself per bit.
    fn input_count(&self) -> usize {
        0
    }
    /// A byte was completed (or coding starts): write one hash per context into `contexts`.
    fn update_byte(&mut self, history: &History, contexts: &mut [u64]);
    /// Push this model's own predictions for the next bit.
    fn predict(&mut self, _bit: &mut BitContext, _history: &History, _inputs: &mut Inputs) {}
    /// Learn the bit just coded.
    fn update(&mut self, _bit: u32) {}
}

/// Feeds `text` to `model` as the engine does (once before the first byte, then after each) and
/// returns the `N` contexts it names after the last byte (for models' tests).
#[cfg(test)]
pub(crate) fn contexts_after<const N: usize>(model: &mut impl Model, text: &[u8]) -> [u64; N] {
    assert_eq!(
        N,
        model.context_tables().len(),
        "the model names {N} contexts"
    );
    let mut history = History::new(text.len());
    let mut contexts = [0u64; N];
    model.update_byte(&history, &mut contexts);
    for &b in text {
        history.push(b);
        model.update_byte(&history, &mut contexts);
    }
    contexts
}

/// Codes `text` through `model` bit by bit as the engine does (`update_byte` once before the
/// first byte and after each, `predict` and `update` for each bit), calling `each_bit` after each
/// prediction with the bit's context, the inputs the model pushed and the bit (for models' tests).
#[cfg(test)]
pub(crate) fn code_bits(
    model: &mut impl Model,
    text: &[u8],
    mut each_bit: impl FnMut(&BitContext, &[i32], u32),
) {
    code_bits_naming(model, text, |bit, inputs, y, _| each_bit(bit, inputs, y));
}

/// [`code_bits`], also handing `each_bit` the contexts the model named for the current byte.
#[cfg(test)]
pub(crate) fn code_bits_naming(
    model: &mut impl Model,
    text: &[u8],
    mut each_bit: impl FnMut(&BitContext, &[i32], u32, &[u64]),
) {
    let mut history = History::new(text.len().max(1));
    let mut inputs = Inputs::with_capacity(model.input_count());
    let mut contexts = vec![0u64; model.context_tables().len()];
    model.update_byte(&history, &mut contexts);
    for &byte in text {
        let mut bit = BitContext {
            c0: 1,
            ..BitContext::default()
        };
        for bit_pos in 0..8 {
            bit.bit_pos = bit_pos;
            inputs.clear();
            model.predict(&mut bit, &history, &mut inputs);
            let y = u32::from(byte >> (7 - bit_pos) & 1);
            each_bit(&bit, inputs.as_slice(), y, &contexts);
            model.update(y);
            bit.c0 = bit.c0 << 1 | y;
        }
        history.push(byte);
        model.update_byte(&history, &mut contexts);
    }
}

/// `len` bytes from a fixed linear congruential sequence: text that no short context predicts,
/// the same on every run (for models' tests).
#[cfg(test)]
pub(crate) fn pseudo_random_bytes(len: usize) -> Vec<u8> {
    let mut state = 12345u32;
    (0..len)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (state >> 24) as u8
        })
        .collect()
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
