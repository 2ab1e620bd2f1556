//! `popalloc backtest`: a stationary synthetic pair of censuses (no migration, the WPP
//! China life table) is projected with ~0 error by every method; the command writes its
//! files with the exact summary header; bad input is a typed error; and, where
//! `../shared/data/china-census-county` is present, the real tables give about 2,480
//! counties and a plausible survival_only 60+ error.

mod common;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use popalloc::Error;
use popalloc::backtest::{
    BANDS, BacktestInputs, BacktestOptions, FittedMethod, Method, SUMMARY_HEADER, match_counties,
    read_vital_rates, run_backtest, summarize_errors,
};
use popalloc::demography::census::{CENSUS_GROUPS, read_census};
use popalloc::scenario::census::wpp_china_life_tables;

/// The census groups' first and last ages (`None`: open).
fn group_ages(g: usize) -> (usize, Option<usize>) {
    match g {
        0 => (0, Some(0)),
        1 => (1, Some(4)),
        18 => (85, None),
        _ => (5 * (g - 1), Some(5 * (g - 1) + 4)),
    }
}

/// A stationary population's census counts by sex and group: `births[sex]` a year times
/// the WPP China person-years, rounded to whole persons.
fn stationary_counts(births: [f64; 2]) -> [[f64; 19]; 2] {
    let tables = wpp_china_life_tables().unwrap();
    let mut counts = [[0.0; 19]; 2];
    for (s, table) in tables.iter().enumerate() {
        let l = table.person_years();
        for (g, count) in counts[s].iter_mut().enumerate() {
            let (from, to) = group_ages(g);
            let to = to.unwrap_or(l.len() - 1);
            *count = (births[s] * l[from..=to].iter().sum::<f64>()).round();
        }
    }
    counts
}

/// Writes age_sex_2010.csv, age_sex_2020.csv and vital_2010.csv into `dir`: three
/// stationary counties in each of the provinces 11 and 12 (the same in both years), one
/// unit renamed between the censuses and one new in 2020.
fn write_synthetic_census(dir: &Path) {
    let srb = popalloc::scenario::census::WPP_CHINA_SRB;
    let mut y2010 = String::from("code,name,level,sex,age,value\n");
    let mut y2020 = String::from("code,province,prefecture,name,level,sex,age,value\n");
    let mut vital = String::from("code,name,level,total,birth_rate_per_1000,death_rate_per_1000\n");
    let units = [
        ("110101", "东城区", "东城区", 9_000.0),
        ("110102", "西城区", "西城区", 12_000.0),
        ("110105", "朝阳区", "朝阳新区", 5_000.0),
        ("110106", "丰台区", "丰台区", 7_000.0),
        ("120101", "和平区", "和平区", 4_000.0),
        ("120102", "河东区", "河东区", 15_000.0),
        ("120103", "河西区", "河西区", 6_000.0),
        ("120199", "", "新区", 3_000.0),
    ];
    for (code, name2010, name2020, births) in units {
        let female = births / (1.0 + srb);
        let counts = stationary_counts([female, births - female]);
        for (s, sex) in ["female", "male"].iter().enumerate() {
            for (g, age) in CENSUS_GROUPS.iter().enumerate() {
                let v = counts[s][g];
                if !name2010.is_empty() {
                    writeln!(y2010, "{code},{name2010},county,{sex},{age},{v}").unwrap();
                }
                writeln!(y2020, "{code},省,市,{name2020},county,{sex},{age},{v}").unwrap();
            }
        }
        if name2010.is_empty() {
            continue;
        }
        let total: f64 = counts.iter().flatten().sum();
        // A stationary population has as many deaths as births.
        let deaths = births;
        writeln!(
            vital,
            "{code},{name2010},county,{total},{:.12},{:.12}",
            1000.0 * births / total,
            1000.0 * deaths / total
        )
        .unwrap();
    }
    std::fs::write(dir.join("age_sex_2010.csv"), y2010).unwrap();
    std::fs::write(dir.join("age_sex_2020.csv"), y2020).unwrap();
    std::fs::write(dir.join("vital_2010.csv"), vital).unwrap();
}

