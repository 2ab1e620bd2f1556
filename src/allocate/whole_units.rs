//! Whole units: a plan that adds and converts beds, places and seats one by one.
//!
//! With `[plan] whole_units = true` every addition and conversion is a whole number. A stage
//! is then solved in two steps: first with the amounts continuous (every other integer
//! decision — projects, area counts — found as usual, with its bound), then the amounts are
//! rounded and the LP left (who is served from where, shortfalls) is solved with them fixed:
//!
//! 1. up: every amount rounded up (capacity only grows, so every "at least" row still holds);
//! 2. nearest: every amount rounded to the nearest whole number (for rows that rounding up
//!    breaks: a cap, a share "at most", a yearly limit that binds).
//!
//! A plan already known to hold every row (the first stage's, in the second) is a third
//! candidate. The cheapest that holds every row is the plan; its gap to the continuous stage's
//! bound (which no whole plan can beat) is stated. With HiGHS the full MILP is then searched
//! from that plan within the time limit, and the better plan is kept.

use crate::allocate::model::{Model, Row, RowRole, Sense};
use crate::allocate::rounding::{
    FoundBy, MilpGap, StageOutcome, StageSettings, fixed_lp, relative_gap, solve_amounts,
};
use crate::allocate::solve::{Backend, Integers, Outcome, solve};
use crate::error::{Error, Result};

/// Below this, a continuous amount above a whole number is solver noise (115.000001 beds
/// are 115 beds).
const NOISE: f64 = 1e-6;

/// Whether variable `k` of `model` is a whole-unit amount (an integer that is not a
/// binary).
pub(crate) fn is_amount(model: &Model, k: usize) -> bool {
    let v = &model.variables[k];
    v.integer && v.upper > 1.0
}

/// Whether the model counts additions and conversions in whole units.
pub(crate) fn has_whole_units(model: &Model) -> bool {
    (0..model.variables.len()).any(|k| is_amount(model, k))
}

/// The model with its whole-unit amounts continuous (binaries kept).
pub(crate) fn with_continuous_amounts(model: &Model) -> Model {
    let mut amounts = model.clone();
    for k in 0..model.variables.len() {
        if is_amount(model, k) {
            amounts.variables[k].integer = false;
        }
    }
    amounts
}

/// How amounts are rounded.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rule {
    /// Up, then trimmed where an "at most" row of whole decisions (a cap, a yearly limit, a
    /// budget) no longer holds.
    Up,
    /// To the nearest whole number.
    Nearest,
}

/// `values` with the whole-unit amounts that `chosen` picks rounded by `rule`.
fn rounded(model: &Model, values: &[f64], rule: Rule, chosen: &[bool]) -> Vec<f64> {
    let mut out = values.to_vec();
    for (k, x) in out.iter_mut().enumerate() {
        if chosen[k] {
            let v = &model.variables[k];
            *x = match rule {
                Rule::Up => (*x - NOISE).ceil(),
                Rule::Nearest => x.round(),
            }
            .clamp(v.lower, v.upper);
        }
    }
    if rule == Rule::Up {
        trim_over_limits(model, values, &mut out, chosen);
    }
    out
}

/// Where rounding up breaks an "at most" row whose terms are all whole decisions (a street
/// cap, a yearly build limit, a budget: amounts with positive coefficients, binaries fixed),
/// takes units back one at a time from the chosen amount rounded up the most, until the row
/// holds.
fn trim_over_limits(model: &Model, continuous: &[f64], out: &mut [f64], chosen: &[bool]) {
    for row in &model.rows {
        let trimmable = row.sense == Sense::AtMost
            && row.slack.is_empty()
            && row.terms.iter().any(|&(k, _)| chosen[k])
            && row
                .terms
                .iter()
                .all(|&(k, c)| model.variables[k].integer && (!is_amount(model, k) || c > 0.0));
        if !trimmable {
            continue;
        }
        let lhs = |out: &[f64]| row.terms.iter().map(|&(k, c)| c * out[k]).sum::<f64>();
        let tolerance = 1e-9 * row.rhs.abs().max(1.0);
        while lhs(out) > row.rhs + tolerance {
            let most_rounded = row
                .terms
                .iter()
                .map(|&(k, _)| k)
                .filter(|&k| chosen[k] && out[k] - continuous[k] > 0.0)
                .max_by(|&a, &b| (out[a] - continuous[a]).total_cmp(&(out[b] - continuous[b])));
            // Nothing left rounded up: trimming further would cut below the continuous plan.
            let Some(k) = most_rounded else { break };
            out[k] -= 1.0;
        }
    }
}

