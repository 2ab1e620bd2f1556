//! A plan against every Monte Carlo draw (DESIGN §6): in what share of draws each target
//! holds and each street's need is met.

use serde::Serialize;

use crate::allocate::plan::{judge, measure_target, target_groups};
use crate::allocate::{Plan, TargetStatus};
use crate::error::{Error, Result};
use crate::need::Need;
use crate::scenario::Scenario;
use crate::scenario::target::{TargetClass, TargetLevel};
use crate::uncertainty::MonteCarloSummary;
use crate::uncertainty::max_flow::{Routing, route};

/// Relative tolerance of "the plan serves this need": the lexicographic objective holds
/// the first stage (unmet need) to a tolerance, and the cost stage may give up need within
/// it (seen: 0.07 of 4,877 school seats, 1.4e-5); a ten-thousandth of the need served is
/// read as noise.
pub const COVER_TOLERANCE: f64 = 1e-4;

/// Whether `served` covers `need` (within [`COVER_TOLERANCE`]).
pub(crate) fn covers(served: f64, need: f64) -> bool {
    need <= served + COVER_TOLERANCE * served.abs() + 1e-9
}

/// The share of draws in which a target holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetReliability {
    /// The target's id.
    pub id: String,
    /// Binding or expected.
    pub class: TargetClass,
    /// Its year.
    pub year: i32,
    /// Whether the plan meets it for the need it was built on.
    pub met_in_plan: bool,
    /// Share of draws in which it holds (0 … 1).
    pub share_met: f64,
}

/// The share of draws in which a street's need for a service is met in a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StreetReliability {
    /// Service id.
    pub service: String,
    /// Area id.
    pub area: String,
    /// Year.
    pub year: i32,
    /// Need the plan serves there (units).
    pub served: f64,
    /// Need the plan was built on (units).
    pub planned_need: f64,
    /// Whether the plan states a shortfall of the service in this year anywhere in the
    /// district (then [`Reliability::worst_street`] leaves the year out).
    pub shortfall_planned: bool,
    /// Share of draws in which the street is served, in every maximum routing of the
    /// draw's need to the plan's capacity within reach, the share of its need the plan
    /// serves it (all of it, unless the plan states a shortfall there) (0 … 1).
    pub share_met: f64,
}

/// How a plan fares against every draw.
///
/// The plan's capacity is fixed; each draw's need is routed to it afresh. For a service
/// and year, a draw's need in every street is sent to the capacity of the streets within
/// the service's radius as a maximum flow (as much need served as that capacity allows),
/// so that spare capacity within reach counts, wherever the plan's own flows sent it. A
/// street's need is met in the draw when it is served in **every** maximum routing, not
/// only in a lucky one: when dropping the street's need lowers the most that can be
/// served by the street's whole need (the rule and its proof are with
/// `max_flow::route`), within [`COVER_TOLERANCE`]. A street where the plan itself states
/// a shortfall (need that outpaces a build-rate limit) is judged against the share of its
/// need the plan serves it, not its whole need: the plan is measured against what it
/// plans.
///
/// Targets use the same routing: a district coverage target counts the need served in a
/// maximum routing, a street's coverage target what the street is served in every one;
/// capacity is the plan's, and persons (per-capita targets) are the draw's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reliability {
    /// Number of draws.
    pub draws: usize,
    /// Every target of the scenario that the plan reports.
    pub targets: Vec<TargetReliability>,
    /// Every service, area and planned year with need in the plan.
    pub streets: Vec<StreetReliability>,
}

impl Reliability {
    /// The lowest share of draws meeting a street's need, over services, areas and years,
    /// leaving out the service-years in which the plan itself states a shortfall (need
    /// that outpaces a build-rate limit): there the plan gives out all the capacity it has,
    /// no street is assured any of it in every routing, and the shortfall is stated instead.
    pub fn worst_street(&self) -> Option<&StreetReliability> {
        self.streets
            .iter()
            .filter(|s| !s.shortfall_planned)
            .min_by(|a, b| a.share_met.total_cmp(&b.share_met))
    }
}

