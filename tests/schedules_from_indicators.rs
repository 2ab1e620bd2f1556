//! User story: only summary indicators are known (TFR, a percent-ASFR shape, e0), and the
//! rates of a projection step are built from them (DESIGN §3–4).

mod common;

use popalloc::{
    AgeGroup, BRASS_E0_TOLERANCE, FertileAges, Fertility, LifeTable, Sex, StepRates, brass_for_e0,
};

/// WPP 2024 China percent ASFR by five-year group and period, graduated to single years
/// and scaled to a TFR: every group keeps its share, nothing is negative, and the mean age
/// at childbearing lies inside the fertile ages.
#[test]
fn wpp_china_percent_asfr_to_single_years() {
    let Some(dir) = common::shared_data("wpp2024-china") else {
        return;
    };
    let rows = common::read_csv(&dir.join("pasfr_abridged.csv"));
    let mut periods: Vec<String> = rows.iter().map(|r| r["period_start"].clone()).collect();
    periods.dedup();
    assert!(!periods.is_empty());
    for period in periods {
        let mut cells: Vec<(usize, f64)> = rows
            .iter()
            .filter(|r| r["period_start"] == period)
            .map(|r| (r["age"].parse().unwrap(), r["value"].parse().unwrap()))
            .collect();
        cells.sort_by_key(|c| c.0);
        let groups: Vec<AgeGroup> = cells
            .iter()
            .map(|&(from, _)| AgeGroup {
                from,
                to: Some(from + 4),
            })
            .collect();
        let percent: Vec<f64> = cells.iter().map(|c| c.1).collect();
        let total: f64 = percent.iter().sum();
        assert!((total - 100.0).abs() < 0.01, "{period}: {total}");
        let f = Fertility::from_five_year_shape(&groups, &percent, 1.2, 100).unwrap();
        assert!((f.total_fertility_rate() - 1.2).abs() < 1e-12);
        assert!(f.asfr().iter().all(|&r| r >= 0.0));
        for (g, &(from, share)) in cells.iter().enumerate() {
            let sum: f64 = f.asfr()[from..from + 5].iter().sum();
            assert!(
                (sum - 1.2 * share / total).abs() < 1e-12,
                "{period} group {g}"
            );
        }
        let mean = f.mean_age_at_childbearing();
        assert!((25.0..35.0).contains(&mean), "{period}: {mean}");
    }
}

/// Step rates from a TFR and mean age (gamma) and from e0 by sex (Brass on a
/// Gompertz–Makeham standard).
#[test]
fn step_rates_from_tfr_and_e0() {
    let mx: Vec<f64> = (0..=100)
        .map(|x| {
            if x == 0 {
                0.008
            } else {
                0.0004 + 0.00003 * (0.097 * x as f64).exp()
            }
        })
        .collect();
    let mut tables = Vec::new();
    for (sex, e0) in [(Sex::Female, 81.5), (Sex::Male, 76.0)] {
        let standard = LifeTable::from_mx(sex, &mx).unwrap();
        let (_, table) = brass_for_e0(&standard, e0, 1.0).unwrap();
        assert!((table.life_expectancy() - e0).abs() < BRASS_E0_TOLERANCE);
        tables.push(table);
    }
    let fertility = Fertility::gamma(1.3, 30.5, 5.8, FertileAges::default()).unwrap();
    let rates =
        StepRates::from_life_tables(&tables[0], &tables[1], fertility.into_vec(), 1.06).unwrap();
    assert!((rates.total_fertility_rate() - 1.3).abs() < 1e-12);
    assert!(rates.survival(Sex::Female)[60] > rates.survival(Sex::Male)[60]);
}
