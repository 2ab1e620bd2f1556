//! Inputs that could block, exhaust or break the machine are refused up front, naming the
//! file: a FIFO, a device, a file beyond the input limit, a number beyond its documented
//! range; and count options are bounded.

mod common;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs popalloc with `args`, failing the test if it takes more than 60 seconds.
fn run_bounded(args: &[&std::ffi::OsStr]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_popalloc"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("popalloc {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_device_as_an_input_is_refused_without_blocking() {
    let dir = common::copy_fixture("tiny", "limits-fifo");
    std::fs::remove_file(dir.join("areas.csv")).unwrap();
    let made = Command::new("mkfifo")
        .arg(dir.join("areas.csv"))
        .status()
        .is_ok_and(|s| s.success());
    if made {
        let out = run_bounded(&["validate".as_ref(), dir.as_os_str()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains("areas.csv") && stderr.contains("FIFO"),
            "{stderr}"
        );
        std::fs::remove_file(dir.join("areas.csv")).unwrap();
    } else {
        eprintln!("SKIPPED the FIFO case: mkfifo is not available here");
    }
    // A link to /dev/zero as the population file reads nothing.
    std::os::unix::fs::symlink("/dev/zero", dir.join("areas.csv")).unwrap();
    let out = run_bounded(&["validate".as_ref(), dir.as_os_str()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("areas.csv") && stderr.contains("regular file"),
        "{stderr}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_file_beyond_the_input_limit_is_refused_with_the_limit_named() {
    let dir = common::copy_fixture("tiny", "limits-size");
    let out = Command::new(env!("CARGO_BIN_EXE_popalloc"))
        .env(popalloc::input::MAX_INPUT_BYTES_VAR, "1000")
        .arg("validate")
        .arg(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("input limit of 1000 bytes") && stderr.contains("POPALLOC_MAX_INPUT_BYTES"),
        "{stderr}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn thread_counts_beyond_four_per_core_are_refused() {
    for threads in ["0", "100000"] {
        let out = run_bounded(&[
            "montecarlo".as_ref(),
            "--draws".as_ref(),
            "2".as_ref(),
            "--threads".as_ref(),
            threads.as_ref(),
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{threads}: {stderr}");
        assert!(stderr.contains("--threads"), "{stderr}");
    }
}

/// A module of infinite size panicked inside microlp (found by tests/fuzz_inputs.rs);
/// every service number now has a finite range.
#[test]
fn service_numbers_beyond_their_range_are_typed_errors() {
    for (key, value) in [
        ("min_addition", "inf"),
        ("min_addition", "-5"),
        ("min_addition", "nan"),
        ("min_addition", "1e200"),
        ("need_rate", "1e308"),
        ("radius_minutes", "1e300"),
    ] {
        let dir = common::copy_fixture("tiny", &format!("limits-{key}-{value}"));
        let toml = std::fs::read_to_string(dir.join("scenario.toml")).unwrap();
        let toml = if key == "min_addition" {
            toml.replacen(
                "radius_minutes = 15",
                &format!("radius_minutes = 15\n{key} = {value}"),
                1,
            )
        } else {
            let old = if key == "need_rate" {
                "need_rate = 0.03"
            } else {
                "radius_minutes = 15"
            };
            toml.replacen(old, &format!("{key} = {value}"), 1)
        };
        assert!(toml.contains(&format!("{key} = {value}")));
        std::fs::write(dir.join("scenario.toml"), toml).unwrap();
        let out = run_bounded(&["run".as_ref(), dir.as_os_str()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{key} = {value}: {stderr}");
        assert!(stderr.contains(&format!("services[0].{key}")), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}

/// A value of 1e308 in any table passed validate and ended as `inf` in the outputs; every
/// number is now within its documented range (±1e10 in tables, TFR ≤ 20).
#[test]
fn huge_finite_values_are_refused_naming_file_and_row() {
    for (file, from, to) in [
        (
            "base_population.csv",
            "\nnorth,female,0,",
            "\nnorth,female,0,1e308\nx,",
        ),
        (
            "stock.csv",
            "north,primary,public,300",
            "north,primary,public,1e308",
        ),
        ("areas.csv", "1.0,1.0,-50", "1.0,1.0,-1e308"),
        ("areas.csv", "1.0,1.0,-50", "1e308,1.0,-50"),
        ("tfr.csv", "\n2020,", "\n2020,1e308\nx,"),
    ] {
        let dir = common::copy_fixture("tiny", &format!("huge-{file}-{}", to.len()));
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        // Replace the value after `from` up to the line's end.
        let text = match text.find(from) {
            Some(at) if to.ends_with("\nx,") => {
                let end = text[at + 1..].find('\n').map_or(text.len(), |e| at + 1 + e);
                format!("{}{}{}", &text[..at], &to[..to.len() - 3], &text[end..])
            }
            Some(_) => text.replacen(from, to, 1),
            None => panic!("{file}: {from:?} not found"),
        };
        assert!(text.contains("1e308"), "{file}");
        std::fs::write(dir.join(file), text).unwrap();
        let out = run_bounded(&["validate".as_ref(), dir.as_os_str()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{file}: {stderr}");
        assert!(
            stderr.contains(file) && stderr.contains("1e308"),
            "{stderr}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}

/// A street without residents printed "NaN" as its share aged 60+.
#[test]
fn a_street_without_residents_has_no_share_rather_than_nan() {
    let dir = common::copy_fixture("tiny", "empty-street");
    let text = std::fs::read_to_string(dir.join("base_population.csv")).unwrap();
    let emptied: Vec<String> = text
        .lines()
        .map(|line| match line.strip_prefix("north,") {
            Some(rest) => {
                let (cell, _) = rest.rsplit_once(',').unwrap();
                format!("north,{cell},0")
            }
            None => line.to_string(),
        })
        .collect();
    std::fs::write(dir.join("base_population.csv"), emptied.join("\n") + "\n").unwrap();
    let out = dir.join("out");
    let run = run_bounded(&[
        "run".as_ref(),
        dir.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        !stdout.contains("NaN") && !stdout.contains("inf"),
        "{stdout}"
    );
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("NaN"), "{}", path.display());
    }
    std::fs::remove_dir_all(dir).unwrap();
}
