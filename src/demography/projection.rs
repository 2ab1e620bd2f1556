//! The cohort-component projection (CCMPP) of DESIGN §4, for many areas at once.

use crate::demography::migration::Migrants;
use crate::demography::population::Population;
use crate::demography::rates::{ScaledSurvival, StepRates};
use crate::demography::sex::Sex;
use crate::error::{Error, Result, check_parameter};

/// When net migrants join the population during a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MigrationTiming {
    /// Half join the start population (exposed to death and ageing), half the end
    /// population at the same age: the UN convention (WPP, bayesPop, Preston et al. 2001).
    #[default]
    Even,
    /// All join at the end of the step, after deaths and births.
    End,
}

/// The flows of one step, per area and sex, plus births by mother's age per area.
///
/// Every figure belongs to the interval `[start_year, end_year)` between two population
/// states. `migrants` are the net migrants actually applied: the input counts plus
/// `unremoved`, the persons that out-migration asked to remove from a cell already empty
/// (reported, never silently dropped). `control` is what district control added (negative:
/// removed). Per area and sex:
/// `P(end) = P(start) + births − deaths + migrants + control`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StepFlows {
    /// The year the step starts (the date of the start population).
    pub start_year: i32,
    /// The year the step ends (the date of the end population).
    pub end_year: i32,
    /// Births by area and sex of the child, `[area * 2 + sex]`.
    pub births: Vec<f64>,
    /// Deaths by area and sex, `[area * 2 + sex]` (including deaths of the step's births).
    pub deaths: Vec<f64>,
    /// Net migrants applied by area and sex, `[area * 2 + sex]`.
    pub migrants: Vec<f64>,
    /// Persons out-migration could not remove because the cell was empty, `[area * 2 + sex]`.
    pub unremoved: Vec<f64>,
    /// Persons added by district control, `[area * 2 + sex]` (0 without control).
    pub control: Vec<f64>,
    /// Births by area and age group of the mother, `[area * groups + age]`.
    pub births_by_age: Vec<f64>,
}

