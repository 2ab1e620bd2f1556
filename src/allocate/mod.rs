//! The allocation model (DESIGN §6): the least-cost multi-year plan that holds every
//! binding target and comes as close as it can to every expected one, and explains itself.
//!
//! [`allocate`] builds the model from a scenario and its [`Need`], solves it
//! lexicographically (shortfall first, then cost with the first stage held), checks the
//! solution against every row from its values alone and each stage's optimality from its
//! duals (the certificate), and returns either
//! a [`Plan`] or, when the binding targets cannot all hold, a [`Conflict`] naming a minimal
//! conflicting set.

pub(crate) mod blocks;
pub(crate) mod build;
pub mod conflict;
pub mod footprint;
pub mod lp_format;
pub mod model;
pub(crate) mod plan;
pub(crate) mod rounding;
pub(crate) mod slope_scaling;
pub mod solve;
pub mod sweep;
pub(crate) mod warm_drops;
pub(crate) mod whole_units;

pub use conflict::{Conflict, ConflictMember, MemberKind};
pub use plan::{FLOW_TOLERANCE, Flow, Plan, PlanConversion, PlanRow, TargetResult, TargetStatus};
pub use rounding::{FoundBy, MilpGap, MilpStage};
pub use solve::Backend;

use crate::allocate::model::{Model, Row, RowRole, Sense};
use crate::allocate::rounding::{StageOutcome, StagePlan, solve_stage};
use crate::allocate::solve::{Integers, Outcome, Solved, solve, variable_bounds};
use crate::error::{Error, Result};
use crate::need::Need;
use crate::scenario::Scenario;
use rayon::prelude::*;

/// How to solve.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AllocationOptions {
    /// Backend for models without integer variables (default: clarabel).
    pub lp_backend: Backend,
    /// Backend for models with integer variables (default: HiGHS when the crate is built
    /// with the `highs` feature, else microlp, which suits small models of ~20 areas).
    pub milp_backend: Backend,
    /// Time limit per solve, seconds (MILP backends).
    pub time_limit_seconds: f64,
    /// Relative tolerance to which the first stage (shortfall) is held in the second.
    pub stage_tolerance: f64,
    /// `None`: lexicographic (shortfall, then cost). `Some(w)`: one weighted objective,
    /// cost + w × shortfall.
    pub shortfall_weight: Option<f64>,
    /// An optional equity term on coverage across areas, added to the first stage.
    pub equity: Option<Equity>,
    /// Whether a model without integer variables whose variables fall into blocks that no
    /// row ties together (districts that share no reach and no target; services that no
    /// conversion, limit or budget joins) is solved block by block, in parallel (default:
    /// yes). The plan is the same to the solvers' tolerances either way; one block at a
    /// time is slower as the model grows.
    #[serde(default = "yes")]
    pub independent_blocks: bool,
}

/// `true`, the default of [`AllocationOptions::independent_blocks`] in a file.
fn yes() -> bool {
    true
}

/// How the equity term measures the spread of coverage (served / need) across areas, for
/// each service and year (areas with need only). Both stay linear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EquityMeasure {
    /// The largest gap 1 − coverage over the areas.
    LargestGap,
    /// The mean absolute deviation of coverage from its mean over the areas.
    MeanAbsoluteDeviation,
}

/// The optional equity term: its measure and its weight against the first stage's
/// relative shortfalls (1.0 weighs one unit of the measure like a fully missed target).
///
/// # Examples
///
/// ```
/// use popalloc::{AllocationOptions, allocate::{Equity, EquityMeasure}};
///
/// let options = AllocationOptions {
///     equity: Some(Equity { measure: EquityMeasure::LargestGap, weight: 0.1 }),
///     ..AllocationOptions::default()
/// };
/// assert!(options.equity.is_some());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Equity {
    /// What is measured.
    pub measure: EquityMeasure,
    /// Its weight in the first stage.
    pub weight: f64,
}

impl Default for AllocationOptions {
    fn default() -> Self {
        Self {
            lp_backend: Backend::Clarabel,
            // HiGHS when built with it: microlp is for small MILPs only (~20 areas).
            #[cfg(feature = "highs")]
            milp_backend: Backend::Highs,
            #[cfg(not(feature = "highs"))]
            milp_backend: Backend::Microlp,
            time_limit_seconds: 60.0,
            stage_tolerance: 1e-7,
            shortfall_weight: None,
            equity: None,
            independent_blocks: true,
        }
    }
}

