//! A travel-time matrix decides reach for every pair of streets, a street and itself
//! included (docs/scenario.md §14).

mod common;

use popalloc::{Allocation, AllocationOptions, Need, Scenario, allocate, allocate::build_model};

/// The tiny fixture with a travel matrix: every street 20 minutes from every other, and
/// `north` `own` minutes from its own facilities (the others 0).
fn with_matrix(label: &str, own: f64) -> Scenario {
    let dir = common::copy_fixture("tiny", label);
    let toml = std::fs::read_to_string(dir.join("scenario.toml")).unwrap();
    let toml = toml.replace(
        "[access]\nwalking_speed_kmh = 4.0\ndetour_factor = 1.4",
        "[access]\nmatrix = \"minutes.csv\"",
    );
    assert!(toml.contains("matrix = \"minutes.csv\""));
    std::fs::write(dir.join("scenario.toml"), toml).unwrap();
    let areas = ["north", "centre", "south"];
    let mut csv = String::from("from,to,minutes\n");
    for from in areas {
        for to in areas {
            let minutes = match (from == to, from) {
                (true, "north") => own,
                (true, _) => 0.0,
                (false, _) => 20.0,
            };
            csv.push_str(&format!("{from},{to},{minutes}\n"));
        }
    }
    std::fs::write(dir.join("minutes.csv"), csv).unwrap();
    Scenario::load(&dir).unwrap()
}

fn has_variable(scenario: &Scenario, name_prefix: &str) -> bool {
    let need =
        Need::from_projection(scenario, &scenario.project(scenario.horizon()).unwrap()).unwrap();
    build_model(scenario, &need)
        .variables
        .iter()
        .any(|v| v.name.starts_with(name_prefix))
}

#[test]
fn a_street_beyond_the_radius_of_its_own_facilities_does_not_serve_itself() {
    // Primary seats have a 10-minute radius, elder-care beds 15 minutes.
    let scenario = with_matrix("diag12", 12.0);
    assert!(!has_variable(&scenario, "serve_primary_north_by_north_"));
    assert!(has_variable(&scenario, "serve_elder_beds_north_by_north_"));
    assert!(has_variable(&scenario, "serve_primary_centre_by_centre_"));
    // North's primary need can then be met by no street: the binding coverage target
    // cannot hold.
    let need =
        Need::from_projection(&scenario, &scenario.project(scenario.horizon()).unwrap()).unwrap();
    match allocate(&scenario, &need, &AllocationOptions::default()).unwrap() {
        Allocation::Conflict(c) => assert!(
            c.members
                .iter()
                .any(|m| m.name.contains("primary_coverage_2023")),
            "{c:?}"
        ),
        Allocation::Plan(p) => panic!("north's primary need was served: {:?}", p.targets),
    }
}

#[test]
fn a_street_within_the_radius_of_its_own_facilities_serves_itself() {
    let scenario = with_matrix("diag6", 6.0);
    assert!(has_variable(&scenario, "serve_primary_north_by_north_"));
    let need =
        Need::from_projection(&scenario, &scenario.project(scenario.horizon()).unwrap()).unwrap();
    assert!(matches!(
        allocate(&scenario, &need, &AllocationOptions::default()).unwrap(),
        Allocation::Plan(_)
    ));
}

/// A district-wide service reaches every street whatever the minutes: north, 12 minutes from
/// its own primary seats (beyond the 10-minute radius), is served once primary is
/// district-wide, and every street can serve every other.
#[test]
fn a_district_wide_service_reaches_every_street() {
    let mut scenario = with_matrix("diag12-wide", 12.0);
    let primary = scenario
        .services
        .iter()
        .position(|s| s.id == "primary")
        .unwrap();
    scenario.services[primary].district_wide = true;
    assert!(has_variable(&scenario, "serve_primary_north_by_north_"));
    assert!(has_variable(&scenario, "serve_primary_north_by_south_"));
    let need =
        Need::from_projection(&scenario, &scenario.project(scenario.horizon()).unwrap()).unwrap();
    assert!(matches!(
        allocate(&scenario, &need, &AllocationOptions::default()).unwrap(),
        Allocation::Plan(_)
    ));
}
