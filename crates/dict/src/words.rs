//! The word-dictionary transform.
//!
//! ## What it does
//! Frequent words of the input, and common English words from a built-in list, are replaced by
//! 1- or 2-byte codes; every capitalised or all-caps
//! word becomes a flag byte and its lower-case form (coded or not), so that the models see `The`
//! and `the` alike; and frequent XML entities (`&quot;`, `&amp;`, …) become single codes. Codes
//! use byte values the input hardly uses, chosen per input; the rare literal occurrences of those
//! bytes are escaped.
//!
//! ## Layout
//! The [`CodeSpace`] (which byte values serve as escape, flags, 1-byte codes and 2-byte lead bytes)
//! travels outside the transformed text (in the archive header), because the models need it from
//! the first byte on. The transformed text is
//!
//! ```text
//! varint(number of listed words) · listed words, each terminated by 0x0A · body
//! ```
//!
//! The dictionary, in code order, is the listed words and then, while codes remain, the words of
//! the [built-in list](built_in_words) that are not listed, in the list's order; the words after
//! the first `min(singles.len(), listed)` are then put in [code order](in_code_order): by
//! [cluster], then by ending, then by their bytes read backwards (see [`dictionary`]).
//! An empty listed word, more listed words than codes, and a code past the dictionary's end are
//! corrupt. Word `i < singles.len()` is coded as `singles[i]`; word `singles.len() + C·j + k` as
//! `leads[j] seconds[k]`, where `seconds` lists the C code bytes (every byte with a role) in
//! ascending order. In the body, a byte outside the code space stands for itself; `escape b`
//! stands for the byte `b`. `capital` and `upper` precede a word, coded or literal, whose first or
//! every letter they capitalise: a literal word after a flag is written in lower case (after
//! `upper`, every lower-case letter up to the next other byte is capitalised).
//!
//! The code space also counts the XML entities among the 1-byte codes' words. They come first
//! (`&` sorts before the letters), and a count that disagrees with the words is corrupt. The
//! engine needs the count before it has read the listed words: the models whose contexts are
//! words read those codes as punctuation ([`EntityCodes`]).
//!
//! The most frequent words (by bytes saved) get the 1-byte codes and are listed; the other words
//! the input repeats often enough to pay for listing them are listed unless the built-in list
//! brings them anyway. A word that only a 1-byte code repays, such as every word of two letters,
//! takes one or none: coding the most frequent two-letter words (`of`, `in`, `to`, `is`, `as` in
//! wiki text) took 0.20% off wiki4m at levels 6 and 9, 0.19% off wiki-dev, 0.34% off book1 and
//! 0.37% off bible.txt at level 6.
//!
//! The 1-byte codes' words are in byte order; the 2-byte codes' words are grouped by how English
//! uses them (clusters of words that the same words precede and follow) and then by their
//! endings, so that a lead byte stands mostly for words of one kind (plural nouns, past tenses,
//! adverbs…); the code bytes ascend.
//!
//! ## The built-in list
//! Listing a word costs the archive far more than the bytes its code saves at each occurrence
//! (the models predict a frequent word's letters well), so the input's own list stays short:
//! about a thousand words on 4 MB of wiki text. Common English words cost nothing to code when
//! both sides know them: `data/words.txt`, 13,671 words of 3 to 40 letters seen at least 3 times
//! in the English texts of the Calgary and Canterbury corpora that no reported figure uses
//! (`tools/build-word-list` derives it; the list holds word counts' ranks, none of the texts),
//! ranked by count × (length − 1), the bytes they held beyond a 1-byte code. With it
//! (format version 11) archives shrink at level 6 by 0.72% on wiki4m, 0.31% on wiki-dev, 1.68%
//! on enwik8-head, 1.04% on alice29, 0.82% on book1 and 0.32% on bible.txt; at level 9 by 0.71%
//! on wiki4m, 0.23% on wiki-dev, 1.54% on enwik8-head, 1.03% on alice29, 0.74% on book1 and
//! 0.19% on bible.txt (binary files are never transformed). Free listing would do more: the
//! 11,000 words of wiki4m that repay a sixteenth of the listing cost would take 2.4% off at
//! levels 6 and 9, which a list derived from enwik9 might approach there. The list's words are
//! all in the dictionary while codes remain, whether the input uses them or not: choosing the
//! ones an input uses, with a bitmap of them, gained about what the bitmap would cost (0.15-0.2%
//! on wiki4m). The list serves the engine too: from format version 13 it learns the list before
//! the text (the primer of `aizip::engine`). `data/word-clusters.txt`, derived from the same texts,
//! orders the 2-byte codes (see [`in_code_order`]).

use crate::varint::{self, VarintError};
use crate::DecodeError;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::OnceLock;

/// Words shorter than this are never coded.
const MIN_WORD: usize = 2;
/// Words longer than this are never coded (they are rare and long literals are cheap to model).
const MAX_WORD: usize = 40;
/// At most this many byte values become codes.
const MAX_CODE_BYTES: usize = 160;
/// Code bytes that are not word codes: the escape and the two case flags.
const SPECIALS: usize = 3;
/// At most this many eighths of the code bytes (besides the escape and the flags) code single
/// words, as many as the input has words worth it; the others lead 2-byte codes. A 1-byte code
/// saves more on a frequent word, a lead byte brings C more words (C code bytes, at most 160; with
/// all 98 1-byte codes of 160 code bytes taken, 98 + 59·160 = 9,538 words, with half 79 + 78·160
/// = 12,559; the built-in list holds more than either). Five eighths against half, with the
/// two-letter words coded: level 9 wiki4m -0.12%, wiki-dev -0.04%; level 6 wiki4m -0.08%,
/// wiki-dev, book1, book2 and bible.txt within 0.04% either way. Three and six eighths lost.
const SINGLE_EIGHTHS: usize = 5;
// Some code bytes must lead 2-byte codes.
const _: () = assert!(SINGLE_EIGHTHS < 8);
/// At least this many code bytes are needed for the transform to be worth applying.
const MIN_CODE_BYTES: usize = 12;
/// A byte value may become a code if it occurs at most once per this many input bytes.
const RARE_BYTE: usize = 20_000;
/// The transform is applied only when it removes at least this fraction (1/N) of the input.
const MIN_GAIN: usize = 50;
/// A word is listed only if its codes remove this many times more bytes than its listing takes:
/// the models predict a frequent word's letters well anyway, so a removed byte is worth far less
/// than a listed one (measured on wiki text: 32 beats 4, 16 and 48 in archive size; with the
/// built-in list, 16 gave archives 0.03% smaller on wiki4m and on w1m, alice29, enwik8-head and
/// book1 together, 8 and 64 larger).
const LISTING_COST: i64 = 32;
/// The built-in word list, one word per line, most valuable first (see the module documentation).
/// It is part of the archive format: changing it needs a new format version.
const BUILT_IN_LIST: &str = include_str!("../data/words.txt");

