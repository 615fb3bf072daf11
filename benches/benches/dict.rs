//! # `dict/transform`, `dict/decode`: the word-dictionary transform alone
//!
//! `transform` is what compression runs before modelling: count the words (on all cores), choose
//! the dictionary and code space, and rewrite the text. `decode` restores the text. Both run on
//! the benchmark sample; throughput is in bytes of original text.

use aizip_benches::corpus;
use aizip_dict::WordCodec;
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

fn bench_dict(c: &mut Criterion) {
    let sample = corpus::sample();
    let (codec, text) =
        WordCodec::transform(&sample.bytes).expect("the sample is text the transform applies to");
    assert_eq!(codec.decode(&text).as_deref(), Ok(&sample.bytes[..]));
    let decoder = WordCodec::for_decoding(codec.space().clone());

    let mut group = c.benchmark_group("dict");
    group.sample_size(20);
    group.throughput(Throughput::BytesDecimal(sample.bytes.len() as u64));
    group.bench_function(format!("transform/{}", sample.name), |b| {
        b.iter(|| WordCodec::transform(black_box(&sample.bytes)))
    });
    group.bench_function(format!("decode/{}", sample.name), |b| {
        b.iter(|| decoder.decode(black_box(&text)))
    });
    group.finish();
}

criterion_group!(benches, bench_dict);
criterion_main!(benches);