impl StepFlows {
    /// Zero flows for `areas` areas and `groups` age groups.
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`] when `areas × 2` or `areas × groups` does not fit a `usize` or
    /// the memory for the flows cannot be reserved.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Error, StepFlows};
    ///
    /// let flows = StepFlows::zeros(3, 101)?;
    /// assert_eq!(flows.births_by_mother_age(2).len(), 101);
    /// assert!(matches!(StepFlows::zeros(usize::MAX, 101), Err(Error::TooLarge { .. })));
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn zeros(areas: usize, groups: usize) -> Result<Self> {
        const BY_SEX: &str = "flows by area and sex (areas x 2)";
        const BY_AGE: &str = "births by area and age of the mother (areas x age groups)";
        let by_sex = crate::size::product(BY_SEX, &[areas, 2])?;
        let by_age = crate::size::product(BY_AGE, &[areas, groups])?;
        Ok(Self {
            start_year: 0,
            end_year: 0,
            births: crate::size::filled(BY_SEX, by_sex, 0.0)?,
            deaths: crate::size::filled(BY_SEX, by_sex, 0.0)?,
            migrants: crate::size::filled(BY_SEX, by_sex, 0.0)?,
            unremoved: crate::size::filled(BY_SEX, by_sex, 0.0)?,
            control: crate::size::filled(BY_SEX, by_sex, 0.0)?,
            births_by_age: crate::size::filled(BY_AGE, by_age, 0.0)?,
        })
    }

    /// Total births in all areas.
    pub fn total_births(&self) -> f64 {
        self.births.iter().sum()
    }

    /// Births of one area by age group of the mother.
    ///
    /// # Panics
    ///
    /// When `area` is out of range.
    pub fn births_by_mother_age(&self, area: usize) -> &[f64] {
        let groups = self.births_by_age.len() / (self.births.len() / 2);
        &self.births_by_age[area * groups..(area + 1) * groups]
    }
}

/// The inputs of one step: the district's rates and every area's net migrants.
#[derive(Debug, Clone, PartialEq)]
pub struct StepInput {
    /// Survival, fertility and sex ratio at birth for the district.
    pub rates: StepRates,
    /// Net migrants by area, sex and age for the step.
    pub migrants: Migrants,
}

/// A projection: the population at every date from the base to the horizon and the flows
/// between them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Projection {
    /// `(year, population)` at each date, the base first.
    pub states: Vec<(i32, Population)>,
    /// The flows of each step, in order; `flows[k]` lies between `states[k]` and `states[k+1]`.
    pub flows: Vec<StepFlows>,
}

impl Projection {
    /// The population at `year`, if it is one of the projection's dates.
    pub fn at(&self, year: i32) -> Option<&Population> {
        self.states.iter().find(|(y, _)| *y == year).map(|(_, p)| p)
    }

    /// The last (horizon) population.
    pub fn horizon(&self) -> Option<&(i32, Population)> {
        self.states.last()
    }
}

/// The cohort-component engine for a set of areas: step width, migration timing and the
/// areas' multipliers on the district's fertility and mortality.
///
/// # Formula (DESIGN §4)
///
/// For each area, sex s and step t → t+n, with survival ratios S indexed by arrival age and
/// h = ½ ("even") or 0 ("end"):
///
/// ```text
/// P*(x)       = P(x, t) + h M(x)
/// P(x, t+n)   = S(x) P*(x−1) + h M(x)                        1 ≤ x ≤ ω−1
/// P(ω, t+n)   = S(ω) (P*(ω−1) + P*(ω)) + h M(ω)
/// B           = n Σ f(x) ½ (W*(x) + W(x, t+n))               W: females (before "end" migrants)
/// B_f = B / (1 + SRB),  B_m = B · SRB / (1 + SRB)
/// P(0, t+n)   = S(0) B_s + h M(0)
/// ```
///
/// then, for "end", + M(x) everywhere. A cell that would go negative is set to 0 and the
/// persons not removed are reported in [`StepFlows::unremoved`].
///
/// # References
///
/// Preston, S. H., Heuveline, P. & Guillot, M. (2001), *Demography*, ch. 6; United Nations
/// (1956), *Manual III*.
///
/// # Examples
///
/// ```
/// use popalloc::{LifeTable, MigrationTiming, Migrants, Population, Projector, Sex, StepInput, StepRates};
///
/// let mx: Vec<f64> = (0..=100).map(|x| 0.0001 * (0.09 * x as f64).exp() + 0.001).collect();
/// let (f, m) = (LifeTable::from_mx(Sex::Female, &mx)?, LifeTable::from_mx(Sex::Male, &mx)?);
/// let mut asfr = vec![0.0; 101];
/// for age in 15..50 { asfr[age] = 1.2 / 35.0; }
/// let rates = StepRates::from_life_tables(&f, &m, asfr, 1.06)?;
/// let mut base = Population::zeros(vec!["Daping".into()], 1, 101)?;
/// for sex in Sex::ALL { base.series_mut(0, sex).fill(1000.0); }
///
/// let projector = Projector::new(1, 101, 1, MigrationTiming::Even)?;
/// let steps = vec![StepInput { rates, migrants: Migrants::zeros(1, 101)? }; 5];
/// let projection = projector.project(&base, 2020, &steps, None)?;
/// let (year, horizon) = projection.horizon().unwrap();
/// assert_eq!(*year, 2025);
/// assert!(horizon.total() < base.total()); // low fertility, no migration
/// # Ok::<(), popalloc::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Projector {
    width: usize,
    groups: usize,
    timing: MigrationTiming,
    fertility_multipliers: Vec<f64>,
    mortality_multipliers: Vec<f64>,
}

impl Projector {
    /// An engine for `areas` areas, age groups `width` years wide (also the step length),
    /// `groups` groups, all multipliers 1.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when `width` is 0, `groups` < 3 or `areas` is 0;
    /// [`Error::TooLarge`] when the memory for one multiplier per area cannot be reserved.
    pub fn new(width: usize, groups: usize, areas: usize, timing: MigrationTiming) -> Result<Self> {
        check_parameter("step width n (years)", width as f64, width >= 1, ">= 1")?;
        check_parameter("number of age groups", groups as f64, groups >= 3, ">= 3")?;
        check_parameter("number of areas", areas as f64, areas >= 1, ">= 1")?;
        const MULTIPLIERS: &str = "area multipliers (areas)";
        Ok(Self {
            width,
            groups,
            timing,
            fertility_multipliers: crate::size::filled(MULTIPLIERS, areas, 1.0)?,
            mortality_multipliers: crate::size::filled(MULTIPLIERS, areas, 1.0)?,
        })
    }

