//! The validated `[uncertainty]` section of a scenario: what is uncertain, how it is drawn, and
//! the sensitivity steps.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::uncertainty::Distribution;

/// `[uncertainty]` as written in `scenario.toml`; every field is optional and defaults to
/// the values of [`Uncertainty::default`].
///
/// # Examples
///
/// ```
/// use popalloc::uncertainty::UncertaintySection;
///
/// let text = "draws = 200\nseed = 7\n[tfr]\ndistribution = \"normal\"\nmean = 1.0\nsd = 0.1\n";
/// let section: UncertaintySection = toml::from_str(text).unwrap();
/// assert_eq!(section.draws, Some(200));
/// assert!(toml::from_str::<UncertaintySection>("drawz = 1").is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UncertaintySection {
    /// Number of Monte Carlo draws (≥ 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draws: Option<usize>,
    /// Seed of the generator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Probabilities of the quantiles reported, each in (0, 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantiles: Option<Vec<f64>>,
    /// Factor on the district TFR path (1 = as assumed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tfr: Option<Distribution>,
    /// Years added to both sexes' e0 paths (0 = as assumed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e0: Option<Distribution>,
    /// Factor on every area's net migration (1 = as assumed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migration: Option<Distribution>,
    /// Street deviations from the district over the years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub streets: Option<StreetSection>,
    /// Steps of the one-at-a-time sensitivity runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<SensitivitySection>,
}

/// `[uncertainty.streets]`: AR(1) deviations of each street from the district.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreetSection {
    /// Autocorrelation of the street/district TFR ratio, per year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tfr_rho: Option<f64>,
    /// Standard deviation of the yearly shock to that ratio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tfr_sigma: Option<f64>,
    /// Autocorrelation of the street − district e0 gap over a 5-year step (bayesLife's
    /// unit); the projection's annual steps use its fifth root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e0_rho: Option<f64>,
    /// Standard deviation of the 5-year shock to the gap (years); without it, bayesLife's
    /// rule from the district e0. Turned into an annual shock as
    /// [`StreetDeviation::annual_e0_sigma`] says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e0_sigma: Option<f64>,
    /// Autocorrelation of each street's deviation in its net migration rate, per year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migration_rho: Option<f64>,
    /// Standard deviation of the yearly shock to that rate (net migrants a year per
    /// resident: 0.01 = 1 % of the street's population).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migration_sigma: Option<f64>,
}

/// `[uncertainty.sensitivity]`: how far each assumption is moved down and up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensitivitySection {
    /// Relative step of the TFR (0.1 = ±10 %).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tfr: Option<f64>,
    /// Step of e0 (years).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e0: Option<f64>,
    /// Relative step of net migration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migration: Option<f64>,
    /// Relative step of each street's fertility and mortality multipliers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiplier: Option<f64>,
}

/// The default yearly shock to an area's net migration rate (net migrants a year per
/// resident), calibrated on the county backtest of the 2010 and 2020 censuses
/// (docs/backtest.md): with it and [`CALIBRATED_MIGRATION_RHO`], the P10–P90 of the
/// `local_migration` method holds the 2020 total of 80 % of the 1,328 calibration counties
/// (16 provinces); on the 1,156 holdout counties it holds 79.9 % of the totals and 89.9 %
/// of the 60+.
///
/// ```
/// let streets = popalloc::uncertainty::Uncertainty::default().streets;
/// assert_eq!(streets.migration_sigma, popalloc::uncertainty::CALIBRATED_MIGRATION_SIGMA);
/// ```
pub const CALIBRATED_MIGRATION_SIGMA: f64 = 0.0133;

/// The default yearly autocorrelation of an area's net migration-rate deviation, held at
/// 0.9 during the calibration of [`CALIBRATED_MIGRATION_SIGMA`].
pub const CALIBRATED_MIGRATION_RHO: f64 = 0.9;

/// The largest yearly shock to a street's net migration rate: half its population a year.
const MAX_MIGRATION_RATE_SIGMA: f64 = 0.5;

