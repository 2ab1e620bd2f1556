//! Life tables from death rates m(x) or probabilities q(x) (DESIGN §3).

use crate::demography::sex::Sex;
use crate::error::{Error, Result, check_non_negative, check_probability};

/// Average years lived in the first year of life by those who die in it, a(0), from the
/// infant death rate m(0), by sex: the piecewise-linear rule of Andreev & Kingkade (2015),
/// used by the Human Mortality Database.
///
/// # Formula
///
/// | sex | m(0) < b₁ | b₁ ≤ m(0) < b₂ | m(0) ≥ b₂ |
/// |---|---|---|---|
/// | male (b₁ = 0.02300, b₂ = 0.08307) | 0.14929 − 1.99545 m(0) | 0.02832 + 3.26021 m(0) | 0.29915 |
/// | female (b₁ = 0.01724, b₂ = 0.06891) | 0.14903 − 2.05527 m(0) | 0.04667 + 3.88089 m(0) | 0.31411 |
///
/// # References
///
/// Andreev, E. M. & Kingkade, W. W. (2015). Average age at death in infancy and infant
/// mortality level: reconsidering the Coale-Demeny formulas at current levels of low
/// mortality. *Demographic Research* 33(13), 363–390.
///
/// # Examples
///
/// ```
/// use popalloc::{Sex, andreev_kingkade_a0};
/// let a0 = andreev_kingkade_a0(Sex::Female, 0.01);
/// assert!((a0 - (0.14903 - 2.05527 * 0.01)).abs() < 1e-15);
/// ```
#[doc(alias = "a0")]
pub fn andreev_kingkade_a0(sex: Sex, m0: f64) -> f64 {
    match sex {
        Sex::Male if m0 < 0.02300 => 0.14929 - 1.99545 * m0,
        Sex::Male if m0 < 0.08307 => 0.02832 + 3.26021 * m0,
        Sex::Male => 0.29915,
        Sex::Female if m0 < 0.01724 => 0.14903 - 2.05527 * m0,
        Sex::Female if m0 < 0.06891 => 0.04667 + 3.88089 * m0,
        Sex::Female => 0.31411,
    }
}

/// A complete (single-year) life table with radix l(0) = 1, ages 0..=ω, the last age open.
///
/// # Formula (DESIGN §3)
///
/// a(x) = ½ for 1 ≤ x < ω, a(0) from [`andreev_kingkade_a0`];
/// q(x) = m(x) / (1 + (1 − a(x)) m(x)) for x < ω, q(ω) = 1;
/// l(0) = 1, l(x+1) = l(x) (1 − q(x)); d(x) = l(x) q(x);
/// L(x) = l(x+1) + a(x) d(x) for x < ω, L(ω) = l(ω) / m(ω);
/// T(x) = Σ_{y ≥ x} L(y); e(x) = T(x) / l(x) (0 where l(x) = 0).
///
/// # References
///
/// Preston, S. H., Heuveline, P. & Guillot, M. (2001). *Demography: Measuring and Modeling
/// Population Processes*, ch. 3.
///
/// # Examples
///
/// ```
/// use popalloc::{LifeTable, Sex};
///
/// // Constant hazard 0.1 up to an open group at 2.
/// let table = LifeTable::from_mx(Sex::Male, &[0.1, 0.1, 0.1]).unwrap();
/// assert_eq!(table.lx()[0], 1.0);
/// let q1 = 0.1 / 1.05;
/// assert!((table.qx()[1] - q1).abs() < 1e-15);
/// assert!(table.life_expectancy() > 0.0);
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LifeTable {
    sex: Sex,
    mx: Vec<f64>,
    ax: Vec<f64>,
    qx: Vec<f64>,
    lx: Vec<f64>,
    dx: Vec<f64>,
    big_lx: Vec<f64>,
    tx: Vec<f64>,
    ex: Vec<f64>,
}

