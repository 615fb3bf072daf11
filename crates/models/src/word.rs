//! Word model: the current word and the words before it predict the next byte.
//!
//! A word is a run of letters, as a byte-class table says: by default ASCII letters (case-folded)
//! and every byte >= 0x80, so that UTF-8 text counts as letters; after the dictionary transform
//! also the word codes (a 2-byte code is one letter pair), with the capitalisation flags ignored,
//! so that "The" and "the" share their contexts. The engine gives this model classes in which the
//! XML entities' 1-byte codes are separators (`aizip_dict::EntityCodes`), like the punctuation
//! they stand for.
//!
//! The context is the hash of the current partial word and the `words - 1` complete words before
//! it; between words, the last byte takes the partial word's place, so that what follows `word,`
//! and what follows `word.` are told apart (after the next space they share a context again).
//!
//! [`WordModel::prefix`] names the word so far alone and, between words, a single context
//! whatever the separator (word1 has the last byte there, which the order-1 context knows, or
//! at level 9 in text the direct model's last-byte counters and the order-1 APM).
//! Measured on wiki4m beside word1, level 8: -0.106%; with the last byte between words (word1's
//! context, read by the plain classes below) -0.064%; as word1's own context between words, in
//! place of the last byte, -0.033%; one context everywhere (a second order 0) -0.034%.
//!
//! The engine gives it the plain letter classes (`aizip_dict::default_classes`) even for text the
//! dictionary transform coded: with the code space's classes the model gained only 0.040% there,
//! with the capitalisation flags read as letters 0.066%, with the 2-byte codes' leads and the
//! codes below 0x80 as separators 0.085%. The plain classes read a code byte as a letter or a
//! separator by its value (the code space takes the rarest bytes that are not ASCII letters or
//! digits: controls, bytes from 0x80 that the text does not use, rare punctuation), and so does
//! a capitalisation flag: as a separator, case is folded; as a letter, it is part of the word.
//! Why that reading gains most is not understood. The plain classes for every model that reads
//! words gained wiki4m 0.05% at level 7 and cost it 0.08% at level 8.

use crate::context_map::combine;
use crate::model::{History, Model};
use aizip_dict::ByteClass;

const MAX_WORDS: usize = 4;

/// Reads text into words, byte by byte: keeps the hash of the current word's case-folded bytes
/// (the word and text models share this reading). The byte after a 2-byte code's lead completes
/// the code, so it counts as a letter whatever its own class.
#[derive(Clone)]
pub struct WordReader {
    classes: [ByteClass; 256],
    after_lead: bool,
    current: u64,
}

/// What one byte did to the word being read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WordStep {
    /// A letter (or code byte) of the current word; `first` if it started the word.
    Letter { first: bool },
    /// A capitalisation flag: it belongs to the next word and changes nothing.
    Flag,
    /// A separator; `ended` is the hash of the word it ended, if any.
    Separator { ended: Option<u64> },
}

impl WordReader {
    pub fn new(classes: [ByteClass; 256]) -> Self {
        WordReader {
            classes,
            after_lead: false,
            current: 0,
        }
    }

    /// Reads the next byte of the text.
    #[inline]
    pub fn read(&mut self, byte: u8) -> WordStep {
        let class = if std::mem::take(&mut self.after_lead) {
            ByteClass::Letter
        } else {
            let class = self.classes[byte as usize];
            self.after_lead = class == ByteClass::Lead;
            class
        };
        match class {
            ByteClass::Letter | ByteClass::Lead => {
                let first = self.current == 0;
                self.current = combine(self.current, byte.to_ascii_lowercase() as u64 + 1);
                WordStep::Letter { first }
            }
            ByteClass::Flag => WordStep::Flag,
            ByteClass::Separator | ByteClass::Escape => WordStep::Separator {
                ended: (self.current != 0).then(|| std::mem::take(&mut self.current)),
            },
        }
    }

    /// How the byte-class table reads `byte` (the byte after a lead aside).
    #[inline]
    pub fn class(&self, byte: u8) -> ByteClass {
        self.classes[byte as usize]
    }

    /// The hash of the word read so far (0 between words).
    #[inline]
    pub fn current(&self) -> u64 {
        self.current
    }

    /// The word read so far or, between words, the last byte `byte` in its place: what follows
    /// `word,` and what follows `word.` are told apart.
    #[inline]
    pub fn current_or_byte(&self, byte: u8) -> u64 {
        match self.current {
            0 => combine(0x5EED, byte as u64),
            word => word,
        }
    }
}

