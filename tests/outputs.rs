//! `popalloc run --out DIR`: every output file present, parseable, with the rows it should
//! have; the memo names every target.

mod common;

use std::process::Command;

use popalloc::Scenario;

fn rows(path: &std::path::Path) -> (Vec<String>, usize) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let records: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().unwrap();
    let count = records.len();
    (header, count)
}

#[test]
fn run_writes_every_output() {
    let dir = std::env::temp_dir().join(format!("popalloc-outputs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    common::run_ok(
        Command::new(env!("CARGO_BIN_EXE_popalloc"))
            .args(["run", "--out"])
            .arg(&dir),
    );
    let s = Scenario::yuzhong().unwrap();
    let (areas, services, bands) = (s.areas.len(), s.services.len(), s.bands.len());
    let variants: usize = s.services.iter().map(|x| x.variants.len()).sum();
    let dates = 6; // 2020 … 2025
    let years = 5; // planned years 2021 … 2025
    let expect = [
        (
            "projection.csv",
            "year,area,sex,age,value",
            dates * areas * 2 * 101,
        ),
        ("bands.csv", "year,area,band,value", dates * areas * bands),
        (
            "components.csv",
            "year,area,sex,births,deaths,migrants,control",
            years * areas * 2,
        ),
        (
            "need.csv",
            "year,area,service,need",
            years * areas * services,
        ),
        (
            "plan.csv",
            "year,area,service,variant,added,converted,capacity,need,served,coverage",
            years * areas * variants,
        ),
        (
            "targets.csv",
            "id,class,year,required,achieved,status,slack,dual",
            s.targets.len(),
        ),
    ];
    for (file, header, count) in expect {
        let (h, n) = rows(&dir.join(file));
        assert_eq!(h.join(","), header, "{file}");
        assert_eq!(n, count, "{file}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("plan.json")).unwrap()).unwrap();
    assert_eq!(json["base_year"], 2020);
    assert!(
        json["allocation"]["Plan"]["targets"]
            .as_array()
            .unwrap()
            .len()
            == s.targets.len()
    );
    let memo = std::fs::read_to_string(dir.join("report.md")).unwrap();
    for t in &s.targets {
        assert!(memo.contains(&t.id), "the memo does not name {}", t.id);
    }
    for heading in [
        "## The question",
        "## Assumptions",
        "## The projection",
        "## The plan",
        "## Binding targets",
        "## Caveats",
    ] {
        assert!(memo.contains(heading), "{heading}");
    }
    assert!(memo.contains("解放碑"));
    // The charts: well-formed SVG holding the expected series, linked from the memo.
    let svg = |file: &str| -> String {
        let text =
            std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        roxmltree::Document::parse(&text)
            .unwrap_or_else(|e| panic!("{file} is not well-formed: {e}"));
        assert!(
            memo.contains(&format!("]({file})")),
            "the memo does not link {file}"
        );
        text
    };
    let bands = svg("bands.svg");
    for band in ["elderly", "infants", "primary", "persons"] {
        assert!(bands.contains(band), "bands.svg lacks {band}");
    }
    // Services by name, one panel per unit; a service that adds nothing has no bars.
    let additions = svg("additions.svg");
    for label in [
        "Elder-care beds",
        "Childcare places (under 3)",
        "解放碑 Jiefangbei",
        "Units: beds",
        "Units: places",
    ] {
        assert!(additions.contains(label), "additions.svg lacks {label}");
    }
    // Each service is in the chart exactly when the plan adds at least half a unit of it.
    let plan_csv = std::fs::read_to_string(dir.join("plan.csv")).unwrap();
    for service in &s.services {
        let added: f64 = plan_csv
            .lines()
            .skip(1)
            .filter_map(|line| {
                let fields: Vec<&str> = line.split(',').collect();
                (fields[2] == service.id).then(|| fields[4].parse::<f64>().unwrap())
            })
            .sum();
        assert_eq!(
            additions.contains(&format!(">{}<", service.name))
                || additions.contains(&format!("> {}", service.name))
                || additions.contains(&service.name),
            added >= 0.5,
            "{}: {added} added",
            service.name
        );
    }
    let pyramid = svg("pyramid_district.svg");
    assert!(pyramid.contains("2020") && pyramid.contains("2025") && pyramid.contains("persons"));
    for area in &s.areas {
        svg(&format!("pyramid_{}.svg", area.id));
    }
    // No temporary files are left behind.
    assert!(
        std::fs::read_dir(&dir).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".tmp"))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn montecarlo_writes_quantiles_reliability_fans_and_a_memo_section() {
    let dir = std::env::temp_dir().join(format!("popalloc-mc-outputs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let run = |threads: &str, out: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_popalloc"))
            .args([
                "montecarlo",
                "--draws",
                "40",
                "--seed",
                "11",
                // At α ≤ 0.25 the default's street-quantile need for primary seats is
                // more than 110 a year can build: the plan conflicts (tests/chance.rs).
                "--alpha",
                "0.5",
            ])
            .args(["--threads", threads, "--out"])
            .arg(out)
            .output()
            .unwrap()
    };
    let out = run("2", &dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Monte Carlo: 40 draws, seed 11"), "{text}");
    assert!(text.contains("Plan at α = 0.5"), "{text}");
    assert!(text.contains("Cost of reliability"), "{text}");

    let s = Scenario::yuzhong().unwrap();
    let places = s.areas.len() + 1;
    let bands = s.bands.len() + 1;
    let statistics = 1 + 3; // mean, p10, p50, p90
    let (header, count) = rows(&dir.join("montecarlo_quantiles.csv"));
    assert_eq!(header.join(","), "year,area,band,statistic,value");
    assert_eq!(count, 6 * places * bands * statistics);
    let (header, count) = rows(&dir.join("montecarlo_draws.csv"));
    assert_eq!(
        header.join(","),
        "draw,tfr_factor,e0_shift,migration_factor"
    );
    assert_eq!(count, 40);
    let (header, count) = rows(&dir.join("reliability_targets.csv"));
    assert_eq!(header.join(","), "target,class,year,met_in_plan,share_met");
    assert_eq!(count, s.targets.len());
    let (_, count) = rows(&dir.join("reliability_curve.csv"));
    assert_eq!(count, 5); // 0.5, 0.25, 0.1, 0.05, 0.01
    for chart in ["fan_bands.svg", "reliability_cost.svg"] {
        let svg = std::fs::read_to_string(dir.join(chart)).unwrap();
        roxmltree::Document::parse(&svg).unwrap();
    }
    let fan = std::fs::read_to_string(dir.join("fan_bands.svg")).unwrap();
    for band in ["elderly", "infants", "primary"] {
        assert!(fan.contains(band), "{band} missing from the fan chart");
    }
    let memo = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(memo.contains("## Uncertainty"));
    assert!(memo.contains("(fan_bands.svg)"));
    assert!(memo.contains("share of draws met"));
    for t in &s.targets {
        assert!(memo.matches(t.id.as_str()).count() >= 2, "{}", t.id);
    }

    // The same seed at one thread writes the same bytes.
    let again = dir.with_extension("one-thread");
    let _ = std::fs::remove_dir_all(&again);
    assert!(run("1", &again).status.success());
    for file in [
        "montecarlo_quantiles.csv",
        "reliability_targets.csv",
        "reliability_streets.csv",
        "fan_bands.svg",
    ] {
        assert_eq!(
            std::fs::read(dir.join(file)).unwrap(),
            std::fs::read(again.join(file)).unwrap(),
            "{file}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&again).unwrap();
}

#[test]
fn sensitivity_prints_a_tornado_table_and_writes_its_charts() {
    let dir = std::env::temp_dir().join(format!("popalloc-sens-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = common::run_ok(
        Command::new(env!("CARGO_BIN_EXE_popalloc"))
            .args(["sensitivity", "--no-plan", "--out"])
            .arg(&dir),
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("TFR ±10 %"), "{text}");
    assert!(
        text.contains("解放碑 Jiefangbei: fertility ±10 %"),
        "{text}"
    );
    let (header, count) = rows(&dir.join("sensitivity.csv"));
    assert_eq!(
        header.join(","),
        "parameter,label,measure,baseline,low,high,swing"
    );
    let s = Scenario::yuzhong().unwrap();
    // 25 rows × (bands + total); no plan, so no cost or target measures.
    assert_eq!(count, (3 + 2 * s.areas.len()) * (s.bands.len() + 1));
    for (chart, moving) in [
        ("tornado_elderly.svg", "e0"),
        ("tornado_infants.svg", "TFR"),
    ] {
        let svg = std::fs::read_to_string(dir.join(chart)).unwrap();
        roxmltree::Document::parse(&svg).unwrap();
        assert!(svg.contains(moving), "{chart}");
    }
    // Five years on, the TFR cannot move the 60+: its row is left out, and counted.
    let elderly = std::fs::read_to_string(dir.join("tornado_elderly.svg")).unwrap();
    assert!(!elderly.contains("TFR"), "tornado_elderly.svg");
    assert!(elderly.contains("without effect not shown"));
    assert!(!dir.join("tornado_cost.svg").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
