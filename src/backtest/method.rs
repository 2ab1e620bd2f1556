//! The methods compared, and the parameters they fit on the calibration counties.

use crate::backtest::band::BANDS;
use crate::backtest::counties::County;
use crate::backtest::local::{fertility_multipliers, mortality_multipliers};
use crate::backtest::migration::cohort_migration_rates;
use crate::backtest::national::NationalRates;
use crate::backtest::projection::{DecadeAssumptions, band_totals, project_decade};
use crate::backtest::sample::Sample;
use crate::demography::census::census_population;
use crate::demography::life_table::LifeTable;
use crate::demography::population::Population;
use crate::error::Result;
use crate::uncertainty::StreetPaths;

/// A way of projecting a county from its 2010 census to 2020.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// The 2010 table, WPP China death rates, the national TFR of the 2010 census's births
    /// with the WPP age shape, no migration. Nothing fitted.
    SurvivalOnly,
    /// As `SurvivalOnly`, with each county's death rates scaled to its 2010 death rate and
    /// its fertility to its 2010 birth rate (relative to the nation); the national
    /// fertility level is fitted on the calibration counties' 0–4.
    LocalRates,
    /// As `LocalRates`, plus the net migration rates of the county's 2010 age structure
    /// ([`cohort_migration_rates`]) times a damping factor fitted on the calibration
    /// counties' totals.
    LocalMigration,
}

impl Method {
    /// Every method, in output order.
    pub const ALL: [Method; 3] = [
        Method::SurvivalOnly,
        Method::LocalRates,
        Method::LocalMigration,
    ];

    /// The name written in the outputs.
    ///
    /// ```
    /// assert_eq!(popalloc::backtest::Method::SurvivalOnly.name(), "survival_only");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Method::SurvivalOnly => "survival_only",
            Method::LocalRates => "local_rates",
            Method::LocalMigration => "local_migration",
        }
    }
}

/// What every method is built from: the counties, their 2010 population by single year,
/// the national schedules and each county's 2010 rates.
#[derive(Debug, Clone)]
pub struct BacktestInputs {
    /// The counties, one area each.
    pub counties: Vec<County>,
    /// The 2010 census graduated to single years 0..=100.
    pub base: Population,
    /// The national schedules.
    pub national: NationalRates,
    /// Each county's fertility relative to the nation ([`fertility_multipliers`]).
    pub fertility: Vec<f64>,
    /// Each county's mortality relative to the nation ([`mortality_multipliers`]).
    pub mortality: Vec<f64>,
    /// Yearly net migration rates by county, sex and age ([`cohort_migration_rates`]).
    pub migration: Vec<f64>,
    /// The 2020 census by county and band, `[county × bands + band]`.
    pub observed: Vec<f64>,
}

impl BacktestInputs {
    /// Graduates the counties' 2010 tables (85+ split by the WPP China life table) and
    /// derives the national schedules and county rates.
    ///
    /// # Errors
    ///
    /// The errors of [`census_population`] and [`NationalRates::for_counties`].
    pub fn new(counties: Vec<County>) -> Result<Self> {
        let tables = crate::scenario::census::wpp_china_life_tables()?;
        let person_years = [
            tables[0].person_years().to_vec(),
            tables[1].person_years().to_vec(),
        ];
        let units: Vec<_> = counties.iter().map(|c| c.base.clone()).collect();
        let ids: Vec<String> = counties.iter().map(|c| c.code.clone()).collect();
        let base = census_population(&units, &ids, &person_years)?;
        let national = NationalRates::for_counties(&counties, &base)?;
        let fertility = fertility_multipliers(&counties, &base, &national);
        let mortality = mortality_multipliers(&counties, &base, &national);
        let migration = cohort_migration_rates(&counties);
        let observed = counties
            .iter()
            .flat_map(|c| BANDS.iter().map(|b| b.census_total(&c.observed)))
            .collect();
        Ok(Self {
            counties,
            base,
            national,
            fertility,
            mortality,
            migration,
            observed,
        })
    }
}

/// A method with its parameters: the factor on the national fertility level and the
/// damping of the migration rates, both fitted on the calibration counties.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FittedMethod {
    /// The method.
    pub method: Method,
    /// Factor on the national TFR of the 2010 census (1 for `survival_only`).
    pub fertility_level: f64,
    /// Factor on the migration rates of the 2010 age structure (0 without migration).
    pub migration_damping: f64,
    /// Power on each county's mortality multiplier (0: the national death rates; 1 for
    /// `survival_only`, whose multipliers are all 1).
    pub mortality_weight: f64,
}

/// The fertility levels tried when fitting: 0.50, 0.51, …, 2.50.
fn fertility_grid() -> impl Iterator<Item = f64> {
    (50..=250).map(|k| f64::from(k) / 100.0)
}

/// The migration dampings and mortality weights tried when fitting: 0.0, 0.1, …, 2.0.
fn tenths_grid() -> impl Iterator<Item = f64> {
    (0..=20).map(|k| f64::from(k) / 10.0)
}

