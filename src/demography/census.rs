//! County census tables (《中国人口普查分县资料》) as a base population: reading the tidy
//! tables `age_sex_2020.csv` / `age_sex_2010.csv`, selecting units by code prefix, and
//! graduating the census's age groups to single years `0..=OMEGA`.
//!
//! The tables have one row per unit, sex and age group: `code, [province, prefecture,]
//! name, level, sex, age, value`, with the groups `0`, `1-4`, `5-9`, …, `80-84`, `85+`
//! ([`CENSUS_GROUPS`]) and `level` one of `province`, `prefecture`, `county`. The areas
//! are the `county` units, and the few prefecture-level cities that have no county under
//! them (their code's first four digits start no `county` row: 东莞 441900, 中山 442000,
//! 儋州 460400, 嘉峪关 620200, 三沙 460300 in 2020). Provinces and the other prefecture
//! rows are sums of counties and are never selected, so nothing is counted twice.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use crate::demography::graduation::{AgeGroup, graduate};
use crate::demography::population::{OMEGA, Population};
use crate::demography::sex::Sex;
use crate::demography::tidy::MAX_INPUT_VALUE;
use crate::error::{Error, Result};

/// The number of age groups of a census table (`0`, `1-4`, 16 five-year groups, `85+`).
pub const CENSUS_GROUP_COUNT: usize = 19;

/// The census's age groups, in order: `0`, `1-4`, `5-9`, …, `80-84`, `85+`.
///
/// ```
/// use popalloc::demography::census::{CENSUS_GROUPS, CENSUS_OPEN_AGE};
///
/// assert_eq!(CENSUS_GROUPS[1], "1-4");
/// assert_eq!(CENSUS_GROUPS.last(), Some(&"85+"));
/// assert_eq!(CENSUS_OPEN_AGE, 85);
/// ```
pub const CENSUS_GROUPS: [&str; CENSUS_GROUP_COUNT] = [
    "0", "1-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
    "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85+",
];

/// The first age of the census's open group (`85+`).
pub const CENSUS_OPEN_AGE: usize = 85;

/// The header a census table should have.
const EXPECTED: &str = "code,[province,prefecture,]name,level,sex,age,value";

/// One county-level unit of a census table: its code, name and counts by sex and group.
///
/// # Examples
///
/// ```
/// use popalloc::demography::census::read_census_from;
///
/// let mut csv = String::from("code,name,level,sex,age,value\n");
/// for sex in ["male", "female"] {
///     for age in ["0", "1-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39",
///         "40-44", "45-49", "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85+"]
///     {
///         csv.push_str(&format!("500103,渝中区,county,{sex},{age},100\n"));
///     }
/// }
/// let selection = read_census_from(csv.as_bytes(), "t.csv", Some("5001"))?;
/// let unit = &selection.units[0];
/// assert_eq!((unit.code.as_str(), unit.name.as_str()), ("500103", "渝中区"));
/// assert_eq!(unit.total(), 3_800.0);
/// # Ok::<(), popalloc::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CensusUnit {
    /// The 6-digit statistical code (区划代码).
    pub code: String,
    /// The unit's name as printed (Chinese).
    pub name: String,
    /// Persons by sex ([`Sex::index`]) and group (in the order of [`CENSUS_GROUPS`]).
    pub counts: [[f64; CENSUS_GROUP_COUNT]; 2],
}

impl CensusUnit {
    /// Every person of the unit.
    ///
    /// ```
    /// use popalloc::demography::census::CensusUnit;
    ///
    /// let unit = CensusUnit { code: "500103".into(), name: "渝中区".into(), counts: [[10.0; 19]; 2] };
    /// assert_eq!(unit.total(), 380.0);
    /// ```
    pub fn total(&self) -> f64 {
        self.counts.iter().flatten().sum()
    }
}