#[test]
fn a_stationary_population_without_migration_is_projected_with_almost_no_error() {
    let dir = tempfile::tempdir().unwrap();
    write_synthetic_census(dir.path());
    let run = run_backtest(dir.path(), &BacktestOptions { draws: 8, seed: 3 }).unwrap();
    assert_eq!(run.inputs.counties.len(), 6);
    let left: Vec<(&str, &str)> = run
        .left_out
        .iter()
        .map(|u| (u.code.as_str(), u.reason.as_str()))
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left[0].0 == "110105" && left[0].1.contains("朝阳新区"));
    assert!(left[1].0 == "120199" && left[1].1.contains("not in the 2010 table"));
    for method in Method::ALL {
        for sample in ["all", "calibration", "holdout"] {
            for band in BANDS {
                let row = run.summary_of(method, sample, band.name).unwrap();
                let e = &row.errors;
                assert_eq!(e.counties, 3 * (1 + usize::from(sample == "all")));
                assert!(
                    e.mape < 0.3 && e.p90_ape < 0.3 && e.malpe.abs() < 0.3,
                    "{} {sample} {}: {e:?}",
                    method.name(),
                    band.name
                );
            }
        }
    }
    // The same rates everywhere: no county differs from the nation, nothing to fit away.
    let local = &run.methods[1].fitted;
    assert!((local.fertility_level - 1.0).abs() < 0.015, "{local:?}");
    assert!(
        run.inputs.mortality.iter().all(|k| (k - 1.0).abs() < 1e-4),
        "{:?}",
        run.inputs.mortality
    );
    assert!(run.inputs.migration.iter().all(|r| r.abs() < 1e-4));
}

fn popalloc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_popalloc"))
}

