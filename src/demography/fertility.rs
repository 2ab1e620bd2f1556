//! Age-specific fertility schedules by single year of age (DESIGN §4, "Schedules when only
//! summary indicators are known"): given rates, a shifted gamma from the total fertility
//! rate and the mean age at childbearing, or a standard percent-ASFR shape scaled to a total
//! fertility rate.

use statrs::function::gamma::{checked_gamma_lr, checked_gamma_ur};

use crate::demography::graduation::{AgeGroup, graduate};
use crate::demography::population::OMEGA;
use crate::error::{Error, Result, check_non_negative, check_parameter};

/// The largest gamma shape k = ((μ − onset)/σ)² accepted: beyond it (σ below a thousandth of
/// μ − onset) the incomplete gamma series of `statrs` needs millions of terms and loses
/// accuracy, and the schedule is a single spike anyway.
const MAX_GAMMA_SHAPE: f64 = 1e6;

/// The single ages `0..=ω` of a schedule, in error messages.
const ASFR_AGES: &str = "single ages 0..=open age of a fertility schedule";

/// The five-year groups a shape is graduated from, in error messages.
const GROUPS: &str = "five-year groups 0-4 .. past the fertile ages";

/// The ages at which a model fertility schedule may be non-zero, `onset..end`, inside a
/// schedule of single ages `0..=open_age`. Valid by construction:
/// 1 ≤ onset < end ≤ open_age, so that age 0 and the open age group never bear children.
///
/// The default is the usual 15..50 (ages 15 to 49) with ω = [`OMEGA`] = 100.
///
/// # Examples
///
/// ```
/// use popalloc::FertileAges;
///
/// let ages = FertileAges::default();
/// assert_eq!((ages.onset(), ages.end(), ages.open_age()), (15, 50, 100));
/// let early = FertileAges::new(12, 50, 100)?;
/// assert_eq!(early.onset(), 12);
/// assert!(FertileAges::new(15, 101, 100).is_err());
/// # Ok::<(), popalloc::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FertileAges {
    onset: usize,
    end: usize,
    open_age: usize,
}

impl FertileAges {
    /// The default first fertile age, 15.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(popalloc::FertileAges::DEFAULT_ONSET, 15);
    /// ```
    pub const DEFAULT_ONSET: usize = 15;

    /// The default end of the fertile ages, 50 (the last fertile age is 49).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(popalloc::FertileAges::DEFAULT_END, 50);
    /// ```
    pub const DEFAULT_END: usize = 50;

    /// Fertile ages `onset..end` in a schedule of ages `0..=open_age`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] unless 1 ≤ `onset` < `end` ≤ `open_age`.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Error, FertileAges};
    ///
    /// let ages = FertileAges::new(15, 45, 90)?;
    /// assert_eq!(ages.end(), 45);
    /// assert!(matches!(FertileAges::new(0, 50, 100), Err(Error::InvalidParameter { .. })));
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn new(onset: usize, end: usize, open_age: usize) -> Result<Self> {
        // Ages are small integers: the conversions to f64 below are exact.
        check_parameter(
            "first fertile age (onset)",
            onset as f64,
            onset >= 1 && onset < end,
            ">= 1 and below the end of the fertile ages",
        )?;
        check_parameter(
            "end of the fertile ages",
            end as f64,
            end <= open_age,
            "at most the open age (the open age group bears no children)",
        )?;
        Ok(Self {
            onset,
            end,
            open_age,
        })
    }

    /// The first fertile age.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(popalloc::FertileAges::default().onset(), 15);
    /// ```
    pub fn onset(&self) -> usize {
        self.onset
    }

    /// The first age past the fertile ages (the last fertile age is `end() - 1`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(popalloc::FertileAges::default().end(), 50);
    /// ```
    pub fn end(&self) -> usize {
        self.end
    }

    /// The open age ω of the schedule (its length is ω + 1).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(popalloc::FertileAges::default().open_age(), 100);
    /// ```
    pub fn open_age(&self) -> usize {
        self.open_age
    }
}

impl Default for FertileAges {
    /// Ages 15..50 in a schedule of ages 0..=100.
    fn default() -> Self {
        Self {
            onset: Self::DEFAULT_ONSET,
            end: Self::DEFAULT_END,
            open_age: OMEGA,
        }
    }
}