/// Which variables are conversions: amounts drawn from a variant's capacity (a negative
/// term) in a row that keeps that capacity from going negative, where additions count
/// positively.
fn conversions(model: &Model) -> Vec<bool> {
    let mut found = vec![false; model.variables.len()];
    for row in &model.rows {
        if matches!(row.role, RowRole::NonNegativeCapacity { .. }) {
            for &(k, c) in &row.terms {
                if c < 0.0 && is_amount(model, k) {
                    found[k] = true;
                }
            }
        }
    }
    found
}

/// The LP left once amounts are fixed at a trial: its values, or `None` without a plan.
type LpLeft<'a> = dyn Fn(&Model, &[f64]) -> Result<Option<Vec<f64>>> + 'a;

/// The whole plan nearest `continuous`: additions rounded first (up and trimmed, or to
/// the nearest) and the conversions re-solved around them by `lp_left`, then the
/// conversions rounded the same two ways; the cheapest by `objective` that `lp_left`
/// completes, or `None`.
fn round_in_two_steps(
    model: &Model,
    objective: &[(usize, f64)],
    continuous: &[f64],
    lp_left: &LpLeft<'_>,
) -> Result<Option<(f64, Vec<f64>)>> {
    let converts = conversions(model);
    let additions: Vec<bool> = (0..model.variables.len())
        .map(|k| is_amount(model, k) && !converts[k])
        .collect();
    // The model with conversions continuous: fixing its integers fixes additions only.
    let mut conversions_free = model.clone();
    for (k, &c) in converts.iter().enumerate() {
        if c {
            conversions_free.variables[k].integer = false;
        }
    }
    let mut best: Option<(f64, Vec<f64>)> = None;
    for first in [Rule::Up, Rule::Nearest] {
        let trial = rounded(model, continuous, first, &additions);
        let Some(around) = lp_left(&conversions_free, &trial)? else {
            continue;
        };
        for second in [Rule::Up, Rule::Nearest] {
            let trial = rounded(model, &around, second, &converts);
            let Some(values) = lp_left(model, &trial)? else {
                continue;
            };
            let value = Model::evaluate(objective, &values);
            if best.as_ref().is_none_or(|(b, _)| value < *b) {
                best = Some((value, values));
            }
        }
    }
    Ok(best)
}

/// Where no rounding keeps the first stage's hold on need served: the same two steps,
/// each LP left solved for the most need served first (without the hold), then for the
/// least cost with that much need served. `None` without a hold to drop, or when no
/// rounding keeps the hard rows.
fn round_serving_most(
    model: &Model,
    objective: &[(usize, f64)],
    extra: &[Row],
    continuous: &[f64],
    settings: &StageSettings<'_>,
) -> Result<Option<(f64, Vec<f64>)>> {
    let Some(hold) = extra.iter().find(|r| r.role == RowRole::StageHold) else {
        return Ok(None);
    };
    let others: Vec<Row> = extra
        .iter()
        .filter(|r| r.role != RowRole::StageHold)
        .cloned()
        .collect();
    let lp_left = |m: &Model, trial: &[f64]| -> Result<Option<Vec<f64>>> {
        let Some(most) = fixed_lp(m, &hold.terms, &others, trial, settings)? else {
            return Ok(None);
        };
        let unmet = Model::evaluate(&hold.terms, &most);
        let mut rows = others.clone();
        rows.push(Row {
            rhs: unmet + settings.tolerance * unmet.abs().max(1.0),
            ..hold.clone()
        });
        Ok(fixed_lp(m, objective, &rows, trial, settings)?.or(Some(most)))
    };
    round_in_two_steps(model, objective, continuous, &lp_left)
}

/// The most LPs of [`round_in_boxes`].
const BOX_ROUNDS: usize = 12;

