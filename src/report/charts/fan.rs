//! Monte Carlo fan charts: a band between a lower and an upper quantile around the median,
//! per year, with the deterministic path beside it.

use plotters::prelude::{Color, PathElement, Polygon};

use super::{
    Axis, Drawn, HEIGHT, LegendEntry, Mesh, Plot, Sign, Swatch, TITLE_HEIGHT, WIDTH, axis_range,
    check_labels, check_length, check_values, colour, draw_legend, draw_markers, empty_chart,
    frame, marker, plot, render, value_extent,
};
use crate::{Error, Result};

const FAN: &str = "fan_chart";

/// One band's fan: a lower and an upper quantile around the median, per year, and
/// optionally the deterministic projection.
#[derive(Debug, Clone, PartialEq)]
pub struct FanSeries<'a> {
    /// The band, e.g. `elderly` or `60+ 老年人`.
    pub label: &'a str,
    /// The lower quantile per year (e.g. P10).
    pub lower: Vec<f64>,
    /// The median per year.
    pub median: Vec<f64>,
    /// The upper quantile per year (e.g. P90).
    pub upper: Vec<f64>,
    /// The deterministic projection per year, drawn dashed.
    pub deterministic: Option<Vec<f64>>,
}

/// Checks a fan: one value per year in every vector, values non-negative and finite, and
/// lower ≤ median ≤ upper (1e-9 relative allowed).
fn check_fan(years: &[i32], s: &FanSeries<'_>) -> Result<()> {
    let mut parts = vec![
        ("lower", &s.lower),
        ("median", &s.median),
        ("upper", &s.upper),
    ];
    if let Some(d) = &s.deterministic {
        parts.push(("deterministic", d));
    }
    for (part, values) in parts {
        let name = format!("{} {part}", s.label);
        check_length(FAN, &name, "years", years.len(), values.len())?;
        check_values(FAN, &name, values, Sign::NonNegative)?;
    }
    for (index, ((lo, mid), hi)) in s.lower.iter().zip(&s.median).zip(&s.upper).enumerate() {
        let slack = 1e-9 * hi.abs().max(1.0);
        if lo > &(mid + slack) || mid > &(hi + slack) {
            return Err(Error::ChartValue {
                chart: FAN,
                series: s.label.to_owned(),
                index,
                value: *mid,
                range: "lower <= median <= upper",
            });
        }
    }
    Ok(())
}

