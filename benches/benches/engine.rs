//! # `engine/compress`, `engine/decompress`: the whole compressor
//!
//! `aizip::compress` and `aizip::decompress` at the default level and SIMD path on the benchmark
//! sample (`enwik8-head.xml`, see `aizip_benches::corpus`), in bytes of original data per second
//! (MB/s). This is the number users see; the stage benchmarks (`coder/*`, `mixer/*`, `apm/*`,
//! `context_map/*`) tell which part moved when it changes. Each run takes a good fraction of a
//! second, so the groups use flat sampling with 10 samples.

use aizip_benches::corpus;
use criterion::measurement::WallTime;
use criterion::{
    black_box, criterion_group, criterion_main, BenchmarkGroup, Criterion, SamplingMode, Throughput,
};
use std::time::Duration;

/// A group of a few long samples, measured in bytes of original data per second.
fn group<'a>(c: &'a mut Criterion, name: &str, bytes: usize) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::BytesDecimal(bytes as u64));
    group
}

fn bench_engine(c: &mut Criterion) {
    let sample = corpus::sample();
    let input = &sample.bytes[..];
    // One thread: the engine's own speed, comparable across commits whatever the cores.
    let options = aizip::Options {
        pipeline: false,
        ..aizip::Options::default()
    };
    let mut archive = Vec::with_capacity(input.len());
    aizip::compress(input, &options, &mut archive, |_| {}).expect("compression failed");
    let one_thread = aizip::DecompressOptions {
        threads: 1,
        ..aizip::DecompressOptions::default()
    };
    let mut restored = Vec::with_capacity(input.len());
    aizip::decompress_with(&one_thread, &archive[..], &mut restored, |_| {})
        .expect("decompression failed");
    assert!(restored == input, "round trip differs");
    eprintln!(
        "engine: level {}, {}: {} -> {} bytes, {:.4} bits/byte",
        options.level,
        options.simd,
        input.len(),
        archive.len(),
        archive.len() as f64 * 8.0 / input.len() as f64
    );

    let mut compress = group(c, "engine/compress", input.len());
    compress.bench_function(sample.name, |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(archive.len() + 64);
            aizip::compress(black_box(input), &options, &mut out, |_| {}).unwrap();
            out
        })
    });
    compress.finish();

    let mut decompress = group(c, "engine/decompress", input.len());
    decompress.bench_function(sample.name, |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(input.len());
            aizip::decompress_with(&one_thread, black_box(&archive[..]), &mut out, |_| {}).unwrap();
            out
        })
    });
    decompress.finish();
}

criterion_group!(benches, bench_engine);
criterion_main!(benches);
