//! When the hard rows cannot all hold: a minimal conflicting set of targets, caps and
//! budgets, found with the elastic filter and then the deletion filter, and said in the
//! scenario's own words with the change of each member that would restore a plan.

use crate::allocate::model::{Measure, Model, Row, RowRole, Sense};
use crate::allocate::solve::{Backend, Integers, Outcome, solve};
use crate::error::Result;
use crate::scenario::Scenario;
use crate::scenario::plan_data::Target;
use crate::scenario::target::{TargetKind, TargetLevel};

/// What a member of a conflict is.
///
/// # Examples
///
/// ```
/// use popalloc::allocate::MemberKind;
/// assert_eq!(serde_json::to_string(&MemberKind::VariantCap).ok().as_deref(), Some("\"variant_cap\""));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberKind {
    /// A binding target of the scenario.
    Target,
    /// A street cap on a service's additions (all variants).
    Cap,
    /// A street cap on one variant's additions.
    VariantCap,
    /// A street cap on conversions between two variants.
    ConversionCap,
    /// The whole plan's budget.
    BudgetTotal,
    /// One year's budget.
    BudgetYear,
    /// A joint chance constraint: the number of Monte Carlo draws to cover.
    DrawsCovered,
}

/// One member of a conflict: a binding target, cap or budget, in the scenario's words,
/// with the change of it alone that would restore a plan (when there is one).
///
/// Values are in the units the scenario writes them in: units of capacity for totals and
/// caps (beds, seats, places), a ratio for shares, coverages and area counts (0.6 = 60 %),
/// units per 1,000 persons for per-capita rates, cost for budgets, draws for a joint
/// chance constraint.
///
/// # Examples
///
/// ```
/// use popalloc::{ConflictMember, allocate::MemberKind};
///
/// let cap = ConflictMember {
///     name: "cap_junior_shiyoulu".into(),
///     kind: MemberKind::Cap,
///     target: None,
///     area: Some("shiyoulu".into()),
///     year: None,
///     statement: "the cap on Junior secondary seats added in 石油路 Shiyoulu, 2021–2025: at most 100 seats".into(),
///     unit: "seats".into(),
///     op: "<=",
///     value: 100.0,
///     restoring_value: Some(182.0),
///     value_within_set: None,
///     remedy: "raise the cap on Junior secondary seats added in 石油路 Shiyoulu by 82 seats (from 100 to 182)".into(),
/// };
/// assert_eq!(cap.restoring_value.map(|to| to - cap.value), Some(82.0));
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ConflictMember {
    /// The model row's name, e.g. `nursing_share_2025` or `cap_junior_shiyoulu`, for
    /// machine readers (it names the row in the exported LP file).
    pub name: String,
    /// What the member is.
    pub kind: MemberKind,
    /// The target's id when the member is a target.
    pub target: Option<String>,
    /// The area's id when the member concerns one area.
    pub area: Option<String>,
    /// The year, when the member concerns one year.
    pub year: Option<i32>,
    /// The member as the scenario states it, e.g. "the cap on Junior secondary seats added
    /// in 石油路 Shiyoulu, 2021–2025: at most 100 seats".
    pub statement: String,
    /// The unit of `value` in words, e.g. "seats", "share", "places per 1,000 residents".
    pub unit: String,
    /// The comparison: `>=`, `<=` or `=`.
    pub op: &'static str,
    /// The value as written in the scenario.
    pub value: f64,
    /// The value at which, everything else kept, a plan exists (the nearest such value,
    /// to the solver's tolerance); `None` when changing this member alone cannot restore a
    /// plan, because another conflicting set holds without it.
    pub restoring_value: Option<f64>,
    /// When no change of this member alone restores a plan: the value at which this set
    /// alone would hold (its other members kept, every other target, cap and budget
    /// dropped), which shows what the member contributes to this conflict.
    pub value_within_set: Option<f64>,
    /// The change in words, e.g. "raise the cap on Junior secondary seats added in 石油路
    /// Shiyoulu by 104 seats (from 100 to 204)", or why there is none.
    pub remedy: String,
}