/// That range in words.
const MIGRATION_RATE_SIGMA_RANGE: &str = "from 0 to 0.5 net migrants a year per resident";

/// AR(1) deviations of the streets from the district (DESIGN §4): each year
/// `d(t) = ρ·d(t−1) + σ·ε`, ε standard normal, d = 0 at the base year. The TFR deviation is
/// added to the street's fertility multiplier (its TFR relative to the district's); the e0
/// deviation is a gap in years, turned into a factor on the street's death rates.
///
/// The TFR parameters are annual (bayesTFR's). The e0 parameters are bayesLife's, which
/// are per 5-year step; [`StreetDeviation::annual_e0_rho`] and
/// [`StreetDeviation::annual_e0_sigma`] turn them into the annual steps of the projection.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StreetDeviation {
    /// Autocorrelation of the street/district TFR ratio, per year.
    pub tfr_rho: f64,
    /// Yearly shock to that ratio.
    pub tfr_sigma: f64,
    /// Autocorrelation of the street − district e0 gap, per 5-year step.
    pub e0_rho: f64,
    /// 5-year shock to the gap (years); `None`: [`StreetDeviation::bayeslife_e0_sigma`].
    pub e0_sigma: Option<f64>,
    /// Autocorrelation of the street's deviation in its net migration rate, per year.
    pub migration_rho: f64,
    /// Yearly shock to that rate (net migrants a year per resident). Each year the street
    /// gains `rate × its population` net migrants beyond the scenario's, at every age and
    /// sex in proportion to its persons: the one deviation that does not vanish where the
    /// scenario assumes no migration at all. 0: none.
    pub migration_sigma: f64,
}

impl StreetDeviation {
    /// The annual autocorrelation of the e0 gap: the real fifth root of the 5-year one,
    /// ρ₁ = sign(ρ₅)·|ρ₅|^(1/5), so that five annual steps decay as one 5-year step
    /// (bayesLife's ρ₅ = 0.95 gives ρ₁ ≈ 0.98979).
    ///
    /// # Examples
    ///
    /// ```
    /// let streets = popalloc::uncertainty::Uncertainty::default().streets;
    /// assert!((streets.annual_e0_rho() - 0.98979).abs() < 5e-6);
    /// assert!((streets.annual_e0_rho().powi(5) - 0.95).abs() < 1e-12);
    /// ```
    pub fn annual_e0_rho(&self) -> f64 {
        self.e0_rho.signum() * self.e0_rho.abs().powf(0.2)
    }

    /// The factor on the 5-year shock variance that gives the annual one:
    /// (1 − ρ₁²) / (1 − ρ₅²), with ρ₁ = [`annual_e0_rho`](Self::annual_e0_rho).
    ///
    /// With it, five annual steps of `g ← ρ₁·g + σ₁·ε` add up to one 5-year step
    /// `g ← ρ₅·g + σ₅·ε` exactly in distribution: the five shocks weigh ρ₁^k, k = 0 … 4,
    /// so their variance is σ₁²·(1 − ρ₁¹⁰)/(1 − ρ₁²) = σ₁²·(1 − ρ₅²)/(1 − ρ₁²) = σ₅². The
    /// stationary variance σ²/(1 − ρ²) is then the same in both units too. bayesLife's
    /// ρ₅ = 0.95 gives 0.2083 (its a and b are scaled by it). When |ρ₅| = 1 (a random
    /// walk) the limit 1/5 is used.
    ///
    /// # Examples
    ///
    /// ```
    /// let streets = popalloc::uncertainty::Uncertainty::default().streets;
    /// assert!((streets.e0_variance_factor() - 0.2083).abs() < 5e-5);
    /// ```
    pub fn e0_variance_factor(&self) -> f64 {
        let rho = self.e0_rho.abs();
        if rho >= 1.0 {
            return 0.2;
        }
        if rho <= 0.0 {
            // No memory: ρ₁ = 0, and the annual shock is the 5-year one.
            return 1.0;
        }
        // 1 − ρ² = −expm1(2·ln ρ) keeps its precision as ρ₅ nears 1.
        let log_rho = rho.ln();
        (0.4 * log_rho).exp_m1() / (2.0 * log_rho).exp_m1()
    }

