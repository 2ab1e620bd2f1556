//! The population: a dense array of counts by area, sex and age group.

use crate::demography::band::Band;
use crate::demography::sex::Sex;
use crate::error::{Error, Result};

/// The open age of single-year populations: age 100 means "100 and over".
pub const OMEGA: usize = 100;

/// A population at one date: counts by (area, sex, age group), stored area-major, then sex
/// (female first), then age, in one contiguous `Vec<f64>`.
///
/// Age groups are `width` years wide (1 for single years, the default; 5 to reproduce
/// published five-year examples); group `i` starts at age `i * width` and the last group is
/// open ("ω+"). With `width = 1` and 101 groups the ages are 0, 1, …, 99, 100+.
///
/// Counts are `f64` because projections produce fractions of persons; every count is finite
/// and non-negative, which the constructors check once.
///
/// # Examples
///
/// ```
/// use popalloc::{Population, Sex};
///
/// let mut pop = Population::zeros(vec!["Jiefangbei".into(), "Daping".into()], 1, 101).unwrap();
/// pop.series_mut(1, Sex::Female)[60] = 1200.0;
/// assert_eq!(pop.get(1, Sex::Female, 60), Some(1200.0));
/// assert_eq!(pop.area_total(1), 1200.0);
/// assert_eq!(pop.get(2, Sex::Female, 60), None);
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Population {
    areas: Vec<String>,
    width: usize,
    groups: usize,
    values: Vec<f64>,
}

impl Population {
    /// An all-zero population for the given areas, group width (years) and number of age
    /// groups (the last one open).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when `width` is 0, there are fewer than 2 age groups or no
    /// areas; [`Error::BadAreaId`] when an area id is empty or repeated;
    /// [`Error::TooLarge`] when the cells (areas × 2 × groups) or the open age
    /// ((groups − 1) × width) do not fit a `usize`, or the memory for the cells cannot be
    /// reserved.
    ///
    /// # Examples
    ///
    /// ```
    /// let pop = popalloc::Population::zeros(vec!["district".into()], 5, 18).unwrap();
    /// assert_eq!(pop.open_age(), 85);
    /// ```
    pub fn zeros(areas: Vec<String>, width: usize, groups: usize) -> Result<Self> {
        let cells = check_shape(&areas, width, groups)?;
        let values = crate::size::filled(CELLS, cells, 0.0)?;
        Ok(Self {
            areas,
            width,
            groups,
            values,
        })
    }

