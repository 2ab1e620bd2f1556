//! The allocation model on small hand-solved cases, the Yuzhong plan, a contradictory
//! scenario, duals against one-unit re-solves, and the exported LP re-solved.

mod common;

use std::path::{Path, PathBuf};

use popalloc::{Allocation, AllocationOptions, Need, Plan, Scenario, TargetStatus, allocate};

/// Writes a two-street beds scenario (no need, so only targets and costs matter):
/// stock A: nursing 10, ordinary 30; B: ordinary 20. Costs: nursing 10, ordinary 6 per
/// bed added; ordinary → nursing 3 per bed converted.
fn beds_scenario(name: &str, total: f64, nursing_share: f64) -> PathBuf {
    beds_scenario_with(name, total, nursing_share, "")
}

/// As [`beds_scenario`], with extra lines in the beds service (e.g. `min_addition = 50`).
fn beds_scenario_with(name: &str, total: f64, nursing_share: f64, service_extra: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("popalloc-alloc-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let write = |file: &str, text: &str| std::fs::write(dir.join(file), text).unwrap();
    write(
        "areas.csv",
        "id,code,name_zh,name_en,latitude,longitude\na,1,甲,A,29.55,106.55\nb,2,乙,B,29.60,106.60\n",
    );
    let mut pop = String::from("area,sex,age,value\n");
    for area in ["a", "b"] {
        for sex in ["female", "male"] {
            for age in 0..=100 {
                pop.push_str(&format!("{area},{sex},{age},100\n"));
            }
        }
    }
    write("base_population.csv", &pop);
    write("mx.csv", &common::gompertz_mx_csv());
    write("tfr.csv", "year,value\n2020,1.0\n");
    write(
        "stock.csv",
        "area,service,variant,value\na,beds,nursing,10\na,beds,ordinary,30\nb,beds,ordinary,20\n",
    );
    write(
        "costs.csv",
        "service,variant,add_cost\nbeds,nursing,10\nbeds,ordinary,6\n",
    );
    write(
        "conversions.csv",
        "service,from,to,cost\nbeds,ordinary,nursing,3\n",
    );
    write(
        "caps.csv",
        "area,service,max_added\na,beds,20\nb,beds,100\n",
    );
    write(
        "scenario.toml",
        &format!(
            r#"
name = "Two streets, beds only"
base_year = 2020
horizon = 2023
[areas]
file = "areas.csv"
[population]
file = "base_population.csv"
[fertility]
sex_ratio_at_birth = 1.05
tfr = "tfr.csv"
mean_age = 30.0
sd = 5.0
[mortality]
mx = "mx.csv"
[[services]]
id = "beds"
name = "Elder-care beds"
unit = "bed"
band = "elderly"
need_rate = 0.0
radius_minutes = 15
variants = ["nursing", "ordinary"]
{service_extra}
[stock]
file = "stock.csv"
[costs]
file = "costs.csv"
conversions = "conversions.csv"
[caps]
file = "caps.csv"
[[targets]]
id = "beds_2023"
service = "beds"
kind = "total"
class = "binding"
value = {total}
[[targets]]
id = "nursing_share_2023"
service = "beds"
kind = "share"
class = "binding"
value = {nursing_share}
variants = ["nursing"]
"#
        ),
    );
    dir
}

fn solve_dir(dir: &Path) -> Allocation {
    let scenario = Scenario::load(dir).unwrap();
    let need =
        Need::from_projection(&scenario, &scenario.project(scenario.horizon()).unwrap()).unwrap();
    allocate(&scenario, &need, &AllocationOptions::default()).unwrap()
}

fn plan(allocation: Allocation) -> Plan {
    match allocation {
        Allocation::Plan(p) => p,
        Allocation::Conflict(c) => panic!("unexpected conflict: {}", c.message),
    }
}

fn target<'a>(plan: &'a Plan, id: &str) -> &'a popalloc::TargetResult {
    plan.targets.iter().find(|t| t.id == id).unwrap()
}

