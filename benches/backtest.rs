//! Backtest speed on the real county censuses (`../shared/data/china-census-county`):
//! reading and matching the tables, and one ten-year projection of every county (one
//! method; the whole `popalloc backtest` runs about 70 of them plus the Monte Carlo
//! draws). Skipped, saying so, where the shared data are absent.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use popalloc::backtest::{BacktestInputs, FittedMethod, Method, match_counties, read_vital_rates};
use popalloc::demography::census::read_census;

fn census_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/china-census-county");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: {} is absent", dir.display());
        None
    }
}

fn backtest(c: &mut Criterion) {
    let Some(dir) = census_dir() else {
        return;
    };
    let read = || {
        let y2010 = read_census(dir.join("age_sex_2010.csv"), None).unwrap();
        let y2020 = read_census(dir.join("age_sex_2020.csv"), None).unwrap();
        let vital = read_vital_rates(dir.join("vital_2010.csv")).unwrap();
        match_counties(&y2010, &y2020, &vital)
    };
    let mut group = c.benchmark_group("backtest");
    group.sample_size(10);
    group.bench_function("read and match the 2010 and 2020 tables", |b| {
        b.iter(|| black_box(read()))
    });
    let inputs = BacktestInputs::new(read().counties).unwrap();
    let method = FittedMethod {
        method: Method::LocalMigration,
        fertility_level: 1.0,
        migration_damping: 0.7,
        mortality_weight: 1.0,
    };
    group.bench_function("project every county 2010 -> 2020 (local_migration)", |b| {
        b.iter(|| black_box(method.project(&inputs).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, backtest);
criterion_main!(benches);
