//! The README's embedding example, kept compiling and running.

use popalloc::{Allocation, AllocationOptions, Need, Scenario, allocate};

#[test]
fn readme_example() -> Result<(), popalloc::Error> {
    let scenario = Scenario::yuzhong()?;
    let projection = scenario.project(scenario.horizon())?;
    let need = Need::from_projection(&scenario, &projection)?;
    let mut printed = 0;
    if let Allocation::Plan(plan) = allocate(&scenario, &need, &AllocationOptions::default())? {
        for target in &plan.targets {
            println!("{} {:?}: {:.3} of {:.3}", target.id, target.status, target.achieved, target.required);
            printed += 1;
        }
    }
    assert_eq!(printed, scenario.targets.len());
    Ok(())
}
