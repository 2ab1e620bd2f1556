//! Net migration: counts by area, sex and age, and the Rogers–Castro model schedule.

use crate::demography::sex::Sex;
use crate::error::{Error, Result, check_parameter};

/// Net migrants of one projection step by (area, sex, age group), laid out like a
/// [`Population`](crate::Population) (area-major, sex, age). Counts may be negative
/// (net out-migration) but are always finite. Age is the age group the migrants were in
/// when they moved (DESIGN §4).
///
/// # Examples
///
/// ```
/// use popalloc::{Migrants, Sex};
///
/// let mut m = Migrants::zeros(2, 101)?;
/// m.series_mut(1, Sex::Male)[25] = -40.0;
/// assert_eq!(m.total(), -40.0);
/// assert_eq!(m.area_sex_total(1, Sex::Male), -40.0);
/// # Ok::<(), popalloc::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Migrants {
    areas: usize,
    groups: usize,
    values: Vec<f64>,
}

impl Migrants {
    /// No migration: zeros for `areas` areas and `groups` age groups.
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`] when the cells (`areas × 2 × groups`) do not fit a `usize` or
    /// their memory cannot be reserved.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Error, Migrants};
    ///
    /// assert_eq!(Migrants::zeros(3, 101)?.values().len(), 606);
    /// assert!(matches!(Migrants::zeros(usize::MAX, 101), Err(Error::TooLarge { .. })));
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn zeros(areas: usize, groups: usize) -> Result<Self> {
        let cells = crate::size::product(CELLS, &[areas, 2, groups])?;
        Ok(Self {
            areas,
            groups,
            values: crate::size::filled(CELLS, cells, 0.0)?,
        })
    }

    /// Net migrants from dense values (area-major, sex, age).
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] when `values` does not have `areas × 2 × groups` entries;
    /// [`Error::TooLarge`] when that count does not fit a `usize`; [`Error::InvalidRate`]
    /// for a value that is not finite (its `age` is the flat index).
    pub fn from_values(areas: usize, groups: usize, values: Vec<f64>) -> Result<Self> {
        let expected = crate::size::product(CELLS, &[areas, 2, groups])?;
        if values.len() != expected {
            return Err(Error::LengthMismatch {
                what: CELLS,
                expected,
                found: values.len(),
            });
        }
        if let Some((age, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(Error::InvalidRate {
                schedule: "net migrants",
                age,
                value,
                range: "a finite number",
            });
        }
        Ok(Self {
            areas,
            groups,
            values,
        })
    }

    /// Net migrants for each area from a yearly net total per area, split between the
    /// sexes by `female_share` and across ages by `schedule` (e.g. a
    /// [`RogersCastro`] schedule), over a step of `years` years.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when `female_share` is outside [0, 1], `years` is not
    /// positive, or the schedule sums to 0; [`Error::InvalidRate`] for a non-finite total or
    /// a negative or non-finite schedule value; [`Error::TooLarge`] as [`Migrants::zeros`].
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Migrants, RogersCastro, Sex};
    ///
    /// let shape = RogersCastro::fundamental().schedule(101)?;
    /// let m = Migrants::from_totals(&[-1200.0, 300.0], 0.5, &shape, 1.0)?;
    /// assert!((m.area_sex_total(0, Sex::Female) + 600.0).abs() < 1e-9);
    /// assert!((m.total() + 900.0).abs() < 1e-9);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn from_totals(
        totals: &[f64],
        female_share: f64,
        schedule: &[f64],
        years: f64,
    ) -> Result<Self> {
        let sum = check_totals_schedule(female_share, schedule)?;
        check_parameter("step length in years", years, years > 0.0, "> 0")?;
        let groups = schedule.len();
        let mut out = Self::zeros(totals.len(), groups)?;
        for (area, &total) in totals.iter().enumerate() {
            check_total(area, total)?;
            for (sex, share) in [(Sex::Female, female_share), (Sex::Male, 1.0 - female_share)] {
                let scale = total * years * share / sum;
                for (cell, w) in out.series_mut(area, sex).iter_mut().zip(schedule) {
                    *cell = scale * w;
                }
            }
        }
        Ok(out)
    }

    /// The number of areas.
    pub fn area_count(&self) -> usize {
        self.areas
    }

    /// The number of age groups.
    pub fn groups(&self) -> usize {
        self.groups
    }

    /// Net migrants of one area and sex by age group.
    ///
    /// # Panics
    ///
    /// When `area` is out of range.
    pub fn series(&self, area: usize, sex: Sex) -> &[f64] {
        let start = (area * 2 + sex.index()) * self.groups;
        &self.values[start..start + self.groups]
    }

    /// Net migrants of one area and sex, mutable. Callers keep values finite.
    ///
    /// # Panics
    ///
    /// When `area` is out of range.
    pub fn series_mut(&mut self, area: usize, sex: Sex) -> &mut [f64] {
        let start = (area * 2 + sex.index()) * self.groups;
        &mut self.values[start..start + self.groups]
    }

    /// All values (area-major, sex, age).
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Net migrants of one area and sex, all ages.
    pub fn area_sex_total(&self, area: usize, sex: Sex) -> f64 {
        if area >= self.areas {
            return 0.0;
        }
        self.series(area, sex).iter().sum()
    }

    /// Net migrants in all areas, sexes and ages.
    pub fn total(&self) -> f64 {
        self.values.iter().sum()
    }
}

/// What the cells of net migrants are, in error messages.
const CELLS: &str = "net migrants (areas x 2 sexes x age groups)";

/// The Rogers–Castro model migration schedule (childhood, labour-force and constant
/// components), whose values give the age shape of migration.
///
/// # Formula
///
/// m(x) = a₁ exp(−α₁ x) + a₂ exp(−α₂ (x − μ₂) − exp(−λ₂ (x − μ₂))) + c
///
/// # References
///
/// Rogers, A. & Castro, L. J. (1981). *Model Migration Schedules*. IIASA RR-81-30.
///
/// # Examples
///
/// ```
/// use popalloc::RogersCastro;
///
/// let rc = RogersCastro::fundamental();
/// assert!((rc.rate(0.0) - (0.02 + 0.06 * (2.0f64 - (8.0f64).exp()).exp() + 0.003)).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RogersCastro {
    /// Level of the childhood component, a₁.
    pub a1: f64,
    /// Rate of descent of the childhood component, α₁.
    pub alpha1: f64,
    /// Level of the labour-force component, a₂.
    pub a2: f64,
    /// Rate of descent of the labour-force component, α₂.
    pub alpha2: f64,
    /// Position of the labour-force component, μ₂ (years).
    pub mu2: f64,
    /// Rate of ascent of the labour-force component, λ₂.
    pub lambda2: f64,
    /// The constant, c.
    pub c: f64,
}

