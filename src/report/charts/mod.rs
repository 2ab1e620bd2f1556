//! SVG charts of a projection and a plan: the population pyramid at the base year and the
//! horizon, persons by age band over time, additions by street, cost against a swept
//! target, Monte Carlo fans of the bands ([`fan_chart`], [`fan_panels`]) and tornadoes of a
//! sensitivity run ([`tornado_chart`]).
//!
//! Each function takes plain data (slices and labels, no scenario types) and returns the text
//! of an SVG file; the caller writes it where it wants.
//!
//! # Text
//!
//! The charts are drawn with the SVG backend of `plotters` alone. Text is written as `<text>`
//! elements whose `font-family` is [`FONT_FAMILY`], a list that starts with common CJK fonts
//! and ends with `sans-serif`, so that a browser shows Chinese and English labels (渝中区,
//! Jiefangbei) in whatever font the reader has. No font is loaded while drawing and none is
//! needed to build or run: plotters, built without a font feature, lays out text from a rough
//! estimate without metrics, and the charts size their label areas from their own estimate,
//! which counts a CJK character as one em and any other character as 0.6 em.
//!
//! # Input rules
//!
//! - Every value must be finite and at most [`MAX_CHART_VALUE`] in magnitude, and population
//!   counts must be non-negative; otherwise [`Error::ChartValue`].
//! - Every series must have one value for each point of its axis (age, year, street);
//!   otherwise [`Error::ChartLength`].
//! - Titles and labels must not hold control characters; otherwise [`Error::ChartLabel`].
//! - Empty data (no ages, years, series, streets, services or points) is not an error: the
//!   chart is drawn with its title and axes and a "no data" note in the plot.
//! - Data that are all zero are drawn on an axis from 0 to 1.
//!
//! No input makes a chart function panic.
//!
//! # Examples
//!
//! ```
//! use popalloc::report::charts::bands_over_time;
//!
//! let svg = bands_over_time(
//!     "渝中区 Yuzhong: persons by age band",
//!     &[2020, 2025, 2030],
//!     &[("0–14", vec![68_000.0, 61_000.0, 55_000.0]), ("65+", vec![98_000.0, 112_000.0, 125_000.0])],
//!     "persons",
//! )?;
//! assert!(svg.starts_with("<svg"));
//! assert!(svg.contains("渝中区"));
//! # Ok::<(), popalloc::Error>(())
//! ```

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::element::{DashedPathElement, Text};
use plotters::prelude::{
    BLACK, ChartBuilder, ChartContext, Circle, Color, Cross, DrawingArea, DrawingAreaErrorKind,
    EmptyElement, FontFamily, FontStyle, IntoDrawingArea, PathElement, Polygon, RGBColor,
    Rectangle, SVGBackend, TextStyle, TriangleMarker, WHITE,
};
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::{Error, Result};

mod boxes;
mod fan;
mod tornado;

pub use boxes::{ErrorBox, error_boxes_chart};
pub use fan::{FanSeries, fan_chart, fan_panels};
pub use tornado::{TornadoBar, tornado_chart};

/// The largest magnitude a charted value may have (10¹⁵), far above any count of persons,
/// places or yuan a district plan holds. A larger value is rejected as
/// [`Error::ChartValue`] rather than drawn on an axis whose labels no one can read.
pub const MAX_CHART_VALUE: f64 = 1e15;

/// One panel of a panelled chart: its title (or unit) and its series, each a label with one
/// value per point of the chart's axis (year or street).
pub type Panel<'a> = (&'a str, &'a [Series<'a>]);

/// A labelled series: one value per point of a chart's axis.
pub type Series<'a> = (&'a str, Vec<f64>);

/// The `font-family` of every text of a chart: common CJK fonts of Linux, macOS and Windows
/// first, so that Chinese labels show, then the browser's `sans-serif`.
///
/// # Examples
///
/// ```
/// use popalloc::report::charts::FONT_FAMILY;
///
/// assert!(FONT_FAMILY.contains("Noto Sans CJK SC"));
/// assert!(FONT_FAMILY.ends_with("sans-serif"));
/// ```
pub const FONT_FAMILY: &str = "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', \
     'Hiragino Sans GB', 'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif";

/// The text of a chart with no data to draw.
const NO_DATA: &str = "no data";

/// Chart size in pixels.
const WIDTH: u32 = 960;
/// Chart height in pixels (additions by street grows with the number of streets).
const HEIGHT: u32 = 640;
/// The tallest chart drawn, whatever the number of streets.
const MAX_HEIGHT: u32 = 6000;

/// Font sizes in plotters' units (the SVG `font-size` is this divided by 1.24).
const TITLE_SIZE: f64 = 28.0;
/// Tick labels and legend entries.
const LABEL_SIZE: f64 = 17.0;
/// Axis descriptions (what and in which unit).
const DESC_SIZE: f64 = 18.0;
/// Plotters writes `font-size` as its size divided by this.
const PLOTTERS_FONT_SCALE: f64 = 1.24;

/// Space around the plot, in pixels.
const MARGIN: u32 = 14;
/// Height of the area under the plot for tick labels and the x axis description.
const X_LABEL_AREA: u32 = 60;
/// Room beside the y tick labels for the rotated y axis description.
const Y_DESC_ROOM: u32 = 44;
/// Height of a title line.
const TITLE_HEIGHT: u32 = 48;
/// Vertical distance between legend entries and between category labels.
const ROW_HEIGHT: u32 = 26;
/// The number of ticks a numeric axis aims at.
const TARGET_TICKS: usize = 8;
/// The number of ticks plotters is told an axis may have; the axis chooses its own ticks (far
/// fewer) and plotters multiplies this by its light-line limit, so it must stay small.
const MAX_KEY_POINTS: usize = 1000;
/// Beyond this many decimals a tick label switches to scientific notation.
const MAX_DECIMALS: usize = 6;
/// Two axis limits closer than this, relative to their magnitude, are treated as one value.
const FLAT_RELATIVE: f64 = 1e-9;
/// Share of the data range left free at each end of a numeric axis.
const AXIS_PAD: f64 = 0.05;

/// Colours of series, after Tableau 10, which stay apart for most readers.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];
/// Males in a pyramid: the horizon's bars.
const MALE: RGBColor = RGBColor(31, 119, 180);
/// Males in a pyramid: the base's outline.
const MALE_DARK: RGBColor = RGBColor(8, 48, 107);
/// Females in a pyramid: the horizon's bars.
const FEMALE: RGBColor = RGBColor(214, 39, 40);
/// Females in a pyramid: the base's outline.
const FEMALE_DARK: RGBColor = RGBColor(103, 0, 13);
/// Conflict marks on the cost chart.
const CONFLICT: RGBColor = RGBColor(200, 0, 0);
/// The zero line and notes.
const GREY: RGBColor = RGBColor(90, 90, 90);

/// What plotters' drawing calls return on the SVG backend.
type Drawn<T = ()> = std::result::Result<T, DrawingAreaErrorKind<std::io::Error>>;
/// A drawing area in pixels.
type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
/// A plot with two numeric axes.
type Plot<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, plotters::coord::cartesian::Cartesian2d<Axis, Axis>>;

const PYRAMID: &str = "population_pyramid";
const BANDS: &str = "bands_over_time";
const ADDITIONS: &str = "additions_by_street";
const COST: &str = "cost_against_target";

