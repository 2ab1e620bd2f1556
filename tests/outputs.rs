//! `popalloc run --out DIR`: every output file present, parseable, with the rows it should
//! have; the memo names every target.

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
    let out = Command::new(env!("CARGO_BIN_EXE_popalloc"))
        .args(["run", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
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
    let additions = svg("additions.svg");
    for label in ["elder_beds", "childcare", "解放碑 Jiefangbei"] {
        assert!(additions.contains(label), "additions.svg lacks {label}");
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
