//! Placeholder; the benchmark suite is being written (issue 6).
use criterion::{Criterion, criterion_group, criterion_main};

fn parse(c: &mut Criterion) {
    let text = "{ \"$version\": 4 }";
    c.bench_function("parse/tiny", |b| b.iter(|| qwen_settings_ls::syntax::parse(text)));
}

criterion_group!(benches, parse);
criterion_main!(benches);