/// The plan's capacity per year, service, variant and area, and served need per year,
/// service and area, read from its rows.
pub(crate) struct PlanLevels {
    pub(crate) years: Vec<i32>,
    /// `[year][service][variant][area]`.
    capacity: Vec<Vec<Vec<Vec<f64>>>>,
    /// `[year][service][area]`.
    served: Vec<Vec<Vec<f64>>>,
    /// `[year][service][area]`.
    need: Vec<Vec<Vec<f64>>>,
    /// The areas each area's need can be served from, `[service][area]`: found once, read
    /// by every draw's routing.
    reach: Vec<Vec<Vec<usize>>>,
    /// Whether some area's need of service `f` can be served from an area of another
    /// group (`[service]`): a group's served need is then not the same in every maximum
    /// routing.
    crosses_groups: Vec<bool>,
}

impl PlanLevels {
    pub(crate) fn read(scenario: &Scenario, plan: &Plan) -> Result<Self> {
        let years = plan.years.clone();
        let areas = scenario.areas.len();
        let capacity: Vec<Vec<Vec<f64>>> = scenario
            .services
            .iter()
            .map(|s| vec![vec![0.0; areas]; s.variants.len()])
            .collect();
        let mut capacity = vec![capacity; years.len()];
        let mut served = vec![vec![vec![0.0; areas]; scenario.services.len()]; years.len()];
        let mut need = served.clone();
        let unknown = |what: &'static str, name: &str| Error::UnknownName {
            path: "plan".into(),
            field: "rows".into(),
            what,
            name: name.to_owned(),
        };
        for row in &plan.rows {
            let t = years
                .iter()
                .position(|y| *y == row.year)
                .ok_or_else(|| unknown("year", &row.year.to_string()))?;
            let f = scenario
                .services
                .iter()
                .position(|s| s.id == row.service)
                .ok_or_else(|| unknown("service", &row.service))?;
            let v = scenario.services[f]
                .variants
                .iter()
                .position(|v| *v == row.variant)
                .ok_or_else(|| unknown("variant", &row.variant))?;
            let i = scenario
                .areas
                .iter()
                .position(|a| a.id == row.area)
                .ok_or_else(|| unknown("area", &row.area))?;
            capacity[t][f][v][i] = row.capacity;
            served[t][f][i] = row.served;
            need[t][f][i] = row.need;
        }
        let reach: Vec<Vec<Vec<usize>>> = scenario
            .services
            .iter()
            .map(|s| {
                (0..areas)
                    .map(|i| s.areas_reached(&scenario.access, i))
                    .collect()
            })
            .collect();
        let crosses_groups = reach
            .iter()
            .map(|by_area: &Vec<Vec<usize>>| {
                by_area.iter().enumerate().any(|(i, from)| {
                    from.iter()
                        .any(|&j| scenario.areas[i].group != scenario.areas[j].group)
                })
            })
            .collect();
        Ok(Self {
            years,
            capacity,
            served,
            need,
            reach,
            crosses_groups,
        })
    }

    /// The plan's capacity of service `f` in every area in year number `t`, all variants.
    fn capacity_of(&self, t: usize, f: usize) -> Vec<f64> {
        let by_variant = &self.capacity[t][f];
        let areas = by_variant.first().map_or(0, Vec::len);
        (0..areas)
            .map(|i| by_variant.iter().map(|v| v[i]).sum())
            .collect()
    }

    /// The share of its need the plan serves an area (1 when the plan meets it, less where
    /// the plan states a shortfall, e.g. need that outpaces a build-rate limit).
    fn planned_coverage(&self, t: usize, f: usize, i: usize) -> f64 {
        let need = self.need[t][f][i];
        if need > 0.0 && !covers(self.served[t][f][i], need) {
            (self.served[t][f][i] / need).clamp(0.0, 1.0)
        } else {
            1.0
        }
    }

    /// `need` (of service `f`, year number `t`) routed to the plan's capacity within the
    /// service's radius.
    fn route(&self, scenario: &Scenario, t: usize, f: usize, need: &Need) -> (Vec<f64>, Routing) {
        let year = self.years[t];
        let wanted: Vec<f64> = (0..scenario.areas.len())
            .map(|i| need.need(f, i, year).unwrap_or(f64::NAN))
            .collect();
        let routing = route(&wanted, &self.capacity_of(t, f), &self.reach[f]);
        (wanted, routing)
    }

    /// Whether the plan's capacity serves every street's `need`, for every service and
    /// planned year, in every maximum routing (see [`Reliability`]).
    pub(crate) fn serves_all(&self, scenario: &Scenario, need: &Need) -> bool {
        (0..self.years.len()).all(|t| {
            (0..scenario.services.len()).all(|f| {
                let (wanted, routing) = self.route(scenario, t, f, need);
                wanted
                    .iter()
                    .zip(&routing.assured)
                    .all(|(&w, &a)| covers(a, w))
            })
        })
    }
}

