//! Net migration by sex and single age from two censuses: the census-survival residual.
//!
//! # Method
//!
//! The first census is projected to the date of the second with the cohort-component
//! [`Projector`] (one-year steps), the life tables and fertility of each year, and a
//! constant annual schedule of net migrants `m` by sex and single age. Because every step
//! is linear in the population and in the migrants (as long as no cell is floored at zero),
//! the second census is affine in `m`:
//!
//! ```text
//! P(second) = F(P(first)) + C m
//! ```
//!
//! `F` is the projection without migration; column `j` of `C` is the projection, from an
//! empty population, of one migrant a year at sex and age `j` (the births of migrant women
//! and the deaths of migrants included). `C` is square (2 sexes × `groups` ages) and
//! nearly lower triangular by age: the count at age `a` of the second census depends on the
//! migrants at ages `a − N … a` (N years apart); only the births couple the young ages to
//! the women's migrants. The annual schedule is the solution of `C m = P(second) − F(P(first))`
//! (LU decomposition, [`nalgebra`]): projected with the same projector, rates and timing,
//! it takes the first census to the second exactly.
//!
//! # Assumptions and what the schedule means
//!
//! - The schedule is the same every year of the interval, and migrants are counted by the
//!   age they have when they move (the projector's convention, DESIGN §4).
//! - The mortality of the interval is the life tables given; any error in them is read as
//!   migration (too low death rates make out-migration of the old).
//! - The births of the interval come from the fertility given: the counts aged `0..N−1`
//!   at the second census are cohorts born in the interval, and their migrants are
//!   identified only through those births. Any error in the interval's births appears as
//!   net migration of children under `N`.
//! - The open age (`groups − 1`, 100+ for single years) collects survivors and migrants of
//!   every older age; its schedule value is the net migration *at* the open age. Over a
//!   census's own open group (85+ split by a life table) the counts are the split, not
//!   data, and so is the schedule there; its sum over those ages is what the data say.
//! - Only cohort sums over `N` consecutive ages are well determined: a schedule that
//!   repeats every `N` years of age (or a divisor of `N`) and sums to zero over `N` ages is
//!   nearly invisible in `C m`. The exact solution therefore carries the noise of real
//!   censuses (age heaping, graduation) as oscillations; [`CensusResidual::smoothed`]
//!   removes them.
//!
//! # Smoothing
//!
//! [`CensusResidual::smoothed`] is a Whittaker–Henderson smoother measured on the second
//! census: it minimises
//!
//! ```text
//! Σ_a ((C m)(a) − R(a))² + λ Σ_sex Σ_x (Δ² m(sex, x))²      R = P(second) − F(P(first))
//! ```
//!
//! subject to each sex's annual total equal to the exact schedule's total (a
//! Lagrange-multiplier system, solved by LU). With λ = 0 it returns the exact schedule;
//! as λ grows the schedule of each sex tends to a straight line in age with the same total.
//! Fitting on the census rather than on the exact schedule leaves the oscillations the
//! census cannot see to the penalty alone.
//!
//! # References
//!
//! Preston, S. H., Heuveline, P. & Guillot, M. (2001), *Demography*, §8.6 (intercensal
//! cohort analysis); United Nations (1970), *Manual VI: Methods of Measuring Internal
//! Migration*, ch. IV (the census-survival method); Whittaker, E. T. (1923), "On a new
//! method of graduation", *Proc. Edinburgh Math. Soc.* 41.

use nalgebra::{DMatrix, DVector};

use crate::demography::migration::Migrants;
use crate::demography::population::Population;
use crate::demography::projection::{MigrationTiming, Projector, StepInput};
use crate::demography::rates::StepRates;
use crate::demography::sex::Sex;
use crate::error::{Error, Result};

