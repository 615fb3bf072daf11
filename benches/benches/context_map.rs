//! # `context_map/lookup`: one hashed context through a large table
//!
//! Times, through the single-map API, what the engine does for each hashed context every byte
//! (the engine's `ContextSet` runs the same steps for all its maps in one loop):
//! `ContextMap::set_context` (which starts the bucket prefetch) and then 8 × `predict` + `update` (a slot lookup with
//! checksum and priority replacement at bits 0 and 4, a bit-history state every bit), each
//! followed by the `ContextStateMaps` step that turns the state into inputs (for half the maps
//! at this level, on the mixing thread of a two-thread compressor). The table is [`TABLE_BYTES`] (64 MiB, the size of one context table at the
//! default level on a large input), far beyond the caches, and the contexts are order-4 hashes
//! of the benchmark sample, so the cost is dominated by the cache and TLB misses the engine pays.
//! With a single map the prefetch has no other work to hide behind: this is the miss latency
//! bound, an upper limit on the per-context cost in the engine.
//!
//! Each iteration codes the next [`CHUNK`] bytes of the sample (wrapping around), continuing the
//! same map, so the table is in the steady, partly filled state of a long run. Throughput is in
//! bytes of sample. `…/64MiB` is a plain map (one input per bit), `…/64MiB-rich` a rich one (four
//! inputs and the run table, as the strong levels use).

use aizip_benches::corpus;
use aizip_models::context_map::combine;
use aizip_models::{ContextMap, ContextStateMaps, Detail, Inputs};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// Table size.
const TABLE_BYTES: usize = 64 << 20;
/// Bytes coded per iteration.
const CHUNK: usize = 1 << 14;
/// Context order (bytes hashed).
const ORDER: u64 = 4;

fn bench_lookup(c: &mut Criterion) {
    let sample = corpus::sample();
    let text = &sample.bytes;
    // The hash of the ORDER bytes before each position, computed beforehand.
    let mask = (1u64 << (8 * ORDER)) - 1;
    let mut last = 0u64;
    let hashes: Vec<u64> = text
        .iter()
        .map(|&byte| {
            let h = combine(ORDER, last & mask);
            last = (last << 8) | byte as u64;
            h
        })
        .collect();

    let mut group = c.benchmark_group("context_map/lookup");
    group.throughput(Throughput::BytesDecimal(CHUNK.min(text.len()) as u64));
    for (detail, name) in [(Detail::Plain, "64MiB"), (Detail::Rich, "64MiB-rich")] {
        let mut map = ContextMap::new(TABLE_BYTES, detail);
        let mut state_maps = ContextStateMaps::new(1, detail);
        let mut inputs = Inputs::with_capacity(8);
        let mut at = 0usize;
        group.bench_function(BenchmarkId::new(sample.name, name), |b| {
            b.iter(|| {
                let mut sum = 0i32;
                for _ in 0..CHUNK.min(text.len()) {
                    let byte = text[at];
                    map.set_context(hashes[at]);
                    let mut c0 = 1u32;
                    for bit_pos in 0..8 {
                        inputs.clear();
                        map.predict(c0, bit_pos, &mut inputs);
                        state_maps.predict(inputs.as_mut_slice());
                        sum = sum.wrapping_add(inputs.as_slice()[0]);
                        let bit = ((byte >> (7 - bit_pos)) & 1) as u32;
                        map.update(bit);
                        state_maps.update(bit);
                        c0 = (c0 << 1) | bit;
                    }
                    at = (at + 1) % text.len();
                }
                black_box(sum)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_lookup);
criterion_main!(benches);