/// Age-specific fertility rates (ASFR) by single year of age of the mother, ages
/// `0..=ω`: births per woman per year. Valid by construction: every rate is finite and
/// non-negative, and the rates at age 0 and in the open age group ω are 0, as
/// [`StepRates`](crate::StepRates) requires.
///
/// Built from given rates ([`Fertility::new`]), from a total fertility rate and the mean
/// and standard deviation of the age at childbearing ([`Fertility::gamma`]), or from a
/// standard shape scaled to a total fertility rate ([`Fertility::from_shape`],
/// [`Fertility::from_five_year_shape`]).
///
/// # Examples
///
/// ```
/// use popalloc::{FertileAges, Fertility};
///
/// let f = Fertility::gamma(1.6, 29.0, 5.5, FertileAges::default())?;
/// assert_eq!(f.asfr().len(), 101);
/// assert!((f.total_fertility_rate() - 1.6).abs() < 1e-12);
/// assert!((f.mean_age_at_childbearing() - 29.0).abs() < 0.05);
/// # Ok::<(), popalloc::Error>(())
/// ```
#[doc(alias = "ASFR")]
#[derive(Debug, Clone, PartialEq)]
pub struct Fertility {
    asfr: Vec<f64>,
}

impl Fertility {
    /// Given single-year rates for ages `0..=ω` (ω = `asfr.len() - 1`), checked.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] with fewer than 3 ages (age 0, a fertile age, the open
    /// age); [`Error::InvalidRate`] for a negative or non-finite rate, or a rate above 0
    /// at age 0 or in the open age group.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Error, Fertility};
    ///
    /// let mut asfr = vec![0.0; 101];
    /// for age in 20..35 { asfr[age] = 0.1; }
    /// let f = Fertility::new(asfr)?;
    /// assert!((f.total_fertility_rate() - 1.5).abs() < 1e-12);
    ///
    /// let mut bad = vec![0.0; 101];
    /// bad[100] = 0.01;
    /// assert!(matches!(Fertility::new(bad), Err(Error::InvalidRate { age: 100, .. })));
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn new(asfr: Vec<f64>) -> Result<Self> {
        if asfr.len() < 3 {
            return Err(Error::LengthMismatch {
                what: "ages of a fertility schedule (at least 3)",
                expected: 3,
                found: asfr.len(),
            });
        }
        check_non_negative("ASFR", &asfr)?;
        for age in [0, asfr.len() - 1] {
            if asfr[age] > 0.0 {
                return Err(Error::InvalidRate {
                    schedule: "ASFR",
                    age,
                    value: asfr[age],
                    range: "0 at age 0 and in the open age group",
                });
            }
        }
        Ok(Self { asfr })
    }