/// A population pyramid of the base year against the horizon: males to the left, females to
/// the right, one bar per age; the horizon as solid bars, the base as an outline drawn over
/// them.
///
/// `ages` labels the ages or age groups from the youngest up (e.g. `"0"`, `"1"`, … `"100+"`,
/// or `"0–4"`, `"5–9"`, …); when there are more than fit, every 2nd, 5th or 10th is shown.
/// `base` and `horizon` are `(females, males)`, persons per age in the order of `ages`.
/// The x axis is in persons, the legend names the base and horizon by their labels (e.g. the
/// years).
///
/// # Errors
///
/// - [`Error::ChartLength`] if a series does not have one value per age.
/// - [`Error::ChartValue`] if a count is negative, NaN, infinite or above
///   [`MAX_CHART_VALUE`].
/// - [`Error::ChartLabel`] if the title or a label holds a control character.
///
/// With no ages, the chart is drawn with a "no data" note.
///
/// # Examples
///
/// ```
/// use popalloc::report::charts::population_pyramid;
///
/// let ages = ["0–19", "20–39", "40–59", "60–79", "80+"];
/// let svg = population_pyramid(
///     "渝中区 Yuzhong",
///     &ages,
///     (&[52.0, 110.0, 98.0, 61.0, 14.0], &[55.0, 112.0, 95.0, 55.0, 9.0]),
///     (&[41.0, 95.0, 104.0, 83.0, 27.0], &[43.0, 97.0, 101.0, 76.0, 19.0]),
///     "2020",
///     "2040",
/// )?;
/// assert!(svg.contains("persons"));
/// assert!(svg.contains("2040"));
///
/// // A count of minus one person is rejected, not drawn.
/// let err = population_pyramid("t", &["0"], (&[-1.0], &[0.0]), (&[0.0], &[0.0]), "a", "b");
/// assert!(matches!(err, Err(popalloc::Error::ChartValue { index: 0, .. })));
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn population_pyramid(
    title: &str,
    ages: &[&str],
    base: (&[f64], &[f64]),
    horizon: (&[f64], &[f64]),
    base_label: &str,
    horizon_label: &str,
) -> Result<String> {
    check_labels(PYRAMID, [title, base_label, horizon_label])?;
    check_labels(PYRAMID, ages.iter().copied())?;
    let series = [
        ("base females", base.0),
        ("base males", base.1),
        ("horizon females", horizon.0),
        ("horizon males", horizon.1),
    ];
    for (name, values) in series {
        check_length(PYRAMID, name, "ages", ages.len(), values.len())?;
        check_values(PYRAMID, name, values, Sign::NonNegative)?;
    }
    if ages.is_empty() {
        return empty_chart(PYRAMID, title, "persons", "age");
    }

    let largest = series
        .iter()
        .flat_map(|(_, values)| values.iter().copied())
        .fold(0.0, f64::max);
    let reach = if largest > 0.0 {
        largest * (1.0 + AXIS_PAD)
    } else {
        1.0
    };
    let x = Axis::numbers(-reach, reach, Labels::Magnitude);
    let plot_height = HEIGHT.saturating_sub(TITLE_HEIGHT + X_LABEL_AREA + 2 * MARGIN);
    let y = Axis::categories(
        ages.iter().map(|age| (*age).to_owned()).collect(),
        max_rows(plot_height),
    );
    let legend = [
        LegendEntry::new(format!("{horizon_label}: males"), Swatch::Bar(MALE)),
        LegendEntry::new(format!("{horizon_label}: females"), Swatch::Bar(FEMALE)),
        LegendEntry::new(format!("{base_label}: males"), Swatch::Outline(MALE_DARK)),
        LegendEntry::new(
            format!("{base_label}: females"),
            Swatch::Outline(FEMALE_DARK),
        ),
    ];
    let n = ages.len();
    // Bars of more than 40 ages are a few pixels high: no gap between them.
    let gap = if n > 40 { 0.0 } else { 0.1 };

    render(PYRAMID, (WIDTH, HEIGHT), |root| {
        let (plot_area, legend_area) = frame(root, title, &legend)?;
        let mut chart = plot(&plot_area, x, y, "persons", "age", Mesh::X)?;
        let (females, males) = horizon;
        chart.draw_series(males.iter().enumerate().map(|(age, &count)| {
            let row = row_position(age);
            Rectangle::new(
                [(-count, row + gap), (0.0, row + 1.0 - gap)],
                MALE.mix(0.8).filled(),
            )
        }))?;
        chart.draw_series(females.iter().enumerate().map(|(age, &count)| {
            let row = row_position(age);
            Rectangle::new(
                [(0.0, row + gap), (count, row + 1.0 - gap)],
                FEMALE.mix(0.8).filled(),
            )
        }))?;
        let (base_females, base_males) = base;
        chart.draw_series([
            PathElement::new(outline(base_males, -1.0), MALE_DARK.stroke_width(2)),
            PathElement::new(outline(base_females, 1.0), FEMALE_DARK.stroke_width(2)),
        ])?;
        let top = row_position(n);
        // A few pixels in from the corners, clear of the tick labels.
        chart.draw_series([
            EmptyElement::at((-reach, top))
                + Text::new(
                    "Males",
                    (8, 2),
                    font(DESC_SIZE).pos(Pos::new(HPos::Left, VPos::Top)),
                ),
            EmptyElement::at((reach, top))
                + Text::new(
                    "Females",
                    (-8, 2),
                    font(DESC_SIZE).pos(Pos::new(HPos::Right, VPos::Top)),
                ),
        ])?;
        draw_legend(&legend_area, &legend)
    })
}

/// Persons in each age band over the projection years: one line with markers per band, a
/// legend of the bands, years on the x axis and `unit` on the y axis (which starts at 0).
///
/// `series` holds, for each band, its label and one value per year of `years`. Values may be
/// negative (a change in persons, say). Years must increase strictly.
///
/// # Errors
///
/// - [`Error::ChartLength`] if a band does not have one value per year.
/// - [`Error::ChartValue`] if a value is NaN, infinite or above [`MAX_CHART_VALUE`] in
///   magnitude, or a year is not after the one before it (series `"years"`).
/// - [`Error::ChartLabel`] if the title, the unit or a label holds a control character.
///
/// With no years or no bands, the chart is drawn with a "no data" note.
///
/// # Examples
///
/// ```
/// use popalloc::report::charts::bands_over_time;
///
/// let svg = bands_over_time(
///     "解放碑 Jiefangbei",
///     &[2020, 2030, 2040],
///     &[("65–79", vec![9_800.0, 11_200.0, 12_100.0]), ("80+", vec![2_100.0, 2_900.0, 4_000.0])],
///     "persons",
/// )?;
/// assert!(svg.contains("80+"));
///
/// let err = bands_over_time("t", &[2020, 2030], &[("80+", vec![1.0])], "persons");
/// assert!(matches!(err, Err(popalloc::Error::ChartLength { expected: 2, found: 1, .. })));
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn bands_over_time(
    title: &str,
    years: &[i32],
    series: &[(&str, Vec<f64>)],
    unit: &str,
) -> Result<String> {
    check_labels(BANDS, [title, unit])?;
    check_labels(BANDS, series.iter().map(|(label, _)| *label))?;
    for (index, pair) in years.windows(2).enumerate() {
        if pair[1] <= pair[0] {
            return Err(Error::ChartValue {
                chart: BANDS,
                series: "years".to_owned(),
                index: index + 1,
                value: f64::from(pair[1]),
                range: "a year after the one before it",
            });
        }
    }
    for (label, values) in series {
        check_length(BANDS, label, "years", years.len(), values.len())?;
        check_values(BANDS, label, values, Sign::Any)?;
    }
    if years.is_empty() || series.is_empty() {
        return empty_chart(BANDS, title, "year", unit);
    }
    render(BANDS, (WIDTH, HEIGHT), |root| {
        draw_bands(root, title, TITLE_SIZE, years, series, unit, 0)
    })
}

