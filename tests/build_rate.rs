//! Build-rate limits: what the district, and each street, can add of a service in one year.
//! A binding limit spreads the additions over the years, leaves the need it cannot meet in
//! time unmet (and says so), and, on a binding target, is named in the conflict.

mod common;

use popalloc::{Allocation, AllocationOptions, Need, Plan, Scenario, allocate};

fn solve(scenario: &Scenario) -> Allocation {
    let need =
        Need::from_projection(scenario, &scenario.project(scenario.horizon()).unwrap()).unwrap();
    allocate(scenario, &need, &AllocationOptions::default()).unwrap()
}

fn plan(scenario: &Scenario) -> Plan {
    match solve(scenario) {
        Allocation::Plan(plan) => plan,
        Allocation::Conflict(c) => panic!("{}", c.message),
    }
}

/// Additions of `service` in `year`, all areas and variants (optionally one area).
fn added(plan: &Plan, service: &str, year: i32, area: Option<&str>) -> f64 {
    plan.rows
        .iter()
        .filter(|r| r.service == service && r.year == year && area.is_none_or(|a| r.area == a))
        .map(|r| r.added)
        .sum()
}

#[test]
fn a_district_build_rate_limit_spreads_additions_and_states_the_need_left_unmet() {
    let free = common::unphased(Scenario::yuzhong().unwrap());
    let unlimited = plan(&free);
    // Without a limit the plan front-loads: most new beds come in 2021.
    assert!(added(&unlimited, "elder_beds", 2021, None) > 1_000.0);
    assert!(
        unlimited.unmet_need(1.0).is_empty(),
        "{:?}",
        unlimited.unmet_need(1.0)
    );

    let mut limited = free.clone();
    limited.services[0].max_added_per_year = Some(600.0);
    let p = plan(&limited);
    for year in 2021..=2025 {
        let beds = added(&p, "elder_beds", year, None);
        assert!(beds <= 600.0 * (1.0 + 1e-6) + 1e-6, "{year}: {beds}");
    }
    // The 2021 need cannot be met in time: the plan says how much is left.
    let unmet = p.unmet_need(1.0);
    let beds_2021 = unmet
        .iter()
        .find(|(s, y, _)| s == "elder_beds" && *y == 2021)
        .map(|(_, _, u)| *u)
        .unwrap_or(0.0);
    assert!(beds_2021 > 500.0, "{unmet:?}");
    let projection = limited.project(limited.horizon()).unwrap();
    let need = Need::from_projection(&limited, &projection).unwrap();
    let memo =
        popalloc::report::memo::memo(&limited, &projection, &need, &Allocation::Plan(p), "", &[]);
    assert!(memo.contains("Need the plan cannot meet in time"), "{memo}");
    assert!(memo.contains("| elder_beds | 2021 |"), "{memo}");
}

#[test]
fn a_street_build_rate_limit_holds_in_every_street_and_year() {
    let mut scenario = common::unphased(Scenario::yuzhong().unwrap());
    scenario.services[1].max_added_per_area_year = Some(40.0);
    let p = plan(&scenario);
    for area in &scenario.areas {
        for year in 2021..=2025 {
            let places = added(&p, "childcare", year, Some(&area.id));
            assert!(
                places <= 40.0 * (1.0 + 1e-6) + 1e-6,
                "{} {year}: {places}",
                area.id
            );
        }
    }
    // Binding: some street adds the most it may in some year.
    let most = scenario
        .areas
        .iter()
        .flat_map(|a| (2021..=2025).map(move |y| (a.id.clone(), y)))
        .map(|(a, y)| added(&p, "childcare", y, Some(&a)))
        .fold(0.0, f64::max);
    assert!(most > 39.0, "{most}");
}

#[test]
fn a_build_rate_limit_against_a_binding_target_is_named_in_the_conflict() {
    let mut scenario = common::unphased(Scenario::yuzhong().unwrap());
    let primary = scenario
        .services
        .iter()
        .position(|s| s.id == "primary")
        .unwrap();
    scenario.services[primary].max_added_per_year = Some(0.0);
    let Allocation::Conflict(conflict) = solve(&scenario) else {
        panic!("100 % primary retention with no seat added should conflict");
    };
    assert!(
        conflict
            .message
            .contains("yearly cap on Primary school seats added in the district in 2021"),
        "{}",
        conflict.message
    );
    // Each year's cap is its own member, with its own remedy naming its year.
    let remedies: Vec<&str> = conflict.members.iter().map(|m| m.remedy.as_str()).collect();
    assert!(
        remedies
            .iter()
            .any(|r| r.contains("yearly cap on Primary school seats added in the district in 2023")),
        "{remedies:?}"
    );
}

#[test]
fn a_negative_build_rate_is_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("yz");
    Scenario::write_default(&target).unwrap();
    let toml = std::fs::read_to_string(target.join("scenario.toml")).unwrap();
    let toml = toml.replacen("max_added_per_year = 110", "max_added_per_year = -5", 1);
    std::fs::write(target.join("scenario.toml"), toml).unwrap();
    let err = Scenario::load(&target).unwrap_err().to_string();
    assert!(err.contains("max_added_per_year"), "{err}");
    assert!(err.contains("-5"), "{err}");
}