/// A minimal set of binding targets, caps and budgets that cannot all hold together: drop
/// any one and the rest can.
///
/// Members whose change alone restores a plan come first, the smallest change (relative
/// to the member's value) first; the others follow in the model's order.
///
/// # Examples
///
/// ```
/// use popalloc::{Allocation, AllocationOptions, Need, Scenario, allocate};
///
/// // No government-run beds at all, while the stock already holds 766 of them.
/// let mut yuzhong = Scenario::yuzhong()?;
/// for t in yuzhong.targets.iter_mut().filter(|t| t.id == "government_share_2025") {
///     t.value = 0.0;
/// }
/// let need = Need::from_projection(&yuzhong, &yuzhong.project(2025)?)?;
/// match allocate(&yuzhong, &need, &AllocationOptions::default())? {
///     Allocation::Conflict(c) => {
///         assert_eq!(c.members.len(), 1);
///         assert!(c.members[0].remedy.starts_with("raise government_share_2025"));
///     }
///     Allocation::Plan(_) => panic!("no plan can hold a government share of 0"),
/// }
/// # Ok::<(), popalloc::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Conflict {
    /// The members.
    pub members: Vec<ConflictMember>,
    /// The set in words, e.g. "nursing_share_2025 (…) + elder_beds_2025 (…) cannot all
    /// hold under the caps on nursing_social Elder-care beds added in 11 areas".
    pub message: String,
}

/// The remedy of a member whose change alone cannot restore a plan.
pub const NOT_ALONE: &str = "part of the conflict; changing it alone does not restore a plan: another conflicting set holds without it";

/// Relative tolerance under which an elastic slack counts as zero.
const SLACK_TOLERANCE: f64 = 1e-6;

/// Most rounds of Dinkelbach's method for a share's best reachable value.
const MAX_RATIO_ROUNDS: usize = 30;

/// Relative change of a share between two rounds under which the rounds stop.
const RATIO_TOLERANCE: f64 = 1e-9;

/// The rows that may take part in a conflict: hard rows of plan choices.
fn candidates(model: &Model) -> Vec<usize> {
    (0..model.rows.len())
        .filter(|&i| model.rows[i].slack.is_empty() && model.rows[i].role.is_plan_choice())
        .collect()
}

/// Whether a row can rule out the plan that adds and converts nothing. Caps and budgets
/// cannot: doing nothing keeps within them, and every structural row holds at it (stock
/// is never negative, flows and indicators may be 0, expected targets have slack). So a
/// true conflict always holds a target or a joint chance constraint.
fn can_rule_out_doing_nothing(row: &Row) -> bool {
    matches!(row.role, RowRole::Target { .. } | RowRole::DrawsCovered)
}

