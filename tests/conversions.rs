//! Conversions that make sense: only capacity that existed at the start of a year can be
//! converted in it, and capacity of one service can be repurposed as another's
//! (kindergarten places as childcare places, at a ratio), with bad conversions refused.

mod common;

use std::path::Path;

use popalloc::{Allocation, AllocationOptions, Error, Need, Plan, Scenario, allocate};

/// Writes a one-street scenario into `dir`: population `per_age(age)` persons of each sex
/// and age, a TFR of 1.5, low mortality, no migration; `services` (TOML), `stock`,
/// `costs` and `conversions` (CSV bodies without header), `targets` (TOML) and `horizon`.
struct Spec<'a> {
    horizon: i32,
    per_age: fn(usize) -> u32,
    services: &'a str,
    stock: &'a str,
    costs: &'a str,
    conversions: &'a str,
    targets: &'a str,
    /// caps.csv body without header; empty: no caps file.
    caps: &'a str,
}

fn write_scenario(dir: &Path, spec: &Spec) {
    let write = |file: &str, text: &str| std::fs::write(dir.join(file), text).unwrap();
    write(
        "areas.csv",
        "id,code,name_zh,name_en,latitude,longitude\na,1,甲,Alpha,29.55,106.55\n",
    );
    let mut pop = String::from("area,sex,age,value\n");
    for sex in ["female", "male"] {
        for age in 0..=100 {
            pop.push_str(&format!("a,{sex},{age},{}\n", (spec.per_age)(age)));
        }
    }
    write("base_population.csv", &pop);
    write("mx.csv", &common::gompertz_mx_csv());
    write("tfr.csv", "year,value\n2020,1.5\n");
    write(
        "stock.csv",
        &format!("area,service,variant,value\n{}", spec.stock),
    );
    write(
        "costs.csv",
        &format!("service,variant,add_cost\n{}", spec.costs),
    );
    write(
        "conversions.csv",
        &format!(
            "service,from,to,cost,max_per_area,to_service,ratio\n{}",
            spec.conversions
        ),
    );
    let caps = if spec.caps.is_empty() {
        ""
    } else {
        write(
            "caps.csv",
            &format!("area,service,max_added\n{}", spec.caps),
        );
        "[caps]\nfile = \"caps.csv\""
    };
    write(
        "scenario.toml",
        &format!(
            r#"
name = "One street"
base_year = 2020
horizon = {}
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
{}
[stock]
file = "stock.csv"
[costs]
file = "costs.csv"
conversions = "conversions.csv"
{caps}
{}
"#,
            spec.horizon, spec.services, spec.targets
        ),
    );
}

fn solve(spec: &Spec) -> (Scenario, Plan) {
    let dir = tempfile::tempdir().unwrap();
    write_scenario(dir.path(), spec);
    let scenario = Scenario::load(dir.path()).unwrap();
    let need =
        Need::from_projection(&scenario, &scenario.project(scenario.horizon()).unwrap()).unwrap();
    match allocate(&scenario, &need, &AllocationOptions::default()).unwrap() {
        Allocation::Plan(plan) => (scenario, plan),
        Allocation::Conflict(c) => panic!("unexpected conflict: {}", c.message),
    }
}

/// Sum of a plan column over the rows that pass `keep`.
fn sum(
    plan: &Plan,
    keep: impl Fn(&popalloc::PlanRow) -> bool,
    column: fn(&popalloc::PlanRow) -> f64,
) -> f64 {
    plan.rows.iter().filter(|r| keep(r)).map(column).sum()
}

const BEDS: &str = r#"
[[services]]
id = "beds"
name = "Elder-care beds"
unit = "bed"
band = "elderly"
need_rate = 0.0
radius_minutes = 15
variants = ["nursing", "ordinary"]
"#;

/// At least 30 nursing beds in `year`, binding.
fn nursing_target(year: i32) -> String {
    format!(
        r#"
[[targets]]
id = "nursing"
service = "beds"
kind = "total"
class = "binding"
year = {year}
value = 30
variants = ["nursing"]
"#
    )
}

fn beds_spec(horizon: i32, targets: &str) -> Spec<'_> {
    Spec {
        horizon,
        per_age: |_| 100,
        services: BEDS,
        stock: "a,beds,ordinary,10\n",
        costs: "beds,nursing,10\nbeds,ordinary,6\n",
        conversions: "beds,ordinary,nursing,3,,,\n",
        targets,
        caps: "",
    }
}

