//! Solving one stage of a MILP so that a plan comes back: the LP relaxation gives a bound
//! and a point to round; rounding it to whole modules (and whole counts) and solving the LP
//! left with those decisions fixed gives a feasible plan; that plan is handed to the MILP
//! backend as its first incumbent, and kept when the backend's search stops without a
//! better one. The plan then carries its gap to the bound ([`MilpGap`]). A MILP without
//! modules (area counts, draws covered) goes to the search first, and is rounded only when
//! the search does not prove a plan optimal.
//!
//! Points rounded: with modules and other integer decisions both, the MILP with only the
//! modules relaxed (its area counts agree with the capacity it builds; its proven optimum
//! is a tighter bound than the LP relaxation's); then the LP relaxation. Rules, each tried
//! on each point (the cheapest feasible result is kept):
//!
//! 1. whole modules in the first year: where the point adds capacity of a variant in an
//!    area, one module is built in the first year it adds any, and the LP sizes it (at least
//!    the minimum; capacity built early serves every later year at the same unit cost);
//!    the other integer decisions are rounded up;
//! 2. whole modules in every year the point adds capacity;
//! 3. as 1, with the other integer decisions rounded to the nearest;
//! 4. the integer decisions of a plan already known to be feasible (the shortfall stage's,
//!    in the cost stage).
//!
//! Before a rounding is solved, modules are dropped where caps or budgets cannot hold their
//! minimum (the smallest addition first); after, each module built is dropped in turn where
//! that makes the plan cheaper. When every rounding fails, a dive fixes the decisions one at
//! a time, re-solving the relaxation after each.

use std::collections::HashMap;
use std::time::Instant;

use serde::Serialize;

use crate::allocate::AllocationOptions;
use crate::allocate::model::{Model, Row, RowRole, Sense};
use crate::allocate::solve::{Backend, Integers, Outcome, Solved, solve};
use crate::allocate::{slope_scaling, warm_drops, whole_units};
use crate::error::{Error, Result};

/// The stage of the allocation a MILP search solved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MilpStage {
    /// The first stage: weighted relative shortfall of expected targets and unmet need.
    Shortfall,
    /// The second stage: cost, with the first stage held.
    Cost,
    /// One weighted objective: cost + weight × shortfall.
    Weighted,
}

/// Who found the integer decisions of a stage's plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FoundBy {
    /// The MILP backend's search.
    Search,
    /// Rounding the LP relaxation to whole modules and counts, then solving the LP left.
    Rounding,
}

/// How far a MILP stage's plan may be from the best plan: the stage's objective at the
/// plan, a lower bound on any plan's objective, and their relative gap
/// (objective − bound) / max(|objective|, 1).
///
/// # Examples
///
/// ```
/// use popalloc::allocate::{FoundBy, MilpGap, MilpStage};
///
/// let gap = MilpGap::new(MilpStage::Cost, 34_500.0, 33_782.0, false, FoundBy::Rounding);
/// assert!((gap.gap - 718.0 / 34_500.0).abs() < 1e-12);
/// assert!(!gap.proven_optimal);
/// assert_eq!(
///     gap.to_string(),
///     "cost stage: 34500.00 against a bound of 33782.00, gap 2.081 %, found by rounding; \
///      not proven optimal"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MilpGap {
    /// The stage.
    pub stage: MilpStage,
    /// The stage's objective at the plan.
    pub objective: f64,
    /// A lower bound on the objective of any plan: the LP relaxation's optimum (or the
    /// optimum of the MILP with only the modules relaxed, when that is higher), or the
    /// objective itself when the backend's search proved the plan optimal.
    pub bound: f64,
    /// (objective − bound) / max(|objective|, 1), never below 0: 0 when the search proved
    /// the plan optimal, at most the stage tolerance when rounding reached the bound.
    pub gap: f64,
    /// Whether the plan is optimal (the backend proved it, or it reaches the relaxation's
    /// bound to the stage tolerance).
    pub proven_optimal: bool,
    /// Who found the plan's integer decisions.
    pub found_by: FoundBy,
}

impl MilpGap {
    /// The gap of a plan with objective `objective` against the bound `bound` (a bound above
    /// the objective is solver noise: it is taken as the objective).
    pub fn new(
        stage: MilpStage,
        objective: f64,
        bound: f64,
        proven_optimal: bool,
        found_by: FoundBy,
    ) -> Self {
        let bound = bound.min(objective);
        Self {
            stage,
            objective,
            bound,
            gap: relative_gap(objective, bound),
            proven_optimal,
            found_by,
        }
    }
}

