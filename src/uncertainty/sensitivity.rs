//! One-at-a-time sensitivity: each assumption moved down and up by its step, the rest held,
//! and the effect on every band at the horizon and on the plan's cost and targets.

use rayon::prelude::*;
use serde::Serialize;

use crate::allocate::{Allocation, AllocationOptions, TargetStatus, allocate};
use crate::error::Result;
use crate::need::Need;
use crate::scenario::Scenario;
use crate::uncertainty::{TOTAL_BAND, Variant};

/// What one projection (and plan) gives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// District persons per band at the horizon, in [`Sensitivity::bands`] order.
    pub bands: Vec<f64>,
    /// Total cost of the plan; `None` without a plan (not asked for, or a conflict).
    pub cost: Option<f64>,
    /// Per target of the scenario: what the plan achieves and whether it is met; empty
    /// without a plan.
    pub targets: Vec<(String, f64, bool)>,
    /// Whether the binding targets conflicted.
    pub conflict: bool,
}

/// One assumption moved down and up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SensitivityRow {
    /// What is moved, e.g. `tfr`, `e0`, `migration`, `fertility_multiplier:daping`.
    pub parameter: String,
    /// In words, e.g. `TFR ×0.90 / ×1.10`.
    pub label: String,
    /// With the assumption stepped down.
    pub low: Outcome,
    /// With the assumption stepped up.
    pub high: Outcome,
}

/// The results of a sensitivity run: the baseline and one row per assumption.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sensitivity {
    /// The horizon year the bands are read at.
    pub horizon: i32,
    /// Band names (the scenario's and [`TOTAL_BAND`]).
    pub bands: Vec<String>,
    /// The scenario as assumed.
    pub baseline: Outcome,
    /// Every assumption moved.
    pub rows: Vec<SensitivityRow>,
}

/// One measure with one assumption stepped down and up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Swing {
    /// The assumption, in words.
    pub label: String,
    /// The measure with it stepped down.
    pub low: f64,
    /// The measure with it stepped up.
    pub high: f64,
}

/// Which assumptions to move.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityOptions {
    /// Also each street's fertility and mortality multipliers (two rows per street).
    pub streets: bool,
    /// Plan for each variant (else the bands only).
    pub plan: bool,
    /// Options of each allocation.
    pub allocation: AllocationOptions,
}

impl Default for SensitivityOptions {
    fn default() -> Self {
        Self {
            streets: true,
            plan: true,
            allocation: AllocationOptions::default(),
        }
    }
}

/// The variants of every row, with their names and labels, from the scenario's steps.
fn rows_to_run(scenario: &Scenario, streets: bool) -> Vec<(String, String, Variant, Variant)> {
    let s = scenario.uncertainty.sensitivity;
    let pct = |x: f64| format!("{:.0} %", 100.0 * x);
    let mut rows = vec![
        (
            "tfr".to_owned(),
            format!("TFR ±{}", pct(s.tfr)),
            Variant {
                tfr_factor: 1.0 - s.tfr,
                ..Variant::default()
            },
            Variant {
                tfr_factor: 1.0 + s.tfr,
                ..Variant::default()
            },
        ),
        (
            "e0".to_owned(),
            format!(
                "e0 ±{} {}",
                s.e0,
                if (s.e0 - 1.0).abs() < 1e-12 {
                    "year"
                } else {
                    "years"
                }
            ),
            Variant {
                e0_shift: -s.e0,
                ..Variant::default()
            },
            Variant {
                e0_shift: s.e0,
                ..Variant::default()
            },
        ),
        (
            "migration".to_owned(),
            format!("net migration ±{}", pct(s.migration)),
            Variant {
                migration_factor: 1.0 - s.migration,
                ..Variant::default()
            },
            Variant {
                migration_factor: 1.0 + s.migration,
                ..Variant::default()
            },
        ),
    ];
    if streets {
        let fertility: Vec<f64> = scenario
            .areas
            .iter()
            .map(|a| a.fertility_multiplier)
            .collect();
        let mortality: Vec<f64> = scenario
            .areas
            .iter()
            .map(|a| a.mortality_multiplier)
            .collect();
        for (i, area) in scenario.areas.iter().enumerate() {
            let moved = |base: &[f64], k: f64| {
                let mut v = base.to_vec();
                v[i] *= k;
                Some(v)
            };
            let name = if area.name_zh.is_empty() {
                area.name_en.clone()
            } else {
                format!("{} {}", area.name_zh, area.name_en)
            };
            rows.push((
                format!("fertility_multiplier:{}", area.id),
                format!("{name}: fertility ±{}", pct(s.multiplier)),
                Variant {
                    fertility_multipliers: moved(&fertility, 1.0 - s.multiplier),
                    ..Variant::default()
                },
                Variant {
                    fertility_multipliers: moved(&fertility, 1.0 + s.multiplier),
                    ..Variant::default()
                },
            ));
            rows.push((
                format!("mortality_multiplier:{}", area.id),
                format!("{name}: mortality ±{}", pct(s.multiplier)),
                Variant {
                    mortality_multipliers: moved(&mortality, 1.0 - s.multiplier),
                    ..Variant::default()
                },
                Variant {
                    mortality_multipliers: moved(&mortality, 1.0 + s.multiplier),
                    ..Variant::default()
                },
            ));
        }
    }
    rows
}