/// One street with 10 ordinary beds must hold 30 nursing beds at the end of 2021, the
/// only year. A nursing bed costs 10 to build, an ordinary one 6, a conversion 3.
///
/// Before (a conversion could draw on capacity built the same year), the cheapest plan
/// built 20 ordinary beds and converted them with the 10 in stock in 2021:
/// 20 × 6 + 30 × 3 = 210, with 20 ordinary beds added, 0 nursing beds added and 30
/// converted. Now only the 10 beds standing on 1 January 2021 can be converted in 2021:
/// 10 × 3 + 20 × 10 = 230, with 20 nursing beds added, none ordinary, 10 converted.
#[test]
fn only_capacity_standing_at_the_start_of_a_year_is_converted_in_it() {
    let targets = nursing_target(2021);
    let (_, plan) = solve(&beds_spec(2021, &targets));
    assert!(
        (plan.total_cost - 230.0).abs() < 1e-4,
        "cost {}",
        plan.total_cost
    );
    let added = |variant: &'static str| sum(&plan, |r| r.variant == variant, |r| r.added);
    assert!((added("nursing") - 20.0).abs() < 1e-4, "{plan:#?}");
    assert!(added("ordinary").abs() < 1e-4, "{plan:#?}");
    let converted: f64 = plan.conversions().iter().map(|c| c.amount).sum();
    assert!((converted - 10.0).abs() < 1e-4, "{:?}", plan.conversions());
}

/// With the target a year later, beds built in 2021 stand on 1 January 2022 and can be
/// converted then: 20 ordinary beds built in 2021 and 30 converted by 2022 cost
/// 20 × 6 + 30 × 3 = 210 again, and no conversion takes more than the capacity of the
/// end of the year before.
#[test]
fn capacity_built_in_one_year_can_be_converted_the_next() {
    let targets = nursing_target(2022);
    let (_, plan) = solve(&beds_spec(2022, &targets));
    assert!(
        (plan.total_cost - 210.0).abs() < 1e-4,
        "cost {}",
        plan.total_cost
    );
    check_start_of_year_rule(&plan, &[("beds", "ordinary", 10.0)]);
    let built_2022: f64 = sum(&plan, |r| r.year == 2022, |r| r.added);
    let converted_2021: f64 = sum(
        &plan,
        |r| r.year == 2021 && r.variant == "ordinary",
        |r| -r.converted,
    );
    // Nothing built in 2022 (it could not be converted before the target's year ends
    // without breaking the rule), at most the stock converted in 2021.
    assert!(built_2022.abs() < 1e-4, "{plan:#?}");
    assert!(converted_2021 <= 10.0 + 1e-6, "{converted_2021}");
}

/// Every conversion out of a variant in an area and year takes at most the variant's
/// capacity at the end of the year before (`stock` for the first year, given as
/// `(service, variant, stock)` in the one area), and every row's capacity is the capacity
/// before plus what was added and converted.
fn check_start_of_year_rule(plan: &Plan, stock: &[(&str, &str, f64)]) {
    for &(service, variant, base) in stock {
        let mut before = base;
        for &year in &plan.years {
            let out: f64 = plan
                .conversions()
                .iter()
                .filter(|c| c.year == year && c.service == service && c.from == variant)
                .map(|c| c.amount)
                .sum();
            assert!(
                out <= before + 1e-6,
                "{service}/{variant} {year}: {out} converted out of {before}"
            );
            let row = plan
                .rows
                .iter()
                .find(|r| r.year == year && r.service == service && r.variant == variant)
                .unwrap();
            assert!(
                (row.capacity - (before + row.added + row.converted)).abs() < 1e-5,
                "{row:?} after {before}"
            );
            before = row.capacity;
        }
    }
}

const CHILDREN: &str = r#"
[[services]]
id = "childcare"
name = "Childcare places"
unit = "place"
band = "infants"
need_rate = 1.0
radius_minutes = 5
variants = ["inclusive"]

[[services]]
id = "kindergarten"
name = "Kindergarten places"
unit = "place"
band = "preschool"
need_rate = 1.0
radius_minutes = 5
variants = ["public"]
"#;

