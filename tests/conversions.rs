//! Conversions that make sense: only capacity that existed at the start of a year can be
//! converted in it.

use std::path::Path;

use popalloc::{Allocation, AllocationOptions, Need, Plan, Scenario, allocate};

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
    let mut mx = String::from("sex,age,value\n");
    for sex in ["female", "male"] {
        for age in 0..=100 {
            mx.push_str(&format!(
                "{sex},{age},{}\n",
                0.0005 * (0.08 * age as f64).exp()
            ));
        }
    }
    write("mx.csv", &mx);
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
