//! Tornado charts of a one-at-a-time sensitivity run: one bar per assumption from the
//! baseline to the measure with the assumption stepped down and up, largest swing on top.

use plotters::prelude::{Color, PathElement, Rectangle};

use super::{
    Axis, GREY, HEIGHT, LegendEntry, MARGIN, Mesh, ROW_HEIGHT, Sign, Swatch, TITLE_HEIGHT, WIDTH,
    X_LABEL_AREA, axis_range, check_labels, check_value, colour, draw_legend, empty_chart, frame,
    max_rows, plot, render, row_position, value_extent,
};
use crate::Result;

const TORNADO: &str = "tornado_chart";

/// One assumption's effect: the measure with the assumption stepped down and up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TornadoBar<'a> {
    /// The assumption, e.g. `TFR ±10 %` or `解放碑 Jiefangbei: fertility ±10 %`.
    pub label: &'a str,
    /// The measure with the assumption stepped down.
    pub low: f64,
    /// The measure with the assumption stepped up.
    pub high: f64,
}

/// A tornado: one row per assumption, sorted by swing |high − low| (largest on top; ties
/// keep the input order), each with a bar from `baseline` to `low` ("step down") and one
/// from `baseline` to `high` ("step up"), and a vertical line at the baseline labelled with
/// its value. The x axis reads `measure (unit)`. When there are more rows than fit, the
/// largest swings are drawn and a note says how many were left out.
///
/// # Errors
///
/// - [`Error::ChartValue`](crate::Error::ChartValue) if the baseline or a value is NaN,
///   infinite or above [`MAX_CHART_VALUE`](super::MAX_CHART_VALUE) in magnitude.
/// - [`Error::ChartLabel`](crate::Error::ChartLabel) if the title, measure, unit or a label
///   holds a control character.
///
/// With no bars, the chart is drawn with a "no data" note.
///
/// # Examples
///
/// ```
/// use popalloc::report::charts::{TornadoBar, tornado_chart};
///
/// let svg = tornado_chart(
///     "渝中区: sensitivity of the plan cost, 2025",
///     "plan cost",
///     33_782.0,
///     &[
///         TornadoBar { label: "TFR ±10 %", low: 33_773.0, high: 33_791.0 },
///         TornadoBar { label: "net migration ±25 %", low: 36_213.0, high: 33_533.0 },
///     ],
///     "relative cost",
/// )?;
/// assert!(svg.contains("net migration ±25 %"));
/// assert!(svg.contains("baseline 33,782"));
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn tornado_chart(
    title: &str,
    measure: &str,
    baseline: f64,
    bars: &[TornadoBar<'_>],
    unit: &str,
) -> Result<String> {
    check_labels(TORNADO, [title, measure, unit])?;
    check_labels(TORNADO, bars.iter().map(|b| b.label))?;
    check_value(TORNADO, "baseline", 0, baseline, Sign::Any)?;
    for (index, bar) in bars.iter().enumerate() {
        check_value(TORNADO, bar.label, index, bar.low, Sign::Any)?;
        check_value(TORNADO, bar.label, index, bar.high, Sign::Any)?;
    }
    let x_desc = format!("{measure} ({unit})");
    if bars.is_empty() {
        return empty_chart(TORNADO, title, &x_desc, "assumption");
    }
    // A bar that moves nothing (both steps at the baseline) has no row: it is counted in
    // the legend instead.
    let still = bars.iter().filter(|b| without_effect(b, baseline)).count();
    let mut order: Vec<usize> = (0..bars.len())
        .filter(|&i| !without_effect(&bars[i], baseline))
        .collect();
    // A stable sort keeps the input order among equal swings.
    order.sort_by(|&a, &b| swing(&bars[b]).total_cmp(&swing(&bars[a])));

    let height = u32::try_from(bars.len())
        .unwrap_or(u32::MAX)
        .saturating_mul(ROW_HEIGHT)
        .saturating_add(TITLE_HEIGHT + X_LABEL_AREA + 2 * MARGIN)
        .clamp(HEIGHT, super::MAX_HEIGHT);
    let plot_height = height.saturating_sub(TITLE_HEIGHT + X_LABEL_AREA + 2 * MARGIN);
    let fit = max_rows(plot_height);
    let shown: Vec<&TornadoBar<'_>> = order.iter().take(fit).map(|&i| &bars[i]).collect();
    let left_out = bars.len() - shown.len();
    let n = shown.len();
    // Largest swing on top: the first shown is the highest row.
    let rows: Vec<String> = shown.iter().rev().map(|b| b.label.to_owned()).collect();
    let y = Axis::categories(rows, fit);
    let (lo, hi) = value_extent(
        shown
            .iter()
            .flat_map(|b| [b.low, b.high])
            .chain(std::iter::once(baseline)),
    );
    let (lo, hi) = axis_range(lo, hi, false);
    let x = Axis::numbers(lo, hi, super::Labels::Number);
    let (down, up) = (colour(0), colour(1));
    let mut legend = vec![
        LegendEntry::new("step down".to_owned(), Swatch::Bar(down)),
        LegendEntry::new("step up".to_owned(), Swatch::Bar(up)),
    ];
    // The baseline is named in the legend, where it cannot overprint the top bar.
    legend.push(LegendEntry::new(
        format!("baseline {}", super::format_number(baseline, 0)),
        Swatch::Outline(GREY),
    ));
    if left_out > 0 {
        legend.push(LegendEntry::new(
            format!("{left_out} smaller swings not shown"),
            Swatch::Outline(GREY),
        ));
    }
    if still > 0 {
        legend.push(LegendEntry::new(
            format!("{still} without effect not shown"),
            Swatch::Outline(GREY),
        ));
    }

    render(TORNADO, (WIDTH, height), |root| {
        let (plot_area, legend_area) = frame(root, title, &legend)?;
        let mut chart = plot(&plot_area, x, y, &x_desc, "assumption", Mesh::X)?;
        for (k, bar) in shown.iter().enumerate() {
            let row = row_position(n - 1 - k);
            let (top, bottom) = (row + 0.8, row + 0.2);
            chart.draw_series([
                Rectangle::new(
                    [
                        (baseline.min(bar.low), bottom),
                        (baseline.max(bar.low), top),
                    ],
                    down.mix(0.85).filled(),
                ),
                Rectangle::new(
                    [
                        (baseline.min(bar.high), bottom),
                        (baseline.max(bar.high), top),
                    ],
                    up.mix(0.85).filled(),
                ),
            ])?;
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(baseline, 0.0), (baseline, row_position(n))],
            GREY.stroke_width(2),
        )))?;
        draw_legend(&legend_area, &legend)
    })
}

