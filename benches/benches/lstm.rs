//! # `lstm/code`: the LSTM model's network
//!
//! What the engine does with `aizip_models::LstmModel` at level 9: at each byte boundary
//! `update_byte` (the network learns the completed byte, every `HORIZON` bytes by
//! back-propagation through the window and Adam's step, reads it to predict the next byte's
//! distribution, and names its contexts), then for each bit `predict` (the share of a node's
//! upper child in the distribution's pairwise tree, and the byte it expects). The network has
//! level 9's cells and keeps learning across iterations, each coding the next [`CHUNK`] bytes
//! of the benchmark sample (wrapping around), on the path `Simd::detect` picks (AVX2 where the
//! CPU has it, unless `AIZIP_SIMD=scalar`). Throughput is in bytes of sample.

use aizip::model_set::LSTM_CELLS as CELLS;
use aizip::Simd;
use aizip_benches::corpus;
use aizip_models::{BitContext, History, Inputs, LstmModel, Model};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// Bytes coded per iteration.
const CHUNK: usize = 1 << 12;

fn bench_lstm(c: &mut Criterion) {
    let sample = corpus::sample();
    let text = &sample.bytes;
    // The table size only says how large the engine would make the contexts' tables.
    let mut model = LstmModel::new(CELLS, Simd::detect() != Simd::Scalar, 1 << 20);
    let mut contexts = vec![0; model.context_tables().len()];
    let mut history = History::new(16);
    let mut inputs = Inputs::with_capacity(model.input_count());
    let mut at = 0usize;
    let mut group = c.benchmark_group("lstm/code");
    group.throughput(Throughput::BytesDecimal(CHUNK.min(text.len()) as u64));
    group.bench_function(
        BenchmarkId::new(sample.name, format!("{CELLS}-cells")),
        |b| {
            b.iter(|| {
                let mut sum = 0i32;
                for _ in 0..CHUNK.min(text.len()) {
                    let byte = text[at];
                    model.update_byte(&history, &mut contexts);
                    let mut bit_context = BitContext {
                        c0: 1,
                        ..BitContext::default()
                    };
                    for bit_pos in 0..8 {
                        bit_context.bit_pos = bit_pos;
                        inputs.clear();
                        model.predict(&mut bit_context, &history, &mut inputs);
                        sum = sum.wrapping_add(inputs.as_slice()[0]);
                        let bit = u32::from(byte >> (7 - bit_pos) & 1);
                        model.update(bit);
                        bit_context.c0 = bit_context.c0 << 1 | bit;
                    }
                    history.push(byte);
                    at = (at + 1) % text.len();
                }
                black_box(sum)
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench_lstm);
criterion_main!(benches);
