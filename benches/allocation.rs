//! Allocation speed: `allocate` end to end (model build, lexicographic solve, duals from
//! clarabel, certificate, plan) on the embedded Yuzhong scenario (11 streets, phased:
//! whole units and projects found by rounding; and continuous, a MILP only through its
//! `area_count` target: microlp solves it, clarabel gives the duals with the integer
//! decisions fixed), on synthetic LPs of 100 to 10,000 areas × 6 services × 5 years
//! (clarabel), in one district or in districts apart, and the model build alone at 1,000
//! and 8,000 areas.
//!
//! The synthetic scenario (tests/common/synthetic.rs) is built in code, deterministically: areas on a square grid, a
//! base population from a formula per area, Gompertz death rates, a gamma fertility
//! schedule, Rogers–Castro migrants; Yuzhong's six services with their variants, need rates,
//! unit costs and ordinary → nursing conversions; every service within a 5-minute walk
//! (3.5 minutes per grid step), so that each area reaches the 8 areas around it (fewer on
//! the grid's edge). The targets are Yuzhong's without `area_count`, so the model stays an
//! LP: nursing share ≥ 60 % and government share ≤ 30 % (binding, and active: the stock has
//! 35 % nursing and 45 % government beds), primary and junior coverage 100 % (binding),
//! beds ≥ 30 per 1,000 aged 60+, 4.5 childcare places per 1,000 residents, kindergarten
//! and senior coverage 100 % (expected).
//!
//! A continuous model falls into blocks that no row ties together: each service (no
//! conversion joins two services here), and with `synthetic_districts` each district,
//! whose areas reach no other district's and whose targets are of level `group`. The
//! blocks are solved in parallel (2 cores here) and certified as one model.
//!
//! Measured with criterion on the 2-core development machine, nothing else running (quote
//! the ratios): Yuzhong phased 2.65 s, continuous 137 ms; 100 areas 368 ms (1.20 s when
//! the six services were solved as one LP); 125 areas in one district 499 ms; 1,000 areas
//! in 8 districts of 125: 3.47 s (7.0× the 125 areas for 8× the areas).
//!
//! Not in the default run (`POPALLOC_BENCH_SLOW=1`; one `allocate` in a release process,
//! alone on the machine):
//! - 1,000 areas in one district (328,664 variables, 76,008 rows): 18 s, 36× the 125-area
//!   district (400 areas: 3.5 s). Within a district the time is in clarabel's LDL
//!   factorisation and iterations, which grow about as areas^1.7 with the neighbour flows,
//!   with or without the district targets (measured before the services were split: 100 /
//!   200 / 400 areas 1.3 / 3.8 / 12.4 s with them, 0.8 / 2.3 / 8.5 s without). HiGHS
//!   through good_lp on the same models: 6.7 s at 125 areas, 75 s at 400.
//! - 10,000 areas in 100 districts of 100 (3.05 million variables): 35 s, 1.8 GB resident.
//! - 41,636 areas: the model builds (access holds centroids, and flows are made only
//!   between areas within reach, found through a grid of cells: O(nonzeros)), but no
//!   solve is attempted. Model build (`build_model` group): 137 ms at 1,000 areas and
//!   1.11 s at 8,000 (8.1× for 8× the areas); with the dense access matrix and every
//!   ordered pair tested it took 0.8 s, 10 s and 36 s at 1,000, 4,000 and 8,000 areas
//!   (45× for 8×), and the matrix alone would have been 13.9 GB at 41,636 areas.
//! - microlp on the synthetic LPs: it is for small MILPs only (DESIGN §6).

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, criterion_group, criterion_main};
use popalloc::{Allocation, AllocationOptions, Need, Scenario, allocate, allocate::build_model};

#[path = "../tests/common/synthetic.rs"]
mod synthetic;
use synthetic::{synthetic, synthetic_districts};

fn yuzhong() -> (Scenario, Need) {
    let scenario = Scenario::yuzhong().unwrap();
    let projection = scenario.project(scenario.horizon()).unwrap();
    let need = Need::from_projection(&scenario, &projection).unwrap();
    (scenario, need)
}

/// Environment variable that adds the instances slower than a minute a run.
const SLOW: &str = "POPALLOC_BENCH_SLOW";

/// States the model's size, then times `allocate`; every run must give a plan.
fn bench_instance(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    (scenario, need): (Scenario, Need),
    measurement: Duration,
) {
    let options = AllocationOptions::default();
    let model = build_model(&scenario, &need);
    let integers = model.variables.iter().filter(|v| v.integer).count();
    eprintln!(
        "{name}: {} variables ({integers} integer), {} rows",
        model.variables.len(),
        model.rows.len()
    );
    group.measurement_time(measurement);
    group.bench_function(name, |b| {
        b.iter(
            || match allocate(black_box(&scenario), black_box(&need), &options).unwrap() {
                Allocation::Plan(plan) => plan.total_cost,
                Allocation::Conflict(c) => panic!("{name}: {}", c.message),
            },
        )
    });
}

fn allocation(c: &mut Criterion) {
    let mut group = c.benchmark_group("allocate");
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    bench_instance(
        &mut group,
        "Yuzhong 11 streets × 6 services × 5 years (phased: whole units and projects)",
        yuzhong(),
        Duration::from_secs(40),
    );
    let (scenario, need) = yuzhong();
    bench_instance(
        &mut group,
        "Yuzhong continuous (area counts only: microlp + clarabel duals)",
        (scenario.continuous(), need),
        Duration::from_secs(10),
    );
    // (name, instance, measurement seconds, slower than a minute a run).
    type Instance = Box<dyn Fn() -> (Scenario, Need)>;
    let synthetic_instances: [(&str, Instance, u64, bool); 5] = [
        (
            "100 areas × 6 services × 5 years (LP, clarabel)",
            Box::new(|| synthetic(100)),
            40,
            false,
        ),
        (
            "125 areas, one district",
            Box::new(|| synthetic(125)),
            10,
            false,
        ),
        (
            "1,000 areas in 8 districts of 125",
            Box::new(|| synthetic_districts(8, 125)),
            40,
            false,
        ),
        (
            "1,000 areas, one district",
            Box::new(|| synthetic(1_000)),
            200,
            true,
        ),
        (
            "10,000 areas in 100 districts of 100",
            Box::new(|| synthetic_districts(100, 100)),
            400,
            true,
        ),
    ];
    let slow = std::env::var_os(SLOW).is_some();
    for (name, instance, seconds, slower) in synthetic_instances {
        if slow || !slower {
            bench_instance(&mut group, name, instance(), Duration::from_secs(seconds));
        }
    }
    group.finish();
}

/// Building the model alone: flows only between areas within reach, found through the
/// centroids' grid, so the time grows with the model's nonzeros.
fn model_build(c: &mut Criterion) {
    let mut group = c.benchmark_group("build_model");
    group.sample_size(10);
    for areas in [1_000usize, 8_000] {
        let (scenario, need) = synthetic(areas);
        group.bench_function(format!("{areas} areas × 6 services × 5 years"), |b| {
            b.iter(|| {
                build_model(black_box(&scenario), black_box(&need))
                    .rows
                    .len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, allocation, model_build);
criterion_main!(benches);
