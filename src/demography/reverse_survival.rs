//! Fertility from a census's children: the reverse-survival method.
//!
//! The children a census counts at single ages `0..=k` are the survivors of the births of
//! the `k + 1` years before it. Dividing each survivor count by the chance of surviving from
//! birth to the census gives the births of each year; dividing the women of each
//! reproductive age by their chance of surviving to the census gives the women of the same
//! years; births over women weighted by an age pattern of fertility give the total
//! fertility rate (TFR) of each year before the census.
//!
//! # Formula
//!
//! The inverse of the one-year step of the cohort-component projection
//! ([`Projector`](crate::Projector), DESIGN §4) without migration. With the census at date
//! T, `P_s(x)` its persons of sex s aged x, `S_s(x)` the survival ratios of a one-year step
//! indexed by the age at the end of the step ([`LifeTable::survival_ratios`]), and `w(x)`
//! the fertility shape rescaled to sum to 1, the year `[T−j−1, T−j)` (the children aged j at
//! the census, `0 ≤ j ≤ k`) has
//!
//! ```text
//! B_s(j)     = P_s(j) / (S_s(0) S_s(1) … S_s(j))                  births of sex s
//! W(x, T−i)  = P_f(x+i) / (S_f(x+1) S_f(x+2) … S_f(x+i))           women aged x at T−i
//! E(j)       = Σ_x w(x) ½ (W(x, T−j−1) + W(x, T−j))                weighted women
//! TFR(j)     = (B_f(j) + B_m(j)) / E(j)
//! ```
//!
//! The projector makes `P_s(0, t+1) = S_s(0) B_s`, `P(x, t+1) = S(x) P(x−1, t)` and
//! `B = Σ_x TFR w(x) ½ (W(x, t) + W(x, t+1))`; the formulas above undo these steps exactly,
//! so projecting the births and TFRs they give (same life tables, same shape, sex ratio at
//! birth `B_m / B_f`, no migration) returns the census's children and women. The sex ratio
//! at birth is not an input: each sex's births come from its own children.
//!
//! # Known biases
//!
//! - **Under-count of young children.** Censuses miss infants and small children more than
//!   adults (in China also births outside the birth-control rules, whose registration was
//!   late); births and TFR are then too low, most for the youngest ages.
//! - **Migration.** The method assumes that the children and their mothers were resident
//!   throughout, in the unit the census counts them in. Children left with grandparents
//!   elsewhere, children who moved in for school, and young women who came for work after
//!   the births (65.6 % of Yuzhong's 2020 residents had their household registration in
//!   another township) all bias the result: in-migrant women without their children there
//!   lower it, children sent to an urban district's schools raise it.
//! - **Age misreporting and heaping.** Single ages after graduation of the census's groups
//!   (`0`, `1-4`, …) are smooth within a group: the single years 1–4 cannot show a year's
//!   rise or fall, only the group's level; age 0 is the census's own count.
//! - **The shape.** The TFR depends on the age pattern of fertility assumed (the
//!   weights w); an older true pattern than the shape's, with fewer women at older ages,
//!   moves the estimate.
//! - **Mortality.** One pair of life tables is used for every year before the census; at
//!   Yuzhong's mortality (e0 ≈ 81) child survival to age 5 is above 99.5 %, so the births
//!   barely depend on it, but a wrong table moves them (see the tests).
//!
//! # References
//!
//! Moultrie, T. A. et al. (eds.) (2013), *Tools for Demographic Estimation*, IUSSP, ch.
//! "Reverse survival methods for estimating fertility"; Timæus, I. M. & Moultrie, T. A.
//! (2013), *Estimates of fertility by reverse survival*; United Nations (1983), *Manual X*.

use crate::demography::life_table::LifeTable;
use crate::demography::sex::Sex;
use crate::error::{Error, Result, check_non_negative, check_probability};

