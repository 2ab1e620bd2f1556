//! The national scenario: every county-level unit of China (2,948 areas) from the 2020
//! county census table, as `popalloc init DIR --census age_sex_2020.csv` writes it, loaded
//! and projected 2020 → 2035 (15 years: rates of each year, life tables, the step, band
//! sums). Reads ../shared/data/china-census-county beside the repository and says
//! "SKIPPED" where it is absent. Throughput is area-years per second.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use popalloc::Scenario;

/// The national scenario written into a temporary folder and loaded, or `None` (said why)
/// where the census table is absent.
fn national() -> Option<(tempfile::TempDir, Scenario)> {
    let census = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/china-census-county/age_sex_2020.csv");
    if !census.exists() {
        eprintln!(
            "SKIPPED: the national bench: {} is absent",
            census.display()
        );
        return None;
    }
    let dir = tempfile::tempdir().ok()?;
    let folder = dir.path().join("china");
    popalloc::scenario::census::write_census_scenario(&folder, &census, None).ok()?;
    let scenario = Scenario::load(&folder).ok()?;
    Some((dir, scenario))
}

fn national_projection(c: &mut Criterion) {
    let Some((_dir, scenario)) = national() else {
        return;
    };
    let areas = scenario.areas.len();
    let mut group = c.benchmark_group("national");
    group.sample_size(10);
    group.throughput(Throughput::Elements(areas as u64 * 15));
    group.bench_function(format!("project 2020-2035, {areas} counties"), |b| {
        b.iter(|| black_box(&scenario).project(2035).map(|p| p.states.len()))
    });
    group.finish();
}

criterion_group!(benches, national_projection);
criterion_main!(benches);
