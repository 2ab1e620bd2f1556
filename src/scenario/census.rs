//! `popalloc init DIR --census PATH [--code PREFIX]`: a scenario of the county-level units
//! of a census table, with their census base, WPP China mortality and fertility, no
//! migration and no services.

use std::fmt::Write as _;
use std::path::Path;

use crate::demography::census::{CensusSelection, census_population, read_census};
use crate::demography::life_table::LifeTable;
use crate::demography::population::Population;
use crate::demography::sex::Sex;
use crate::demography::tidy::csv_field;
use crate::error::{Error, Result};

/// WPP 2024 China, medium variant: total fertility 2020–2035 (children per woman), the
/// years of a census scenario's horizon ([`CENSUS_HORIZON_YEARS`] after 2020).
const WPP_CHINA_TFR: &str = "year,value
2020,1.235682
2021,1.11744
2022,1.034399
2023,0.999488
2024,1.012982
2025,1.020907
2026,1.030813
2027,1.037782
2028,1.045883
2029,1.051865
2030,1.06119
2031,1.068239
2032,1.076551
2033,1.082129
2034,1.088992
2035,1.09691
";

/// Years from a census scenario's base to its horizon: 2020 → 2035, the horizon of the
/// national plans (a 2010 table gives 2025).
pub const CENSUS_HORIZON_YEARS: i32 = 15;

/// WPP 2024 China sex ratio at birth, 2020 (males per female birth).
pub const WPP_CHINA_SRB: f64 = 1.112;

/// The embedded Yuzhong file named `name` (the WPP China schedules are shared with it).
fn embedded(name: &str) -> Result<&'static str> {
    super::embedded::YUZHONG
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
        .ok_or_else(|| Error::UnknownName {
            path: "data/yuzhong".into(),
            field: "embedded files".into(),
            what: "file",
            name: name.to_string(),
        })
}

/// The WPP 2024 China 2020–2025 life tables (single years 0..=100), by [`Sex::index`],
/// from the death rates embedded with the default scenario (`mortality_standard.csv`).
///
/// # Errors
///
/// None in practice (a test reads them); the errors of [`TidyTable::from_reader`](crate::TidyTable::from_reader) and
/// [`LifeTable::from_mx`].
///
/// # Examples
///
/// ```
/// let [female, male] = popalloc::scenario::census::wpp_china_life_tables()?;
/// assert!((female.life_expectancy() - 81.0).abs() < 0.1);
/// assert!((male.life_expectancy() - 75.4).abs() < 0.1);
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn wpp_china_life_tables() -> Result<[LifeTable; 2]> {
    let text = embedded("mortality_standard.csv")?;
    crate::scenario::load::life_tables_by_sex(text, std::path::Path::new("mortality_standard.csv"))
}

/// The area id of a census unit: `c` and its code (e.g. `c500103`).
fn area_id(code: &str) -> String {
    format!("c{code}")
}

/// What `popalloc init --census` wrote (see [`write_census_scenario`] for an example).
#[derive(Debug, Clone, PartialEq)]
pub struct CensusInit {
    /// The units selected, with their census counts.
    pub selection: CensusSelection,
    /// The base population written (single years), one area per unit.
    pub base: Population,
    /// The census year (2020 for a table with province and prefecture columns, else 2010).
    pub year: i32,
}