/// 20 persons of each sex at ages 0–2, 100 at every other age: the preschool cohort
/// (3–5) falls from 600 to about 120 by 2023 as the small cohorts age into it, while
/// births of about 150 a year (TFR 1.5, 100 women at each age) raise the infants
/// (0–2) from 120 to about 450.
fn falling_preschool(age: usize) -> u32 {
    if age <= 2 { 20 } else { 100 }
}

fn children_spec(conversions: &str) -> Spec<'_> {
    Spec {
        horizon: 2023,
        per_age: falling_preschool,
        services: CHILDREN,
        stock: "a,childcare,inclusive,120\na,kindergarten,public,650\n",
        costs: "childcare,inclusive,2.0\nkindergarten,public,4.0\n",
        conversions,
        targets: "",
        caps: "",
    }
}

/// The preschool cohort falls and the infants rise. A childcare place costs 2.0 to
/// build; a kindergarten place repurposed as a nursery class costs 0.6 and yields 0.75
/// childcare places, 0.8 per childcare place gained. All need is served in both plans;
/// the childcare need of 2023 above the 120 places in stock is met by building it
/// (2.0 a place) without the repurposing row, and wholly by repurposing kindergarten
/// places (0.8 a place) with it, the kindergarten places left always covering the
/// falling cohort.
#[test]
fn repurposing_is_used_when_a_cohort_falls() {
    let row = "kindergarten,public,inclusive,0.6,,childcare,0.75\n";
    let (_, without) = solve(&children_spec(""));
    let (scenario, with) = solve(&children_spec(row));
    let need_2023 = sum(
        &with,
        |r| r.year == 2023 && r.service == "childcare",
        |r| r.need,
    );
    let gap = need_2023 - 120.0;
    assert!(gap > 250.0, "infants must rise: childcare need {need_2023}");

    // Without repurposing: build the gap.
    let built = |plan: &Plan, service: &str| sum(plan, |r| r.service == service, |r| r.added);
    assert!((built(&without, "childcare") - gap).abs() < 1e-3);
    assert!((without.total_cost - 2.0 * gap).abs() < 1e-3 * gap);

    // With it: places are repurposed as they fall idle, and only what idle places cannot
    // cover is built: less than the whole gap, and cheaper (0.6 per kindergarten place
    // given up, 0.8 per childcare place gained, against 2.0 a place built).
    let childcare_built = built(&with, "childcare");
    assert!(childcare_built < gap - 1.0, "{with:#?}");
    assert!(built(&with, "kindergarten").abs() < 1e-4, "{with:#?}");
    let gained: f64 = with.conversions().iter().map(|c| c.gained).sum();
    assert!(gained > 1.0, "{:?}", with.conversions());
    assert!(
        (gained + childcare_built - gap).abs() < 1e-3,
        "{:?}",
        with.conversions()
    );
    assert!(with.total_cost < without.total_cost);
    // Repurposing draws only on kindergarten places idle the year before (in 2021: the
    // stock of 650 beyond 2021's need).
    for &year in &with.years {
        let given_up: f64 = with
            .conversions()
            .iter()
            .filter(|c| c.year == year)
            .map(|c| c.amount)
            .sum();
        let kindergarten = |y: i32, column: fn(&popalloc::PlanRow) -> f64| {
            sum(
                &with,
                |r| r.service == "kindergarten" && r.year == y,
                column,
            )
        };
        let idle = if year == with.years[0] {
            (650.0 - kindergarten(year, |r| r.need)).max(0.0)
        } else {
            kindergarten(year - 1, |r| r.capacity) - kindergarten(year - 1, |r| r.served)
        };
        assert!(
            given_up <= idle + 1e-4,
            "{year}: {given_up} given up, {idle} idle"
        );
    }
    for c in with.conversions() {
        assert!(c.is_repurposing());
        assert_eq!(
            (c.service.as_str(), c.from.as_str()),
            ("kindergarten", "public")
        );
        assert_eq!(
            (c.to_service.as_str(), c.to.as_str()),
            ("childcare", "inclusive")
        );
        assert!((c.gained - 0.75 * c.amount).abs() < 1e-5, "{c:?}");
    }

    // Identities: capacity = capacity before + added + converted; `converted` is −amount
    // on the kindergarten side and ratio × amount on the childcare side; nothing taken
    // beyond the start-of-year capacity; every need served; flows sum to served.
    check_start_of_year_rule(
        &with,
        &[
            ("kindergarten", "public", 650.0),
            ("childcare", "inclusive", 120.0),
        ],
    );
    for &year in &with.years {
        let (out, into) = with
            .conversions()
            .iter()
            .filter(|c| c.year == year)
            .fold((0.0, 0.0), |(o, i), c| (o + c.amount, i + c.gained));
        for row in with.rows.iter().filter(|r| r.year == year) {
            let expected = if row.service == "kindergarten" {
                -out
            } else {
                into
            };
            assert!((row.converted - expected).abs() < 1e-5, "{row:?}");
            // Served to the solver's tolerance on the first stage (relative to need).
            assert!((row.served - row.need).abs() <= 1e-5 * row.need, "{row:?}");
            let flows: f64 = with
                .flows()
                .iter()
                .filter(|f| f.year == year && f.service == row.service && f.area_served == row.area)
                .map(|f| f.amount)
                .sum();
            assert!((flows - row.served).abs() < 1e-5, "{row:?}: flows {flows}");
        }
    }

    // The memo says it in words.
    let memo = popalloc::report::projects::section(&scenario, &with);
    assert!(
        memo.contains("Alpha turns ") && memo.contains("public kindergarten places into "),
        "{memo}"
    );
    assert!(
        memo.contains("inclusive childcare places in 2021"),
        "{memo}"
    );
}

