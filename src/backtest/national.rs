//! The national schedules every method starts from: WPP 2024 China mortality, the WPP
//! China age shape of fertility at the level of the 2010 census's births, and the sex
//! ratio at birth.

use crate::backtest::counties::County;
use crate::demography::fertility::Fertility;
use crate::demography::graduation::AgeGroup;
use crate::demography::life_table::LifeTable;
use crate::demography::population::{OMEGA, Population};
use crate::demography::sex::Sex;
use crate::error::Result;

/// WPP 2024 China percent ASFR 2020–2025 by five-year group 15-19 … 45-49, the shape the
/// default scenario and `popalloc init --census` use.
const SHAPE_FILE: &str = include_str!("../../data/yuzhong/fertility_shape.csv");

/// The national schedules of a backtest.
#[derive(Debug, Clone, PartialEq)]
pub struct NationalRates {
    /// WPP 2024 China 2020–2025 life tables (female, male), single years 0..=100.
    pub life_tables: [LifeTable; 2],
    /// The WPP China fertility shape by single year 0..=100, summing to 1.
    pub shape: Vec<f64>,
    /// The national TFR of the 2010 census: the counties' births over their women
    /// weighted by `shape`.
    pub tfr: f64,
    /// Male births per female birth (WPP 2024 China, 2020).
    pub sex_ratio_at_birth: f64,
}

/// The WPP China fertility shape by single year 0..=100, summing to 1.
///
/// # Errors
///
/// None in practice (a test reads it); those of [`Fertility::from_five_year_shape`].
///
/// # Examples
///
/// ```
/// let shape = popalloc::backtest::wpp_china_fertility_shape()?;
/// assert!((shape.iter().sum::<f64>() - 1.0).abs() < 1e-9);
/// assert_eq!(shape[14], 0.0);
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn wpp_china_fertility_shape() -> Result<Vec<f64>> {
    let mut groups = Vec::new();
    let mut values = Vec::new();
    for line in SHAPE_FILE.lines().skip(1) {
        let mut parts = line.split(',');
        let (Some(age), Some(value)) = (parts.next(), parts.next()) else {
            continue;
        };
        if let (Some(group), Ok(v)) = (AgeGroup::parse(age.trim()), value.trim().parse::<f64>()) {
            groups.push(group);
            values.push(v);
        }
    }
    Ok(Fertility::from_five_year_shape(&groups, &values, 1.0, OMEGA)?.into_vec())
}

/// A county's births in the 12 months before the 2010 census: its birth rate times its
/// census population.
pub fn births_2010(county: &County) -> f64 {
    county.vital.birth_rate / 1000.0 * county.base.total()
}

/// A county's deaths in the 12 months before the 2010 census: its death rate times its
/// census population.
pub fn deaths_2010(county: &County) -> f64 {
    county.vital.death_rate / 1000.0 * county.base.total()
}

/// The women of area `area` weighted by the fertility shape: Σₓ F(x)·shape(x), the births
/// a TFR of 1 gives in a year.
pub fn weighted_women(base: &Population, area: usize, shape: &[f64]) -> f64 {
    base.series(area, Sex::Female)
        .iter()
        .zip(shape)
        .map(|(w, s)| w * s)
        .sum()
}

/// The deaths the life tables' death rates give area `area` in a year: Σ P(s, x)·m(s, x).
pub fn model_deaths(base: &Population, area: usize, tables: &[LifeTable; 2]) -> f64 {
    Sex::ALL
        .iter()
        .map(|&sex| {
            base.series(area, sex)
                .iter()
                .zip(tables[sex.index()].mx())
                .map(|(p, m)| p * m)
                .sum::<f64>()
        })
        .sum()
}

impl NationalRates {
    /// The national schedules for the counties `counties` (graduated to `base`, one area
    /// each, in the same order): WPP mortality and shape, and the TFR
    /// Σ births / Σ weighted women over all the counties.
    ///
    /// # Errors
    ///
    /// Those of [`wpp_china_life_tables`](crate::scenario::census::wpp_china_life_tables)
    /// and [`wpp_china_fertility_shape`].
    pub fn for_counties(counties: &[County], base: &Population) -> Result<Self> {
        let life_tables = crate::scenario::census::wpp_china_life_tables()?;
        let shape = wpp_china_fertility_shape()?;
        let births: f64 = counties.iter().map(births_2010).sum();
        let women: f64 = (0..counties.len())
            .map(|a| weighted_women(base, a, &shape))
            .sum();
        let tfr = if women > 0.0 { births / women } else { 0.0 };
        Ok(Self {
            life_tables,
            shape,
            tfr,
            sex_ratio_at_birth: crate::scenario::census::WPP_CHINA_SRB,
        })
    }
}
