//! A plan that holds with a stated probability: 500 Monte Carlo draws of the Yuzhong
//! assumptions, each street's need covered at its 90 % quantile, and that plan checked
//! against every draw; then the same for a tighter and a looser α.
//!
//! Under the default's yearly build-rate limits the 90 % plan conflicts (the district cannot
//! open the primary seats in time): the example prints why, then lifts the limits to show
//! what that assurance would take.
//!
//! `cargo run --release --example chance_plan`

use popalloc::uncertainty::{
    MonteCarlo, MonteCarloSummary, quantile_need, reliability, reliability_curve,
};
use popalloc::{Allocation, AllocationOptions, Scenario, allocate};

/// The plan at α = 0.1 of `scenario`, checked against the draws; `false` on a conflict.
fn plan_at_one_tenth(
    scenario: &Scenario,
    draws: &MonteCarloSummary,
    options: &AllocationOptions,
) -> Result<bool, popalloc::Error> {
    let need = quantile_need(scenario, draws, 0.1, &[])?;
    match allocate(scenario, &need, options)? {
        Allocation::Plan(plan) => {
            let checked = reliability(scenario, &plan, draws)?;
            println!("Plan at α = 0.1: cost {:.0}", plan.total_cost);
            for t in &checked.targets {
                println!(
                    "  {:<36} holds in {:5.1} % of draws",
                    t.id,
                    100.0 * t.share_met
                );
            }
            if let Some(w) = checked.worst_street() {
                println!(
                    "  every street's need met in at least {:.1} % of draws (lowest: {} in {}, {})",
                    100.0 * w.share_met,
                    w.service,
                    w.area,
                    w.year
                );
            }
            Ok(true)
        }
        Allocation::Conflict(c) => {
            println!("No plan at α = 0.1: {}", c.message);
            Ok(false)
        }
    }
}

fn main() -> Result<(), popalloc::Error> {
    let yuzhong = Scenario::yuzhong()?;
    let mut settings = yuzhong.uncertainty.clone();
    settings.draws = 500;
    let draws = MonteCarlo::new(&yuzhong, settings)
        .keep_draws(true)
        .run(None)?;
    let options = AllocationOptions::default();
    let mut scenario = yuzhong.clone();
    if !plan_at_one_tenth(&scenario, &draws, &options)? {
        println!("\nWithout the yearly build-rate limits:");
        for service in &mut scenario.services {
            service.max_added_per_year = None;
        }
        plan_at_one_tenth(&scenario, &draws, &options)?;
    }
    for p in reliability_curve(&scenario, &draws, &[0.25, 0.05], &options)? {
        println!(
            "α = {:<5} cost {:>8}",
            p.alpha,
            p.cost.map_or("conflict".into(), |c| format!("{c:.0}"))
        );
    }
    Ok(())
}
