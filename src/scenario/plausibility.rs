//! Demographic plausibility: values that a scenario accepts (they are valid numbers within
//! the loader's ranges) but that no population has shown, and that are most often a typing
//! slip (a TFR of 85 meant as 0.85). They are warnings, never errors: `popalloc validate`
//! lists them and the memo repeats them.

use std::fmt;

use crate::demography::sex::Sex;
use crate::scenario::Scenario;
use crate::scenario::assumptions::{FertilityAssumption, MortalityAssumption};

/// The highest plausible total fertility rate, children per woman (the highest national
/// TFRs on record are near 8).
pub const MAX_PLAUSIBLE_TFR: f64 = 8.0;

/// The plausible range of life expectancy at birth, years.
pub const PLAUSIBLE_E0: (f64, f64) = (20.0, 95.0);

/// The plausible range of the sex ratio at birth, males per female birth.
pub const PLAUSIBLE_SRB: (f64, f64) = (0.9, 1.2);

/// The largest plausible net migration of an area in a year, as a share of its base
/// population (in or out).
pub const MAX_PLAUSIBLE_MIGRATION_SHARE: f64 = 0.1;

/// One value outside demographic plausibility.
///
/// # Examples
///
/// ```
/// let yuzhong = popalloc::Scenario::yuzhong()?;
/// assert!(yuzhong.plausibility_warnings().is_empty());
/// # Ok::<(), popalloc::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PlausibilityWarning {
    /// What the value is, e.g. `fertility TFR in 2020`.
    pub setting: String,
    /// The value found.
    pub value: f64,
    /// The plausible range in words.
    pub plausible: &'static str,
}

impl fmt::Display for PlausibilityWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is {}: outside {} (valid, but check it is meant)",
            self.setting,
            crate::error::shown(self.value),
            self.plausible
        )
    }
}

impl Scenario {
    /// The values of this scenario outside demographic plausibility: a TFR above
    /// [`MAX_PLAUSIBLE_TFR`], an e0 outside [`PLAUSIBLE_E0`] (the paths of a Brass
    /// assumption; the life tables of the base year for death rates from a file), a sex
    /// ratio at birth outside [`PLAUSIBLE_SRB`], and an area whose yearly net migration
    /// is more than [`MAX_PLAUSIBLE_MIGRATION_SHARE`] of its base population.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::YearPath;
    /// use popalloc::scenario::assumptions::FertilityAssumption;
    ///
    /// let mut scenario = popalloc::Scenario::yuzhong()?;
    /// // A TFR of 85, meant as 0.85.
    /// if let FertilityAssumption::TfrShape { tfr, .. } = &mut scenario.fertility.schedule {
    ///     *tfr = YearPath::new(vec![(2020, 85.0)])?;
    /// }
    /// let warnings = scenario.plausibility_warnings();
    /// assert_eq!(warnings.len(), 1);
    /// assert_eq!(warnings[0].value, 85.0);
    /// assert!(warnings[0].to_string().contains("TFR"));
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn plausibility_warnings(&self) -> Vec<PlausibilityWarning> {
        let mut out = Vec::new();
        let (fertility, srb) = (&self.fertility.schedule, &self.fertility.sex_ratio_at_birth);
        let mut tfr_points = |points: &[(i32, f64)]| {
            for &(year, value) in points {
                if value > MAX_PLAUSIBLE_TFR {
                    out.push(PlausibilityWarning {
                        setting: format!("fertility: the TFR in {year}"),
                        value,
                        plausible: "0 to 8 children per woman",
                    });
                }
            }
        };
        match fertility {
            FertilityAssumption::TfrShape { tfr, .. }
            | FertilityAssumption::TfrGamma { tfr, .. } => {
                tfr_points(tfr.points());
            }
            FertilityAssumption::Asfr(map) => {
                let points: Vec<(i32, f64)> = map
                    .iter()
                    .map(|(year, asfr)| {
                        (year.unwrap_or(self.base_year()), asfr.iter().sum::<f64>())
                    })
                    .collect();
                tfr_points(&points);
            }
        }
        if !(PLAUSIBLE_SRB.0..=PLAUSIBLE_SRB.1).contains(srb) {
            out.push(PlausibilityWarning {
                setting: "fertility: the sex ratio at birth".into(),
                value: *srb,
                plausible: "0.9 to 1.2 males per female birth",
            });
        }
        let e0_range = "20 to 95 years";
        let implausible_e0 = |e0: f64| !(PLAUSIBLE_E0.0..=PLAUSIBLE_E0.1).contains(&e0);
        match &self.mortality {
            MortalityAssumption::Brass { e0, .. } => {
                for sex in Sex::ALL {
                    for &(year, value) in e0[sex.index()].points() {
                        if implausible_e0(value) {
                            out.push(PlausibilityWarning {
                                setting: format!("mortality: {} e0 in {year}", sex.as_str()),
                                value,
                                plausible: e0_range,
                            });
                        }
                    }
                }
            }
            MortalityAssumption::Mx(_) => {
                if let Ok(tables) = self.mortality.life_tables(self.base_year(), 0.0) {
                    for sex in Sex::ALL {
                        let value = tables[sex.index()].life_expectancy();
                        if implausible_e0(value) {
                            out.push(PlausibilityWarning {
                                setting: format!(
                                    "mortality: {} e0 of the death rates in {}",
                                    sex.as_str(),
                                    self.base_year()
                                ),
                                value,
                                plausible: e0_range,
                            });
                        }
                    }
                }
            }
        }
        for (a, area) in self.areas.iter().enumerate() {
            let population = self.base.area_total(a);
            let mut yearly = vec![(None, area.net_migration)];
            if let Some(by_age) = &self.migration.by_age {
                yearly = by_age
                    .iter()
                    .map(|(year, m)| {
                        let total = Sex::ALL
                            .iter()
                            .map(|&sex| m.area_sex_total(a, sex))
                            .sum::<f64>();
                        (*year, total)
                    })
                    .collect();
            }
            for (year, net) in yearly {
                if net.abs() > MAX_PLAUSIBLE_MIGRATION_SHARE * population {
                    let when = year.map_or(String::from("a year"), |y| format!("in {y}"));
                    out.push(PlausibilityWarning {
                        setting: format!(
                            "migration: net migrants of {} {when} ({:.1} % of its {:.0} residents)",
                            area.id,
                            100.0 * net / population.max(f64::MIN_POSITIVE),
                            population
                        ),
                        value: net,
                        plausible: "at most a tenth of the area's population a year, in or out",
                    });
                }
            }
        }
        out
    }
}