/// The built-in word list (`data/words.txt`), in its order: the dictionary's words beside the
/// input's own, and the start of the `aizip` engine's primer.
pub fn built_in_words() -> &'static [&'static [u8]] {
    static WORDS: OnceLock<Vec<&'static [u8]>> = OnceLock::new();
    WORDS.get_or_init(|| BUILT_IN_LIST.lines().map(str::as_bytes).collect())
}

/// The built-in words not in `listed`, in the list's order: a dictionary takes as many of them as
/// it has codes left (see [`dictionary`]).
fn unlisted_built_ins(listed: &WordSet) -> Vec<&'static [u8]> {
    built_in_words()
        .iter()
        .copied()
        .filter(|w| !listed.contains(w))
        .collect()
}

/// The codes of `space` left for built-in words when `listed` words are listed.
fn built_in_room(space: &CodeSpace, listed: usize) -> usize {
    space.capacity().saturating_sub(listed)
}

/// The dictionary in code order for `listed` words (as the transformed text lists them) in
/// `space`: the listed words, then as many built-in words as codes remain; the words after the
/// first `min(singles, listed)` are put in [code order](in_code_order). Encoder and decoder
/// both build it here.
fn dictionary<'a>(listed: &[&'a [u8]], space: &CodeSpace) -> Vec<&'a [u8]> {
    let listed_set: WordSet = listed.iter().copied().collect();
    let mut words = listed.to_vec();
    words.extend(
        unlisted_built_ins(&listed_set)
            .into_iter()
            .take(built_in_room(space, listed.len())),
    );
    let singles = space.singles.len().min(listed.len());
    in_code_order(&mut words[singles..]);
    words
}

/// English word endings, in the order their words take 2-byte codes within a cluster (see
/// [`in_code_order`]): plurals, past tenses, participles and adverbs, then noun, agent and
/// adjective endings, then final vowels. Part of the archive format.
const ENDINGS: [&[u8]; 32] = [
    b"ies", b"es", b"s", b"ed", b"ing", b"ly", b"ation", b"tion", b"sion", b"ness", b"ment",
    b"ity", b"ism", b"ist", b"ers", b"er", b"or", b"ian", b"an", b"al", b"ic", b"ive", b"ous",
    b"able", b"ful", b"less", b"est", b"y", b"e", b"a", b"o", b"ia",
];

/// The index in [`ENDINGS`] of the longest ending `word` has after at least two bytes of stem, or
/// `ENDINGS.len()` if it has none.
fn ending_index(word: &[u8]) -> usize {
    ENDINGS
        .iter()
        .enumerate()
        .filter(|(_, end)| word.len() >= end.len() + 2 && word.ends_with(end))
        .max_by_key(|(_, end)| end.len())
        .map_or(ENDINGS.len(), |(i, _)| i)
}

/// Sorts `words` into the 2-byte codes' order: by [`cluster`], then by [`ending_index`], then by
/// their bytes read from the last. A lead byte then stands for a run of words of one grammatical
/// use, which the contexts that see it predict better than a run of words sharing their first
/// letters (byte order).
///
/// The endings alone, against byte order: level 9 -0.17% on wiki4m, -0.20% on bible.txt; level 6
/// -0.03% on wiki4m, -0.25% on book1 (in a quick build at level 9 on wiki4m, the bytes read
/// backwards alone gave -0.15%, the endings followed by byte order -0.11%, and sorting the 1-byte
/// codes' words this way too +0.10%). The clusters before the endings (format version 18): level
/// 9 -0.27% on wiki4m; level 6 -0.20% on wiki4m, -0.11% on book1, -0.07% on bible.txt. Clusters
/// learnt from wiki4m itself (which the format cannot use) gave -0.74% at level 9 and -0.54% at
/// level 6: a word list counted from Wikipedia text would gain more here too. At level 6 on
/// wiki4m, 64 clusters did better than 32 and 96 (by 0.05%) and than 128 (by 0.04%, clustered on
/// wiki4m itself), and neighbours among the 1,600 most frequent tokens better than among 200,
/// 400, 800 or 3,200 (by up to 0.1%); the seed of k-means alone moves the result by 0.08%.
/// Sorting the 1-byte codes' words by cluster too cost wiki4m 0.25% at level 6.
fn in_code_order(words: &mut [&[u8]]) {
    let mut keyed: Vec<(u8, usize, &[u8])> = words
        .iter()
        .map(|w| (cluster(w), ending_index(w), *w))
        .collect();
    keyed.sort_unstable_by(|(cluster_a, ending_a, a), (cluster_b, ending_b, b)| {
        (cluster_a, ending_a)
            .cmp(&(cluster_b, ending_b))
            .then_with(|| a.iter().rev().cmp(b.iter().rev()))
    });
    for (word, (_, _, sorted)) in words.iter_mut().zip(keyed) {
        *word = sorted;
    }
}

/// Clusters of the built-in words, one line per word of [`BUILT_IN_LIST`] in its order (see
/// [`cluster`]). Part of the archive format.
const BUILT_IN_CLUSTERS: &str = include_str!("../data/word-clusters.txt");

/// The cluster of `word`: words of the built-in list that the texts it was counted from use alike
/// (the same words before and after them) share one, numbered from 0; the other built-in words,
/// and every word outside the list, are [`UNCLUSTERED`]. `tools/cluster-words.py` derives the
/// clusters (k-means over the words' left and right neighbours); `tools/build-word-list` runs it.
fn cluster(word: &[u8]) -> u8 {
    static CLUSTERS: OnceLock<WordMap<&'static [u8], u8>> = OnceLock::new();
    let clusters = CLUSTERS.get_or_init(|| {
        built_in_words()
            .iter()
            .copied()
            .zip(BUILT_IN_CLUSTERS.lines().map(|line| {
                line.parse()
                    .expect("data/word-clusters.txt holds a cluster number per line")
            }))
            .collect()
    });
    clusters.get(word).copied().unwrap_or(UNCLUSTERED)
}

/// The cluster of the words that have none (`CLUSTERS` of `tools/cluster-words.py`): it sorts
/// after every other.
const UNCLUSTERED: u8 = 64;

/// XML entities coded as words when frequent.
const ENTITIES: [&[u8]; 5] = [b"&quot;", b"&amp;", b"&lt;", b"&gt;", b"&nbsp;"];

/// Whether a dictionary word is an XML entity: the encoder's other words are runs of letters.
fn is_entity(word: &[u8]) -> bool {
    word.starts_with(b"&")
}

/// How a reader of transformed text takes the 1-byte codes of XML entities.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntityCodes {
    /// As words, like every other code.
    Words,
    /// As separators, like the punctuation they stand for (`&quot;` is `"`): a word context
    /// then reaches past them to the words around them.
    Separators,
}

