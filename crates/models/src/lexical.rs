//! Lexical model: a word in its line, its template field and its stretch of the text.
//!
//! The word models hash the words just before the current one; wiki text repeats patterns that
//! reach further, and this model names them (after paq8px's word and text models, which hash some
//! sixty such contexts). Three things it keeps besides the words:
//!
//! * the *keyword*: the last word followed by `=` or `:` (a space between allowed): the field of
//!   `| birth_date = …`, the namespace of `[[Category:…]]`, what a value belongs to;
//! * the *first word of the line* (until it is complete, the line before's last byte): a table row,
//!   an infobox field or a list item shows itself there;
//! * the *phrase*: the words of the text joined by single spaces, cleared by any other separator
//!   (a run of spaces aside), which stays on one clause of running prose.
//!
//! The word being read, `w0`, is its hash so far, or between words the last byte (as in the word
//! models); `w1`, `w2`, `w3` are the last complete words. Contexts (hashed, one table each):
//!
//! 1. `w0` × keyword;
//! 2. `w0` × `w1` × keyword;
//! 3. `w0` × keyword × first word of the line;
//! 4. `w0` × first word of the line;
//! 5. `w0` × `w2` × `w3` (a skip-gram: survives a varying word just before);
//! 6. `w0` × phrase;
//! 7. the last six letters (and digits), other bytes skipped: spelling across markup;
//! 8. the word so far × the bit length of the distance to where it last ended a word (0 if
//!    never), or between words `w1` × the bytes since it ended (its bit length): the prefix of a
//!    word used a moment ago, and how far past the last word the separators have run;
//! 9. `w0` × the position in 4 KiB units: what is said of a topic within one stretch;
//! 10. the line's first 24 bytes × the column (up to 25): lines that start alike (XML headers,
//!     table rows) continue alike;
//! 11. the bytes that followed the current *token* (the word so far, or between words the last
//!     two run symbols and the last byte) at its last two occurrences × the last byte: an indirect
//!     context on words;
//! 12. keyword × the last four symbols of [`crate::RunsModel`]: the shape of a field's value.
//!
//! Measured at level 9 on wiki4m, each removed from the full set of this model and
//! [`crate::RunsModel`]: 0.03-0.09%. Words are read as the word models read them (case-folded,
//! dictionary codes as words but for the XML entities' 1-byte codes, which the engine gives it as
//! separators); the last occurrences and the followers are direct-mapped tables of
//! 2^18 positions and 2^20 byte pairs, indexed by the hash's top bits.

use crate::context_map::{combine, combine_all};
use crate::model::{History, Model};
use crate::runs::Runs;
use crate::word::{WordReader, WordStep};
use aizip_dict::ByteClass;

/// Contexts of the model (see the module documentation).
const CONTEXTS: usize = 12;
/// log2 of the entries of the last-occurrence and follower tables.
const LAST_SEEN_BITS: u32 = 18;
const FOLLOWER_BITS: u32 = 20;
/// Bytes of the line that its prefix context hashes.
const LINE_PREFIX: u64 = 24;
/// The position unit of context 9 (log2 bytes).
const STRETCH_BITS: u32 = 12;

pub struct LexicalModel {
    table_bytes: usize,
    reader: WordReader,
    /// `w1`, `w2`, `w3`.
    words: [u64; 3],
    keyword: u64,
    line_first_word: u64,
    at_line_start: bool,
    phrase: u64,
    /// The last letters and digits, one per byte, most recent low (six kept).
    letters: u64,
    /// The hash of the line's first [`LINE_PREFIX`] bytes, and the column.
    line: u64,
    column: u64,
    /// For each word hash (top bits), the position after its last occurrence (mod 2^32: past
    /// 4 GiB a distance wraps, the same way for encoder and decoder).
    last_seen: Vec<u32>,
    /// For each token hash (top bits), the bytes that followed the token at its last two
    /// occurrences.
    followers: Vec<u16>,
    /// The entry of `followers` for the current token.
    follower_slot: usize,
    /// The run symbols, for the tokens between words.
    runs: Runs,
}

impl LexicalModel {
    /// `classes` says which bytes form words (see `aizip_dict::ByteClass`).
    pub fn new(table_bytes: usize, classes: [ByteClass; 256]) -> Self {
        LexicalModel {
            table_bytes,
            reader: WordReader::new(classes),
            words: [0; 3],
            keyword: 0,
            line_first_word: 0,
            at_line_start: true,
            phrase: 0,
            letters: 0,
            line: 0,
            column: 0,
            last_seen: vec![0; 1 << LAST_SEEN_BITS],
            followers: vec![0; 1 << FOLLOWER_BITS],
            follower_slot: 0,
            runs: Runs::default(),
        }
    }

    /// Reads the next byte: the words, keyword, phrase and line.
    fn read(&mut self, byte: u8, before: u8, position: u64) {
        let step = self.reader.read(byte);
        let letter = matches!(step, WordStep::Letter { .. });
        match step {
            WordStep::Separator { ended: Some(word) } => {
                self.words = [word, self.words[0], self.words[1]];
                self.last_seen[(word >> (64 - LAST_SEEN_BITS)) as usize] = position as u32;
                if std::mem::take(&mut self.at_line_start) {
                    self.line_first_word = word;
                }
                if byte == b'=' || byte == b':' {
                    self.keyword = word;
                }
                self.phrase = if byte == b' ' {
                    combine(self.phrase, word)
                } else {
                    0
                };
            }
            WordStep::Separator { ended: None } => {
                if (byte == b'=' || byte == b':') && before == b' ' {
                    self.keyword = self.words[0];
                }
                if !(byte == b' ' && before == b' ') {
                    self.phrase = 0;
                }
            }
            WordStep::Letter { .. } | WordStep::Flag => {}
        }
        if letter || byte.is_ascii_digit() {
            self.letters =
                (self.letters << 8 | byte.to_ascii_lowercase() as u64) & 0xFFFF_FFFF_FFFF;
        }
        if byte == b'\n' {
            self.at_line_start = true;
            self.line_first_word = combine(0x11, before as u64);
            self.line = 0;
            self.column = 0;
        } else {
            self.column += 1;
            if self.column <= LINE_PREFIX {
                self.line = combine(self.line, byte as u64);
            }
        }
        self.runs.read(byte, letter);
    }
}

