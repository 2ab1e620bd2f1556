//! The synthetic district shared by the allocation benchmark and the tests at scale, built
//! in code, deterministically: areas on a square grid, a base population from a formula per
//! area, Gompertz death rates, a gamma fertility schedule, Rogers–Castro migrants; Yuzhong's
//! six services with their variants, need rates, unit costs and ordinary → nursing
//! conversions; every service within a 5-minute walk (3.5 minutes per grid step), so that
//! each area reaches the 8 areas around it (fewer on the grid's edge). The targets are
//! Yuzhong's without `area_count`, so the model stays an LP.

use std::collections::BTreeMap;

use popalloc::scenario::file::{
    AreasSection, FertilitySection, MortalitySection, PopulationSection,
};
use popalloc::{
    Access, Area, Band, Budget, Comparison, Conversion, FertilityAssumption, MigrationAssumption,
    MigrationTiming, MortalityAssumption, Need, OMEGA, Population, RogersCastro, Scenario,
    ScenarioFile, Service, Sex, Target, TargetClass, TargetKind, TargetLevel, YearPath,
};

const BASE_YEAR: i32 = 2020;
const HORIZON: i32 = 2025;
/// Walking minutes per grid step between neighbouring areas' centroids.
const MINUTES_PER_STEP: f64 = 3.5;
/// Every synthetic service's radius: the 8 grid neighbours (diagonals at 4.95 minutes) are
/// within it, the next ring (7 minutes) is not.
const RADIUS_MINUTES: f64 = 5.0;

/// A number in [0, 1) from an area index and a salt, the same on every run (a hash, not a
/// random generator, so the instance does not depend on a crate's stream).
fn unit(a: usize, salt: u64) -> f64 {
    let mut x =
        (a as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt.wrapping_mul(0xD1B5_4A32_D192_ED03);
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 29;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// Gompertz death rates with a floor and an infant bump, female or male (× 1.25).
fn gompertz(sex: Sex) -> Vec<f64> {
    let level = if sex == Sex::Male { 1.25 } else { 1.0 };
    (0..=OMEGA)
        .map(|x| {
            let mx = 0.00003 * (0.092 * x as f64).exp() + if x == 0 { 0.002 } else { 0.0002 };
            level * mx
        })
        .collect()
}

/// Base population: each area 25,000–65,000 residents, an ageing profile (survivors of
/// a Gompertz table, thinner cohorts under 20) whose elderly share varies by area.
fn base_population(ids: &[String]) -> Population {
    let mut pop = Population::zeros(ids.to_vec(), 1, OMEGA + 1).unwrap();
    for a in 0..ids.len() {
        let residents = 25_000.0 + 40_000.0 * unit(a, 1);
        let ageing = 0.8 + 0.4 * unit(a, 2);
        for sex in Sex::ALL {
            let mx = gompertz(sex);
            let mut survivors = 1.0;
            let mut profile: Vec<f64> = (0..=OMEGA)
                .map(|x| {
                    let young = if x < 20 {
                        0.5 + 0.5 * x as f64 / 20.0
                    } else {
                        1.0
                    };
                    let old = if x >= 60 { ageing } else { 1.0 };
                    let here = survivors * young * old;
                    survivors *= (-mx[x]).exp();
                    here
                })
                .collect();
            let sum: f64 = profile.iter().sum();
            for v in &mut profile {
                *v *= residents / 2.0 / sum;
            }
            pop.series_mut(a, sex).copy_from_slice(&profile);
        }
    }
    pop
}

/// Centroids on a square grid near the equator, one grid step `MINUTES_PER_STEP` apart
/// at 4 km/h (0.0021° of latitude and longitude): each area reaches the 8 around it within
/// 5 minutes (a diagonal step is 4.95 minutes), and access holds points, not a matrix.
/// With districts of `per_district` areas, each district is a square grid of its own and
/// the districts lie on a grid of them two empty steps apart (7 minutes: no area reaches
/// into another district).
fn grid_access(areas: usize, per_district: usize) -> Access {
    let per_district = per_district.clamp(1, areas.max(1));
    let districts = areas.div_ceil(per_district);
    let side = (per_district as f64).sqrt().ceil() as usize;
    let district_side = (districts as f64).sqrt().ceil() as usize;
    let step_km = MINUTES_PER_STEP / 60.0 * 4.0;
    let step_degrees = (step_km / 6371.0).to_degrees();
    let centroids: Vec<(f64, f64)> = (0..areas)
        .map(|i| {
            let (d, j) = (i / per_district, i % per_district);
            let row = (d / district_side) * (side + 2) + j / side;
            let column = (d % district_side) * (side + 2) + j % side;
            (row as f64 * step_degrees, column as f64 * step_degrees)
        })
        .collect();
    Access::from_centroids(&centroids, 4.0, 1.0)
}

/// A service: (id, band index, need rate, variants).
type ServiceSpec<'a> = (&'a str, usize, f64, &'a [VariantSpec<'a>]);

