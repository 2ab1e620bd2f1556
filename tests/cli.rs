//! The command line end to end: run, validate and init, with their exit codes.

use std::path::PathBuf;

mod common;
use std::process::Command;

fn popalloc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_popalloc"))
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("popalloc-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn run_without_arguments_projects_yuzhong() {
    let out = popalloc().arg("run").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("588717"), "{text}");
    assert!(text.contains("2025"));
    assert!(text.contains("解放碑"));
    assert!(text.contains("aging_rate_2025"));
}

#[test]
fn init_validate_and_run_a_written_scenario() {
    let dir = temp("init");
    let out = popalloc().arg("init").arg(&dir).output().unwrap();
    assert!(out.status.success());
    assert!(dir.join("scenario.toml").is_file() && dir.join("base_population.csv").is_file());
    let out = popalloc().arg("validate").arg(&dir).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = popalloc().arg("run").arg(&dir).output().unwrap();
    assert!(out.status.success());
    // A second init does not overwrite.
    let out = popalloc().arg("init").arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn validate_reports_every_problem_and_exits_1() {
    let dir = common::copy_fixture("tiny", "cli-bad");
    let stock = dir.join("stock.csv");
    let text = std::fs::read_to_string(&stock).unwrap();
    std::fs::write(
        &stock,
        text.replace(
            "north,elder_beds,nursing,40",
            "north,elder_beds,nursing,-40",
        ) + "west,primary,public,1\n",
    )
    .unwrap();
    let before: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let out = popalloc().arg("validate").arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("2 problem(s)"), "{stderr}");
    assert!(
        stderr.contains("stock.csv") && stderr.contains("-40") && stderr.contains("west"),
        "{stderr}"
    );
    let after: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(before.len(), after.len(), "validate wrote a file");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn help_shows_an_example_for_each_command() {
    for command in ["run", "validate", "init", "montecarlo", "sensitivity"] {
        let out = popalloc().args([command, "--help"]).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("Example: popalloc"), "{command}: {text}");
    }
}

#[test]
fn allocate_prints_every_target_and_sweep_and_export_work() {
    let out = popalloc().arg("allocate").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for id in [
        "nursing_share_2025",
        "government_share_2025",
        "primary_retention_2025",
        "inclusive_childcare_streets_2025",
    ] {
        assert!(text.contains(id), "{id} missing from {text}");
    }
    let out = common::run_ok(popalloc().args([
        "sweep",
        "--target",
        "nursing_share_2025",
        "--from",
        "0.6",
        "--to",
        "0.7",
        "--steps",
        "2",
    ]));
    assert_eq!(
        String::from_utf8(out.stdout)
            .unwrap()
            .matches("planned")
            .count(),
        2
    );
    let file = temp("model.lp");
    let out = popalloc()
        .arg("export-lp")
        .arg("--out")
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success());
    let lp = std::fs::read_to_string(&file).unwrap();
    assert!(lp.starts_with("\\ ") && lp.contains("Subject To") && lp.trim_end().ends_with("End"));
    std::fs::remove_file(&file).unwrap();
}