/// The county-level units of a census table under a code prefix.
///
/// # Examples
///
/// ```
/// use popalloc::demography::census::{CENSUS_GROUPS, read_census_from};
///
/// let mut csv = String::from("code,name,level,sex,age,value\n");
/// for (code, value) in [("370571", 50), ("370572", 0)] {
///     for sex in ["male", "female"] {
///         for age in CENSUS_GROUPS {
///             csv.push_str(&format!("{code},x,county,{sex},{age},{value}\n"));
///         }
///     }
/// }
/// let selection = read_census_from(csv.as_bytes(), "t.csv", Some("3705"))?;
/// assert_eq!(selection.units.len(), 1);
/// // A unit without an age table is listed, not made up.
/// assert_eq!(selection.empty, [("370572".to_string(), "x".to_string())]);
/// # Ok::<(), popalloc::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CensusSelection {
    /// The units with an age table, in file order.
    pub units: Vec<CensusUnit>,
    /// Units under the prefix whose every cell is 0 (special zones that published no age
    /// table), as `(code, name)`: they are left out of `units`, never given a made-up
    /// population.
    pub empty: Vec<(String, String)>,
}

/// Reads a county census table and keeps the county-level units whose code starts with
/// `prefix` (every county-level unit when `None`): the `county` rows and the prefecture-level
/// cities without counties (see the [module](self) documentation).
///
/// Every row of the file is checked, selected or not. Units whose 38 cells are all 0
/// are listed in [`CensusSelection::empty`] and left out.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be read or is not a regular file within the input
/// limit ([`open_input`](crate::input::open_input)); every error of [`read_census_from`].
pub fn read_census(path: impl AsRef<Path>, prefix: Option<&str>) -> Result<CensusSelection> {
    let path = path.as_ref();
    let file = crate::input::open_input(path)?;
    read_census_from(file, path, prefix)
}

/// Whether `prefix` is a code prefix: 1 to 6 ASCII digits.
fn is_code_prefix(prefix: &str) -> bool {
    (1..=6).contains(&prefix.len()) && prefix.bytes().all(|b| b.is_ascii_digit())
}

/// The level of a unit in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Province,
    Prefecture,
    County,
}

/// One parsed row.
struct CensusRow {
    code: String,
    name: String,
    level: Level,
    county: bool,
    sex: Sex,
    group: usize,
    value: f64,
}

fn parse_census_row(
    record: &csv::StringRecord,
    row: usize,
    path: &Path,
    columns: &[usize; 6],
) -> Result<CensusRow> {
    let [code_col, name_col, level_col, sex_col, age_col, value_col] = *columns;
    let field = |c: usize| record.get(c).unwrap_or("");
    let bad = |field: &'static str, value: &str, expected: &'static str| Error::BadField {
        path: path.to_path_buf(),
        row,
        field,
        value: value.to_string(),
        expected,
    };
    let code = field(code_col);
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("code", code, "a 6-digit statistical code"));
    }
    let level = match field(level_col) {
        "county" => Level::County,
        "prefecture" => Level::Prefecture,
        "province" => Level::Province,
        other => return Err(bad("level", other, "province, prefecture or county")),
    };
    let sex = field(sex_col)
        .parse::<Sex>()
        .map_err(|_| bad("sex", field(sex_col), "female or male"))?;
    let age = field(age_col);
    let group = CENSUS_GROUPS
        .iter()
        .position(|g| *g == age)
        .ok_or_else(|| bad("age", age, "a census group: 0, 1-4, 5-9, …, 80-84, 85+"))?;
    let text = field(value_col);
    let value: f64 = text
        .parse()
        .map_err(|_| bad("value", text, "a number of persons"))?;
    if !((0.0..=MAX_INPUT_VALUE).contains(&value) && value.fract() == 0.0) {
        return Err(Error::InvalidValue {
            path: path.to_path_buf(),
            row,
            what: "a census count",
            range: "a whole number of persons from 0 to 1e10",
            value,
        });
    }
    Ok(CensusRow {
        code: code.to_string(),
        name: field(name_col).to_string(),
        level,
        county: level == Level::County,
        sex,
        group,
        value,
    })
}

/// A unit being collected: its name, first row, and cells with the row each came from.
struct Collecting {
    county: bool,
    name: String,
    cells: [[Option<(f64, usize)>; CENSUS_GROUP_COUNT]; 2],
}