/// The model with `elastic` rows given slack variables (weighted by 1 / the row's scale),
/// and the objective that sums them; returns the model, the objective and each elastic
/// row's slack variables.
fn elastic_model(model: &Model, elastic: &[usize]) -> (Model, Vec<(usize, f64)>, Vec<Vec<usize>>) {
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
            own.push(s);
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

/// Finds a minimal conflicting set among the hard plan-choice rows of an infeasible model,
/// and says it in the scenario's words.
///
/// Returns `None` when no true conflict is found: the model without any target, cap or
/// budget is reported infeasible, the elastic model is, the set found is empty, or it holds
/// only caps and budgets (which doing nothing satisfies). Each of these is a fault of the
/// backend, never of the scenario.
pub(crate) fn find_conflict(
    scenario: &Scenario,
    model: &Model,
    backend: Backend,
    time_limit: f64,
) -> Result<Option<Conflict>> {
    let all = candidates(model);
    let mut bare = vec![true; model.rows.len()];
    for &r in &all {
        bare[r] = false;
    }
    if !feasible(model, &bare, backend, time_limit)? {
        return Ok(None);
    }
    let Some(set) = minimal_set(model, &all, backend, time_limit)? else {
        return Ok(None);
    };
    if !set
        .iter()
        .any(|&r| can_rule_out_doing_nothing(&model.rows[r]))
    {
        return Ok(None);
    }
    let words = Words { scenario };
    let mut members = Vec::with_capacity(set.len());
    for &r in &set {
        // Every other row of the model kept.
        let mut everything = vec![true; model.rows.len()];
        everything[r] = false;
        let restoring = restoring_value(model, r, &everything, backend, time_limit);
        // Only the other members of the set kept (when the whole model needs more).
        let within = match &restoring {
            Ok(None) => {
                let mut only_set = bare.clone();
                for &q in &set {
                    only_set[q] = q != r;
                }
                restoring_value(model, r, &only_set, backend, time_limit)
                    .ok()
                    .flatten()
            }
            _ => None,
        };
        members.push(words.member(model, r, restoring, within));
    }
    order_members(&mut members);
    let message = words.message(model, &set, &members);
    Ok(Some(Conflict { members, message }))
}

/// The elastic filter, then the deletion filter: a minimal set of candidate rows that
/// cannot all hold; `None` when the backend contradicts itself (the elastic model, which
/// always has a solution, reported infeasible; or nothing found).
fn minimal_set(
    model: &Model,
    all: &[usize],
    backend: Backend,
    time_limit: f64,
) -> Result<Option<Vec<usize>>> {
    // Elastic filter: relax every candidate, keep those that had to give, make them hard
    // and repeat until the hard ones alone are infeasible.
    let mut hard: Vec<usize> = Vec::new();
    let mut elastic: Vec<usize> = all.to_vec();
    loop {
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
            // With nothing hard yet, the elastic model always has a solution.
            Outcome::Infeasible if hard.is_empty() => return Ok(None),
            Outcome::Infeasible => break,
            Outcome::Optimal(solved) => {
                let gave: Vec<usize> = elastic
                    .iter()
                    .zip(&slacks)
                    .filter(|(r, own)| {
                        let scale = model.rows[**r].rhs.abs().max(1.0);
                        own.iter()
                            .any(|s| solved.values[*s] > SLACK_TOLERANCE * scale)
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
        for &r in all {
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
    Ok((!set.is_empty()).then_some(set))
}

/// What row `r` measures: a target's registered measure, or the row itself (`terms
/// {≥, ≤, =} rhs`) for a cap, budget or chance constraint.
fn measure_of(model: &Model, r: usize) -> Measure {
    match model.measure(r) {
        Some(m) => m.clone(),
        None => Measure::count(model.rows[r].terms.clone(), 0.0, 1.0, model.rows[r].rhs),
    }
}

/// Which way a measure is pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Push {
    Up,
    Down,
}

/// How far row `r` alone would have to move for the rows `active` keeps (`r` not among
/// them) to hold together: `Ok(Some(value))` in the measure's units, `Ok(None)` when no
/// value of this row gives a plan.
fn restoring_value(
    model: &Model,
    r: usize,
    active: &[bool],
    backend: Backend,
    limit: f64,
) -> Result<Option<f64>> {
    let measure = measure_of(model, r);
    let v = measure.value;
    let reach = |push| best_reachable(model, r, &measure, active, push, backend, limit);
    match model.rows[r].sense {
        Sense::AtLeast => reach(Push::Up),
        Sense::AtMost => reach(Push::Down),
        Sense::Equal => match reach(Push::Up)? {
            Some(high) if high < v - RATIO_TOLERANCE * v.abs().max(1.0) => Ok(Some(high)),
            // The value can be reached from below: the plan cannot come down to it.
            _ => reach(Push::Down),
        },
    }
}

/// The highest (`Push::Up`) or lowest (`Push::Down`) value of a measure over the plans that
/// hold the rows `active` keeps, no further than the measure's own value; `None` when no
/// plan holds them. A constant denominator takes one solve; a share takes the rounds
/// of Dinkelbach's method (each maximises numerator − λ × denominator and sets λ to the
/// share reached), stopping where the share no longer moves.
fn best_reachable(
    model: &Model,
    r: usize,
    measure: &Measure,
    active: &[bool],
    push: Push,
    backend: Backend,
    limit: f64,
) -> Result<Option<f64>> {
    // No further than the value itself: keeps every solve bounded.
    let (terms, rhs) = measure.row_at(measure.value);
    let guard = Row {
        name: format!("reach_{}", model.rows[r].name),
        role: model.rows[r].role.clone(),
        area: model.rows[r].area,
        year: model.rows[r].year,
        terms,
        sense: match push {
            Push::Up => Sense::AtMost,
            Push::Down => Sense::AtLeast,
        },
        rhs,
        slack: Vec::new(),
    };
    let sign = match push {
        Push::Up => -1.0,
        Push::Down => 1.0,
    };
    let mut lambda = measure.value;
    let mut best: Option<f64> = None;
    for round in 0..MAX_RATIO_ROUNDS {
        // Minimise sign × (numerator − λ × denominator).
        let (difference, _) = measure.row_at(lambda);
        let objective: Vec<(usize, f64)> = difference.iter().map(|&(v, c)| (v, sign * c)).collect();
        let solved = match solve(
            model,
            &objective,
            Some(active),
            std::slice::from_ref(&guard),
            Integers::Keep,
            backend,
            limit,
        ) {
            Ok(Outcome::Optimal(solved)) => solved,
            Ok(Outcome::Infeasible) => return Ok(best),
            // A later round that fails keeps the value already reached (a plan holds it).
            Err(_) if best.is_some() => return Ok(best),
            Err(e) => return Err(e),
        };
        let Some(reached) = measure.at(&solved.values) else {
            return Ok(best);
        };
        best = Some(match (best, push) {
            (None, _) => reached,
            (Some(b), Push::Up) => b.max(reached),
            (Some(b), Push::Down) => b.min(reached),
        });
        if measure.denominator.is_empty() {
            break;
        }
        if round > 0 && (reached - lambda).abs() <= RATIO_TOLERANCE * lambda.abs().max(1.0) {
            break;
        }
        lambda = reached;
    }
    Ok(best)
}

/// Members whose change alone restores a plan first, the smallest relative change first;
/// the others after them, in model order.
fn order_members(members: &mut [ConflictMember]) {
    let key = |m: &ConflictMember| -> f64 {
        m.restoring_value.map_or(f64::INFINITY, |to| {
            (to - m.value).abs() / m.value.abs().max(1.0)
        })
    };
    members.sort_by(|a, b| key(a).total_cmp(&key(b)));
}

/// Which way a member's value moves to restore a plan, in words.
fn verb(from: f64, to: f64) -> &'static str {
    if to > from { "raise" } else { "lower" }
}

/// The scenario's words for rows of the model.
struct Words<'a> {
    scenario: &'a Scenario,
}

/// How a value is shown: a count with its unit, a rate per 1,000 persons, a percentage,
/// or a plain number (cost).
#[derive(Debug, Clone, PartialEq)]
enum Shown {
    /// Units of capacity, e.g. "seat".
    Count(String),
    /// Units per 1,000 persons: the unit and whose persons, e.g. ("place", "residents").
    Rate(String, String),
    /// A ratio shown in percent.
    Percent,
    /// A plain number.
    Number,
}

impl Words<'_> {
    /// Where a row is measured, as said after its subject: " in 南街 South" for an area's
    /// row, " in group p5001" for a group target's, nothing for the district's.
    fn place(&self, row: &Row) -> String {
        if let Some(a) = self.area(row.area) {
            return format!(" in {a}");
        }
        if let RowRole::Target { target } = row.role
            && let Some(t) = self.scenario.targets.get(target)
            && t.level == TargetLevel::Group
            && let Some(group) = row
                .name
                .strip_prefix(t.id.as_str())
                .and_then(|rest| rest.strip_prefix('_'))
        {
            return format!(" in group {group}");
        }
        String::new()
    }

    fn area(&self, i: Option<usize>) -> Option<String> {
        let area = self.scenario.areas.get(i?)?;
        let label = area.label();
        let label = label.trim();
        Some(if label.is_empty() {
            area.id.clone()
        } else {
            label.to_string()
        })
    }

    /// The plan's years, e.g. "2021–2025".
    fn span(&self) -> String {
        format!(
            "{}–{}",
            self.scenario.base_year() + 1,
            self.scenario.horizon()
        )
    }

    fn member(
        &self,
        model: &Model,
        r: usize,
        restoring: Result<Option<f64>>,
        within: Option<f64>,
    ) -> ConflictMember {
        let row = &model.rows[r];
        let measure = measure_of(model, r);
        let area = row.area.and_then(|i| self.scenario.areas.get(i));
        let place = self.place(row);
        let (kind, target, subject, shown) = self.subject(row, &place, false);
        let op = row.sense;
        let value = measure.value;
        let statement = format!(
            "{subject}: {} {}",
            match op {
                Sense::AtLeast => "at least",
                Sense::AtMost => "at most",
                Sense::Equal => "exactly",
            },
            show(value, &shown)
        );
        let within = within.map(|to| rounded_toward(to, value, &shown));
        let (restoring_value, remedy) = match restoring {
            Ok(Some(to)) => {
                let to = rounded_toward(to, value, &shown);
                (Some(to), self.remedy(row, &measure, &subject, &shown, to))
            }
            Ok(None) => (
                None,
                match within {
                    Some(to) => format!(
                        "{NOT_ALONE}; to resolve this set alone: {}",
                        self.remedy(row, &measure, "it", &shown, to)
                    ),
                    None => NOT_ALONE.to_string(),
                },
            ),
            Err(e) => (
                None,
                format!(
                    "part of the conflict; the change that would restore a plan could not be computed ({e})"
                ),
            ),
        };
        ConflictMember {
            name: row.name.clone(),
            kind,
            target: target.map(|t| t.id.clone()),
            area: area.map(|a| a.id.clone()),
            year: row.year,
            statement,
            unit: unit_word(&shown),
            op: op.symbol(),
            value,
            restoring_value,
            value_within_set: within,
            remedy,
        }
    }

    /// The member's kind, its target, what it limits in words (a cap's area said as
    /// `place`, e.g. " in 石油路 Shiyoulu"; "caps" for `several`), and how its values show.
    fn subject(
        &self,
        row: &Row,
        place: &str,
        several: bool,
    ) -> (MemberKind, Option<&Target>, String, Shown) {
        let s = self.scenario;
        let span = self.span();
        let cap = if several { "caps" } else { "cap" };
        match &row.role {
            RowRole::Target { target } => match s.targets.get(*target) {
                Some(t) => {
                    let (subject, shown) = self.target_subject(t, row);
                    (MemberKind::Target, Some(t), subject, shown)
                }
                None => (MemberKind::Target, None, row.name.clone(), Shown::Number),
            },
            RowRole::Cap { service, variant } => {
                let Some(service) = s.services.get(*service) else {
                    return (MemberKind::Cap, None, row.name.clone(), Shown::Number);
                };
                let (kind, what) = match variant.and_then(|v| service.variants.get(v)) {
                    Some(v) => (MemberKind::VariantCap, format!("{v} {}", service.name)),
                    None => (MemberKind::Cap, service.name.clone()),
                };
                // A build-rate limit is a cap of one year (in a street, or the district).
                let subject = match row.year {
                    Some(year) => {
                        let place = if place.is_empty() {
                            " in the district"
                        } else {
                            place
                        };
                        format!("the yearly {cap} on {what} added{place} in {year}")
                    }
                    None => format!("the {cap} on {what} added{place}, {span}"),
                };
                (kind, None, subject, Shown::Count(service.unit.clone()))
            }
            RowRole::ConversionCap { conversion } => {
                let Some((c, service, to_service)) = s.conversions.get(*conversion).and_then(|c| {
                    Some((c, s.services.get(c.service)?, s.services.get(c.to_service)?))
                }) else {
                    return (
                        MemberKind::ConversionCap,
                        None,
                        row.name.clone(),
                        Shown::Number,
                    );
                };
                let from = service.variants.get(c.from).cloned().unwrap_or_default();
                let to = to_service.variants.get(c.to).cloned().unwrap_or_default();
                let what = if c.is_repurposing() {
                    format!(
                        "repurposing {from} {} as {to} {}",
                        service.name, to_service.name
                    )
                } else {
                    format!("converting {from} to {to} {}", service.name)
                };
                (
                    MemberKind::ConversionCap,
                    None,
                    format!("the {cap} on {what}{place}, {span}"),
                    Shown::Count(service.unit.clone()),
                )
            }
            RowRole::BudgetTotal => (
                MemberKind::BudgetTotal,
                None,
                format!("the total budget, {span}"),
                Shown::Number,
            ),
            RowRole::BudgetYear => (
                MemberKind::BudgetYear,
                None,
                format!(
                    "the budget of {}",
                    row.year
                        .map_or_else(|| "one year".to_string(), |y| y.to_string())
                ),
                Shown::Number,
            ),
            RowRole::DrawsCovered => (
                MemberKind::DrawsCovered,
                None,
                format!(
                    "the joint chance constraint: Monte Carlo draws (of {}) whose need the plan serves in every area",
                    row.terms.len()
                ),
                Shown::Count("draw".to_string()),
            ),
            // Structural rows never take part in a conflict.
            _ => (MemberKind::Target, None, row.name.clone(), Shown::Number),
        }
    }

    /// A target in words: its id and description, what it measures, where and when.
    fn target_subject(&self, t: &Target, row: &Row) -> (String, Shown) {
        let s = self.scenario;
        let Some(service) = s.services.get(t.service) else {
            return (t.id.clone(), Shown::Number);
        };
        let variants = |all_means_nothing: bool| -> String {
            if all_means_nothing && t.variants.len() == service.variants.len() {
                return String::new();
            }
            t.variants
                .iter()
                .filter_map(|&v| service.variants.get(v).map(String::as_str))
                .collect::<Vec<_>>()
                .join(" + ")
        };
        let what = match variants(true) {
            v if v.is_empty() => service.name.clone(),
            v => format!("{} ({v})", service.name),
        };
        let band = t
            .band
            .and_then(|b| s.bands.get(b))
            .map_or_else(|| "residents".to_string(), |b| b.name().to_string());
        let (measured, shown) = match t.kind {
            TargetKind::Total => (what, Shown::Count(service.unit.clone())),
            TargetKind::Share => (
                format!("the share of {} in {}", variants(false), service.name),
                Shown::Percent,
            ),
            TargetKind::PerCapita => (
                format!("{what} per 1,000 {band}"),
                Shown::Rate(service.unit.clone(), band.clone()),
            ),
            TargetKind::Coverage => (
                format!("the share of the need for {} served", service.name),
                Shown::Percent,
            ),
            TargetKind::AreaCount => (
                format!(
                    "the share of areas holding at least {} of {what}",
                    show(t.min_per_area, &Shown::Count(service.unit.clone()))
                ),
                Shown::Percent,
            ),
        };
        let place = self.place(row);
        let said = t
            .description
            .as_deref()
            .map(|d| format!(" «{d}»"))
            .unwrap_or_default();
        (
            format!("{}{said}: {measured}{place} in {}", t.id, t.year),
            shown,
        )
    }

    /// The change of one member that restores a plan, in words.
    fn remedy(
        &self,
        row: &Row,
        measure: &Measure,
        subject: &str,
        shown: &Shown,
        to: f64,
    ) -> String {
        let from = measure.value;
        let verb = verb(from, to);
        match row.role {
            RowRole::Target { target } => {
                let id = self
                    .scenario
                    .targets
                    .get(target)
                    .map_or(row.name.as_str(), |t| t.id.as_str());
                let place = self.place(row);
                let kind = self.scenario.targets.get(target).map(|t| t.kind);
                let extra = match (kind, shown) {
                    (Some(TargetKind::Coverage), _) => {
                        let unserved = (from - to) * measure.denominator_constant;
                        let unit = self
                            .scenario
                            .targets
                            .get(target)
                            .and_then(|t| self.scenario.services.get(t.service))
                            .map_or("unit", |s| s.unit.as_str());
                        format!(
                            " ({} {} of need left unserved)",
                            show_plain(unserved.max(0.0).round()),
                            plural(unit, unserved.round())
                        )
                    }
                    (Some(TargetKind::AreaCount), _) => format!(
                        " ({} of {} areas)",
                        show_plain((to * measure.denominator_constant).round()),
                        show_plain(measure.denominator_constant)
                    ),
                    _ => String::new(),
                };
                let said = self
                    .scenario
                    .targets
                    .get(target)
                    .and_then(|t| t.description.as_deref())
                    .map(|d| format!(" «{d}»"))
                    .unwrap_or_default();
                let (id, said, place) = if subject == "it" {
                    ("it", String::new(), String::new())
                } else {
                    (id, said, place)
                };
                format!(
                    "{verb} {id}{said}{place} from {} to {}{extra}",
                    show(from, shown),
                    show(to, shown)
                )
            }
            _ => {
                let what = subject.split(", ").next().unwrap_or(subject);
                format!(
                    "{verb} {what} by {} (from {} to {})",
                    show((to - from).abs(), shown),
                    show_plain(from),
                    show_plain(to)
                )
            }
        }
    }

    /// The set in words: the targets, then the caps and budgets they cannot hold under,
    /// caps of one kind grouped over their areas.
    fn message(&self, model: &Model, set: &[usize], members: &[ConflictMember]) -> String {
        let by_name = |name: &str| members.iter().find(|m| m.name == name);
        let mut targets = Vec::new();
        let mut limits: Vec<(String, Vec<usize>)> = Vec::new();
        for &r in set {
            let row = &model.rows[r];
            let Some(member) = by_name(&row.name) else {
                continue;
            };
            if matches!(row.role, RowRole::Target { .. } | RowRole::DrawsCovered) {
                let place = self.place(row);
                targets.push(short_statement(member, &place));
                continue;
            }
            // Caps of one kind are grouped over their areas: "the caps on X added in 11 areas".
            let (_, _, key, _) = self.subject(row, "", false);
            match limits.iter_mut().find(|(k, _)| *k == key) {
                Some((_, rows)) => rows.push(r),
                None => limits.push((key, vec![r])),
            }
        }
        let limits: Vec<String> = limits
            .into_iter()
            .map(|(_, rows)| {
                let row = &model.rows[rows[0]];
                let place = match (rows.len(), self.area(row.area)) {
                    (1, Some(a)) => format!(" in {a}"),
                    (1, None) => String::new(),
                    (n, _) => format!(" in {n} areas"),
                };
                self.subject(row, &place, rows.len() > 1).2
            })
            .collect();
        let restorers = members
            .iter()
            .filter(|m| m.restoring_value.is_some())
            .count();
        let mut message = if limits.is_empty() && targets.len() == 1 {
            format!("{} cannot hold", targets.join(" + "))
        } else if limits.is_empty() {
            format!("{} cannot all hold together", targets.join(" + "))
        } else {
            format!(
                "{} cannot all hold under {}",
                targets.join(" + "),
                join_and(&limits)
            )
        };
        if restorers == 0 {
            message.push_str(
                "; no change of one of them alone restores a plan: another conflicting set holds as well",
            );
        }
        message
    }
}

/// "a", "a and b", "a, b and c".
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [head @ .., last] => format!("{} and {last}", head.join(", ")),
    }
}

