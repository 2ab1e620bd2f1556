//! Handing the model to a backend through good_lp, by name: clarabel for LPs and duals,
//! microlp for small MILPs under a time limit, HiGHS with the `highs` feature.

use good_lp::{
    Expression, ProblemVariables, ResolutionError, Solution, SolutionWithDual, SolverModel,
    Variable as LpVariable, WithTimeLimit, constraint::ConstraintReference, variable,
};

use crate::allocate::model::{Model, Row, Sense};
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
    pub values: Vec<f64>,
    pub duals: Option<Vec<f64>>,
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
    let integer = matches!(integers, Integers::Keep) && model.is_mixed_integer();
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

/// One solve on one backend.
fn solve_on(
    model: &Model,
    objective: &[(usize, f64)],
    active: Option<&[bool]>,
    extra: &[Row],
    integers: Integers<'_>,
    backend: Backend,
    time_limit_seconds: f64,
) -> Result<Outcome> {
    let mut problem = ProblemVariables::new();
    let mut vars: Vec<LpVariable> = Vec::with_capacity(model.variables.len());
    let mut has_integers = false;
    for (k, v) in model.variables.iter().enumerate() {
        let mut def = variable().min(v.lower);
        if v.upper.is_finite() {
            def = def.max(v.upper);
        }
        if v.integer {
            match integers {
                Integers::Keep => {
                    def = def.integer();
                    has_integers = true;
                }
                Integers::FixedAt(values) => {
                    let fixed = values
                        .get(k)
                        .copied()
                        .unwrap_or(0.0)
                        .round()
                        .clamp(v.lower, v.upper);
                    def = variable().min(fixed).max(fixed);
                }
            }
        }
        vars.push(problem.add(def));
    }
    if has_integers && backend == Backend::Clarabel {
        // Clarabel panics on integer variables; never hand it one.
        return Err(Error::Solver {
            backend: backend.name(),
            detail: "clarabel cannot solve a model with integer variables".into(),
        });
    }
    let expression = |terms: &[(usize, f64)]| {
        let mut e = Expression::with_capacity(terms.len());
        for &(v, c) in terms {
            e.add_mul(c, vars[v]);
        }
        e
    };
    let objective = expression(objective);
    let rows: Vec<&Row> = model
        .rows
        .iter()
        .enumerate()
        .filter(|(i, _)| active.is_none_or(|a| a.get(*i).copied().unwrap_or(true)))
        .map(|(_, r)| r)
        .chain(extra.iter())
        .collect();
    let constraints: Vec<good_lp::Constraint> = rows
        .iter()
        .map(|r| {
            let e = expression(&r.terms);
            match r.sense {
                Sense::AtLeast => e.geq(r.rhs),
                Sense::AtMost => e.leq(r.rhs),
                Sense::Equal => e.eq(r.rhs),
            }
        })
        .collect();
    let unsolved = problem.minimise(objective);
    let active_rows = active.map(|a| {
        (0..model.rows.len())
            .filter(|i| a.get(*i).copied().unwrap_or(true))
            .collect::<Vec<_>>()
    });
    let to_model_row = |k: usize| -> Option<usize> {
        match &active_rows {
            Some(list) => list.get(k).copied(),
            None => (k < model.rows.len()).then_some(k),
        }
    };
    let fault = |e: ResolutionError| -> Result<Outcome> {
        match e {
            ResolutionError::Infeasible => Ok(Outcome::Infeasible),
            other => Err(Error::Solver {
                backend: backend.name(),
                detail: other.to_string(),
            }),
        }
    };
    match backend {
        Backend::Clarabel => {
            let mut lp = good_lp::clarabel(unsolved);
            let refs: Vec<ConstraintReference> = constraints
                .into_iter()
                .map(|c| lp.add_constraint(c))
                .collect();
            match lp.solve() {
                Ok(mut solution) => {
                    let values = vars.iter().map(|v| solution.value(*v)).collect();
                    let dual = solution.compute_dual();
                    let mut duals = vec![0.0; model.rows.len()];
                    for (k, r) in refs.iter().enumerate() {
                        if let Some(row) = to_model_row(k) {
                            duals[row] = good_lp::DualValues::dual(&dual, r.clone());
                        }
                    }
                    Ok(Outcome::Optimal(Solved {
                        values,
                        duals: Some(duals),
                    }))
                }
                Err(e) => fault(e),
            }
        }
        Backend::Microlp => {
            let lp = good_lp::microlp(unsolved).with_time_limit(time_limit_seconds);
            values_only(lp, constraints, &vars).map_or_else(fault, |values| {
                Ok(Outcome::Optimal(Solved {
                    values,
                    duals: None,
                }))
            })
        }
        #[cfg(feature = "highs")]
        Backend::Highs => {
            let lp = good_lp::highs(unsolved).with_time_limit(time_limit_seconds);
            values_only(lp, constraints, &vars).map_or_else(fault, |values| {
                Ok(Outcome::Optimal(Solved {
                    values,
                    duals: None,
                }))
            })
        }
    }
}

/// Adds the constraints, solves and reads the variable values (backends without duals).
fn values_only<M>(
    mut lp: M,
    constraints: Vec<good_lp::Constraint>,
    vars: &[LpVariable],
) -> std::result::Result<Vec<f64>, ResolutionError>
where
    M: SolverModel<Error = ResolutionError>,
{
    for c in constraints {
        lp.add_constraint(c);
    }
    let solution = lp.solve()?;
    Ok(vars.iter().map(|v| solution.value(*v)).collect())
}
