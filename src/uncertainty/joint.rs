//! The joint chance constraint across streets (DESIGN §6): a scenario MILP (sample average
//! approximation) over a bounded number of Monte Carlo draws.

use serde::Serialize;

use crate::allocate::build::build_with;
use crate::allocate::model::{Row, RowRole, Sense};
use crate::allocate::{Allocation, AllocationOptions, allocate_built};
use crate::error::{Error, Result, check_parameter};
use crate::need::Need;
use crate::scenario::Scenario;
use crate::uncertainty::MonteCarloSummary;
use crate::uncertainty::reliability::{PlanLevels, draw_need};

/// The most draws the joint form takes.
///
/// Each draw adds one binary (is this draw covered?) and one row per street, service and
/// year with need (330 rows for Yuzhong's 11 streets, 6 services and 5 years), and
/// branch-and-bound is exponential in the binaries at worst: choosing which ⌊α·K⌋ of K draws
/// to leave uncovered is a choice among C(K, ⌊α·K⌋) subsets. Measured on Yuzhong (α = 0.1,
/// pure-Rust microlp, release build, 2 cores): K = 4 in 0.5 s, 10 in 8 s, 20 in 44 s, 30 in
/// 63 s. Fifty draws keep a solve within minutes on the default backend; beyond that the
/// sample approximation needs HiGHS or a decomposition. The plan is then checked against
/// every draw with [`reliability`](crate::uncertainty::reliability), which measures its
/// reliability out of the sample.
pub const MAX_JOINT_DRAWS: usize = 50;

/// What the joint form solved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JointChance {
    /// α: the share of the sampled draws allowed to go uncovered.
    pub alpha: f64,
    /// Draws in the sample (the first ones of the run).
    pub draws: usize,
    /// Draws that must be covered: ⌈(1 − α)·draws⌉.
    pub required: usize,
    /// Which sampled draws the plan's capacity serves in full (every street, service and
    /// year, in every maximum routing of the draw's need, as
    /// [`reliability`](crate::uncertainty::reliability) judges), when planned.
    pub covered: Vec<bool>,
    /// The need the model was given: the largest over the sampled draws.
    pub need: Need,
}

/// A plan that serves the need of every street, for every service and year, at once, in at
/// least ⌈(1 − α)·K⌉ of the first K kept draws: for each draw k a binary z_k and the rows
/// `served(f, i, y) ≥ need_k(f, i, y) · z_k`, with `Σ z_k ≥ ⌈(1 − α)·K⌉`. The model's need
/// (what flows may serve) is the largest need over the sample, and unmet need leaves the
/// objective (the chance rows say what must be served); expected targets still come first,
/// then cost.
///
/// # Errors
///
/// [`Error::InvalidParameter`] for α outside [0, 1), K of 0 or above [`MAX_JOINT_DRAWS`] or
/// above the draws kept, a summary without kept draws or years short of the horizon; the
/// errors of [`allocate`](crate::allocate()).
///
/// # Examples
///
/// ```no_run
/// use popalloc::uncertainty::{MonteCarlo, allocate_joint, reliability};
/// use popalloc::{Allocation, AllocationOptions, Scenario};
///
/// let yuzhong = Scenario::yuzhong()?;
/// let draws = MonteCarlo::new(&yuzhong, yuzhong.uncertainty.clone()).keep_draws(true).run(None)?;
/// let (allocation, joint) = allocate_joint(&yuzhong, &draws, 0.1, 40, &AllocationOptions::default())?;
/// if let Allocation::Plan(plan) = allocation {
///     assert!(joint.covered.iter().filter(|c| **c).count() >= joint.required);
///     let out_of_sample = reliability(&yuzhong, &plan, &draws)?;
/// }
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn allocate_joint(
    scenario: &Scenario,
    summary: &MonteCarloSummary,
    alpha: f64,
    draws: usize,
    options: &AllocationOptions,
) -> Result<(Allocation, JointChance)> {
    check_parameter(
        "joint chance-constraint alpha",
        alpha,
        (0.0..1.0).contains(&alpha),
        "in [0, 1)",
    )?;
    check_parameter(
        "draws in the joint chance constraint",
        draws as f64,
        (1..=MAX_JOINT_DRAWS).contains(&draws) && draws <= summary.draws(),
        "1 … 50, and no more than the draws kept",
    )?;
    if !summary.has_draws() {
        return Err(Error::InvalidParameter {
            parameter: "Monte Carlo draws kept",
            value: 0.0,
            range: "a run with keep_draws(true)",
        });
    }
    let years: Vec<i32> = (scenario.base_year() + 1..=scenario.horizon()).collect();
    if let Some(&year) = years.iter().find(|y| !summary.years.contains(y)) {
        return Err(Error::InvalidParameter {
            parameter: "Monte Carlo horizon",
            value: f64::from(year),
            range: "at least the scenario's horizon",
        });
    }
    let total = scenario.bands.len();
    let persons = |k: usize, y: usize, band: usize, i: usize| {
        summary.draw_value(k, years[y], band, i).unwrap_or(f64::NAN)
    };
    let largest = |y: usize, band: usize, i: usize| {
        (0..draws)
            .map(|k| persons(k, y, band, i))
            .fold(f64::NEG_INFINITY, f64::max)
    };
    let envelope = Need::from_persons(
        scenario,
        years.clone(),
        |y, f, i| largest(y, scenario.services[f].band, i),
        |y, band, i| largest(y, band.unwrap_or(total), i),
    );
    let mut built = build_with(scenario, &envelope, options.equity.as_ref(), false);
    let areas = scenario.areas.len();
    let indicators: Vec<usize> = (0..draws)
        .map(|k| built.model.binary(format!("covered_draw_{k}")))
        .collect();
    for (k, &z) in indicators.iter().enumerate() {
        for (t, &year) in years.iter().enumerate() {
            for (f, service) in scenario.services.iter().enumerate() {
                for i in 0..areas {
                    let need = service.need_rate * persons(k, t, service.band, i);
                    if need <= 0.0 {
                        continue;
                    }
                    let mut terms = built.layout.flows[f][t].served_terms(&[i], 1.0);
                    terms.push((z, -need));
                    built.model.row(Row {
                        name: format!("draw_{k}_{}_{}_{year}", service.id, scenario.areas[i].id),
                        role: RowRole::DrawCovered {
                            service: f,
                            draw: k,
                        },
                        area: Some(i),
                        year: Some(year),
                        terms,
                        sense: Sense::AtLeast,
                        rhs: 0.0,
                        slack: Vec::new(),
                    });
                }
            }
        }
    }
    // ⌈(1 − α)·K⌉, forgiving the rounding of the product.
    let required = (((1.0 - alpha) * draws as f64) - 1e-9).ceil().max(0.0) as usize;
    built.model.row(Row {
        name: "joint_reliability".into(),
        role: RowRole::DrawsCovered,
        area: None,
        year: None,
        terms: indicators.iter().map(|&z| (z, 1.0)).collect(),
        sense: Sense::AtLeast,
        rhs: required as f64,
        slack: Vec::new(),
    });
    let allocation = allocate_built(scenario, &envelope, &built, options)?;
    let covered = match &allocation {
        Allocation::Plan(plan) => {
            let levels = PlanLevels::read(scenario, plan)?;
            (0..draws)
                .map(|k| levels.serves_all(scenario, &draw_need(scenario, summary, k, &years)))
                .collect()
        }
        Allocation::Conflict(_) => Vec::new(),
    };
    Ok((
        allocation,
        JointChance {
            alpha,
            draws,
            required,
            covered,
            need: envelope,
        },
    ))
}
