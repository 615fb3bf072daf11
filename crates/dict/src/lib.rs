//! # aizip-dict: reversible transforms applied before modelling
//!
//! Text compressors that lead on enwik8/enwik9 rewrite the text before modelling it: frequent
//! words become short codes, capitalisation becomes a flag, XML entities become single bytes. Fewer,
//! more regular bytes reach the models, which makes compression both stronger and faster.
//!
//! This crate defines the contract every such transform meets, [`Transform`]:
//!
//! * `decode(encode(x)) == x` for **every** byte string `x` (binary data, invalid UTF-8, bytes that
//!   collide with codes, the empty string);
//! * `decode` of arbitrary bytes returns an error or some output, never panics or loops;
//! * `encode` writes everything `decode` needs (for example the dictionary) into its output, so an
//!   archive never depends on a file outside it.
//!
//! The archive header records which transform was applied (`docs/FORMAT.md`, flag bit 0).
//! [`WordCodec`] is the word-dictionary transform (see its module for the exact layout and the
//! built-in word list it codes besides the input's own words);
//! [`Identity`] is the reference for tests. [`ByteClass`] tells the word models how to read
//! transformed text: a code is a word, but the models whose contexts are words read the XML
//! entities' 1-byte codes as separators ([`EntityCodes`]).

pub mod varint;
mod words;

pub use words::{built_in_words, default_classes, ByteClass, CodeSpace, EntityCodes, WordCodec};

use thiserror::Error;

/// Why transformed data could not be decoded.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("transformed data is truncated")]
    Truncated,
    #[error("transformed data is corrupt: {0}")]
    Corrupt(&'static str),
}

/// A reversible byte-string transform.
pub trait Transform {
    /// Short name, for reports.
    fn name(&self) -> &'static str;
    /// The transformed form of `input`, self-contained.
    fn encode(&self, input: &[u8]) -> Vec<u8>;
    /// The original of `encoded`.
    fn decode(&self, encoded: &[u8]) -> Result<Vec<u8>, DecodeError>;
}

/// The transform that changes nothing.
pub struct Identity;

impl Transform for Identity {
    fn name(&self) -> &'static str {
        "identity"
    }

    fn encode(&self, input: &[u8]) -> Vec<u8> {
        input.to_vec()
    }

    fn decode(&self, encoded: &[u8]) -> Result<Vec<u8>, DecodeError> {
        Ok(encoded.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn identity_round_trips(data in prop::collection::vec(any::<u8>(), 0..512)) {
            prop_assert_eq!(Identity.decode(&Identity.encode(&data)).unwrap(), data);
        }
    }
}
