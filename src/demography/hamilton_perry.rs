//! Hamilton–Perry: projecting areas without rates from two censuses, by cohort change
//! ratios and child–woman ratios.

use crate::demography::population::Population;
use crate::demography::sex::Sex;
use crate::error::{Error, Result};

/// Cohort change ratios and child–woman ratios of every area and sex, from two censuses
/// `interval` years apart.
///
/// # Formula
///
/// With s = interval / width groups, for s ≤ x < ω:
/// CCR(x) = P_later(x) / P_earlier(x − s); the open group
/// CCR(ω) = P_later(ω) / Σ_{y ≥ ω−s} P_earlier(y);
/// for the first s groups, CWR(x, sex) = P_later(x, sex) / W_later(15–49).
/// Projection: P(x, t+k) = CCR(x) · P(x − s, t), P(ω, t+k) = CCR(ω) · Σ_{y ≥ ω−s} P(y, t),
/// then P(x < s, t+k) = CWR(x) · W(15–49, t+k).
///
/// # References
///
/// Hamilton, C. H. & Perry, J. (1962). A short method for projecting population by age
/// from one decennial census to another. *Social Forces* 41(2), 163–170.
/// Swanson, D. A., Schlottmann, A. & Schmidt, B. (2010). Forecasting the population of
/// census tracts by age and sex. *Population Research and Policy Review* 29, 47–63.
///
/// # Examples
///
/// ```
/// use popalloc::{HamiltonPerry, Population, Sex};
///
/// // One area, single years 0..=3+ (open), censuses one year apart.
/// let earlier = Population::from_values(vec!["a".into()], 1, 4, vec![10.0, 10.0, 10.0, 5.0, 10.0, 10.0, 10.0, 5.0]).unwrap();
/// let later = Population::from_values(vec!["a".into()], 1, 4, vec![8.0, 9.0, 9.0, 12.0, 8.0, 9.0, 9.0, 12.0]).unwrap();
/// let hp = HamiltonPerry::from_censuses(&earlier, &later, 1, (1, 2)).unwrap();
/// assert!((hp.cohort_change_ratio(0, Sex::Female, 1).unwrap() - 0.9).abs() < 1e-12);
/// let next = hp.project(&later).unwrap();
/// assert!((next.get(0, Sex::Female, 1).unwrap() - 8.0 * 0.9).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HamiltonPerry {
    areas: Vec<String>,
    width: usize,
    groups: usize,
    shift: usize,
    mothers: (usize, usize),
    /// `[(area * 2 + sex) * groups + x]`; entries below `shift` hold child–woman ratios.
    ratios: Vec<f64>,
}

