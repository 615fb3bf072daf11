//! # `dmc/code`: the DMC model's growing graphs
//!
//! What the engine does with `aizip_models::DmcModel` every bit at levels 7-9: `predict` (a
//! stretched count ratio from each graph's current node) and `update` (both counts of the node,
//! perhaps a clone of the next one, and a move along the edge). The model is sized as at level 9
//! (three graphs in 64 MiB since format version 27; the benchmark's id says so, as its figures do
//! not compare with the two graphs in 32 MiB before) and keeps going across iterations, each coding
//! the next [`CHUNK`] bytes of the benchmark sample (wrapping around): it runs on graphs grown over
//! many passes of the sample, whose nodes lie in the order they were cloned, as on a long input,
//! rather than on fresh ones. Throughput is in bytes of sample.

use aizip_benches::corpus;
use aizip_models::{BitContext, DmcModel, History, Inputs, Model};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// Bytes of the graphs together, and how many (level 9's).
const MODEL_BYTES: usize = 64 << 20;
const GRAPHS: usize = 3;
/// Bytes coded per iteration.
const CHUNK: usize = 1 << 14;

fn bench_dmc(c: &mut Criterion) {
    let sample = corpus::sample();
    let text = &sample.bytes;
    let mut model = DmcModel::new(MODEL_BYTES, GRAPHS);
    let history = History::new(16);
    let mut inputs = Inputs::with_capacity(model.input_count());
    let mut at = 0usize;
    let mut group = c.benchmark_group("dmc/code");
    group.throughput(Throughput::BytesDecimal(CHUNK.min(text.len()) as u64));
    group.bench_function(BenchmarkId::new(sample.name, "64MiB-3-graphs"), |b| {
        b.iter(|| {
            let mut sum = 0i32;
            for _ in 0..CHUNK.min(text.len()) {
                let byte = text[at];
                let mut bit_context = BitContext::default();
                for bit_pos in 0..8 {
                    inputs.clear();
                    model.predict(&mut bit_context, &history, &mut inputs);
                    sum = sum.wrapping_add(inputs.as_slice()[0]);
                    model.update(((byte >> (7 - bit_pos)) & 1) as u32);
                }
                at = (at + 1) % text.len();
            }
            black_box(sum)
        })
    });
    group.finish();
}

criterion_group!(benches, bench_dmc);
criterion_main!(benches);
