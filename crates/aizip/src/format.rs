//! The archive container: header fields, their encoding, and the errors of reading them.
//! `docs/FORMAT.md` is the normative description; this module implements it.

use aizip_dict::varint::{self, VarintError};
use aizip_dict::CodeSpace;
use std::io::{self, Read, Write};
use thiserror::Error;

/// The first four bytes of every archive.
pub const MAGIC: [u8; 4] = *b"AIZP";
/// The format version this build writes and reads.
pub const VERSION: u8 = 35;
/// Block flag: the dictionary transform was applied to this block before modelling.
pub const BLOCK_FLAG_DICT: u8 = 1;
/// Block flag bit 1: the engine learnt the primer before the block's text (see
/// [`BlockHeader::primed`]).
pub const BLOCK_FLAG_PRIMED: u8 = 2;
const KNOWN_BLOCK_FLAGS: u8 = BLOCK_FLAG_DICT | BLOCK_FLAG_PRIMED;
/// Every block but the last holds at least this many bytes of the original.
pub const MIN_BLOCK_BYTES: u64 = 1 << 16;
/// The most blocks an archive may have (`-T` never asks for more; a header claiming more is
/// corrupt).
pub const MAX_BLOCKS: u64 = 4096;

/// Everything that can go wrong reading or writing an archive.
#[derive(Debug, Error)]
pub enum Error {
    #[error("not an aizip archive (bad magic bytes)")]
    NotAnArchive,
    #[error("unsupported archive version {0} (this aizip reads version {VERSION})")]
    UnsupportedVersion(u8),
    #[error("corrupt archive header: {0}")]
    BadHeader(&'static str),
    #[error("truncated archive: the coded data ends early")]
    Truncated,
    #[error("checksum mismatch: the archive is corrupt")]
    ChecksumMismatch,
    /// A caller of the library asked for a level outside 1-9 (the command line's parser
    /// refuses one first): refused before anything is written, since no decoder could read it.
    #[error(
        "compression level {0} is out of range ({min}-{max})",
        min = crate::MIN_LEVEL,
        max = crate::MAX_LEVEL
    )]
    LevelOutOfRange(u8),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// The archive header: what the whole original was and how it was cut into blocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub level: u8,
    pub original_len: u64,
    pub checksum: u64,
    /// Number of independently coded blocks that follow (1 in single-stream mode).
    pub blocks: u64,
}

/// What precedes each block's coded stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockHeader {
    /// Bytes of the original this block restores.
    pub original_len: u64,
    /// Present when the dictionary transform was applied (block flag bit 0).
    pub dictionary: Option<DictionaryHeader>,
    /// Whether the engine learnt the primer (the built-in word list and a few wiki pages) before
    /// the coded text (block flag bit 1; see `EngineConfig::primed`).
    pub primed: bool,
    /// Bytes of coded stream; absent for the last block, whose stream runs to the end of the
    /// archive (so single-stream archives are written as they are coded).
    pub stream_len: Option<u64>,
}

/// What the decoder needs to know of the dictionary transform before the coded stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DictionaryHeader {
    /// The byte values that carry codes (the words themselves are in the coded stream).
    pub space: CodeSpace,
    /// Length of the transformed text, which is what the coded stream holds.
    pub coded_len: u64,
}

impl Header {
    pub fn write(&self, out: &mut impl Write) -> io::Result<()> {
        out.write_all(&MAGIC)?;
        out.write_all(&[VERSION, self.level, 0])?;
        write_varint(self.original_len, out)?;
        out.write_all(&self.checksum.to_le_bytes())?;
        write_varint(self.blocks, out)
    }

