//! The library keeps its invariants against callers: a scenario, need, projection, options
//! or Monte Carlo summary edited in code into something no file could give is refused at
//! every public entry point with a typed error, never a panic or a plan of the wrong thing.

use popalloc::allocate::{export_lp, sweep::sweep};
use popalloc::report::uncertainty::UncertaintyReport;
use popalloc::report::{write_outputs, write_outputs_with};
use popalloc::uncertainty::{MonteCarlo, MonteCarloSummary, SensitivityOptions, sensitivity};
use popalloc::{Allocation, AllocationOptions, Error, Need, Scenario, allocate};

fn tiny() -> Scenario {
    Scenario::load(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tiny")).unwrap()
}

fn need_of(scenario: &Scenario) -> Need {
    Need::from_projection(scenario, &scenario.project(scenario.horizon()).unwrap()).unwrap()
}

/// The field an [`Error::Inconsistent`] names, or a failure naming what came instead.
fn inconsistent_field<T: std::fmt::Debug>(result: popalloc::Result<T>) -> String {
    match result {
        Err(Error::Inconsistent { field, .. }) => field,
        other => panic!("expected Error::Inconsistent, got {other:?}"),
    }
}

/// `allocate` on a scenario edited after loading (its need made before the edit).
fn allocate_edited(edit: impl FnOnce(&mut Scenario)) -> popalloc::Result<Allocation> {
    let mut scenario = tiny();
    let need = need_of(&scenario);
    edit(&mut scenario);
    allocate(&scenario, &need, &AllocationOptions::default())
}

#[test]
fn a_target_of_an_unknown_service_is_refused() {
    let field = inconsistent_field(allocate_edited(|s| s.targets[0].service = 99));
    assert_eq!(field, "targets[0].service");
}

#[test]
fn a_target_counting_an_unknown_variant_is_refused() {
    let field = inconsistent_field(allocate_edited(|s| s.targets[1].variants = vec![99]));
    assert_eq!(field, "targets[1].variants");
}

#[test]
fn a_conversion_from_an_unknown_variant_is_refused() {
    let field = inconsistent_field(allocate_edited(|s| s.conversions[0].from = 99));
    assert_eq!(field, "conversions[0].from");
}

#[test]
fn a_service_of_an_unknown_band_is_refused() {
    let field = inconsistent_field(allocate_edited(|s| s.services[0].band = 99));
    assert_eq!(field, "services[0].band");
    // Need from such a scenario too.
    let mut scenario = tiny();
    let projection = scenario.project(scenario.horizon()).unwrap();
    scenario.services[0].band = 99;
    let field = inconsistent_field(Need::from_projection(&scenario, &projection));
    assert_eq!(field, "services[0].band");
}

#[test]
fn stock_without_one_value_per_area_is_refused() {
    let field = inconsistent_field(allocate_edited(|s| s.services[0].stock[0].clear()));
    assert_eq!(field, "services[0].stock[0]");
}

#[test]
fn a_nan_time_limit_is_refused() {
    let scenario = tiny();
    let need = need_of(&scenario);
    let options = AllocationOptions {
        time_limit_seconds: f64::NAN,
        ..AllocationOptions::default()
    };
    let field = inconsistent_field(allocate(&scenario, &need, &options));
    assert_eq!(field, "time_limit_seconds");
}

#[test]
fn need_of_another_scenario_is_refused() {
    let tiny = tiny();
    let yuzhong = Scenario::yuzhong().unwrap();
    let tiny_need = need_of(&tiny);
    // Before: 3 of Yuzhong's 11 streets and 3 of its 5 years were planned, silently.
    let options = AllocationOptions::default();
    inconsistent_field(allocate(&yuzhong, &tiny_need, &options));
    // Before: a plan of tiny's streets for need of Yuzhong's first three.
    let yuzhong_need = need_of(&yuzhong);
    inconsistent_field(allocate(&tiny, &yuzhong_need, &options));
}

#[test]
fn need_of_fewer_years_than_the_plan_is_refused() {
    let scenario = tiny();
    let short = Need::from_projection(&scenario, &scenario.project(2022).unwrap()).unwrap();
    let field = inconsistent_field(allocate(&scenario, &short, &AllocationOptions::default()));
    assert_eq!(field, "years");
}

#[test]
fn nan_persons_are_refused() {
    // In the base population: the projection refuses it.
    let mut scenario = tiny();
    scenario.base.values_mut()[5] = f64::NAN;
    let field = inconsistent_field(scenario.project(scenario.horizon()));
    assert_eq!(field, "base");
    // In need made from persons: the allocation refuses it.
    let scenario = tiny();
    let years: Vec<i32> = (scenario.base_year() + 1..=scenario.horizon()).collect();
    let need = Need::from_persons(&scenario, years, |_, _, _| f64::NAN, |_, _, _| 100.0);
    let field = inconsistent_field(allocate(&scenario, &need, &AllocationOptions::default()));
    assert_eq!(field, "values");
}

#[test]
fn a_nan_need_rate_is_refused() {
    let field = inconsistent_field(allocate_edited(|s| s.services[0].need_rate = f64::NAN));
    assert_eq!(field, "services[0].need_rate");
    let mut scenario = tiny();
    let projection = scenario.project(scenario.horizon()).unwrap();
    scenario.services[0].need_rate = f64::NAN;
    inconsistent_field(Need::from_projection(&scenario, &projection));
}

#[test]
fn write_outputs_refuses_a_projection_of_another_scenario() {
    let tiny = tiny();
    let need = need_of(&tiny);
    let allocation = allocate(&tiny, &need, &AllocationOptions::default()).unwrap();
    let yuzhong = Scenario::yuzhong().unwrap();
    let other = yuzhong.project(2021).unwrap();
    let dir = std::env::temp_dir().join(format!("popalloc-invariants-{}", std::process::id()));
    let field = inconsistent_field(write_outputs(&dir, &tiny, &other, &need, &allocation));
    assert_eq!(field, "states[0]");
    assert!(!dir.exists(), "nothing is written");
}

/// An edit of a summary's public fields.
type SummaryEdit = fn(&mut MonteCarloSummary);

fn tiny_summary(scenario: &Scenario) -> MonteCarloSummary {
    let mut settings = scenario.uncertainty.clone();
    settings.draws = 4;
    MonteCarlo::new(scenario, settings)
        .keep_draws(true)
        .run(None)
        .unwrap()
}

#[test]
fn an_edited_monte_carlo_summary_is_refused() {
    let scenario = tiny();
    let projection = scenario.project(scenario.horizon()).unwrap();
    let need = Need::from_projection(&scenario, &projection).unwrap();
    let allocation = allocate(&scenario, &need, &AllocationOptions::default()).unwrap();
    let dir = std::env::temp_dir().join(format!("popalloc-invariants-mc-{}", std::process::id()));
    let edits: [(&str, SummaryEdit); 4] = [
        ("places", |s| s.places.clear()),
        ("places", |s| s.places.push("elsewhere".into())),
        ("bands", |s| s.bands.push("extra".into())),
        ("probs", |s| s.probs[0] = f64::NAN),
    ];
    for (expected, edit) in edits {
        let mut summary = tiny_summary(&scenario);
        edit(&mut summary);
        let report = UncertaintyReport {
            summary: summary.clone(),
            alpha: None,
            joint: None,
            reliability: None,
            curve: Vec::new(),
            sensitivity: None,
        };
        let written = write_outputs_with(
            &dir,
            &scenario,
            &projection,
            &need,
            &allocation,
            Some(&report),
        );
        let field = inconsistent_field(written);
        assert!(field.starts_with(expected), "{expected}: {field}");
        assert!(!dir.exists(), "nothing is written");
        // The chance-constrained plan's need, and the reliability of a plan, too.
        let need = popalloc::uncertainty::quantile_need(&scenario, &summary, 0.1, &[]);
        inconsistent_field(need);
        if let Allocation::Plan(plan) = &allocation {
            inconsistent_field(popalloc::uncertainty::reliability(
                &scenario, plan, &summary,
            ));
        }
    }
}

/// Every other entry point runs the same check first.
#[test]
fn every_entry_point_refuses_a_broken_scenario() {
    let mut scenario = tiny();
    let need = need_of(&scenario);
    let summary = tiny_summary(&scenario);
    scenario.targets[0].service = 99;
    let options = AllocationOptions::default();
    inconsistent_field(export_lp(&scenario, &need, &options));
    inconsistent_field(popalloc::allocate::try_build_model(&scenario, &need));
    inconsistent_field(sweep(
        &scenario,
        &need,
        "nursing_share_2023",
        0.5,
        0.7,
        2,
        &options,
    ));
    inconsistent_field(scenario.project(scenario.horizon()));
    inconsistent_field(MonteCarlo::new(&scenario, scenario.uncertainty.clone()).run(None));
    inconsistent_field(sensitivity(&scenario, &SensitivityOptions::default()));
    inconsistent_field(popalloc::uncertainty::allocate_joint(
        &scenario, &summary, 0.1, 4, &options,
    ));
    inconsistent_field(popalloc::uncertainty::reliability_curve(
        &scenario,
        &summary,
        &[0.1],
        &options,
    ));
}
