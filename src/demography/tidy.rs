//! Tidy CSV: one row per cell, `area,sex,age,value` (plus `year` where values vary by year).
//!
//! Ages are single years `0..=ω` where the largest age is the open group ("100" means 100+),
//! or age-group labels `0`, `1-4`, `5-9`, …, `95-99`, `100+` (or `0-4`, `5-9`, …), which
//! [`read_population`] graduates to single years (see [`graduate`]).

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::demography::graduation::{AgeGroup, graduate};
use crate::demography::migration::Migrants;
use crate::demography::population::Population;
use crate::demography::sex::Sex;
use crate::error::{Error, Result};

/// The largest magnitude of any number in an input table: ten billion (more persons than
/// live on Earth in one cell, more units or yuan than any plan holds). Beyond it, sums
/// over a projection and a plan could leave the finite numbers; a value of 1e308 once
/// ended as `inf` in the outputs.
pub const MAX_INPUT_VALUE: f64 = 1e10;

/// Which values a column may hold (every value also within ±[`MAX_INPUT_VALUE`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueRule {
    /// Finite and ≥ 0 (counts, rates).
    NonNegative,
    /// Any finite number (net migrants).
    Finite,
}

/// One row of a tidy file, with its position for error messages.
#[derive(Debug, Clone, PartialEq)]
pub struct TidyRow {
    /// The row number, 1-based, the header being row 1.
    pub row: usize,
    /// The `year` column, when the file has one.
    pub year: Option<i32>,
    /// The `area` column, when the file has one.
    pub area: Option<String>,
    /// The `sex` column, when the file has one.
    pub sex: Option<Sex>,
    /// The `age` column, when the file has one.
    pub age: Option<AgeGroup>,
    /// The `value` column.
    pub value: f64,
}

/// A tidy table read from one file: its rows and its name for messages.
///
/// # Examples
///
/// ```
/// use popalloc::{TidyTable, ValueRule};
///
/// let text = "year,sex,age,value\n2020,female,0,0.002\n2020,female,1,0.0003\n";
/// let table = TidyTable::from_reader(text.as_bytes(), "mx.csv", ValueRule::NonNegative).unwrap();
/// assert_eq!(table.rows().len(), 2);
/// assert_eq!(table.rows()[1].row, 3);
/// ```
#[derive(Debug, Clone)]
pub struct TidyTable {
    path: PathBuf,
    rows: Vec<TidyRow>,
}

const EXPECTED: &str = "[year,][area,][sex,][age,]value";

/// `Ok` when no problem was found; the problem itself when there is one; every one, listed
/// in [`Error::InvalidScenario`] under `path`, when there are more.
pub(crate) fn every_problem(path: &Path, problems: Vec<Error>) -> Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(one_error(path, problems))
    }
}

/// The problems found as one error: the problem itself when there is one, else all of them
/// in [`Error::InvalidScenario`] under `path`.
fn one_error(path: &Path, mut problems: Vec<Error>) -> Error {
    if problems.len() == 1 {
        problems.remove(0)
    } else {
        Error::InvalidScenario {
            path: path.to_path_buf(),
            problems,
        }
    }
}

/// Parses one record of a tidy table; `columns` are the year, area, sex, age and value
/// columns (a missing one is `None`).
fn parse_row(
    record: &csv::StringRecord,
    row: usize,
    path: &Path,
    rule: ValueRule,
    columns: [Option<usize>; 5],
) -> Result<TidyRow> {
    let [year_col, area_col, sex_col, age_col, value_col] = columns;
    let field = |col: Option<usize>| col.and_then(|c| record.get(c));
    let bad = |field: &'static str, value: &str, expected: &'static str| Error::BadField {
        path: path.to_path_buf(),
        row,
        field,
        value: value.to_string(),
        expected,
    };
    let year = match field(year_col) {
        Some(text) => Some(
            text.parse::<i32>()
                .map_err(|_| bad("year", text, "a whole year"))?,
        ),
        None => None,
    };
    let area = match field(area_col) {
        Some("") => return Err(bad("area", "", "an area id")),
        Some(text) => Some(text.to_string()),
        None => None,
    };
    let sex = match field(sex_col) {
        Some(text) => Some(
            text.parse::<Sex>()
                .map_err(|_| bad("sex", text, "female or male"))?,
        ),
        None => None,
    };
    let age = match field(age_col) {
        Some(text) => Some(AgeGroup::parse(text).ok_or_else(|| {
            bad(
                "age",
                text,
                "an age (37), a group (5-9) or an open group (100+)",
            )
        })?),
        None => None,
    };
    let text = field(value_col).unwrap_or("");
    let value: f64 = text.parse().map_err(|_| bad("value", text, "a number"))?;
    let ok = value.abs() <= MAX_INPUT_VALUE
        && match rule {
            ValueRule::NonNegative => value >= 0.0,
            ValueRule::Finite => true,
        };
    if !ok {
        return Err(Error::InvalidValue {
            path: path.to_path_buf(),
            row,
            what: "a value",
            range: match rule {
                ValueRule::NonNegative => "a count or rate from 0 to 1e10",
                ValueRule::Finite => "a number from -1e10 to 1e10",
            },
            value,
        });
    }
    Ok(TidyRow {
        row,
        year,
        area,
        sex,
        age,
        value,
    })
}

