//! Handing the model to a backend through good_lp, by name: clarabel for LPs and duals,
//! microlp for small MILPs under a time limit, HiGHS with the `highs` feature.
//!
//! Every solve passes the same guards first: a model whose numbers are not all finite is
//! refused, and one that leaves a backend nothing to do (no variables, or no row that
//! involves a variable: a scenario without services) is solved here, without a backend
//! (clarabel panics on an empty model). Values come back cleaned (inside their bounds,
//! near-whole integers whole), and clarabel's answers are checked against their own duals.

use good_lp::{
    Expression, ProblemVariables, ResolutionError, Solution, SolutionStatus, SolutionWithDual,
    SolverModel, Variable as LpVariable, WithTimeLimit, constraint::ConstraintReference, variable,
};

use crate::allocate::OPTIMALITY_TOLERANCE;
use crate::allocate::model::{Model, Row, RowRole, Sense};
use crate::error::{Error, Result};

/// The solver a model is handed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// Clarabel (pure Rust, interior point): LPs and their duals; no integer variables.
    Clarabel,
    /// microlp (pure Rust, simplex with branch and bound): small MILPs, under a time limit.
    Microlp,
    /// HiGHS (C++, the `highs` cargo feature): LPs and MILPs at scale.
    #[cfg(feature = "highs")]
    Highs,
}

impl Backend {
    /// The backend's name as used in messages and options.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Clarabel => "clarabel",
            Backend::Microlp => "microlp",
            #[cfg(feature = "highs")]
            Backend::Highs => "highs",
        }
    }
}

/// One solve's result: variable values and, where the backend gives them, row duals
/// (d objective / d right-hand side).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Solved {
    /// One value per variable of the model, cleaned (see [`clean`]).
    pub values: Vec<f64>,
    /// One dual per row of the model (0 for a row the solve left out), then one per extra
    /// row, in order.
    pub duals: Option<Vec<f64>>,
    /// False when a MILP search stopped (time or gap limit) with a plan it had not proven
    /// optimal.
    pub proven: bool,
}

/// What a solve found.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    Optimal(Solved),
    Infeasible,
}

/// How the integer variables are treated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Integers<'a> {
    /// As declared.
    Keep,
    /// Fixed at these values (rounded), leaving an LP.
    FixedAt(&'a [f64]),
    /// As declared, with these values (a feasible plan) handed to the backend as its first
    /// incumbent: microlp takes the integer decisions and completes the rest, HiGHS takes
    /// every value.
    Start(&'a [f64]),
}

impl Integers<'_> {
    /// Whether integer variables stay integer.
    fn keeps(self) -> bool {
        matches!(self, Integers::Keep | Integers::Start(_))
    }
}

/// Minimises `objective` subject to the rows of `model` that `active` keeps (all when
/// `None`) plus `extra` rows, on `backend`; a backend fault (numerical trouble, a time
/// limit) is retried once on another backend that can take the model — microlp for an LP
/// clarabel failed on, clarabel (or HiGHS with the feature) for what microlp failed on —
/// and reported as [`Error::Solver`] naming both when that fails too.
pub(crate) fn solve(
    model: &Model,
    objective: &[(usize, f64)],
    active: Option<&[bool]>,
    extra: &[Row],
    integers: Integers<'_>,
    backend: Backend,
    time_limit_seconds: f64,
) -> Result<Outcome> {
    let first = solve_on(
        model,
        objective,
        active,
        extra,
        integers,
        backend,
        time_limit_seconds,
    );
    let Err(Error::Solver { detail, .. }) = &first else {
        return first;
    };
    let integer = integers.keeps() && model.is_mixed_integer();
    let fallback = match backend {
        Backend::Clarabel => Some(Backend::Microlp),
        #[cfg(feature = "highs")]
        Backend::Microlp => Some(Backend::Highs),
        #[cfg(not(feature = "highs"))]
        Backend::Microlp if !integer => Some(Backend::Clarabel),
        #[cfg(not(feature = "highs"))]
        Backend::Microlp => None,
        #[cfg(feature = "highs")]
        Backend::Highs if !integer => Some(Backend::Clarabel),
        #[cfg(feature = "highs")]
        Backend::Highs => Some(Backend::Microlp),
    };
    let Some(fallback) = fallback else {
        return first;
    };
    match solve_on(
        model,
        objective,
        active,
        extra,
        integers,
        fallback,
        time_limit_seconds,
    ) {
        Err(Error::Solver { detail: second, .. }) => Err(Error::Solver {
            backend: backend.name(),
            detail: format!("{detail}; retried on {}: {second}", fallback.name()),
        }),
        other => other,
    }
}

