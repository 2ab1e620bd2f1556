//! The uncertainty part of a report: Monte Carlo quantiles and draws, a plan's reliability,
//! the cost of reliability, sensitivity (CSV), their charts (fans, the reliability curve,
//! tornadoes) and the memo's section on uncertainty.

use std::fmt::Write as _;

use crate::demography::projection::Projection;
use crate::error::Result;
use crate::report::charts;
use crate::report::charts::{FanSeries, TornadoBar, fan_panels, tornado_chart};
use crate::report::figures::Figure;
use crate::scenario::Scenario;
use crate::scenario::target::TargetClass;
use crate::uncertainty::{MonteCarloSummary, Reliability, ReliabilityPoint, Sensitivity};

/// What a Monte Carlo run (and optionally a sensitivity run) adds to a report.
#[derive(Debug, Clone, PartialEq)]
pub struct UncertaintyReport {
    /// The Monte Carlo summaries.
    pub summary: MonteCarloSummary,
    /// The α the plan was built at (need at the 1 − α quantile); `None`: the plan is the
    /// deterministic one.
    pub alpha: Option<f64>,
    /// When the plan was made jointly (every street at once in a share of sampled draws):
    /// the draws sampled and how many of them must be covered.
    pub joint: Option<(usize, usize)>,
    /// The plan against every draw.
    pub reliability: Option<Reliability>,
    /// The cost of reliability over α.
    pub curve: Vec<ReliabilityPoint>,
    /// One-at-a-time sensitivity.
    pub sensitivity: Option<Sensitivity>,
}

fn prob_label(p: f64) -> String {
    let pct = 100.0 * p;
    if (pct - pct.round()).abs() < 1e-9 {
        format!("p{}", pct.round())
    } else {
        format!("p{pct}")
    }
}

/// `montecarlo_quantiles.csv`: `year,area,band,statistic,value`, statistic `mean` or a
/// probability such as `p10`; area `district` sums the areas, band `total` counts everyone.
///
/// # Examples
///
/// ```
/// use popalloc::Scenario;
/// use popalloc::uncertainty::MonteCarlo;
/// use popalloc::report::uncertainty::quantiles_csv;
///
/// let yuzhong = Scenario::yuzhong()?;
/// let mut settings = yuzhong.uncertainty.clone();
/// settings.draws = 5;
/// let csv = quantiles_csv(&MonteCarlo::new(&yuzhong, settings).run(None)?);
/// assert!(csv.starts_with("year,area,band,statistic,value\n"));
/// assert!(csv.contains(",district,elderly,p90,"));
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn quantiles_csv(summary: &MonteCarloSummary) -> String {
    let mut out = String::from("year,area,band,statistic,value\n");
    let labels: Vec<String> = summary.probs.iter().map(|&p| prob_label(p)).collect();
    for &year in &summary.years {
        for (p, place) in summary.places.iter().enumerate() {
            for (b, band) in summary.bands.iter().enumerate() {
                let mean = summary.mean(year, b, p).unwrap_or(f64::NAN);
                let _ = writeln!(out, "{year},{place},{band},mean,{mean}");
                for (j, label) in labels.iter().enumerate() {
                    let q = summary.quantile(year, b, p, j).unwrap_or(f64::NAN);
                    let _ = writeln!(out, "{year},{place},{band},{label},{q}");
                }
            }
        }
    }
    out
}

/// `montecarlo_draws.csv`: each draw's district assumptions.
pub fn draws_csv(summary: &MonteCarloSummary) -> String {
    let mut out = String::from("draw,tfr_factor,e0_shift,migration_factor\n");
    for (d, a) in summary.assumptions.iter().enumerate() {
        let _ = writeln!(
            out,
            "{d},{},{},{}",
            a.tfr_factor, a.e0_shift, a.migration_factor
        );
    }
    out
}

/// `reliability_targets.csv` and `reliability_streets.csv`: the share of draws in which each
/// target holds and each street's need is met.
pub fn reliability_csv(reliability: &Reliability) -> (String, String) {
    let mut targets = String::from("target,class,year,met_in_plan,share_met\n");
    for t in &reliability.targets {
        let class = match t.class {
            TargetClass::Binding => "binding",
            TargetClass::Expected => "expected",
        };
        let _ = writeln!(
            targets,
            "{},{class},{},{},{}",
            t.id, t.year, t.met_in_plan, t.share_met
        );
    }
    let mut streets = String::from("service,area,year,served,planned_need,share_met\n");
    for s in &reliability.streets {
        let _ = writeln!(
            streets,
            "{},{},{},{},{},{}",
            s.service, s.area, s.year, s.served, s.planned_need, s.share_met
        );
    }
    (targets, streets)
}

