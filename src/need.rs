//! Need: projected persons of a band times a need rate, per service, area and year (DESIGN §5).

use crate::demography::projection::Projection;
use crate::error::{Error, Result};
use crate::scenario::Scenario;

/// Need per service, area and year, and the persons behind it.
///
/// # Formula
///
/// need(f, i, y) = rate_f × pop(band_f, i, y)
///
/// # Examples
///
/// ```
/// use popalloc::{Need, Scenario};
///
/// let yuzhong = Scenario::yuzhong()?;
/// let projection = yuzhong.project(2025)?;
/// let need = Need::from_projection(&yuzhong, &projection)?;
/// let beds = yuzhong.services.iter().position(|s| s.id == "elder_beds").unwrap();
/// let in_2025: f64 = (0..yuzhong.areas.len()).map(|i| need.need(beds, i, 2025).unwrap()).sum();
/// assert!(in_2025 > 3000.0); // 30 beds per 1,000 aged 60+
/// # Ok::<(), popalloc::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Need {
    years: Vec<i32>,
    areas: usize,
    services: usize,
    /// `[(year_index * services + service) * areas + area]`.
    values: Vec<f64>,
    /// Residents per year and area, `[year_index * areas + area]`.
    residents: Vec<f64>,
    /// Persons per band, year and area, `[(year_index * bands + band) * areas + area]`.
    band_persons: Vec<f64>,
    bands: usize,
    /// The scenario's area ids, in order (to check that need and scenario belong together).
    #[serde(skip)]
    area_ids: Vec<String>,
    /// The scenario's service ids, in order.
    #[serde(skip)]
    service_ids: Vec<String>,
}

impl Need {
    /// Need for every service, area and projected year after the base.
    ///
    /// # Errors
    ///
    /// [`Error::Inconsistent`] when the scenario's parts do not fit together
    /// ([`Scenario::check_consistent`]) or the projection is not of this scenario
    /// ([`Scenario::check_projection`]: other areas, years not from the base year on).
    pub fn from_projection(scenario: &Scenario, projection: &Projection) -> Result<Self> {
        scenario.check_consistent()?;
        scenario.check_projection(projection)?;
        let states = projection.states.get(1..).unwrap_or_default();
        let years: Vec<i32> = states.iter().map(|(year, _)| *year).collect();
        let persons = |y: usize, band: Option<usize>, area: usize| {
            let pop = &states[y].1;
            match band {
                Some(b) => pop.band_total(area, &scenario.bands[b]),
                None => pop.area_total(area),
            }
        };
        Ok(Self::from_persons(
            scenario,
            years,
            |y, f, i| persons(y, Some(scenario.services[f].band), i),
            persons,
        ))
    }

