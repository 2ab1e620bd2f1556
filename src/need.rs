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
        let services = scenario.services.len();
        let bands = scenario.bands.len();
        let mut years = Vec::new();
        let mut values = Vec::new();
        let mut residents = Vec::new();
        let mut band_persons = Vec::new();
        for (year, pop) in projection.states.iter().skip(1) {
            if pop.area_count() != areas {
                return Err(Error::LengthMismatch {
                    what: "projection areas vs scenario areas",
                    expected: areas,
                    found: pop.area_count(),
                });
            }
            years.push(*year);
            for service in &scenario.services {
                let band = &scenario.bands[service.band];
                values.extend((0..areas).map(|i| service.need_rate * pop.band_total(i, band)));
            }
            residents.extend((0..areas).map(|i| pop.area_total(i)));
            for band in &scenario.bands {
                band_persons.extend((0..areas).map(|i| pop.band_total(i, band)));
            }
        }
        Ok(Self {
            years,
            areas,
            services,
            values,
            residents,
            band_persons,
            bands,
        })
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
