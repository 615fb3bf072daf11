//! Runs model: the text as a string of symbols in which every run of letters and every run of
//! digits is one symbol, and every other byte is itself.
//!
//! `[[Paris|the city]], 1920` reads `[[a|a a]], 0`: the shape of the markup and punctuation,
//! whatever the words and numbers in it. The shape model sees the classes of the last twelve
//! bytes, which a long word fills; a run string reaches back over words of any length, and tells
//! a link's target from its label, a template's field from its value, a date from a page number
//! (paq8px's character-group model hashes such strings too). The run symbols are kept eight to a
//! `u64`, most recent in the low byte; a *run length* counts the bytes of the current symbol.
//! Contexts (hashed, one table each):
//!
//! 1. the last eight symbols;
//! 2. the last eight symbols × the run length (up to 15): how far into a word or number;
//! 3. the last four symbols × the last byte (which letter ends the run so far);
//! 4. the last three symbols × the word being read (`w0`, between words the last byte);
//! 5. the last five symbols × the last complete word;
//! 6. the last two symbols × the column (up to 63);
//! 7. the last four symbols × the column in fours;
//! 8. the vowel pattern of the last six bytes (vowel, other ASCII letter, other letter such as a
//!    dictionary code, anything else) × the run length: how a word is spelt, whatever its letters;
//!
//! and five on *word-class tokens*, the run symbols with each run of letters that begins with a
//! dictionary code (or any other byte that is not an ASCII letter) read as that byte: a 1-byte
//! code names a frequent word (`the`, `of`, `and`), the lead byte of a 2-byte code a group of
//! words that the dictionary orders by how they are used (`aizip_dict`'s clusters), so the
//! tokens follow the grammar of a sentence where the run symbols see only `a a a`:
//!
//! 9. the last six tokens;
//! 10. the last four tokens × the run length × the last byte;
//! 11. the last two tokens × the word being read;
//! 12. the last eight tokens;
//! 13. the last three tokens × the last complete word.
//!
//! Measured at level 9 on wiki4m (with [`crate::LexicalModel`]): the first alone 0.56%, each of
//! the next seven 0.03-0.08%; the token contexts 0.16% together (the ninth alone 0.07%, the
//! last two 0.03%; six tokens gained more than four, five or eight; a token of a literal word's
//! first letter, in place of LETTERS, lost a third of that). The engine's mixer also selects
//! weights by the last tokens. Letters are what the word models read as letters (with the dictionary
//! transform, its codes; capitalisation flags are symbols of their own). The engine gives this
//! model the XML entities' 1-byte codes as separators: `&quot;` is a symbol, like `"`.

use crate::context_map::combine_all;
use crate::model::{History, Model};
use crate::word::{WordReader, WordStep};
use aizip_dict::ByteClass;

/// Contexts of the model (see the module documentation).
const CONTEXTS: usize = 13;
/// The symbols of a run of letters and of a run of digits.
const LETTERS: u8 = b'a';
const DIGITS: u8 = b'0';

/// The run symbols of the text read so far (see the module documentation); with `TOKENS`, the
/// word-class [`Tokens`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Runs<const TOKENS: bool = false> {
    /// The last eight symbols, most recent in the low byte.
    symbols: u64,
    /// Bytes of the current symbol (1 for a byte that is its own symbol).
    length: u64,
    /// What the current symbol is a run of: [`LETTERS`], [`DIGITS`], or the byte itself.
    kind: u8,
}

/// The word-class tokens of the text read so far (see the module documentation): contexts of
/// this model, and a weight-set selector of the engine's mixer.
pub type Tokens = Runs<true>;

impl<const TOKENS: bool> Runs<TOKENS> {
    /// Reads the next byte, a `letter` of a word or not.
    #[inline]
    pub fn read(&mut self, byte: u8, letter: bool) {
        let kind = match byte {
            _ if letter => LETTERS,
            b'0'..=b'9' => DIGITS,
            _ => byte,
        };
        let continues = (kind == LETTERS || kind == DIGITS) && kind == self.kind;
        self.kind = kind;
        if continues {
            self.length += 1;
        } else {
            let symbol = if TOKENS && kind == LETTERS && !byte.is_ascii_alphabetic() {
                byte
            } else {
                kind
            };
            self.symbols = self.symbols << 8 | symbol as u64;
            self.length = 1;
        }
    }

