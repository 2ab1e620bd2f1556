//! Tidy CSV and JSON outputs of a run (DESIGN §7), as texts: [`output_folder`](super::output_folder) writes them.

use std::fmt::Write as _;

use crate::allocate::{Allocation, Plan};
use crate::demography::projection::Projection;
use crate::demography::sex::Sex;
use crate::demography::tidy::csv_field;
use crate::error::{Error, Result};
use crate::need::Need;
use crate::scenario::Scenario;

/// `year,area,sex,age,value`: the population at every date (the base first).
pub fn projection_csv(projection: &Projection) -> String {
    let mut out = String::from("year,area,sex,age,value\n");
    for (year, pop) in &projection.states {
        for (a, area) in pop.areas().iter().enumerate() {
            for sex in Sex::ALL {
                for (age, value) in pop.series(a, sex).iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "{year},{},{sex},{},{value}",
                        csv_field(area),
                        age * pop.width()
                    );
                }
            }
        }
    }
    out
}

/// `year,area,band,value`: persons of every band, area and date.
pub fn bands_csv(scenario: &Scenario, projection: &Projection) -> String {
    let mut out = String::from("year,area,band,value\n");
    for (year, pop) in &projection.states {
        for (a, area) in pop.areas().iter().enumerate() {
            for band in &scenario.bands {
                let _ = writeln!(
                    out,
                    "{year},{},{},{}",
                    csv_field(area),
                    csv_field(band.name()),
                    pop.band_total(a, band)
                );
            }
        }
    }
    out
}

/// `year,area,sex,births,deaths,migrants,control`: the flows of each step; `year` is the
/// step's first year (the interval `[year, year + 1)`).
pub fn components_csv(projection: &Projection) -> String {
    let mut out = String::from("year,area,sex,births,deaths,migrants,control\n");
    let Some((_, base)) = projection.states.first() else {
        return out;
    };
    for flows in &projection.flows {
        for (a, area) in base.areas().iter().enumerate() {
            for sex in Sex::ALL {
                let i = a * 2 + sex.index();
                let _ = writeln!(
                    out,
                    "{},{},{sex},{},{},{},{}",
                    flows.start_year,
                    csv_field(area),
                    flows.births[i],
                    flows.deaths[i],
                    flows.migrants[i],
                    flows.control[i]
                );
            }
        }
    }
    out
}

/// `year,area,service,need`: need per planned year, area and service (units).
pub fn need_csv(scenario: &Scenario, need: &Need) -> String {
    let mut out = String::from("year,area,service,need\n");
    for &year in need.years() {
        for (i, area) in scenario.areas.iter().enumerate() {
            for (f, service) in scenario.services.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{year},{},{},{}",
                    csv_field(&area.id),
                    csv_field(&service.id),
                    need.need(f, i, year).unwrap_or(0.0)
                );
            }
        }
    }
    out
}

/// `year,area,service,variant,added,converted,capacity,need,served,coverage`.
pub fn plan_csv(plan: &Plan) -> String {
    let mut out =
        String::from("year,area,service,variant,added,converted,capacity,need,served,coverage\n");
    for r in &plan.rows {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{}",
            r.year,
            csv_field(&r.area),
            csv_field(&r.service),
            csv_field(&r.variant),
            r.added,
            r.converted,
            r.capacity,
            r.need,
            r.served,
            r.coverage
        );
    }
    out
}

/// `year,service,area_served,area_serving,amount`: who is served where, from
/// [`Plan::flows`]. `amount` is the units of the service (beds, places, seats) of
/// `area_served`'s need served by capacity in `area_serving` (the same area for need served
/// at home) in `year`, the year whose end-of-year capacity serves it; flows under
/// [`FLOW_TOLERANCE`](crate::allocate::FLOW_TOLERANCE) units are left out.
///
/// # Examples
///
/// ```
/// use popalloc::{Allocation, AllocationOptions, Need, Scenario, allocate};
/// use popalloc::report::tables::flows_csv;
///
/// let yuzhong = Scenario::yuzhong()?;
/// let need = Need::from_projection(&yuzhong, &yuzhong.project(yuzhong.horizon())?)?;
/// if let Allocation::Plan(plan) = allocate(&yuzhong, &need, &AllocationOptions::default())? {
///     let csv = flows_csv(&plan);
///     assert!(csv.starts_with("year,service,area_served,area_serving,amount\n"));
///     assert_eq!(csv.lines().count(), 1 + plan.flows().len());
/// }
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn flows_csv(plan: &Plan) -> String {
    let mut out = String::from("year,service,area_served,area_serving,amount\n");
    for f in plan.flows() {
        let _ = writeln!(
            out,
            "{},{},{},{},{}",
            f.year,
            csv_field(&f.service),
            csv_field(&f.area_served),
            csv_field(&f.area_serving),
            f.amount
        );
    }
    out
}

/// `id,class,year,required,achieved,status,slack,dual` (dual empty where not reported).
pub fn targets_csv(plan: &Plan) -> String {
    let mut out = String::from("id,class,year,required,achieved,status,slack,dual\n");
    for t in &plan.targets {
        let class = match t.class {
            crate::TargetClass::Binding => "binding",
            crate::TargetClass::Expected => "expected",
        };
        let status = match t.status {
            crate::TargetStatus::Met => "met",
            crate::TargetStatus::Missed => "missed",
        };
        let dual = t.dual.map(|d| d.to_string()).unwrap_or_default();
        let _ = writeln!(
            out,
            "{},{class},{},{},{},{status},{},{dual}",
            csv_field(&t.id),
            t.year,
            t.required,
            t.achieved,
            t.slack
        );
    }
    out
}

/// The whole result as JSON: the scenario's name and years, need, `nothing_to_plan` (true
/// when the scenario declares no services, and the plan is empty), and the plan or the
/// conflict.
///
/// # Errors
///
/// [`Error::Json`] if serialisation fails (it does not for finite numbers; non-finite
/// ones are written as null).
pub fn plan_json(scenario: &Scenario, need: &Need, allocation: &Allocation) -> Result<String> {
    #[derive(serde::Serialize)]
    struct Output<'a> {
        scenario: &'a str,
        base_year: i32,
        horizon: i32,
        need: &'a Need,
        /// True when the scenario declares no services (the plan is then empty).
        nothing_to_plan: bool,
        allocation: &'a Allocation,
    }
    serde_json::to_string_pretty(&Output {
        scenario: &scenario.file.name,
        base_year: scenario.base_year(),
        horizon: scenario.horizon(),
        need,
        nothing_to_plan: super::nothing_to_plan(scenario),
        allocation,
    })
    .map_err(|source| Error::Json {
        path: "plan.json".into(),
        source,
    })
}