impl LifeTable {
    /// The life table of central death rates `mx` for ages `0..=ω` (ω = `mx.len() - 1`).
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] with fewer than 2 ages; [`Error::InvalidRate`] when a rate is
    /// negative or not finite, when the open-group rate is 0 (no one would ever die), or
    /// when a rate is so high that q(x) would exceed 1.
    pub fn from_mx(sex: Sex, mx: &[f64]) -> Result<Self> {
        check_length(mx.len())?;
        check_non_negative(schedule_name(sex, "m(x)"), mx)?;
        let omega = mx.len() - 1;
        if mx[omega] <= 0.0 {
            return Err(Error::InvalidRate {
                schedule: schedule_name(sex, "m(x)"),
                age: omega,
                value: mx[omega],
                range: "> 0 in the open age group",
            });
        }
        let mut ax = vec![0.5; omega + 1];
        ax[0] = andreev_kingkade_a0(sex, mx[0]);
        let mut qx = vec![1.0; omega + 1];
        for x in 0..omega {
            qx[x] = mx[x] / (1.0 + (1.0 - ax[x]) * mx[x]);
            if qx[x] > 1.0 {
                return Err(Error::InvalidRate {
                    schedule: schedule_name(sex, "m(x)"),
                    age: x,
                    value: mx[x],
                    range: "low enough that q(x) <= 1 (m(x) <= 1 / a(x))",
                });
            }
        }
        ax[omega] = 1.0 / mx[omega];
        Ok(Self::complete(sex, mx.to_vec(), ax, qx))
    }

    /// The life table of death probabilities `qx` for ages `0..=ω`; the last value is
    /// ignored (q(ω) = 1) and the open group's death rate `open_mx` gives L(ω) = l(ω)/m(ω).
    /// a(0) is the Andreev–Kingkade value consistent with q(0): the m(0) that together with
    /// its own a(0) gives q(0), found by fixed-point iteration.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRate`] when a probability is outside [0, 1];
    /// [`Error::InvalidParameter`] when `open_mx` is not a finite number > 0;
    /// [`Error::LengthMismatch`] with fewer than 2 ages.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{LifeTable, Sex};
    /// let from_m = LifeTable::from_mx(Sex::Female, &[0.004, 0.001, 0.02, 0.3]).unwrap();
    /// let from_q = LifeTable::from_qx(Sex::Female, from_m.qx(), 0.3).unwrap();
    /// assert!((from_q.life_expectancy() - from_m.life_expectancy()).abs() < 1e-12);
    /// ```
    pub fn from_qx(sex: Sex, qx: &[f64], open_mx: f64) -> Result<Self> {
        check_length(qx.len())?;
        let omega = qx.len() - 1;
        check_probability(schedule_name(sex, "q(x)"), &qx[..omega])?;
        crate::error::check_parameter(
            "open age group death rate m(omega)",
            open_mx,
            open_mx > 0.0,
            "a finite number > 0",
        )?;
        let mut ax = vec![0.5; omega + 1];
        ax[0] = a0_for_q0(sex, qx[0]);
        ax[omega] = 1.0 / open_mx;
        let mut q = qx.to_vec();
        q[omega] = 1.0;
        let mut mx = vec![0.0; omega + 1];
        for x in 0..omega {
            let denominator = 1.0 - (1.0 - ax[x]) * q[x];
            // q = 1 with a = 0 would be an infinite rate; everyone dies at the start.
            mx[x] = if denominator > 0.0 {
                q[x] / denominator
            } else {
                f64::INFINITY
            };
        }
        mx[omega] = open_mx;
        Ok(Self::complete(sex, mx, ax, q))
    }

    /// Fills in l, d, L, T and e from m, a and q (a(ω) holds 1/m(ω)).
    fn complete(sex: Sex, mx: Vec<f64>, ax: Vec<f64>, qx: Vec<f64>) -> Self {
        let n = mx.len();
        let omega = n - 1;
        let mut lx = vec![0.0; n];
        lx[0] = 1.0;
        for x in 0..omega {
            lx[x + 1] = lx[x] * (1.0 - qx[x]);
        }
        let dx: Vec<f64> = (0..n).map(|x| lx[x] * qx[x]).collect();
        let mut big_lx = vec![0.0; n];
        for x in 0..omega {
            big_lx[x] = lx[x + 1] + ax[x] * dx[x];
        }
        big_lx[omega] = lx[omega] / mx[omega];
        let mut tx = vec![0.0; n];
        let mut sum = 0.0;
        for x in (0..n).rev() {
            sum += big_lx[x];
            tx[x] = sum;
        }
        let ex = (0..n)
            .map(|x| if lx[x] > 0.0 { tx[x] / lx[x] } else { 0.0 })
            .collect();
        Self {
            sex,
            mx,
            ax,
            qx,
            lx,
            dx,
            big_lx,
            tx,
            ex,
        }
    }

    /// The sex of the table.
    pub fn sex(&self) -> Sex {
        self.sex
    }

    /// The open age ω.
    pub fn open_age(&self) -> usize {
        self.mx.len() - 1
    }

    /// Central death rates m(x).
    #[doc(alias = "nMx")]
    pub fn mx(&self) -> &[f64] {
        &self.mx
    }

    /// Average years lived in the interval by those dying in it, a(x) (a(ω) = 1/m(ω)).
    #[doc(alias = "nax")]
    pub fn ax(&self) -> &[f64] {
        &self.ax
    }

    /// Probabilities of dying q(x) (q(ω) = 1).
    #[doc(alias = "nqx")]
    pub fn qx(&self) -> &[f64] {
        &self.qx
    }

    /// Survivors to exact age x, l(x), radix 1.
    pub fn lx(&self) -> &[f64] {
        &self.lx
    }

    /// Deaths in the interval, d(x).
    #[doc(alias = "ndx")]
    pub fn dx(&self) -> &[f64] {
        &self.dx
    }

    /// Person-years lived in the interval, L(x).
    #[doc(alias = "nLx")]
    pub fn person_years(&self) -> &[f64] {
        &self.big_lx
    }

    /// Person-years lived above age x, T(x).
    #[doc(alias = "Tx")]
    pub fn tx(&self) -> &[f64] {
        &self.tx
    }

    /// Life expectancy at each age, e(x).
    pub fn ex(&self) -> &[f64] {
        &self.ex
    }

    /// Life expectancy at birth, e(0).
    #[doc(alias = "e0")]
    pub fn life_expectancy(&self) -> f64 {
        self.ex[0]
    }

    /// Life disparity e† (years lost to death), the sensitivity of e0 to a proportional
    /// change of every death rate: e0 of the rates `m(x)·(1 + δ)` is ≈ e0 − δ·e†
    /// (Keyfitz's entropy H = e† / e0).
    ///
    /// # Formula
    ///
    /// e† = Σ_x d(x) · ½ (e(x) + e(x+1)) / l(0), with d(ω) · e(ω) for the open group: the
    /// deaths of each age weighted by the life expectancy remaining at the middle of it.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{LifeTable, Sex};
    ///
    /// let mx: Vec<f64> = (0..=100).map(|x| 0.00005 * (0.095 * x as f64).exp()).collect();
    /// let base = LifeTable::from_mx(Sex::Female, &mx)?;
    /// let higher: Vec<f64> = mx.iter().map(|m| m * 1.01).collect();
    /// let change = LifeTable::from_mx(Sex::Female, &higher)?.life_expectancy() - base.life_expectancy();
    /// assert!((change + 0.01 * base.life_disparity()).abs() < 0.002);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn life_disparity(&self) -> f64 {
        let last = self.ex.len() - 1;
        let closed: f64 = (0..last)
            .map(|x| self.dx[x] * 0.5 * (self.ex[x] + self.ex[x + 1]))
            .sum();
        (closed + self.dx[last] * self.ex[last]) / self.lx[0]
    }

    /// The survival ratios of a one-year projection step (see [`survival_ratios`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{LifeTable, Sex};
    /// let t = LifeTable::from_mx(Sex::Female, &[0.01, 0.002, 0.5]).unwrap();
    /// let s = t.survival_ratios();
    /// assert!((s[1] - t.person_years()[1] / t.person_years()[0]).abs() < 1e-15);
    /// ```
    pub fn survival_ratios(&self) -> Vec<f64> {
        survival_ratios_from(&self.big_lx, self.lx[0], 1)
    }
}

