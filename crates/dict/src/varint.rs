//! LEB128 numbers: the lengths in the archive header and the word count of the transformed text.
//!
//! A number is written seven bits at a time, least significant first; each byte but the last has
//! its high bit set. Exactly one encoding per value is accepted: a final zero byte after others
//! (padding) and encodings beyond 64 bits are malformed, so a corrupt length cannot pass as
//! another spelling of a valid one.

use std::io::{self, Read};
use thiserror::Error;

/// Bytes of the longest encoding (a 64-bit value).
pub const MAX_LEN: usize = 10;

/// Why a number could not be read.
#[derive(Debug, Error)]
pub enum VarintError {
    #[error("the data ends inside a number")]
    Truncated,
    #[error("{0}")]
    Malformed(&'static str),
    #[error(transparent)]
    Io(io::Error),
}

/// Appends the encoding of `value` to `out`.
pub fn push(mut value: u64, out: &mut Vec<u8>) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads one number from `input`.
pub fn read(input: &mut impl Read) -> Result<u64, VarintError> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let mut byte = [0u8];
        input.read_exact(&mut byte).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => VarintError::Truncated,
            _ => VarintError::Io(e),
        })?;
        if shift == 63 && byte[0] > 1 {
            break;
        }
        value |= ((byte[0] & 0x7F) as u64) << shift;
        if byte[0] & 0x80 == 0 {
            if byte[0] == 0 && shift > 0 {
                return Err(VarintError::Malformed("number padded with zero bytes"));
            }
            return Ok(value);
        }
    }
    Err(VarintError::Malformed("number overflows 64 bits"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read_all(mut bytes: &[u8]) -> Result<(u64, usize), VarintError> {
        let len = bytes.len();
        let value = read(&mut bytes)?;
        Ok((value, len - bytes.len()))
    }

    proptest! {
        #[test]
        fn round_trips(value in any::<u64>()) {
            let mut bytes = Vec::new();
            push(value, &mut bytes);
            prop_assert!(bytes.len() <= MAX_LEN);
            let (read_back, used) = read_all(&bytes).unwrap();
            prop_assert_eq!(read_back, value);
            prop_assert_eq!(used, bytes.len());
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..16)) {
            let _ = read_all(&bytes);
        }
    }

    #[test]
    fn malformed_encodings_are_refused() {
        assert!(matches!(read_all(&[]), Err(VarintError::Truncated)));
        assert!(matches!(read_all(&[0x80]), Err(VarintError::Truncated)));
        assert!(matches!(
            read_all(&[0x81, 0x00]),
            Err(VarintError::Malformed(_))
        ));
        let too_long = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02];
        assert!(matches!(
            read_all(&too_long),
            Err(VarintError::Malformed(_))
        ));
        let max = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01];
        assert_eq!(read_all(&max).unwrap(), (u64::MAX, MAX_LEN));
    }
}