/// The bounds each variable is solved within: its own, or, for an integer variable that
/// [`Integers::FixedAt`] fixes, its value there rounded to a whole number within its bounds.
/// A module's addition whose binary is fixed at 0 is fixed at 0 too (its `module_max` row
/// says as much; an interior-point solve would leave it at solver noise, 1e-6, which the
/// certificate then reads as a module built without its binary).
pub(crate) fn variable_bounds(model: &Model, integers: Integers<'_>) -> Vec<(f64, f64)> {
    let mut bounds = own_or_fixed_bounds(model, integers);
    if let Integers::FixedAt(_) = integers {
        for row in &model.rows {
            let is_module_max =
                matches!(row.role, RowRole::Module { .. }) && row.sense == Sense::AtMost;
            if !is_module_max {
                continue;
            }
            let binary_off = row
                .terms
                .iter()
                .any(|&(v, c)| c < 0.0 && model.variables[v].integer && bounds[v] == (0.0, 0.0));
            if binary_off {
                for &(v, c) in &row.terms {
                    if c > 0.0 && bounds[v].0 <= 0.0 {
                        bounds[v] = (bounds[v].0, 0.0_f64.max(bounds[v].0));
                    }
                }
            }
        }
    }
    bounds
}

/// Each variable's own bounds, or the whole value [`Integers::FixedAt`] fixes it at.
fn own_or_fixed_bounds(model: &Model, integers: Integers<'_>) -> Vec<(f64, f64)> {
    model
        .variables
        .iter()
        .enumerate()
        .map(|(k, v)| match integers {
            Integers::FixedAt(values) if v.integer => {
                let fixed = values
                    .get(k)
                    .copied()
                    .unwrap_or(0.0)
                    .round()
                    .max(v.lower)
                    .min(v.upper);
                (fixed, fixed)
            }
            _ => (v.lower, v.upper),
        })
        .collect()
}

/// The rows handed to a backend, each with the position of its dual in [`Solved::duals`]:
/// the model's rows that `active` keeps (at their own index), then the extra rows (after
/// the model's).
fn handed_rows<'m>(
    model: &'m Model,
    active: Option<&[bool]>,
    extra: &'m [Row],
) -> Vec<(usize, &'m Row)> {
    model
        .rows
        .iter()
        .enumerate()
        .filter(|(i, _)| active.is_none_or(|a| a.get(*i).copied().unwrap_or(true)))
        .chain(
            extra
                .iter()
                .enumerate()
                .map(|(k, r)| (model.rows.len() + k, r)),
        )
        .collect()
}

/// Refuses a model a backend cannot be trusted with: a number that is not finite (a
/// coefficient, a right-hand side, a lower bound) or a variable whose bounds are crossed.
fn check_numbers(
    model: &Model,
    objective: &[(usize, f64)],
    rows: &[(usize, &Row)],
    bounds: &[(f64, f64)],
    backend: Backend,
) -> Result<()> {
    let name = |v: usize| {
        model
            .variables
            .get(v)
            .map_or_else(|| format!("variable {v}"), |x| x.name.clone())
    };
    let refuse = |detail: String| {
        Err(Error::Solver {
            backend: backend.name(),
            detail,
        })
    };
    for &(v, c) in objective {
        if v >= bounds.len() || !c.is_finite() {
            return refuse(format!("the objective's coefficient of {} is {c}", name(v)));
        }
    }
    for (_, row) in rows {
        if !row.rhs.is_finite() {
            return refuse(format!("row {} has right-hand side {}", row.name, row.rhs));
        }
        if let Some(&(v, c)) = row
            .terms
            .iter()
            .find(|&&(v, c)| v >= bounds.len() || !c.is_finite())
        {
            return refuse(format!(
                "row {} has coefficient {c} on {}",
                row.name,
                name(v)
            ));
        }
    }
    for (v, &(lower, upper)) in bounds.iter().enumerate() {
        if !lower.is_finite() || upper.is_nan() || lower > upper {
            return refuse(format!(
                "variable {} has bounds {lower} to {upper}",
                name(v)
            ));
        }
    }
    Ok(())
}