    pub fn read(input: &mut impl Read) -> Result<Header, Error> {
        let mut magic = [0u8; 4];
        read_exact(input, &mut magic, Error::NotAnArchive)?;
        if magic != MAGIC {
            return Err(Error::NotAnArchive);
        }
        let mut fixed = [0u8; 3];
        read_exact(input, &mut fixed, Error::Truncated)?;
        let [version, level, flags] = fixed;
        if version != VERSION {
            return Err(Error::UnsupportedVersion(version));
        }
        if !(crate::MIN_LEVEL..=crate::MAX_LEVEL).contains(&level) {
            return Err(Error::BadHeader("level out of range"));
        }
        if flags != 0 {
            return Err(Error::BadHeader("unknown flags"));
        }
        let original_len = read_varint(input)?;
        let mut checksum = [0u8; 8];
        read_exact(input, &mut checksum, Error::Truncated)?;
        let blocks = read_varint(input)?;
        // Every block but the last holds at least MIN_BLOCK_BYTES: a header cannot ask for
        // thousands of tiny blocks (each a fresh predictor to build).
        if blocks == 0 || blocks > MAX_BLOCKS || blocks > original_len / MIN_BLOCK_BYTES + 1 {
            return Err(Error::BadHeader("impossible number of blocks"));
        }
        Ok(Header {
            level,
            original_len,
            checksum: u64::from_le_bytes(checksum),
            blocks,
        })
    }
}

impl BlockHeader {
    /// Length of the text the block's coded stream holds.
    pub fn coded_len(&self) -> u64 {
        self.dictionary
            .as_ref()
            .map_or(self.original_len, |d| d.coded_len)
    }

    /// Bytes [`BlockHeader::write`] writes.
    pub fn encoded_len(&self) -> usize {
        let mut bytes = Vec::new();
        self.write(&mut bytes)
            .expect("writing to memory cannot fail");
        bytes.len()
    }

    pub fn write(&self, out: &mut impl Write) -> io::Result<()> {
        let flags = if self.dictionary.is_some() {
            BLOCK_FLAG_DICT
        } else {
            0
        } | if self.primed { BLOCK_FLAG_PRIMED } else { 0 };
        out.write_all(&[flags])?;
        write_varint(self.original_len, out)?;
        if let Some(d) = &self.dictionary {
            out.write_all(&d.space.to_bytes())?;
            write_varint(d.coded_len, out)?;
        }
        if let Some(len) = self.stream_len {
            write_varint(len, out)?;
        }
        Ok(())
    }

    /// Reads a block header; `last` says whether the block's stream runs to the end of the file.
    pub fn read(input: &mut impl Read, last: bool) -> Result<BlockHeader, Error> {
        let mut flags = [0u8];
        read_exact(input, &mut flags, Error::Truncated)?;
        if flags[0] & !KNOWN_BLOCK_FLAGS != 0 {
            return Err(Error::BadHeader("unknown block flags"));
        }
        let original_len = read_varint(input)?;
        let dictionary = if flags[0] & BLOCK_FLAG_DICT != 0 {
            // The code space is at most 4 + 255 + 1 + 255 + 1 bytes; read its counts as they
            // come.
            let mut bytes = vec![0u8; 4];
            read_exact(input, &mut bytes, Error::Truncated)?;
            let singles = bytes[3] as usize;
            bytes.resize(4 + singles + 1, 0);
            read_exact(input, &mut bytes[4..], Error::Truncated)?;
            let leads = bytes[4 + singles] as usize;
            bytes.resize(6 + singles + leads, 0);
            read_exact(input, &mut bytes[5 + singles..], Error::Truncated)?;
            let (space, _) = CodeSpace::from_bytes(&bytes)
                .map_err(|_| Error::BadHeader("invalid dictionary code space"))?;
            Some(DictionaryHeader {
                space,
                coded_len: read_varint(input)?,
            })
        } else {
            None
        };
        let stream_len = if last {
            None
        } else {
            Some(read_varint(input)?)
        };
        Ok(BlockHeader {
            original_len,
            dictionary,
            primed: flags[0] & BLOCK_FLAG_PRIMED != 0,
            stream_len,
        })
    }
}

fn write_varint(value: u64, out: &mut impl Write) -> io::Result<()> {
    let mut bytes = Vec::with_capacity(varint::MAX_LEN);
    varint::push(value, &mut bytes);
    out.write_all(&bytes)
}

fn read_varint(input: &mut impl Read) -> Result<u64, Error> {
    varint::read(input).map_err(|e| match e {
        VarintError::Truncated => Error::Truncated,
        VarintError::Malformed(problem) => Error::BadHeader(problem),
        VarintError::Io(e) => Error::Io(e),
    })
}

