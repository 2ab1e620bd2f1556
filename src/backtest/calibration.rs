//! Calibration of the Monte Carlo's spreads on the backtest: the yearly shock to each
//! county's net migration rate (`[uncertainty.streets] migration_sigma`) is set so that
//! the 2020 census falls within the P10–P90 interval of [`CALIBRATION_TARGET`] of the
//! calibration counties' totals; the holdout counties then say whether it holds elsewhere.

use crate::backtest::band::BANDS;
use crate::backtest::method::{BacktestInputs, FittedMethod};
use crate::backtest::metrics::summarize_errors;
use crate::backtest::montecarlo::p10_p90_intervals;
use crate::backtest::sample::Sample;
use crate::error::Result;
use crate::uncertainty::Uncertainty;

/// The share of counties whose census should fall within their P10–P90 interval: 80 %,
/// the interval's nominal coverage.
pub const CALIBRATION_TARGET: f64 = 0.8;

/// The band whose coverage the calibration aims at.
pub const CALIBRATION_BAND: &str = "total";

/// The yearly autocorrelation of a county's migration-rate deviation during the
/// calibration (held, not fitted): a county that gains people tends to go on gaining.
pub const CALIBRATION_RHO: f64 = crate::uncertainty::CALIBRATED_MIGRATION_RHO;

/// The largest shock the search tries (net migrants a year per resident).
const MAX_SIGMA: f64 = 0.05;

/// Bisection steps: the bracket shrinks to 0.05 / 2^8 ≈ 2e-4.
const STEPS: usize = 8;

/// The calibrated spread and the coverage it gives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    /// The calibrated `[uncertainty.streets] migration_sigma` (net migrants a year per
    /// resident).
    pub migration_sigma: f64,
    /// The autocorrelation held during the calibration ([`CALIBRATION_RHO`]).
    pub migration_rho: f64,
    /// The calibration counties' coverage of [`CALIBRATION_BAND`] at that spread.
    pub coverage: f64,
}

impl Calibration {
    /// `settings` with the calibrated migration-rate deviation.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::backtest::Calibration;
    /// use popalloc::uncertainty::Uncertainty;
    ///
    /// let c = Calibration { migration_sigma: 0.01, migration_rho: 0.9, coverage: 0.8 };
    /// let s = c.apply(Uncertainty::default());
    /// assert_eq!((s.streets.migration_sigma, s.streets.migration_rho), (0.01, 0.9));
    /// ```
    pub fn apply(&self, mut settings: Uncertainty) -> Uncertainty {
        settings.streets.migration_sigma = self.migration_sigma;
        settings.streets.migration_rho = self.migration_rho;
        settings
    }
}

/// The calibration counties' coverage of `band` by `fitted`'s P10–P90 under `settings`.
fn calibration_coverage(
    fitted: &FittedMethod,
    inputs: &BacktestInputs,
    settings: &Uncertainty,
    band: usize,
) -> Result<f64> {
    let intervals = p10_p90_intervals(fitted, inputs, settings)?;
    let bands = BANDS.len();
    let (mut predicted, mut observed, mut chosen) = (Vec::new(), Vec::new(), Vec::new());
    for (i, county) in inputs.counties.iter().enumerate() {
        if county.sample == Sample::Calibration {
            let cell = i * bands + band;
            observed.push(inputs.observed[cell]);
            // The coverage does not read the prediction; the observed value stands in.
            predicted.push(inputs.observed[cell]);
            chosen.push(intervals[cell]);
        }
    }
    Ok(summarize_errors(&predicted, &observed, Some(&chosen))
        .coverage_p10_p90
        .unwrap_or(f64::NAN))
}

/// The migration-rate shock σ (with ρ = [`CALIBRATION_RHO`]) whose P10–P90 intervals of
/// `fitted` hold the 2020 census total of [`CALIBRATION_TARGET`] of the calibration
/// counties, by bisection on 0 … 0.05 (coverage grows with σ). The other spreads are those
/// of `settings`; the same draws (seed) serve every σ, so the coverage moves smoothly.
/// When even σ = 0 covers more than the target, σ is 0.
///
/// # Errors
///
/// The errors of [`p10_p90_intervals`].
///
/// # Examples
///
/// ```
/// use popalloc::backtest::{BacktestOptions, Method, calibrate_migration_sigma, run_backtest_on};
/// use popalloc::demography::census::{CensusSelection, CensusUnit};
///
/// // Two provinces' counties; the second census differs from the first by ±10 %.
/// let unit = |code: &str, k: f64| CensusUnit { code: code.into(), name: "x".into(), counts: [[1000.0 * k; 19]; 2] };
/// let y2010 = CensusSelection { units: vec![unit("110101", 1.0), unit("110102", 1.0), unit("120101", 1.0)], empty: vec![] };
/// let y2020 = CensusSelection { units: vec![unit("110101", 1.1), unit("110102", 0.9), unit("120101", 1.0)], empty: vec![] };
/// let rates = popalloc::backtest::VitalRates { birth_rate: 10.0, death_rate: 8.0 };
/// let vital = ["110101", "110102", "120101"].map(|c| (c.to_string(), rates)).into();
/// let run = run_backtest_on(&y2010, &y2020, &vital, &BacktestOptions { draws: 20, seed: 1 })?;
/// let fitted = &run.methods[0].fitted;
/// let calibration = calibrate_migration_sigma(fitted, &run.inputs, &popalloc::uncertainty::Uncertainty { draws: 20, ..Default::default() })?;
/// assert!(calibration.migration_sigma > 0.0);
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn calibrate_migration_sigma(
    fitted: &FittedMethod,
    inputs: &BacktestInputs,
    settings: &Uncertainty,
) -> Result<Calibration> {
    let band = BANDS
        .iter()
        .position(|b| b.name == CALIBRATION_BAND)
        .unwrap_or(BANDS.len() - 1);
    let at = |sigma: f64| -> Result<f64> {
        let trial = Calibration {
            migration_sigma: sigma,
            migration_rho: CALIBRATION_RHO,
            coverage: f64::NAN,
        }
        .apply(settings.clone());
        calibration_coverage(fitted, inputs, &trial, band)
    };
    let none = at(0.0)?;
    if none >= CALIBRATION_TARGET {
        return Ok(Calibration {
            migration_sigma: 0.0,
            migration_rho: CALIBRATION_RHO,
            coverage: none,
        });
    }
    let (mut lo, mut hi) = (0.0, MAX_SIGMA);
    let mut best = (hi, at(hi)?);
    for _ in 0..STEPS {
        let mid = 0.5 * (lo + hi);
        let coverage = at(mid)?;
        if coverage >= CALIBRATION_TARGET {
            hi = mid;
            best = (mid, coverage);
        } else {
            lo = mid;
        }
    }
    Ok(Calibration {
        migration_sigma: best.0,
        migration_rho: CALIBRATION_RHO,
        coverage: best.1,
    })
}
