//! The Hamilton–Perry method (DESIGN §4): cohort change ratios and child–woman ratios from
//! two censuses, for areas without rates.

use crate::demography::band::Band;
use crate::demography::population::Population;
use crate::demography::sex::Sex;
use crate::error::{Error, Result};

/// The first age of the women whose count is the denominator of the child–woman ratios, by
/// default.
const WOMEN_FROM: usize = 15;
/// The last age of the women whose count is the denominator of the child–woman ratios, by
/// default.
const WOMEN_TO: usize = 49;

/// The Hamilton–Perry projection of small areas: each area's cohort change ratios (CCR) and
/// child–woman ratios (CWR), measured between two censuses k years apart, carried forward
/// k years at a time. It needs no fertility, mortality or migration rates, only the two
/// censuses by area, sex and age group.
///
/// The interval k is a multiple of the age group width w (single years with k = 10, or
/// five-year groups with k = 5 or 10), so that a cohort moves s = k / w groups up between
/// the censuses. Ages below s, born after the earlier census, come from the child–woman
/// ratios: children of each sex per woman of the women's band (15–49 by default, the same
/// band in both censuses and for every child age group).
///
/// # Formula
///
/// With P₁ the earlier census, P₂ the later one, for each area and sex, ω the open group,
/// and W the females of the women's band:
///
/// ```text
/// s       = k / w
/// CCR(x)  = P₂(x) / P₁(x − s)                          s ≤ x < ω
/// CCR(ω)  = P₂(ω) / (P₁(ω − s) + … + P₁(ω))
/// CWR(x)  = P₂(x) / W₂                                 0 ≤ x < s
/// ```
///
/// and from a launch population P (usually the later census), k years on:
///
/// ```text
/// P′(x)   = CCR(x) · P(x − s)                          s ≤ x < ω
/// P′(ω)   = CCR(ω) · (P(ω − s) + … + P(ω))
/// P′(x)   = CWR(x) · W′                                0 ≤ x < s
/// ```
///
/// where W′ sums the projected women of the band (all of them aged s groups or more, so
/// already projected by their cohort change ratios). A ratio 0 / 0 is 0; a positive count
/// over 0 is an [`Error::UndefinedRatio`]. Projecting the earlier census reproduces the
/// later one; with ratios constant over time (a closed population under constant rates and
/// an interval of one group) the method reproduces the cohort-component projection at
/// every age from s.
///
/// # References
///
/// Hamilton, C. H. & Perry, J. (1962), "A short method for projecting population by age
/// from one decennial census to another", *Social Forces* 41(2), 163–170.
/// Swanson, D. A., Schlottmann, A. & Schmidt, B. (2010), "Forecasting the population of
/// census tracts by age and sex: an example of the Hamilton–Perry method in action",
/// *Population Research and Policy Review* 29, 47–63.
///
/// # Examples
///
/// ```
/// use popalloc::{HamiltonPerry, Population, Sex};
///
/// // Five-year groups 0–4, …, 45–49, 50+ in one street, two censuses five years apart.
/// let earlier = Population::from_values(vec!["Daping".into()], 5, 11, vec![100.0; 22])?;
/// let later = Population::from_values(vec!["Daping".into()], 5, 11, vec![90.0; 22])?;
/// let hp = HamiltonPerry::from_censuses(&earlier, &later, 5)?;
/// assert!((hp.cohort_change_ratio(0, Sex::Female, 4).unwrap() - 0.9).abs() < 1e-12);
///
/// // Every cohort shrinks by a tenth again: 81 persons in every cell five years on.
/// let next = hp.project(&later)?;
/// assert!(next.values().iter().all(|v| (v - 81.0).abs() < 1e-9));
/// # Ok::<(), popalloc::Error>(())
/// ```
#[doc(alias = "cohort change ratio")]
#[doc(alias = "CCR")]
#[doc(alias = "child-woman ratio")]
#[doc(alias = "CWR")]
#[derive(Debug, Clone, PartialEq)]
pub struct HamiltonPerry {
    areas: Vec<String>,
    width: usize,
    groups: usize,
    interval_years: usize,
    /// s: the number of age groups a cohort moves up in one interval.
    shift: usize,
    women: Band,
    /// The first and last age group of the women's band.
    women_groups: (usize, usize),
    /// Per (area, sex), `groups − shift` ratios for the age groups s..=ω.
    cohort_change: Vec<f64>,
    /// Per (area, sex), `shift` ratios for the age groups 0..s.
    child_woman: Vec<f64>,
}

