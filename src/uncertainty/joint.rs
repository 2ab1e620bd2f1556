//! The joint chance constraint across streets (DESIGN §6): a scenario MILP (sample average
//! approximation) over a bounded number of Monte Carlo draws.

use serde::Serialize;

use std::collections::HashMap;

use crate::allocate::build::build_with;
use crate::allocate::model::{Model, Row, RowRole, Sense};
use crate::allocate::plan::{target_groups, target_row_name};
use crate::allocate::{Allocation, AllocationOptions, allocate_built};
use crate::error::{Error, Result, check_parameter};
use crate::need::Need;
use crate::scenario::Scenario;
use crate::scenario::target::TargetKind;
use crate::uncertainty::reliability::{PlanLevels, draw_need};
use crate::uncertainty::{MonteCarloSummary, sample_quantile};

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
    /// The need the plan was made for, its rows and targets: the (1 − α) quantile of the
    /// sampled draws (type 1), per service, street and year, and persons likewise.
    pub need: Need,
    /// The largest need over the sampled draws: what the model's flows may serve.
    pub largest_need: Need,
}

/// A plan that serves the need of every street, for every service and year, at once, in at
/// least ⌈(1 − α)·K⌉ of the first K kept draws: for each draw k a binary z_k and the rows
/// `served(f, i, y) ≥ need_k(f, i, y) · z_k`, with `Σ z_k ≥ ⌈(1 − α)·K⌉`. Flows may serve
/// up to the largest need over the sample, and unmet need leaves the objective (the chance
/// rows say what must be served); expected targets still come first, then cost.
///
/// Targets that read need or persons (coverage, per capita) are stated on the (1 − α)
/// quantile of the K draws, per street (type 1: the ⌈(1 − α)·K⌉-th smallest), not on the
/// largest: a coverage target is then met by every plan whose chance rows hold (a street
/// served in ⌈(1 − α)·K⌉ draws is served at least that quantile), so α, not the worst draw,
/// sets what services with coverage targets plan for. The plan reports that quantile as
/// its need ([`JointChance::need`]); a street may be served more than it.
///
/// # Errors
///
/// [`Error::InvalidParameter`] for α outside [0, 1), K of 0 or above [`MAX_JOINT_DRAWS`] or
/// above the draws kept, a summary without kept draws or years short of the horizon;
/// [`Error::Inconsistent`] when the scenario's parts do not fit together
/// ([`Scenario::check_consistent`]), the summary is not a whole run of it
/// ([`MonteCarloSummary::check_matches`]) or an option is out of range
/// ([`AllocationOptions::check`]); the errors of [`allocate`](crate::allocate()).
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
    scenario.check_consistent()?;
    summary.check_matches(scenario)?;
    options.check()?;
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
    // The sampled draws' persons in one cell, ascending.
    let sorted = |y: usize, band: usize, i: usize| {
        let mut values: Vec<f64> = (0..draws).map(|k| persons(k, y, band, i)).collect();
        values.sort_by(f64::total_cmp);
        values
    };
    let at = |p: f64| {
        Need::from_persons(
            scenario,
            years.clone(),
            |y, f, i| sample_quantile(&sorted(y, scenario.services[f].band, i), p),
            |y, band, i| sample_quantile(&sorted(y, band.unwrap_or(total), i), p),
        )
    };
    let envelope = at(1.0);
    let planned = at(1.0 - alpha);
    crate::allocate::footprint::check_fits(scenario, &envelope)?;
    let mut built = build_with(scenario, &envelope, options.equity.as_ref(), false);
    restate_targets(scenario, &mut built.model, &envelope, &planned);
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
    let allocation = allocate_built(scenario, &planned, &built, options)?;
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
            need: planned,
            largest_need: envelope,
        },
    ))
}