/// By hand: 100 beds from 60 needs 40 added; 60 nursing from 10 needs 50 more. Adding an
/// ordinary bed and converting one costs 6 + 3 = 9 < 10 for a nursing bed, so: add 40
/// ordinary (240) and convert 50 (150): 390. Marginal costs: one more bed = 6 + 0.6 × 3 =
/// 7.8; one more unit of nursing share = 100 beds × 3 = 300.
#[test]
fn two_streets_beds_by_hand() {
    let dir = beds_scenario("hand", 100.0, 0.6);
    let p = plan(solve_dir(&dir));
    assert!((p.total_cost - 390.0).abs() < 1e-4, "cost {}", p.total_cost);
    let beds = target(&p, "beds_2023");
    assert!((beds.achieved - 100.0).abs() < 1e-4);
    assert!(
        (beds.dual.unwrap() - 7.8).abs() < 1e-3,
        "beds dual {:?}",
        beds.dual
    );
    let share = target(&p, "nursing_share_2023");
    assert!((share.achieved - 0.6).abs() < 1e-6);
    assert!(
        (share.dual.unwrap() - 300.0).abs() < 1e-2,
        "share dual {:?}",
        share.dual
    );
    let added_nursing: f64 = p
        .rows
        .iter()
        .filter(|r| r.variant == "nursing")
        .map(|r| r.added)
        .sum();
    assert!(
        added_nursing.abs() < 1e-4,
        "no nursing bed is built new: {added_nursing}"
    );
    // Street A can add at most 20.
    let added_a: f64 = p
        .rows
        .iter()
        .filter(|r| r.area == "a")
        .map(|r| r.added)
        .sum();
    assert!(added_a <= 20.0 + 1e-6);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The reported duals agree with re-solving after moving each target by a small step.
#[test]
fn duals_match_one_unit_re_solves() {
    let base = plan(solve_dir(&beds_scenario("dual0", 100.0, 0.6)));
    let more_beds = plan(solve_dir(&beds_scenario("dual1", 101.0, 0.6)));
    let dual = target(&base, "beds_2023").dual.unwrap();
    assert!(
        (more_beds.total_cost - base.total_cost - dual).abs() < 1e-3,
        "{} vs {dual}",
        more_beds.total_cost - base.total_cost
    );
    let more_share = plan(solve_dir(&beds_scenario("dual2", 100.0, 0.61)));
    let dual = target(&base, "nursing_share_2023").dual.unwrap();
    assert!((more_share.total_cost - base.total_cost - 0.01 * dual).abs() < 1e-3);
}

#[test]
fn yuzhong_plan_holds_every_binding_target() {
    let s = Scenario::yuzhong().unwrap();
    let need = Need::from_projection(&s, &s.project(s.horizon()).unwrap()).unwrap();
    let p = plan(allocate(&s, &need, &AllocationOptions::default()).unwrap());
    for t in &p.targets {
        if t.class == popalloc::TargetClass::Binding {
            assert_eq!(t.status, TargetStatus::Met, "{t:?}");
        }
    }
    let nursing = target(&p, "nursing_share_2025");
    assert!(nursing.achieved >= 0.6 - 1e-6);
    let government = target(&p, "government_share_2025");
    assert!(government.achieved <= 0.3 + 1e-6);
    let beds: f64 = p
        .rows
        .iter()
        .filter(|r| r.year == 2025 && r.service == "elder_beds")
        .map(|r| r.capacity)
        .sum();
    assert!(beds >= 4000.0 - 1e-3, "beds in 2025: {beds}");
    let streets = p
        .rows
        .iter()
        .filter(|r| {
            r.year == 2025
                && r.service == "childcare"
                && r.variant == "inclusive"
                && r.capacity >= 100.0 - 1e-6
        })
        .count();
    assert!(
        streets >= 7,
        "{streets} streets hold an inclusive childcare point"
    );
    for service in ["primary", "junior"] {
        let (need, served) = p
            .rows
            .iter()
            .filter(|r| r.year == 2025 && r.service == service)
            .fold((0.0, 0.0), |(n, s), r| (n + r.need, s + r.served));
        // Each area's need repeats on each variant row; one variant here.
        assert!(
            served >= need * (1.0 - 1e-6),
            "{service}: {served} of {need}"
        );
    }
    assert!(p.total_cost > 0.0);
    assert_eq!(p.cost_by_year.len(), 5);
}

/// Beds = 300 and nursing ≥ 60 % need 180 nursing beds from 60; nursing additions are
/// capped at 20 and conversions at 10 per street (90 at most): these targets and caps
/// cannot all hold, and the conflict names exactly them.
#[test]
fn contradictory_targets_give_a_conflict_naming_them() {
    let dir = common::copy_fixture("tiny", "alloc-conflict");
    let toml = std::fs::read_to_string(dir.join("scenario.toml")).unwrap();
    let toml = toml.replace(
        "id = \"beds_2023\"\nservice = \"elder_beds\"\nkind = \"total\"\nclass = \"expected\"\nvalue = 300",
        "id = \"beds_2023\"\nservice = \"elder_beds\"\nkind = \"total\"\nclass = \"binding\"\nop = \"=\"\nvalue = 300",
    );
    assert!(toml.contains("op = \"=\"\nvalue = 300"));
    std::fs::write(dir.join("scenario.toml"), toml).unwrap();
    std::fs::write(
        dir.join("caps.csv"),
        "area,service,variant,max_added\nnorth,elder_beds,,200\ncentre,elder_beds,,200\nsouth,elder_beds,,200\nnorth,elder_beds,nursing,20\ncentre,elder_beds,nursing,20\nsouth,elder_beds,nursing,20\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("conversions.csv"),
        "service,from,to,cost,max_per_area\nelder_beds,ordinary,nursing,3,10\n",
    )
    .unwrap();
    let conflict = match solve_dir(&dir) {
        Allocation::Conflict(c) => c,
        Allocation::Plan(p) => panic!("expected a conflict, got a plan costing {}", p.total_cost),
    };
    let mut names: Vec<&str> = conflict.members.iter().map(|m| m.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        vec![
            "beds_2023",
            "cap_convert_elder_beds_ordinary_to_nursing_centre",
            "cap_convert_elder_beds_ordinary_to_nursing_north",
            "cap_convert_elder_beds_ordinary_to_nursing_south",
            "cap_elder_beds_nursing_centre",
            "cap_elder_beds_nursing_north",
            "cap_elder_beds_nursing_south",
            "nursing_share_2023",
        ],
        "{}",
        conflict.message
    );
    let beds = conflict
        .members
        .iter()
        .find(|m| m.name == "beds_2023")
        .unwrap();
    assert_eq!(beds.target.as_deref(), Some("beds_2023"));
    // Each member says the change of it alone that restores a plan (never "0 slack").
    assert!(
        conflict.members.iter().all(|m| m
            .restoring_value
            .is_some_and(|to| to.is_finite() && to != m.value)),
        "{conflict:#?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The names of the rows of an LP file's `Subject To` section in which a variable appears
/// more than once (LP readers sum such terms, with a warning each).
fn rows_repeating_a_variable(text: &str) -> Vec<String> {
    let body = text
        .split("\nSubject To\n")
        .nth(1)
        .and_then(|rest| rest.split("\nBounds\n").next())
        .expect("a Subject To section");
    let mut rows: Vec<(String, Vec<String>)> = Vec::new();
    for line in body.lines() {
        let mut words = line.split_whitespace().peekable();
        if !line.starts_with("  ") {
            let name = words.next().unwrap_or_default().trim_end_matches(':');
            rows.push((name.to_string(), Vec::new()));
        }
        let Some((_, names)) = rows.last_mut() else {
            continue;
        };
        let words: Vec<&str> = words.collect();
        // Terms are `sign coefficient name`; a row ends with `sense rhs`.
        for term in words.chunks(3) {
            if let [sign, _, name] = term
                && (*sign == "+" || *sign == "-")
            {
                names.push((*name).to_string());
            }
        }
    }
    rows.into_iter()
        .filter(|(_, names)| {
            let unique: std::collections::HashSet<&String> = names.iter().collect();
            unique.len() < names.len()
        })
        .map(|(name, _)| name)
        .collect()
}

/// The exported final stage, read back by an independent small LP reader and re-solved,
/// reaches the plan's total cost.
#[test]
fn exported_lp_re_solves_to_the_plans_cost() {
    for (label, dir) in [
        ("beds", Some(beds_scenario("export", 100.0, 0.6))),
        ("yuzhong", None),
    ] {
        let s = match &dir {
            Some(d) => Scenario::load(d).unwrap(),
            None => {
                // The default plan's whole units and fixed project costs are found by
                // rounding, with a gap: the exported model's optimum is only a bound on it.
                // Without them (area counts only) microlp proves the optimum, as HiGHS
                // would the full model.
                Scenario::yuzhong().unwrap().continuous()
            }
        };
        let need = Need::from_projection(&s, &s.project(s.horizon()).unwrap()).unwrap();
        let options = AllocationOptions::default();
        let p = plan(allocate(&s, &need, &options).unwrap());
        let text = popalloc::allocate::export_lp(&s, &need, &options).unwrap();
        assert_eq!(
            rows_repeating_a_variable(&text),
            Vec::<String>::new(),
            "{label}"
        );
        let objective = common::lp::solve_lp_text(&text);
        // The objective is the present value (the default discounts at 8 %).
        let tolerance = 1e-6 * p.present_value.abs().max(1.0);
        assert!(
            (objective - p.present_value).abs() <= tolerance.max(1e-3),
            "{label}: LP file optimum {objective} vs plan {}",
            p.present_value
        );
        if let Some(d) = dir {
            std::fs::remove_dir_all(d).unwrap();
        }
    }
}

/// Whole modules of at least 50 beds: the 40 beds needed become one module of 50 in
/// street B (A may add only 20). By hand: 50 ordinary (300) and 0.6 × 110 − 10 = 56
/// conversions (168): 468.
#[test]
fn whole_modules_of_a_minimum_size() {
    let dir = beds_scenario_with("module", 100.0, 0.6, "min_addition = 50");
    let p = plan(solve_dir(&dir));
    assert!((p.total_cost - 468.0).abs() < 1e-3, "cost {}", p.total_cost);
    for row in &p.rows {
        assert!(
            row.added.abs() < 1e-6 || row.added >= 50.0 - 1e-6,
            "{row:?}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A backend that runs out of time before it finds a plan still returns one: rounding the
/// LP relaxation to whole modules finds the hand-solved 468 (one module of 50 in B), and
/// the plan says how far its cost may be from the bound.
#[test]
fn a_time_out_on_modules_still_returns_a_plan() {
    let dir = beds_scenario_with("timeout", 100.0, 0.6, "min_addition = 50");
    let scenario = Scenario::load(&dir).unwrap();
    let need =
        Need::from_projection(&scenario, &scenario.project(scenario.horizon()).unwrap()).unwrap();
    let options = AllocationOptions {
        time_limit_seconds: 0.0,
        ..AllocationOptions::default()
    };
    let p = plan(allocate(&scenario, &need, &options).unwrap());
    assert!((p.total_cost - 468.0).abs() < 1e-3, "cost {}", p.total_cost);
    for row in &p.rows {
        assert!(
            row.added.abs() < 1e-6 || row.added >= 50.0 - 1e-6,
            "{row:?}"
        );
    }
    let cost = p
        .milp_gaps
        .iter()
        .find(|g| g.stage == popalloc::allocate::MilpStage::Cost)
        .expect("the cost stage's gap");
    assert!((cost.objective - 468.0).abs() < 1e-3, "{cost:?}");
    assert!(cost.bound <= cost.objective + 1e-6, "{cost:?}");
    assert!(cost.gap.is_finite() && cost.gap >= 0.0, "{cost:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The default scenario with childcare built in whole modules of 30 places (a MILP of 121
/// integer variables that microlp alone does not solve within a minute): a plan comes back
/// within the time limit's reach, every childcare addition is 0 or a module of at least
/// 30, and the gap of each MILP stage is reported. HiGHS on the exported model finds
/// 33,799.63 (proven optimal); the plan is within its reported gap of the bound.
#[test]
fn yuzhong_childcare_modules_return_a_plan_with_its_gap() {
    let dir = std::env::temp_dir().join(format!("popalloc-alloc-{}-modules", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    Scenario::write_default(&dir).unwrap();
    let toml = std::fs::read_to_string(dir.join("scenario.toml")).unwrap();
    let childcare = "id = \"childcare\"\n";
    assert!(toml.contains(childcare));
    let toml = toml.replace(childcare, &format!("{childcare}min_addition = 30\n"));
    std::fs::write(dir.join("scenario.toml"), toml).unwrap();
    let scenario = common::unphased(Scenario::load(&dir).unwrap());
    let need =
        Need::from_projection(&scenario, &scenario.project(scenario.horizon()).unwrap()).unwrap();
    let limit = 5.0;
    let options = AllocationOptions {
        time_limit_seconds: limit,
        ..AllocationOptions::default()
    };
    let started = std::time::Instant::now();
    let p = plan(allocate(&scenario, &need, &options).unwrap());
    let seconds = started.elapsed().as_secs_f64();
    // Two stages, each a search of at most `limit` plus rounding's LPs (debug builds are
    // slow; before rounding, the first stage alone ended in an error at the limit).
    assert!(seconds < 20.0 * limit, "{seconds} s");
    let childcare: Vec<_> = p.rows.iter().filter(|r| r.service == "childcare").collect();
    assert!(childcare.iter().any(|r| r.added > 0.0));
    // Solver noise: a street without a module may show an addition of 1e-6 (the census
    // residual migration of the default scenario gives one exactly at 1e-6).
    for row in childcare {
        assert!(
            row.added.abs() < 1e-5 || row.added >= 30.0 - 1e-6,
            "{row:?}"
        );
    }
    assert_eq!(p.milp_gaps.len(), 2, "{:?}", p.milp_gaps);
    for gap in &p.milp_gaps {
        assert!(gap.gap.is_finite() && gap.gap >= 0.0, "{gap:?}");
        assert!(gap.bound <= gap.objective + 1e-6 * gap.objective.abs().max(1.0));
    }
    let gap = p.milp_gap().unwrap();
    // The bound of the relaxation is within 0.1 % of the true optimum here: a plan more
    // than 0.5 % above it is a poor rounding.
    assert!(gap < 5e-3, "{:?}", p.milp_gaps);
    assert!(
        p.total_cost >= 33_799.63 * (1.0 - 1e-6),
        "cost {}",
        p.total_cost
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Equity: with unmet need and a budget, the largest-gap term fills street A up to its
/// cap (the worst-covered street), and the mean-absolute-deviation term spreads coverage
/// no more than the plan without equity.
#[test]
fn equity_terms_even_out_coverage() {
    let dir = beds_scenario("equity", 100.0, 0.6);
    let toml = std::fs::read_to_string(dir.join("scenario.toml")).unwrap();
    let toml = toml
        .replace("need_rate = 0.0", "need_rate = 0.03")
        .replace("[caps]", "[budget]\ntotal = 1000\n[caps]");
    std::fs::write(dir.join("scenario.toml"), toml).unwrap();
    let scenario = Scenario::load(&dir).unwrap();
    let need =
        Need::from_projection(&scenario, &scenario.project(scenario.horizon()).unwrap()).unwrap();
    let run = |equity| {
        let options = AllocationOptions {
            equity,
            ..AllocationOptions::default()
        };
        plan(allocate(&scenario, &need, &options).unwrap())
    };
    let coverage = |p: &Plan, area: &str| -> f64 {
        p.rows
            .iter()
            .find(|r| r.year == 2023 && r.area == area)
            .unwrap()
            .coverage
    };
    let spread = |p: &Plan| (coverage(p, "a") - coverage(p, "b")).abs();
    use popalloc::allocate::{Equity, EquityMeasure};
    let gap = run(Some(Equity {
        measure: EquityMeasure::LargestGap,
        weight: 1.0,
    }));
    let added_a: f64 = gap
        .rows
        .iter()
        .filter(|r| r.area == "a")
        .map(|r| r.added)
        .sum();
    assert!(
        (added_a - 20.0).abs() < 1e-4,
        "street A adds up to its cap: {added_a}"
    );
    let plain = run(None);
    let mad = run(Some(Equity {
        measure: EquityMeasure::MeanAbsoluteDeviation,
        weight: 1.0,
    }));
    assert!(
        spread(&mad) <= spread(&plain) + 1e-6,
        "{} vs {}",
        spread(&mad),
        spread(&plain)
    );
    assert!(coverage(&gap, "a") >= coverage(&plain, "a") - 1e-6);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The tiny fixture with every base-population cell multiplied by its own factor.
fn tiny_scaled(factors: &[f64]) -> (Scenario, Need) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny");
    let mut scenario = Scenario::load(&fixture).unwrap();
    for (cell, factor) in scenario
        .base
        .values_mut()
        .iter_mut()
        .zip(factors.iter().cycle())
    {
        *cell *= factor;
    }
    let need =
        Need::from_projection(&scenario, &scenario.project(scenario.horizon()).unwrap()).unwrap();
    (scenario, need)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Scaling every base-population cell of a valid scenario by a factor in [0.7, 1.3]
    /// keeps it valid: a plan comes back (the certificate holds inside `allocate`), every
    /// binding target is met and no addition lies below zero.
    #[test]
    fn randomly_scaled_valid_scenarios_return_a_certified_plan(
        factors in proptest::collection::vec(0.7f64..1.3, 606),
    ) {
        let (scenario, need) = tiny_scaled(&factors);
        let allocation = allocate(&scenario, &need, &AllocationOptions::default());
        let p = match allocation {
            Ok(Allocation::Plan(p)) => p,
            Ok(Allocation::Conflict(c)) => panic!("conflict: {}", c.message),
            Err(e) => panic!("no plan: {e}"),
        };
        for t in &p.targets {
            if t.class == popalloc::TargetClass::Binding {
                proptest::prop_assert_eq!(t.status, TargetStatus::Met, "{:?}", t);
            }
        }
        for row in &p.rows {
            proptest::prop_assert!(row.added >= 0.0, "{:?}", row);
        }
    }
}

/// A synthetic district of 400 areas (tests/common/synthetic.rs: a grid 3.5 minutes apart,
/// radius 5 minutes, Yuzhong's services and targets) can meet all its need, so its
/// shortfall is zero up to the stated tolerances: the hold row's (`stage_tolerance`) and
/// the first stage's optimality (`OPTIMALITY_TOLERANCE`), each relative to the first
/// stage's objective (about 30: one per service and year with need). Clarabel used to stop
/// short (shortfall 0.0015, 1,467 primary seats of 2021 unmet) and report it solved. Slow
/// in a debug build (minutes), so it runs in release builds only.
#[cfg(not(debug_assertions))]
#[test]
fn a_district_of_400_areas_meets_all_its_need() {
    let (scenario, need) = common::synthetic::synthetic(400);
    let options = AllocationOptions::default();
    let p = plan(allocate(&scenario, &need, &options).unwrap());
    let stages = (scenario.services.len() * p.years.len()) as f64;
    let allowed =
        (options.stage_tolerance + popalloc::allocate::OPTIMALITY_TOLERANCE) * stages + 1e-6;
    assert!(
        p.shortfall <= allowed,
        "shortfall {} over {allowed}",
        p.shortfall
    );
    let (need_2021, served_2021) = p
        .rows
        .iter()
        .filter(|r| r.year == 2021 && r.service == "primary")
        .fold((0.0, 0.0), |(n, s), r| (n + r.need, s + r.served));
    assert!(
        need_2021 - served_2021 < 10.0,
        "{} primary seats of {need_2021} unmet in 2021",
        need_2021 - served_2021
    );
}

/// Three districts of nine areas that share no reach: every target is measured in each
/// district (its own row, `nursing_share_2025_d00001`), the model is solved block by block
/// (one per district and service), and the plan is the one the whole model gives at once.
#[test]
fn districts_that_share_nothing_are_planned_apart_to_the_same_plan() {
    let (scenario, need) = common::synthetic::synthetic_districts(3, 9);
    let model = popalloc::allocate::build_model(&scenario, &need);
    for d in 0..3 {
        assert!(
            model
                .row_index(&format!("nursing_share_2025_d{d:05}"))
                .is_some()
        );
    }
    assert!(model.row_index("nursing_share_2025").is_none());
    let apart = plan(allocate(&scenario, &need, &AllocationOptions::default()).unwrap());
    let whole_options = AllocationOptions {
        independent_blocks: false,
        ..AllocationOptions::default()
    };
    let whole = plan(allocate(&scenario, &need, &whole_options).unwrap());
    // Each block holds its own first stage to `stage_tolerance` (1e-7), the whole model
    // the sum of them: what the cost stage may trade for that slack differs a little
    // (seen: 2.8e-6 relative), hence 1e-5.
    assert!(
        (apart.total_cost - whole.total_cost).abs() <= 1e-5 * whole.total_cost,
        "apart {} whole {}",
        apart.total_cost,
        whole.total_cost
    );
    assert!((apart.shortfall - whole.shortfall).abs() <= 1e-5);
    for (a, w) in apart.targets.iter().zip(&whole.targets) {
        assert_eq!((&a.id, a.status), (&w.id, w.status));
        // A binding target's marginal cost is the sum over its districts' rows.
        if let (Some(x), Some(y)) = (a.dual, w.dual) {
            assert!(
                (x - y).abs() <= 1e-3 * y.abs().max(1.0),
                "{}: {x} {y}",
                a.id
            );
        }
    }
    // The nursing share holds in each district, not only over the three.
    for d in 0..3 {
        let group = format!("d{d:05}");
        let areas: Vec<&str> = scenario
            .areas
            .iter()
            .filter(|a| a.group.as_deref() == Some(group.as_str()))
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(areas.len(), 9);
        let beds = |nursing: bool| -> f64 {
            apart
                .rows
                .iter()
                .filter(|r| r.service == "elder_beds" && r.year == 2025)
                .filter(|r| areas.contains(&r.area.as_str()))
                .filter(|r| !nursing || r.variant.starts_with("nursing"))
                .map(|r| r.capacity)
                .sum()
        };
        let share = beds(true) / beds(false);
        assert!(
            share >= 0.6 - 1e-6,
            "district {group}: nursing share {share}"
        );
    }
}

/// A scenario built in code whose group target finds an area in no group is refused
/// before anything is built, naming the target's level and the area.
#[test]
fn a_group_target_needs_every_area_in_a_group() {
    let (mut scenario, need) = common::synthetic::synthetic_districts(2, 4);
    scenario.areas[5].group = None;
    let e = allocate(&scenario, &need, &AllocationOptions::default()).unwrap_err();
    let message = e.to_string();
    assert!(
        message.contains("level") && message.contains(&scenario.areas[5].id),
        "{message}"
    );
}
