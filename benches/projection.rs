//! Projection speed: one step and a 15-year projection for 11, 1,000, 2,948 (the counties
//! of China) and 41,636 areas × 101 ages × 2 sexes (single years, "even" migration, every
//! area with its own migrants). Before measuring, the numpy reference of the same shape
//! (benches/numpy_ccmpp.py) is run at 2,948 and 41,636 areas where python3 with numpy is
//! installed, and its ns per area-year printed, so that the ratio is of one machine at one
//! moment (criterion's "thrpt" in elements/s is area-years per second).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use popalloc::{
    LifeTable, Migrants, MigrationTiming, Population, Projector, RogersCastro, Sex, StepFlows,
    StepInput, StepRates,
};

const GROUPS: usize = 101;

fn rates() -> StepRates {
    let mx: Vec<f64> = (0..GROUPS)
        .map(|x| 0.00003 * (0.092 * x as f64).exp() + if x == 0 { 0.002 } else { 0.0002 })
        .collect();
    let female = LifeTable::from_mx(Sex::Female, &mx).unwrap();
    let male =
        LifeTable::from_mx(Sex::Male, &mx.iter().map(|m| m * 1.25).collect::<Vec<_>>()).unwrap();
    let mut asfr = vec![0.0; GROUPS];
    for age in 15..50 {
        let z = (age as f64 - 30.0) / 5.5;
        asfr[age] = 0.05 * (-0.5 * z * z).exp();
    }
    StepRates::from_life_tables(&female, &male, asfr, 1.07).unwrap()
}

/// A seeded, deterministic base population: each area a different size and tilt.
fn base(areas: usize) -> Population {
    let ids = (0..areas).map(|a| format!("area-{a}")).collect();
    let mut pop = Population::zeros(ids, 1, GROUPS).unwrap();
    for a in 0..areas {
        let size = 200.0 + (a % 97) as f64 * 3.0;
        for sex in Sex::ALL {
            for (x, v) in pop.series_mut(a, sex).iter_mut().enumerate() {
                *v = size * (1.0 - x as f64 / 130.0);
            }
        }
    }
    pop
}

fn migrants(areas: usize) -> Migrants {
    let totals: Vec<f64> = (0..areas).map(|a| (a % 13) as f64 * 10.0 - 60.0).collect();
    Migrants::from_totals(
        &totals,
        0.5,
        &RogersCastro::fundamental().schedule(GROUPS).unwrap(),
        1.0,
    )
    .unwrap()
}

/// Runs the numpy reference and prints what it measured, or why it did not run.
fn numpy_reference() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/numpy_ccmpp.py");
    match std::process::Command::new("python3")
        .args([script, "2948", "41636"])
        .output()
    {
        Ok(out) if out.status.success() => {
            eprint!("{}", String::from_utf8_lossy(&out.stdout));
        }
        Ok(out) => eprintln!(
            "SKIPPED: the numpy reference: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("failed")
        ),
        Err(e) => eprintln!("SKIPPED: the numpy reference: python3: {e}"),
    }
}

fn projection(c: &mut Criterion) {
    numpy_reference();
    let mut group = c.benchmark_group("project");
    group.sample_size(10);
    for areas in [11usize, 1_000, 2_948, 41_636] {
        let start = base(areas);
        let input = StepInput {
            rates: rates(),
            migrants: migrants(areas),
        };
        let projector = Projector::new(1, GROUPS, areas, MigrationTiming::Even).unwrap();
        group.throughput(Throughput::Elements(areas as u64));
        group.bench_with_input(
            BenchmarkId::new("one step, areas", areas),
            &areas,
            |b, _| {
                let mut end = start.clone();
                let mut flows = StepFlows::zeros(areas, GROUPS).unwrap();
                b.iter(|| {
                    projector
                        .step(black_box(&start), &input, &mut end, &mut flows)
                        .unwrap()
                });
            },
        );
        let steps = vec![input.clone(); 15];
        group.throughput(Throughput::Elements(areas as u64 * 15));
        group.bench_with_input(
            BenchmarkId::new("15 years (streamed), areas", areas),
            &areas,
            |b, _| {
                b.iter(|| {
                    let mut total = 0.0;
                    projector
                        .project_with(black_box(&start), 2020, &steps, None, |_, pop, _| {
                            total += pop.values()[0]
                        })
                        .unwrap();
                    total
                });
            },
        );
    }
    // Every area with its own mortality multiplier: one life table per area and step.
    let areas = 1_000;
    let start = base(areas);
    let multipliers: Vec<f64> = (0..areas).map(|a| 0.8 + (a % 41) as f64 * 0.01).collect();
    let projector = Projector::new(1, GROUPS, areas, MigrationTiming::Even)
        .unwrap()
        .with_multipliers(vec![1.0; areas], multipliers)
        .unwrap();
    let input = StepInput {
        rates: rates(),
        migrants: migrants(areas),
    };
    group.throughput(Throughput::Elements(areas as u64));
    group.bench_function(
        "one step with per-area mortality multipliers, areas/1000",
        |b| {
            let mut end = start.clone();
            let mut flows = StepFlows::zeros(areas, GROUPS).unwrap();
            b.iter(|| {
                projector
                    .step(black_box(&start), &input, &mut end, &mut flows)
                    .unwrap()
            });
        },
    );
    group.finish();
}

criterion_group!(benches, projection);
criterion_main!(benches);