/// Whether the rows leave nothing for a backend to do: no row involves a variable (no rows,
/// no variables, or only constant rows), so each variable can go to its best bound alone.
fn nothing_to_solve(rows: &[(usize, &Row)]) -> bool {
    rows.iter()
        .all(|(_, r)| r.terms.iter().all(|&(_, c)| c == 0.0))
}

/// Solves a model whose rows involve no variable, without a backend (clarabel panics on a
/// model without variables): each variable at the bound its objective coefficient favours
/// (the lower one when it has none), the rows checked as constants. Every dual is 0.
fn solve_without_backend(
    model: &Model,
    objective: &[(usize, f64)],
    rows: &[(usize, &Row)],
    bounds: &[(f64, f64)],
    integers: Integers<'_>,
    duals: usize,
    backend: Backend,
) -> Result<Outcome> {
    // Indexing by variable is safe: `check_numbers` has seen every index of the objective
    // below `bounds.len()`, which is the model's number of variables.
    let mut coefficient = vec![0.0; bounds.len()];
    for &(v, c) in objective {
        coefficient[v] += c;
    }
    let mut values = Vec::with_capacity(bounds.len());
    for (v, (&(lower, upper), &c)) in bounds.iter().zip(&coefficient).enumerate() {
        let whole = integers.keeps() && model.variables[v].integer;
        let (lower, upper) = if whole {
            (lower.ceil(), upper.floor())
        } else {
            (lower, upper)
        };
        if lower > upper {
            return Ok(Outcome::Infeasible);
        }
        let x = if c < 0.0 { upper } else { lower };
        if !x.is_finite() {
            return Err(Error::Solver {
                backend: backend.name(),
                detail: format!(
                    "the objective decreases without limit in {}",
                    model.variables[v].name
                ),
            });
        }
        values.push(x);
    }
    let holds = |row: &Row| {
        row.violation(&values) <= crate::allocate::CERTIFICATE_TOLERANCE * row.magnitude(&values)
    };
    if rows.iter().all(|(_, r)| holds(r)) {
        Ok(Outcome::Optimal(Solved {
            values,
            duals: Some(vec![0.0; duals]),
            proven: true,
        }))
    } else {
        Ok(Outcome::Infeasible)
    }
}

/// Values as the model may use them: each within its bounds (interior-point values stray
/// outside by rounding noise) and an integer variable within [`WHOLE_TOLERANCE`] of a
/// whole number made whole. A value that is not a number stays so, for the certificate
/// to name.
fn clean(model: &Model, values: Vec<f64>, bounds: &[(f64, f64)]) -> Vec<f64> {
    values
        .into_iter()
        .zip(bounds)
        .zip(&model.variables)
        .map(|((x, &(lower, upper)), var)| {
            if x.is_nan() {
                return x;
            }
            let x = x.max(lower).min(upper);
            if var.integer && (x - x.round()).abs() <= WHOLE_TOLERANCE {
                x.round()
            } else {
                x
            }
        })
        .collect()
}

/// How far from a whole number an integer variable's value may be and still count as
/// whole (branch and bound reports values such as 0.9999999997).
pub(crate) const WHOLE_TOLERANCE: f64 = 1e-6;