/// Childcare may not be built (a cap of 0) and at most 50 kindergarten places may be
/// repurposed (37.5 childcare places), but the infants' need must be met in 2021
/// (binding): the conflict names the repurposing cap in words.
#[test]
fn a_repurposing_cap_in_a_conflict_is_said_in_words() {
    let target = r#"
[[targets]]
id = "childcare_2021"
service = "childcare"
kind = "coverage"
class = "binding"
year = 2021
value = 1.0
"#;
    let spec = Spec {
        horizon: 2021,
        targets: target,
        caps: "a,childcare,0\n",
        ..children_spec("kindergarten,public,inclusive,0.6,50,childcare,0.75\n")
    };
    let dir = tempfile::tempdir().unwrap();
    write_scenario(dir.path(), &spec);
    let scenario = Scenario::load(dir.path()).unwrap();
    let need =
        Need::from_projection(&scenario, &scenario.project(scenario.horizon()).unwrap()).unwrap();
    let conflict = match allocate(&scenario, &need, &AllocationOptions::default()).unwrap() {
        Allocation::Conflict(c) => c,
        Allocation::Plan(p) => panic!("a plan costing {}", p.total_cost),
    };
    let cap = conflict
        .members
        .iter()
        .find(|m| m.name == "cap_convert_kindergarten_public_to_childcare_inclusive_a")
        .unwrap_or_else(|| panic!("{conflict:#?}"));
    assert!(
        cap.statement
            .contains("repurposing public Kindergarten places as inclusive Childcare places"),
        "{}",
        cap.statement
    );
}

/// Loads a children scenario with `row` as its only conversion and returns every
/// problem reported.
fn problems_of(row: &str) -> Vec<Error> {
    let dir = tempfile::tempdir().unwrap();
    write_scenario(dir.path(), &children_spec(row));
    match Scenario::load(dir.path()) {
        Ok(_) => panic!("{row:?} was accepted"),
        Err(Error::InvalidScenario { problems, .. }) => problems
            .into_iter()
            .flat_map(|p| match p {
                Error::InvalidScenario { problems, .. } => problems,
                other => vec![other],
            })
            .collect(),
        Err(other) => vec![other],
    }
}