    /// Sets each area's multipliers on the district's ASFR and on its death rates m(x).
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] when there is not one multiplier per area;
    /// [`Error::InvalidRate`] for a multiplier that is negative or not finite (its `age` is
    /// the area's index), or a mortality multiplier of 0.
    pub fn with_multipliers(mut self, fertility: Vec<f64>, mortality: Vec<f64>) -> Result<Self> {
        self.set_multipliers(fertility, mortality)?;
        Ok(self)
    }

    /// Replaces each area's multipliers (as [`Projector::with_multipliers`]), e.g. between
    /// steps when they move over the years.
    ///
    /// # Errors
    ///
    /// As [`Projector::with_multipliers`]; the projector is unchanged on error.
    pub fn set_multipliers(&mut self, fertility: Vec<f64>, mortality: Vec<f64>) -> Result<()> {
        check_multipliers(&fertility, &mortality, self.fertility_multipliers.len())?;
        self.fertility_multipliers = fertility;
        self.mortality_multipliers = mortality;
        Ok(())
    }

    /// The number of areas.
    pub fn area_count(&self) -> usize {
        self.fertility_multipliers.len()
    }

    /// The migration timing.
    pub fn timing(&self) -> MigrationTiming {
        self.timing
    }

    fn check_step(&self, start: &Population, input: &StepInput) -> Result<()> {
        let areas = self.area_count();
        let checks = [
            (
                "start population areas vs projector",
                areas,
                start.area_count(),
            ),
            (
                "start population age groups vs projector",
                self.groups,
                start.groups(),
            ),
            (
                "start population group width vs projector",
                self.width,
                start.width(),
            ),
            (
                "step rates age groups vs projector",
                self.groups,
                input.rates.groups(),
            ),
            (
                "migrant areas vs projector",
                areas,
                input.migrants.area_count(),
            ),
            (
                "migrant age groups vs projector",
                self.groups,
                input.migrants.groups(),
            ),
        ];
        for (what, expected, found) in checks {
            if expected != found {
                return Err(Error::LengthMismatch {
                    what,
                    expected,
                    found,
                });
            }
        }
        let scaled = self
            .mortality_multipliers
            .iter()
            .any(|&k| (k - 1.0).abs() > 0.0);
        if scaled && (input.rates.death_rates(Sex::Female).is_none() || self.width != 1) {
            return Err(Error::InvalidParameter {
                parameter: "area mortality multipliers",
                value: f64::NAN,
                range: "1 unless the step rates come from single-year life tables",
            });
        }
        Ok(())
    }

    /// One step from `start` into `end` (same shape), filling `flows`. Allocates only
    /// three scratch schedules per call, nothing per area.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] when shapes disagree; [`Error::InvalidParameter`] when
    /// areas scale mortality but the rates carry no death rates; [`Error::InvalidRate`]
    /// when a scaled death rate gives q(x) > 1.
    pub fn step(
        &self,
        start: &Population,
        input: &StepInput,
        end: &mut Population,
        flows: &mut StepFlows,
    ) -> Result<()> {
        self.check_step(start, input)?;
        if !start.same_shape(end) {
            return Err(Error::LengthMismatch {
                what: "end population shape vs start",
                expected: start.values().len(),
                found: end.values().len(),
            });
        }
        let areas = self.area_count();
        if flows.births.len() != 2 * areas || flows.births_by_age.len() != areas * self.groups {
            *flows = StepFlows::zeros(areas, self.groups)?;
        }
        let g = self.groups;
        let rates = &input.rates;
        if areas >= PARALLEL_AREAS
            && self
                .mortality_multipliers
                .iter()
                .all(|&k| (k - 1.0).abs() == 0.0)
        {
            self.step_in_parallel(start, input, end, flows);
            return Ok(());
        }
        let mut scaled = ScaledSurvival::new(g);
        let mut scratch = vec![0.0; 2 * g];
        for area in 0..areas {
            let survival = scaled.of(rates, self.mortality_multipliers[area])?;
            let area_flows = step_area::<true>(
                start.area_values(area),
                survival,
                rates.fertility(),
                self.fertility_multipliers[area],
                rates.sex_ratio_at_birth(),
                &input.migrants.values()[area * 2 * g..(area + 1) * 2 * g],
                self.timing,
                self.width as f64,
                &mut end.values_mut()[area * 2 * g..(area + 1) * 2 * g],
                &mut flows.births_by_age[area * g..(area + 1) * g],
                &mut scratch,
            );
            area_flows.record(flows, area);
        }
        Ok(())
    }

    /// [`Projector::step`] for many areas that share the district's mortality: the areas
    /// are stepped in parallel (rayon), each on its own slices, so the result is the same
    /// bits as one thread's.
    fn step_in_parallel(
        &self,
        start: &Population,
        input: &StepInput,
        end: &mut Population,
        flows: &mut StepFlows,
    ) {
        use rayon::prelude::*;
        let g = self.groups;
        let rates = &input.rates;
        let survival = [rates.survival(Sex::Female), rates.survival(Sex::Male)];
        let migrants = input.migrants.values();
        let per_area: Vec<AreaFlows> = end
            .values_mut()
            .par_chunks_mut(2 * g)
            .zip(flows.births_by_age.par_chunks_mut(g))
            .enumerate()
            .map_init(
                || vec![0.0; 2 * g],
                |scratch, (area, (end_area, births_by_age))| {
                    step_area::<true>(
                        start.area_values(area),
                        survival,
                        rates.fertility(),
                        self.fertility_multipliers[area],
                        rates.sex_ratio_at_birth(),
                        &migrants[area * 2 * g..(area + 1) * 2 * g],
                        self.timing,
                        self.width as f64,
                        end_area,
                        births_by_age,
                        scratch,
                    )
                },
            )
            .collect();
        for (area, area_flows) in per_area.iter().enumerate() {
            area_flows.record(flows, area);
        }
    }

    /// Projects `base` (dated `base_year`) through `steps`, optionally controlled to a
    /// district projection: `control[k]` is the one-area district population at the end of
    /// step k; each (sex, age) of the areas is then scaled proportionally to sum to it, and
    /// the change is reported in [`StepFlows::control`]. Every state and flow is kept; see
    /// [`Projector::project_with`] to stream them instead.
    ///
    /// # Errors
    ///
    /// As [`Projector::project_with`].
    pub fn project(
        &self,
        base: &Population,
        base_year: i32,
        steps: &[StepInput],
        control: Option<&[Population]>,
    ) -> Result<Projection> {
        let mut states = Vec::with_capacity(steps.len() + 1);
        let mut flows = Vec::with_capacity(steps.len());
        states.push((base_year, base.clone()));
        self.project_with(base, base_year, steps, control, |year, pop, step_flows| {
            states.push((year, pop.clone()));
            flows.push(step_flows.clone());
        })?;
        Ok(Projection { states, flows })
    }

    /// Projects like [`Projector::project`] but hands each end-of-step population and the
    /// step's flows to `visit` instead of keeping them, so memory stays at two populations
    /// whatever the number of steps (the way to run 40,000 areas for 15 years).
    ///
    /// # Errors
    ///
    /// As [`Projector::step`]; [`Error::LengthMismatch`] when `control` does not have one
    /// population per step or a control population has another number of age groups;
    /// [`Error::InvalidParameter`] when a control total is positive for a (sex, age) the
    /// areas do not have at all (no proportional scaling can reach it), or when a step
    /// would end after the year 2147483647 (the states are visited up to that step);
    /// [`Error::TooLarge`] as [`StepFlows::zeros`].
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{MigrationTiming, Migrants, Population, Projector, Sex, StepInput, StepRates};
    ///
    /// let rates = StepRates::from_survival(vec![0.99; 101], vec![0.98; 101], vec![0.0; 101], 1.05)?;
    /// let mut base = Population::zeros(vec!["a".into()], 1, 101)?;
    /// base.series_mut(0, Sex::Female).fill(10.0);
    /// let steps = vec![StepInput { rates, migrants: Migrants::zeros(1, 101)? }; 3];
    /// let mut totals = Vec::new();
    /// Projector::new(1, 101, 1, MigrationTiming::Even)?
    ///     .project_with(&base, 2020, &steps, None, |year, pop, _| totals.push((year, pop.total())))?;
    /// assert_eq!(totals.len(), 3);
    /// assert_eq!(totals[2].0, 2023);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn project_with(
        &self,
        base: &Population,
        base_year: i32,
        steps: &[StepInput],
        control: Option<&[Population]>,
        mut visit: impl FnMut(i32, &Population, &StepFlows),
    ) -> Result<()> {
        if let Some(control) = control
            && control.len() != steps.len()
        {
            return Err(Error::LengthMismatch {
                what: "district control populations vs steps",
                expected: steps.len(),
                found: control.len(),
            });
        }
        let width = i32::try_from(self.width).map_err(|_| Error::InvalidParameter {
            parameter: "step width n (years)",
            value: self.width as f64,
            range: "a width that fits a year number",
        })?;
        let mut current = base.clone();
        let mut next = base.clone();
        let mut flows = StepFlows::zeros(self.area_count(), self.groups)?;
        let mut start_year = base_year;
        for (k, input) in steps.iter().enumerate() {
            let end_year =
                start_year
                    .checked_add(width)
                    .ok_or_else(|| Error::InvalidParameter {
                        parameter: "year at the end of a projection step",
                        value: f64::from(start_year) + f64::from(width),
                        range: "at most 2147483647 (the largest year an i32 holds)",
                    })?;
            self.step(&current, input, &mut next, &mut flows)?;
            flows.start_year = start_year;
            flows.end_year = end_year;
            if let Some(control) = control {
                apply_control(&mut next, &control[k], &mut flows)?;
            }
            visit(flows.end_year, &next, &flows);
            std::mem::swap(&mut current, &mut next);
            start_year = end_year;
        }
        Ok(())
    }
}

