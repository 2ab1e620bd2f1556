//! The charts of a run, made from its projection and plan: population pyramids of the
//! district and of each street (base vs horizon), the 60+, 0–2 and school-age bands over
//! time, and additions by street and service.

use crate::allocate::Allocation;
use crate::demography::population::Population;
use crate::demography::projection::Projection;
use crate::demography::sex::Sex;
use crate::error::Result;
use crate::report::charts;
use crate::report::charts::{Panel, Series};
use crate::scenario::Scenario;

/// Bands from this age on are drawn in the panel of adults and the old.
const ADULT_AGE: usize = 18;

/// Additions below this (units, over the whole plan period) count as none.
const ADDED_NOTHING: f64 = 0.5;

/// One chart: its file name, a caption for the memo, and the SVG text.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// File name, e.g. `pyramid_district.svg`.
    pub file: String,
    /// Caption, e.g. "Population pyramid, district, 2020 and 2025".
    pub caption: String,
    /// The SVG document.
    pub svg: String,
}

/// Every chart of a run (no chart needs a solve; a conflict only drops the additions).
///
/// # Errors
///
/// The chart errors of [`charts`] (they do not arise from a valid projection and plan).
pub fn all(
    scenario: &Scenario,
    projection: &Projection,
    allocation: &Allocation,
) -> Result<Vec<Figure>> {
    let mut figures = Vec::new();
    let (Some((base_year, base)), Some((horizon, last))) =
        (projection.states.first(), projection.states.last())
    else {
        return Ok(figures);
    };
    let ages: Vec<String> = (0..base.groups())
        .map(|g| {
            if g + 1 == base.groups() {
                format!("{}+", g * base.width())
            } else {
                (g * base.width()).to_string()
            }
        })
        .collect();
    let age_labels: Vec<&str> = ages.iter().map(String::as_str).collect();
    let name = scenario.short_name();
    let mut pyramid = |file: String,
                       title: String,
                       caption: String,
                       b: &Population,
                       h: &Population|
     -> Result<()> {
        let svg = charts::population_pyramid(
            &title,
            &age_labels,
            (b.series(0, Sex::Female), b.series(0, Sex::Male)),
            (h.series(0, Sex::Female), h.series(0, Sex::Male)),
            &base_year.to_string(),
            &horizon.to_string(),
        )?;
        figures.push(Figure { file, caption, svg });
        Ok(())
    };
    pyramid(
        "pyramid_district.svg".into(),
        format!("{name}: population {base_year} and {horizon}"),
        format!("Population pyramid, district, {base_year} and {horizon}"),
        &base.aggregate("district"),
        &last.aggregate("district"),
    )?;
    let file_names = area_file_names(scenario.areas.iter().map(|a| a.id.as_str()));
    for (i, area) in scenario.areas.iter().enumerate() {
        let one = |p: &Population| -> Result<Population> {
            Population::from_values(
                vec![area.id.clone()],
                p.width(),
                p.groups(),
                p.area_values(i).to_vec(),
            )
        };
        pyramid(
            format!("pyramid_{}.svg", file_names[i]),
            format!("{}: population {base_year} and {horizon}", area.label()),
            format!(
                "Population pyramid, {}, {base_year} and {horizon}",
                area.label()
            ),
            &one(base)?,
            &one(last)?,
        )?;
    }
    let years: Vec<i32> = projection.states.iter().map(|(y, _)| *y).collect();
    let districts: Vec<Population> = projection
        .states
        .iter()
        .map(|(_, p)| p.aggregate("district"))
        .collect();
    // Two panels, each on its own axis: the bands of adults and the old (the 60+ are ten
    // times any school age) and those of children.
    let (mut older, mut children): (Vec<Series<'_>>, Vec<Series<'_>>) = (Vec::new(), Vec::new());
    for b in crate::report::SUMMARY_BANDS
        .iter()
        .filter_map(|n| scenario.band_index(n))
    {
        let band = &scenario.bands[b];
        let values = districts.iter().map(|p| p.band_total(0, band)).collect();
        if band.from() >= ADULT_AGE {
            older.push((band.name(), values));
        } else {
            children.push((band.name(), values));
        }
    }
    figures.push(Figure {
        file: "bands.svg".into(),
        caption: "Aged 60+, under 3 and school ages over time, district".into(),
        svg: charts::bands_panels(
            &format!("{name}: age bands"),
            &years,
            &[("older ages", &older[..]), ("children", &children[..])],
            "persons",
        )?,
    });
    if let (Allocation::Plan(plan), false) = (allocation, super::nothing_to_plan(scenario)) {
        let streets: Vec<String> = scenario.areas.iter().map(|a| a.label()).collect();
        let street_labels: Vec<&str> = streets.iter().map(String::as_str).collect();
        // One panel per unit (beds, places, seats); services that add nothing are left out.
        let mut units: Vec<(String, Vec<Series<'_>>)> = Vec::new();
        for s in &scenario.services {
            let added: Vec<f64> = scenario
                .areas
                .iter()
                .map(|a| {
                    plan.rows
                        .iter()
                        .filter(|r| r.area == a.id && r.service == s.id)
                        .map(|r| r.added)
                        .sum()
                })
                .collect();
            if added.iter().all(|v| v.abs() < ADDED_NOTHING) {
                continue;
            }
            let unit = format!("{}s", s.unit);
            match units.iter_mut().find(|(u, _)| *u == unit) {
                Some((_, services)) => services.push((s.name.as_str(), added)),
                None => units.push((unit, vec![(s.name.as_str(), added)])),
            }
        }
        let panels: Vec<Panel<'_>> = units
            .iter()
            .map(|(unit, services)| (unit.as_str(), &services[..]))
            .collect();
        figures.push(Figure {
            file: "additions.svg".into(),
            caption: format!(
                "Additions by street and service, {}–{horizon}",
                base_year + 1
            ),
            svg: charts::additions_panels(
                &format!("{name}: additions {}–{horizon}", base_year + 1),
                &street_labels,
                &panels,
            )?,
        });
    }
    Ok(figures)
}

/// A file-name part for each area id, in order: letters, digits, `_` and `-` kept, any
/// other character made `_`, at most 64 characters, and distinct (a repeat gets `_2`,
/// `_3`, …; `district` is kept for the whole district). An id never becomes a path.
///
/// # Examples
///
/// ```
/// use popalloc::report::figures::area_file_names;
///
/// let names = area_file_names(["jiefangbei", "/../../escaped", "district", "a/b", "a_b"].into_iter());
/// assert_eq!(names, ["jiefangbei", "_______escaped", "district_2", "a_b", "a_b_2"]);
/// ```
pub fn area_file_names<'a>(ids: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut taken: std::collections::HashSet<String> = ["district".to_string()].into();
    ids.map(|id| {
        let mut stem: String = id
            .chars()
            .take(64)
            .map(|c| {
                if c.is_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if stem.is_empty() {
            stem.push_str("area");
        }
        let mut name = stem.clone();
        let mut k = 2;
        // Compared without case: some file systems do not tell "A" from "a".
        while !taken.insert(name.to_lowercase()) {
            name = format!("{stem}_{k}");
            k += 1;
        }
        name
    })
    .collect()
}
