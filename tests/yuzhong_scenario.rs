//! The embedded default scenario: Yuzhong District (渝中区), 2020 census → 2025.

use popalloc::{Comparison, Scenario, Sex, TargetClass, TargetKind};

#[test]
fn loads_with_the_census_total_and_eleven_streets() {
    let s = Scenario::yuzhong().unwrap();
    assert_eq!(s.areas.len(), 11);
    // 588,717 at the 2020 census, to the person: every count is whole.
    assert!(
        (s.base.total() - 588_717.0).abs() < 1e-6,
        "{}",
        s.base.total()
    );
    let names: Vec<&str> = s.areas.iter().map(|a| a.name_zh.as_str()).collect();
    for name in [
        "七星岗",
        "解放碑",
        "两路口",
        "上清寺",
        "菜园坝",
        "南纪门",
        "朝天门",
        "大溪沟",
        "大坪",
        "化龙桥",
        "石油路",
    ] {
        assert!(names.contains(&name), "{name} missing");
    }
    // Street totals known from the census.
    for (id, total) in [("caiyuanba", 32_034.0), ("chaotianmen", 35_662.0)] {
        let i = s.base.area_index(id).unwrap();
        assert!((s.base.area_total(i) - total).abs() < 1e-6, "{id}");
    }
}

#[test]
fn the_2020_base_is_the_census_table_to_the_person() {
    let s = Scenario::yuzhong().unwrap();
    let district = s.base.aggregate("district");
    let census = popalloc::demography::census::read_census(
        concat!(env!("CARGO_MANIFEST_DIR"), "/data/yuzhong/census_2020.csv"),
        Some("500103"),
    )
    .unwrap();
    let unit = &census.units[0];
    assert_eq!(unit.total(), 588_717.0);
    let groups = popalloc::demography::census::CENSUS_GROUPS;
    for sex in Sex::ALL {
        let series = district.series(0, sex);
        for (g, label) in groups.iter().enumerate() {
            let group = popalloc::AgeGroup::parse(label).unwrap();
            let to = group.to.unwrap_or(popalloc::OMEGA);
            let sum: f64 = series[group.from..=to].iter().sum();
            let census_count = unit.counts[sex.index()][g];
            assert!(
                (sum - census_count).abs() < 1e-6,
                "{sex:?} {label}: {sum} in the scenario, {census_count} in the census"
            );
        }
    }
    // The figures the plan's bed ratio rests on: 116,320 aged 60+ (19.76 %), so the 1,915
    // beds of 2020 are 16.5 per 1,000 aged 60+ (the plan says 16).
    let elderly = &s.bands[s.band_index("elderly").unwrap()];
    let aged_60 = district.band_total(0, elderly);
    assert!((aged_60 - 116_320.0).abs() < 1e-6, "{aged_60}");
    let beds = s.services.iter().find(|x| x.id == "elder_beds").unwrap();
    let per_1000 = beds.baseline_per_1000(&s.base, &s.bands).unwrap();
    assert!((per_1000 - 16.463).abs() < 5e-4, "{per_1000}");
    assert_eq!(beds.stated_baseline_per_1000, Some(16.0));
}

#[test]
fn the_memo_states_the_baseline_from_the_census_beside_the_plans() {
    let s = Scenario::yuzhong().unwrap();
    let projection = s.project(s.horizon()).unwrap();
    let need = popalloc::Need::from_projection(&s, &projection).unwrap();
    let plan = popalloc::allocate(&s, &need, &popalloc::AllocationOptions::default()).unwrap();
    let memo = popalloc::report::memo::memo(&s, &projection, &need, &plan, "", &[]);
    assert!(
        memo.contains("| Elder-care beds | 1915 beds | elderly | 116320 | 16.5 | 16 |"),
        "{memo}"
    );
    // Each need row names its own source; senior high schools serve the whole district.
    assert!(
        memo.contains("(served district-wide) | [plan] senior secondary enrolment 100 %"),
        "{memo}"
    );
    assert!(memo.contains("(radius 15 walking minutes) | [estimate] 30 beds per 1,000 aged 60+"));
}

