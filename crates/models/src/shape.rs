//! Shape model: the classes of the last bytes (letter, digit, space, punctuation, …) predict the
//! next byte; "three lower-case letters after a capital" is a context of its own, whatever the
//! letters, which carries layout and word-shape habits across different words.

use crate::context_map::combine;
use crate::model::{History, Model};

/// Values of [`TEXT_CLASS`].
pub const TEXT_CLASSES: usize = 8;

/// A byte's class (3 bits; classes 2k and 2k + 1 are alike, so `>> 1` gives a coarser 2-bit
/// class): lower-case letter, byte >= 0x80 (a word code or UTF-8), capital, digit, space,
/// newline, sentence punctuation and quotes, anything else.
pub static TEXT_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = match b {
            b'a'..=b'z' => 0,
            0x80..=0xFF => 1,
            b'A'..=b'Z' => 2,
            b'0'..=b'9' => 3,
            b' ' => 4,
            b'\n' => 5,
            b'.' | b',' | b';' | b':' | b'!' | b'?' | b'\'' | b'"' => 6,
            _ => 7,
        };
        c += 1;
    }
    t
};

/// Bytes whose classes form the context.
const SHAPE_BYTES: u64 = 12;

/// Names one context: the classes of the last `SHAPE_BYTES` bytes.
pub struct ShapeModel {
    table_bytes: usize,
}

impl ShapeModel {
    pub fn new(table_bytes: usize) -> Self {
        ShapeModel { table_bytes }
    }
}

impl Model for ShapeModel {
    fn name(&self) -> String {
        "shape".to_string()
    }

    fn context_tables(&self) -> Vec<usize> {
        vec![self.table_bytes]
    }

    fn update_byte(&mut self, history: &History, contexts: &mut [u64]) {
        let shape = (1..=SHAPE_BYTES.min(history.len())).fold(0u64, |shape, back| {
            shape << 3 | TEXT_CLASS[history.back(back) as usize] as u64
        });
        contexts[0] = combine(0x5A4E, shape);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(text: &[u8]) -> u64 {
        let mut model = ShapeModel::new(1 << 16);
        let mut history = History::new(1 << 10);
        let mut contexts = [0u64];
        for &b in text {
            history.push(b);
        }
        model.update_byte(&history, &mut contexts);
        contexts[0]
    }

    #[test]
    fn words_of_one_shape_share_a_context() {
        assert_eq!(context(b"to the Cat, "), context(b"in our Dog; "));
        assert_ne!(context(b"to the Cat, "), context(b"to the cat, "));
        assert_ne!(context(b"to the Cat, "), context(b"to the Cats "));
        // Only the last SHAPE_BYTES bytes count.
        assert_eq!(context(b"12345 to the Cat, "), context(b"abc to the Cat, "));
    }

    #[test]
    fn classes_cover_every_byte() {
        assert!(TEXT_CLASS.iter().all(|&c| (c as usize) < TEXT_CLASSES));
        assert_eq!(TEXT_CLASS[b'q' as usize], TEXT_CLASS[b'a' as usize]);
        assert_ne!(TEXT_CLASS[b'Q' as usize], TEXT_CLASS[b'q' as usize]);
        assert_eq!(TEXT_CLASS[0x80], TEXT_CLASS[0xFF]);
    }
}