impl AllocationOptions {
    /// Checks that every setting is a number the solve can use: the time limit finite
    /// and at least 0 seconds (0: the backends stop at once with the best plan they
    /// have), the stage tolerance finite and in [0, 1), the shortfall weight and the
    /// equity weight finite and at least 0. [`allocate`] and every entry point built on
    /// it run this first.
    ///
    /// # Errors
    ///
    /// [`Error::Inconsistent`] (part `allocation options`) naming the setting and its
    /// value.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::AllocationOptions;
    ///
    /// assert!(AllocationOptions::default().check().is_ok());
    /// let options = AllocationOptions { time_limit_seconds: f64::NAN, ..AllocationOptions::default() };
    /// assert!(options.check().is_err());
    /// ```
    pub fn check(&self) -> Result<()> {
        let finite_at_least_0 = "a finite number >= 0";
        let mut settings = vec![
            (
                "time_limit_seconds",
                self.time_limit_seconds,
                self.time_limit_seconds >= 0.0,
                "a finite number of seconds >= 0",
            ),
            (
                "stage_tolerance",
                self.stage_tolerance,
                (0.0..1.0).contains(&self.stage_tolerance),
                "a finite number in [0, 1)",
            ),
        ];
        if let Some(w) = self.shortfall_weight {
            settings.push(("shortfall_weight", w, w >= 0.0, finite_at_least_0));
        }
        if let Some(e) = &self.equity {
            settings.push((
                "equity.weight",
                e.weight,
                e.weight >= 0.0,
                finite_at_least_0,
            ));
        }
        match settings
            .into_iter()
            .find(|(_, value, ok, _)| !(*ok && value.is_finite()))
        {
            None => Ok(()),
            Some((field, value, _, range)) => Err(Error::Inconsistent {
                part: "allocation options",
                field: field.into(),
                problem: format!("{} is not {range}", crate::error::shown(value)),
            }),
        }
    }
}

/// Checks that a scenario, its need and the options fit together before anything is built:
/// [`Scenario::check_consistent`], [`Need::check_matches`] and [`AllocationOptions::check`].
pub(crate) fn check_inputs(
    scenario: &Scenario,
    need: &Need,
    options: &AllocationOptions,
) -> Result<()> {
    scenario.check_consistent()?;
    need.check_matches(scenario)?;
    options.check()
}

/// The result of an allocation: a plan, or the binding targets that cannot all hold.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[allow(clippy::large_enum_variant)]
pub enum Allocation {
    /// A plan that holds every binding target (checked by the certificate).
    Plan(Plan),
    /// A minimal set of binding targets, caps and budgets that cannot all hold.
    Conflict(Conflict),
}

/// Relative tolerance of the certificate: a row holds when its violation is at most this
/// times its magnitude (interior-point values are not exact vertices).
pub const CERTIFICATE_TOLERANCE: f64 = 1e-6;

/// Relative tolerance to which every stage of the solve is optimal, and which the
/// certificate checks from the stage's row duals (Lagrangian duality): the objective at
/// the solution exceeds the lower bound the duals prove by at most this times
/// max(|objective|, 1). (A variable without an upper bound whose reduced cost is below
/// zero, as interior-point duals may be by their tolerance, enters the bound at its value
/// plus max(|value|, 1): the bound then holds whenever the optimum keeps it below that.)
/// Stages whose backend gives no duals (microlp, HiGHS) are checked through clarabel's
/// re-solve with the integer decisions fixed, which proves the plan optimal for those
/// decisions; a MILP's shortfall stage is checked for feasibility only.
///
/// # Examples
///
/// ```
/// use popalloc::allocate::{CERTIFICATE_TOLERANCE, OPTIMALITY_TOLERANCE};
///
/// // A shortfall stage of value −30 may lie at most 3e-6 above its dual bound.
/// assert_eq!(OPTIMALITY_TOLERANCE * 30.0_f64.max(1.0), 3e-6);
/// assert!(OPTIMALITY_TOLERANCE < CERTIFICATE_TOLERANCE);
/// ```
pub const OPTIMALITY_TOLERANCE: f64 = 1e-7;