/// Projects (and plans) one variant.
fn outcome(
    scenario: &Scenario,
    variant: &Variant,
    options: &SensitivityOptions,
) -> Result<Outcome> {
    let horizon = scenario.horizon();
    let projection = scenario.project_variant(variant, horizon)?;
    let last = projection.at(horizon);
    let areas = scenario.areas.len();
    let mut bands: Vec<f64> = scenario
        .bands
        .iter()
        .map(|b| last.map_or(0.0, |p| (0..areas).map(|i| p.band_total(i, b)).sum()))
        .collect();
    bands.push(last.map_or(0.0, |p| p.total()));
    let mut out = Outcome {
        bands,
        cost: None,
        targets: Vec::new(),
        conflict: false,
    };
    if options.plan {
        let need = Need::from_projection(scenario, &projection)?;
        // Continuous amounts: a cost that moves with the assumption, not with rounding.
        match allocate(&scenario.continuous(), &need, &options.allocation)? {
            Allocation::Plan(plan) => {
                out.cost = Some(plan.total_cost);
                out.targets = plan
                    .targets
                    .iter()
                    .map(|t| (t.id.clone(), t.achieved, t.status == TargetStatus::Met))
                    .collect();
            }
            Allocation::Conflict(_) => out.conflict = true,
        }
    }
    Ok(out)
}

/// Runs the baseline and every assumption down and up (in parallel; the result does not
/// depend on the thread count). With `plan`, each plan is solved with amounts continuous
/// and without project costs ([`Scenario::continuous`]): the cost moves with the
/// assumption, not with the rounding of units and projects.
///
/// # Errors
///
/// [`Error::Inconsistent`](crate::Error::Inconsistent) when the scenario's parts do not fit
/// together ([`Scenario::check_consistent`], run first); the errors of
/// [`Scenario::project_variant`], [`Need::from_projection`] and [`allocate`].
///
/// # Examples
///
/// ```
/// use popalloc::Scenario;
/// use popalloc::uncertainty::{SensitivityOptions, sensitivity};
///
/// let yuzhong = Scenario::yuzhong()?;
/// let options = SensitivityOptions { streets: false, plan: false, ..Default::default() };
/// let s = sensitivity(&yuzhong, &options)?;
/// let infants = s.bands.iter().position(|b| b == "infants").unwrap();
/// let tfr = &s.rows[0];
/// assert!(tfr.low.bands[infants] < s.baseline.bands[infants]);
/// assert!(tfr.high.bands[infants] > s.baseline.bands[infants]);
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn sensitivity(scenario: &Scenario, options: &SensitivityOptions) -> Result<Sensitivity> {
    scenario.check_consistent()?;
    let rows = rows_to_run(scenario, options.streets);
    let mut variants = vec![Variant::default()];
    for (_, _, low, high) in &rows {
        variants.push(low.clone());
        variants.push(high.clone());
    }
    // Collected in order first, so that the error returned (if any) is the first variant's
    // whatever the thread count.
    let outcomes: Vec<Result<Outcome>> = variants
        .par_iter()
        .map(|v| outcome(scenario, v, options))
        .collect();
    let outcomes = outcomes.into_iter().collect::<Result<Vec<Outcome>>>()?;
    let mut outcomes = outcomes.into_iter();
    let baseline = outcomes.next().unwrap_or(Outcome {
        bands: Vec::new(),
        cost: None,
        targets: Vec::new(),
        conflict: false,
    });
    let mut out_rows = Vec::with_capacity(rows.len());
    for (parameter, label, _, _) in rows {
        if let (Some(low), Some(high)) = (outcomes.next(), outcomes.next()) {
            out_rows.push(SensitivityRow {
                parameter,
                label,
                low,
                high,
            });
        }
    }
    let mut bands: Vec<String> = scenario.bands.iter().map(|b| b.name().to_owned()).collect();
    bands.push(TOTAL_BAND.to_owned());
    Ok(Sensitivity {
        horizon: scenario.horizon(),
        bands,
        baseline,
        rows: out_rows,
    })
}

impl Sensitivity {
    /// The tornado of one measure: a [`Swing`] per row, for a band name, `cost`, or
    /// `target:<id>` (a target's achieved value); rows without the measure are left out.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::Scenario;
    /// use popalloc::uncertainty::{SensitivityOptions, sensitivity};
    ///
    /// let yuzhong = Scenario::yuzhong()?;
    /// let options = SensitivityOptions { streets: false, plan: false, ..Default::default() };
    /// let s = sensitivity(&yuzhong, &options)?;
    /// let (base, rows) = s.measure("elderly").unwrap();
    /// assert_eq!(rows.len(), 3);
    /// let e0 = &rows[1]; // one year shorter or longer lives: fewer or more aged 60+
    /// assert!(e0.low < base && base < e0.high);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn measure(&self, measure: &str) -> Option<(f64, Vec<Swing>)> {
        let read = |o: &Outcome| -> Option<f64> {
            if measure == "cost" {
                o.cost
            } else if let Some(id) = measure.strip_prefix("target:") {
                o.targets.iter().find(|t| t.0 == id).map(|t| t.1)
            } else {
                let b = self.bands.iter().position(|b| b == measure)?;
                o.bands.get(b).copied()
            }
        };
        let base = read(&self.baseline)?;
        let rows = self
            .rows
            .iter()
            .filter_map(|r| {
                Some(Swing {
                    label: r.label.clone(),
                    low: read(&r.low)?,
                    high: read(&r.high)?,
                })
            })
            .collect();
        Some((base, rows))
    }

    /// Every measure: the bands, `cost` when planned, and `target:<id>` for each target.
    pub fn measures(&self) -> Vec<String> {
        let mut m = self.bands.clone();
        if self.baseline.cost.is_some() {
            m.push("cost".to_owned());
        }
        m.extend(
            self.baseline
                .targets
                .iter()
                .map(|t| format!("target:{}", t.0)),
        );
        m
    }
}
