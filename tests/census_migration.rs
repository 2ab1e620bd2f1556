//! Net migration from two censuses: the census-survival residual recovers a known schedule
//! (property test on random small populations), and Yuzhong's default scenario takes its
//! migration from its own 2010 and 2020 census rows.

use std::path::Path;

use popalloc::demography::residual_migration::CensusResidual;
use popalloc::scenario::census_migration::{area_shares, census_migration};
use popalloc::{
    Error, Migrants, MigrationTiming, Population, Projector, Scenario, Sex, StepInput, StepRates,
};
use proptest::prelude::*;

/// A population of one area with the given counts (female then male).
fn population(groups: usize, values: Vec<f64>) -> Population {
    Population::from_values(vec!["d".into()], 1, groups, values).unwrap()
}

/// The first census projected through `rates` with the same migrants every year.
fn project(
    first: &Population,
    rates: &[StepRates],
    m: &Migrants,
    timing: MigrationTiming,
) -> Population {
    let projector = Projector::new(1, first.groups(), 1, timing).unwrap();
    let steps: Vec<StepInput> = rates
        .iter()
        .map(|r| StepInput {
            rates: r.clone(),
            migrants: m.clone(),
        })
        .collect();
    projector
        .project(first, 2010, &steps, None)
        .unwrap()
        .horizon()
        .unwrap()
        .1
        .clone()
}

prop_compose! {
    /// Random small populations, step rates and a migration schedule small enough that no
    /// cell is emptied, births included (the identity is affine only then).
    fn case()(groups in 6usize..16, years in 1usize..7, even in any::<bool>())
        (pop in prop::collection::vec(500.0f64..1500.0, 2 * groups),
         migrants in prop::collection::vec(-10.0f64..10.0, 2 * groups),
         survival in prop::collection::vec(0.9f64..1.0, 2 * groups),
         fertility in prop::collection::vec(0.15f64..0.3, groups),
         srb in 1.0f64..1.15,
         groups in Just(groups), years in Just(years), even in Just(even))
        -> (Population, Migrants, Vec<StepRates>, MigrationTiming)
    {
        let mut asfr = fertility;
        asfr[0] = 0.0;
        asfr[groups - 1] = 0.0;
        let rates = StepRates::from_survival(
            survival[..groups].to_vec(),
            survival[groups..].to_vec(),
            asfr,
            srb,
        )
        .unwrap();
        let timing = if even { MigrationTiming::Even } else { MigrationTiming::End };
        (
            population(groups, pop),
            Migrants::from_values(1, groups, migrants).unwrap(),
            vec![rates; years],
            timing,
        )
    }
}

proptest! {
    #[test]
    fn the_residual_recovers_the_schedule_that_made_the_second_census(
        (first, known, rates, timing) in case()
    ) {
        let second = project(&first, &rates, &known, timing);
        let residual = CensusResidual::new(&first, &second, &rates, timing).unwrap();
        let annual = residual.annual().unwrap();
        for (got, want) in annual.values().iter().zip(known.values()) {
            prop_assert!((got - want).abs() < 1e-7, "{got} vs {want}");
        }
        prop_assert!(residual.identity_gap() < 1e-7, "{}", residual.identity_gap());
        // The affine model F + C m is the projector's result.
        let model = residual.second_from(&known).unwrap();
        for (a, b) in model.iter().zip(second.values()) {
            prop_assert!((a - b).abs() < 1e-7 * (1.0 + b.abs()), "{a} vs {b}");
        }
        // Smoothing keeps each sex's total.
        let smooth = residual.smoothed(50.0).unwrap();
        for sex in Sex::ALL {
            let (s, k) = (smooth.area_sex_total(0, sex), known.area_sex_total(0, sex));
            prop_assert!((s - k).abs() < 1e-6 * (1.0 + k.abs()), "{s} vs {k}");
        }
    }
}

fn yuzhong_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data/yuzhong"))
}

/// The residual of the default scenario, recomputed from the committed census rows.
fn yuzhong_residual(scenario: &Scenario) -> popalloc::scenario::census_migration::CensusMigration {
    let section = scenario
        .file
        .migration
        .as_ref()
        .and_then(|m| m.census.clone())
        .expect("the default scenario takes migration from the censuses");
    let dir = yuzhong_dir();
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    census_migration(
        scenario,
        &section,
        (&dir.join(&section.first), &read(&section.first)),
        (&dir.join(&section.second), &read(&section.second)),
    )
    .unwrap()
}

