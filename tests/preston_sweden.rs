//! Conformance: Preston, Heuveline & Guillot (2001), Box 6.2 — Sweden 1993 → 1998, females,
//! five-year groups and steps, "even" migration, SRB 1.05, the female life table for both
//! sexes. Every published figure is a whole person; we must agree within 0.5.

mod common;

use popalloc::{
    Migrants, MigrationTiming, Population, Projector, Sex, StepInput, StepRates, survival_ratios,
};

fn column(rows: &[std::collections::HashMap<String, String>], name: &str) -> Vec<f64> {
    rows.iter().map(|r| r[name].parse().unwrap()).collect()
}

#[test]
fn sweden_1993_box_6_2() {
    let Some(dir) = common::shared_data("ccmppwpp-canada") else {
        return;
    };
    let rows = common::read_csv(&dir.join("sweden_1993_preston.csv"));
    let groups = rows.len();
    assert_eq!(groups, 18, "0-4 … 80-84, 85+");
    let start = column(&rows, "P0F");
    let person_years = column(&rows, "LxF");
    let net_migrants = column(&rows, "NMxF");
    let asfr = column(&rows, "asfr");
    let published_births = column(&rows, "Bx");
    let published_female = column(&rows, "PzF");
    let published_male = column(&rows, "PzM");

    let survival = survival_ratios(100_000.0, &person_years, 5).unwrap();
    let rates = StepRates::from_survival(survival.clone(), survival, asfr, 1.05).unwrap();
    let mut values = start.clone();
    values.extend_from_slice(&start);
    let base = Population::from_values(vec!["Sweden".into()], 5, groups, values).unwrap();
    let mut migrant_values = net_migrants.clone();
    migrant_values.extend_from_slice(&net_migrants);
    let migrants = Migrants::from_values(1, groups, migrant_values).unwrap();

    let projector = Projector::new(5, groups, 1, MigrationTiming::Even).unwrap();
    let projection = projector
        .project(&base, 1993, &[StepInput { rates, migrants }], None)
        .unwrap();
    let end = projection.at(1998).unwrap();

    for (age, want) in published_female.iter().enumerate() {
        let got = end.get(0, Sex::Female, age).unwrap();
        assert!(
            (got - want).abs() <= 0.5,
            "female group {age}: {got} vs published {want}"
        );
    }
    let male_0_4 = end.get(0, Sex::Male, 0).unwrap();
    assert!((male_0_4 - 317_340.0).abs() <= 0.5, "male 0-4: {male_0_4}");
    assert!((male_0_4 - published_male[0]).abs() <= 0.5);

    let births = projection.flows[0].births_by_mother_age(0);
    let mut compared = 0;
    for (age, want) in published_births.iter().enumerate() {
        if *want > 0.0 {
            assert!(
                (births[age] - want).abs() <= 0.5,
                "births to mothers in group {age}: {} vs {want}",
                births[age]
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 7, "mothers aged 15-19 … 45-49");
}
