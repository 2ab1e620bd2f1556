//! A solved plan read back from the model's values: additions, conversions, capacity,
//! need, served and coverage per service, variant, area and year; every target with what
//! it required, what the plan achieves and its marginal cost; cost by year.

use serde::Serialize;

use crate::allocate::CERTIFICATE_TOLERANCE;
use crate::allocate::build::{Built, Layout};
use crate::allocate::model::Model;
use crate::allocate::rounding::MilpGap;
use crate::allocate::solve::Backend;
use crate::need::Need;
use crate::scenario::Scenario;
use crate::scenario::plan_data::{Area, Target};
use crate::scenario::target::{Comparison, TargetClass, TargetKind, TargetLevel};

/// One line of the plan: a service variant in an area and year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanRow {
    /// The year (capacity at its end).
    pub year: i32,
    /// Area id.
    pub area: String,
    /// Service id.
    pub service: String,
    /// Variant id.
    pub variant: String,
    /// Capacity added in the year (units).
    pub added: f64,
    /// Net change of the variant's capacity by conversion in the year: units gained from
    /// conversions into it (a conversion's ratio × the units converted, from this or
    /// another service) minus units converted out of it (negative: converted away).
    pub converted: f64,
    /// Capacity of the variant at the end of the year.
    pub capacity: f64,
    /// Need of the service in the area (all variants).
    pub need: f64,
    /// Need of the area served (by its own or nearby capacity, all variants).
    pub served: f64,
    /// Served / need (1 where there is no need).
    pub coverage: f64,
}

/// Need of one area served by capacity in an area within the service's reach, in one
/// year: who is served where. `area_served` and `area_serving` are the same area for need
/// served at home.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flow {
    /// The year the capacity serves (its capacity at the end of the year).
    pub year: i32,
    /// Service id.
    pub service: String,
    /// Id of the area whose need is served.
    pub area_served: String,
    /// Id of the area whose capacity serves it.
    pub area_serving: String,
    /// Units of the service (beds, places, seats) of `area_served`'s need served by
    /// `area_serving`'s capacity, all variants together.
    pub amount: f64,
}

/// Capacity converted from one variant of a service to another variant of it, or to a
/// variant of another service (repurposing), in an area and year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanConversion {
    /// The year of the conversion.
    pub year: i32,
    /// Area id.
    pub area: String,
    /// Id of the service converted from.
    pub service: String,
    /// The variant converted from.
    pub from: String,
    /// Id of the service converted to (`service` itself within one service).
    pub to_service: String,
    /// The variant converted to.
    pub to: String,
    /// Units converted (of `from`, given up).
    pub amount: f64,
    /// Units of `to` gained: the conversion's ratio × `amount`.
    pub gained: f64,
}

impl PlanConversion {
    /// Whether capacity of one service becomes another's (repurposing).
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Allocation, AllocationOptions, Need, Scenario, allocate};
    ///
    /// let yuzhong = Scenario::yuzhong()?;
    /// let need = Need::from_projection(&yuzhong, &yuzhong.project(yuzhong.horizon())?)?;
    /// if let Allocation::Plan(plan) = allocate(&yuzhong, &need, &AllocationOptions::default())? {
    ///     for c in plan.conversions().iter().filter(|c| c.is_repurposing()) {
    ///         assert_eq!((c.service.as_str(), c.to_service.as_str()), ("kindergarten", "childcare"));
    ///     }
    /// }
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn is_repurposing(&self) -> bool {
        self.service != self.to_service
    }
}

/// Flows and conversions smaller than this many units (a hundred-thousandth of a bed,
/// place or seat) are solver noise: [`Plan::flows`] and [`Plan::conversions`] leave them
/// out, and the memo does not count such additions as projects.
pub const FLOW_TOLERANCE: f64 = 1e-5;

/// Whether a target holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetStatus {
    /// It holds (within the certificate's tolerance).
    Met,
    /// It does not (only expected targets can be missed).
    Missed,
}