/// The need of one kept draw for the plan's years.
pub(crate) fn draw_need(
    scenario: &Scenario,
    summary: &MonteCarloSummary,
    draw: usize,
    years: &[i32],
) -> Need {
    let total = scenario.bands.len();
    let persons = |y: usize, band: Option<usize>, i: usize| {
        summary
            .draw_value(draw, years[y], band.unwrap_or(total), i)
            .unwrap_or(f64::NAN)
    };
    Need::from_persons(
        scenario,
        years.to_vec(),
        |y, f, i| persons(y, Some(scenario.services[f].band), i),
        persons,
    )
}

/// Evaluates `plan` against every draw kept in `summary`.
///
/// # Errors
///
/// [`Error::InvalidParameter`] when the summary kept no draws or does not cover the plan's
/// years; [`Error::UnknownName`] when the plan names a service, variant or area the
/// scenario does not have; [`Error::Inconsistent`] when the scenario's parts do not fit
/// together ([`Scenario::check_consistent`]) or the summary is not a whole run of it
/// ([`MonteCarloSummary::check_matches`]).
///
/// # Examples
///
/// ```no_run
/// use popalloc::uncertainty::{MonteCarlo, quantile_need, reliability};
/// use popalloc::{Allocation, AllocationOptions, Scenario, allocate};
///
/// let yuzhong = Scenario::yuzhong()?;
/// let draws = MonteCarlo::new(&yuzhong, yuzhong.uncertainty.clone()).keep_draws(true).run(None)?;
/// let need = quantile_need(&yuzhong, &draws, 0.1, &[])?;
/// if let Allocation::Plan(plan) = allocate(&yuzhong, &need, &AllocationOptions::default())? {
///     let r = reliability(&yuzhong, &plan, &draws)?;
///     println!("worst street: {:?}", r.worst_street());
/// }
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn reliability(
    scenario: &Scenario,
    plan: &Plan,
    summary: &MonteCarloSummary,
) -> Result<Reliability> {
    scenario.check_consistent()?;
    summary.check_matches(scenario)?;
    if !summary.has_draws() {
        return Err(Error::InvalidParameter {
            parameter: "Monte Carlo draws kept",
            value: 0.0,
            range: "a run with keep_draws(true)",
        });
    }
    if let Some(&year) = plan.years.iter().find(|y| !summary.years.contains(y)) {
        return Err(Error::InvalidParameter {
            parameter: "plan year in the Monte Carlo run",
            value: f64::from(year),
            range: "a year the run projects",
        });
    }
    let levels = PlanLevels::read(scenario, plan)?;
    let areas = scenario.areas.len();
    let draws = summary.draws();
    let planned: Vec<_> = scenario
        .targets
        .iter()
        .filter_map(|target| {
            let t = levels.years.iter().position(|y| *y == target.year)?;
            let met = plan
                .targets
                .iter()
                .find(|r| r.id == target.id)
                .is_some_and(|r| r.status == TargetStatus::Met);
            Some((target, t, target_groups(target, &scenario.areas), met))
        })
        .collect();
    let mut target_hits = vec![0usize; planned.len()];
    let services = scenario.services.len();
    let mut street_hits = vec![0usize; levels.years.len() * services * areas];
    // The share of its need the plan serves each street, once (every draw judges by it),
    // and whether a service-year has a planned shortfall anywhere.
    let cell = |t: usize, f: usize, i: usize| (t * services + f) * areas + i;
    let mut promised_share = vec![1.0; street_hits.len()];
    for t in 0..levels.years.len() {
        for f in 0..services {
            for i in 0..areas {
                promised_share[cell(t, f, i)] = levels.planned_coverage(t, f, i);
            }
        }
    }
    let shortfall_planned = |t: usize, f: usize| {
        promised_share[cell(t, f, 0)..cell(t, f, 0) + areas]
            .iter()
            .any(|&c| c < 1.0)
    };
    for d in 0..draws {
        let need = draw_need(scenario, summary, d, &levels.years);
        let mut routings = Vec::with_capacity(levels.years.len() * services);
        for t in 0..levels.years.len() {
            for f in 0..services {
                let (wanted, routing) = levels.route(scenario, t, f, &need);
                for i in 0..areas {
                    // Judged against the service the plan gives the street: all of its
                    // need, or the share a build-rate limit leaves it.
                    let promised = promised_share[cell(t, f, i)] * wanted[i];
                    if covers(routing.assured[i], promised) {
                        street_hits[cell(t, f, i)] += 1;
                    }
                }
                routings.push(routing);
            }
        }
        for (k, (target, t, groups, _)) in planned.iter().enumerate() {
            let f = target.service;
            let capacity = |v: usize, i: usize| levels.capacity[*t][f][v][i];
            let routing = &routings[t * services + f];
            // The district's need served is the value of any maximum routing; a street's
            // is what it gets in every one. A group's is the value of any maximum routing
            // when no reach crosses a group's border (as in the blocks of a region of
            // districts); where reach crosses, what each street gets in every routing (a
            // lower bound: the group is judged on what it is sure of).
            let exact_groups = !levels.crosses_groups[f];
            let served = |i: usize| match target.level {
                TargetLevel::District => routing.served[i],
                TargetLevel::Group if exact_groups => routing.served[i],
                TargetLevel::Group | TargetLevel::Area => routing.assured[i],
            };
            let measured = measure_target(target, scenario, groups, &need, &capacity, &served);
            if judge(target, &measured).2 == TargetStatus::Met {
                target_hits[k] += 1;
            }
        }
    }
    let share = |hits: usize| hits as f64 / draws as f64;
    let targets = planned
        .iter()
        .zip(&target_hits)
        .map(|((target, _, _, met), &hits)| TargetReliability {
            id: target.id.clone(),
            class: target.class,
            year: target.year,
            met_in_plan: *met,
            share_met: share(hits),
        })
        .collect();
    let mut streets = Vec::new();
    for (t, &year) in levels.years.iter().enumerate() {
        for (f, service) in scenario.services.iter().enumerate() {
            for (i, area) in scenario.areas.iter().enumerate() {
                if levels.need[t][f][i] <= 0.0 {
                    continue;
                }
                streets.push(StreetReliability {
                    service: service.id.clone(),
                    area: area.id.clone(),
                    year,
                    served: levels.served[t][f][i],
                    planned_need: levels.need[t][f][i],
                    share_met: share(street_hits[cell(t, f, i)]),
                    shortfall_planned: shortfall_planned(t, f),
                });
            }
        }
    }
    Ok(Reliability {
        draws,
        targets,
        streets,
    })
}