impl TidyTable {
    /// Reads a tidy CSV file.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be read or is not a regular file within the
    /// input limit ([`open_input`](crate::input::open_input)), and every error of
    /// [`TidyTable::from_reader`].
    pub fn read(path: impl AsRef<Path>, rule: ValueRule) -> Result<Self> {
        let path = path.as_ref();
        let file = crate::input::open_input(path)?;
        Self::from_reader(file, path, rule)
    }

    /// Reads tidy CSV from any reader; `path` names it in messages.
    ///
    /// # Errors
    ///
    /// [`Error::Csv`] for malformed CSV, [`Error::MissingColumn`] without a `value` column,
    /// [`Error::DuplicateName`] for a column named twice in the header, [`Error::BadField`] for a field that cannot be parsed (an unknown sex, an age label
    /// that is not an age), [`Error::InvalidValue`] for a value that breaks `rule`. Every
    /// row is read: when more than one row has a problem, [`Error::InvalidScenario`] lists
    /// them all (named by this file).
    pub fn from_reader(reader: impl Read, path: impl AsRef<Path>, rule: ValueRule) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let mut csv = CsvRows::open(reader, &path)?;
        let column = |name: &str| csv.column(name);
        let (year_col, area_col, sex_col, age_col) =
            (column("year"), column("area"), column("sex"), column("age"));
        let value_col = column("value").ok_or_else(|| Error::MissingColumn {
            path: path.clone(),
            column: "value",
            expected: EXPECTED,
        })?;
        let mut rows = Vec::new();
        let mut problems = Vec::new();
        csv.each(&mut problems, |record, row| {
            parse_row(
                record,
                row,
                &path,
                rule,
                [year_col, area_col, sex_col, age_col, Some(value_col)],
            )
            .map(|parsed| rows.push(parsed))
        });
        every_problem(&path, problems)?;
        Ok(Self { path, rows })
    }

    /// The rows, in file order.
    pub fn rows(&self) -> &[TidyRow] {
        &self.rows
    }

    /// The file's name as used in messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Collects the rows into complete single-year age schedules, one per key, where the
    /// key is whatever `key` makes of a row (e.g. its year and sex). Every key must have
    /// every age `0..=omega` exactly once, as plain single ages.
    ///
    /// # Errors
    ///
    /// [`Error::MissingColumn`] without an `age` column, [`Error::BadAgeGroups`] for an age
    /// group label or an age above `omega`, [`Error::DuplicateCell`] and
    /// [`Error::MissingAge`] for incomplete tables; [`Error::TooLarge`] when the ages
    /// `0..=omega` cannot be counted or held in memory.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{TidyTable, ValueRule};
    ///
    /// let text = "year,age,value\n2020,0,0\n2020,1,0.05\n2020,2,0\n";
    /// let table = TidyTable::from_reader(text.as_bytes(), "asfr.csv", ValueRule::NonNegative).unwrap();
    /// let by_year = table.schedules(2, |row| row.year).unwrap();
    /// assert_eq!(by_year[&Some(2020)], vec![0.0, 0.05, 0.0]);
    /// ```
    pub fn schedules<K: Ord + Clone + std::fmt::Debug>(
        &self,
        omega: usize,
        key: impl Fn(&TidyRow) -> K,
    ) -> Result<BTreeMap<K, Vec<f64>>> {
        const AGES: &str = "ages 0..=omega of a schedule";
        let ages = crate::size::through(AGES, omega)?;
        let mut found: BTreeMap<K, Vec<Option<usize>>> = BTreeMap::new();
        let mut out: BTreeMap<K, Vec<f64>> = BTreeMap::new();
        for row in &self.rows {
            let age = match row.age {
                Some(AgeGroup { from, to: Some(to) }) if from == to && from <= omega => from,
                Some(AgeGroup { from, to: None }) if from == omega => from,
                Some(group) => {
                    return Err(Error::BadAgeGroups {
                        path: self.path.clone(),
                        omega,
                        problem: format!(
                            "row {}: age {group} is not a single age in 0..={omega}",
                            row.row
                        ),
                    });
                }
                None => {
                    return Err(Error::MissingColumn {
                        path: self.path.clone(),
                        column: "age",
                        expected: EXPECTED,
                    });
                }
            };
            let k = key(row);
            let seen = match found.entry(k.clone()) {
                Entry::Occupied(entry) => entry.into_mut(),
                Entry::Vacant(entry) => entry.insert(crate::size::filled(AGES, ages, None)?),
            };
            if let Some(first_row) = seen[age] {
                return Err(Error::DuplicateCell {
                    path: self.path.clone(),
                    row: row.row,
                    first_row,
                    area: format!("{k:?}"),
                    sex: row.sex.unwrap_or(Sex::Female),
                    age: age.to_string(),
                });
            }
            seen[age] = Some(row.row);
            let schedule = match out.entry(k) {
                Entry::Occupied(entry) => entry.into_mut(),
                Entry::Vacant(entry) => entry.insert(crate::size::filled(AGES, ages, 0.0)?),
            };
            schedule[age] = row.value;
        }
        for (k, seen) in &found {
            if let Some(age) = seen.iter().position(Option::is_none) {
                return Err(Error::MissingAge {
                    path: self.path.clone(),
                    area: format!("{k:?}"),
                    sex: Sex::Female,
                    age: age.to_string(),
                });
            }
        }
        Ok(out)
    }
}

