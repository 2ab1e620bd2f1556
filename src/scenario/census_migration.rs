//! Net migration from two censuses as a scenario's migration assumption
//! (`[migration.census]`, docs/scenario.md "Migration from two censuses").
//!
//! The district's two census tables (the units under a code prefix, summed) are graduated
//! to single years, the first is aged to the date of the second with the scenario's own
//! life tables of those years and its fertility shape scaled to the first year's crude
//! birth rate, and the [`CensusResidual`] gives the constant annual net migrants by sex and
//! age that reproduce the second census. Its smoothed schedule is shared among the areas
//! in proportion to their `net_migration` column and used for every projection year.

use std::collections::BTreeMap;
use std::path::Path;

use crate::demography::census::{CENSUS_GROUP_COUNT, graduate_census, read_census_from};
use crate::demography::life_table::LifeTable;
use crate::demography::migration::Migrants;
use crate::demography::population::{OMEGA, Population};
use crate::demography::rates::StepRates;
use crate::demography::residual_migration::CensusResidual;
use crate::demography::sex::Sex;
use crate::error::{Error, Result};
use crate::scenario::Scenario;
use crate::scenario::file::CensusMigrationSection;
use crate::scenario::source::Source;

/// The default smoothing penalty λ of `[migration.census]` (on squared second differences
/// of the annual schedule by age, against squared persons of the second census).
///
/// ```
/// assert!(popalloc::scenario::census_migration::DEFAULT_SMOOTHING > 0.0);
/// ```
pub const DEFAULT_SMOOTHING: f64 = 1000.0;

/// The longest interval between the two censuses, in years.
const MAX_INTERVAL: i32 = 50;

/// The census-survival residual of a scenario's district and the migration assumption made
/// from it.
#[derive(Debug, Clone, PartialEq)]
pub struct CensusMigration {
    /// The first census, single years (one area: the units under the code summed).
    pub first: Population,
    /// The second census, single years.
    pub second: Population,
    /// The total fertility rate assumed for every year of the interval: the scenario's
    /// fertility shape scaled so that it gives the first year's crude birth rate on the
    /// first census's women.
    pub tfr: f64,
    /// The crude death rate (per 1,000) that the first year's life tables give on the first
    /// census: compare with the census year's published rate to judge the mortality used.
    pub death_rate: f64,
    /// The residual and its exact annual schedule.
    pub residual: CensusResidual,
    /// The smoothing penalty used.
    pub smoothing: f64,
    /// The smoothed annual net migrants of the district by sex and age (one area).
    pub annual: Migrants,
}

