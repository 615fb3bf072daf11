//! Word-indirect model: the word that followed the last occurrence of the previous two words, or
//! of the previous word, predicts the current one.
//!
//! The indirect model remembers what followed a byte or a pair of bytes; this one does the same
//! one level up. Direct-mapped tables, indexed by the top bits of a word's hash, remember for
//! each word the hash of the word that followed it last time and where that word began in the
//! history, and for each pair of words where its follower began (with check bits: on a gigabyte
//! of text the pairs outnumber the slots many times; a word's slot has none, and a colliding
//! word's follower is one the second context learns to distrust). When a word ends, the model
//! looks up its follower (the pair's if the pair has one, else the word's) and, until the next
//! word ends, names two contexts:
//!
//! 1. the current partial word (between words, the last byte) × the hash of the word's own
//!    follower (the word alone's, even where the pair's is followed);
//! 2. the follower's next byte, read from the history at its start plus the letters read so far,
//!    × whether the current word has agreed with it so far (case aside) × the letters read (up
//!    to 7) × whether the pair predicted it; between words, also × the last byte.
//!
//! The second is a match model anchored at word starts: its contexts are shared by every word, so
//! it learns at once how far a follower is to be trusted, and it predicts a word's first letters,
//! which cost three times what the letters after them do. Words are read as the word models read
//! them (case-folded, dictionary codes as words but for the XML entities' 1-byte codes, which
//! the engine gives it as separators).
//!
//! Measured at level 9 against f246fd7 (word4 in its place, before the word models' salt): w1m
//! -0.12%, enwik8-head -0.11%, book1 -0.09%, alice29 -0.12%; the pair's check bits and the
//! case-blind agreement then gained 0.01% more.

use crate::context_map::combine;
use crate::model::{History, Model};
use crate::word::{WordReader, WordStep};
use aizip_dict::ByteClass;

/// log2 of the follower tables' entries: a quarter of a context table's bytes (a sixteenth
/// cost w1m 0.05%), within these bounds.
const MIN_FOLLOWER_BITS: u32 = 12;
const MAX_FOLLOWER_BITS: u32 = 22;

pub struct WordIndirectModel {
    table_bytes: usize,
    reader: WordReader,
    follower_bits: u32,
    /// For each word: the top half of the hash of the word that followed it last time.
    follower: Vec<u32>,
    /// For each word: where the word that followed it last time began, plus one (0: never
    /// seen).
    follower_start: Vec<u32>,
    /// For each pair of words: the same, and check bits, the low 16 bits of the pair's hash
    /// (its slot is its top bits; 16 bits, not 32, kept level 9 on 1 GB within the 8 GB it had).
    pair_follower_start: Vec<u32>,
    pair_check: Vec<u16>,
    /// The last two complete words, most recent first.
    previous: [u64; 2],
    /// The hash half of the current prediction (0: none).
    predicted_word: u64,
    /// Where the predicted word begins in the history.
    predicted_start: Option<u64>,
    /// Whether the pair, not the word alone, predicted it.
    from_pair: bool,
    /// Where the current word began (None between words).
    word_start: Option<u64>,
    /// Whether every letter of the current word so far agreed with the predicted word.
    agrees: bool,
}

impl WordIndirectModel {
    /// A model with two context tables of `table_bytes`; `classes` says which bytes form words.
    pub fn new(table_bytes: usize, classes: [ByteClass; 256]) -> Self {
        let follower_bits = (table_bytes / 4)
            .max(1)
            .ilog2()
            .clamp(MIN_FOLLOWER_BITS, MAX_FOLLOWER_BITS);
        WordIndirectModel {
            table_bytes,
            reader: WordReader::new(classes),
            follower_bits,
            follower: vec![0; 1 << follower_bits],
            follower_start: vec![0; 1 << follower_bits],
            pair_follower_start: vec![0; 1 << follower_bits],
            pair_check: vec![0; 1 << follower_bits],
            previous: [0; 2],
            predicted_word: 0,
            predicted_start: None,
            from_pair: false,
            word_start: None,
            agrees: true,
        }
    }

    #[inline]
    fn slot(&self, hash: u64) -> usize {
        (hash >> (64 - self.follower_bits)) as usize
    }

    /// `word` ended: it is the follower of the two words before it, and names the next word's
    /// prediction.
    fn end_word(&mut self, word: u64) {
        let [last, before] = self.previous;
        if let Some(start) = self.word_start.filter(|_| last != 0) {
            // Kept in 32 bits: past 4 GiB a start wraps to a position more than 4 GiB back,
            // which `predicted_byte` finds out of the history's reach (at most 4 GiB), so the
            // model falls silent there rather than wrong.
            let start = (start + 1) as u32;
            let slot = self.slot(last);
            self.follower[slot] = (word >> 32) as u32;
            self.follower_start[slot] = start;
            let pair = pair(last, before);
            let pair_slot = self.slot(pair);
            self.pair_follower_start[pair_slot] = start;
            self.pair_check[pair_slot] = pair as u16;
        }
        self.previous = [word, last];
        let slot = self.slot(word);
        self.predicted_word = self.follower[slot] as u64;
        let pair = pair(word, last);
        let pair_slot = self.slot(pair);
        let pair_start = if self.pair_check[pair_slot] == pair as u16 {
            self.pair_follower_start[pair_slot]
        } else {
            0
        };
        self.from_pair = pair_start > 0;
        let start = if self.from_pair {
            pair_start
        } else {
            self.follower_start[slot]
        };
        self.predicted_start = start.checked_sub(1).map(u64::from);
        self.word_start = None;
        self.agrees = true;
    }

