//! One Monte Carlo draw projected area by area, each area's band totals taken as soon as
//! its step is done.
//!
//! The arithmetic is that of [`Scenario::project_variant_with`] followed by
//! [`Population::band_totals`] and [`Population::area_total`], to the bit: the same
//! district rates, the same net migrants (the scenario's times the draw's factor, plus the
//! street's migration rate times its persons), the same survival schedules
//! ([`ScaledSurvival`] for a street whose mortality multiplier is not 1) and the same
//! one-area step ([`step_area`], without its flows), the sums in the same order. What differs is where the
//! work happens: no net migrants of every area are built and copied per step, only the
//! area's own in a small buffer; the band totals are read while the area's end population
//! is still in cache; and a worker's populations are reused from draw to draw.

use crate::demography::band::Band;
use crate::demography::population::OMEGA;
use crate::demography::projection::{MigrationTiming, check_multipliers, step_area};
use crate::demography::rates::{ScaledSurvival, StepRates};
use crate::demography::sex::Sex;
use crate::error::{Error, Result};
use crate::scenario::Scenario;
use crate::scenario::assumptions::for_year;
use crate::uncertainty::variant::Variant;

/// Projects draws of one scenario to one horizon, writing each year's band totals of every
/// area and the district (`[band × places + place]`, the total last) into the draw's values.
pub(crate) struct DrawProjector<'a> {
    scenario: &'a Scenario,
    horizon: i32,
    /// Age groups (both sexes hold this many).
    groups: usize,
    /// The age groups of each band, as [`Population::band_totals`] reads them (`None`: the
    /// band holds no group).
    bands: Vec<Option<(usize, usize)>>,
    own_fertility: Vec<f64>,
    own_mortality: Vec<f64>,
    timing: MigrationTiming,
    /// The migration age schedule, for net migrants split from totals.
    schedule: Vec<f64>,
}

/// Areas stepped together: their band totals are summed side by side, four independent
/// chains of additions instead of one.
const BLOCK: usize = 4;

/// What a worker reuses from draw to draw: the populations of a block of areas (start and
/// end of a step), the survival schedules of each step and the step's scratch.
pub(crate) struct DrawBuffers {
    /// `[area in block][2 × groups]`, start of the step.
    current: Vec<Vec<f64>>,
    /// Same, end of the step.
    next: Vec<Vec<f64>>,
    /// Per step, the street survival schedules last built.
    survival: Vec<ScaledSurvival>,
    migrants: Vec<f64>,
    births_by_age: Vec<f64>,
    scratch: Vec<f64>,
}

impl DrawBuffers {
    /// Buffers for `projector`'s scenario.
    pub(crate) fn new(projector: &DrawProjector) -> Self {
        let g = projector.groups;
        let steps =
            usize::try_from(projector.horizon - projector.scenario.base_year()).unwrap_or(0);
        Self {
            current: vec![vec![0.0; 2 * g]; BLOCK],
            next: vec![vec![0.0; 2 * g]; BLOCK],
            survival: (0..steps).map(|_| ScaledSurvival::new(g)).collect(),
            migrants: vec![0.0; 2 * g],
            births_by_age: vec![0.0; g],
            scratch: vec![0.0; 2 * g],
        }
    }
}

/// What every area of a draw shares in one step.
struct DistrictStep<'s> {
    rates: StepRates,
    source: Source<'s>,
    fertility: Vec<f64>,
    mortality: Vec<f64>,
    /// The streets' net migration rates of the step, when the draw has them.
    street_rates: Option<&'s [f64]>,
}

/// Where an area's net migrants come from in one step, before the draw's street rate.
enum Source<'s> {
    /// The scenario's migrants by age for the year, times the draw's factor.
    ByAge(&'s [f64], f64),
    /// Each area's yearly total times the draw's factor, split by sex and age in
    /// proportion to the schedule (whose sum is the second number).
    Totals(f64, f64),
}

impl<'a> DrawProjector<'a> {
    /// A projector of `scenario`'s draws to `horizon`. The scenario must have passed
    /// [`Scenario::check_consistent`].
    ///
    /// # Errors
    ///
    /// The errors of [`crate::Projector::with_multipliers`] for the areas' own multipliers
    /// and of the migration age schedule, as a projection of the scenario gives them.
    pub(crate) fn new(scenario: &'a Scenario, horizon: i32) -> Result<Self> {
        // The scenario's own engine checks its multipliers as a projection does.
        let projector = scenario.projector()?;
        let base = &scenario.base;
        let groups = base.groups();
        let bands = scenario
            .bands
            .iter()
            .map(|band| band_groups(band, base.width(), groups))
            .collect();
        let schedule = scenario.migration.schedule.schedule(OMEGA + 1)?;
        Ok(Self {
            scenario,
            horizon,
            groups,
            bands,
            own_fertility: scenario
                .areas
                .iter()
                .map(|a| a.fertility_multiplier)
                .collect(),
            own_mortality: scenario
                .areas
                .iter()
                .map(|a| a.mortality_multiplier)
                .collect(),
            timing: projector.timing(),
            schedule,
        })
    }