#[test]
fn the_command_writes_the_four_files_with_the_exact_summary_header() {
    let dir = tempfile::tempdir().unwrap();
    write_synthetic_census(dir.path());
    let out = dir.path().join("out");
    let status = popalloc()
        .args(["backtest", "--census"])
        .arg(dir.path())
        .arg("--out")
        .arg(&out)
        .args(["--draws", "4", "--seed", "7", "-q"])
        .status()
        .unwrap();
    assert!(status.success());
    let summary = std::fs::read_to_string(out.join("backtest_summary.csv")).unwrap();
    assert_eq!(
        summary.lines().next(),
        Some("method,sample,band,counties,mape,median_ape,malpe,p90_ape,coverage_p10_p90")
    );
    assert_eq!(summary.lines().next(), Some(SUMMARY_HEADER));
    // 3 methods × 3 samples × 7 bands.
    assert_eq!(summary.lines().count(), 1 + 3 * 3 * 7);
    let rows = common::read_csv(&out.join("backtest.csv"));
    assert_eq!(rows.len(), 6 * 7 * 3);
    assert!(rows.iter().all(|r| r["error_pct"].parse::<f64>().is_ok()));
    let memo = std::fs::read_to_string(out.join("backtest.md")).unwrap();
    assert!(memo.contains("survival_only") && memo.contains("朝阳新区"));
    let svg = std::fs::read_to_string(out.join("backtest_errors.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("60+ local_migration"));
}

#[test]
fn a_missing_file_or_group_is_a_typed_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    write_synthetic_census(dir.path());
    std::fs::remove_file(dir.path().join("vital_2010.csv")).unwrap();
    match run_backtest(dir.path(), &BacktestOptions::default()) {
        Err(Error::Io { path, .. }) => assert!(path.ends_with("vital_2010.csv")),
        other => panic!("expected an I/O error naming vital_2010.csv, got {other:?}"),
    }
    let output = popalloc()
        .args(["backtest", "--census"])
        .arg(dir.path())
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("vital_2010.csv"));

    write_synthetic_census(dir.path());
    let path = dir.path().join("age_sex_2020.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let without: String = text
        .lines()
        .filter(|l| !l.starts_with("120102,省,市,河东区,county,male,60-64,"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&path, without).unwrap();
    match run_backtest(dir.path(), &BacktestOptions::default()) {
        Err(Error::MissingAge { area, age, .. }) => {
            assert_eq!((area.as_str(), age.as_str()), ("120102", "60-64"));
        }
        other => panic!("expected a missing group, got {other:?}"),
    }
    write_synthetic_census(dir.path());
    assert!(matches!(
        run_backtest(dir.path(), &BacktestOptions { draws: 0, seed: 1 }),
        Err(Error::InvalidParameter { .. })
    ));
}

#[test]
fn real_county_censuses_give_about_2480_counties_and_a_plausible_elderly_error() {
    let Some(dir) = common::shared_data("china-census-county") else {
        return;
    };
    let y2010 = read_census(dir.join("age_sex_2010.csv"), None).unwrap();
    let y2020 = read_census(dir.join("age_sex_2020.csv"), None).unwrap();
    let vital = read_vital_rates(dir.join("vital_2010.csv")).unwrap();
    let matched = match_counties(&y2010, &y2020, &vital);
    let n = matched.counties.len();
    // 2,481 county codes with the same name, plus the prefecture-level cities without
    // counties (东莞, 中山, 嘉峪关) that are areas of their own.
    assert!((2_470..=2_490).contains(&n), "{n} counties");
    assert!(matched.left_out.iter().all(|u| !u.reason.is_empty()));
    let inputs = BacktestInputs::new(matched.counties).unwrap();
    let fitted = FittedMethod::fit(Method::SurvivalOnly, &inputs).unwrap();
    let predicted = fitted.project(&inputs).unwrap();
    let elderly = BANDS.iter().position(|b| b.name == "60+").unwrap();
    let pick = |v: &[f64]| -> Vec<f64> { (0..n).map(|i| v[i * BANDS.len() + elderly]).collect() };
    let e = summarize_errors(&pick(&predicted), &pick(&inputs.observed), None);
    assert_eq!(e.counties, n);
    // An independent computation (each 2010 five-year group aged ten years with the WPP
    // China life table's L(x)) gives a MAPE of 11.4 % and a MALPE of +4.0 %.
    assert!((8.0..15.0).contains(&e.mape), "{e:?}");
    assert!((1.0..7.0).contains(&e.malpe), "{e:?}");
}

/// The shipped default spread of the migration-rate deviation is what the calibration gives
/// on the real censuses (calibration counties, `local_migration`, 50 draws per trial), and
/// with it the holdout counties' 2020 totals and 60+ fall within their P10–P90 for 70–90 %
/// of counties. Minutes in a debug build, so it runs in release builds only.
#[cfg(not(debug_assertions))]
#[test]
fn the_default_migration_spread_is_the_calibrated_one_and_holds_on_the_holdout() {
    use popalloc::backtest::{Sample, calibrate_migration_sigma, p10_p90_intervals};
    use popalloc::uncertainty::{CALIBRATED_MIGRATION_SIGMA, Uncertainty};
    let Some(dir) = common::shared_data("china-census-county") else {
        return;
    };
    let y2010 = read_census(dir.join("age_sex_2010.csv"), None).unwrap();
    let y2020 = read_census(dir.join("age_sex_2020.csv"), None).unwrap();
    let vital = read_vital_rates(dir.join("vital_2010.csv")).unwrap();
    let inputs = BacktestInputs::new(match_counties(&y2010, &y2020, &vital).counties).unwrap();
    let fitted = FittedMethod::fit(Method::LocalMigration, &inputs).unwrap();
    let search = Uncertainty {
        draws: 50,
        ..Uncertainty::default()
    };
    let calibration = calibrate_migration_sigma(&fitted, &inputs, &search).unwrap();
    assert!(
        (calibration.migration_sigma - CALIBRATED_MIGRATION_SIGMA).abs() < 5e-4,
        "{calibration:?}"
    );
    let intervals = p10_p90_intervals(
        &fitted,
        &inputs,
        &Uncertainty {
            draws: 100,
            ..Uncertainty::default()
        },
    )
    .unwrap();
    let predicted = fitted.project(&inputs).unwrap();
    for band in ["total", "60+"] {
        let b = BANDS.iter().position(|x| x.name == band).unwrap();
        let holdout: Vec<usize> = (0..inputs.counties.len())
            .filter(|&i| inputs.counties[i].sample == Sample::Holdout)
            .map(|i| i * BANDS.len() + b)
            .collect();
        let pick = |v: &[f64]| -> Vec<f64> { holdout.iter().map(|&c| v[c]).collect() };
        let chosen: Vec<[f64; 2]> = holdout.iter().map(|&c| intervals[c]).collect();
        let e = summarize_errors(&pick(&predicted), &pick(&inputs.observed), Some(&chosen));
        let coverage = e.coverage_p10_p90.unwrap();
        assert!((0.7..=0.9).contains(&coverage), "{band}: {coverage}");
    }
}
