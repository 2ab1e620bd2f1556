//! Tuning a scenario from Rust: typed setters for the cohort assumptions (TFR path, e0 by
//! sex, migration), a re-check of a scenario changed in code, and results read by name.

use std::collections::BTreeMap;

use crate::allocate::Plan;
use crate::demography::projection::Projection;
use crate::demography::sex::Sex;
use crate::error::{Error, Result};
use crate::scenario::Scenario;
use crate::scenario::assumptions::{FertilityAssumption, MortalityAssumption, YearPath};

impl Scenario {
    /// Re-checks a scenario built or changed in code as the loader checks its files: every
    /// part fits the others and every value is within the loader's ranges (a TFR from 0 to
    /// 20, an e0 from 15 to 110 years, …). The same as [`Scenario::check_consistent`],
    /// which every entry point runs first.
    ///
    /// # Errors
    ///
    /// [`Error::Inconsistent`] naming the field and the value.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Scenario, Sex, YearPath};
    ///
    /// let mut yuzhong = Scenario::yuzhong()?;
    /// assert!(yuzhong.validate().is_ok());
    /// // An e0 of 200, set in code, is refused as e0.csv would refuse it.
    /// if let popalloc::MortalityAssumption::Brass { e0, .. } = &mut yuzhong.mortality {
    ///     e0[Sex::Female.index()] = YearPath::constant(200.0);
    /// }
    /// assert!(yuzhong.validate().is_err());
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn validate(&self) -> Result<()> {
        self.check_consistent()
    }

    /// The scenario with its TFR path replaced (a TFR path with a shape or a gamma curve;
    /// the age shape is kept), re-checked.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when the scenario gives fertility as rates by age (no
    /// TFR path to replace); the errors of [`Scenario::validate`] (a TFR above 20).
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Scenario, YearPath};
    ///
    /// let yuzhong = Scenario::yuzhong()?;
    /// let higher = yuzhong.clone().with_tfr_path(YearPath::new(vec![(2020, 0.6), (2025, 1.0)])?)?;
    /// let infants = |s: &Scenario| s.band_total(&s.project(2025).unwrap(), 2025, None, "infants");
    /// assert!(infants(&higher) > infants(&yuzhong));
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn with_tfr_path(mut self, path: YearPath) -> Result<Self> {
        match &mut self.fertility.schedule {
            FertilityAssumption::TfrShape { tfr, .. }
            | FertilityAssumption::TfrGamma { tfr, .. } => {
                *tfr = path;
            }
            FertilityAssumption::Asfr(_) => {
                return Err(Error::InvalidParameter {
                    parameter: "TFR path (the scenario gives fertility as rates by age)",
                    value: f64::NAN,
                    range: "a scenario with a TFR path: tfr with a shape or a gamma curve",
                });
            }
        }
        self.validate()?;
        Ok(self)
    }

    /// The scenario with the e0 path of one sex replaced (Brass mortality), re-checked.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when the scenario gives death rates (no e0 path); the
    /// errors of [`Scenario::validate`] (an e0 outside 15–110 years).
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Scenario, Sex, YearPath};
    ///
    /// let yuzhong = Scenario::yuzhong()?;
    /// let longer = yuzhong.clone().with_e0(Sex::Male, YearPath::new(vec![(2020, 80.0), (2025, 82.0)])?)?;
    /// let elderly = |s: &Scenario| s.band_total(&s.project(2025).unwrap(), 2025, None, "elderly");
    /// assert!(elderly(&longer) > elderly(&yuzhong));
    /// assert!(yuzhong.with_e0(Sex::Female, YearPath::constant(200.0)).is_err());
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn with_e0(mut self, sex: Sex, path: YearPath) -> Result<Self> {
        match &mut self.mortality {
            MortalityAssumption::Brass { e0, .. } => e0[sex.index()] = path,
            MortalityAssumption::Mx(_) => {
                return Err(Error::InvalidParameter {
                    parameter: "e0 path (the scenario gives death rates)",
                    value: f64::NAN,
                    range: "a scenario with e0 paths and a standard (Brass)",
                });
            }
        }
        self.validate()?;
        Ok(self)
    }

    /// The scenario with every area's net migration multiplied by `factor` (its yearly
    /// totals, and its migrants by age where a schedule gives them), re-checked.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a factor that is negative or not finite; the errors of
    /// [`Scenario::validate`].
    ///
    /// # Examples
    ///
    /// ```
    /// let yuzhong = popalloc::Scenario::yuzhong()?;
    /// let none = yuzhong.clone().with_migration_factor(0.0)?;
    /// assert!(none.areas.iter().all(|a| a.net_migration == 0.0));
    /// assert!(yuzhong.with_migration_factor(-1.0).is_err());
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn with_migration_factor(mut self, factor: f64) -> Result<Self> {
        if !(factor.is_finite() && factor >= 0.0) {
            return Err(Error::InvalidParameter {
                parameter: "migration factor",
                value: factor,
                range: "a finite number >= 0",
            });
        }
        for area in &mut self.areas {
            area.net_migration *= factor;
        }
        if let Some(by_year) = &mut self.migration.by_age {
            for migrants in by_year.values_mut() {
                let values = migrants.values().iter().map(|v| v * factor).collect();
                *migrants = crate::demography::migration::Migrants::from_values(
                    migrants.area_count(),
                    migrants.groups(),
                    values,
                )?;
            }
        }
        self.validate()?;
        Ok(self)
    }

    /// Persons of the band named `band` in `year` of `projection`, in the area with id
    /// `area` or, with `None`, the whole district; `None` when the year, area or band is
    /// not there.
    ///
    /// # Examples
    ///
    /// ```
    /// let yuzhong = popalloc::Scenario::yuzhong()?;
    /// let projection = yuzhong.project(2025)?;
    /// let district = yuzhong.band_total(&projection, 2020, None, "elderly").unwrap();
    /// assert!((district - 116_320.0).abs() < 1e-6);
    /// let street = yuzhong.band_total(&projection, 2025, Some("jiefangbei"), "elderly").unwrap();
    /// assert!(street > 0.0 && street < district);
    /// assert_eq!(yuzhong.band_total(&projection, 2025, Some("nowhere"), "elderly"), None);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn band_total(
        &self,
        projection: &Projection,
        year: i32,
        area: Option<&str>,
        band: &str,
    ) -> Option<f64> {
        let band = &self.bands[self.band_index(band)?];
        let population = projection.at(year)?;
        match area {
            Some(id) => Some(population.band_total(population.area_index(id)?, band)),
            None => Some(
                (0..population.area_count())
                    .map(|a| population.band_total(a, band))
                    .sum(),
            ),
        }
    }
}

impl Plan {
    /// What the plan adds over its years, by area id and service id (units, all variants
    /// and years together).
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Allocation, AllocationOptions, Need, Scenario, allocate};
    ///
    /// let yuzhong = Scenario::yuzhong()?;
    /// let need = Need::from_projection(&yuzhong, &yuzhong.project(2025)?)?;
    /// let Allocation::Plan(plan) = allocate(&yuzhong, &need, &AllocationOptions::default())? else {
    ///     panic!("the default plan holds");
    /// };
    /// let added = plan.additions_by_area();
    /// let beds: f64 = added.values().map(|services| services["elder_beds"]).sum();
    /// assert!(beds > 1_000.0);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn additions_by_area(&self) -> BTreeMap<String, BTreeMap<String, f64>> {
        let mut out: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
        for row in &self.rows {
            *out.entry(row.area.clone())
                .or_default()
                .entry(row.service.clone())
                .or_default() += row.added;
        }
        out
    }
}