/// Reads a base population from a tidy `area,sex,age,value` file (a `year` column, if
/// present, must hold one year). Ages may be single years `0..=100` (100 = 100+) or
/// five-year groups with an open group, which are graduated to single years.
///
/// Areas keep the order of their first appearance.
///
/// # Errors
///
/// Every error of [`TidyTable::read`]; [`Error::NegativeCount`](Error::InvalidValue) for a
/// negative count; [`Error::DuplicateCell`]; [`Error::MissingAge`] for a ragged table (an
/// area or sex without some age, or without a sex at all); [`Error::BadAgeGroups`] when the
/// ages do not tile 0..ω+.
pub fn read_population(path: impl AsRef<Path>) -> Result<Population> {
    let table = TidyTable::read(path, ValueRule::NonNegative)?;
    population_from_table(&table)
}

/// As [`read_population`], from any reader; `path` names the source in messages.
///
/// # Errors
///
/// As [`read_population`].
///
/// # Examples
///
/// ```
/// use popalloc::{Sex, read_population_from};
///
/// let mut text = String::from("area,sex,age,value\n");
/// for sex in ["female", "male"] {
///     for age in 0..=100 {
///         text.push_str(&format!("Daping,{sex},{age},{}\n", 1000 - age * 5));
///     }
/// }
/// let pop = read_population_from(text.as_bytes(), "base.csv").unwrap();
/// assert_eq!(pop.get(0, Sex::Male, 100), Some(500.0));
/// ```
pub fn read_population_from(reader: impl Read, path: impl AsRef<Path>) -> Result<Population> {
    let table = TidyTable::from_reader(reader, path, ValueRule::NonNegative)?;
    population_from_table(&table)
}

fn population_from_table(table: &TidyTable) -> Result<Population> {
    let path = table.path().to_path_buf();
    let missing = |column| Error::MissingColumn {
        path: path.clone(),
        column,
        expected: "area,sex,age,value",
    };
    // Cells keyed by (area index, sex); the age labels seen overall.
    let mut areas: Vec<String> = Vec::new();
    let mut cells: BTreeMap<(usize, usize), BTreeMap<AgeGroup, (f64, usize)>> = BTreeMap::new();
    let mut labels: BTreeMap<AgeGroup, usize> = BTreeMap::new();
    let mut year: Option<(i32, usize)> = None;
    // Every duplicate, stray year and missing cell is listed, not only the first.
    let mut problems = Vec::new();
    for row in table.rows() {
        let area = row.area.as_deref().ok_or_else(|| missing("area"))?;
        let sex = row.sex.ok_or_else(|| missing("sex"))?;
        let age = row.age.ok_or_else(|| missing("age"))?;
        if let (Some(y), Some((first, _))) = (row.year, year)
            && y != first
        {
            problems.push(Error::BadField {
                path: path.clone(),
                row: row.row,
                field: "year",
                value: y.to_string(),
                expected: "the same year on every row of a base population",
            });
            continue;
        }
        if year.is_none() {
            year = row.year.map(|y| (y, row.row));
        }
        let a = match areas.iter().position(|x| x == area) {
            Some(a) => a,
            None => {
                areas.push(area.to_string());
                areas.len() - 1
            }
        };
        labels.entry(age).or_insert(row.row);
        let series = cells.entry((a, sex.index())).or_default();
        if let Some(&(_, first_row)) = series.get(&age) {
            problems.push(Error::DuplicateCell {
                path: path.clone(),
                row: row.row,
                first_row,
                area: area.to_string(),
                sex,
                age: age.to_string(),
            });
            continue;
        }
        series.insert(age, (row.value, row.row));
    }
    if areas.is_empty() {
        return Err(Error::MissingAge {
            path,
            area: String::new(),
            sex: Sex::Female,
            age: "any (the file has no rows)".into(),
        });
    }
    let groups: Vec<AgeGroup> = labels.keys().copied().collect();
    let omega = match check_tiling(&path, &groups) {
        Ok(omega) => omega,
        Err(e) => {
            problems.push(e);
            return Err(one_error(&path, problems));
        }
    };
    for (a, area) in areas.iter().enumerate() {
        for sex in Sex::ALL {
            let missing = |age: String| Error::MissingAge {
                path: path.clone(),
                area: area.clone(),
                sex,
                age,
            };
            match cells.get(&(a, sex.index())) {
                None => problems.push(missing("all (no row for this area and sex)".into())),
                Some(series) => problems.extend(
                    groups
                        .iter()
                        .filter(|g| !series.contains_key(g))
                        .map(|g| missing(g.to_string())),
                ),
            }
        }
    }
    // The groups tile 0..=ω, so there are at most ω + 1 of them, and exactly that many when
    // they are single ages.
    let single = groups.len() - 1 == omega;
    // Graduation takes five-year groups only: ω is then 5 × the number of closed groups.
    // A wider group (e.g. `0-999999999999`, `1000000000000+`) is refused here, before
    // ω + 1 single ages are made for every area.
    if !single && omega > groups.len().saturating_mul(5) {
        problems.push(Error::BadAgeGroups {
            path: path.clone(),
            omega,
            problem: format!(
                "the {} closed groups must be single years or five-year groups, which cannot reach {omega}+",
                groups.len() - 1
            ),
        });
    }
    every_problem(&path, problems)?;
    let mut pop = Population::zeros(areas.clone(), 1, omega + 1)?;
    for a in 0..areas.len() {
        for sex in Sex::ALL {
            let series = cells.get(&(a, sex.index()));
            let mut counts = Vec::with_capacity(groups.len());
            for group in &groups {
                // Every cell is present: missing ones were reported just above.
                counts.push(series.and_then(|s| s.get(group)).map_or(0.0, |&(v, _)| v));
            }
            let target = pop.series_mut(a, sex);
            if single {
                target.copy_from_slice(&counts);
            } else {
                let singles = graduate(&groups, &counts).map_err(|e| match e {
                    Error::BadAgeGroups { omega, problem, .. } => Error::BadAgeGroups {
                        path: path.clone(),
                        omega,
                        problem,
                    },
                    other => other,
                })?;
                target.copy_from_slice(&singles);
            }
        }
    }
    Ok(pop)
}