/// Plans the scenario's services for its need.
///
/// # Errors
///
/// [`Error::Solver`] when a backend fails (numerical fault, time limit) on every backend
/// tried, or reports the model infeasible while no target, cap or budget conflicts;
/// [`Error::CertificateFailed`] if a solution breaks a row when re-evaluated, or a
/// stage's duals do not prove it optimal to [`OPTIMALITY_TOLERANCE`] (never expected; it
/// guards against backend faults); [`Error::InvalidSetting`] for a target value beyond
/// [`TargetKind::max_value`](crate::TargetKind::max_value) (a scenario built in code; the
/// loader refuses it in a file); [`Error::Inconsistent`], before anything is built, when
/// the scenario's parts do not fit together ([`Scenario::check_consistent`]), the need is
/// not of this scenario's areas, services and planning years or holds a number that is
/// not finite and at least 0 ([`Need::check_matches`]), or an option is out of range
/// ([`AllocationOptions::check`]); [`Error::TooLarge`] when the model would take more
/// memory than [`footprint::max_model_bytes`] (counted before it is built). A scenario
/// without services gets an empty plan.
///
/// # Examples
///
/// ```
/// use popalloc::{Allocation, AllocationOptions, Need, Scenario, allocate};
///
/// let yuzhong = Scenario::yuzhong()?;
/// let projection = yuzhong.project(yuzhong.horizon())?;
/// let need = Need::from_projection(&yuzhong, &projection)?;
/// match allocate(&yuzhong, &need, &AllocationOptions::default())? {
///     Allocation::Plan(plan) => assert!(plan.total_cost > 0.0),
///     Allocation::Conflict(c) => panic!("{}", c.message),
/// }
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn allocate(
    scenario: &Scenario,
    need: &Need,
    options: &AllocationOptions,
) -> Result<Allocation> {
    check_inputs(scenario, need, options)?;
    footprint::check_fits(scenario, need)?;
    let built = build::build(scenario, need, options.equity.as_ref());
    allocate_built(scenario, need, &built, options)
}

/// Solves a built model (lexicographic or weighted, certificate, duals, plan); the model may
/// carry rows of its own beyond the scenario's (a joint chance constraint).
pub(crate) fn allocate_built(
    scenario: &Scenario,
    need: &Need,
    built: &build::Built,
    options: &AllocationOptions,
) -> Result<Allocation> {
    let model = &built.model;
    // A continuous model whose variables fall into blocks that no row ties together is
    // solved block by block, in parallel (each block's stages, certificate and duals are
    // its own); the merged plan is certified against every row of the whole. A model in
    // whole units is rounded as one (its heuristics see the whole plan).
    let blocks = if model.is_mixed_integer() || !options.independent_blocks {
        None
    } else {
        blocks::split(model)
    };
    let solution = match blocks {
        None => match solve_model(scenario, model, options, false)? {
            ModelOutcome::Plan(solution) => solution,
            ModelOutcome::Conflict(conflict) => return Ok(conflict),
        },
        Some(blocks) => {
            let outcomes: Vec<Result<ModelOutcome>> = blocks
                .par_iter()
                .map(|block| solve_model(scenario, &block.model, options, true))
                .collect();
            let mut solutions = Vec::with_capacity(blocks.len());
            for outcome in outcomes {
                match outcome? {
                    ModelOutcome::Plan(solution) => solutions.push(solution),
                    ModelOutcome::Conflict(conflict) => return Ok(conflict),
                }
            }
            let solution = Solution::merge(&blocks, solutions, model)?;
            certify(model, &solution.values, &[])?;
            solution
        }
    };
    let mut plan = plan::make_plan(
        scenario,
        need,
        built,
        &solution.values,
        solution.marginal.as_deref(),
        solution.backend,
        solution.marginal_backend,
    );
    plan.milp_gaps = solution.milp_gaps;
    Ok(Allocation::Plan(plan))
}

/// A model's plan: its values, the marginal costs of its rows and how they were found.
struct Solution {
    values: Vec<f64>,
    marginal: Option<Vec<f64>>,
    backend: Backend,
    marginal_backend: Option<Backend>,
    milp_gaps: Vec<MilpGap>,
    /// A block's stages, to be certified with the other blocks' (empty for a model
    /// certified whole).
    optimality: Vec<StageOptimality>,
}