/// The census-survival residual between two censuses of one area, and the constant annual
/// net migrants by sex and single age that reproduce it (see the [module](self)
/// documentation for the method).
///
/// # Examples
///
/// ```
/// use popalloc::demography::residual_migration::CensusResidual;
/// use popalloc::{LifeTable, MigrationTiming, Migrants, Population, Projector, Sex, StepInput, StepRates};
///
/// let mx: Vec<f64> = (0..=100).map(|x| 0.0001 * (0.09 * x as f64).exp() + 0.001).collect();
/// let (f, m) = (LifeTable::from_mx(Sex::Female, &mx)?, LifeTable::from_mx(Sex::Male, &mx)?);
/// let mut asfr = vec![0.0; 101];
/// for age in 15..50 { asfr[age] = 1.2 / 35.0; }
/// let rates = vec![StepRates::from_life_tables(&f, &m, asfr, 1.06)?; 10];
/// let mut first = Population::zeros(vec!["district".into()], 1, 101)?;
/// for sex in Sex::ALL { first.series_mut(0, sex).fill(1000.0); }
///
/// // A known schedule: 30 young women and 20 young men arrive every year.
/// let mut known = Migrants::zeros(1, 101)?;
/// known.series_mut(0, Sex::Female)[22] = 30.0;
/// known.series_mut(0, Sex::Male)[25] = 20.0;
/// let steps: Vec<StepInput> =
///     rates.iter().map(|r| StepInput { rates: r.clone(), migrants: known.clone() }).collect();
/// let projector = Projector::new(1, 101, 1, MigrationTiming::Even)?;
/// let second = projector.project(&first, 2010, &steps, None)?.horizon().unwrap().1.clone();
///
/// let residual = CensusResidual::new(&first, &second, &rates, MigrationTiming::Even)?;
/// let annual = residual.annual()?;
/// assert!((annual.series(0, Sex::Female)[22] - 30.0).abs() < 1e-9);
/// assert!((annual.total() - 50.0).abs() < 1e-9);
/// assert!(residual.identity_gap() < 1e-9);
/// # Ok::<(), popalloc::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CensusResidual {
    years: usize,
    groups: usize,
    /// The second census, female then male.
    second: Vec<f64>,
    /// F(first): the first census projected without migration, female then male.
    without_migration: Vec<f64>,
    /// C: the second census's response to one migrant a year at each (sex, age).
    effect: DMatrix<f64>,
    /// The exact annual schedule, female then male.
    annual: Vec<f64>,
    /// The largest absolute difference between the projection with `annual` and the
    /// second census.
    identity_gap: f64,
}

impl CensusResidual {
    /// The residual between `first` and `second` (one area each, single years, the same
    /// number of ages), `rates` holding one set of step rates per year between them (so
    /// `rates.len()` is the number of years), migrants joining by `timing`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when there are no rates, a population has more than one
    /// area or groups wider than one year; [`Error::LengthMismatch`] when the censuses or
    /// the rates disagree in their number of ages; the errors of [`Projector::project`];
    /// [`Error::NoConvergence`] when the effect matrix is singular (no schedule, or many,
    /// reproduce the second census).
    pub fn new(
        first: &Population,
        second: &Population,
        rates: &[StepRates],
        timing: MigrationTiming,
    ) -> Result<Self> {
        check_inputs(first, second, rates)?;
        let groups = first.groups();
        let cells = 2 * groups;
        let projector = Projector::new(1, groups, 1, timing)?;
        let without_migration =
            project_end(&projector, first, rates, &Migrants::zeros(1, groups)?)?;
        let empty = Population::zeros(vec![first.areas()[0].clone()], 1, groups)?;
        let mut effect = DMatrix::zeros(cells, cells);
        let mut unit = Migrants::zeros(1, groups)?;
        for j in 0..cells {
            let (sex, age) = (Sex::ALL[j / groups], j % groups);
            unit.series_mut(0, sex)[age] = 1.0;
            let column = project_end(&projector, &empty, rates, &unit)?;
            unit.series_mut(0, sex)[age] = 0.0;
            effect.set_column(j, &DVector::from_vec(column));
        }
        let second_values = second.area_values(0).to_vec();
        let residual = DVector::from_iterator(
            cells,
            (0..cells).map(|i| second_values[i] - without_migration[i]),
        );
        let annual = effect
            .clone()
            .lu()
            .solve(&residual)
            .ok_or_else(|| Error::NoConvergence {
                what: "census-survival residual migration",
                detail: "the effect of migrants on the second census is a singular matrix".into(),
            })?
            .as_slice()
            .to_vec();
        let migrants = Migrants::from_values(1, groups, annual.clone())?;
        let reprojected = project_end(&projector, first, rates, &migrants)?;
        let identity_gap = reprojected
            .iter()
            .zip(&second_values)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        Ok(Self {
            years: rates.len(),
            groups,
            second: second_values,
            without_migration,
            effect,
            annual,
            identity_gap,
        })
    }

