//! A sweep: the plan's cost as one target's value moves across a range.

use crate::allocate::{Allocation, AllocationOptions, allocate};
use crate::error::{Error, Result};
use crate::need::Need;
use crate::scenario::Scenario;

/// What one point of a sweep found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SweepStatus {
    /// A plan holding every binding target.
    Planned,
    /// The binding targets conflict at this value.
    Conflict,
}

/// One point of a sweep.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SweepPoint {
    /// The target's value at this point.
    pub value: f64,
    /// Planned or conflict.
    pub status: SweepStatus,
    /// The plan's total cost, the sum paid (`None` on conflict).
    pub total_cost: Option<f64>,
    /// The plan's cost discounted to the base year, the objective: its slope is the
    /// target's marginal cost (`None` on conflict; equal to `total_cost` without a
    /// discount rate).
    pub present_value: Option<f64>,
    /// The plan's first-stage shortfall (`None` on conflict).
    pub shortfall: Option<f64>,
}

/// The most values one sweep solves (each is a whole plan).
///
/// ```
/// assert_eq!(popalloc::allocate::sweep::MAX_SWEEP_STEPS, 1000);
/// ```
pub const MAX_SWEEP_STEPS: usize = 1000;

/// Solves the scenario at `steps` evenly spaced values of one target, from `from` to `to`
/// (both included), e.g. the nursing share from 0.5 to 0.8. Each plan is solved with
/// amounts continuous and without project costs ([`Scenario::continuous`]), so that the
/// cost follows the target rather than the rounding of units and projects.
///
/// # Errors
///
/// [`Error::UnknownName`] for an unknown target id (listing the scenario's targets);
/// [`Error::InvalidParameter`] for fewer than 2 or more than [`MAX_SWEEP_STEPS`] steps;
/// [`Error::InvalidSetting`] naming the end (`from`, `to`) and the target for an end the
/// target's kind does not accept ([`TargetKind::accepts_in`](crate::TargetKind::accepts_in)
/// for the scenario's base population); the errors of [`allocate`], whose checks of its
/// inputs ([`Error::Inconsistent`]) run before anything is solved.
///
/// # Examples
///
/// ```
/// use popalloc::{AllocationOptions, Need, Scenario, allocate::sweep::sweep};
///
/// let yuzhong = Scenario::yuzhong()?;
/// let need = Need::from_projection(&yuzhong, &yuzhong.project(2025)?)?;
/// let points = sweep(&yuzhong, &need, "nursing_share_2025", 0.6, 0.7, 2, &AllocationOptions::default())?;
/// assert_eq!(points.len(), 2);
/// assert!(points[1].total_cost >= points[0].total_cost);
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn sweep(
    scenario: &Scenario,
    need: &Need,
    target: &str,
    from: f64,
    to: f64,
    steps: usize,
    options: &AllocationOptions,
) -> Result<Vec<SweepPoint>> {
    crate::allocate::check_inputs(scenario, need, options)?;
    let index = scenario
        .targets
        .iter()
        .position(|t| t.id == target)
        .ok_or_else(|| Error::UnknownName {
            path: "<sweep>".into(),
            field: format!(
                "target (one of: {})",
                scenario
                    .targets
                    .iter()
                    .map(|t| t.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            what: "target",
            name: target.to_string(),
        })?;
    crate::error::check_parameter(
        "sweep steps",
        steps as f64,
        (2..=MAX_SWEEP_STEPS).contains(&steps),
        "2 … 1,000",
    )?;
    // The target's kind bounds its value (a share in [0, 1], a total >= 0); the values
    // between two accepted ends are accepted too.
    // Nor may either end ask for more than the district could ever hold. Errors name the
    // end and the target it moves.
    let kind = scenario.targets[index].kind;
    let residents = scenario.base.total();
    for (end, value) in [("from", from), ("to", to)] {
        let range = if !kind.accepts(value) {
            Some(kind.value_range())
        } else if !kind.accepts_in(value, residents) {
            Some(kind.magnitude_range())
        } else {
            None
        };
        if let Some(range) = range {
            return Err(Error::InvalidSetting {
                path: "<sweep>".into(),
                field: format!("{end} (the value of target {target})"),
                value,
                range,
            });
        }
    }
    let mut points = Vec::with_capacity(steps);
    for k in 0..steps {
        let value = from + (to - from) * k as f64 / (steps - 1) as f64;
        // Continuous amounts: a cost that moves with the target, not with rounding.
        let mut moved = scenario.continuous();
        moved.targets[index].value = value;
        let point = match allocate(&moved, need, options)? {
            Allocation::Plan(plan) => SweepPoint {
                value,
                status: SweepStatus::Planned,
                total_cost: Some(plan.total_cost),
                present_value: Some(plan.present_value),
                shortfall: Some(plan.shortfall),
            },
            Allocation::Conflict(_) => SweepPoint {
                value,
                status: SweepStatus::Conflict,
                total_cost: None,
                present_value: None,
                shortfall: None,
            },
        };
        points.push(point);
    }
    Ok(points)
}