impl Solution {
    /// The blocks' plans as one plan of the whole model (marginal costs only when every
    /// block has them), each stage certified optimal for the whole: its objective and
    /// dual bound summed over the blocks.
    ///
    /// # Errors
    ///
    /// [`Error::CertificateFailed`] when a stage's pooled gap is over the tolerance.
    fn merge(blocks: &[blocks::Block], solutions: Vec<Solution>, model: &Model) -> Result<Self> {
        // Back to the whole's units: each block's objective was scaled.
        let parts: Vec<StageOptimality> = blocks
            .iter()
            .zip(&solutions)
            .flat_map(|(b, s)| s.optimality.iter().map(|o| o.unscaled(b.scale)))
            .collect();
        let mut stages: Vec<&'static str> = Vec::new();
        for part in &parts {
            if !stages.contains(&part.stage) {
                stages.push(part.stage);
            }
        }
        for stage in stages {
            let of_stage: Vec<&StageOptimality> =
                parts.iter().filter(|o| o.stage == stage).collect();
            StageOptimality::pooled(stage, &of_stage).check()?;
        }
        let backend = solutions.first().map_or(Backend::Clarabel, |s| s.backend);
        let marginal_backend = solutions
            .iter()
            .map(|s| s.marginal_backend)
            .collect::<Option<Vec<_>>>()
            .and_then(|b| b.first().copied());
        let mut milp_gaps = Vec::new();
        let mut values = Vec::with_capacity(solutions.len());
        let mut marginal = Vec::with_capacity(solutions.len());
        for s in solutions {
            milp_gaps.extend(s.milp_gaps);
            values.push(s.values);
            marginal.push(s.marginal);
        }
        // Marginal costs only when every block has them.
        let marginal: Option<Vec<Vec<f64>>> = marginal.into_iter().collect();
        Ok(Self {
            values: blocks::merge_variables(blocks, &values, model.variables.len()),
            marginal: marginal.map(|m| blocks::merge_rows(blocks, &m, model.rows.len())),
            backend,
            marginal_backend,
            milp_gaps,
            optimality: Vec::new(),
        })
    }
}

/// How a model's solve ended: a plan, or the conflict that stands in its way.
enum ModelOutcome {
    Plan(Solution),
    Conflict(Allocation),
}

/// Solves one model: its stages, certificate, duals and marginal costs.
/// With `pooled`, the stages' optimality is kept in the solution (a block's, checked
/// with the other blocks') instead of checked here.
fn solve_model(
    scenario: &Scenario,
    model: &Model,
    options: &AllocationOptions,
    pooled: bool,
) -> Result<ModelOutcome> {
    let mut certificates = if pooled {
        Certificates::Pooled(Vec::new())
    } else {
        Certificates::Each
    };
    let mixed = model.is_mixed_integer();
    let backend = if mixed {
        options.milp_backend
    } else {
        options.lp_backend
    };
    let limit = options.time_limit_seconds;

    // The objective of the final stage: cost, or cost + weighted shortfall.
    let objective = match options.shortfall_weight {
        Some(w) => {
            let mut o = model.cost.clone();
            o.extend(model.shortfall.iter().map(|&(v, c)| (v, c * w)));
            o
        }
        None => model.cost.clone(),
    };
    let (hold, first) = match options.shortfall_weight {
        Some(_) => (None, None),
        None => match first_stage(model, backend, options, &mut certificates)? {
            Some((hold, first)) => (Some(hold), Some(first)),
            None => return conflict(scenario, model, backend, limit).map(ModelOutcome::Conflict),
        },
    };
    let extra: Vec<Row> = hold.into_iter().collect();
    let stage = match options.shortfall_weight {
        Some(_) => MilpStage::Weighted,
        None => MilpStage::Cost,
    };
    let known = first.as_ref().map(|(s, _)| s.values.as_slice());
    let settings = rounding::StageSettings::new(stage, backend, options, known);
    let (last, last_gap) = match solve_stage(model, &objective, &extra, &settings)? {
        StageOutcome::Solved(s, gap) => (s, gap),
        // With a hold row, the first stage's solution is feasible: infeasible here is a fault.
        StageOutcome::Infeasible if !extra.is_empty() => {
            return Err(Error::Solver {
                backend: backend.name(),
                detail: "the cost stage is infeasible although the shortfall stage was solved"
                    .into(),
            });
        }
        StageOutcome::Infeasible => {
            return conflict(scenario, model, backend, limit).map(ModelOutcome::Conflict);
        }
    };
    let milp_gaps: Vec<MilpGap> = first
        .and_then(|(_, gap)| gap)
        .into_iter()
        .chain(last_gap)
        .collect();
    // Duals: from this very solve when it was clarabel's on an LP; otherwise from clarabel
    // on the LP with the integer decisions fixed (a fault there only costs the duals, and
    // with them the check of optimality).
    let (values, duals, dual_backend, bounds) = if last.duals.is_some() {
        let bounds = variable_bounds(model, Integers::Keep);
        (last.values, last.duals, Some(backend), bounds)
    } else {
        let integers = if mixed {
            Integers::FixedAt(&last.values)
        } else {
            Integers::Keep
        };
        let bounds = variable_bounds(model, integers);
        match solve(
            model,
            &objective,
            None,
            &extra,
            integers,
            Backend::Clarabel,
            limit,
        ) {
            Ok(Outcome::Optimal(Solved {
                values: v, duals, ..
            })) => (v, duals, Some(Backend::Clarabel), bounds),
            _ => (last.values, None, None, bounds),
        }
    };
    // Whole units may serve a little less need than the first stage's continuous plan
    // (rounding serves the most it can, and the plan's shortfall says what is left): the
    // hold is the one row a whole-unit plan is not certified against.
    let certified: Vec<Row> = if whole_units::has_whole_units(model) {
        extra
            .iter()
            .filter(|r| r.role != RowRole::StageHold)
            .cloned()
            .collect()
    } else {
        extra.clone()
    };
    certify(model, &values, &certified)?;
    if let Some(duals) = &duals {
        let stage = if options.shortfall_weight.is_some() {
            "weighted (cost and shortfall)"
        } else {
            "cost"
        };
        let stage = Stage {
            name: stage,
            objective: &objective,
            extra: &extra,
            bounds: &bounds,
        };
        certificates.take(stage_optimality(model, &stage, &values, duals))?;
    }
    // Marginal costs of a plan in whole units: from the LP with its projects and area
    // counts fixed and its amounts continuous (with every amount fixed too, a target's row
    // has nothing left to move and its dual says nothing).
    let (marginal, marginal_backend) = if whole_units::has_whole_units(model) {
        match solve(
            &whole_units::with_continuous_amounts(model),
            &objective,
            None,
            &extra,
            Integers::FixedAt(&values),
            Backend::Clarabel,
            limit,
        ) {
            Ok(Outcome::Optimal(Solved { duals: Some(d), .. })) => {
                (Some(d), Some(Backend::Clarabel))
            }
            _ => (None, None),
        }
    } else {
        (duals, dual_backend)
    };
    Ok(ModelOutcome::Plan(Solution {
        values,
        marginal,
        backend,
        marginal_backend,
        milp_gaps,
        optimality: match certificates {
            Certificates::Each => Vec::new(),
            Certificates::Pooled(kept) => kept,
        },
    }))
}