    /// The last `n` symbols (`1..=8`).
    #[inline]
    pub fn last(&self, n: u32) -> u64 {
        debug_assert!((1..=8).contains(&n));
        self.symbols & (u64::MAX >> (64 - 8 * n))
    }

    /// The run length, up to 15.
    #[inline]
    fn capped_length(&self) -> u64 {
        self.length.min(15)
    }
}

pub struct RunsModel {
    table_bytes: usize,
    reader: WordReader,
    runs: Runs,
    tokens: Tokens,
    /// The last complete word.
    last_word: u64,
    column: u64,
    /// The vowel pattern: two bits per byte (see context 8), most recent low.
    spelling: u64,
}

impl RunsModel {
    /// `classes` says which bytes form words (see `aizip_dict::ByteClass`).
    pub fn new(table_bytes: usize, classes: [ByteClass; 256]) -> Self {
        RunsModel {
            table_bytes,
            reader: WordReader::new(classes),
            runs: Runs::default(),
            tokens: Runs::default(),
            last_word: 0,
            column: 0,
            spelling: 0,
        }
    }
}

impl Model for RunsModel {
    fn name(&self) -> String {
        "runs".to_string()
    }

    fn context_tables(&self) -> Vec<usize> {
        vec![self.table_bytes; CONTEXTS]
    }