/// One solve on one backend, behind the guards: numbers checked, a model with nothing to
/// solve solved without a backend, values cleaned, and clarabel's answer checked against
/// its own duals (re-solved to tighter tolerances when it falls short of
/// [`OPTIMALITY_TOLERANCE`], or breaks a row by more than the certificate allows).
fn solve_on(
    model: &Model,
    objective: &[(usize, f64)],
    active: Option<&[bool]>,
    extra: &[Row],
    integers: Integers<'_>,
    backend: Backend,
    time_limit_seconds: f64,
) -> Result<Outcome> {
    let bounds = variable_bounds(model, integers);
    let rows = handed_rows(model, active, extra);
    check_numbers(model, objective, &rows, &bounds, backend)?;
    let dual_count = model.rows.len() + extra.len();
    if bounds.is_empty() || nothing_to_solve(&rows) {
        return solve_without_backend(
            model, objective, &rows, &bounds, integers, dual_count, backend,
        );
    }
    let integer = integers.keeps() && model.is_mixed_integer();
    let handed = Handed {
        model,
        objective,
        rows: &rows,
        bounds: &bounds,
        integer,
        start: match integers {
            Integers::Start(start) => Some(start),
            _ => None,
        },
        backend,
    };
    match backend {
        Backend::Clarabel => {
            if integer {
                // Clarabel panics on integer variables; never hand it one.
                return Err(Error::Solver {
                    backend: backend.name(),
                    detail: "clarabel cannot solve a model with integer variables".into(),
                });
            }
            let first = handed.clarabel(dual_count, Precision::Standard)?;
            let retry = match &first {
                Outcome::Optimal(solved) => {
                    !handed.is_optimal(solved) || !handed.is_feasible(solved)
                }
                _ => false,
            };
            if !retry {
                return Ok(first);
            }
            // The tight answer when it is one; a fault of the tight run keeps the first
            // answer (the certificate judges whichever is used).
            match handed.clarabel(dual_count, Precision::Tight) {
                Ok(tight @ Outcome::Optimal(_)) => Ok(tight),
                _ => Ok(first),
            }
        }
        Backend::Microlp => {
            let (problem, vars) = handed.variables();
            let lp = good_lp::microlp(problem.minimise(handed.expression(objective, &vars, 1.0)))
                .with_time_limit(time_limit_seconds);
            handed.values_only(lp, &vars)
        }
        #[cfg(feature = "highs")]
        Backend::Highs => {
            let (problem, vars) = handed.variables();
            let lp = good_lp::highs(problem.minimise(handed.expression(objective, &vars, 1.0)))
                .with_time_limit(time_limit_seconds);
            handed.values_only(lp, &vars)
        }
    }
}

/// How tightly clarabel is asked to converge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Precision {
    /// good_lp's settings (clarabel's defaults, feasibility to 1e-9).
    Standard,
    /// Gap and feasibility to 1e-11 with more iterations: the second try when the first
    /// answer's dual bound leaves a gap over [`OPTIMALITY_TOLERANCE`].
    Tight,
}

/// A model as handed to a backend: the rows kept, the bounds used, whether integers stay.
struct Handed<'a> {
    model: &'a Model,
    objective: &'a [(usize, f64)],
    rows: &'a [(usize, &'a Row)],
    bounds: &'a [(f64, f64)],
    integer: bool,
    /// A plan handed to the backend as its first incumbent ([`Integers::Start`]).
    start: Option<&'a [f64]>,
    backend: Backend,
}

