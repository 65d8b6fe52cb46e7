//! Client benchmarks (filled in below).

fn main() {}