    /// Projects `variant` from the base year to the horizon, writing every projected
    /// year's totals (`places × (bands + 1)` values each) into `out`, which holds exactly
    /// those years. The district's rates of every step are made first;
    /// then each block of areas is projected through all the steps, so that its
    /// populations stay in cache.
    ///
    /// # Errors
    ///
    /// As [`Scenario::project_variant_with`] (when several would arise, the district's
    /// come before the areas').
    pub(crate) fn project(
        &self,
        variant: &Variant,
        buffers: &mut DrawBuffers,
        out: &mut [f64],
    ) -> Result<()> {
        let sc = self.scenario;
        variant.check_migration_factor()?;
        let steps = (sc.base_year()..self.horizon)
            .enumerate()
            .map(|(step, year)| self.district_step(variant, step, year))
            .collect::<Result<Vec<_>>>()?;
        let areas = sc.areas.len();
        let places = areas + 1;
        let per_year = (self.bands.len() + 1) * places;
        if out.len() != steps.len() * per_year {
            return Err(Error::LengthMismatch {
                what: "Monte Carlo values of a draw (years x bands x places)",
                expected: steps.len() * per_year,
                found: out.len(),
            });
        }
        let years = out;
        for survival in &mut buffers.survival {
            survival.forget();
        }
        for first in (0..areas).step_by(BLOCK) {
            let block = first..(first + BLOCK).min(areas);
            for (i, area) in block.clone().enumerate() {
                buffers.current[i].copy_from_slice(sc.base.area_values(area));
            }
            for (step, district) in steps.iter().enumerate() {
                for (i, area) in block.clone().enumerate() {
                    self.step_area(district, step, area, i, buffers)?;
                }
                let year = &mut years[step * per_year..(step + 1) * per_year];
                self.block_totals(&buffers.next, block.clone(), year);
                std::mem::swap(&mut buffers.current, &mut buffers.next);
            }
        }
        for row in years.chunks_exact_mut(places) {
            row[areas] = row[..areas].iter().sum();
        }
        Ok(())
    }