impl std::fmt::Display for MilpGap {
    /// One line for a summary or memo, e.g. "cost stage: 33815.53 against a bound of
    /// 33782.03, gap 0.099 %, found by rounding; not proven optimal".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let stage = match self.stage {
            MilpStage::Shortfall => "shortfall stage",
            MilpStage::Cost => "cost stage",
            MilpStage::Weighted => "weighted stage",
        };
        let found_by = match self.found_by {
            FoundBy::Search => "the search",
            FoundBy::Rounding => "rounding",
        };
        let verdict = if self.proven_optimal {
            "optimal"
        } else {
            "not proven optimal"
        };
        write!(
            f,
            "{stage}: {:.2} against a bound of {:.2}, gap {:.3} %, found by {found_by}; {verdict}",
            self.objective,
            self.bound,
            100.0 * self.gap
        )
    }
}

/// (objective − bound) / max(|objective|, 1), never below 0.
pub(crate) fn relative_gap(objective: f64, bound: f64) -> f64 {
    ((objective - bound) / objective.abs().max(1.0)).max(0.0)
}

/// A stage's plan and, for a MILP, its gap.
pub(crate) type StagePlan = (Solved, Option<MilpGap>);

/// What a stage found.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum StageOutcome {
    /// A plan, with its gap when the model has integer variables.
    Solved(Solved, Option<MilpGap>),
    /// No plan holds every hard row.
    Infeasible,
}

/// How a stage is solved.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StageSettings<'a> {
    /// Which stage.
    pub stage: MilpStage,
    /// The backend of the MILP search (or of the LP, for a model without integers).
    pub backend: Backend,
    /// Time limit of the MILP search, seconds.
    pub time_limit_seconds: f64,
    /// A plan whose objective is within this relative gap of the relaxation's bound is
    /// taken as optimal without a search.
    pub tolerance: f64,
    /// A plan known to hold every hard row of this stage (the first stage's plan, in the
    /// second): its integer decisions are one more rounding to try.
    pub known: Option<&'a [f64]>,
}

impl<'a> StageSettings<'a> {
    /// The settings of `stage` from the allocation's options.
    pub fn new(
        stage: MilpStage,
        backend: Backend,
        options: &AllocationOptions,
        known: Option<&'a [f64]>,
    ) -> Self {
        Self {
            stage,
            backend,
            time_limit_seconds: options.time_limit_seconds,
            tolerance: options.stage_tolerance,
            known,
        }
    }
}

/// Minimises `objective` over the model and `extra` rows. An LP goes straight to its
/// backend. A MILP with modules: relaxation, rounding and repair, then the backend's search
/// from the rounded plan; the better of the two is returned with its gap. A MILP without
/// modules goes to the search first, and is rounded only when the search does not prove a
/// plan optimal. When neither gives a plan (the search stopped without one, and no rounding
/// holds), the error says so and names what would help.
pub(crate) fn solve_stage(
    model: &Model,
    objective: &[(usize, f64)],
    extra: &[Row],
    settings: &StageSettings<'_>,
) -> Result<StageOutcome> {
    if whole_units::has_whole_units(model) {
        whole_units::solve_whole(model, objective, extra, settings)
    } else {
        solve_amounts(model, objective, extra, settings)
    }
}

