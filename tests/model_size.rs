//! A model too large for the machine is refused before it is built, with its size said
//! (2,000 areas all within reach of each other reached 13–15 GB and aborted).

mod common;

use popalloc::allocate::footprint::{DEFAULT_MAX_MODEL_BYTES, ModelFootprint};
use popalloc::{AllocationOptions, Error, allocate};

#[test]
fn two_thousand_areas_all_in_reach_are_refused_with_their_size() {
    let (mut scenario, need) = common::synthetic::synthetic(2000);
    // The longest radius a scenario may give (a day's walk): every pair of the 45 × 45
    // grid, at most 223 minutes apart, is within it.
    for service in &mut scenario.services {
        service.radius_minutes = 1440.0;
    }
    let size = ModelFootprint::of(&scenario, &need);
    // Every ordered pair of areas, every service and year: at least 4 million flows per
    // service-year.
    let service_years = (scenario.services.len() * need.years().len()) as u64;
    assert!(size.variables >= 4_000_000 * service_years, "{size:?}");
    assert!(size.bytes > DEFAULT_MAX_MODEL_BYTES, "{size:?}");
    let started = std::time::Instant::now();
    match allocate(&scenario, &need, &AllocationOptions::default()) {
        Err(Error::TooLarge {
            size: said,
            problem,
            ..
        }) => {
            assert!(said.contains(&size.variables.to_string()), "{said}");
            assert!(problem.contains("POPALLOC_MAX_MODEL_BYTES"), "{problem}");
        }
        other => panic!("{:?}", other.map(|_| "a plan")),
    }
    // Refused from the count alone, not after building.
    assert!(started.elapsed().as_secs() < 60);
}

#[test]
fn the_estimate_of_a_small_model_counts_its_variables() {
    let (scenario, need) = common::synthetic::synthetic(20);
    let size = ModelFootprint::of(&scenario, &need);
    let model = popalloc::allocate::build_model(&scenario, &need);
    // Additions, conversions and flows are counted; targets' own variables (shortfalls,
    // binaries) are few.
    let built = model.variables.len() as u64;
    assert!(
        size.variables <= built && built <= size.variables + 200,
        "{size:?} vs {built}"
    );
    assert!(size.check(DEFAULT_MAX_MODEL_BYTES).is_ok());
    assert!(matches!(size.check(1000), Err(Error::TooLarge { .. })));
}