    /// A shifted gamma schedule with total fertility rate `total_fertility_rate`, mean age
    /// at childbearing `mean_age` (μ) and standard deviation `sd` (σ), non-zero on the
    /// fertile ages of `ages` only.
    ///
    /// # Formula
    ///
    /// With onset o, shape k = ((μ − o)/σ)², scale θ = σ²/(μ − o) and G the gamma
    /// distribution function, G(x) = P(k, x/θ) for x > 0 (P the regularised lower
    /// incomplete gamma function), 0 otherwise, the mass of age a is
    /// w(a) = G(a + 1 − o) − G(a − o), and
    ///
    /// f(a) = TFR · w(a) / Σ_{o ≤ b < end} w(b)  for o ≤ a < end, 0 elsewhere.
    ///
    /// The continuous gamma has mean μ and sd σ; integrating over each year and
    /// renormalising over the fertile ages makes Σ f(a) = TFR (to rounding), and the
    /// mean age Σ (a + ½) f(a) / TFR lies close to μ when little of the gamma falls at or
    /// beyond `end`: for μ = 29, σ = 5.5 it is 28.95, the 0.2 % of the gamma at 50 and
    /// over being cut off (with `end` = 90 it is 29.0000). Each w(a) is computed from the
    /// upper tail Q = 1 − P on the right of the mode region, so that small tail masses
    /// keep their relative precision.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when the total fertility rate is negative or not
    /// finite, μ is not strictly between the onset and the end of the fertile ages, σ is
    /// not a finite number > 0 or is so small that k exceeds 10⁶ (σ < (μ − o)/1000), or
    /// the gamma puts no mass on the fertile ages; [`Error::TooLarge`] when the ages
    /// `0..=open_age` of `ages` cannot be counted or held in memory.
    ///
    /// # References
    ///
    /// Hoem, J. M., Madsen, D., Nielsen, J. L., Ohlsen, E.-M., Hansen, H. O. & Rennermalm,
    /// B. (1981). Experiments in modelling recent Danish fertility curves. *Demography*
    /// 18(2), 231–244.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Error, FertileAges, Fertility};
    ///
    /// let f = Fertility::gamma(1.8, 30.0, 6.0, FertileAges::default())?;
    /// assert_eq!(f.asfr()[14], 0.0);
    /// assert_eq!(f.asfr()[50], 0.0);
    /// assert!(f.asfr()[29] > f.asfr()[20]);
    ///
    /// let err = Fertility::gamma(1.8, 14.0, 6.0, FertileAges::default()).unwrap_err();
    /// assert!(matches!(err, Error::InvalidParameter { .. }));
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    #[doc(alias = "Hoem")]
    pub fn gamma(
        total_fertility_rate: f64,
        mean_age: f64,
        sd: f64,
        ages: FertileAges,
    ) -> Result<Self> {
        check_total_fertility_rate(total_fertility_rate)?;
        // Ages are small integers: exact in f64.
        let onset = ages.onset as f64;
        let end = ages.end as f64;
        check_parameter(
            "mean age at childbearing",
            mean_age,
            mean_age > onset && mean_age < end,
            "strictly between the onset and the end of the fertile ages",
        )?;
        check_parameter(
            "standard deviation of the age at childbearing",
            sd,
            sd > 0.0,
            "a finite number > 0",
        )?;
        let span = mean_age - onset;
        let shape = (span / sd).powi(2);
        let scale = sd * sd / span;
        check_parameter(
            "standard deviation of the age at childbearing",
            sd,
            shape <= MAX_GAMMA_SHAPE && scale > 0.0 && scale.is_finite(),
            "at least (mean age - onset) / 1000, so that the gamma shape is at most 1e6",
        )?;
        let years = ages.end - ages.onset;
        let mut mass = crate::size::with_capacity("fertile ages (end - onset)", years)?;
        for i in 0..years {
            // Exact: i < 100 or so.
            let from = i as f64;
            mass.push(gamma_mass(shape, from / scale, (from + 1.0) / scale)?);
        }
        let sum: f64 = mass.iter().sum();
        check_parameter(
            "gamma mass on the fertile ages",
            sum,
            sum > 0.0,
            "> 0 (the mean age and sd put no births on the fertile ages)",
        )?;
        let mut asfr = crate::size::filled(
            ASFR_AGES,
            crate::size::through(ASFR_AGES, ages.open_age)?,
            0.0,
        )?;
        for (rate, w) in asfr[ages.onset..ages.end].iter_mut().zip(&mass) {
            *rate = total_fertility_rate * w / sum;
        }
        Self::new(asfr)
    }

