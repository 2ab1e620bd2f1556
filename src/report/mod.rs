//! Reports: tidy CSV, JSON, a Markdown planning memo and SVG charts (DESIGN §7). The report never
//! solves; it writes what the other stages produced, each file atomically.

pub mod charts;
pub mod memo;
pub mod tables;

use std::path::{Path, PathBuf};

use crate::allocate::Allocation;
use crate::demography::projection::Projection;
use crate::error::Result;
use crate::need::Need;
use crate::scenario::Scenario;

/// Writes every output of a run into `dir`: projection.csv, bands.csv, components.csv,
/// need.csv, plan.csv and targets.csv (when there is a plan), plan.json and report.md.
/// Returns the files written.
///
/// # Errors
///
/// [`Error::Io`](crate::Error::Io) when a file cannot be written; [`Error::Json`](crate::Error::Json)
/// if the JSON cannot be made.
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
    let mut files = vec![
        ("projection.csv", tables::projection_csv(projection)),
        ("bands.csv", tables::bands_csv(scenario, projection)),
        ("components.csv", tables::components_csv(projection)),
        ("need.csv", tables::need_csv(scenario, need)),
    ];
    if let Allocation::Plan(plan) = allocation {
        files.push(("plan.csv", tables::plan_csv(plan)));
        files.push(("targets.csv", tables::targets_csv(plan)));
    }
    files.push(("plan.json", tables::plan_json(scenario, need, allocation)?));
    files.push((
        "report.md",
        memo::memo(scenario, projection, need, allocation, &[]),
    ));
    tables::write_files(dir, &files)
}