/// As [`solve_stage`], for a model whose amounts (additions, conversions) are continuous.
pub(crate) fn solve_amounts(
    model: &Model,
    objective: &[(usize, f64)],
    extra: &[Row],
    settings: &StageSettings<'_>,
) -> Result<StageOutcome> {
    let limit = settings.time_limit_seconds;
    // The stage's objective and extra rows, on `model` from `start` with `backend`.
    let run = |model: &Model, start: Integers<'_>, backend: Backend| {
        solve(model, objective, None, extra, start, backend, limit)
    };
    if !model.is_mixed_integer() {
        return Ok(match run(model, Integers::Keep, settings.backend)? {
            Outcome::Optimal(s) => StageOutcome::Solved(s, None),
            Outcome::Infeasible => StageOutcome::Infeasible,
        });
    }
    // Without modules (area counts, draws covered) the search alone usually proves its plan
    // at once: rounding serves only when it does not.
    let search_first = modules(model).is_empty();
    let mut searched = None;
    if search_first {
        let result = run(model, Integers::Keep, settings.backend);
        match result {
            Ok(Outcome::Optimal(found)) if found.proven => {
                let value = Model::evaluate(objective, &found.values);
                let gap = MilpGap::new(settings.stage, value, value, true, FoundBy::Search);
                return Ok(StageOutcome::Solved(found, Some(gap)));
            }
            Ok(Outcome::Infeasible) => return Ok(StageOutcome::Infeasible),
            Err(e) if !matches!(e, Error::Solver { .. }) => return Err(e),
            other => searched = Some(other),
        }
    }
    // The relaxation: no integer plan does better, and none exists when it is infeasible.
    let relaxation = match run(&relaxed(model), Integers::Keep, Backend::Clarabel)? {
        Outcome::Optimal(s) => s,
        Outcome::Infeasible => return Ok(StageOutcome::Infeasible),
    };
    let relaxed_bound = Model::evaluate(objective, &relaxation.values);
    let repaired = round_and_repair(model, objective, extra, &relaxation.values, settings)?;
    let bound = repaired
        .bound
        .map_or(relaxed_bound, |b| b.max(relaxed_bound));
    let rounded = repaired.values;
    let gap_of = |values: &[f64], proven: bool, found_by: FoundBy| {
        let value = Model::evaluate(objective, values);
        let proven_by_search = proven && found_by == FoundBy::Search;
        let bound = if proven_by_search { value } else { bound };
        MilpGap::new(settings.stage, value, bound, proven, found_by)
    };
    if let Some(values) = &rounded {
        let value = Model::evaluate(objective, values);
        if relative_gap(value, bound) <= settings.tolerance {
            let gap = gap_of(values, true, FoundBy::Rounding);
            return Ok(StageOutcome::Solved(
                from_rounding(values.clone(), true),
                Some(gap),
            ));
        }
    }
    // microlp's branch and bound does not close the weak bound of fixed project costs
    // within any time limit: the rounded plan is kept with its gap (HiGHS searches on).
    if let (Backend::Microlp, Some(values), None) = (settings.backend, &rounded, &searched)
        && slope_scaling::has_fixed_costs(model, objective)
    {
        let gap = gap_of(values, false, FoundBy::Rounding);
        return Ok(StageOutcome::Solved(
            from_rounding(values.clone(), false),
            Some(gap),
        ));
    }
    let searched = match searched {
        Some(result) => result,
        None => run(
            model,
            rounded.as_deref().map_or(Integers::Keep, Integers::Start),
            settings.backend,
        ),
    };
    let keep_rounded = |values: Vec<f64>| {
        let gap = gap_of(&values, false, FoundBy::Rounding);
        Ok(StageOutcome::Solved(
            from_rounding(values, false),
            Some(gap),
        ))
    };
    match (searched, rounded) {
        (Ok(Outcome::Optimal(found)), rounded) => {
            let value = Model::evaluate(objective, &found.values);
            match rounded {
                // The search stopped with a plan worse than the rounded one.
                Some(r) if !found.proven && Model::evaluate(objective, &r) < value => {
                    keep_rounded(r)
                }
                _ => {
                    let gap = gap_of(&found.values, found.proven, FoundBy::Search);
                    Ok(StageOutcome::Solved(found, Some(gap)))
                }
            }
        }
        // The rounded plan holds every row: the backend's verdict is a fault of its own.
        (Ok(Outcome::Infeasible) | Err(Error::Solver { .. }), Some(r)) => keep_rounded(r),
        (Ok(Outcome::Infeasible), None) => Ok(StageOutcome::Infeasible),
        (Err(Error::Solver { backend, detail }), None) => Err(gave_up(backend, &detail, limit)),
        (Err(e), _) => Err(e),
    }
}

/// The error when neither the search nor rounding gave a plan, naming what would help.
fn gave_up(backend: &'static str, detail: &str, limit: f64) -> Error {
    let help = if cfg!(feature = "highs") {
        "a longer time limit (AllocationOptions::time_limit_seconds) may find one"
    } else {
        "build with --features highs for MILPs of this size"
    };
    Error::Solver {
        backend,
        detail: format!(
            "found no plan within the time limit ({limit} s): {detail}; no rounding of the LP \
             relaxation to whole modules holds either; {help}"
        ),
    }
}

/// A rounded plan as a solve's result (proven when it reaches the bound).
fn from_rounding(values: Vec<f64>, proven: bool) -> Solved {
    Solved {
        values,
        duals: None,
        proven,
    }
}

