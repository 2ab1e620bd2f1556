//! The embedded default scenario: Yuzhong District (渝中区), 2020 census → 2025.

use popalloc::{Comparison, Scenario, TargetClass, TargetKind};

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
fn the_2020_elderly_share_is_what_the_plan_implies() {
    let s = Scenario::yuzhong().unwrap();
    let district = s.base.aggregate("district");
    let elderly = &s.bands[s.band_index("elderly").unwrap()];
    let share = district.band_total(0, elderly) / district.total();
    assert!((share - 0.203).abs() <= 0.0005, "60+ share {share}");
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
    let srb = s.fertility.1;
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