/// A target and how the plan does against it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetResult {
    /// Target id.
    pub id: String,
    /// Binding or expected.
    pub class: TargetClass,
    /// The year.
    pub year: i32,
    /// The comparison.
    pub op: Comparison,
    /// What it requires, in the target's units (beds; a share; places per 1,000; a
    /// coverage ratio; a share of areas).
    pub required: f64,
    /// What the plan achieves, in the same units (for area-level targets: the worst area).
    pub achieved: f64,
    /// Met or missed.
    pub status: TargetStatus,
    /// How far it is missed (0 when met), in the target's units.
    pub slack: f64,
    /// Marginal cost of raising the target's value by one of its units, d cost / d value
    /// (cost units; a share's unit is 1.0 = 100 percentage points); binding targets only,
    /// and not for a coverage of 100 % (it cannot be raised) or an area count (integer).
    pub dual: Option<f64>,
}

/// A plan: what to add, convert and hold where and when, and how it meets the targets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// The planned years.
    pub years: Vec<i32>,
    /// One row per year, area, service and variant.
    pub rows: Vec<PlanRow>,
    /// Every target of the scenario.
    pub targets: Vec<TargetResult>,
    /// Cost of each year's additions and conversions.
    pub cost_by_year: Vec<(i32, f64)>,
    /// Cost of the whole plan: the sum of [`Plan::cost_by_year`], as paid.
    pub total_cost: f64,
    /// The plan's cost discounted to the base year at the scenario's discount rate (the
    /// objective of the final stage; equal to `total_cost` without discounting). Marginal
    /// costs ([`TargetResult::dual`]) are in the same present-value terms.
    pub present_value: f64,
    /// The first-stage objective: weighted relative shortfall of expected targets plus
    /// unmet need (0 when every expected target and all need are met).
    pub shortfall: f64,
    /// The backend that found the plan.
    pub backend: Backend,
    /// The backend that gave the duals (clarabel on the LP, integer decisions fixed; with
    /// whole units, the amounts left continuous).
    pub dual_backend: Option<Backend>,
    /// For a model with integer variables (whole modules, area counts): each stage's
    /// objective, bound and gap, in the order solved; a gap above 0 says the search stopped
    /// (time limit) before proving the plan optimal. Empty for an LP.
    pub milp_gaps: Vec<MilpGap>,
    /// Who is served where (see [`Plan::flows`]).
    flows: Vec<Flow>,
    /// Conversions between variants (see [`Plan::conversions`]).
    conversions: Vec<PlanConversion>,
}

impl Plan {
    /// The need the plan leaves unmet, by service and year: Σ over areas of need − served
    /// (each area once), for the service-years where it is at least `at_least` units. Need
    /// goes unmet where caps, budgets or build-rate limits stop the plan from building
    /// enough in time.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Allocation, AllocationOptions, Need, Scenario, allocate};
    ///
    /// let mut yuzhong = Scenario::yuzhong()?;
    /// // The district can add at most 300 elder-care beds a year.
    /// yuzhong.services[0].max_added_per_year = Some(300.0);
    /// let need = Need::from_projection(&yuzhong, &yuzhong.project(2025)?)?;
    /// let Allocation::Plan(plan) = allocate(&yuzhong, &need, &AllocationOptions::default())? else {
    ///     panic!("a build-rate limit on an expected service is no conflict");
    /// };
    /// let unmet = plan.unmet_need(1.0);
    /// assert!(unmet.iter().any(|(service, year, _)| service == "elder_beds" && *year == 2021));
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn unmet_need(&self, at_least: f64) -> Vec<(String, i32, f64)> {
        let mut seen = std::collections::HashSet::new();
        let mut totals: Vec<(String, i32, f64)> = Vec::new();
        for r in &self.rows {
            if !seen.insert((r.service.as_str(), r.year, r.area.as_str())) {
                continue;
            }
            let gap = (r.need - r.served).max(0.0);
            match totals
                .iter_mut()
                .find(|(s, y, _)| *s == r.service && *y == r.year)
            {
                Some((_, _, total)) => *total += gap,
                None => totals.push((r.service.clone(), r.year, gap)),
            }
        }
        totals.retain(|(_, _, total)| *total >= at_least);
        totals
    }