    /// A population from its dense values (area-major, sex, age).
    ///
    /// # Errors
    ///
    /// As [`Population::zeros`]; [`Error::LengthMismatch`] when `values` does not have
    /// `areas × 2 × groups` entries; [`Error::InvalidRate`] when a count is negative or not
    /// finite (its `age` is the flat index).
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Population, Sex};
    /// let pop = Population::from_values(vec!["a".into()], 1, 2, vec![1.0, 2.0, 3.0, 4.0]).unwrap();
    /// assert_eq!(pop.series(0, Sex::Male), &[3.0, 4.0]);
    /// ```
    pub fn from_values(
        areas: Vec<String>,
        width: usize,
        groups: usize,
        values: Vec<f64>,
    ) -> Result<Self> {
        let expected = check_shape(&areas, width, groups)?;
        if values.len() != expected {
            return Err(Error::LengthMismatch {
                what: CELLS,
                expected,
                found: values.len(),
            });
        }
        crate::error::check_non_negative("population count", &values)?;
        Ok(Self {
            areas,
            width,
            groups,
            values,
        })
    }

    /// The area ids, in array order.
    pub fn areas(&self) -> &[String] {
        &self.areas
    }

    /// The number of areas.
    pub fn area_count(&self) -> usize {
        self.areas.len()
    }

    /// The position of an area id, if the population has it.
    ///
    /// # Examples
    ///
    /// ```
    /// let pop = popalloc::Population::zeros(vec!["a".into(), "b".into()], 1, 101).unwrap();
    /// assert_eq!(pop.area_index("b"), Some(1));
    /// ```
    pub fn area_index(&self, id: &str) -> Option<usize> {
        self.areas.iter().position(|a| a == id)
    }

    /// The width of an age group in years (1 or 5 in practice).
    pub fn width(&self) -> usize {
        self.width
    }

    /// The number of age groups, the open one included.
    pub fn groups(&self) -> usize {
        self.groups
    }

    /// The first age of the open group (ω): 100 for single years to 100+.
    pub fn open_age(&self) -> usize {
        (self.groups - 1) * self.width
    }

    /// The count for one cell, or `None` when the area or age group does not exist.
    /// `age` is the age group index (equal to the age for single years).
    pub fn get(&self, area: usize, sex: Sex, age: usize) -> Option<f64> {
        if area >= self.areas.len() || age >= self.groups {
            return None;
        }
        self.values.get(self.offset(area, sex) + age).copied()
    }

    /// The counts of one area and sex, by age group.
    ///
    /// # Panics
    ///
    /// When `area` is out of range; use [`Population::get`] for a checked read.
    pub fn series(&self, area: usize, sex: Sex) -> &[f64] {
        let start = self.offset(area, sex);
        &self.values[start..start + self.groups]
    }

    /// The counts of one area and sex, mutable. Callers must keep counts finite and
    /// non-negative.
    ///
    /// # Panics
    ///
    /// When `area` is out of range.
    pub fn series_mut(&mut self, area: usize, sex: Sex) -> &mut [f64] {
        let start = self.offset(area, sex);
        &mut self.values[start..start + self.groups]
    }

    /// All counts, area-major, then sex (female first), then age.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// All counts, mutable (area-major, sex, age).
    pub fn values_mut(&mut self) -> &mut [f64] {
        &mut self.values
    }

    /// The counts of one area: both sexes, females first.
    ///
    /// # Panics
    ///
    /// When `area` is out of range.
    pub fn area_values(&self, area: usize) -> &[f64] {
        let start = area * 2 * self.groups;
        &self.values[start..start + 2 * self.groups]
    }

    /// Total persons in the population.
    pub fn total(&self) -> f64 {
        self.values.iter().sum()
    }

    /// Total persons in one area (0 for an unknown area).
    pub fn area_total(&self, area: usize) -> f64 {
        if area >= self.areas.len() {
            return 0.0;
        }
        self.area_values(area).iter().sum()
    }

    /// Persons of one area in a cohort band, both sexes.
    ///
    /// An age group counts when its first age lies in the band; with single years this is
    /// exact, with wider groups the band should start and end on group boundaries.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Band, Population, Sex};
    /// let mut pop = Population::zeros(vec!["a".into()], 1, 101).unwrap();
    /// pop.series_mut(0, Sex::Female)[1] = 10.0;
    /// pop.series_mut(0, Sex::Male)[2] = 5.0;
    /// pop.series_mut(0, Sex::Male)[3] = 7.0;
    /// let infants = Band::new("infants", 0, Some(2)).unwrap();
    /// assert_eq!(pop.band_total(0, &infants), 15.0);
    /// ```
    pub fn band_total(&self, area: usize, band: &Band) -> f64 {
        let mut total = [0.0];
        self.band_totals(area, std::slice::from_ref(band), &mut total);
        total[0]
    }

    /// Persons of one area in each of several bands at once (`totals[b]` for `bands[b]`;
    /// extra totals are left alone, 0 for an unknown area). Each band is summed in the
    /// order [`Population::band_total`] documents, females then males by age, so the two
    /// agree to the bit.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Band, Population, Sex};
    /// let mut pop = Population::zeros(vec!["a".into()], 1, 101).unwrap();
    /// pop.series_mut(0, Sex::Female).fill(1.0);
    /// let bands = [Band::new("0-2", 0, Some(2)).unwrap(), Band::new("60+", 60, None).unwrap()];
    /// let mut totals = [0.0; 2];
    /// pop.band_totals(0, &bands, &mut totals);
    /// assert_eq!(totals, [3.0, 41.0]);
    /// ```
    pub fn band_totals(&self, area: usize, bands: &[Band], totals: &mut [f64]) {
        let n = bands.len().min(totals.len());
        totals[..n].fill(0.0);
        if area >= self.areas.len() {
            return;
        }
        for (band, total) in bands.iter().zip(totals.iter_mut()) {
            // The groups whose first age lies in the band: a contiguous range. `groups ≥ 2`,
            // so `groups - 1` holds; the bound is taken before adding 1, so that a band
            // ending at `usize::MAX` does not overflow.
            let first = band.from().div_ceil(self.width);
            let last = band
                .to()
                .map_or(self.groups, |to| (to / self.width).min(self.groups - 1) + 1);
            for sex in Sex::ALL {
                if let Some(values) = self.series(area, sex).get(first..last) {
                    for value in values {
                        *total += value;
                    }
                }
            }
        }
    }

    /// The district: one area, `id`, holding the sum of all areas.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Population, Sex};
    /// let mut pop = Population::zeros(vec!["a".into(), "b".into()], 1, 3).unwrap();
    /// pop.series_mut(0, Sex::Male)[0] = 2.0;
    /// pop.series_mut(1, Sex::Male)[0] = 3.0;
    /// assert_eq!(pop.aggregate("district").get(0, Sex::Male, 0), Some(5.0));
    /// ```
    pub fn aggregate(&self, id: &str) -> Population {
        let block = 2 * self.groups;
        let mut values = vec![0.0; block];
        for chunk in self.values.chunks_exact(block) {
            for (sum, v) in values.iter_mut().zip(chunk) {
                *sum += v;
            }
        }
        Population {
            areas: vec![id.to_string()],
            width: self.width,
            groups: self.groups,
            values,
        }
    }

    /// Whether `other` has the same areas (same order), width and groups.
    pub fn same_shape(&self, other: &Population) -> bool {
        self.areas == other.areas && self.width == other.width && self.groups == other.groups
    }

    fn offset(&self, area: usize, sex: Sex) -> usize {
        (area * 2 + sex.index()) * self.groups
    }
}