/// The files of a census scenario: (file name, text).
fn census_files(
    init: &CensusInit,
    census: &Path,
    prefix: Option<&str>,
) -> Result<Vec<(&'static str, String)>> {
    let units = &init.selection.units;
    let scope = match prefix {
        Some(p) => format!("the county-level units whose code starts with {p}"),
        None => "every county-level unit".to_string(),
    };
    let name_zh = match units.as_slice() {
        [one] => one.name.clone(),
        [first, ..] => format!("{}等{}个县级单位", first.name, units.len()),
        [] => String::new(),
    };
    let census_name = census
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let year = init.year;
    let mut toml = String::new();
    let _ = write!(
        toml,
        "# {scope} of the {year} census table {census_name}, written by `popalloc init --census`.
# Every number is explained in SOURCES.md. No migration and no services: add them to plan.
name = {name:?}
name_zh = {name_zh:?}
base_year = {year}          # census zero hour, 1 November [census]
horizon = {horizon}
migration_timing = \"even\"

[areas]
file = \"areas.csv\"          # one area per county-level unit, id = c + code, group = p + prefecture code

[population]
file = \"base_population.csv\"  # census counts by sex and group, graduated to single years [census; graduation: SOURCES.md]

[fertility]
sex_ratio_at_birth = {WPP_CHINA_SRB}      # WPP 2024 China, 2020 [WPP]
tfr = \"tfr.csv\"                # WPP 2024 China, medium variant, 2020-2035 [WPP]
shape = \"fertility_shape.csv\"  # WPP 2024 China percent ASFR, 2020-2025 [WPP]

[mortality]
mx = \"mortality_standard.csv\"  # WPP 2024 China 2020-2025 death rates, single years [WPP]

[provenance]
population = \"[census] {census_name}: {scope}, by sex and age group; single years by Sprague (closed groups) and the WPP China stationary population (85+)\"
fertility = \"[WPP] China TFR path and age shape\"
mortality = \"[WPP] China 2020-2025 death rates\"
migration = \"none: net migration 0 until an assumption is added\"
",
        name = format!("Census {year}: {scope}"),
        horizon = year + CENSUS_HORIZON_YEARS,
    );
    // Group: the prefecture (地级), the first four digits of the code, in which targets of
    // level "group" are measured.
    let mut areas = String::from("id,code,name_zh,name_en,group\n");
    for unit in units {
        let _ = writeln!(
            areas,
            "{},{},{},{},{}",
            area_id(&unit.code),
            unit.code,
            csv_field(&unit.name),
            unit.code,
            prefecture_group(&unit.code)
        );
    }
    let mut base = String::from("area,sex,age,value\n");
    for (a, id) in init.base.areas().iter().enumerate() {
        for sex in Sex::ALL {
            for (age, value) in init.base.series(a, sex).iter().enumerate() {
                // `{}` on f64 prints the shortest text that reads back to the same value.
                let _ = writeln!(base, "{id},{sex},{age},{value}");
            }
        }
    }
    let mut sources = format!(
        "# Sources of this scenario

Written by `popalloc init --census {census_name}`{code}: {scope}, {n} areas.

## Population [census]

`base_population.csv` is the resident population (常住人口) by sex and age group of the
national statistics bureau's county volume of the {year} census
(《中国人口普查分县资料-{year}》, China Statistics Press), read from `{census}`
(digitised by `leiii/census`; see that folder's SOURCES.md). The areas are the
`level = county` rows and the prefecture-level cities without counties (e.g. 东莞 441900);
province and other prefecture rows (sums of counties) are never used.

Graduation to single years 0..100 (100 = 100 and over), every group's sum kept:

- age 0 as published; ages 1–4 and the five-year groups 5-9 … 80-84 by Sprague's
  fifth-difference multipliers (a group that would get a negative year is blended with an
  even split just enough to avoid it);
- the open group 85+ over 85, 86, …, 99 and 100+ in proportion to the stationary
  population of the WPP 2024 China 2020–2025 life table of the same sex (L(x), and T(100)
  for 100+): the ages the group would have under those death rates with constant births.

Total: {total:.0} persons.
",
        code = prefix.map(|p| format!(" --code {p}")).unwrap_or_default(),
        n = units.len(),
        census = census.display(),
        total = init.base.total(),
    );
    if !init.selection.empty.is_empty() {
        let list: Vec<String> = init
            .selection
            .empty
            .iter()
            .map(|(code, name)| format!("{code} {name}"))
            .collect();
        let _ = write!(
            sources,
            "
Left out: {} unit(s) whose census age table is all zero (special zones that published
none): {}.
",
            list.len(),
            list.join(", ")
        );
    }
    sources.push_str(
        "
## Fertility and mortality [WPP]

United Nations, World Population Prospects 2024, China (country code 156), CC BY 3.0 IGO:

- `tfr.csv`: total fertility, medium variant, 2020–2035;
- `fertility_shape.csv`: percent age-specific fertility 2020–2025;
- sex ratio at birth 1.112 (2020);
- `mortality_standard.csv`: death rates 2020–2025 expanded to single years 0..100 (method
  in the default scenario's SOURCES.md, section 4), used as they are for every area.

These are national figures: a city's fertility is usually far lower and its life
expectancy higher. Adjust them before planning.

## Migration and services

None: net migration is 0 and no service is planned until they are added.
",
    );
    Ok(vec![
        ("scenario.toml", toml),
        ("areas.csv", areas),
        ("base_population.csv", base),
        ("tfr.csv", WPP_CHINA_TFR.to_string()),
        (
            "fertility_shape.csv",
            embedded("fertility_shape.csv")?.to_string(),
        ),
        (
            "mortality_standard.csv",
            embedded("mortality_standard.csv")?.to_string(),
        ),
        ("SOURCES.md", sources),
    ])
}

/// Whether a census table is the 2020 one (it has `province` and `prefecture` columns).
fn census_year(census: &Path) -> Result<i32> {
    let text = crate::input::open_input(census)?;
    let mut reader = csv::Reader::from_reader(text);
    let header = reader.headers().map_err(|source| Error::Csv {
        path: census.to_path_buf(),
        source,
    })?;
    let has = |name: &str| {
        header
            .iter()
            .any(|h| h.trim_start_matches('\u{feff}') == name)
    };
    Ok(if has("province") && has("prefecture") {
        2020
    } else {
        2010
    })
}

/// The group of a county-level unit: `p` and its prefecture's code, the first four
/// digits of its own (an empty group for a code too short to hold one).
///
/// # Examples
///
/// ```
/// use popalloc::scenario::census::prefecture_group;
/// assert_eq!(prefecture_group("500103"), "p5001"); // 渝中区 in 重庆市辖区
/// assert_eq!(prefecture_group("51"), "");
/// ```
pub fn prefecture_group(code: &str) -> String {
    match code.get(..4) {
        Some(prefix) if prefix.chars().all(|c| c.is_ascii_digit()) => format!("p{prefix}"),
        _ => String::new(),
    }
}

/// Writes a scenario of the county-level units of the census table `census` whose code
/// starts with `prefix` (every county-level unit when `None`) into `dir`, which must be
/// new or empty; the files appear all together or not at all.
///
/// The base year is 2020 for a table with `province` and `prefecture` columns
/// (`age_sex_2020.csv`), else 2010; the horizon [`CENSUS_HORIZON_YEARS`] (15) years later. Areas are named `c` and
/// their code (e.g. `c500103`); units whose age table is all zero are left out and listed
/// in SOURCES.md and in the result.
///
/// # Errors
///
/// The errors of [`read_census`];
/// [`Error::OutputFolder`] naming the files already in `dir`; [`Error::Io`] when it cannot
/// be written.
///
/// # Examples
///
/// ```
/// let dir = std::env::temp_dir().join(format!("popalloc-doc-census-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let table = dir.join("age_sex_2020.csv");
/// let mut csv = String::from("code,province,prefecture,name,level,sex,age,value\n");
/// for sex in ["male", "female"] {
///     for age in popalloc::demography::census::CENSUS_GROUPS {
///         csv.push_str(&format!("500103,重庆市,市辖区,渝中区,county,{sex},{age},1000\n"));
///     }
/// }
/// std::fs::write(&table, csv)?;
/// let out = dir.join("scenario");
/// let init = popalloc::scenario::census::write_census_scenario(&out, &table, Some("500103"))?;
/// assert_eq!(init.year, 2020);
/// let scenario = popalloc::Scenario::load(&out)?;
/// assert!((scenario.base.total() - 38_000.0).abs() < 1e-6);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_census_scenario(
    dir: impl AsRef<Path>,
    census: impl AsRef<Path>,
    prefix: Option<&str>,
) -> Result<CensusInit> {
    let census = census.as_ref();
    let selection = read_census(census, prefix)?;
    let year = census_year(census)?;
    let tables = wpp_china_life_tables()?;
    let person_years = [
        tables[0].person_years().to_vec(),
        tables[1].person_years().to_vec(),
    ];
    let ids: Vec<String> = selection.units.iter().map(|u| area_id(&u.code)).collect();
    let base = census_population(&selection.units, &ids, &person_years)?;
    let init = CensusInit {
        selection,
        base,
        year,
    };
    let files = census_files(&init, census, prefix)?;
    crate::report::output_folder::write_new_folder(dir.as_ref(), &files)?;
    Ok(init)
}