impl HamiltonPerry {
    /// The ratios between two censuses `interval_years` apart, with the child–woman ratios
    /// taken over women aged 15–49.
    ///
    /// # Errors
    ///
    /// As [`HamiltonPerry::from_censuses_with_women`] with the band 15–49.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{HamiltonPerry, Population, Sex};
    ///
    /// let earlier = Population::from_values(vec!["Daping".into()], 5, 11, vec![100.0; 22])?;
    /// let later = Population::from_values(vec!["Daping".into()], 5, 11, vec![90.0; 22])?;
    /// let hp = HamiltonPerry::from_censuses(&earlier, &later, 5)?;
    /// // The open group 50+ gathers those aged 45+ five years before: 90 / (100 + 100).
    /// assert!((hp.cohort_change_ratio(0, Sex::Male, 10).unwrap() - 0.45).abs() < 1e-12);
    /// // 90 children aged 0–4 of each sex per 7 × 90 women aged 15–49.
    /// assert!((hp.child_woman_ratio(0, Sex::Male, 0).unwrap() - 1.0 / 7.0).abs() < 1e-12);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn from_censuses(
        earlier: &Population,
        later: &Population,
        interval_years: usize,
    ) -> Result<Self> {
        let women = Band::new("women 15-49", WOMEN_FROM, Some(WOMEN_TO))?;
        Self::from_censuses_with_women(earlier, later, interval_years, &women)
    }

    /// The ratios between two censuses `interval_years` apart, with the child–woman ratios
    /// taken over the women of the band `women` (both censuses use the same band).
    ///
    /// # Errors
    ///
    /// - [`Error::LengthMismatch`] when the censuses differ in number of areas, age group
    ///   width or number of age groups;
    /// - [`Error::AreaMismatch`] when they list different area ids (or the same in another
    ///   order);
    /// - [`Error::InvalidParameter`] when `interval_years` is not a positive multiple of the
    ///   group width, or moves cohorts into the open group in one interval (s must be at
    ///   most the number of groups minus 2); when the women's band does not start and end
    ///   on group boundaries, starts below `interval_years` (its women must themselves be
    ///   projected by cohort change ratios), is open-ended, or reaches the open group;
    /// - [`Error::UndefinedRatio`] when a ratio has a positive numerator over a zero
    ///   denominator (persons in the later census at an age whose cohort was absent from
    ///   the earlier one, or children in an area without women of the band).
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Band, Error, HamiltonPerry, Population, Sex};
    ///
    /// // Groups 0–4, …, 20–24, 25+; children per woman aged 15–24.
    /// let earlier = Population::from_values(vec!["a".into()], 5, 6, vec![100.0; 12])?;
    /// let later = Population::from_values(vec!["a".into()], 5, 6, vec![90.0; 12])?;
    /// let women = Band::new("women 15-24", 15, Some(24))?;
    /// let hp = HamiltonPerry::from_censuses_with_women(&earlier, &later, 5, &women)?;
    /// assert!((hp.child_woman_ratio(0, Sex::Female, 0).unwrap() - 0.5).abs() < 1e-12);
    ///
    /// // Women from age 0 would be projected from themselves: rejected.
    /// let bad = Band::new("girls", 0, Some(24))?;
    /// let err = HamiltonPerry::from_censuses_with_women(&earlier, &later, 5, &bad).unwrap_err();
    /// assert!(matches!(err, Error::InvalidParameter { .. }));
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn from_censuses_with_women(
        earlier: &Population,
        later: &Population,
        interval_years: usize,
        women: &Band,
    ) -> Result<Self> {
        check_same_shape(earlier, later, &CENSUS_LABELS)?;
        let width = earlier.width();
        let groups = earlier.groups();
        let shift = check_interval(width, groups, interval_years)?;
        let women_groups = check_women(women, width, earlier.open_age(), interval_years)?;
        let omega = groups - 1;
        let areas = earlier.area_count();
        let mut cohort_change = Vec::with_capacity(areas * 2 * (groups - shift));
        let mut child_woman = Vec::with_capacity(areas * 2 * shift);
        for area in 0..areas {
            let id = &earlier.areas()[area];
            let women_later = band_sum(later.series(area, Sex::Female), women_groups);
            for sex in Sex::ALL {
                let p1 = earlier.series(area, sex);
                let p2 = later.series(area, sex);
                let cell = |x: usize| Cell {
                    area: id,
                    sex,
                    age: x * width,
                };
                for x in shift..omega {
                    cohort_change.push(ratio(CCR, p2[x], p1[x - shift], cell(x))?);
                }
                let open_cohort: f64 = p1[omega - shift..].iter().sum();
                cohort_change.push(ratio(CCR, p2[omega], open_cohort, cell(omega))?);
                for x in 0..shift {
                    child_woman.push(ratio(CWR, p2[x], women_later, cell(x))?);
                }
            }
        }
        Ok(Self {
            areas: earlier.areas().to_vec(),
            width,
            groups,
            interval_years,
            shift,
            women: women.clone(),
            women_groups,
            cohort_change,
            child_woman,
        })
    }

    /// The area ids, in array order.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{HamiltonPerry, Population};
    ///
    /// let areas = vec!["Daping".to_string(), "Jiefangbei".to_string()];
    /// let earlier = Population::from_values(areas.clone(), 5, 11, vec![100.0; 44])?;
    /// let later = Population::from_values(areas.clone(), 5, 11, vec![90.0; 44])?;
    /// let hp = HamiltonPerry::from_censuses(&earlier, &later, 5)?;
    /// assert_eq!(hp.areas(), &areas[..]);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn areas(&self) -> &[String] {
        &self.areas
    }

    /// The width of an age group in years.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{HamiltonPerry, Population};
    ///
    /// let earlier = Population::from_values(vec!["a".into()], 5, 11, vec![100.0; 22])?;
    /// let later = Population::from_values(vec!["a".into()], 5, 11, vec![90.0; 22])?;
    /// assert_eq!(HamiltonPerry::from_censuses(&earlier, &later, 10)?.width(), 5);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn width(&self) -> usize {
        self.width
    }

    /// The number of age groups, the open one included.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{HamiltonPerry, Population};
    ///
    /// let earlier = Population::from_values(vec!["a".into()], 5, 11, vec![100.0; 22])?;
    /// let later = Population::from_values(vec!["a".into()], 5, 11, vec![90.0; 22])?;
    /// assert_eq!(HamiltonPerry::from_censuses(&earlier, &later, 10)?.groups(), 11);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn groups(&self) -> usize {
        self.groups
    }

    /// The years between the two censuses, which is also the length of one projection step.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{HamiltonPerry, Population};
    ///
    /// let earlier = Population::from_values(vec!["a".into()], 5, 11, vec![100.0; 22])?;
    /// let later = Population::from_values(vec!["a".into()], 5, 11, vec![90.0; 22])?;
    /// assert_eq!(HamiltonPerry::from_censuses(&earlier, &later, 10)?.interval_years(), 10);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn interval_years(&self) -> usize {
        self.interval_years
    }

    /// s: the number of age groups a cohort moves up in one interval (interval / width).
    /// Ratios of ages below s are child–woman ratios, the others cohort change ratios.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{HamiltonPerry, Population};
    ///
    /// let earlier = Population::from_values(vec!["a".into()], 5, 11, vec![100.0; 22])?;
    /// let later = Population::from_values(vec!["a".into()], 5, 11, vec![90.0; 22])?;
    /// assert_eq!(HamiltonPerry::from_censuses(&earlier, &later, 10)?.interval_groups(), 2);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn interval_groups(&self) -> usize {
        self.shift
    }

    /// The band of women whose count is the denominator of the child–woman ratios.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{HamiltonPerry, Population};
    ///
    /// let earlier = Population::from_values(vec!["a".into()], 5, 11, vec![100.0; 22])?;
    /// let later = Population::from_values(vec!["a".into()], 5, 11, vec![90.0; 22])?;
    /// let hp = HamiltonPerry::from_censuses(&earlier, &later, 5)?;
    /// assert_eq!((hp.women_band().from(), hp.women_band().to()), (15, Some(49)));
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn women_band(&self) -> &Band {
        &self.women
    }

    /// The cohort change ratio of an area (by index), sex and age group (by index, equal
    /// to the age for single years), for the groups s..=ω (the last one is the open
    /// group's); `None` for an unknown area or an age group outside s..=ω.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{HamiltonPerry, Population, Sex};
    ///
    /// let earlier = Population::from_values(vec!["a".into()], 5, 11, vec![100.0; 22])?;
    /// let later = Population::from_values(vec!["a".into()], 5, 11, vec![90.0; 22])?;
    /// let hp = HamiltonPerry::from_censuses(&earlier, &later, 10)?;
    /// // Aged 10–14 now, 0–4 ten years before.
    /// assert!((hp.cohort_change_ratio(0, Sex::Female, 2).unwrap() - 0.9).abs() < 1e-12);
    /// // Aged 5–9: born between the censuses, a child–woman ratio instead.
    /// assert_eq!(hp.cohort_change_ratio(0, Sex::Female, 1), None);
    /// assert_eq!(hp.cohort_change_ratio(1, Sex::Female, 2), None);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    #[doc(alias = "CCR")]
    pub fn cohort_change_ratio(&self, area: usize, sex: Sex, age: usize) -> Option<f64> {
        if area >= self.areas.len() || age < self.shift || age >= self.groups {
            return None;
        }
        let per_sex = self.groups - self.shift;
        self.cohort_change
            .get((area * 2 + sex.index()) * per_sex + age - self.shift)
            .copied()
    }

    /// The child–woman ratio of an area (by index), sex and age group (by index), for the
    /// groups 0..s: children of that sex and age group per woman of the band; `None` for an
    /// unknown area or an age group of s or more.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{HamiltonPerry, Population, Sex};
    ///
    /// let earlier = Population::from_values(vec!["a".into()], 5, 11, vec![100.0; 22])?;
    /// let later = Population::from_values(vec!["a".into()], 5, 11, vec![90.0; 22])?;
    /// let hp = HamiltonPerry::from_censuses(&earlier, &later, 10)?;
    /// for age in 0..2 {
    ///     assert!((hp.child_woman_ratio(0, Sex::Male, age).unwrap() - 1.0 / 7.0).abs() < 1e-12);
    /// }
    /// assert_eq!(hp.child_woman_ratio(0, Sex::Male, 2), None);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    #[doc(alias = "CWR")]
    pub fn child_woman_ratio(&self, area: usize, sex: Sex, age: usize) -> Option<f64> {
        if area >= self.areas.len() || age >= self.shift {
            return None;
        }
        self.child_woman
            .get((area * 2 + sex.index()) * self.shift + age)
            .copied()
    }

    /// The population `interval_years` after `launch` (usually the later census): cohorts
    /// carried on by their change ratios, children from the child–woman ratios times the
    /// projected women of the band (see the type's `# Formula`).
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] or [`Error::AreaMismatch`] when `launch` does not have the
    /// censuses' areas, width and groups; [`Error::InvalidRate`] if a projected count
    /// overflows to infinity.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{HamiltonPerry, Population, Sex};
    ///
    /// let earlier = Population::from_values(vec!["a".into()], 5, 11, vec![100.0; 22])?;
    /// let later = Population::from_values(vec!["a".into()], 5, 11, vec![90.0; 22])?;
    /// let hp = HamiltonPerry::from_censuses(&earlier, &later, 5)?;
    /// let next = hp.project(&later)?;
    /// // 50+: 0.45 × (90 + 90); 0–4: 1/7 × 7 × 81 women aged 15–49.
    /// assert!((next.get(0, Sex::Female, 10).unwrap() - 81.0).abs() < 1e-9);
    /// assert!((next.get(0, Sex::Male, 0).unwrap() - 81.0).abs() < 1e-9);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn project(&self, launch: &Population) -> Result<Population> {
        self.check_launch(launch)?;
        let g = self.groups;
        let s = self.shift;
        let omega = g - 1;
        let mut values = vec![0.0; launch.values().len()];
        for (area, block) in values.chunks_exact_mut(2 * g).enumerate() {
            for sex in Sex::ALL {
                let p = launch.series(area, sex);
                let ccr = self.cohort_change_block(area, sex);
                let out = &mut block[sex.index() * g..(sex.index() + 1) * g];
                for x in s..omega {
                    out[x] = ccr[x - s] * p[x - s];
                }
                let open_cohort: f64 = p[omega - s..].iter().sum();
                out[omega] = ccr[omega - s] * open_cohort;
            }
            let women = band_sum(&block[..g], self.women_groups);
            for sex in Sex::ALL {
                let cwr = self.child_woman_block(area, sex);
                let out = &mut block[sex.index() * g..(sex.index() + 1) * g];
                for x in 0..s {
                    out[x] = cwr[x] * women;
                }
            }
        }
        Population::from_values(launch.areas().to_vec(), self.width, g, values)
    }

    /// The populations 1, 2, …, `steps` intervals after `launch`, each projected from the
    /// one before with the same ratios (`launch` itself is not included; `steps` = 0
    /// gives an empty list).
    ///
    /// # Errors
    ///
    /// As [`HamiltonPerry::project`]; [`Error::TooLarge`] when the path of `steps`
    /// populations cannot be counted or its memory cannot be reserved (nothing is projected
    /// then).
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{HamiltonPerry, Population};
    ///
    /// let earlier = Population::from_values(vec!["a".into()], 5, 11, vec![100.0; 22])?;
    /// let later = Population::from_values(vec!["a".into()], 5, 11, vec![90.0; 22])?;
    /// let hp = HamiltonPerry::from_censuses(&earlier, &later, 5)?;
    /// let path = hp.project_steps(&later, 3)?;
    /// assert_eq!(path.len(), 3);
    /// // Each step takes a tenth off every cell: 90 × 0.9³.
    /// assert!((path[2].total() - 22.0 * 90.0 * 0.729).abs() < 1e-9);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn project_steps(&self, launch: &Population, steps: usize) -> Result<Vec<Population>> {
        self.check_launch(launch)?;
        // Every cell of every step is counted and the path reserved up front, so that an
        // impossible number of steps is refused before any is projected.
        crate::size::product(
            "cells of the projected path (steps x cells per population)",
            &[steps, launch.values().len()],
        )?;
        let mut path: Vec<Population> =
            crate::size::with_capacity("populations of the projected path (steps)", steps)?;
        for _ in 0..steps {
            let next = self.project(path.last().unwrap_or(launch))?;
            path.push(next);
        }
        Ok(path)
    }

    fn check_launch(&self, launch: &Population) -> Result<()> {
        check_shape(&self.areas, self.width, self.groups, launch, &LAUNCH_LABELS)
    }

    fn cohort_change_block(&self, area: usize, sex: Sex) -> &[f64] {
        let per_sex = self.groups - self.shift;
        let start = (area * 2 + sex.index()) * per_sex;
        &self.cohort_change[start..start + per_sex]
    }

    fn child_woman_block(&self, area: usize, sex: Sex) -> &[f64] {
        let start = (area * 2 + sex.index()) * self.shift;
        &self.child_woman[start..start + self.shift]
    }
}