/// What the cells of a population are, in error messages.
const CELLS: &str = "population values (areas x 2 sexes x age groups)";

/// Checks the shape of a population and returns its number of cells.
fn check_shape(areas: &[String], width: usize, groups: usize) -> Result<usize> {
    crate::error::check_parameter("age group width (years)", width as f64, width >= 1, ">= 1")?;
    crate::error::check_parameter("number of age groups", groups as f64, groups >= 2, ">= 2")?;
    crate::error::check_parameter(
        "number of areas",
        areas.len() as f64,
        !areas.is_empty(),
        ">= 1",
    )?;
    let mut seen = std::collections::HashSet::with_capacity(areas.len());
    for (i, area) in areas.iter().enumerate() {
        if area.trim().is_empty() || !seen.insert(area.as_str()) {
            return Err(Error::BadAreaId {
                position: i,
                area: area.clone(),
            });
        }
    }
    // The first age of every group, the open one last, must be countable.
    crate::size::product(
        "open age ((age groups - 1) x group width)",
        &[groups - 1, width],
    )?;
    crate::size::product(CELLS, &[areas.len(), 2, groups])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sum of a band by scanning every group, as the definition reads.
    fn scanned(pop: &Population, area: usize, band: &Band) -> f64 {
        let mut sum = 0.0;
        for sex in Sex::ALL {
            for (group, value) in pop.series(area, sex).iter().enumerate() {
                if band.contains(group * pop.width()) {
                    sum += value;
                }
            }
        }
        sum
    }

    #[test]
    fn impossible_sizes_are_typed_errors() {
        let one = || vec!["a".to_string()];
        // 2 × 2^62 cells overflow; 2^45 × 2 cells (2^49 bytes) cannot be reserved;
        // groups × width past usize::MAX has no open age.
        for (width, groups) in [
            (1, usize::MAX),
            (1, 1 << 62),
            (1, 1 << 45),
            (usize::MAX, 3),
            (1 << 40, 1 << 30),
        ] {
            let err = Population::zeros(one(), width, groups).unwrap_err();
            assert!(
                matches!(err, Error::TooLarge { .. }),
                "{width} x {groups}: {err:?}"
            );
            let err = Population::from_values(one(), width, groups, vec![]).unwrap_err();
            assert!(
                matches!(err, Error::TooLarge { .. } | Error::LengthMismatch { .. }),
                "{width} x {groups}: {err:?}"
            );
        }
        let err = Population::zeros(one(), 1, usize::MAX).unwrap_err();
        assert!(err.to_string().contains(&usize::MAX.to_string()), "{err}");
        let err = Population::from_values(one(), 1, usize::MAX, vec![]).unwrap_err();
        assert!(matches!(err, Error::TooLarge { .. }), "{err:?}");
    }

    #[test]
    fn bands_ending_at_the_largest_age_are_summed_without_overflow() {
        let mut pop = Population::zeros(vec!["a".into()], 5, 21).unwrap();
        pop.series_mut(0, Sex::Female).fill(1.0);
        let everyone = Band::new("everyone", 0, Some(usize::MAX)).unwrap();
        assert_eq!(pop.band_total(0, &everyone), 21.0);
        let beyond = Band::new("beyond", usize::MAX, Some(usize::MAX)).unwrap();
        assert_eq!(pop.band_total(0, &beyond), 0.0);
        let open = Band::new("open", usize::MAX, None).unwrap();
        assert_eq!(pop.band_total(0, &open), 0.0);
        let from_95 = Band::new("95+", 95, Some(usize::MAX)).unwrap();
        assert_eq!(pop.band_total(0, &from_95), 2.0);
    }

    #[test]
    fn band_totals_agree_with_a_scan_to_the_bit() {
        for (width, groups) in [(1, 101), (5, 21)] {
            let mut pop = Population::zeros(vec!["a".into(), "b".into()], width, groups).unwrap();
            let mut x = 0.123_456_789_f64;
            for v in pop.values_mut() {
                x = (x * 997.0 + 0.271_828).fract();
                *v = 1000.0 * x;
            }
            let mut bands = Band::defaults();
            bands.push(Band::new("odd", 7, Some(63)).unwrap());
            bands.push(Band::new("beyond", 120, None).unwrap());
            let mut totals = vec![0.0; bands.len()];
            for area in 0..2 {
                pop.band_totals(area, &bands, &mut totals);
                for (band, total) in bands.iter().zip(&totals) {
                    let expected = scanned(&pop, area, band);
                    assert_eq!(
                        total.to_bits(),
                        expected.to_bits(),
                        "{} width {width}",
                        band.name()
                    );
                    assert_eq!(pop.band_total(area, band).to_bits(), expected.to_bits());
                }
            }
            pop.band_totals(9, &bands, &mut totals);
            assert!(totals.iter().all(|t| *t == 0.0));
        }
    }
}
