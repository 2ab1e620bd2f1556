//! The default Yuzhong plan phased, in whole units and projects: an 8 % discount rate
//! (China's social discount rate), whole beds, places and seats, a fixed cost per project
//! and a yearly build-rate limit per service (estimates, data/yuzhong/SOURCES.md §10).
//! Prints the additions by service and year, the share of the busiest year, the number of
//! projects and the need left unmet in time.
//!
//! Run with `cargo run --release --example phased_plan` (about three seconds).

use popalloc::{Allocation, AllocationOptions, Need, Scenario, allocate};

fn main() -> Result<(), popalloc::Error> {
    let yuzhong = Scenario::yuzhong()?;
    let projection = yuzhong.project(yuzhong.horizon())?;
    let need = Need::from_projection(&yuzhong, &projection)?;
    let plan = match allocate(&yuzhong, &need, &AllocationOptions::default())? {
        Allocation::Plan(plan) => plan,
        Allocation::Conflict(c) => {
            println!("conflict: {}", c.message);
            return Ok(());
        }
    };
    for service in &yuzhong.services {
        let by_year: Vec<f64> = plan
            .years
            .iter()
            .map(|&y| {
                plan.rows
                    .iter()
                    .filter(|r| r.service == service.id && r.year == y)
                    .map(|r| r.added)
                    .sum()
            })
            .collect();
        let total: f64 = by_year.iter().sum();
        let busiest = by_year.iter().copied().fold(0.0, f64::max);
        let share = if total > 0.0 {
            100.0 * busiest / total
        } else {
            0.0
        };
        println!(
            "{:<13} {:?} total {total:.0}, busiest year {share:.0} %",
            service.id,
            by_year.iter().map(|x| x.round() as i64).collect::<Vec<_>>()
        );
    }
    let projects = plan.rows.iter().filter(|r| r.added > 0.5).count();
    println!("projects (additions of a variant in a street and year): {projects}");
    for (service, year, unmet) in plan.unmet_need(1.0) {
        println!("unmet in time: {service} {year}: {unmet:.0}");
    }
    println!("{}", popalloc::report::cost_line(&yuzhong, &plan));
    for gap in &plan.milp_gaps {
        println!("{gap}");
    }
    Ok(())
}