impl Handed<'_> {
    /// good_lp's variables with their bounds (and integrality when kept), and the start's
    /// values as their initial values: microlp completes a partial start (the integer
    /// decisions) by its own LP, HiGHS takes every value.
    fn variables(&self) -> (ProblemVariables, Vec<LpVariable>) {
        let mut problem = ProblemVariables::new();
        let vars = self
            .bounds
            .iter()
            .zip(&self.model.variables)
            .enumerate()
            .map(|(k, (&(lower, upper), v))| {
                let mut def = variable().min(lower);
                if upper.is_finite() {
                    def = def.max(upper);
                }
                let hint = self
                    .start
                    .and_then(|start| start.get(k).copied())
                    .filter(|x| x.is_finite());
                if let Some(x) = hint.filter(|_| v.integer || self.backend != Backend::Microlp) {
                    def = def.initial(if v.integer { x.round() } else { x });
                }
                if self.integer && v.integer {
                    def = def.integer();
                }
                problem.add(def)
            })
            .collect();
        (problem, vars)
    }

    /// A linear expression of `terms`, each coefficient times `scale`.
    fn expression(&self, terms: &[(usize, f64)], vars: &[LpVariable], scale: f64) -> Expression {
        let mut e = Expression::with_capacity(terms.len());
        for &(v, c) in terms {
            e.add_mul(c * scale, vars[v]);
        }
        e
    }

    /// The rows as good_lp constraints, in order.
    fn constraints(&self, vars: &[LpVariable]) -> Vec<good_lp::Constraint> {
        self.rows
            .iter()
            .map(|(_, r)| {
                let e = self.expression(&r.terms, vars, 1.0);
                match r.sense {
                    Sense::AtLeast => e.geq(r.rhs),
                    Sense::AtMost => e.leq(r.rhs),
                    Sense::Equal => e.eq(r.rhs),
                }
            })
            .collect()
    }

    /// Infeasible is an outcome; any other refusal is a fault of the backend.
    fn fault(&self, e: ResolutionError) -> Result<Outcome> {
        match e {
            ResolutionError::Infeasible => Ok(Outcome::Infeasible),
            other => Err(Error::Solver {
                backend: self.backend.name(),
                detail: other.to_string(),
            }),
        }
    }

    /// An optimal outcome with the values cleaned (`proven` false for a MILP search stopped
    /// by a time or gap limit).
    fn optimal(&self, values: Vec<f64>, duals: Option<Vec<f64>>, proven: bool) -> Result<Outcome> {
        Ok(Outcome::Optimal(Solved {
            values: clean(self.model, values, self.bounds),
            duals,
            proven,
        }))
    }

    /// Solves on clarabel, with the objective scaled so that its largest coefficient is 1:
    /// clarabel judges dual feasibility against the norms of the variables, so an objective
    /// of tiny coefficients (the shortfall stage: one over a district's need) would
    /// otherwise pass with reduced costs of the wrong sign as large as the coefficients
    /// themselves, and stop short of the optimum (at 400 areas, by 0.0015).
    fn clarabel(&self, dual_count: usize, precision: Precision) -> Result<Outcome> {
        let scale = objective_scale(self.objective);
        let (problem, vars) = self.variables();
        let mut lp =
            good_lp::clarabel(problem.minimise(self.expression(self.objective, &vars, scale)));
        if precision == Precision::Tight {
            lp.settings()
                .tol_gap_abs(1e-11)
                .tol_gap_rel(1e-11)
                .tol_feas(1e-11)
                .max_iter(500);
        }
        let refs: Vec<ConstraintReference> = self
            .constraints(&vars)
            .into_iter()
            .map(|c| lp.add_constraint(c))
            .collect();
        match lp.solve() {
            Ok(mut solution) => {
                let values: Vec<f64> = vars.iter().map(|v| solution.value(*v)).collect();
                let dual = solution.compute_dual();
                let mut duals = vec![0.0; dual_count];
                for ((position, _), r) in self.rows.iter().zip(&refs) {
                    duals[*position] = good_lp::DualValues::dual(&dual, r.clone()) / scale;
                }
                self.optimal(values, Some(duals), true)
            }
            Err(e) => self.fault(e),
        }
    }

    /// Whether a solution holds every row handed to the backend to the certificate's
    /// tolerance ([`CERTIFICATE_TOLERANCE`](crate::allocate::CERTIFICATE_TOLERANCE) of
    /// the row's magnitude): clarabel's feasibility is relative to the norms of the whole
    /// model's data, so a small row (a cap of 0) may be missed by more than that.
    fn is_feasible(&self, solved: &Solved) -> bool {
        self.rows.iter().all(|(_, row)| {
            row.violation(&solved.values)
                <= crate::allocate::CERTIFICATE_TOLERANCE * row.magnitude(&solved.values)
        })
    }

    /// Whether a solution is optimal to [`OPTIMALITY_TOLERANCE`] by its own duals.
    fn is_optimal(&self, solved: &Solved) -> bool {
        let Some(duals) = &solved.duals else {
            return true;
        };
        let rows: Vec<&Row> = self.rows.iter().map(|(_, r)| *r).collect();
        let row_duals: Vec<f64> = self
            .rows
            .iter()
            .map(|(p, _)| duals.get(*p).copied().unwrap_or(0.0))
            .collect();
        Model::optimality(
            self.objective,
            &rows,
            &row_duals,
            self.bounds,
            &solved.values,
        )
        .holds(OPTIMALITY_TOLERANCE)
    }

    /// Adds the constraints, solves and reads the variable values (backends without duals),
    /// and whether the backend proved them optimal (not stopped by a time or gap limit).
    fn values_only<M>(&self, mut lp: M, vars: &[LpVariable]) -> Result<Outcome>
    where
        M: SolverModel<Error = ResolutionError>,
    {
        for c in self.constraints(vars) {
            lp.add_constraint(c);
        }
        match lp.solve() {
            Ok(solution) => {
                let proven = matches!(solution.status(), SolutionStatus::Optimal);
                let values = vars.iter().map(|v| solution.value(*v)).collect();
                self.optimal(values, None, proven)
            }
            Err(e) => self.fault(e),
        }
    }
}

