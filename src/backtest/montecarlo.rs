//! P10–P90 intervals of every county and band from a Monte Carlo of the backtest
//! projection, with the spreads of a scenario's `[uncertainty]` section.

use rayon::prelude::*;

use crate::backtest::method::{BacktestInputs, FittedMethod};
use crate::backtest::projection::{DECADE, band_totals, project_decade};
use crate::demography::brass::brass_for_e0;
use crate::demography::life_table::LifeTable;
use crate::error::{Error, Result};
use crate::uncertainty::{MAX_DRAWS, StreetPaths, Uncertainty, draw_generator, sample_quantile};

/// The national life tables of a draw: WPP's moved by `e0_shift` years through a Brass
/// relational step with the table itself as standard and β = 1, as a scenario's death-rate
/// files are moved.
fn shifted_tables(tables: &[LifeTable; 2], e0_shift: f64) -> Result<[LifeTable; 2]> {
    if e0_shift.abs() > 0.0 {
        let [f, m] = tables;
        Ok([
            brass_for_e0(f, f.life_expectancy() + e0_shift, 1.0)?.1,
            brass_for_e0(m, m.life_expectancy() + e0_shift, 1.0)?.1,
        ])
    } else {
        Ok(tables.clone())
    }
}

/// The 2020 band totals of every county in draw `draw`, `[county × bands + band]`.
///
/// The draw's generator ([`draw_generator`]`(seed, draw)`) gives, in the order of
/// [`MonteCarlo`](crate::uncertainty::MonteCarlo): the TFR factor (cut at 0), the e0 shift,
/// the migration factor (cut at 0), then the AR(1) paths of the settings' street
/// deviations over the ten years ([`StreetPaths::draw`]: each county's TFR ratio, e0 gap
/// and, when its σ is set, net migration rate).
fn draw_bands(
    fitted: &FittedMethod,
    inputs: &BacktestInputs,
    settings: &Uncertainty,
    draw: u64,
) -> Result<Vec<f64>> {
    let mut rng = draw_generator(settings.seed, draw);
    let tfr_factor = settings.tfr.sample(&mut rng).max(0.0);
    let e0_shift = settings.e0.sample(&mut rng);
    let migration_factor = settings.migration.sample(&mut rng).max(0.0);
    let tables = shifted_tables(&inputs.national.life_tables, e0_shift)?;
    let e0 = 0.5 * (tables[0].life_expectancy() + tables[1].life_expectancy());
    // One e0 for the decade: the backtest's national tables do not move over it.
    let deviations = StreetPaths::draw(
        &settings.streets,
        &mut rng,
        &[e0; DECADE],
        inputs.counties.len(),
    );
    let assumptions = fitted.assumptions(inputs, &tables, tfr_factor, migration_factor, deviations);
    Ok(band_totals(&project_decade(&inputs.base, &assumptions)?))
}

/// Each county's and band's P10 and P90 over `settings.draws` draws of `fitted`'s
/// projection, `[county × bands + band]` (quantiles of the sorted draws by
/// [`sample_quantile`], as an exact Monte Carlo run takes them). The draws run in
/// parallel; the result does not depend on the number of threads.
///
/// # Errors
///
/// [`Error::InvalidParameter`] for a number of draws outside 1 … 1,000,000; the first
/// error of a draw (e.g. an e0 Brass cannot reach).
pub fn p10_p90_intervals(
    fitted: &FittedMethod,
    inputs: &BacktestInputs,
    settings: &Uncertainty,
) -> Result<Vec<[f64; 2]>> {
    if !(1..=MAX_DRAWS).contains(&settings.draws) {
        return Err(Error::InvalidParameter {
            parameter: "backtest Monte Carlo draws",
            value: settings.draws as f64,
            range: "1 … 1,000,000",
        });
    }
    let draws: Vec<Vec<f64>> = (0..settings.draws as u64)
        .into_par_iter()
        .map(|d| draw_bands(fitted, inputs, settings, d))
        .collect::<Result<_>>()?;
    let cells = inputs.observed.len();
    let mut column = Vec::with_capacity(draws.len());
    Ok((0..cells)
        .map(|cell| {
            column.clear();
            column.extend(draws.iter().filter_map(|values| values.get(cell)));
            column.sort_by(f64::total_cmp);
            [sample_quantile(&column, 0.1), sample_quantile(&column, 0.9)]
        })
        .collect())
}
