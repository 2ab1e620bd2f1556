//! Reports: tidy CSV, JSON, a Markdown planning memo and SVG charts (DESIGN §7). The report never
//! solves; it writes what the other stages produced, each file atomically.

/// The bands a report follows by name, when the scenario has them: aged 60+, under 3 and
/// the school ages.
pub const SUMMARY_BANDS: [&str; 6] = [
    "elderly",
    "infants",
    "preschool",
    "primary",
    "junior",
    "senior",
];

/// What a run says when the scenario declares no services: a projection with nothing to
/// plan.
pub const NOTHING_TO_PLAN: &str = "Nothing to plan: the scenario declares no services ([[services]] in scenario.toml), so the projection is the whole result.";

/// Whether a scenario has nothing to plan (it declares no services); its plan is then
/// empty, and the reports say so in [`NOTHING_TO_PLAN`]'s words.
///
/// # Examples
///
/// ```
/// use popalloc::{Scenario, report::nothing_to_plan};
///
/// let mut yuzhong = Scenario::yuzhong()?;
/// assert!(!nothing_to_plan(&yuzhong));
/// yuzhong.services.clear();
/// assert!(nothing_to_plan(&yuzhong));
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn nothing_to_plan(scenario: &Scenario) -> bool {
    scenario.services.is_empty()
}

/// The plan's cost in one line: each year's cost in the scenario's cost unit, the total,
/// and (when the scenario discounts) the present value at the base year.
///
/// # Examples
///
/// ```
/// use popalloc::{Allocation, AllocationOptions, Need, Scenario, allocate};
///
/// let mut scenario = Scenario::load(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tiny"))?;
/// scenario.plan_settings.discount_rate = 0.05;
/// let need = Need::from_projection(&scenario, &scenario.project(2023)?)?;
/// let Allocation::Plan(plan) = allocate(&scenario, &need, &AllocationOptions::default())? else {
///     panic!("the tiny district has a plan");
/// };
/// let line = popalloc::report::cost_line(&scenario, &plan);
/// assert!(line.starts_with("Cost by year (relative units): 2021: "), "{line}");
/// assert!(line.contains("; present value in 2020 at 5 % a year: "), "{line}");
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn cost_line(scenario: &Scenario, plan: &crate::allocate::Plan) -> String {
    let years: Vec<String> = plan
        .cost_by_year
        .iter()
        .map(|(y, c)| format!("{y}: {c:.0}"))
        .collect();
    let mut line = format!(
        "Cost by year ({}): {}; total {:.0}",
        scenario.cost_unit(),
        years.join(", "),
        plan.total_cost
    );
    let rate = scenario.plan_settings.discount_rate;
    if rate > 0.0 {
        line.push_str(&format!(
            "; present value in {} at {} % a year: {:.0}",
            scenario.file.base_year,
            100.0 * rate,
            plan.present_value
        ));
    }
    line
}

pub mod charts;
pub mod figures;
pub mod labels;
pub mod memo;
pub mod output_folder;
pub mod projects;
pub mod tables;
pub mod uncertainty;

use std::path::{Path, PathBuf};

use crate::allocate::Allocation;
use crate::demography::projection::Projection;
use crate::error::Result;
use crate::need::Need;
use crate::scenario::Scenario;
use uncertainty::UncertaintyReport;

/// Writes every output of a run into `dir`: projection.csv, bands.csv, components.csv,
/// need.csv, plan.csv, targets.csv and flows.csv (when there is a plan), plan.json, the SVG charts of
/// [`figures::all`] and report.md (which links them).
/// Returns the files written.
///
/// # Errors
///
/// [`Error::Inconsistent`](crate::Error::Inconsistent), before anything is written, when
/// the parts are not of one run: the scenario's parts do not fit together
/// ([`Scenario::check_consistent`]), the projection is not of this scenario
/// ([`Scenario::check_projection`]) or the need is not ([`Need::check_matches`]);
/// [`Error::Io`](crate::Error::Io) when a file cannot be written;
/// [`Error::Json`](crate::Error::Json) if the JSON cannot be made.
///
/// # Examples
///
/// ```
/// use popalloc::{AllocationOptions, Need, Scenario, allocate, report::write_outputs};
///
/// let yuzhong = Scenario::yuzhong()?;
/// let projection = yuzhong.project(yuzhong.horizon())?;
/// let need = Need::from_projection(&yuzhong, &projection)?;
/// let allocation = allocate(&yuzhong, &need, &AllocationOptions::default())?;
/// let dir = std::env::temp_dir().join("popalloc-doc-outputs");
/// let files = write_outputs(&dir, &yuzhong, &projection, &need, &allocation)?;
/// assert!(files.iter().any(|f| f.ends_with("report.md")));
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn write_outputs(
    dir: &Path,
    scenario: &Scenario,
    projection: &Projection,
    need: &Need,
    allocation: &Allocation,
) -> Result<Vec<PathBuf>> {
    write_outputs_with(dir, scenario, projection, need, allocation, None)
}

