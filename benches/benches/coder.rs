//! # `coder/encode`, `coder/decode`: the arithmetic coder alone
//!
//! Times `aizip_coder::Encoder::encode` and `Decoder::decode` on the bits of the benchmark
//! sample with the probabilities of a simple adaptive order-2 model (see
//! `aizip_benches::streams`), so the renormalisation loop runs as often as it does on real text.
//! The probabilities are computed beforehand: only the coder is timed. Throughput is in bytes of
//! coded bits (8 bits per byte of sample), directly comparable with `engine/*`: the gap between
//! the two is the time spent predicting.

use aizip_benches::{corpus, streams::BitStream};
use aizip_coder::{Decoder, Encoder};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

/// Bytes of input between two `flush_buffer` calls, as in `aizip::compress`.
const FLUSH_INTERVAL: usize = 1 << 16;

fn encode(stream: &BitStream, capacity: usize) -> Vec<u8> {
    let mut encoder = Encoder::new(Vec::with_capacity(capacity));
    for (bytes, probs) in stream
        .bytes
        .chunks(FLUSH_INTERVAL)
        .zip(stream.probs.chunks(FLUSH_INTERVAL * 8))
    {
        for (&byte, probs) in bytes.iter().zip(probs.chunks_exact(8)) {
            for (k, &p) in probs.iter().enumerate() {
                encoder.encode(((byte >> (7 - k)) & 1) as u32, p as u32);
            }
        }
        encoder
            .flush_buffer()
            .expect("writing to a Vec cannot fail");
    }
    encoder.finish().expect("writing to a Vec cannot fail")
}

fn decode(stream: &BitStream, coded: &[u8]) -> u64 {
    let mut decoder = Decoder::new(coded);
    let mut checksum = 0u64;
    for probs in stream.probs.chunks_exact(8) {
        let mut c = 1u32;
        for &p in probs {
            c = (c << 1) | decoder.decode(p as u32);
        }
        checksum = checksum.wrapping_mul(31).wrapping_add(c as u64);
    }
    checksum
}

fn bench_coder(c: &mut Criterion) {
    let sample = corpus::sample();
    let stream = BitStream::from_text(&sample.bytes);
    let coded = encode(&stream, sample.bytes.len());
    assert_eq!(coded, stream.encode(), "chunked and plain encoding differ");
    let mut decoder = Decoder::new(&coded[..]);
    for (bit, p) in stream.bits() {
        assert_eq!(decoder.decode(p), bit, "the coded stream does not decode");
    }
    eprintln!(
        "coder: {} bits, model ideal {:.3} bits/byte, coded {:.3} bits/byte",
        stream.bit_count(),
        stream.ideal_bits() / sample.bytes.len() as f64,
        coded.len() as f64 * 8.0 / sample.bytes.len() as f64
    );

    let mut group = c.benchmark_group("coder/encode");
    group.sample_size(20);
    group.throughput(Throughput::BytesDecimal(sample.bytes.len() as u64));
    group.bench_function(sample.name, |b| {
        b.iter(|| encode(black_box(&stream), coded.len() + 16))
    });
    group.finish();

    let mut group = c.benchmark_group("coder/decode");
    group.sample_size(20);
    group.throughput(Throughput::BytesDecimal(sample.bytes.len() as u64));
    group.bench_function(sample.name, |b| {
        b.iter(|| decode(black_box(&stream), black_box(&coded)))
    });
    group.finish();
}

criterion_group!(benches, bench_coder);
criterion_main!(benches);
