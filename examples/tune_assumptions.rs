//! A researcher varies the cohort assumptions — fertility, life expectancy, migration — and
//! watches the 2025 bands, the need for places and the plan's cost respond.
//!
//! Run with: cargo run --release --example tune_assumptions

use popalloc::{
    Allocation, AllocationOptions, FertilityAssumption, MortalityAssumption, Need, Scenario,
    YearPath, allocate,
};

/// A variant of the scenario: a name and how it changes the assumptions.
type Variant = (
    &'static str,
    fn(&mut Scenario) -> Result<(), popalloc::Error>,
);

fn main() -> Result<(), popalloc::Error> {
    let base = Scenario::yuzhong()?;
    let variants: [Variant; 5] = [
        ("as in the scenario", |_| Ok(())),
        ("TFR 1.0 every year", |s| set_tfr(s, 1.0)),
        ("TFR 0.5 every year", |s| set_tfr(s, 0.5)),
        ("e0 two years higher", |s| shift_e0(s, 2.0)),
        ("no net migration", |s| {
            s.areas.iter_mut().for_each(|a| a.net_migration = 0.0);
            Ok(())
        }),
    ];
    println!(
        "{:<22} {:>9} {:>8} {:>8} {:>10} {:>10} {:>10}",
        "variant", "residents", "60+", "0-2", "bed need", "childcare", "cost"
    );
    for (name, change) in variants {
        let mut scenario = base.clone();
        change(&mut scenario)?;
        let projection = scenario.project(scenario.horizon())?;
        let need = Need::from_projection(&scenario, &projection)?;
        let Some((year, last)) = projection.horizon() else {
            continue;
        };
        let district = last.aggregate("district");
        let band = |n: &str| {
            scenario
                .band_index(n)
                .map_or(f64::NAN, |b| district.band_total(0, &scenario.bands[b]))
        };
        let service = |id: &str| scenario.services.iter().position(|s| s.id == id);
        let need_of = |id: &str| {
            service(id)
                .and_then(|f| need.district_need(f, *year))
                .unwrap_or(f64::NAN)
        };
        let cost = match allocate(&scenario, &need, &AllocationOptions::default())? {
            Allocation::Plan(plan) => format!("{:.0}", plan.total_cost),
            Allocation::Conflict(_) => "conflict".to_string(),
        };
        println!(
            "{name:<22} {:>9.0} {:>8.0} {:>8.0} {:>10.0} {:>10.0} {cost:>10}",
            district.total(),
            band("elderly"),
            band("infants"),
            need_of("elder_beds"),
            need_of("childcare"),
        );
    }
    Ok(())
}

fn set_tfr(scenario: &mut Scenario, tfr: f64) -> Result<(), popalloc::Error> {
    if let FertilityAssumption::TfrShape { tfr: path, .. }
    | FertilityAssumption::TfrGamma { tfr: path, .. } = &mut scenario.fertility.schedule
    {
        *path = YearPath::constant(tfr);
    }
    Ok(())
}

fn shift_e0(scenario: &mut Scenario, years: f64) -> Result<(), popalloc::Error> {
    if let MortalityAssumption::Brass { e0, .. } = &mut scenario.mortality {
        for path in e0.iter_mut() {
            *path = YearPath::new(path.points().iter().map(|&(y, v)| (y, v + years)).collect())?;
        }
    }
    Ok(())
}