/// A CSV file opened for reading row by row: values trimmed, the header's column names
/// checked to be distinct (a byte-order mark before the first ignored), and every row's
/// problem collected rather than only the first. Tidy tables and census tables read
/// through it.
pub(crate) struct CsvRows<R> {
    path: PathBuf,
    csv: csv::Reader<R>,
    header: csv::StringRecord,
}

impl<R: Read> CsvRows<R> {
    /// Opens `reader`, named `path` in messages, and reads its header.
    ///
    /// # Errors
    ///
    /// [`Error::Csv`] when the header cannot be read; [`Error::DuplicateName`] for a column
    /// named twice.
    pub(crate) fn open(reader: R, path: &Path) -> Result<Self> {
        let mut csv = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(reader);
        let header = csv
            .headers()
            .map_err(|source| Error::Csv {
                path: path.to_path_buf(),
                source,
            })?
            .clone();
        check_unique_columns(path, header.iter())?;
        Ok(Self {
            path: path.to_path_buf(),
            csv,
            header,
        })
    }

    /// The position of the column `name`, if the header has it.
    pub(crate) fn column(&self, name: &str) -> Option<usize> {
        self.header
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
    }

    /// Hands every record and its row number (the header being row 1) to `row`; a
    /// malformed record, or an error `row` returns, is one problem more in `problems`, and
    /// a read failure ends the file.
    pub(crate) fn each(
        &mut self,
        problems: &mut Vec<Error>,
        mut row: impl FnMut(&csv::StringRecord, usize) -> Result<()>,
    ) {
        for (i, record) in self.csv.records().enumerate() {
            match record {
                Ok(record) => {
                    if let Err(e) = row(&record, i + 2) {
                        problems.push(e);
                    }
                }
                Err(source) => {
                    let io = matches!(source.kind(), csv::ErrorKind::Io(_));
                    problems.push(Error::Csv {
                        path: self.path.clone(),
                        source,
                    });
                    if io {
                        break;
                    }
                }
            }
        }
    }
}

/// Checks that no column is named twice in a CSV header (a byte-order mark before the first
/// name is ignored), so that no column is left unread behind another of the same name.
/// Columns without a name are not looked up by any reader and may repeat.
///
/// # Errors
///
/// [`Error::DuplicateName`] naming the file, the two columns' positions (from 1) and the
/// name.
pub(crate) fn check_unique_columns<'a>(
    path: &Path,
    header: impl IntoIterator<Item = &'a str>,
) -> Result<()> {
    let mut first_seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (position, name) in header.into_iter().enumerate() {
        let name = name.trim_start_matches('\u{feff}');
        if name.is_empty() {
            continue;
        }
        if let Some(first) = first_seen.insert(name, position) {
            return Err(Error::DuplicateName {
                path: path.to_path_buf(),
                field: format!("header (row 1), columns {} and {}", first + 1, position + 1),
                what: "column",
                name: name.to_string(),
            });
        }
    }
    Ok(())
}