/// Solves the first stage (weighted shortfall) and returns the row that holds it in the
/// second with the stage's plan and gap, or `None` when the hard rows cannot all hold.
fn first_stage(
    model: &Model,
    backend: Backend,
    options: &AllocationOptions,
    certificates: &mut Certificates,
) -> Result<Option<(Row, StagePlan)>> {
    let settings = rounding::StageSettings::new(MilpStage::Shortfall, backend, options, None);
    let (first, gap) = match solve_stage(model, &model.shortfall, &[], &settings)? {
        StageOutcome::Infeasible => return Ok(None),
        StageOutcome::Solved(s, gap) => (s, gap),
    };
    // The hold row is only as good as the stage it holds: certify it like the plan (a
    // stage without duals, from microlp or HiGHS, is checked for feasibility only).
    certify(model, &first.values, &[])?;
    if let Some(duals) = &first.duals {
        let bounds = variable_bounds(model, Integers::Keep);
        let stage = Stage {
            name: "shortfall",
            objective: &model.shortfall,
            extra: &[],
            bounds: &bounds,
        };
        certificates.take(stage_optimality(model, &stage, &first.values, duals))?;
    }
    let best = Model::evaluate(&model.shortfall, &first.values);
    let hold = Row {
        name: "hold_shortfall".into(),
        role: RowRole::StageHold,
        area: None,
        year: None,
        terms: model.shortfall.clone(),
        sense: Sense::AtMost,
        rhs: best + options.stage_tolerance * best.abs().max(1.0),
        slack: Vec::new(),
    };
    Ok(Some((hold, (first, gap))))
}

/// The model in CPLEX LP format as the final stage: cost minimised with the first stage
/// (shortfall) held, so that another solver reading the file finds an optimum equal to the
/// plan's total cost. When the binding targets conflict, the model is written without the
/// hold row (and any solver will find it infeasible).
///
/// # Errors
///
/// As [`allocate`]: the checks of its inputs first, then the first-stage solve.
///
/// # Examples
///
/// ```
/// use popalloc::{AllocationOptions, Need, Scenario, allocate::export_lp};
///
/// let yuzhong = Scenario::yuzhong()?;
/// let need = Need::from_projection(&yuzhong, &yuzhong.project(2025)?)?;
/// let text = export_lp(&yuzhong, &need, &AllocationOptions::default())?;
/// assert!(text.contains("nursing_share_2025:"));
/// assert!(text.contains("hold_shortfall:"));
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn export_lp(scenario: &Scenario, need: &Need, options: &AllocationOptions) -> Result<String> {
    check_inputs(scenario, need, options)?;
    footprint::check_fits(scenario, need)?;
    let model = build::build(scenario, need, options.equity.as_ref()).model;
    let backend = if model.is_mixed_integer() {
        options.milp_backend
    } else {
        options.lp_backend
    };
    let hold =
        first_stage(&model, backend, options, &mut Certificates::Each)?.map(|(hold, _)| hold);
    let comment = format!(
        "{}\nfinal stage: cost minimised with the shortfall stage held ({})\nrows are named after targets, caps and budgets",
        scenario.file.name,
        if hold.is_some() {
            "row hold_shortfall"
        } else {
            "binding targets conflict: no hold row"
        }
    );
    let extra: Vec<Row> = hold.into_iter().collect();
    Ok(lp_format::write_lp(&model, &model.cost, &extra, &comment))
}

