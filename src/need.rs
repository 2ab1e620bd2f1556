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
}

impl Need {
    /// Need for every service, area and projected year after the base.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] when the projection's areas are not the scenario's.
    pub fn from_projection(scenario: &Scenario, projection: &Projection) -> Result<Self> {
        let areas = scenario.areas.len();
        let states = projection.states.get(1..).unwrap_or_default();
        if let Some((_, pop)) = states.iter().find(|(_, pop)| pop.area_count() != areas) {
            return Err(Error::LengthMismatch {
                what: "projection areas vs scenario areas",
                expected: areas,
                found: pop.area_count(),
            });
        }
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
        }
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