/// Checks that sorted age groups tile 0..ω with an open last group (plain single ages: the
/// largest one is the open group) and returns ω.
fn check_tiling(path: &Path, groups: &[AgeGroup]) -> Result<usize> {
    let bad = |omega, problem: String| Error::BadAgeGroups {
        path: path.to_path_buf(),
        omega,
        problem,
    };
    let last = groups
        .last()
        .copied()
        .unwrap_or(AgeGroup { from: 0, to: None });
    let omega = last.from;
    let mut next = 0;
    for (i, g) in groups.iter().enumerate() {
        if g.from != next {
            return Err(bad(
                omega,
                format!("expected a group starting at age {next}, found {g}"),
            ));
        }
        let is_last = i + 1 == groups.len();
        match g.to {
            None if !is_last => {
                return Err(bad(omega, format!("open group {g} is not the last group")));
            }
            None => {}
            // A plain single age that is the largest one is read as the open group.
            Some(to) if is_last && to != g.from => {
                return Err(bad(
                    omega,
                    format!("the last group {g} is not open (write it as {}+)", g.from),
                ));
            }
            Some(to) => {
                next = to.checked_add(1).ok_or_else(|| {
                    bad(
                        omega,
                        format!("group {g} reaches the largest age a count can hold"),
                    )
                })?;
            }
        }
    }
    Ok(omega)
}

/// Reads net migrants from a tidy `[year,]area,sex,age,value` file of single ages
/// `0..=ω` for the given areas, one [`Migrants`] per year (the year of the step's start;
/// `None` when the file has no `year` column). Values may be negative.
///
/// Every area of the file must be in `areas` (the base population's areas), and every
/// year must give every area, sex and age exactly once.
///
/// # Errors
///
/// Every error of [`TidyTable::read`]; [`Error::UnknownArea`] for an area not in `areas`;
/// [`Error::DuplicateCell`]; [`Error::MissingAge`] when an area, sex or age is missing in
/// some year (a ragged table, or an area in the population but not in this file);
/// [`Error::BadAgeGroups`] for an age that is not a single age in `0..=ω`;
/// [`Error::TooLarge`] when areas × 2 × (ω + 1) cells cannot be counted or held in memory.
///
/// # Examples
///
/// ```
/// use popalloc::{Sex, read_migrants_from};
///
/// let mut text = String::from("year,area,sex,age,value\n");
/// for sex in ["female", "male"] {
///     for age in 0..=100 {
///         text.push_str(&format!("2021,Daping,{sex},{age},-1.5\n"));
///     }
/// }
/// let by_year = read_migrants_from(text.as_bytes(), "mig.csv", &["Daping".to_string()], 100).unwrap();
/// assert!((by_year[&Some(2021)].area_sex_total(0, Sex::Male) + 151.5).abs() < 1e-9);
/// ```
pub fn read_migrants(
    path: impl AsRef<Path>,
    areas: &[String],
    omega: usize,
) -> Result<BTreeMap<Option<i32>, Migrants>> {
    let table = TidyTable::read(path, ValueRule::Finite)?;
    migrants_from_table(&table, areas, omega)
}

/// As [`read_migrants`], from any reader; `path` names the source in messages.
///
/// # Errors
///
/// As [`read_migrants`].
pub fn read_migrants_from(
    reader: impl Read,
    path: impl AsRef<Path>,
    areas: &[String],
    omega: usize,
) -> Result<BTreeMap<Option<i32>, Migrants>> {
    let table = TidyTable::from_reader(reader, path, ValueRule::Finite)?;
    migrants_from_table(&table, areas, omega)
}

fn migrants_from_table(
    table: &TidyTable,
    areas: &[String],
    omega: usize,
) -> Result<BTreeMap<Option<i32>, Migrants>> {
    let path = table.path().to_path_buf();
    let groups = crate::size::through("ages 0..=omega of net migrants", omega)?;
    let mut out: BTreeMap<Option<i32>, (Migrants, Vec<Option<usize>>)> = BTreeMap::new();
    for row in table.rows() {
        let missing = |column| Error::MissingColumn {
            path: path.clone(),
            column,
            expected: "[year,]area,sex,age,value",
        };
        let area_id = row.area.as_deref().ok_or_else(|| missing("area"))?;
        let sex = row.sex.ok_or_else(|| missing("sex"))?;
        let group = row.age.ok_or_else(|| missing("age"))?;
        let area = areas
            .iter()
            .position(|a| a == area_id)
            .ok_or_else(|| Error::UnknownArea {
                path: path.clone(),
                row: row.row,
                area: area_id.to_string(),
            })?;
        let age = match group {
            AgeGroup { from, to: Some(to) } if from == to && from <= omega => from,
            AgeGroup { from, to: None } if from == omega => from,
            other => {
                return Err(Error::BadAgeGroups {
                    path: path.clone(),
                    omega,
                    problem: format!(
                        "row {}: age {other} is not a single age in 0..={omega}",
                        row.row
                    ),
                });
            }
        };
        let (migrants, seen) = match out.entry(row.year) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => {
                let migrants = Migrants::zeros(areas.len(), groups)?;
                let seen = crate::size::filled(
                    "net migrant cells (areas x 2 sexes x ages)",
                    migrants.values().len(),
                    None,
                )?;
                entry.insert((migrants, seen))
            }
        };
        let cell = (area * 2 + sex.index()) * groups + age;
        if let Some(first_row) = seen[cell] {
            return Err(Error::DuplicateCell {
                path: path.clone(),
                row: row.row,
                first_row,
                area: area_id.to_string(),
                sex,
                age: age.to_string(),
            });
        }
        seen[cell] = Some(row.row);
        migrants.series_mut(area, sex)[age] = row.value;
    }
    let mut result = BTreeMap::new();
    for (year, (migrants, seen)) in out {
        if let Some(cell) = seen.iter().position(Option::is_none) {
            let area = cell / (2 * groups);
            let sex = if (cell / groups).is_multiple_of(2) {
                Sex::Female
            } else {
                Sex::Male
            };
            return Err(Error::MissingAge {
                path,
                area: areas[area].clone(),
                sex,
                age: match year {
                    Some(y) => format!("{} (year {y})", cell % groups),
                    None => (cell % groups).to_string(),
                },
            });
        }
        result.insert(year, migrants);
    }
    Ok(result)
}

