//! Two variants of the default scenario side by side: a TFR recovering to 1.0 and men
//! living longer (e0 80 in 2020, 81 in 2025), against the default, on the bands and the plan's cost.
//!
//!     cargo run --release --example compare_variants

use popalloc::{Allocation, AllocationOptions, Need, Scenario, Sex, YearPath, allocate};

fn report(name: &str, scenario: &Scenario) -> Result<(), popalloc::Error> {
    let projection = scenario.project(scenario.horizon())?;
    let need = Need::from_projection(scenario, &projection)?;
    let cost = match allocate(scenario, &need, &AllocationOptions::default())? {
        Allocation::Plan(plan) => format!("{:.0}", plan.total_cost),
        Allocation::Conflict(_) => "conflict".into(),
    };
    let band = |b| {
        scenario
            .band_total(&projection, 2025, None, b)
            .unwrap_or(f64::NAN)
    };
    println!(
        "{name:<22} 0-2 {:>7.0}  3-5 {:>7.0}  60+ {:>8.0}  cost {cost}",
        band("infants"),
        band("preschool"),
        band("elderly")
    );
    Ok(())
}

fn main() -> Result<(), popalloc::Error> {
    let default = Scenario::yuzhong()?;
    let recovery = default
        .clone()
        .with_tfr_path(YearPath::new(vec![(2020, 0.594), (2025, 1.0)])?)?;
    let longer = default
        .clone()
        .with_e0(Sex::Male, YearPath::new(vec![(2020, 80.0), (2025, 81.0)])?)?;
    report("default", &default)?;
    report("TFR to 1.0 by 2025", &recovery)?;
    report("men's e0 80 to 81", &longer)?;
    Ok(())
}