/// Whether both steps of a bar leave the measure at the baseline (within 1e-12 of its size).
fn without_effect(bar: &TornadoBar<'_>, baseline: f64) -> bool {
    let tolerance = 1e-12 * baseline.abs().max(1.0);
    (bar.low - baseline).abs() <= tolerance && (bar.high - baseline).abs() <= tolerance
}

/// The swing of a bar: |high − low|.
fn swing(bar: &TornadoBar<'_>) -> f64 {
    (bar.high - bar.low).abs()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    fn label_rows(svg: &str, labels: &[&str]) -> Vec<(String, f64)> {
        let doc = roxmltree::Document::parse(svg).unwrap();
        let mut rows: Vec<(String, f64)> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| {
                let text = n.text()?.trim().to_owned();
                let y: f64 = n.attribute("y")?.parse().ok()?;
                labels.contains(&text.as_str()).then_some((text, y))
            })
            .collect();
        rows.sort_by(|a, b| a.1.total_cmp(&b.1));
        rows
    }

    #[test]
    fn rows_come_in_order_of_swing_from_the_top() {
        let bars = [
            TornadoBar {
                label: "small",
                low: 99.0,
                high: 101.0,
            },
            TornadoBar {
                label: "大 large",
                low: 80.0,
                high: 130.0,
            },
            TornadoBar {
                label: "middle",
                low: 110.0,
                high: 95.0,
            },
        ];
        let svg = tornado_chart("t", "cost", 100.0, &bars, "yuan").unwrap();
        let rows = label_rows(&svg, &["small", "大 large", "middle"]);
        let order: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(order, ["大 large", "middle", "small"]);
        assert!(svg.contains("baseline 100"));
        assert!(svg.contains("cost (yuan)"));
        // Two bars per row.
        assert!(svg.matches("<rect").count() >= 6);
    }

    #[test]
    fn a_bar_without_effect_has_no_row_and_the_baseline_is_named_in_the_legend() {
        let bars = [
            TornadoBar {
                label: "moves",
                low: 90.0,
                high: 120.0,
            },
            TornadoBar {
                label: "still",
                low: 100.0,
                high: 100.0,
            },
        ];
        let svg = tornado_chart("t", "cost", 100.0, &bars, "yuan").unwrap();
        assert_eq!(label_rows(&svg, &["moves", "still"]).len(), 1);
        assert!(svg.contains("1 without effect not shown"), "{svg}");
        // The baseline's label sits in the legend column on the right, not over the bars.
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let x = doc
            .descendants()
            .find(|n| {
                n.has_tag_name("text") && n.text().is_some_and(|t| t.trim() == "baseline 100")
            })
            .and_then(|n| n.attribute("x")?.parse::<f64>().ok())
            .unwrap();
        assert!(x > 0.6 * f64::from(WIDTH), "{x}");
    }

    #[test]
    fn too_many_rows_keep_the_largest_and_say_so() {
        let labels: Vec<String> = (0..400).map(|i| format!("street {i}")).collect();
        let bars: Vec<TornadoBar<'_>> = labels
            .iter()
            .enumerate()
            .map(|(i, l)| TornadoBar {
                label: l,
                low: -(i as f64),
                high: i as f64,
            })
            .collect();
        let svg = tornado_chart("t", "m", 0.0, &bars, "u").unwrap();
        assert!(svg.contains("street 399"));
        assert!(!svg.contains("street 0<") && !svg.contains(">street 0 "));
        assert!(svg.contains("smaller swings not shown"));
    }

    #[test]
    fn bad_values_and_labels_are_refused() {
        let bad = [TornadoBar {
            label: "x",
            low: f64::NAN,
            high: 1.0,
        }];
        assert!(matches!(
            tornado_chart("t", "m", 0.0, &bad, "u"),
            Err(Error::ChartValue { .. })
        ));
        let bad = [TornadoBar {
            label: "x\n",
            low: 0.0,
            high: 1.0,
        }];
        assert!(matches!(
            tornado_chart("t", "m", 0.0, &bad, "u"),
            Err(Error::ChartLabel { .. })
        ));
        let svg = tornado_chart("t", "m", 0.0, &[], "u").unwrap();
        assert!(svg.contains("no data"));
    }
}
