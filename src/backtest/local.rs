//! Each county's fertility and mortality relative to the nation, from its 2010 birth and
//! death rates.

use crate::backtest::counties::County;
use crate::backtest::national::{
    NationalRates, births_2010, deaths_2010, model_deaths, weighted_women,
};
use crate::demography::population::Population;

/// The range a county's fertility multiplier is held to.
pub const FERTILITY_RANGE: (f64, f64) = (0.25, 4.0);

/// The range a county's mortality multiplier is held to (a multiplier of 2 keeps every
/// WPP death rate below 2, where q(x) would pass 1).
pub const MORTALITY_RANGE: (f64, f64) = (0.5, 2.0);

/// A ratio `num / den` relative to the national `reference`, held to `range`; 1 when the
/// ratio is not a positive finite number (a county without births, deaths or women).
fn relative(num: f64, den: f64, reference: f64, range: (f64, f64)) -> f64 {
    let k = num / den / reference;
    if k.is_finite() && k > 0.0 {
        k.clamp(range.0, range.1)
    } else {
        1.0
    }
}

/// Each county's TFR relative to the nation's: its 2010 births over its women weighted by
/// the fertility shape, divided by the national TFR of [`NationalRates`], held to
/// [`FERTILITY_RANGE`].
///
/// # Examples
///
/// ```
/// use popalloc::backtest::{County, NationalRates, Sample, VitalRates, fertility_multipliers};
/// use popalloc::demography::census::{CensusUnit, census_population};
///
/// let unit = |code: &str| CensusUnit { code: code.into(), name: "x".into(), counts: [[1000.0; 19]; 2] };
/// let county = |code: &str, birth_rate: f64| County {
///     code: code.into(), name: "x".into(), sample: Sample::of_code(code),
///     base: unit(code), observed: unit(code),
///     vital: VitalRates { birth_rate, death_rate: 6.0 },
/// };
/// let counties = [county("110101", 10.0), county("120101", 5.0)];
/// let tables = popalloc::scenario::census::wpp_china_life_tables()?;
/// let l = [tables[0].person_years().to_vec(), tables[1].person_years().to_vec()];
/// let units: Vec<_> = counties.iter().map(|c| c.base.clone()).collect();
/// let base = census_population(&units, &["a".into(), "b".into()], &l)?;
/// let national = NationalRates::for_counties(&counties, &base)?;
/// let f = fertility_multipliers(&counties, &base, &national);
/// assert!((f[0] - 4.0 / 3.0).abs() < 1e-9 && (f[1] - 2.0 / 3.0).abs() < 1e-9);
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn fertility_multipliers(
    counties: &[County],
    base: &Population,
    national: &NationalRates,
) -> Vec<f64> {
    counties
        .iter()
        .enumerate()
        .map(|(a, c)| {
            relative(
                births_2010(c),
                weighted_women(base, a, &national.shape),
                national.tfr,
                FERTILITY_RANGE,
            )
        })
        .collect()
}

/// Each county's mortality relative to the nation's: the ratio of its 2010 deaths to the
/// deaths WPP's death rates give its population, over the same ratio for all the counties
/// together, held to [`MORTALITY_RANGE`]. The national level stays WPP's; only the
/// differences between counties come from the census.
pub fn mortality_multipliers(
    counties: &[County],
    base: &Population,
    national: &NationalRates,
) -> Vec<f64> {
    let model: Vec<f64> = (0..counties.len())
        .map(|a| model_deaths(base, a, &national.life_tables))
        .collect();
    let reported: f64 = counties.iter().map(deaths_2010).sum();
    let reference = reported / model.iter().sum::<f64>();
    counties
        .iter()
        .zip(&model)
        .map(|(c, m)| relative(deaths_2010(c), *m, reference, MORTALITY_RANGE))
        .collect()
}