/// Persons in age bands over time in stacked panels that share the years, each with its
/// own title, legend and y axis (which starts at 0): bands of very different sizes (the
/// 60+ against the school ages) each fill their panel instead of squashing the smaller.
///
/// `panels` holds, for each panel, its title and its bands (label and one value per year).
/// The colours run on across the panels, so a band keeps one colour throughout.
///
/// # Errors
///
/// As [`bands_over_time`], for every panel.
///
/// # Examples
///
/// ```
/// use popalloc::report::charts::bands_panels;
///
/// let older = [("60+", vec![116_320.0, 138_227.0])];
/// let children = [("0–2", vec![11_834.0, 7_464.0]), ("6–11", vec![26_099.0, 26_116.0])];
/// let svg = bands_panels(
///     "渝中区 Yuzhong: age bands",
///     &[2020, 2025],
///     &[("aged 60+", &older[..]), ("children", &children[..])],
///     "persons",
/// )?;
/// assert!(svg.contains("children") && svg.contains("6–11"));
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn bands_panels(
    title: &str,
    years: &[i32],
    panels: &[Panel<'_>],
    unit: &str,
) -> Result<String> {
    check_labels(BANDS, panels.iter().map(|(label, _)| *label))?;
    let all: Vec<(&str, Vec<f64>)> = panels
        .iter()
        .flat_map(|(_, series)| series.iter().map(|(l, v)| (*l, v.clone())))
        .collect();
    // The checks and the empty chart of the single-panel chart apply to every band.
    let single = bands_over_time(title, years, &all, unit)?;
    let panels: Vec<&Panel<'_>> = panels
        .iter()
        .filter(|(_, series)| !series.is_empty())
        .collect();
    if panels.len() < 2 {
        return Ok(single);
    }
    const PANEL: u32 = 360;
    let height = u32::try_from(panels.len())
        .unwrap_or(u32::MAX)
        .saturating_mul(PANEL)
        .saturating_add(TITLE_HEIGHT)
        .clamp(HEIGHT, MAX_HEIGHT);
    render(BANDS, (WIDTH, height), |root| {
        let body = root.titled(
            title,
            (FontFamily::Name(FONT_FAMILY), TITLE_SIZE, FontStyle::Bold),
        )?;
        let areas = body.split_evenly((panels.len(), 1));
        let mut first_colour = 0;
        for ((panel_title, series), area) in panels.iter().zip(&areas) {
            draw_bands(
                area,
                panel_title,
                DESC_SIZE,
                years,
                series,
                unit,
                first_colour,
            )?;
            first_colour += series.len();
        }
        Ok(())
    })
}

/// Draws one panel of bands over time on `area`: its title, the lines with markers and a
/// legend; the bands' colours start at `first_colour`. The data were checked.
fn draw_bands(
    area: &Area<'_>,
    title: &str,
    title_size: f64,
    years: &[i32],
    series: &[(&str, Vec<f64>)],
    unit: &str,
    first_colour: usize,
) -> Drawn {
    let (Some(&first), Some(&last)) = (years.first(), years.last()) else {
        return Ok(());
    };
    let (first, last) = (f64::from(first), f64::from(last));
    let pad = ((last - first) * 0.03).max(0.5);
    let x = Axis::years(first - pad, last + pad);
    let (lo, hi) = value_extent(series.iter().flat_map(|(_, values)| values.iter().copied()));
    let (lo, hi) = axis_range(lo, hi, true);
    let y = Axis::numbers(lo, hi, Labels::Number);
    let legend: Vec<LegendEntry> = series
        .iter()
        .enumerate()
        .map(|(i, (label, _))| {
            let c = first_colour + i;
            LegendEntry::new((*label).to_owned(), Swatch::Line(colour(c), marker(c)))
        })
        .collect();
    let body = area.titled(
        title,
        (FontFamily::Name(FONT_FAMILY), title_size, FontStyle::Bold),
    )?;
    let (width, _) = body.dim_in_pixel();
    let (plot_area, legend_area) = body.split_horizontally(width - legend_width(&legend, width));
    let mut chart = plot(&plot_area, x, y, "year", unit, Mesh::Both)?;
    for (i, (_, values)) in series.iter().enumerate() {
        let c = first_colour + i;
        let points: Vec<(f64, f64)> = years
            .iter()
            .zip(values)
            .map(|(&year, &value)| (f64::from(year), value))
            .collect();
        chart.draw_series(std::iter::once(PathElement::new(
            points.clone(),
            colour(c).stroke_width(2),
        )))?;
        draw_markers(&mut chart, &points, marker(c), colour(c))?;
    }
    draw_legend(&legend_area, &legend)
}

/// What each service adds in each street: grouped horizontal bars, one group per street (in
/// the order given, from the top) and one bar per service, with `unit` on the x axis.
///
/// `services` holds, for each service, its label and one value per street of `streets`.
/// Street names may mix Chinese and English (`"解放碑 Jiefangbei"`). Values may be negative
/// (places removed by a conversion); the axis always shows 0.
///
/// # Errors
///
/// - [`Error::ChartLength`] if a service does not have one value per street.
/// - [`Error::ChartValue`] if a value is NaN, infinite or above [`MAX_CHART_VALUE`] in
///   magnitude.
/// - [`Error::ChartLabel`] if the title, the unit or a label holds a control character.
///
/// With no streets or no services, the chart is drawn with a "no data" note.
///
/// # Examples
///
/// ```
/// use popalloc::report::charts::additions_by_street;
///
/// let svg = additions_by_street(
///     "Places added by 2035",
///     &["解放碑 Jiefangbei", "朝天门 Chaotianmen", "大坪 Daping"],
///     &[("nursing beds", vec![120.0, 40.0, 0.0]), ("childcare places", vec![0.0, 25.0, 60.0])],
///     "places",
/// )?;
/// assert!(svg.contains("朝天门 Chaotianmen"));
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn additions_by_street(
    title: &str,
    streets: &[&str],
    services: &[(&str, Vec<f64>)],
    unit: &str,
) -> Result<String> {
    check_labels(ADDITIONS, [title, unit])?;
    check_labels(ADDITIONS, streets.iter().copied())?;
    check_labels(ADDITIONS, services.iter().map(|(label, _)| *label))?;
    for (label, values) in services {
        check_length(ADDITIONS, label, "streets", streets.len(), values.len())?;
        check_values(ADDITIONS, label, values, Sign::Any)?;
    }
    if streets.is_empty() || services.is_empty() {
        return empty_chart(ADDITIONS, title, unit, "street");
    }

    let height = additions_height(streets.len(), services.len()).clamp(HEIGHT, MAX_HEIGHT);
    render(ADDITIONS, (WIDTH, height), |root| {
        draw_additions(root, title, TITLE_SIZE, streets, services, unit, 0)
    })
}

/// What each service adds in each street, one panel per unit (beds, places, seats), each
/// with its own x axis: grouped horizontal bars as in [`additions_by_street`].
///
/// `panels` holds, for each unit, its name and its services (label and one value per
/// street). The colours run on across the panels.
///
/// # Errors
///
/// As [`additions_by_street`], for every panel.
///
/// # Examples
///
/// ```
/// use popalloc::report::charts::additions_panels;
///
/// let beds = [("Elder-care beds", vec![300.0, 120.0])];
/// let places = [("Childcare places", vec![80.0, 40.0]), ("Kindergarten places", vec![0.0, 60.0])];
/// let svg = additions_panels(
///     "Additions 2021–2025",
///     &["解放碑 Jiefangbei", "大坪 Daping"],
///     &[("beds", &beds[..]), ("places", &places[..])],
/// )?;
/// assert!(svg.contains("Kindergarten places") && svg.contains("beds"));
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn additions_panels(title: &str, streets: &[&str], panels: &[Panel<'_>]) -> Result<String> {
    check_labels(ADDITIONS, panels.iter().map(|(unit, _)| *unit))?;
    for (unit, services) in panels {
        // The checks (and the empty chart) of one panel.
        additions_by_street(title, streets, services, unit)?;
    }
    let panels: Vec<&Panel<'_>> = panels
        .iter()
        .filter(|(_, services)| !services.is_empty())
        .collect();
    if streets.is_empty() || panels.is_empty() {
        return empty_chart(ADDITIONS, title, "units", "street");
    }
    let heights: Vec<u32> = panels
        .iter()
        .map(|(_, services)| additions_height(streets.len(), services.len()))
        .collect();
    let height = heights
        .iter()
        .fold(TITLE_HEIGHT, |sum, h| sum.saturating_add(*h))
        .clamp(HEIGHT, MAX_HEIGHT);
    render(ADDITIONS, (WIDTH, height), |root| {
        let mut rest = root.titled(
            title,
            (FontFamily::Name(FONT_FAMILY), TITLE_SIZE, FontStyle::Bold),
        )?;
        let mut first_colour = 0;
        for (i, ((unit, services), &h)) in panels.iter().zip(&heights).enumerate() {
            let (_, room) = rest.dim_in_pixel();
            // Each panel takes its share of the room left to it and the panels after it;
            // the last takes what is left.
            let still: u64 = heights[i..].iter().map(|&h| u64::from(h)).sum();
            let share = if i + 1 == panels.len() {
                room
            } else {
                let exact = u64::from(room) * u64::from(h) / still.max(1);
                u32::try_from(exact).unwrap_or(room)
            };
            let (panel, below) = rest.split_vertically(share);
            let panel_title = format!("Units: {unit}");
            draw_additions(
                &panel,
                &panel_title,
                DESC_SIZE,
                streets,
                services,
                unit,
                first_colour,
            )?;
            first_colour += services.len();
            rest = below;
        }
        Ok(())
    })
}

/// The height of one additions panel: room for every street's bars (at least one label
/// row each) plus the axis and margins.
fn additions_height(streets: usize, services: usize) -> u32 {
    let per_street = u32::try_from(services.saturating_mul(12))
        .unwrap_or(u32::MAX)
        .max(ROW_HEIGHT);
    u32::try_from(streets)
        .unwrap_or(u32::MAX)
        .saturating_mul(per_street)
        .saturating_add(TITLE_HEIGHT + X_LABEL_AREA + 2 * MARGIN)
}

/// Draws one panel of additions by street on `area`: its title, the grouped bars and a
/// legend; the services' colours start at `first_colour`. The data were checked.
fn draw_additions(
    area: &Area<'_>,
    title: &str,
    title_size: f64,
    streets: &[&str],
    services: &[(&str, Vec<f64>)],
    unit: &str,
    first_colour: usize,
) -> Drawn {
    let n = streets.len();
    let k = services.len();
    let (lo, hi) = value_extent(
        services
            .iter()
            .flat_map(|(_, values)| values.iter().copied()),
    );
    let (lo, hi) = axis_range(lo, hi, true);
    let x = Axis::numbers(lo, hi, Labels::Number);
    // Streets from the top: the first street is the highest row.
    let rows: Vec<String> = streets.iter().rev().map(|s| (*s).to_owned()).collect();
    let legend: Vec<LegendEntry> = services
        .iter()
        .enumerate()
        .map(|(i, (label, _))| {
            LegendEntry::new((*label).to_owned(), Swatch::Bar(colour(first_colour + i)))
        })
        .collect();
    // usize to f64 is exact below 2^53 services.
    let band = 0.8 / k.max(1) as f64;
    let body = area.titled(
        title,
        (FontFamily::Name(FONT_FAMILY), title_size, FontStyle::Bold),
    )?;
    let (width, body_height) = body.dim_in_pixel();
    let plot_height = body_height.saturating_sub(X_LABEL_AREA + 2 * MARGIN);
    let y = Axis::categories(rows, max_rows(plot_height));
    let (plot_area, legend_area) = body.split_horizontally(width - legend_width(&legend, width));
    let mut chart = plot(&plot_area, x, y, unit, "street", Mesh::X)?;
    for (s, (_, values)) in services.iter().enumerate() {
        let c = colour(first_colour + s);
        chart.draw_series(values.iter().enumerate().map(|(street, &value)| {
            let row = row_position(n - 1 - street);
            let top = row + 0.9 - row_position(s) * band;
            Rectangle::new(
                [(value.min(0.0), top - band), (value.max(0.0), top)],
                c.filled(),
            )
        }))?;
    }
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, 0.0), (0.0, row_position(n))],
        GREY.stroke_width(1),
    )))?;
    draw_legend(&legend_area, &legend)
}

