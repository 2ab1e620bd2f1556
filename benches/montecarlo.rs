//! Monte Carlo speed in draws per second at 2 threads: the Yuzhong scenario (11 streets,
//! 2020 → 2025) and a synthetic district of 41,636 areas (every Yuzhong street repeated,
//! the size of China's count of townships and streets), each draw sampling the district
//! TFR, e0 and migration and AR(1) street deviations, projected five years and folded into
//! streaming P10/P50/P90 summaries of every band, area and year.
//!
//! Run with `cargo bench --bench montecarlo`; criterion reports throughput in draws/s.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use popalloc::uncertainty::MonteCarlo;
use popalloc::{Area, Population, Scenario, Sex};

/// Yuzhong with its streets repeated to `areas` areas (ids made unique). The Monte Carlo
/// run reads areas, base population and assumptions only, so services and access are left
/// as they are.
fn repeated(areas: usize) -> Scenario {
    let mut s = Scenario::yuzhong().unwrap();
    let streets = s.areas.len();
    let ids: Vec<String> = (0..areas).map(|k| format!("area-{k}")).collect();
    let mut base = Population::zeros(ids.clone(), 1, s.base.groups()).unwrap();
    for k in 0..areas {
        for sex in Sex::ALL {
            base.series_mut(k, sex)
                .copy_from_slice(s.base.series(k % streets, sex));
        }
    }
    s.areas = ids
        .into_iter()
        .enumerate()
        .map(|(k, id)| Area {
            id,
            ..s.areas[k % streets].clone()
        })
        .collect();
    s.base = base;
    s
}

fn draws_per_second(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let mut group = c.benchmark_group("montecarlo_2_threads");
    group.sample_size(10);
    for (label, scenario, draws) in [
        ("yuzhong_11_areas", Scenario::yuzhong().unwrap(), 200usize),
        ("synthetic_41636_areas", repeated(41_636), 4),
    ] {
        let mut settings = scenario.uncertainty.clone();
        settings.draws = draws;
        group.throughput(Throughput::Elements(draws as u64));
        group.bench_with_input(BenchmarkId::from_parameter(label), &scenario, |b, s| {
            b.iter(|| {
                pool.install(|| black_box(MonteCarlo::new(s, settings.clone()).run(None).unwrap()))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, draws_per_second);
criterion_main!(benches);
