//! A variant: the scenario's assumptions moved by stated amounts. A Monte Carlo draw is a
//! variant sampled from the distributions; a sensitivity run is a variant moved by one step.

use rand::rngs::ChaCha8Rng;
use serde::Serialize;

use crate::uncertainty::settings::StreetDeviation;

/// How a projection departs from the scenario's assumptions. The default changes nothing,
/// and [`Scenario::project`](crate::Scenario::project) is the projection of the default.
///
/// - `tfr_factor` multiplies the district fertility (the TFR path, or every ASFR);
/// - `e0_shift` adds years to both sexes' e0 (Brass paths directly; death-rate files through
///   a Brass relational step with the year's own table as the standard and β = 1);
/// - `migration_factor` multiplies every area's net migrants;
/// - `fertility_multipliers` / `mortality_multipliers` replace the areas' own multipliers;
/// - `streets` adds each street's yearly deviations (AR(1) paths of a draw).
///
/// # Examples
///
/// ```
/// use popalloc::Scenario;
/// use popalloc::uncertainty::Variant;
///
/// let yuzhong = Scenario::yuzhong()?;
/// let higher = Variant { tfr_factor: 1.2, ..Variant::default() };
/// let base = yuzhong.project(2025)?;
/// let more = yuzhong.project_variant(&higher, 2025)?;
/// let infants = |p: &popalloc::Projection| p.at(2025).unwrap().band_total(0, &yuzhong.bands[0]);
/// assert!(infants(&more) > infants(&base));
/// # Ok::<(), popalloc::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variant {
    /// Factor on district fertility (≥ 0).
    pub tfr_factor: f64,
    /// Years added to e0 of both sexes.
    pub e0_shift: f64,
    /// Factor on net migration.
    pub migration_factor: f64,
    /// The areas' fertility multipliers, replacing the scenario's (one per area).
    pub fertility_multipliers: Option<Vec<f64>>,
    /// The areas' mortality multipliers, replacing the scenario's (one per area).
    pub mortality_multipliers: Option<Vec<f64>>,
    /// Yearly street deviations.
    pub streets: Option<StreetPaths>,
}

impl Default for Variant {
    fn default() -> Self {
        Self {
            tfr_factor: 1.0,
            e0_shift: 0.0,
            migration_factor: 1.0,
            fertility_multipliers: None,
            mortality_multipliers: None,
            streets: None,
        }
    }
}

/// Each street's deviation from the district in each projected step, `[step × areas + area]`.
///
/// The TFR deviation is added to the street's fertility multiplier (its TFR relative to the
/// district's; the sum is cut at 0). The e0 gap (years) becomes a factor `exp(−gap / e†)` on
/// the street's death rates, e† being the district's life disparity in that step (the mean
/// of both sexes), so that the street's e0 moves by ≈ `gap` (to first order).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StreetPaths {
    /// Number of areas.
    pub areas: usize,
    /// Deviations of the street/district TFR ratio.
    pub tfr_ratio: Vec<f64>,
    /// Deviations of the street − district e0 gap (years).
    pub e0_gap: Vec<f64>,
    /// Deviations of the street's net migration rate (net migrants a year per resident at
    /// the start of the step), added to the scenario's migrants at every age and sex in
    /// proportion to its persons; empty when the draw has none.
    pub migration_rate: Vec<f64>,
}

