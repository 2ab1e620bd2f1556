//! One-at-a-time sensitivity on the Yuzhong scenario: directions that demography fixes,
//! and the plan's cost responding to need.

use popalloc::Scenario;
use popalloc::uncertainty::{SensitivityOptions, sensitivity};

#[test]
fn every_assumption_moves_the_bands_the_way_demography_says() {
    let yuzhong = Scenario::yuzhong().unwrap();
    let options = SensitivityOptions {
        plan: false,
        ..Default::default()
    };
    let s = sensitivity(&yuzhong, &options).unwrap();
    // TFR, e0, migration and two multipliers for each of the 11 streets.
    assert_eq!(s.rows.len(), 3 + 2 * 11);
    let band = |name: &str| s.bands.iter().position(|b| b == name).unwrap();
    let (infants, elderly, total) = (band("infants"), band("elderly"), band("total"));
    let row = |p: &str| s.rows.iter().find(|r| r.parameter == p).unwrap();
    let base = &s.baseline.bands;

    let tfr = row("tfr");
    assert!(tfr.low.bands[infants] < base[infants] && base[infants] < tfr.high.bands[infants]);
    // Births do not reach age 60 in five years.
    assert_eq!(tfr.low.bands[elderly], base[elderly]);

    let e0 = row("e0");
    assert!(e0.low.bands[elderly] < base[elderly] && base[elderly] < e0.high.bands[elderly]);

    // Yuzhong loses residents to migration: more of it, fewer residents.
    let migration = row("migration");
    assert!(migration.high.bands[total] < migration.low.bands[total]);

    // A street's fertility moves the district's infants, its mortality the elderly the
    // other way.
    let f = row("fertility_multiplier:jiefangbei");
    assert!(f.low.bands[infants] < base[infants] && base[infants] < f.high.bands[infants]);
    let m = row("mortality_multiplier:jiefangbei");
    assert!(m.low.bands[elderly] > base[elderly] && base[elderly] > m.high.bands[elderly]);
    // One street moves the district less than the whole district does.
    assert!(
        (f.high.bands[infants] - base[infants]).abs()
            < (tfr.high.bands[infants] - base[infants]).abs()
    );
}

#[test]
fn the_plan_cost_follows_need() {
    let yuzhong = Scenario::yuzhong().unwrap();
    let options = SensitivityOptions {
        streets: false,
        ..Default::default()
    };
    let s = sensitivity(&yuzhong, &options).unwrap();
    let (base, rows) = s.measure("cost").unwrap();
    assert!(base > 0.0);
    let e0 = &rows[1];
    // Longer lives, more elderly, more beds to add.
    assert!(e0.low < base && base < e0.high, "{e0:?} vs {base}");
    // Every target has a row for every measure.
    assert!(
        s.measures()
            .iter()
            .any(|m| m.starts_with("target:nursing_share"))
    );
    assert_eq!(s.baseline.targets.len(), yuzhong.targets.len());
}
