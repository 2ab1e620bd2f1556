//! Interim targets: the path of a target from the base year to its year.
//!
//! A target with `path = "linear"` (a district total, share or per-capita level) also asks,
//! as expected targets, for the straight line from where the district stands in the base
//! year (its stock, and for a per-capita level its base population) to the target's value
//! in the target's year: one interim target per year between. A plan then builds towards
//! the target year by year instead of all at once or all at the end.

use crate::demography::band::Band;
use crate::demography::population::Population;
use crate::scenario::plan_data::{Service, Target};
use crate::scenario::target::{TargetClass, TargetKind, TargetLevel};

/// Where the district stands on the target's measure in the base year: its stock of the
/// target's variants (a total), their share of the stock (a share), or stock per 1,000
/// persons of the band (a per-capita level). `Err` names why none can be computed.
///
/// # Examples
///
/// ```
/// use popalloc::scenario::interim::baseline;
///
/// let yuzhong = popalloc::Scenario::yuzhong()?;
/// let beds = yuzhong.targets.iter().find(|t| t.id == "elder_beds_2025").unwrap();
/// // The 1,915 beds of 2020.
/// let start = baseline(beds, &yuzhong.services, &yuzhong.base, &yuzhong.bands).unwrap();
/// assert!((start - 1_915.0).abs() < 1e-9);
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn baseline(
    target: &Target,
    services: &[Service],
    base: &Population,
    bands: &[Band],
) -> Result<f64, &'static str> {
    if target.level != TargetLevel::District {
        return Err("a path is for district targets (each street starts elsewhere)");
    }
    let service = services
        .get(target.service)
        .ok_or("the target's service is unknown")?;
    let stock = |variants: &[usize]| -> f64 {
        variants
            .iter()
            .filter_map(|&v| service.stock.get(v))
            .flatten()
            .sum()
    };
    let all: Vec<usize> = (0..service.variants.len()).collect();
    match target.kind {
        TargetKind::Total => Ok(stock(&target.variants)),
        TargetKind::Share => {
            let whole = stock(&all);
            if whole > 0.0 {
                Ok(stock(&target.variants) / whole)
            } else {
                Err("a share's path starts from the base-year stock, and there is none")
            }
        }
        TargetKind::PerCapita => {
            let persons: f64 = (0..base.area_count())
                .map(|a| match target.band.and_then(|b| bands.get(b)) {
                    Some(band) => base.band_total(a, band),
                    None => base.area_total(a),
                })
                .sum();
            if persons > 0.0 {
                Ok(stock(&target.variants) * 1_000.0 / persons)
            } else {
                Err("a per-capita path needs persons in the base year")
            }
        }
        TargetKind::Coverage | TargetKind::AreaCount => {
            Err("a path is for a total, a share or a per-capita level")
        }
    }
}

/// The interim targets of `target` on a straight line from `start` in `base_year` to its
/// value in its year: one expected target per year strictly between, named
/// `<id>_path_<year>`.
///
/// # Examples
///
/// ```
/// use popalloc::scenario::interim::{baseline, linear_path};
///
/// let yuzhong = popalloc::Scenario::yuzhong()?;
/// let beds = yuzhong.targets.iter().find(|t| t.id == "elder_beds_2025").unwrap();
/// let steps = linear_path(beds, 1_915.0, 2020);
/// assert_eq!(steps.len(), 4);
/// assert_eq!(steps[0].id, "elder_beds_2025_path_2021");
/// // 1,915 + (4,000 − 1,915) / 5 a year.
/// assert!((steps[0].value - 2_332.0).abs() < 1e-9);
/// assert!((steps[3].value - 3_583.0).abs() < 1e-9);
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn linear_path(target: &Target, start: f64, base_year: i32) -> Vec<Target> {
    let span = f64::from(target.year - base_year);
    (base_year + 1..target.year)
        .map(|year| {
            let step = f64::from(year - base_year) / span;
            let value = start + (target.value - start) * step;
            Target {
                id: format!("{}_path_{year}", target.id),
                class: TargetClass::Expected,
                year,
                value,
                description: Some(format!(
                    "interim step of {}: on the straight line from {} in {base_year} to {} in {}",
                    target.id,
                    round_for_words(start),
                    round_for_words(target.value),
                    target.year
                )),
                ..target.clone()
            }
        })
        .collect()
}

/// A number as a sentence shows it: whole when large, four decimals when a share.
fn round_for_words(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.4}")
    }
}
