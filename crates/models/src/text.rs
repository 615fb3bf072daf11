//! Text model: words in their surroundings — the punctuation and markup around them.
//!
//! Where [`crate::WordModel`] hashes sequences of words, this model pairs the current word with
//! what separates it from the text before: the bytes that ended the previous word (`", "`,
//! `"]] "`, `"\n* "`), the previous word's first letter, and the byte before last. These say
//! whether a word starts a sentence, a link, a list item or a table cell, which changes how it is
//! spelt and what follows. Contexts (hashed, one table each):
//!
//! 1. current word × the last two separator bytes before it;
//! 2. current word × first letter of the previous word × the byte before last;
//! 3. previous word × the last byte × the first letter of the current (or last) word (between
//!    words: which separator follows which word);
//! 4. current word × the innermost open bracket (`(`, `[`, `{`) × the last byte;
//! 5. current word × the word before the innermost open bracket and that bracket: what is
//!    written inside `(born …)`, `[[Category:…]]` or `{{cite web|…}}` depends on what opened it.
//!
//! Contexts 4 and 5 take quarter- and half-size tables (measured at level 9: together 0.5%
//! smaller archives on wiki text; the bracket alone 0.3%).
//!
//! Words are runs of letters (and dictionary codes) as the byte classes say, case-folded; the
//! engine gives this model classes in which the XML entities' 1-byte codes are separators.

use crate::context_map::combine;
use crate::model::{History, Model};
use crate::word::{WordReader, WordStep};
use aizip_dict::ByteClass;

pub struct TextModel {
    table_bytes: usize,
    reader: WordReader,
    previous: u64,
    /// First byte of the current and of the previous word.
    first: u8,
    previous_first: u8,
    /// The last two separator bytes seen (most recent low).
    separators: u16,
    /// Separators before the current word, frozen when it started.
    before_word: u16,
    /// The open brackets, followed on separator bytes (a bracket is never a letter or a code).
    brackets: Brackets,
    /// For each open bracket, the hash of the word before it and the bracket (innermost first).
    openers: [u64; BRACKET_DEPTH],
}

const BRACKET_DEPTH: usize = 4;

/// The open brackets `(`, `[` and `{` (four deep): whether the text is inside a remark, a link or
/// a template. The text model and a weight-set selector of the engine follow them.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Brackets {
    /// The open brackets' bytes, innermost in the low byte.
    open: u32,
}

/// What a byte did to the [`Brackets`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BracketChange {
    Opened,
    Closed,
    Unchanged,
}

impl Brackets {
    /// Follows the next byte of the text.
    #[inline]
    pub fn follow(&mut self, byte: u8) -> BracketChange {
        match byte {
            b'(' | b'[' | b'{' => {
                self.open = self.open << 8 | byte as u32;
                BracketChange::Opened
            }
            b')' | b']' | b'}' => {
                self.open >>= 8;
                BracketChange::Closed
            }
            _ => BracketChange::Unchanged,
        }
    }

    /// The innermost open bracket's byte (0 when none is open).
    #[inline]
    pub fn innermost(self) -> u8 {
        self.open as u8
    }

    /// The kinds of the two innermost open brackets (none, `(`, `[`, `{`: 0 to 3 each) as one
    /// number below [`Brackets::KINDS`].
    #[inline]
    pub fn two_innermost(self) -> usize {
        let kind = |byte: u32| match byte as u8 {
            b'(' => 1,
            b'[' => 2,
            b'{' => 3,
            _ => 0,
        };
        kind(self.open) | kind(self.open >> 8) << 2
    }

    /// The number of values of [`Brackets::two_innermost`].
    pub const KINDS: usize = 16;
}

impl TextModel {
    pub fn new(table_bytes: usize, classes: [ByteClass; 256]) -> Self {
        TextModel {
            table_bytes,
            reader: WordReader::new(classes),
            previous: 0,
            first: 0,
            previous_first: 0,
            separators: 0,
            before_word: 0,
            brackets: Brackets::default(),
            openers: [0; BRACKET_DEPTH],
        }
    }
}

impl Model for TextModel {
    fn name(&self) -> String {
        "text".to_string()
    }

    fn context_tables(&self) -> Vec<usize> {
        let t = self.table_bytes;
        vec![t, t, t, t / 4, t / 2]
    }

    fn update_byte(&mut self, history: &History, contexts: &mut [u64]) {
        let byte = history.back(1);
        match self.reader.read(byte) {
            WordStep::Letter { first: true } => {
                self.first = byte.to_ascii_lowercase();
                self.before_word = self.separators;
            }
            WordStep::Letter { first: false } | WordStep::Flag => {}
            WordStep::Separator { ended } => {
                if let Some(word) = ended {
                    self.previous = word;
                    self.previous_first = self.first;
                }
                self.separators = self.separators << 8 | byte as u16;
                match self.brackets.follow(byte) {
                    BracketChange::Opened => {
                        self.openers.copy_within(0..BRACKET_DEPTH - 1, 1);
                        self.openers[0] = combine(self.previous, byte as u64);
                    }
                    BracketChange::Closed => self.openers.copy_within(1.., 0),
                    BracketChange::Unchanged => {}
                }
            }
        }
        let current = self.reader.current();
        let c1 = byte as u64;
        let c2 = history.back(2) as u64;
        contexts[0] = combine(combine(0x7E1, current), self.before_word as u64);
        contexts[1] = combine(
            combine(0x7E2, current),
            (self.previous_first as u64) << 8 | c2,
        );
        contexts[2] = combine(combine(0x7E3, self.previous), c1 << 8 | self.first as u64);
        contexts[3] = combine(
            combine(0x7E4, current),
            self.brackets.innermost() as u64 * 256 + c1,
        );
        contexts[4] = combine(combine(0x7E5, current), self.openers[0]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The model's contexts after reading `text`.
    fn contexts_after(text: &[u8]) -> [u64; 5] {
        let mut model = TextModel::new(1 << 16, aizip_dict::default_classes());
        crate::model::contexts_after(&mut model, text)
    }

    #[test]
    fn the_same_word_after_different_punctuation_differs() {
        let context_after = |text: &[u8]| contexts_after(text)[0];
        assert_ne!(context_after(b"end. The"), context_after(b"end, the"));
        assert_eq!(context_after(b"end. The"), context_after(b"stop. the"));
    }

    #[test]
    fn brackets_nest() {
        let mut brackets = Brackets::default();
        for &b in b"a [[b (c {d" {
            brackets.follow(b);
        }
        assert_eq!(brackets.innermost(), b'{');
        assert_eq!(brackets.two_innermost(), 3 | 1 << 2);
        for &b in b"}) x" {
            brackets.follow(b);
        }
        assert_eq!(brackets.innermost(), b'[');
        assert_eq!(brackets.two_innermost(), 2 | 2 << 2);
        assert!(brackets.two_innermost() < Brackets::KINDS);
    }

    #[test]
    fn brackets_and_what_opened_them_are_context() {
        let [.., in_round, after_born] = contexts_after(b"x (born 19");
        let [.., in_square, after_see] = contexts_after(b"x [see 19");
        assert_ne!(in_round, in_square);
        assert_ne!(after_born, after_see);
        // A closed bracket is forgotten.
        assert_eq!(
            contexts_after(b"a (b) word")[3..],
            contexts_after(b"a [c] word")[3..]
        );
    }
}