/// A variant: (id, unit cost, base stock in each area as a share of the area's base-year
/// need of the service).
type VariantSpec<'a> = (&'a str, f64, f64);

/// A district-level target at the horizon: (id, service, kind, class, comparison, value,
/// variants counted).
type TargetSpec<'a> = (
    &'a str,
    usize,
    TargetKind,
    TargetClass,
    Comparison,
    f64,
    &'a [usize],
);

fn target(
    (id, service, kind, class, op, value, variants): TargetSpec<'_>,
    level: TargetLevel,
) -> Target {
    Target {
        id: id.into(),
        service,
        kind,
        class,
        year: HORIZON,
        level,
        op,
        value,
        variants: variants.to_vec(),
        band: None,
        min_per_area: 1.0,
        description: None,
    }
}

/// The synthetic scenario of `areas` areas and its need, projected 2020 → 2025: one
/// district, its targets district-wide.
pub fn synthetic(areas: usize) -> (Scenario, Need) {
    build(areas, areas)
}

/// The synthetic scenario of `districts` districts of `per_district` areas each (areas
/// `d00000`-grouped, e.g. group `d00003` holds areas 300–399 of 100 per district), apart
/// from one another: no area reaches into another district, and every target is measured
/// in each district (level `group`; the beds target is 30 per 1,000 aged 60+, a total
/// being the same number in every district). Its model falls into one block per district
/// and service.
pub fn synthetic_districts(districts: usize, per_district: usize) -> (Scenario, Need) {
    build(districts * per_district, per_district)
}