/// The oldest age at the census whose children may be reverse-survived (ages `0..=9`, the
/// ten years before the census): further back the assumptions of no migration and of the
/// census year's mortality and shape weaken.
pub const MAX_CHILD_AGE: usize = 9;

/// The default oldest age of the children used: 4 (ages 0–4, the five years before the
/// census).
pub const DEFAULT_CHILD_AGE: usize = 4;

/// The births and the TFR of one year before a census, from its children of one age.
///
/// The year is the projection step `[start_year, end_year)`, with `end_year = census year −
/// age_at_census`: for a census dated in year T, the children aged 0 are the births of
/// `[T−1, T)`, the twelve months before the census.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BirthYear {
    /// The age at the census of the children born in the year.
    pub age_at_census: usize,
    /// The year the step starts.
    pub start_year: i32,
    /// The year the step ends.
    pub end_year: i32,
    /// Births by sex of the child ([`Sex::index`]: female, male).
    pub births: [f64; 2],
    /// The women of the year weighted by the fertility shape: Σ_x w(x) ½ (W(x, start) +
    /// W(x, end)), the divisor of the TFR.
    pub weighted_women: f64,
    /// The total fertility rate of the year (children per woman).
    pub total_fertility_rate: f64,
}

impl BirthYear {
    /// Births of both sexes.
    ///
    /// ```
    /// use popalloc::demography::reverse_survival::BirthYear;
    ///
    /// let year = BirthYear {
    ///     age_at_census: 0, start_year: 2019, end_year: 2020,
    ///     births: [1_600.0, 1_700.0], weighted_women: 4_000.0, total_fertility_rate: 0.825,
    /// };
    /// assert_eq!(year.total_births(), 3_300.0);
    /// ```
    pub fn total_births(&self) -> f64 {
        self.births.iter().sum()
    }
}

/// The births and TFRs of the `oldest_age + 1` years before a census dated `census_year`,
/// from its persons by single age `census` (female, male: [`Sex::index`]), the survival
/// ratios of a one-year step by sex `survival` (indexed by the age at the end of the step,
/// as [`LifeTable::survival_ratios`] and [`StepRates::survival`](crate::StepRates::survival)
/// give them) and the fertility shape `shape` by single age of the mother (any scale; it is
/// rescaled to sum to 1). See the [module](self) documentation for the formula and the
/// method's biases. The years come most recent first (`age_at_census` 0, 1, …).
///
/// # Errors
///
/// [`Error::LengthMismatch`] when the census series, the survival ratios and the shape do
/// not all have the same number of ages (at least 3); [`Error::InvalidParameter`] when
/// `oldest_age` exceeds [`MAX_CHILD_AGE`], the shape sums to 0, a year before the census
/// cannot be represented, or the shape has weight at an age x whose women would come from
/// the census's open age group (x + oldest_age + 1 ≥ ω); [`Error::InvalidRate`] for a
/// negative or non-finite count or share, a survival ratio outside [0, 1], or a survival
/// ratio of 0 on a path the method divides by (its age is the ratio's).
///
/// # Examples
///
/// A hand-computed case: ages 0–5, half of the births survive to the census at age 0
/// (S(0) = 0.5), every later age survives, all fertility at age 2, except that one woman
/// in five dies between 2 and 3 (S(3) = 0.8). The census counts 10 girls and 12 boys aged 0,
/// 100 women aged 2 and 120 aged 3. Births: (10 + 12) / 0.5 = 44. The 120 women aged 3 at
/// the census were 120 / 0.8 = 150 aged 2 a year before, so the women aged 2 of the year
/// number ½ (150 + 100) = 125, and the TFR is 44 / 125 = 0.352.
///
/// ```
/// use popalloc::demography::reverse_survival::reverse_survive;
///
/// let females = [10.0, 0.0, 100.0, 120.0, 0.0, 0.0];
/// let males = [12.0, 0.0, 0.0, 0.0, 0.0, 0.0];
/// let survival = [0.5, 1.0, 1.0, 0.8, 1.0, 1.0];
/// let shape = [0.0, 0.0, 1.0, 0.0, 0.0, 0.0];
/// let years = reverse_survive([&females, &males], [&survival, &survival], &shape, 2020, 0)?;
/// assert_eq!(years.len(), 1);
/// let y = &years[0];
/// assert_eq!((y.start_year, y.end_year), (2019, 2020));
/// assert!((y.total_births() - 44.0).abs() < 1e-12);
/// assert!((y.weighted_women - 125.0).abs() < 1e-12);
/// assert!((y.total_fertility_rate - 0.352).abs() < 1e-12);
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn reverse_survive(
    census: [&[f64]; 2],
    survival: [&[f64]; 2],
    shape: &[f64],
    census_year: i32,
    oldest_age: usize,
) -> Result<Vec<BirthYear>> {
    let weights = check_inputs(census, survival, shape, oldest_age)?;
    let [female_survival, _] = survival;
    (0..=oldest_age)
        .map(|j| {
            let births = [
                births_of_age(census[0], survival[0], j, Sex::Female)?,
                births_of_age(census[1], survival[1], j, Sex::Male)?,
            ];
            let weighted_women = weighted_women_of_year(census[0], female_survival, &weights, j)?;
            let end_year = year_before(census_year, j)?;
            let start_year = year_before(census_year, j + 1)?;
            let total = births[0] + births[1];
            if weighted_women <= 0.0 {
                return Err(Error::InvalidParameter {
                    parameter: "women of the reproductive ages weighted by the fertility shape",
                    value: weighted_women,
                    range: "> 0 (women at the ages the shape gives weight to)",
                });
            }
            Ok(BirthYear {
                age_at_census: j,
                start_year,
                end_year,
                births,
                weighted_women,
                total_fertility_rate: total / weighted_women,
            })
        })
        .collect()
}