    /// What every area shares in step `step` (starting in `year`) of `variant`: the
    /// district's rates, where net migrants come from, the areas' multipliers.
    fn district_step<'v>(
        &'v self,
        variant: &'v Variant,
        step: usize,
        year: i32,
    ) -> Result<DistrictStep<'v>> {
        let sc = self.scenario;
        let areas = sc.areas.len();
        let [female, male] = sc.life_tables_variant(year, variant.e0_shift)?;
        let rates = sc.step_rates(year, variant, &female, &male)?;
        if rates.groups() != self.groups {
            return Err(Error::LengthMismatch {
                what: "step rates age groups vs projector",
                expected: self.groups,
                found: rates.groups(),
            });
        }
        let source = self.source(year, variant.migration_factor, areas)?;
        let moves = variant.fertility_multipliers.is_some()
            || variant.mortality_multipliers.is_some()
            || variant.streets.is_some();
        let (fertility, mortality) = if moves {
            let e_dagger = 0.5 * (female.life_disparity() + male.life_disparity());
            let (f, m) =
                variant.multipliers(step, &self.own_fertility, &self.own_mortality, e_dagger);
            check_multipliers(&f, &m, areas)?;
            (f, m)
        } else {
            (self.own_fertility.clone(), self.own_mortality.clone())
        };
        if mortality.iter().any(|&k| (k - 1.0).abs() > 0.0)
            && Sex::ALL.iter().any(|&sex| rates.death_rates(sex).is_none())
        {
            return Err(Error::InvalidParameter {
                parameter: "area mortality multipliers",
                value: f64::NAN,
                range: "1 unless the step rates come from single-year life tables",
            });
        }
        let street_rates = variant
            .streets
            .as_ref()
            .and_then(|paths| paths.migration_rate.get(step * areas..(step + 1) * areas));
        Ok(DistrictStep {
            rates,
            source,
            fertility,
            mortality,
            street_rates,
        })
    }

    /// One step of `area` (slot `slot` of the block) from `buffers.current` into
    /// `buffers.next`.
    fn step_area(
        &self,
        district: &DistrictStep,
        step: usize,
        area: usize,
        slot: usize,
        buffers: &mut DrawBuffers,
    ) -> Result<()> {
        let rates = &district.rates;
        // Bit-equal multipliers reuse the schedules last built in this step.
        let survival = buffers.survival[step].of(rates, district.mortality[area])?;
        let start = &buffers.current[slot];
        self.area_migrants(
            &district.source,
            area,
            start,
            district.street_rates,
            &mut buffers.migrants,
        )?;
        step_area::<false>(
            start,
            survival,
            rates.fertility(),
            district.fertility[area],
            rates.sex_ratio_at_birth(),
            &buffers.migrants,
            self.timing,
            1.0,
            &mut buffers.next[slot],
            &mut buffers.births_by_age,
            &mut buffers.scratch,
        );
        Ok(())
    }

    /// The band totals and totals of a block of areas into one year's values
    /// (`[band × places + area]`, the total last), each summed in the order of
    /// [`Population::band_totals`] and [`Population::area_total`]; the areas' sums run side
    /// by side.
    fn block_totals(&self, ends: &[Vec<f64>], block: std::ops::Range<usize>, year: &mut [f64]) {
        let places = self.scenario.areas.len() + 1;
        let g = self.groups;
        let mut put = |row: usize, totals: [f64; BLOCK]| {
            for (i, area) in block.clone().enumerate() {
                year[row * places + area] = totals[i];
            }
        };
        for (b, band) in self.bands.iter().enumerate() {
            let mut totals = [0.0; BLOCK];
            if let Some((first, last)) = *band {
                for s in 0..2 {
                    for x in s * g + first..s * g + last {
                        for (total, end) in totals.iter_mut().zip(ends) {
                            *total += end[x];
                        }
                    }
                }
            }
            put(b, totals);
        }
        // `Iterator::sum` of floats starts from this value.
        let empty: f64 = std::iter::empty::<f64>().sum();
        let mut totals = [empty; BLOCK];
        for x in 0..2 * g {
            for (total, end) in totals.iter_mut().zip(ends) {
                *total += end[x];
            }
        }
        put(self.bands.len(), totals);
    }

    /// The step's source of net migrants: the scenario's by age for `year` if it has them,
    /// else the areas' totals.
    fn source(&self, year: i32, factor: f64, areas: usize) -> Result<Source<'a>> {
        let by_age = self.scenario.migration.by_age.as_ref();
        match by_age.and_then(|map| for_year(map, year)) {
            Some(m) => {
                if m.area_count() != areas || m.groups() != self.groups {
                    return Err(Error::LengthMismatch {
                        what: "migrant areas vs projector",
                        expected: areas * 2 * self.groups,
                        found: m.values().len(),
                    });
                }
                Ok(Source::ByAge(m.values(), factor))
            }
            None => {
                let sum = crate::demography::migration::check_totals_schedule(
                    self.scenario.migration.female_share,
                    &self.schedule,
                )?;
                Ok(Source::Totals(factor, sum))
            }
        }
    }

    /// One area's net migrants of the step into `out` (`2 × groups`, females first): as
    /// the scenario's step would have them ([`crate::Migrants::from_totals`] or the values
    /// by age, times the factor), plus the street's rate times its persons at the start.
    fn area_migrants(
        &self,
        source: &Source,
        area: usize,
        start: &[f64],
        street_rates: Option<&[f64]>,
        out: &mut [f64],
    ) -> Result<()> {
        let g = self.groups;
        match *source {
            Source::ByAge(values, factor) => {
                for (m, v) in out
                    .iter_mut()
                    .zip(&values[area * 2 * g..(area + 1) * 2 * g])
                {
                    *m = v * factor;
                }
            }
            Source::Totals(factor, sum) => {
                let total = crate::demography::migration::check_total(
                    area,
                    self.scenario.areas[area].net_migration * factor,
                )?;
                let female_share = self.scenario.migration.female_share;
                for (s, share) in [female_share, 1.0 - female_share].into_iter().enumerate() {
                    // One-year steps: `years` of `Migrants::from_totals` is 1.
                    let scale = total * 1.0 * share / sum;
                    for (cell, w) in out[s * g..(s + 1) * g].iter_mut().zip(&self.schedule) {
                        *cell = scale * w;
                    }
                }
            }
        }
        if let Some(rates) = street_rates {
            let rate = rates[area];
            for (cell, persons) in out.iter_mut().zip(start) {
                *cell += rate * persons;
            }
        }
        // A branch-free scan first: the common case, all finite, then costs little.
        if !out.iter().fold(true, |finite, v| finite & v.is_finite())
            && let Some(at) = out.iter().position(|v| !v.is_finite())
        {
            return Err(Error::InvalidRate {
                schedule: "net migrants",
                age: area * 2 * g + at,
                value: out[at],
                range: "a finite number",
            });
        }
        Ok(())
    }
}

/// The age groups `first..last` that [`Population::band_totals`] sums for `band`.
fn band_groups(band: &Band, width: usize, groups: usize) -> Option<(usize, usize)> {
    let first = band.from().div_ceil(width);
    let last = band
        .to()
        .map_or(groups, |to| (to / width).min(groups - 1) + 1);
    (first <= last && last <= groups).then_some((first, last))
}
