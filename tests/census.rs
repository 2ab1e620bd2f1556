//! County census tables as an input: the 2020 table of Yuzhong (500103) read and graduated,
//! and `popalloc init --census` writing a scenario that validates and runs. Read from
//! `../shared/data/china-census-county`; skipped, saying so, where it is absent.

mod common;

use std::path::PathBuf;
use std::process::Command;

use popalloc::demography::census::{CENSUS_GROUPS, census_population, read_census};
use popalloc::scenario::census::wpp_china_life_tables;
use popalloc::{OMEGA, Scenario, Sex};

fn popalloc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_popalloc"))
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("popalloc-census-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn table_2020() -> Option<PathBuf> {
    common::shared_data("china-census-county").map(|d| d.join("age_sex_2020.csv"))
}

#[test]
fn yuzhong_2020_table_is_read_and_graduated_to_the_person() {
    let Some(path) = table_2020() else {
        return;
    };
    let selection = read_census(&path, Some("500103")).unwrap();
    assert_eq!(selection.units.len(), 1);
    let unit = &selection.units[0];
    assert_eq!(
        (unit.code.as_str(), unit.name.as_str()),
        ("500103", "渝中区")
    );
    let sex_total = |sex: Sex| unit.counts[sex.index()].iter().sum::<f64>();
    assert_eq!(unit.total(), 588_717.0);
    assert_eq!(sex_total(Sex::Male), 291_235.0);
    assert_eq!(sex_total(Sex::Female), 297_482.0);
    let group = |label: &str| {
        let g = CENSUS_GROUPS.iter().position(|l| *l == label).unwrap();
        unit.counts[0][g] + unit.counts[1][g]
    };
    assert_eq!(group("0"), 3_262.0);
    assert_eq!(group("85+"), 10_234.0);

    let tables = wpp_china_life_tables().unwrap();
    let l = [
        tables[0].person_years().to_vec(),
        tables[1].person_years().to_vec(),
    ];
    let pop = census_population(&selection.units, &["c500103".to_string()], &l).unwrap();
    let ages = |from: usize, to: usize| -> f64 {
        Sex::ALL
            .iter()
            .map(|&s| pop.series(0, s)[from..=to].iter().sum::<f64>())
            .sum()
    };
    assert!((pop.total() - 588_717.0).abs() < 1e-6, "{}", pop.total());
    assert!((pop.series(0, Sex::Male).iter().sum::<f64>() - 291_235.0).abs() < 1e-6);
    assert!((pop.series(0, Sex::Female).iter().sum::<f64>() - 297_482.0).abs() < 1e-6);
    assert_eq!(ages(0, 0), 3_262.0);
    assert!((ages(85, OMEGA) - 10_234.0).abs() < 1e-9);
    assert!(
        (ages(60, OMEGA) - 116_320.0).abs() < 1e-6,
        "{}",
        ages(60, OMEGA)
    );
    // Every group of every sex to 1e-9, and the 85+ split falling over 85..99.
    for sex in Sex::ALL {
        let series = pop.series(0, sex);
        for (g, label) in CENSUS_GROUPS.iter().enumerate() {
            let group = popalloc::AgeGroup::parse(label).unwrap();
            let sum: f64 = series[group.from..=group.to.unwrap_or(OMEGA)].iter().sum();
            let want = unit.counts[sex.index()][g];
            assert!((sum - want).abs() <= 1e-9, "{sex} {label}: {sum} vs {want}");
        }
        assert!(series[85..OMEGA].windows(2).all(|w| w[1] < w[0]));
    }
}

/// The table's own total of the county-level units under `prefix`, summed here from the
/// rows.
fn county_total(path: &std::path::Path, prefix: &str) -> f64 {
    common::read_csv(path)
        .iter()
        .filter(|r| r["level"] == "county" && r["code"].starts_with(prefix))
        .map(|r| r["value"].parse::<f64>().unwrap())
        .sum()
}

#[test]
fn init_census_writes_chongqing_districts_that_validate_and_run() {
    let Some(path) = table_2020() else {
        return;
    };
    let dir = temp("cq");
    common::run_ok(
        popalloc()
            .args(["init"])
            .arg(&dir)
            .arg("--census")
            .arg(&path)
            .args(["--code", "5001"]),
    );
    for file in [
        "scenario.toml",
        "areas.csv",
        "base_population.csv",
        "SOURCES.md",
    ] {
        assert!(dir.join(file).is_file(), "{file}");
    }
    let sources = std::fs::read_to_string(dir.join("SOURCES.md")).unwrap();
    assert!(sources.contains("中国人口普查分县资料-2020") && sources.contains("age_sex_2020.csv"));

    let scenario = Scenario::load(&dir).unwrap();
    assert_eq!(scenario.base_year(), 2020);
    assert_eq!(scenario.areas.len(), 26);
    assert!(scenario.services.is_empty());
    let yuzhong = scenario
        .areas
        .iter()
        .position(|a| a.id == "c500103")
        .unwrap();
    assert_eq!(scenario.areas[yuzhong].name_zh, "渝中区");
    assert!((scenario.base.area_total(yuzhong) - 588_717.0).abs() < 1e-6);
    assert_eq!(scenario.horizon(), 2035);
    // Every unit under 5001 is in the group of its prefecture (重庆市辖区).
    assert!(
        scenario
            .areas
            .iter()
            .all(|a| a.group.as_deref() == Some("p5001")),
        "{:?}",
        scenario.areas.iter().map(|a| &a.group).collect::<Vec<_>>()
    );
    let want = county_total(&path, "5001");
    assert!(
        (scenario.base.total() - want).abs() < 1e-6 * want,
        "{} vs {want}",
        scenario.base.total()
    );

    let validate = popalloc().arg("validate").arg(&dir).output().unwrap();
    assert!(
        validate.status.success(),
        "{}",
        String::from_utf8_lossy(&validate.stderr)
    );
    let run = popalloc().arg("run").arg(&dir).output().unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(text.contains("渝中区") && text.contains("2035"), "{text}");

    // Never over a folder that holds a scenario.
    let again = popalloc()
        .arg("init")
        .arg(&dir)
        .arg("--census")
        .arg(&path)
        .args(["--code", "500103"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn init_census_refuses_a_bad_prefix_and_a_code_without_a_table() {
    let dir = temp("bad");
    let out = popalloc()
        .arg("init")
        .arg(&dir)
        .args(["--code", "5001"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "--code needs --census");
    assert!(!dir.exists());
    let Some(path) = table_2020() else {
        return;
    };
    for prefix in ["50x", "9999"] {
        let out = popalloc()
            .arg("init")
            .arg(&dir)
            .arg("--census")
            .arg(&path)
            .args(["--code", prefix])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{prefix}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(prefix), "{err}");
        assert!(!dir.exists(), "nothing written for {prefix}");
    }
}

#[test]
fn init_census_reads_the_2010_table_too() {
    let Some(dir) = common::shared_data("china-census-county") else {
        return;
    };
    let out_dir = temp("yz2010");
    let init = popalloc::scenario::census::write_census_scenario(
        &out_dir,
        dir.join("age_sex_2010.csv"),
        Some("500103"),
    )
    .unwrap();
    assert_eq!(init.year, 2010);
    let scenario = Scenario::load(&out_dir).unwrap();
    assert_eq!(scenario.base_year(), 2010);
    assert!((scenario.base.total() - 630_090.0).abs() < 1e-6);
    let _ = std::fs::remove_dir_all(&out_dir);
}
