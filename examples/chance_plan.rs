//! A plan that holds with a stated probability: 500 Monte Carlo draws of the Yuzhong
//! assumptions, each street's need covered at its 90 % quantile, and that plan checked
//! against every draw; then the same for a tighter and a looser α.
//!
//! `cargo run --release --example chance_plan`

use popalloc::uncertainty::{MonteCarlo, quantile_need, reliability, reliability_curve};
use popalloc::{Allocation, AllocationOptions, Scenario, allocate};

fn main() -> Result<(), popalloc::Error> {
    let yuzhong = Scenario::yuzhong()?;
    let mut settings = yuzhong.uncertainty.clone();
    settings.draws = 500;
    let draws = MonteCarlo::new(&yuzhong, settings)
        .keep_draws(true)
        .run(None)?;

    let options = AllocationOptions::default();
    let need = quantile_need(&yuzhong, &draws, 0.1, &[])?;
    match allocate(&yuzhong, &need, &options)? {
        Allocation::Plan(plan) => {
            let checked = reliability(&yuzhong, &plan, &draws)?;
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
        }
        Allocation::Conflict(c) => println!("no plan: {}", c.message),
    }
    for p in reliability_curve(&yuzhong, &draws, &[0.25, 0.05], &options)? {
        println!(
            "α = {:<5} cost {:>8}",
            p.alpha,
            p.cost.map_or("conflict".into(), |c| format!("{c:.0}"))
        );
    }
    Ok(())
}