impl RogersCastro {
    /// The "fundamental" basic schedule (DESIGN §4): a₁ = 0.02, α₁ = 0.1, a₂ = 0.06,
    /// α₂ = 0.1, μ₂ = 20, λ₂ = 0.4, c = 0.003. Its peak is at about age 23.3.
    pub fn fundamental() -> Self {
        Self {
            a1: 0.02,
            alpha1: 0.1,
            a2: 0.06,
            alpha2: 0.1,
            mu2: 20.0,
            lambda2: 0.4,
            c: 0.003,
        }
    }

    /// A schedule with checked parameters.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a negative or non-finite parameter.
    pub fn new(
        a1: f64,
        alpha1: f64,
        a2: f64,
        alpha2: f64,
        mu2: f64,
        lambda2: f64,
        c: f64,
    ) -> Result<Self> {
        for (name, v) in [
            ("Rogers-Castro a1", a1),
            ("Rogers-Castro alpha1", alpha1),
            ("Rogers-Castro a2", a2),
            ("Rogers-Castro alpha2", alpha2),
            ("Rogers-Castro mu2", mu2),
            ("Rogers-Castro lambda2", lambda2),
            ("Rogers-Castro c", c),
        ] {
            check_parameter(name, v, v >= 0.0, "a finite number >= 0")?;
        }
        Ok(Self {
            a1,
            alpha1,
            a2,
            alpha2,
            mu2,
            lambda2,
            c,
        })
    }

    /// The schedule's value at exact age `x`.
    pub fn rate(&self, x: f64) -> f64 {
        let d = x - self.mu2;
        self.a1 * (-self.alpha1 * x).exp()
            + self.a2 * (-self.alpha2 * d - (-self.lambda2 * d).exp()).exp()
            + self.c
    }

    /// Values at the middle of each single year of age `0..groups` (x + ½), the shape
    /// used to split a net total across ages.
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`] when the memory for `groups` values cannot be reserved.
    ///
    /// # Examples
    ///
    /// ```
    /// let shape = popalloc::RogersCastro::fundamental().schedule(101)?;
    /// assert_eq!(shape.len(), 101);
    /// assert!(popalloc::RogersCastro::fundamental().schedule(usize::MAX).is_err());
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn schedule(&self, groups: usize) -> Result<Vec<f64>> {
        let mut values = crate::size::with_capacity("migration age schedule (ages)", groups)?;
        values.extend((0..groups).map(|x| self.rate(x as f64 + 0.5)));
        Ok(values)
    }
}