/// How the models should treat a byte of transformed text when they look for words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ByteClass {
    /// Part of a word (letters, 1-byte codes but for the entities' read as
    /// [separators](EntityCodes::Separators), the second byte of a 2-byte code).
    Letter,
    /// Ends a word.
    Separator,
    /// Starts a 2-byte code: it and the next byte are one word.
    Lead,
    /// A flag that belongs to the following word (capitalisation): words are the same with or
    /// without it.
    Flag,
    /// The escape (the byte after it stands for itself, not for a code). To the word models it
    /// ends a word like a separator; the engine does not read it as a bracket.
    Escape,
}

/// Which byte values carry codes. See the module documentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeSpace {
    pub escape: u8,
    pub capital: u8,
    pub upper: u8,
    pub singles: Vec<u8>,
    pub leads: Vec<u8>,
    /// How many of the 1-byte codes, the first ones, code XML entities: the 1-byte codes' words
    /// are in byte order, so the entities (which start with `&`) come first.
    pub entity_singles: usize,
}

/// Role of each byte value in a code space.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Literal,
    Escape,
    Capital,
    Upper,
    Single(u8),
    Lead(u8),
}

impl CodeSpace {
    fn roles(&self) -> [Role; 256] {
        let mut roles = [Role::Literal; 256];
        roles[self.escape as usize] = Role::Escape;
        roles[self.capital as usize] = Role::Capital;
        roles[self.upper as usize] = Role::Upper;
        for (i, &b) in self.singles.iter().enumerate() {
            roles[b as usize] = Role::Single(i as u8);
        }
        for (i, &b) in self.leads.iter().enumerate() {
            roles[b as usize] = Role::Lead(i as u8);
        }
        roles
    }

    /// How the word models should see each byte of text transformed with this space, with the
    /// entities' 1-byte codes read as `entity_codes` says.
    pub fn classes(&self, entity_codes: EntityCodes) -> [ByteClass; 256] {
        let mut classes = default_classes();
        for (b, role) in self.roles().iter().enumerate() {
            classes[b] = match role {
                Role::Literal => classes[b],
                Role::Escape => ByteClass::Escape,
                Role::Capital | Role::Upper => ByteClass::Flag,
                Role::Single(i) => match entity_codes {
                    EntityCodes::Separators if (*i as usize) < self.entity_singles => {
                        ByteClass::Separator
                    }
                    _ => ByteClass::Letter,
                },
                Role::Lead(_) => ByteClass::Lead,
            };
        }
        classes
    }

    /// The byte values that may follow a lead byte: every code byte, in ascending order. Taking
    /// them from the code space (not all 256 values) keeps the two bytes of a code apart from
    /// literal text, so contexts ending in a literal byte never see half a code.
    fn seconds(&self) -> Vec<u8> {
        let roles = self.roles();
        (0..=255u8)
            .filter(|&b| roles[b as usize] != Role::Literal)
            .collect()
    }

    /// Number of words the space can code.
    pub fn capacity(&self) -> usize {
        self.singles.len() + self.leads.len() * self.seconds().len()
    }

    /// Serialised form: escape, capital, upper, count and bytes of singles, count and bytes of
    /// leads, number of entity singles.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![
            self.escape,
            self.capital,
            self.upper,
            self.singles.len() as u8,
        ];
        out.extend_from_slice(&self.singles);
        out.push(self.leads.len() as u8);
        out.extend_from_slice(&self.leads);
        out.push(self.entity_singles as u8);
        out
    }

    /// Parses [`CodeSpace::to_bytes`] at the start of `bytes`; returns the space and its length.
    pub fn from_bytes(bytes: &[u8]) -> Result<(CodeSpace, usize), DecodeError> {
        let take = |at: usize, n: usize| bytes.get(at..at + n).ok_or(DecodeError::Truncated);
        let fixed = take(0, 4)?;
        let (escape, capital, upper, n_singles) = (fixed[0], fixed[1], fixed[2], fixed[3] as usize);
        let singles = take(4, n_singles)?.to_vec();
        let n_leads = take(4 + n_singles, 1)?[0] as usize;
        let leads = take(5 + n_singles, n_leads)?.to_vec();
        let entity_singles = take(5 + n_singles + n_leads, 1)?[0] as usize;
        if entity_singles > n_singles {
            return Err(DecodeError::Corrupt(
                "more entity codes than 1-byte codes in the code space",
            ));
        }
        let space = CodeSpace {
            escape,
            capital,
            upper,
            singles,
            leads,
            entity_singles,
        };
        let mut seen = [false; 256];
        for b in [escape, capital, upper]
            .iter()
            .chain(&space.singles)
            .chain(&space.leads)
        {
            if std::mem::replace(&mut seen[*b as usize], true) {
                return Err(DecodeError::Corrupt(
                    "a byte value has two roles in the code space",
                ));
            }
        }
        Ok((space, 6 + n_singles + n_leads))
    }
}

/// Word classes of untransformed text: ASCII letters and every byte >= 0x80 (UTF-8) are letters.
pub fn default_classes() -> [ByteClass; 256] {
    std::array::from_fn(|b| match b as u8 {
        b'a'..=b'z' | b'A'..=b'Z' | 0x80..=0xFF => ByteClass::Letter,
        _ => ByteClass::Separator,
    })
}

/// A dictionary chosen for one input, with the code space that codes it.
pub struct WordCodec {
    space: CodeSpace,
    /// The words the transformed text lists, in their order there (the whole dictionary follows
    /// from them: [`WordCodec::words`]).
    listed: Vec<Vec<u8>>,
}

/// The letter-run tokens of `input`: (start, end) of each maximal run of ASCII letters.
fn letter_runs(input: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < input.len() && !input[i].is_ascii_alphabetic() {
            i += 1;
        }
        if i == input.len() {
            return None;
        }
        let start = i;
        while i < input.len() && input[i].is_ascii_alphabetic() {
            i += 1;
        }
        Some((start, i))
    })
}

/// Hashes a word (its length, then its bytes) with one call of xxh3: words are short, and
/// SipHash, the standard maps' default, took a quarter of the time of counting and coding them.
/// Each map draws its own seed, as the standard maps do, which makes collisions hard to plan
/// (xxh3 is no keyed hash); no map of words is relied on for its order, so the seed cannot change
/// a dictionary.
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = xxhash_rust::xxh3::xxh3_64_with_seed(bytes, self.0);
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = self.0.rotate_left(32) ^ n as u64;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Builds a map's [`WordHasher`]s from its seed.
#[derive(Clone)]
struct WordHashing(u64);

impl Default for WordHashing {
    fn default() -> Self {
        WordHashing(RandomState::new().hash_one(0u8))
    }
}

impl BuildHasher for WordHashing {
    type Hasher = WordHasher;