/// Reads a county census table from any reader; `path` names it in messages. See
/// [`read_census`].
///
/// # Errors
///
/// [`Error::InvalidParameter`] when `prefix` is not 1–6 digits; [`Error::Csv`] for
/// malformed CSV; [`Error::MissingColumn`] for a missing column; [`Error::BadField`] naming
/// the row, field and value for a code that is not 6 digits, an unknown level, sex or age
/// group, a value that is not a number, or a unit named differently on two rows;
/// [`Error::InvalidValue`] for a count that is negative, fractional or above 1e10;
/// [`Error::DuplicateCell`] and [`Error::MissingAge`] for an incomplete unit;
/// [`Error::UnknownArea`] when no county-level unit with an age table is under the prefix.
/// When several rows are wrong, [`Error::InvalidScenario`] lists them all.
pub fn read_census_from(
    reader: impl Read,
    path: impl AsRef<Path>,
    prefix: Option<&str>,
) -> Result<CensusSelection> {
    let path = path.as_ref().to_path_buf();
    if let Some(p) = prefix
        && !is_code_prefix(p)
    {
        return Err(Error::BadField {
            path: path.clone(),
            row: 0,
            field: "code",
            value: p.to_string(),
            expected: "a code prefix of 1 to 6 digits (e.g. 50, 5001, 500103)",
        });
    }
    let mut csv = crate::demography::tidy::CsvRows::open(reader, &path)?;
    let column = |name: &'static str| {
        csv.column(name).ok_or_else(|| Error::MissingColumn {
            path: path.clone(),
            column: name,
            expected: EXPECTED,
        })
    };
    let columns = [
        column("code")?,
        column("name")?,
        column("level")?,
        column("sex")?,
        column("age")?,
        column("value")?,
    ];
    let mut units: BTreeMap<String, Collecting> = BTreeMap::new();
    // The prefectures (first four digits of a code) that have county-level rows.
    let mut county_prefectures: std::collections::BTreeSet<String> = Default::default();
    let mut order: Vec<String> = Vec::new();
    let mut problems = Vec::new();
    csv.each(&mut problems, |record, row| {
        let parsed = parse_census_row(record, row, &path, &columns)?;
        if parsed.county {
            county_prefectures.insert(parsed.code[..4].to_string());
        }
        if parsed.level == Level::Province || !prefix.is_none_or(|p| parsed.code.starts_with(p)) {
            return Ok(());
        }
        let unit = units.entry(parsed.code.clone()).or_insert_with(|| {
            order.push(parsed.code.clone());
            Collecting {
                county: parsed.county,
                name: parsed.name.clone(),
                cells: [[None; CENSUS_GROUP_COUNT]; 2],
            }
        });
        if unit.name != parsed.name {
            return Err(Error::BadField {
                path: path.clone(),
                row,
                field: "name",
                value: parsed.name,
                expected: "the same name on every row of a unit",
            });
        }
        let cell = &mut unit.cells[parsed.sex.index()][parsed.group];
        if let Some((_, first_row)) = *cell {
            return Err(Error::DuplicateCell {
                path: path.clone(),
                row,
                first_row,
                area: parsed.code,
                sex: parsed.sex,
                age: CENSUS_GROUPS[parsed.group].to_string(),
            });
        }
        *cell = Some((parsed.value, row));
        Ok(())
    });
    // A row that could not be read leaves its unit incomplete: report the row only, not
    // the group it would have filled.
    crate::demography::tidy::every_problem(&path, std::mem::take(&mut problems))?;
    let mut selection = CensusSelection {
        units: Vec::new(),
        empty: Vec::new(),
    };
    for code in order {
        let Some(unit) = units.remove(&code) else {
            continue;
        };
        // A prefecture row is a sum of its counties, unless it has none (东莞 441900).
        if !unit.county && county_prefectures.contains(&code[..4]) {
            continue;
        }
        let mut counts = [[0.0; CENSUS_GROUP_COUNT]; 2];
        for sex in Sex::ALL {
            for (g, cell) in unit.cells[sex.index()].iter().enumerate() {
                match cell {
                    Some((value, _)) => counts[sex.index()][g] = *value,
                    None => problems.push(Error::MissingAge {
                        path: path.clone(),
                        area: code.clone(),
                        sex,
                        age: CENSUS_GROUPS[g].to_string(),
                    }),
                }
            }
        }
        if counts.iter().flatten().all(|&v| v == 0.0) {
            selection.empty.push((code, unit.name));
        } else {
            selection.units.push(CensusUnit {
                code,
                name: unit.name,
                counts,
            });
        }
    }
    crate::demography::tidy::every_problem(&path, problems)?;
    if selection.units.is_empty() {
        return Err(Error::UnknownArea {
            path,
            row: 0,
            area: format!(
                "{} (no county-level unit with an age table has a code starting so)",
                prefix.unwrap_or("")
            ),
        });
    }
    Ok(selection)
}