/// A target member in a few words, `place` being where (" in 石油路 Shiyoulu" or ""):
/// "nursing_share_2025 (at least 60 %)".
fn short_statement(member: &ConflictMember, place: &str) -> String {
    let id = member.target.clone().unwrap_or_else(|| member.name.clone());
    let value = member
        .statement
        .rsplit_once(": ")
        .map_or(String::new(), |(_, v)| v.to_string());
    if member.kind == MemberKind::DrawsCovered {
        return format!("the joint chance constraint ({value} draws covered)");
    }
    format!("{id}{place} ({value})")
}

/// The plural of a unit for an amount: "seat" → "seats", "m²" unchanged.
fn plural(unit: &str, amount: f64) -> String {
    let alphabetic = unit.chars().last().is_some_and(char::is_alphabetic);
    if (amount - 1.0).abs() < 1e-9 || !alphabetic || unit.ends_with('s') {
        unit.to_string()
    } else {
        format!("{unit}s")
    }
}

fn unit_word(shown: &Shown) -> String {
    match shown {
        Shown::Count(unit) => plural(unit, 2.0),
        Shown::Rate(unit, persons) => format!("{} per 1,000 {persons}", plural(unit, 2.0)),
        Shown::Percent => "ratio (1 = 100 %)".to_string(),
        Shown::Number => String::new(),
    }
}