    /// A standard single-year shape `shape` (ages `0..=ω`, any positive scale, e.g.
    /// percent ASFR summing to 100) scaled so that the rates sum to
    /// `total_fertility_rate`: f(a) = TFR · shape(a) / Σ shape.
    ///
    /// # Errors
    ///
    /// As [`Fertility::new`] for the shape; [`Error::InvalidParameter`] when the total
    /// fertility rate is negative or not finite, or the shape sums to 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::Fertility;
    ///
    /// let mut percent = vec![0.0; 101];
    /// for age in 20..40 { percent[age] = 5.0; }
    /// let f = Fertility::from_shape(&percent, 1.2)?;
    /// assert!((f.asfr()[25] - 0.06).abs() < 1e-15);
    /// assert!((f.mean_age_at_childbearing() - 30.0).abs() < 1e-12);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn from_shape(shape: &[f64], total_fertility_rate: f64) -> Result<Self> {
        check_total_fertility_rate(total_fertility_rate)?;
        let shape = Self::new(shape.to_vec())?;
        shape.scaled_to(total_fertility_rate)
    }

    /// A standard shape by five-year age groups of the mother (e.g. WPP's percent ASFR
    /// for 15-19 … 45-49) turned into single years `0..=open_age` and scaled so that the
    /// rates sum to `total_fertility_rate`.
    ///
    /// The groups must be consecutive closed five-year groups starting at a multiple of 5
    /// and at least 5, ending at or below `open_age`. Zero groups are put in front of them
    /// (0-4, …) and two after them, with an open group of 0, and the whole is split into
    /// single years by [`graduate`] (Sprague multipliers, made non-negative group by
    /// group); zero groups stay exactly 0. Each group keeps its share of the shape: the
    /// single years of group g sum to TFR · shape(g) / Σ shape.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] when `groups` and `shape` differ in length or are empty;
    /// [`Error::BadAgeGroups`] (with an empty path) when the groups are not of the form
    /// above; [`Error::InvalidRate`] for a negative or non-finite share;
    /// [`Error::InvalidParameter`] when the total fertility rate is negative or not
    /// finite, or the shape sums to 0; [`Error::TooLarge`] when the ages `0..=open_age` or
    /// the groups up to the fertile ones cannot be counted or held in memory.
    ///
    /// # References
    ///
    /// United Nations (2024), *World Population Prospects 2024*, percent age-specific
    /// fertility (`percentASFR`, R package `wpp2024`).
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{AgeGroup, Fertility};
    ///
    /// // WPP 2024, China 2020-2025, percent ASFR by five-year group.
    /// let groups: Vec<AgeGroup> =
    ///     (3..10).map(|g| AgeGroup { from: 5 * g, to: Some(5 * g + 4) }).collect();
    /// let percent = [2.624, 23.114, 34.875, 24.583, 11.036, 2.889, 0.879];
    /// let f = Fertility::from_five_year_shape(&groups, &percent, 1.0, 100)?;
    /// let sum = percent.iter().sum::<f64>();
    /// let share_25_29 = f.asfr()[25..30].iter().sum::<f64>();
    /// assert!((share_25_29 - 34.875 / sum).abs() < 1e-12);
    /// assert!(f.asfr().iter().all(|&r| r >= 0.0));
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn from_five_year_shape(
        groups: &[AgeGroup],
        shape: &[f64],
        total_fertility_rate: f64,
        open_age: usize,
    ) -> Result<Self> {
        if groups.len() != shape.len() || groups.is_empty() {
            return Err(Error::LengthMismatch {
                what: "five-year fertility shares vs their age groups (at least one)",
                expected: groups.len().max(1),
                found: shape.len(),
            });
        }
        check_non_negative("five-year fertility shape", shape)?;
        check_total_fertility_rate(total_fertility_rate)?;
        let bad = |problem: String| Error::BadAgeGroups {
            path: Default::default(),
            omega: open_age,
            problem,
        };
        let first = groups[0].from;
        if first < 5 || !first.is_multiple_of(5) {
            return Err(bad(format!(
                "fertile five-year groups must start at a multiple of 5 that is at least 5, found {}",
                groups[0]
            )));
        }
        // The first age past group i, `first + 5 (i + 1)`, in checked arithmetic: the groups
        // are the caller's, and one near usize::MAX must be an error, not an overflow.
        let past = |i: usize| {
            i.checked_add(1)
                .and_then(|n| n.checked_mul(5))
                .and_then(|n| n.checked_add(first))
        };
        for (i, g) in groups.iter().enumerate() {
            let expected = past(i).map(|end| (end - 5, end - 1));
            if expected != g.to.map(|to| (g.from, to)) {
                return Err(bad(match expected {
                    Some((from, to)) => format!("expected the group {from}-{to}, found {g}"),
                    None => format!("group {} ({g}) would end past the largest age", i + 1),
                }));
            }
        }
        let end = past(groups.len() - 1)
            .filter(|&end| end <= open_age)
            .ok_or_else(|| {
                bad(format!(
                    "the fertile groups end past the open age {open_age}"
                ))
            })?;
        // Zero groups before, the shape, two zero groups after (so that Sprague's middle
        // panel serves the last fertile group), at least five groups, then an open group.
        let closed_groups = (end / 5 + 2).max(5);
        // Reserved before any group is made: for an `end` near usize::MAX the reservation
        // fails (more than the address space), so `5 * g` below never overflows.
        let mut all_groups = crate::size::with_capacity(GROUPS, closed_groups + 1)?;
        let mut counts = crate::size::filled(GROUPS, closed_groups + 1, 0.0)?;
        for g in 0..closed_groups {
            all_groups.push(AgeGroup {
                from: 5 * g,
                to: Some(5 * g + 4),
            });
        }
        all_groups.push(AgeGroup {
            from: 5 * closed_groups,
            to: None,
        });
        counts[first / 5..end / 5].copy_from_slice(shape);
        let singles = graduate(&all_groups, &counts)?;
        let ages = crate::size::through(ASFR_AGES, open_age)?;
        let mut asfr = crate::size::filled(ASFR_AGES, ages, 0.0)?;
        // Ages past `end` come from zero groups and are exactly 0, so cutting at ω loses
        // nothing (ω ≥ end).
        let keep = singles.len().min(ages);
        asfr[..keep].copy_from_slice(&singles[..keep]);
        Self::new(asfr)?.scaled_to(total_fertility_rate)
    }

    /// The rates, ages `0..=ω`.
    ///
    /// # Examples
    ///
    /// ```
    /// let f = popalloc::Fertility::new(vec![0.0, 0.5, 0.7, 0.0])?;
    /// assert_eq!(f.asfr(), &[0.0, 0.5, 0.7, 0.0]);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    #[doc(alias = "ASFR")]
    pub fn asfr(&self) -> &[f64] {
        &self.asfr
    }

    /// The rates as a vector, e.g. for [`StepRates`](crate::StepRates).
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{FertileAges, Fertility, LifeTable, Sex, StepRates};
    ///
    /// let mx: Vec<f64> = (0..=100).map(|x| 0.0001 * (0.09 * x as f64).exp() + 0.001).collect();
    /// let female = LifeTable::from_mx(Sex::Female, &mx)?;
    /// let male = LifeTable::from_mx(Sex::Male, &mx)?;
    /// let f = Fertility::gamma(1.4, 30.0, 5.0, FertileAges::default())?;
    /// let rates = StepRates::from_life_tables(&female, &male, f.into_vec(), 1.05)?;
    /// assert!((rates.total_fertility_rate() - 1.4).abs() < 1e-12);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn into_vec(self) -> Vec<f64> {
        self.asfr
    }

    /// The open age ω (the schedule has ω + 1 ages).
    ///
    /// # Examples
    ///
    /// ```
    /// let f = popalloc::Fertility::new(vec![0.0, 0.5, 0.7, 0.0])?;
    /// assert_eq!(f.open_age(), 3);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn open_age(&self) -> usize {
        self.asfr.len() - 1
    }

    /// The total fertility rate Σ f(a).
    ///
    /// # Examples
    ///
    /// ```
    /// let f = popalloc::Fertility::new(vec![0.0, 0.5, 0.7, 0.0])?;
    /// assert!((f.total_fertility_rate() - 1.2).abs() < 1e-15);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    #[doc(alias = "TFR")]
    pub fn total_fertility_rate(&self) -> f64 {
        self.asfr.iter().sum()
    }

    /// The mean age at childbearing, see [`mean_age_at_childbearing`]; NaN when the total
    /// fertility rate is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// let f = popalloc::Fertility::new(vec![0.0, 0.5, 0.5, 0.0])?;
    /// assert!((f.mean_age_at_childbearing() - 2.0).abs() < 1e-15);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    #[doc(alias = "MAC")]
    pub fn mean_age_at_childbearing(&self) -> f64 {
        mean_age_at_childbearing(&self.asfr)
    }

    /// The same shape scaled to sum to `total_fertility_rate`.
    fn scaled_to(&self, total_fertility_rate: f64) -> Result<Self> {
        let sum = self.total_fertility_rate();
        check_parameter(
            "sum of the fertility shape",
            sum,
            sum > 0.0,
            "a finite number > 0",
        )?;
        let asfr = self
            .asfr
            .iter()
            .map(|s| total_fertility_rate * s / sum)
            .collect();
        Self::new(asfr)
    }
}