/// `reliability_curve.csv`: cost and reliability for each α.
pub fn curve_csv(curve: &[ReliabilityPoint]) -> String {
    let mut out = String::from("alpha,cost,worst_street_share,worst_binding_target_share\n");
    let opt = |x: Option<f64>| x.map_or(String::new(), |v| v.to_string());
    for p in curve {
        let _ = writeln!(
            out,
            "{},{},{},{}",
            p.alpha,
            opt(p.cost),
            opt(p.worst_street),
            opt(p.worst_binding_target)
        );
    }
    out
}

/// `sensitivity.csv`: `parameter,label,measure,baseline,low,high,swing` for every
/// assumption moved and every measure (bands at the horizon, cost, targets' achieved
/// values).
pub fn sensitivity_csv(s: &Sensitivity) -> String {
    let mut out = String::from("parameter,label,measure,baseline,low,high,swing\n");
    for measure in s.measures() {
        let Some((base, swings)) = s.measure(&measure) else {
            continue;
        };
        for (row, swing) in s.rows.iter().zip(swings) {
            let _ = writeln!(
                out,
                "{},{},{measure},{base},{},{},{}",
                row.parameter,
                crate::demography::tidy::csv_field(&swing.label),
                swing.low,
                swing.high,
                (swing.high - swing.low).abs()
            );
        }
    }
    out
}

/// The charts of uncertainty: fans of the summary bands (district), the cost of
/// reliability, and tornadoes of cost and of the 60+ band.
///
/// # Errors
///
/// The chart errors of [`charts`] (they do not arise from valid runs).
pub fn figures(
    scenario: &Scenario,
    projection: &Projection,
    report: &UncertaintyReport,
) -> Result<Vec<Figure>> {
    let mut figures = Vec::new();
    let s = &report.summary;
    let name = scenario.short_name();
    let (lo, hi) = (0, s.probs.len().saturating_sub(1));
    let mid = s
        .probs
        .iter()
        .position(|&p| (p - 0.5).abs() < 1e-12)
        .unwrap_or(s.probs.len() / 2);
    let interval = format!(
        "{}–{}",
        prob_label(s.probs[lo]).to_uppercase(),
        prob_label(s.probs[hi]).to_uppercase()
    );
    let d = s.district();
    let fans: Vec<FanSeries<'_>> = crate::report::SUMMARY_BANDS
        .iter()
        .filter_map(|n| Some((scenario.band_index(n)?, *n)))
        .map(|(b, label)| {
            let at = |j: usize| -> Vec<f64> {
                s.years
                    .iter()
                    .map(|&y| s.quantile(y, b, d, j).unwrap_or(0.0))
                    .collect()
            };
            let band = &scenario.bands[b];
            let deterministic = s
                .years
                .iter()
                .map(|&y| {
                    projection.at(y).map_or(0.0, |p| {
                        (0..p.area_count()).map(|i| p.band_total(i, band)).sum()
                    })
                })
                .collect();
            FanSeries {
                label,
                lower: at(lo),
                median: at(mid),
                upper: at(hi),
                deterministic: Some(deterministic),
            }
        })
        .collect();
    figures.push(Figure {
        file: "fan_bands.svg".into(),
        caption: format!(
            "Monte Carlo fans of the 60+, 0–2 and school-age bands, district ({interval}, {} draws)",
            s.draws()
        ),
        svg: fan_panels(
            &format!("{name}: uncertainty of the age bands"),
            &s.years,
            &fans,
            &interval,
            "persons",
        )?,
    });
    if !report.curve.is_empty() {
        let points: Vec<(f64, Option<f64>)> = report
            .curve
            .iter()
            .map(|p| (100.0 * (1.0 - p.alpha), p.cost))
            .collect();
        figures.push(Figure {
            file: "reliability_cost.svg".into(),
            caption: "Cost of reliability: plans covering each street's need at the 1 − α quantile"
                .into(),
            svg: charts::cost_against_target(
                &format!("{name}: cost of reliability"),
                "reliability 1 − α (%)",
                &points,
                "relative cost",
            )?,
        });
    }
    if let Some(sens) = &report.sensitivity {
        figures.extend(tornado_figures(scenario, sens)?);
    }
    Ok(figures)
}

