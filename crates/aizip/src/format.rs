//! The archive container: header fields, their encoding, and the errors of reading them.
//! `docs/FORMAT.md` is the normative description; this module implements it.

use std::io::{self, Read, Write};
use thiserror::Error;

/// The first four bytes of every archive.
pub const MAGIC: [u8; 4] = *b"AIZP";
/// The format version this build writes and reads.
pub const VERSION: u8 = 1;
/// Header flag: the dictionary transform was applied before modelling.
pub const FLAG_DICT: u8 = 1;
const KNOWN_FLAGS: u8 = 0;

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
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// The fixed part of an archive, before the coded stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub level: u8,
    pub flags: u8,
    pub original_len: u64,
    pub checksum: u64,
}

impl Header {
    pub fn write(&self, out: &mut impl Write) -> io::Result<()> {
        out.write_all(&MAGIC)?;
        out.write_all(&[VERSION, self.level, self.flags])?;
        let mut len = self.original_len;
        loop {
            let byte = (len & 0x7F) as u8;
            len >>= 7;
            if len == 0 {
                out.write_all(&[byte])?;
                break;
            }
            out.write_all(&[byte | 0x80])?;
        }
        out.write_all(&self.checksum.to_le_bytes())
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
        if flags & !KNOWN_FLAGS != 0 {
            return Err(Error::BadHeader("unknown flags"));
        }
        let mut original_len = 0u64;
        for shift in (0..64).step_by(7) {
            let mut byte = [0u8];
            read_exact(input, &mut byte, Error::Truncated)?;
            original_len |= ((byte[0] & 0x7F) as u64) << shift;
            if byte[0] & 0x80 == 0 {
                if shift == 63 && byte[0] > 1 {
                    return Err(Error::BadHeader("length overflows 64 bits"));
                }
                let mut checksum = [0u8; 8];
                read_exact(input, &mut checksum, Error::Truncated)?;
                return Ok(Header {
                    level,
                    flags,
                    original_len,
                    checksum: u64::from_le_bytes(checksum),
                });
            }
        }
        Err(Error::BadHeader("length overflows 64 bits"))
    }
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
        fn header_round_trips(level in 1u8..=9, len in any::<u64>(), checksum in any::<u64>()) {
            let h = Header { level, flags: 0, original_len: len, checksum };
            let mut bytes = Vec::new();
            h.write(&mut bytes).unwrap();
            prop_assert_eq!(Header::read(&mut &bytes[..]).unwrap(), h);
        }

        #[test]
        fn any_bytes_give_a_header_or_an_error(bytes in prop::collection::vec(any::<u8>(), 0..32)) {
            let _ = Header::read(&mut &bytes[..]);
        }
    }

    #[test]
    fn wrong_magic_and_version_are_named() {
        assert!(matches!(
            Header::read(&mut &b"PK\x03\x04xxxxxxxxxxxxxxxx"[..]),
            Err(Error::NotAnArchive)
        ));
        assert!(matches!(
            Header::read(&mut &b"AIZP\x09\x06\x00"[..]),
            Err(Error::UnsupportedVersion(9))
        ));
        assert!(matches!(
            Header::read(&mut &b"AIZP\x01\x06"[..]),
            Err(Error::Truncated)
        ));
        assert!(matches!(
            Header::read(&mut &b"AI"[..]),
            Err(Error::NotAnArchive)
        ));
    }
}