/// [`reverse_survive`] with the survival ratios of a pair of single-year life tables
/// (female, male), as the projection builds its step rates from them
/// ([`StepRates::from_life_tables`](crate::StepRates::from_life_tables)).
///
/// # Errors
///
/// [`Error::InvalidParameter`] when the first table is not female or the second not male;
/// the errors of [`reverse_survive`].
///
/// # Examples
///
/// ```
/// use popalloc::{LifeTable, OMEGA, Sex};
/// use popalloc::demography::reverse_survival::reverse_survive_with_life_tables;
///
/// let mx: Vec<f64> = (0..=OMEGA).map(|x| 0.00003 * (0.095 * x as f64).exp() + 0.0002).collect();
/// let tables = [LifeTable::from_mx(Sex::Female, &mx)?, LifeTable::from_mx(Sex::Male, &mx)?];
/// let mut females = vec![1_000.0; OMEGA + 1];
/// let males = vec![1_000.0; OMEGA + 1];
/// females[0] = 30.0;
/// let mut shape = vec![0.0; OMEGA + 1];
/// shape[15..50].fill(1.0);
/// let years = reverse_survive_with_life_tables([&females, &males], &tables, &shape, 2020, 4)?;
/// assert_eq!(years.len(), 5);
/// // About 1,030 births (30 girls and 1,000 boys aged 0) to about 1,000 women at each
/// // fertile age: a TFR near 1.03.
/// assert!((years[0].total_births() - 1_030.0).abs() < 1.0);
/// assert!((years[0].total_fertility_rate - 1.03).abs() < 0.01);
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn reverse_survive_with_life_tables(
    census: [&[f64]; 2],
    life_tables: &[LifeTable; 2],
    shape: &[f64],
    census_year: i32,
    oldest_age: usize,
) -> Result<Vec<BirthYear>> {
    let [female, male] = life_tables;
    if female.sex() != Sex::Female || male.sex() != Sex::Male {
        return Err(Error::InvalidParameter {
            parameter: "life tables (female, male)",
            value: f64::NAN,
            range: "a female table, then a male table",
        });
    }
    let (female, male) = (female.survival_ratios(), male.survival_ratios());
    reverse_survive(census, [&female, &male], shape, census_year, oldest_age)
}

