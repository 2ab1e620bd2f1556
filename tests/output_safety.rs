//! Nothing is written outside `--out`, never through a planted link, never over inputs or a
//! user's files, and an output folder holds one complete run (issue: reliability and
//! security, items 1–5).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use popalloc::{AllocationOptions, Need, Scenario, allocate, report::write_outputs};

fn popalloc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_popalloc"))
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("popalloc-safety-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The tiny fixture with its first area id, `north`, replaced by `id` in every file.
fn tiny_with_area_id(label: &str, id: &str) -> PathBuf {
    let dir = common::copy_fixture("tiny", label);
    for file in ["areas.csv", "base_population.csv", "caps.csv", "stock.csv"] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let text = text.replace("\nnorth,", &format!("\n{id},"));
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

#[cfg(unix)]
#[test]
fn a_planted_temporary_link_is_not_followed() {
    let root = temp("link");
    let victim = root.join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let tiny = common::copy_fixture("tiny", "safety-link");
    let out = root.join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::os::unix::fs::symlink(&victim, out.join("report.md.tmp")).unwrap();
    let run = popalloc()
        .arg("run")
        .arg(&tiny)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    // Same for a single file written atomically: a link at the temporary name of old.
    let lp = root.join("model.lp");
    std::os::unix::fs::symlink(&victim, root.join("model.lp.tmp")).unwrap();
    let export = popalloc()
        .args(["export-lp", "--out"])
        .arg(&lp)
        .output()
        .unwrap();
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(std::fs::read_to_string(&lp).unwrap().contains("Minimize"));
    // A link at the output's own name is replaced, not written through.
    std::fs::remove_file(&lp).unwrap();
    std::os::unix::fs::symlink(&victim, &lp).unwrap();
    let export = popalloc()
        .args(["export-lp", "--out"])
        .arg(&lp)
        .output()
        .unwrap();
    assert!(export.status.success());
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn area_ids_that_are_not_plain_names_are_refused_by_validate() {
    for (label, id) in [
        ("escape", "/../../escaped"),
        ("slash", "no/rth"),
        ("reserved", "district"),
        ("long", &"n".repeat(65)),
    ] {
        let dir = tiny_with_area_id(&format!("id-{label}"), id);
        let out = popalloc().arg("validate").arg(&dir).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{id}: {stderr}");
        assert!(
            stderr.contains("areas.csv") && stderr.contains("`id`"),
            "{stderr}"
        );
        assert!(stderr.contains(&format!("{id:?}")), "{stderr}");
        std::fs::remove_dir_all(dir).unwrap();
    }
    // Letters of any script are fine.
    let dir = tiny_with_area_id("id-cjk", "北街");
    assert!(Scenario::load(&dir).is_ok());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_id_changed_in_memory_never_names_a_file_outside_the_folder() {
    let root = temp("memory-id");
    let tiny = Scenario::load(common::copy_fixture("tiny", "safety-memory")).unwrap();
    let projection = tiny.project(tiny.horizon()).unwrap();
    let need = Need::from_projection(&tiny, &projection).unwrap();
    let allocation = allocate(&tiny, &need, &AllocationOptions::default()).unwrap();
    let out = root.join("out");
    for (area, id) in [(0, "/../../escaped"), (1, "district")] {
        let mut edited = tiny.clone();
        edited.areas[area].id = id.into();
        // The id is refused before anything is projected or written.
        for result in [
            edited.project(edited.horizon()).map(|_| ()),
            write_outputs(&out, &edited, &projection, &need, &allocation).map(|_| ()),
        ] {
            match result {
                Err(popalloc::Error::Inconsistent { field, problem, .. }) => {
                    assert_eq!(field, format!("areas[{area}].id"));
                    assert!(problem.contains(&format!("{id:?}")), "{problem}");
                }
                other => panic!("{id}: {other:?}"),
            }
        }
        assert!(names_in(&root).is_empty(), "{:?}", names_in(&root));
    }
    // The unedited scenario writes its files inside the folder.
    let files = write_outputs(&out, &tiny, &projection, &need, &allocation).unwrap();
    for file in &files {
        assert_eq!(file.parent(), Some(out.as_path()), "{}", file.display());
    }
    assert_eq!(names_in(&root), ["out"]);
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn init_writes_into_a_new_or_empty_folder_only() {
    let root = temp("init");
    let partial = root.join("partial");
    std::fs::create_dir_all(&partial).unwrap();
    std::fs::write(partial.join("areas.csv"), "mine").unwrap();
    std::fs::write(partial.join("SOURCES.md"), "mine").unwrap();
    let out = popalloc().arg("init").arg(&partial).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("\"SOURCES.md\", \"areas.csv\""), "{stderr}");
    assert_eq!(names_in(&partial), ["SOURCES.md", "areas.csv"]);
    assert_eq!(
        std::fs::read_to_string(partial.join("areas.csv")).unwrap(),
        "mine"
    );
    // An empty folder is taken, all files at once.
    let empty = root.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    assert!(
        popalloc()
            .arg("init")
            .arg(&empty)
            .status()
            .unwrap()
            .success()
    );
    assert!(Scenario::load(&empty).is_ok());
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn an_output_folder_holding_the_inputs_is_refused() {
    let tiny = common::copy_fixture("tiny", "safety-inputs");
    std::fs::write(tiny.join("plan.csv"), "a stock file of the user's").unwrap();
    let before = names_in(&tiny);
    let out = popalloc()
        .arg("run")
        .arg(&tiny)
        .arg("--out")
        .arg(&tiny)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("scenario.toml"), "{stderr}");
    assert_eq!(names_in(&tiny), before);
    assert_eq!(
        std::fs::read_to_string(tiny.join("plan.csv")).unwrap(),
        "a stock file of the user's"
    );
    std::fs::remove_dir_all(tiny).unwrap();
}

#[test]
fn a_run_replaces_the_previous_run_whole() {
    let root = temp("whole");
    let out = root.join("out");
    // A first run with four areas' charts...
    let tiny = common::copy_fixture("tiny", "safety-whole");
    assert!(
        popalloc()
            .arg("run")
            .arg(&tiny)
            .arg("--out")
            .arg(&out)
            .status()
            .unwrap()
            .success()
    );
    assert!(out.join("pyramid_north.svg").is_file() && out.join("plan.csv").is_file());
    // ...then one after north is renamed: its chart does not outlive the run.
    let renamed = tiny_with_area_id("safety-whole-2", "northern");
    assert!(
        popalloc()
            .arg("run")
            .arg(&renamed)
            .arg("--out")
            .arg(&out)
            .status()
            .unwrap()
            .success()
    );
    let names = names_in(&out);
    assert!(
        names.contains(&"pyramid_northern.svg".to_string()),
        "{names:?}"
    );
    assert!(
        !names.contains(&"pyramid_north.svg".to_string()),
        "{names:?}"
    );
    // Nothing is left beside the folder.
    assert_eq!(names_in(&root), ["out"]);
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn a_conflict_run_leaves_no_plan_of_the_previous_run_beside_it() {
    let root = temp("conflict");
    let out = root.join("out");
    let tiny = common::copy_fixture("tiny", "safety-conflict");
    assert!(
        popalloc()
            .arg("run")
            .arg(&tiny)
            .arg("--out")
            .arg(&out)
            .status()
            .unwrap()
            .success()
    );
    assert!(out.join("plan.csv").is_file() && out.join("targets.csv").is_file());
    // At most 10 beds, binding, where 160 stand: the binding targets conflict.
    let toml = std::fs::read_to_string(tiny.join("scenario.toml")).unwrap();
    let toml = toml.replace(
        "kind = \"total\"\nclass = \"expected\"\nvalue = 300",
        "kind = \"total\"\nclass = \"binding\"\nop = \"<=\"\nvalue = 10",
    );
    assert!(toml.contains("value = 10"));
    std::fs::write(tiny.join("scenario.toml"), toml).unwrap();
    let run = popalloc()
        .arg("run")
        .arg(&tiny)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let names = names_in(&out);
    assert!(names.contains(&"report.md".to_string()), "{names:?}");
    assert!(!names.contains(&"plan.csv".to_string()), "{names:?}");
    assert!(!names.contains(&"targets.csv".to_string()), "{names:?}");
    std::fs::remove_dir_all(root).unwrap();
}

/// Runs killed at any moment (SIGKILL, no chance to clean up) leave the output folder
/// with one complete run or none, never a mix; the next run removes what they left beside
/// it.
#[cfg(unix)]
#[test]
fn a_killed_run_leaves_one_complete_run_or_none() {
    let root = temp("killed");
    let out = root.join("out");
    let tiny = common::copy_fixture("tiny", "safety-killed");
    let complete = |dir: &Path| -> bool {
        let Ok(listed) = std::fs::read_to_string(dir.join(".popalloc-files")) else {
            return false;
        };
        let mut listed: Vec<String> = listed.lines().map(String::from).collect();
        listed.push(".popalloc-files".into());
        listed.sort();
        listed == names_in(dir)
    };
    for k in 0..12u64 {
        let mut child = popalloc()
            .arg("run")
            .arg(&tiny)
            .arg("--out")
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(25 * k));
        let _ = child.kill();
        let _ = child.wait();
        if out.exists() {
            assert!(
                complete(&out),
                "after a kill at {} ms: {:?}",
                25 * k,
                names_in(&out)
            );
        }
    }
    assert!(
        popalloc()
            .arg("run")
            .arg(&tiny)
            .arg("--out")
            .arg(&out)
            .status()
            .unwrap()
            .success()
    );
    assert!(complete(&out));
    assert_eq!(names_in(&root), ["out"]);
    std::fs::remove_dir_all(root).unwrap();
}

/// A scenario may read a file from outside its folder (an absolute name or one through
/// `..`); the memo names the path read.
#[test]
fn files_outside_the_scenario_folder_are_named_in_the_memo() {
    let root = temp("outside");
    let tiny = common::copy_fixture("tiny", "safety-outside");
    let shared = root.join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    std::fs::rename(tiny.join("areas.csv"), shared.join("areas.csv")).unwrap();
    let relative = format!(
        "../{}/shared/areas.csv",
        root.file_name().unwrap().to_string_lossy()
    );
    let toml = std::fs::read_to_string(tiny.join("scenario.toml")).unwrap();
    let toml = toml.replace("file = \"areas.csv\"", &format!("file = \"{relative}\""));
    std::fs::write(tiny.join("scenario.toml"), toml).unwrap();
    let scenario = Scenario::load(&tiny).unwrap();
    assert_eq!(
        scenario.files_outside.len(),
        1,
        "{:?}",
        scenario.files_outside
    );
    let out = root.join("out");
    assert!(
        popalloc()
            .arg("run")
            .arg(&tiny)
            .arg("--out")
            .arg(&out)
            .status()
            .unwrap()
            .success()
    );
    let memo = std::fs::read_to_string(out.join("report.md")).unwrap();
    let read = std::fs::canonicalize(shared.join("areas.csv")).unwrap();
    assert!(
        memo.contains(&format!(
            "[areas] file = `{relative}`: read from `{}`",
            read.display()
        )),
        "{memo}"
    );
    std::fs::remove_dir_all(root).unwrap();
    std::fs::remove_dir_all(tiny).unwrap();
}
