//! The demographic rates of one projection step: survival, fertility, sex ratio at birth.

use crate::demography::life_table::{LifeTable, andreev_kingkade_a0};
use crate::demography::sex::Sex;
use crate::error::{Error, Result, check_non_negative, check_parameter, check_probability};

/// The rates of one projection step for the district, valid by construction: survival
/// ratios in [0, 1] by sex (indexed by the age group at the end of the step, DESIGN §4),
/// age-specific fertility rates (births per woman per year, by age group of the mother, 0
/// in the first and open groups), and the sex ratio at birth (males per female).
///
/// Built from life tables ([`StepRates::from_life_tables`]), the rates keep the death rates
/// m(x), so that areas can scale mortality by a multiplier; built from survival ratios
/// ([`StepRates::from_survival`]), they cannot.
///
/// # Examples
///
/// ```
/// use popalloc::{LifeTable, Sex, StepRates};
///
/// let mx: Vec<f64> = (0..=100).map(|x| 0.0001 * (0.09 * x as f64).exp() + 0.001).collect();
/// let female = LifeTable::from_mx(Sex::Female, &mx).unwrap();
/// let male = LifeTable::from_mx(Sex::Male, &mx).unwrap();
/// let mut asfr = vec![0.0; 101];
/// for age in 15..50 { asfr[age] = 1.3 / 35.0; }
/// let rates = StepRates::from_life_tables(&female, &male, asfr, 1.06).unwrap();
/// assert!((rates.total_fertility_rate() - 1.3).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct StepRates {
    survival: [Vec<f64>; 2],
    mx: Option<[Vec<f64>; 2]>,
    fertility: Vec<f64>,
    sex_ratio_at_birth: f64,
}

impl StepRates {
    /// Rates from survival ratios by sex (female, male), ASFR and the sex ratio at birth.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] when the schedules differ in length or have fewer than 3
    /// groups; [`Error::InvalidRate`] for a survival ratio outside [0, 1], a negative or NaN
    /// fertility rate, or fertility in the first or open age group;
    /// [`Error::InvalidParameter`] for a sex ratio at birth that is not a finite number > 0.
    pub fn from_survival(
        female_survival: Vec<f64>,
        male_survival: Vec<f64>,
        fertility: Vec<f64>,
        sex_ratio_at_birth: f64,
    ) -> Result<Self> {
        let groups = female_survival.len();
        if groups < 3 {
            return Err(Error::LengthMismatch {
                what: "age groups of step rates (at least 3)",
                expected: 3,
                found: groups,
            });
        }
        for (what, len) in [
            ("male survival ratios vs female", male_survival.len()),
            ("fertility rates vs survival ratios", fertility.len()),
        ] {
            if len != groups {
                return Err(Error::LengthMismatch {
                    what,
                    expected: groups,
                    found: len,
                });
            }
        }
        check_probability("female survival ratio", &female_survival)?;
        check_probability("male survival ratio", &male_survival)?;
        check_non_negative("ASFR", &fertility)?;
        for age in [0, groups - 1] {
            if fertility[age] > 0.0 {
                return Err(Error::InvalidRate {
                    schedule: "ASFR",
                    age,
                    value: fertility[age],
                    range: "0 in the first and the open age group",
                });
            }
        }
        check_parameter(
            "sex ratio at birth (males per female)",
            sex_ratio_at_birth,
            sex_ratio_at_birth > 0.0,
            "a finite number > 0",
        )?;
        Ok(Self {
            survival: [female_survival, male_survival],
            mx: None,
            fertility,
            sex_ratio_at_birth,
        })
    }

    /// Rates of a one-year step from single-year life tables (female, male), ASFR and the
    /// sex ratio at birth.
    ///
    /// # Errors
    ///
    /// As [`StepRates::from_survival`]; [`Error::InvalidParameter`] when the first table is
    /// not female or the second not male; [`Error::LengthMismatch`] when the tables differ
    /// in length.
    pub fn from_life_tables(
        female: &LifeTable,
        male: &LifeTable,
        fertility: Vec<f64>,
        sex_ratio_at_birth: f64,
    ) -> Result<Self> {
        if female.sex() != Sex::Female || male.sex() != Sex::Male {
            return Err(Error::InvalidParameter {
                parameter: "life tables (female, male)",
                value: f64::NAN,
                range: "a female table, then a male table",
            });
        }
        let mut rates = Self::from_survival(
            female.survival_ratios(),
            male.survival_ratios(),
            fertility,
            sex_ratio_at_birth,
        )?;
        rates.mx = Some([female.mx().to_vec(), male.mx().to_vec()]);
        Ok(rates)
    }