    /// The largest gap of the plan's MILP stages (`None` for an LP): 0 when every stage is
    /// proven optimal.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Allocation, AllocationOptions, Need, Scenario, allocate};
    ///
    /// let yuzhong = Scenario::yuzhong()?;
    /// let need = Need::from_projection(&yuzhong, &yuzhong.project(yuzhong.horizon())?)?;
    /// if let Allocation::Plan(plan) = allocate(&yuzhong, &need, &AllocationOptions::default())? {
    ///     // Whole units and projects make the model a MILP; the rounded plan states how
    ///     // far it may be from the best (the bound of fixed project costs is weak).
    ///     assert!(plan.milp_gap().is_some_and(|gap| gap < 0.1));
    /// }
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn milp_gap(&self) -> Option<f64> {
        self.milp_gaps.iter().map(|g| g.gap).reduce(f64::max)
    }

    /// Who is served where: for every year, service and area with need served, the units
    /// served by each area's capacity within the service's reach (the flows of the
    /// model), in the order year, service (as the scenario lists them), area served, area
    /// serving. Flows under [`FLOW_TOLERANCE`] are left out; the amounts are rounded to
    /// six decimals, like the plan's rows. The flows of an area, year and service sum to
    /// its row's `served` (within the certificate's tolerance).
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Allocation, AllocationOptions, Need, Scenario, allocate};
    ///
    /// let yuzhong = Scenario::yuzhong()?;
    /// let need = Need::from_projection(&yuzhong, &yuzhong.project(yuzhong.horizon())?)?;
    /// if let Allocation::Plan(plan) = allocate(&yuzhong, &need, &AllocationOptions::default())? {
    ///     // Beds of Qixinggang's need served in 2025, at home or in a street nearby.
    ///     let beds: f64 = plan
    ///         .flows()
    ///         .iter()
    ///         .filter(|f| f.year == 2025 && f.service == "elder_beds" && f.area_served == "qixinggang")
    ///         .map(|f| f.amount)
    ///         .sum();
    ///     let row = plan
    ///         .rows
    ///         .iter()
    ///         .find(|r| r.year == 2025 && r.service == "elder_beds" && r.area == "qixinggang")
    ///         .expect("a row for every year, area, service and variant");
    ///     assert!((beds - row.served).abs() <= 1e-6 * row.need.max(1.0));
    /// }
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn flows(&self) -> &[Flow] {
        &self.flows
    }

    /// Capacity converted from one variant to another (e.g. ordinary to nursing beds) or
    /// from one service to another (repurposing, e.g. kindergarten to childcare places), by
    /// year, area and conversion, in the order year, area, conversion (as the scenario
    /// lists them); conversions under [`FLOW_TOLERANCE`] are left out. A row's
    /// `converted` is the net of these for its variant: `gained` for the variant converted
    /// to, minus `amount` for the one converted from.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Allocation, AllocationOptions, Need, Scenario, allocate};
    ///
    /// let yuzhong = Scenario::yuzhong()?;
    /// let need = Need::from_projection(&yuzhong, &yuzhong.project(yuzhong.horizon())?)?;
    /// if let Allocation::Plan(plan) = allocate(&yuzhong, &need, &AllocationOptions::default())? {
    ///     let to_nursing: f64 = plan
    ///         .conversions()
    ///         .iter()
    ///         .filter(|c| c.service == "elder_beds" && c.to.starts_with("nursing"))
    ///         .map(|c| c.amount)
    ///         .sum();
    ///     assert!(to_nursing >= 0.0);
    /// }
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn conversions(&self) -> &[PlanConversion] {
        &self.conversions
    }
}

/// Relative tolerance under which a target counts as met in the report (expected targets
/// are minimised, not forced, so a shortfall below this is solver noise).
pub const STATUS_TOLERANCE: f64 = 1e-5;

/// Reported numbers are rounded to this many decimals (checks use the raw values).
const REPORT_DECIMALS: i32 = 6;

fn report(x: f64) -> f64 {
    let scale = 10f64.powi(REPORT_DECIMALS);
    let r = (x * scale).round() / scale;
    if r == 0.0 { 0.0 } else { r }
}

