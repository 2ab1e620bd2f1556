//! Identities of the cohort-component step: null rates give a pure shift of ages, equal
//! sexes stay equal, and the balancing identity
//! P(t+n) = P(t) + births − deaths + migrants (+ control) holds per area and sex.

use popalloc::{
    LifeTable, Migrants, MigrationTiming, Population, Projector, Sex, StepFlows, StepInput,
    StepRates,
};
use proptest::prelude::*;

/// Relative tolerance of the balancing identity (DESIGN §4: 1e-9).
const BALANCE_TOLERANCE: f64 = 1e-9;

fn gompertz_mx(level: f64) -> Vec<f64> {
    (0..=100)
        .map(|x| level * (0.09 * x as f64).exp() + if x == 0 { 0.003 } else { 0.0002 })
        .collect()
}

fn realistic_rates(tfr: f64, srb: f64) -> StepRates {
    let mx = gompertz_mx(0.00004);
    let female = LifeTable::from_mx(Sex::Female, &mx).unwrap();
    let male =
        LifeTable::from_mx(Sex::Male, &mx.iter().map(|m| m * 1.2).collect::<Vec<_>>()).unwrap();
    let mut asfr = vec![0.0; 101];
    for age in 15..50 {
        let z = (age as f64 - 29.0) / 5.0;
        asfr[age] = (-0.5 * z * z).exp();
    }
    let sum: f64 = asfr.iter().sum();
    asfr.iter_mut().for_each(|f| *f *= tfr / sum);
    StepRates::from_life_tables(&female, &male, asfr, srb).unwrap()
}

fn flat_population(areas: usize, level: f64) -> Population {
    let ids = (0..areas).map(|a| format!("street-{a}")).collect();
    let mut pop = Population::zeros(ids, 1, 101).unwrap();
    for a in 0..areas {
        for sex in Sex::ALL {
            for (x, v) in pop.series_mut(a, sex).iter_mut().enumerate() {
                *v = level * (1.0 + (x as f64 / 7.0).sin().abs()) * (1.0 + a as f64);
            }
        }
    }
    pop
}

fn assert_balanced(start: &Population, end: &Population, flows: &StepFlows) {
    for a in 0..start.area_count() {
        for sex in Sex::ALL {
            let i = a * 2 + sex.index();
            let before: f64 = start.series(a, sex).iter().sum();
            let after: f64 = end.series(a, sex).iter().sum();
            let change = flows.births[i] - flows.deaths[i] + flows.migrants[i] + flows.control[i];
            let scale = before.abs()
                + flows.births[i].abs()
                + flows.deaths[i].abs()
                + flows.migrants[i].abs()
                + flows.control[i].abs();
            assert!(
                (after - before - change).abs() <= BALANCE_TOLERANCE * scale.max(1.0),
                "area {a} {sex}: {after} != {before} + {change}"
            );
            assert!(flows.deaths[i] >= 0.0 && flows.unremoved[i] >= 0.0);
        }
    }
    assert!(end.values().iter().all(|v| *v >= 0.0 && v.is_finite()));
}

#[test]
fn null_rates_shift_ages_by_one() {
    let rates =
        StepRates::from_survival(vec![1.0; 101], vec![1.0; 101], vec![0.0; 101], 1.05).unwrap();
    let start = flat_population(2, 100.0);
    for timing in [MigrationTiming::Even, MigrationTiming::End] {
        let projector = Projector::new(1, 101, 2, timing).unwrap();
        let mut end = start.clone();
        let mut flows = StepFlows::zeros(2, 101).unwrap();
        let input = StepInput {
            rates: rates.clone(),
            migrants: Migrants::zeros(2, 101).unwrap(),
        };
        projector
            .step(&start, &input, &mut end, &mut flows)
            .unwrap();
        for a in 0..2 {
            for sex in Sex::ALL {
                let (p, e) = (start.series(a, sex), end.series(a, sex));
                assert_eq!(e[0], 0.0);
                for x in 1..100 {
                    assert_eq!(e[x], p[x - 1], "area {a} {sex} age {x}");
                }
                assert_eq!(e[100], p[99] + p[100]);
            }
        }
        assert!(flows.deaths.iter().chain(&flows.births).all(|v| *v == 0.0));
    }
}

#[test]
fn equal_sexes_stay_equal_when_srb_is_one() {
    let mx = gompertz_mx(0.00005);
    let female = LifeTable::from_mx(Sex::Female, &mx).unwrap();
    let survival = female.survival_ratios();
    let mut asfr = vec![0.0; 101];
    asfr[20..40].fill(0.08);
    let rates = StepRates::from_survival(survival.clone(), survival, asfr, 1.0).unwrap();
    let start = flat_population(1, 500.0);
    let mut migrants = Migrants::zeros(1, 101).unwrap();
    for sex in Sex::ALL {
        migrants.series_mut(0, sex)[25] = -40.0;
    }
    let projector = Projector::new(1, 101, 1, MigrationTiming::Even).unwrap();
    let projection = projector
        .project(&start, 2020, &vec![StepInput { rates, migrants }; 10], None)
        .unwrap();
    let (_, end) = projection.horizon().unwrap();
    assert_eq!(end.series(0, Sex::Female), end.series(0, Sex::Male));
    assert!(end.total() > 0.0);
}