    fn build_hasher(&self) -> WordHasher {
        WordHasher(self.0)
    }
}

/// A map from words, and a set of words: see [`WordHasher`].
type WordMap<K, V> = HashMap<K, V, WordHashing>;
type WordSet<'a> = HashSet<&'a [u8], WordHashing>;

/// Large inputs are counted and coded in pieces of about this size, in parallel.
const PIECE: usize = 1 << 20;

/// How often each codable word (lower-cased) and each entity occurs. Large inputs are counted
/// in pieces on all cores (see [`pieces`]); the counts are exact, so the dictionary chosen from
/// them does not depend on the number of threads.
fn count_words(input: &[u8]) -> WordMap<Vec<u8>, usize> {
    count_words_in_pieces(input, PIECE)
}

/// `input` cut into pieces of about `piece_len` bytes, each ending before a byte that can start
/// neither a word nor an entity's tail (a letter or `;`), so that no word or entity (`&amp;`)
/// is split and the pieces can be counted or coded apart.
fn pieces(input: &[u8], piece_len: usize) -> Vec<&[u8]> {
    let mut pieces = Vec::new();
    let mut start = 0;
    while start < input.len() {
        let mut end = (start + piece_len).min(input.len());
        while end < input.len() && (input[end].is_ascii_alphabetic() || input[end] == b';') {
            end += 1;
        }
        pieces.push(&input[start..end]);
        start = end;
    }
    pieces
}

fn count_words_in_pieces(input: &[u8], piece_len: usize) -> WordMap<Vec<u8>, usize> {
    pieces(input, piece_len)
        .into_par_iter()
        .map(count_piece)
        .reduce(WordMap::default, |mut all, part| {
            for (word, n) in part {
                *all.entry(word).or_insert(0) += n;
            }
            all
        })
}

fn count_piece(piece: &[u8]) -> WordMap<Vec<u8>, usize> {
    let mut counts: WordMap<Vec<u8>, usize> = WordMap::default();
    let mut lower = Vec::with_capacity(MAX_WORD);
    for (start, end) in letter_runs(piece) {
        if (MIN_WORD..=MAX_WORD).contains(&(end - start))
            && case_shape(&piece[start..end], &mut lower).is_some()
        {
            // Most words were seen before: look up without allocating a key.
            match counts.get_mut(lower.as_slice()) {
                Some(n) => *n += 1,
                None => {
                    counts.insert(lower.clone(), 1);
                }
            }
        }
    }
    for entity in ENTITIES {
        let n = piece.windows(entity.len()).filter(|w| w == &entity).count();
        if n > 0 {
            counts.insert(entity.to_vec(), n);
        }
    }
    counts
}

/// The case shape of a word, if it can be coded (its lower-case form is then in `lower`).
fn case_shape(word: &[u8], lower: &mut Vec<u8>) -> Option<Case> {
    let case = if word.iter().all(u8::is_ascii_lowercase) {
        Case::Lower
    } else if word[0].is_ascii_uppercase() && word[1..].iter().all(u8::is_ascii_lowercase) {
        Case::Capital
    } else if word.len() >= 2 && word.iter().all(u8::is_ascii_uppercase) {
        Case::Upper
    } else {
        return None;
    };
    lower.clear();
    lower.extend(word.iter().map(u8::to_ascii_lowercase));
    Some(case)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    Lower,
    Capital,
    Upper,
}

impl WordCodec {
    /// Chooses a dictionary and code space for `input` and transforms it: the codec and the
    /// transformed text, or `None` when the transform would not remove at least 1/50 of the input
    /// (binary data, short or unusual text).
    pub fn transform(input: &[u8]) -> Option<(WordCodec, Vec<u8>)> {
        let mut byte_counts = [0usize; 256];
        for &b in input {
            byte_counts[b as usize] += 1;
        }
        let mut candidates: Vec<u8> = (0..=255u8).filter(|b| !b.is_ascii_alphanumeric()).collect();
        candidates.sort_by_key(|&b| (byte_counts[b as usize], b));
        let rare = input.len() / RARE_BYTE;
        let mut code_bytes: Vec<u8> = candidates
            .into_iter()
            .take_while(|&b| byte_counts[b as usize] <= rare)
            .take(MAX_CODE_BYTES)
            .collect();
        if code_bytes.len() < MIN_CODE_BYTES {
            return None;
        }
        // The escape and flags take the rarest bytes; codes take the others in ascending order,
        // so that words close in the dictionary's order get numerically close codes.
        code_bytes[SPECIALS..].sort_unstable();

        let counts = count_words(input);
        // Bytes a word's codes remove, less LISTING_COST times what listing it costs.
        let saving = |word: &[u8], count: usize, code: usize| {
            (count * (word.len().saturating_sub(code))) as i64
                - LISTING_COST * (word.len() as i64 + 1)
        };
        // Most removed bytes first for a code of `code` bytes (ties in byte order).
        let rank = |words: &mut [(Vec<u8>, usize)], code: usize| {
            words.sort_by(|(word_a, count_a), (word_b, count_b)| {
                (count_b * (word_b.len() - code))
                    .cmp(&(count_a * (word_a.len() - code)))
                    .then_with(|| word_a.cmp(word_b))
            })
        };
        // Ranked by what a 1-byte code would remove: the first take the 1-byte codes, the others
        // must pay for a 2-byte code and are ranked by what it removes (the space's capacity cuts
        // them). So a word that only a 1-byte code repays, such as every word of two letters, is
        // coded only if frequent enough for one (see the module documentation).
        let mut ranked: Vec<(Vec<u8>, usize)> = counts
            .into_iter()
            .filter(|(w, c)| saving(w, *c, 1) > 0)
            .collect();
        rank(&mut ranked, 1);

        let available = code_bytes.len() - SPECIALS;
        // SINGLE_EIGHTHS of the bytes code single words; those the ranked words leave over lead
        // 2-byte codes too.
        let n_singles = (available * SINGLE_EIGHTHS / 8).min(ranked.len());
        let mut worth_two_bytes: Vec<(Vec<u8>, usize)> = ranked
            .split_off(n_singles)
            .into_iter()
            .filter(|(w, c)| saving(w, *c, 2) > 0)
            .collect();
        rank(&mut worth_two_bytes, 2);
        ranked.extend(worth_two_bytes);
        let n_leads = available - n_singles;
        let space = CodeSpace {
            escape: code_bytes[0],
            capital: code_bytes[1],
            upper: code_bytes[2],
            singles: code_bytes[SPECIALS..SPECIALS + n_singles].to_vec(),
            leads: code_bytes[SPECIALS + n_singles..SPECIALS + n_singles + n_leads].to_vec(),
            entity_singles: ranked[..n_singles]
                .iter()
                .filter(|(w, _)| is_entity(w))
                .count(),
        };
        ranked.truncate(space.capacity());
        let ranked: Vec<&[u8]> = ranked.iter().map(|(w, _)| w.as_slice()).collect();
        let listed = WordCodec::listing(&ranked, n_singles, &space)
            .into_iter()
            .map(<[u8]>::to_vec)
            .collect();
        let codec = WordCodec { space, listed };
        let transformed = codec.encode(input);
        (transformed.len() + input.len() / MIN_GAIN < input.len()).then_some((codec, transformed))
    }