/// A number with thousands separators and at most two decimals (none from 100 up).
fn show_plain(x: f64) -> String {
    let decimals = if x.abs() >= 100.0 || x.fract() == 0.0 {
        0
    } else {
        2
    };
    let text = format!("{:.*}", decimals, x.abs());
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w.to_string(), format!(".{}", f.trim_end_matches('0'))),
        None => (text.clone(), String::new()),
    };
    let mut grouped = String::new();
    for (k, c) in whole.chars().enumerate() {
        if k > 0 && (whole.len() - k) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let fraction = if fraction == "." {
        String::new()
    } else {
        fraction
    };
    let sign = if x < 0.0 && (grouped != "0" || !fraction.is_empty()) {
        "-"
    } else {
        ""
    };
    format!("{sign}{grouped}{fraction}")
}

/// A value as the scenario means it: "104 seats", "52.38 %", "4.5".
fn show(x: f64, shown: &Shown) -> String {
    match shown {
        Shown::Count(unit) => format!("{} {}", show_plain(x), plural(unit, x)),
        Shown::Rate(unit, persons) => {
            format!("{} {} per 1,000 {persons}", show_plain(x), plural(unit, x))
        }
        Shown::Percent => format!("{} %", show_plain(100.0 * x)),
        Shown::Number => show_plain(x),
    }
}

