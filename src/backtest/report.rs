//! The files of a backtest: `backtest.csv`, `backtest_summary.csv`, the memo `backtest.md`
//! and the chart `backtest_errors.svg`, written together as one result set.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::backtest::band::BANDS;
use crate::backtest::chart::error_chart;
use crate::backtest::method::Method;
use crate::backtest::metrics::percentage_error;
use crate::backtest::{BacktestRun, SummaryRow};
use crate::demography::tidy::csv_field;
use crate::error::Result;

/// The header of `backtest_summary.csv`.
pub const SUMMARY_HEADER: &str =
    "method,sample,band,counties,mape,median_ape,malpe,p90_ape,coverage_p10_p90";

/// A number with `decimals` decimals, empty when it is not finite.
fn number(value: f64, decimals: usize) -> String {
    if value.is_finite() {
        format!("{value:.decimals$}")
    } else {
        String::new()
    }
}

/// `backtest.csv`: one row per county, band and method with the predicted and observed
/// persons, the percentage error (empty when nobody was observed) and the Monte Carlo
/// P10 and P90.
pub fn backtest_csv(run: &BacktestRun) -> String {
    let bands = BANDS.len();
    let mut out =
        String::from("county,name,sample,band,method,predicted,observed,error_pct,p10,p90\n");
    for (i, county) in run.inputs.counties.iter().enumerate() {
        for (b, band) in BANDS.iter().enumerate() {
            for result in &run.methods {
                let cell = i * bands + b;
                let (p, o) = (result.predicted[cell], run.inputs.observed[cell]);
                let [p10, p90] = result.intervals[cell];
                let _ = writeln!(
                    out,
                    "{},{},{},{},{},{},{},{},{},{}",
                    county.code,
                    csv_field(&county.name),
                    county.sample.as_str(),
                    band.name,
                    result.fitted.method.name(),
                    number(p, 1),
                    number(o, 0),
                    percentage_error(p, o).map_or(String::new(), |e| number(e, 3)),
                    number(p10, 1),
                    number(p90, 1),
                );
            }
        }
    }
    out
}

/// `backtest_summary.csv`: [`SUMMARY_HEADER`], one row per method, sample and band;
/// errors in percent, coverage as a share.
pub fn summary_csv(run: &BacktestRun) -> String {
    let mut out = format!("{SUMMARY_HEADER}\n");
    for row in &run.summary {
        let _ = writeln!(out, "{}", summary_fields(row, 3).join(","));
    }
    out
}

/// One line of the memo's summary table.
fn table_line(row: &SummaryRow) -> String {
    format!("| {} |", summary_fields(row, 2).join(" | "))
}

/// The fields of a summary row in [`SUMMARY_HEADER`] order: percentages to `decimals`,
/// the coverage to one more.
fn summary_fields(row: &SummaryRow, decimals: usize) -> [String; 9] {
    let e = &row.errors;
    [
        row.method.name().to_string(),
        row.sample.to_string(),
        row.band.to_string(),
        e.counties.to_string(),
        number(e.mape, decimals),
        number(e.median_ape, decimals),
        number(e.malpe, decimals),
        number(e.p90_ape, decimals),
        e.coverage_p10_p90
            .map_or(String::new(), |c| number(c, decimals + 1)),
    ]
}

/// What the memo says of the method that beats `survival_only` most on 60+ (chosen on the
/// calibration counties).
fn gain_on_elderly(run: &BacktestRun) -> String {
    let mape = |m: Method, sample: &str| {
        run.summary_of(m, sample, "60+")
            .map_or(f64::NAN, |r| r.errors.mape)
    };
    let best = Method::ALL
        .iter()
        .copied()
        .filter(|&m| m != Method::SurvivalOnly)
        .filter(|&m| mape(m, "calibration").is_finite())
        .min_by(|&a, &b| mape(a, "calibration").total_cmp(&mape(b, "calibration")));
    let Some(best) = best else {
        return "No method other than survival_only has a 60+ error.\n".into();
    };
    let mut text = format!(
        "The method with the lowest 60+ MAPE on the calibration counties is **{}**.\n\n\
         | sample | survival_only MAPE | {0} MAPE | gain (points) | gain (%) | {0} MALPE (bias) |\n\
         |---|---|---|---|---|---|\n",
        best.name()
    );
    for sample in ["all", "calibration", "holdout"] {
        let (base, own) = (mape(Method::SurvivalOnly, sample), mape(best, sample));
        let bias = run
            .summary_of(best, sample, "60+")
            .map_or(f64::NAN, |r| r.errors.malpe);
        let _ = writeln!(
            text,
            "| {sample} | {} | {} | {} | {} | {} |",
            number(base, 2),
            number(own, 2),
            number(base - own, 2),
            number(100.0 * (base - own) / base, 1),
            number(bias, 2)
        );
    }
    text
}

