//! Chance-constrained plans (DESIGN §6): need at a quantile of the Monte Carlo draws, and
//! the cost of reliability over α.

use serde::Serialize;

use crate::allocate::{Allocation, AllocationOptions, allocate};
use crate::error::{Error, Result};
use crate::need::Need;
use crate::scenario::Scenario;
use crate::uncertainty::{MonteCarloSummary, Reliability, reliability};

/// The need a plan must cover so that each street's capacity covers its need with
/// probability 1 − α: "capacity ≥ need with probability 1 − α" for one street and service
/// is exactly "capacity ≥ the (1 − α) quantile of need" (DESIGN §6), so the model stays
/// an LP. Quantiles are type 1 over the kept draws (at least a share 1 − α of the draws
/// lie at or below), taken per service, area and year; `by_service` gives some services
/// their own α. Persons for per-capita targets are taken at 1 − `alpha`.
///
/// Judged by [`reliability`], which routes each draw's need afresh to the plan's capacity
/// within reach, a street can come out more reliable than 1 − α (spare capacity nearby) or
/// less (capacity shared with busier neighbours).
///
/// # Errors
///
/// [`Error::InvalidParameter`] for an α outside (0, 1), a summary without kept draws or
/// without the planned years; [`Error::UnknownName`] for a service id in `by_service` the
/// scenario does not have; [`Error::Inconsistent`] when the scenario's parts do not fit
/// together ([`Scenario::check_consistent`]) or the summary is not a whole run of it
/// ([`MonteCarloSummary::check_matches`]).
///
/// # Examples
///
/// ```
/// use popalloc::Scenario;
/// use popalloc::uncertainty::{MonteCarlo, quantile_need};
///
/// let yuzhong = Scenario::yuzhong()?;
/// let mut settings = yuzhong.uncertainty.clone();
/// settings.draws = 40;
/// let draws = MonteCarlo::new(&yuzhong, settings).keep_draws(true).run(None)?;
/// let p90 = quantile_need(&yuzhong, &draws, 0.1, &[])?;
/// let p50 = quantile_need(&yuzhong, &draws, 0.5, &[])?;
/// let beds = yuzhong.services.iter().position(|s| s.id == "elder_beds").unwrap();
/// assert!(p90.district_need(beds, 2025) >= p50.district_need(beds, 2025));
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn quantile_need(
    scenario: &Scenario,
    summary: &MonteCarloSummary,
    alpha: f64,
    by_service: &[(String, f64)],
) -> Result<Need> {
    let check = |a: f64| {
        crate::error::check_parameter(
            "chance-constraint alpha",
            a,
            a > 0.0 && a < 1.0,
            "in (0, 1)",
        )
    };
    check(alpha)?;
    scenario.check_consistent()?;
    summary.check_matches(scenario)?;
    let mut levels = vec![1.0 - alpha; scenario.services.len()];
    for (id, a) in by_service {
        check(*a)?;
        let f = scenario
            .services
            .iter()
            .position(|s| s.id == *id)
            .ok_or_else(|| Error::UnknownName {
                path: "alpha".into(),
                field: "service".into(),
                what: "service",
                name: id.clone(),
            })?;
        levels[f] = 1.0 - a;
    }
    if !summary.has_draws() {
        return Err(Error::InvalidParameter {
            parameter: "Monte Carlo draws kept",
            value: 0.0,
            range: "a run with keep_draws(true)",
        });
    }
    let years: Vec<i32> = summary
        .years
        .iter()
        .copied()
        .filter(|&y| y > scenario.base_year() && y <= scenario.horizon())
        .collect();
    if years.len() != usize::try_from(scenario.horizon() - scenario.base_year()).unwrap_or(0) {
        return Err(Error::InvalidParameter {
            parameter: "Monte Carlo horizon",
            value: f64::from(summary.years.last().copied().unwrap_or(0)),
            range: "at least the scenario's horizon",
        });
    }
    let total = scenario.bands.len();
    let at = |y: usize, band: usize, i: usize, p: f64| {
        summary
            .quantile_at(years[y], band, i, p)
            .unwrap_or(f64::NAN)
    };
    Ok(Need::from_persons(
        scenario,
        years.clone(),
        |y, f, i| at(y, scenario.services[f].band, i, levels[f]),
        |y, band, i| at(y, band.unwrap_or(total), i, 1.0 - alpha),
    ))
}

/// One point of the cost-of-reliability curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReliabilityPoint {
    /// α: the planned risk that a street's need exceeds its capacity.
    pub alpha: f64,
    /// Total cost of the plan at this α; `None` when the binding targets conflict.
    pub cost: Option<f64>,
    /// The lowest share of draws meeting a street's need (over services, areas, years).
    pub worst_street: Option<f64>,
    /// The lowest share of draws in which a binding target holds.
    pub worst_binding_target: Option<f64>,
}

impl ReliabilityPoint {
    /// The point of a plan made at `alpha` (or of its conflict), with its check against
    /// the draws.
    pub fn of(alpha: f64, allocation: &Allocation, checked: Option<&Reliability>) -> Self {
        let cost = match allocation {
            Allocation::Plan(plan) => Some(plan.total_cost),
            Allocation::Conflict(_) => None,
        };
        Self {
            alpha,
            cost,
            worst_street: checked.and_then(|r| r.worst_street().map(|s| s.share_met)),
            worst_binding_target: checked.and_then(|r| {
                r.targets
                    .iter()
                    .filter(|t| t.class == crate::TargetClass::Binding)
                    .map(|t| t.share_met)
                    .reduce(f64::min)
            }),
        }
    }
}

/// The cost of reliability: a plan for each α (need at the 1 − α quantile), its cost and
/// how it fares against the draws. Each plan is solved with amounts continuous and without
/// project costs ([`Scenario::continuous`]): the curve prices assurance, not rounding.
///
/// # Errors
///
/// As [`quantile_need`], [`allocate`] and [`reliability`]; their checks of the scenario,
/// the summary and the options ([`Error::Inconsistent`](crate::Error::Inconsistent)) run
/// first, whatever the α.
pub fn reliability_curve(
    scenario: &Scenario,
    summary: &MonteCarloSummary,
    alphas: &[f64],
    options: &AllocationOptions,
) -> Result<Vec<ReliabilityPoint>> {
    scenario.check_consistent()?;
    summary.check_matches(scenario)?;
    options.check()?;
    alphas
        .iter()
        .map(|&alpha| {
            let need = quantile_need(scenario, summary, alpha, &[])?;
            // Continuous amounts: the price of assurance, not of rounding.
            let allocation = allocate(&scenario.continuous(), &need, options)?;
            let checked = match &allocation {
                Allocation::Plan(plan) => Some(reliability(scenario, plan, summary)?),
                Allocation::Conflict(_) => None,
            };
            Ok(ReliabilityPoint::of(alpha, &allocation, checked.as_ref()))
        })
        .collect()
}
