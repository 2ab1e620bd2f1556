//! Box charts of error distributions: one row per category, a box from the first to the
//! third quartile, whiskers from P10 to P90 and a tick at the median, coloured by series.

use plotters::prelude::{Color, PathElement, Rectangle};

use super::{
    Axis, GREY, HEIGHT, LegendEntry, MARGIN, Mesh, ROW_HEIGHT, Sign, Swatch, TITLE_HEIGHT, WIDTH,
    X_LABEL_AREA, axis_range, check_labels, check_value, colour, draw_legend, empty_chart, frame,
    max_rows, plot, render, row_position, value_extent,
};
use crate::{Error, Result};

const BOXES: &str = "error_boxes";

/// One row of a box chart: P10, P25, median, P75 and P90 of a distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErrorBox<'a> {
    /// The row's label, e.g. `60+ survival_only`.
    pub label: &'a str,
    /// The index of its series in the legend (its colour).
    pub series: usize,
    /// P10, P25, median, P75, P90.
    pub quantiles: [f64; 5],
}

/// A box chart of distributions, first row on top, with a line at 0 and a legend of
/// `series` names. Rows that do not fit the height are left out and counted in the legend.
///
/// # Errors
///
/// [`Error::ChartValue`] for a quantile that is not finite or too large;
/// [`Error::ChartLabel`] for a label with control characters; [`Error::ChartLength`] when a
/// row names a series that is not in `series`; [`Error::Chart`] when drawing fails.
///
/// # Examples
///
/// ```
/// use popalloc::report::charts::{ErrorBox, error_boxes_chart};
///
/// let rows = [
///     ErrorBox { label: "60+ survival_only", series: 0, quantiles: [-8.0, -4.0, -1.0, 2.0, 6.0] },
///     ErrorBox { label: "60+ local_migration", series: 1, quantiles: [-5.0, -2.0, 0.0, 2.0, 4.0] },
/// ];
/// let svg = error_boxes_chart("Errors", &rows, &["survival_only", "local_migration"], "error (%)")?;
/// assert!(svg.contains("60+ survival_only"));
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn error_boxes_chart(
    title: &str,
    rows: &[ErrorBox<'_>],
    series: &[&str],
    x_desc: &str,
) -> Result<String> {
    check_labels(BOXES, [title, x_desc])?;
    check_labels(BOXES, series.iter().copied())?;
    check_labels(BOXES, rows.iter().map(|r| r.label))?;
    for row in rows {
        if row.series >= series.len() {
            return Err(Error::ChartLength {
                chart: BOXES,
                series: row.label.to_owned(),
                axis: "series",
                expected: series.len(),
                found: row.series + 1,
            });
        }
        for (index, q) in row.quantiles.iter().enumerate() {
            check_value(BOXES, row.label, index, *q, Sign::Any)?;
        }
    }
    if rows.is_empty() {
        return empty_chart(BOXES, title, x_desc, "");
    }
    let height = u32::try_from(rows.len())
        .unwrap_or(u32::MAX)
        .saturating_mul(ROW_HEIGHT)
        .saturating_add(TITLE_HEIGHT + X_LABEL_AREA + 2 * MARGIN)
        .clamp(HEIGHT, super::MAX_HEIGHT);
    let fit = max_rows(height.saturating_sub(TITLE_HEIGHT + X_LABEL_AREA + 2 * MARGIN));
    let shown = &rows[..rows.len().min(fit)];
    let n = shown.len();
    let labels: Vec<String> = shown.iter().rev().map(|r| r.label.to_owned()).collect();
    let y = Axis::categories(labels, fit);
    let (lo, hi) = value_extent(shown.iter().flat_map(|r| r.quantiles));
    let (lo, hi) = axis_range(lo, hi, true);
    let x = Axis::numbers(lo, hi, super::Labels::Number);
    let mut legend: Vec<LegendEntry> = series
        .iter()
        .enumerate()
        .map(|(i, name)| LegendEntry::new((*name).to_owned(), Swatch::Bar(colour(i))))
        .collect();
    if rows.len() > n {
        legend.push(LegendEntry::new(
            format!("{} rows not shown", rows.len() - n),
            Swatch::Outline(GREY),
        ));
    }
    render(BOXES, (WIDTH, height), |root| {
        let (plot_area, legend_area) = frame(root, title, &legend)?;
        let mut chart = plot(&plot_area, x, y, x_desc, "", Mesh::X)?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (0.0, row_position(n))],
            GREY.stroke_width(2),
        )))?;
        for (k, row) in shown.iter().enumerate() {
            let middle = row_position(n - 1 - k) + 0.5;
            let [p10, p25, median, p75, p90] = row.quantiles;
            let c = colour(row.series);
            chart.draw_series([
                PathElement::new(vec![(p10, middle), (p90, middle)], c.stroke_width(2)),
                PathElement::new(
                    vec![(median, middle - 0.35), (median, middle + 0.35)],
                    plotters::prelude::BLACK.stroke_width(3),
                ),
            ])?;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(p25, middle - 0.3), (p75, middle + 0.3)],
                c.mix(0.6).filled(),
            )))?;
        }
        draw_legend(&legend_area, &legend)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_rows_are_refused_and_no_rows_say_no_data() {
        let bad = [ErrorBox {
            label: "x",
            series: 0,
            quantiles: [0.0, f64::NAN, 0.0, 0.0, 0.0],
        }];
        assert!(matches!(
            error_boxes_chart("t", &bad, &["a"], "e"),
            Err(Error::ChartValue { .. })
        ));
        let unknown = [ErrorBox {
            series: 3,
            quantiles: [0.0; 5],
            ..bad[0]
        }];
        assert!(matches!(
            error_boxes_chart("t", &unknown, &["a"], "e"),
            Err(Error::ChartLength { .. })
        ));
        assert!(
            error_boxes_chart("t", &[], &[], "e")
                .unwrap()
                .contains("no data")
        );
    }
}
