//! The default scenario's files, embedded in the crate (data/yuzhong/).

/// (file name, text) of every file of the Yuzhong scenario.
pub(crate) const YUZHONG: &[(&str, &str)] = &[
    (
        "scenario.toml",
        include_str!("../../data/yuzhong/scenario.toml"),
    ),
    ("areas.csv", include_str!("../../data/yuzhong/areas.csv")),
    (
        "base_population.csv",
        include_str!("../../data/yuzhong/base_population.csv"),
    ),
    ("tfr.csv", include_str!("../../data/yuzhong/tfr.csv")),
    (
        "fertility_shape.csv",
        include_str!("../../data/yuzhong/fertility_shape.csv"),
    ),
    ("e0.csv", include_str!("../../data/yuzhong/e0.csv")),
    (
        "mortality_standard.csv",
        include_str!("../../data/yuzhong/mortality_standard.csv"),
    ),
    ("stock.csv", include_str!("../../data/yuzhong/stock.csv")),
    ("costs.csv", include_str!("../../data/yuzhong/costs.csv")),
    (
        "conversions.csv",
        include_str!("../../data/yuzhong/conversions.csv"),
    ),
    ("caps.csv", include_str!("../../data/yuzhong/caps.csv")),
    (
        "census_2010.csv",
        include_str!("../../data/yuzhong/census_2010.csv"),
    ),
    (
        "census_2020.csv",
        include_str!("../../data/yuzhong/census_2020.csv"),
    ),
    (
        "vital_2010.csv",
        include_str!("../../data/yuzhong/vital_2010.csv"),
    ),
    ("SOURCES.md", include_str!("../../data/yuzhong/SOURCES.md")),
];