/// Tornado charts of a sensitivity run: the plan's cost (when planned), persons aged 60+
/// and children under 3 at the horizon.
///
/// # Errors
///
/// The chart errors of [`charts`] (they do not arise from a valid run).
pub fn tornado_figures(scenario: &Scenario, sens: &Sensitivity) -> Result<Vec<Figure>> {
    let name = scenario.short_name();
    let mut figures = Vec::new();
    for (measure, file, what) in [
        ("cost", "tornado_cost.svg", "plan cost"),
        ("elderly", "tornado_elderly.svg", "persons aged 60+"),
        ("infants", "tornado_infants.svg", "children under 3"),
    ] {
        let Some((base, swings)) = sens.measure(measure) else {
            continue;
        };
        let bars: Vec<TornadoBar<'_>> = swings
            .iter()
            .map(|w| TornadoBar {
                label: &w.label,
                low: w.low,
                high: w.high,
            })
            .collect();
        let unit = if measure == "cost" {
            "relative cost"
        } else {
            "persons"
        };
        figures.push(Figure {
            file: file.into(),
            caption: format!("Sensitivity of the {what} in {} (tornado)", sens.horizon),
            svg: tornado_chart(
                &format!("{name}: sensitivity of the {what}, {}", sens.horizon),
                what,
                base,
                &bars,
                unit,
            )?,
        });
    }
    Ok(figures)
}