/// The certificate: every row (and the hold row) re-evaluated from the values alone, each
/// held to [`CERTIFICATE_TOLERANCE`] times its magnitude; every variable within its bounds
/// (to the same relative tolerance) and every integer variable whole.
fn certify(model: &Model, values: &[f64], extra: &[Row]) -> Result<()> {
    if values.len() != model.variables.len() {
        return Err(Error::CertificateFailed {
            row: format!(
                "the number of values ({} for {} variables)",
                values.len(),
                model.variables.len()
            ),
            by: values.len().abs_diff(model.variables.len()) as f64,
            tolerance: 0.0,
        });
    }
    for row in model.rows.iter().chain(extra) {
        let violation = row.violation(values);
        let tolerance = CERTIFICATE_TOLERANCE * row.magnitude(values);
        if violation > tolerance || violation.is_nan() {
            return Err(Error::CertificateFailed {
                row: row.name.clone(),
                by: violation,
                tolerance,
            });
        }
    }
    for (var, &x) in model.variables.iter().zip(values) {
        let below = var.lower - x;
        let above = x - var.upper;
        let lower_tolerance = CERTIFICATE_TOLERANCE * var.lower.abs().max(1.0);
        let upper_tolerance = CERTIFICATE_TOLERANCE * var.upper.abs().max(1.0);
        let (by, tolerance) = if below > lower_tolerance || x.is_nan() {
            (below, lower_tolerance)
        } else if above > upper_tolerance {
            (above, upper_tolerance)
        } else if var.integer && (x - x.round()).abs() > solve::WHOLE_TOLERANCE {
            ((x - x.round()).abs(), solve::WHOLE_TOLERANCE)
        } else {
            continue;
        };
        return Err(Error::CertificateFailed {
            row: format!("bounds of {}", var.name),
            by,
            tolerance,
        });
    }
    Ok(())
}

/// A stage of the solve as the certificate sees it: its objective, the rows it adds to the
/// model's (the hold row) and the bounds its variables were solved within.
struct Stage<'a> {
    /// The stage's name in messages ("shortfall", "cost").
    name: &'static str,
    objective: &'a [(usize, f64)],
    extra: &'a [Row],
    bounds: &'a [(f64, f64)],
}

/// The certificate's check of optimality: from the stage's row duals (the model's rows,
/// then the extra rows), the Lagrangian bound on its optimum; the objective at `values` must
/// lie within [`OPTIMALITY_TOLERANCE`] of it (see there for the exact rule).
#[cfg(test)]
fn certify_optimal(model: &Model, stage: &Stage<'_>, values: &[f64], duals: &[f64]) -> Result<()> {
    stage_optimality(model, stage, values, duals).check()
}

/// A stage's objective at the solution and the lower bound its duals prove.
#[derive(Debug, Clone)]
struct StageOptimality {
    /// The stage's name, e.g. `shortfall`.
    stage: &'static str,
    /// The objective at the solution.
    value: f64,
    /// The lower bound from the duals.
    bound: f64,
    /// The variable whose negative reduced cost lowers the bound most, if any.
    worst: Option<String>,
}

impl StageOptimality {
    /// Whether the stage is optimal to [`OPTIMALITY_TOLERANCE`]; the error names the
    /// stage, its objective and bound.
    fn check(&self) -> Result<()> {
        let gap = self.value - self.bound;
        let allowed = OPTIMALITY_TOLERANCE * self.value.abs().max(1.0);
        if gap > allowed || gap.is_nan() {
            let widest = self.worst.as_ref().map_or(String::new(), |v| {
                format!("; the negative reduced cost of {v} lowers it most")
            });
            return Err(Error::CertificateFailed {
                row: format!(
                    "the optimality of the {} stage (objective {}, lower bound from its duals {}{widest})",
                    self.stage, self.value, self.bound
                ),
                by: gap,
                tolerance: allowed,
            });
        }
        Ok(())
    }

    /// The optimality of a stage whose objective was multiplied by `scale`, in the
    /// objective's own units.
    fn unscaled(&self, scale: f64) -> Self {
        Self {
            value: self.value / scale,
            bound: self.bound / scale,
            ..self.clone()
        }
    }