/// Writes a single-year population as tidy `area,sex,age,value` CSV, atomically (a
/// temporary file in the same folder, then a rename). The open group is written as its
/// first age (e.g. `100`), as the reader expects.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be written.
///
/// # Examples
///
/// ```
/// use popalloc::{Population, Sex, read_population, write_population};
///
/// let mut pop = Population::zeros(vec!["a".into()], 1, 101).unwrap();
/// pop.series_mut(0, Sex::Female)[30] = 12.5;
/// let path = std::env::temp_dir().join("popalloc-doc-write.csv");
/// write_population(&path, &pop).unwrap();
/// assert_eq!(read_population(&path).unwrap(), pop);
/// ```
pub fn write_population(path: impl AsRef<Path>, pop: &Population) -> Result<()> {
    let mut text = String::from("area,sex,age,value\n");
    for (a, area) in pop.areas().iter().enumerate() {
        for sex in Sex::ALL {
            for (g, value) in pop.series(a, sex).iter().enumerate() {
                // `{}` on f64 prints the shortest text that reads back to the same value.
                text.push_str(&format!(
                    "{},{sex},{},{value}\n",
                    csv_field(area),
                    g * pop.width()
                ));
            }
        }
    }
    write_atomic(path.as_ref(), text.as_bytes())
}

/// Quotes a CSV field when it holds a comma, a quote or a line break.
pub(crate) fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Writes a file atomically: a new temporary file beside it, created exclusively under a
/// unique name (never through an existing file or link), written to disk, then renamed
/// over `path`; a reader never sees half a file, a failed write leaves no file behind,
/// and a link at `path` is replaced, never written through.
///
/// # Errors
///
/// [`Error::Io`] naming `path` when the file cannot be written or moved into place.
///
/// # Examples
///
/// ```
/// let path = std::env::temp_dir().join(format!("popalloc-doc-atomic-{}.txt", std::process::id()));
/// popalloc::write_atomic(&path, b"north,120\n")?;
/// assert_eq!(std::fs::read_to_string(&path)?, "north,120\n");
/// let missing = std::env::temp_dir().join("popalloc-no-such-dir").join("x.csv");
/// assert!(popalloc::write_atomic(&missing, b"").is_err());
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    // Errors name the file asked for; the temporary file is removed when dropped unpersisted.
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io(path, os_error(e)))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Error::io(path, e))?;
    tmp.persist(path)
        .map_err(|e| Error::io(path, os_error(e.error)))?;
    Ok(())
}