#[test]
fn conflicting_binding_targets_exit_2_and_are_named() {
    let dir = common::copy_fixture("tiny", "cli-conflict");
    // No more than 10 beds may be added per street, yet 300 beds are binding.
    let toml = std::fs::read_to_string(dir.join("scenario.toml")).unwrap();
    std::fs::write(
        dir.join("scenario.toml"),
        toml.replace(
            "kind = \"total\"\nclass = \"expected\"",
            "kind = \"total\"\nclass = \"binding\"",
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("caps.csv"),
        "area,service,max_added\nnorth,elder_beds,10\ncentre,elder_beds,10\nsouth,elder_beds,10\n",
    )
    .unwrap();
    let out = popalloc().arg("allocate").arg(&dir).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Named in the scenario's words: the target and the street caps with their change.
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("beds_2023")
            && stderr.contains("raise the cap on Elder-care beds added in 北街 North by"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn json_prints_one_document_and_quiet_silences_messages() {
    let out = popalloc()
        .args(["run", "--json", "--quiet"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["horizon"], 2025);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = popalloc().args(["project", "--json"]).output().unwrap();
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(value.as_array().unwrap().iter().any(|b| b[0] == "elderly"));
    // -q is --quiet, before or after the command.
    for args in [["-q", "run"], ["run", "-q"]] {
        let out = popalloc().args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(
            out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn run_with_a_bad_scenario_exits_1_and_writes_nothing() {
    let dir = common::copy_fixture("tiny", "cli-bad-run");
    let stock = dir.join("stock.csv");
    let text = std::fs::read_to_string(&stock).unwrap();
    std::fs::write(
        &stock,
        text.replace(
            "north,elder_beds,nursing,40",
            "north,elder_beds,nursing,-40",
        ),
    )
    .unwrap();
    let out_dir = temp("bad-run-out");
    let out = popalloc()
        .arg("run")
        .arg(&dir)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        !out_dir.exists(),
        "a bad scenario must not create the output directory"
    );
    assert!(out.stdout.is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn montecarlo_refuses_bad_options_with_exit_1() {
    for args in [
        vec!["montecarlo", "--joint", "5"],
        vec!["montecarlo", "--draws", "0"],
        vec!["montecarlo", "--draws", "5", "--alpha", "1.5"],
        // Kept draws past 2 GiB: refused before any draw is run.
        vec!["montecarlo", "--draws", "1000000", "--alpha", "0.1"],
    ] {
        let out = popalloc().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("popalloc: "), "{args:?}: {err}");
    }
}

#[test]
fn bad_command_lines_exit_1_naming_the_value_and_never_panic() {
    let cases: &[(&[&str], &str)] = &[
        (&["--no-such-flag"], "--no-such-flag"),
        (
            &[
                "sweep",
                "--target",
                "elder_beds_2025",
                "--from",
                "-5",
                "--to",
                "10",
            ],
            "-5",
        ),
        (
            &[
                "sweep",
                "--target",
                "nursing_share_2025",
                "--from",
                "0.6",
                "--to",
                "60",
            ],
            "to (the value of target nursing_share_2025): 60 is not a ratio in [0, 1]",
        ),
        (
            &[
                "sweep", "--target", "no_such", "--from", "0.6", "--to", "0.7",
            ],
            "target (one of: elder_beds_2025, nursing_share_2025,",
        ),
        (
            &[
                "sweep",
                "--target",
                "nursing_share_2025",
                "--from",
                "0.6",
                "--to",
                "0.7",
                "--steps",
                "18446744073709551615",
            ],
            "sweep steps",
        ),
        (
            &["montecarlo", "--draws", "18446744073709551615"],
            "Monte Carlo draws",
        ),
    ];
    for (args, named) in cases {
        let out = popalloc().args(*args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(named), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    // A file that cannot be written is named as asked for, and nothing is left behind.
    let dir = temp("no-such-dir").join("deeper");
    let path = dir.join("model.lp");
    let out = popalloc()
        .args(["export-lp", "--out"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&*path.to_string_lossy()) && !stderr.contains(".tmp"),
        "{stderr}"
    );
}

/// `init --template` writes a folder that runs at once, whose memo shows "[to fill]" beside
/// every assumption instead of Yuzhong's census, and whose SOURCES.md is a skeleton.
#[test]
fn a_template_runs_and_its_memo_cites_placeholders_not_yuzhong() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("new-district");
    common::run_ok(popalloc().args(["init", "--template"]).arg(&dir));
    let sources = std::fs::read_to_string(dir.join("SOURCES.md")).unwrap();
    assert!(
        sources.contains("## base_population.csv\n\n[to fill]"),
        "{sources}"
    );
    assert!(!sources.contains("seventh census"), "{sources}");
    let results = root.path().join("out");
    common::run_ok(popalloc().arg("run").arg(&dir).arg("--out").arg(&results));
    let memo = std::fs::read_to_string(results.join("report.md")).unwrap();
    assert!(memo.starts_with("# New district (template)"), "{memo}");
    assert!(memo.contains("| [to fill] the base population"), "{memo}");
    assert!(!memo.contains("500103"), "{memo}");
    // --template and --census exclude each other.
    let both = popalloc()
        .args(["init", "--template", "--census", "x.csv"])
        .arg(root.path().join("both"))
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(1));
}