    /// The words to list so that the dictionary holds every word of `ranked` (the input's words
    /// worth coding, most valuable first, at most the space's capacity): the first `singles`,
    /// which take the 1-byte codes, and every other that the built-in words the dictionary takes
    /// would not bring. Both groups are listed in byte order: the 1-byte group's is its code
    /// order; the other's codes are in code order (see [`dictionary`]), but a sorted listing
    /// compresses well.
    fn listing<'a>(ranked: &[&'a [u8]], singles: usize, space: &CodeSpace) -> Vec<&'a [u8]> {
        let built_in: WordSet = built_in_words().iter().copied().collect();
        let (singles, others) = ranked.split_at(singles);
        let mut listed: WordSet = singles
            .iter()
            .chain(others.iter().filter(|w| !built_in.contains(*w)))
            .copied()
            .collect();
        // The ranked built-in words that only the built-in share can bring: those beyond it must
        // be listed, and each one listed leaves a code fewer, so the share ends a word earlier.
        // Listing a word beyond the share moves none before it: one walk back from the end.
        let needed: WordSet = others
            .iter()
            .copied()
            .filter(|w| built_in.contains(w))
            .collect();
        let candidates = unlisted_built_ins(&listed);
        let mut room = built_in_room(space, listed.len());
        for (i, &word) in candidates.iter().enumerate().rev() {
            if i < room {
                break;
            }
            if needed.contains(word) {
                listed.insert(word);
                room = room.saturating_sub(1);
            }
        }
        let mut in_order = singles.to_vec();
        in_order.sort_unstable();
        let mut others_listed: Vec<&[u8]> = others
            .iter()
            .copied()
            .filter(|w| listed.contains(w))
            .collect();
        others_listed.sort_unstable();
        in_order.extend(others_listed);
        in_order
    }

    /// A codec that can only decode (its dictionary comes with the transformed text).
    pub fn for_decoding(space: CodeSpace) -> WordCodec {
        WordCodec {
            space,
            listed: Vec::new(),
        }
    }

    pub fn space(&self) -> &CodeSpace {
        &self.space
    }

    /// The whole dictionary, in code order (see [`dictionary`]).
    fn words(&self) -> Vec<&[u8]> {
        let listed: Vec<&[u8]> = self.listed.iter().map(Vec::as_slice).collect();
        dictionary(&listed, &self.space)
    }

    fn write_code(&self, index: usize, seconds: &[u8], out: &mut Vec<u8>) {
        let singles = self.space.singles.len();
        if index < singles {
            out.push(self.space.singles[index]);
        } else {
            let i = index - singles;
            out.push(self.space.leads[i / seconds.len()]);
            out.push(seconds[i % seconds.len()]);
        }
    }

    /// The transformed form of `input`: listed words, then body. Large inputs are coded in
    /// pieces on all cores (the body codes each word and byte on its own, so the pieces of
    /// `pieces` concatenate to the body of the whole).
    pub fn encode(&self, input: &[u8]) -> Vec<u8> {
        self.encode_in_pieces(input, PIECE)
    }

    fn encode_in_pieces(&self, input: &[u8], piece_len: usize) -> Vec<u8> {
        let index: WordMap<&[u8], usize> = self
            .words()
            .into_iter()
            .enumerate()
            .map(|(i, w)| (w, i))
            .collect();
        let mut out = Vec::with_capacity(input.len() / 2 + 16);
        varint::push(self.listed.len() as u64, &mut out);
        for w in &self.listed {
            out.extend_from_slice(w);
            out.push(b'\n');
        }
        // A few pieces per core at a time, so that coded pieces wait in memory only briefly, not
        // as a second copy of the whole body.
        let batch = 2 * rayon::current_num_threads();
        for pieces in pieces(input, piece_len).chunks(batch) {
            let bodies: Vec<Vec<u8>> = pieces
                .par_iter()
                .map(|piece| self.encode_body(piece, &index))
                .collect();
            for body in bodies {
                out.extend_from_slice(&body);
            }
        }
        out
    }

    /// The body coding `piece`, given each dictionary word's index.
    fn encode_body(&self, piece: &[u8], index: &WordMap<&[u8], usize>) -> Vec<u8> {
        let roles = self.space.roles();
        let seconds = self.space.seconds();
        let mut out = Vec::with_capacity(piece.len() / 2 + 16);
        let mut lower = Vec::new();
        let mut i = 0;
        while i < piece.len() {
            let b = piece[i];
            if b.is_ascii_alphabetic() {
                let end = i + piece[i..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .count();
                let word = &piece[i..end];
                match case_shape(word, &mut lower) {
                    Some(case) => {
                        match case {
                            Case::Lower => {}
                            Case::Capital => out.push(self.space.capital),
                            Case::Upper => out.push(self.space.upper),
                        }
                        match index.get(lower.as_slice()) {
                            Some(&k) => self.write_code(k, &seconds, &mut out),
                            None => out.extend_from_slice(&lower),
                        }
                    }
                    None => out.extend_from_slice(word),
                }
                i = end;
                continue;
            }
            if b == b'&' {
                if let Some(entity) = ENTITIES.iter().find(|e| piece[i..].starts_with(e)) {
                    if let Some(&k) = index.get(*entity) {
                        self.write_code(k, &seconds, &mut out);
                        i += entity.len();
                        continue;
                    }
                }
            }
            if roles[b as usize] != Role::Literal {
                out.push(self.space.escape);
            }
            out.push(b);
            i += 1;
        }
        out
    }

    /// The original of `encoded` (dictionary and body, as [`WordCodec::encode`] writes them).
    pub fn decode(&self, encoded: &[u8]) -> Result<Vec<u8>, DecodeError> {
        let (n_words, mut pos) = read_count(encoded)?;
        if n_words > self.space.capacity() as u64 {
            return Err(DecodeError::Corrupt("more words than codes"));
        }
        let mut listed = Vec::with_capacity(n_words as usize);
        for _ in 0..n_words {
            let len = encoded[pos..]
                .iter()
                .position(|&b| b == b'\n')
                .ok_or(DecodeError::Truncated)?;
            if len == 0 {
                return Err(DecodeError::Corrupt("an empty word in the dictionary"));
            }
            listed.push(&encoded[pos..pos + len]);
            pos += len + 1;
        }
        let words = dictionary(&listed, &self.space);
        let single_words = &words[..self.space.singles.len().min(words.len())];
        if !single_words
            .iter()
            .enumerate()
            .all(|(i, w)| is_entity(w) == (i < self.space.entity_singles))
        {
            return Err(DecodeError::Corrupt(
                "the code space's entity count disagrees with its words",
            ));
        }
        let roles = self.space.roles();
        let seconds = self.space.seconds();
        let mut second_index = [None; 256];
        for (i, &b) in seconds.iter().enumerate() {
            second_index[b as usize] = Some(i);
        }
        let word = |k: usize| {
            words
                .get(k)
                .copied()
                .ok_or(DecodeError::Corrupt("code of a word not in the dictionary"))
        };
        let mut out = Vec::with_capacity(encoded.len() * 2);
        let body = &encoded[pos..];
        let mut i = 0;
        let mut case = Case::Lower;
        // Inside a literal word after an all-caps flag: its letters are upper case.
        let mut upper_letters = false;
        while i < body.len() {
            let b = body[i];
            i += 1;
            if upper_letters && b.is_ascii_lowercase() {
                out.push(b.to_ascii_uppercase());
                continue;
            }
            upper_letters = false;
            let code = match roles[b as usize] {
                Role::Literal if case == Case::Lower => {
                    out.push(b);
                    continue;
                }
                Role::Literal if b.is_ascii_lowercase() => {
                    out.push(b.to_ascii_uppercase());
                    upper_letters = case == Case::Upper;
                    case = Case::Lower;
                    continue;
                }
                Role::Escape if case == Case::Lower => {
                    out.push(*body.get(i).ok_or(DecodeError::Truncated)?);
                    i += 1;
                    continue;
                }
                Role::Capital | Role::Upper if case == Case::Lower => {
                    case = if roles[b as usize] == Role::Capital {
                        Case::Capital
                    } else {
                        Case::Upper
                    };
                    continue;
                }
                Role::Single(k) => k as usize,
                Role::Lead(j) => {
                    let second = *body.get(i).ok_or(DecodeError::Truncated)?;
                    let k = second_index[second as usize]
                        .ok_or(DecodeError::Corrupt("a literal byte after a lead byte"))?;
                    i += 1;
                    self.space.singles.len() + seconds.len() * j as usize + k
                }
                _ => {
                    return Err(DecodeError::Corrupt(
                        "a case flag not followed by a word code",
                    ))
                }
            };
            let w = word(code)?;
            let start = out.len();
            out.extend_from_slice(w);
            match case {
                Case::Lower => {}
                Case::Capital => {
                    if let Some(first) = out.get_mut(start) {
                        first.make_ascii_uppercase();
                    }
                }
                Case::Upper => out[start..].make_ascii_uppercase(),
            }
            case = Case::Lower;
        }
        if case != Case::Lower {
            return Err(DecodeError::Truncated);
        }
        Ok(out)
    }
}

