//! The plan as a planner acts on it: who is served where (flows.csv and `Plan::flows`),
//! the memo's "What to build, where and when" (projects by street and year, conversions,
//! sharing between streets in words), additions by street on the command line, and the
//! Monte Carlo memo naming its plan as the α plan.

use std::path::PathBuf;
use std::process::Command;

mod common;

use popalloc::allocate::{CERTIFICATE_TOLERANCE, FLOW_TOLERANCE};
use popalloc::{Access, Allocation, AllocationOptions, Need, Plan, Scenario, allocate};

const FLOWS_HEADER: &str = "year,service,area_served,area_serving,amount";

fn tiny() -> Scenario {
    Scenario::load(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny")).unwrap()
}

/// The tiny district where South can neither hold nor add primary seats and only Centre
/// is within its reach: South's pupils must go to Centre (its coverage target is binding).
fn south_served_by_centre() -> Scenario {
    let mut s = tiny();
    let south = s.areas.iter().position(|a| a.id == "south").unwrap();
    let primary = s.services.iter().position(|x| x.id == "primary").unwrap();
    s.services[primary].stock[0][south] = 0.0;
    s.services[primary].caps[south] = Some(0.0);
    // north, centre, south: North and South 20 minutes apart, beyond every radius.
    s.access = Access::from_matrix(
        3,
        vec![
            0.0, 5.0, 20.0, //
            5.0, 0.0, 5.0, //
            20.0, 5.0, 0.0,
        ],
    )
    .unwrap();
    s
}

fn plan_of(scenario: &Scenario) -> (Need, Plan) {
    let need =
        Need::from_projection(scenario, &scenario.project(scenario.horizon()).unwrap()).unwrap();
    match allocate(scenario, &need, &AllocationOptions::default()).unwrap() {
        Allocation::Plan(plan) => (need, plan),
        Allocation::Conflict(c) => panic!("{}", c.message),
    }
}

/// For every service, year and area: the flows into the area sum to its need served
/// (within the certificate's tolerance), every flow is at least the stated tolerance and
/// goes between areas within the service's reach, and no area's capacity serves more than
/// it holds.
fn check_flows(scenario: &Scenario, need: &Need, plan: &Plan) {
    let area = |id: &str| scenario.areas.iter().position(|a| a.id == id).unwrap();
    for flow in plan.flows() {
        let service = scenario
            .services
            .iter()
            .find(|s| s.id == flow.service)
            .unwrap();
        assert!(flow.amount >= FLOW_TOLERANCE, "{flow:?}");
        assert!(
            service.reaches(
                &scenario.access,
                area(&flow.area_served),
                area(&flow.area_serving)
            ),
            "{flow:?} goes beyond the service's reach"
        );
    }
    for (f, service) in scenario.services.iter().enumerate() {
        for &year in &plan.years {
            for (i, a) in scenario.areas.iter().enumerate() {
                let rows: Vec<_> = plan
                    .rows
                    .iter()
                    .filter(|r| r.year == year && r.service == service.id && r.area == a.id)
                    .collect();
                let served = rows[0].served;
                let need_here = need.need(f, i, year).unwrap();
                let flows_in: f64 = plan
                    .flows()
                    .iter()
                    .filter(|x| x.year == year && x.service == service.id && x.area_served == a.id)
                    .map(|x| x.amount)
                    .sum();
                assert!(
                    (flows_in - served).abs() <= CERTIFICATE_TOLERANCE * need_here.max(1.0),
                    "{} {} {year}: flows {flows_in} against served {served}",
                    service.id,
                    a.id
                );
                let capacity: f64 = rows.iter().map(|r| r.capacity).sum();
                let flows_out: f64 = plan
                    .flows()
                    .iter()
                    .filter(|x| x.year == year && x.service == service.id && x.area_serving == a.id)
                    .map(|x| x.amount)
                    .sum();
                assert!(
                    flows_out <= capacity + CERTIFICATE_TOLERANCE * capacity.max(1.0),
                    "{} {} {year}: serves {flows_out} with {capacity}",
                    service.id,
                    a.id
                );
            }
        }
    }
}

#[test]
fn flows_sum_to_the_need_served_and_stay_within_reach() {
    for scenario in [
        tiny(),
        south_served_by_centre(),
        Scenario::yuzhong().unwrap(),
    ] {
        let (need, plan) = plan_of(&scenario);
        assert!(!plan.flows().is_empty(), "{}", scenario.file.name);
        check_flows(&scenario, &need, &plan);
    }
}

#[test]
fn a_street_served_by_its_neighbour_is_named_in_the_memo() {
    let scenario = south_served_by_centre();
    let (need, plan) = plan_of(&scenario);
    // South's pupils are all served in Centre.
    let south = scenario.areas.iter().position(|a| a.id == "south").unwrap();
    let primary = scenario
        .services
        .iter()
        .position(|s| s.id == "primary")
        .unwrap();
    let from_centre = |year: i32| -> f64 {
        plan.flows()
            .iter()
            .filter(|f| {
                f.year == year
                    && f.service == "primary"
                    && f.area_served == "south"
                    && f.area_serving == "centre"
            })
            .map(|f| f.amount)
            .sum()
    };
    let need_2023 = need.need(primary, south, 2023).unwrap();
    assert!(need_2023 > 1.0);
    assert!((from_centre(2023) - need_2023).abs() <= 1e-6 * need_2023);

    let projection = scenario.project(scenario.horizon()).unwrap();
    let memo = popalloc::report::memo::memo(
        &scenario,
        &projection,
        &need,
        &Allocation::Plan(plan.clone()),
        "",
        &[],
    );
    let section = memo
        .split("## What to build, where and when")
        .nth(1)
        .expect("the memo has the section")
        .split("\n## ")
        .next()
        .unwrap();
    // The street × year table of projects.
    assert!(
        section.contains("| street | service | variant | 2021 | 2022 | 2023 | total |"),
        "{section}"
    );
    // The sharing sentence, with the largest yearly flow rounded to whole seats.
    let (year, peak) =
        plan.years
            .iter()
            .map(|&y| (y, from_centre(y)))
            .fold(
                (0, 0.0),
                |best, (y, x)| if x > best.1 { (y, x) } else { best },
            );
    let sentence = format!(
        "Centre serves {} seats of South's need in {year}",
        grouped(peak.round())
    );
    assert!(section.contains(&sentence), "no {sentence:?} in\n{section}");
}

/// A whole number with thousands separators: 3844 → "3,844".
fn grouped(x: f64) -> String {
    let digits = format!("{x:.0}");
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn the_memo_states_the_conversions_of_the_plan() {
    let scenario = tiny();
    let (need, plan) = plan_of(&scenario);
    let converted: f64 = plan.conversions().iter().map(|c| c.amount).sum();
    assert!(converted >= 1.0, "the tiny plan converts beds: {converted}");
    // The conversions agree with the rows' net conversion.
    for r in &plan.rows {
        let net: f64 = plan
            .conversions()
            .iter()
            .filter(|c| c.year == r.year && c.area == r.area && c.service == r.service)
            .map(|c| {
                if c.to == r.variant {
                    c.amount
                } else if c.from == r.variant {
                    -c.amount
                } else {
                    0.0
                }
            })
            .sum();
        assert!((net - r.converted).abs() < 1e-4, "{r:?}: {net}");
    }
    let text = popalloc::report::projects::section(&scenario, &plan);
    let total = plan
        .conversions()
        .iter()
        .filter(|c| c.from == "ordinary" && c.to == "nursing")
        .map(|c| c.amount)
        .sum::<f64>()
        .round();
    let words = format!("{} beds converted from ordinary to nursing", grouped(total));
    assert!(text.contains(&words), "no {words:?} in\n{text}");
    assert!(text.contains("| street | service | converted |"), "{text}");
    assert!(text.contains("ordinary → nursing"), "{text}");
    let _ = need;
}

fn popalloc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_popalloc"))
}

fn header(path: &std::path::Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn run_and_allocate_write_flows_and_print_additions_by_street() {
    let root = tempfile::tempdir().unwrap();
    let scenario = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny");
    for command in ["run", "allocate"] {
        let out_dir = root.path().join(command);
        let out = popalloc()
            .arg(command)
            .arg(&scenario)
            .arg("--out")
            .arg(&out_dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            header(&out_dir.join("flows.csv")),
            FLOWS_HEADER,
            "{command}"
        );
        let rows = common::read_csv(&out_dir.join("flows.csv"));
        assert!(!rows.is_empty(), "{command}");
        let memo = std::fs::read_to_string(out_dir.join("report.md")).unwrap();
        assert!(
            memo.contains("## What to build, where and when"),
            "{command}"
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        let table = stdout
            .split("Additions by street, 2021–2023:")
            .nth(1)
            .unwrap_or_else(|| panic!("{command}: no street table in\n{stdout}"));
        let lines: Vec<&str> = table.lines().skip(1).take(5).collect();
        assert!(lines[0].contains("elder_beds") && lines[0].contains("primary"));
        assert!(lines[1].starts_with("North 北街"), "{}", lines[1]);
        assert!(lines[4].starts_with("district"), "{}", lines[4]);
        // The district row is the sum of the streets.
        let numbers = |line: &str| -> Vec<f64> {
            line.split_whitespace()
                .filter_map(|w| w.parse().ok())
                .collect()
        };
        let district = numbers(lines[4]);
        let streets: f64 = lines[1..4].iter().map(|l| numbers(l)[0]).sum();
        assert!((district[0] - streets).abs() <= 1.5, "{table}");
    }
}

#[test]
fn montecarlo_memo_names_its_plan_as_the_alpha_plan() {
    let root = tempfile::tempdir().unwrap();
    let scenario = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny");
    let out_dir = root.path().join("mc");
    common::run_ok(
        popalloc()
            .arg("montecarlo")
            .arg(&scenario)
            .args(["--draws", "12", "--seed", "3", "--alpha", "0.1", "--out"])
            .arg(&out_dir),
    );
    let memo = std::fs::read_to_string(out_dir.join("report.md")).unwrap();
    assert!(memo.contains("\n## The plan at α = 0.1\n"), "{memo}");
    assert!(
        memo.contains(
            "The plan at α = 0.1: each street's need covered at its 90 % quantile of the Monte Carlo draws."
        ),
        "{memo}"
    );
    assert!(!memo.contains("\n## The plan\n"), "{memo}");
    assert_eq!(header(&out_dir.join("flows.csv")), FLOWS_HEADER);
    // Without --alpha the plan is the deterministic one, named as before.
    let plain = root.path().join("mc-plain");
    let out = popalloc()
        .arg("montecarlo")
        .arg(&scenario)
        .args(["--draws", "12", "--seed", "3", "--out"])
        .arg(&plain)
        .output()
        .unwrap();
    assert!(out.status.success());
    let memo = std::fs::read_to_string(plain.join("report.md")).unwrap();
    assert!(memo.contains("\n## The plan\n"), "{memo}");
}