/// Splits the open group's `total` over the single ages `open_age..=OMEGA` in proportion
/// to the stationary population of a life table: `L(x)` for `open_age ≤ x < OMEGA` and
/// `T(OMEGA)` (the open interval's person-years) for `OMEGA+`.
///
/// This is the age structure the group would have if its cohorts had lived through the
/// table's death rates with constant births; it sums to `total` (to rounding) and falls
/// with age as `L(x)` does. `person_years` is the table's `L(x)` for `x = 0..=OMEGA`.
///
/// # Errors
///
/// [`Error::LengthMismatch`] when `person_years` does not have `OMEGA + 1` values or
/// `open_age > OMEGA`; [`Error::InvalidRate`] when a person-years value is negative or NaN,
/// or they are all zero over the open ages.
///
/// # Examples
///
/// ```
/// use popalloc::{LifeTable, OMEGA, Sex};
/// use popalloc::demography::census::split_open_group;
///
/// let mx: Vec<f64> = (0..=OMEGA).map(|x| 0.00003 * (0.095 * x as f64).exp() + 0.0002).collect();
/// let table = LifeTable::from_mx(Sex::Female, &mx)?;
/// let split = split_open_group(10_234.0, 85, table.person_years())?;
/// assert_eq!(split.len(), OMEGA - 85 + 1);
/// assert!((split.iter().sum::<f64>() - 10_234.0).abs() < 1e-9);
/// assert!(split.windows(2).take(14).all(|w| w[1] < w[0]));
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn split_open_group(total: f64, open_age: usize, person_years: &[f64]) -> Result<Vec<f64>> {
    if person_years.len() != OMEGA + 1 || open_age > OMEGA {
        return Err(Error::LengthMismatch {
            what: "person-years L(x) for the ages 0..=100 (open age at most 100)",
            expected: OMEGA + 1,
            found: person_years.len(),
        });
    }
    crate::error::check_non_negative("person-years L(x)", person_years)?;
    let weights = &person_years[open_age..];
    let sum: f64 = weights.iter().sum();
    if !(sum > 0.0 && sum.is_finite()) {
        return Err(Error::InvalidRate {
            schedule: "person-years L(x) over the open group",
            age: open_age,
            value: sum,
            range: "a positive finite sum",
        });
    }
    let mut split: Vec<f64> = weights.iter().map(|w| total * w / sum).collect();
    // Put the rounding residue on the largest cell, so the split sums to `total`.
    let residue = total - split.iter().sum::<f64>();
    split[0] += residue;
    Ok(split)
}