    /// The sd of the annual shock to the e0 gap in a year whose district e0 is `e0`: the
    /// 5-year sd (the section's `e0_sigma`, else [`bayeslife_e0_sigma`](Self::bayeslife_e0_sigma))
    /// times √[`e0_variance_factor`](Self::e0_variance_factor).
    ///
    /// # Examples
    ///
    /// ```
    /// let streets = popalloc::uncertainty::Uncertainty::default().streets;
    /// // Above 82.5 years bayesLife's 5-year variance is a = 0.0482; a year takes 0.2083 of it.
    /// let annual = streets.annual_e0_sigma(85.0);
    /// assert!((annual * annual - 0.0482 * streets.e0_variance_factor()).abs() < 1e-15);
    /// ```
    pub fn annual_e0_sigma(&self, e0: f64) -> f64 {
        let five_year = self
            .e0_sigma
            .unwrap_or_else(|| Self::bayeslife_e0_sigma(e0));
        five_year * self.e0_variance_factor().sqrt()
    }

    /// The sd of the 5-year e0-gap shock by bayesLife's rule (`e0.predict.subnat`'s default
    /// `ar.pars`: U = 82.5, a = 0.0482, b = −0.0154): √a above U, √(a + b·(e0 − U)) below.
    /// [`annual_e0_sigma`](Self::annual_e0_sigma) turns it into the annual shock.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::uncertainty::StreetDeviation;
    ///
    /// assert!((StreetDeviation::bayeslife_e0_sigma(85.0) - 0.0482f64.sqrt()).abs() < 1e-12);
    /// assert!((StreetDeviation::bayeslife_e0_sigma(80.0) - 0.0867f64.sqrt()).abs() < 1e-12);
    /// ```
    pub fn bayeslife_e0_sigma(e0: f64) -> f64 {
        const U: f64 = 82.5;
        const A: f64 = 0.0482;
        const B: f64 = -0.0154;
        if e0 >= U {
            A.sqrt()
        } else {
            (A + B * (e0 - U)).sqrt()
        }
    }
}

/// Steps of the one-at-a-time sensitivity runs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SensitivitySteps {
    /// Relative step of the TFR.
    pub tfr: f64,
    /// Step of e0 (years).
    pub e0: f64,
    /// Relative step of net migration.
    pub migration: f64,
    /// Relative step of each street's multipliers.
    pub multiplier: f64,
}

/// The most draws a Monte Carlo run may take.
///
/// A million draws of Yuzhong take about a quarter of an hour on two cores (≈ 1,000
/// draws per second); every draw's sampled assumptions stay in memory, whatever the
/// quantiles are computed from. A larger count is refused rather than left to exhaust
/// memory or time.
///
/// ```
/// let yuzhong = popalloc::Scenario::yuzhong()?;
/// assert!(yuzhong.uncertainty.draws <= popalloc::uncertainty::MAX_DRAWS);
/// # Ok::<(), popalloc::Error>(())
/// ```
pub const MAX_DRAWS: usize = 1_000_000;

/// The draw counts allowed, in words for error messages.
pub(crate) const DRAWS_RANGE: &str = "1 … 1,000,000";

/// Whether a run may take `draws` draws (1 ..= [`MAX_DRAWS`]).
pub(crate) fn draws_allowed(draws: usize) -> bool {
    (1..=MAX_DRAWS).contains(&draws)
}

/// Whether `p` can be a reported quantile's probability: inside (0, 1).
pub(crate) fn probability_allowed(p: f64) -> bool {
    p > 0.0 && p < 1.0
}

