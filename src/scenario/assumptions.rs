//! Validated cohort assumptions of a scenario: fertility, mortality and migration, with
//! values that may move along a path over the years.

use std::collections::BTreeMap;

use crate::demography::brass::brass_for_e0;
use crate::demography::life_table::LifeTable;
use crate::demography::migration::{Migrants, RogersCastro};
use crate::demography::sex::Sex;
use crate::error::{Error, Result, check_parameter};

/// A value that moves over the years: given at some years, linear between them, constant
/// before the first and after the last.
///
/// # Examples
///
/// ```
/// use popalloc::YearPath;
///
/// let tfr = YearPath::new(vec![(2020, 0.9), (2025, 0.8)]).unwrap();
/// assert!((tfr.at(2022) - 0.86).abs() < 1e-12);
/// assert_eq!(tfr.at(2030), 0.8);
/// assert_eq!(tfr.at(2000), 0.9);
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct YearPath {
    points: Vec<(i32, f64)>,
}

impl YearPath {
    /// A path through `(year, value)` points (any order; years distinct; values finite).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] with no points, a repeated year or a non-finite value.
    pub fn new(mut points: Vec<(i32, f64)>) -> Result<Self> {
        points.sort_by_key(|p| p.0);
        let bad = |value, range| Error::InvalidParameter {
            parameter: "year path",
            value,
            range,
        };
        if points.is_empty() {
            return Err(bad(f64::NAN, "at least one (year, value) point"));
        }
        for w in points.windows(2) {
            if w[0].0 == w[1].0 {
                return Err(bad(f64::from(w[0].0), "one value per year"));
            }
        }
        if let Some(p) = points.iter().find(|p| !p.1.is_finite()) {
            return Err(bad(p.1, "finite values"));
        }
        Ok(Self { points })
    }

    /// A constant path.
    pub fn constant(value: f64) -> Self {
        Self {
            points: vec![(0, value)],
        }
    }

    /// The value at `year` (linear interpolation between given years).
    pub fn at(&self, year: i32) -> f64 {
        let first = self.points[0];
        let last = self.points[self.points.len() - 1];
        if year <= first.0 {
            return first.1;
        }
        if year >= last.0 {
            return last.1;
        }
        for w in self.points.windows(2) {
            let ((y0, v0), (y1, v1)) = (w[0], w[1]);
            if year <= y1 {
                // In f64, where differences of any two i32 years are exact (|d| < 2^33):
                // `year - y0` in i32 overflows for years far apart (i32::MIN to i32::MAX).
                let t = (f64::from(year) - f64::from(y0)) / (f64::from(y1) - f64::from(y0));
                return v0 + t * (v1 - v0);
            }
        }
        last.1
    }

    /// The given points.
    pub fn points(&self) -> &[(i32, f64)] {
        &self.points
    }
}

/// How fertility is given.
#[derive(Debug, Clone, PartialEq)]
pub enum FertilityAssumption {
    /// Single-year ASFR by year (`None`: the same every year); the nearest earlier year
    /// applies to years without their own schedule.
    Asfr(BTreeMap<Option<i32>, Vec<f64>>),
    /// A TFR path and a single-year shape (summing to 1) that it scales.
    TfrShape {
        /// Total fertility rate (children per woman).
        tfr: YearPath,
        /// Share of the TFR at each single age (sums to 1).
        shape: Vec<f64>,
    },
    /// A TFR path with a gamma schedule of given mean age and sd.
    TfrGamma {
        /// Total fertility rate (children per woman).
        tfr: YearPath,
        /// Mean age at childbearing (years).
        mean_age: f64,
        /// Standard deviation of the age at childbearing (years).
        sd: f64,
    },
}

/// A scenario's fertility: the schedule (how fertility is given) and the sex ratio at birth.
///
/// # Examples
///
/// ```
/// use popalloc::scenario::assumptions::FertilityAssumption;
///
/// let yuzhong = popalloc::Scenario::yuzhong()?;
/// assert_eq!(yuzhong.fertility.sex_ratio_at_birth, 1.08);
/// assert!(matches!(yuzhong.fertility.schedule, FertilityAssumption::TfrShape { .. }));
/// # Ok::<(), popalloc::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FertilitySetting {
    /// How fertility is given (a TFR path with a shape, a gamma curve, or rates by age).
    pub schedule: FertilityAssumption,
    /// Male births per female birth.
    pub sex_ratio_at_birth: f64,
}