const CCR: &str = "cohort change ratio";
const CWR: &str = "child-woman ratio";

/// What the shape checks call the population compared: its areas, width and groups.
struct ShapeLabels {
    areas: &'static str,
    width: &'static str,
    groups: &'static str,
}

const CENSUS_LABELS: ShapeLabels = ShapeLabels {
    areas: "later census areas vs earlier census",
    width: "later census age group width vs earlier census",
    groups: "later census age groups vs earlier census",
};

const LAUNCH_LABELS: ShapeLabels = ShapeLabels {
    areas: "launch population areas vs censuses",
    width: "launch population age group width vs censuses",
    groups: "launch population age groups vs censuses",
};

fn check_same_shape(
    reference: &Population,
    other: &Population,
    labels: &ShapeLabels,
) -> Result<()> {
    check_shape(
        reference.areas(),
        reference.width(),
        reference.groups(),
        other,
        labels,
    )
}

fn check_shape(
    areas: &[String],
    width: usize,
    groups: usize,
    other: &Population,
    labels: &ShapeLabels,
) -> Result<()> {
    for (what, expected, found) in [
        (labels.areas, areas.len(), other.area_count()),
        (labels.width, width, other.width()),
        (labels.groups, groups, other.groups()),
    ] {
        if expected != found {
            return Err(Error::LengthMismatch {
                what,
                expected,
                found,
            });
        }
    }
    for (position, (expected, found)) in areas.iter().zip(other.areas()).enumerate() {
        if expected != found {
            return Err(Error::AreaMismatch {
                what: labels.areas,
                position,
                expected: expected.clone(),
                found: found.clone(),
            });
        }
    }
    Ok(())
}