/// The least cost of a plan against the value of one target swept over a range: a line with
/// markers through the values that have a plan, broken where the targets conflict (`None`),
/// each conflict marked by a red cross on the x axis and a faint red line.
///
/// `target` names the swept target and its unit (the x axis); `unit` is the unit of cost (the
/// y axis, which is fitted to the costs and need not start at 0). Points may come in any
/// order: they are drawn by increasing target value.
///
/// # Errors
///
/// - [`Error::ChartValue`] if a target value or a cost is NaN, infinite or above
///   [`MAX_CHART_VALUE`] in magnitude (series `"target"` or `"cost"`).
/// - [`Error::ChartLabel`] if the title, the target or the unit holds a control character.
///
/// With no points, the chart is drawn with a "no data" note; with no plan at any point, only
/// the conflicts are marked.
///
/// # Examples
///
/// ```
/// use popalloc::report::charts::cost_against_target;
///
/// let svg = cost_against_target(
///     "Cost of the nursing-bed target",
///     "nursing beds per 1000 residents aged 80+",
///     &[(20.0, Some(1.2e7)), (30.0, Some(1.9e7)), (40.0, None), (50.0, None)],
///     "yuan",
/// )?;
/// assert!(svg.contains("yuan"));
/// assert!(svg.contains("targets conflict"));
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn cost_against_target(
    title: &str,
    target: &str,
    points: &[(f64, Option<f64>)],
    unit: &str,
) -> Result<String> {
    check_labels(COST, [title, target, unit])?;
    for (index, &(value, cost)) in points.iter().enumerate() {
        check_value(COST, "target", index, value, Sign::Any)?;
        if let Some(cost) = cost {
            check_value(COST, "cost", index, cost, Sign::Any)?;
        }
    }
    if points.is_empty() {
        return empty_chart(COST, title, target, unit);
    }

    let mut sorted = points.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (lo, hi) = value_extent(sorted.iter().map(|(value, _)| *value));
    let (lo, hi) = axis_range(lo, hi, false);
    let x = Axis::numbers(lo, hi, Labels::Number);
    let (lo, hi) = value_extent(sorted.iter().filter_map(|(_, cost)| *cost));
    let (lo, hi) = axis_range(lo, hi, false);
    let y = Axis::numbers(lo, hi, Labels::Number);
    let (y_lo, y_hi) = (lo, hi);
    // Runs of points that have a plan, drawn as separate lines.
    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    let mut conflicts = Vec::new();
    for &(value, cost) in &sorted {
        match cost {
            Some(cost) => {
                if let Some(run) = runs.last_mut() {
                    run.push((value, cost));
                }
            }
            None => {
                conflicts.push(value);
                runs.push(Vec::new());
            }
        }
    }
    runs.retain(|run| !run.is_empty());
    let mut legend = Vec::new();
    if !runs.is_empty() {
        legend.push(LegendEntry::new(
            "least cost".to_owned(),
            Swatch::Line(colour(0), Marker::Circle),
        ));
    }
    if !conflicts.is_empty() {
        legend.push(LegendEntry::new(
            "no plan: targets conflict".to_owned(),
            Swatch::Conflict,
        ));
    }

    render(COST, (WIDTH, HEIGHT), |root| {
        let (plot_area, legend_area) = frame(root, title, &legend)?;
        let mut chart = plot(&plot_area, x, y, target, unit, Mesh::Both)?;
        chart.draw_series(conflicts.iter().map(|&value| {
            PathElement::new(vec![(value, y_lo), (value, y_hi)], CONFLICT.mix(0.3))
        }))?;
        chart.draw_series(
            conflicts
                .iter()
                .map(|&value| Cross::new((value, y_lo), 6, CONFLICT.stroke_width(2))),
        )?;
        for run in &runs {
            chart.draw_series(std::iter::once(PathElement::new(
                run.clone(),
                colour(0).stroke_width(2),
            )))?;
            draw_markers(&mut chart, run, Marker::Circle, colour(0))?;
        }
        draw_legend(&legend_area, &legend)
    })
}

/// A chart with its title, empty axes and a "no data" note.
fn empty_chart(chart: &'static str, title: &str, x_desc: &str, y_desc: &str) -> Result<String> {
    render(chart, (WIDTH, HEIGHT), |root| {
        let (plot_area, _) = frame(root, title, &[])?;
        let x = Axis::numbers(0.0, 1.0, Labels::Number);
        let y = Axis::numbers(0.0, 1.0, Labels::Number);
        let mut plot = plot(&plot_area, x, y, x_desc, y_desc, Mesh::Both)?;
        plot.draw_series(std::iter::once(Text::new(
            NO_DATA,
            (0.5, 0.5),
            font(DESC_SIZE)
                .color(&GREY)
                .pos(Pos::new(HPos::Center, VPos::Center)),
        )))?;
        Ok(())
    })
}

/// Draws on an SVG string and returns it; a drawing error becomes [`Error::Chart`].
fn render(
    chart: &'static str,
    size: (u32, u32),
    draw: impl FnOnce(&Area<'_>) -> Drawn,
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)
            .and_then(|()| draw(&root))
            .and_then(|()| root.present())
            .map_err(|e| Error::Chart {
                chart,
                detail: e.to_string(),
            })?;
    }
    Ok(svg)
}

/// Draws the title and splits what is left into the plot and, when there are entries, a
/// legend column on the right.
fn frame<'a>(root: &Area<'a>, title: &str, legend: &[LegendEntry]) -> Drawn<(Area<'a>, Area<'a>)> {
    let body = root.titled(
        title,
        (FontFamily::Name(FONT_FAMILY), TITLE_SIZE, FontStyle::Bold),
    )?;
    let (width, _) = body.dim_in_pixel();
    let legend_width = legend_width(legend, width);
    Ok(body.split_horizontally(width - legend_width))
}

/// The width of a legend column for these entries in an area `width` pixels wide (at most
/// two fifths of it).
fn legend_width(legend: &[LegendEntry], width: u32) -> u32 {
    let widest = legend
        .iter()
        .map(|entry| text_width(&entry.label, LABEL_SIZE) + 56.0)
        .fold(0.0, f64::max);
    // Saturating float to int conversion: the width is clamped to two fifths anyway.
    (widest.round() as u32).min(width * 2 / 5)
}

/// Which grid lines a plot draws.
#[derive(Clone, Copy)]
enum Mesh {
    /// Vertical lines at the x ticks only (bars along rows of categories).
    X,
    /// Both.
    Both,
}

/// Builds a plot with its axes, tick labels and axis descriptions.
fn plot<'a, 'b>(
    area: &'a Area<'b>,
    x: Axis,
    y: Axis,
    x_desc: &str,
    y_desc: &str,
    mesh: Mesh,
) -> Drawn<Plot<'a, 'b>> {
    let (width, _) = area.dim_in_pixel();
    let widest = y
        .ticks
        .iter()
        .map(|&tick| text_width(&y.label(tick), LABEL_SIZE))
        .fold(0.0, f64::max);
    // Saturating float to int conversion; the area is clamped to two fifths of the width.
    let y_label_area = ((widest.round() as u32).saturating_add(Y_DESC_ROOM + 8)).min(width * 2 / 5);
    let (x_labels, y_labels) = (x.clone(), y.clone());
    let mut chart = ChartBuilder::on(area)
        .margin(MARGIN)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(y_label_area)
        .build_cartesian_2d(x, y)?;
    let x_format = |value: &f64| x_labels.label(*value);
    let y_format = |value: &f64| y_labels.label(*value);
    let mut config = chart.configure_mesh();
    config
        .x_labels(MAX_KEY_POINTS)
        .y_labels(MAX_KEY_POINTS)
        .x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style(font(LABEL_SIZE))
        .axis_desc_style(font(DESC_SIZE))
        .bold_line_style(RGBColor(220, 220, 220));
    if matches!(mesh, Mesh::X) {
        config.disable_y_mesh();
    }
    config.draw()?;
    Ok(chart)
}