/// Checks every input of a fan chart; with nothing to draw, returns the "no data" chart.
fn check_all(
    title: &str,
    years: &[i32],
    series: &[FanSeries<'_>],
    interval: &str,
    unit: &str,
) -> Result<Option<String>> {
    check_labels(FAN, [title, interval, unit])?;
    check_labels(FAN, series.iter().map(|s| s.label))?;
    check_years(years)?;
    for s in series {
        check_fan(years, s)?;
    }
    if years.is_empty() || series.is_empty() {
        return empty_chart(FAN, title, "year", unit).map(Some);
    }
    Ok(None)
}

fn check_years(years: &[i32]) -> Result<()> {
    for (index, pair) in years.windows(2).enumerate() {
        if pair[1] <= pair[0] {
            return Err(Error::ChartValue {
                chart: FAN,
                series: "years".to_owned(),
                index: index + 1,
                value: f64::from(pair[1]),
                range: "a year after the one before it",
            });
        }
    }
    Ok(())
}

/// The x axis of a fan: the years, padded.
fn year_axis(years: &[i32]) -> Axis {
    let (first, last) = match (years.first(), years.last()) {
        (Some(&a), Some(&b)) => (f64::from(a), f64::from(b)),
        _ => (0.0, 1.0),
    };
    let pad = ((last - first) * 0.03).max(0.5);
    Axis::years(first - pad, last + pad)
}

/// The legend entries of fans: the interval (a filled swatch), the median (a line with the
/// series' marker) and, when any fan has one, the deterministic path.
fn legend(series: &[FanSeries<'_>], interval: &str) -> Vec<LegendEntry> {
    let mut entries = Vec::new();
    for (i, s) in series.iter().enumerate() {
        entries.push(LegendEntry::new(
            format!("{} {interval}", s.label),
            Swatch::Band(colour(i)),
        ));
        entries.push(LegendEntry::new(
            format!("{} median", s.label),
            Swatch::Line(colour(i), marker(i)),
        ));
        if s.deterministic.is_some() {
            entries.push(LegendEntry::new(
                format!("{} deterministic", s.label),
                Swatch::Dashed(colour(i)),
            ));
        }
    }
    entries
}

/// Draws fan `index` into a plot.
fn draw_fan(chart: &mut Plot<'_, '_>, years: &[i32], s: &FanSeries<'_>, index: usize) -> Drawn {
    let at = |values: &[f64]| -> Vec<(f64, f64)> {
        years
            .iter()
            .zip(values)
            .map(|(&y, &v)| (f64::from(y), v))
            .collect()
    };
    let mut outline = at(&s.upper);
    outline.extend(at(&s.lower).into_iter().rev());
    let c = colour(index);
    chart.draw_series(std::iter::once(Polygon::new(outline, c.mix(0.25).filled())))?;
    let median = at(&s.median);
    chart.draw_series(std::iter::once(PathElement::new(
        median.clone(),
        c.stroke_width(2),
    )))?;
    draw_markers(chart, &median, marker(index), c)?;
    if let Some(d) = &s.deterministic {
        super::draw_dashed(chart, &at(d), c)?;
    }
    Ok(())
}

/// Fans of several bands on one y axis (persons), years on the x axis: for each, a filled
/// band between its lower and upper quantile (the legend names the interval, e.g.
/// `P10–P90`), the median as a line with markers, and the deterministic path dashed.
///
/// # Errors
///
/// - [`Error::ChartValue`] if years do not increase, a value is negative, NaN, infinite or
///   above [`MAX_CHART_VALUE`](super::MAX_CHART_VALUE), or lower ≤ median ≤ upper fails at a
///   year (its index is given).
/// - [`Error::ChartLength`] if a vector does not have one value per year.
/// - [`Error::ChartLabel`] if the title, the interval, the unit or a label holds a control
///   character.
///
/// With no years or no series, the chart is drawn with a "no data" note.
///
/// # Examples
///
/// ```
/// use popalloc::report::charts::{FanSeries, fan_chart};
///
/// let fan = FanSeries {
///     label: "0–2",
///     lower: vec![6000.0, 5200.0, 4900.0],
///     median: vec![6000.0, 5900.0, 6100.0],
///     upper: vec![6000.0, 6600.0, 7500.0],
///     deterministic: Some(vec![6000.0, 5950.0, 6120.0]),
/// };
/// let svg = fan_chart("渝中区: children under 3", &[2020, 2023, 2025], &[fan.clone()], "P10–P90", "persons")?;
/// assert!(svg.contains("0–2 P10–P90"));
///
/// let mut crossed = fan;
/// crossed.lower[2] = 8000.0;
/// let err = fan_chart("t", &[2020, 2023, 2025], &[crossed], "P10–P90", "persons");
/// assert!(matches!(err, Err(popalloc::Error::ChartValue { index: 2, .. })));
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn fan_chart(
    title: &str,
    years: &[i32],
    series: &[FanSeries<'_>],
    interval: &str,
    unit: &str,
) -> Result<String> {
    if let Some(empty) = check_all(title, years, series, interval, unit)? {
        return Ok(empty);
    }
    let x = year_axis(years);
    let (lo, hi) = value_extent(series.iter().flat_map(every_value));
    let (lo, hi) = axis_range(lo, hi, false);
    let y = Axis::numbers(lo, hi, super::Labels::Number);
    let entries = legend(series, interval);
    render(FAN, (WIDTH, HEIGHT), |root| {
        let (plot_area, legend_area) = frame(root, title, &entries)?;
        let mut chart = plot(&plot_area, x, y, "year", unit, Mesh::Both)?;
        for (i, s) in series.iter().enumerate() {
            draw_fan(&mut chart, years, s, i)?;
        }
        draw_legend(&legend_area, &entries)
    })
}

/// Every value a fan draws.
fn every_value<'a>(s: &'a FanSeries<'_>) -> impl Iterator<Item = f64> + 'a {
    s.lower
        .iter()
        .chain(&s.median)
        .chain(&s.upper)
        .chain(s.deterministic.iter().flatten())
        .copied()
}

/// One panel per band, stacked, each with its own y axis, so that bands of very different
/// sizes (60+ ≈ 137,000 persons, 0–2 ≈ 6,000) can both be read. Otherwise as
/// [`fan_chart`].
///
/// # Errors
///
/// As [`fan_chart`].
///
/// # Examples
///
/// ```
/// use popalloc::report::charts::{FanSeries, fan_panels};
///
/// let band = |label, level: f64| FanSeries {
///     label,
///     lower: vec![level, 0.9 * level],
///     median: vec![level, level],
///     upper: vec![level, 1.1 * level],
///     deterministic: None,
/// };
/// let svg = fan_panels(
///     "渝中区 Yuzhong",
///     &[2020, 2025],
///     &[band("60+", 137_000.0), band("0–2", 6_000.0)],
///     "P10–P90",
///     "persons",
/// )?;
/// assert_eq!(svg.matches("<polygon").count(), 2);
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn fan_panels(
    title: &str,
    years: &[i32],
    series: &[FanSeries<'_>],
    interval: &str,
    unit: &str,
) -> Result<String> {
    if let Some(empty) = check_all(title, years, series, interval, unit)? {
        return Ok(empty);
    }
    const PANEL: u32 = 300;
    let panels = u32::try_from(series.len()).unwrap_or(u32::MAX);
    let height = panels
        .saturating_mul(PANEL)
        .saturating_add(TITLE_HEIGHT)
        .clamp(HEIGHT, super::MAX_HEIGHT);
    let rows = usize::try_from((height - TITLE_HEIGHT) / PANEL)
        .unwrap_or(1)
        .max(1);
    let shown = &series[..series.len().min(rows)];
    render(FAN, (WIDTH, height), |root| {
        let (body, _) = frame(root, title, &[])?;
        let areas = body.split_evenly((shown.len(), 1));
        for (i, (s, area)) in shown.iter().zip(&areas).enumerate() {
            let entries = legend(std::slice::from_ref(s), interval);
            let (width, _) = area.dim_in_pixel();
            let legend_width = super::legend_width(&entries, width);
            let (plot_area, legend_area) = area.split_horizontally(width - legend_width);
            let x = year_axis(years);
            let (lo, hi) = value_extent(every_value(s));
            let (lo, hi) = axis_range(lo, hi, false);
            let y = Axis::numbers(lo, hi, super::Labels::Number);
            let mut chart = plot(&plot_area, x, y, "year", unit, Mesh::Both)?;
            draw_fan(&mut chart, years, s, i)?;
            draw_legend(&legend_area, &recoloured(&entries, i))?;
        }
        Ok(())
    })
}

/// Legend entries of panel `index` in that panel's colour.
fn recoloured(entries: &[LegendEntry], index: usize) -> Vec<LegendEntry> {
    let c = colour(index);
    entries
        .iter()
        .map(|e| {
            let swatch = match e.swatch {
                Swatch::Band(_) => Swatch::Band(c),
                Swatch::Line(_, _) => Swatch::Line(c, marker(index)),
                Swatch::Dashed(_) => Swatch::Dashed(c),
                other => other,
            };
            LegendEntry::new(e.label.clone(), swatch)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fan(label: &str) -> FanSeries<'_> {
        FanSeries {
            label,
            lower: vec![10.0, 9.0, 8.0],
            median: vec![10.0, 10.0, 10.0],
            upper: vec![10.0, 11.0, 12.0],
            deterministic: Some(vec![10.0, 10.1, 10.2]),
        }
    }

    fn texts(svg: &str) -> Vec<String> {
        let doc = roxmltree::Document::parse(svg).unwrap();
        doc.descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text().map(|t| t.trim().to_owned()))
            .collect()
    }

    #[test]
    fn one_band_per_series_with_its_legend() {
        let years = [2020, 2021, 2022];
        for draw in [fan_chart, fan_panels] {
            let svg = draw(
                "老年人 fans",
                &years,
                &[fan("60+"), fan("0–2")],
                "P10–P90",
                "persons",
            )
            .unwrap();
            assert_eq!(svg.matches("<polygon").count(), 2);
            let t = texts(&svg);
            for label in [
                "60+ P10–P90",
                "0–2 median",
                "0–2 deterministic",
                "老年人 fans",
            ] {
                assert!(t.iter().any(|x| x == label), "{label} in {t:?}");
            }
        }
    }

    #[test]
    fn bad_fans_are_refused_with_where() {
        let years = [2020, 2021, 2022];
        let mut crossed = fan("a");
        crossed.median[1] = 11.5;
        crossed.upper[1] = 11.0;
        match fan_chart("t", &years, &[crossed], "P10–P90", "persons") {
            Err(Error::ChartValue { index, series, .. }) => {
                assert_eq!((index, series.as_str()), (1, "a"));
            }
            other => panic!("{other:?}"),
        }
        let mut short = fan("b");
        short.upper.pop();
        assert!(matches!(
            fan_panels("t", &years, &[short], "P10–P90", "persons"),
            Err(Error::ChartLength {
                expected: 3,
                found: 2,
                ..
            })
        ));
        let mut negative = fan("c");
        negative.lower[0] = -1.0;
        assert!(matches!(
            fan_chart("t", &years, &[negative], "P10–P90", "persons"),
            Err(Error::ChartValue { .. })
        ));
        assert!(matches!(
            fan_chart("t", &[2021, 2020, 2022], &[fan("d")], "i", "persons"),
            Err(Error::ChartValue { index: 1, .. })
        ));
        assert!(matches!(
            fan_chart("t\u{7}", &years, &[fan("e")], "i", "persons"),
            Err(Error::ChartLabel { .. })
        ));
    }

    #[test]
    fn no_data_is_a_chart_too() {
        let svg = fan_panels("empty", &[], &[], "P10–P90", "persons").unwrap();
        assert!(texts(&svg).iter().any(|t| t == "no data"));
    }
}