/// The mean age at childbearing of single-year rates `asfr` (index = age at the start of
/// the year), births being taken at the middle of each year of age.
///
/// # Formula
///
/// μ = Σ (a + ½) f(a) / Σ f(a).
///
/// Returns NaN when the rates sum to 0 (no births, no mean age).
///
/// # References
///
/// Preston, S. H., Heuveline, P. & Guillot, M. (2001). *Demography: Measuring and Modeling
/// Population Processes*, ch. 5.
///
/// # Examples
///
/// ```
/// use popalloc::mean_age_at_childbearing;
///
/// let mut asfr = vec![0.0; 51];
/// asfr[25] = 0.5;
/// asfr[35] = 0.5;
/// assert!((mean_age_at_childbearing(&asfr) - 30.5).abs() < 1e-12);
/// assert!(mean_age_at_childbearing(&[0.0; 10]).is_nan());
/// ```
#[doc(alias = "MAC")]
pub fn mean_age_at_childbearing(asfr: &[f64]) -> f64 {
    let total: f64 = asfr.iter().sum();
    if total > 0.0 {
        asfr.iter()
            .enumerate()
            // Ages are small integers: exact in f64.
            .map(|(age, f)| (age as f64 + 0.5) * f)
            .sum::<f64>()
            / total
    } else {
        f64::NAN
    }
}

fn check_total_fertility_rate(total_fertility_rate: f64) -> Result<f64> {
    check_parameter(
        "total fertility rate",
        total_fertility_rate,
        total_fertility_rate >= 0.0,
        "a finite number >= 0",
    )
}