    /// Need from persons given by functions, for years `years`: `need_persons(y, f, i)` is
    /// the persons of service f's band in area i in year number y (an index into
    /// `years`), multiplied by the service's need rate; `persons(y, band, i)` gives the
    /// persons of a band (`None`: all residents), used by per-capita targets. With the same
    /// persons in both, this is [`Need::from_projection`]; with a quantile of Monte Carlo
    /// draws in the first, it is the need a chance-constrained plan covers.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Need, Scenario};
    ///
    /// let yuzhong = Scenario::yuzhong()?;
    /// // 1,000 persons in every band, area and year.
    /// let need = Need::from_persons(&yuzhong, vec![2025], |_, _, _| 1000.0, |_, _, _| 1000.0);
    /// let beds = yuzhong.services.iter().position(|s| s.id == "elder_beds").unwrap();
    /// assert!((need.need(beds, 0, 2025).unwrap() - 30.0).abs() < 1e-9);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn from_persons(
        scenario: &Scenario,
        years: Vec<i32>,
        need_persons: impl Fn(usize, usize, usize) -> f64,
        persons: impl Fn(usize, Option<usize>, usize) -> f64,
    ) -> Self {
        let areas = scenario.areas.len();
        let services = scenario.services.len();
        let bands = scenario.bands.len();
        let mut values = Vec::with_capacity(years.len() * services * areas);
        let mut residents = Vec::with_capacity(years.len() * areas);
        let mut band_persons = Vec::with_capacity(years.len() * bands * areas);
        for y in 0..years.len() {
            for (f, service) in scenario.services.iter().enumerate() {
                values.extend((0..areas).map(|i| service.need_rate * need_persons(y, f, i)));
            }
            residents.extend((0..areas).map(|i| persons(y, None, i)));
            for b in 0..bands {
                band_persons.extend((0..areas).map(|i| persons(y, Some(b), i)));
            }
        }
        Self {
            years,
            areas,
            services,
            values,
            residents,
            band_persons,
            bands,
            area_ids: scenario.areas.iter().map(|a| a.id.clone()).collect(),
            service_ids: scenario.services.iter().map(|s| s.id.clone()).collect(),
        }
    }

    /// Checks that this need is of `scenario`, for its whole plan: made for the same areas
    /// and services in the same order and the same bands, for every year after the base
    /// year to the horizon (no more, no fewer), every value finite and at least 0. Planning
    /// entry points ([`crate::allocate()`] and those built on it) run it first; need of
    /// another scenario, or of fewer years, would otherwise plan some streets or years
    /// and silently leave out the rest.
    ///
    /// # Errors
    ///
    /// [`Error::Inconsistent`] (part `need`) naming what differs.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Need, Scenario};
    ///
    /// let yuzhong = Scenario::yuzhong()?;
    /// let need = Need::from_projection(&yuzhong, &yuzhong.project(2025)?)?;
    /// assert!(need.check_matches(&yuzhong).is_ok());
    /// // Need to 2023 leaves two of the plan's years out.
    /// let short = Need::from_projection(&yuzhong, &yuzhong.project(2023)?)?;
    /// assert!(short.check_matches(&yuzhong).is_err());
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn check_matches(&self, scenario: &Scenario) -> Result<()> {
        let differs = |field: &str, problem: String| Error::Inconsistent {
            part: "need",
            field: field.to_string(),
            problem,
        };
        let area_ids = scenario.areas.iter().map(|a| a.id.as_str());
        if self.areas != scenario.areas.len()
            || !area_ids.eq(self.area_ids.iter().map(String::as_str))
        {
            return Err(differs(
                "areas",
                format!(
                    "need of {} areas ({}), but the scenario's are {} ({})",
                    self.areas,
                    ids_of(self.area_ids.iter().map(String::as_str)),
                    scenario.areas.len(),
                    ids_of(scenario.areas.iter().map(|a| a.id.as_str())),
                ),
            ));
        }
        let service_ids = scenario.services.iter().map(|s| s.id.as_str());
        if self.services != scenario.services.len()
            || !service_ids.eq(self.service_ids.iter().map(String::as_str))
        {
            return Err(differs(
                "services",
                format!(
                    "need of services ({}), but the scenario's are ({})",
                    ids_of(self.service_ids.iter().map(String::as_str)),
                    ids_of(scenario.services.iter().map(|s| s.id.as_str())),
                ),
            ));
        }
        if self.bands != scenario.bands.len() {
            return Err(differs(
                "bands",
                format!(
                    "need counts persons of {} bands, but the scenario has {}",
                    self.bands,
                    scenario.bands.len()
                ),
            ));
        }
        let plan_years = scenario.base_year() + 1..=scenario.horizon();
        if !plan_years.clone().eq(self.years.iter().copied()) {
            let shown = |years: &[i32]| match (years.first(), years.last()) {
                (Some(a), Some(b)) => format!("{a} to {b} ({} years)", years.len()),
                _ => "no years".to_string(),
            };
            return Err(differs(
                "years",
                format!(
                    "need of {}, but the plan runs from {} to {}",
                    shown(&self.years),
                    plan_years.start(),
                    plan_years.end()
                ),
            ));
        }
        self.check_values(&differs)
    }

    /// Every need and count of persons finite and at least 0.
    fn check_values(&self, differs: &dyn Fn(&str, String) -> Error) -> Result<()> {
        let cells = self.areas.max(1);
        let place = |i: usize| {
            let area = self.area_ids.get(i % cells).map_or("?", String::as_str);
            let year = self.years.get(i / cells / self.services.max(1)).copied();
            (area, year)
        };
        if let Some(i) = self
            .values
            .iter()
            .position(|v| !(v.is_finite() && *v >= 0.0))
        {
            let service = self.service_ids.get((i / cells) % self.services.max(1));
            let (area, year) = place(i);
            return Err(differs(
                "values",
                format!(
                    "need of {} in {area} in {} is {}; it must be a finite number >= 0",
                    service.map_or("?", String::as_str),
                    year.map_or("?".into(), |y| y.to_string()),
                    self.values[i]
                ),
            ));
        }
        let persons = self.residents.iter().chain(&self.band_persons);
        if let Some(v) = persons.copied().find(|v| !(v.is_finite() && *v >= 0.0)) {
            return Err(differs(
                "persons",
                format!("a count of persons is {v}; it must be a finite number >= 0"),
            ));
        }
        Ok(())
    }

    /// The planned years (base + 1 … horizon).
    pub fn years(&self) -> &[i32] {
        &self.years
    }

    fn year_index(&self, year: i32) -> Option<usize> {
        self.years.iter().position(|y| *y == year)
    }

    /// Need of a service (index) in an area (index) and year (units), if known.
    pub fn need(&self, service: usize, area: usize, year: i32) -> Option<f64> {
        let y = self.year_index(year)?;
        (service < self.services && area < self.areas)
            .then(|| self.values[(y * self.services + service) * self.areas + area])
    }

    /// District need of a service in a year (units).
    pub fn district_need(&self, service: usize, year: i32) -> Option<f64> {
        (0..self.areas).map(|i| self.need(service, i, year)).sum()
    }

    /// Residents of an area in a year.
    pub fn residents(&self, area: usize, year: i32) -> Option<f64> {
        let y = self.year_index(year)?;
        (area < self.areas).then(|| self.residents[y * self.areas + area])
    }

    /// Persons of a band (index) in an area and year.
    pub fn band_persons(&self, band: usize, area: usize, year: i32) -> Option<f64> {
        let y = self.year_index(year)?;
        (band < self.bands && area < self.areas)
            .then(|| self.band_persons[(y * self.bands + band) * self.areas + area])
    }

    /// Persons of a band (index; `None`: all residents) summed over some areas in a year
    /// (0 for an unknown year).
    pub fn persons_in(&self, band: Option<usize>, areas: &[usize], year: i32) -> f64 {
        areas
            .iter()
            .map(|&i| match band {
                Some(b) => self.band_persons(b, i, year).unwrap_or(0.0),
                None => self.residents(i, year).unwrap_or(0.0),
            })
            .sum()
    }

    /// The number of areas.
    pub fn area_count(&self) -> usize {
        self.areas
    }
}

/// Ids joined for a message, the first few only.
fn ids_of<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    let ids: Vec<&str> = ids.collect();
    if ids.len() > 6 {
        format!("{}, … {} in all", ids[..6].join(", "), ids.len())
    } else {
        ids.join(", ")
    }
}
