//! Input the command line used to accept silently, or to die on: a CSV column named twice,
//! a JSON value of the wrong type, a negative seed, an age group too wide to hold. Each is
//! now an error naming the file and the field (or the option), with exit code 1, and
//! never an abort.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

fn popalloc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_popalloc"))
}

fn validate(dir: &Path) -> (Option<i32>, String) {
    let out: Output = popalloc().arg("validate").arg(dir).output().unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

/// The tiny fixture with `file`'s header line replaced.
fn with_header(label: &str, file: &str, header: &str) -> PathBuf {
    let dir = common::copy_fixture("tiny", &format!("input-{label}"));
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let (_, rest) = text.split_once('\n').unwrap();
    std::fs::write(&path, format!("{header}\n{rest}")).unwrap();
    dir
}

#[test]
fn a_tidy_csv_column_named_twice_is_an_error_naming_file_and_column() {
    // Before: the first `value` was read and the second ignored.
    let dir = common::copy_fixture("tiny", "input-dup-tidy");
    let path = dir.join("base_population.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("area,sex,age,value"));
    let mut doubled = String::from("area,sex,age,value,value\n");
    for line in lines {
        doubled.push_str(&format!("{line},0\n"));
    }
    std::fs::write(&path, doubled).unwrap();
    let (code, stderr) = validate(&dir);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("base_population.csv"), "{stderr}");
    assert!(
        stderr.contains("duplicate column \"value\"") && stderr.contains("columns 4 and 5"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_scenario_csv_column_named_twice_is_an_error_naming_file_and_column() {
    // stock.csv is read by the scenario's own CSV reader, not the tidy one.
    let dir = with_header("dup-rows", "stock.csv", "area,service,variant,value,area");
    let (code, stderr) = validate(&dir);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("stock.csv"), "{stderr}");
    assert!(
        stderr.contains("duplicate column \"area\"") && stderr.contains("columns 1 and 5"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The tiny fixture as scenario.json, with `edit` applied to the JSON value.
fn json_fixture(label: &str, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    let dir = common::copy_fixture("tiny", &format!("input-{label}"));
    let toml_text = std::fs::read_to_string(dir.join("scenario.toml")).unwrap();
    let table: toml::Table = toml::from_str(&toml_text).unwrap();
    let mut json = serde_json::to_value(table).unwrap();
    edit(&mut json);
    std::fs::remove_file(dir.join("scenario.toml")).unwrap();
    std::fs::write(
        dir.join("scenario.json"),
        serde_json::to_string_pretty(&json).unwrap(),
    )
    .unwrap();
    dir
}

#[test]
fn a_json_value_of_the_wrong_type_is_named_by_its_field() {
    let dir = json_fixture("json-ok", |_| {});
    let (code, stderr) = validate(&dir);
    assert_eq!(
        code,
        Some(0),
        "the converted fixture itself is valid: {stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();

    // Before: "invalid type: string \"2023\", expected i32 at line 48 column 19", no field.
    for (label, field, edit) in [
        (
            "json-horizon",
            "horizon",
            Box::new(|j: &mut serde_json::Value| j["horizon"] = "2023".into())
                as Box<dyn FnOnce(&mut serde_json::Value)>,
        ),
        (
            "json-need",
            "services[1].need_rate",
            Box::new(|j: &mut serde_json::Value| j["services"][1]["need_rate"] = "one".into()),
        ),
    ] {
        let dir = json_fixture(label, edit);
        let (code, stderr) = validate(&dir);
        assert_eq!(code, Some(1), "{stderr}");
        assert!(
            stderr.contains(&format!("scenario.json, {field}: invalid type")),
            "{label}: {stderr}"
        );
        assert!(stderr.contains("line"), "{label}: {stderr}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn broken_json_is_still_reported_by_line_and_column() {
    let dir = json_fixture("json-syntax", |_| {});
    let path = dir.join("scenario.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, &text[..text.len() / 2]).unwrap();
    let (code, stderr) = validate(&dir);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("scenario.json: EOF while parsing") && stderr.contains("line"),
        "{stderr}"
    );
    std::fs::write(&path, format!("{text} x")).unwrap();
    let (code, stderr) = validate(&dir);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("scenario.json: trailing characters"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_negative_seed_is_refused_saying_what_a_seed_is() {
    // Before: "unexpected argument '-5' found" (and "invalid digit found in string" for
    // --seed=-5), which does not say what a seed may be.
    for args in [
        ["montecarlo", "--seed", "-5"],
        ["montecarlo", "--seed=-5", "--draws=1"],
        ["montecarlo", "--seed", "18446744073709551616"],
        ["montecarlo", "--seed", "1.5"],
    ] {
        let out = popalloc().args(args).output().unwrap();
        // Exit 1, as for any command line that cannot be read (2 means conflicting targets).
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.contains("the seed is a whole number from 0 to 2^64 - 1 (18446744073709551615)"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn an_age_group_too_wide_to_hold_is_a_typed_error_not_an_abort() {
    // Before: 2 × 10^12 single ages were allocated for each street (16 TB) and the process
    // aborted on SIGABRT; an age group ending at 2^64 − 1 panicked on an overflow.
    let max = u64::MAX;
    for (label, young, old) in [
        (
            "wide",
            "0-999999999999".to_string(),
            "1000000000000+".to_string(),
        ),
        ("overflow", format!("0-{max}"), format!("{max}+")),
        ("omega-max", format!("0-{}", max - 1), format!("{max}+")),
    ] {
        let dir = common::copy_fixture("tiny", &format!("input-age-{label}"));
        let mut text = String::from("area,sex,age,value\n");
        for area in ["north", "centre", "south"] {
            for sex in ["female", "male"] {
                text.push_str(&format!(
                    "{area},{sex},{young},1000\n{area},{sex},{old},10\n"
                ));
            }
        }
        std::fs::write(dir.join("base_population.csv"), text).unwrap();
        let (code, stderr) = validate(&dir);
        assert_eq!(code, Some(1), "{label}: {stderr}");
        assert!(
            stderr.contains("base_population.csv") && stderr.contains("age groups"),
            "{label}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{label}: {stderr}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// The tiny fixture with its groups from `open` on merged into one open group `open+`.
fn with_open_group(label: &str, open: usize) -> PathBuf {
    let dir = common::copy_fixture("tiny", &format!("input-open-{label}"));
    let path = dir.join("base_population.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    let mut merged: Vec<((String, String), f64)> = Vec::new();
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        let from: usize = fields[2].split(['-', '+']).next().unwrap().parse().unwrap();
        if from < open {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let key = (fields[0].to_string(), fields[1].to_string());
        let value: f64 = fields[3].parse().unwrap();
        match merged.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => *v += value,
            None => merged.push((key, value)),
        }
    }
    for ((area, sex), value) in &merged {
        out.push_str(&format!("{area},{sex},{open}+,{value}\n"));
    }
    std::fs::write(&path, out).unwrap();
    dir
}

/// A census table's open group (85+) is split over 85..=100 by the base year's life table:
/// every area's and sex's count is kept, the split follows L(x) and falls with age.
#[test]
fn an_open_group_below_100_is_split_by_the_life_table() {
    let full = popalloc::Scenario::load(common::copy_fixture("tiny", "input-open-full")).unwrap();
    let dir = with_open_group("85", 85);
    let scenario = popalloc::Scenario::load(&dir).unwrap();
    assert_eq!(scenario.base.open_age(), popalloc::OMEGA);
    let tables = scenario.mortality.life_tables(2020, 0.0).unwrap();
    for a in 0..scenario.base.area_count() {
        for sex in popalloc::Sex::ALL {
            let split = &scenario.base.series(a, sex)[85..];
            let old = &full.base.series(a, sex)[85..];
            let total: f64 = old.iter().sum();
            assert!((split.iter().sum::<f64>() - total).abs() < 1e-9);
            // Sprague's multipliers of the last closed groups read their neighbours, so
            // the single ages of 75-84 move; each group's count does not.
            let (new_series, old_series) = (scenario.base.series(a, sex), full.base.series(a, sex));
            assert_eq!(new_series[..75], old_series[..75]);
            for from in [75, 80] {
                let sum = |s: &[f64]| s[from..from + 5].iter().sum::<f64>();
                assert!((sum(new_series) - sum(old_series)).abs() < 1e-9);
            }
            let l = &tables[sex.index()].person_years()[85..];
            let l_sum: f64 = l.iter().sum();
            for (x, (&value, &lx)) in split.iter().zip(l).enumerate() {
                assert!((value - total * lx / l_sum).abs() < 1e-9, "age {}", 85 + x);
            }
            // Single ages 85..=99 fall; 100+ is an open interval (T(100)).
            assert!(split[..15].windows(2).all(|w| w[1] < w[0]), "{split:?}");
        }
    }
}

/// An open group below 65 is refused: the stationary split is no method for working ages.
#[test]
fn an_open_group_below_65_is_refused_naming_the_file() {
    let dir = with_open_group("60", 60);
    let (code, stderr) = validate(&dir);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("base_population.csv"), "{stderr}");
    assert!(stderr.contains("60+"), "{stderr}");
}