/// The probability that a gamma(k, 1) variable falls in [lo, hi), 0 ≤ lo < hi: from the
/// lower tail P below the mean k, from the upper tail Q = 1 − P above it, so that a small
/// difference of two numbers close to 1 is never taken.
fn gamma_mass(shape: f64, lo: f64, hi: f64) -> Result<f64> {
    let lower = |x: f64| {
        if x > 0.0 {
            checked_gamma_lr(shape, x)
        } else {
            Ok(0.0)
        }
    };
    let upper = |x: f64| {
        if x > 0.0 {
            checked_gamma_ur(shape, x)
        } else {
            Ok(1.0)
        }
    };
    let mass = if lo > shape {
        upper(lo).and_then(|a| upper(hi).map(|b| a - b))
    } else {
        lower(hi).and_then(|b| lower(lo).map(|a| b - a))
    };
    match mass {
        // Rounding can leave −1e-17 where the true mass is a tiny positive number.
        Ok(m) if m.is_finite() => Ok(m.max(0.0)),
        _ => Err(Error::InvalidParameter {
            parameter: "gamma shape ((mean age - onset) / sd)^2",
            value: shape,
            range: "a finite number > 0 for which the incomplete gamma function is defined",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::function::gamma::gamma_lr;

    fn five_year_groups(from: usize, count: usize) -> Vec<AgeGroup> {
        (0..count)
            .map(|g| AgeGroup {
                from: from + 5 * g,
                to: Some(from + 5 * g + 4),
            })
            .collect()
    }

    #[test]
    fn ages_up_to_the_largest_usize_are_typed_errors() {
        // An open age of usize::MAX: ω + 1 ages cannot be counted; 2^46: nor held.
        for open_age in [usize::MAX, 1 << 46] {
            let ages = FertileAges::new(15, 50, open_age).unwrap();
            let err = Fertility::gamma(1.5, 30.0, 5.0, ages).unwrap_err();
            assert!(matches!(err, Error::TooLarge { .. }), "{open_age}: {err:?}");
            let groups = five_year_groups(15, 7);
            let err =
                Fertility::from_five_year_shape(&groups, &[1.0; 7], 1.5, open_age).unwrap_err();
            assert!(matches!(err, Error::TooLarge { .. }), "{open_age}: {err:?}");
        }
        // Groups at the largest age (a multiple of 5, as 2^64 − 1 is): the first age past
        // them overflows.
        let top = [AgeGroup {
            from: usize::MAX,
            to: Some(usize::MAX),
        }];
        let err = Fertility::from_five_year_shape(&top, &[1.0], 1.5, usize::MAX).unwrap_err();
        assert!(matches!(err, Error::BadAgeGroups { .. }), "{err:?}");
        let near = [
            AgeGroup {
                from: usize::MAX - 5,
                to: Some(usize::MAX - 1),
            },
            AgeGroup {
                from: usize::MAX,
                to: Some(usize::MAX),
            },
        ];
        let err = Fertility::from_five_year_shape(&near, &[1.0; 2], 1.5, usize::MAX).unwrap_err();
        assert!(matches!(err, Error::BadAgeGroups { .. }), "{err:?}");
        // Far groups below a far open age: refused for memory, not graduated.
        let far = five_year_groups(5 << 50, 2);
        let err = Fertility::from_five_year_shape(&far, &[1.0; 2], 1.5, 6 << 50).unwrap_err();
        assert!(matches!(err, Error::TooLarge { .. }), "{err:?}");
    }

    #[test]
    fn gamma_sums_to_tfr_and_is_zero_outside_the_fertile_ages() {
        for tfr in [0.9, 1.6, 2.1, 5.3] {
            let f = Fertility::gamma(tfr, 29.0, 5.5, FertileAges::default()).unwrap();
            assert_eq!(f.asfr().len(), 101);
            assert!((f.total_fertility_rate() - tfr).abs() < 1e-12, "{tfr}");
            assert!(f.asfr()[..15].iter().all(|&r| r == 0.0));
            assert!(f.asfr()[50..].iter().all(|&r| r == 0.0));
            assert!(f.asfr()[15..50].iter().all(|&r| r > 0.0));
        }
    }

    #[test]
    fn gamma_mean_age_is_close_to_mu() {
        // 28.9505: the cut at 50 removes 0.2 % of the gamma, all of it above the mean.
        let f = Fertility::gamma(1.6, 29.0, 5.5, FertileAges::default()).unwrap();
        let mean = f.mean_age_at_childbearing();
        assert!((mean - 29.0).abs() < 0.05, "mean age {mean}");
        assert!((mean_age_at_childbearing(f.asfr()) - mean).abs() < 1e-15);
    }

    /// One age by hand, with statrs on the formula of the docs:
    /// f(a) = TFR [G(a+1−15) − G(a−15)] / [G(35) − G(0)], G(x) = P(k, x/θ).
    #[test]
    fn gamma_one_age_by_hand() {
        let (tfr, mu, sd): (f64, f64, f64) = (1.6, 29.0, 5.5);
        let k = ((mu - 15.0) / sd).powi(2);
        let theta = sd * sd / (mu - 15.0);
        let g = |x: f64| gamma_lr(k, x / theta);
        let want = tfr * (g(28.0 + 1.0 - 15.0) - g(28.0 - 15.0)) / g(50.0 - 15.0);
        let f = Fertility::gamma(tfr, mu, sd, FertileAges::default()).unwrap();
        assert!(
            (f.asfr()[28] - want).abs() < 1e-12,
            "{} vs {want}",
            f.asfr()[28]
        );
        // The tail uses Q = 1 − P; it agrees with P differences to rounding.
        let tail = tfr * (g(49.0 + 1.0 - 15.0) - g(49.0 - 15.0)) / g(35.0);
        assert!((f.asfr()[49] - tail).abs() < 1e-13);
    }

    #[test]
    fn gamma_respects_its_fertile_ages() {
        let ages = FertileAges::new(12, 45, 90).unwrap();
        let f = Fertility::gamma(2.0, 27.0, 6.0, ages).unwrap();
        assert_eq!(f.open_age(), 90);
        assert!(f.asfr()[..12].iter().all(|&r| r == 0.0));
        assert!(f.asfr()[45..].iter().all(|&r| r == 0.0));
        assert!(f.asfr()[12] > 0.0 && f.asfr()[44] > 0.0);
        assert!((f.total_fertility_rate() - 2.0).abs() < 1e-12);
        // TFR 0 is allowed: no births.
        let none = Fertility::gamma(0.0, 29.0, 5.5, FertileAges::default()).unwrap();
        assert!(none.asfr().iter().all(|&r| r == 0.0));
        assert!(none.mean_age_at_childbearing().is_nan());
    }

    #[test]
    fn gamma_rejects_invalid_parameters() {
        let ages = FertileAges::default();
        let cases = [
            (f64::NAN, 29.0, 5.5, "total fertility rate"),
            (-0.1, 29.0, 5.5, "total fertility rate"),
            (f64::INFINITY, 29.0, 5.5, "total fertility rate"),
            (1.6, 15.0, 5.5, "mean age at childbearing"),
            (1.6, 12.0, 5.5, "mean age at childbearing"),
            (1.6, 50.0, 5.5, "mean age at childbearing"),
            (1.6, f64::NAN, 5.5, "mean age at childbearing"),
            (
                1.6,
                29.0,
                0.0,
                "standard deviation of the age at childbearing",
            ),
            (
                1.6,
                29.0,
                -1.0,
                "standard deviation of the age at childbearing",
            ),
            (
                1.6,
                29.0,
                f64::NAN,
                "standard deviation of the age at childbearing",
            ),
            (
                1.6,
                29.0,
                1e-9,
                "standard deviation of the age at childbearing",
            ),
        ];
        for (tfr, mu, sd, name) in cases {
            match Fertility::gamma(tfr, mu, sd, ages) {
                Err(Error::InvalidParameter { parameter, .. }) => {
                    assert_eq!(parameter, name, "{tfr} {mu} {sd}")
                }
                other => panic!("{tfr} {mu} {sd}: {other:?}"),
            }
        }
        assert!(matches!(
            FertileAges::new(15, 15, 100),
            Err(Error::InvalidParameter { .. })
        ));
        assert!(matches!(
            FertileAges::new(15, 50, 49),
            Err(Error::InvalidParameter { .. })
        ));
    }

    #[test]
    fn single_year_shape_is_reproduced_when_scaled() {
        let reference = Fertility::gamma(1.0, 30.0, 6.0, FertileAges::default()).unwrap();
        let percent: Vec<f64> = reference.asfr().iter().map(|r| 100.0 * r).collect();
        let sum: f64 = percent.iter().sum();
        // Scaled to its own total, the shape comes back as it is.
        let same = Fertility::from_shape(&percent, sum).unwrap();
        for (a, (&got, &want)) in same.asfr().iter().zip(&percent).enumerate() {
            assert!(
                (got - want).abs() <= 1e-15 * want,
                "age {a}: {got} vs {want}"
            );
        }
        // Scaled to a TFR, every age keeps its share of the shape.
        let f = Fertility::from_shape(&percent, 1.7).unwrap();
        assert!((f.total_fertility_rate() - 1.7).abs() < 1e-12);
        for a in 0..=100 {
            assert!((f.asfr()[a] - 1.7 * percent[a] / sum).abs() <= 1e-15 * f.asfr()[a]);
        }
        assert!(
            (f.mean_age_at_childbearing() - reference.mean_age_at_childbearing()).abs() < 1e-12
        );
    }

    #[test]
    fn five_year_shape_sums_back_per_group_and_is_non_negative() {
        // WPP 2024 China 2015-2020 percent ASFR, and a jagged shape that makes Sprague
        // negative somewhere.
        let shapes: [&[f64]; 2] = [
            &[2.882, 26.492, 36.821, 22.260, 8.723, 2.224, 0.598],
            &[0.0, 50.0, 0.0, 45.0, 0.0, 5.0, 0.0],
        ];
        for shape in shapes {
            let groups = five_year_groups(15, 7);
            let sum: f64 = shape.iter().sum();
            for tfr in [1.0, 2.3] {
                let f = Fertility::from_five_year_shape(&groups, shape, tfr, 100).unwrap();
                assert_eq!(f.asfr().len(), 101);
                assert!(f.asfr().iter().all(|&r| r >= 0.0), "{:?}", f.asfr());
                assert!(f.asfr()[..15].iter().all(|&r| r == 0.0));
                assert!(f.asfr()[50..].iter().all(|&r| r == 0.0));
                assert!((f.total_fertility_rate() - tfr).abs() < 1e-12);
                for (g, &share) in shape.iter().enumerate() {
                    let group: f64 = f.asfr()[15 + 5 * g..20 + 5 * g].iter().sum();
                    assert!((group - tfr * share / sum).abs() < 1e-12, "group {g}");
                }
            }
        }
    }

    #[test]
    fn five_year_shape_with_a_short_open_age() {
        // Fertile groups 10-14 … 45-49 in a schedule that ends at 50: the zero groups past
        // 50 are cut off without loss.
        let groups = five_year_groups(10, 8);
        let shape = [1.0, 5.0, 20.0, 30.0, 25.0, 12.0, 5.0, 2.0];
        let f = Fertility::from_five_year_shape(&groups, &shape, 1.5, 50).unwrap();
        assert_eq!(f.open_age(), 50);
        assert!((f.total_fertility_rate() - 1.5).abs() < 1e-12);
        let mean = f.mean_age_at_childbearing();
        assert!(mean > 25.0 && mean < 35.0, "{mean}");
    }

    #[test]
    fn shapes_reject_invalid_input() {
        let groups = five_year_groups(15, 7);
        let shape = [3.0, 26.0, 37.0, 22.0, 9.0, 2.0, 1.0];
        assert!(matches!(
            Fertility::from_five_year_shape(&groups, &shape[..6], 1.5, 100),
            Err(Error::LengthMismatch { .. })
        ));
        assert!(matches!(
            Fertility::from_five_year_shape(
                &groups,
                &[3.0, -1.0, 37.0, 22.0, 9.0, 2.0, 1.0],
                1.5,
                100
            ),
            Err(Error::InvalidRate { age: 1, .. })
        ));
        assert!(matches!(
            Fertility::from_five_year_shape(&groups, &shape, f64::NAN, 100),
            Err(Error::InvalidParameter { .. })
        ));
        assert!(matches!(
            Fertility::from_five_year_shape(&groups, &[0.0; 7], 1.5, 100),
            Err(Error::InvalidParameter { .. })
        ));
        assert!(matches!(
            Fertility::from_five_year_shape(&groups, &shape, 1.5, 45),
            Err(Error::BadAgeGroups { .. })
        ));
        assert!(matches!(
            Fertility::from_five_year_shape(&five_year_groups(0, 7), &shape, 1.5, 100),
            Err(Error::BadAgeGroups { .. })
        ));
        let mut gap = groups.clone();
        gap[3] = AgeGroup {
            from: 31,
            to: Some(35),
        };
        assert!(matches!(
            Fertility::from_five_year_shape(&gap, &shape, 1.5, 100),
            Err(Error::BadAgeGroups { .. })
        ));
        let mut single = vec![0.0; 101];
        single[25] = 1.0;
        assert!(Fertility::from_shape(&single, 1.5).is_ok());
        single[0] = 0.1;
        assert!(matches!(
            Fertility::from_shape(&single, 1.5),
            Err(Error::InvalidRate { age: 0, .. })
        ));
        assert!(matches!(
            Fertility::from_shape(&[0.0; 101], 1.5),
            Err(Error::InvalidParameter { .. })
        ));
        assert!(matches!(
            Fertility::new(vec![0.0, 0.1]),
            Err(Error::LengthMismatch { .. })
        ));
        assert!(matches!(
            Fertility::new(vec![0.0, f64::NAN, 0.0]),
            Err(Error::InvalidRate { age: 1, .. })
        ));
    }
}