impl Model for LexicalModel {
    fn name(&self) -> String {
        "lexical".to_string()
    }

    fn context_tables(&self) -> Vec<usize> {
        vec![self.table_bytes; CONTEXTS]
    }

    fn own_bytes(&self) -> usize {
        self.last_seen.len() * 4 + self.followers.len() * 2
    }

    fn update_byte(&mut self, history: &History, contexts: &mut [u64]) {
        let byte = history.back(1);
        let position = history.len();
        // The byte just completed followed the last token.
        let entry = &mut self.followers[self.follower_slot];
        *entry = *entry << 8 | byte as u16;
        self.read(byte, history.back(2), position);

        let current = self.reader.current();
        let w0 = self.reader.current_or_byte(byte);
        let [w1, w2, w3] = self.words;
        let word = if current != 0 { current } else { w1 };
        let last = self.last_seen[(word >> (64 - LAST_SEEN_BITS)) as usize];
        let distance = match (position as u32).wrapping_sub(last) {
            d if last == 0 || d == 0 => 0,
            d => 32 - d.leading_zeros(),
        };
        let token = match current {
            0 => combine(self.runs.last(2), byte as u64),
            word => word,
        };
        self.follower_slot = (combine(0x70, token) >> (64 - FOLLOWER_BITS)) as usize;
        let followed = self.followers[self.follower_slot] as u64;

        let all: [u64; CONTEXTS] = [
            combine_all(0x4C01, &[w0, self.keyword]),
            combine_all(0x4C02, &[w0, w1, self.keyword]),
            combine_all(0x4C03, &[w0, self.keyword, self.line_first_word]),
            combine_all(0x4C04, &[w0, self.line_first_word]),
            combine_all(0x4C05, &[w0, w2, w3]),
            combine_all(0x4C06, &[w0, self.phrase]),
            combine_all(0x4C07, &[self.letters]),
            combine_all(0x4C08, &[word, distance as u64]),
            combine_all(0x4C09, &[w0, position >> STRETCH_BITS]),
            combine_all(0x4C0A, &[self.line, self.column.min(LINE_PREFIX + 1)]),
            combine_all(0x4C0B, &[followed, byte as u64]),
            combine_all(0x4C0C, &[self.keyword, self.runs.last(4)]),
        ];
        contexts.copy_from_slice(&all);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aizip_dict::default_classes;

    fn contexts(text: &[u8]) -> [u64; CONTEXTS] {
        crate::model::contexts_after(&mut LexicalModel::new(1 << 16, default_classes()), text)
    }

    #[test]
    fn a_value_is_seen_with_its_field() {
        // A value of several words: the field, not the word before, makes the context.
        let born = contexts(b"| born = 1 May\n| name = John Sm");
        assert_eq!(born[0], contexts(b"| died = 2 June\n| name = John Sm")[0]);
        assert_ne!(born[0], contexts(b"| died = 2 June\n| place = John Sm")[0]);
        // The field may also end at a colon without a space, as a namespace does.
        assert_eq!(
            contexts(b"[[Category:Ma")[0],
            contexts(b"x [[category: Ma")[0]
        );
    }

    #[test]
    fn the_first_word_of_the_line_and_the_skipped_word_count() {
        let row = contexts(b"x\n| align one two three tw");
        assert_eq!(row[3], contexts(b"y\n| align six of them tw")[3]);
        assert_ne!(row[3], contexts(b"y\n| valign one two three tw")[3]);
        // w0 x w2 x w3: the word just before does not count.
        let skip = contexts(b"the end of tw");
        assert_eq!(skip[4], contexts(b"the end to tw")[4]);
        assert_ne!(skip[4], contexts(b"an end of tw")[4]);
    }

    #[test]
    fn a_phrase_ends_at_punctuation_and_letters_skip_markup() {
        let phrase = contexts(b"big red dog, the cat sa");
        assert_eq!(phrase[5], contexts(b"the cat sa")[5]);
        assert_ne!(phrase[5], contexts(b"big red dog the cat sa")[5]);
        assert_eq!(contexts(b"[[abc]] def")[6], contexts(b"abc, def")[6]);
        assert_ne!(contexts(b"[[abd]] def")[6], contexts(b"abc, def")[6]);
    }

    #[test]
    fn a_word_is_seen_with_how_long_ago_it_last_ended() {
        let near = contexts(b"cat x cat");
        assert_ne!(near[7], contexts(b"cat xxxxxxxxxxxxxxxxx cat")[7]);
        assert_eq!(near[7], contexts(b"cat y cat")[7]);
    }

    #[test]
    fn a_token_is_seen_with_what_followed_it_last() {
        // "th" was followed by "e" the first time, and that is known when it comes again.
        let after = contexts(b"the, th");
        assert_ne!(after[10], contexts(b"thy, th")[10]);
        assert_eq!(after[10], contexts(b"the. th")[10]);
    }
}
