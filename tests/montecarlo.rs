//! Monte Carlo projection: determinism across thread counts, the zero-variance run, ordered
//! quantiles, and the draws' assumptions following their distributions.

use popalloc::Scenario;
use popalloc::uncertainty::{DISTRICT, Distribution, MonteCarlo, TOTAL_BAND, Uncertainty};

fn yuzhong_with(draws: usize, seed: u64) -> (Scenario, Uncertainty) {
    let scenario = Scenario::yuzhong().unwrap();
    let mut settings = scenario.uncertainty.clone();
    settings.draws = draws;
    settings.seed = seed;
    (scenario, settings)
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

#[test]
fn same_seed_gives_identical_bytes_at_one_and_two_threads() {
    let (scenario, settings) = yuzhong_with(24, 99);
    for keep in [false, true] {
        let run = |threads| {
            in_pool(threads, || {
                let summary = MonteCarlo::new(&scenario, settings.clone())
                    .keep_draws(keep)
                    .run(None)
                    .unwrap();
                serde_json::to_vec(&summary).unwrap()
            })
        };
        let one = run(1);
        let two = run(2);
        assert_eq!(one, two, "keep_draws = {keep}");
        assert!(one.len() > 1000);
    }
    // Another seed gives other draws.
    let (_, mut other) = yuzhong_with(24, 100);
    other.seed = 100;
    let a = MonteCarlo::new(&scenario, settings).run(None).unwrap();
    let b = MonteCarlo::new(&scenario, other).run(None).unwrap();
    assert_ne!(a.assumptions, b.assumptions);
}

#[test]
fn zero_variance_median_is_the_deterministic_projection() {
    let scenario = Scenario::yuzhong().unwrap();
    let mut settings = Uncertainty::none();
    settings.draws = 7;
    let deterministic = scenario.project(scenario.horizon()).unwrap();
    for keep in [false, true] {
        let run = MonteCarlo::new(&scenario, settings.clone())
            .keep_draws(keep)
            .run(None)
            .unwrap();
        let median = run.probs.iter().position(|&p| p == 0.5).unwrap();
        for (year, pop) in &deterministic.states {
            for (b, band) in scenario.bands.iter().enumerate() {
                for area in 0..scenario.areas.len() {
                    let expected = pop.band_total(area, band);
                    let got = run.quantile(*year, b, area, median).unwrap();
                    assert_eq!(
                        got.to_bits(),
                        expected.to_bits(),
                        "{year} {} {area}",
                        band.name()
                    );
                }
            }
            let total = run.band_index(TOTAL_BAND).unwrap();
            let district = run.quantile(*year, total, run.district(), median).unwrap();
            assert!((district - pop.total()).abs() < 1e-6 * pop.total());
        }
    }
}

#[test]
fn quantiles_are_ordered_and_spread_with_uncertainty() {
    let (scenario, settings) = yuzhong_with(60, 7);
    let run = MonteCarlo::new(&scenario, settings).run(None).unwrap();
    assert_eq!(run.places.last().map(String::as_str), Some(DISTRICT));
    for &year in &run.years {
        for b in 0..run.bands.len() {
            for place in 0..run.places.len() {
                let q: Vec<f64> = (0..run.probs.len())
                    .map(|j| run.quantile(year, b, place, j).unwrap())
                    .collect();
                assert!(
                    q.windows(2).all(|w| w[0] <= w[1]),
                    "{year} {b} {place}: {q:?}"
                );
            }
        }
    }
    // The base year is certain; infants at the horizon are not (the TFR factor varies).
    let infants = run.band_index("infants").unwrap();
    let d = run.district();
    let spread = |year| {
        run.quantile(year, infants, d, 2).unwrap() - run.quantile(year, infants, d, 0).unwrap()
    };
    assert_eq!(spread(2020), 0.0);
    assert!(spread(2025) > 0.05 * run.quantile(2025, infants, d, 1).unwrap());
}

#[test]
fn draws_follow_their_distributions() {
    let (scenario, mut settings) = yuzhong_with(400, 3);
    settings.tfr = Distribution::Uniform { min: 0.8, max: 1.2 };
    settings.migration = Distribution::Normal { mean: 1.0, sd: 0.1 };
    let run = MonteCarlo::new(&scenario, settings)
        .horizon(2021)
        .run(None)
        .unwrap();
    let n = run.draws() as f64;
    let mean_tfr: f64 = run.assumptions.iter().map(|a| a.tfr_factor).sum::<f64>() / n;
    assert!((mean_tfr - 1.0).abs() < 0.02, "{mean_tfr}");
    assert!(
        run.assumptions
            .iter()
            .all(|a| (0.8..=1.2).contains(&a.tfr_factor))
    );
    let below = run
        .assumptions
        .iter()
        .filter(|a| a.e0_shift < 1.2816)
        .count() as f64
        / n;
    assert!((below - 0.9).abs() < 0.04, "{below}");
}

#[test]
fn a_street_e0_gap_moves_its_life_expectancy_by_about_the_gap() {
    // Deaths in a street with a gap of +2 years fall as a street whose e0 is 2 years higher.
    let scenario = Scenario::yuzhong().unwrap();
    let [f, m] = scenario.life_tables(2020).unwrap();
    let e_dagger = 0.5 * (f.life_disparity() + m.life_disparity());
    let scaled: Vec<f64> = f.mx().iter().map(|x| x * (-2.0 / e_dagger).exp()).collect();
    let moved = popalloc::LifeTable::from_mx(popalloc::Sex::Female, &scaled).unwrap();
    let gain = moved.life_expectancy() - f.life_expectancy();
    assert!((gain - 2.0).abs() < 0.25, "{gain}");
}

#[test]
fn a_run_too_large_to_finish_is_refused_before_it_starts() {
    use popalloc::uncertainty::MAX_DRAWS;
    let (scenario, mut settings) = yuzhong_with(1, 1);
    settings.draws = MAX_DRAWS + 1;
    for keep in [false, true] {
        let err = MonteCarlo::new(&scenario, settings.clone())
            .keep_draws(keep)
            .run(None)
            .unwrap_err();
        assert!(
            matches!(err, popalloc::Error::InvalidParameter { value, .. } if value == (MAX_DRAWS + 1) as f64),
            "{err:?}"
        );
    }
    settings.draws = usize::MAX;
    assert!(MonteCarlo::new(&scenario, settings.clone()).kept_bytes() == usize::MAX);
    assert!(MonteCarlo::new(&scenario, settings).run(None).is_err());
    // The scenario file is held to the same bound.
    let text = format!("draws = {}\n", MAX_DRAWS + 1);
    let section: popalloc::uncertainty::UncertaintySection = toml::from_str(&text).unwrap();
    assert!(
        Uncertainty::from_section(Some(&section), std::path::Path::new("scenario.toml")).is_err()
    );
}

#[test]
fn quantile_probabilities_out_of_order_are_refused_not_overwritten() {
    let (scenario, mut settings) = yuzhong_with(5, 1);
    settings.quantiles = vec![0.9, 0.1];
    assert!(matches!(
        MonteCarlo::new(&scenario, settings.clone()).run(None),
        Err(popalloc::Error::InvalidParameter { .. })
    ));
    settings.quantiles = vec![0.1, 1.0];
    assert!(MonteCarlo::new(&scenario, settings).run(None).is_err());
    let section: popalloc::uncertainty::UncertaintySection =
        toml::from_str("quantiles = [0.9, 0.5]\n").unwrap();
    assert!(
        Uncertainty::from_section(Some(&section), std::path::Path::new("scenario.toml")).is_err()
    );
}

#[test]
fn street_e0_spreads_after_five_years_as_bayeslife_says_over_five() {
    // bayesLife's street e0 gap moves in 5-year steps: ρ₅ = 0.95, shock variance
    // a + b·(e0 − U) (a = 0.0482, b = −0.0154, U = 82.5). Five annual steps from a gap of 0
    // must spread as one 5-year step: sd √(a + b·(e0 − U)).
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny");
    let scenario = Scenario::load(&dir).unwrap();
    let mut settings = Uncertainty::none();
    settings.streets.e0_rho = 0.95;
    settings.streets.e0_sigma = None;
    let run = MonteCarlo::new(&scenario, settings).horizon(scenario.base_year() + 5);
    // The tiny fixture's death rates do not change: one district e0 every year.
    let [f, m] = scenario.life_tables(scenario.base_year()).unwrap();
    let e0 = 0.5 * (f.life_expectancy() + m.life_expectancy());
    let five_year_variance = 0.0482 - 0.0154 * (e0 - 82.5).min(0.0);
    let expected = five_year_variance.sqrt();
    let draws = 2000;
    let mut gaps = Vec::new();
    for d in 0..draws {
        let paths = run.variant(d).unwrap().streets.unwrap();
        let fifth = 4 * paths.areas;
        gaps.extend_from_slice(&paths.e0_gap[fifth..fifth + paths.areas]);
    }
    let n = gaps.len() as f64;
    let mean = gaps.iter().sum::<f64>() / n;
    let sd = (gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    // 6,000 gaps: the sample sd is off by ≈ 1/√(2n) ≈ 0.9 %; 8 % is nine of those. The
    // 5-year values used in every annual step give √(Σ 0.95^(2k), k < 5) ≈ 2.03 times as much.
    let per_step = expected * ((1.0 - 0.95f64.powi(10)) / (1.0 - 0.95f64.powi(2))).sqrt();
    println!(
        "street e0 gap after 5 years: sd {sd:.4}, expected {expected:.4}, 5-year values per year {per_step:.4}"
    );
    assert!(
        (sd / expected - 1.0).abs() < 0.08,
        "sd {sd} against {expected}"
    );
    assert!(mean.abs() < 5.0 * expected / n.sqrt(), "mean {mean}");
}

/// A street migration-rate deviation adds `rate × population` net migrants in the step:
/// one year at +2 % of every street moves the district by ≈ 2 % (the migrants' own births
/// and deaths within the half year they are exposed aside).
#[test]
fn a_street_migration_rate_adds_that_share_of_the_population() {
    use popalloc::uncertainty::{StreetPaths, Variant};
    let scenario = Scenario::yuzhong().unwrap();
    let areas = scenario.areas.len();
    let moved = Variant {
        streets: Some(StreetPaths {
            areas,
            tfr_ratio: vec![0.0; areas],
            e0_gap: vec![0.0; areas],
            migration_rate: vec![0.02; areas],
        }),
        ..Variant::default()
    };
    let base = scenario.project(2021).unwrap();
    let with = scenario.project_variant(&moved, 2021).unwrap();
    let total = |p: &popalloc::Projection| p.at(2021).unwrap().total();
    let gained = total(&with) - total(&base);
    let expected = 0.02 * scenario.base.total();
    assert!(
        (gained / expected - 1.0).abs() < 0.005,
        "gained {gained}, expected {expected}"
    );
}

/// The street migration-rate shock spreads the draws where the scenario assumes no
/// migration at all (the migration factor has nothing to scale there), and it changes
/// nothing when its σ is 0.
#[test]
fn street_migration_shocks_spread_a_projection_without_migration() {
    let mut scenario = Scenario::yuzhong().unwrap();
    for area in &mut scenario.areas {
        area.net_migration = 0.0;
    }
    let mut settings = Uncertainty::none();
    settings.draws = 40;
    let still = MonteCarlo::new(&scenario, settings.clone())
        .run(None)
        .unwrap();
    let spread = |s: &popalloc::uncertainty::MonteCarloSummary| {
        let total = s.band_index(TOTAL_BAND).unwrap();
        let at = |q| s.quantile(2025, total, s.district(), q).unwrap();
        at(2) - at(0)
    };
    assert!(spread(&still).abs() < 1e-6, "{}", spread(&still));
    settings.streets.migration_sigma = 0.01;
    settings.streets.migration_rho = 0.9;
    let moving = MonteCarlo::new(&scenario, settings).run(None).unwrap();
    // Eleven streets, five years of AR(1) shocks of 1 % a year: the district's P10–P90
    // spans thousands of residents.
    assert!(spread(&moving) > 5_000.0, "{}", spread(&moving));
}

/// Every kept draw is, to the bit, the deterministic projection of that draw's variant
/// (`Scenario::project_variant`) summed into bands as `Population::band_total` and
/// `Population::area_total` do, the district summed over the areas in order. Checked with
/// net migrants by age (Yuzhong's) and from yearly totals, with and without street
/// migration shocks, with streets that share and streets that differ in their own
/// mortality multipliers (so that a survival schedule reused for the wrong multiplier,
/// e0 gap, step or draw would show), and with no street deviation at all.
#[test]
fn each_kept_draw_is_the_projection_of_its_variant_to_the_bit() {
    let mut cases = Vec::new();
    let (yuzhong, settings) = yuzhong_with(5, 7);
    cases.push(("by age", yuzhong.clone(), settings.clone()));
    let mut totals = yuzhong.clone();
    totals.migration.by_age = None;
    // Repeated and differing own multipliers, some areas at the district's.
    for (k, area) in totals.areas.iter_mut().enumerate() {
        area.mortality_multiplier = [1.0, 0.9, 0.9, 1.15][k % 4];
        area.fertility_multiplier = [1.0, 1.1, 0.95][k % 3];
    }
    cases.push(("totals, own multipliers", totals.clone(), settings.clone()));
    let mut still = settings.clone();
    still.streets.migration_sigma = 0.0;
    cases.push(("no street migration", totals.clone(), still));
    let mut district_only = settings.clone();
    district_only.streets.tfr_sigma = 0.0;
    district_only.streets.e0_sigma = Some(0.0);
    district_only.streets.migration_sigma = 0.0;
    cases.push(("no street deviation", totals, district_only));
    for (label, scenario, settings) in cases {
        let horizon = scenario.base_year() + 4;
        let mc = MonteCarlo::new(&scenario, settings).horizon(horizon);
        // One thread, so that one worker projects every draw in turn (anything it keeps
        // from draw to draw must not leak into the next).
        let run = in_pool(1, || mc.clone().keep_draws(true).run(None).unwrap());
        let total = run.band_index(TOTAL_BAND).unwrap();
        for draw in 0..run.draws() {
            let variant = mc.variant(draw as u64).unwrap();
            let projection = scenario.project_variant(&variant, horizon).unwrap();
            for (year, pop) in &projection.states {
                for (b, band) in scenario.bands.iter().enumerate() {
                    let mut district = Vec::new();
                    for area in 0..scenario.areas.len() {
                        let expected = pop.band_total(area, band);
                        district.push(expected);
                        let got = run.draw_value(draw, *year, b, area).unwrap();
                        assert_eq!(
                            got.to_bits(),
                            expected.to_bits(),
                            "{label}: draw {draw} {year} {} area {area}",
                            band.name()
                        );
                    }
                    let expected: f64 = district.iter().sum();
                    let got = run.draw_value(draw, *year, b, run.district()).unwrap();
                    assert_eq!(got.to_bits(), expected.to_bits(), "{label}: district");
                }
                for area in 0..scenario.areas.len() {
                    let got = run.draw_value(draw, *year, total, area).unwrap();
                    assert_eq!(got.to_bits(), pop.area_total(area).to_bits(), "{label}");
                }
            }
        }
    }
}