/// Capacity of every (service, variant, area, year index) from the values.
fn capacities(scenario: &Scenario, layout: &Layout, values: &[f64]) -> Vec<Vec<Vec<Vec<f64>>>> {
    let t_count = layout.years.len();
    let mut out = Vec::new();
    for (f, service) in scenario.services.iter().enumerate() {
        let mut per_variant = Vec::new();
        for v in 0..service.variants.len() {
            let mut per_area = Vec::new();
            for i in 0..layout.areas {
                let mut level = service.stock[v][i];
                let mut per_year = Vec::with_capacity(t_count);
                for t in 0..t_count {
                    level += values[layout.add_var(f, v, i, t)]
                        + net_conversion(scenario, layout, values, f, v, i, t);
                    per_year.push(level);
                }
                per_area.push(per_year);
            }
            per_variant.push(per_area);
        }
        out.push(per_variant);
    }
    out
}

/// Net change of the capacity of variant v of service f in area i in year index t by
/// conversion: gained from conversions into it (ratio × amount, from this or another
/// service) less the amounts converted out of it.
fn net_conversion(
    scenario: &Scenario,
    layout: &Layout,
    values: &[f64],
    f: usize,
    v: usize,
    i: usize,
    t: usize,
) -> f64 {
    scenario
        .conversions
        .iter()
        .enumerate()
        .map(|(c, conversion)| {
            conversion.capacity_coefficient(f, v) * values[layout.conv_var(c, i, t)]
        })
        .sum()
}

pub(crate) fn make_plan(
    scenario: &Scenario,
    need: &Need,
    built: &Built,
    values: &[f64],
    duals: Option<&[f64]>,
    backend: Backend,
    dual_backend: Option<Backend>,
) -> Plan {
    let layout = &built.layout;
    let model = &built.model;
    let cap = capacities(scenario, layout, values);
    let n = layout.areas;
    let served = |f: usize, i: usize, t: usize| -> f64 {
        layout.flows[f][t].served_by[i]
            .iter()
            .map(|&v| values[v])
            .sum()
    };
    let mut rows = Vec::new();
    for (t, &year) in layout.years.iter().enumerate() {
        for i in 0..n {
            for (f, service) in scenario.services.iter().enumerate() {
                let need_here = need.need(f, i, year).unwrap_or(0.0);
                let served_here = served(f, i, t);
                for (v, variant) in service.variants.iter().enumerate() {
                    rows.push(PlanRow {
                        year,
                        area: scenario.areas[i].id.clone(),
                        service: service.id.clone(),
                        variant: variant.clone(),
                        added: report(values[layout.add_var(f, v, i, t)]),
                        converted: report(net_conversion(scenario, layout, values, f, v, i, t)),
                        capacity: report(cap[f][v][i][t]),
                        need: report(need_here),
                        served: report(served_here),
                        coverage: report(if need_here > 0.0 {
                            served_here / need_here
                        } else {
                            1.0
                        }),
                    });
                }
            }
        }
    }

    let mut targets = Vec::new();
    for (k, target) in scenario.targets.iter().enumerate() {
        let Some(t) = layout.years.iter().position(|y| *y == target.year) else {
            continue;
        };
        let f = target.service;
        let capacity = |v: usize, i: usize| cap[f][v][i][t];
        let served_in = |i: usize| served(f, i, t);
        let groups = target_groups(target, &scenario.areas);
        let measured = measure_target(target, scenario, &groups, need, &capacity, &served_in);
        let (achieved, gap, status) = judge(target, &measured);
        let required = target.value;
        // A coverage of 100 % cannot be tightened (served need never exceeds need), so its
        // dual says nothing; area counts are integer decisions.
        let full_coverage = target.kind == TargetKind::Coverage && target.value >= 1.0;
        let dual = match (target.class, target.kind, duals) {
            (TargetClass::Binding, kind, Some(duals))
                if kind != TargetKind::AreaCount && !full_coverage =>
            {
                let mut sum = 0.0;
                for (g, members) in groups.iter().enumerate() {
                    let name = target_row_name(target, &scenario.areas, members);
                    if let Some(r) = model.row_index(&name) {
                        sum += duals[r] * measured[g].1;
                    }
                }
                Some(report(sum))
            }
            _ => None,
        };
        let _ = k;
        targets.push(TargetResult {
            id: target.id.clone(),
            class: target.class,
            year: target.year,
            op: target.op,
            required,
            achieved: report(achieved),
            status,
            slack: report(if status == TargetStatus::Met {
                0.0
            } else {
                gap
            }),
            dual,
        });
    }

    let cost_by_year: Vec<(i32, f64)> = layout
        .years
        .iter()
        .zip(&layout.cost_by_year)
        .map(|(&year, terms)| (year, report(Model::evaluate(terms, values))))
        .collect();
    // Shortfall with its constant: Σ unmet need / total need + Σ weighted slack (the
    // constant 1 per service and year with need only where unmet need is in the
    // objective: a joint model leaves it out, and its shortfall is the slack alone).
    let mut constant = 0.0;
    for (f, _) in scenario
        .services
        .iter()
        .enumerate()
        .filter(|_| layout.unmet_need_in_objective)
    {
        for &year in &layout.years {
            if need.district_need(f, year).unwrap_or(0.0) > 0.0 {
                constant += 1.0;
            }
        }
    }
    let flows = read_flows(scenario, layout, values);
    let conversions = read_conversions(scenario, layout, values);
    let total_cost: f64 = cost_by_year.iter().map(|(_, c)| c).sum();
    Plan {
        years: layout.years.clone(),
        rows,
        targets,
        cost_by_year,
        total_cost: report(total_cost),
        present_value: report(Model::evaluate(&model.cost, values)),
        shortfall: report(constant + Model::evaluate(&model.shortfall, values)),
        backend,
        dual_backend,
        milp_gaps: Vec::new(),
        flows,
        conversions,
    }
}