impl crate::Transform for WordCodec {
    fn name(&self) -> &'static str {
        "words"
    }

    fn encode(&self, input: &[u8]) -> Vec<u8> {
        WordCodec::encode(self, input)
    }

    fn decode(&self, encoded: &[u8]) -> Result<Vec<u8>, DecodeError> {
        WordCodec::decode(self, encoded)
    }
}

/// The number at the start of `bytes` and the bytes it takes.
fn read_count(mut bytes: &[u8]) -> Result<(u64, usize), DecodeError> {
    let len = bytes.len();
    let count = varint::read(&mut bytes).map_err(|e| match e {
        VarintError::Malformed(problem) => DecodeError::Corrupt(problem),
        // A slice can only run out.
        VarintError::Truncated | VarintError::Io(_) => DecodeError::Truncated,
    })?;
    Ok((count, len - bytes.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample_text() -> Vec<u8> {
        let text =
            "The quick brown fox jumps over the lazy dog. THE DOG sleeps; the Fox runs &amp; \
                    hides in the &quot;forest&quot; near the river, where the other foxes live. ";
        text.repeat(200).into_bytes()
    }

    fn round_trip(codec: &WordCodec, input: &[u8]) {
        let encoded = codec.encode(input);
        let (space, _) = CodeSpace::from_bytes(&codec.space().to_bytes()).unwrap();
        let decoded = WordCodec::for_decoding(space).decode(&encoded).unwrap();
        assert!(decoded == input, "round trip differs");
    }

    #[test]
    fn text_shrinks_and_round_trips() {
        let text = sample_text();
        let (codec, encoded) = WordCodec::transform(&text).expect("text is worth transforming");
        assert!(
            encoded.len() < text.len() / 2,
            "{} of {}",
            encoded.len(),
            text.len()
        );
        round_trip(&codec, &text);
    }

    #[test]
    fn binary_is_left_alone() {
        let mut seed = 1u32;
        let noise: Vec<u8> = (0..100_000)
            .map(|_| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (seed >> 24) as u8
            })
            .collect();
        assert!(WordCodec::transform(&noise).is_none());
    }

    #[test]
    fn code_bytes_in_the_text_are_escaped() {
        let text = sample_text();
        let (codec, _) = WordCodec::transform(&text).unwrap();
        let mut tricky = text.clone();
        tricky.extend_from_slice(&codec.space().to_bytes());
        tricky.extend_from_slice(&[codec.space().capital, b'x', codec.space().escape]);
        round_trip(&codec, &tricky);
    }

    #[test]
    fn classes_mark_codes_as_words() {
        let (codec, _) = WordCodec::transform(&sample_text()).unwrap();
        let classes = codec.space().classes(EntityCodes::Words);
        assert_eq!(classes[codec.space().capital as usize], ByteClass::Flag);
        assert_eq!(classes[b' ' as usize], ByteClass::Separator);
        assert_eq!(classes[b'q' as usize], ByteClass::Letter);
        for &s in &codec.space().singles {
            assert_eq!(classes[s as usize], ByteClass::Letter);
        }
    }

    #[test]
    fn entity_codes_come_first_and_may_read_as_punctuation() {
        let (codec, encoded) = WordCodec::transform(&sample_text()).unwrap();
        let space = codec.space();
        assert_eq!(space.entity_singles, 2);
        let words = codec.words();
        assert_eq!(words[..2], [&b"&amp;"[..], b"&quot;"]);
        assert!(!is_entity(words[2]));
        let punctuation = space.classes(EntityCodes::Separators);
        for (i, &s) in space.singles.iter().enumerate() {
            let expected = if i < 2 {
                ByteClass::Separator
            } else {
                ByteClass::Letter
            };
            assert_eq!(punctuation[s as usize], expected, "single {i}");
        }
        let mut classes_as_words = punctuation;
        for &s in &space.singles[..2] {
            classes_as_words[s as usize] = ByteClass::Letter;
        }
        assert_eq!(classes_as_words, space.classes(EntityCodes::Words));
        for wrong in [1, 3] {
            let forged = WordCodec::for_decoding(CodeSpace {
                entity_singles: wrong,
                ..space.clone()
            });
            assert!(
                matches!(forged.decode(&encoded), Err(DecodeError::Corrupt(_))),
                "{wrong} entities"
            );
        }
    }

    #[test]
    fn a_code_space_has_at_most_as_many_entities_as_singles() {
        let (codec, _) = WordCodec::transform(&sample_text()).unwrap();
        for space in [
            CodeSpace {
                entity_singles: 2,
                ..codec.space().clone()
            },
            CodeSpace {
                singles: Vec::new(),
                entity_singles: 0,
                ..codec.space().clone()
            },
        ] {
            let mut bytes = space.to_bytes();
            bytes.extend_from_slice(b"text");
            assert_eq!(
                CodeSpace::from_bytes(&bytes).unwrap(),
                (space.clone(), bytes.len() - 4)
            );
        }
        let mut bytes = codec.space().to_bytes();
        *bytes.last_mut().unwrap() = codec.space().singles.len() as u8 + 1;
        assert!(matches!(
            CodeSpace::from_bytes(&bytes),
            Err(DecodeError::Corrupt(_))
        ));
        bytes.pop();
        assert!(matches!(
            CodeSpace::from_bytes(&bytes),
            Err(DecodeError::Truncated)
        ));
    }

    #[test]
    fn uncoded_words_are_case_folded_too() {
        let mut text = sample_text();
        text.extend_from_slice(b" Zyzzyva ZYZZYVA zyzzyva McDonald X QUICK. ");
        let (codec, encoded) = WordCodec::transform(&text).unwrap();
        let space = codec.space();
        let find = |needle: &[u8]| encoded.windows(needle.len()).any(|w| w == needle);
        assert!(
            find(&[space.capital, b'z', b'y']),
            "capitalised literal word"
        );
        assert!(find(&[space.upper, b'z', b'y']), "all-caps literal word");
        assert!(find(b"McDonald"), "mixed case stays literal");
        assert!(
            find(&[b' ', space.capital, b'x', b' ']),
            "one capital letter"
        );
        round_trip(&codec, &text);
    }

    #[test]
    fn two_byte_codes_use_only_code_bytes() {
        // More frequent words than a code space has single codes.
        let text: Vec<u8> = (0..600u32)
            .flat_map(|i| format!("word{} ", to_letters(i)).repeat(100).into_bytes())
            .collect();
        let (codec, encoded) = WordCodec::transform(&text).unwrap();
        let space = codec.space();
        assert!(!space.leads.is_empty());
        let roles = space.roles();
        let (_, varint_len) = read_count(&encoded).unwrap();
        let listing: usize = codec.listed.iter().map(|w| w.len() + 1).sum();
        let mut body = encoded[varint_len + listing..].iter();
        while let Some(&b) = body.next() {
            if matches!(roles[b as usize], Role::Lead(_)) {
                let second = *body.next().unwrap();
                assert!(roles[second as usize] != Role::Literal, "{b} {second}");
            }
        }
        round_trip(&codec, &text);
        let lead_then_literal = [space.leads[0], b'a'];
        let decoded = WordCodec::for_decoding(space.clone())
            .decode(&[&[0u8][..], &lead_then_literal].concat());
        assert_eq!(
            decoded,
            Err(DecodeError::Corrupt("a literal byte after a lead byte"))
        );
    }

    /// `i` written in letters, base 26.
    fn to_letters(mut i: u32) -> String {
        let mut letters = String::new();
        loop {
            letters.push((b'a' + (i % 26) as u8) as char);
            i /= 26;
            if i == 0 {
                return letters;
            }
        }
    }

    #[test]
    fn the_built_in_list_is_well_formed_and_unchanged() {
        let words = built_in_words();
        assert_eq!(words.len(), 13_671);
        let mut seen = HashSet::new();
        for w in words {
            assert!((3..=MAX_WORD).contains(&w.len()), "{w:?}");
            assert!(w.iter().all(u8::is_ascii_lowercase), "{w:?}");
            assert!(seen.insert(w), "{w:?} twice");
        }
        // FNV-1a of the file: the list is part of the archive format (a change needs a new
        // format version, and then a new value here).
        let hash = fnv1a(BUILT_IN_LIST.bytes());
        assert_eq!(hash, 0x81f4_3118_aa32_c72a, "{hash:#x}");
    }

    #[test]
    fn every_built_in_word_has_a_cluster_and_the_clusters_are_unchanged() {
        let clusters: Vec<u8> = BUILT_IN_CLUSTERS
            .lines()
            .map(|line| line.parse().unwrap())
            .collect();
        assert_eq!(clusters.len(), built_in_words().len());
        assert!(clusters.iter().all(|&c| c <= UNCLUSTERED));
        // Numbered by their first word, and some words have none.
        let mut next = 0;
        for &c in clusters.iter().filter(|&&c| c != UNCLUSTERED) {
            assert!(c <= next, "cluster {c} before cluster {next}");
            next = next.max(c + 1);
        }
        assert!(clusters.contains(&UNCLUSTERED));
        assert_eq!(cluster(b"notalistedword"), UNCLUSTERED);
        // Part of the archive format, as the list is.
        let hash = fnv1a(BUILT_IN_CLUSTERS.bytes());
        assert_eq!(hash, 0x68a4_0602_6a55_df4d, "{hash:#x}");
    }

    /// FNV-1a 64 of `bytes`.
    fn fnv1a(bytes: impl Iterator<Item = u8>) -> u64 {
        bytes.fold(0xCBF2_9CE4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
        })
    }

    #[test]
    fn the_built_in_words_take_codes_in_an_unchanged_order() {
        // With nothing listed every code goes to a built-in word, in code order. ENDINGS, the
        // clusters and the order are part of the archive format, which the round trips cannot
        // see (both sides share them): a change needs a new format version, and then a new
        // value here.
        let space = CodeSpace {
            escape: 0,
            capital: 1,
            upper: 2,
            singles: (3..80).collect(),
            leads: (80..157).collect(),
            entity_singles: 0,
        };
        let words = dictionary(&[], &space);
        assert_eq!(words.len(), space.capacity());
        let hash = fnv1a(words.iter().flat_map(|w| w.iter().chain(b"\n")).copied());
        assert_eq!(hash, 0x917d_d832_8045_ceca, "{hash:#x}");
    }

    #[test]
    fn built_in_words_are_coded_without_being_listed() {
        let mut text = sample_text();
        text.extend_from_slice(b"The population of the republic. ");
        let (codec, encoded) = WordCodec::transform(&text).unwrap();
        for word in [&b"population"[..], b"republic"] {
            assert!(codec.words().contains(&word));
            assert!(!codec.listed.iter().any(|w| w == word));
            assert!(!encoded.windows(word.len()).any(|w| w == word));
        }
        round_trip(&codec, &text);
    }

    #[test]
    fn a_two_letter_word_takes_a_1_byte_code_or_none() {
        // More frequent long words than 1-byte codes (each removes 400 bytes with one); `of` is
        // frequent enough for one; `zq` repays its listing only with a 1-byte code (4 ×
        // LISTING_COST times against a listing of 3 bytes) and ranks below the long words.
        let mut text = Vec::new();
        for i in 0..300 {
            let word = format!("quux{} ", to_letters(i));
            text.extend(word.repeat(100).bytes());
        }
        text.extend(b"of Of ".repeat(2_500));
        text.extend(b"zq ".repeat(4 * LISTING_COST as usize));
        let (codec, _) = WordCodec::transform(&text).unwrap();
        let words = codec.words();
        let singles = codec.space().singles.len();
        assert!(singles < 300, "{singles} 1-byte codes");
        assert!(words[..singles].contains(&&b"of"[..]));
        assert!(!words.contains(&&b"zq"[..]));
        round_trip(&codec, &text);
    }

    #[test]
    fn frequent_words_beyond_the_built_ins_taken_are_listed() {
        // More built-in words than codes: the list's last words are not brought, so the input's
        // frequent ones among them must be listed (words of 5 letters or more repeated 100 times
        // are worth listing).
        let late: Vec<&[u8]> = built_in_words()[built_in_words().len() - 1000..]
            .iter()
            .copied()
            .filter(|w| w.len() >= 5)
            .collect();
        assert!(late.len() >= 50);
        let text: Vec<u8> = late
            .iter()
            .flat_map(|w| [*w, b" "].concat().repeat(100))
            .collect();
        let (codec, _) = WordCodec::transform(&text).unwrap();
        assert!(codec.space().capacity() < built_in_words().len());
        for word in &late {
            assert!(codec.listed.iter().any(|w| w == word), "{word:?}");
            assert_eq!(codec.words().iter().filter(|w| *w == word).count(), 1);
        }
        assert_eq!(codec.words().len(), codec.space().capacity());
        round_trip(&codec, &text);
    }

    #[test]
    fn one_byte_codes_are_in_byte_order_two_byte_codes_in_code_order() {
        let (codec, _) = WordCodec::transform(&sample_text()).unwrap();
        let words = codec.words();
        let singles = codec.space().singles.len().min(words.len());
        assert!(words[..singles].is_sorted());
        let mut two_byte = words[singles..].to_vec();
        in_code_order(&mut two_byte);
        assert_eq!(two_byte, words[singles..]);
        assert!(codec.space().singles.is_sorted());
    }

    #[test]
    fn a_word_takes_its_longest_ending_after_a_stem_of_two_bytes() {
        let of = |word: &[u8]| ENDINGS.get(ending_index(word)).copied();
        assert_eq!(of(b"nations"), Some(&b"s"[..]));
        assert_eq!(of(b"creation"), Some(&b"ation"[..]));
        assert_eq!(of(b"nation"), Some(&b"tion"[..]));
        assert_eq!(of(b"stories"), Some(&b"ies"[..]));
        assert_eq!(of(b"darkness"), Some(&b"ness"[..]));
        assert_eq!(of(b"players"), Some(&b"ers"[..]));
        assert_eq!(of(b"sing"), None);
        assert_eq!(of(b"ring"), None);
        assert_eq!(of(b"bring"), Some(&b"ing"[..]));
        assert_eq!(of(b"with"), None);
        // Words of one cluster (here none: they are not in the built-in list) and one ending
        // follow each other by their bytes read backwards.
        let mut words: Vec<&[u8]> = vec![b"wolked", b"cots", b"tolked", b"dugs", b"wuth"];
        in_code_order(&mut words);
        assert_eq!(
            words,
            [&b"dugs"[..], b"cots", b"tolked", b"wolked", b"wuth"]
        );
    }

    #[test]
    fn clusters_come_before_endings() {
        let built_in = built_in_words();
        let (a, b) = built_in
            .iter()
            .flat_map(|&a| built_in.iter().map(move |&b| (a, b)))
            .find(|&(a, b)| cluster(a) < cluster(b) && ending_index(a) > ending_index(b))
            .expect("two words whose clusters and endings disagree");
        let mut words = vec![b, a, b"zzzs"];
        in_code_order(&mut words);
        assert_eq!(words, [a, b, b"zzzs"]);
    }

    /// Found by the `dict_decode` fuzz target: a capital flag before an empty dictionary word.
    #[test]
    fn fuzz_regressions_are_errors() {
        // A capital flag before an empty word once indexed past the word (found by the fuzzer).
        let data =
            include_bytes!("../../../fuzz/regressions/dict_decode/capital-flag-before-empty-word");
        let (space, used) = CodeSpace::from_bytes(data).unwrap();
        assert!(WordCodec::for_decoding(space)
            .decode(&data[used..])
            .is_err());
    }

    #[test]
    fn coding_in_pieces_writes_the_whole_body() {
        let text = sample_text();
        let (codec, whole) = WordCodec::transform(&text).unwrap();
        for piece_len in [1, 5, 13, 100, 4096] {
            assert!(
                codec.encode_in_pieces(&text, piece_len) == whole,
                "pieces of {piece_len}"
            );
        }
    }

    #[test]
    fn counting_in_pieces_counts_exactly() {
        let text = sample_text();
        let whole = count_piece(&text);
        for piece_len in [1, 5, 13, 100, 4096] {
            assert_eq!(
                count_words_in_pieces(&text, piece_len),
                whole,
                "pieces of {piece_len}"
            );
        }
    }

    proptest! {
        #[test]
        fn any_input_round_trips_with_a_text_dictionary(extra in prop::collection::vec(any::<u8>(), 0..2000)) {
            let text = sample_text();
            let (codec, _) = WordCodec::transform(&text).unwrap();
            let mut input = extra.clone();
            input.extend_from_slice(&text[..1000]);
            input.extend_from_slice(&extra);
            round_trip(&codec, &input);
        }

        #[test]
        fn structured_inputs_round_trip(words in prop::collection::vec("[a-zA-Z]{1,12}|[ ,.\n<>/=\"]|&amp;|&quot;|&lt;|[\\x00-\\xff]", 0..3000)) {
            let input: Vec<u8> = words.concat().bytes().collect();
            if let Some((codec, _)) = WordCodec::transform(&input) {
                round_trip(&codec, &input);
            }
        }

        #[test]
        fn decoding_garbage_never_panics(space in prop::collection::vec(any::<u8>(), 0..40), body in prop::collection::vec(any::<u8>(), 0..400)) {
            if let Ok((space, _)) = CodeSpace::from_bytes(&space) {
                let _ = WordCodec::for_decoding(space).decode(&body);
            }
        }
    }
}
