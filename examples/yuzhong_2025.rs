//! The Yuzhong plan end to end: project 2020 → 2025 by street, turn the cohorts into need,
//! plan elder-care beds, childcare and school places, and write every output (CSV, JSON
//! and the memo) into a directory (default `yuzhong-2025`).
//!
//! Run with: cargo run --release --example yuzhong_2025 -- [output directory]

use popalloc::{Allocation, AllocationOptions, Need, Scenario, allocate, report::write_outputs};

fn main() -> Result<(), popalloc::Error> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "yuzhong-2025".to_string());
    let scenario = Scenario::yuzhong()?;
    let projection = scenario.project(scenario.horizon())?;
    let need = Need::from_projection(&scenario, &projection)?;
    let allocation = allocate(&scenario, &need, &AllocationOptions::default())?;
    match &allocation {
        Allocation::Plan(plan) => {
            println!(
                "plan found: total cost {:.0} (relative units)",
                plan.total_cost
            );
            for t in &plan.targets {
                println!("  {:<36} {:?}", t.id, t.status);
            }
        }
        Allocation::Conflict(conflict) => println!("no plan: {}", conflict.message),
    }
    for file in write_outputs(
        std::path::Path::new(&out),
        &scenario,
        &projection,
        &need,
        &allocation,
    )? {
        println!("wrote {}", file.display());
    }
    Ok(())
}
