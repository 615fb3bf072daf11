//! Sentence model: the current word and where it stands in its clause.
//!
//! The word models see the words just before this one; how a word is spelt and what follows it
//! also depends on how far into the sentence or clause it is (a capital after `. `, a verb a few
//! words after the subject) and on how the clause began. A clause ends at sentence punctuation
//! (`. ! ? , ; :`), a newline, or wiki markup that starts a new run of text (`| = * ( ) [ ] { }`),
//! never at the dictionary's escape, whatever its byte value.
//! Contexts:
//!
//! 1. current word × words since the clause began (up to 15) × the byte that ended the last one;
//! 2. current word × the clause's first word (while that is read, the last clause's) × words
//!    since the clause began (up to 7).
//!
//! Words are read as the word models read them (case-folded, dictionary codes as words).
//! Measured at level 9 beside the number model (two tables at a quarter of the large ones; the
//! model set gives it an eighth): w1m -0.18%, enwik8-head -0.12%, book1 -0.26%, alice29 -0.18%.

use crate::context_map::combine;
use crate::model::{History, Model};
use crate::word::{WordReader, WordStep};
use aizip_dict::ByteClass;

pub struct SentenceModel {
    table_bytes: usize,
    reader: WordReader,
    /// Words completed since the clause began.
    words: u64,
    /// The byte that ended the last clause.
    clause_end: u8,
    /// The first word of the clause; until that is complete, the last clause's (0 before any).
    first_word: u64,
}

/// Whether `byte`, a separator, ends a clause.
fn ends_clause(byte: u8) -> bool {
    matches!(
        byte,
        b'.' | b'!'
            | b'?'
            | b','
            | b';'
            | b':'
            | b'\n'
            | b'|'
            | b'='
            | b'*'
            | b'('
            | b')'
            | b'['
            | b']'
            | b'{'
            | b'}'
    )
}

impl SentenceModel {
    pub fn new(table_bytes: usize, classes: [ByteClass; 256]) -> Self {
        SentenceModel {
            table_bytes,
            reader: WordReader::new(classes),
            words: 0,
            clause_end: 0,
            first_word: 0,
        }
    }
}

impl Model for SentenceModel {
    fn name(&self) -> String {
        "sentence".to_string()
    }

    fn context_tables(&self) -> Vec<usize> {
        vec![self.table_bytes; 2]
    }

    fn update_byte(&mut self, history: &History, contexts: &mut [u64]) {
        let byte = history.back(1);
        if let WordStep::Separator { ended } = self.reader.read(byte) {
            if let Some(word) = ended {
                if self.words == 0 {
                    self.first_word = word;
                }
                self.words += 1;
            }
            if ends_clause(byte) && self.reader.class(byte) != ByteClass::Escape {
                self.words = 0;
                self.clause_end = byte;
            }
        }
        let current = self.reader.current();
        contexts[0] = combine(
            combine(0x5E1, current),
            self.words.min(15) << 8 | self.clause_end as u64,
        );
        contexts[1] = combine(
            combine(0x5E2, current),
            combine(self.first_word, self.words.min(7)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aizip_dict::default_classes;

    fn contexts(text: &[u8]) -> [u64; 2] {
        crate::model::contexts_after(&mut SentenceModel::new(1 << 16, default_classes()), text)
    }

    #[test]
    fn a_word_is_seen_with_its_place_in_the_clause() {
        let [place, opening] = contexts(b"It rained. The cat sa");
        // Only the clause counts: what came before its end does not; case does not either.
        assert_eq!(contexts(b"Snow fell. The cat sa")[0], place);
        assert_eq!(contexts(b"Snow fell. The cat sa")[1], opening);
        assert_eq!(contexts(b"Snow fell. THE cat sa")[1], opening);
        // One word more, or another end of the last clause, is another place.
        assert_ne!(contexts(b"It rained. The big cat sa")[0], place);
        assert_ne!(contexts(b"It rained! The cat sa")[0], place);
        // Another first word is another opening, whatever the words between.
        assert_ne!(contexts(b"It rained. A cat sa")[1], opening);
        assert_eq!(contexts(b"It rained. The dog sa")[1], opening);
    }

    #[test]
    fn newlines_and_markup_end_clauses_and_counts_are_capped() {
        assert_eq!(
            contexts(b"x\nThe cat sa")[0],
            contexts(b"y z\nThe cat sa")[0]
        );
        assert_eq!(
            contexts(b"x | The cat sa")[0],
            contexts(b"y z | The cat sa")[0]
        );
        assert_ne!(
            contexts(b"x | The cat sa")[0],
            contexts(b"x * The cat sa")[0]
        );
        // Past 15 words (7 for the opening context) the count stops.
        let words = |n: usize| [b". ".as_slice(), &b"w ".repeat(n), b"sa"].concat();
        assert_eq!(contexts(&words(16))[0], contexts(&words(17))[0]);
        assert_ne!(contexts(&words(14))[0], contexts(&words(15))[0]);
        assert_eq!(contexts(&words(8))[1], contexts(&words(9))[1]);
        assert_ne!(contexts(&words(6))[1], contexts(&words(7))[1]);
    }

    #[test]
    fn while_the_first_word_is_read_the_last_clause_opens() {
        // Reading "Th" after ". ", the opening is still the last clause's first word.
        assert_eq!(contexts(b"A b. Th")[1], contexts(b"A c d. Th")[1]);
        assert_ne!(contexts(b"A b. Th")[1], contexts(b"C b. Th")[1]);
    }

    #[test]
    fn the_escape_never_ends_a_clause() {
        let mut classes = default_classes();
        classes[b'|' as usize] = ByteClass::Escape;
        let with = |text: &[u8]| -> [u64; 2] {
            crate::model::contexts_after(&mut SentenceModel::new(1 << 16, classes), text)
        };
        assert_eq!(with(b"a b c|d e")[0], with(b"a b c d e")[0]);
        assert_ne!(contexts(b"a b c|d e")[0], contexts(b"a b c d e")[0]);
    }
}
