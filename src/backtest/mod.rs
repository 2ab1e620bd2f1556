//! Backtest of the projection on China's county censuses: every county whose code and name
//! agree in the 2010 and 2020 tables is projected from its 2010 census to 1 November 2020
//! by several methods, using only what was known in 2010 (and parameters fitted on the
//! counties of half the provinces), and compared with its 2020 census by age band.
//! `popalloc backtest --census DIR --out DIR` runs it; docs/backtest.md gives every
//! method's formula.
//!
//! # Examples
//!
//! ```
//! use popalloc::backtest::{BacktestOptions, run_backtest_on, Method};
//! use popalloc::demography::census::{CensusSelection, CensusUnit};
//!
//! // Two counties of two provinces, the same in 2010 and 2020.
//! let unit = |code: &str| CensusUnit { code: code.into(), name: "x".into(), counts: [[1000.0; 19]; 2] };
//! let tables = CensusSelection { units: vec![unit("110101"), unit("120101")], empty: vec![] };
//! let rates = popalloc::backtest::VitalRates { birth_rate: 8.0, death_rate: 7.0 };
//! let vital = [("110101".to_string(), rates), ("120101".to_string(), rates)].into();
//! let run = run_backtest_on(&tables, &tables, &vital, &BacktestOptions { draws: 4, seed: 1 })?;
//! assert_eq!(run.inputs.counties.len(), 2);
//! assert_eq!(run.methods[0].fitted.method, Method::SurvivalOnly);
//! # Ok::<(), popalloc::Error>(())
//! ```

mod band;
mod calibration;
mod chart;
mod counties;
mod local;
mod method;
mod metrics;
mod migration;
mod montecarlo;
mod national;
mod projection;
mod report;
mod sample;
mod vital;

use std::collections::BTreeMap;
use std::path::Path;

pub use band::{BANDS, BacktestBand};
pub use calibration::{
    CALIBRATION_BAND, CALIBRATION_RHO, CALIBRATION_TARGET, Calibration, calibrate_migration_sigma,
};
pub use chart::error_chart;
pub use counties::{Counties, County, LeftOut, match_counties};
pub use local::{FERTILITY_RANGE, MORTALITY_RANGE, fertility_multipliers, mortality_multipliers};
pub use method::{BacktestInputs, FittedMethod, Method};
pub use metrics::{ErrorSummary, interpolated_quantile, percentage_error, summarize_errors};
pub use migration::{MAX_RATE, cohort_migration_rates};
pub use montecarlo::p10_p90_intervals;
pub use national::{NationalRates, wpp_china_fertility_shape};
pub use projection::{DECADE, DecadeAssumptions, band_totals, project_decade};
pub use report::{SUMMARY_HEADER, backtest_csv, backtest_memo, summary_csv, write_backtest};
pub use sample::{PROVINCES, Sample};
pub use vital::{VitalRates, read_vital_rates, read_vital_rates_from};

use crate::demography::census::{CensusSelection, read_census};
use crate::error::{Error, Result};
use crate::uncertainty::Uncertainty;

/// The most draws a calibration search runs for each trial spread.
const SEARCH_DRAWS: usize = 50;

/// The files of a census folder a backtest reads.
pub const CENSUS_FILES: [&str; 3] = ["age_sex_2010.csv", "age_sex_2020.csv", "vital_2010.csv"];

/// The Monte Carlo of a backtest: draws and seed; the spreads are the defaults of a
/// scenario's `[uncertainty]` section ([`Uncertainty::default`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BacktestOptions {
    /// Draws per method.
    pub draws: usize,
    /// Seed of the generator.
    pub seed: u64,
}

impl Default for BacktestOptions {
    /// 100 draws, seed 2021.
    fn default() -> Self {
        Self {
            draws: 100,
            seed: 2021,
        }
    }
}

/// One method's results: its parameters, its 2020 predictions and P10–P90 intervals,
/// `[county × bands + band]`.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodResult {
    /// The method and its fitted parameters.
    pub fitted: FittedMethod,
    /// Its migration-rate spread, calibrated on the calibration counties' totals.
    pub calibration: Calibration,
    /// Predicted 2020 persons.
    pub predicted: Vec<f64>,
    /// P10 and P90 of the Monte Carlo.
    pub intervals: Vec<[f64; 2]>,
}

/// One row of `backtest_summary.csv`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SummaryRow {
    /// The method.
    pub method: Method,
    /// `all`, `calibration` or `holdout`.
    pub sample: &'static str,
    /// The band's name.
    pub band: &'static str,
    /// The errors.
    pub errors: ErrorSummary,
}