/// Rounding in boxes: each amount may only take the whole number just below or just above
/// its continuous value; the LP over those boxes (binaries fixed) is solved again and
/// again, each time fixing the amounts it leaves whole and rounding up those at least half
/// way, so that the amounts still free move to keep every row (the first stage's hold on
/// need served, above all). What is left fractional at the end is rounded up.
fn round_in_boxes(
    model: &Model,
    objective: &[(usize, f64)],
    extra: &[Row],
    continuous: &[f64],
    settings: &StageSettings<'_>,
) -> Result<Option<(f64, Vec<f64>)>> {
    let mut boxed = model.clone();
    let mut free = Vec::new();
    for (k, v) in boxed.variables.iter_mut().enumerate() {
        if !v.integer {
            continue;
        }
        let x = continuous[k];
        if is_amount(model, k) {
            v.lower = (x + NOISE).floor().max(v.lower);
            v.upper = (x - NOISE).ceil().min(v.upper).max(v.lower);
            if v.lower < v.upper {
                free.push(k);
            }
        } else {
            v.lower = x.round();
            v.upper = x.round();
        }
        v.integer = false;
    }
    let mut values = continuous.to_vec();
    for _ in 0..BOX_ROUNDS {
        let mut fixed_any = false;
        free.retain(|&k| {
            let x = values[k];
            let whole = (x - x.round()).abs() <= NOISE;
            let at = if whole {
                Some(x.round())
            } else if x - x.floor() >= 0.5 {
                Some(x.ceil())
            } else {
                None
            };
            match at {
                Some(at) => {
                    let v = &mut boxed.variables[k];
                    let at = at.clamp(v.lower, v.upper);
                    v.lower = at;
                    v.upper = at;
                    fixed_any = true;
                    false
                }
                None => true,
            }
        });
        if free.is_empty() || !fixed_any {
            break;
        }
        let solved = solve(
            &boxed,
            objective,
            None,
            extra,
            Integers::Keep,
            Backend::Clarabel,
            settings.time_limit_seconds,
        );
        values = match solved {
            Ok(Outcome::Optimal(s)) => s.values,
            Ok(Outcome::Infeasible) | Err(Error::Solver { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
    }
    let trial: Vec<f64> = values
        .iter()
        .enumerate()
        .map(|(k, &x)| {
            if free.contains(&k) {
                (x - NOISE).ceil()
            } else {
                x
            }
        })
        .collect();
    Ok(fixed_lp(model, objective, extra, &trial, settings)?
        .map(|values| (Model::evaluate(objective, &values), values)))
}

/// Solves a stage of a model with whole-unit amounts (see the module's text).
pub(crate) fn solve_whole(
    model: &Model,
    objective: &[(usize, f64)],
    extra: &[Row],
    settings: &StageSettings<'_>,
) -> Result<StageOutcome> {
    let amounts = with_continuous_amounts(model);
    let (continuous, gap) = match solve_amounts(&amounts, objective, extra, settings)? {
        StageOutcome::Solved(s, gap) => (s, gap),
        StageOutcome::Infeasible => return Ok(StageOutcome::Infeasible),
    };
    let bound = gap.map_or_else(
        || Model::evaluate(objective, &continuous.values),
        |g| g.bound,
    );
    let lp_left = |m: &Model, trial: &[f64]| fixed_lp(m, objective, extra, trial, settings);
    let mut best = round_in_two_steps(model, objective, &continuous.values, &lp_left)?;
    if let Some((value, values)) =
        round_in_boxes(model, objective, extra, &continuous.values, settings)?
        && best.as_ref().is_none_or(|(b, _)| value < *b)
    {
        best = Some((value, values));
    }
    // Rounding can lose a little of the need the first stage serves, which the second
    // stage's hold forbids: then the whole amounts that serve the most need are kept, and
    // the plan's shortfall says what whole units cost in need served.
    if best.is_none() {
        best = round_serving_most(model, objective, extra, &continuous.values, settings)?;
    }
    // A plan known to hold every row (the first stage's, in the second) is the last resort.
    if let (None, Some(known)) = (&best, settings.known)
        && let Some(values) = fixed_lp(model, objective, extra, known, settings)?
    {
        best = Some((Model::evaluate(objective, &values), values));
    }
    #[cfg(feature = "highs")]
    let best = search(model, objective, extra, settings, best)?;
    let Some((value, values)) = best else {
        return Err(Error::Solver {
            backend: settings.backend.name(),
            detail: "no rounding of the plan to whole units holds every row (a cap, a share or \
                     a yearly limit that binds); set [plan] whole_units = false, or build with \
                     --features highs to search for whole units"
                .into(),
        });
    };
    let proven = relative_gap(value, bound) <= settings.tolerance;
    let gap = MilpGap::new(settings.stage, value, bound, proven, FoundBy::Rounding);
    Ok(StageOutcome::Solved(
        crate::allocate::solve::Solved {
            values,
            duals: None,
            proven,
        },
        Some(gap),
    ))
}

/// HiGHS searches the whole-unit MILP from the rounded plan; the better plan is kept.
#[cfg(feature = "highs")]
fn search(
    model: &Model,
    objective: &[(usize, f64)],
    extra: &[Row],
    settings: &StageSettings<'_>,
    best: Option<(f64, Vec<f64>)>,
) -> Result<Option<(f64, Vec<f64>)>> {
    if settings.backend != Backend::Highs {
        return Ok(best);
    }
    let start = best.as_ref().map(|(_, v)| v.as_slice());
    let found = solve(
        model,
        objective,
        None,
        extra,
        start.map_or(Integers::Keep, Integers::Start),
        Backend::Highs,
        settings.time_limit_seconds,
    );
    Ok(match found {
        Ok(Outcome::Optimal(s)) => {
            let value = Model::evaluate(objective, &s.values);
            match best {
                Some((b, v)) if b <= value => Some((b, v)),
                _ => Some((value, s.values)),
            }
        }
        _ => best,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocate::rounding::MilpStage;

    /// Two streets each need 2.5 beds (an "at least" row each); beds cost 1. The
    /// continuous plan adds 5 beds; in whole units each street adds 3 (cost 6), and the gap
    /// to the bound is (6 − 5) / 6.
    #[test]
    fn amounts_are_rounded_up_and_the_gap_is_stated() {
        let mut model = Model::new();
        let a = model.whole("add_a".into());
        let b = model.whole("add_b".into());
        for (name, v) in [("need_a", a), ("need_b", b)] {
            model.row(Row {
                name: name.into(),
                role: RowRole::BudgetTotal,
                area: None,
                year: None,
                terms: vec![(v, 1.0)],
                sense: Sense::AtLeast,
                rhs: 2.5,
                slack: Vec::new(),
            });
        }
        let objective = [(a, 1.0), (b, 1.0)];
        let settings = StageSettings {
            stage: MilpStage::Cost,
            backend: Backend::Microlp,
            time_limit_seconds: 10.0,
            tolerance: 1e-7,
            known: None,
        };
        match solve_whole(&model, &objective, &[], &settings).unwrap() {
            StageOutcome::Solved(s, Some(gap)) => {
                assert_eq!((s.values[a], s.values[b]), (3.0, 3.0));
                assert!((gap.bound - 5.0).abs() < 1e-6, "{gap:?}");
                assert!((gap.gap - 1.0 / 6.0).abs() < 1e-6, "{gap:?}");
                assert!(!gap.proven_optimal);
            }
            other => panic!("{other:?}"),
        }
    }

    /// A cap of 5 on both streets together: rounding up (3 + 3) breaks it, rounding to the
    /// nearest (3 + 3 from 2.5 + 2.5 would too, so the need is 2.4 each: 2 + 2 breaks the
    /// need). With need 2.4 and 2.6 and a cap of 5, only nearest (2 + 3)… fails the first
    /// need; the error then names the way out.
    #[test]
    fn no_rounding_that_holds_is_an_error_naming_the_way_out() {
        let mut model = Model::new();
        let a = model.whole("add_a".into());
        let b = model.whole("add_b".into());
        let row = Row::plain;
        model.row(row("need_a", vec![(a, 1.0)], Sense::AtLeast, 2.4));
        model.row(row("need_b", vec![(b, 1.0)], Sense::AtLeast, 2.4));
        model.row(row("cap", vec![(a, 1.0), (b, 1.0)], Sense::AtMost, 5.0));
        let settings = StageSettings {
            stage: MilpStage::Cost,
            backend: Backend::Microlp,
            time_limit_seconds: 10.0,
            tolerance: 1e-7,
            known: None,
        };
        let objective = [(a, 1.0), (b, 1.0)];
        let result = solve_whole(&model, &objective, &[], &settings);
        #[cfg(not(feature = "highs"))]
        {
            let e = result.unwrap_err().to_string();
            assert!(e.contains("whole_units = false"), "{e}");
        }
        #[cfg(feature = "highs")]
        drop(result);
    }
}
