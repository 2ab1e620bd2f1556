//! When the hard rows cannot all hold: a minimal conflicting set of targets, caps and
//! budgets, found with the elastic filter and then the deletion filter.

use crate::allocate::model::{Model, Row, Sense};
use crate::allocate::solve::{Backend, Integers, Outcome, solve};
use crate::error::Result;

/// One member of a conflict: a binding target, cap or budget, with the relaxation it would
/// need for the rest of the set to hold.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ConflictMember {
    /// The row's name, e.g. `nursing_share_2025` or `cap_elder_beds_daping`.
    pub name: String,
    /// The target's id when the row is a target.
    pub target: Option<String>,
    /// The area's id when the row concerns one area.
    pub area: Option<String>,
    /// The year, when the row concerns one year.
    pub year: Option<i32>,
    /// How much the row would have to give (in its own units) for the set to hold, with
    /// the other members of the set kept.
    pub needed_slack: f64,
}

/// A minimal set of hard rows that cannot all hold together: drop any one and the rest
/// can.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Conflict {
    /// The members, in model order.
    pub members: Vec<ConflictMember>,
    /// The set in words, e.g. "nursing_share_2025 + elder_beds_2025 + cap_elder_beds_daping
    /// cannot all hold".
    pub message: String,
}

/// Linear terms `(variable, coefficient)`.
type Terms = Vec<(usize, f64)>;

/// Names a row in the scenario's words: (target id, area id).
pub(crate) type RowNames<'a> = &'a dyn Fn(&Row) -> (Option<String>, Option<String>);

/// Relative tolerance under which an elastic slack counts as zero.
const SLACK_TOLERANCE: f64 = 1e-6;

/// The rows that may take part in a conflict: hard rows of plan choices.
fn candidates(model: &Model) -> Vec<usize> {
    (0..model.rows.len())
        .filter(|&i| model.rows[i].slack.is_empty() && model.rows[i].role.is_plan_choice())
        .collect()
}

/// The model with `elastic` rows given slack variables (weighted by 1 / the row's scale),
/// and the objective that sums them; returns the model, the objective and each elastic
/// row's slack variables.
fn elastic_model(model: &Model, elastic: &[usize]) -> (Model, Terms, Vec<Terms>) {
    let mut m = model.clone();
    let mut objective = Vec::new();
    let mut slacks = Vec::new();
    for &r in elastic {
        let scale = m.rows[r].rhs.abs().max(1.0);
        let directions: &[f64] = match m.rows[r].sense {
            Sense::AtLeast => &[1.0],
            Sense::AtMost => &[-1.0],
            Sense::Equal => &[1.0, -1.0],
        };
        let mut own = Vec::new();
        for d in directions {
            let s = m.continuous(format!("elastic_{}", m.rows[r].name));
            m.rows[r].terms.push((s, *d));
            objective.push((s, 1.0 / scale));
            own.push((s, *d));
        }
        slacks.push(own);
    }
    (m, objective, slacks)
}

fn feasible(model: &Model, active: &[bool], backend: Backend, time_limit: f64) -> Result<bool> {
    let outcome = solve(
        model,
        &[],
        Some(active),
        &[],
        Integers::Keep,
        backend,
        time_limit,
    )?;
    Ok(matches!(outcome, Outcome::Optimal(_)))
}

/// Finds a minimal conflicting set among the hard plan-choice rows of an infeasible model.
/// Returns `None` when the model is feasible after all (then the infeasibility came from
/// the model's structure, which is a bug, or from the backend).
pub(crate) fn find_conflict(
    model: &Model,
    backend: Backend,
    time_limit: f64,
    names: RowNames<'_>,
) -> Result<Option<Conflict>> {
    let all = candidates(model);
    // Elastic filter: relax every candidate, keep those that had to give, make them hard
    // and repeat until the hard ones alone are infeasible.
    let mut hard: Vec<usize> = Vec::new();
    let mut elastic: Vec<usize> = all.clone();
    loop {
        // Rows already found stay hard; the rest of the candidates are elastic.
        let (m, objective, slacks) = elastic_model(model, &elastic);
        match solve(
            &m,
            &objective,
            None,
            &[],
            Integers::Keep,
            backend,
            time_limit,
        )? {
            Outcome::Infeasible => break,
            Outcome::Optimal(solved) => {
                let gave: Vec<usize> = elastic
                    .iter()
                    .zip(&slacks)
                    .filter(|(r, own)| {
                        let scale = model.rows[**r].rhs.abs().max(1.0);
                        own.iter()
                            .any(|(s, _)| solved.values[*s] > SLACK_TOLERANCE * scale)
                    })
                    .map(|(r, _)| *r)
                    .collect();
                if gave.is_empty() {
                    return Ok(None);
                }
                hard.extend(&gave);
                elastic.retain(|r| !gave.contains(r));
            }
        }
    }
    // Deletion filter over the hard set, the other candidates dropped.
    let mut set = hard;
    set.sort_unstable();
    let mut i = 0;
    while i < set.len() {
        let mut active = vec![true; model.rows.len()];
        for &r in &all {
            active[r] = false;
        }
        for (k, &r) in set.iter().enumerate() {
            if k != i {
                active[r] = true;
            }
        }
        if feasible(model, &active, backend, time_limit)? {
            i += 1; // needed
        } else {
            set.remove(i); // not needed
        }
    }
    // The slack each member needs with the others kept: relax only the set.
    let (m, objective, slacks) = elastic_model(model, &set);
    let mut active = vec![true; m.rows.len()];
    for &r in &all {
        active[r] = set.contains(&r);
    }
    let needed: Vec<f64> = match solve(
        &m,
        &objective,
        Some(&active),
        &[],
        Integers::Keep,
        backend,
        time_limit,
    )? {
        Outcome::Optimal(solved) => slacks
            .iter()
            .map(|own| own.iter().map(|(s, _)| solved.values[*s]).sum())
            .collect(),
        Outcome::Infeasible => vec![f64::NAN; set.len()],
    };
    let members: Vec<ConflictMember> = set
        .iter()
        .zip(needed)
        .map(|(&r, needed_slack)| {
            let row = &model.rows[r];
            let (target, area) = names(row);
            ConflictMember {
                name: row.name.clone(),
                target,
                area,
                year: row.year,
                needed_slack,
            }
        })
        .collect();
    let list: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
    let message = format!("{} cannot all hold together", list.join(" + "));
    Ok(Some(Conflict { members, message }))
}