/// Checks the inputs and returns the shape rescaled to sum to 1.
fn check_inputs(
    census: [&[f64]; 2],
    survival: [&[f64]; 2],
    shape: &[f64],
    oldest_age: usize,
) -> Result<Vec<f64>> {
    let ages = census[0].len();
    if ages < 3 {
        return Err(Error::LengthMismatch {
            what: "ages of the census (at least 3)",
            expected: 3,
            found: ages,
        });
    }
    for (what, len) in [
        ("male census ages vs female", census[1].len()),
        ("female survival ratios vs census ages", survival[0].len()),
        ("male survival ratios vs census ages", survival[1].len()),
        ("fertility shape ages vs census ages", shape.len()),
    ] {
        if len != ages {
            return Err(Error::LengthMismatch {
                what,
                expected: ages,
                found: len,
            });
        }
    }
    crate::error::check_parameter(
        "oldest age of the census children reverse-survived",
        oldest_age as f64,
        oldest_age <= MAX_CHILD_AGE,
        "0 to 9",
    )?;
    check_non_negative("female census count", census[0])?;
    check_non_negative("male census count", census[1])?;
    check_probability("female survival ratio", survival[0])?;
    check_probability("male survival ratio", survival[1])?;
    check_non_negative("fertility shape", shape)?;
    let sum: f64 = shape.iter().sum();
    crate::error::check_parameter(
        "sum of the fertility shape",
        sum,
        sum > 0.0 && sum.is_finite(),
        "a positive finite sum",
    )?;
    // Women aged x in the year [T−k−1, T−k) are aged up to x + k + 1 at the census: below
    // the open age, whose persons have no single age to go back from.
    let omega = ages - 1;
    if let Some(x) = (0..ages).rfind(|&x| shape[x] > 0.0 && x + oldest_age + 1 >= omega) {
        return Err(Error::InvalidParameter {
            parameter: "oldest age with fertility (it must be below the open age minus the years reverse-survived)",
            value: x as f64,
            range: "an age x with x + oldest_age + 1 < the open age",
        });
    }
    Ok(shape.iter().map(|w| w / sum).collect())
}

/// `P(j) / (S(0) … S(j))` for one sex.
fn births_of_age(census: &[f64], survival: &[f64], j: usize, sex: Sex) -> Result<f64> {
    let mut births = census[j];
    for (age, &s) in survival.iter().enumerate().take(j + 1) {
        if s <= 0.0 {
            return Err(zero_survival(survival_label(sex), age));
        }
        births /= s;
    }
    Ok(births)
}

/// `W(x, T−i) = P_f(x+i) / (S_f(x+1) … S_f(x+i))`.
fn women_before(census: &[f64], survival: &[f64], x: usize, i: usize) -> Result<f64> {
    let mut women = census[x + i];
    for (age, &s) in survival.iter().enumerate().skip(x + 1).take(i) {
        if s <= 0.0 {
            return Err(zero_survival("female survival ratio", age));
        }
        women /= s;
    }
    Ok(women)
}

/// `Σ_x w(x) ½ (W(x, T−j−1) + W(x, T−j))`.
fn weighted_women_of_year(
    females: &[f64],
    survival: &[f64],
    weights: &[f64],
    j: usize,
) -> Result<f64> {
    let mut sum = 0.0;
    for (x, &w) in weights.iter().enumerate() {
        if w > 0.0 {
            let start = women_before(females, survival, x, j + 1)?;
            let end = women_before(females, survival, x, j)?;
            sum += w * 0.5 * (start + end);
        }
    }
    Ok(sum)
}

fn survival_label(sex: Sex) -> &'static str {
    match sex {
        Sex::Female => "female survival ratio",
        Sex::Male => "male survival ratio",
    }
}