/// Graduates one sex of a census unit (counts by [`CENSUS_GROUPS`]) to single years
/// `0..=OMEGA`: the closed groups with [`graduate`] (Sprague's multipliers; age 0 kept,
/// ages 1–4 from the split of 0–4), the open `85+` group with [`split_open_group`] over
/// `person_years`. Every group's sum is kept.
///
/// # Errors
///
/// The errors of [`graduate`] and [`split_open_group`].
///
/// # Examples
///
/// ```
/// use popalloc::{LifeTable, OMEGA, Sex};
/// use popalloc::demography::census::graduate_census;
///
/// let mx: Vec<f64> = (0..=OMEGA).map(|x| 0.00003 * (0.095 * x as f64).exp() + 0.0002).collect();
/// let table = LifeTable::from_mx(Sex::Male, &mx)?;
/// let mut counts = [3_000.0; 19];
/// counts[0] = 600.0;
/// counts[1] = 2_400.0;
/// let singles = graduate_census(&counts, table.person_years())?;
/// assert_eq!(singles.len(), OMEGA + 1);
/// assert_eq!(singles[0], 600.0);
/// assert!((singles[85..].iter().sum::<f64>() - 3_000.0).abs() < 1e-9);
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn graduate_census(
    counts: &[f64; CENSUS_GROUP_COUNT],
    person_years: &[f64],
) -> Result<Vec<f64>> {
    let groups: Vec<AgeGroup> = CENSUS_GROUPS
        .iter()
        .filter_map(|g| AgeGroup::parse(g))
        .collect();
    let mut singles = graduate(&groups, counts)?;
    let open = counts[CENSUS_GROUP_COUNT - 1];
    singles.truncate(CENSUS_OPEN_AGE);
    singles.extend(split_open_group(open, CENSUS_OPEN_AGE, person_years)?);
    Ok(singles)
}

