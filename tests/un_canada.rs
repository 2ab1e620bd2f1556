//! Conformance: the UN Population Division's own single-year CCMPP run for Canada,
//! 1950 → 2020 (ccmppWPP). Inputs as its SOURCES.md says reproduce the published output:
//! the base population, the published survival ratios, ASFR, SRB, and the stored net
//! migrant counts divided by 1000, all migrants at the end of each step.

mod common;

use std::collections::BTreeMap;

use popalloc::{
    Migrants, MigrationTiming, Population, Projector, Sex, StepInput, StepRates, TidyTable,
    ValueRule,
};

const OMEGA: usize = 100;

fn by_year_sex(table: &TidyTable) -> BTreeMap<(i32, Sex), Vec<f64>> {
    table
        .schedules(OMEGA, |row| (row.year.unwrap(), row.sex.unwrap()))
        .unwrap()
}

#[test]
fn canada_1950_2020_every_year_sex_and_age() {
    let Some(dir) = common::shared_data("ccmppwpp-canada") else {
        return;
    };
    let read = |name: &str, rule| TidyTable::read(dir.join(name), rule).unwrap();
    let base = by_year_sex(&read("input_pop_base.csv", ValueRule::NonNegative));
    let survival = by_year_sex(&read("output_survival_ratio.csv", ValueRule::NonNegative));
    let migration = by_year_sex(&read("input_mig_net_count.csv", ValueRule::Finite));
    let asfr = read("input_asfr.csv", ValueRule::NonNegative)
        .schedules(OMEGA, |row| row.year.unwrap())
        .unwrap();
    let srb: BTreeMap<i32, f64> = read("input_srb.csv", ValueRule::NonNegative)
        .rows()
        .iter()
        .map(|r| (r.year.unwrap(), r.value))
        .collect();

    let mut values = base[&(1950, Sex::Female)].clone();
    values.extend_from_slice(&base[&(1950, Sex::Male)]);
    let start = Population::from_values(vec!["Canada".into()], 1, OMEGA + 1, values).unwrap();

    let steps: Vec<StepInput> = (1950..2020)
        .map(|year| {
            let rates = StepRates::from_survival(
                survival[&(year, Sex::Female)].clone(),
                survival[&(year, Sex::Male)].clone(),
                asfr[&year].clone(),
                srb[&year],
            )
            .unwrap();
            let mut m: Vec<f64> = migration[&(year, Sex::Female)]
                .iter()
                .map(|v| v / 1000.0)
                .collect();
            m.extend(migration[&(year, Sex::Male)].iter().map(|v| v / 1000.0));
            StepInput {
                rates,
                migrants: Migrants::from_values(1, OMEGA + 1, m).unwrap(),
            }
        })
        .collect();
    let projector = Projector::new(1, OMEGA + 1, 1, MigrationTiming::End).unwrap();
    let projection = projector.project(&start, 1950, &steps, None).unwrap();

    let mut max_relative: f64 = 0.0;
    let mut cells = 0;
    for row in common::read_csv(&dir.join("output_pop.csv")) {
        let sex = match row["sex"].as_str() {
            "female" => Sex::Female,
            "male" => Sex::Male,
            _ => continue,
        };
        let year: i32 = row["year"].parse().unwrap();
        let age: usize = row["age"].parse().unwrap();
        let want: f64 = row["value"].parse().unwrap();
        let got = projection.at(year).unwrap().get(0, sex, age).unwrap();
        let relative = (got - want).abs() / want.abs().max(1.0);
        assert!(
            relative <= 1e-6,
            "{year} {sex} age {age}: {got} vs published {want}"
        );
        max_relative = max_relative.max(relative);
        cells += 1;
    }
    assert_eq!(
        cells,
        71 * 2 * 101,
        "every year 1950-2020, both sexes, every age"
    );

    let mut births = 0;
    for row in common::read_csv(&dir.join("output_births_total.csv")) {
        let year: i32 = row["year"].parse().unwrap();
        let sex = if row["sex"] == "female" {
            0
        } else if row["sex"] == "male" {
            1
        } else {
            continue;
        };
        let want: f64 = row["value"].parse().unwrap();
        let flows = &projection.flows[(year - 1950) as usize];
        assert_eq!(flows.start_year, year);
        let got = flows.births[sex];
        assert!(
            (got - want).abs() / want <= 1e-6,
            "{year} births {sex}: {got} vs {want}"
        );
        births += 1;
    }
    assert_eq!(births, 70 * 2);
    eprintln!("UN Canada 1950-2020: {cells} cells, max relative error {max_relative:.2e}");
}