/// The census-survival residual for `scenario` from the texts of the two census tables
/// (`first` and `second` as `(path for messages, text)`), as `section` describes.
///
/// # Errors
///
/// [`Error::InvalidParameter`] when the years are not 1 to 50 apart, the birth rate is not
/// in [0, 1000), the smoothing is negative or the first census has no women of fertile
/// age; [`Error::BadSettings`] when no unit of a table is under the code; the errors of [`read_census_from`], [`graduate_census`],
/// [`Scenario::life_tables`], [`Scenario::step_input`] and [`CensusResidual::new`].
///
/// # Examples
///
/// ```
/// use popalloc::scenario::census_migration::census_migration;
///
/// let dir = std::path::Path::new("data/yuzhong");
/// let yuzhong = popalloc::Scenario::load(dir)?;
/// let section = yuzhong.file.migration.as_ref().and_then(|m| m.census.clone()).unwrap();
/// let read = |name: &str| std::fs::read_to_string(dir.join(name));
/// let result = census_migration(
///     &yuzhong,
///     &section,
///     (&dir.join(&section.first), &read(&section.first)?),
///     (&dir.join(&section.second), &read(&section.second)?),
/// )?;
/// assert_eq!(result.first.total().round(), 630_090.0);
/// assert!(result.annual.total() < 0.0); // a net loss every year
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn census_migration(
    scenario: &Scenario,
    section: &CensusMigrationSection,
    first: (&Path, &str),
    second: (&Path, &str),
) -> Result<CensusMigration> {
    let smoothing =
        check_section(section).map_err(|(_, value, range)| Error::InvalidParameter {
            parameter: "[migration.census] setting",
            value,
            range,
        })?;
    let years: Vec<i32> = (section.first_year..section.second_year).collect();
    let tables: Vec<[LifeTable; 2]> = years
        .iter()
        .map(|&y| scenario.life_tables(y))
        .collect::<Result<_>>()?;
    let first_pop = district_census(first, &section.code, &tables[0])?;
    let second_pop = district_census(
        second,
        &section.code,
        &scenario.life_tables(section.second_year)?,
    )?;
    let shape = fertility_shape(scenario, section.first_year)?;
    let women = first_pop.series(0, Sex::Female);
    let exposure: f64 = shape.iter().zip(women).map(|(f, w)| f * w).sum();
    if exposure <= 0.0 {
        return Err(Error::InvalidParameter {
            parameter: "women of the first census at the ages of the fertility shape",
            value: exposure,
            range: "> 0",
        });
    }
    let tfr = section.birth_rate / 1000.0 * first_pop.total() / exposure;
    let asfr: Vec<f64> = shape.iter().map(|f| f * tfr).collect();
    let srb = scenario.fertility.sex_ratio_at_birth;
    let rates: Vec<StepRates> = tables
        .iter()
        .map(|[f, m]| StepRates::from_life_tables(f, m, asfr.clone(), srb))
        .collect::<Result<_>>()?;
    let timing = scenario.file.migration_timing.unwrap_or_default();
    let residual = CensusResidual::new(&first_pop, &second_pop, &rates, timing)?;
    let annual = residual.smoothed(smoothing)?;
    let deaths: f64 = Sex::ALL
        .iter()
        .map(|&sex| {
            let mx = tables[0][sex.index()].mx();
            first_pop
                .series(0, sex)
                .iter()
                .zip(mx)
                .map(|(p, m)| p * m)
                .sum::<f64>()
        })
        .sum();
    Ok(CensusMigration {
        death_rate: 1000.0 * deaths / first_pop.total(),
        first: first_pop,
        second: second_pop,
        tfr,
        residual,
        smoothing,
        annual,
    })
}

/// Checks a `[migration.census]` section's numbers and gives its smoothing penalty; on
/// failure, `(field, value, allowed range)`.
pub(crate) fn check_section(
    section: &CensusMigrationSection,
) -> std::result::Result<f64, (&'static str, f64, &'static str)> {
    let interval = i64::from(section.second_year) - i64::from(section.first_year);
    if !(1..=i64::from(MAX_INTERVAL)).contains(&interval) {
        return Err((
            "second_year",
            f64::from(section.second_year),
            "1 to 50 years after first_year",
        ));
    }
    let rate = section.birth_rate;
    if !(rate.is_finite() && (0.0..1000.0).contains(&rate)) {
        return Err((
            "birth_rate",
            rate,
            "births per 1,000 residents in [0, 1000)",
        ));
    }
    let smoothing = section.smoothing.unwrap_or(DEFAULT_SMOOTHING);
    if !(smoothing.is_finite() && smoothing >= 0.0) {
        return Err(("smoothing", smoothing, "a finite number >= 0"));
    }
    Ok(smoothing)
}