    /// The number of age groups.
    pub fn groups(&self) -> usize {
        self.fertility.len()
    }

    /// Survival ratios of one sex, by age group at the end of the step.
    #[doc(alias = "Sx")]
    pub fn survival(&self, sex: Sex) -> &[f64] {
        &self.survival[sex.index()]
    }

    /// The death rates m(x) of one sex, when the rates came from life tables.
    pub fn death_rates(&self, sex: Sex) -> Option<&[f64]> {
        self.mx.as_ref().map(|mx| mx[sex.index()].as_slice())
    }

    /// Age-specific fertility rates by age group of the mother (births per woman per year).
    #[doc(alias = "ASFR")]
    pub fn fertility(&self) -> &[f64] {
        &self.fertility
    }

    /// Males born per female born.
    #[doc(alias = "SRB")]
    pub fn sex_ratio_at_birth(&self) -> f64 {
        self.sex_ratio_at_birth
    }

    /// The total fertility rate of single-year rates, Σ f(x) (multiply by the group width
    /// for wider groups).
    #[doc(alias = "TFR")]
    pub fn total_fertility_rate(&self) -> f64 {
        self.fertility.iter().sum()
    }
}

/// The schedule a scaled death rate belongs to, as errors name it.
fn scaled_schedule(sex: Sex) -> &'static str {
    match sex {
        Sex::Female => "female m(x) x area mortality multiplier",
        Sex::Male => "male m(x) x area mortality multiplier",
    }
}

/// The scaled death rate of the open age group `omega`, which must be finite and > 0 (the
/// group's L is l / m).
fn check_open_rate(schedule: &'static str, omega: usize, m_open: f64) -> Result<f64> {
    if m_open <= 0.0 || !m_open.is_finite() {
        return Err(Error::InvalidRate {
            schedule,
            age: omega,
            value: m_open,
            range: "> 0 in the open age group",
        });
    }
    Ok(m_open)
}

/// The survival schedules of areas whose mortality multiplier is not 1, built from one
/// step's death rates ([`scaled_survival_both`]) and kept while the next area asks for
/// the same multiplier, bit for bit (areas often share one).
pub(crate) struct ScaledSurvival {
    /// The multiplier the schedules were built for (NaN: none).
    multiplier: f64,
    by_sex: [Vec<f64>; 2],
    /// The q(x) and L(x) of both sexes while building.
    work: [Vec<f64>; 4],
}

impl ScaledSurvival {
    /// Room for schedules of `groups` ages, none built.
    pub(crate) fn new(groups: usize) -> Self {
        Self {
            multiplier: f64::NAN,
            by_sex: [vec![0.0; groups], vec![0.0; groups]],
            work: [(); 4].map(|_| vec![0.0; groups]),
        }
    }

    /// Forgets the schedules: the next area rebuilds them (new death rates).
    pub(crate) fn forget(&mut self) {
        self.multiplier = f64::NAN;
    }

    /// Female and male survival of an area of mortality multiplier `k` in the step of
    /// `rates`: the step's own when `k` is 1, else the death rates scaled by `k`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when `k` is not 1 and the rates carry no death rates;
    /// the errors of [`scaled_survival_both`].
    pub(crate) fn of<'a>(&'a mut self, rates: &'a StepRates, k: f64) -> Result<[&'a [f64]; 2]> {
        let scaled = (k - 1.0).abs() > 0.0;
        if !scaled {
            return Ok([rates.survival(Sex::Female), rates.survival(Sex::Male)]);
        }
        if k.to_bits() != self.multiplier.to_bits() {
            // Stale until both sexes are rebuilt.
            self.multiplier = f64::NAN;
            let [Some(female), Some(male)] = Sex::ALL.map(|sex| rates.death_rates(sex)) else {
                return Err(Error::InvalidParameter {
                    parameter: "area mortality multipliers",
                    value: k,
                    range: "1 unless the step rates come from life tables",
                });
            };
            let [f, m] = &mut self.by_sex;
            scaled_survival_both([female, male], k, &mut self.work, [f, m])?;
            self.multiplier = k;
        }
        Ok([&self.by_sex[0], &self.by_sex[1]])
    }
}