/// Survival ratios of a projection step n years long with age groups n years wide, from a
/// life table's person-years `person_years` (nLx, last group open) and radix `l0`.
///
/// # Formula (DESIGN §4)
///
/// S(0) = L(0) / (n · l(0)); S(x) = L(x) / L(x−1) for 1 ≤ x < ω; S(ω) = T(ω) / T(ω−1),
/// indexed by the age group at the end of the step. A ratio whose denominator is 0 is 0.
///
/// # Errors
///
/// [`Error::LengthMismatch`] with fewer than 2 groups; [`Error::InvalidRate`] for negative
/// person-years or ratios above 1 (person-years that rise with age);
/// [`Error::InvalidParameter`] for a radix or width that is not positive.
///
/// # Examples
///
/// Preston, Heuveline & Guillot (2001), Box 6.2, Sweden 1993 females: 5L0 = 497,487 with a
/// radix of 100,000 gives S(0) = 0.994974.
///
/// ```
/// let s = popalloc::survival_ratios(100_000.0, &[497_487.0, 497_138.0, 1_000_000.0], 5).unwrap();
/// assert!((s[0] - 0.994974).abs() < 1e-12);
/// ```
#[doc(alias = "Sx")]
pub fn survival_ratios(l0: f64, person_years: &[f64], width: usize) -> Result<Vec<f64>> {
    check_length(person_years.len())?;
    check_non_negative("L(x)", person_years)?;
    crate::error::check_parameter("radix l(0)", l0, l0 > 0.0, "a finite number > 0")?;
    crate::error::check_parameter("step width n", width as f64, width > 0, ">= 1")?;
    let s = survival_ratios_from(person_years, l0, width);
    check_probability("survival ratio", &s)?;
    Ok(s)
}

