//! Dropping projects one at a time, each trial re-optimised from the last plan's basis.
//!
//! After rounding, a plan with modules (projects) is improved by dropping each module it
//! builds in turn, the smallest addition first, and keeping a drop when the plan gets
//! cheaper (a module built only to reach its minimum may cost more than serving its need
//! from next door). Solved from scratch, each trial is a whole LP (or, with area counts, a
//! MILP): about 90 solves of the Yuzhong model, most of a phased plan's time.
//!
//! Here the plan's LP — every other integer decision (area counts) held at the plan's
//! values, the binaries of the modules it builds free in [0, 1] and then fixed at 1 — is
//! solved once by the dual simplex of microlp, and each trial fixes one binary at 0 on a
//! copy of that solution: the simplex goes on from the plan's basis, a few pivots instead
//! of a solve. A kept drop becomes the new basis. The objective values steer the choice
//! only: the modules kept are handed back, and the caller solves the plan they give the
//! usual way (with area counts free), so that the plan, its values and its certificate do
//! not depend on this shortcut.

use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem, Solution};

use crate::allocate::model::{Model, Row, Sense};

/// The plan's LP on microlp: `values` fix every integer variable except the binaries in
/// `free` (left in [0, 1]). `None` when microlp refuses it or finds no plan.
fn plan_lp(
    model: &Model,
    objective: &[(usize, f64)],
    extra: &[Row],
    values: &[f64],
    free: &[usize],
) -> Option<(Solution, Vec<microlp::Variable>)> {
    let mut cost = vec![0.0; model.variables.len()];
    for &(k, c) in objective {
        if let Some(slot) = cost.get_mut(k) {
            *slot += c;
        }
    }
    let mut is_free = vec![false; model.variables.len()];
    for &k in free {
        *is_free.get_mut(k)? = true;
    }
    let mut problem = Problem::new(OptimizationDirection::Minimize);
    let variables: Vec<microlp::Variable> = model
        .variables
        .iter()
        .enumerate()
        .map(|(k, v)| {
            let bounds = if !v.integer {
                (v.lower, v.upper)
            } else if is_free[k] {
                (0.0, 1.0)
            } else {
                let x = values[k].round().clamp(v.lower, v.upper);
                (x, x)
            };
            problem.add_var(cost[k], bounds)
        })
        .collect();
    for row in model.rows.iter().chain(extra) {
        let mut expr = LinearExpr::empty();
        for &(k, c) in &row.terms {
            expr.add(*variables.get(k)?, c);
        }
        let op = match row.sense {
            Sense::AtLeast => ComparisonOp::Ge,
            Sense::AtMost => ComparisonOp::Le,
            Sense::Equal => ComparisonOp::Eq,
        };
        problem.add_constraint(expr, op, row.rhs);
    }
    let solution = problem.solve().ok()?.into_solution().ok()?;
    Some((solution, variables))
}

/// Fixes `var` at `value` on `solution`, going on from its basis; `None` when no plan
/// holds or the simplex fails.
fn fixed(solution: Solution, var: microlp::Variable, value: f64) -> Option<Solution> {
    solution.fix_var(var, value).ok()?.into_solution().ok()
}

/// Which of the modules built (their binaries, in the order to try) to drop: each is
/// dropped in turn where the plan, re-optimised from the last kept basis, is cheaper by
/// more than `tolerance` (relative). `values` is the plan: every binary in `built` is at
/// 1 there. `None` when the warm start cannot be set up (the caller then solves each trial
/// from scratch); `Some(empty)` when no drop pays.
///
/// # Examples
///
/// (Crate-internal; see the tests below.)
pub(crate) fn modules_to_drop(
    model: &Model,
    objective: &[(usize, f64)],
    extra: &[Row],
    values: &[f64],
    built: &[usize],
    tolerance: f64,
    out_of_time: &dyn Fn() -> bool,
) -> Option<Vec<usize>> {
    // `plan_lp` refuses (None) a binary in `built` that is not a variable of the model, so
    // `variables[b]` below is in range.
    let (mut base, variables) = plan_lp(model, objective, extra, values, built)?;
    for &b in built {
        base = fixed(base, variables[b], 1.0)?;
    }
    let mut best = base.objective();
    let mut dropped = Vec::new();
    for &b in built {
        if out_of_time() {
            break;
        }
        let Some(trial) = fixed(base.clone(), variables[b], 0.0) else {
            continue;
        };
        let value = trial.objective();
        if value < best - tolerance * best.abs().max(1.0) {
            best = value;
            base = trial;
            dropped.push(b);
        }
    }
    Some(dropped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocate::model::Variable;

    fn var(name: &str, upper: f64, integer: bool) -> Variable {
        Variable {
            name: name.into(),
            lower: 0.0,
            upper,
            integer,
        }
    }

    fn row(terms: Vec<(usize, f64)>, sense: Sense, rhs: f64) -> Row {
        Row::plain("r", terms, sense, rhs)
    }

    /// Two projects serve one need of 10: A (fixed 5, 1 a unit) and B (fixed 50, 1 a
    /// unit, minimum 1). Built both, B holds only its minimum: dropping it saves 50 − 0 and
    /// A takes the unit over; dropping A then would leave the need unserved.
    #[test]
    fn a_module_built_for_its_minimum_is_dropped_and_the_one_needed_is_kept() {
        // 0 add_a, 1 built_a, 2 add_b, 3 built_b
        let model = Model {
            variables: vec![
                var("add_a", 100.0, false),
                var("built_a", 1.0, true),
                var("add_b", 100.0, false),
                var("built_b", 1.0, true),
            ],
            rows: vec![
                row(vec![(0, 1.0), (2, 1.0)], Sense::AtLeast, 10.0),
                row(vec![(0, 1.0), (1, -100.0)], Sense::AtMost, 0.0),
                row(vec![(2, 1.0), (3, -100.0)], Sense::AtMost, 0.0),
                row(vec![(2, 1.0), (3, -1.0)], Sense::AtLeast, 0.0),
            ],
            ..Model::new()
        };
        let objective = [(0, 1.0), (1, 5.0), (2, 1.0), (3, 50.0)];
        let plan = [9.0, 1.0, 1.0, 1.0];
        // B first (the smaller addition), then A.
        let dropped =
            modules_to_drop(&model, &objective, &[], &plan, &[3, 1], 1e-9, &|| false).unwrap();
        assert_eq!(dropped, vec![3]);
    }
}