/// Every flow of at least [`FLOW_TOLERANCE`] units, by year, service, area served and
/// area serving.
fn read_flows(scenario: &Scenario, layout: &Layout, values: &[f64]) -> Vec<Flow> {
    let mut flows = Vec::new();
    for (t, &year) in layout.years.iter().enumerate() {
        for (f, service) in scenario.services.iter().enumerate() {
            for &(i, j, v) in &layout.flows[f][t].links {
                let amount = values[v];
                if amount < FLOW_TOLERANCE {
                    continue;
                }
                flows.push(Flow {
                    year,
                    service: service.id.clone(),
                    area_served: scenario.areas[i].id.clone(),
                    area_serving: scenario.areas[j].id.clone(),
                    amount: report(amount),
                });
            }
        }
    }
    flows
}

/// Every conversion of at least [`FLOW_TOLERANCE`] units, by year, area and conversion.
fn read_conversions(scenario: &Scenario, layout: &Layout, values: &[f64]) -> Vec<PlanConversion> {
    let mut out = Vec::new();
    for (t, &year) in layout.years.iter().enumerate() {
        for (i, area) in scenario.areas.iter().enumerate() {
            for (c, conversion) in scenario.conversions.iter().enumerate() {
                let amount = values[layout.conv_var(c, i, t)];
                if amount < FLOW_TOLERANCE {
                    continue;
                }
                let service = &scenario.services[conversion.service];
                let to_service = &scenario.services[conversion.to_service];
                out.push(PlanConversion {
                    year,
                    area: area.id.clone(),
                    service: service.id.clone(),
                    from: service.variants[conversion.from].clone(),
                    to_service: to_service.id.clone(),
                    to: to_service.variants[conversion.to].clone(),
                    amount: report(amount),
                    gained: report(conversion.gained(amount)),
                });
            }
        }
    }
    out
}

/// The groups of areas a target is measured over: the whole district, each area, or each
/// group of areas (in the order of their first area; an area without a group, which the
/// scenario's checks refuse under a group target, is a group of its own kind).
pub(crate) fn target_groups(target: &Target, areas: &[Area]) -> Vec<Vec<usize>> {
    match target.level {
        TargetLevel::District => vec![(0..areas.len()).collect()],
        TargetLevel::Area => (0..areas.len()).map(|i| vec![i]).collect(),
        TargetLevel::Group => {
            let mut groups: Vec<Vec<usize>> = Vec::new();
            let mut index: std::collections::HashMap<Option<&str>, usize> =
                std::collections::HashMap::new();
            for (i, area) in areas.iter().enumerate() {
                let name = area.group.as_deref();
                let g = *index.entry(name).or_insert_with(|| {
                    groups.push(Vec::new());
                    groups.len() - 1
                });
                groups[g].push(i);
            }
            groups
        }
    }
}