impl HamiltonPerry {
    /// The ratios of two censuses `interval` years apart (a multiple of the group width),
    /// with mothers' ages given as age-group indices `(first, last)` (15–49 is `(15, 49)`
    /// for single years, `(3, 9)` for five-year groups).
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] when the censuses differ in areas, width or groups;
    /// [`Error::InvalidParameter`] when the interval is not a positive multiple of the
    /// width shorter than the open age, or the mothers' ages are out of range, or a ratio
    /// would divide persons by nobody (its `value` is the numerator).
    pub fn from_censuses(
        earlier: &Population,
        later: &Population,
        interval: usize,
        mothers: (usize, usize),
    ) -> Result<Self> {
        if !earlier.same_shape(later) {
            return Err(Error::LengthMismatch {
                what: "censuses: areas, width and age groups must agree",
                expected: earlier.values().len(),
                found: later.values().len(),
            });
        }
        let width = earlier.width();
        let groups = earlier.groups();
        let omega = groups - 1;
        let ok = interval > 0 && interval.is_multiple_of(width) && interval / width < omega;
        crate::error::check_parameter(
            "census interval (years)",
            interval as f64,
            ok,
            "a positive multiple of the group width, shorter than the open age",
        )?;
        let shift = interval / width;
        let ok = mothers.0 <= mothers.1 && mothers.1 < omega;
        crate::error::check_parameter(
            "mothers' age groups",
            mothers.1 as f64,
            ok,
            "a range of closed age groups",
        )?;
        let women = |pop: &Population, a: usize| -> f64 {
            pop.series(a, Sex::Female)[mothers.0..=mothers.1]
                .iter()
                .sum()
        };
        let ratio = |num: f64, den: f64| -> Result<f64> {
            if den > 0.0 {
                Ok(num / den)
            } else if num > 0.0 {
                Err(Error::InvalidParameter {
                    parameter: "Hamilton-Perry ratio with no one in its base",
                    value: num,
                    range: "a numerator of 0 where the earlier cohort or the women are 0",
                })
            } else {
                Ok(0.0)
            }
        };
        let mut ratios = vec![0.0; later.values().len()];
        for a in 0..later.area_count() {
            let w = women(later, a);
            for sex in Sex::ALL {
                let (before, after) = (earlier.series(a, sex), later.series(a, sex));
                let out =
                    &mut ratios[(a * 2 + sex.index()) * groups..(a * 2 + sex.index() + 1) * groups];
                for x in 0..shift {
                    out[x] = ratio(after[x], w)?;
                }
                for x in shift..omega {
                    out[x] = ratio(after[x], before[x - shift])?;
                }
                out[omega] = ratio(after[omega], before[omega - shift..].iter().sum())?;
            }
        }
        Ok(Self {
            areas: later.areas().to_vec(),
            width,
            groups,
            shift,
            mothers,
            ratios,
        })
    }

    /// The cohort change ratio of an area, sex and age group (≥ the shift), if in range.
    pub fn cohort_change_ratio(&self, area: usize, sex: Sex, age: usize) -> Option<f64> {
        (area < self.areas.len() && age >= self.shift && age < self.groups)
            .then(|| self.ratios[(area * 2 + sex.index()) * self.groups + age])
    }

    /// The child–woman ratio of an area, sex and child age group (< the shift), if in range.
    pub fn child_woman_ratio(&self, area: usize, sex: Sex, age: usize) -> Option<f64> {
        (area < self.areas.len() && age < self.shift)
            .then(|| self.ratios[(area * 2 + sex.index()) * self.groups + age])
    }

    /// The population one interval after `launch` (usually the later census).
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] when `launch` has other areas or age groups.
    pub fn project(&self, launch: &Population) -> Result<Population> {
        if launch.areas() != self.areas.as_slice()
            || launch.groups() != self.groups
            || launch.width() != self.width
        {
            return Err(Error::LengthMismatch {
                what: "launch population vs the censuses' shape",
                expected: self.ratios.len(),
                found: launch.values().len(),
            });
        }
        let omega = self.groups - 1;
        let mut out = launch.clone();
        for a in 0..self.areas.len() {
            for sex in Sex::ALL {
                let r = &self.ratios
                    [(a * 2 + sex.index()) * self.groups..(a * 2 + sex.index() + 1) * self.groups];
                let p = launch.series(a, sex);
                let open: f64 = p[omega - self.shift..].iter().sum();
                let target = out.series_mut(a, sex);
                for x in self.shift..omega {
                    target[x] = r[x] * p[x - self.shift];
                }
                target[omega] = r[omega] * open;
            }
            let women: f64 = out.series(a, Sex::Female)[self.mothers.0..=self.mothers.1]
                .iter()
                .sum();
            for sex in Sex::ALL {
                for x in 0..self.shift {
                    let cwr = self.ratios[(a * 2 + sex.index()) * self.groups + x];
                    out.series_mut(a, sex)[x] = cwr * women;
                }
            }
        }
        Ok(out)
    }

    /// `steps` intervals from `launch`, each projected from the previous.
    ///
    /// # Errors
    ///
    /// As [`HamiltonPerry::project`].
    pub fn project_steps(&self, launch: &Population, steps: usize) -> Result<Vec<Population>> {
        let mut out: Vec<Population> = Vec::with_capacity(steps);
        for _ in 0..steps {
            let next = self.project(out.last().unwrap_or(launch))?;
            out.push(next);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pop(values: Vec<f64>, groups: usize) -> Population {
        Population::from_values(vec!["a".into()], 5, groups, values).unwrap()
    }

    /// Six five-year groups (0-4 … 25+), censuses five years apart, mothers 15-24 (groups
    /// 3..=4). By hand: CCR(2) = 95/100 = 0.95; CCR(5) = 60 / (80 + 50) = 0.4615…;
    /// CWR(0) = 90 / (85 + 85) for females.
    #[test]
    fn hand_computed_five_year_example() {
        let f_earlier = vec![100.0, 100.0, 100.0, 90.0, 80.0, 50.0];
        let f_later = vec![90.0, 98.0, 95.0, 85.0, 85.0, 60.0];
        let earlier = pop([f_earlier.clone(), f_earlier].concat(), 6);
        let later = pop([f_later.clone(), f_later.clone()].concat(), 6);
        let hp = HamiltonPerry::from_censuses(&earlier, &later, 5, (3, 4)).unwrap();
        assert!((hp.cohort_change_ratio(0, Sex::Female, 2).unwrap() - 0.95).abs() < 1e-15);
        assert!((hp.cohort_change_ratio(0, Sex::Male, 5).unwrap() - 60.0 / 130.0).abs() < 1e-15);
        assert!((hp.child_woman_ratio(0, Sex::Female, 0).unwrap() - 90.0 / 170.0).abs() < 1e-15);
        let next = hp.project(&later).unwrap();
        let f = next.series(0, Sex::Female);
        // Ages ≥ 5: ratio × the cohort five years younger in the later census.
        assert!((f[1] - 0.98 * 90.0).abs() < 1e-12);
        assert!((f[3] - 0.85 * 95.0).abs() < 1e-12);
        assert!((f[5] - 60.0 / 130.0 * (85.0 + 60.0)).abs() < 1e-12);
        let women = f[3] + f[4];
        assert!((f[0] - 90.0 / 170.0 * women).abs() < 1e-12);
        assert_eq!(hp.project_steps(&later, 3).unwrap().len(), 3);
    }

    /// Censuses produced by constant survival reproduce the next state exactly at ages ≥ s.
    #[test]
    fn constant_ratios_are_reproduced() {
        let s = [0.99, 0.98, 0.97, 0.95, 0.9, 0.5];
        let step = |p: &[f64]| -> Vec<f64> {
            let mut out = vec![100.0; 6];
            for x in 1..5 {
                out[x] = s[x] * p[x - 1];
            }
            out[5] = s[5] * (p[4] + p[5]);
            out
        };
        let p0 = vec![100.0, 100.0, 100.0, 100.0, 100.0, 100.0];
        let p1 = step(&p0);
        let p2 = step(&p1);
        let hp = HamiltonPerry::from_censuses(
            &pop([p0.clone(), p0].concat(), 6),
            &pop([p1.clone(), p1.clone()].concat(), 6),
            5,
            (2, 3),
        )
        .unwrap();
        let projected = hp.project(&pop([p1.clone(), p1].concat(), 6)).unwrap();
        for x in 1..5 {
            assert!(
                (projected.series(0, Sex::Male)[x] - p2[x]).abs() < 1e-9,
                "age group {x}"
            );
        }
        assert!(
            projected
                .values()
                .iter()
                .all(|v| v.is_finite() && *v >= 0.0)
        );
    }

    #[test]
    fn bad_shapes_and_empty_cohorts_are_typed_errors() {
        let a = pop(vec![1.0; 12], 6);
        let b = Population::from_values(vec!["a".into()], 5, 5, vec![1.0; 10]).unwrap();
        assert!(matches!(
            HamiltonPerry::from_censuses(&a, &b, 5, (2, 3)),
            Err(Error::LengthMismatch { .. })
        ));
        assert!(matches!(
            HamiltonPerry::from_censuses(&a, &a, 3, (2, 3)),
            Err(Error::InvalidParameter { .. })
        ));
        let mut empty = vec![1.0; 12];
        empty[1] = 0.0;
        let e = pop(empty, 6);
        assert!(matches!(
            HamiltonPerry::from_censuses(&e, &a, 5, (2, 3)),
            Err(Error::InvalidParameter { .. })
        ));
    }
}