/// States the rows of targets that read need or persons on `planned` (the model was built
/// on `largest`, which bounds what flows may serve): a coverage row's right-hand side is
/// the share of the planned need, a per-capita row's moves by the rate times the change
/// in persons; an expected target's slack is weighed against the restated requirement.
/// Other targets do not read need.
fn restate_targets(scenario: &Scenario, model: &mut Model, largest: &Need, planned: &Need) {
    // The areas each target row is measured over (the district, an area or a group), by
    // the row's name.
    let members_of: HashMap<String, Vec<usize>> = scenario
        .targets
        .iter()
        .flat_map(|target| {
            target_groups(target, &scenario.areas)
                .into_iter()
                .map(|members| (target_row_name(target, &scenario.areas, &members), members))
        })
        .collect();
    for row in model.rows.iter_mut() {
        let RowRole::Target { target } = row.role else {
            continue;
        };
        let Some(target) = scenario.targets.get(target) else {
            continue;
        };
        let Some(members) = members_of.get(&row.name) else {
            continue;
        };
        let (f, year) = (target.service, target.year);
        let required = match target.kind {
            TargetKind::Coverage => {
                let need: f64 = members
                    .iter()
                    .map(|&i| planned.need(f, i, year).unwrap_or(0.0))
                    .sum();
                row.rhs = target.value * need;
                row.rhs
            }
            TargetKind::PerCapita => {
                let per_person = target.value / 1000.0;
                let persons = |need: &Need| need.persons_in(target.band, members, year);
                row.rhs += per_person * (persons(planned) - persons(largest));
                per_person * persons(planned)
            }
            TargetKind::Total | TargetKind::Share | TargetKind::AreaCount => continue,
        };
        // An expected target's shortfall is relative to what it requires (the slack enters
        // the row scaled by it, weighted 1 in the first stage): rescaled to the planned need.
        let scale = required.abs().max(1.0);
        for (v, c) in row.terms.iter_mut() {
            if row.slack.contains(v) {
                *c = c.signum() * scale;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restated_targets_read_as_if_built_on_the_planned_need() {
        // Yuzhong has coverage targets (binding and expected) and an expected per-capita
        // one: restated on `planned`, their rows and slack weights are those of a model
        // built on `planned` outright, while the rows bounding flows keep `largest`.
        check_restated(&Scenario::yuzhong().unwrap(), [4, 1]);
    }

    #[test]
    fn group_rows_are_restated_on_their_groups_need() {
        // The streets in three groups, the coverage and per-capita targets measured in
        // each: every group's row reads its own streets (they read the whole district's).
        let mut grouped = Scenario::yuzhong().unwrap();
        for (i, area) in grouped.areas.iter_mut().enumerate() {
            area.group = Some(format!("g{}", i % 3));
        }
        for target in grouped.targets.iter_mut() {
            if matches!(target.kind, TargetKind::Coverage | TargetKind::PerCapita) {
                target.level = crate::scenario::target::TargetLevel::Group;
            }
        }
        check_restated(&grouped, [12, 3]);
    }

    /// Restates the targets of `scenario`'s model built on a larger need and compares
    /// every target row with the model built on the planned need; `expected` counts the
    /// coverage and per-capita rows checked.
    fn check_restated(scenario: &Scenario, expected: [usize; 2]) {
        let years = vec![scenario.horizon()];
        let need = |scale: f64| {
            Need::from_persons(
                scenario,
                years.clone(),
                |_, f, i| scale * (1000.0 + 37.0 * i as f64 + 5.0 * f as f64),
                |_, band, i| scale * (9000.0 + 11.0 * i as f64 + band.map_or(0.0, |b| b as f64)),
            )
        };
        let (largest, planned) = (need(1.2), need(0.9));
        let mut restated = build_with(scenario, &largest, None, false);
        restate_targets(scenario, &mut restated.model, &largest, &planned);
        let direct = build_with(scenario, &planned, None, false).model;
        let mut checked = [0, 0];
        for (row, same) in restated.model.rows.iter().zip(&direct.rows) {
            assert_eq!(row.name, same.name);
            let RowRole::Target { target } = row.role else {
                if matches!(row.role, RowRole::ServedAtMostNeed { .. }) {
                    assert!(row.rhs > same.rhs || same.rhs == 0.0, "{}", row.name);
                }
                continue;
            };
            let kind = scenario.targets[target].kind;
            let slot = match kind {
                TargetKind::Coverage => 0,
                TargetKind::PerCapita => 1,
                _ => continue,
            };
            checked[slot] += 1;
            assert!(
                (row.rhs - same.rhs).abs() <= 1e-9 * same.rhs.abs().max(1.0),
                "{}: {} vs {}",
                row.name,
                row.rhs,
                same.rhs
            );
            for s in &row.slack {
                let weight = |m: &Model| m.shortfall.iter().find(|(v, _)| v == s).map(|p| p.1);
                let (a, b) = (weight(&restated.model).unwrap(), weight(&direct).unwrap());
                assert!((a - b).abs() <= 1e-12 * b.abs(), "{}: {a} vs {b}", row.name);
                let coefficient = |r: &Row| r.terms.iter().find(|(v, _)| v == s).map(|p| p.1);
                let (a, b) = (coefficient(row).unwrap(), coefficient(same).unwrap());
                assert!((a - b).abs() <= 1e-9 * b.abs(), "{}: {a} vs {b}", row.name);
            }
        }
        assert_eq!(checked, expected, "coverage and per-capita rows checked");
    }
}