/// The factor an objective is multiplied by before clarabel sees it, so that its largest
/// coefficient is 1 (its duals are divided by it after); 1 for an objective without terms.
fn objective_scale(objective: &[(usize, f64)]) -> f64 {
    let largest = objective.iter().fold(0.0f64, |m, &(_, c)| m.max(c.abs()));
    let scale = 1.0 / largest;
    if scale.is_finite() { scale } else { 1.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, terms: Vec<(usize, f64)>, sense: Sense, rhs: f64) -> Row {
        Row::plain(name, terms, sense, rhs)
    }

    fn backends() -> Vec<Backend> {
        vec![
            Backend::Clarabel,
            Backend::Microlp,
            #[cfg(feature = "highs")]
            Backend::Highs,
        ]
    }

    #[test]
    fn an_empty_model_is_solved_without_a_backend() {
        // Clarabel panicked on a model without variables and rows (a scenario without
        // services); the hold row of such a model has no terms either.
        let model = Model::new();
        let hold = [row("hold_shortfall", Vec::new(), Sense::AtMost, 1e-7)];
        for backend in backends() {
            for extra in [&[][..], &hold[..]] {
                match solve(&model, &[], None, extra, Integers::Keep, backend, 1.0) {
                    Ok(Outcome::Optimal(s)) => {
                        assert!(s.values.is_empty());
                        assert_eq!(s.duals, Some(vec![0.0; extra.len()]));
                    }
                    other => panic!("{}: {other:?}", backend.name()),
                }
            }
        }
    }

    #[test]
    fn rows_without_variables_are_judged_as_constants() {
        let mut model = Model::new();
        let x = model.continuous("x".into());
        let b = model.binary("b".into());
        model.row(row("nothing", vec![(x, 0.0)], Sense::AtLeast, -1.0));
        // Each variable goes to the bound its objective coefficient favours.
        let objective = [(x, 2.0), (b, -3.0)];
        let solved = solve(
            &model,
            &objective,
            None,
            &[],
            Integers::Keep,
            Backend::Clarabel,
            1.0,
        );
        match solved {
            Ok(Outcome::Optimal(s)) => assert_eq!(s.values, vec![0.0, 1.0]),
            other => panic!("{other:?}"),
        }
        // A constant row that cannot hold makes the model infeasible.
        let broken = [row("impossible", Vec::new(), Sense::AtLeast, 5.0)];
        let solved = solve(
            &model,
            &objective,
            None,
            &broken,
            Integers::Keep,
            Backend::Microlp,
            1.0,
        );
        assert!(matches!(solved, Ok(Outcome::Infeasible)), "{solved:?}");
        // An objective that falls without limit is a fault, not a panic.
        let solved = solve(
            &model,
            &[(x, -1.0)],
            None,
            &[],
            Integers::Keep,
            Backend::Clarabel,
            1.0,
        );
        assert!(matches!(solved, Err(Error::Solver { .. })), "{solved:?}");
    }

    #[test]
    fn an_empty_objective_leaves_a_feasibility_problem_that_still_solves() {
        let mut model = Model::new();
        let x = model.continuous("add_beds".into());
        model.row(row("beds_2025", vec![(x, 1.0)], Sense::AtLeast, 1.0));
        for backend in backends() {
            match solve(&model, &[], None, &[], Integers::Keep, backend, 1.0) {
                Ok(Outcome::Optimal(s)) => assert!(s.values[0] >= 1.0 - 1e-6, "{s:?}"),
                other => panic!("{}: {other:?}", backend.name()),
            }
        }
    }

    #[test]
    fn numbers_that_are_not_finite_are_refused_before_any_backend() {
        let mut model = Model::new();
        let x = model.continuous("add_beds".into());
        model.row(row("beds_2025", vec![(x, f64::NAN)], Sense::AtLeast, 1.0));
        for backend in backends() {
            match solve(&model, &[(x, 1.0)], None, &[], Integers::Keep, backend, 1.0) {
                Err(Error::Solver { detail, .. }) => {
                    assert!(detail.contains("beds_2025"), "{detail}")
                }
                other => panic!("{}: {other:?}", backend.name()),
            }
        }
    }

    /// min −ε Σ w_i x_i over x_i ≤ M (1 + i mod 5) and x_i − x_{i−1} ≤ M: every x_i at its
    /// bound. With ε = 1e-12 clarabel stopped 47 % short of the optimum (reporting it
    /// solved) until the objective was scaled.
    fn tiny_objective_model() -> (Model, Vec<(usize, f64)>, f64) {
        let (n, epsilon, m) = (10, 1e-12, 1e6);
        let mut model = Model::new();
        let mut objective = Vec::new();
        let mut best = 0.0;
        for i in 0..n {
            let x = model.continuous(format!("x{i}"));
            let weight = 1.0 + (i % 7) as f64 / 7.0;
            let upper = m * (1.0 + (i % 5) as f64);
            objective.push((x, -epsilon * weight));
            best -= epsilon * weight * upper;
            model.row(row(
                &format!("cap{i}"),
                vec![(x, 1.0)],
                Sense::AtMost,
                upper,
            ));
            if i > 0 {
                let terms = vec![(x, 1.0), (x - 1, -1.0)];
                model.row(row(&format!("step{i}"), terms, Sense::AtMost, m));
            }
        }
        (model, objective, best)
    }

    #[test]
    fn clarabel_reaches_the_optimum_of_an_objective_with_tiny_coefficients() {
        let (model, objective, best) = tiny_objective_model();
        let solved = solve(
            &model,
            &objective,
            None,
            &[],
            Integers::Keep,
            Backend::Clarabel,
            1.0,
        );
        let Ok(Outcome::Optimal(s)) = solved else {
            panic!("{solved:?}");
        };
        let value = Model::evaluate(&objective, &s.values);
        assert!(
            (value - best).abs() <= 1e-7 * best.abs(),
            "{value} vs the optimum {best}"
        );
        // And its duals prove it.
        let rows: Vec<&Row> = model.rows.iter().collect();
        let bounds = variable_bounds(&model, Integers::Keep);
        let duals = s.duals.unwrap();
        let optimality = Model::optimality(&objective, &rows, &duals, &bounds, &s.values);
        assert!(optimality.holds(OPTIMALITY_TOLERANCE), "{optimality:?}");
    }

    #[test]
    fn the_tight_re_solve_reaches_the_optimum() {
        let (model, objective, best) = tiny_objective_model();
        let bounds = variable_bounds(&model, Integers::Keep);
        let rows = handed_rows(&model, None, &[]);
        let handed = Handed {
            model: &model,
            objective: &objective,
            rows: &rows,
            bounds: &bounds,
            integer: false,
            start: None,
            backend: Backend::Clarabel,
        };
        let outcome = handed.clarabel(model.rows.len(), Precision::Tight);
        let Ok(Outcome::Optimal(s)) = outcome else {
            panic!("{outcome:?}");
        };
        assert!(handed.is_optimal(&s));
        let value = Model::evaluate(&objective, &s.values);
        assert!(
            (value - best).abs() <= 1e-7 * best.abs(),
            "{value} vs {best}"
        );
    }

    #[test]
    fn values_are_cleaned_into_their_bounds() {
        let mut model = Model::new();
        model.continuous("add_elder_beds_nursing_centre_2022".into());
        model.binary("module".into());
        let bounds = variable_bounds(&model, Integers::Keep);
        let cleaned = clean(&model, vec![-1.5e-6, 0.9999999], &bounds);
        assert_eq!(cleaned, vec![0.0, 1.0]);
        let cleaned = clean(&model, vec![f64::NAN, 0.5], &bounds);
        assert!(cleaned[0].is_nan() && cleaned[1] == 0.5);
    }
}