/// From this many areas on, a step runs its areas in parallel (when they share the
/// district's mortality): below it, the threads cost more than they save.
const PARALLEL_AREAS: usize = 512;

/// What one area's step produced, by sex.
pub(crate) struct AreaFlows {
    births: [f64; 2],
    deaths: [f64; 2],
    migrants: [f64; 2],
    unremoved: [f64; 2],
}

impl AreaFlows {
    /// Writes the area's flows into the step's (no control change yet).
    fn record(&self, flows: &mut StepFlows, area: usize) {
        for s in 0..2 {
            flows.births[area * 2 + s] = self.births[s];
            flows.deaths[area * 2 + s] = self.deaths[s];
            flows.migrants[area * 2 + s] = self.migrants[s];
            flows.unremoved[area * 2 + s] = self.unremoved[s];
            flows.control[area * 2 + s] = 0.0;
        }
    }
}

/// The step of DESIGN §4 for one area (both sexes), on contiguous slices: `start`, `migrants`
/// and `end` hold females then males, `groups` values each; `scratch` holds `2 × groups`
/// values. Each loop runs over zipped slices (no indexing in the hot loops, so the
/// compiler drops bounds checks and vectorises), and every sum is taken in four lanes in
/// a fixed order ([`lane_sum`]): the same bits on every machine and thread count.
///
/// With `FLOWS` false, the populations alone: the same end population to the bit, without
/// the sums of the flows (deaths, migrants and what the floor at zero removed are left at
/// 0; births and births by mother's age are computed, as age 0 needs them), for
/// projections whose flows nobody reads (each Monte Carlo draw).
#[allow(clippy::too_many_arguments)]
pub(crate) fn step_area<const FLOWS: bool>(
    start: &[f64],
    survival: [&[f64]; 2],
    fertility: &[f64],
    fertility_multiplier: f64,
    sex_ratio_at_birth: f64,
    migrants: &[f64],
    timing: MigrationTiming,
    width: f64,
    end: &mut [f64],
    births_by_age: &mut [f64],
    scratch: &mut [f64],
) -> AreaFlows {
    let g = fertility.len();
    let omega = g - 1;
    let h = match timing {
        MigrationTiming::Even => 0.5,
        MigrationTiming::End => 0.0,
    };
    let mut flows = AreaFlows {
        births: [0.0; 2],
        deaths: [0.0; 2],
        migrants: [0.0; 2],
        unremoved: [0.0; 2],
    };
    // Survivors aged 1 and over from the adjusted start P*(x) = max(P(x) + h M(x), 0);
    // `e[x]` first holds the provisional end value (with the late half of migrants under
    // "even"), which the births below need. The element-wise loops write each term to
    // scratch and the sums are taken in four lanes (`lane_sum`): no loop carries a serial
    // chain of additions, so each vectorises.
    let (adjusted, terms) = scratch.split_at_mut(g);
    for s in 0..2 {
        let p = &start[s * g..(s + 1) * g];
        let m = &migrants[s * g..(s + 1) * g];
        let e = &mut end[s * g..(s + 1) * g];
        let sv = survival[s];
        if FLOWS {
            for (((a, t), &px), &mx) in adjusted.iter_mut().zip(terms.iter_mut()).zip(p).zip(m) {
                let value = px + h * mx;
                *t = (-value).max(0.0);
                *a = value.max(0.0);
            }
            flows.unremoved[s] = lane_sum(terms);
        } else {
            for ((a, &px), &mx) in adjusted.iter_mut().zip(p).zip(m) {
                *a = (px + h * mx).max(0.0);
            }
        }
        if FLOWS {
            for ((((ex, t), &svx), &mx), &previous) in e[1..omega]
                .iter_mut()
                .zip(terms[1..omega].iter_mut())
                .zip(&sv[1..omega])
                .zip(&m[1..omega])
                .zip(&adjusted[..omega - 1])
            {
                *t = (1.0 - svx) * previous;
                *ex = svx * previous + h * mx;
            }
        } else {
            for (((ex, &svx), &mx), &previous) in e[1..omega]
                .iter_mut()
                .zip(&sv[1..omega])
                .zip(&m[1..omega])
                .zip(&adjusted[..omega - 1])
            {
                *ex = svx * previous + h * mx;
            }
        }
        let open_start = adjusted[omega - 1] + adjusted[omega];
        if FLOWS {
            flows.deaths[s] = lane_sum(&terms[1..omega]) + (1.0 - sv[omega]) * open_start;
        }
        e[omega] = sv[omega] * open_start + h * m[omega];
    }
    // Births: exposure is the mean of the adjusted start and provisional end females at
    // the same age (ages 1..ω−1; fertility is 0 in the first and open groups).
    for ((((b, &fx), &px), &mx), &ex) in births_by_age[1..omega]
        .iter_mut()
        .zip(&fertility[1..omega])
        .zip(&start[1..omega])
        .zip(&migrants[1..omega])
        .zip(&end[1..omega])
    {
        // Without a branch, so that the loop vectorises: at a rate of 0 (the ages outside
        // the fertile span) the product is +0.0, as the exposures are finite and ≥ 0.
        let f = fx * fertility_multiplier;
        let start_exposure = (px + h * mx).max(0.0);
        *b = width * f * 0.5 * (start_exposure + ex.max(0.0));
    }
    births_by_age[0] = 0.0;
    births_by_age[omega] = 0.0;
    let births = lane_sum(births_by_age);
    let female_share = 1.0 / (1.0 + sex_ratio_at_birth);
    flows.births = [births * female_share, births * (1.0 - female_share)];
    // Age 0, "end" migrants, and the floor at zero.
    for s in 0..2 {
        let m = &migrants[s * g..(s + 1) * g];
        let e = &mut end[s * g..(s + 1) * g];
        let sv0 = survival[s][0];
        if FLOWS {
            flows.deaths[s] += (1.0 - sv0) * flows.births[s];
        }
        e[0] = sv0 * flows.births[s] + h * m[0];
        if timing == MigrationTiming::End {
            for (ex, &mx) in e.iter_mut().zip(m) {
                *ex += mx;
            }
        }
        if FLOWS {
            for (ex, t) in e.iter_mut().zip(terms.iter_mut()) {
                *t = (-*ex).max(0.0);
                *ex = ex.max(0.0);
            }
            flows.unremoved[s] += lane_sum(terms);
            flows.migrants[s] = lane_sum(m) + flows.unremoved[s];
        } else {
            for ex in e.iter_mut() {
                *ex = ex.max(0.0);
            }
        }
    }
    flows
}