#[test]
fn yuzhong_migration_is_the_smoothed_census_residual_shared_by_street() {
    let yuzhong = Scenario::yuzhong().unwrap();
    let result = yuzhong_residual(&yuzhong);
    assert_eq!(result.first.total().round(), 630_090.0);
    assert_eq!(result.second.total().round(), 588_717.0);
    // The smoothed schedule keeps the exact schedule's total of each sex.
    let raw = result.residual.annual().unwrap();
    for sex in Sex::ALL {
        let (s, r) = (
            result.annual.area_sex_total(0, sex),
            raw.area_sex_total(0, sex),
        );
        assert!((s - r).abs() < 1e-6 * r.abs(), "{sex}: {s} vs {r}");
    }
    // A net loss, of about the size the decline of 41,373 residents implies.
    let total = result.annual.total();
    assert!((-5_000.0..-2_500.0).contains(&total), "{total}");
    // Applied from 2010 it gives back the 2020 census total within 0.1 %.
    let model: f64 = result
        .residual
        .second_from(&result.annual)
        .unwrap()
        .iter()
        .sum();
    assert!((model / 588_717.0 - 1.0).abs() < 1e-3, "{model}");
    // The scenario uses it, each street with its share of areas.csv's net_migration.
    let by_age = yuzhong
        .migration
        .by_age
        .as_ref()
        .expect("net migrants by age");
    let migrants = by_age.get(&None).expect("the same every year");
    assert!(
        (migrants.total() - total).abs() < 1e-6,
        "{}",
        migrants.total()
    );
    let shares = area_shares(&yuzhong).unwrap();
    let sum: f64 = yuzhong.areas.iter().map(|a| a.net_migration).sum();
    for (a, area) in yuzhong.areas.iter().enumerate() {
        assert!((shares[a] - area.net_migration / sum).abs() < 1e-12);
        let street = migrants.series(a, Sex::Female)[20];
        let district = result.annual.series(0, Sex::Female)[20];
        assert!((street - shares[a] * district).abs() < 1e-9, "{}", area.id);
    }
    // Young adults arrive, the middle-aged leave (the smoothed schedule's signs).
    for sex in Sex::ALL {
        let s = result.annual.series(0, sex);
        assert!(s[15..25].iter().sum::<f64>() > 0.0, "{sex}");
        assert!(s[30..60].iter().sum::<f64>() < 0.0, "{sex}");
    }
}

#[test]
fn yuzhong_birth_rate_is_the_committed_vital_rate() {
    let yuzhong = Scenario::yuzhong().unwrap();
    let section = yuzhong
        .file
        .migration
        .as_ref()
        .and_then(|m| m.census.clone())
        .unwrap();
    let text = std::fs::read_to_string(yuzhong_dir().join("vital_2010.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = header
        .iter()
        .position(|h| h == "birth_rate_per_1000")
        .unwrap();
    let row = reader.records().next().unwrap().unwrap();
    let rate: f64 = row[column].parse().unwrap();
    assert_eq!(section.birth_rate, rate);
    assert_eq!((section.first_year, section.second_year), (2010, 2020));
}

/// The default scenario written out, with `edit` applied to its scenario.toml.
fn edited(edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    Scenario::write_default(&out).unwrap();
    let toml = out.join("scenario.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, edit(&text)).unwrap();
    dir
}

#[test]
fn bad_census_settings_are_named() {
    let cases: [(&str, &str, &str); 3] = [
        ("code = \"500103\"", "code = \"990000\"", "code"),
        ("second_year = 2020", "second_year = 2010", "second_year"),
        ("birth_rate = 5.83", "birth_rate = -1.0", "birth_rate"),
    ];
    for (from, to, field) in cases {
        let dir = edited(|t| t.replace(from, to));
        let err = Scenario::load(dir.path().join("s")).unwrap_err();
        assert!(matches!(err, Error::InvalidScenario { .. }), "{err:?}");
        assert!(format!("{err:?}").contains(field), "{field}: {err:?}");
    }
    let dir = edited(|t| t.replace("[migration.census]", "[migration.census]\nsmoothing = -5.0"));
    let err = Scenario::load(dir.path().join("s")).unwrap_err();
    assert!(format!("{err:?}").contains("smoothing"), "{err:?}");
    let dir = edited(|t| {
        t.replace(
            "[migration.census]",
            "[migration]\nfile = \"migrants.csv\"\n\n[migration.census]",
        )
    });
    let err = Scenario::load(dir.path().join("s")).unwrap_err();
    assert!(format!("{err}").contains("not both"), "{err}");
}

#[test]
fn a_larger_smoothing_keeps_the_total_and_changes_the_shape() {
    let base = Scenario::yuzhong().unwrap();
    let dir = edited(|t| {
        t.replace(
            "[migration.census]",
            "[migration.census]\nsmoothing = 100000",
        )
    });
    let stiff = Scenario::load(dir.path().join("s")).unwrap();
    let (a, b) = (
        base.migration.by_age.as_ref().unwrap().get(&None).unwrap(),
        stiff.migration.by_age.as_ref().unwrap().get(&None).unwrap(),
    );
    assert!(
        (a.total() - b.total()).abs() < 1e-6,
        "{} vs {}",
        a.total(),
        b.total()
    );
    let peak = |m: &Migrants| m.series(0, Sex::Female)[15..25].iter().sum::<f64>();
    assert!(peak(b) < 0.8 * peak(a), "{} vs {}", peak(b), peak(a));
}