/// How mortality is given.
#[derive(Debug, Clone, PartialEq)]
pub enum MortalityAssumption {
    /// Single-year death rates by year (`None`: every year) and sex (female, male).
    Mx(BTreeMap<Option<i32>, [Vec<f64>; 2]>),
    /// Life expectancy paths by sex reached with Brass's logit model against a standard.
    Brass {
        /// e0 paths, female then male (years).
        e0: [YearPath; 2],
        /// The standard life tables, female then male.
        standard: Box<[LifeTable; 2]>,
        /// Brass's β.
        beta: f64,
    },
}

impl MortalityAssumption {
    /// The district life tables (female, male) of the step starting in `year`, with
    /// `e0_shift` years added to e0 of both sexes (Brass paths directly; death-rate files
    /// through a Brass step with the year's table as the standard and β = 1). A shift of 0
    /// changes nothing.
    ///
    /// # Errors
    ///
    /// [`Error::NoConvergence`] when the (shifted) e0 cannot be reached with Brass's model;
    /// [`Error::InvalidParameter`] for a non-finite shift or a year the death rates do not
    /// cover.
    ///
    /// # Examples
    ///
    /// ```
    /// let yuzhong = popalloc::Scenario::yuzhong()?;
    /// let [female, male] = yuzhong.mortality.life_tables(2020, 0.0)?;
    /// assert!(female.life_expectancy() > male.life_expectancy());
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn life_tables(&self, year: i32, e0_shift: f64) -> Result<[LifeTable; 2]> {
        check_parameter(
            "variant e0 shift (years)",
            e0_shift,
            true,
            "a finite number",
        )?;
        let shifted = e0_shift.abs() > 0.0;
        match self {
            MortalityAssumption::Mx(map) => {
                let [f, m] = for_year(map, year).ok_or(Error::InvalidParameter {
                    parameter: "year of the death rates",
                    value: f64::from(year),
                    range: "a year the mx file covers",
                })?;
                let tables = [
                    LifeTable::from_mx(Sex::Female, f)?,
                    LifeTable::from_mx(Sex::Male, m)?,
                ];
                if !shifted {
                    return Ok(tables);
                }
                let [f, m] = tables;
                Ok([
                    brass_for_e0(&f, f.life_expectancy() + e0_shift, 1.0)?.1,
                    brass_for_e0(&m, m.life_expectancy() + e0_shift, 1.0)?.1,
                ])
            }
            MortalityAssumption::Brass { e0, standard, beta } => {
                let (_, female) = brass_for_e0(&standard[0], e0[0].at(year) + e0_shift, *beta)?;
                let (_, male) = brass_for_e0(&standard[1], e0[1].at(year) + e0_shift, *beta)?;
                Ok([female, male])
            }
        }
    }
}

/// How migration is given.
#[derive(Debug, Clone, PartialEq)]
pub struct MigrationAssumption {
    /// Female share of net migrants split from totals.
    pub female_share: f64,
    /// The age shape of net migrants split from totals.
    pub schedule: RogersCastro,
    /// Net migrants by age from a file, by year (`None`: every year), replacing the totals.
    pub by_age: Option<BTreeMap<Option<i32>, Migrants>>,
}

/// The schedule for `year` from a map keyed by optional years: the exact year, else the
/// nearest earlier year, else the year-less entry, else the earliest year.
pub(crate) fn for_year<T>(map: &BTreeMap<Option<i32>, T>, year: i32) -> Option<&T> {
    map.get(&Some(year))
        .or_else(|| {
            map.range(..Some(year))
                .next_back()
                .filter(|(k, _)| k.is_some())
                .map(|(_, v)| v)
        })
        .or_else(|| map.get(&None))
        .or_else(|| map.values().next())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_over_the_whole_range_of_years_interpolates_without_overflow() {
        let path = YearPath::new(vec![(i32::MAX, 1.0), (i32::MIN, 0.0)]).unwrap();
        // (0 − i32::MIN) / (i32::MAX − i32::MIN) = 2^31 / (2^32 − 1).
        let expected = 2_147_483_648.0 / 4_294_967_295.0;
        assert!((path.at(0) - expected).abs() < 1e-15, "{}", path.at(0));
        assert_eq!(path.at(i32::MIN), 0.0);
        assert_eq!(path.at(i32::MAX), 1.0);
        let three = YearPath::new(vec![(i32::MIN, 0.0), (0, 10.0), (i32::MAX, 20.0)]).unwrap();
        assert!((three.at(-1_073_741_824) - 5.0).abs() < 1e-12);
        assert!((three.at(i32::MAX - 1) - 20.0).abs() < 1e-8);
        assert!(YearPath::new(vec![(i32::MAX, 1.0), (i32::MAX, 2.0)]).is_err());
    }
}
