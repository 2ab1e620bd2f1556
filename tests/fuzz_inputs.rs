//! Fuzzing the scenario loader and the tidy-CSV reader: mutated copies of the tiny
//! fixture's files (a field replaced by a hostile value, a line dropped or repeated, the
//! file cut short, a byte changed) must give a scenario or a typed error — never a panic —
//! and a scenario that loads must project, turn into need and plan (or report a conflict
//! or a typed error) without a panic.
//!
//! CI runs a few dozen cases; a longer campaign is
//! `PROPTEST_CASES=20000 cargo test --release --test fuzz_inputs`. Any failing case
//! proptest finds is kept in `tests/fuzz_inputs.proptest-regressions` and replayed first
//! on every run.

mod common;

use std::path::Path;

use popalloc::{AllocationOptions, Need, Scenario, TidyTable, ValueRule, allocate};
use proptest::prelude::*;

/// Values that broke or could break a reader: empty, signs, non-numbers, extremes,
/// separators, quotes, other scripts, very long text.
const HOSTILE: &[&str] = &[
    "",
    "-1",
    "-0",
    "0",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e308",
    "-1e308",
    "1e-320",
    "99999999999999999999999",
    "18446744073709551616",
    "-9223372036854775809",
    "2147483648",
    "0.5",
    "1e10",
    "abc",
    "北街",
    "\"",
    ",",
    "5-3",
    "100+",
    "0x10",
    "true",
    "[]",
    "{}",
    "../../x",
    "district",
];

/// Settings a case may add to scenario.toml.
const KEYS: &[&str] = &[
    "min_addition",
    "radius_minutes",
    "need_rate",
    "max_added",
    "horizon",
    "base_year",
    "value",
    "sex_ratio_at_birth",
    "mean_age",
    "sd",
    "female_share",
    "walking_speed_kmh",
    "detour_factor",
    "total",
    "per_year",
];

/// Values a case may give an added setting: the extremes that matter for numbers.
const SETTING_VALUES: &[&str] = &["-1", "0", "nan", "inf", "-inf", "1e308", "1e10", "abc"];

/// The fixture files a case may mutate.
const FILES: &[&str] = &[
    "scenario.toml",
    "areas.csv",
    "base_population.csv",
    "caps.csv",
    "conversions.csv",
    "costs.csv",
    "mx.csv",
    "stock.csv",
    "tfr.csv",
];

/// One change to one file.
#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the `field`-th field (CSV cell, or TOML value after `=`) of line `line`.
    Field {
        line: usize,
        field: usize,
        value: String,
    },
    /// Insert `key = value` after line `line` (TOML; a setting the file may lack, such as
    /// a service's `min_addition`).
    Setting {
        line: usize,
        key: &'static str,
        value: String,
    },
    /// Drop line `line`.
    DropLine(usize),
    /// Repeat line `line`.
    RepeatLine(usize),
    /// Keep only the first `share` of the bytes.
    Truncate(f64),
    /// Set the byte at `share` of the length to `byte`.
    Byte { share: f64, byte: u8 },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let long = "9".repeat(400);
    let values: Vec<String> = HOSTILE
        .iter()
        .map(|s| (*s).to_string())
        .chain([long])
        .collect();
    prop_oneof![
        4 => (0..400usize, 0..10usize, proptest::sample::select(values.clone()))
            .prop_map(|(line, field, value)| Mutation::Field { line, field, value }),
        3 => (0..400usize, proptest::sample::select(KEYS), proptest::sample::select(SETTING_VALUES))
            .prop_map(|(line, key, value)| Mutation::Setting { line, key, value: value.to_string() }),
        1 => (0..400usize).prop_map(Mutation::DropLine),
        1 => (0..400usize).prop_map(Mutation::RepeatLine),
        1 => (0.0..1.0f64).prop_map(Mutation::Truncate),
        1 => (0.0..1.0f64, any::<u8>()).prop_map(|(share, byte)| Mutation::Byte { share, byte }),
    ]
}

