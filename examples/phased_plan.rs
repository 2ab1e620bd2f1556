//! The default Yuzhong plan phased, in whole units and projects: an 8 % discount rate
//! (China's social discount rate), whole beds, places and seats, a fixed cost per project
//! and a yearly build-rate limit per service (estimates, data/yuzhong/SOURCES.md §10).
//! Prints the additions by service and year, the share of the busiest year, the number of
//! projects and the need left unmet in time.
//!
//! Run with `cargo run --release --example phased_plan` (about ten seconds).

use popalloc::{Allocation, AllocationOptions, Need, Scenario, allocate};

fn main() -> Result<(), popalloc::Error> {
    let mut yuzhong = Scenario::yuzhong()?;
    yuzhong.plan_settings.discount_rate = 0.08;
    yuzhong.plan_settings.whole_units = true;
    // (service, fixed cost per project in 10,000 yuan, most added in a year)
    let phasing = [
        ("elder_beds", 50.0, Some(800.0)),
        ("childcare", 10.0, Some(200.0)),
        ("kindergarten", 30.0, Some(300.0)),
        ("primary", 100.0, Some(120.0)),
        ("junior", 100.0, Some(850.0)),
        ("senior", 100.0, Some(900.0)),
    ];
    for (id, fixed, limit) in phasing {
        if let Some(service) = yuzhong.services.iter_mut().find(|s| s.id == id) {
            service.project_cost = Some(fixed);
            service.max_added_per_year = limit;
        }
    }
    yuzhong.validate()?;
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
