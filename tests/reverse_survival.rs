//! Fertility from a census's children by reverse survival: the method inverts the
//! projection exactly, responds to a wrong life table, and Yuzhong's default TFR path starts
//! from its 2020 census.

use popalloc::demography::census::{CensusUnit, read_census};
use popalloc::demography::reverse_survival::{
    BirthYear, DEFAULT_CHILD_AGE, MAX_CHILD_AGE, reverse_survive_with_life_tables,
};
use popalloc::scenario::census_fertility::{YUZHONG_TFR_MOVEMENT, rebased_path, yuzhong_tfr_path};
use popalloc::{
    FertileAges, Fertility, FertilityAssumption, LifeTable, Migrants, MigrationTiming, OMEGA,
    Population, Projection, Projector, Scenario, Sex, StepInput, StepRates,
};

const BASE_YEAR: i32 = 2010;
const CENSUS_YEAR: i32 = 2020;
/// The TFR of each step 2010→2011 … 2019→2020.
const TFR: [f64; 10] = [1.62, 1.48, 1.31, 1.18, 1.05, 0.97, 1.12, 1.26, 0.88, 0.74];

/// Life tables of a higher mortality than Yuzhong's (so that survival matters), the men's
/// higher than the women's, times `level`.
fn life_tables(level: f64) -> [LifeTable; 2] {
    let mx = |k: f64| -> Vec<f64> {
        (0..=OMEGA)
            .map(|x| {
                let infant = if x == 0 { 0.02 } else { 0.0 };
                level * (k * (0.0015 + 0.00004 * (0.092 * x as f64).exp()) + infant)
            })
            .collect()
    };
    [
        LifeTable::from_mx(Sex::Female, &mx(1.0)).unwrap(),
        LifeTable::from_mx(Sex::Male, &mx(1.4)).unwrap(),
    ]
}

fn shape() -> Vec<f64> {
    Fertility::gamma(1.0, 29.5, 5.8, FertileAges::default())
        .unwrap()
        .into_vec()
}

/// A jagged base population and its projection from 2010 to the census of 2020 with the
/// TFR path [`TFR`], the life tables at level 1 and no migration.
fn synthetic_census() -> Projection {
    let [female, male] = life_tables(1.0);
    let mut base = Population::zeros(vec!["district".into()], 1, OMEGA + 1).unwrap();
    for sex in Sex::ALL {
        for (x, cell) in base.series_mut(0, sex).iter_mut().enumerate() {
            let wave = 1.0 + 0.3 * (x as f64 / 7.0).sin() + 0.01 * (x % 5) as f64;
            let sex_factor = if sex == Sex::Female { 1.0 } else { 0.97 };
            *cell = 4_000.0 * wave * sex_factor * (-(x as f64 / 70.0).powi(4)).exp();
        }
    }
    let steps: Vec<StepInput> = TFR
        .iter()
        .map(|&tfr| StepInput {
            rates: StepRates::from_life_tables(
                &female,
                &male,
                Fertility::from_shape(&shape(), tfr).unwrap().into_vec(),
                1.07,
            )
            .unwrap(),
            migrants: Migrants::zeros(1, OMEGA + 1).unwrap(),
        })
        .collect();
    Projector::new(1, OMEGA + 1, 1, MigrationTiming::Even)
        .unwrap()
        .project(&base, BASE_YEAR, &steps, None)
        .unwrap()
}

fn reverse(projection: &Projection, tables: &[LifeTable; 2], oldest: usize) -> Vec<BirthYear> {
    let census = projection.at(CENSUS_YEAR).unwrap();
    reverse_survive_with_life_tables(
        [census.series(0, Sex::Female), census.series(0, Sex::Male)],
        tables,
        &shape(),
        CENSUS_YEAR,
        oldest,
    )
    .unwrap()
}

