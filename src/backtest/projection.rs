//! The ten yearly steps from the 2010 census (1 November) to the 2020 census, for every
//! county at once, and the 2020 band totals.

use crate::backtest::band::BANDS;
use crate::demography::life_table::LifeTable;
use crate::demography::migration::{Migrants, add_rate_migrants};
use crate::demography::population::{OMEGA, Population};
use crate::demography::projection::{MigrationTiming, Projector, StepFlows, StepInput};
use crate::demography::rates::StepRates;
use crate::demography::sex::Sex;
use crate::error::{Error, Result};
use crate::uncertainty::{StreetPaths, Variant};

/// Years from the 2010 census to the 2020 census.
pub const DECADE: usize = 10;

/// What one projection of the decade assumes for every county.
#[derive(Debug, Clone)]
pub struct DecadeAssumptions<'a> {
    /// National life tables (female, male).
    pub life_tables: &'a [LifeTable; 2],
    /// National ASFR by single year 0..=100.
    pub asfr: Vec<f64>,
    /// Male births per female birth.
    pub sex_ratio_at_birth: f64,
    /// Each county's factor on the national ASFR.
    pub fertility: Vec<f64>,
    /// Each county's factor on the national death rates.
    pub mortality: Vec<f64>,
    /// Yearly net migration rates `[county × 2 × 101 + sex × 101 + age]`, if any.
    pub migration: Option<&'a [f64]>,
    /// Factor on every migration rate.
    pub migration_factor: f64,
    /// Each county's yearly deviations of fertility ratio and e0 gap (a Monte Carlo draw).
    pub deviations: Option<StreetPaths>,
}

/// Projects `base` (the 2010 census, one area per county) ten years under `assumptions`
/// and returns the 2020 population. Net migrants of a step are the rates times the
/// population at its start, half joining at the start and half at the end (the
/// projector's `even` timing). A county's mortality multiplier (with its deviation) is
/// held below 1.9 / the highest death rate of ages 0–99, so that no q(x) passes 1.
///
/// # Errors
///
/// [`Error::LengthMismatch`] when the assumptions do not have one value per county (or
/// one rate per county, sex and age); the errors of [`StepRates::from_life_tables`] and
/// [`Projector::step`] (e.g. a death rate scaled beyond q(x) = 1).
pub fn project_decade(base: &Population, assumptions: &DecadeAssumptions) -> Result<Population> {
    let areas = base.area_count();
    let groups = OMEGA + 1;
    for (what, expected, found) in [
        (
            "county fertility multipliers",
            areas,
            assumptions.fertility.len(),
        ),
        (
            "county mortality multipliers",
            areas,
            assumptions.mortality.len(),
        ),
        (
            "county migration rates (county x sex x age)",
            areas * 2 * groups,
            assumptions
                .migration
                .map_or(areas * 2 * groups, <[f64]>::len),
        ),
        ("population age groups", groups, base.groups()),
    ] {
        if expected != found {
            return Err(Error::LengthMismatch {
                what,
                expected,
                found,
            });
        }
    }
    let [female, male] = assumptions.life_tables;
    let rates = StepRates::from_life_tables(
        female,
        male,
        assumptions.asfr.clone(),
        assumptions.sex_ratio_at_birth,
    )?;
    let e_dagger = 0.5 * (female.life_disparity() + male.life_disparity());
    // A multiplier above 1.9 / max m(x) would take the highest closed-age death rate to
    // 2 or more, where q(x) passes 1: multipliers are held below it.
    let highest = [female, male]
        .iter()
        .flat_map(|t| t.mx().split_last().map_or(&[][..], |(_, closed)| closed))
        .fold(0.0_f64, |a, &m| a.max(m));
    let cap = if highest > 0.0 {
        1.9 / highest
    } else {
        f64::INFINITY
    };
    let variant = Variant {
        streets: assumptions.deviations.clone(),
        ..Variant::default()
    };
    let mut projector = Projector::new(1, groups, areas, MigrationTiming::Even)?;
    let mut input = StepInput {
        rates,
        migrants: Migrants::zeros(areas, groups)?,
    };
    let mut current = base.clone();
    let mut next = base.clone();
    let mut flows = StepFlows::zeros(areas, groups)?;
    for step in 0..DECADE {
        let (f, mut m) = variant.multipliers(
            step,
            &assumptions.fertility,
            &assumptions.mortality,
            e_dagger,
        );
        for k in &mut m {
            *k = k.min(cap);
        }
        projector.set_multipliers(f, m)?;
        let deviation = assumptions
            .deviations
            .as_ref()
            .and_then(|d| d.migration_rate.get(step * areas..(step + 1) * areas));
        if assumptions.migration.is_some() || deviation.is_some() {
            let k = assumptions.migration_factor;
            let mut values = match assumptions.migration {
                Some(migration) => current
                    .values()
                    .iter()
                    .zip(migration)
                    .map(|(p, r)| k * r * p)
                    .collect(),
                None => vec![0.0; areas * 2 * groups],
            };
            if let Some(rates) = deviation {
                // The draw's net migration rate of each county, at every age and sex in
                // proportion to its persons.
                add_rate_migrants(&mut values, current.values(), rates);
            }
            input.migrants = Migrants::from_values(areas, groups, values)?;
        }
        projector.step(&current, &input, &mut next, &mut flows)?;
        std::mem::swap(&mut current, &mut next);
    }
    Ok(current)
}

/// The totals of [`BANDS`] of every area of `pop`, `[area × bands + band]`.
///
/// # Examples
///
/// ```
/// use popalloc::{Population, Sex};
/// use popalloc::backtest::{BANDS, band_totals};
///
/// let mut pop = Population::zeros(vec!["a".into()], 1, 101)?;
/// pop.series_mut(0, Sex::Female).fill(1.0);
/// let totals = band_totals(&pop);
/// assert_eq!(totals.len(), BANDS.len());
/// assert_eq!(totals[0], 5.0); // 0-4
/// assert_eq!(totals[BANDS.len() - 1], 101.0); // total
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn band_totals(pop: &Population) -> Vec<f64> {
    let mut out = Vec::with_capacity(pop.area_count() * BANDS.len());
    for area in 0..pop.area_count() {
        for band in &BANDS {
            let total: f64 = Sex::ALL
                .iter()
                .map(|&sex| {
                    pop.series(area, sex)
                        .iter()
                        .enumerate()
                        .filter(|(age, _)| band.contains(*age))
                        .map(|(_, v)| v)
                        .sum::<f64>()
                })
                .sum();
            out.push(total);
        }
    }
    out
}