/// The model with every integer variable relaxed to its bounds.
fn relaxed(model: &Model) -> Model {
    let mut relaxed = model.clone();
    for v in &mut relaxed.variables {
        v.integer = false;
    }
    relaxed
}

/// A module: the binary `built` of an addition `add` that is 0 or at least `minimum`, in
/// `group` (service, variant, area) and `year`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Module {
    built: usize,
    add: usize,
    minimum: f64,
    group: (usize, usize, usize),
    year: i32,
}

/// The modules of the model, read from its `module_min` rows (add − minimum × built ≥ 0),
/// ordered by group and year.
fn modules(model: &Model) -> Vec<Module> {
    let mut found: Vec<Module> = model
        .rows
        .iter()
        .filter(|r| r.sense == Sense::AtLeast)
        .filter_map(|r| {
            let RowRole::Module { service, variant } = r.role else {
                return None;
            };
            let add = r.terms.iter().find(|(_, c)| *c > 0.0)?.0;
            let &(built, coefficient) = r.terms.iter().find(|(_, c)| *c < 0.0)?;
            Some(Module {
                built,
                add,
                minimum: -coefficient,
                group: (service, variant, r.area?),
                year: r.year?,
            })
        })
        .collect();
    found.sort_by_key(|m| (m.group, m.year));
    found
}

/// Below this, a relaxed addition (units) is solver noise, not capacity to build.
const ADDS_CAPACITY: f64 = 1e-3;

/// Above this, a relaxed binary other than a module's rounds up.
const ROUNDS_UP: f64 = 1e-4;

/// How module binaries are rounded.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ModuleRule {
    /// One module in the first year the relaxation adds capacity in the group.
    FirstYear,
    /// A module in every year the relaxation adds capacity.
    EveryYear,
}

/// How the other integer variables are rounded.
#[derive(Debug, Clone, Copy, PartialEq)]
enum OtherRule {
    Up,
    Nearest,
}

/// The relaxed values with every integer variable rounded by the rules.
fn rounding(
    model: &Model,
    relaxation: &[f64],
    modules: &[Module],
    module_rule: ModuleRule,
    other_rule: OtherRule,
) -> Vec<f64> {
    let mut values = relaxation.to_vec();
    for (k, v) in model.variables.iter().enumerate() {
        if v.integer {
            let x = relaxation[k];
            values[k] = match other_rule {
                OtherRule::Up => (x - ROUNDS_UP).ceil(),
                OtherRule::Nearest => x.round(),
            }
            .clamp(v.lower, v.upper);
        }
    }
    let mut seen_in_group: Option<(usize, usize, usize)> = None;
    for m in modules {
        let adds = relaxation[m.add] > ADDS_CAPACITY;
        let first_in_group = seen_in_group != Some(m.group);
        let build = match module_rule {
            ModuleRule::EveryYear => adds,
            ModuleRule::FirstYear => {
                let build = adds && first_in_group;
                if build {
                    seen_in_group = Some(m.group);
                }
                build
            }
        };
        values[m.built] = if build { 1.0 } else { 0.0 };
    }
    values
}

/// Drops modules where a hard row with no negative term (a cap, a budget) cannot hold the
/// minimum additions of the modules built in it: the module with the smallest relaxed
/// addition goes first, until every such row can hold.
fn drop_over_caps(model: &Model, modules: &[Module], relaxation: &[f64], values: &mut [f64]) {
    let by_add: HashMap<usize, &Module> = modules.iter().map(|m| (m.add, m)).collect();
    let module_of_add = |var: usize| by_add.get(&var).copied();
    for row in &model.rows {
        let holds_minimums = row.sense == Sense::AtMost
            && row.slack.is_empty()
            && row.terms.iter().all(|&(_, c)| c >= 0.0);
        if !holds_minimums {
            continue;
        }
        loop {
            let built: Vec<(&Module, f64)> = row
                .terms
                .iter()
                .filter_map(|&(var, c)| module_of_add(var).map(|m| (m, c)))
                .filter(|(m, _)| values[m.built] > 0.5)
                .collect();
            let forced: f64 = row
                .terms
                .iter()
                .map(|&(var, c)| c * model.variables[var].lower.max(0.0))
                .sum::<f64>()
                + built.iter().map(|(m, c)| c * m.minimum).sum::<f64>();
            if forced <= row.rhs + 1e-9 * row.rhs.abs().max(1.0) {
                break;
            }
            let Some((smallest, _)) = built
                .iter()
                .min_by(|a, b| relaxation[a.0.add].total_cmp(&relaxation[b.0.add]))
            else {
                break;
            };
            values[smallest.built] = 0.0;
        }
    }
}

