//! The command line end to end: run, validate and init, with their exit codes.

use std::path::{Path, PathBuf};
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
    let dir = temp("bad");
    std::fs::create_dir_all(&dir).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny");
    for entry in std::fs::read_dir(&fixture).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
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
    for command in ["run", "validate", "init"] {
        let out = popalloc().args([command, "--help"]).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("Example: popalloc"), "{command}: {text}");
    }
}
