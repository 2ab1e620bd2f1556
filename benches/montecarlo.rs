//! Monte Carlo speed in draws per second at 2 threads: the Yuzhong scenario (11 streets,
//! 2020 → 2025) and a synthetic country of 2,850 areas (about China's count of counties,
//! Yuzhong's streets repeated) projected 15 years (2020 → 2035). Each draw samples the
//! district TFR, e0 and migration and AR(1) street
//! deviations, is projected and folded into streaming P10/P50/P90 summaries of every band,
//! area and year.
//!
//! The 2,850 areas run 40 draws: the streamed quantiles keep the first five observations
//! as they are, so a run of a few draws would hide most of their cost.
//!
//! Run with `cargo bench --bench montecarlo`; criterion reports throughput in draws/s.
//! Nanoseconds per area-year per core are `2 / (draws/s × areas × years) × 1e9`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use popalloc::uncertainty::{MonteCarlo, Variant};
use popalloc::{Access, Area, Migrants, Population, Scenario, Sex};

/// Yuzhong with its streets repeated to `areas` areas (ids made unique), their net migrants
/// by age too. The Monte Carlo run reads areas, base population and assumptions only, so
/// services and targets are dropped and every travel time is 0.
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
    s.services.clear();
    s.targets.clear();
    s.conversions.clear();
    s.access = Access::from_centroids(&vec![(0.0, 0.0); areas], 4.0, 1.0);
    if let Some(by_age) = s.migration.by_age.as_mut() {
        for migrants in by_age.values_mut() {
            let groups = migrants.groups();
            let per_area = 2 * groups;
            let values: Vec<f64> = (0..areas)
                .flat_map(|k| {
                    let street = k % streets;
                    migrants.values()[street * per_area..(street + 1) * per_area].to_vec()
                })
                .collect();
            *migrants = Migrants::from_values(areas, groups, values).unwrap();
        }
    }
    s
}

fn draws_per_second(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let mut group = c.benchmark_group("montecarlo_2_threads");
    group.sample_size(10);
    for (label, scenario, draws, years) in [
        (
            "yuzhong_11_areas_5_years",
            Scenario::yuzhong().unwrap(),
            200usize,
            5,
        ),
        ("synthetic_2850_areas_15_years", repeated(2_850), 40, 15),
    ] {
        let mut settings = scenario.uncertainty.clone();
        settings.draws = draws;
        let horizon = scenario.base_year() + years;
        group.throughput(Throughput::Elements(draws as u64));
        group.bench_with_input(BenchmarkId::from_parameter(label), &scenario, |b, s| {
            b.iter(|| {
                pool.install(|| {
                    let run = MonteCarlo::new(s, settings.clone()).horizon(horizon);
                    black_box(run.run(None).unwrap())
                })
            })
        });
    }
    group.finish();
}

/// The deterministic projection of the same 2,850 areas over 15 years on one thread: the
/// yardstick of a draw's work (a draw runs on one thread).
fn deterministic_projection(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let scenario = repeated(2_850);
    let horizon = scenario.base_year() + 15;
    let mut group = c.benchmark_group("deterministic_1_thread");
    group.sample_size(10);
    group.throughput(Throughput::Elements(1));
    group.bench_function("synthetic_2850_areas_15_years", |b| {
        b.iter(|| {
            pool.install(|| {
                let mut total = 0.0;
                scenario
                    .project_variant_with(&Variant::default(), horizon, |_, pop, _| {
                        total += pop.values()[0]
                    })
                    .unwrap();
                black_box(total)
            })
        })
    });
    group.finish();
}

criterion_group!(benches, draws_per_second, deterministic_projection);
criterion_main!(benches);