    /// The number of years between the censuses.
    pub fn years(&self) -> usize {
        self.years
    }

    /// The exact constant annual net migrants by sex and age (one area), the solution of
    /// `C m = P(second) − F(P(first))`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRate`] when a value is not finite (a nearly singular system).
    pub fn annual(&self) -> Result<Migrants> {
        Migrants::from_values(1, self.groups, self.annual.clone())
    }

    /// The largest absolute difference (persons, any sex and age) between the second
    /// census and the first census projected with [`CensusResidual::annual`]: rounding
    /// only, unless out-migration emptied a cell (the projector floors it at zero and the
    /// affine identity no longer holds).
    pub fn identity_gap(&self) -> f64 {
        self.identity_gap
    }

    /// The first census projected to the second's date without migration, by age at the
    /// second census.
    pub fn without_migration(&self, sex: Sex) -> &[f64] {
        let g = self.groups;
        &self.without_migration[sex.index() * g..(sex.index() + 1) * g]
    }

    /// The cohort residual by age at the second census: the second census minus the first
    /// projected without migration (net migrants of the interval who survived to the
    /// second census, and their surviving children).
    pub fn cohort_residual(&self, sex: Sex) -> Vec<f64> {
        let g = self.groups;
        let i = sex.index() * g;
        (i..i + g)
            .map(|k| self.second[k] - self.without_migration[k])
            .collect()
    }

    /// The second census that a constant annual schedule `annual` gives under the linear
    /// model `F(P(first)) + C m`, female then male.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] when `annual` is not one area of this residual's ages.
    pub fn second_from(&self, annual: &Migrants) -> Result<Vec<f64>> {
        if annual.area_count() != 1 || annual.groups() != self.groups {
            return Err(Error::LengthMismatch {
                what: "net migrants (one area) vs the censuses' ages",
                expected: self.groups,
                found: annual.groups(),
            });
        }
        let m = DVector::from_column_slice(annual.values());
        let change = &self.effect * m;
        Ok(self
            .without_migration
            .iter()
            .zip(change.iter())
            .map(|(f, c)| f + c)
            .collect())
    }

    /// The annual schedule smoothed with penalty `lambda` on second differences by age
    /// (Whittaker–Henderson, fitted on the second census; see the [module](self)
    /// documentation), each sex keeping the exact schedule's annual total.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when `lambda` is negative or not finite;
    /// [`Error::NoConvergence`] when the system is singular.
    ///
    /// # Examples
    ///
    /// See [`CensusResidual`]; with `lambda = 0` the smoothed schedule is the exact one.
    pub fn smoothed(&self, lambda: f64) -> Result<Migrants> {
        crate::error::check_parameter(
            "smoothing penalty lambda",
            lambda,
            lambda >= 0.0,
            "a finite number >= 0",
        )?;
        let g = self.groups;
        let cells = 2 * g;
        // Penalty DᵀD for second differences within each sex.
        let mut penalty = DMatrix::zeros(cells, cells);
        for s in 0..2 {
            for x in 0..g.saturating_sub(2) {
                let idx = [s * g + x, s * g + x + 1, s * g + x + 2];
                let coef = [1.0, -2.0, 1.0];
                for (i, ci) in idx.iter().zip(coef) {
                    for (j, cj) in idx.iter().zip(coef) {
                        penalty[(*i, *j)] += ci * cj;
                    }
                }
            }
        }
        let residual = DVector::from_iterator(
            cells,
            self.second
                .iter()
                .zip(&self.without_migration)
                .map(|(s, f)| s - f),
        );
        let normal = self.effect.transpose() * &self.effect + penalty * lambda;
        let rhs = self.effect.transpose() * residual;
        // The Lagrange system [[N, Aᵀ], [A, 0]] [m; μ] = [Cᵀ R; totals], A summing each sex.
        let n = cells + 2;
        let mut system = DMatrix::zeros(n, n);
        system.view_mut((0, 0), (cells, cells)).copy_from(&normal);
        let mut right = DVector::zeros(n);
        right.rows_mut(0, cells).copy_from(&rhs);
        for s in 0..2 {
            for x in 0..g {
                system[(cells + s, s * g + x)] = 1.0;
                system[(s * g + x, cells + s)] = 1.0;
            }
            right[cells + s] = self.annual[s * g..(s + 1) * g].iter().sum();
        }
        let solution = system
            .lu()
            .solve(&right)
            .ok_or_else(|| Error::NoConvergence {
                what: "smoothing of the census-survival residual",
                detail: format!("the penalised system with lambda {lambda} is singular"),
            })?;
        Migrants::from_values(1, g, solution.as_slice()[..cells].to_vec())
    }
}