/// The restoring value rounded at the precision it is shown with, away from the member's
/// own value (so that the value shown restores a plan too): whole units from 100 up,
/// hundredths below, hundredths of a percentage point for shares.
fn rounded_toward(to: f64, from: f64, shown: &Shown) -> f64 {
    let step = match shown {
        Shown::Percent => 1e-4,
        _ if to.abs() >= 100.0 => 1.0,
        _ => 0.01,
    };
    // Forgive the solver's noise before rounding outward.
    let noise = 1e-7 * to.abs().max(1.0);
    let units = to / step;
    let outward = if to > from {
        ((to - noise) / step).ceil()
    } else {
        ((to + noise) / step).floor()
    };
    let r = if outward.is_finite() { outward } else { units };
    r * step
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Scenario {
        Scenario::load(
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny"),
        )
        .unwrap()
    }

    fn row(name: &str, role: RowRole, terms: Vec<(usize, f64)>, sense: Sense, rhs: f64) -> Row {
        Row {
            name: name.into(),
            role,
            area: Some(0),
            year: Some(2023),
            terms,
            sense,
            rhs,
            slack: Vec::new(),
        }
    }

    fn structure() -> RowRole {
        RowRole::CapacityBalance { service: 0 }
    }

    fn cap() -> RowRole {
        RowRole::Cap {
            service: 0,
            variant: None,
        }
    }

    /// A backend that calls the model infeasible whatever the targets (as clarabel did
    /// with an expected target of 1e11 beds) yields no conflict, never an empty one.
    #[test]
    fn an_infeasible_structure_is_no_conflict_and_never_an_empty_one() {
        let mut model = Model::new();
        let x = model.continuous("x".into());
        model.row(row(
            "floor",
            structure(),
            vec![(x, 1.0)],
            Sense::AtLeast,
            5.0,
        ));
        model.row(row(
            "ceiling",
            structure(),
            vec![(x, 1.0)],
            Sense::AtMost,
            3.0,
        ));
        model.row(row(
            "cap_beds_north",
            cap(),
            vec![(x, 1.0)],
            Sense::AtMost,
            10.0,
        ));
        let found = find_conflict(&tiny(), &model, Backend::Clarabel, 10.0).unwrap();
        assert!(found.is_none(), "{found:?}");
    }

    /// Caps and budgets hold at the plan that adds nothing: a set of them alone (as
    /// clarabel reported with an expected target of 1e10 beds) is a solver fault.
    #[test]
    fn caps_alone_are_never_a_conflict() {
        let mut model = Model::new();
        let x = model.continuous("x".into());
        // A structure that (unlike any the model builds) forces activity.
        model.row(row(
            "floor",
            structure(),
            vec![(x, 1.0)],
            Sense::AtLeast,
            5.0,
        ));
        model.row(row(
            "cap_beds_north",
            cap(),
            vec![(x, 1.0)],
            Sense::AtMost,
            3.0,
        ));
        let found = find_conflict(&tiny(), &model, Backend::Clarabel, 10.0).unwrap();
        assert!(found.is_none(), "{found:?}");
    }

    #[test]
    fn a_target_and_a_cap_each_say_how_far_to_move() {
        let mut model = Model::new();
        let x = model.continuous("x".into());
        model.row(row(
            "beds_2023",
            RowRole::Target { target: 0 },
            vec![(x, 1.0)],
            Sense::AtLeast,
            5.0,
        ));
        model.row(row(
            "cap_beds_north",
            cap(),
            vec![(x, 1.0)],
            Sense::AtMost,
            3.0,
        ));
        let c = find_conflict(&tiny(), &model, Backend::Clarabel, 10.0)
            .unwrap()
            .unwrap();
        assert_eq!(c.members.len(), 2);
        let by = |name: &str| c.members.iter().find(|m| m.name == name).unwrap();
        assert_eq!(by("beds_2023").restoring_value, Some(3.0));
        assert_eq!(by("cap_beds_north").restoring_value, Some(5.0));
        assert!(
            by("cap_beds_north")
                .remedy
                .contains("by 2 beds (from 3 to 5)"),
            "{}",
            by("cap_beds_north").remedy
        );
        assert!(c.message.contains("beds_2023"), "{}", c.message);
    }

    /// A share (nursing ≥ 60 % with 10 of 40 beds nursing and at most 5 nursing beds
    /// added) is lowered to the highest share reachable, 15 / 45, found by Dinkelbach's
    /// rounds over a ratio whose denominator moves with the plan.
    #[test]
    fn a_share_is_lowered_to_the_highest_share_reachable() {
        let mut model = Model::new();
        let nursing = model.continuous("add_nursing".into());
        let ordinary = model.continuous("add_ordinary".into());
        let share = Measure {
            numerator: vec![(nursing, 1.0)],
            numerator_constant: 10.0,
            denominator: vec![(nursing, 1.0), (ordinary, 1.0)],
            denominator_constant: 40.0,
            value: 0.6,
        };
        let (terms, rhs) = share.row_at(0.6);
        let r = model.row(row(
            "nursing_share_2023",
            RowRole::Target { target: 1 },
            terms,
            Sense::AtLeast,
            rhs,
        ));
        model.measures.push((r, share));
        model.row(row(
            "cap_beds_nursing_north",
            RowRole::Cap {
                service: 0,
                variant: Some(0),
            },
            vec![(nursing, 1.0)],
            Sense::AtMost,
            5.0,
        ));
        let c = find_conflict(&tiny(), &model, Backend::Clarabel, 10.0)
            .unwrap()
            .unwrap();
        let member = c
            .members
            .iter()
            .find(|m| m.name == "nursing_share_2023")
            .unwrap();
        let to = member.restoring_value.unwrap();
        assert!((to - 15.0 / 45.0).abs() < 1e-4 && to <= 15.0 / 45.0, "{to}");
        assert!(
            member.remedy.contains("from 60 % to 33.33 %"),
            "{}",
            member.remedy
        );
        // Raising the cap: 0.6 × (40 + a) ≤ 10 + a gives a ≥ 35.
        let raise = c
            .members
            .iter()
            .find(|m| m.name == "cap_beds_nursing_north")
            .unwrap();
        assert!(
            (raise.restoring_value.unwrap() - 35.0).abs() < 0.02,
            "{raise:?}"
        );
        assert_eq!(raise.kind, MemberKind::VariantCap);
    }

    #[test]
    fn numbers_are_shown_with_separators_and_rounded_outward() {
        assert_eq!(show_plain(40381.2), "40,381");
        assert_eq!(show_plain(4.5), "4.5");
        assert_eq!(show_plain(0.0), "0");
        assert_eq!(show(0.6, &Shown::Percent), "60 %");
        assert_eq!(show(1.0, &Shown::Count("bed".into())), "1 bed");
        assert_eq!(show(104.0, &Shown::Count("seat".into())), "104 seats");
        assert_eq!(rounded_toward(203.4, 100.0, &Shown::Number), 204.0);
        assert_eq!(rounded_toward(0.523871, 0.6, &Shown::Percent), 0.5238);
        // Solver noise just past a whole value does not add a unit.
        assert_eq!(rounded_toward(204.000_000_01, 100.0, &Shown::Number), 204.0);
    }
}
