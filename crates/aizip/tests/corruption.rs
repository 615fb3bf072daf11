//! A damaged archive must never hurt: truncations, bit flips and mutated header fields of a real
//! archive each end in an error, or (only where the checksum still holds) the exact original;
//! never a panic, a hang, or wrong output reported as success.

use std::time::{Duration, Instant};

/// The longest any single decompression of a damaged small archive may take.
const TIME_BOUND: Duration = Duration::from_secs(5);

/// About 8 KB of text whose frequent words the dictionary transform codes, so that the
/// transformed path is exercised too.
fn original() -> Vec<u8> {
    const WORDS: [&str; 16] = [
        "the", "river", "of", "and", "The", "mill", "water", "THE", "stone", "&amp;", "which",
        "flows", "past", "old", "town", "in",
    ];
    let mut rng = Lcg(7);
    let mut text = String::new();
    while text.len() < 8000 {
        text.push_str(WORDS[rng.next() as usize % WORDS.len()]);
        text.push(if rng.next().is_multiple_of(9) {
            '\n'
        } else {
            ' '
        });
    }
    text.into_bytes()
}

fn archive(data: &[u8]) -> Vec<u8> {
    let options = aizip::Options {
        level: 1,
        dictionary: aizip::Dictionary::Forced,
        ..aizip::Options::default()
    };
    aizip::compress_to_vec(data, &options).unwrap()
}

/// Decompresses `damaged`; returns whether it was rejected. Fails the test on wrong output.
fn rejected(damaged: &[u8], original: &[u8], what: &str) -> bool {
    let start = Instant::now();
    let result = aizip::decompress_to_vec(damaged);
    assert!(
        start.elapsed() < TIME_BOUND,
        "{what}: took {:?}",
        start.elapsed()
    );
    match result {
        Ok(out) => {
            assert!(out == original, "{what}: accepted with wrong output");
            false
        }
        Err(_) => true,
    }
}

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// Bytes of the archive header and the (only) block header before the coded stream.
fn headers_len(archive: &[u8]) -> usize {
    let mut cursor = archive;
    aizip::Header::read(&mut cursor).unwrap();
    aizip::BlockHeader::read(&mut cursor, true).unwrap();
    archive.len() - cursor.len()
}

#[test]
fn uses_the_dictionary_transform() {
    let full = archive(&original());
    let mut cursor = &full[..];
    aizip::Header::read(&mut cursor).unwrap();
    let block = aizip::BlockHeader::read(&mut cursor, true).unwrap();
    assert!(block.dictionary.is_some());
}

#[test]
fn every_truncation_is_rejected() {
    let data = original();
    let full = archive(&data);
    let mut rejected_count = 0;
    for i in 0..200 {
        let cut = i * full.len() / 200;
        assert!(
            rejected(&full[..cut], &data, &format!("cut at {cut}")),
            "cut at {cut} accepted"
        );
        rejected_count += 1;
    }
    assert_eq!(rejected_count, 200);
}

#[test]
fn single_bit_flips_are_rejected_or_harmless() {
    let data = original();
    let full = archive(&data);
    let mut rng = Lcg(0x5EED);
    let mut rejected_count = 0;
    for _ in 0..1000 {
        let bit = rng.next() as usize % (full.len() * 8);
        let mut damaged = full.clone();
        damaged[bit / 8] ^= 1 << (bit % 8);
        if rejected(&damaged, &data, &format!("bit {bit} flipped")) {
            rejected_count += 1;
        }
    }
    eprintln!("bit flips: {rejected_count} of 1000 rejected, the rest decoded exactly");
    // A flip in the last bits of the stream can leave the decoded text intact; nearly all are caught.
    assert!(
        rejected_count > 950,
        "only {rejected_count} of 1000 flips rejected"
    );
}

#[test]
fn every_header_field_mutation_is_rejected_or_harmless() {
    let data = original();
    let full = archive(&data);
    let header_len = headers_len(&full);
    let (mut tried, mut refused) = (0, 0);
    for at in 0..header_len {
        for value in [
            0u8,
            1,
            2,
            0x7F,
            0x80,
            0xFF,
            full[at].wrapping_add(1),
            full[at].wrapping_sub(1),
        ] {
            if value == full[at] {
                continue;
            }
            let mut damaged = full.clone();
            damaged[at] = value;
            tried += 1;
            refused += rejected(
                &damaged,
                &data,
                &format!("header byte {at} set to {value:#x}"),
            ) as u32;
        }
    }
    eprintln!("header mutations: {refused} of {tried} rejected, the rest decoded exactly");
}

#[test]
fn a_huge_declared_length_is_refused_quickly() {
    let data = original();
    let options = aizip::Options {
        level: 1,
        dictionary: aizip::Dictionary::Off,
        ..aizip::Options::default()
    };
    let full = aizip::compress_to_vec(&data, &options).unwrap();
    // Rewrite the original length (offset 7, LEB128) as 2^62, keeping the rest.
    let mut cursor = &full[7..];
    while cursor[0] & 0x80 != 0 {
        cursor = &cursor[1..];
    }
    let rest = &cursor[1..];
    let mut damaged = full[..7].to_vec();
    damaged.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]);
    damaged.extend_from_slice(rest);
    assert!(rejected(&damaged, &data, "length 2^62"));
}

#[test]
fn a_huge_declared_block_length_is_refused_quickly() {
    let data = original();
    let options = aizip::Options {
        level: 1,
        dictionary: aizip::Dictionary::Off,
        ..aizip::Options::default()
    };
    let full = aizip::compress_to_vec(&data, &options).unwrap();
    // Both the original length and the block's length become 2^62; only the stream can tell.
    let huge = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40];
    let mut cursor = &full[..];
    let header = aizip::Header::read(&mut cursor).unwrap();
    aizip::BlockHeader::read(&mut cursor, true).unwrap();
    let mut damaged = Vec::new();
    aizip::Header {
        original_len: 1 << 62,
        ..header
    }
    .write(&mut damaged)
    .unwrap();
    damaged.push(0);
    damaged.extend_from_slice(&huge);
    damaged.extend_from_slice(cursor);
    assert!(rejected(&damaged, &data, "block length 2^62"));
}