    /// The stage of the whole model from its blocks' (in the order given): the Lagrangian
    /// bound is a sum over variables and rows, so objectives and bounds add up, and the
    /// whole is held to the tolerance of its own objective. The worst variable named is
    /// that of the block with the widest gap.
    fn pooled(stage: &'static str, blocks: &[&StageOptimality]) -> Self {
        let worst = blocks
            .iter()
            .filter(|b| b.worst.is_some())
            .max_by(|a, b| (a.value - a.bound).total_cmp(&(b.value - b.bound)))
            .and_then(|b| b.worst.clone());
        Self {
            stage,
            value: blocks.iter().map(|b| b.value).sum(),
            bound: blocks.iter().map(|b| b.bound).sum(),
            worst,
        }
    }
}

/// The optimality of a stage's solution by its duals.
fn stage_optimality(
    model: &Model,
    stage: &Stage<'_>,
    values: &[f64],
    duals: &[f64],
) -> StageOptimality {
    let rows: Vec<&Row> = model.rows.iter().chain(stage.extra).collect();
    let optimality = Model::optimality(stage.objective, &rows, duals, stage.bounds, values);
    StageOptimality {
        stage: stage.name,
        value: optimality.value,
        bound: optimality.bound,
        worst: optimality
            .worst_variable
            .and_then(|v| model.variables.get(v))
            .map(|v| v.name.clone()),
    }
}

/// Where a model's stage certificates go: checked at once (a model solved whole), or
/// kept to be pooled with the other blocks' (a block).
enum Certificates {
    /// Each stage is checked as it is solved.
    Each,
    /// Each stage's optimality is kept; the whole model's is checked once every block is
    /// solved.
    Pooled(Vec<StageOptimality>),
}

impl Certificates {
    /// Checks a stage, or keeps it to be pooled.
    fn take(&mut self, optimality: StageOptimality) -> Result<()> {
        match self {
            Certificates::Each => optimality.check(),
            Certificates::Pooled(kept) => {
                kept.push(optimality);
                Ok(())
            }
        }
    }
}

fn conflict(
    scenario: &Scenario,
    model: &Model,
    backend: Backend,
    limit: f64,
) -> Result<Allocation> {
    // Which targets, caps and budgets conflict is a question of capacity, not of whole
    // units: the conflict is sought with the amounts continuous (a MILP in whole units
    // would only make each of the filter's solves slower, and microlp's time out).
    let continuous = whole_units::with_continuous_amounts(model);
    match conflict::find_conflict(scenario, &continuous, backend, limit)? {
        Some(c) => Ok(Allocation::Conflict(c)),
        None => Err(Error::Solver {
            backend: backend.name(),
            detail:
                "reported the model infeasible, but no set of targets, caps or budgets conflicts"
                    .into(),
        }),
    }
}

/// Builds the model of a scenario without solving it (for inspection and export).
///
/// # Panics
///
/// When the scenario's parts do not fit together or the need is not of this scenario
/// (an index out of range); [`try_build_model`] checks them first and returns the error
/// instead.
///
/// # Examples
///
/// ```
/// use popalloc::{Need, Scenario, allocate::build_model};
///
/// let yuzhong = Scenario::yuzhong()?;
/// let need = Need::from_projection(&yuzhong, &yuzhong.project(2025)?)?;
/// let model = build_model(&yuzhong, &need);
/// assert!(model.row_index("nursing_share_2025").is_some());
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn build_model(scenario: &Scenario, need: &Need) -> Model {
    build::build(scenario, need, None).model
}