/// Checks the census interval and returns s, the number of groups a cohort moves up.
fn check_interval(width: usize, groups: usize, interval_years: usize) -> Result<usize> {
    let invalid = |range| Error::InvalidParameter {
        parameter: "census interval (years)",
        // Exact: intervals are far below 2^53 years.
        value: interval_years as f64,
        range,
    };
    if interval_years == 0 || !interval_years.is_multiple_of(width) {
        return Err(invalid("a positive multiple of the age group width"));
    }
    let shift = interval_years / width;
    if shift + 2 > groups {
        return Err(invalid(
            "at most the open age minus one age group (some cohort must stay below the open group)",
        ));
    }
    Ok(shift)
}

/// Checks the women's band and returns its first and last age group.
fn check_women(
    women: &Band,
    width: usize,
    open_age: usize,
    interval_years: usize,
) -> Result<(usize, usize)> {
    let from = women.from();
    if !from.is_multiple_of(width) || from < interval_years || from >= open_age {
        return Err(Error::InvalidParameter {
            parameter: "first age of the child-woman ratio's women",
            value: from as f64,
            range: "a multiple of the age group width, at least the census interval and below the open age",
        });
    }
    let to = women.to().ok_or(Error::InvalidParameter {
        parameter: "last age of the child-woman ratio's women",
        value: f64::INFINITY,
        range: "a closed band (an open-ended band of women is not a childbearing band)",
    })?;
    // `to % width == width - 1` says that `to + 1` is a multiple of the width without
    // computing `to + 1`, which overflows for a band ending at `usize::MAX`.
    if to >= open_age || to % width != width - 1 {
        return Err(Error::InvalidParameter {
            parameter: "last age of the child-woman ratio's women",
            value: to as f64,
            range: "the last age of an age group below the open group",
        });
    }
    Ok((from / width, to / width))
}