/// Checks the shapes of the censuses and the rates.
fn check_inputs(first: &Population, second: &Population, rates: &[StepRates]) -> Result<()> {
    if rates.is_empty() {
        return Err(Error::InvalidParameter {
            parameter: "years between the censuses (step rates)",
            value: 0.0,
            range: ">= 1",
        });
    }
    for census in [first, second] {
        if census.area_count() != 1 || census.width() != 1 {
            return Err(Error::InvalidParameter {
                parameter: "census population (areas, group width)",
                value: census.area_count() as f64,
                range: "one area in single years of age",
            });
        }
    }
    if second.groups() != first.groups() {
        return Err(Error::LengthMismatch {
            what: "second census ages vs first census",
            expected: first.groups(),
            found: second.groups(),
        });
    }
    if let Some(r) = rates.iter().find(|r| r.groups() != first.groups()) {
        return Err(Error::LengthMismatch {
            what: "step rates ages vs census",
            expected: first.groups(),
            found: r.groups(),
        });
    }
    Ok(())
}

/// The population at the end of the steps, female then male, from `start` with the same
/// net migrants every year.
fn project_end(
    projector: &Projector,
    start: &Population,
    rates: &[StepRates],
    migrants: &Migrants,
) -> Result<Vec<f64>> {
    let steps: Vec<StepInput> = rates
        .iter()
        .map(|r| StepInput {
            rates: r.clone(),
            migrants: migrants.clone(),
        })
        .collect();
    let mut end = start.area_values(0).to_vec();
    projector.project_with(start, 0, &steps, None, |_, pop, _| {
        end.copy_from_slice(pop.area_values(0));
    })?;
    Ok(end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demography::life_table::LifeTable;
    use crate::demography::migration::RogersCastro;

    /// Life tables with a Gompertz-like mortality at `level`, and flat fertility 15–49.
    fn rates(level: f64, years: usize) -> Vec<StepRates> {
        let mx: Vec<f64> = (0..=100)
            .map(|x| level * (0.09 * x as f64).exp() + 0.0005)
            .collect();
        let f = LifeTable::from_mx(Sex::Female, &mx).unwrap();
        let m =
            LifeTable::from_mx(Sex::Male, &mx.iter().map(|v| v * 1.3).collect::<Vec<_>>()).unwrap();
        let mut asfr = vec![0.0; 101];
        for age in 15..50 {
            asfr[age] = 1.1 / 35.0;
        }
        vec![StepRates::from_life_tables(&f, &m, asfr, 1.07).unwrap(); years]
    }

    /// An urban-looking first census: many young adults, a slope to the old.
    fn first_census() -> Population {
        let mut pop = Population::zeros(vec!["d".into()], 1, 101).unwrap();
        for sex in Sex::ALL {
            for (x, v) in pop.series_mut(0, sex).iter_mut().enumerate() {
                let x = x as f64;
                *v = 4000.0 * (-((x - 30.0) / 25.0).powi(2)).exp() + 300.0 * (1.0 - x / 110.0);
            }
        }
        pop
    }

    /// A signed schedule: young adults arrive, families and the old leave.
    fn known_schedule() -> Migrants {
        let shape = RogersCastro::fundamental().schedule(101).unwrap();
        let mut m = Migrants::zeros(1, 101).unwrap();
        for (sex, scale) in [(Sex::Female, 9000.0), (Sex::Male, 7000.0)] {
            for (x, v) in m.series_mut(0, sex).iter_mut().enumerate() {
                *v = scale * shape[x] - 6.0 * (x as f64 / 100.0);
            }
        }
        m
    }

    fn second_census(rates: &[StepRates], migrants: &Migrants) -> Population {
        let first = first_census();
        let projector = Projector::new(1, 101, 1, MigrationTiming::Even).unwrap();
        let values = project_end(&projector, &first, rates, migrants).unwrap();
        Population::from_values(vec!["d".into()], 1, 101, values).unwrap()
    }

    #[test]
    fn a_known_schedule_is_recovered_with_the_same_life_table() {
        let rates = rates(0.00005, 10);
        let known = known_schedule();
        let second = second_census(&rates, &known);
        let residual =
            CensusResidual::new(&first_census(), &second, &rates, MigrationTiming::Even).unwrap();
        let annual = residual.annual().unwrap();
        let worst = annual
            .values()
            .iter()
            .zip(known.values())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(worst < 1e-9, "largest error {worst}");
        assert!(
            residual.identity_gap() < 1e-9,
            "{}",
            residual.identity_gap()
        );
        // The linear model and the projector agree.
        let model = residual.second_from(&known).unwrap();
        for (a, b) in model.iter().zip(second.values()) {
            assert!((a - b).abs() < 1e-8, "{a} vs {b}");
        }
    }

    #[test]
    fn another_life_table_gives_another_schedule() {
        let known = known_schedule();
        let second = second_census(&rates(0.00005, 10), &known);
        // Lower mortality than the truth: the extra survivors are read as out-migration.
        let residual = CensusResidual::new(
            &first_census(),
            &second,
            &rates(0.00003, 10),
            MigrationTiming::Even,
        )
        .unwrap();
        let annual = residual.annual().unwrap();
        let worst = annual
            .values()
            .iter()
            .zip(known.values())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(worst > 1.0, "largest difference {worst}");
        assert!(annual.total() < known.total() - 10.0, "{}", annual.total());
        // It still reproduces the second census with its own life table.
        assert!(
            residual.identity_gap() < 1e-6,
            "{}",
            residual.identity_gap()
        );
    }

    #[test]
    fn smoothing_keeps_each_total_and_is_exact_without_penalty() {
        let rates = rates(0.00005, 10);
        let known = known_schedule();
        let mut second = second_census(&rates, &known);
        // Heaping: every age ending in 0 gains 8 % taken from its neighbours.
        for sex in Sex::ALL {
            let s = second.series_mut(0, sex);
            for x in (10..=90).step_by(10) {
                let moved = 0.08 * s[x];
                s[x] += moved;
                s[x - 1] -= moved / 2.0;
                s[x + 1] -= moved / 2.0;
            }
        }
        let residual =
            CensusResidual::new(&first_census(), &second, &rates, MigrationTiming::Even).unwrap();
        let raw = residual.annual().unwrap();
        let exact = residual.smoothed(0.0).unwrap();
        // The normal equations square the condition number: agreement to ~1e-9 relative.
        for (a, b) in exact.values().iter().zip(raw.values()) {
            assert!((a - b).abs() < 1e-6 * (1.0 + b.abs()), "{a} vs {b}");
        }
        let smooth = residual.smoothed(100.0).unwrap();
        for sex in Sex::ALL {
            let (s, r) = (smooth.area_sex_total(0, sex), raw.area_sex_total(0, sex));
            assert!((s - r).abs() < 1e-6, "{sex}: {s} vs {r}");
        }
        // Smoothing takes the heaping out: closer to the known schedule than the raw one.
        let distance = |m: &Migrants| -> f64 {
            m.values()
                .iter()
                .zip(known.values())
                .map(|(a, b)| (a - b).powi(2))
                .sum()
        };
        assert!(
            distance(&smooth) < 0.5 * distance(&raw),
            "{} vs {}",
            distance(&smooth),
            distance(&raw)
        );
        assert!(residual.smoothed(-1.0).is_err());
        assert!(residual.smoothed(f64::NAN).is_err());
    }

    #[test]
    fn bad_shapes_are_typed_errors() {
        let first = first_census();
        let rates = rates(0.00005, 2);
        assert!(matches!(
            CensusResidual::new(&first, &first, &[], MigrationTiming::Even),
            Err(Error::InvalidParameter { .. })
        ));
        let short = Population::zeros(vec!["d".into()], 1, 50).unwrap();
        assert!(matches!(
            CensusResidual::new(&first, &short, &rates, MigrationTiming::Even),
            Err(Error::LengthMismatch { .. })
        ));
        let two = Population::zeros(vec!["a".into(), "b".into()], 1, 101).unwrap();
        assert!(matches!(
            CensusResidual::new(&two, &first, &rates, MigrationTiming::End),
            Err(Error::InvalidParameter { .. })
        ));
    }
}
