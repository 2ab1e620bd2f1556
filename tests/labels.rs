//! `--labels latin|chinese|both`: with latin no chart holds a CJK character (a machine
//! without CJK fonts shows boxes for them); with chinese the streets go by their Chinese
//! names; both (the default) shows both.

use std::path::Path;
use std::process::Command;

use popalloc::report::labels::is_cjk;

mod common;

fn popalloc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_popalloc"))
}

fn svgs(dir: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let path = e.ok()?.path();
            (path.extension()? == "svg").then(|| {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&path).unwrap())
            })
        })
        .collect();
    out.sort();
    out
}

#[test]
fn latin_labels_leave_no_cjk_character_in_any_chart() {
    let root = tempfile::tempdir().unwrap();
    let run = root.path().join("run");
    common::run_ok(
        popalloc()
            .args(["run", "--labels", "latin", "--out"])
            .arg(&run),
    );
    let mc = root.path().join("mc");
    common::run_ok(
        popalloc()
            .args(["montecarlo", "--draws", "8", "--labels", "latin", "--out"])
            .arg(&mc),
    );
    let sens = root.path().join("sens");
    common::run_ok(
        popalloc()
            .args(["sensitivity", "--no-plan", "--labels", "latin", "--out"])
            .arg(&sens),
    );
    let mut seen = 0;
    for dir in [&run, &mc, &sens] {
        for (name, svg) in svgs(dir) {
            assert!(!svg.chars().any(is_cjk), "{name} holds a CJK character");
            seen += 1;
        }
    }
    assert!(seen > 15, "{seen} charts");
    let additions = std::fs::read_to_string(run.join("additions.svg")).unwrap();
    assert!(
        additions.contains("Jiefangbei"),
        "streets by their English names"
    );
    let bands = std::fs::read_to_string(run.join("bands.svg")).unwrap();
    assert!(bands.contains("Yuzhong District 2021-2025 public-service plan: age bands"));
}

#[test]
fn chinese_and_both_labels_name_the_streets_as_asked() {
    let root = tempfile::tempdir().unwrap();
    let chinese = root.path().join("zh");
    common::run_ok(
        popalloc()
            .args(["run", "--labels", "chinese", "--out"])
            .arg(&chinese),
    );
    let additions = std::fs::read_to_string(chinese.join("additions.svg")).unwrap();
    assert!(additions.contains("解放碑"), "{additions}");
    assert!(!additions.contains("Jiefangbei"));
    let both = root.path().join("both");
    common::run_ok(popalloc().args(["run", "--out"]).arg(&both));
    let additions = std::fs::read_to_string(both.join("additions.svg")).unwrap();
    assert!(additions.contains("解放碑 Jiefangbei"));
    let bad = popalloc()
        .args(["run", "--labels", "pinyin"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("latin, chinese or both"));
}