/// The sum of `values` in four lanes: lane k adds the values at k, k + 4, k + 8, …; the
/// lanes are then added as (0 + 1) + (2 + 3), and the remainder after them. A fixed order,
/// so the same bits every time; four independent additions per step, so it vectorises
/// where a single running sum waits on each addition.
fn lane_sum(values: &[f64]) -> f64 {
    let mut lanes = [0.0; 4];
    let mut chunks = values.chunks_exact(4);
    for chunk in &mut chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane += v;
        }
    }
    let tail: f64 = chunks.remainder().iter().sum();
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + tail
}

/// Scales each (sex, age) of the areas to the district control total and books the change.
fn apply_control(
    areas: &mut Population,
    district: &Population,
    flows: &mut StepFlows,
) -> Result<()> {
    if district.groups() != areas.groups() || district.area_count() != 1 {
        return Err(Error::LengthMismatch {
            what: "district control population age groups (one area) vs areas",
            expected: areas.groups(),
            found: district.groups(),
        });
    }
    let g = areas.groups();
    for sex in Sex::ALL {
        let target = district.series(0, sex);
        for x in 0..g {
            let sum: f64 = (0..areas.area_count())
                .map(|a| areas.series(a, sex)[x])
                .sum();
            if sum <= 0.0 {
                if target[x] > 0.0 {
                    return Err(Error::InvalidParameter {
                        parameter: "district control total for a (sex, age) no area has",
                        value: target[x],
                        range: "0 (no area holds anyone to scale)",
                    });
                }
                continue;
            }
            let factor = target[x] / sum;
            for a in 0..areas.area_count() {
                let cell = &mut areas.series_mut(a, sex)[x];
                let scaled = *cell * factor;
                flows.control[a * 2 + sex.index()] += scaled - *cell;
                *cell = scaled;
            }
        }
    }
    Ok(())
}