/// The census units under `code`, summed by sex and group and graduated to single years
/// (the open 85+ group split by the person-years of `tables`).
fn district_census(
    (path, text): (&Path, &str),
    code: &str,
    tables: &[LifeTable; 2],
) -> Result<Population> {
    let selection = read_census_from(text.as_bytes(), path, Some(code))?;
    if selection.units.is_empty() {
        return Err(Error::BadSettings {
            path: path.to_path_buf(),
            field: "[migration.census] code".into(),
            problem: "no county-level unit of the census table has a code under this prefix",
        });
    }
    let mut counts = [[0.0; CENSUS_GROUP_COUNT]; 2];
    for unit in &selection.units {
        for (sum, unit_counts) in counts.iter_mut().zip(&unit.counts) {
            for (s, c) in sum.iter_mut().zip(unit_counts) {
                *s += c;
            }
        }
    }
    let mut pop = Population::zeros(vec![code.to_string()], 1, OMEGA + 1)?;
    for sex in Sex::ALL {
        let singles = graduate_census(&counts[sex.index()], tables[sex.index()].person_years())?;
        pop.series_mut(0, sex).copy_from_slice(&singles);
    }
    Ok(pop)
}

/// The scenario's age-specific fertility of `year`, scaled to sum to 1.
fn fertility_shape(scenario: &Scenario, year: i32) -> Result<Vec<f64>> {
    let rates = scenario.step_input(year)?.rates;
    let asfr = rates.fertility();
    let sum: f64 = asfr.iter().sum();
    if !(sum > 0.0 && sum.is_finite()) {
        return Err(Error::InvalidParameter {
            parameter: "total fertility of the scenario's first census year (the shape of births)",
            value: sum,
            range: "> 0",
        });
    }
    Ok(asfr.iter().map(|f| f / sum).collect())
}

/// Each area's share of the district's net migrants: its `net_migration` over their sum,
/// or, when they sum to 0, its share of the base population.
///
/// # Errors
///
/// [`Error::InvalidParameter`] when both sums are 0 (or not finite).
pub fn area_shares(scenario: &Scenario) -> Result<Vec<f64>> {
    let sum: f64 = scenario.areas.iter().map(|a| a.net_migration).sum();
    if sum.is_finite() && sum.abs() > 0.0 {
        return Ok(scenario
            .areas
            .iter()
            .map(|a| a.net_migration / sum)
            .collect());
    }
    let total = scenario.base.total();
    if !(total.is_finite() && total > 0.0) {
        return Err(Error::InvalidParameter {
            parameter: "base population (to share net migrants among areas)",
            value: total,
            range: "> 0 when the areas' net_migration sums to 0",
        });
    }
    Ok((0..scenario.areas.len())
        .map(|a| scenario.base.area_total(a) / total)
        .collect())
}

/// The district's annual net migrants shared among the scenario's areas ([`area_shares`]).
///
/// # Errors
///
/// The errors of [`area_shares`] and [`Migrants::zeros`].
pub fn area_migrants(scenario: &Scenario, district: &Migrants) -> Result<Migrants> {
    let shares = area_shares(scenario)?;
    let mut out = Migrants::zeros(shares.len(), district.groups())?;
    for (area, share) in shares.iter().enumerate() {
        for sex in Sex::ALL {
            for (cell, d) in out
                .series_mut(area, sex)
                .iter_mut()
                .zip(district.series(0, sex))
            {
                *cell = share * d;
            }
        }
    }
    Ok(out)
}

/// The scenario with its `[migration.census]` assumption computed (unchanged without one).
pub(crate) fn with_census_migration(source: &Source, mut scenario: Scenario) -> Result<Scenario> {
    let Some(section) = scenario
        .file
        .migration
        .as_ref()
        .and_then(|m| m.census.clone())
    else {
        return Ok(scenario);
    };
    let computed = (|| {
        let (first, second) = (source.read(&section.first)?, source.read(&section.second)?);
        let result = census_migration(
            &scenario,
            &section,
            (&source.path(&section.first), &first),
            (&source.path(&section.second), &second),
        )?;
        area_migrants(&scenario, &result.annual)
    })();
    match computed {
        Ok(migrants) => {
            scenario.migration.by_age = Some(BTreeMap::from([(None, migrants)]));
            Ok(scenario)
        }
        Err(e) => Err(Error::InvalidScenario {
            path: source.root(),
            problems: vec![e],
        }),
    }
}