    /// The predicted word's byte at `offset` from its start, if it is still in the history and
    /// before the current position.
    fn predicted_byte(&self, history: &History, offset: u64) -> Option<u8> {
        let at = self.predicted_start? + offset;
        let len = history.len();
        (at < len && len - at <= history.capacity()).then(|| history.at(at))
    }
}

/// The hash of two words, the latest first (`combine` alone would not tell their order).
#[inline]
fn pair(last: u64, before: u64) -> u64 {
    combine(combine(last, 0x9A1), before)
}

impl Model for WordIndirectModel {
    fn name(&self) -> String {
        "word-indirect".to_string()
    }

    fn context_tables(&self) -> Vec<usize> {
        vec![self.table_bytes; 2]
    }

    fn own_bytes(&self) -> usize {
        (self.follower.len() + self.follower_start.len() + self.pair_follower_start.len()) * 4
            + self.pair_check.len() * 2
    }

    fn update_byte(&mut self, history: &History, contexts: &mut [u64]) {
        debug_assert!(history.capacity() <= 1 << 32, "starts are kept in 32 bits");
        let byte = history.back(1);
        // Before the first byte (an empty history) the reader reads a separator, 0.
        let position = history.len().saturating_sub(1);
        match self.reader.read(byte) {
            WordStep::Separator { ended: Some(word) } => self.end_word(word),
            WordStep::Letter { .. } => {
                // Reset when the last word ended: this is set at the word's first letter.
                let start = *self.word_start.get_or_insert(position);
                let expected = self.predicted_byte(history, position - start);
                self.agrees &= expected.is_none_or(|expected| expected.eq_ignore_ascii_case(&byte));
            }
            WordStep::Flag | WordStep::Separator { ended: None } => {}
        }
        let partial = match self.reader.current() {
            0 => combine(0x51DE, byte as u64),
            word => word,
        };
        contexts[0] = combine(combine(partial, self.predicted_word), 0x71);
        let letters = self.word_start.map_or(0, |start| history.len() - start);
        let expected = self
            .predicted_byte(history, letters)
            .map_or(0, |b| b as u64 | 256);
        let between = if letters == 0 { byte as u64 } else { 0 };
        contexts[1] = combine(
            0x72,
            expected
                | (self.agrees as u64) << 9
                | letters.min(7) << 10
                | between << 13
                | (self.from_pair as u64) << 21,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::contexts_after;

    fn model() -> WordIndirectModel {
        WordIndirectModel::new(1 << 20, aizip_dict::default_classes())
    }

    /// The byte the second context expects next, after `text`.
    fn expected_after(text: &[u8]) -> (Option<u8>, WordIndirectModel) {
        let mut model = model();
        let _: [u64; 2] = contexts_after(&mut model, text);
        let mut history = History::new(1 << 12);
        for &byte in text {
            history.push(byte);
        }
        let letters = model.word_start.map_or(0, |s| history.len() - s);
        (model.predicted_byte(&history, letters), model)
    }

    #[test]
    fn the_word_that_followed_last_time_is_expected() {
        let (expected, model) = expected_after(b"one two three one ");
        assert_eq!(expected, Some(b't'));
        assert!(!model.from_pair);
        let (expected, model) = expected_after(b"one two three one tw");
        assert_eq!(expected, Some(b'o'));
        assert!(model.agrees);
    }

    #[test]
    fn a_letter_that_disagrees_is_remembered_for_the_word() {
        let (_, model) = expected_after(b"one two three one tx");
        assert!(!model.agrees);
        let (_, model) = expected_after(b"one two three one txo ");
        assert!(model.agrees, "a new word starts afresh");
    }

    #[test]
    fn the_pair_comes_before_the_word_alone() {
        // "fox" alone was last followed by "sat", "red fox" by "ran".
        let (expected, model) = expected_after(b"red fox ran. big fox sat. red fox ");
        assert!(model.from_pair);
        assert_eq!(expected, Some(b'r'));
        let (expected, model) = expected_after(b"red fox ran. big fox sat. old fox ");
        assert!(!model.from_pair);
        assert_eq!(expected, Some(b's'));
    }

    #[test]
    fn case_does_not_matter_and_nothing_is_expected_at_first() {
        let (expected, _) = expected_after(b"one two ");
        assert_eq!(expected, None);
        let (expected, _) = expected_after(b"One two three ONE ");
        assert_eq!(expected, Some(b't'));
    }

    #[test]
    fn the_case_of_a_letter_does_not_break_the_agreement() {
        let (expected, model) = expected_after(b"one two three one TW");
        assert_eq!(expected, Some(b'o'));
        assert!(model.agrees);
    }

    #[test]
    fn a_start_out_of_the_history_predicts_nothing() {
        let mut model = model();
        let mut history = History::new(16);
        for &byte in b"0123456789abcdefghij" {
            history.push(byte);
        }
        model.predicted_start = Some(19);
        assert_eq!(model.predicted_byte(&history, 0), Some(b'j'));
        assert_eq!(model.predicted_byte(&history, 1), None, "not coded yet");
        model.predicted_start = Some(4);
        assert_eq!(
            model.predicted_byte(&history, 0),
            Some(b'4'),
            "the oldest byte kept"
        );
        model.predicted_start = Some(3);
        assert_eq!(model.predicted_byte(&history, 0), None, "overwritten");
    }

    #[test]
    fn contexts_differ_with_the_follower() {
        let mut a = model();
        let mut b = model();
        let after_a: [u64; 2] = contexts_after(&mut a, b"the cat. the ");
        let after_b: [u64; 2] = contexts_after(&mut b, b"the dog. the ");
        assert_ne!(after_a[0], after_b[0]);
        assert_ne!(after_a[1], after_b[1]);
    }
}
