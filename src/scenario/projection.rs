//! From a scenario's assumptions to the rates of every step, and the projection itself.

use crate::demography::brass::brass_for_e0;
use crate::demography::fertility::{FertileAges, Fertility};
use crate::demography::life_table::LifeTable;
use crate::demography::migration::Migrants;
use crate::demography::population::OMEGA;
use crate::demography::projection::{Projection, Projector, StepInput};
use crate::demography::rates::StepRates;
use crate::demography::sex::Sex;
use crate::error::{Error, Result};
use crate::scenario::Scenario;
use crate::scenario::assumptions::{FertilityAssumption, MortalityAssumption, for_year};

impl Scenario {
    /// The rates and migrants of the one-year step that starts in `year` (the interval
    /// `[year, year + 1)`): assumptions given by year apply from that year on, and paths
    /// (TFR, e0) are read at `year`.
    ///
    /// # Errors
    ///
    /// [`Error::NoConvergence`] when an e0 on the path cannot be reached from the standard
    /// with Brass's model; [`Error::InvalidParameter`] or [`Error::InvalidRate`] when a
    /// schedule built for the year is out of range (e.g. a negative TFR).
    ///
    /// # Examples
    ///
    /// ```
    /// let yuzhong = popalloc::Scenario::yuzhong()?;
    /// let step = yuzhong.step_input(2020)?;
    /// assert!(step.rates.total_fertility_rate() < 1.5);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn step_input(&self, year: i32) -> Result<StepInput> {
        let (fertility, srb) = &self.fertility;
        let asfr = match fertility {
            FertilityAssumption::Asfr(map) => for_year(map, year)
                .cloned()
                .unwrap_or_else(|| vec![0.0; OMEGA + 1]),
            FertilityAssumption::TfrShape { tfr, shape } => {
                Fertility::from_shape(shape, tfr.at(year))?.into_vec()
            }
            FertilityAssumption::TfrGamma { tfr, mean_age, sd } => {
                Fertility::gamma(tfr.at(year), *mean_age, *sd, FertileAges::default())?.into_vec()
            }
        };
        let [female, male] = self.life_tables(year)?;
        let rates = StepRates::from_life_tables(&female, &male, asfr, *srb)?;
        let migrants = match self
            .migration
            .by_age
            .as_ref()
            .and_then(|map| for_year(map, year))
        {
            Some(m) => m.clone(),
            None => {
                let totals: Vec<f64> = self.areas.iter().map(|a| a.net_migration).collect();
                Migrants::from_totals(
                    &totals,
                    self.migration.female_share,
                    &self.migration.schedule.schedule(OMEGA + 1),
                    1.0,
                )?
            }
        };
        Ok(StepInput { rates, migrants })
    }

    /// The district life tables (female, male) of the step starting in `year`.
    ///
    /// # Errors
    ///
    /// As [`Scenario::step_input`].
    pub fn life_tables(&self, year: i32) -> Result<[LifeTable; 2]> {
        match &self.mortality {
            MortalityAssumption::Mx(map) => {
                let [f, m] = for_year(map, year).ok_or(Error::InvalidParameter {
                    parameter: "year of the death rates",
                    value: f64::from(year),
                    range: "a year the mx file covers",
                })?;
                Ok([
                    LifeTable::from_mx(Sex::Female, f)?,
                    LifeTable::from_mx(Sex::Male, m)?,
                ])
            }
            MortalityAssumption::Brass { e0, standard, beta } => {
                let (_, female) = brass_for_e0(&standard[0], e0[0].at(year), *beta)?;
                let (_, male) = brass_for_e0(&standard[1], e0[1].at(year), *beta)?;
                Ok([female, male])
            }
        }
    }

    /// The engine for this scenario's areas: single years, its migration timing and each
    /// area's fertility and mortality multipliers.
    ///
    /// # Errors
    ///
    /// None for a validated scenario; the errors of [`Projector::with_multipliers`].
    pub fn projector(&self) -> Result<Projector> {
        Projector::new(
            1,
            OMEGA + 1,
            self.areas.len(),
            self.file.migration_timing.unwrap_or_default(),
        )?
        .with_multipliers(
            self.areas.iter().map(|a| a.fertility_multiplier).collect(),
            self.areas.iter().map(|a| a.mortality_multiplier).collect(),
        )
    }

    /// Projects the base population from the base year to `horizon` (a year after the
    /// base), one year at a time.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when `horizon` is not after the base year; the errors of
    /// [`Scenario::step_input`] and [`Projector::project`].
    ///
    /// # Examples
    ///
    /// ```
    /// let yuzhong = popalloc::Scenario::yuzhong()?;
    /// let projection = yuzhong.project(2025)?;
    /// assert_eq!(projection.states.len(), 6);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn project(&self, horizon: i32) -> Result<Projection> {
        let base = self.base_year();
        if horizon <= base {
            return Err(Error::InvalidParameter {
                parameter: "projection horizon (year)",
                value: f64::from(horizon),
                range: "a year after the base year",
            });
        }
        let steps = (base..horizon)
            .map(|year| self.step_input(year))
            .collect::<Result<Vec<_>>>()?;
        self.projector()?.project(&self.base, base, &steps, None)
    }
}