/// A text style in [`FONT_FAMILY`].
fn font(size: f64) -> TextStyle<'static> {
    TextStyle::from((FontFamily::Name(FONT_FAMILY), size)).color(&BLACK)
}

/// Estimated width in pixels of `text` at a plotters font size: one em for a CJK or other wide
/// character, 0.6 em for any other.
fn text_width(text: &str, size: f64) -> f64 {
    let ems: f64 = text
        .chars()
        .map(|c| if is_wide(c) { 1.0 } else { 0.6 })
        .sum();
    ems * size / PLOTTERS_FONT_SCALE
}

/// Whether a character is drawn one em wide (CJK ideographs, kana, hangul, full-width forms).
pub(crate) fn is_wide(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{115F}'
        | '\u{2E80}'..='\u{A4CF}'
        | '\u{AC00}'..='\u{D7A3}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FF60}'
        | '\u{FFE0}'..='\u{FFE6}'
        | '\u{20000}'..='\u{3FFFD}')
}

/// The number of category labels that fit, one per row, in a plot this high.
fn max_rows(plot_height: u32) -> usize {
    // u32 to usize is lossless on every platform Rust supports with std.
    (plot_height / (ROW_HEIGHT - 6)).max(1) as usize
}

/// The position of row (or series) `index` on a category axis.
fn row_position(index: usize) -> f64 {
    // usize to f64 is exact below 2^53 rows.
    index as f64
}

/// The step path of a base's outline on one side (`side` is -1 for males, 1 for females).
fn outline(counts: &[f64], side: f64) -> Vec<(f64, f64)> {
    let mut points = Vec::with_capacity(2 * counts.len() + 2);
    points.push((0.0, 0.0));
    for (age, &count) in counts.iter().enumerate() {
        let row = row_position(age);
        points.push((side * count, row));
        points.push((side * count, row + 1.0));
    }
    points.push((0.0, row_position(counts.len())));
    points
}

/// A series colour.
fn colour(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

/// The shape that marks a series' points, so that series differ by more than colour.
#[derive(Clone, Copy, Debug)]
enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
}

/// A series marker.
fn marker(index: usize) -> Marker {
    [
        Marker::Circle,
        Marker::Square,
        Marker::Triangle,
        Marker::Diamond,
    ][index % 4]
}

/// Draws a marker at each point of a plot.
fn draw_markers(
    chart: &mut Plot<'_, '_>,
    points: &[(f64, f64)],
    marker: Marker,
    colour: RGBColor,
) -> Drawn {
    let style = colour.filled();
    let at = points.iter().copied();
    match marker {
        Marker::Circle => {
            chart.draw_series(at.map(|p| EmptyElement::at(p) + Circle::new((0, 0), 4, style)))?;
        }
        Marker::Square => {
            chart.draw_series(
                at.map(|p| EmptyElement::at(p) + Rectangle::new([(-4, -4), (4, 4)], style)),
            )?;
        }
        Marker::Triangle => {
            chart.draw_series(
                at.map(|p| EmptyElement::at(p) + TriangleMarker::new((0, 0), 6, style)),
            )?;
        }
        Marker::Diamond => {
            chart.draw_series(at.map(|p| {
                EmptyElement::at(p) + Polygon::new(vec![(0, -5), (5, 0), (0, 5), (-5, 0)], style)
            }))?;
        }
    }
    Ok(())
}

/// Draws a dashed line through points of a plot.
fn draw_dashed(chart: &mut Plot<'_, '_>, points: &[(f64, f64)], colour: RGBColor) -> Drawn {
    chart.draw_series(std::iter::once(DashedPathElement::new(
        points.to_vec(),
        6,
        4,
        colour.stroke_width(2),
    )))?;
    Ok(())
}

/// How a legend entry shows its series.
#[derive(Clone, Copy, Debug)]
enum Swatch {
    /// A filled bar.
    Bar(RGBColor),
    /// An outlined bar.
    Outline(RGBColor),
    /// A line with a marker.
    Line(RGBColor, Marker),
    /// The conflict mark of the cost chart.
    Conflict,
    /// A translucent filled band (a fan's interval).
    Band(RGBColor),
    /// A dashed line (a deterministic path beside a fan).
    Dashed(RGBColor),
}

/// One entry of a legend.
struct LegendEntry {
    label: String,
    swatch: Swatch,
}

impl LegendEntry {
    fn new(label: String, swatch: Swatch) -> Self {
        LegendEntry { label, swatch }
    }
}

/// Draws a legend, one entry per row, in its column.
fn draw_legend(area: &Area<'_>, entries: &[LegendEntry]) -> Drawn {
    for (i, entry) in entries.iter().enumerate() {
        // Rows past i32::MAX pixels are off the chart anyway: saturate.
        let y = i32::try_from(i)
            .unwrap_or(i32::MAX)
            .saturating_mul(ROW_HEIGHT as i32)
            .saturating_add(3 * MARGIN as i32);
        let (left, right) = (8, 34);
        match entry.swatch {
            Swatch::Bar(colour) => area.draw(&Rectangle::new(
                [(left, y - 7), (right, y + 7)],
                colour.mix(0.8).filled(),
            ))?,
            Swatch::Outline(colour) => area.draw(&Rectangle::new(
                [(left, y - 7), (right, y + 7)],
                colour.stroke_width(2),
            ))?,
            Swatch::Line(colour, marker) => {
                area.draw(&PathElement::new(
                    vec![(left, y), (right, y)],
                    colour.stroke_width(2),
                ))?;
                let centre = ((left + right) / 2, y);
                let style = colour.filled();
                match marker {
                    Marker::Circle => area.draw(&Circle::new(centre, 4, style))?,
                    Marker::Square => area.draw(
                        &(EmptyElement::at(centre) + Rectangle::new([(-4, -4), (4, 4)], style)),
                    )?,
                    Marker::Triangle => area.draw(&TriangleMarker::new(centre, 6, style))?,
                    Marker::Diamond => area.draw(
                        &(EmptyElement::at(centre)
                            + Polygon::new(vec![(0, -5), (5, 0), (0, 5), (-5, 0)], style)),
                    )?,
                }
            }
            Swatch::Conflict => area.draw(&Cross::new(
                ((left + right) / 2, y),
                6,
                CONFLICT.stroke_width(2),
            ))?,
            Swatch::Band(colour) => area.draw(&Rectangle::new(
                [(left, y - 7), (right, y + 7)],
                colour.mix(0.25).filled(),
            ))?,
            Swatch::Dashed(colour) => area.draw(&DashedPathElement::new(
                vec![(left, y), (right, y)],
                6,
                4,
                colour.stroke_width(2),
            ))?,
        }
        area.draw(&Text::new(
            entry.label.as_str(),
            (right + 8, y),
            font(LABEL_SIZE).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// How the tick labels of an axis read.
#[derive(Clone, Debug)]
enum Labels {
    /// Numbers, grouped by thousands.
    Number,
    /// Numbers without their sign (the male side of a pyramid counts persons too).
    Magnitude,
    /// Years, as integers without grouping.
    Year,
    /// One label per row of a category axis, from the bottom.
    Categories(Vec<String>),
}

/// An axis of a plot: its range and its ticks, chosen here (not by plotters) so that no input
/// can make the tick search loop or panic.
#[derive(Clone, Debug)]
struct Axis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
    decimals: usize,
    labels: Labels,
}

impl Axis {
    /// A numeric axis over `lo < hi` with round ticks.
    fn numbers(lo: f64, hi: f64, labels: Labels) -> Self {
        let (ticks, step) = nice_ticks(lo, hi, TARGET_TICKS, false);
        Axis {
            lo,
            hi,
            ticks,
            decimals: decimals_for(step),
            labels,
        }
    }

    /// A year axis over `lo < hi`, ticks on whole years.
    fn years(lo: f64, hi: f64) -> Self {
        let (ticks, _) = nice_ticks(lo, hi, TARGET_TICKS, true);
        Axis {
            lo,
            hi,
            ticks,
            decimals: 0,
            labels: Labels::Year,
        }
    }

    /// A category axis: row `i` spans `i..i + 1`, labelled at its middle; when there are more
    /// rows than `max_labels`, every 2nd, 5th, 10th, … row is labelled, starting at row 0.
    fn categories(labels: Vec<String>, max_labels: usize) -> Self {
        let every = label_every(labels.len(), max_labels);
        let ticks = (0..labels.len())
            .step_by(every)
            .map(|row| row_position(row) + 0.5)
            .collect();
        Axis {
            lo: 0.0,
            hi: row_position(labels.len().max(1)),
            ticks,
            decimals: 0,
            labels: Labels::Categories(labels),
        }
    }

    /// The tick label of a value.
    fn label(&self, value: f64) -> String {
        match &self.labels {
            Labels::Number => format_number(value, self.decimals),
            Labels::Magnitude => format_number(value.abs(), self.decimals),
            // Saturating float to int conversion; years are whole and small.
            Labels::Year => format!("{}", value.round() as i64),
            Labels::Categories(labels) => {
                // Saturating float to int conversion: negative or NaN gives row 0.
                labels
                    .get(value.floor() as usize)
                    .cloned()
                    .unwrap_or_default()
            }
        }
    }
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.hi - self.lo;
        let share = if span > 0.0 {
            (value - self.lo) / span
        } else {
            0.0
        };
        let pixels = f64::from(limit.0) + share * (f64::from(limit.1) - f64::from(limit.0));
        // Saturating float to int conversion: a point far off the plot stays far off it.
        pixels.round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Only bold grid lines, at the ticks; no light lines between them.
        if hint.weight().allow_light_points() || hint.max_num_points() == 0 {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// The step between labelled rows: 1, 2, 5, 10, 20, 50, … so that at most `max_labels` show.
fn label_every(rows: usize, max_labels: usize) -> usize {
    let needed = rows.div_ceil(max_labels.max(1)).max(1);
    let mut decade: usize = 1;
    while decade <= usize::MAX / 10 {
        for factor in [1, 2, 5] {
            if decade * factor >= needed {
                return decade * factor;
            }
        }
        decade *= 10;
    }
    needed
}

/// Round ticks in `lo..=hi`: multiples of 1, 2 or 5 × 10^k, about `target` of them, and the
/// step between them. A range too small or too large for that gives its two ends.
fn nice_ticks(lo: f64, hi: f64, target: usize, whole: bool) -> (Vec<f64>, f64) {
    let span = hi - lo;
    // usize to f64 is exact for a tick count.
    let raw = span / target.max(1) as f64;
    if !(raw.is_finite() && raw > f64::MIN_POSITIVE) {
        return (vec![lo, hi], span);
    }
    let decade = 10f64.powf(raw.log10().floor());
    let mut step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|factor| factor * decade)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * decade);
    if whole {
        step = step.max(1.0).round();
    }
    let first = (lo / step).ceil();
    let mut ticks = Vec::new();
    // Bounded: a step of at least span / target gives about target ticks; 4 × target allows
    // for rounding and stops any runaway.
    for k in 0..=4 * target {
        // usize to f64 is exact for a tick count.
        let tick = (first + k as f64) * step;
        if tick > hi + step * FLAT_RELATIVE {
            break;
        }
        // No "-0" label.
        ticks.push(if tick.abs() < step * FLAT_RELATIVE {
            0.0
        } else {
            tick
        });
    }
    if ticks.is_empty() {
        ticks = vec![lo, hi];
    }
    (ticks, step)
}

/// Decimals that tell ticks `step` apart.
fn decimals_for(step: f64) -> usize {
    if !(step.is_finite() && step > 0.0) || step >= 1.0 {
        0
    } else {
        // A step below 1 gives a positive count; saturating float to int conversion, and the
        // count is capped so that tiny steps switch to scientific notation.
        ((-step.log10() - FLAT_RELATIVE).ceil() as usize).min(MAX_DECIMALS + 1)
    }
}

/// A number with `decimals` decimals and its integer part grouped by thousands
/// (`-12,345.6`); scientific notation past [`MAX_DECIMALS`].
fn format_number(value: f64, decimals: usize) -> String {
    if decimals > MAX_DECIMALS {
        return format!("{value:.2e}");
    }
    let digits = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits.as_str(), ""));
    let mut text = String::new();
    if value < 0.0 && digits.chars().any(|c| matches!(c, '1'..='9')) {
        text.push('-');
    }
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            text.push(',');
        }
        text.push(digit);
    }
    if !fraction.is_empty() {
        text.push('.');
        text.push_str(fraction);
    }
    text
}