#[test]
fn the_2020_stock_is_the_plans() {
    let s = Scenario::yuzhong().unwrap();
    let beds = s.services.iter().find(|x| x.id == "elder_beds").unwrap();
    assert!((beds.total_stock() - 1915.0).abs() < 1e-9);
    let share = |prefix: &str, position_in_id: bool| -> f64 {
        let total: f64 = beds
            .variants
            .iter()
            .enumerate()
            .filter(|(_, v)| {
                if position_in_id {
                    v.starts_with(prefix)
                } else {
                    v.ends_with(prefix)
                }
            })
            .map(|(i, _)| beds.stock[i].iter().sum::<f64>())
            .sum();
        total / 1915.0
    };
    assert!(
        (share("nursing", true) - 0.374).abs() < 0.001,
        "nursing {}",
        share("nursing", true)
    );
    assert!(
        (share("government", false) - 0.40).abs() < 0.001,
        "government {}",
        share("government", false)
    );
    let childcare = s.services.iter().find(|x| x.id == "childcare").unwrap();
    assert!((childcare.total_stock() - (258.0 + 830.0)).abs() < 1e-9);
}

#[test]
fn every_plan_target_is_there_with_its_class() {
    let s = Scenario::yuzhong().unwrap();
    let find = |id: &str| {
        s.targets
            .iter()
            .find(|t| t.id == id)
            .unwrap_or_else(|| panic!("{id}"))
    };
    let cases = [
        (
            "elder_beds_2025",
            TargetKind::Total,
            TargetClass::Expected,
            Comparison::AtLeast,
            4000.0,
        ),
        (
            "nursing_share_2025",
            TargetKind::Share,
            TargetClass::Binding,
            Comparison::AtLeast,
            0.60,
        ),
        (
            "government_share_2025",
            TargetKind::Share,
            TargetClass::Binding,
            Comparison::AtMost,
            0.30,
        ),
        (
            "childcare_per_1000_2025",
            TargetKind::PerCapita,
            TargetClass::Expected,
            Comparison::AtLeast,
            4.5,
        ),
        (
            "inclusive_childcare_streets_2025",
            TargetKind::AreaCount,
            TargetClass::Expected,
            Comparison::AtLeast,
            0.60,
        ),
        (
            "kindergarten_enrolment_2025",
            TargetKind::Coverage,
            TargetClass::Expected,
            Comparison::AtLeast,
            1.0,
        ),
        (
            "inclusive_kindergarten_share_2025",
            TargetKind::Share,
            TargetClass::Expected,
            Comparison::AtLeast,
            0.88,
        ),
        (
            "public_kindergarten_share_2025",
            TargetKind::Share,
            TargetClass::Expected,
            Comparison::AtLeast,
            0.55,
        ),
        (
            "primary_retention_2025",
            TargetKind::Coverage,
            TargetClass::Binding,
            Comparison::AtLeast,
            1.0,
        ),
        (
            "junior_retention_2025",
            TargetKind::Coverage,
            TargetClass::Binding,
            Comparison::AtLeast,
            1.0,
        ),
        (
            "senior_enrolment_2025",
            TargetKind::Coverage,
            TargetClass::Expected,
            Comparison::AtLeast,
            1.0,
        ),
    ];
    for (id, kind, class, op, value) in cases {
        let t = find(id);
        assert_eq!(
            (t.kind, t.class, t.op, t.year),
            (kind, class, op, 2025),
            "{id}"
        );
        assert!((t.value - value).abs() < 1e-12, "{id}");
    }
    assert_eq!(s.targets.len(), cases.len());
    assert_eq!(s.expectations.len(), 2);
}

#[test]
fn init_then_load_gives_back_the_embedded_scenario() {
    let dir = std::env::temp_dir().join(format!("popalloc-init-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    Scenario::write_default(&dir).unwrap();
    let loaded = Scenario::load(&dir).unwrap();
    assert_eq!(loaded, Scenario::yuzhong().unwrap());
    // A second init refuses to overwrite.
    assert!(Scenario::write_default(&dir).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_projection_to_2025_is_plausible() {
    let s = Scenario::yuzhong().unwrap();
    let [female, male] = s.life_tables(2020).unwrap();
    let srb = s.fertility.sex_ratio_at_birth;
    let both = (female.life_expectancy() + srb * male.life_expectancy()) / (1.0 + srb);
    assert!((both - 80.78).abs() < 0.01, "2020 e0 both sexes {both}");
    let projection = s.project(2025).unwrap();
    let (_, end) = projection.horizon().unwrap();
    let district = end.aggregate("district");
    let elderly = &s.bands[s.band_index("elderly").unwrap()];
    let share = district.band_total(0, elderly) / district.total();
    assert!(share > 0.203 && share < 0.30, "60+ share in 2025 {share}");
    assert!(district.total() < 588_717.0 && district.total() > 500_000.0);
}