pub struct WordModel {
    words: usize,
    /// Leave out the word just before the current one (`words` then counts it all the same).
    skip: bool,
    /// Between words, a single context whatever the separator, instead of the last byte
    /// ([`WordModel::prefix`]).
    bare_separators: bool,
    previous: [u64; MAX_WORDS],
    table_bytes: usize,
    reader: WordReader,
}

impl WordModel {
    /// A model over the current word and `words - 1` previous ones (`1..=4`); `classes` says
    /// which bytes form words (see `aizip_dict::ByteClass`).
    pub fn new(words: usize, table_bytes: usize, classes: [ByteClass; 256]) -> Self {
        assert!((1..=MAX_WORDS).contains(&words));
        WordModel {
            words,
            skip: false,
            bare_separators: false,
            previous: [0; MAX_WORDS],
            table_bytes,
            reader: WordReader::new(classes),
        }
    }
}

impl WordModel {
    /// The current word and the one before the previous (`the … of` in "the end of"): a context
    /// that survives a varying word in between.
    pub fn skipping(table_bytes: usize, classes: [ByteClass; 256]) -> Self {
        WordModel {
            skip: true,
            ..WordModel::new(3, table_bytes, classes)
        }
    }

    /// The partial word alone, and between words a single context (see the module
    /// documentation).
    pub fn prefix(table_bytes: usize, classes: [ByteClass; 256]) -> Self {
        WordModel {
            bare_separators: true,
            ..WordModel::new(1, table_bytes, classes)
        }
    }
}

impl Model for WordModel {
    fn name(&self) -> String {
        if self.skip {
            "word-skip".to_string()
        } else if self.bare_separators {
            "word-prefix".to_string()
        } else {
            format!("word{}", self.words)
        }
    }

    fn context_tables(&self) -> Vec<usize> {
        vec![self.table_bytes]
    }

    fn update_byte(&mut self, history: &History, contexts: &mut [u64]) {
        let byte = history.back(1);
        if let WordStep::Separator { ended: Some(word) } = self.reader.read(byte) {
            self.previous.copy_within(0..MAX_WORDS - 1, 1);
            self.previous[0] = word;
        }
        // Salted first, so that the current word and the one before it are told apart
        // (`combine` is symmetric; level 6 on w1m, alice29, enwik8-head and book1: -0.04%).
        let current = if self.bare_separators {
            self.reader.current()
        } else {
            self.reader.current_or_byte(byte)
        };
        let mut h = combine(0x3D, current);
        let skipped = self.skip as usize;
        for &w in &self.previous[skipped..self.words - 1] {
            h = combine(h, w);
        }
        let variant = self.words + 4 * skipped + 8 * self.bare_separators as usize;
        contexts[0] = combine(h, variant as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::contexts_after;

    /// The context `model` names after reading `text`.
    fn named_after(mut model: WordModel, text: &[u8]) -> u64 {
        let [context] = contexts_after(&mut model, text);
        context
    }

    fn context(words: usize, text: &[u8]) -> u64 {
        named_after(
            WordModel::new(words, 1 << 16, aizip_dict::default_classes()),
            text,
        )
    }

    fn prefix_context(text: &[u8]) -> u64 {
        named_after(
            WordModel::prefix(1 << 16, aizip_dict::default_classes()),
            text,
        )
    }

    #[test]
    fn the_order_of_the_words_counts() {
        assert_ne!(context(2, b"dog cat"), context(2, b"cat dog"));
        assert_ne!(context(3, b"a dog cat"), context(3, b"a cat dog"));
    }

    #[test]
    fn case_is_folded_and_older_words_are_forgotten() {
        assert_eq!(context(2, b"The Dog"), context(2, b"the dog"));
        assert_eq!(context(2, b"a big dog"), context(2, b"one big dog"));
        assert_ne!(context(3, b"a big dog"), context(3, b"one big dog"));
    }

    #[test]
    fn between_words_the_last_byte_counts() {
        assert_ne!(context(1, b"word,"), context(1, b"word."));
        assert_ne!(context(2, b"word,"), context(2, b"word."));
        assert_eq!(context(1, b"word, "), context(1, b"word. "));
    }

    #[test]
    fn the_prefix_model_names_the_word_so_far_and_one_context_between_words() {
        assert_eq!(prefix_context(b"a Wor"), prefix_context(b"the wor"));
        assert_ne!(prefix_context(b"the wor"), prefix_context(b"the wo"));
        assert_eq!(prefix_context(b"word,"), prefix_context(b"word. "));
        assert_eq!(prefix_context(b"word,"), prefix_context(b"<"));
        assert_eq!(prefix_context(b""), prefix_context(b" "));
        assert_ne!(prefix_context(b"\xC3\xA9t\xC3"), prefix_context(b" "));
        assert_eq!(prefix_context(b"route 66"), prefix_context(b"6"));
    }
}