/// The least and greatest of some values, `(0, 0)` when there are none.
fn value_extent(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values
        .fold(None, |extent: Option<(f64, f64)>, value| match extent {
            None => Some((value, value)),
            Some((lo, hi)) => Some((lo.min(value), hi.max(value))),
        })
        .unwrap_or((0.0, 0.0))
}

/// The range of an axis over data `lo..=hi`, padded at the ends; with `include_zero`, 0 is
/// always in it and the end at 0 is not padded. A flat range (all values equal) is widened
/// by a tenth of its magnitude, or to 0..1 when the values are all 0.
fn axis_range(lo: f64, hi: f64, include_zero: bool) -> (f64, f64) {
    let (lo, hi) = if include_zero {
        (lo.min(0.0), hi.max(0.0))
    } else {
        (lo, hi)
    };
    let magnitude = lo.abs().max(hi.abs());
    let span = hi - lo;
    if span <= magnitude * FLAT_RELATIVE {
        if magnitude > 0.0 {
            let half = magnitude * 0.1;
            return (lo - half, hi + half);
        }
        return if include_zero {
            (0.0, 1.0)
        } else {
            (-1.0, 1.0)
        };
    }
    let pad = span * AXIS_PAD;
    if include_zero {
        (
            if lo < 0.0 { lo - pad } else { lo },
            if hi > 0.0 { hi + pad } else { hi },
        )
    } else {
        (lo - pad, hi + pad)
    }
}

/// Whether values may be negative.
#[derive(Clone, Copy)]
enum Sign {
    Any,
    NonNegative,
}

/// Checks that every value is finite, at most [`MAX_CHART_VALUE`] in magnitude, and
/// non-negative where asked.
fn check_values(chart: &'static str, series: &str, values: &[f64], sign: Sign) -> Result<()> {
    values
        .iter()
        .enumerate()
        .try_for_each(|(index, &value)| check_value(chart, series, index, value, sign))
}

/// Checks one value of a series, at `index`, as [`check_values`] does.
fn check_value(
    chart: &'static str,
    series: &str,
    index: usize,
    value: f64,
    sign: Sign,
) -> Result<()> {
    let (ok, range) = match sign {
        Sign::Any => (
            value.is_finite() && value.abs() <= MAX_CHART_VALUE,
            "a finite number within ±1e15",
        ),
        Sign::NonNegative => (
            value.is_finite() && (0.0..=MAX_CHART_VALUE).contains(&value),
            "a finite number in 0..=1e15",
        ),
    };
    if ok {
        Ok(())
    } else {
        Err(Error::ChartValue {
            chart,
            series: series.to_owned(),
            index,
            value,
            range,
        })
    }
}

/// Checks that a series has one value per point of its axis.
fn check_length(
    chart: &'static str,
    series: &str,
    axis: &'static str,
    expected: usize,
    found: usize,
) -> Result<()> {
    if expected == found {
        Ok(())
    } else {
        Err(Error::ChartLength {
            chart,
            series: series.to_owned(),
            axis,
            expected,
            found,
        })
    }
}