/// Survival ratios of a one-year step for death rates `mx` scaled by `multiplier`, written
/// into `out` without allocating: the life table of DESIGN §3 computed on the fly, with
/// the same arithmetic as [`LifeTable`], in one pass per sex — the reference the tests hold
/// [`scaled_survival_both`] (what projections run) to, bit for bit.
///
/// # Errors
///
/// [`Error::InvalidRate`] when a scaled rate gives q(x) > 1 or the open group's scaled
/// rate is 0.
#[cfg(test)]
pub(crate) fn scaled_survival(
    sex: Sex,
    mx: &[f64],
    multiplier: f64,
    out: &mut [f64],
) -> Result<()> {
    let omega = mx.len() - 1;
    let schedule = scaled_schedule(sex);
    let mut l = 1.0;
    let mut previous_big_l = 0.0;
    for x in 0..omega {
        let m = mx[x] * multiplier;
        let a = if x == 0 {
            andreev_kingkade_a0(sex, m)
        } else {
            0.5
        };
        let q = m / (1.0 + (1.0 - a) * m);
        if !(0.0..=1.0).contains(&q) {
            return Err(Error::InvalidRate {
                schedule,
                age: x,
                value: m,
                range: "low enough that q(x) <= 1",
            });
        }
        let next_l = l * (1.0 - q);
        let big_l = next_l + a * (l * q);
        out[x] = if x == 0 {
            big_l
        } else if previous_big_l > 0.0 {
            big_l / previous_big_l
        } else {
            0.0
        };
        previous_big_l = big_l;
        l = next_l;
    }
    let m_open = check_open_rate(schedule, omega, mx[omega] * multiplier)?;
    let open_l = l / m_open;
    let denominator = previous_big_l + open_l;
    out[omega] = if denominator > 0.0 {
        open_l / denominator
    } else {
        0.0
    };
    Ok(())
}

