//! Word model: the current word and the words before it predict the next byte.
//!
//! A word is a run of letters (ASCII letters case-folded, and every byte >= 0x80 so that UTF-8
//! text counts as letters). The context is the hash of the current partial word and the `words - 1`
//! complete words before it; between words, the last byte takes the partial word's place, so that
//! "word, " and "word. " predict differently.

use crate::context_map::combine;
use crate::model::{History, Model};

const MAX_WORDS: usize = 4;

pub struct WordModel {
    words: usize,
    current: u64,
    previous: [u64; MAX_WORDS],
    table_bytes: usize,
}

impl WordModel {
    /// A model over the current word and `words - 1` previous ones (`1..=4`).
    pub fn new(words: usize, table_bytes: usize) -> Self {
        assert!((1..=MAX_WORDS).contains(&words));
        WordModel {
            words,
            current: 0,
            previous: [0; MAX_WORDS],
            table_bytes,
        }
    }
}

/// The letter a byte stands for in a word (case-folded), or `None` for a separator.
#[inline]
pub fn word_letter(byte: u8) -> Option<u8> {
    match byte {
        b'a'..=b'z' | 0x80..=0xFF => Some(byte),
        b'A'..=b'Z' => Some(byte + 32),
        _ => None,
    }
}

impl Model for WordModel {
    fn name(&self) -> String {
        format!("word{}", self.words)
    }

    fn context_tables(&self) -> Vec<usize> {
        vec![self.table_bytes]
    }

    fn update_byte(&mut self, history: &History, contexts: &mut [u64]) {
        let byte = history.back(1);
        match word_letter(byte) {
            Some(letter) => self.current = combine(self.current, letter as u64 + 1),
            None if self.current != 0 => {
                self.previous.copy_within(0..MAX_WORDS - 1, 1);
                self.previous[0] = self.current;
                self.current = 0;
            }
            None => {}
        }
        let mut h = if self.current != 0 {
            self.current
        } else {
            combine(0x5EED, byte as u64)
        };
        for &w in &self.previous[..self.words - 1] {
            h = combine(h, w);
        }
        contexts[0] = combine(h, self.words as u64);
    }
}