/// What rounding found: the cheapest plan, and a bound tighter than the LP relaxation's
/// when the MILP with only the modules relaxed was solved to optimality.
struct Repaired {
    values: Option<Vec<f64>>,
    bound: Option<f64>,
}

/// The cheapest rounding that holds every row once the LP left is solved, improved by
/// dropping modules one at a time; the dive when no rounding holds. A plan counts as
/// cheaper only by more than the stage tolerance, so that the earlier rule wins ties of
/// solver noise.
fn round_and_repair(
    model: &Model,
    objective: &[(usize, f64)],
    extra: &[Row],
    relaxation: &[f64],
    settings: &StageSettings<'_>,
) -> Result<Repaired> {
    let started = Instant::now();
    let modules = modules(model);
    let others = model
        .variables
        .iter()
        .enumerate()
        .any(|(k, v)| v.integer && !modules.iter().any(|m| m.built == k));
    // Points to round: with modules and other integer decisions (area counts) both, first
    // the MILP with only the modules relaxed, whose counts agree with the capacity it
    // builds; then the full relaxation.
    let mut points: Vec<Vec<f64>> = Vec::new();
    let mut bound = None;
    let both = others && !modules.is_empty();
    if let Some(solved) = both
        .then(|| modules_relaxed(model, objective, extra, &modules, settings))
        .transpose()?
        .flatten()
    {
        if solved.proven {
            bound = Some(Model::evaluate(objective, &solved.values));
        }
        points.push(solved.values);
    }
    // With fixed project costs, the projects slope scaling settles on come first.
    if let Some(point) = slope_scaling::slope_scaled_point(model, objective, extra, settings)? {
        points.insert(0, point);
    }
    points.push(relaxation.to_vec());
    let mut trials: Vec<Vec<f64>> = Vec::new();
    for point in &points {
        for (module_rule, other_rule) in [
            (ModuleRule::FirstYear, OtherRule::Up),
            (ModuleRule::EveryYear, OtherRule::Up),
            (ModuleRule::FirstYear, OtherRule::Nearest),
        ] {
            let mut values = rounding(model, point, &modules, module_rule, other_rule);
            drop_over_caps(model, &modules, point, &mut values);
            trials.push(values);
        }
    }
    trials.extend(settings.known.map(<[f64]>::to_vec));
    let cheaper = |value: f64, than: f64| value < than - settings.tolerance * than.abs().max(1.0);
    let mut tried: Vec<Vec<f64>> = Vec::new();
    let mut best: Option<(f64, Vec<f64>)> = None;
    for trial in &trials {
        let key = decisions(model, trial);
        if tried.contains(&key) {
            continue;
        }
        tried.push(key);
        let Some(values) = fixed_lp(model, objective, extra, trial, settings)? else {
            continue;
        };
        let value = Model::evaluate(objective, &values);
        if best.as_ref().is_none_or(|(b, _)| cheaper(value, *b)) {
            best = Some((value, values));
        }
    }
    let Some((mut best_value, mut best_values)) = best else {
        let values = dive(model, objective, extra, relaxation, settings)?;
        return Ok(Repaired { values, bound });
    };
    // Drop modules one at a time, the smallest addition first: a module built only to
    // reach its minimum may cost more than serving its need from next door. The other
    // integer decisions (area counts) are re-chosen with each drop. One pass, so that the
    // plan does not depend on the machine's speed (the time limit only guards models far
    // larger than a district's).
    // Nothing to gain where the plan already reaches the relaxation's bound (a shortfall
    // stage that serves all it can).
    let relaxed_bound = Model::evaluate(objective, relaxation);
    if relative_gap(best_value, relaxed_bound) <= settings.tolerance {
        return Ok(Repaired {
            values: Some(best_values),
            bound,
        });
    }
    let mut built: Vec<&Module> = modules
        .iter()
        .filter(|m| best_values[m.built] > 0.5)
        .collect();
    built.sort_by(|a, b| best_values[a.add].total_cmp(&best_values[b.add]));
    let order: Vec<usize> = built.iter().map(|m| m.built).collect();
    let out_of_time = || started.elapsed().as_secs_f64() > settings.time_limit_seconds;
    // The plan once `dropped` are dropped, solved the usual way (area counts re-chosen).
    let without = |dropped: &[usize], best: &[f64]| -> Result<Option<Vec<f64>>> {
        let mut trial = best.to_vec();
        for &b in dropped {
            trial[b] = 0.0;
        }
        if others {
            modules_fixed(model, objective, extra, &modules, &trial, settings)
        } else {
            fixed_lp(model, objective, extra, &trial, settings)
        }
    };
    // From a warm start where it can be set up (see `warm_drops`); the drops it keeps are
    // then solved once from scratch.
    let warm = warm_drops::modules_to_drop(
        model,
        objective,
        extra,
        &best_values,
        &order,
        settings.tolerance,
        &out_of_time,
    );
    if let Some(dropped) = warm {
        if !dropped.is_empty()
            && let Some(values) = without(&dropped, &best_values)?
        {
            let value = Model::evaluate(objective, &values);
            if cheaper(value, best_value) {
                best_values = values;
            }
        }
        return Ok(Repaired {
            values: Some(best_values),
            bound,
        });
    }
    for b in order {
        if out_of_time() {
            break;
        }
        if let Some(values) = without(&[b], &best_values)? {
            let value = Model::evaluate(objective, &values);
            if cheaper(value, best_value) {
                (best_value, best_values) = (value, values);
            }
        }
    }
    Ok(Repaired {
        values: Some(best_values),
        bound,
    })
}

