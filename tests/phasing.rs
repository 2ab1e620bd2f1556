//! Phasing a plan: a discount rate moves additions to when they are needed, a fixed cost
//! per project gathers additions into a few projects, whole units make every addition a
//! count of beds, places or seats.

use std::path::PathBuf;

use popalloc::{Allocation, AllocationOptions, Need, Plan, Scenario, allocate};

fn tiny() -> Scenario {
    Scenario::load(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny")).unwrap()
}

/// The tiny district with its expected 2023 target raised to 700 beds, above every year's
/// need (about 510): the beds beyond need are wanted in 2023 only.
fn tiny_with_a_late_target() -> Scenario {
    let mut scenario = tiny();
    let k = scenario
        .targets
        .iter()
        .position(|t| t.id == "beds_2023")
        .unwrap();
    scenario.targets[k].value = 750.0;
    scenario
}

fn plan(scenario: &Scenario) -> Plan {
    let need =
        Need::from_projection(scenario, &scenario.project(scenario.horizon()).unwrap()).unwrap();
    match allocate(scenario, &need, &AllocationOptions::default()).unwrap() {
        Allocation::Plan(plan) => plan,
        Allocation::Conflict(c) => panic!("{}", c.message),
    }
}

/// Additions of `service` in `year`, all areas and variants.
fn added(plan: &Plan, service: &str, year: i32) -> f64 {
    plan.rows
        .iter()
        .filter(|r| r.service == service && r.year == year)
        .map(|r| r.added)
        .sum()
}

/// Additions of `service` that are projects: (area, variant, year) with a positive addition.
fn projects(plan: &Plan, service: &str) -> usize {
    plan.rows
        .iter()
        .filter(|r| r.service == service && r.added > 1e-6)
        .count()
}

/// Beds held in a year that serve nobody that year (capacity − need served, district):
/// capacity that only a later year (the 2023 target) asks for.
fn idle_beds(plan: &Plan, year: i32) -> f64 {
    let rows = || {
        plan.rows
            .iter()
            .filter(move |r| r.service == "elder_beds" && r.year == year)
    };
    let capacity: f64 = rows().map(|r| r.capacity).sum();
    // `served` repeats on each variant's row of an area: count it once, on the first.
    let served: f64 = rows()
        .filter(|r| r.variant == "nursing")
        .map(|r| r.served)
        .sum();
    capacity - served
}

#[test]
fn a_discount_rate_moves_additions_to_the_year_they_are_needed() {
    let mut discounted = tiny_with_a_late_target();
    discounted.plan_settings.discount_rate = 0.2;
    let p = plan(&discounted);
    // The expected 2023 target of 700 beds is the only reason to hold more beds than the
    // need: with costs weighing 20 % less a year later, none of those beds is built
    // before 2023.
    // In 2021 every bed serves someone; 2022 (with need falling) adds nothing.
    let idle = idle_beds(&p, 2021);
    assert!(idle < 1e-3, "2021: {idle} beds serve nobody");
    assert!(added(&p, "elder_beds", 2022) < 1e-3);
    let total_2023: f64 = p
        .rows
        .iter()
        .filter(|r| r.service == "elder_beds" && r.year == 2023)
        .map(|r| r.capacity)
        .sum();
    assert!(total_2023 >= 700.0 - 1e-3, "{total_2023}");
    // The objective is the present value: each year's cost over 1.2^(year − 2020).
    let present: f64 = p
        .cost_by_year
        .iter()
        .map(|(y, c)| c / 1.2f64.powi(y - 2020))
        .sum();
    assert!((p.present_value - present).abs() < 1e-3 * present, "{p:?}");
    let nominal: f64 = p.cost_by_year.iter().map(|(_, c)| c).sum();
    assert!((p.total_cost - nominal).abs() < 1e-6 * nominal);
    assert!(p.present_value < p.total_cost);

    // Without discounting a bed costs the same whenever it comes, and this plan builds
    // some of the target's beds early (seen: 64 idle beds in 2021, 2023 adding 9 beds
    // against 77 with discounting).
    let flat = plan(&tiny_with_a_late_target());
    assert!((flat.present_value - flat.total_cost).abs() < 1e-6 * flat.total_cost);
    assert!(idle_beds(&flat, 2021) > 1.0, "{}", idle_beds(&flat, 2021));
    assert!(added(&p, "elder_beds", 2023) > added(&flat, "elder_beds", 2023) + 1.0);
}

#[test]
fn a_fixed_cost_per_project_gathers_additions_into_fewer_projects() {
    // The late target asks for beds in 2023 that the least-cost plan adds in 2022 and 2023
    // in one street (seen: 5 projects); a fixed cost per project builds them in 2021
    // with the rest (3 projects).
    let scattered = plan(&tiny_with_a_late_target());
    let mut gathered = tiny_with_a_late_target();
    gathered.services[0].project_cost = Some(500.0);
    let p = plan(&gathered);
    let (before, after) = (
        projects(&scattered, "elder_beds"),
        projects(&p, "elder_beds"),
    );
    assert!(
        after < before,
        "{after} projects, {before} without a fixed cost"
    );
    // The plan's cost counts each project's fixed cost once, on top of its units.
    let unit = |variant: &str| if variant == "nursing" { 12.0 } else { 8.0 };
    let units: f64 = p
        .rows
        .iter()
        .map(|r| match r.service.as_str() {
            "elder_beds" => unit(&r.variant) * r.added,
            _ => 5.0 * r.added,
        })
        .sum::<f64>()
        + p.conversions().iter().map(|c| 3.0 * c.amount).sum::<f64>();
    let expected = units + 500.0 * after as f64;
    assert!(
        (p.total_cost - expected).abs() < 1e-4 * expected,
        "{} against {expected}",
        p.total_cost
    );
    // Every target still holds, and the gap to the relaxation's bound is stated.
    assert!(
        p.targets
            .iter()
            .all(|t| t.status == popalloc::TargetStatus::Met
                || t.class == popalloc::scenario::target::TargetClass::Expected)
    );
    assert!(!p.milp_gaps.is_empty());
}

#[test]
fn whole_units_make_every_addition_and_conversion_a_count() {
    let continuous = plan(&tiny());
    let fractional = |p: &Plan| {
        p.rows
            .iter()
            .filter(|r| (r.added - r.added.round()).abs() > 1e-6)
            .count()
    };
    assert!(
        fractional(&continuous) > 0,
        "the fixture's plan should need rounding"
    );
    let mut whole = tiny();
    whole.plan_settings.whole_units = true;
    let p = plan(&whole);
    assert_eq!(fractional(&p), 0, "{:?}", p.rows);
    for c in p.conversions() {
        assert!((c.amount - c.amount.round()).abs() < 1e-6, "{c:?}");
    }
    // Whole units cost at least the continuous plan, and the gap says by how much at most.
    assert!(p.total_cost >= continuous.total_cost - 1e-6);
    let gap = p.milp_gaps.last().unwrap();
    assert!(gap.bound <= p.present_value + 1e-6, "{gap:?}");
    assert!(
        (gap.bound - continuous.present_value).abs() < 1e-4 * continuous.present_value,
        "{gap:?} against {}",
        continuous.present_value
    );
}

/// The default Yuzhong plan (phased by its scenario.toml) meets the figures asked of a plan
/// a district can act on: whole units, no year with more than 40 % of a service's
/// additions, at most 100 projects, at most 500 kindergarten places added while the
/// preschool cohort falls, its shares reached by conversion.
#[test]
fn the_default_yuzhong_plan_is_whole_spread_and_a_short_list_of_projects() {
    let phased = Scenario::yuzhong().unwrap();
    let need = Need::from_projection(&phased, &phased.project(phased.horizon()).unwrap()).unwrap();
    let options = AllocationOptions {
        time_limit_seconds: 20.0,
        ..AllocationOptions::default()
    };
    let p = match allocate(&phased, &need, &options).unwrap() {
        Allocation::Plan(plan) => plan,
        Allocation::Conflict(c) => panic!("{}", c.message),
    };
    for r in &p.rows {
        assert!((r.added - r.added.round()).abs() < 1e-6, "{r:?}");
    }
    for service in &phased.services {
        let by_year: Vec<f64> = p.years.iter().map(|&y| added(&p, &service.id, y)).collect();
        let total: f64 = by_year.iter().sum();
        let busiest = by_year.iter().copied().fold(0.0, f64::max);
        assert!(busiest <= 0.4 * total + 1e-6, "{}: {by_year:?}", service.id);
    }
    let projects = p.rows.iter().filter(|r| r.added > 0.5).count();
    assert!(projects <= 100, "{projects} projects");
    let kindergarten: f64 = p.years.iter().map(|&y| added(&p, "kindergarten", y)).sum();
    assert!(kindergarten <= 500.0, "{kindergarten}");
    assert!(p.conversions().iter().any(|c| c.is_repurposing()));
    // The discounted objective and the gap of the rounding are stated.
    assert!(p.present_value < p.total_cost);
    assert!(!p.milp_gaps.is_empty());
}

/// The tiny fixture in a temporary folder with `path = "linear"` on the target `id`, or
/// with `line` added after it.
fn tiny_with_line(id: &str, line: &str) -> (tempfile::TempDir, Result<Scenario, popalloc::Error>) {
    let dir = tempfile::tempdir().unwrap();
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny");
    for entry in std::fs::read_dir(&fixture).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let toml = std::fs::read_to_string(dir.path().join("scenario.toml")).unwrap();
    let key = format!("id = \"{id}\"\n");
    assert!(toml.contains(&key));
    let toml = toml.replace(&key, &format!("{key}{line}\n"));
    std::fs::write(dir.path().join("scenario.toml"), toml).unwrap();
    let scenario = Scenario::load(dir.path());
    (dir, scenario)
}

#[test]
fn a_linear_path_adds_interim_targets_from_the_base_year() {
    let (_dir, scenario) = tiny_with_line("nursing_share_2023", "path = \"linear\"");
    let scenario = scenario.unwrap();
    // Stock: 60 nursing of 160 beds in 2020 (0.375), to 0.6 in 2023: 0.45 in 2021, 0.525
    // in 2022, each an expected target.
    let step = |year: i32| {
        scenario
            .targets
            .iter()
            .find(|t| t.id == format!("nursing_share_2023_path_{year}"))
            .unwrap()
    };
    assert!((step(2021).value - 0.45).abs() < 1e-12);
    assert!((step(2022).value - 0.525).abs() < 1e-12);
    assert_eq!(step(2021).class, popalloc::TargetClass::Expected);
    assert!(
        scenario
            .targets
            .iter()
            .all(|t| !t.id.ends_with("_path_2023"))
    );
    let p = plan(&scenario);
    for year in [2021, 2022] {
        let result = p
            .targets
            .iter()
            .find(|t| t.id == format!("nursing_share_2023_path_{year}"))
            .unwrap();
        assert_eq!(result.status, popalloc::TargetStatus::Met, "{result:?}");
    }
    // Without the path, the plan converts no more than the 2023 share asks, when it likes:
    // its 2021 nursing share stays below the path's 0.45.
    let free = plan(&tiny());
    let share_2021 = |p: &Plan| {
        let beds = |variant: Option<&str>| -> f64 {
            p.rows
                .iter()
                .filter(|r| r.service == "elder_beds" && r.year == 2021)
                .filter(|r| variant.is_none_or(|v| r.variant == v))
                .map(|r| r.capacity)
                .sum()
        };
        beds(Some("nursing")) / beds(None)
    };
    assert!(share_2021(&p) >= 0.45 - 1e-6, "{}", share_2021(&p));
    assert!(share_2021(&free) < 0.45, "{}", share_2021(&free));
}

#[test]
fn a_path_on_a_coverage_or_an_unknown_path_is_refused_naming_the_field() {
    let (_dir, coverage) = tiny_with_line("primary_coverage_2023", "path = \"linear\"");
    let e = coverage.unwrap_err().to_string();
    assert!(e.contains("targets[2].path"), "{e}");
    assert!(e.contains("a total, a share or a per-capita level"), "{e}");
    let (_dir, unknown) = tiny_with_line("beds_2023", "path = \"steps\"");
    let e = unknown.unwrap_err().to_string();
    assert!(e.contains("targets[0].path") && e.contains("linear"), "{e}");
}