/// The base population of census units, by single year `0..=OMEGA`, one area per unit
/// with the ids `ids` (in the order of `units`). `person_years` holds the life table's
/// `L(x)` by sex ([`Sex::index`]), used to split the `85+` group.
///
/// # Errors
///
/// [`Error::LengthMismatch`] when `ids` and `units` differ in length; the errors of
/// [`graduate_census`] and [`Population::zeros`].
///
/// # Examples
///
/// ```
/// use popalloc::{LifeTable, OMEGA, Sex};
/// use popalloc::demography::census::{CensusUnit, census_population};
///
/// let mx: Vec<f64> = (0..=OMEGA).map(|x| 0.00003 * (0.095 * x as f64).exp() + 0.0002).collect();
/// let l = [
///     LifeTable::from_mx(Sex::Female, &mx)?.person_years().to_vec(),
///     LifeTable::from_mx(Sex::Male, &mx)?.person_years().to_vec(),
/// ];
/// let unit = CensusUnit { code: "500103".into(), name: "渝中区".into(), counts: [[100.0; 19]; 2] };
/// let pop = census_population(&[unit], &["c500103".into()], &l)?;
/// assert!((pop.total() - 3_800.0).abs() < 1e-6);
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn census_population(
    units: &[CensusUnit],
    ids: &[String],
    person_years: &[Vec<f64>; 2],
) -> Result<Population> {
    if ids.len() != units.len() {
        return Err(Error::LengthMismatch {
            what: "area ids vs census units",
            expected: units.len(),
            found: ids.len(),
        });
    }
    let mut pop = Population::zeros(ids.to_vec(), 1, OMEGA + 1)?;
    for (a, unit) in units.iter().enumerate() {
        for sex in Sex::ALL {
            let singles = graduate_census(&unit.counts[sex.index()], &person_years[sex.index()])?;
            pop.series_mut(a, sex).copy_from_slice(&singles);
        }
    }
    Ok(pop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demography::life_table::LifeTable;

    /// A Gompertz-like life table's person-years by sex.
    fn person_years() -> [Vec<f64>; 2] {
        let mx = |level: f64| -> Vec<f64> {
            (0..=OMEGA)
                .map(|x| level * (0.095 * x as f64).exp() + 0.0002)
                .collect()
        };
        [
            LifeTable::from_mx(Sex::Female, &mx(0.00003))
                .unwrap()
                .person_years()
                .to_vec(),
            LifeTable::from_mx(Sex::Male, &mx(0.00005))
                .unwrap()
                .person_years()
                .to_vec(),
        ]
    }

    /// A table row for unit `code`: `code,name,level,sex,age,value`.
    fn table(units: &[(&str, &str, &str, [[f64; CENSUS_GROUP_COUNT]; 2])]) -> String {
        let mut csv = String::from("code,name,level,sex,age,value\n");
        for (code, name, level, counts) in units {
            for sex in Sex::ALL {
                for (g, label) in CENSUS_GROUPS.iter().enumerate() {
                    csv.push_str(&format!(
                        "{code},{name},{level},{sex},{label},{}\n",
                        counts[sex.index()][g]
                    ));
                }
            }
        }
        csv
    }

    /// A jagged, realistic-looking census series (an urban core: few children, a bulge of
    /// young adults, many old).
    fn jagged() -> [f64; CENSUS_GROUP_COUNT] {
        [
            1_652.0, 9_301.0, 12_877.0, 10_210.0, 14_020.0, 27_344.0, 30_115.0, 26_880.0, 21_300.0,
            18_870.0, 22_140.0, 24_950.0, 23_001.0, 17_733.0, 14_204.0, 9_870.0, 6_021.0, 4_410.0,
            5_119.0,
        ]
    }

    #[test]
    fn graduation_keeps_every_group_and_the_open_split_falls_with_age() {
        let l = person_years();
        let counts = jagged();
        for sex in Sex::ALL {
            let singles = graduate_census(&counts, &l[sex.index()]).unwrap();
            assert_eq!(singles.len(), OMEGA + 1);
            assert!(singles.iter().all(|&v| v >= 0.0), "{singles:?}");
            let groups: Vec<AgeGroup> = CENSUS_GROUPS
                .iter()
                .map(|g| AgeGroup::parse(g).unwrap())
                .collect();
            for (g, group) in groups.iter().enumerate() {
                let last = group.to.unwrap_or(OMEGA);
                let sum: f64 = singles[group.from..=last].iter().sum();
                assert!(
                    (sum - counts[g]).abs() <= 1e-9,
                    "{sex} group {group}: {sum} vs {}",
                    counts[g]
                );
            }
            let open = &singles[CENSUS_OPEN_AGE..OMEGA];
            assert!(
                open.windows(2).all(|w| w[1] < w[0]),
                "{sex}: 85..99 not decreasing: {open:?}"
            );
        }
    }

    #[test]
    fn the_open_split_is_proportional_to_person_years() {
        let l = person_years();
        let split = split_open_group(1_000.0, 85, &l[0]).unwrap();
        let t85: f64 = l[0][85..].iter().sum();
        for (k, v) in split.iter().enumerate().skip(1) {
            assert!((v - 1_000.0 * l[0][85 + k] / t85).abs() < 1e-9);
        }
        assert!(matches!(
            split_open_group(1.0, 85, &l[0][..50]),
            Err(Error::LengthMismatch { .. })
        ));
        assert!(matches!(
            split_open_group(1.0, 85, &[0.0; OMEGA + 1]),
            Err(Error::InvalidRate { .. })
        ));
    }

    #[test]
    fn only_county_units_under_the_prefix_are_read_and_empty_ones_are_listed() {
        let units = [
            ("500000", "重庆市", "province", [jagged(); 2]),
            ("500100", "市辖区", "prefecture", [jagged(); 2]),
            ("500103", "渝中区", "county", [jagged(); 2]),
            (
                "500104",
                "大渡口区",
                "county",
                [[0.0; CENSUS_GROUP_COUNT]; 2],
            ),
            ("510104", "锦江区", "county", [jagged(); 2]),
            ("441900", "东莞市", "prefecture", [jagged(); 2]),
        ];
        let csv = table(&units);
        let selection = read_census_from(csv.as_bytes(), "t.csv", Some("5001")).unwrap();
        let codes: Vec<&str> = selection.units.iter().map(|u| u.code.as_str()).collect();
        assert_eq!(codes, ["500103"]);
        assert_eq!(selection.empty, [("500104".into(), "大渡口区".into())]);
        let all = read_census_from(csv.as_bytes(), "t.csv", None).unwrap();
        let codes: Vec<&str> = all.units.iter().map(|u| u.code.as_str()).collect();
        // A prefecture-level city without counties is an area; 500100 (with counties) is not.
        assert_eq!(codes, ["500103", "510104", "441900"]);
        let dongguan = read_census_from(csv.as_bytes(), "t.csv", Some("4419")).unwrap();
        assert_eq!(dongguan.units[0].name, "东莞市");
        let total: f64 = jagged().iter().sum::<f64>() * 2.0;
        assert_eq!(all.units[1].total(), total);
        // Nothing under a prefix: an error naming it.
        match read_census_from(csv.as_bytes(), "t.csv", Some("5002")) {
            Err(Error::UnknownArea { area, .. }) => assert!(area.starts_with("5002"), "{area}"),
            other => panic!("{other:?}"),
        }
        // Only a prefecture row under the prefix: no area either.
        assert!(read_census_from(csv.as_bytes(), "t.csv", Some("500100")).is_err());
        for bad in ["", "50a", "5001031"] {
            assert!(
                matches!(
                    read_census_from(csv.as_bytes(), "t.csv", Some(bad)),
                    Err(Error::BadField { field: "code", .. })
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn bad_rows_name_the_file_row_field_and_value() {
        let good = table(&[("500103", "渝中区", "county", [jagged(); 2])]);
        // Row 2 is the first data row (female, group 0).
        let with = |from: &str, to: &str| good.replacen(from, to, 1);
        let cases = [
            (
                with(
                    "500103,渝中区,county,female,0,",
                    "50010,渝中区,county,female,0,",
                ),
                "code",
                "50010",
            ),
            (with("county,female,0,", "town,female,0,"), "level", "town"),
            (with("county,female,0,", "county,woman,0,"), "sex", "woman"),
            (with("county,female,0,", "county,female,0-4,"), "age", "0-4"),
            (
                with("county,female,0,1652", "county,female,0,many"),
                "value",
                "many",
            ),
        ];
        for (csv, field, value) in cases {
            match read_census_from(csv.as_bytes(), "t.csv", None) {
                Err(Error::BadField {
                    path,
                    row,
                    field: f,
                    value: v,
                    ..
                }) => {
                    assert_eq!(
                        (path.to_str(), row, f, v.as_str()),
                        (Some("t.csv"), 2, field, value)
                    );
                }
                other => panic!("{field}: {other:?}"),
            }
        }
        for (text, value) in [("-5", -5.0), ("12.5", 12.5)] {
            let csv = with("county,female,0,1652", &format!("county,female,0,{text}"));
            match read_census_from(csv.as_bytes(), "t.csv", None) {
                Err(Error::InvalidValue {
                    row: 2, value: v, ..
                }) => assert_eq!(v, value),
                other => panic!("{text}: {other:?}"),
            }
        }
        // A unit with a missing group, and one with a group twice.
        let missing: String = good
            .lines()
            .filter(|l| !l.contains(",male,85+,"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(matches!(
            read_census_from(missing.as_bytes(), "t.csv", None),
            Err(Error::MissingAge { sex: Sex::Male, ref age, .. }) if age == "85+"
        ));
        let twice = format!("{good}500103,渝中区,county,male,0,5\n");
        assert!(matches!(
            read_census_from(twice.as_bytes(), "t.csv", None),
            Err(Error::DuplicateCell {
                row: 40,
                first_row: 21,
                ..
            })
        ));
        // Every bad row is listed.
        let two = with("county,female,0,", "county,woman,0,").replacen(",1-4,", ",1-5,", 1);
        match read_census_from(two.as_bytes(), "t.csv", None) {
            Err(Error::InvalidScenario { problems, .. }) => assert!(problems.len() >= 2),
            other => panic!("{other:?}"),
        }
        // A missing column.
        let no_level = good.replace("code,name,level,", "code,name,tier,");
        assert!(matches!(
            read_census_from(no_level.as_bytes(), "t.csv", None),
            Err(Error::MissingColumn {
                column: "level",
                ..
            })
        ));
    }

    #[test]
    fn census_population_graduates_every_unit() {
        let unit = |code: &str| CensusUnit {
            code: code.into(),
            name: "x".into(),
            counts: [jagged(), jagged()],
        };
        let l = person_years();
        let units = [unit("500103"), unit("500104")];
        let ids = ["c500103".to_string(), "c500104".to_string()];
        let pop = census_population(&units, &ids, &l).unwrap();
        for a in 0..2 {
            assert!((pop.area_total(a) - units[a].total()).abs() < 1e-6);
        }
        assert!(matches!(
            census_population(&units, &ids[..1], &l),
            Err(Error::LengthMismatch { .. })
        ));
    }
}
