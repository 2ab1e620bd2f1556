//! A scenario without services (tests/fixtures/projection_only: the tiny district with its
//! services, stock, costs, caps and targets taken out) projects, and every command that
//! plans says plainly that there is nothing to plan instead of failing.

use std::path::PathBuf;
use std::process::{Command, Output};

use popalloc::{Allocation, AllocationOptions, Need, Scenario, allocate};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/projection_only")
}

fn popalloc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_popalloc"))
        .args(args)
        .arg(fixture())
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn allocate_returns_an_empty_plan_for_a_scenario_without_services() {
    let scenario = Scenario::load(fixture()).unwrap();
    assert!(scenario.services.is_empty());
    assert!(popalloc::report::nothing_to_plan(&scenario));
    let projection = scenario.project(scenario.horizon()).unwrap();
    let need = Need::from_projection(&scenario, &projection).unwrap();
    let plan = match allocate(&scenario, &need, &AllocationOptions::default()).unwrap() {
        Allocation::Plan(plan) => plan,
        Allocation::Conflict(c) => panic!("conflict: {}", c.message),
    };
    assert!(plan.rows.is_empty() && plan.targets.is_empty());
    assert_eq!(plan.years, vec![2021, 2022, 2023]);
    assert_eq!(plan.total_cost, 0.0);
    assert_eq!(plan.shortfall, 0.0);
    // The LP export has nothing to plan either, and does not fail.
    let text = popalloc::allocate::export_lp(&scenario, &need, &AllocationOptions::default());
    assert!(text.is_ok(), "{text:?}");
}

#[test]
fn run_projects_and_says_there_is_nothing_to_plan() {
    let text = stdout(&popalloc(&["run"]));
    assert!(text.contains("By street, 2020 → 2023"), "{text}");
    assert!(text.contains("aging_2023"), "{text}");
    assert!(text.contains(popalloc::report::NOTHING_TO_PLAN), "{text}");
}

#[test]
fn allocate_says_there_is_nothing_to_plan_and_exits_0() {
    let text = stdout(&popalloc(&["allocate"]));
    assert_eq!(text.trim(), popalloc::report::NOTHING_TO_PLAN);
    // As JSON: the (empty) plan on standard output, the statement on standard error.
    let out = popalloc(&["--json", "allocate"]);
    let plan: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(plan["rows"].as_array().map(Vec::len), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Nothing to plan"));
}

#[test]
fn run_json_and_outputs_say_there_is_nothing_to_plan() {
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&popalloc(&["--json", "run"]))).unwrap();
    assert_eq!(json["nothing_to_plan"], serde_json::Value::Bool(true));
    assert!(json["allocation"]["Plan"].is_object(), "{json}");

    let dir = std::env::temp_dir().join(format!("popalloc-nothing-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let dir_text = dir.to_string_lossy().into_owned();
    stdout(&popalloc(&["--quiet", "run", "--out", &dir_text]));
    for file in ["projection.csv", "bands.csv", "components.csv", "plan.json"] {
        assert!(dir.join(file).is_file(), "{file} missing");
    }
    assert!(
        !dir.join("additions.svg").exists(),
        "no additions chart without services"
    );
    let memo = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(memo.contains(popalloc::report::NOTHING_TO_PLAN), "{memo}");
    assert!(!memo.contains("## Every target against the plan"), "{memo}");
    std::fs::remove_dir_all(&dir).unwrap();
}