fn zero_survival(schedule: &'static str, age: usize) -> Error {
    Error::InvalidRate {
        schedule,
        age,
        value: 0.0,
        range: "> 0 on the path reverse-survived (no one could have survived it)",
    }
}

/// `census_year − years`, or an error when it is below the smallest year.
fn year_before(census_year: i32, years: usize) -> Result<i32> {
    i32::try_from(years)
        .ok()
        .and_then(|y| census_year.checked_sub(y))
        .ok_or(Error::InvalidParameter {
            parameter: "census year (a year before it is below the smallest year)",
            value: f64::from(census_year),
            range: "a year at least 10 above -2147483648",
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(value: f64) -> Vec<f64> {
        vec![value; 10]
    }

    fn shape() -> Vec<f64> {
        let mut s = vec![0.0; 10];
        s[2] = 1.0;
        s[3] = 3.0;
        s
    }

    #[test]
    fn inputs_that_cannot_be_reverse_survived_are_typed_errors() {
        let (p, s, w) = (flat(10.0), flat(0.9), shape());
        let short = vec![1.0; 9];
        let err = reverse_survive([&p, &short], [&s, &s], &w, 2020, 1).unwrap_err();
        assert!(
            matches!(err, Error::LengthMismatch { found: 9, .. }),
            "{err:?}"
        );
        let err = reverse_survive([&p, &p], [&s, &s], &w, 2020, 10).unwrap_err();
        assert!(matches!(err, Error::InvalidParameter { .. }), "{err:?}");
        let mut negative = p.clone();
        negative[4] = -1.0;
        let err = reverse_survive([&negative, &p], [&s, &s], &w, 2020, 1).unwrap_err();
        assert!(matches!(err, Error::InvalidRate { age: 4, .. }), "{err:?}");
        let mut dead = s.clone();
        dead[1] = 0.0;
        let err = reverse_survive([&p, &p], [&s, &dead], &w, 2020, 1).unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidRate {
                    schedule: "male survival ratio",
                    age: 1,
                    ..
                }
            ),
            "{err:?}"
        );
        let err = reverse_survive([&p, &p], [&s, &s], &flat(0.0), 2020, 1).unwrap_err();
        assert!(matches!(err, Error::InvalidParameter { .. }), "{err:?}");
        // Weight at age 7 with 2 years back needs women aged 9 = the open age.
        let mut late = shape();
        late[7] = 1.0;
        let err = reverse_survive([&p, &p], [&s, &s], &late, 2020, 1).unwrap_err();
        assert!(
            matches!(err, Error::InvalidParameter { value, .. } if value == 7.0),
            "{err:?}"
        );
        let err = reverse_survive([&p, &p], [&s, &s], &w, i32::MIN + 1, 1).unwrap_err();
        assert!(matches!(err, Error::InvalidParameter { .. }), "{err:?}");
        let no_women = vec![0.0; 10];
        let err = reverse_survive([&no_women, &p], [&s, &s], &w, 2020, 1).unwrap_err();
        assert!(matches!(err, Error::InvalidParameter { .. }), "{err:?}");
    }

    #[test]
    fn the_shape_is_used_in_any_scale() {
        let (p, s) = (flat(10.0), flat(0.9));
        let w = shape();
        let percent: Vec<f64> = w.iter().map(|v| v * 25.0).collect();
        let a = reverse_survive([&p, &p], [&s, &s], &w, 2020, 2).unwrap();
        let b = reverse_survive([&p, &p], [&s, &s], &percent, 2020, 2).unwrap();
        for (a, b) in a.iter().zip(&b) {
            assert!((a.total_fertility_rate - b.total_fertility_rate).abs() < 1e-12);
        }
        // Children aged 2: 10 / 0.9^3 of each sex.
        assert!((a[2].births[0] - 10.0 / 0.729).abs() < 1e-12);
        assert_eq!((a[2].start_year, a[2].end_year), (2017, 2018));
    }
}