impl StreetPaths {
    /// Each area's AR(1) deviations over the steps of one draw, from `rng`: for each step
    /// (whose district e0, `e0_by_step`, sets the e0 gap's shock) and each area in turn, a
    /// shock to the TFR ratio, one to the e0 gap and, when `deviation.migration_sigma > 0`,
    /// one to the net migration rate (drawn only then, so that draws without it keep their
    /// streams). `None` when every σ is 0 (no deviation at all).
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::uncertainty::{StreetPaths, Uncertainty, draw_generator};
    ///
    /// let mut streets = Uncertainty::default().streets;
    /// let mut rng = draw_generator(2021, 0);
    /// let paths = StreetPaths::draw(&streets, &mut rng, &[80.8, 80.9], 3).unwrap();
    /// assert_eq!((paths.tfr_ratio.len(), paths.e0_gap.len(), paths.migration_rate.len()), (6, 6, 6));
    /// // No migration-rate shocks unless asked for.
    /// streets.migration_sigma = 0.0;
    /// let paths = StreetPaths::draw(&streets, &mut rng, &[80.8, 80.9], 3).unwrap();
    /// assert!(paths.migration_rate.is_empty());
    /// assert!(StreetPaths::draw(&Uncertainty::none().streets, &mut rng, &[80.8], 3).is_none());
    /// ```
    pub fn draw(
        deviation: &StreetDeviation,
        rng: &mut ChaCha8Rng,
        e0_by_step: &[f64],
        areas: usize,
    ) -> Option<Self> {
        use rand_distr::{Distribution as _, StandardNormal};
        let StreetDeviation {
            tfr_rho,
            tfr_sigma,
            e0_sigma,
            migration_rho,
            migration_sigma,
            ..
        } = *deviation;
        if tfr_sigma == 0.0 && e0_sigma == Some(0.0) && migration_sigma == 0.0 {
            return None;
        }
        let moving = migration_sigma > 0.0;
        // The e0 gap's parameters are bayesLife's, per 5-year step.
        let e0_rho = deviation.annual_e0_rho();
        let steps = e0_by_step.len();
        let mut tfr_ratio = vec![0.0; steps * areas];
        let mut e0_gap = vec![0.0; steps * areas];
        let mut migration_rate = vec![0.0; if moving { steps * areas } else { 0 }];
        let (mut d, mut g, mut r) = (vec![0.0; areas], vec![0.0; areas], vec![0.0; areas]);
        for (step, &e0) in e0_by_step.iter().enumerate() {
            let sigma = deviation.annual_e0_sigma(e0);
            for i in 0..areas {
                let z1: f64 = StandardNormal.sample(rng);
                let z2: f64 = StandardNormal.sample(rng);
                d[i] = tfr_rho * d[i] + tfr_sigma * z1;
                g[i] = e0_rho * g[i] + sigma * z2;
                tfr_ratio[step * areas + i] = d[i];
                e0_gap[step * areas + i] = g[i];
                if moving {
                    let z3: f64 = StandardNormal.sample(rng);
                    r[i] = migration_rho * r[i] + migration_sigma * z3;
                    migration_rate[step * areas + i] = r[i];
                }
            }
        }
        Some(Self {
            areas,
            tfr_ratio,
            e0_gap,
            migration_rate,
        })
    }
}

impl Variant {
    /// The migration factor, refused (named) when below 0 or not finite.
    pub(crate) fn check_migration_factor(&self) -> crate::Result<f64> {
        crate::error::check_parameter(
            "variant migration factor",
            self.migration_factor,
            self.migration_factor >= 0.0,
            "a finite number >= 0",
        )
    }

    /// The fertility and mortality multipliers of every area in step `step` (0 = the step
    /// from the base year), given the scenario's own and the district's life disparity `e_dagger`.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::uncertainty::{StreetPaths, Variant};
    ///
    /// let v = Variant {
    ///     streets: Some(StreetPaths {
    ///         areas: 2,
    ///         tfr_ratio: vec![0.1, -2.0],
    ///         e0_gap: vec![0.0, 1.0],
    ///         migration_rate: Vec::new(),
    ///     }),
    ///     ..Variant::default()
    /// };
    /// let (f, m) = v.multipliers(0, &[1.0, 1.0], &[1.0, 1.0], 10.0);
    /// assert_eq!(f, vec![1.1, 0.0]);
    /// assert!((m[1] - (-0.1f64).exp()).abs() < 1e-15);
    /// ```
    pub fn multipliers(
        &self,
        step: usize,
        fertility: &[f64],
        mortality: &[f64],
        e_dagger: f64,
    ) -> (Vec<f64>, Vec<f64>) {
        let mut f = self
            .fertility_multipliers
            .clone()
            .unwrap_or_else(|| fertility.to_vec());
        let mut m = self
            .mortality_multipliers
            .clone()
            .unwrap_or_else(|| mortality.to_vec());
        if let Some(paths) = &self.streets {
            let at = step * paths.areas;
            for (i, (fi, mi)) in f.iter_mut().zip(m.iter_mut()).enumerate() {
                if let Some(d) = paths.tfr_ratio.get(at + i) {
                    *fi = (*fi + d).max(0.0);
                }
                if let Some(g) = paths.e0_gap.get(at + i)
                    && e_dagger > 0.0
                {
                    *mi *= (-g / e_dagger).exp();
                }
            }
        }
        (f, m)
    }
}