fn read_exact(input: &mut impl Read, buf: &mut [u8], short: Error) -> Result<(), Error> {
    input.read_exact(buf).map_err(|e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            short
        } else {
            Error::Io(e)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn header_round_trips(level in 1u8..=9, len in 1u64.., checksum in any::<u64>(), blocks in 1u64..=MAX_BLOCKS) {
            let h = Header { level, original_len: len.max(blocks * MIN_BLOCK_BYTES), checksum, blocks };
            let mut bytes = Vec::new();
            h.write(&mut bytes).unwrap();
            prop_assert_eq!(Header::read(&mut &bytes[..]).unwrap(), h);
        }

        #[test]
        fn block_header_round_trips(len in any::<u64>(), coded in proptest::option::of(any::<u64>()), primed in any::<bool>(), stream_len in proptest::option::of(any::<u64>())) {
            let dictionary = coded.map(|coded_len| DictionaryHeader {
                space: CodeSpace { escape: 1, capital: 2, upper: 3, singles: vec![4, 5], leads: vec![200], entity_singles: 1 },
                coded_len,
            });
            let h = BlockHeader { original_len: len, dictionary, primed, stream_len };
            let mut bytes = Vec::new();
            h.write(&mut bytes).unwrap();
            prop_assert_eq!(BlockHeader::read(&mut &bytes[..], stream_len.is_none()).unwrap(), h);
        }

        #[test]
        fn any_bytes_give_a_header_or_an_error(bytes in prop::collection::vec(any::<u8>(), 0..32)) {
            let _ = Header::read(&mut &bytes[..]);
            let _ = BlockHeader::read(&mut &bytes[..], false);
        }
    }

    #[test]
    fn the_format_document_names_this_version_and_the_lstm_size() {
        let document = include_str!("../../../docs/FORMAT.md");
        assert!(document.starts_with(&format!("# The aizip archive format, version {VERSION}\n")));
        assert!(document.contains(&format!("| version | `{VERSION}`.")));
        // The level-9 row gives the LSTM model's size, which the model set fixes.
        let cells = crate::model_set::LSTM_CELLS;
        assert!(document.contains(&format!("one layer of {cells} cells")));
    }

    /// The start of a header: [`MAGIC`], `version`, then `rest`.
    fn header(version: u8, rest: &[u8]) -> Vec<u8> {
        [&MAGIC[..], &[version], rest].concat()
    }

    #[test]
    fn wrong_magic_and_version_are_named() {
        assert!(matches!(
            Header::read(&mut &b"PK\x03\x04xxxxxxxxxxxxxxxx"[..]),
            Err(Error::NotAnArchive)
        ));
        assert!(matches!(
            Header::read(&mut header(VERSION + 1, &[6, 0]).as_slice()),
            Err(Error::UnsupportedVersion(v)) if v == VERSION + 1
        ));
        // Version 2 coded the dictionary differently, versions 3 to 5 mixed differently,
        // versions 6 and 7 ran other models at levels 8 and 9, version 7 hashed the word
        // contexts of every level differently, and version 8 sized the smaller tables of small
        // inputs differently, and version 9 gave the run tables no ages: their archives must not
        // decode as this version.
        for old in 2..VERSION {
            assert!(matches!(
                Header::read(&mut header(old, &[6, 0]).as_slice()),
                Err(Error::UnsupportedVersion(v)) if v == old
            ));
        }
        assert!(matches!(
            Header::read(&mut header(VERSION, b"\x06").as_slice()),
            Err(Error::Truncated)
        ));
        assert!(matches!(
            Header::read(&mut &b"AI"[..]),
            Err(Error::NotAnArchive)
        ));
        assert!(matches!(
            Header::read(&mut header(VERSION, b"\x06\x04").as_slice()),
            Err(Error::BadHeader(_))
        ));
        // Two blocks for one byte of original.
        assert!(matches!(
            Header::read(&mut header(VERSION, b"\x06\x00\x01\0\0\0\0\0\0\0\0\x02").as_slice()),
            Err(Error::BadHeader(_))
        ));
    }
}