/// The operating system's error without the temporary file's name that the temporary-file
/// crate appends (` at path "…"`): messages name the file asked for.
pub(crate) fn os_error(e: std::io::Error) -> std::io::Error {
    let text = e.to_string();
    match text.rsplit_once(" at path \"") {
        Some((message, _)) => std::io::Error::new(e.kind(), message.to_string()),
        None => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn single_year_csv(areas: &[&str]) -> String {
        let mut text = String::from("area,sex,age,value\n");
        for area in areas {
            for sex in ["female", "male"] {
                for age in 0..=100 {
                    text.push_str(&format!("{area},{sex},{age},{}\n", 100 + age));
                }
            }
        }
        text
    }

    #[test]
    fn reads_single_years_in_order_of_appearance() {
        let pop = read_population_from(single_year_csv(&["b", "a"]).as_bytes(), "p.csv").unwrap();
        assert_eq!(pop.areas(), &["b".to_string(), "a".to_string()]);
        assert_eq!(pop.groups(), 101);
        assert_eq!(pop.get(1, Sex::Male, 37), Some(137.0));
    }

    #[test]
    fn negative_count_names_file_row_and_value() {
        let text = single_year_csv(&["a"]).replace("a,female,5,105", "a,female,5,-3");
        let err = read_population_from(text.as_bytes(), "base.csv").unwrap_err();
        match err {
            Error::InvalidValue {
                path, row, value, ..
            } => {
                assert_eq!(path, PathBuf::from("base.csv"));
                assert_eq!(row, 7);
                assert_eq!(value, -3.0);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn nan_and_unknown_sex_and_bad_age_are_rejected() {
        let nan = single_year_csv(&["a"]).replace("a,female,5,105", "a,female,5,NaN");
        assert!(matches!(
            read_population_from(nan.as_bytes(), "p.csv"),
            Err(Error::InvalidValue { row: 7, .. })
        ));
        let sex = single_year_csv(&["a"]).replace("a,female,5,105", "a,other,5,105");
        assert!(matches!(
            read_population_from(sex.as_bytes(), "p.csv"),
            Err(Error::BadField {
                row: 7,
                field: "sex",
                ..
            })
        ));
        let age = single_year_csv(&["a"]).replace("a,female,5,105", "a,female,five,105");
        assert!(matches!(
            read_population_from(age.as_bytes(), "p.csv"),
            Err(Error::BadField {
                row: 7,
                field: "age",
                ..
            })
        ));
    }

    #[test]
    fn missing_duplicate_and_ragged_ages_are_rejected() {
        let missing = single_year_csv(&["a"]).replace("a,male,40,140\n", "");
        match read_population_from(missing.as_bytes(), "p.csv").unwrap_err() {
            Error::MissingAge { area, sex, age, .. } => {
                assert_eq!((area.as_str(), sex, age.as_str()), ("a", Sex::Male, "40"));
            }
            other => panic!("unexpected {other:?}"),
        }
        let dup =
            single_year_csv(&["a"]).replace("a,male,40,140\n", "a,male,40,140\na,male,40,1\n");
        assert!(matches!(
            read_population_from(dup.as_bytes(), "p.csv"),
            Err(Error::DuplicateCell {
                first_row: 143,
                row: 144,
                ..
            })
        ));
        // One area without males at all: ragged.
        let mut ragged = single_year_csv(&["a"]);
        for age in 0..=100 {
            ragged.push_str(&format!("b,female,{age},1\n"));
        }
        assert!(matches!(
            read_population_from(ragged.as_bytes(), "p.csv"),
            Err(Error::MissingAge { .. })
        ));
        // Every missing cell and duplicate is listed, not only the first.
        let several = single_year_csv(&["a"])
            .replace("a,male,40,140\n", "")
            .replace("a,female,7,107\n", "")
            .replace("a,male,3,103\n", "a,male,3,103\na,male,3,9\n");
        match read_population_from(several.as_bytes(), "p.csv").unwrap_err() {
            Error::InvalidScenario { problems, .. } => {
                let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
                assert_eq!(problems.len(), 3, "{text:#?}");
                assert!(
                    matches!(problems[0], Error::DuplicateCell { .. }),
                    "{text:#?}"
                );
                assert!(
                    text[1].contains("female") && text[1].contains("age 7"),
                    "{text:#?}"
                );
                assert!(
                    text[2].contains("male") && text[2].contains("age 40"),
                    "{text:#?}"
                );
            }
            other => panic!("unexpected {other:?}"),
        }
        let gap = single_year_csv(&["a"])
            .replace("a,female,40,140\n", "")
            .replace("a,male,40,140\n", "");
        assert!(matches!(
            read_population_from(gap.as_bytes(), "p.csv"),
            Err(Error::BadAgeGroups { .. })
        ));
    }

    #[test]
    fn five_year_groups_are_graduated_and_sum_back() {
        let mut text = String::from("area,sex,age,value\n");
        let labels: Vec<String> = std::iter::once("0".to_string())
            .chain(std::iter::once("1-4".to_string()))
            .chain((1..20).map(|g| format!("{}-{}", g * 5, g * 5 + 4)))
            .chain(std::iter::once("100+".to_string()))
            .collect();
        for sex in ["female", "male"] {
            for (i, label) in labels.iter().enumerate() {
                text.push_str(&format!("a,{sex},{label},{}\n", 1000 + 37 * i));
            }
        }
        let pop = read_population_from(text.as_bytes(), "groups.csv").unwrap();
        let s = pop.series(0, Sex::Female);
        assert_eq!(s.len(), 101);
        assert!((s[0] - 1000.0).abs() < 1e-9);
        assert!((s[1..5].iter().sum::<f64>() - 1037.0).abs() < 1e-9);
        assert!((s[5..10].iter().sum::<f64>() - 1074.0).abs() < 1e-9);
        assert!((s[100] - (1000.0 + 37.0 * 21.0)).abs() < 1e-9);
        assert!(s.iter().all(|&v| v >= 0.0));
    }

    fn migrants_csv(areas: &[&str]) -> String {
        let mut text = String::from("year,area,sex,age,value\n");
        for year in [2021, 2022] {
            for area in areas {
                for sex in ["female", "male"] {
                    for age in 0..=100 {
                        text.push_str(&format!("{year},{area},{sex},{age},-{age}.5\n"));
                    }
                }
            }
        }
        text
    }

    /// A population file with the given age labels for one area, both sexes.
    fn labelled_csv(labels: &[&str]) -> String {
        let mut text = String::from("area,sex,age,value\n");
        for sex in ["female", "male"] {
            for label in labels {
                text.push_str(&format!("a,{sex},{label},10\n"));
            }
        }
        text
    }

    #[test]
    fn age_groups_reaching_the_largest_age_are_typed_errors() {
        let max = usize::MAX;
        let cases = [
            // A closed group ending at usize::MAX: the next group cannot start.
            vec![format!("0-{max}"), format!("{max}+")],
            // A tiling up to usize::MAX+: ω + 1 ages cannot be counted.
            vec![format!("0-{}", max - 1), format!("{max}+")],
            // A tiling up to 10^12+: 2 × 10^12 single ages would be made.
            vec!["0-999999999999".to_string(), "1000000000000+".to_string()],
        ];
        for labels in cases {
            let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
            let text = labelled_csv(&labels);
            let err = read_population_from(text.as_bytes(), "big.csv").unwrap_err();
            let message = err.to_string();
            assert!(message.contains("big.csv"), "{labels:?}: {message}");
            let problem = match err {
                Error::BadAgeGroups { .. } => err,
                Error::InvalidScenario { mut problems, .. } if problems.len() == 1 => {
                    problems.remove(0)
                }
                other => panic!("{labels:?}: {other:?}"),
            };
            assert!(
                matches!(problem, Error::BadAgeGroups { .. }),
                "{labels:?}: {problem:?}"
            );
        }
    }

    #[test]
    fn schedules_and_migrants_up_to_the_largest_age_are_typed_errors() {
        let text = "age,value\n0,1\n1,1\n";
        let table = TidyTable::from_reader(text.as_bytes(), "s.csv", ValueRule::Finite).unwrap();
        let err = table.schedules(usize::MAX, |_| ()).unwrap_err();
        assert!(matches!(err, Error::TooLarge { .. }), "{err:?}");
        let err = table.schedules(1 << 46, |_| ()).unwrap_err();
        assert!(matches!(err, Error::TooLarge { .. }), "{err:?}");
        let migrants = "area,sex,age,value\na,female,0,1\n";
        let areas = ["a".to_string()];
        for omega in [usize::MAX, 1 << 46] {
            let err = read_migrants_from(migrants.as_bytes(), "m.csv", &areas, omega).unwrap_err();
            assert!(matches!(err, Error::TooLarge { .. }), "{omega}: {err:?}");
        }
    }

    #[test]
    fn a_column_named_twice_is_an_error_naming_file_and_column() {
        let text = "area,sex,age,value,value\na,female,0,5,7\n";
        let err =
            TidyTable::from_reader(text.as_bytes(), "pop.csv", ValueRule::NonNegative).unwrap_err();
        assert!(
            matches!(&err, Error::DuplicateName { what: "column", name, .. } if name == "value"),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(message.contains("pop.csv"), "{message}");
        assert!(message.contains("columns 4 and 5"), "{message}");
        assert!(message.contains("\"value\""), "{message}");
        // After trimming, and with a byte-order mark before the first name.
        let text = "\u{feff}area, sex ,age,value,area\na,female,0,5,b\n";
        let err =
            TidyTable::from_reader(text.as_bytes(), "pop.csv", ValueRule::NonNegative).unwrap_err();
        assert!(err.to_string().contains("columns 1 and 5"), "{err}");
        // Nameless columns (a spreadsheet's trailing commas) are not read and may repeat.
        let text = "age,value,,\n0,1,,\n";
        let table = TidyTable::from_reader(text.as_bytes(), "s.csv", ValueRule::Finite).unwrap();
        assert_eq!(table.rows().len(), 1);
    }

    #[test]
    fn migrants_by_year_and_area() {
        let areas = vec!["a".to_string(), "b".to_string()];
        let m =
            read_migrants_from(migrants_csv(&["b", "a"]).as_bytes(), "m.csv", &areas, 100).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[&Some(2022)].series(1, Sex::Male)[3], -3.5);
    }

    #[test]
    fn migrants_for_an_unknown_or_absent_area_are_rejected() {
        let areas = vec!["a".to_string(), "b".to_string()];
        match read_migrants_from(migrants_csv(&["a", "c"]).as_bytes(), "m.csv", &areas, 100)
            .unwrap_err()
        {
            Error::UnknownArea { row, area, .. } => {
                assert_eq!(area, "c");
                assert_eq!(row, 2 + 202);
            }
            other => panic!("unexpected {other:?}"),
        }
        match read_migrants_from(migrants_csv(&["a"]).as_bytes(), "m.csv", &areas, 100).unwrap_err()
        {
            Error::MissingAge { area, .. } => assert_eq!(area, "b"),
            other => panic!("unexpected {other:?}"),
        }
        let text = migrants_csv(&["a", "b"]).replace("2021,b,male,7,-7.5", "2021,b,male,7,inf");
        assert!(matches!(
            read_migrants_from(text.as_bytes(), "m.csv", &areas, 100),
            Err(Error::InvalidValue { .. })
        ));
    }

    #[test]
    fn write_then_read_round_trips() {
        let mut pop = Population::zeros(vec!["x,y".into(), "z".into()], 1, 101).unwrap();
        pop.series_mut(0, Sex::Male)[7] = 1.0 / 3.0;
        pop.series_mut(1, Sex::Female)[100] = 12.25;
        let dir = std::env::temp_dir().join(format!("popalloc-tidy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("pop.csv");
        write_population(&path, &pop).unwrap();
        assert_eq!(read_population(&path).unwrap(), pop);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