/// The integer decisions of `values`, rounded.
fn decisions(model: &Model, values: &[f64]) -> Vec<f64> {
    model
        .variables
        .iter()
        .enumerate()
        .filter(|(_, v)| v.integer)
        .map(|(k, _)| values[k].round())
        .collect()
}

/// The MILP left when the module binaries are fixed at `values` (the other integer
/// decisions free), solved on the stage's backend within a quarter of the time limit; its
/// values, or `None` without a plan.
fn modules_fixed(
    model: &Model,
    objective: &[(usize, f64)],
    extra: &[Row],
    modules: &[Module],
    values: &[f64],
    settings: &StageSettings<'_>,
) -> Result<Option<Vec<f64>>> {
    let fixed = with_modules(model, objective, extra, modules, settings, |m, variable| {
        let built = values[m.built].round().clamp(0.0, 1.0);
        variable.lower = built;
        variable.upper = built;
    });
    Ok(fixed?.map(|s| s.values))
}

/// An attempt's solve, where no plan (infeasible, or a numerical fault of the backend)
/// rules the attempt out rather than failing the run: `Some(solution)` or `None`.
fn attempt(solved: Result<Outcome>) -> Result<Option<Solved>> {
    match solved {
        Ok(Outcome::Optimal(s)) => Ok(Some(s)),
        Ok(Outcome::Infeasible) | Err(Error::Solver { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The MILP with the module binaries relaxed (the other integer decisions kept), solved on
/// the stage's backend within a quarter of the time limit, or `None` without a plan. Its
/// optimum, when proven, bounds the MILP's more tightly than the LP relaxation.
fn modules_relaxed(
    model: &Model,
    objective: &[(usize, f64)],
    extra: &[Row],
    modules: &[Module],
    settings: &StageSettings<'_>,
) -> Result<Option<Solved>> {
    with_modules(model, objective, extra, modules, settings, |_, variable| {
        variable.integer = false;
    })
}

/// The stage's MILP with each module binary changed by `change` (fixed, relaxed), solved
/// on the stage's backend within a quarter of the time limit, or `None` without a plan.
fn with_modules(
    model: &Model,
    objective: &[(usize, f64)],
    extra: &[Row],
    modules: &[Module],
    settings: &StageSettings<'_>,
    change: impl Fn(&Module, &mut crate::allocate::model::Variable),
) -> Result<Option<Solved>> {
    let mut rest = model.clone();
    for m in modules {
        change(m, &mut rest.variables[m.built]);
    }
    attempt(solve(
        &rest,
        objective,
        None,
        extra,
        Integers::Keep,
        settings.backend,
        settings.time_limit_seconds / 4.0,
    ))
}

/// The LP left when the integer variables are fixed at `values` (rounded), solved; its
/// values with the integers exactly whole, or `None` when it has no solution.
pub(crate) fn fixed_lp(
    model: &Model,
    objective: &[(usize, f64)],
    extra: &[Row],
    values: &[f64],
    settings: &StageSettings<'_>,
) -> Result<Option<Vec<f64>>> {
    let solved = solve(
        model,
        objective,
        None,
        extra,
        Integers::FixedAt(values),
        Backend::Clarabel,
        settings.time_limit_seconds,
    );
    // A numerical fault on one rounding only rules that rounding out.
    Ok(attempt(solved)?.map(|s| {
        let mut out = s.values;
        for (k, v) in model.variables.iter().enumerate() {
            if v.integer {
                out[k] = values[k].round().clamp(v.lower, v.upper);
            }
        }
        out
    }))
}

/// Diving: fix every integer variable the relaxation leaves whole, then the fractional one
/// nearest 1 at 1 (at 0 when that is infeasible), re-solve the relaxation, and repeat until
/// every decision is fixed; stops at the time limit.
fn dive(
    model: &Model,
    objective: &[(usize, f64)],
    extra: &[Row],
    relaxation: &[f64],
    settings: &StageSettings<'_>,
) -> Result<Option<Vec<f64>>> {
    let started = Instant::now();
    let mut diving = relaxed(model);
    let integer: Vec<usize> = (0..model.variables.len())
        .filter(|&k| model.variables[k].integer)
        .collect();
    let mut values = relaxation.to_vec();
    let fix = |m: &mut Model, k: usize, x: f64| {
        m.variables[k].lower = x;
        m.variables[k].upper = x;
    };
    while started.elapsed().as_secs_f64() < settings.time_limit_seconds {
        let free: Vec<usize> = integer
            .iter()
            .copied()
            .filter(|&k| diving.variables[k].lower < diving.variables[k].upper)
            .collect();
        let fractional: Vec<usize> = free
            .iter()
            .copied()
            .filter(|&k| (values[k] - values[k].round()).abs() > ROUNDS_UP)
            .collect();
        for &k in &free {
            if !fractional.contains(&k) {
                fix(&mut diving, k, values[k].round());
            }
        }
        let Some(&next) = fractional.iter().max_by(|&&a, &&b| {
            (values[a] - values[a].floor()).total_cmp(&(values[b] - values[b].floor()))
        }) else {
            return fixed_lp(model, objective, extra, &values, settings);
        };
        let mut solved = None;
        for x in [values[next].ceil(), values[next].floor()] {
            let mut trial = diving.clone();
            fix(&mut trial, next, x);
            if let Ok(Outcome::Optimal(s)) = solve(
                &trial,
                objective,
                None,
                extra,
                Integers::Keep,
                Backend::Clarabel,
                settings.time_limit_seconds,
            ) {
                solved = Some((trial, s.values));
                break;
            }
        }
        let Some((trial, next_values)) = solved else {
            return Ok(None);
        };
        diving = trial;
        values = next_values;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three binaries of which exactly one is 1, at equal cost: the relaxation sits at 1/3
    /// each, so rounding up (all 1) and to the nearest (all 0) both break the row.
    fn pick_one() -> Model {
        let mut model = Model::new();
        let picks: Vec<usize> = (0..3).map(|k| model.binary(format!("pick_{k}"))).collect();
        model.row(Row {
            name: "exactly_one".into(),
            role: RowRole::StageHold,
            area: None,
            year: None,
            terms: picks.iter().map(|&p| (p, 1.0)).collect(),
            sense: Sense::Equal,
            rhs: 1.0,
            slack: Vec::new(),
        });
        model.cost = picks.iter().map(|&p| (p, 1.0)).collect();
        model
    }

    fn settings(limit: f64) -> StageSettings<'static> {
        StageSettings {
            stage: MilpStage::Cost,
            backend: Backend::Microlp,
            time_limit_seconds: limit,
            tolerance: 1e-7,
            known: None,
        }
    }

    #[test]
    fn a_search_that_stops_without_a_plan_is_a_solver_error_naming_what_helps() {
        let model = pick_one();
        // No time: no dive, and microlp stops before its first incumbent.
        match solve_stage(&model, &model.cost.clone(), &[], &settings(0.0)) {
            // With the feature, microlp's failure is retried on HiGHS, which may solve
            // so small a model before it looks at the clock.
            Ok(StageOutcome::Solved(s, _)) if cfg!(feature = "highs") => {
                assert_eq!(s.values.iter().map(|x| x.round()).sum::<f64>(), 1.0);
            }
            Err(Error::Solver { backend, detail }) => {
                assert_eq!(backend, "microlp");
                assert!(detail.contains("time limit"), "{detail}");
                let help = if cfg!(feature = "highs") {
                    "longer time limit"
                } else {
                    "--features highs"
                };
                assert!(detail.contains(help), "{detail}");
            }
            other => panic!("expected a solver error, got {other:?}"),
        }
    }

    #[test]
    fn the_dive_finds_a_plan_where_rounding_cannot() {
        let model = pick_one();
        let relaxation = [1.0 / 3.0; 3];
        let found = round_and_repair(&model, &model.cost, &[], &relaxation, &settings(10.0))
            .unwrap()
            .values
            .expect("a plan from the dive");
        let picked: Vec<f64> = found.iter().map(|x| x.round()).collect();
        assert_eq!(picked.iter().sum::<f64>(), 1.0, "{found:?}");
        assert!(found.iter().all(|x| (x - x.round()).abs() < 1e-9));
    }

    /// One street may add 0 or at least 50 beds, in two years, and must hold 40 more by
    /// the second year at a cost of 1 per bed: the relaxation adds 40 in year one (as a
    /// fraction of a module); rounding builds one module of 50 in year one.
    #[test]
    fn modules_are_built_whole_in_the_first_year_the_relaxation_adds() {
        let mut model = Model::new();
        let add: Vec<usize> = (0..2)
            .map(|t| model.continuous(format!("add_{t}")))
            .collect();
        let built: Vec<usize> = (0..2).map(|t| model.binary(format!("build_{t}"))).collect();
        for t in 0..2 {
            for (name, coefficient, sense) in [
                ("module_min", -50.0, Sense::AtLeast),
                ("module_max", -400.0, Sense::AtMost),
            ] {
                model.row(Row {
                    name: format!("{name}_{t}"),
                    role: RowRole::Module {
                        service: 0,
                        variant: 0,
                    },
                    area: Some(0),
                    year: Some(2021 + t as i32),
                    terms: vec![(add[t], 1.0), (built[t], coefficient)],
                    sense,
                    rhs: 0.0,
                    slack: Vec::new(),
                });
            }
        }
        model.row(Row {
            name: "need_by_year_two".into(),
            role: RowRole::Target { target: 0 },
            area: None,
            year: Some(2022),
            terms: vec![(add[0], 1.0), (add[1], 1.0)],
            sense: Sense::AtLeast,
            rhs: 40.0,
            slack: Vec::new(),
        });
        model.cost = vec![(add[0], 1.0), (add[1], 1.0)];
        assert_eq!(modules(&model).len(), 2);
        let mut relaxation = vec![0.0; model.variables.len()];
        relaxation[add[0]] = 40.0;
        relaxation[built[0]] = 0.1;
        let rounded = rounding(
            &model,
            &relaxation,
            &modules(&model),
            ModuleRule::FirstYear,
            OtherRule::Up,
        );
        assert_eq!((rounded[built[0]], rounded[built[1]]), (1.0, 0.0));
        // Without time for a search, the rounded plan with its gap to the relaxation (40);
        // with time, microlp proves the same plan optimal.
        for (limit, found_by, bound) in [
            (0.0, FoundBy::Rounding, 40.0),
            (10.0, FoundBy::Search, 50.0),
        ] {
            match solve_stage(&model, &model.cost.clone(), &[], &settings(limit)).unwrap() {
                StageOutcome::Solved(s, Some(gap)) => {
                    assert!((s.values[add[0]] + s.values[add[1]] - 50.0).abs() < 1e-6);
                    assert!(s.values[add[1]].abs() < 1e-6 || s.values[add[1]] >= 50.0 - 1e-6);
                    // With the feature, HiGHS may find the plan itself: proven at once
                    // with time, or unproven (the relaxation's bound of 40) without.
                    if cfg!(feature = "highs") && gap.found_by == FoundBy::Search {
                        assert!((gap.objective - 50.0).abs() < 1e-6, "{gap:?}");
                        let proven = gap.proven_optimal && gap.gap.abs() < 1e-9;
                        let unproven = !gap.proven_optimal && (gap.bound - 40.0).abs() < 1e-4;
                        assert!(proven || unproven, "{gap:?}");
                        continue;
                    }
                    assert_eq!(gap.found_by, found_by, "{gap:?}");
                    assert!((gap.objective - 50.0).abs() < 1e-6, "{gap:?}");
                    assert!((gap.bound - bound).abs() < 1e-4, "{gap:?}");
                    assert!((gap.gap - (50.0 - bound) / 50.0).abs() < 1e-5, "{gap:?}");
                    assert_eq!(gap.proven_optimal, found_by == FoundBy::Search);
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}