/// Checks that no label holds a control character (or one of the two non-characters XML
/// forbids).
fn check_labels<'a>(chart: &'static str, labels: impl IntoIterator<Item = &'a str>) -> Result<()> {
    for label in labels {
        if label
            .chars()
            .any(|c| c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}'))
        {
            return Err(Error::ChartLabel {
                chart,
                label: label.to_owned(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Parses an SVG as XML (failing the test if it is not well formed) and returns the text
    /// of every `<text>` element, trimmed; checks that each declares the CJK font list.
    fn svg_texts(svg: &str) -> Vec<String> {
        let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        doc.descendants()
            .filter(|node| node.has_tag_name("text"))
            .map(|node| {
                assert_eq!(node.attribute("font-family"), Some(FONT_FAMILY));
                node.text().unwrap_or_default().trim().to_owned()
            })
            .collect()
    }

    fn assert_has(texts: &[String], wanted: &str) {
        assert!(
            texts.iter().any(|text| text == wanted),
            "no text {wanted:?} in {texts:?}"
        );
    }

    #[test]
    fn additions_panels_give_every_unit_its_panel_with_every_street() {
        let streets = ["解放碑 Jiefangbei", "大坪 Daping", "朝天门 Chaotianmen"];
        let beds = [("Elder-care beds", vec![300.0, 0.0, 20.0])];
        let places = [
            ("Childcare places", vec![80.0, 40.0, 0.0]),
            ("Kindergarten places", vec![0.0, 60.0, 5.0]),
        ];
        let svg = additions_panels(
            "Additions",
            &streets,
            &[("beds", &beds[..]), ("places", &places[..])],
        )
        .unwrap();
        let texts = svg_texts(&svg);
        for street in streets {
            assert_eq!(texts.iter().filter(|t| *t == street).count(), 2, "{street}");
        }
        assert_has(&texts, "Units: beds");
        assert_has(&texts, "Units: places");
        // One bar per service and street (the plot frames and legend swatches aside).
        assert!(svg.matches("<rect").count() >= 9);
        // A bad value in any panel is refused.
        let bad = [("x", vec![f64::NAN, 0.0, 0.0])];
        assert!(additions_panels("t", &streets, &[("beds", &bad[..])]).is_err());
    }

    #[test]
    fn bands_panels_put_each_group_on_its_own_axis() {
        let older = [("60+", vec![116_320.0, 138_227.0])];
        let children = [("0–2", vec![11_834.0, 7_464.0])];
        let svg = bands_panels(
            "bands",
            &[2020, 2025],
            &[("older ages", &older[..]), ("children", &children[..])],
            "persons",
        )
        .unwrap();
        let texts = svg_texts(&svg);
        assert_has(&texts, "older ages");
        assert_has(&texts, "children");
        // Each panel has its own y axis: the children's reaches 10,000, the older 140,000.
        assert_has(&texts, "10,000");
        assert_has(&texts, "140,000");
        // With one non-empty panel the chart is the single-panel chart.
        let single = bands_panels(
            "bands",
            &[2020, 2025],
            &[("all", &older[..]), ("none", &[][..])],
            "persons",
        )
        .unwrap();
        assert_eq!(
            single,
            bands_over_time("bands", &[2020, 2025], &older, "persons").unwrap()
        );
    }

    #[test]
    fn font_family_lists_cjk_fonts_then_a_generic_family() {
        for font in ["Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC"] {
            assert!(FONT_FAMILY.contains(font));
        }
        assert!(FONT_FAMILY.ends_with("sans-serif"));
    }

    #[test]
    fn pyramid_has_title_ages_legend_and_units() {
        let ages = ["0–14", "15–64", "65+"];
        let svg = population_pyramid(
            "渝中区 population",
            &ages,
            (&[40.0, 200.0, 60.0], &[42.0, 198.0, 50.0]),
            (&[30.0, 180.0, 90.0], &[31.0, 176.0, 75.0]),
            "2020 基年",
            "2040",
        )
        .unwrap();
        let texts = svg_texts(&svg);
        assert_has(&texts, "渝中区 population");
        for age in ages {
            assert_has(&texts, age);
        }
        for label in [
            "2040: males",
            "2040: females",
            "2020 基年: males",
            "2020 基年: females",
        ] {
            assert_has(&texts, label);
        }
        assert_has(&texts, "persons");
        assert_has(&texts, "age");
        assert_has(&texts, "Males");
        assert_has(&texts, "Females");
        // The male side is labelled by magnitude: no negative persons.
        assert!(!texts.iter().any(|text| text.starts_with('-')));
    }

    #[test]
    fn pyramid_of_101_ages_labels_every_fifth_age() {
        let labels: Vec<String> = (0..=100).map(|age| age.to_string()).collect();
        let ages: Vec<&str> = labels.iter().map(String::as_str).collect();
        let counts = vec![100.0; 101];
        let svg = population_pyramid("t", &ages, (&counts, &counts), (&counts, &counts), "a", "b")
            .unwrap();
        let texts = svg_texts(&svg);
        assert_has(&texts, "95");
        assert_has(&texts, "100");
        assert!(!texts.iter().any(|text| text == "97"));
    }

    #[test]
    fn pyramid_rejects_bad_input_with_typed_errors() {
        let ok = [1.0, 2.0];
        let err =
            population_pyramid("t", &["0", "1"], (&ok, &[1.0]), (&ok, &ok), "a", "b").unwrap_err();
        assert!(matches!(
            err,
            Error::ChartLength { chart: PYRAMID, ref series, axis: "ages", expected: 2, found: 1 }
                if series == "base males"
        ));
        let err = population_pyramid(
            "t",
            &["0", "1"],
            (&ok, &ok),
            (&[1.0, f64::NAN], &ok),
            "a",
            "b",
        )
        .unwrap_err();
        assert!(matches!(
            err,
            Error::ChartValue { ref series, index: 1, value, .. }
                if series == "horizon females" && value.is_nan()
        ));
        let err = population_pyramid("t", &["0", "1"], (&ok, &ok), (&ok, &[-3.0, 1.0]), "a", "b")
            .unwrap_err();
        assert!(matches!(
            err,
            Error::ChartValue {
                index: 0,
                value: -3.0,
                ..
            }
        ));
        let err = population_pyramid(
            "t\u{7}",
            &["0"],
            (&[1.0], &[1.0]),
            (&[1.0], &[1.0]),
            "a",
            "b",
        )
        .unwrap_err();
        assert!(matches!(err, Error::ChartLabel { chart: PYRAMID, .. }));
    }

    #[test]
    fn pyramid_without_ages_or_people_is_still_a_chart() {
        let svg = population_pyramid("空 empty", &[], (&[], &[]), (&[], &[]), "a", "b").unwrap();
        let texts = svg_texts(&svg);
        assert_has(&texts, "空 empty");
        assert_has(&texts, NO_DATA);
        let zeros = [0.0; 3];
        let svg = population_pyramid(
            "zeros",
            &["0", "1", "2"],
            (&zeros, &zeros),
            (&zeros, &zeros),
            "a",
            "b",
        )
        .unwrap();
        assert_has(&svg_texts(&svg), "zeros");
    }

    #[test]
    fn bands_have_title_legend_years_and_unit() {
        let svg = bands_over_time(
            "Bands & <years>",
            &[2020, 2025, 2030],
            &[
                ("解放碑 65+", vec![9_800.0, 11_000.0, 12_500.0]),
                ("0–14", vec![7_000.0, 6_500.0, 6_000.0]),
            ],
            "persons",
        )
        .unwrap();
        let texts = svg_texts(&svg);
        assert_has(&texts, "Bands & <years>");
        assert_has(&texts, "解放碑 65+");
        assert_has(&texts, "0–14");
        assert_has(&texts, "persons");
        assert_has(&texts, "year");
        assert_has(&texts, "2020");
        assert_has(&texts, "2030");
        assert_has(&texts, "10,000");
    }

    #[test]
    fn bands_reject_bad_input_with_typed_errors() {
        let err =
            bands_over_time("t", &[2020, 2030], &[("a", vec![1.0, 2.0, 3.0])], "p").unwrap_err();
        assert!(matches!(
            err,
            Error::ChartLength {
                chart: BANDS,
                axis: "years",
                expected: 2,
                found: 3,
                ..
            }
        ));
        let err = bands_over_time("t", &[2020, 2030], &[("a", vec![1.0, f64::INFINITY])], "p")
            .unwrap_err();
        assert!(matches!(
            err,
            Error::ChartValue {
                chart: BANDS,
                index: 1,
                ..
            }
        ));
        let err = bands_over_time("t", &[2020, 2020], &[("a", vec![1.0, 2.0])], "p").unwrap_err();
        assert!(matches!(
            err,
            Error::ChartValue { ref series, index: 1, .. } if series == "years"
        ));
        let err = bands_over_time("t", &[2020], &[("a", vec![2.0e15])], "p").unwrap_err();
        assert!(matches!(err, Error::ChartValue { value: 2.0e15, .. }));
        let err = bands_over_time("t", &[2020], &[("a", vec![2.0])], "p\n").unwrap_err();
        assert!(matches!(err, Error::ChartLabel { chart: BANDS, .. }));
    }

    #[test]
    fn bands_without_data_or_with_one_year_are_still_charts() {
        for svg in [
            bands_over_time("no years", &[], &[("a", vec![])], "persons").unwrap(),
            bands_over_time("no bands", &[2020, 2021], &[], "persons").unwrap(),
        ] {
            let texts = svg_texts(&svg);
            assert_has(&texts, NO_DATA);
            assert_has(&texts, "persons");
        }
        let svg = bands_over_time("one year", &[2020], &[("a", vec![0.0])], "persons").unwrap();
        let texts = svg_texts(&svg);
        assert_has(&texts, "2020");
        assert_has(&texts, "a");
    }

    #[test]
    fn additions_have_streets_services_and_unit() {
        let streets = ["解放碑 Jiefangbei", "朝天门 Chaotianmen"];
        let svg = additions_by_street(
            "Places added",
            &streets,
            &[
                ("nursing beds 护理床位", vec![120.0, 40.0]),
                ("childcare places", vec![0.0, -25.0]),
            ],
            "places",
        )
        .unwrap();
        let texts = svg_texts(&svg);
        assert_has(&texts, "Places added");
        for label in streets.into_iter().chain([
            "nursing beds 护理床位",
            "childcare places",
            "places",
            "street",
        ]) {
            assert_has(&texts, label);
        }
        assert_has(&texts, "0");
    }

    #[test]
    fn additions_reject_bad_input_with_typed_errors() {
        let err =
            additions_by_street("t", &["a", "b"], &[("beds", vec![1.0])], "places").unwrap_err();
        assert!(matches!(
            err,
            Error::ChartLength { chart: ADDITIONS, ref series, axis: "streets", expected: 2, found: 1 }
                if series == "beds"
        ));
        let err =
            additions_by_street("t", &["a"], &[("beds", vec![f64::NAN])], "places").unwrap_err();
        assert!(matches!(
            err,
            Error::ChartValue {
                chart: ADDITIONS,
                index: 0,
                ..
            }
        ));
        let err =
            additions_by_street("t", &["a\u{0}"], &[("beds", vec![1.0])], "places").unwrap_err();
        assert!(matches!(
            err,
            Error::ChartLabel {
                chart: ADDITIONS,
                ..
            }
        ));
    }

    #[test]
    fn many_streets_make_a_taller_chart() {
        let names: Vec<String> = (0..60).map(|i| format!("街道 {i}")).collect();
        let streets: Vec<&str> = names.iter().map(String::as_str).collect();
        let svg = additions_by_street("t", &streets, &[("beds", vec![1.0; 60])], "places").unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let height: u32 = doc
            .root_element()
            .attribute("height")
            .unwrap()
            .parse()
            .unwrap();
        assert!(height > HEIGHT);
        assert!(height <= MAX_HEIGHT);
    }

    #[test]
    fn cost_marks_conflicts_and_breaks_the_line() {
        let svg = cost_against_target(
            "Cost 成本",
            "nursing beds per 1000 residents",
            &[
                (30.0, Some(2.0e7)),
                (20.0, Some(1.0e7)),
                (40.0, None),
                (50.0, Some(3.5e7)),
                (60.0, Some(4.0e7)),
            ],
            "yuan",
        )
        .unwrap();
        let texts = svg_texts(&svg);
        for label in [
            "Cost 成本",
            "nursing beds per 1000 residents",
            "yuan",
            "least cost",
            "no plan: targets conflict",
        ] {
            assert_has(&texts, label);
        }
        let doc = roxmltree::Document::parse(&svg).unwrap();
        // Two runs of the cost line (20–30 and 50–60) and the legend's line sample.
        let blue = format!(
            "#{:02X}{:02X}{:02X}",
            PALETTE[0].0, PALETTE[0].1, PALETTE[0].2
        );
        let lines = doc
            .descendants()
            .filter(|node| node.has_tag_name("polyline"))
            .filter(|node| {
                node.attribute("stroke")
                    .is_some_and(|s| s.eq_ignore_ascii_case(&blue))
            })
            .count();
        assert_eq!(lines, 3, "{svg}");
    }

    #[test]
    fn cost_with_no_plan_at_all_or_no_points_is_still_a_chart() {
        let svg = cost_against_target("t", "target", &[(1.0, None), (2.0, None)], "yuan").unwrap();
        let texts = svg_texts(&svg);
        assert_has(&texts, "no plan: targets conflict");
        assert!(!texts.iter().any(|text| text == "least cost"));
        let svg = cost_against_target("t", "target", &[], "yuan").unwrap();
        assert_has(&svg_texts(&svg), NO_DATA);
        let svg = cost_against_target("t", "target", &[(5.0, Some(7.0))], "yuan").unwrap();
        assert_has(&svg_texts(&svg), "least cost");
    }

    #[test]
    fn cost_rejects_bad_input_with_typed_errors() {
        let err = cost_against_target("t", "x", &[(1.0, Some(1.0)), (f64::NAN, None)], "yuan")
            .unwrap_err();
        assert!(matches!(
            err,
            Error::ChartValue { chart: COST, ref series, index: 1, .. } if series == "target"
        ));
        let err =
            cost_against_target("t", "x", &[(1.0, Some(f64::NEG_INFINITY))], "yuan").unwrap_err();
        assert!(matches!(
            err,
            Error::ChartValue { ref series, index: 0, .. } if series == "cost"
        ));
        let err = cost_against_target("t", "x\u{FFFF}", &[], "yuan").unwrap_err();
        assert!(matches!(err, Error::ChartLabel { chart: COST, .. }));
    }

    #[test]
    fn ticks_are_round_bounded_and_never_negative_zero() {
        let (ticks, step) = nice_ticks(-1.05, 1.05, TARGET_TICKS, false);
        assert!((step - 0.5).abs() < 1e-12);
        assert_eq!(ticks.len(), 5);
        assert!(ticks.iter().all(|t| !(t.is_sign_negative() && *t == 0.0)));
        let (ticks, _) = nice_ticks(2019.5, 2021.5, TARGET_TICKS, true);
        assert_eq!(ticks, vec![2020.0, 2021.0]);
        // Degenerate ranges give their ends, not a loop.
        assert_eq!(nice_ticks(0.0, 0.0, 8, false).0, vec![0.0, 0.0]);
        assert!(nice_ticks(1e15, 1e15 + 0.5, 8, false).0.len() <= 4 * 8 + 1);
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(format_number(12_345_678.0, 0), "12,345,678");
        assert_eq!(format_number(-1_234.5, 1), "-1,234.5");
        assert_eq!(format_number(-0.0001, 2), "0.00");
        assert_eq!(format_number(999.0, 0), "999");
        assert_eq!(format_number(2.5e-9, decimals_for(1e-9)), "2.50e-9");
        assert_eq!(decimals_for(0.1), 1);
        assert_eq!(decimals_for(0.05), 2);
        assert_eq!(decimals_for(20.0), 0);
    }

    #[test]
    fn axis_ranges_pad_away_from_zero_and_widen_flat_data() {
        assert_eq!(axis_range(0.0, 0.0, true), (0.0, 1.0));
        assert_eq!(axis_range(0.0, 0.0, false), (-1.0, 1.0));
        assert_eq!(axis_range(10.0, 10.0, false), (9.0, 11.0));
        assert_eq!(axis_range(5.0, 100.0, true), (0.0, 105.0));
        let (lo, hi) = axis_range(-10.0, 10.0, true);
        assert!(lo < -10.0 && hi > 10.0);
    }

    #[test]
    fn wide_characters_count_one_em() {
        let em = 10.0 / PLOTTERS_FONT_SCALE;
        assert!((text_width("渝中区", 10.0) - 3.0 * em).abs() < 1e-9);
        assert!((text_width("ab", 10.0) - 1.2 * em).abs() < 1e-9);
    }

    fn label() -> impl Strategy<Value = String> {
        prop_oneof![1 => any::<String>(), 4 => "[a-zA-Z0-9 &<>'\"解放碑渝中区–+]{0,16}"]
    }

    fn value() -> impl Strategy<Value = f64> {
        prop_oneof![
            60 => -1e6f64..1e6,
            4 => Just(0.0),
            1 => prop::num::f64::ANY,
            4 => prop_oneof![Just(1e15), Just(-1e15), Just(1e-300), Just(5e-324)],
        ]
    }

    /// An `Ok` chart must be well-formed XML; an `Err` must be one of the chart errors.
    fn well_formed_or_typed(result: Result<String>) {
        match result {
            Ok(svg) => {
                roxmltree::Document::parse(&svg).expect("well-formed XML");
            }
            Err(
                Error::ChartValue { .. } | Error::ChartLength { .. } | Error::ChartLabel { .. },
            ) => {}
            Err(other) => panic!("unexpected error {other}"),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn pyramid_never_panics(
            ages in prop::collection::vec(label(), 0..30),
            lengths in prop::array::uniform4(0usize..30),
            values in prop::collection::vec(value(), 120),
            title in label(),
        ) {
            let ages: Vec<&str> = ages.iter().map(String::as_str).collect();
            let series: Vec<Vec<f64>> = lengths
                .iter()
                .enumerate()
                // Mostly matching lengths, so that drawing is reached.
                .map(|(i, &len)| {
                    let len = if len % 10 == 0 { len } else { ages.len() };
                    values[i * 30..i * 30 + len].iter().map(|v| v.abs()).collect()
                })
                .collect();
            well_formed_or_typed(population_pyramid(
                &title,
                &ages,
                (&series[0], &series[1]),
                (&series[2], &series[3]),
                "base",
                "horizon",
            ));
        }

        #[test]
        fn bands_never_panic(
            years in prop::collection::vec(any::<i32>(), 0..12),
            bands in prop::collection::vec((label(), prop::collection::vec(value(), 0..12)), 0..6),
            unit in label(),
        ) {
            let mut years = years;
            years.sort_unstable();
            years.dedup();
            let bands: Vec<(&str, Vec<f64>)> = bands
                .iter()
                .map(|(label, values)| {
                    let mut values = values.clone();
                    values.resize(years.len(), 1.0);
                    (label.as_str(), values)
                })
                .collect();
            well_formed_or_typed(bands_over_time("bands", &years, &bands, &unit));
        }

        #[test]
        fn additions_never_panic(
            streets in prop::collection::vec(label(), 0..15),
            services in prop::collection::vec((label(), prop::collection::vec(value(), 15)), 0..5),
            truncate in any::<bool>(),
        ) {
            let streets: Vec<&str> = streets.iter().map(String::as_str).collect();
            let services: Vec<(&str, Vec<f64>)> = services
                .iter()
                .map(|(label, values)| {
                    let len = if truncate { values.len() } else { streets.len() };
                    (label.as_str(), values[..len].to_vec())
                })
                .collect();
            well_formed_or_typed(additions_by_street("additions", &streets, &services, "places"));
        }

        #[test]
        fn cost_never_panics(
            points in prop::collection::vec((value(), prop::option::of(value())), 0..20),
            target in label(),
        ) {
            well_formed_or_typed(cost_against_target("cost", &target, &points, "yuan"));
        }
    }
}