#[test]
fn area_multipliers_scale_births_and_deaths() {
    let rates = realistic_rates(1.5, 1.06);
    let start = flat_population(3, 300.0);
    let base = Projector::new(1, 101, 3, MigrationTiming::Even).unwrap();
    let scaled = base
        .clone()
        .with_multipliers(vec![1.0, 2.0, 1.0], vec![1.0, 1.0, 1.5])
        .unwrap();
    let input = StepInput {
        rates,
        migrants: Migrants::zeros(3, 101).unwrap(),
    };
    let run = |p: &Projector| {
        let mut end = start.clone();
        let mut flows = StepFlows::zeros(3, 101).unwrap();
        p.step(&start, &input, &mut end, &mut flows).unwrap();
        (end, flows)
    };
    let (_, plain) = run(&base);
    let (end, flows) = run(&scaled);
    // Fertility × 2 doubles births exactly (exposure does not depend on births).
    for s in 0..2 {
        assert!(
            (flows.births[2 + s] - 2.0 * plain.births[2 + s]).abs() < 1e-9 * plain.births[2 + s]
        );
        assert!((flows.births[s] - plain.births[s]).abs() < 1e-12 * plain.births[s]);
    }
    // Mortality × 1.5 raises deaths.
    assert!(flows.deaths[4] > plain.deaths[4] * 1.2);
    assert_balanced(&start, &end, &flows);
}

#[test]
fn district_control_sums_to_the_district_and_is_booked() {
    let rates = realistic_rates(1.3, 1.07);
    let start = flat_population(3, 200.0);
    let projector = Projector::new(1, 101, 3, MigrationTiming::Even).unwrap();
    let steps = vec![
        StepInput {
            rates,
            migrants: Migrants::zeros(3, 101).unwrap(),
        };
        3
    ];
    let free = projector.project(&start, 2020, &steps, None).unwrap();
    // The district grows 2 % a year faster than the sum of its areas.
    let control: Vec<Population> = free.states[1..]
        .iter()
        .enumerate()
        .map(|(k, (_, p))| {
            let mut d = p.aggregate("district");
            d.values_mut()
                .iter_mut()
                .for_each(|v| *v *= 1.02f64.powi(k as i32 + 1));
            d
        })
        .collect();
    let controlled = projector
        .project(&start, 2020, &steps, Some(&control))
        .unwrap();
    for (k, (year, pop)) in controlled.states[1..].iter().enumerate() {
        let district = pop.aggregate("district");
        for (got, want) in district.values().iter().zip(control[k].values()) {
            assert!((got - want).abs() <= 1e-9 * want.max(1.0), "{year}");
        }
        let booked: f64 = controlled.flows[k].control.iter().sum();
        let before_control = pop.total() - booked;
        assert!(
            (booked / before_control - 0.02).abs() < 0.005,
            "{year}: booked {booked}"
        );
        assert_balanced(&controlled.states[k].1, pop, &controlled.flows[k]);
    }
}

#[test]
fn out_migration_beyond_the_population_is_reported_not_dropped() {
    let rates = realistic_rates(1.2, 1.05);
    let start = flat_population(1, 10.0);
    let mut migrants = Migrants::zeros(1, 101).unwrap();
    migrants.series_mut(0, Sex::Male)[30] = -1_000.0;
    for timing in [MigrationTiming::Even, MigrationTiming::End] {
        let projector = Projector::new(1, 101, 1, timing).unwrap();
        let mut end = start.clone();
        let mut flows = StepFlows::zeros(1, 101).unwrap();
        let input = StepInput {
            rates: rates.clone(),
            migrants: migrants.clone(),
        };
        projector
            .step(&start, &input, &mut end, &mut flows)
            .unwrap();
        assert!(
            flows.unremoved[1] > 900.0,
            "{timing:?}: {}",
            flows.unremoved[1]
        );
        assert_eq!(flows.unremoved[0], 0.0);
        assert!((flows.migrants[1] - (-1000.0 + flows.unremoved[1])).abs() < 1e-9);
        assert_balanced(&start, &end, &flows);
    }
}

/// Areas, groups, even timing, population, migrants, survival (both sexes), ASFR, SRB.
type Case = (
    usize,
    usize,
    bool,
    Vec<f64>,
    Vec<f64>,
    Vec<f64>,
    Vec<f64>,
    f64,
);

fn arbitrary_case() -> impl Strategy<Value = Case> {
    (1usize..4, 3usize..30, any::<bool>()).prop_flat_map(|(areas, groups, even)| {
        (
            Just(areas),
            Just(groups),
            Just(even),
            prop::collection::vec(0.0f64..5_000.0, areas * 2 * groups),
            prop::collection::vec(-3_000.0f64..3_000.0, areas * 2 * groups),
            prop::collection::vec(0.0f64..=1.0, 2 * groups),
            prop::collection::vec(0.0f64..0.3, groups),
            0.8f64..1.3,
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn balancing_identity_holds_per_area_and_sex(
        (areas, groups, even, population, migration, survival, fertility, srb) in arbitrary_case(),
        width in 1usize..=5,
    ) {
        let mut fertility = fertility;
        fertility[0] = 0.0;
        fertility[groups - 1] = 0.0;
        let rates = StepRates::from_survival(
            survival[..groups].to_vec(),
            survival[groups..].to_vec(),
            fertility,
            srb,
        ).unwrap();
        let ids = (0..areas).map(|a| format!("a{a}")).collect();
        let start = Population::from_values(ids, width, groups, population).unwrap();
        let timing = if even { MigrationTiming::Even } else { MigrationTiming::End };
        let projector = Projector::new(width, groups, areas, timing).unwrap();
        let input = StepInput { rates, migrants: Migrants::from_values(areas, groups, migration).unwrap() };
        let mut end = start.clone();
        let mut flows = StepFlows::zeros(areas, groups).unwrap();
        projector.step(&start, &input, &mut end, &mut flows).unwrap();
        assert_balanced(&start, &end, &flows);
    }
}