/// Builds the model of a scenario without solving it, after checking that the scenario's
/// parts fit together and that the need is of this scenario.
///
/// # Errors
///
/// [`Error::Inconsistent`] from [`Scenario::check_consistent`] or
/// [`Need::check_matches`]; [`Error::InvalidSetting`] for a target value out of range;
/// [`Error::TooLarge`] when the model would take more memory than
/// [`footprint::max_model_bytes`].
///
/// # Examples
///
/// ```
/// use popalloc::{Need, Scenario, allocate::try_build_model};
///
/// let mut yuzhong = Scenario::yuzhong()?;
/// let need = Need::from_projection(&yuzhong, &yuzhong.project(2025)?)?;
/// assert!(try_build_model(&yuzhong, &need)?.row_index("nursing_share_2025").is_some());
/// yuzhong.conversions[0].from = 99;
/// assert!(try_build_model(&yuzhong, &need).is_err());
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn try_build_model(scenario: &Scenario, need: &Need) -> Result<Model> {
    scenario.check_consistent()?;
    need.check_matches(scenario)?;
    footprint::check_fits(scenario, need)?;
    Ok(build::build(scenario, need, None).model)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_row_model() -> Model {
        let mut model = Model::new();
        let x = model.continuous("add_beds".into());
        model.row(Row {
            name: "nursing_share_2025".into(),
            role: RowRole::Target { target: 0 },
            area: None,
            year: Some(2025),
            terms: vec![(x, 1.0)],
            sense: Sense::AtLeast,
            rhs: 40.0,
            slack: Vec::new(),
        });
        model
    }

    #[test]
    fn certificate_names_the_broken_row_and_by_how_much() {
        let model = one_row_model();
        assert!(certify(&model, &[40.0], &[]).is_ok());
        // Interior-point noise within the tolerance passes.
        assert!(certify(&model, &[40.0 - 1e-8], &[]).is_ok());
        match certify(&model, &[39.0], &[]) {
            Err(Error::CertificateFailed { row, by, .. }) => {
                assert_eq!(row, "nursing_share_2025");
                assert!((by - 1.0).abs() < 1e-12);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            certify(&model, &[-1.0], &[]),
            Err(Error::CertificateFailed { .. })
        ));
    }

    /// min −x over x ≤ 40 (the row `nursing_share_2025` read as a cap): the optimum is
    /// x = 40 with dual −1.
    #[test]
    fn certificate_refuses_a_stage_its_duals_show_is_not_optimal() {
        let mut model = one_row_model();
        model.rows[0].sense = Sense::AtMost;
        let objective = [(0, -1.0)];
        let bounds = variable_bounds(&model, Integers::Keep);
        let stage = Stage {
            name: "shortfall",
            objective: &objective,
            extra: &[],
            bounds: &bounds,
        };
        assert!(certify_optimal(&model, &stage, &[40.0], &[-1.0]).is_ok());
        // Within the tolerance: 1e-7 × 40.
        assert!(certify_optimal(&model, &stage, &[40.0 - 1e-6], &[-1.0]).is_ok());
        match certify_optimal(&model, &stage, &[39.0], &[-1.0]) {
            Err(Error::CertificateFailed { row, by, tolerance }) => {
                assert!(row.contains("optimality of the shortfall stage"), "{row}");
                assert!((by - 1.0).abs() < 1e-12, "{by}");
                assert!((tolerance - 39.0 * OPTIMALITY_TOLERANCE).abs() < 1e-12);
            }
            other => panic!("unexpected {other:?}"),
        }
        // Duals that prove nothing (0: x is unbounded above with a negative reduced cost)
        // cannot certify even the optimum.
        match certify_optimal(&model, &stage, &[40.0], &[0.0]) {
            Err(Error::CertificateFailed { row, .. }) => assert!(row.contains("add_beds"), "{row}"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn blocks_are_certified_optimal_as_one_model() {
        let part = |value: f64, bound: f64| StageOptimality {
            stage: "shortfall",
            value,
            bound,
            worst: Some(format!("x{value}")),
        };
        // A small block 3e-7 short of its bound fails alone (allowed 1e-7 × max(0.05, 1)),
        // and holds within the whole's objective of −30 (allowed 3e-6).
        let small = part(-0.05, -0.0500003);
        let large = part(-29.95, -29.95);
        assert!(small.check().is_err());
        assert!(
            StageOptimality::pooled("shortfall", &[&small, &large])
                .check()
                .is_ok()
        );
        // Gaps add up: two blocks of objective −0.5, each 8e-8 short (allowed 1e-7 each,
        // the floor of 1), are 1.6e-7 short of an objective of −1 (allowed 1e-7).
        let (a, b) = (part(-0.5, -0.50000008), part(-0.5, -0.50000008));
        assert!(a.check().is_ok() && b.check().is_ok());
        match StageOptimality::pooled("shortfall", &[&a, &b]).check() {
            Err(Error::CertificateFailed { by, tolerance, row }) => {
                assert!((by - 1.6e-7).abs() < 1e-12 && (tolerance - 1e-7).abs() < 1e-15);
                assert!(row.contains("x-0.5"), "{row}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn clarabel_is_never_handed_an_integer_variable() {
        let mut model = one_row_model();
        let b = model.binary("counts".into());
        model.rows[0].terms.push((b, 1.0));
        let result = solve(
            &model,
            &[(0, 1.0)],
            None,
            &[],
            Integers::Keep,
            Backend::Clarabel,
            10.0,
        );
        // Retried on a backend that takes integers: a plan, not a panic.
        assert!(matches!(result, Ok(Outcome::Optimal(_))), "{result:?}");
    }
}