fn build(areas: usize, per_district: usize) -> (Scenario, Need) {
    let grouped = per_district < areas;
    let generated = || "(generated by tests/common/synthetic.rs)".to_string();
    let file = ScenarioFile {
        name: if grouped {
            format!(
                "Synthetic region of {} districts of {per_district} areas",
                areas / per_district.max(1)
            )
        } else {
            format!("Synthetic district of {areas} areas")
        },
        name_zh: None,
        base_year: BASE_YEAR,
        horizon: HORIZON,
        migration_timing: Some(MigrationTiming::Even),
        areas: AreasSection { file: generated() },
        population: PopulationSection { file: generated() },
        fertility: FertilitySection {
            sex_ratio_at_birth: 1.07,
            asfr: None,
            tfr: None,
            shape: None,
            mean_age: Some(30.0),
            sd: Some(5.5),
        },
        mortality: MortalitySection {
            mx: Some(generated()),
            e0: None,
            standard: None,
            beta: None,
        },
        migration: None,
        bands: Vec::new(),
        services: Vec::new(),
        stock: None,
        costs: None,
        budget: None,
        plan: None,
        caps: None,
        access: None,
        targets: Vec::new(),
        expectations: Vec::new(),
        provenance: BTreeMap::new(),
        uncertainty: None,
    };
    let ids: Vec<String> = (0..areas).map(|a| format!("area-{a:05}")).collect();
    let area_list = ids
        .iter()
        .enumerate()
        .map(|(a, id)| Area {
            id: id.clone(),
            code: None,
            name_zh: id.clone(),
            name_en: id.clone(),
            centroid: None,
            fertility_multiplier: 0.9 + 0.2 * unit(a, 3),
            mortality_multiplier: 0.9 + 0.2 * unit(a, 4),
            net_migration: -300.0 + 400.0 * unit(a, 5),
            group: grouped.then(|| format!("d{:05}", a / per_district)),
        })
        .collect();
    let bands = Band::defaults();
    let band = |name: &str| bands.iter().position(|b| b.name() == name).unwrap();
    let specs: [ServiceSpec<'_>; 6] = [
        (
            "elder_beds",
            band("elderly"),
            0.03,
            &[
                ("nursing_government", 15.0, 0.12),
                ("nursing_social", 12.0, 0.16),
                ("ordinary_government", 10.0, 0.24),
                ("ordinary_social", 8.0, 0.28),
            ],
        ),
        (
            "childcare",
            band("infants"),
            0.18,
            &[("inclusive", 2.0, 0.2), ("market", 1.5, 0.2)],
        ),
        (
            "kindergarten",
            band("preschool"),
            1.0,
            &[
                ("public", 4.0, 0.35),
                ("inclusive_private", 3.0, 0.25),
                ("private", 2.5, 0.15),
            ],
        ),
        ("primary", band("primary"), 1.0, &[("public", 6.0, 0.85)]),
        ("junior", band("junior"), 1.0, &[("public", 7.0, 0.8)]),
        ("senior", band("senior"), 1.0, &[("public", 8.0, 0.75)]),
    ];
    let base = base_population(&ids);
    let services = specs
        .iter()
        .map(|&(id, band_index, need_rate, variants)| {
            let need_now: Vec<f64> = (0..areas)
                .map(|a| need_rate * base.band_total(a, &bands[band_index]))
                .collect();
            Service {
                id: id.into(),
                name: id.into(),
                name_zh: None,
                unit: "place".into(),
                band: band_index,
                need_rate,
                radius_minutes: RADIUS_MINUTES,
                variants: variants.iter().map(|v| v.0.to_string()).collect(),
                min_addition: None,
                stated_baseline_per_1000: None,
                max_added_per_year: None,
                max_added_per_area_year: None,
                district_wide: false,
                provenance: None,
                project_cost: None,
                variant_caps: vec![vec![None; areas]; variants.len()],
                stock: variants
                    .iter()
                    .map(|&(_, _, share)| need_now.iter().map(|n| (share * n).round()).collect())
                    .collect(),
                add_cost: variants.iter().map(|v| v.1).collect(),
                // Street caps: half the base-year need, generous enough for every target.
                caps: need_now
                    .iter()
                    .map(|n| Some((0.5 * n).ceil() + 50.0))
                    .collect(),
            }
        })
        .collect();
    let conversions = vec![
        Conversion {
            service: 0,
            from: 2,
            to_service: 0,
            to: 0,
            ratio: 1.0,
            cost: 3.0,
            max_per_area: None,
            stock_only: false,
        },
        Conversion {
            service: 0,
            from: 3,
            to_service: 0,
            to: 1,
            ratio: 1.0,
            cost: 3.0,
            max_per_area: None,
            stock_only: false,
        },
    ];
    let mx = BTreeMap::from([(None, [gompertz(Sex::Female), gompertz(Sex::Male)])]);
    let mut scenario = Scenario {
        file,
        areas: area_list,
        base,
        bands: bands.clone(),
        fertility: popalloc::scenario::assumptions::FertilitySetting {
            schedule: FertilityAssumption::TfrGamma {
                tfr: YearPath::new(vec![(2020, 1.0), (2025, 0.9)]).unwrap(),
                mean_age: 30.0,
                sd: 5.5,
            },
            sex_ratio_at_birth: 1.07,
        },
        mortality: MortalityAssumption::Mx(mx),
        migration: MigrationAssumption {
            female_share: 0.5,
            schedule: RogersCastro::fundamental(),
            by_age: None,
        },
        services,
        conversions,
        budget: Budget::default(),
        plan_settings: popalloc::scenario::PlanSettings::default(),
        access: grid_access(areas, per_district),
        targets: Vec::new(),
        expectations: Vec::new(),
        uncertainty: popalloc::uncertainty::Uncertainty::default(),
        files_outside: Vec::new(),
    };
    let projection = scenario.project(HORIZON).unwrap();
    let need = Need::from_projection(&scenario, &projection).unwrap();
    let elderly: f64 = (0..areas)
        .map(|a| need.band_persons(band("elderly"), a, HORIZON).unwrap())
        .sum();
    use {Comparison::*, TargetClass::*, TargetKind::*};
    let beds = (0.03 * elderly).round();
    #[rustfmt::skip]
    let specs: [TargetSpec<'_>; 8] = [
        ("beds_2025", 0, Total, Expected, AtLeast, beds, &[0, 1, 2, 3]),
        ("nursing_share_2025", 0, Share, Binding, AtLeast, 0.6, &[0, 1]),
        ("government_share_2025", 0, Share, Binding, AtMost, 0.3, &[0, 2]),
        ("childcare_per_1000_2025", 1, PerCapita, Expected, AtLeast, 4.5, &[0, 1]),
        ("kindergarten_enrolment_2025", 2, Coverage, Expected, AtLeast, 1.0, &[0, 1, 2]),
        ("primary_retention_2025", 3, Coverage, Binding, AtLeast, 1.0, &[0]),
        ("junior_retention_2025", 4, Coverage, Binding, AtLeast, 1.0, &[0]),
        ("senior_enrolment_2025", 5, Coverage, Expected, AtLeast, 1.0, &[0]),
    ];
    let level = if grouped {
        TargetLevel::Group
    } else {
        TargetLevel::District
    };
    scenario.targets = specs.into_iter().map(|s| target(s, level)).collect();
    if grouped {
        let beds = &mut scenario.targets[0];
        beds.kind = PerCapita;
        beds.band = Some(band("elderly"));
        beds.value = 30.0;
    }
    (scenario, need)
}
