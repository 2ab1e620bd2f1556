//! `popalloc backtest`: project every county from its 2010 census to 2020 by each method
//! and compare with the 2020 census.

use std::path::PathBuf;

use popalloc::backtest::{BacktestOptions, run_backtest, write_backtest};

use crate::{Failure, quiet};

/// Options of `popalloc backtest`.
pub struct BacktestArgs {
    pub census: PathBuf,
    pub out: PathBuf,
    pub draws: Option<usize>,
    pub seed: Option<u64>,
}

/// Runs the backtest, writes its files and prints the MAPE and MALPE of 60+ and total.
pub fn backtest(args: &BacktestArgs) -> Result<(), Failure> {
    let defaults = BacktestOptions::default();
    let options = BacktestOptions {
        draws: args.draws.unwrap_or(defaults.draws),
        seed: args.seed.unwrap_or(defaults.seed),
    };
    let started = std::time::Instant::now();
    let run = run_backtest(&args.census, &options)?;
    let written = write_backtest(&args.out, &run)?;
    if !quiet() {
        outln!(
            "{:<16} {:<12} {:>6} {:>8} {:>8} {:>9}",
            "method",
            "sample",
            "band",
            "MAPE %",
            "MALPE %",
            "P10-P90"
        );
        for result in &run.methods {
            let method = result.fitted.method;
            outln!(
                "{:<16} migration-rate σ calibrated to {:.4} a year (ρ {}): calibration coverage of the total {:.3}",
                method.name(),
                result.calibration.migration_sigma,
                result.calibration.migration_rho,
                result.calibration.coverage
            );
            for sample in ["calibration", "holdout"] {
                for band in ["60+", "total"] {
                    if let Some(row) = run.summary_of(method, sample, band) {
                        let e = &row.errors;
                        outln!(
                            "{:<16} {:<12} {:>6} {:>8.2} {:>8.2} {:>9.3}",
                            method.name(),
                            sample,
                            band,
                            e.mape,
                            e.malpe,
                            e.coverage_p10_p90.unwrap_or(f64::NAN)
                        );
                    }
                }
            }
        }
    }
    note!(
        "backtest of {} counties ({} units left out), {} draws per method, in {:.1} s; wrote {} files to {}",
        run.inputs.counties.len(),
        run.left_out.len(),
        options.draws,
        started.elapsed().as_secs_f64(),
        written.len(),
        args.out.display()
    );
    Ok(())
}
