//! Helpers shared by the integration tests: where the shared reference data lives.

#![allow(dead_code)]

pub mod lp;
pub mod synthetic;

use std::path::PathBuf;

/// The folder `../shared/data/<name>` beside the repository, or `None` (with the reason
/// printed) when it is absent, so that conformance tests skip instead of failing.
pub fn shared_data(name: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(name);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: reference data {} is absent; this conformance test needs the shared data folder beside the repository",
            dir.display()
        );
        None
    }
}

/// Reads a CSV with a header into rows of named fields.
pub fn read_csv(path: &std::path::Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .map(String::from)
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// A fresh copy of `tests/fixtures/<fixture>` in a temporary directory named after the
/// process and `label`, for tests that edit a scenario.
pub fn copy_fixture(fixture: &str, label: &str) -> PathBuf {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(fixture);
    let dir = std::env::temp_dir().join(format!("popalloc-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(&src).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    dir
}

/// Runs `command`, fails the test with its standard error unless it succeeds, and returns
/// its output.
pub fn run_ok(command: &mut std::process::Command) -> std::process::Output {
    let out = command.output().expect("the command starts");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// An `mx.csv` of Gompertz death rates, 0.0005 × e^(0.08 × age), for both sexes and ages
/// 0–100: the mortality of the small hand-made scenarios.
#[allow(dead_code)] // Not every test file that includes `common` writes a scenario.
pub fn gompertz_mx_csv() -> String {
    let mut mx = String::from("sex,age,value\n");
    for sex in ["female", "male"] {
        for age in 0..=100 {
            mx.push_str(&format!(
                "{sex},{age},{}\n",
                0.0005 * (0.08 * age as f64).exp()
            ));
        }
    }
    mx
}

/// `scenario` without its phasing: amounts continuous, no project costs, no build-rate
/// limits, no discounting. Tests of one allocation feature start from the default scenario
/// unphased and add that feature alone.
pub fn unphased(scenario: popalloc::Scenario) -> popalloc::Scenario {
    let mut plain = scenario.continuous();
    plain.plan_settings = popalloc::scenario::PlanSettings::default();
    for service in &mut plain.services {
        service.max_added_per_year = None;
        service.max_added_per_area_year = None;
    }
    plain
}