#[test]
fn bad_conversion_rows_are_refused_naming_file_row_field_and_value() {
    let cases: [(&str, &[&str]); 8] = [
        (
            "kindergarten,public,inclusive,0.6,,nursery,0.75\n",
            &["to_service", "\"nursery\""],
        ),
        (
            "kindergarten,public,toddler,0.6,,childcare,0.75\n",
            &["field `to`", "\"toddler\""],
        ),
        (
            "kindergarten,public,inclusive,0.6,,childcare,0\n",
            &["ratio", "0"],
        ),
        (
            "kindergarten,public,inclusive,0.6,,childcare,-1\n",
            &["ratio", "-1"],
        ),
        (
            "kindergarten,public,inclusive,0.6,,childcare,NaN\n",
            &["ratio", "NaN"],
        ),
        (
            "kindergarten,public,inclusive,0.6,,childcare,1001\n",
            &["ratio", "1001"],
        ),
        (
            "kindergarten,public,inclusive,0.6,,childcare,lots\n",
            &["ratio", "\"lots\""],
        ),
        (
            "kindergarten,public,public,0.6,,kindergarten,\n",
            &["public -> public"],
        ),
    ];
    for (row, needles) in cases {
        let problems = problems_of(row);
        assert_eq!(problems.len(), 1, "{row:?}: {problems:#?}");
        let message = problems[0].to_string();
        for needle in ["conversions.csv", "row 2"].iter().chain(needles) {
            assert!(
                message.contains(needle),
                "{row:?}: {message:?} lacks {needle:?}"
            );
        }
    }
}

/// An edit of a scenario in code.
type Edit = fn(&mut Scenario);

/// A conversion edited in code into something no file could give is refused by name.
#[test]
fn a_conversion_edited_out_of_range_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_scenario(
        dir.path(),
        &children_spec("kindergarten,public,inclusive,0.6,,childcare,0.75\n"),
    );
    let scenario = Scenario::load(dir.path()).unwrap();
    let need =
        Need::from_projection(&scenario, &scenario.project(scenario.horizon()).unwrap()).unwrap();
    let edits: [(Edit, &str); 4] = [
        (
            |s| s.conversions[0].to_service = 9,
            "conversions[0].to_service",
        ),
        (|s| s.conversions[0].to = 9, "conversions[0].to"),
        (|s| s.conversions[0].ratio = 0.0, "conversions[0].ratio"),
        (
            |s| s.conversions[0].ratio = f64::NAN,
            "conversions[0].ratio",
        ),
    ];
    for (edit, expected) in edits {
        let mut edited = scenario.clone();
        edit(&mut edited);
        match popalloc::allocate::try_build_model(&edited, &need) {
            Err(Error::Inconsistent { field, .. }) => assert_eq!(field, expected),
            other => panic!("{expected}: {:?}", other.map(|_| "a model")),
        }
    }
}

/// The default Yuzhong plan, while the preschool cohort falls, adds at most 500
/// kindergarten places over 2021–2025 (1,693 before conversions to public places and
/// repurposing were offered) and meets the inclusive (≥ 88 %) and public (≥ 55 %) shares by
/// converting places; kindergarten rooms become nursery classes, and the memo says so.
#[test]
fn the_default_plan_reaches_the_kindergarten_shares_by_conversion() {
    let scenario = Scenario::yuzhong().unwrap();
    let need =
        Need::from_projection(&scenario, &scenario.project(scenario.horizon()).unwrap()).unwrap();
    let plan = match allocate(&scenario, &need, &AllocationOptions::default()).unwrap() {
        Allocation::Plan(plan) => plan,
        Allocation::Conflict(c) => panic!("{}", c.message),
    };
    let added = sum(&plan, |r| r.service == "kindergarten", |r| r.added);
    assert!(added <= 500.0, "{added} kindergarten places added");
    for id in [
        "inclusive_kindergarten_share_2025",
        "public_kindergarten_share_2025",
    ] {
        let target = plan.targets.iter().find(|t| t.id == id).unwrap();
        assert_eq!(target.status, popalloc::TargetStatus::Met, "{target:?}");
    }
    let kindergarten_given_up: f64 = plan
        .conversions()
        .iter()
        .filter(|c| c.service == "kindergarten" && c.from != "public")
        .map(|c| c.amount)
        .sum();
    assert!(kindergarten_given_up > 0.0);
    let nursery: Vec<_> = plan
        .conversions()
        .iter()
        .filter(|c| c.is_repurposing())
        .collect();
    assert!(!nursery.is_empty());
    for c in &nursery {
        assert_eq!(
            (c.service.as_str(), c.to_service.as_str()),
            ("kindergarten", "childcare")
        );
    }
    let memo = popalloc::report::projects::section(&scenario, &plan);
    assert!(memo.contains("kindergarten places into "), "{memo}");
    assert!(
        memo.contains("Kindergarten places → Childcare places"),
        "{memo}"
    );
}