/// Whether quantile probabilities are in strictly ascending order (so none repeats).
pub(crate) fn strictly_ascending(probs: &[f64]) -> bool {
    probs.windows(2).all(|w| w[0] < w[1])
}

/// The validated uncertainty of a scenario.
///
/// # Examples
///
/// ```
/// let yuzhong = popalloc::Scenario::yuzhong()?;
/// assert_eq!(yuzhong.uncertainty.quantiles, vec![0.1, 0.5, 0.9]);
/// assert!((yuzhong.uncertainty.streets.tfr_rho - 0.98445).abs() < 1e-12);
/// # Ok::<(), popalloc::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Uncertainty {
    /// Number of draws.
    pub draws: usize,
    /// Seed of the generator.
    pub seed: u64,
    /// Quantile probabilities reported, ascending.
    pub quantiles: Vec<f64>,
    /// Factor on the district TFR path.
    pub tfr: Distribution,
    /// Years added to the e0 paths.
    pub e0: Distribution,
    /// Factor on net migration.
    pub migration: Distribution,
    /// Street deviations.
    pub streets: StreetDeviation,
    /// Sensitivity steps.
    pub sensitivity: SensitivitySteps,
}

impl Default for Uncertainty {
    /// 1,000 draws, seed 2021, P10/P50/P90; TFR factor lognormal (median 1, σ 0.15), e0
    /// shift normal (0, 1 year), migration factor triangular (0.5, 1, 1.5); street
    /// deviations with the bayesTFR/bayesLife defaults of DESIGN §4; sensitivity steps
    /// ±10 % TFR, ±1 year e0, ±25 % migration, ±10 % street multipliers.
    fn default() -> Self {
        Self {
            draws: 1000,
            seed: 2021,
            quantiles: vec![0.1, 0.5, 0.9],
            tfr: Distribution::Lognormal {
                median: 1.0,
                sigma: 0.15,
            },
            e0: Distribution::Normal { mean: 0.0, sd: 1.0 },
            migration: Distribution::Triangular {
                min: 0.5,
                mode: 1.0,
                max: 1.5,
            },
            streets: StreetDeviation {
                tfr_rho: 0.98445,
                tfr_sigma: 0.02086,
                e0_rho: 0.95,
                e0_sigma: None,
                migration_rho: CALIBRATED_MIGRATION_RHO,
                migration_sigma: CALIBRATED_MIGRATION_SIGMA,
            },
            sensitivity: SensitivitySteps {
                tfr: 0.1,
                e0: 1.0,
                migration: 0.25,
                multiplier: 0.1,
            },
        }
    }
}

impl Uncertainty {
    /// No uncertainty at all: every distribution fixed at "as assumed" and no street
    /// deviation; a Monte Carlo run then repeats the deterministic projection.
    ///
    /// # Examples
    ///
    /// ```
    /// let none = popalloc::uncertainty::Uncertainty::none();
    /// assert_eq!(none.tfr.median(), 1.0);
    /// assert_eq!(none.streets.tfr_sigma, 0.0);
    /// ```
    pub fn none() -> Self {
        Self {
            tfr: Distribution::Fixed { value: 1.0 },
            e0: Distribution::Fixed { value: 0.0 },
            migration: Distribution::Fixed { value: 1.0 },
            streets: StreetDeviation {
                tfr_rho: 0.0,
                tfr_sigma: 0.0,
                e0_rho: 0.0,
                e0_sigma: Some(0.0),
                migration_rho: 0.0,
                migration_sigma: 0.0,
            },
            ..Self::default()
        }
    }