/// The name of a target's row over `members` (one of its [`target_groups`]): the target's
/// id for the district, followed by the area's id or the group's name.
pub(crate) fn target_row_name(target: &Target, areas: &[Area], members: &[usize]) -> String {
    let first = members.first().and_then(|&i| areas.get(i));
    let suffix = match target.level {
        TargetLevel::District => None,
        TargetLevel::Area => first.map(|a| a.id.as_str()),
        TargetLevel::Group => first.and_then(|a| a.group.as_deref()),
    };
    match suffix {
        Some(s) => format!("{}_{}", target.id, s),
        None => target.id.clone(),
    }
}

/// What a target measures in each group, with d(row's right-hand side) / d(target value):
/// `capacity(v, i)` is the capacity of variant v in area i in the target's year, `served(i)`
/// the need of area i served then, and `need` the need and persons of that year.
pub(crate) fn measure_target(
    target: &Target,
    scenario: &Scenario,
    groups: &[Vec<usize>],
    need: &Need,
    capacity: &dyn Fn(usize, usize) -> f64,
    served: &dyn Fn(usize) -> f64,
) -> Vec<(f64, f64)> {
    let f = target.service;
    let sum_cap = |variants: &[usize], members: &[usize]| -> f64 {
        members
            .iter()
            .map(|&i| variants.iter().map(|&v| capacity(v, i)).sum::<f64>())
            .sum()
    };
    let all: Vec<usize> = (0..scenario.services[f].variants.len()).collect();
    groups
        .iter()
        .map(|members| match target.kind {
            TargetKind::Total => (sum_cap(&target.variants, members), 1.0),
            TargetKind::Share => {
                let whole = sum_cap(&all, members);
                let part = sum_cap(&target.variants, members);
                (if whole > 0.0 { part / whole } else { 0.0 }, whole)
            }
            TargetKind::PerCapita => {
                let persons = need.persons_in(target.band, members, target.year);
                let places = sum_cap(&target.variants, members);
                (
                    if persons > 0.0 {
                        1000.0 * places / persons
                    } else {
                        f64::INFINITY
                    },
                    persons / 1000.0,
                )
            }
            TargetKind::Coverage => {
                let need_here: f64 = members
                    .iter()
                    .map(|&i| need.need(f, i, target.year).unwrap_or(0.0))
                    .sum();
                let served_here: f64 = members.iter().map(|&i| served(i)).sum();
                (
                    if need_here > 0.0 {
                        served_here / need_here
                    } else {
                        1.0
                    },
                    need_here,
                )
            }
            TargetKind::AreaCount => {
                let counted = members
                    .iter()
                    .filter(|&&i| {
                        sum_cap(&target.variants, &[i])
                            >= target.min_per_area * (1.0 - CERTIFICATE_TOLERANCE) - 1e-9
                    })
                    .count();
                (counted as f64 / members.len().max(1) as f64, 0.0)
            }
        })
        .collect()
}

/// The worst group's measure, its gap to the target and whether the target is met (within
/// [`STATUS_TOLERANCE`]).
pub(crate) fn judge(target: &Target, measured: &[(f64, f64)]) -> (f64, f64, TargetStatus) {
    let worst = |a: f64, b: f64| match target.op {
        Comparison::AtMost => a.max(b),
        _ => a.min(b),
    };
    let achieved = measured
        .iter()
        .map(|m| m.0)
        .reduce(worst)
        .unwrap_or(f64::NAN);
    let required = target.value;
    let tolerance = STATUS_TOLERANCE * required.abs().max(1.0);
    let gap = match target.op {
        Comparison::AtLeast => (required - achieved).max(0.0),
        Comparison::AtMost => (achieved - required).max(0.0),
        Comparison::Equal | Comparison::About => (achieved - required).abs(),
    };
    let status = if gap <= tolerance {
        TargetStatus::Met
    } else {
        TargetStatus::Missed
    };
    (achieved, gap, status)
}
