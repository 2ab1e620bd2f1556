//! Input the command line used to die on: an age group too wide to hold. It is now an
//! error naming the file, with exit code 1, and never an abort.

use std::path::Path;
use std::process::{Command, Output};

mod common;

fn popalloc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_popalloc"))
}

fn validate(dir: &Path) -> (Option<i32>, String) {
    let out: Output = popalloc().arg("validate").arg(dir).output().unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
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