fn relative(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

#[test]
fn reverse_survival_recovers_the_births_and_tfrs_of_a_projection() {
    let projection = synthetic_census();
    for oldest in [DEFAULT_CHILD_AGE, MAX_CHILD_AGE] {
        let years = reverse(&projection, &life_tables(1.0), oldest);
        assert_eq!(years.len(), oldest + 1);
        for year in &years {
            // The children aged j were born in the step ending j years before the census.
            let step = TFR.len() - 1 - year.age_at_census;
            let flows = &projection.flows[step];
            assert_eq!(
                (year.start_year, year.end_year),
                (flows.start_year, flows.end_year)
            );
            for s in 0..2 {
                let e = relative(year.births[s], flows.births[s]);
                assert!(e < 1e-9, "age {} sex {s}: {e:e}", year.age_at_census);
            }
            let e = (year.total_fertility_rate - TFR[step]).abs();
            assert!(e < 1e-9, "age {}: TFR error {e:e}", year.age_at_census);
        }
    }
}

#[test]
fn a_wrong_life_table_gives_other_births_and_tfrs() {
    let projection = synthetic_census();
    let years = reverse(&projection, &life_tables(1.5), MAX_CHILD_AGE);
    for year in &years {
        let step = TFR.len() - 1 - year.age_at_census;
        // Higher mortality: more births were needed for the children counted.
        let births_error = relative(year.total_births(), projection.flows[step].total_births());
        assert!(
            births_error > 1e-3 && year.total_births() > projection.flows[step].total_births(),
            "age {}: {births_error:e}",
            year.age_at_census
        );
        let tfr_error = (year.total_fertility_rate - TFR[step]).abs();
        assert!(
            tfr_error > 1e-4,
            "age {}: {tfr_error:e}",
            year.age_at_census
        );
    }
}

#[test]
fn yuzhong_tfr_path_starts_from_its_census_children() {
    let yuzhong = Scenario::yuzhong().unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/yuzhong/census_2020.csv");
    let census = read_census(path, Some("500103")).unwrap();
    let unit = &census.units[0];
    let years = yuzhong.census_fertility(unit, DEFAULT_CHILD_AGE).unwrap();
    assert_eq!(years.len(), 5);
    // The 3,262 children aged 0 (1,714 boys, 1,548 girls) are survivors of more births.
    assert!(years[0].births[1] > 1_714.0 && years[0].births[0] > 1_548.0);
    assert_eq!(years[0].end_year, 2020);
    // The committed tfr.csv (embedded in the default scenario) is the previous path
    // started from the TFR of the year before the census, rounded to 3 decimals.
    let FertilityAssumption::TfrShape { tfr, .. } = &yuzhong.fertility.schedule else {
        panic!("Yuzhong's fertility is a TFR path on a shape");
    };
    let level = years[0].total_fertility_rate;
    assert_eq!(tfr.points()[0], (2020, (level * 1000.0).round() / 1000.0));
    let expected = yuzhong_tfr_path(level).unwrap();
    assert_eq!(
        tfr.points(),
        expected.points(),
        "tfr.csv vs the census estimate {level}"
    );
    // The rule keeps the previous path's movement relative to its start.
    let first = YUZHONG_TFR_MOVEMENT[0].1;
    for (&(year, value), &(_, previous)) in tfr.points().iter().zip(&YUZHONG_TFR_MOVEMENT) {
        assert!(
            (value - level * previous / first).abs() <= 0.0005 + 1e-12,
            "{year}"
        );
    }
}

#[test]
fn a_scenario_with_a_gamma_schedule_weights_women_by_it() {
    let tiny = Scenario::load(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tiny")).unwrap();
    let mut counts = [[1_000.0; 19]; 2];
    for sex in &mut counts {
        sex[0] = 200.0;
        sex[1] = 800.0;
    }
    let unit = CensusUnit {
        code: "900001".into(),
        name: "north".into(),
        counts,
    };
    let years = tiny.census_fertility(&unit, 1).unwrap();
    assert_eq!(years.len(), 2);
    // 200 + 200 children aged 0 from about 200 women at each fertile age: TFR near 2.
    let tfr = years[0].total_fertility_rate;
    assert!(tfr > 1.9 && tfr < 2.1, "{tfr}");
    assert!(tiny.census_fertility(&unit, MAX_CHILD_AGE + 1).is_err());
}

#[test]
fn a_path_cannot_be_started_from_a_bad_level() {
    assert!(yuzhong_tfr_path(-0.1).is_err());
    assert!(yuzhong_tfr_path(f64::NAN).is_err());
    let zero = popalloc::YearPath::new(vec![(2020, 0.0), (2025, 1.0)]).unwrap();
    assert!(rebased_path(&zero, 1.0).is_err());
    assert_eq!(
        yuzhong_tfr_path(0.730).unwrap().points(),
        &YUZHONG_TFR_MOVEMENT
    );
}