/// The mean absolute percentage error of `band` over the calibration counties.
fn calibration_mape(inputs: &BacktestInputs, predicted: &[f64], band: usize, scale: f64) -> f64 {
    let bands = BANDS.len();
    let (mut sum, mut n) = (0.0, 0usize);
    for (i, c) in inputs.counties.iter().enumerate() {
        let o = inputs.observed[i * bands + band];
        if c.sample == Sample::Calibration && o > 0.0 {
            sum += (scale * predicted[i * bands + band] - o).abs() / o;
            n += 1;
        }
    }
    if n == 0 {
        f64::INFINITY
    } else {
        sum / n as f64
    }
}

/// The argument of the smallest finite value (the first on ties); `fallback` when none.
fn best_of(candidates: impl Iterator<Item = (f64, f64)>, fallback: f64) -> f64 {
    candidates
        .filter(|(_, loss)| loss.is_finite())
        .fold((fallback, f64::INFINITY), |best, (x, loss)| {
            if loss < best.1 { (x, loss) } else { best }
        })
        .0
}

impl FittedMethod {
    /// Fits `method` on the calibration counties of `inputs`:
    ///
    /// - the fertility level (grid 0.50 … 2.50 by 0.01) minimises the calibration MAPE of
    ///   `0-4`; in ten years no one born in them bears children and children do not
    ///   migrate, so the 2020 ages 0–9 are proportional to it and one projection gives
    ///   the error of every level;
    /// - the mortality weight γ (grid 0 … 2 by 0.1; the county multipliers raised to γ)
    ///   minimises the calibration MAPE of `60+`, which neither fertility nor the
    ///   migration of ages 12–26 reaches;
    /// - for `local_migration`, the damping (grid 0 … 2 by 0.1) minimises the calibration
    ///   MAPE of `total`; the level is fitted without migration, then the damping, then
    ///   the level again.
    ///
    /// # Errors
    ///
    /// The errors of [`project_decade`].
    pub fn fit(method: Method, inputs: &BacktestInputs) -> Result<Self> {
        let mut fitted = Self {
            method,
            fertility_level: 1.0,
            migration_damping: 0.0,
            mortality_weight: 1.0,
        };
        if method == Method::SurvivalOnly {
            return Ok(fitted);
        }
        let mut losses = Vec::new();
        for weight in tenths_grid() {
            let trial = Self {
                mortality_weight: weight,
                ..fitted
            };
            losses.push((
                weight,
                calibration_mape(inputs, &trial.project(inputs)?, 3, 1.0),
            ));
        }
        fitted.mortality_weight = best_of(losses.into_iter(), 1.0);
        fitted.fit_fertility(inputs)?;
        if method == Method::LocalMigration {
            let mut losses = Vec::new();
            for damping in tenths_grid() {
                let trial = Self {
                    migration_damping: damping,
                    ..fitted
                };
                let predicted = trial.project(inputs)?;
                losses.push((damping, calibration_mape(inputs, &predicted, 6, 1.0)));
            }
            fitted.migration_damping = best_of(losses.into_iter(), 0.0);
            fitted.fit_fertility(inputs)?;
        }
        Ok(fitted)
    }

    fn fit_fertility(&mut self, inputs: &BacktestInputs) -> Result<()> {
        let unit = Self {
            fertility_level: 1.0,
            ..*self
        };
        let predicted = unit.project(inputs)?;
        self.fertility_level = best_of(
            fertility_grid().map(|level| (level, calibration_mape(inputs, &predicted, 0, level))),
            1.0,
        );
        Ok(())
    }

    /// The assumptions of a projection of this method, moved by a Monte Carlo draw's
    /// `tfr_factor`, life tables and `migration_factor` and county deviations.
    pub fn assumptions<'a>(
        &self,
        inputs: &'a BacktestInputs,
        life_tables: &'a [LifeTable; 2],
        tfr_factor: f64,
        migration_factor: f64,
        deviations: Option<StreetPaths>,
    ) -> DecadeAssumptions<'a> {
        let level = inputs.national.tfr * self.fertility_level * tfr_factor;
        let local = self.method != Method::SurvivalOnly;
        DecadeAssumptions {
            life_tables,
            asfr: inputs.national.shape.iter().map(|s| s * level).collect(),
            sex_ratio_at_birth: inputs.national.sex_ratio_at_birth,
            fertility: if local {
                inputs.fertility.clone()
            } else {
                vec![1.0; inputs.counties.len()]
            },
            mortality: if local {
                inputs
                    .mortality
                    .iter()
                    .map(|k| {
                        let (lo, hi) = crate::backtest::local::MORTALITY_RANGE;
                        k.powf(self.mortality_weight).clamp(lo, hi)
                    })
                    .collect()
            } else {
                vec![1.0; inputs.counties.len()]
            },
            migration: (self.method == Method::LocalMigration).then_some(&inputs.migration[..]),
            migration_factor: self.migration_damping * migration_factor,
            deviations,
        }
    }

    /// The 2020 band totals of every county under this method, `[county × bands + band]`.
    ///
    /// # Errors
    ///
    /// The errors of [`project_decade`].
    pub fn project(&self, inputs: &BacktestInputs) -> Result<Vec<f64>> {
        let tables = &inputs.national.life_tables;
        let assumptions = self.assumptions(inputs, tables, 1.0, 1.0, None);
        Ok(band_totals(&project_decade(&inputs.base, &assumptions)?))
    }
}