/// The memo `backtest.md`: counties, methods and their fitted parameters, the best method's
/// gain on 60+, the summary table and the units left out.
pub fn backtest_memo(run: &BacktestRun) -> String {
    let counties = &run.inputs.counties;
    let calibration = counties
        .iter()
        .filter(|c| c.sample == crate::backtest::Sample::Calibration)
        .count();
    let mut memo = format!(
        "# Backtest 2010 → 2020 of the county censuses\n\n\
         {n} counties whose code and name agree in the 2010 and 2020 census tables and that \
         have an age table in both and 2010 birth and death rates ({calibration} in the \
         calibration provinces, {holdout} in the holdout provinces; {left} units left out, \
         listed at the end). Each is projected from its 2010 census (1 November 2010) ten \
         yearly steps to 1 November 2020 and compared with its 2020 census by band. Errors \
         are `100 · (predicted − census) / census`; MAPE the mean of their absolute values, \
         MALPE the mean of the signed ones (positive: too high). Calibration provinces: the \
         1st, 3rd, … in code order (北京 11, 河北 13, 内蒙古 15, …); holdout: the 2nd, 4th, … \
         (天津 12, 山西 14, …). Every fitted parameter is fitted on calibration only.\n\n\
         ![errors by band and method](backtest_errors.svg)\n\n## Methods\n\n\
         National schedules: WPP 2024 China 2020–2025 death rates (single years); the WPP \
         China age shape of fertility at the national TFR of the 2010 census's births, \
         {tfr:.3} (births of the 12 months before the census over women weighted by the \
         shape); sex ratio at birth 1.112. docs/backtest.md gives every formula.\n\n\
         | method | what it assumes | fitted on calibration |\n|---|---|---|\n",
        n = counties.len(),
        holdout = counties.len() - calibration,
        left = run.left_out.len(),
        tfr = run.inputs.national.tfr,
    );
    for result in &run.methods {
        let f = &result.fitted;
        let (what, fitted) = match f.method {
            Method::SurvivalOnly => (
                "national death rates and fertility, no migration",
                "nothing".to_string(),
            ),
            Method::LocalRates => (
                "death rates scaled to the county's 2010 death rate (to a fitted power), fertility to its 2010 birth rate (both relative to the nation), no migration",
                format!(
                    "fertility level × {:.2}, mortality weight {:.1}",
                    f.fertility_level, f.mortality_weight
                ),
            ),
            Method::LocalMigration => (
                "local_rates plus the yearly net migration rates of the county's 2010 age structure (cohort shares against the nation, ages 12–26), damped",
                format!(
                    "fertility level × {:.2}, mortality weight {:.1}, migration damping {:.1}",
                    f.fertility_level, f.mortality_weight, f.migration_damping
                ),
            ),
        };
        let _ = writeln!(memo, "| {} | {what} | {fitted} |", f.method.name());
    }
    let _ = write!(
        memo,
        "\nCoverage: the share of counties whose 2020 census lies within their P10–P90 of a \
         Monte Carlo of {draws} draws (seed {seed}) with the default `[uncertainty]` spreads \
         (TFR factor lognormal σ 0.15, e0 shift normal sd 1 year, migration factor \
         triangular 0.5–1.5, each county's TFR ratio and e0 gap on the AR(1) paths of the \
         street deviations) and each county's net migration rate on an AR(1) path \
         (ρ {rho} a year) whose yearly shock σ is calibrated, method by method, so that the \
         P10–P90 holds the 2020 total of {target:.0} % of the calibration counties \
         (bisection on 0–0.05; the holdout rows test it):\n\n\
         | method | calibrated σ (net migrants a year per resident) | calibration coverage of the total |\n|---|---|---|\n{calibrations}\n\
         ## The best method against survival_only on 60+\n\n{}\n",
        gain_on_elderly(run),
        rho = super::CALIBRATION_RHO,
        target = 100.0 * super::CALIBRATION_TARGET,
        calibrations = run
            .methods
            .iter()
            .map(|m| format!(
                "| {} | {:.4} | {:.3} |\n",
                m.fitted.method.name(),
                m.calibration.migration_sigma,
                m.calibration.coverage
            ))
            .collect::<String>(),
        draws = run.options.draws,
        seed = run.options.seed,
    );
    memo.push_str(
        "## Summary\n\n| method | sample | band | counties | MAPE | median APE | MALPE | P90 APE | coverage P10–P90 |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for row in &run.summary {
        let _ = writeln!(memo, "{}", table_line(row));
    }
    let _ = write!(
        memo,
        "\n## Units left out ({})\n\n| code | name | reason |\n|---|---|---|\n",
        run.left_out.len()
    );
    for unit in &run.left_out {
        let _ = writeln!(memo, "| {} | {} | {} |", unit.code, unit.name, unit.reason);
    }
    memo
}

/// Writes `backtest.csv`, `backtest_summary.csv`, `backtest.md` and `backtest_errors.svg`
/// into `dir` as one result set ([`write_result_set`](crate::report::output_folder::write_result_set):
/// the whole set or nothing, replacing a previous run's).
///
/// # Errors
///
/// The errors of [`error_chart`] and of
/// [`write_result_set`](crate::report::output_folder::write_result_set).
pub fn write_backtest(dir: &Path, run: &BacktestRun) -> Result<Vec<PathBuf>> {
    let files = [
        ("backtest.csv", backtest_csv(run)),
        ("backtest_summary.csv", summary_csv(run)),
        ("backtest.md", backtest_memo(run)),
        ("backtest_errors.svg", error_chart(run)?),
    ];
    crate::report::output_folder::write_result_set(dir, &files)
}