/// Both sexes' survival ratios for death rates scaled by `multiplier`, the same bits as
/// [`scaled_survival`] of each sex, in three passes instead of one: every q(x) first (a
/// loop of independent divisions, which vectorises), then the chains of l(x) and L(x) of
/// the two sexes side by side, then every ratio L(x) / L(x − 1) (independent divisions
/// again). The arithmetic of each value is unchanged; only independent operations are
/// reordered. `work` holds four schedules of `groups` values.
///
/// # Errors
///
/// As [`scaled_survival`], the female schedule's first.
pub(crate) fn scaled_survival_both(
    mx: [&[f64]; 2],
    multiplier: f64,
    work: &mut [Vec<f64>; 4],
    out: [&mut [f64]; 2],
) -> Result<()> {
    let omega = mx[0].len() - 1;
    let [q_f, q_m, big_f, big_m] = work;
    let q = [&mut q_f[..omega], &mut q_m[..omega]];
    let mut a0 = [0.0; 2];
    for (((sex, rates), q), a0) in Sex::ALL.into_iter().zip(mx).zip(q).zip(&mut a0) {
        let schedule = scaled_schedule(sex);
        let m0 = rates[0] * multiplier;
        *a0 = andreev_kingkade_a0(sex, m0);
        q[0] = m0 / (1.0 + (1.0 - *a0) * m0);
        const A: f64 = 0.5;
        for (qx, &mx) in q[1..].iter_mut().zip(&rates[1..omega]) {
            let m = mx * multiplier;
            *qx = m / (1.0 + (1.0 - A) * m);
        }
        if !q.iter().fold(true, |ok, q| ok & (0.0..=1.0).contains(q))
            && let Some(x) = q.iter().position(|q| !(0.0..=1.0).contains(q))
        {
            return Err(Error::InvalidRate {
                schedule,
                age: x,
                value: rates[x] * multiplier,
                range: "low enough that q(x) <= 1",
            });
        }
        check_open_rate(schedule, omega, rates[omega] * multiplier)?;
    }
    // The two chains l(x + 1) = l(x) (1 − q(x)), side by side.
    let mut l = [1.0; 2];
    for (x, (((&qf, &qm), bf), bm)) in q_f[..omega]
        .iter()
        .zip(&q_m[..omega])
        .zip(big_f[..omega].iter_mut())
        .zip(big_m[..omega].iter_mut())
        .enumerate()
    {
        let a = if x == 0 { a0 } else { [0.5; 2] };
        let next = [l[0] * (1.0 - qf), l[1] * (1.0 - qm)];
        *bf = next[0] + a[0] * (l[0] * qf);
        *bm = next[1] + a[1] * (l[1] * qm);
        l = next;
    }
    for (s, (big_l, out)) in [&big_f[..omega], &big_m[..omega]]
        .into_iter()
        .zip(out)
        .enumerate()
    {
        out[0] = big_l[0];
        for ((o, &here), &before) in out[1..omega].iter_mut().zip(&big_l[1..]).zip(big_l) {
            // Divided whatever `before` is, then chosen: no branch, so the loop
            // vectorises (a quotient by 0 is never kept).
            let ratio = here / before;
            *o = if before > 0.0 { ratio } else { 0.0 };
        }
        let open_l = l[s] / (mx[s][omega] * multiplier);
        let denominator = big_l[omega - 1] + open_l;
        out[omega] = if denominator > 0.0 {
            open_l / denominator
        } else {
            0.0
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mx() -> Vec<f64> {
        (0..=100)
            .map(|x| 0.00008 * (0.088 * x as f64).exp() + if x == 0 { 0.004 } else { 0.0002 })
            .collect()
    }

    #[test]
    fn scaled_survival_matches_the_life_table() {
        for sex in Sex::ALL {
            for k in [1.0, 0.8, 1.3] {
                let scaled: Vec<f64> = mx().iter().map(|m| m * k).collect();
                let table = LifeTable::from_mx(sex, &scaled).unwrap();
                let mut out = vec![0.0; 101];
                scaled_survival(sex, &mx(), k, &mut out).unwrap();
                for (x, (a, b)) in out.iter().zip(table.survival_ratios()).enumerate() {
                    assert!((a - b).abs() < 1e-14, "{sex} k={k} age {x}: {a} vs {b}");
                }
            }
        }
    }

    #[test]
    fn invalid_rates_are_rejected() {
        let s = vec![1.0; 5];
        assert!(matches!(
            StepRates::from_survival(s.clone(), vec![1.0, 1.0, 1.2, 1.0, 1.0], vec![0.0; 5], 1.05),
            Err(Error::InvalidRate { age: 2, .. })
        ));
        assert!(matches!(
            StepRates::from_survival(
                s.clone(),
                s.clone(),
                vec![0.0, 0.1, f64::NAN, 0.0, 0.0],
                1.05
            ),
            Err(Error::InvalidRate { age: 2, .. })
        ));
        assert!(matches!(
            StepRates::from_survival(s.clone(), s.clone(), vec![0.1, 0.0, 0.0, 0.0, 0.0], 1.05),
            Err(Error::InvalidRate { age: 0, .. })
        ));
        assert!(matches!(
            StepRates::from_survival(s.clone(), s.clone(), vec![0.0; 5], f64::NAN),
            Err(Error::InvalidParameter { .. })
        ));
        assert!(matches!(
            StepRates::from_survival(s.clone(), s, vec![0.0; 4], 1.05),
            Err(Error::LengthMismatch { .. })
        ));
        let mut out = vec![0.0; 101];
        assert!(scaled_survival(Sex::Male, &mx(), 1e6, &mut out).is_err());
    }

    /// The two-sex schedules are those of `scaled_survival`, to the bit, for multipliers
    /// below, at and above 1, and its errors (q(x) > 1, an open group without deaths) are
    /// the same, the female's first.
    #[test]
    fn both_sexes_at_once_are_scaled_survival_to_the_bit() {
        let yuzhong = crate::Scenario::yuzhong().unwrap();
        let [female, male] = yuzhong.life_tables(yuzhong.base_year()).unwrap();
        let g = female.mx().len();
        let mut work = [(); 4].map(|_| vec![0.0; g]);
        for k in [0.3, 0.87, 0.999_999_9, 1.0, 1.000_001, 1.2, 1.6] {
            let (mut f, mut m) = (vec![0.0; g], vec![0.0; g]);
            scaled_survival_both([female.mx(), male.mx()], k, &mut work, [&mut f, &mut m]).unwrap();
            for (sex, ours) in [(Sex::Female, &f), (Sex::Male, &m)] {
                let table = if sex == Sex::Female { &female } else { &male };
                let mut theirs = vec![0.0; g];
                scaled_survival(sex, table.mx(), k, &mut theirs).unwrap();
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(ours), bits(&theirs), "{sex} k = {k}");
            }
        }
        // Male rates high enough that q > 1 at old ages; then an open group without deaths.
        let high: Vec<f64> = male.mx().iter().map(|m| m * 8.0).collect();
        let mut no_open = female.mx().to_vec();
        no_open[g - 1] = 0.0;
        for (mx, k) in [
            ([female.mx(), &high[..]], 1.0),
            ([female.mx(), male.mx()], 40.0),
            ([&no_open[..], male.mx()], 1.0),
        ] {
            let (mut f, mut m) = (vec![0.0; g], vec![0.0; g]);
            let ours = scaled_survival_both(mx, k, &mut work, [&mut f, &mut m]).unwrap_err();
            let theirs = scaled_survival(Sex::Female, mx[0], k, &mut f)
                .and_then(|()| scaled_survival(Sex::Male, mx[1], k, &mut m))
                .unwrap_err();
            assert_eq!(ours.to_string(), theirs.to_string());
        }
    }
}