/// The checks of [`Projector::set_multipliers`]: one multiplier of each kind per area, none
/// negative or not finite, and every mortality multiplier above 0 (also run on each Monte
/// Carlo draw's multipliers).
pub(crate) fn check_multipliers(fertility: &[f64], mortality: &[f64], areas: usize) -> Result<()> {
    for (what, v) in [
        ("fertility multipliers vs areas", fertility),
        ("mortality multipliers vs areas", mortality),
    ] {
        if v.len() != areas {
            return Err(Error::LengthMismatch {
                what,
                expected: areas,
                found: v.len(),
            });
        }
    }
    crate::error::check_non_negative("area fertility multiplier", fertility)?;
    crate::error::check_non_negative("area mortality multiplier", mortality)?;
    if let Some(area) = mortality.iter().position(|&k| k <= 0.0) {
        return Err(Error::InvalidRate {
            schedule: "area mortality multiplier",
            age: area,
            value: mortality[area],
            range: "> 0",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_area(groups: usize) -> (Population, StepInput) {
        let rates = StepRates::from_survival(
            vec![0.99; groups],
            vec![0.98; groups],
            vec![0.0; groups],
            1.05,
        )
        .unwrap();
        let mut base = Population::zeros(vec!["a".into()], 1, groups).unwrap();
        base.series_mut(0, Sex::Female).fill(10.0);
        let migrants = Migrants::zeros(1, groups).unwrap();
        (base, StepInput { rates, migrants })
    }

    proptest::proptest! {
        /// The step without the flows gives the end population of the step with them, to
        /// the bit: populations, rates and migrants drawn at random (out-migration beyond
        /// the population included, so the floors at zero act), both timings.
        #[test]
        fn the_population_step_is_the_full_step_without_its_flows(
            start in proptest::collection::vec(0.0f64..5e4, 2 * 21),
            migrants in proptest::collection::vec(-6e4f64..6e4, 2 * 21),
            survival in proptest::collection::vec(0.5f64..1.0, 2 * 21),
            fertility in proptest::collection::vec(0.0f64..0.2, 21),
            multiplier in 0.5f64..2.0,
            end_timing in proptest::bool::ANY,
        ) {
            let g = 21;
            let mut fertility = fertility;
            fertility[0] = 0.0;
            fertility[g - 1] = 0.0;
            let timing = if end_timing { MigrationTiming::End } else { MigrationTiming::Even };
            let survival = [&survival[..g], &survival[g..]];
            let run = |full: bool| {
                let mut end = vec![0.0; 2 * g];
                let mut births = vec![0.0; g];
                let mut scratch = vec![0.0; 2 * g];
                let args = (&start[..], survival, &fertility[..], multiplier, 1.06, &migrants[..]);
                if full {
                    step_area::<true>(args.0, args.1, args.2, args.3, args.4, args.5, timing, 1.0,
                        &mut end, &mut births, &mut scratch);
                } else {
                    step_area::<false>(args.0, args.1, args.2, args.3, args.4, args.5,
                        timing, 1.0, &mut end, &mut births, &mut scratch);
                }
                end.iter().map(|v| v.to_bits()).collect::<Vec<u64>>()
            };
            proptest::prop_assert_eq!(run(true), run(false));
        }
    }

    /// Many areas are stepped in parallel: every area's end population and flows are the
    /// same bits as that area stepped alone (one thread, the sequential path), whatever
    /// the number of threads.
    #[test]
    fn areas_stepped_in_parallel_match_each_area_stepped_alone_bit_for_bit() {
        let groups = 101;
        let areas = PARALLEL_AREAS + 37;
        let fertility: Vec<f64> = (0..groups)
            .map(|x| if (15..50).contains(&x) { 0.03 } else { 0.0 })
            .collect();
        let rates = StepRates::from_survival(
            (0..groups)
                .map(|x| 0.999 - 0.004 * x as f64 / 10.0)
                .collect(),
            (0..groups)
                .map(|x| 0.998 - 0.005 * x as f64 / 10.0)
                .collect(),
            fertility,
            1.06,
        )
        .unwrap();
        let names: Vec<String> = (0..areas).map(|a| format!("a{a}")).collect();
        let mut base = Population::zeros(names, 1, groups).unwrap();
        let mut migrants = Migrants::zeros(areas, groups).unwrap();
        for a in 0..areas {
            for sex in Sex::ALL {
                for (x, v) in base.series_mut(a, sex).iter_mut().enumerate() {
                    *v = 50.0 + ((a * 7 + x * 3 + sex.index()) % 23) as f64;
                }
                for (x, v) in migrants.series_mut(a, sex).iter_mut().enumerate() {
                    // Some large out-migration, so that the floor at zero is used.
                    *v = ((a + x) % 11) as f64 - 5.0 - if x == 40 { 200.0 } else { 0.0 };
                }
            }
        }
        let input = StepInput {
            rates: rates.clone(),
            migrants: migrants.clone(),
        };
        let projector = Projector::new(1, groups, areas, MigrationTiming::Even).unwrap();
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let mut end = base.clone();
                let mut flows = StepFlows::zeros(areas, groups).unwrap();
                projector.step(&base, &input, &mut end, &mut flows).unwrap();
                (end, flows)
            })
        };
        let (end, flows) = run(2);
        let (end_one, flows_one) = run(1);
        assert_eq!(end.values(), end_one.values());
        assert_eq!(flows.births, flows_one.births);
        assert!(flows.unremoved.iter().any(|&u| u > 0.0));
        let alone = Projector::new(1, groups, 1, MigrationTiming::Even).unwrap();
        for a in [0, 1, areas / 2, areas - 1] {
            let mut one = Population::zeros(vec!["a".into()], 1, groups).unwrap();
            let mut m = Migrants::zeros(1, groups).unwrap();
            for sex in Sex::ALL {
                one.series_mut(0, sex).copy_from_slice(base.series(a, sex));
                m.series_mut(0, sex)
                    .copy_from_slice(migrants.series(a, sex));
            }
            let single = StepInput {
                rates: rates.clone(),
                migrants: m,
            };
            let mut one_end = one.clone();
            let mut one_flows = StepFlows::zeros(1, groups).unwrap();
            alone
                .step(&one, &single, &mut one_end, &mut one_flows)
                .unwrap();
            assert_eq!(one_end.area_values(0), end.area_values(a), "area {a}");
            for s in 0..2 {
                assert_eq!(one_flows.births[s], flows.births[a * 2 + s]);
                assert_eq!(one_flows.deaths[s], flows.deaths[a * 2 + s]);
                assert_eq!(one_flows.migrants[s], flows.migrants[a * 2 + s]);
                assert_eq!(one_flows.unremoved[s], flows.unremoved[a * 2 + s]);
            }
        }
    }

    #[test]
    fn impossible_sizes_are_typed_errors() {
        for (areas, groups) in [(usize::MAX, 3), (1 << 62, 3), (1, usize::MAX), (1 << 46, 3)] {
            let err = StepFlows::zeros(areas, groups).unwrap_err();
            assert!(
                matches!(err, Error::TooLarge { .. }),
                "{areas} x {groups}: {err:?}"
            );
        }
        for areas in [usize::MAX, 1 << 62, 1 << 46] {
            let err = Projector::new(1, 3, areas, MigrationTiming::Even).unwrap_err();
            assert!(matches!(err, Error::TooLarge { .. }), "{areas}: {err:?}");
        }
    }

    #[test]
    fn a_step_past_the_last_year_is_refused() {
        let (base, input) = one_area(3);
        let projector = Projector::new(1, 3, 1, MigrationTiming::Even).unwrap();
        let steps = vec![input; 3];
        let mut years = Vec::new();
        let err = projector
            .project_with(&base, i32::MAX - 1, &steps, None, |year, _, _| {
                years.push(year)
            })
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidParameter {
                    parameter: "year at the end of a projection step",
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("2147483648"), "{err}");
        assert_eq!(years, [i32::MAX]);
        let projection = projector.project(&base, 2020, &steps, None).unwrap();
        assert_eq!(projection.horizon().unwrap().0, 2023);
    }
}