    /// Validates a section read from `path` (absent fields take the defaults).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidScenario`] listing every [`Error::InvalidSetting`] found: draws of 0,
    /// quantiles outside (0, 1), bad distribution parameters, |ρ| > 1, negative σ or steps.
    pub fn from_section(section: Option<&UncertaintySection>, path: &Path) -> Result<Self> {
        let mut out = Self::default();
        let Some(s) = section else {
            return Ok(out);
        };
        let mut problems = Vec::new();
        let mut setting = |field: &str, value: f64, ok: bool, range: &'static str| {
            if !(ok && value.is_finite()) {
                problems.push(Error::InvalidSetting {
                    path: path.to_path_buf(),
                    field: format!("uncertainty.{field}"),
                    value,
                    range,
                });
            }
        };
        if let Some(draws) = s.draws {
            setting("draws", draws as f64, draws_allowed(draws), DRAWS_RANGE);
            out.draws = draws;
        }
        out.seed = s.seed.unwrap_or(out.seed);
        if let Some(q) = &s.quantiles {
            setting(
                "quantiles",
                q.len() as f64,
                !q.is_empty(),
                "at least one probability",
            );
            for (i, &p) in q.iter().enumerate() {
                setting(
                    &format!("quantiles[{i}]"),
                    p,
                    probability_allowed(p),
                    "in (0, 1)",
                );
            }
            setting(
                "quantiles",
                q.len() as f64,
                strictly_ascending(q),
                "probabilities in strictly ascending order",
            );
            out.quantiles = q.clone();
        }
        if let Some(st) = &s.streets {
            let d = &mut out.streets;
            for (field, given, slot) in [
                ("streets.tfr_rho", st.tfr_rho, &mut d.tfr_rho),
                ("streets.e0_rho", st.e0_rho, &mut d.e0_rho),
                (
                    "streets.migration_rho",
                    st.migration_rho,
                    &mut d.migration_rho,
                ),
            ] {
                if let Some(v) = given {
                    setting(field, v, (-1.0..=1.0).contains(&v), "in [-1, 1]");
                    *slot = v;
                }
            }
            if let Some(v) = st.tfr_sigma {
                setting("streets.tfr_sigma", v, v >= 0.0, ">= 0");
                d.tfr_sigma = v;
            }
            if let Some(v) = st.e0_sigma {
                setting("streets.e0_sigma", v, v >= 0.0, ">= 0");
                d.e0_sigma = Some(v);
            }
            if let Some(v) = st.migration_sigma {
                setting(
                    "streets.migration_sigma",
                    v,
                    (0.0..=MAX_MIGRATION_RATE_SIGMA).contains(&v),
                    MIGRATION_RATE_SIGMA_RANGE,
                );
                d.migration_sigma = v;
            }
        }
        if let Some(se) = &s.sensitivity {
            let d = &mut out.sensitivity;
            for (field, given, slot, ok) in [
                ("sensitivity.tfr", se.tfr, &mut d.tfr, 1.0),
                ("sensitivity.e0", se.e0, &mut d.e0, f64::INFINITY),
                (
                    "sensitivity.migration",
                    se.migration,
                    &mut d.migration,
                    f64::INFINITY,
                ),
                (
                    "sensitivity.multiplier",
                    se.multiplier,
                    &mut d.multiplier,
                    1.0,
                ),
            ] {
                if let Some(v) = given {
                    setting(field, v, v > 0.0 && v < ok, "> 0 (relative steps < 1)");
                    *slot = v;
                }
            }
        }
        for (field, given, slot) in [
            ("tfr", s.tfr, &mut out.tfr),
            ("e0", s.e0, &mut out.e0),
            ("migration", s.migration, &mut out.migration),
        ] {
            if let Some(d) = given {
                if let Err(e) = d.check(path, &format!("uncertainty.{field}")) {
                    problems.push(e);
                }
                *slot = d;
            }
        }
        // A TFR factor must stay positive: a normal or uniform that reaches below 0 is
        // cut at 0 when drawn; say so only when the median itself is not positive.
        let tfr_checked = !problems.iter().any(
            |p| matches!(p, Error::InvalidSetting { field, .. } if field == "uncertainty.tfr"),
        );
        if tfr_checked && out.tfr.median() <= 0.0 {
            problems.push(Error::InvalidSetting {
                path: path.to_path_buf(),
                field: "uncertainty.tfr".into(),
                value: out.tfr.median(),
                range: "a factor whose median is > 0",
            });
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(Error::InvalidScenario {
                path: path.to_path_buf(),
                problems,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bayeslife_five_year_parameters_become_annual_ones() {
        let streets = Uncertainty::default().streets;
        let rho = streets.annual_e0_rho();
        assert!((rho - 0.989794).abs() < 1e-6, "{rho}");
        let factor = streets.e0_variance_factor();
        // (1 − ρ₁²)/(1 − ρ₅²) directly, and the issue's 0.2083.
        assert!((factor - (1.0 - rho * rho) / (1.0 - 0.95 * 0.95)).abs() < 1e-12);
        assert!((factor - 0.2083).abs() < 5e-5, "{factor}");
        // Five annual steps carry the 5-year shock variance: Σ ρ₁^(2k) σ₁², k < 5.
        let five: f64 = (0..5).map(|k| rho.powi(2 * k) * factor).sum();
        assert!((five - 1.0).abs() < 1e-12, "{five}");
        // Edges: a random walk splits the variance in five; no memory keeps it whole; a
        // negative ρ₅ keeps its sign.
        let with = |e0_rho| StreetDeviation { e0_rho, ..streets };
        assert_eq!(with(1.0).e0_variance_factor(), 0.2);
        assert_eq!(with(-1.0).e0_variance_factor(), 0.2);
        assert_eq!(with(0.0).e0_variance_factor(), 1.0);
        assert_eq!(with(0.0).annual_e0_rho(), 0.0);
        assert!((with(-0.5).annual_e0_rho().powi(5) + 0.5).abs() < 1e-12);
        let near = with(1.0 - 1e-12).e0_variance_factor();
        assert!((near - 0.2).abs() < 1e-9, "{near}");
    }

    #[test]
    fn absent_section_gives_the_defaults() {
        let u = Uncertainty::from_section(None, Path::new("s.toml")).unwrap();
        assert_eq!(u, Uncertainty::default());
    }

    #[test]
    fn every_problem_is_listed() {
        let text = "draws = 0\nquantiles = [0.0, 0.5, 1.2]\n[streets]\ntfr_rho = 1.5\ntfr_sigma = -0.1\n\
                    [e0]\ndistribution = \"normal\"\nmean = 0.0\nsd = -2.0\n[sensitivity]\ntfr = 1.5\n";
        let section: UncertaintySection = toml::from_str(text).unwrap();
        match Uncertainty::from_section(Some(&section), Path::new("s.toml")) {
            Err(Error::InvalidScenario { problems, .. }) => {
                let fields: Vec<String> = problems
                    .iter()
                    .map(|p| match p {
                        Error::InvalidSetting { field, .. } => field.clone(),
                        other => format!("{other:?}"),
                    })
                    .collect();
                for f in [
                    "uncertainty.draws",
                    "uncertainty.quantiles[0]",
                    "uncertainty.quantiles[2]",
                    "uncertainty.streets.tfr_rho",
                    "uncertainty.streets.tfr_sigma",
                    "uncertainty.e0",
                    "uncertainty.sensitivity.tfr",
                ] {
                    assert!(fields.iter().any(|x| x == f), "{f} missing from {fields:?}");
                }
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn quantiles_must_be_ascending_and_distinct()
    -> std::result::Result<(), Box<dyn std::error::Error>> {
        // Reordering them silently would move every index-based lookup.
        for text in ["quantiles = [0.9, 0.05, 0.5]", "quantiles = [0.5, 0.5]"] {
            let section: UncertaintySection = toml::from_str(text)?;
            assert!(Uncertainty::from_section(Some(&section), Path::new("s.toml")).is_err());
        }
        let section: UncertaintySection = toml::from_str("quantiles = [0.05, 0.5, 0.9]")?;
        let u = Uncertainty::from_section(Some(&section), Path::new("s.toml"))?;
        assert_eq!(u.quantiles, vec![0.05, 0.5, 0.9]);
        Ok(())
    }
}