    fn update_byte(&mut self, history: &History, contexts: &mut [u64]) {
        let byte = history.back(1);
        let step = self.reader.read(byte);
        let letter = matches!(step, WordStep::Letter { .. });
        if let WordStep::Separator { ended: Some(word) } = step {
            self.last_word = word;
        }
        self.runs.read(byte, letter);
        self.tokens.read(byte, letter);
        self.column = if byte == b'\n' { 0 } else { self.column + 1 };
        let vowel = match byte.to_ascii_lowercase() {
            b'a' | b'e' | b'i' | b'o' | b'u' => 1,
            b'b'..=b'z' => 2,
            _ if letter => 3,
            _ => 0,
        };
        self.spelling = (self.spelling << 2 | vowel) & 0xFFF;

        let w0 = self.reader.current_or_byte(byte);
        let runs = &self.runs;
        let tokens = &self.tokens;
        let column = self.column.min(63);
        let all: [u64; CONTEXTS] = [
            combine_all(0x5201, &[runs.last(8)]),
            combine_all(0x5202, &[runs.last(8), runs.capped_length()]),
            combine_all(0x5203, &[runs.last(4), byte as u64]),
            combine_all(0x5204, &[runs.last(3), w0]),
            combine_all(0x5205, &[runs.last(5), self.last_word]),
            combine_all(0x5206, &[runs.last(2), column]),
            combine_all(0x5207, &[runs.last(4), column >> 2]),
            combine_all(0x5208, &[self.spelling, runs.capped_length()]),
            combine_all(0x5209, &[tokens.last(6)]),
            combine_all(
                0x520A,
                &[tokens.last(4), tokens.capped_length(), byte as u64],
            ),
            combine_all(0x520B, &[tokens.last(2), w0]),
            combine_all(0x520C, &[tokens.last(8)]),
            combine_all(0x520D, &[tokens.last(3), self.last_word]),
        ];
        contexts.copy_from_slice(&all);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aizip_dict::default_classes;
    use proptest::prelude::*;

    /// The symbols of `text` as a list, the `letter` bytes being those of words: a run of
    /// letters is `LETTERS` (with `tokens`, its first byte if that is not an ASCII letter), a run
    /// of digits `DIGITS`, any other byte itself.
    fn symbols_of(text: &[(u8, bool)], tokens: bool) -> Vec<u8> {
        let mut symbols = Vec::new();
        let mut previous_kind = None;
        for &(byte, letter) in text {
            let kind = match byte {
                _ if letter => LETTERS,
                b'0'..=b'9' => DIGITS,
                _ => byte,
            };
            let continues = (kind == LETTERS || kind == DIGITS) && previous_kind == Some(kind);
            if !continues {
                let token = tokens && letter && !byte.is_ascii_alphabetic();
                symbols.push(if token { byte } else { kind });
            }
            previous_kind = Some(kind);
        }
        symbols
    }

    fn last_eight(symbols: &[u8]) -> u64 {
        symbols[symbols.len().saturating_sub(8)..]
            .iter()
            .fold(0, |packed, &s| packed << 8 | u64::from(s))
    }

    proptest! {
        #[test]
        fn runs_and_tokens_keep_the_last_eight_symbols(
            text in proptest::collection::vec((any::<u8>(), any::<bool>()), 0..64)
        ) {
            let mut runs = Runs::<false>::default();
            let mut tokens = Tokens::default();
            for &(byte, letter) in &text {
                runs.read(byte, letter);
                tokens.read(byte, letter);
            }
            prop_assert_eq!(runs.last(8), last_eight(&symbols_of(&text, false)));
            prop_assert_eq!(tokens.last(8), last_eight(&symbols_of(&text, true)));
        }
    }

    fn contexts(text: &[u8]) -> [u64; CONTEXTS] {
        crate::model::contexts_after(&mut RunsModel::new(1 << 16, default_classes()), text)
    }

    #[test]
    fn runs_of_letters_and_digits_are_one_symbol() {
        let mut runs = Runs::<false>::default();
        for &b in b"[[Paris|the city]], 1920" {
            runs.read(b, b.is_ascii_alphabetic());
        }
        assert_eq!(runs.last(8).to_be_bytes(), *b"a a]], 0");
        assert_eq!(runs.length, 4);
        assert_eq!(runs.last(2), u64::from(b' ') << 8 | u64::from(DIGITS));
    }

    #[test]
    fn the_shape_counts_not_the_words() {
        let link = contexts(b"[[Paris|the city]], 19");
        assert_eq!(link[0], contexts(b"[[Rome|a town]], 17")[0]);
        assert_ne!(link[0], contexts(b"[[Rome]], 17")[0]);
        // The run length tells how far into the number.
        assert_ne!(link[1], contexts(b"[[Rome|a town]], 1")[1]);
        assert_eq!(link[1], contexts(b"[[Rome|a town]], 17")[1]);
    }

    #[test]
    fn a_token_is_a_run_of_letters_or_the_code_it_begins_with() {
        let mut tokens = Tokens::default();
        // 0x81 and 0x90 0x12 stand for coded words: their first bytes are their tokens.
        for &b in b"[[\x81 Paris|\x90\x12]], 19" {
            tokens.read(b, b.is_ascii_alphabetic() || b >= 0x80 || b == 0x12);
        }
        assert_eq!(tokens.last(8).to_be_bytes(), *b"a|\x90]], 0");
        assert_eq!(tokens.last(3), u64::from_be_bytes(*b"\0\0\0\0\0, 0"));
        assert_eq!(tokens.length, 2);
    }

    #[test]
    fn tokens_tell_coded_words_apart_where_runs_do_not() {
        let classes = |code: u8| {
            let mut classes = default_classes();
            classes[code as usize] = ByteClass::Letter;
            classes
        };
        let after = |text: &[u8]| -> [u64; CONTEXTS] {
            let code = text[0];
            crate::model::contexts_after(&mut RunsModel::new(1 << 16, classes(code)), text)
        };
        let the = after(b"\x01 cat");
        let of = after(b"\x02 cat");
        assert_eq!(the[0], of[0]);
        assert_ne!(the[8], of[8]);
        // Words spelt in letters are all one token.
        assert_eq!(after(b"\x01 dog")[8], the[8]);
    }

    #[test]
    fn the_spelling_pattern_counts_not_the_letters() {
        // Consonant, vowel, consonant: "bat" and "dog" alike, "eat" not.
        assert_eq!(contexts(b" bat")[7], contexts(b" dog")[7]);
        assert_ne!(contexts(b" bat")[7], contexts(b" eat")[7]);
    }
}
