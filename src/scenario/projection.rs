//! From a scenario's assumptions to the rates of every step, and the projection itself.

use crate::demography::fertility::{FertileAges, Fertility};
use crate::demography::life_table::LifeTable;
use crate::demography::migration::{Migrants, add_rate_migrants};
use crate::demography::population::OMEGA;
use crate::demography::population::Population;
use crate::demography::projection::{Projection, Projector, StepFlows, StepInput};
use crate::demography::rates::StepRates;
use crate::error::{Error, Result, check_parameter};
use crate::scenario::Scenario;
use crate::scenario::assumptions::{FertilityAssumption, for_year};
use crate::scenario::{HORIZON_RANGE, horizon_in_reach};
use crate::uncertainty::Variant;

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
        self.step_input_variant(year, &Variant::default())
    }

    /// The rates and migrants of the step that starts in `year` under a [`Variant`] (its
    /// district factors and e0 shift; street deviations act through the projector).
    ///
    /// # Errors
    ///
    /// As [`Scenario::step_input`]; [`Error::InvalidParameter`] for a negative or
    /// non-finite TFR or migration factor, or a non-finite e0 shift.
    pub fn step_input_variant(&self, year: i32, variant: &Variant) -> Result<StepInput> {
        let [female, male] = self.life_tables_variant(year, variant.e0_shift)?;
        self.step_input_from(year, variant, &female, &male)
    }

    fn step_input_from(
        &self,
        year: i32,
        variant: &Variant,
        female: &LifeTable,
        male: &LifeTable,
    ) -> Result<StepInput> {
        Ok(StepInput {
            rates: self.step_rates(year, variant, female, male)?,
            migrants: self.step_migrants(year, variant)?,
        })
    }

    /// The step's net migrants with the variant's street migration-rate deviations added:
    /// `rate × the street's population` at the start of the step, at every age and sex in
    /// proportion to its persons (the street grows or shrinks by that rate, all ages alike);
    /// `None` when the variant has none for this step.
    fn street_migrants(
        &self,
        variant: &Variant,
        step: usize,
        current: &Population,
        migrants: &Migrants,
    ) -> Result<Option<Migrants>> {
        let Some(paths) = variant.streets.as_ref() else {
            return Ok(None);
        };
        let areas = self.areas.len();
        let Some(rates) = paths.migration_rate.get(step * areas..(step + 1) * areas) else {
            return Ok(None);
        };
        let mut values = migrants.values().to_vec();
        add_rate_migrants(&mut values, current.values(), rates);
        Migrants::from_values(areas, OMEGA + 1, values).map(Some)
    }

    /// The district rates of the step starting in `year` from its life tables (also what
    /// each Monte Carlo draw steps with).
    pub(crate) fn step_rates(
        &self,
        year: i32,
        variant: &Variant,
        female: &LifeTable,
        male: &LifeTable,
    ) -> Result<StepRates> {
        check_parameter(
            "variant TFR factor",
            variant.tfr_factor,
            variant.tfr_factor >= 0.0,
            ">= 0",
        )?;
        let (fertility, srb) = (&self.fertility.schedule, &self.fertility.sex_ratio_at_birth);
        let factor = variant.tfr_factor;
        let asfr = match fertility {
            FertilityAssumption::Asfr(map) => for_year(map, year)
                .map(|v| v.iter().map(|f| f * factor).collect())
                .unwrap_or_else(|| vec![0.0; OMEGA + 1]),
            FertilityAssumption::TfrShape { tfr, shape } => {
                Fertility::from_shape(shape, tfr.at(year) * factor)?.into_vec()
            }
            FertilityAssumption::TfrGamma { tfr, mean_age, sd } => Fertility::gamma(
                tfr.at(year) * factor,
                *mean_age,
                *sd,
                FertileAges::default(),
            )?
            .into_vec(),
        };
        StepRates::from_life_tables(female, male, asfr, *srb)
    }

    /// The net migrants of the step starting in `year`, times the variant's factor.
    fn step_migrants(&self, year: i32, variant: &Variant) -> Result<Migrants> {
        variant.check_migration_factor()?;
        let scale = variant.migration_factor;
        match self
            .migration
            .by_age
            .as_ref()
            .and_then(|map| for_year(map, year))
        {
            Some(m) => Migrants::from_values(
                m.area_count(),
                m.groups(),
                m.values().iter().map(|v| v * scale).collect(),
            ),
            None => {
                let totals: Vec<f64> = self.areas.iter().map(|a| a.net_migration * scale).collect();
                Migrants::from_totals(
                    &totals,
                    self.migration.female_share,
                    &self.migration.schedule.schedule(OMEGA + 1)?,
                    1.0,
                )
            }
        }
    }

    /// The district life tables (female, male) of the step starting in `year`.
    ///
    /// # Errors
    ///
    /// As [`Scenario::step_input`].
    pub fn life_tables(&self, year: i32) -> Result<[LifeTable; 2]> {
        self.life_tables_variant(year, 0.0)
    }

    /// The district life tables of the step starting in `year` with `e0_shift` years added
    /// to e0 of both sexes (Brass paths directly; death-rate files through a Brass step with
    /// the year's table as the standard and β = 1). A shift of 0 changes nothing.
    ///
    /// # Errors
    ///
    /// As [`Scenario::step_input`]; [`Error::NoConvergence`] when the shifted e0 cannot be
    /// reached; [`Error::InvalidParameter`] for a non-finite shift.
    ///
    /// # Examples
    ///
    /// ```
    /// let yuzhong = popalloc::Scenario::yuzhong()?;
    /// let [f, _] = yuzhong.life_tables(2020)?;
    /// let [g, _] = yuzhong.life_tables_variant(2020, 1.5)?;
    /// assert!((g.life_expectancy() - f.life_expectancy() - 1.5).abs() < 1e-3);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn life_tables_variant(&self, year: i32, e0_shift: f64) -> Result<[LifeTable; 2]> {
        self.mortality.life_tables(year, e0_shift)
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

    /// Checks that `horizon` is after the base year and at most [`MAX_PROJECTION_YEARS`](crate::scenario::MAX_PROJECTION_YEARS)
    /// after it; `parameter` names it in the error.
    pub(crate) fn check_horizon(&self, horizon: i32, parameter: &'static str) -> Result<()> {
        if !horizon_in_reach(self.base_year(), horizon) {
            return Err(Error::InvalidParameter {
                parameter,
                value: f64::from(horizon),
                range: HORIZON_RANGE,
            });
        }
        Ok(())
    }

    /// Projects the base population from the base year to `horizon` (a year after the
    /// base), one year at a time.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when `horizon` is not after the base year or more than
    /// [`MAX_PROJECTION_YEARS`](crate::scenario::MAX_PROJECTION_YEARS) after it; the errors of
    /// [`Scenario::step_input`] and [`Projector::project`]; [`Error::Inconsistent`] when
    /// the scenario's parts do not fit together ([`Scenario::check_consistent`]).
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
        self.project_variant(&Variant::default(), horizon)
    }

    /// Projects the base population to `horizon` under a [`Variant`], keeping every state
    /// and flow.
    ///
    /// # Errors
    ///
    /// As [`Scenario::project_variant_with`].
    pub fn project_variant(&self, variant: &Variant, horizon: i32) -> Result<Projection> {
        let mut states = vec![(self.base_year(), self.base.clone())];
        let mut flows = Vec::new();
        self.project_variant_with(variant, horizon, |year, pop, step| {
            states.push((year, pop.clone()));
            flows.push(step.clone());
        })?;
        Ok(Projection { states, flows })
    }

    /// Projects under a [`Variant`] and hands each end-of-step population and the step's
    /// flows to `visit` (memory: two populations). Each step's multipliers come from
    /// [`Variant::multipliers`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when `horizon` is not after the base year or more than
    /// [`MAX_PROJECTION_YEARS`](crate::scenario::MAX_PROJECTION_YEARS) after it; the errors of
    /// [`Scenario::step_input_variant`] and [`Projector::step`]; [`Error::LengthMismatch`]
    /// when the variant's multipliers are not one per area; [`Error::Inconsistent`] when
    /// the scenario's parts do not fit together ([`Scenario::check_consistent`]: a NaN in
    /// the base population, a per-area vector of the wrong length, …).
    pub fn project_variant_with(
        &self,
        variant: &Variant,
        horizon: i32,
        visit: impl FnMut(i32, &Population, &StepFlows),
    ) -> Result<()> {
        self.check_consistent()?;
        self.project_checked(variant, horizon, visit)
    }

    /// [`Scenario::project_variant_with`] for a scenario already checked
    /// ([`Scenario::check_consistent`]): a Monte Carlo run checks once, not once a draw.
    pub(crate) fn project_checked(
        &self,
        variant: &Variant,
        horizon: i32,
        mut visit: impl FnMut(i32, &Population, &StepFlows),
    ) -> Result<()> {
        let base = self.base_year();
        self.check_horizon(horizon, "projection horizon (year)")?;
        let mut projector = self.projector()?;
        let own_fertility: Vec<f64> = self.areas.iter().map(|a| a.fertility_multiplier).collect();
        let own_mortality: Vec<f64> = self.areas.iter().map(|a| a.mortality_multiplier).collect();
        let moves = variant.fertility_multipliers.is_some()
            || variant.mortality_multipliers.is_some()
            || variant.streets.is_some();
        let mut current = self.base.clone();
        let mut next = self.base.clone();
        let mut flows = StepFlows::zeros(self.areas.len(), OMEGA + 1)?;
        // Net migrants from the areas' yearly totals are the same every step: made once.
        let mut input: Option<StepInput> = None;
        for (step, year) in (base..horizon).enumerate() {
            let [female, male] = self.life_tables_variant(year, variant.e0_shift)?;
            let rates = self.step_rates(year, variant, &female, &male)?;
            let input = match input.as_mut() {
                Some(input) if self.migration.by_age.is_none() => {
                    input.rates = rates;
                    input
                }
                _ => input.insert(StepInput {
                    rates,
                    migrants: self.step_migrants(year, variant)?,
                }),
            };
            if moves {
                let e_dagger = 0.5 * (female.life_disparity() + male.life_disparity());
                let (f, m) = variant.multipliers(step, &own_fertility, &own_mortality, e_dagger);
                projector.set_multipliers(f, m)?;
            }
            match self.street_migrants(variant, step, &current, &input.migrants)? {
                Some(moved) => {
                    // The step's own migrants stand aside for this step only (they are
                    // reused by the next), so the rates are not copied.
                    let own = std::mem::replace(&mut input.migrants, moved);
                    let stepped = projector.step(&current, input, &mut next, &mut flows);
                    input.migrants = own;
                    stepped?;
                }
                None => projector.step(&current, input, &mut next, &mut flows)?,
            }
            flows.start_year = year;
            flows.end_year = year + 1;
            visit(year + 1, &next, &flows);
            std::mem::swap(&mut current, &mut next);
        }
        Ok(())
    }
}