/// A whole backtest.
#[derive(Debug, Clone)]
pub struct BacktestRun {
    /// The counties and what every method was built from.
    pub inputs: BacktestInputs,
    /// The units left out, with the reason.
    pub left_out: Vec<LeftOut>,
    /// The methods, in [`Method::ALL`] order.
    pub methods: Vec<MethodResult>,
    /// Errors by method, sample and band.
    pub summary: Vec<SummaryRow>,
    /// The Monte Carlo settings used.
    pub options: BacktestOptions,
}

impl BacktestRun {
    /// The summary row of `method`, `sample` and `band`, if any.
    pub fn summary_of(&self, method: Method, sample: &str, band: &str) -> Option<&SummaryRow> {
        self.summary
            .iter()
            .find(|r| r.method == method && r.sample == sample && r.band == band)
    }
}

/// Reads `age_sex_2010.csv`, `age_sex_2020.csv` and `vital_2010.csv` from the folder
/// `census` and runs [`run_backtest_on`].
///
/// # Errors
///
/// [`Error::Io`] naming a missing or unreadable file; the errors of
/// [`read_census`], [`read_vital_rates`] and [`run_backtest_on`].
pub fn run_backtest(census: &Path, options: &BacktestOptions) -> Result<BacktestRun> {
    let [t2010, t2020, vital] = CENSUS_FILES.map(|f| census.join(f));
    let y2010 = read_census(&t2010, None)?;
    let y2020 = read_census(&t2020, None)?;
    let vital = read_vital_rates(&vital)?;
    run_backtest_on(&y2010, &y2020, &vital, options)
}

/// The backtest of the county-level units of two census tables: matches them
/// ([`match_counties`]), fits every method on the calibration counties, projects every
/// county, runs each method's Monte Carlo and sums up the errors by method, sample
/// (`all`, `calibration`, `holdout`) and band.
///
/// # Errors
///
/// [`Error::InvalidParameter`] when no county matches or the draws are outside
/// 1 … 1,000,000; the errors of [`BacktestInputs::new`], [`FittedMethod::fit`] and
/// [`p10_p90_intervals`].
pub fn run_backtest_on(
    y2010: &CensusSelection,
    y2020: &CensusSelection,
    vital: &BTreeMap<String, VitalRates>,
    options: &BacktestOptions,
) -> Result<BacktestRun> {
    if !(1..=crate::uncertainty::MAX_DRAWS).contains(&options.draws) {
        return Err(Error::InvalidParameter {
            parameter: "backtest Monte Carlo draws",
            value: options.draws as f64,
            range: "1 … 1,000,000",
        });
    }
    let matched = match_counties(y2010, y2020, vital);
    if matched.counties.is_empty() {
        return Err(Error::InvalidParameter {
            parameter: "counties with the same code and name in the 2010 and 2020 tables",
            value: 0.0,
            range: "at least 1",
        });
    }
    let inputs = BacktestInputs::new(matched.counties)?;
    let settings = Uncertainty {
        draws: options.draws,
        seed: options.seed,
        ..Uncertainty::default()
    };
    // The search runs on at most SEARCH_DRAWS draws; the intervals reported use them all.
    let search = Uncertainty {
        draws: settings.draws.min(SEARCH_DRAWS),
        ..settings.clone()
    };
    let mut methods = Vec::new();
    for method in Method::ALL {
        let fitted = FittedMethod::fit(method, &inputs)?;
        let predicted = fitted.project(&inputs)?;
        let calibration = calibrate_migration_sigma(&fitted, &inputs, &search)?;
        let intervals = p10_p90_intervals(&fitted, &inputs, &calibration.apply(settings.clone()))?;
        methods.push(MethodResult {
            fitted,
            calibration,
            predicted,
            intervals,
        });
    }
    let summary = summarize(&inputs, &methods);
    Ok(BacktestRun {
        inputs,
        left_out: matched.left_out,
        methods,
        summary,
        options: *options,
    })
}

/// Errors by method, sample and band.
fn summarize(inputs: &BacktestInputs, methods: &[MethodResult]) -> Vec<SummaryRow> {
    let bands = BANDS.len();
    let mut rows = Vec::new();
    for result in methods {
        for sample in ["all", "calibration", "holdout"] {
            let chosen: Vec<usize> = inputs
                .counties
                .iter()
                .enumerate()
                .filter(|(_, c)| sample == "all" || c.sample.as_str() == sample)
                .map(|(i, _)| i)
                .collect();
            for (b, band) in BANDS.iter().enumerate() {
                let pick =
                    |v: &[f64]| -> Vec<f64> { chosen.iter().map(|i| v[i * bands + b]).collect() };
                let intervals: Vec<[f64; 2]> = chosen
                    .iter()
                    .map(|i| result.intervals[i * bands + b])
                    .collect();
                rows.push(SummaryRow {
                    method: result.fitted.method,
                    sample,
                    band: band.name,
                    errors: summarize_errors(
                        &pick(&result.predicted),
                        &pick(&inputs.observed),
                        Some(&intervals),
                    ),
                });
            }
        }
    }
    rows
}
