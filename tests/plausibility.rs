//! Values a scenario accepts but no population has shown (a TFR of 85 meant as 0.85):
//! `validate` warns and exits 0, the memo lists them, and a plausible scenario has none.

use std::path::PathBuf;
use std::process::Command;

mod common;

fn popalloc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_popalloc"))
}

/// The tiny fixture with `file`'s text edited by `edit`.
fn edited(label: &str, file: &str, edit: impl Fn(&str) -> String) -> PathBuf {
    let dir = common::copy_fixture("tiny", &format!("plausible-{label}"));
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, edit(&text)).unwrap();
    dir
}

#[test]
fn a_tfr_of_12_is_valid_but_warned_of_by_validate_and_the_memo() {
    // A TFR of 12 (meant as 1.2): within the loader's 0–20, beyond any population's.
    let dir = edited("tfr", "tfr.csv", |t| t.replace("2020,1.0", "2020,12"));
    let out = popalloc().arg("validate").arg(&dir).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("warning: fertility: the TFR in 2020 is 12"),
        "{stderr}"
    );
    assert!(stderr.contains("0 to 8 children per woman"), "{stderr}");
    let json = popalloc()
        .args(["validate", "--json"])
        .arg(&dir)
        .output()
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        value["warnings"].as_array().map(Vec::len),
        Some(1),
        "{value}"
    );

    let scenario = popalloc::Scenario::load(&dir).unwrap();
    let projection = scenario.project(scenario.horizon()).unwrap();
    let need = popalloc::Need::from_projection(&scenario, &projection).unwrap();
    let plan = popalloc::allocate(&scenario, &need, &Default::default()).unwrap();
    let memo = popalloc::report::memo::memo(&scenario, &projection, &need, &plan, "", &[]);
    assert!(
        memo.contains("- fertility: the TFR in 2020 is 12: outside 0 to 8 children per woman"),
        "{memo}"
    );
}

#[test]
fn each_rule_warns_on_its_own_value() {
    let srb = edited("srb", "scenario.toml", |t| {
        t.replace("sex_ratio_at_birth = 1.06", "sex_ratio_at_birth = 1.6")
    });
    let warnings = popalloc::Scenario::load(&srb)
        .unwrap()
        .plausibility_warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].value, 1.6);

    // North has 50 net emigrants a year: move it to a fifth of its residents.
    let base = popalloc::Scenario::load(common::copy_fixture("tiny", "plausible-base")).unwrap();
    assert!(base.plausibility_warnings().is_empty());
    let north = base.base.area_total(0);
    let many = (0.2 * north).round();
    let migration = edited("migration", "areas.csv", |t| {
        t.replace("1.0,1.0,-50", &format!("1.0,1.0,-{many}"))
    });
    let warnings = popalloc::Scenario::load(&migration)
        .unwrap()
        .plausibility_warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].value, -many);
    assert!(warnings[0].setting.contains("north"), "{warnings:?}");

    // e0 from death rates: a death rate of 0.08 at every age gives an e0 near 12.5.
    let deadly = edited("e0", "mx.csv", |t| {
        let mut out = String::new();
        for (i, line) in t.lines().enumerate() {
            let mut fields: Vec<String> = line.split(',').map(String::from).collect();
            if i > 0 {
                let last = fields.len() - 1;
                fields[last] = "0.08".into();
            }
            out.push_str(&fields.join(","));
            out.push('\n');
        }
        out
    });
    let warnings = popalloc::Scenario::load(&deadly)
        .unwrap()
        .plausibility_warnings();
    assert!(
        warnings
            .iter()
            .any(|w| w.setting.contains("e0") && w.value < 20.0),
        "{warnings:?}"
    );
}