fn band_sum(series: &[f64], (first, last): (usize, usize)) -> f64 {
    series[first..=last].iter().sum()
}

/// The cell a ratio belongs to, for error messages.
struct Cell<'a> {
    area: &'a str,
    sex: Sex,
    /// First age of the group, in years.
    age: usize,
}

/// numerator / denominator of counts (both finite and non-negative): 0 when the numerator
/// is 0, an error when the ratio is not finite.
fn ratio(name: &'static str, numerator: f64, denominator: f64, cell: Cell<'_>) -> Result<f64> {
    if numerator <= 0.0 {
        return Ok(0.0);
    }
    let r = numerator / denominator;
    if denominator > 0.0 && r.is_finite() {
        Ok(r)
    } else {
        Err(Error::UndefinedRatio {
            ratio: name,
            area: cell.area.to_string(),
            sex: cell.sex,
            age: cell.age,
            numerator,
            denominator,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demography::life_table::LifeTable;
    use crate::demography::migration::Migrants;
    use crate::demography::projection::{MigrationTiming, Projector, StepInput};
    use crate::demography::rates::StepRates;
    use proptest::prelude::*;

    /// Relative tolerance for identities that hold up to rounding.
    const TOLERANCE: f64 = 1e-12;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance * a.abs().max(b.abs()).max(1.0)
    }

    fn population(areas: &[&str], width: usize, groups: usize, values: Vec<f64>) -> Population {
        let areas = areas.iter().map(|a| a.to_string()).collect();
        Population::from_values(areas, width, groups, values).unwrap()
    }

    /// One area, groups 0–4, 5–9, …, 20–24, 25+; s = 1; women 15–24.
    fn hand_example() -> (Population, Population, HamiltonPerry) {
        let earlier = population(
            &["a"],
            5,
            6,
            vec![
                100.0, 90.0, 80.0, 80.0, 60.0, 50.0, // females
                110.0, 95.0, 80.0, 75.0, 50.0, 40.0, // males
            ],
        );
        let later = population(
            &["a"],
            5,
            6,
            vec![
                45.0, 99.0, 81.0, 76.0, 74.0, 88.0, // females
                48.0, 107.8, 85.5, 76.0, 72.0, 63.0, // males
            ],
        );
        let women = Band::new("women 15-24", 15, Some(24)).unwrap();
        let hp = HamiltonPerry::from_censuses_with_women(&earlier, &later, 5, &women).unwrap();
        (earlier, later, hp)
    }

    #[test]
    fn hand_computed_five_year_example() {
        let (_, later, hp) = hand_example();
        assert_eq!(hp.interval_groups(), 1);
        // Computed by hand: CCR(x) = later(x) / earlier(x − 1); the open group 25+ over
        // earlier 20–24 and 25+; CWR = children / women 15–24 of the later census (76 + 74).
        let ccr_female = [0.99, 0.9, 0.95, 0.925, 0.8]; // 99/100, 81/90, 76/80, 74/80, 88/110
        let ccr_male = [0.98, 0.9, 0.95, 0.96, 0.7]; // 107.8/110, 85.5/95, 76/80, 72/75, 63/90
        for (sex, want) in [(Sex::Female, ccr_female), (Sex::Male, ccr_male)] {
            for (k, w) in want.iter().enumerate() {
                let got = hp.cohort_change_ratio(0, sex, k + 1).unwrap();
                assert!(close(got, *w, TOLERANCE), "{sex} group {}: {got}", k + 1);
            }
            assert_eq!(hp.cohort_change_ratio(0, sex, 0), None);
            assert_eq!(hp.cohort_change_ratio(0, sex, 6), None);
            assert_eq!(hp.child_woman_ratio(0, sex, 1), None);
        }
        assert!(close(
            hp.child_woman_ratio(0, Sex::Female, 0).unwrap(),
            0.3,
            TOLERANCE
        )); // 45/150
        assert!(close(
            hp.child_woman_ratio(0, Sex::Male, 0).unwrap(),
            0.32,
            TOLERANCE
        )); // 48/150
        assert_eq!(hp.cohort_change_ratio(1, Sex::Female, 1), None);
        assert_eq!(hp.child_woman_ratio(1, Sex::Female, 0), None);

        // Five years on, by hand: females 0.99·45, 0.9·99, 0.95·81, 0.925·76, 0.8·(74 + 88);
        // women 15–24 = 76.95 + 70.3 = 147.25; children 0.3 and 0.32 of them.
        let next = hp.project(&later).unwrap();
        let want_female = [44.175, 44.55, 89.1, 76.95, 70.3, 129.6];
        let want_male = [47.12, 47.04, 97.02, 81.225, 72.96, 94.5];
        for (sex, want) in [(Sex::Female, want_female), (Sex::Male, want_male)] {
            for (x, w) in want.iter().enumerate() {
                let got = next.get(0, sex, x).unwrap();
                assert!(close(got, *w, TOLERANCE), "{sex} group {x}: {got} vs {w}");
            }
        }
    }

    #[test]
    fn projecting_the_earlier_census_gives_the_later_one() {
        let (earlier, later, hp) = hand_example();
        let again = hp.project(&earlier).unwrap();
        for (got, want) in again.values().iter().zip(later.values()) {
            assert!(close(*got, *want, TOLERANCE), "{got} vs {want}");
        }
    }

    #[test]
    fn project_steps_repeats_project() {
        let (_, later, hp) = hand_example();
        let path = hp.project_steps(&later, 3).unwrap();
        assert_eq!(path.len(), 3);
        assert_eq!(path[0], hp.project(&later).unwrap());
        assert_eq!(path[1], hp.project(&path[0]).unwrap());
        assert_eq!(path[2], hp.project(&path[1]).unwrap());
        assert!(hp.project_steps(&later, 0).unwrap().is_empty());
    }

    /// Five-year survival ratios (by arrival group) and ASFR for 18 groups, 0–4 … 85+.
    fn five_year_rates() -> StepRates {
        let g = 18;
        let survival = |scale: f64| -> Vec<f64> {
            (0..g)
                .map(|x| {
                    let x = x as f64;
                    (1.0 - scale * (0.004 + 0.0006 * (0.45 * x).exp())).clamp(0.0, 1.0)
                })
                .collect()
        };
        let mut asfr = vec![0.0; g];
        for (group, f) in [
            (3, 0.02),
            (4, 0.09),
            (5, 0.11),
            (6, 0.07),
            (7, 0.03),
            (8, 0.01),
        ] {
            asfr[group] = f;
        }
        StepRates::from_survival(survival(1.0), survival(1.3), asfr, 1.06).unwrap()
    }

    /// A closed two-area population projected with constant rates (different fertility per
    /// area), from a roughly stable base; the dates are five years apart.
    fn five_year_states(steps: usize) -> Vec<Population> {
        let g = 18;
        let projector = Projector::new(5, g, 2, MigrationTiming::Even)
            .unwrap()
            .with_multipliers(vec![0.8, 1.2], vec![1.0, 1.0])
            .unwrap();
        let mut values = Vec::new();
        for (area_size, male_share) in [(1000.0, 1.02), (600.0, 0.97)] {
            for sex_factor in [1.0, male_share] {
                for x in 0..g {
                    values.push(area_size * sex_factor * (-0.05 * x as f64).exp());
                }
            }
        }
        let base = population(&["Daping", "Jiefangbei"], 5, g, values);
        let input = StepInput {
            rates: five_year_rates(),
            migrants: Migrants::zeros(2, g).unwrap(),
        };
        let projection = projector
            .project(&base, 2000, &vec![input; steps], None)
            .unwrap();
        projection.states.into_iter().map(|(_, p)| p).collect()
    }

    #[test]
    fn constant_rates_one_group_interval_reproduce_every_age_from_s() {
        // With k = w, CCR(x) = S(x) for closed groups and S(ω) for the open group: the
        // ratios are the same in every interval, so ages ≥ s (all but 0–4) are exact.
        let states = five_year_states(3);
        let hp = HamiltonPerry::from_censuses(&states[1], &states[2], 5).unwrap();
        let rates = five_year_rates();
        for sex in Sex::ALL {
            for x in 1..18 {
                let got = hp.cohort_change_ratio(0, sex, x).unwrap();
                assert!(close(got, rates.survival(sex)[x], TOLERANCE), "{sex} {x}");
            }
        }
        let projected = hp.project(&states[2]).unwrap();
        let truth = &states[3];
        for area in 0..2 {
            for sex in Sex::ALL {
                for x in 1..18 {
                    let (got, want) = (projected.series(area, sex)[x], truth.series(area, sex)[x]);
                    assert!(
                        close(got, want, TOLERANCE),
                        "{area} {sex} {x}: {got} vs {want}"
                    );
                }
                // Births are not a constant share of women 15–49 outside a stable
                // population, so ages below s are only close.
                let (got, want) = (projected.series(area, sex)[0], truth.series(area, sex)[0]);
                assert!(close(got, want, 0.05), "{area} {sex} 0-4: {got} vs {want}");
            }
        }
    }

    #[test]
    fn constant_rates_two_group_interval_reproduce_closed_ages_from_s() {
        // k = 10, w = 5: CCR(x) = S(x) S(x − 1) for s ≤ x < ω, constant; the open group
        // mixes cohorts and is exact only in a stable population.
        let states = five_year_states(4);
        let hp = HamiltonPerry::from_censuses(&states[0], &states[2], 10).unwrap();
        assert_eq!(hp.interval_groups(), 2);
        let projected = hp.project(&states[2]).unwrap();
        let truth = &states[4];
        for area in 0..2 {
            for sex in Sex::ALL {
                for x in 2..17 {
                    let (got, want) = (projected.series(area, sex)[x], truth.series(area, sex)[x]);
                    assert!(
                        close(got, want, TOLERANCE),
                        "{area} {sex} {x}: {got} vs {want}"
                    );
                }
                let (got, want) = (projected.series(area, sex)[17], truth.series(area, sex)[17]);
                assert!(close(got, want, 0.05), "{area} {sex} 85+: {got} vs {want}");
            }
        }
    }

    #[test]
    fn constant_rates_single_years_ten_year_interval() {
        let mx: Vec<f64> = (0..=100)
            .map(|x| 0.0001 * (0.09 * x as f64).exp() + 0.001)
            .collect();
        let female = LifeTable::from_mx(Sex::Female, &mx).unwrap();
        let male_mx: Vec<f64> = mx.iter().map(|m| m * 1.2).collect();
        let male = LifeTable::from_mx(Sex::Male, &male_mx).unwrap();
        let mut asfr = vec![0.0; 101];
        for age in 15..50 {
            asfr[age] = 1.5 / 35.0;
        }
        let rates = StepRates::from_life_tables(&female, &male, asfr, 1.06).unwrap();
        let mut base = Population::zeros(vec!["Daping".into()], 1, 101).unwrap();
        for sex in Sex::ALL {
            for (x, v) in base.series_mut(0, sex).iter_mut().enumerate() {
                *v = 1000.0 * (-0.01 * x as f64).exp();
            }
        }
        let projector = Projector::new(1, 101, 1, MigrationTiming::Even).unwrap();
        let input = StepInput {
            rates,
            migrants: Migrants::zeros(1, 101).unwrap(),
        };
        let projection = projector
            .project(&base, 2000, &vec![input; 30], None)
            .unwrap();
        let (c2010, c2020, c2030) = (
            projection.at(2010).unwrap(),
            projection.at(2020).unwrap(),
            projection.at(2030).unwrap(),
        );
        let hp = HamiltonPerry::from_censuses(c2010, c2020, 10).unwrap();
        assert_eq!(hp.interval_groups(), 10);
        let projected = hp.project(c2020).unwrap();
        for sex in Sex::ALL {
            for x in 10..100 {
                let (got, want) = (projected.series(0, sex)[x], c2030.series(0, sex)[x]);
                assert!(close(got, want, TOLERANCE), "{sex} {x}: {got} vs {want}");
            }
        }
    }

    #[test]
    fn mismatched_shapes_are_typed_errors() {
        let (earlier, _, hp) = hand_example();
        let other_groups = population(&["a"], 5, 5, vec![1.0; 10]);
        let other_width = population(&["a"], 1, 6, vec![1.0; 12]);
        let two_areas = population(&["a", "b"], 5, 6, vec![1.0; 24]);
        let other_area = population(&["b"], 5, 6, vec![1.0; 12]);
        let reordered = population(&["b", "a"], 5, 6, vec![1.0; 24]);

        let err = HamiltonPerry::from_censuses(&earlier, &other_groups, 5).unwrap_err();
        assert!(matches!(
            err,
            Error::LengthMismatch {
                expected: 6,
                found: 5,
                ..
            }
        ));
        let err = HamiltonPerry::from_censuses(&earlier, &other_width, 5).unwrap_err();
        assert!(matches!(
            err,
            Error::LengthMismatch {
                expected: 5,
                found: 1,
                ..
            }
        ));
        let err = HamiltonPerry::from_censuses(&earlier, &two_areas, 5).unwrap_err();
        assert!(matches!(
            err,
            Error::LengthMismatch {
                expected: 1,
                found: 2,
                ..
            }
        ));
        let err = HamiltonPerry::from_censuses(&earlier, &other_area, 5).unwrap_err();
        match err {
            Error::AreaMismatch {
                position,
                expected,
                found,
                ..
            } => assert_eq!((position, expected.as_str(), found.as_str()), (0, "a", "b")),
            other => panic!("unexpected {other:?}"),
        }
        let pair = population(&["a", "b"], 5, 6, vec![1.0; 24]);
        let err = HamiltonPerry::from_censuses(&pair, &reordered, 5).unwrap_err();
        assert!(matches!(err, Error::AreaMismatch { position: 0, .. }));

        // The launch population must match the censuses.
        for launch in [&other_groups, &other_width, &two_areas] {
            let err = hp.project(launch).unwrap_err();
            assert!(matches!(err, Error::LengthMismatch { .. }), "{err:?}");
            let err = hp.project_steps(launch, 2).unwrap_err();
            assert!(matches!(err, Error::LengthMismatch { .. }), "{err:?}");
        }
        let err = hp.project(&other_area).unwrap_err();
        assert!(matches!(err, Error::AreaMismatch { .. }));
    }

    #[test]
    fn bad_interval_and_band_are_rejected() {
        let (earlier, later, _) = hand_example();
        let women = Band::new("women 15-24", 15, Some(24)).unwrap();
        // 0, not a multiple of 5, and s = 5 (every cohort reaches 25+).
        for interval in [0, 3, 7, 25] {
            let err = HamiltonPerry::from_censuses_with_women(&earlier, &later, interval, &women)
                .unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::InvalidParameter {
                        parameter: "census interval (years)",
                        ..
                    }
                ),
                "{interval}: {err:?}"
            );
        }
        // The default band 15–49 reaches the open group 25+ here.
        let err = HamiltonPerry::from_censuses(&earlier, &later, 5).unwrap_err();
        assert!(matches!(err, Error::InvalidParameter { .. }));
        let bands = [
            Band::new("off grid", 14, Some(24)).unwrap(),
            Band::new("ends off grid", 15, Some(22)).unwrap(),
            Band::new("below interval", 0, Some(24)).unwrap(),
            Band::new("open", 15, None).unwrap(),
            Band::new("into open group", 15, Some(29)).unwrap(),
        ];
        for band in &bands {
            let err =
                HamiltonPerry::from_censuses_with_women(&earlier, &later, 5, band).unwrap_err();
            assert!(
                matches!(err, Error::InvalidParameter { .. }),
                "{}: {err:?}",
                band.name()
            );
        }
        // Women from 10 are fine with k = 5 but not with k = 15.
        let from_ten = Band::new("women 10-24", 10, Some(24)).unwrap();
        assert!(HamiltonPerry::from_censuses_with_women(&earlier, &later, 5, &from_ten).is_ok());
        assert!(HamiltonPerry::from_censuses_with_women(&earlier, &later, 15, &from_ten).is_err());
    }

    #[test]
    fn a_women_band_ending_at_the_largest_age_is_refused_without_overflow() {
        let (earlier, later, _) = hand_example();
        let endless = Band::new("women 15-", 15, Some(usize::MAX)).unwrap();
        let err =
            HamiltonPerry::from_censuses_with_women(&earlier, &later, 5, &endless).unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidParameter {
                    parameter: "last age of the child-woman ratio's women",
                    ..
                }
            ),
            "{err:?}"
        );
        let late = Band::new("women", usize::MAX, Some(usize::MAX)).unwrap();
        assert!(HamiltonPerry::from_censuses_with_women(&earlier, &later, 5, &late).is_err());
    }

    #[test]
    fn an_impossible_number_of_steps_is_a_typed_error() {
        let (_, later, hp) = hand_example();
        for steps in [usize::MAX, 1 << 62, 1 << 46] {
            let err = hp.project_steps(&later, steps).unwrap_err();
            assert!(matches!(err, Error::TooLarge { .. }), "{steps}: {err:?}");
            assert!(err.to_string().contains(&steps.to_string()), "{err}");
        }
        assert_eq!(hp.project_steps(&later, 2).unwrap().len(), 2);
    }

    #[test]
    fn zero_denominators() {
        let women = Band::new("women 15-24", 15, Some(24)).unwrap();
        let (earlier, later, _) = hand_example();

        // An empty cohort (males 5–9) that has persons five years on (males 10–14).
        let mut empty_cohort = earlier.clone();
        empty_cohort.series_mut(0, Sex::Male)[1] = 0.0;
        let err =
            HamiltonPerry::from_censuses_with_women(&empty_cohort, &later, 5, &women).unwrap_err();
        match err {
            Error::UndefinedRatio {
                ratio,
                area,
                sex,
                age,
                numerator,
                denominator,
            } => {
                assert_eq!(ratio, "cohort change ratio");
                assert_eq!((area.as_str(), sex, age), ("a", Sex::Male, 10));
                assert!(close(numerator, 85.5, TOLERANCE));
                assert!(denominator.abs() < TOLERANCE);
            }
            other => panic!("unexpected {other:?}"),
        }

        // Empty in both: the ratio is 0.
        let mut later_empty = later.clone();
        later_empty.series_mut(0, Sex::Male)[2] = 0.0;
        let hp = HamiltonPerry::from_censuses_with_women(&empty_cohort, &later_empty, 5, &women)
            .unwrap();
        assert!(hp.cohort_change_ratio(0, Sex::Male, 2).unwrap().abs() < TOLERANCE);

        // The open group over an empty 20–24 and 25+.
        let mut no_old = earlier.clone();
        no_old.series_mut(0, Sex::Female)[4] = 0.0;
        no_old.series_mut(0, Sex::Female)[5] = 0.0;
        let err = HamiltonPerry::from_censuses_with_women(&no_old, &later, 5, &women).unwrap_err();
        assert!(matches!(
            err,
            Error::UndefinedRatio {
                sex: Sex::Female,
                age: 25,
                ..
            }
        ));

        // Children but no women of the band in the later census.
        let mut no_women = later.clone();
        no_women.series_mut(0, Sex::Female)[3] = 0.0;
        no_women.series_mut(0, Sex::Female)[4] = 0.0;
        let mut earlier_no_women = earlier.clone();
        earlier_no_women.series_mut(0, Sex::Female)[2] = 0.0;
        earlier_no_women.series_mut(0, Sex::Female)[3] = 0.0;
        let err = HamiltonPerry::from_censuses_with_women(&earlier_no_women, &no_women, 5, &women)
            .unwrap_err();
        match err {
            Error::UndefinedRatio {
                ratio, sex, age, ..
            } => assert_eq!((ratio, sex, age), ("child-woman ratio", Sex::Female, 0)),
            other => panic!("unexpected {other:?}"),
        }
        // No children either: ratios 0, and the projection has no children.
        for sex in Sex::ALL {
            no_women.series_mut(0, sex)[0] = 0.0;
        }
        let hp = HamiltonPerry::from_censuses_with_women(&earlier_no_women, &no_women, 5, &women)
            .unwrap();
        for sex in Sex::ALL {
            assert!(hp.child_woman_ratio(0, sex, 0).unwrap().abs() < TOLERANCE);
            assert!(hp.project(&later).unwrap().series(0, sex)[0].abs() < TOLERANCE);
        }
    }

    fn census_values() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
        // Two areas, 11 five-year groups: earlier counts positive, later ones may be 0.
        (
            prop::collection::vec(1.0..5000.0f64, 44),
            prop::collection::vec(prop_oneof![Just(0.0), 0.0..5000.0f64], 44),
        )
    }

    proptest! {
        #[test]
        fn ratios_finite_non_negative_and_reproduce_the_later_census(
            (earlier, later) in census_values(),
            interval in prop_oneof![Just(5usize), Just(10usize)],
        ) {
            let earlier = population(&["a", "b"], 5, 11, earlier);
            let later = population(&["a", "b"], 5, 11, later);
            // With every earlier count positive, only an area without women 15–49 in the
            // later census but with children can make a ratio undefined.
            let hp = match HamiltonPerry::from_censuses(&earlier, &later, interval) {
                Ok(hp) => hp,
                Err(Error::UndefinedRatio { ratio, area, .. }) => {
                    prop_assert_eq!(ratio, "child-woman ratio");
                    let area = later.area_index(&area).unwrap();
                    let women: f64 = later.series(area, Sex::Female)[3..=9].iter().sum();
                    prop_assert!(women.abs() < TOLERANCE, "women {women}");
                    return Ok(());
                }
                Err(other) => return Err(TestCaseError::fail(format!("{other:?}"))),
            };
            let s = hp.interval_groups();
            for area in 0..2 {
                for sex in Sex::ALL {
                    for x in 0..11 {
                        let r = if x < s {
                            hp.child_woman_ratio(area, sex, x)
                        } else {
                            hp.cohort_change_ratio(area, sex, x)
                        };
                        let r = r.unwrap();
                        prop_assert!(r.is_finite() && r >= 0.0, "{area} {sex} {x}: {r}");
                    }
                }
            }
            let again = hp.project(&earlier).unwrap();
            for (got, want) in again.values().iter().zip(later.values()) {
                prop_assert!(close(*got, *want, 1e-10), "{got} vs {want}");
            }
            for step in hp.project_steps(&later, 3).unwrap() {
                prop_assert!(step.values().iter().all(|v| v.is_finite() && *v >= 0.0));
            }
        }
    }
}