/// Adds each area's net migration rate times its persons to its migrants, cell by cell:
/// `migrants` and `persons` hold the same cells area by area (sex, then age), and `rates`
/// one rate per area (net migrants a year per resident). The area grows or shrinks by its
/// rate at every age and sex alike.
pub(crate) fn add_rate_migrants(migrants: &mut [f64], persons: &[f64], rates: &[f64]) {
    let cells = migrants.len() / rates.len().max(1);
    if cells == 0 {
        return;
    }
    for ((m, p), rate) in migrants
        .chunks_mut(cells)
        .zip(persons.chunks(cells))
        .zip(rates)
    {
        for (cell, persons) in m.iter_mut().zip(p) {
            *cell += rate * persons;
        }
    }
}

/// Refuses an area's net migrant total that is not finite, naming the area.
pub(crate) fn check_total(area: usize, total: f64) -> Result<f64> {
    if total.is_finite() {
        Ok(total)
    } else {
        Err(Error::InvalidRate {
            schedule: "net migration total per area",
            age: area,
            value: total,
            range: "a finite number",
        })
    }
}

/// The checks of spreading net migrant totals by sex and age ([`Migrants::from_totals`]):
/// a female share in [0, 1], an age schedule with no negative (or non-finite) entry and a
/// positive sum, which is returned.
pub(crate) fn check_totals_schedule(female_share: f64, schedule: &[f64]) -> Result<f64> {
    check_parameter(
        "female share of net migrants",
        female_share,
        (0.0..=1.0).contains(&female_share),
        "in [0, 1]",
    )?;
    crate::error::check_non_negative("migration age schedule", schedule)?;
    let sum: f64 = schedule.iter().sum();
    check_parameter("sum of the migration age schedule", sum, sum > 0.0, "> 0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fundamental_schedule_spot_values_and_peak() {
        let rc = RogersCastro::fundamental();
        // By hand: at x = 20 the labour term is a2·exp(−1) = 0.0220728.
        let at20 = 0.02 * (-2.0f64).exp() + 0.06 * (-1.0f64).exp() + 0.003;
        assert!((rc.rate(20.0) - at20).abs() < 1e-15);
        assert!((rc.rate(20.0) - 0.027779).abs() < 1e-6);
        // The labour-force peak, found on a fine grid between 15 and 35.
        let peak = (1500..3500)
            .map(|i| i as f64 / 100.0)
            .max_by(|a, b| rc.rate(*a).total_cmp(&rc.rate(*b)))
            .unwrap();
        assert!((peak - 23.3).abs() < 0.1, "peak at {peak}");
        // Far from the peak only the constant is left.
        assert!((rc.rate(100.0) - 0.003).abs() < 1e-4);
    }

    #[test]
    fn totals_split_by_sex_and_age() {
        let shape = RogersCastro::fundamental().schedule(101).unwrap();
        let m = Migrants::from_totals(&[-1000.0], 0.4, &shape, 5.0).unwrap();
        assert!((m.area_sex_total(0, Sex::Female) + 2000.0).abs() < 1e-9);
        assert!((m.area_sex_total(0, Sex::Male) + 3000.0).abs() < 1e-9);
        let sum: f64 = shape.iter().sum();
        assert!((m.series(0, Sex::Male)[23] + 3000.0 * shape[23] / sum).abs() < 1e-9);
        assert!(Migrants::from_totals(&[1.0], 1.5, &shape, 1.0).is_err());
        assert!(Migrants::from_totals(&[f64::NAN], 0.5, &shape, 1.0).is_err());
        assert!(Migrants::from_values(1, 2, vec![0.0, 1.0, f64::INFINITY, 0.0]).is_err());
    }

    #[test]
    fn impossible_sizes_are_typed_errors() {
        // 2^40 areas × 2 × 101 cells need 1.8 PB; usize::MAX areas overflow the count.
        for (areas, groups) in [
            (usize::MAX, 2),
            (1, usize::MAX),
            (1 << 62, 2),
            (1 << 40, 101),
            (1, 1 << 45),
        ] {
            let err = Migrants::zeros(areas, groups).unwrap_err();
            assert!(
                matches!(err, Error::TooLarge { .. }),
                "{areas} x {groups}: {err:?}"
            );
        }
        let err = Migrants::from_values(usize::MAX, 2, vec![]).unwrap_err();
        assert!(matches!(err, Error::TooLarge { .. }), "{err:?}");
        assert!(err.to_string().contains(&usize::MAX.to_string()), "{err}");
        assert!(matches!(
            Migrants::from_values(1 << 40, 101, vec![]),
            Err(Error::LengthMismatch { .. })
        ));
        let err = RogersCastro::fundamental()
            .schedule(usize::MAX)
            .unwrap_err();
        assert!(matches!(err, Error::TooLarge { .. }), "{err:?}");
        assert_eq!(Migrants::zeros(2, 3).unwrap().values(), &[0.0; 12]);
    }
}