/// Writes every output of [`write_outputs`] and, with an [`UncertaintyReport`], also
/// montecarlo_quantiles.csv, montecarlo_draws.csv, reliability_targets.csv,
/// reliability_streets.csv, reliability_curve.csv, sensitivity.csv (each when there is
/// something to write), the fan, reliability and tornado charts, and a memo section on
/// uncertainty. Returns the files written.
///
/// # Errors
///
/// As [`write_outputs`]; also [`Error::Inconsistent`](crate::Error::Inconsistent) when the
/// Monte Carlo summary is not a whole run of this scenario
/// ([`MonteCarloSummary::check_matches`](crate::uncertainty::MonteCarloSummary::check_matches)).
pub fn write_outputs_with(
    dir: &Path,
    scenario: &Scenario,
    projection: &Projection,
    need: &Need,
    allocation: &Allocation,
    uncertainty: Option<&UncertaintyReport>,
) -> Result<Vec<PathBuf>> {
    write_outputs_labelled(
        dir,
        scenario,
        projection,
        need,
        allocation,
        uncertainty,
        labels::Labels::Both,
    )
}

/// [`write_outputs_with`] with the charts' names chosen by `labels` (English only, Chinese
/// only or both; [`labels::Labels`]).
///
/// # Errors
///
/// As [`write_outputs_with`].
///
/// # Examples
///
/// ```
/// use popalloc::report::{labels::{Labels, is_cjk}, write_outputs_labelled};
/// use popalloc::{AllocationOptions, Need, Scenario, allocate};
///
/// let yuzhong = Scenario::yuzhong()?;
/// let projection = yuzhong.project(yuzhong.horizon())?;
/// let need = Need::from_projection(&yuzhong, &projection)?;
/// let allocation = allocate(&yuzhong, &need, &AllocationOptions::default())?;
/// let dir = tempfile::tempdir()?;
/// let files = write_outputs_labelled(dir.path(), &yuzhong, &projection, &need, &allocation, None, Labels::Latin)?;
/// for svg in files.iter().filter(|f| f.extension().is_some_and(|e| e == "svg")) {
///     assert!(!std::fs::read_to_string(svg)?.chars().any(is_cjk));
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_outputs_labelled(
    dir: &Path,
    scenario: &Scenario,
    projection: &Projection,
    need: &Need,
    allocation: &Allocation,
    uncertainty: Option<&UncertaintyReport>,
    labels: labels::Labels,
) -> Result<Vec<PathBuf>> {
    scenario.check_consistent()?;
    scenario.check_projection(projection)?;
    need.check_matches(scenario)?;
    if let Some(u) = uncertainty {
        u.summary.check_matches(scenario)?;
    }
    let mut files = vec![
        (
            "projection.csv".to_string(),
            tables::projection_csv(projection),
        ),
        (
            "bands.csv".to_string(),
            tables::bands_csv(scenario, projection),
        ),
        (
            "components.csv".to_string(),
            tables::components_csv(projection),
        ),
        ("need.csv".to_string(), tables::need_csv(scenario, need)),
    ];
    if let Allocation::Plan(plan) = allocation {
        files.push(("plan.csv".to_string(), tables::plan_csv(plan)));
        files.push(("targets.csv".to_string(), tables::targets_csv(plan)));
        files.push(("flows.csv".to_string(), tables::flows_csv(plan)));
    }
    files.push((
        "plan.json".to_string(),
        tables::plan_json(scenario, need, allocation)?,
    ));
    let mut charts = figures::all(scenario, projection, allocation)?;
    let mut section = String::new();
    if let Some(u) = uncertainty {
        files.push((
            "montecarlo_quantiles.csv".to_string(),
            uncertainty::quantiles_csv(&u.summary),
        ));
        files.push((
            "montecarlo_draws.csv".to_string(),
            uncertainty::draws_csv(&u.summary),
        ));
        if let Some(r) = &u.reliability {
            let (targets, streets) = uncertainty::reliability_csv(r);
            files.push(("reliability_targets.csv".to_string(), targets));
            files.push(("reliability_streets.csv".to_string(), streets));
        }
        if !u.curve.is_empty() {
            files.push((
                "reliability_curve.csv".to_string(),
                uncertainty::curve_csv(&u.curve),
            ));
        }
        if let Some(s) = &u.sensitivity {
            files.push((
                "sensitivity.csv".to_string(),
                uncertainty::sensitivity_csv(s),
            ));
        }
        charts.extend(uncertainty::figures(scenario, projection, u)?);
        section = uncertainty::memo_section(scenario, u);
    }
    labels.apply(scenario, &mut charts);
    let captions: Vec<(&str, &str)> = charts
        .iter()
        .map(|c| (c.file.as_str(), c.caption.as_str()))
        .collect();
    let basis = uncertainty.map_or(memo::PlanBasis::Projection, |u| {
        memo::PlanBasis::of(u.alpha, u.joint)
    });
    let memo = memo::memo_of(
        scenario, projection, need, allocation, &basis, &section, &captions,
    );
    files.extend(charts.iter().map(|c| (c.file.clone(), c.svg.clone())));
    files.push(("report.md".to_string(), memo));
    let named: Vec<(&str, String)> = files.iter().map(|(n, t)| (n.as_str(), t.clone())).collect();
    output_folder::write_result_set(dir, &named)
}
