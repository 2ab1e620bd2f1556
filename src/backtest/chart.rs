//! The chart of a backtest: the distribution of the counties' percentage errors by band
//! and method.

use crate::backtest::BacktestRun;
use crate::backtest::band::BANDS;
use crate::backtest::metrics::{interpolated_quantile, percentage_error};
use crate::error::Result;
use crate::report::charts::{ErrorBox, error_boxes_chart};

/// The SVG of the counties' signed percentage errors (all counties) by band and method: a
/// box from P25 to P75, whiskers from P10 to P90, the median marked.
///
/// # Errors
///
/// The errors of [`error_boxes_chart`].
pub fn error_chart(run: &BacktestRun) -> Result<String> {
    let bands = BANDS.len();
    let mut labels = Vec::new();
    let mut quantiles = Vec::new();
    for (b, band) in BANDS.iter().enumerate() {
        for (m, result) in run.methods.iter().enumerate() {
            let mut errors: Vec<f64> = (0..run.inputs.counties.len())
                .filter_map(|i| {
                    percentage_error(
                        result.predicted[i * bands + b],
                        run.inputs.observed[i * bands + b],
                    )
                })
                .collect();
            if errors.is_empty() {
                continue;
            }
            errors.sort_by(f64::total_cmp);
            labels.push((format!("{} {}", band.name, result.fitted.method.name()), m));
            quantiles.push([0.1, 0.25, 0.5, 0.75, 0.9].map(|p| interpolated_quantile(&errors, p)));
        }
    }
    let rows: Vec<ErrorBox<'_>> = labels
        .iter()
        .zip(&quantiles)
        .map(|((label, series), q)| ErrorBox {
            label,
            series: *series,
            quantiles: *q,
        })
        .collect();
    let names: Vec<&str> = run.methods.iter().map(|r| r.fitted.method.name()).collect();
    error_boxes_chart(
        &format!(
            "Backtest 2010 → 2020, {} counties: error by band and method",
            run.inputs.counties.len()
        ),
        &rows,
        &names,
        "predicted − census 2020 (% of census): P10, P25, median, P75, P90",
    )
}
