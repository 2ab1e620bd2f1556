//! The fertility of the years before a census, from the census's children, with a
//! scenario's own life tables and fertility shape (the reverse-survival method of
//! [`reverse_survival`](crate::demography::reverse_survival)); and a TFR path started from
//! it.

use crate::demography::census::{CensusUnit, graduate_census};
use crate::demography::fertility::{FertileAges, Fertility};
use crate::demography::population::OMEGA;
use crate::demography::reverse_survival::{BirthYear, reverse_survive_with_life_tables};
use crate::demography::sex::Sex;
use crate::error::{Error, Result};
use crate::scenario::Scenario;
use crate::scenario::assumptions::{FertilityAssumption, YearPath, for_year};

impl Scenario {
    /// The births and TFRs of the `oldest_age + 1` years before the census of `unit`
    /// (dated the scenario's base year), most recent first: the unit's census table
    /// graduated to single years ([`graduate_census`]), reverse-survived with the
    /// scenario's life tables of the base year and weighted by its fertility shape of the
    /// base year (the `shape` file, the gamma curve of `mean_age` and `sd`, or the `asfr`
    /// schedule, each rescaled to sum to 1). Those tables and that shape are held for every
    /// year before the census.
    ///
    /// # Errors
    ///
    /// The errors of [`Scenario::life_tables`], [`graduate_census`], [`Fertility::gamma`]
    /// and [`reverse_survive`](crate::demography::reverse_survival::reverse_survive)
    /// (e.g. an ASFR schedule with no births in the base year).
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::Scenario;
    /// use popalloc::demography::census::read_census;
    ///
    /// let yuzhong = Scenario::yuzhong()?;
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/yuzhong/census_2020.csv");
    /// let census = read_census(path, Some("500103"))?;
    /// let years = yuzhong.census_fertility(&census.units[0], 4)?;
    /// assert_eq!((years[0].start_year, years[0].end_year), (2019, 2020));
    /// assert_eq!(years.len(), 5);
    /// // 3,262 children aged 0 at the census: a few more births.
    /// assert!(years[0].total_births() > 3_262.0 && years[0].total_births() < 3_280.0);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn census_fertility(&self, unit: &CensusUnit, oldest_age: usize) -> Result<Vec<BirthYear>> {
        let year = self.base_year();
        let tables = self.life_tables(year)?;
        let females = graduate_census(
            &unit.counts[Sex::Female.index()],
            tables[Sex::Female.index()].person_years(),
        )?;
        let males = graduate_census(
            &unit.counts[Sex::Male.index()],
            tables[Sex::Male.index()].person_years(),
        )?;
        let shape = self.fertility_shape(year)?;
        reverse_survive_with_life_tables([&females, &males], &tables, &shape, year, oldest_age)
    }

    /// The age pattern of the scenario's fertility in `year`, single ages `0..=OMEGA`, in
    /// any scale (zeros where an ASFR schedule has none).
    fn fertility_shape(&self, year: i32) -> Result<Vec<f64>> {
        Ok(match &self.fertility.schedule {
            FertilityAssumption::TfrShape { shape, .. } => shape.clone(),
            FertilityAssumption::TfrGamma { mean_age, sd, .. } => {
                Fertility::gamma(1.0, *mean_age, *sd, FertileAges::default())?.into_vec()
            }
            FertilityAssumption::Asfr(map) => for_year(map, year)
                .cloned()
                .unwrap_or_else(|| vec![0.0; OMEGA + 1]),
        })
    }
}

/// A TFR path started from `level`: every point of `path` times `level / path(first year)`,
/// so the path keeps its movement relative to its start (the rule that starts Yuzhong's
/// default `tfr.csv` from the census's reverse-survival estimate, data/yuzhong/SOURCES.md
/// section 6).
///
/// # Errors
///
/// [`Error::InvalidParameter`] when `level` is negative or not finite, or the path's first
/// value is not positive.
///
/// # Examples
///
/// ```
/// use popalloc::YearPath;
/// use popalloc::scenario::census_fertility::rebased_path;
///
/// let old = YearPath::new(vec![(2020, 0.8), (2025, 0.6)])?;
/// let new = rebased_path(&old, 1.0)?;
/// assert_eq!(new.at(2020), 1.0);
/// assert!((new.at(2025) - 0.75).abs() < 1e-12);
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn rebased_path(path: &YearPath, level: f64) -> Result<YearPath> {
    crate::error::check_parameter(
        "level the TFR path starts from",
        level,
        level >= 0.0 && level.is_finite(),
        "a finite number >= 0",
    )?;
    let first = path.points().first().map_or(f64::NAN, |p| p.1);
    if first.is_nan() || first <= 0.0 {
        return Err(Error::InvalidParameter {
            parameter: "first value of the TFR path being started from a new level",
            value: first,
            range: "> 0",
        });
    }
    YearPath::new(
        path.points()
            .iter()
            .map(|&(year, value)| (year, value * level / first))
            .collect(),
    )
}

/// The movement of Yuzhong's TFR over 2020–2025 that the default `tfr.csv` keeps relative to
/// its start: the path the scenario had before it was started from the census (WPP China's
/// relative path times Chongqing's faster fall of births, data/yuzhong/SOURCES.md section
/// 6.1), whose 2020 value, 0.730, came from the city of Chongqing's children aged 0.
///
/// ```
/// use popalloc::scenario::census_fertility::YUZHONG_TFR_MOVEMENT;
///
/// assert_eq!(YUZHONG_TFR_MOVEMENT[0], (2020, 0.730));
/// ```
pub const YUZHONG_TFR_MOVEMENT: [(i32, f64); 6] = [
    (2020, 0.730),
    (2021, 0.636),
    (2022, 0.566),
    (2023, 0.526),
    (2024, 0.533),
    (2025, 0.537),
];

/// Yuzhong's default TFR path started from `level` (the census estimate of the year before
/// the census): [`YUZHONG_TFR_MOVEMENT`] rebased with [`rebased_path`], each value rounded to
/// 3 decimals as `tfr.csv` holds it.
///
/// # Errors
///
/// As [`rebased_path`].
///
/// # Examples
///
/// ```
/// use popalloc::scenario::census_fertility::yuzhong_tfr_path;
///
/// let path = yuzhong_tfr_path(0.730)?;
/// assert_eq!(path.points()[1], (2021, 0.636));
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn yuzhong_tfr_path(level: f64) -> Result<YearPath> {
    let movement = YearPath::new(YUZHONG_TFR_MOVEMENT.to_vec())?;
    let rebased = rebased_path(&movement, level)?;
    YearPath::new(
        rebased
            .points()
            .iter()
            .map(|&(year, value)| (year, (value * 1000.0).round() / 1000.0))
            .collect(),
    )
}
