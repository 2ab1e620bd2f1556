//! Chance-constrained plans: need at the 1 − α quantile of the draws, and the plan's
//! reliability against those same draws.

use popalloc::uncertainty::{MonteCarlo, quantile_need, reliability, reliability_curve};
use popalloc::{Allocation, AllocationOptions, Scenario, TargetClass, allocate};

#[test]
fn a_plan_at_alpha_one_tenth_meets_each_street_in_nine_draws_of_ten() {
    let yuzhong = Scenario::yuzhong().unwrap();
    let mut settings = yuzhong.uncertainty.clone();
    settings.draws = 150;
    let draws = MonteCarlo::new(&yuzhong, settings)
        .keep_draws(true)
        .run(None)
        .unwrap();
    let need = quantile_need(&yuzhong, &draws, 0.1, &[]).unwrap();
    let Allocation::Plan(plan) = allocate(&yuzhong, &need, &AllocationOptions::default()).unwrap()
    else {
        panic!("the P90 plan conflicts");
    };
    let r = reliability(&yuzhong, &plan, &draws).unwrap();
    assert_eq!(r.draws, 150);
    let covered: Vec<_> = r
        .streets
        .iter()
        .filter(|s| s.served >= s.planned_need * (1.0 - popalloc::uncertainty::COVER_TOLERANCE))
        .collect();
    // Not vacuous: the plan covers its planned need in most street cells.
    assert!(
        covered.len() * 10 > r.streets.len() * 9,
        "{} of {}",
        covered.len(),
        r.streets.len()
    );
    for s in &covered {
        assert!(
            s.share_met >= 0.9,
            "{} {} {}: {}",
            s.service,
            s.area,
            s.year,
            s.share_met
        );
    }
    // Binding targets met in the plan hold in every draw when they do not depend on the
    // population (totals and shares of capacity).
    for t in r.targets.iter().filter(|t| t.class == TargetClass::Binding) {
        assert!(t.met_in_plan, "{}", t.id);
        if t.id.starts_with("nursing_share") || t.id.starts_with("beds_") {
            assert_eq!(t.share_met, 1.0, "{}", t.id);
        }
    }

    // The median plan is cheaper and less reliable.
    let curve =
        reliability_curve(&yuzhong, &draws, &[0.5, 0.1], &AllocationOptions::default()).unwrap();
    let (median, p90) = (&curve[0], &curve[1]);
    assert!((p90.cost.unwrap() - plan.total_cost).abs() < 1e-6 * plan.total_cost);
    assert!(median.cost.unwrap() < p90.cost.unwrap());
    assert!(median.worst_street.unwrap() < 0.9);
}

#[test]
fn chance_inputs_are_checked() {
    let yuzhong = Scenario::yuzhong().unwrap();
    let mut settings = yuzhong.uncertainty.clone();
    settings.draws = 5;
    let streamed = MonteCarlo::new(&yuzhong, settings.clone())
        .run(None)
        .unwrap();
    assert!(quantile_need(&yuzhong, &streamed, 0.1, &[]).is_err());
    let kept = MonteCarlo::new(&yuzhong, settings)
        .keep_draws(true)
        .run(None)
        .unwrap();
    for alpha in [0.0, 1.0, f64::NAN] {
        assert!(matches!(
            quantile_need(&yuzhong, &kept, alpha, &[]),
            Err(popalloc::Error::InvalidParameter { .. })
        ));
    }
    assert!(matches!(
        quantile_need(&yuzhong, &kept, 0.1, &[("ice_rinks".into(), 0.2)]),
        Err(popalloc::Error::UnknownName { .. })
    ));
}

#[test]
fn the_joint_form_covers_every_street_in_enough_sampled_draws() {
    use popalloc::uncertainty::allocate_joint;
    let yuzhong = Scenario::yuzhong().unwrap();
    let mut settings = yuzhong.uncertainty.clone();
    settings.draws = 30;
    let draws = MonteCarlo::new(&yuzhong, settings)
        .keep_draws(true)
        .run(None)
        .unwrap();
    let options = AllocationOptions::default();
    let (allocation, joint) = allocate_joint(&yuzhong, &draws, 0.2, 5, &options).unwrap();
    let Allocation::Plan(plan) = allocation else {
        panic!("conflict")
    };
    assert_eq!(joint.required, 4);
    // Count covered draws from the plan's rows and the draws themselves.
    let covered = (0..5)
        .filter(|&k| {
            plan.rows.iter().all(|r| {
                let s = yuzhong.services.iter().find(|s| s.id == r.service).unwrap();
                let i = yuzhong.areas.iter().position(|a| a.id == r.area).unwrap();
                let persons = draws.draw_value(k, r.year, s.band, i).unwrap();
                s.need_rate * persons <= r.served * (1.0 + 1e-4) + 1e-9
            })
        })
        .count();
    assert!(covered >= 4, "{covered} of 5 draws covered");
    assert_eq!(covered, joint.covered.iter().filter(|c| **c).count());
    // Covering all five costs at least as much.
    let (all, _) = allocate_joint(&yuzhong, &draws, 0.0, 5, &options).unwrap();
    let Allocation::Plan(all) = all else {
        panic!("conflict")
    };
    assert!(all.total_cost >= plan.total_cost * (1.0 - 1e-6));
    // Out of sample, a plan covering 4 of 5 draws jointly is checked against all 30.
    let r = reliability(&yuzhong, &plan, &draws).unwrap();
    assert_eq!(r.draws, 30);
    assert!(matches!(
        allocate_joint(&yuzhong, &draws, 0.1, 51, &options),
        Err(popalloc::Error::InvalidParameter { .. })
    ));
}