fn apply(text: &str, toml: bool, m: &Mutation) -> Vec<u8> {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let n = lines.len();
    let by_line = !matches!(m, Mutation::Truncate(_) | Mutation::Byte { .. });
    if n == 0 && by_line {
        return text.as_bytes().to_vec();
    }
    match m {
        Mutation::Field { line, field, value } => {
            let line = &mut lines[line % n];
            if toml {
                if let Some((key, _)) = line.split_once('=') {
                    *line = format!("{key}= {value}");
                }
            } else {
                let mut cells: Vec<String> = line.split(',').map(String::from).collect();
                let k = field % cells.len();
                cells[k] = value.clone();
                *line = cells.join(",");
            }
        }
        Mutation::Setting { line, key, value } => {
            // Text values are quoted, so that TOML reads them as strings.
            let value = if value.parse::<f64>().is_ok() {
                value.clone()
            } else {
                format!("{value:?}")
            };
            // After a table's header or id, so that the setting lands in a service, a
            // target or a section rather than anywhere.
            let anchors: Vec<usize> = (0..n)
                .filter(|&k| lines[k].starts_with('[') || lines[k].starts_with("id ="))
                .collect();
            let at = if anchors.is_empty() {
                line % n
            } else {
                anchors[line % anchors.len()]
            };
            lines.insert(at + 1, format!("{key} = {value}"));
        }
        Mutation::DropLine(line) => {
            lines.remove(line % n);
        }
        Mutation::RepeatLine(line) => {
            let copy = lines[line % n].clone();
            lines.insert(line % n, copy);
        }
        Mutation::Truncate(share) => {
            let bytes = text.as_bytes();
            return bytes[..(bytes.len() as f64 * share) as usize].to_vec();
        }
        Mutation::Byte { share, byte } => {
            let mut bytes = text.as_bytes().to_vec();
            let k = ((bytes.len() as f64 * share) as usize).min(bytes.len().saturating_sub(1));
            if let Some(b) = bytes.get_mut(k) {
                *b = *byte;
            }
            return bytes;
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out.into_bytes()
}

/// Loads, projects, turns into need and plans, with a short solver time limit; any
/// result but a panic is fine.
fn run_everything(dir: &Path) {
    let Ok(scenario) = Scenario::load(dir) else {
        return;
    };
    let Ok(projection) = scenario.project(scenario.horizon()) else {
        return;
    };
    let Ok(need) = Need::from_projection(&scenario, &projection) else {
        return;
    };
    let options = AllocationOptions {
        time_limit_seconds: 2.0,
        ..AllocationOptions::default()
    };
    let _ = allocate(&scenario, &need, &options);
}

fn config() -> ProptestConfig {
    // PROPTEST_CASES, when set, decides the number of cases (a long campaign).
    if std::env::var_os("PROPTEST_CASES").is_some() {
        ProptestConfig::default()
    } else {
        ProptestConfig::with_cases(48)
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_mutated_scenario_never_panics(
        file in prop_oneof![1 => Just(FILES[0]), 1 => proptest::sample::select(&FILES[1..])],
        first in mutation(),
        second in proptest::option::of(mutation()),
    ) {
        static CASE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let case = CASE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = common::copy_fixture("tiny", &format!("fuzz-{case}"));
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let toml = file.ends_with(".toml");
        let mut bytes = apply(&text, toml, &first);
        if let Some(m) = &second {
            bytes = apply(&String::from_utf8_lossy(&bytes), toml, m);
        }
        std::fs::write(&path, &bytes).unwrap();
        run_everything(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_tidy_reader_never_panics(m in mutation(), rule in proptest::sample::select(vec![
        ValueRule::NonNegative, ValueRule::Finite,
    ])) {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny/base_population.csv"),
        )
        .unwrap();
        let bytes = apply(&text, false, &m);
        let _ = TidyTable::from_reader(bytes.as_slice(), "fuzz.csv", rule);
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_tidy_reader(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = TidyTable::from_reader(bytes.as_slice(), "bytes.csv", ValueRule::NonNegative);
    }
}
