//! Number model: the digits of the number being written, with what introduced it.
//!
//! The word models read a digit as a separator, so a year, a date or a figure in a table has no
//! context of its own beyond the last few bytes. Wiki text is about 4% digits, and at level 9
//! they cost 2.7 bits each, 6% of the archive. This model follows runs of ASCII digits and names
//! three contexts. Inside a number:
//!
//! 1. its digits so far × the last word before it (`March 1999`, `born 1950`);
//! 2. its digits so far × the two bytes before it (`[[1999`, `|1999`, `(1999`);
//! 3. how many digits it has so far × the word and the byte before it: the shape of a figure
//!    (four digits after `in `, two after `:`), whatever its digits.
//!
//! Between numbers the same three contexts say what follows a number: the last number × the
//! last byte; the last number × the current word; the last number's length × the word before
//! it × the last two bytes.
//!
//! Words are read as the word models read them (case-folded, dictionary codes as words but for
//! the XML entities' 1-byte codes, which the engine gives it as separators).
//! Measured at level 9 (three tables at a quarter of the large ones; at the eighth the model set
//! gives them on a gigabyte, wiki4m lost 0.02% under format version 8): wiki4m 720,896 ->
//! 719,135 bytes (-0.24%), enwik8-head -0.10%, book1 and alice29 within 0.01%.

use crate::context_map::combine;
use crate::model::{History, Model};
use crate::word::{WordReader, WordStep};
use aizip_dict::ByteClass;

pub struct NumberModel {
    table_bytes: usize,
    reader: WordReader,
    /// The last word completed.
    last_word: u64,
    /// The last word completed before the current number (or the last number).
    word_before: u64,
    /// The two bytes before the current number (the nearer one low), frozen when it started.
    bytes_before: u16,
    /// Hash of the digits of the number being read; 0 outside a number.
    number: u64,
    /// Digits of the number being read; outside a number, of the last one (it is reset only
    /// when the next number begins).
    digits: u64,
    /// Hash of the last complete number.
    last_number: u64,
}

impl NumberModel {
    pub fn new(table_bytes: usize, classes: [ByteClass; 256]) -> Self {
        NumberModel {
            table_bytes,
            reader: WordReader::new(classes),
            last_word: 0,
            word_before: 0,
            bytes_before: 0,
            number: 0,
            digits: 0,
            last_number: 0,
        }
    }
}

impl Model for NumberModel {
    fn name(&self) -> String {
        "number".to_string()
    }

    fn context_tables(&self) -> Vec<usize> {
        vec![self.table_bytes; 3]
    }

    fn update_byte(&mut self, history: &History, contexts: &mut [u64]) {
        let byte = history.back(1);
        if let WordStep::Separator { ended: Some(word) } = self.reader.read(byte) {
            self.last_word = word;
        }
        if byte.is_ascii_digit() {
            if self.number == 0 {
                self.word_before = self.last_word;
                self.bytes_before = u16::from_le_bytes([history.back(2), history.back(3)]);
                self.digits = 0;
            }
            // The low bit set: a number's hash is never 0, which means outside a number.
            self.number = combine(self.number, byte as u64) | 1;
            self.digits += 1;
        } else if self.number != 0 {
            self.last_number = self.number;
            self.number = 0;
        }
        let before = self.bytes_before as u64;
        if self.number != 0 {
            contexts[0] = combine(combine(0x4E31, self.number), self.word_before);
            contexts[1] = combine(combine(0x4E32, self.number), before);
            contexts[2] = combine(
                combine(0x4E33, self.digits),
                combine(self.word_before, before & 0xFF),
            );
        } else {
            let c1 = byte as u64;
            let c2 = history.back(2) as u64;
            contexts[0] = combine(combine(0x4E34, self.last_number), c1);
            contexts[1] = combine(combine(0x4E35, self.last_number), self.reader.current());
            contexts[2] = combine(
                combine(0x4E36, self.digits),
                combine(self.word_before, c2 << 8 | c1),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aizip_dict::default_classes;

    fn contexts(text: &[u8]) -> [u64; 3] {
        crate::model::contexts_after(&mut NumberModel::new(1 << 16, default_classes()), text)
    }

    #[test]
    fn a_number_is_seen_with_the_word_and_the_bytes_before_it() {
        let [by_word, by_bytes, shape] = contexts(b"died in 19");
        // The word before the number, not what came earlier, names the first context.
        assert_eq!(contexts(b"He died in 19")[0], by_word);
        assert_ne!(contexts(b"died on 19")[0], by_word);
        assert_ne!(contexts(b"died in 20")[0], by_word);
        // The two bytes before the number name the second, frozen when the number began.
        assert_eq!(contexts(b"lived in 19")[1], by_bytes);
        assert_ne!(contexts(b"died [[19")[1], by_bytes);
        assert_ne!(contexts(b"in 1999")[1], contexts(b"[[1999")[1]);
        // The digit count (not the digits) and the word and byte before name the third.
        assert_eq!(contexts(b"died in 20")[2], shape);
        assert_ne!(contexts(b"died in 201")[2], shape);
        assert_ne!(contexts(b"died on 20")[2], shape);
        // A new number counts its digits afresh.
        assert_eq!(contexts(b"1999 died in 20")[2], shape);
    }

    #[test]
    fn after_a_number_the_last_number_is_the_context() {
        let [by_byte, by_word, by_shape] = contexts(b"in 1999, the");
        assert_eq!(contexts(b"of 1999, the")[0], by_byte);
        assert_ne!(contexts(b"in 1998, the")[0], by_byte);
        assert_ne!(contexts(b"in 1999, thy")[1], by_word);
        assert_eq!(contexts(b"by 1999, the")[1], by_word);
        // The last number's length, not its digits, with the word before it.
        assert_eq!(contexts(b"in 2001, the")[2], by_shape);
        assert_ne!(contexts(b"in 201, the")[2], by_shape);
        assert_ne!(contexts(b"on 1999, the")[2], by_shape);
        // Inside a number and just after it, the contexts differ.
        assert_ne!(contexts(b"in 1999")[0], contexts(b"in 1999 ")[0]);
    }
}