fn survival_ratios_from(big_lx: &[f64], l0: f64, width: usize) -> Vec<f64> {
    let n = big_lx.len();
    let omega = n - 1;
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    let mut s = vec![0.0; n];
    s[0] = ratio(big_lx[0], width as f64 * l0);
    for x in 1..omega {
        s[x] = ratio(big_lx[x], big_lx[x - 1]);
    }
    s[omega] = ratio(big_lx[omega], big_lx[omega - 1] + big_lx[omega]);
    s
}

/// a(0) consistent with q(0) under the Andreev–Kingkade rule: iterate
/// m = q / (1 − (1 − a(m)) q) to a fixed point (a contraction: |da/dm| < 4 and the map's
/// slope is below 0.5 for q ≤ 0.5; it stops after 200 rounds in any case).
fn a0_for_q0(sex: Sex, q0: f64) -> f64 {
    let mut a = andreev_kingkade_a0(sex, q0);
    for _ in 0..200 {
        let m = q0 / (1.0 - (1.0 - a) * q0);
        let next = andreev_kingkade_a0(sex, m);
        if (next - a).abs() < 1e-15 {
            return next;
        }
        a = next;
    }
    a
}

fn check_length(len: usize) -> Result<()> {
    if len < 2 {
        return Err(Error::LengthMismatch {
            what: "ages of a life table (at least 2)",
            expected: 2,
            found: len,
        });
    }
    Ok(())
}