/// The memo's section on uncertainty, in Markdown.
pub fn memo_section(scenario: &Scenario, report: &UncertaintyReport) -> String {
    let mut m = String::new();
    let s = &report.summary;
    let u = &scenario.uncertainty;
    let horizon = scenario.horizon();
    let _ = writeln!(m, "## Uncertainty\n");
    let _ = writeln!(
        m,
        "{} Monte Carlo draws (seed {}) of the district TFR factor ({}), the e0 shift ({}) and the migration factor ({}), \
         with street deviations as AR(1) (TFR ratio ρ = {}, σ = {} a year; e0 gap ρ = {} per 5 years, {:.5} a year). Quantiles are {}.\n",
        s.draws(),
        s.seed,
        describe(&u.tfr),
        describe(&u.e0),
        describe(&u.migration),
        u.streets.tfr_rho,
        u.streets.tfr_sigma,
        u.streets.e0_rho,
        u.streets.annual_e0_rho(),
        if s.exact {
            "exact (every draw kept)"
        } else {
            "streamed (P² estimates)"
        }
    );
    let labels: Vec<String> = s
        .probs
        .iter()
        .map(|&p| prob_label(p).to_uppercase())
        .collect();
    let _ = writeln!(m, "| band, district, {horizon} | {} |", labels.join(" | "));
    let _ = writeln!(m, "|---|{}", "---:|".repeat(labels.len()));
    let d = s.district();
    let mut shown: Vec<&str> = crate::report::SUMMARY_BANDS.to_vec();
    shown.push(crate::uncertainty::TOTAL_BAND);
    for name in shown {
        let Some(b) = s.band_index(name) else {
            continue;
        };
        let values: Vec<String> = (0..s.probs.len())
            .map(|j| format!("{:.0}", s.quantile(horizon, b, d, j).unwrap_or(f64::NAN)))
            .collect();
        let _ = writeln!(m, "| {name} | {} |", values.join(" | "));
    }
    match (report.alpha, report.joint) {
        (Some(alpha), Some((draws, required))) => {
            let _ = writeln!(
                m,
                "\nThe plan serves the need of every street at once, for every service and year, in at least {required} of the \
                 first {draws} draws (a joint chance constraint, α = {alpha}, solved as a scenario MILP); its coverage and \
                 per-capita targets are stated on the {:.0} % quantile of those draws. Below, how it fares against all {} \
                 draws, each draw's need routed afresh to the plan's capacity within reach.\n",
                100.0 * (1.0 - alpha),
                s.draws()
            );
        }
        (Some(alpha), None) => {
            let _ = writeln!(
                m,
                "\nThe plan covers each street's need at the {:.0} % quantile of the draws (α = {alpha}), \
                 street by street (not all streets at once). Below, how it fares against every draw, each draw's \
                 need routed afresh to the plan's capacity within reach: spare capacity nearby can make a street \
                 more reliable than {:.0} %, capacity shared with busier neighbours less.\n",
                100.0 * (1.0 - alpha),
                100.0 * (1.0 - alpha)
            );
        }
        (None, _) => {
            let _ = writeln!(
                m,
                "\nThe plan is built on the deterministic projection; below, how it fares against every draw.\n"
            );
        }
    }
    if let Some(r) = &report.reliability {
        let _ = writeln!(
            m,
            "| target | class | year | met in plan | share of draws met |"
        );
        let _ = writeln!(m, "|---|---|---:|---|---:|");
        for t in &r.targets {
            let class = match t.class {
                TargetClass::Binding => "binding",
                TargetClass::Expected => "expected",
            };
            let _ = writeln!(
                m,
                "| {} | {class} | {} | {} | {:.1} % |",
                t.id,
                t.year,
                if t.met_in_plan { "yes" } else { "no" },
                100.0 * t.share_met
            );
        }
        let _ = writeln!(
            m,
            "\nStreets: the lowest share of draws in which a street's need is met, over the planned years \
             (met: served in every routing of the draw's need that serves as much as the capacity within reach allows).\n"
        );
        let _ = writeln!(m, "| service | lowest share | street, year |");
        let _ = writeln!(m, "|---|---:|---|");
        for service in &scenario.services {
            if let Some(w) = r
                .streets
                .iter()
                .filter(|x| x.service == service.id)
                .min_by(|a, b| a.share_met.total_cmp(&b.share_met))
            {
                let street = scenario
                    .areas
                    .iter()
                    .find(|a| a.id == w.area)
                    .map_or_else(|| w.area.clone(), |a| a.label());
                let _ = writeln!(
                    m,
                    "| {} | {:.1} % | {street}, {} |",
                    service.id,
                    100.0 * w.share_met,
                    w.year
                );
            }
        }
    }
    if !report.curve.is_empty() {
        let _ = writeln!(m, "\nThe cost of reliability (each α a plan of its own):\n");
        let _ = writeln!(
            m,
            "| α | street reliability | cost | lowest street share | lowest binding-target share |"
        );
        let _ = writeln!(m, "|---:|---:|---:|---:|---:|");
        for p in &report.curve {
            let pct =
                |x: Option<f64>| x.map_or("—".to_owned(), |v| format!("{:.1} %", 100.0 * v));
            let _ = writeln!(
                m,
                "| {} | {:.0} % | {} | {} | {} |",
                p.alpha,
                100.0 * (1.0 - p.alpha),
                p.cost.map_or("conflict".to_owned(), |c| format!("{c:.0}")),
                pct(p.worst_street),
                pct(p.worst_binding_target)
            );
        }
    }
    if let Some(sens) = &report.sensitivity
        && let Some((base, mut swings)) = sens.measure("cost")
    {
        swings.sort_by(|a, b| (b.high - b.low).abs().total_cmp(&(a.high - a.low).abs()));
        let _ = writeln!(
            m,
            "\nSensitivity of the plan's cost ({base:.0}), largest swings first:\n"
        );
        let _ = writeln!(m, "| assumption | cost, step down | cost, step up |");
        let _ = writeln!(m, "|---|---:|---:|");
        for w in swings.iter().take(8) {
            let _ = writeln!(m, "| {} | {:.0} | {:.0} |", w.label, w.low, w.high);
        }
    }
    m
}

fn describe(d: &crate::uncertainty::Distribution) -> String {
    use crate::uncertainty::Distribution as D;
    match *d {
        D::Normal { mean, sd } => format!("normal, mean {mean}, sd {sd}"),
        D::Lognormal { median, sigma } => format!("lognormal, median {median}, σ {sigma}"),
        D::Triangular { min, mode, max } => format!("triangular {min} – {mode} – {max}"),
        D::Uniform { min, max } => format!("uniform {min} – {max}"),
        D::Fixed { value } => format!("fixed at {value}"),
    }
}