fn schedule_name(sex: Sex, what: &'static str) -> &'static str {
    match (sex, what) {
        (Sex::Female, "m(x)") => "female m(x)",
        (Sex::Male, "m(x)") => "male m(x)",
        (Sex::Female, _) => "female q(x)",
        (Sex::Male, _) => "male q(x)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn andreev_kingkade_each_segment() {
        // Hand-computed from the published coefficients, one point per segment and sex.
        let cases = [
            (Sex::Male, 0.005, 0.14929 - 1.99545 * 0.005),
            (Sex::Male, 0.05, 0.02832 + 3.26021 * 0.05),
            (Sex::Male, 0.1, 0.29915),
            (Sex::Female, 0.005, 0.14903 - 2.05527 * 0.005),
            (Sex::Female, 0.03, 0.04667 + 3.88089 * 0.03),
            (Sex::Female, 0.2, 0.31411),
        ];
        for (sex, m0, want) in cases {
            assert!(
                (andreev_kingkade_a0(sex, m0) - want).abs() < 1e-15,
                "{sex} {m0}"
            );
        }
        // Numbers: male m0 = 0.005 → 0.1393128; female m0 = 0.03 → 0.1630967.
        assert!((andreev_kingkade_a0(Sex::Male, 0.005) - 0.139_312_75).abs() < 1e-9);
        assert!((andreev_kingkade_a0(Sex::Female, 0.03) - 0.163_096_7).abs() < 1e-9);
    }

    /// The male middle segment meets the upper plateau: only the published slope 3.26021
    /// puts the crossing at the published breakpoint, (0.29915 − 0.02832) / 3.26021 =
    /// 0.083071 (a slope of 3.26201 left a step of 1.5e-4 there).
    #[test]
    fn andreev_kingkade_male_a0_is_continuous_at_the_upper_breakpoint() {
        let below = andreev_kingkade_a0(Sex::Male, 0.08307 - 1e-12);
        let at = andreev_kingkade_a0(Sex::Male, 0.08307);
        assert!((below - at).abs() < 1e-5, "{below} -> {at}");
        assert!(((0.29915_f64 - 0.02832) / 3.26021 - 0.08307).abs() < 1e-5);
        // Hand-computed: 0.02832 + 3.26021 × 0.05 = 0.1913305.
        assert!((andreev_kingkade_a0(Sex::Male, 0.05) - 0.191_330_5).abs() < 1e-12);
    }

    #[test]
    fn constant_hazard_table_by_hand() {
        // m = 0.2 everywhere, ω = 2, female; a0 = 0.31411 (m0 ≥ 0.06891).
        let t = LifeTable::from_mx(Sex::Female, &[0.2, 0.2, 0.2]).unwrap();
        let q0 = 0.2 / (1.0 + (1.0 - 0.31411) * 0.2);
        let q1 = 0.2 / 1.1;
        let l1 = 1.0 - q0;
        let l2 = l1 * (1.0 - q1);
        let big_l0 = l1 + 0.31411 * q0;
        let big_l1 = l2 + 0.5 * l1 * q1;
        let big_l2 = l2 / 0.2;
        let e0 = big_l0 + big_l1 + big_l2;
        assert!((t.lx()[2] - l2).abs() < 1e-15);
        assert!((t.person_years()[1] - big_l1).abs() < 1e-15);
        assert!((t.life_expectancy() - e0).abs() < 1e-14);
        assert!((t.ex()[2] - 5.0).abs() < 1e-14);
        assert!((t.tx()[1] - (big_l1 + big_l2)).abs() < 1e-15);
    }

    #[test]
    fn bad_rates_are_rejected() {
        assert!(matches!(
            LifeTable::from_mx(Sex::Male, &[0.01, f64::NAN, 0.3]),
            Err(Error::InvalidRate { age: 1, .. })
        ));
        assert!(matches!(
            LifeTable::from_mx(Sex::Male, &[0.01, 0.02, 0.0]),
            Err(Error::InvalidRate { age: 2, .. })
        ));
        assert!(matches!(
            LifeTable::from_mx(Sex::Male, &[0.01, 3.0, 0.3]),
            Err(Error::InvalidRate { age: 1, .. })
        ));
        assert!(matches!(
            LifeTable::from_qx(Sex::Male, &[0.01, 1.2, 1.0], 0.3),
            Err(Error::InvalidRate { age: 1, .. })
        ));
        assert!(matches!(
            LifeTable::from_qx(Sex::Male, &[0.01, 0.2, 1.0], 0.0),
            Err(Error::InvalidParameter { .. })
        ));
        assert!(matches!(
            survival_ratios(1.0, &[0.5, 0.9, 2.0], 1),
            Err(Error::InvalidRate { .. })
        ));
    }

    #[test]
    fn q_table_reproduces_m_table() {
        let mx: Vec<f64> = (0..=100)
            .map(|x| 0.00005 * (0.095 * x as f64).exp() + 0.003 * (x == 0) as u8 as f64)
            .collect();
        for sex in Sex::ALL {
            let from_m = LifeTable::from_mx(sex, &mx).unwrap();
            let from_q = LifeTable::from_qx(sex, from_m.qx(), mx[100]).unwrap();
            for x in 0..=100 {
                assert!(
                    (from_q.mx()[x] - mx[x]).abs() < 1e-12 * mx[x].max(1e-3),
                    "{sex} {x}"
                );
            }
            assert!((from_q.life_expectancy() - from_m.life_expectancy()).abs() < 1e-10);
        }
    }
}
