//! Reading and validating a scenario: every file, every reference, every range; all
//! problems collected, not just the first.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::demography::band::Band;
use crate::demography::census::split_open_group;
use crate::demography::fertility::Fertility;
use crate::demography::graduation::AgeGroup;
use crate::demography::life_table::LifeTable;
use crate::demography::migration::RogersCastro;
use crate::demography::population::{OMEGA, Population};
use crate::demography::sex::Sex;
use crate::demography::tidy::{TidyTable, ValueRule, read_migrants_from, read_population_from};
use crate::error::{Error, Result};
use crate::scenario::Scenario;
use crate::scenario::assumptions::{
    FertilityAssumption, FertilitySetting, MigrationAssumption, MortalityAssumption, YearPath,
};
use crate::scenario::file::{ScenarioFile, TargetEntry};
use crate::scenario::interim;
use crate::scenario::limits::{
    AREA_ID_RULE, BUDGET_RANGE, BUILD_RATE_RANGE, DISCOUNT_RATE_RANGE, E0_RANGE, E0_RANGE_TEXT,
    GROUP_ID_RULE, MAX_BUDGET, MAX_DISCOUNT_RATE, MAX_INPUT_VALUE, MAX_MODULE_UNITS, MAX_NEED_RATE,
    MAX_RADIUS_MINUTES, MAX_TFR, MODULE_RANGE, MULTIPLIER_RANGE, NEED_RATE_RANGE, RADIUS_RANGE,
    STATED_BASELINE_RANGE, TABLE_VALUE_RANGE, TFR_RANGE, allowed_comparisons, in_range, is_area_id,
    is_multiplier,
};
use crate::scenario::plan_data::{
    Access, Area, Budget, CONVERSION_RATIO_RANGE, Conversion, Expectation, MAX_CONVERSION_RATIO,
    PlanSettings, Service, Target,
};
use crate::scenario::source::Source;
use crate::scenario::target::{Comparison, TargetKind, TargetLevel};
use crate::uncertainty::Uncertainty;

/// The scenario file's name in a directory: TOML first, else JSON.
pub(crate) fn scenario_file_name(source: &Source) -> &'static str {
    if !source.has("scenario.toml") && source.has("scenario.json") {
        "scenario.json"
    } else {
        "scenario.toml"
    }
}

/// Parses the scenario file of a source.
pub(crate) fn parse_file(source: &Source) -> Result<ScenarioFile> {
    let name = scenario_file_name(source);
    let text = source.read(name)?;
    if name.ends_with(".json") {
        // Through serde_path_to_error, so that a value of the wrong type is named by its
        // field (`targets[2].value`), which serde_json's line and column do not say.
        let path = source.path(name);
        let mut reader = serde_json::Deserializer::from_str(&text);
        let file = serde_path_to_error::deserialize(&mut reader).map_err(|e| {
            let field = e.path().to_string();
            let source = e.into_inner();
            // A syntax error or an early end has no field to name (its path is "?" or ".").
            let data = source.classify() == serde_json::error::Category::Data;
            if !data || field == "." {
                Error::Json {
                    path: path.clone(),
                    source,
                }
            } else {
                Error::JsonField {
                    path: path.clone(),
                    field,
                    source,
                }
            }
        })?;
        reader
            .end()
            .map_err(|source| Error::Json { path, source })?;
        Ok(file)
    } else {
        toml::from_str(&text).map_err(|e| Error::Toml {
            path: source.path(name),
            source: Box::new(e),
        })
    }
}

/// Collects problems section by section.
struct Problems(Vec<Error>);

impl Problems {
    fn take<T>(&mut self, result: Result<T>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(Error::InvalidScenario { problems, .. }) => {
                self.0.extend(problems);
                None
            }
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }
    fn push(&mut self, e: Error) {
        self.0.push(e);
    }
}

/// Loads and validates a whole scenario from a source.
pub(crate) fn load(source: &Source) -> Result<Scenario> {
    let file = parse_file(source)?;
    let toml_name = scenario_file_name(source);
    let toml_path = source.path(toml_name);
    let mut problems = Problems(Vec::new());
    let setting = |field: &str, value: f64, ok: bool, range: &'static str| {
        if ok && value.is_finite() {
            Ok(())
        } else {
            Err(Error::InvalidSetting {
                path: toml_path.clone(),
                field: field.to_string(),
                value,
                range,
            })
        }
    };
    problems.take(setting(
        "horizon",
        f64::from(file.horizon),
        super::horizon_in_reach(file.base_year, file.horizon),
        super::HORIZON_RANGE,
    ));

    let areas = problems.take(read_areas(source, &file.areas.file));
    let base = problems.take(read_base(source, &file.population.file, areas.as_deref()));
    let bands = problems
        .take(read_bands(&file, &toml_path))
        .unwrap_or_default();
    let fertility = problems.take(read_fertility(source, &file, &toml_path));
    let mortality = problems.take(read_mortality(source, &file, &toml_path));
    let migration = problems.take(read_migration(source, &file, &toml_path, areas.as_deref()));
    let base = match (base, &mortality) {
        (Some(base), Some(mortality)) => {
            problems.take(extend_open_group(base, mortality, file.base_year))
        }
        _ => None,
    };
    let services = areas
        .as_ref()
        .map(|areas| read_services(source, &file, &toml_path, areas, &bands, &mut problems));
    let conversions = match &services {
        Some(services) => problems.take(read_conversions(source, &file, services)),
        None => None,
    };
    let access = match &areas {
        Some(areas) => problems.take(read_access(source, &file, &toml_path, areas)),
        None => None,
    };
    let targets = match &services {
        Some(services) => problems.take(read_targets(
            &file,
            &toml_path,
            services,
            &bands,
            base.as_ref(),
        )),
        None => None,
    };
    // A target measured in each group needs every area in one.
    if let (Some(areas), Some(targets)) = (&areas, &targets)
        && targets.iter().any(|t| t.level == TargetLevel::Group)
        && let Some(i) = areas.iter().position(|a| a.group.is_none())
    {
        problems.push(Error::BadField {
            path: source.path(&file.areas.file),
            row: i + 2,
            field: "group",
            value: String::new(),
            expected: "a group name (targets of level \"group\" are measured in each group of areas, so every area needs one)",
        });
    }
    let expectations = problems.take(read_expectations(&file, &toml_path, &bands));
    let uncertainty = problems.take(Uncertainty::from_section(
        file.uncertainty.as_ref(),
        &toml_path,
    ));
    let budget = file.budget.as_ref().map(|b| Budget {
        total: b.total,
        per_year: b.per_year,
    });
    if let Some(b) = &budget {
        for (field, v) in [("budget.total", b.total), ("budget.per_year", b.per_year)] {
            if let Some(v) = v {
                problems.take(setting(field, v, in_range(v, MAX_BUDGET), BUDGET_RANGE));
            }
        }
    }
    let plan_settings = PlanSettings {
        discount_rate: file.plan.and_then(|p| p.discount_rate).unwrap_or(0.0),
        whole_units: file.plan.and_then(|p| p.whole_units).unwrap_or(false),
    };
    problems.take(setting(
        "plan.discount_rate",
        plan_settings.discount_rate,
        in_range(plan_settings.discount_rate, MAX_DISCOUNT_RATE),
        DISCOUNT_RATE_RANGE,
    ));
    if !problems.0.is_empty() {
        return Err(Error::InvalidScenario {
            path: source.root(),
            problems: problems.0,
        });
    }
    let files_outside = files_outside(source, &file);
    // Every section is Some here: each None pushed a problem above.
    match (
        areas,
        base,
        fertility,
        mortality,
        migration,
        services,
        conversions,
        access,
        targets,
        expectations,
        uncertainty,
    ) {
        (
            Some(areas),
            Some(base),
            Some(fertility),
            Some(mortality),
            Some(migration),
            Some(services),
            Some(conversions),
            Some(access),
            Some(targets),
            Some(expectations),
            Some(uncertainty),
        ) => crate::scenario::census_migration::with_census_migration(
            source,
            Scenario {
                file,
                areas,
                base,
                bands,
                fertility,
                mortality,
                migration,
                services,
                conversions,
                budget: budget.unwrap_or_default(),
                plan_settings,
                access,
                targets,
                expectations,
                uncertainty,
                files_outside,
            },
        ),
        _ => Err(Error::InvalidScenario {
            path: source.root(),
            problems: Vec::new(),
        }),
    }
}

/// A CSV file as rows of named fields, with row numbers (header = row 1).
struct Rows {
    path: PathBuf,
    header: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

impl Rows {
    fn read(
        source: &Source,
        name: &str,
        required: &[&'static str],
        expected: &'static str,
    ) -> Result<Self> {
        let path = source.path(name);
        let text = source.read(name)?;
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let csv_err = |source| Error::Csv {
            path: path.clone(),
            source,
        };
        let header: Vec<String> = reader
            .headers()
            .map_err(csv_err)?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_string())
            .collect();
        crate::demography::tidy::check_unique_columns(&path, header.iter().map(String::as_str))?;
        for column in required {
            if !header.iter().any(|h| h == column) {
                return Err(Error::MissingColumn {
                    path,
                    column,
                    expected,
                });
            }
        }
        let mut rows = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let record = record.map_err(csv_err)?;
            rows.push((i + 2, record.iter().map(String::from).collect()));
        }
        Ok(Self { path, header, rows })
    }

    fn get<'a>(&self, row: &'a [String], column: &str) -> Option<&'a str> {
        let i = self.header.iter().position(|h| h == column)?;
        row.get(i).map(String::as_str).filter(|s| !s.is_empty())
    }

    fn number(
        &self,
        row_number: usize,
        row: &[String],
        column: &'static str,
    ) -> Result<Option<f64>> {
        match self.get(row, column) {
            None => Ok(None),
            Some(text) => {
                let value = text.parse::<f64>().map_err(|_| Error::BadField {
                    path: self.path.clone(),
                    row: row_number,
                    field: column,
                    value: text.to_string(),
                    expected: "a number",
                })?;
                // Every number of a scenario table within ±1e10 (as in tidy tables).
                if value.is_nan() || value.abs() > MAX_INPUT_VALUE {
                    return Err(Error::InvalidValue {
                        path: self.path.clone(),
                        row: row_number,
                        what: column,
                        range: "a number from -1e10 to 1e10",
                        value,
                    });
                }
                Ok(Some(value))
            }
        }
    }

    fn non_negative(
        &self,
        row_number: usize,
        row: &[String],
        column: &'static str,
    ) -> Result<Option<f64>> {
        let value = self.number(row_number, row, column)?;
        if let Some(v) = value
            && !(v.is_finite() && v >= 0.0)
        {
            return Err(Error::InvalidValue {
                path: self.path.clone(),
                row: row_number,
                what: column,
                range: TABLE_VALUE_RANGE,
                value: v,
            });
        }
        Ok(value)
    }

    fn text(&self, row_number: usize, row: &[String], column: &'static str) -> Result<String> {
        self.get(row, column)
            .map(String::from)
            .ok_or_else(|| Error::BadField {
                path: self.path.clone(),
                row: row_number,
                field: column,
                value: String::new(),
                expected: "a non-empty value",
            })
    }
}

/// The files `file` names outside the scenario's folder (an absolute name, or one through
/// `..`): allowed, and listed with the path read so that the memo can say so.
fn files_outside(source: &Source, file: &ScenarioFile) -> Vec<(String, String, PathBuf)> {
    let Source::Dir(dir) = source else {
        return Vec::new();
    };
    file.file_names()
        .into_iter()
        .filter(|(_, name)| {
            let path = Path::new(name);
            path.is_absolute()
                || path
                    .components()
                    .any(|c| c == std::path::Component::ParentDir)
        })
        .map(|(setting, name)| {
            let joined = dir.join(name);
            let read = std::fs::canonicalize(&joined).unwrap_or(joined);
            (setting.to_string(), name.to_string(), read)
        })
        .collect()
}

fn read_areas(source: &Source, name: &str) -> Result<Vec<Area>> {
    let rows = Rows::read(
        source,
        name,
        &["id", "name_zh", "name_en"],
        "id,code,name_zh,name_en,latitude,longitude,fertility_multiplier,mortality_multiplier,net_migration,group",
    )?;
    let mut problems = Problems(Vec::new());
    let mut areas: Vec<Area> = Vec::new();
    for (n, row) in &rows.rows {
        let area = || -> Result<Area> {
            let id = rows.text(*n, row, "id")?;
            if !is_area_id(&id) {
                return Err(Error::BadField {
                    path: rows.path.clone(),
                    row: *n,
                    field: "id",
                    value: id,
                    expected: AREA_ID_RULE,
                });
            }
            if areas.iter().any(|a| a.id == id) {
                return Err(Error::DuplicateName {
                    path: rows.path.clone(),
                    field: format!("row {n}"),
                    what: "area",
                    name: id,
                });
            }
            let latitude = rows.number(*n, row, "latitude")?;
            let longitude = rows.number(*n, row, "longitude")?;
            let centroid = match (latitude, longitude) {
                (Some(lat), Some(lon)) => {
                    for (column, v, limit) in [("latitude", lat, 90.0), ("longitude", lon, 180.0)] {
                        if !(v.is_finite() && v.abs() <= limit) {
                            return Err(Error::InvalidSetting {
                                path: rows.path.clone(),
                                field: format!("row {n}, {column}"),
                                value: v,
                                range: "degrees within ±90 (latitude) or ±180 (longitude)",
                            });
                        }
                    }
                    Some((lat, lon))
                }
                _ => None,
            };
            let multiplier = |column| -> Result<f64> {
                let v = rows.non_negative(*n, row, column)?.unwrap_or(1.0);
                // At most 10 times the district's rates (a street 10 times as fertile as
                // its district is a typing error; more could leave the finite numbers).
                if !is_multiplier(v, column == "mortality_multiplier") {
                    return Err(Error::InvalidValue {
                        path: rows.path.clone(),
                        row: *n,
                        what: column,
                        range: MULTIPLIER_RANGE,
                        value: v,
                    });
                }
                Ok(v)
            };
            let net_migration = rows.number(*n, row, "net_migration")?.unwrap_or(0.0);
            if !net_migration.is_finite() {
                return Err(Error::InvalidValue {
                    path: rows.path.clone(),
                    row: *n,
                    what: "net_migration",
                    range: "a finite number of persons a year",
                    value: net_migration,
                });
            }
            let group = match rows.get(row, "group").map(str::trim) {
                None | Some("") => None,
                Some(g) if is_area_id(g) => Some(g.to_string()),
                Some(g) => {
                    return Err(Error::BadField {
                        path: rows.path.clone(),
                        row: *n,
                        field: "group",
                        value: g.to_string(),
                        expected: GROUP_ID_RULE,
                    });
                }
            };
            Ok(Area {
                id,
                group,
                code: rows.get(row, "code").map(String::from),
                name_zh: rows.text(*n, row, "name_zh")?,
                name_en: rows.text(*n, row, "name_en")?,
                centroid,
                fertility_multiplier: multiplier("fertility_multiplier")?,
                mortality_multiplier: multiplier("mortality_multiplier")?,
                net_migration,
            })
        };
        if let Some(a) = problems.take(area()) {
            areas.push(a);
        }
    }
    if areas.is_empty() && problems.0.is_empty() {
        problems.push(Error::BadSettings {
            path: rows.path.clone(),
            field: "rows".into(),
            problem: "the areas file must list at least one area",
        });
    }
    if problems.0.is_empty() {
        Ok(areas)
    } else {
        Err(Error::InvalidScenario {
            path: rows.path,
            problems: problems.0,
        })
    }
}

fn read_base(source: &Source, name: &str, areas: Option<&[Area]>) -> Result<Population> {
    let text = source.read(name)?;
    let path = source.path(name);
    let population = read_population_from(text.as_bytes(), &path)?;
    let open = population.open_age();
    if population.width() != 1 || !(MIN_BASE_OPEN_AGE..=OMEGA).contains(&open) {
        return Err(Error::BadAgeGroups {
            path,
            omega: OMEGA,
            problem: format!(
                "the open group is {open}+, it must start at an age from {MIN_BASE_OPEN_AGE} to {OMEGA} \
                 (an open group below {OMEGA} is split over the ages to {OMEGA}+ by the base year's life table)"
            ),
        });
    }
    let Some(areas) = areas else {
        return Ok(population);
    };
    // Reorder to the areas file's order; every area in both files.
    for (i, id) in population.areas().iter().enumerate() {
        if !areas.iter().any(|a| &a.id == id) {
            return Err(Error::UnknownArea {
                path,
                row: i + 1,
                area: id.clone(),
            });
        }
    }
    let mut ordered = Population::zeros(
        areas.iter().map(|a| a.id.clone()).collect(),
        1,
        population.groups(),
    )?;
    for (a, area) in areas.iter().enumerate() {
        let Some(from) = population.area_index(&area.id) else {
            return Err(Error::MissingAge {
                path,
                area: area.id.clone(),
                sex: Sex::Female,
                age: "all (the area is in the areas file but not in the base population)".into(),
            });
        };
        for sex in Sex::ALL {
            ordered
                .series_mut(a, sex)
                .copy_from_slice(population.series(from, sex));
        }
    }
    Ok(ordered)
}

/// The lowest first age of a base population's open group: an open group from this age on
/// is split over the single ages to `OMEGA+` by the base year's life table.
pub(crate) const MIN_BASE_OPEN_AGE: usize = 65;

/// A base population whose open group starts below [`OMEGA`] (a census table's `85+`)
/// extended to single ages `0..=OMEGA`: each area's and sex's open group is spread over the
/// ages from its first age to `OMEGA+` in proportion to the person-years `L(x)` of the
/// district's life table of the base year (the stationary population of that table,
/// [`split_open_group`]), which keeps every count exactly. A population already ending at
/// `OMEGA+` is returned unchanged.
fn extend_open_group(
    base: Population,
    mortality: &MortalityAssumption,
    base_year: i32,
) -> Result<Population> {
    let open = base.open_age();
    if open >= OMEGA {
        return Ok(base);
    }
    let tables = mortality.life_tables(base_year, 0.0)?;
    let mut extended = Population::zeros(base.areas().to_vec(), 1, OMEGA + 1)?;
    for a in 0..base.area_count() {
        for sex in Sex::ALL {
            let series = base.series(a, sex);
            let split = split_open_group(series[open], open, tables[sex.index()].person_years())?;
            let target = extended.series_mut(a, sex);
            target[..open].copy_from_slice(&series[..open]);
            target[open..].copy_from_slice(&split);
        }
    }
    Ok(extended)
}

fn read_bands(file: &ScenarioFile, toml: &Path) -> Result<Vec<Band>> {
    if file.bands.is_empty() {
        return Ok(Band::defaults());
    }
    let mut bands: Vec<Band> = Vec::new();
    for (i, entry) in file.bands.iter().enumerate() {
        if bands.iter().any(|b| b.name() == entry.name) {
            return Err(Error::DuplicateName {
                path: toml.to_path_buf(),
                field: format!("bands[{i}].name"),
                what: "band",
                name: entry.name.clone(),
            });
        }
        let band = Band::new(entry.name.clone(), entry.from, entry.to).map_err(|_| {
            Error::InvalidSetting {
                path: toml.to_path_buf(),
                field: format!("bands[{i}].to"),
                value: entry.to.map_or(f64::NAN, |t| t as f64),
                range: "an age at least `from`, with a non-empty name",
            }
        })?;
        if entry.from > OMEGA {
            return Err(Error::InvalidSetting {
                path: toml.to_path_buf(),
                field: format!("bands[{i}].from"),
                value: entry.from as f64,
                range: "an age in 0..=100",
            });
        }
        bands.push(band);
    }
    Ok(bands)
}

/// The highest age-specific fertility rate, births per woman per year.
const MAX_ASFR: f64 = 1.0;

/// A TFR path: each value from 0 to [`MAX_TFR`].
fn tfr_path(source: &Source, name: &str) -> Result<YearPath> {
    let path = year_path(source, name)?;
    if let Some(&(year, value)) = path.points().iter().find(|(_, v)| *v > MAX_TFR) {
        return Err(Error::InvalidSetting {
            path: source.path(name),
            field: format!("year {year}"),
            value,
            range: TFR_RANGE,
        });
    }
    Ok(path)
}

fn year_path(source: &Source, name: &str) -> Result<YearPath> {
    let table = TidyTable::from_reader(
        source.read(name)?.as_bytes(),
        source.path(name),
        ValueRule::NonNegative,
    )?;
    let mut points = Vec::new();
    for row in table.rows() {
        let year = row.year.ok_or_else(|| Error::MissingColumn {
            path: source.path(name),
            column: "year",
            expected: "year,value",
        })?;
        if points.iter().any(|(y, _)| *y == year) {
            return Err(Error::DuplicateCell {
                path: source.path(name),
                row: row.row,
                first_row: 0,
                area: String::new(),
                sex: row.sex.unwrap_or(Sex::Female),
                age: format!("year {year}"),
            });
        }
        points.push((year, row.value));
    }
    YearPath::new(points).map_err(|_| Error::BadSettings {
        path: source.path(name),
        field: "rows".into(),
        problem: "a path needs at least one year",
    })
}

fn read_fertility(source: &Source, file: &ScenarioFile, toml: &Path) -> Result<FertilitySetting> {
    let f = &file.fertility;
    let srb = f.sex_ratio_at_birth;
    if !(srb.is_finite() && srb > 0.0) {
        return Err(Error::InvalidSetting {
            path: toml.to_path_buf(),
            field: "fertility.sex_ratio_at_birth".into(),
            value: srb,
            range: "a finite number > 0 (males per female birth)",
        });
    }
    let bad = |problem| Error::BadSettings {
        path: toml.to_path_buf(),
        field: "[fertility]".into(),
        problem,
    };
    let one_of = "give exactly one of: asfr; tfr with shape; tfr with mean_age and sd";
    let assumption = match (&f.asfr, &f.tfr, &f.shape, f.mean_age, f.sd) {
        (Some(asfr), None, None, None, None) => {
            let table = TidyTable::from_reader(
                source.read(asfr)?.as_bytes(),
                source.path(asfr),
                ValueRule::NonNegative,
            )?;
            let schedules = table.schedules(OMEGA, |row| row.year)?;
            for schedule in schedules.values() {
                if let Some(age) = schedule.iter().position(|&f| f > MAX_ASFR) {
                    return Err(Error::InvalidSetting {
                        path: source.path(asfr),
                        field: format!("age {age}"),
                        value: schedule[age],
                        range: "a fertility rate from 0 to 1 birth per woman per year",
                    });
                }
                for age in [0, OMEGA] {
                    if schedule[age] > 0.0 {
                        return Err(Error::InvalidSetting {
                            path: source.path(asfr),
                            field: format!("age {age}"),
                            value: schedule[age],
                            range: "0 (no births to mothers aged 0 or 100+)",
                        });
                    }
                }
            }
            FertilityAssumption::Asfr(schedules)
        }
        (None, Some(tfr), Some(shape), None, None) => FertilityAssumption::TfrShape {
            tfr: tfr_path(source, tfr)?,
            shape: read_shape(source, shape)?,
        },
        (None, Some(tfr), None, Some(mean_age), Some(sd)) => {
            if !(mean_age.is_finite() && mean_age > 15.0 && mean_age < 50.0) {
                return Err(Error::InvalidSetting {
                    path: toml.to_path_buf(),
                    field: "fertility.mean_age".into(),
                    value: mean_age,
                    range: "an age between 15 and 50",
                });
            }
            if !(sd.is_finite() && sd > 0.0) {
                return Err(Error::InvalidSetting {
                    path: toml.to_path_buf(),
                    field: "fertility.sd".into(),
                    value: sd,
                    range: "a finite number of years > 0",
                });
            }
            FertilityAssumption::TfrGamma {
                tfr: tfr_path(source, tfr)?,
                mean_age,
                sd,
            }
        }
        _ => return Err(bad(one_of)),
    };
    Ok(FertilitySetting {
        schedule: assumption,
        sex_ratio_at_birth: srb,
    })
}

/// A percent-ASFR shape file `age,value` (single ages or five-year groups) as single-year
/// shares summing to 1.
fn read_shape(source: &Source, name: &str) -> Result<Vec<f64>> {
    let path = source.path(name);
    let table =
        TidyTable::from_reader(source.read(name)?.as_bytes(), &path, ValueRule::NonNegative)?;
    let mut by_group: Vec<(AgeGroup, f64)> = Vec::new();
    for row in table.rows() {
        let group = row.age.ok_or_else(|| Error::MissingColumn {
            path: path.clone(),
            column: "age",
            expected: "age,value",
        })?;
        if group.to.is_none_or(|to| to >= OMEGA) {
            return Err(Error::BadAgeGroups {
                path: path.clone(),
                omega: OMEGA,
                problem: format!(
                    "row {}: {group} is not a closed group of childbearing ages",
                    row.row
                ),
            });
        }
        by_group.push((group, row.value));
    }
    let singles = by_group.iter().all(|(g, _)| g.width() == Some(1));
    let result = if singles {
        let mut shape = vec![0.0; OMEGA + 1];
        for (g, v) in &by_group {
            shape[g.from] = *v;
        }
        Fertility::from_shape(&shape, 1.0)
    } else {
        let (groups, values): (Vec<AgeGroup>, Vec<f64>) = by_group.into_iter().unzip();
        Fertility::from_five_year_shape(&groups, &values, 1.0, OMEGA)
    };
    result.map(Fertility::into_vec).map_err(|e| match e {
        Error::BadAgeGroups { omega, problem, .. } => Error::BadAgeGroups {
            path: path.clone(),
            omega,
            problem,
        },
        Error::InvalidParameter { value, range, .. } | Error::InvalidRate { value, range, .. } => {
            Error::InvalidSetting {
                path: path.clone(),
                field: "value".into(),
                value,
                range,
            }
        }
        other => other,
    })
}

fn read_mortality(
    source: &Source,
    file: &ScenarioFile,
    toml: &Path,
) -> Result<MortalityAssumption> {
    let m = &file.mortality;
    let bad = |problem| Error::BadSettings {
        path: toml.to_path_buf(),
        field: "[mortality]".into(),
        problem,
    };
    match (&m.mx, &m.e0, &m.standard) {
        (Some(mx), None, None) => {
            if m.beta.is_some() {
                return Err(bad("beta applies only with e0 and standard"));
            }
            let path = source.path(mx);
            let table =
                TidyTable::from_reader(source.read(mx)?.as_bytes(), &path, ValueRule::NonNegative)?;
            let schedules = table.schedules(OMEGA, |row| (row.year, row.sex))?;
            let mut out: BTreeMap<Option<i32>, [Vec<f64>; 2]> = BTreeMap::new();
            for ((year, sex), schedule) in &schedules {
                let Some(sex) = sex else {
                    return Err(Error::MissingColumn {
                        path,
                        column: "sex",
                        expected: "[year,]sex,age,value",
                    });
                };
                LifeTable::from_mx(*sex, schedule)?;
                out.entry(*year).or_insert_with(|| [Vec::new(), Vec::new()])[sex.index()] =
                    schedule.clone();
            }
            for (year, pair) in &out {
                if let Some(missing) = Sex::ALL.iter().find(|s| pair[s.index()].is_empty()) {
                    return Err(Error::MissingAge {
                        path,
                        area: year.map_or(String::new(), |y| format!("year {y}")),
                        sex: *missing,
                        age: "all".into(),
                    });
                }
            }
            Ok(MortalityAssumption::Mx(out))
        }
        (None, Some(e0), Some(standard)) => {
            let beta = m.beta.unwrap_or(1.0);
            if !(beta.is_finite() && beta > 0.0) {
                return Err(Error::InvalidSetting {
                    path: toml.to_path_buf(),
                    field: "mortality.beta".into(),
                    value: beta,
                    range: "a finite number > 0",
                });
            }
            let e0_path = source.path(e0);
            let table = TidyTable::from_reader(
                source.read(e0)?.as_bytes(),
                &e0_path,
                ValueRule::NonNegative,
            )?;
            let mut points: [Vec<(i32, f64)>; 2] = Default::default();
            for row in table.rows() {
                let (Some(year), Some(sex)) = (row.year, row.sex) else {
                    return Err(Error::MissingColumn {
                        path: e0_path,
                        column: "year, sex",
                        expected: "year,sex,value",
                    });
                };
                if !E0_RANGE.contains(&row.value) {
                    return Err(Error::InvalidValue {
                        path: e0_path,
                        row: row.row,
                        what: "life expectancy at birth",
                        range: E0_RANGE_TEXT,
                        value: row.value,
                    });
                }
                points[sex.index()].push((year, row.value));
            }
            let [female, male] = points;
            let path_for = |points: Vec<(i32, f64)>| {
                YearPath::new(points).map_err(|_| Error::BadSettings {
                    path: e0_path.clone(),
                    field: "rows".into(),
                    problem: "every sex needs e0 for at least one year, one value per year",
                })
            };
            let e0 = [path_for(female)?, path_for(male)?];
            let standard = life_tables_by_sex(&source.read(standard)?, &source.path(standard))?;
            Ok(MortalityAssumption::Brass {
                e0,
                standard: Box::new(standard),
                beta,
            })
        }
        _ => Err(bad("give either mx, or e0 with standard")),
    }
}

/// The female and male life tables of a death-rate file (`sex,age,value`, single years
/// 0..=100+), named `path` in messages.
///
/// # Errors
///
/// The errors of [`TidyTable::from_reader`] and [`TidyTable::schedules`];
/// [`Error::MissingAge`] when a sex has no rows; those of [`LifeTable::from_mx`].
pub(crate) fn life_tables_by_sex(text: &str, path: &Path) -> Result<[LifeTable; 2]> {
    let table = TidyTable::from_reader(text.as_bytes(), path, ValueRule::NonNegative)?;
    let schedules = table.schedules(OMEGA, |row| row.sex)?;
    let table_for = |sex: Sex| -> Result<LifeTable> {
        let mx = schedules.get(&Some(sex)).ok_or_else(|| Error::MissingAge {
            path: path.to_path_buf(),
            area: String::new(),
            sex,
            age: "all".into(),
        })?;
        LifeTable::from_mx(sex, mx)
    };
    Ok([table_for(Sex::Female)?, table_for(Sex::Male)?])
}

fn read_migration(
    source: &Source,
    file: &ScenarioFile,
    toml: &Path,
    areas: Option<&[Area]>,
) -> Result<MigrationAssumption> {
    let section = file
        .migration
        .clone()
        .unwrap_or(crate::scenario::file::MigrationSection {
            female_share: None,
            schedule: None,
            file: None,
            census: None,
        });
    if section.file.is_some() && section.census.is_some() {
        return Err(Error::BadSettings {
            path: toml.to_path_buf(),
            field: "[migration]".into(),
            problem: "give either file or census, not both",
        });
    }
    if let Some(census) = &section.census {
        crate::scenario::census_migration::check_section(census).map_err(
            |(field, value, range)| Error::InvalidSetting {
                path: toml.to_path_buf(),
                field: format!("migration.census.{field}"),
                value,
                range,
            },
        )?;
    }
    let female_share = section.female_share.unwrap_or(0.5);
    if !(0.0..=1.0).contains(&female_share) {
        return Err(Error::InvalidSetting {
            path: toml.to_path_buf(),
            field: "migration.female_share".into(),
            value: female_share,
            range: "a share in [0, 1]",
        });
    }
    let schedule = match section.schedule {
        Some(s) => RogersCastro::new(s.a1, s.alpha1, s.a2, s.alpha2, s.mu2, s.lambda2, s.c)
            .map_err(|e| match e {
                Error::InvalidParameter { value, .. } => Error::InvalidSetting {
                    path: toml.to_path_buf(),
                    field: "migration.schedule".into(),
                    value,
                    range: "Rogers-Castro parameters that are finite and >= 0",
                },
                other => other,
            })?,
        None => RogersCastro::fundamental(),
    };
    let by_age = match (&section.file, areas) {
        (Some(name), Some(areas)) => {
            let ids: Vec<String> = areas.iter().map(|a| a.id.clone()).collect();
            Some(read_migrants_from(
                source.read(name)?.as_bytes(),
                source.path(name),
                &ids,
                OMEGA,
            )?)
        }
        _ => None,
    };
    Ok(MigrationAssumption {
        female_share,
        schedule,
        by_age,
    })
}

/// The GB 50180-2018 life-circle tier (walking minutes) of a known service id: 5 for
/// nurseries and kindergartens, 10 for primary schools, 15 for junior schools and care
/// homes (DESIGN §6).
fn life_circle_minutes(service: &str) -> Option<f64> {
    match service {
        "childcare" | "kindergarten" => Some(5.0),
        "primary" => Some(10.0),
        "junior" | "elder_beds" => Some(15.0),
        _ => None,
    }
}

/// The services with their stock, costs and caps; problems in those files go to
/// `problems` while the services themselves stay usable for checking targets.
fn read_services(
    source: &Source,
    file: &ScenarioFile,
    toml: &Path,
    areas: &[Area],
    bands: &[Band],
    problems: &mut Problems,
) -> Vec<Service> {
    let mut services: Vec<Service> = Vec::new();
    for (i, entry) in file.services.iter().enumerate() {
        let field = |name: &str| format!("services[{i}].{name}");
        if services.iter().any(|s| s.id == entry.id) {
            problems.push(Error::DuplicateName {
                path: toml.to_path_buf(),
                field: field("id"),
                what: "service",
                name: entry.id.clone(),
            });
            continue;
        }
        let band = bands
            .iter()
            .position(|b| b.name() == entry.band)
            .unwrap_or_else(|| {
                // Kept (with a placeholder band) so that targets naming it do not cascade;
                // the scenario is invalid anyway.
                problems.push(Error::UnknownName {
                    path: toml.to_path_buf(),
                    field: field("band"),
                    what: "band",
                    name: entry.band.clone(),
                });
                0
            });
        let district_wide = entry.district_wide.unwrap_or(false);
        // A district-wide service needs no radius; it is held at the longest one.
        let radius = entry
            .radius_minutes
            .or_else(|| life_circle_minutes(&entry.id))
            .or_else(|| district_wide.then_some(MAX_RADIUS_MINUTES));
        if radius.is_none() {
            problems.push(Error::BadSettings {
                path: toml.to_path_buf(),
                field: field("radius_minutes"),
                problem: "give the walking radius in minutes: the service is not one with a GB 50180-2018 default",
            });
        }
        // Each number within a finite range (docs/scenario.md §12): beyond it the solver's
        // numerics break (an infinite module size panicked inside microlp).
        for (name, v, upper, range) in [
            ("need_rate", entry.need_rate, MAX_NEED_RATE, NEED_RATE_RANGE),
            (
                "radius_minutes",
                radius.unwrap_or(0.0),
                MAX_RADIUS_MINUTES,
                RADIUS_RANGE,
            ),
            (
                "min_addition",
                entry.min_addition.unwrap_or(0.0),
                MAX_MODULE_UNITS,
                MODULE_RANGE,
            ),
            (
                "stated_baseline_per_1000",
                entry.stated_baseline_per_1000.unwrap_or(0.0),
                MAX_NEED_RATE * 1000.0,
                STATED_BASELINE_RANGE,
            ),
            (
                "max_added_per_year",
                entry.max_added_per_year.unwrap_or(0.0),
                MAX_BUDGET,
                BUILD_RATE_RANGE,
            ),
            (
                "max_added_per_area_year",
                entry.max_added_per_area_year.unwrap_or(0.0),
                MAX_BUDGET,
                BUILD_RATE_RANGE,
            ),
            (
                "project_cost",
                entry.project_cost.unwrap_or(0.0),
                MAX_BUDGET,
                BUDGET_RANGE,
            ),
        ] {
            if !in_range(v, upper) {
                problems.push(Error::InvalidSetting {
                    path: toml.to_path_buf(),
                    field: field(name),
                    value: v,
                    range,
                });
            }
        }
        if entry.variants.is_empty() {
            problems.push(Error::BadSettings {
                path: toml.to_path_buf(),
                field: field("variants"),
                problem: "a service needs at least one variant",
            });
        }
        for (j, v) in entry.variants.iter().enumerate() {
            if entry.variants[..j].contains(v) {
                problems.push(Error::DuplicateName {
                    path: toml.to_path_buf(),
                    field: field("variants"),
                    what: "variant",
                    name: v.clone(),
                });
            }
        }
        services.push(Service {
            id: entry.id.clone(),
            name: entry.name.clone(),
            name_zh: entry.name_zh.clone(),
            unit: entry.unit.clone(),
            band,
            need_rate: entry.need_rate,
            radius_minutes: radius.unwrap_or(f64::INFINITY),
            variants: entry.variants.clone(),
            min_addition: entry.min_addition.filter(|m| *m > 0.0),
            stated_baseline_per_1000: entry.stated_baseline_per_1000,
            max_added_per_year: entry.max_added_per_year,
            max_added_per_area_year: entry.max_added_per_area_year,
            district_wide,
            provenance: entry.provenance.clone(),
            project_cost: entry.project_cost.filter(|c| *c > 0.0),
            stock: vec![vec![0.0; areas.len()]; entry.variants.len()],
            add_cost: vec![f64::NAN; entry.variants.len()],
            caps: vec![None; areas.len()],
            variant_caps: vec![vec![None; areas.len()]; entry.variants.len()],
        });
    }
    if let Some(stock) = &file.stock {
        problems.take(read_stock(source, &stock.file, areas, &mut services));
    }
    match &file.costs {
        Some(costs) => {
            problems.take(read_costs(source, &costs.file, &mut services));
        }
        None if !services.is_empty() => problems.push(Error::BadSettings {
            path: toml.to_path_buf(),
            field: "[costs]".into(),
            problem: "services need unit costs: add a [costs] section naming a costs file",
        }),
        None => {}
    }
    if let Some(caps) = &file.caps {
        problems.take(read_caps(source, &caps.file, areas, &mut services));
    }
    services
}

/// Finds (area, service, variant) of a planning CSV row, or says which name is unknown.
fn lookup(
    rows: &Rows,
    n: usize,
    row: &[String],
    areas: Option<&[Area]>,
    services: &[Service],
    variant_column: Option<&'static str>,
) -> Result<(Option<usize>, usize, Option<usize>)> {
    let unknown = |what, name: String| Error::UnknownName {
        path: rows.path.clone(),
        field: format!("row {n}"),
        what,
        name,
    };
    let area = match areas {
        Some(areas) => {
            let id = rows.text(n, row, "area")?;
            Some(
                areas
                    .iter()
                    .position(|a| a.id == id)
                    .ok_or_else(|| Error::UnknownArea {
                        path: rows.path.clone(),
                        row: n,
                        area: id,
                    })?,
            )
        }
        None => None,
    };
    let service_id = rows.text(n, row, "service")?;
    let service = services
        .iter()
        .position(|s| s.id == service_id)
        .ok_or_else(|| unknown("service", service_id))?;
    let variant = match variant_column {
        Some(column) => {
            let id = rows.text(n, row, column)?;
            Some(
                services[service]
                    .variant_index(&id)
                    .ok_or_else(|| unknown("variant", id))?,
            )
        }
        None => None,
    };
    Ok((area, service, variant))
}

fn read_stock(source: &Source, name: &str, areas: &[Area], services: &mut [Service]) -> Result<()> {
    let rows = Rows::read(
        source,
        name,
        &["area", "service", "variant", "value"],
        "area,service,variant,value",
    )?;
    let mut seen: HashMap<(usize, usize, usize), usize> = HashMap::new();
    let mut problems = Problems(Vec::new());
    for (n, row) in &rows.rows {
        let result = (|| -> Result<()> {
            let (area, service, variant) =
                lookup(&rows, *n, row, Some(areas), services, Some("variant"))?;
            let (Some(area), Some(variant)) = (area, variant) else {
                return Ok(());
            };
            if let Some(first) = seen.insert((area, service, variant), *n) {
                return Err(Error::DuplicateName {
                    path: rows.path.clone(),
                    field: format!("row {n} (first in row {first})"),
                    what: "stock row",
                    name: format!(
                        "{}/{}/{}",
                        areas[area].id, services[service].id, services[service].variants[variant]
                    ),
                });
            }
            let value = rows.non_negative(*n, row, "value")?.unwrap_or(0.0);
            services[service].stock[variant][area] = value;
            Ok(())
        })();
        problems.take(result);
    }
    finish(problems, &rows.path)
}

fn read_costs(source: &Source, name: &str, services: &mut [Service]) -> Result<()> {
    let rows = Rows::read(
        source,
        name,
        &["service", "variant", "add_cost"],
        "service,variant,add_cost,unit",
    )?;
    let mut problems = Problems(Vec::new());
    for (n, row) in &rows.rows {
        let result = (|| -> Result<()> {
            let (_, service, variant) = lookup(&rows, *n, row, None, services, Some("variant"))?;
            let Some(variant) = variant else {
                return Ok(());
            };
            let cost = rows.non_negative(*n, row, "add_cost")?.unwrap_or(f64::NAN);
            if !services[service].add_cost[variant].is_nan() {
                return Err(Error::DuplicateName {
                    path: rows.path.clone(),
                    field: format!("row {n}"),
                    what: "cost row",
                    name: format!(
                        "{}/{}",
                        services[service].id, services[service].variants[variant]
                    ),
                });
            }
            services[service].add_cost[variant] = cost;
            Ok(())
        })();
        problems.take(result);
    }
    for service in services.iter() {
        for (v, cost) in service.add_cost.iter().enumerate() {
            if cost.is_nan() {
                problems.push(Error::UnknownName {
                    path: rows.path.clone(),
                    field: "add_cost".into(),
                    what: "cost for service/variant (every variant needs one)",
                    name: format!("{}/{}", service.id, service.variants[v]),
                });
            }
        }
    }
    finish(problems, &rows.path)
}

fn read_caps(source: &Source, name: &str, areas: &[Area], services: &mut [Service]) -> Result<()> {
    let rows = Rows::read(
        source,
        name,
        &["area", "service", "max_added"],
        "area,service,[variant,]max_added",
    )?;
    let has_variant = rows.header.iter().any(|h| h == "variant");
    let mut problems = Problems(Vec::new());
    for (n, row) in &rows.rows {
        let result = (|| -> Result<()> {
            let variant_column =
                (has_variant && rows.get(row, "variant").is_some()).then_some("variant");
            let (area, service, variant) =
                lookup(&rows, *n, row, Some(areas), services, variant_column)?;
            let Some(area) = area else { return Ok(()) };
            let cap = rows.non_negative(*n, row, "max_added")?;
            let s = &mut services[service];
            let slot = match variant {
                Some(v) => &mut s.variant_caps[v][area],
                None => &mut s.caps[area],
            };
            if slot.is_some() {
                return Err(Error::DuplicateName {
                    path: rows.path.clone(),
                    field: format!("row {n}"),
                    what: "cap row",
                    name: format!(
                        "{}/{}{}",
                        areas[area].id,
                        s.id,
                        variant
                            .map(|v| format!("/{}", s.variants[v]))
                            .unwrap_or_default()
                    ),
                });
            }
            *slot = cap;
            Ok(())
        })();
        problems.take(result);
    }
    finish(problems, &rows.path)
}

fn read_conversions(
    source: &Source,
    file: &ScenarioFile,
    services: &[Service],
) -> Result<Vec<Conversion>> {
    let Some(name) = file.costs.as_ref().and_then(|c| c.conversions.as_ref()) else {
        return Ok(Vec::new());
    };
    let rows = Rows::read(
        source,
        name,
        &["service", "from", "to", "cost"],
        "service,from,to,cost[,max_per_area][,to_service][,ratio][,stock_only]",
    )?;
    let mut problems = Problems(Vec::new());
    let mut out: Vec<Conversion> = Vec::new();
    for (n, row) in &rows.rows {
        let result = (|| -> Result<Conversion> {
            let (_, service, from) = lookup(&rows, *n, row, None, services, Some("from"))?;
            let Some(from) = from else {
                return Err(Error::BadSettings {
                    path: rows.path.clone(),
                    field: format!("row {n}"),
                    problem: "a conversion needs from and to variants",
                });
            };
            let (to_service, to) = conversion_target(&rows, *n, row, services, service)?;
            let described = || {
                let (a, b) = (&services[service], &services[to_service]);
                if service == to_service {
                    format!("{}: {} -> {}", a.id, a.variants[from], b.variants[to])
                } else {
                    format!(
                        "{}/{} -> {}/{}",
                        a.id, a.variants[from], b.id, b.variants[to]
                    )
                }
            };
            if (service == to_service && from == to)
                || out.iter().any(|c| {
                    c.service == service
                        && c.from == from
                        && c.to_service == to_service
                        && c.to == to
                })
            {
                return Err(Error::DuplicateName {
                    path: rows.path.clone(),
                    field: format!("row {n}"),
                    what: "conversion (or one from a variant to itself)",
                    name: described(),
                });
            }
            let ratio = conversion_ratio(&rows, *n, row)?;
            let cost = rows.non_negative(*n, row, "cost")?.unwrap_or(0.0);
            let max_per_area = rows.non_negative(*n, row, "max_per_area")?;
            let stock_only = match rows.get(row, "stock_only") {
                None | Some("false") => false,
                Some("true") => true,
                Some(other) => {
                    return Err(Error::BadField {
                        path: rows.path.clone(),
                        row: *n,
                        field: "stock_only",
                        value: other.to_string(),
                        expected: "true or false",
                    });
                }
            };
            Ok(Conversion {
                service,
                from,
                to_service,
                to,
                ratio,
                cost,
                max_per_area,
                stock_only,
            })
        })();
        if let Some(c) = problems.take(result) {
            out.push(c);
        }
    }
    finish(problems, &rows.path).map(|()| out)
}

/// The service and variant a conversions.csv row converts to: `to_service` (empty or
/// absent: the row's own `service`) and its variant `to`.
fn conversion_target(
    rows: &Rows,
    n: usize,
    row: &[String],
    services: &[Service],
    service: usize,
) -> Result<(usize, usize)> {
    let to_service = match rows.get(row, "to_service") {
        None => service,
        Some(id) => services
            .iter()
            .position(|s| s.id == id)
            .ok_or_else(|| Error::UnknownName {
                path: rows.path.clone(),
                field: format!("row {n}, field `to_service`"),
                what: "service",
                name: id.to_string(),
            })?,
    };
    let id = rows.text(n, row, "to")?;
    let to = services[to_service]
        .variant_index(&id)
        .ok_or_else(|| Error::UnknownName {
            path: rows.path.clone(),
            field: format!("row {n}, field `to`"),
            what: if to_service == service {
                "variant"
            } else {
                "variant of the service in `to_service`"
            },
            name: id,
        })?;
    Ok((to_service, to))
}

/// The `ratio` of a conversions.csv row: units gained per unit converted, above 0 and at
/// most [`MAX_CONVERSION_RATIO`]; empty or absent: 1.
fn conversion_ratio(rows: &Rows, n: usize, row: &[String]) -> Result<f64> {
    let Some(text) = rows.get(row, "ratio") else {
        return Ok(1.0);
    };
    let ratio = text.parse::<f64>().map_err(|_| Error::BadField {
        path: rows.path.clone(),
        row: n,
        field: "ratio",
        value: text.to_string(),
        expected: "a number",
    })?;
    if ratio > 0.0 && ratio <= MAX_CONVERSION_RATIO {
        Ok(ratio)
    } else {
        Err(Error::InvalidValue {
            path: rows.path.clone(),
            row: n,
            what: "ratio",
            range: CONVERSION_RATIO_RANGE,
            value: ratio,
        })
    }
}

fn read_access(
    source: &Source,
    file: &ScenarioFile,
    toml: &Path,
    areas: &[Area],
) -> Result<Access> {
    let section = file
        .access
        .clone()
        .unwrap_or(crate::scenario::file::AccessSection {
            matrix: None,
            walking_speed_kmh: None,
            detour_factor: None,
        });
    let n = areas.len();
    if let Some(name) = &section.matrix {
        let rows = Rows::read(source, name, &["from", "to", "minutes"], "from,to,minutes")?;
        let mut minutes = vec![f64::NAN; n * n];
        for (r, row) in &rows.rows {
            let index = |column: &'static str| -> Result<usize> {
                let id = rows.text(*r, row, column)?;
                areas
                    .iter()
                    .position(|a| a.id == id)
                    .ok_or_else(|| Error::UnknownArea {
                        path: rows.path.clone(),
                        row: *r,
                        area: id,
                    })
            };
            let (i, j) = (index("from")?, index("to")?);
            let value = rows.non_negative(*r, row, "minutes")?.unwrap_or(f64::NAN);
            if !minutes[i * n + j].is_nan() {
                return Err(Error::DuplicateName {
                    path: rows.path.clone(),
                    field: format!("row {r}"),
                    what: "travel time",
                    name: format!("{} -> {}", areas[i].id, areas[j].id),
                });
            }
            minutes[i * n + j] = value;
        }
        if let Some(cell) = minutes.iter().position(|m| m.is_nan()) {
            return Err(Error::IncompleteMatrix {
                path: rows.path.clone(),
                from: areas[cell / n].id.clone(),
                to: areas[cell % n].id.clone(),
            });
        }
        return Access::from_matrix(n, minutes);
    }
    let speed = section.walking_speed_kmh.unwrap_or(4.0);
    let detour = section.detour_factor.unwrap_or(1.4);
    for (field, v, ok, range) in [
        (
            "access.walking_speed_kmh",
            speed,
            speed > 0.0,
            "a speed in km/h > 0",
        ),
        (
            "access.detour_factor",
            detour,
            detour >= 1.0,
            "a factor >= 1 (walked / straight-line distance)",
        ),
    ] {
        if !(ok && v.is_finite()) {
            return Err(Error::InvalidSetting {
                path: toml.to_path_buf(),
                field: field.into(),
                value: v,
                range,
            });
        }
    }
    // Travel times serve services only: a scenario without any (`popalloc init --census`)
    // needs no centroids, and its access is never read (every area at one point: memory
    // grows with the areas, not their square).
    if file.services.is_empty() && areas.iter().any(|a| a.centroid.is_none()) {
        return Ok(Access::from_centroids(&vec![(0.0, 0.0); n], speed, detour));
    }
    let mut centroids = Vec::with_capacity(n);
    for area in areas {
        match area.centroid {
            Some(c) => centroids.push(c),
            None => {
                return Err(Error::BadSettings {
                    path: source.path(&file.areas.file),
                    field: format!("area {}: latitude, longitude", area.id),
                    problem: "travel times need every area's centroid, or an [access] matrix file",
                });
            }
        }
    }
    Ok(Access::from_centroids(&centroids, speed, detour))
}

fn read_targets(
    file: &ScenarioFile,
    toml: &Path,
    services: &[Service],
    bands: &[Band],
    base: Option<&Population>,
) -> Result<Vec<Target>> {
    let mut problems = Problems(Vec::new());
    let mut targets: Vec<Target> = Vec::new();
    let mut paths: Vec<Target> = Vec::new();
    for (i, entry) in file.targets.iter().enumerate() {
        if let Some(t) = problems.take(target(file, toml, services, bands, i, entry, &targets)) {
            // The magnitude is judged against the base population, when it could be read.
            if let Some(base) = base {
                problems.take(check_magnitude(toml, i, &t, base.total()));
            }
            if let (Some(path), Some(base)) = (entry.path.as_deref(), base) {
                let steps = match path {
                    "linear" => interim::baseline(&t, services, base, bands)
                        .map(|start| interim::linear_path(&t, start, file.base_year)),
                    _ => Err("the only path is \"linear\""),
                };
                match steps {
                    Ok(steps) => paths.extend(steps),
                    Err(problem) => problems.push(Error::BadSettings {
                        path: toml.to_path_buf(),
                        field: format!("targets[{i}].path"),
                        problem,
                    }),
                }
            }
            targets.push(t);
        }
    }
    targets.extend(paths);
    // Contradictions between two targets on the same measure.
    for (a, t) in targets.iter().enumerate() {
        for u in &targets[a + 1..] {
            if let Some(detail) = contradiction(t, u) {
                problems.push(Error::ContradictoryTargets {
                    path: toml.to_path_buf(),
                    first: t.id.clone(),
                    second: u.id.clone(),
                    detail,
                });
            }
        }
    }
    finish(problems, toml).map(|()| targets)
}

fn target(
    file: &ScenarioFile,
    toml: &Path,
    services: &[Service],
    bands: &[Band],
    i: usize,
    entry: &TargetEntry,
    earlier: &[Target],
) -> Result<Target> {
    let field = |name: &str| format!("targets[{i}].{name}");
    if entry.id.trim().is_empty() {
        return Err(Error::BadSettings {
            path: toml.to_path_buf(),
            field: field("id"),
            problem: "a target needs an id that is not empty",
        });
    }
    if earlier.iter().any(|t| t.id == entry.id) {
        return Err(Error::DuplicateName {
            path: toml.to_path_buf(),
            field: field("id"),
            what: "target",
            name: entry.id.clone(),
        });
    }
    let service = services
        .iter()
        .position(|s| s.id == entry.service)
        .ok_or_else(|| Error::UnknownName {
            path: toml.to_path_buf(),
            field: field("service"),
            what: "service",
            name: entry.service.clone(),
        })?;
    let year = entry.year.unwrap_or(file.horizon);
    if year <= file.base_year || year > file.horizon {
        return Err(Error::InvalidSetting {
            path: toml.to_path_buf(),
            field: field("year"),
            value: f64::from(year),
            range: "a year after base_year and no later than the horizon",
        });
    }
    let op = entry.op.unwrap_or_default();
    if !allowed_comparisons(entry.kind).contains(&op) {
        return Err(Error::BadSettings {
            path: toml.to_path_buf(),
            field: field("op"),
            problem: "total allows >=, <= and =; share allows >= and <=; per_capita, coverage and area_count allow only >=",
        });
    }
    if !entry.kind.accepts(entry.value) {
        return Err(Error::InvalidSetting {
            path: toml.to_path_buf(),
            field: field("value"),
            value: entry.value,
            range: entry.kind.value_range(),
        });
    }
    let s = &services[service];
    let variants = target_variants(
        toml,
        &field("variants"),
        &entry.id,
        s,
        entry.variants.as_deref(),
    )?;
    let band =
        match entry.band.as_deref() {
            None | Some("all") => None,
            Some(name) => Some(bands.iter().position(|b| b.name() == name).ok_or_else(|| {
                Error::UnknownName {
                    path: toml.to_path_buf(),
                    field: field("band"),
                    what: "band",
                    name: name.to_string(),
                }
            })?),
        };
    let min_per_area = entry.min_per_area.unwrap_or(1.0);
    if !(min_per_area.is_finite() && min_per_area >= 0.0) {
        return Err(Error::InvalidSetting {
            path: toml.to_path_buf(),
            field: field("min_per_area"),
            value: min_per_area,
            range: "a finite number >= 0",
        });
    }
    if entry.kind == TargetKind::AreaCount
        && entry.level.unwrap_or_default() != TargetLevel::District
    {
        return Err(Error::BadSettings {
            path: toml.to_path_buf(),
            field: field("level"),
            problem: "an area_count target counts areas, so it is a district target",
        });
    }
    Ok(Target {
        id: entry.id.clone(),
        service,
        kind: entry.kind,
        class: entry.class,
        year,
        level: entry.level.unwrap_or_default(),
        op,
        value: entry.value,
        variants,
        band,
        min_per_area,
        description: entry.description.clone(),
    })
}

/// The variants a target counts, as indices in ascending order: every variant of the
/// service when the field is left out; a list given must name known variants, at least
/// one, each once (a repeated variant would be counted twice in the target's sum).
fn target_variants(
    toml: &Path,
    field: &str,
    id: &str,
    service: &Service,
    listed: Option<&[String]>,
) -> Result<Vec<usize>> {
    let field = format!("{field} (target {id:?})");
    let Some(listed) = listed else {
        return Ok((0..service.variants.len()).collect());
    };
    if listed.is_empty() {
        return Err(Error::BadSettings {
            path: toml.to_path_buf(),
            field,
            problem: "an empty list of variants counts nothing; leave the field out to count every variant",
        });
    }
    let mut out = Vec::with_capacity(listed.len());
    for name in listed {
        let v = service
            .variant_index(name)
            .ok_or_else(|| Error::UnknownName {
                path: toml.to_path_buf(),
                field: field.clone(),
                what: "variant",
                name: name.clone(),
            })?;
        if out.contains(&v) {
            return Err(Error::DuplicateName {
                path: toml.to_path_buf(),
                field,
                what: "variant",
                name: name.clone(),
            });
        }
        out.push(v);
    }
    out.sort_unstable();
    Ok(out)
}

/// A `total` or `per_capita` target above [`TargetKind::max_value`] for the district's
/// residents is refused.
fn check_magnitude(toml: &Path, i: usize, target: &Target, residents: f64) -> Result<()> {
    if target.kind.accepts_in(target.value, residents) {
        return Ok(());
    }
    Err(Error::InvalidSetting {
        path: toml.to_path_buf(),
        field: format!(
            "targets[{i}].value (target {:?}; {} residents in the base year)",
            target.id,
            residents.round()
        ),
        value: target.value,
        range: target.kind.magnitude_range(),
    })
}

/// Whether two lists of variants name the same set, whatever their order.
fn same_variants(a: &[usize], b: &[usize]) -> bool {
    let set = |list: &[usize]| {
        list.iter()
            .copied()
            .collect::<std::collections::BTreeSet<_>>()
    };
    set(a) == set(b)
}

/// Two targets on the same measure (service, kind, year, level, variants as a set, band)
/// whose bounds exclude each other.
fn contradiction(a: &Target, b: &Target) -> Option<String> {
    let same = a.service == b.service
        && a.kind == b.kind
        && a.year == b.year
        && a.level == b.level
        && same_variants(&a.variants, &b.variants)
        && a.band == b.band;
    if !same {
        return None;
    }
    let bounds = |t: &Target| match t.op {
        Comparison::AtLeast => (t.value, f64::INFINITY),
        Comparison::AtMost => (f64::NEG_INFINITY, t.value),
        Comparison::Equal | Comparison::About => (t.value, t.value),
    };
    let (lo_a, hi_a) = bounds(a);
    let (lo_b, hi_b) = bounds(b);
    let lower = lo_a.max(lo_b);
    let upper = hi_a.min(hi_b);
    (lower > upper).then(|| {
        format!(
            "{} {} {} and {} {} {} leave no value for the same measure in {}",
            a.id,
            a.op.symbol(),
            a.value,
            b.id,
            b.op.symbol(),
            b.value,
            a.year
        )
    })
}

fn read_expectations(file: &ScenarioFile, toml: &Path, bands: &[Band]) -> Result<Vec<Expectation>> {
    let mut problems = Problems(Vec::new());
    let mut out = Vec::new();
    for (i, e) in file.expectations.iter().enumerate() {
        let field = |name: &str| format!("expectations[{i}].{name}");
        if file.expectations[..i].iter().any(|x| x.id == e.id) {
            problems.push(Error::DuplicateName {
                path: toml.to_path_buf(),
                field: field("id"),
                what: "expectation",
                name: e.id.clone(),
            });
            continue;
        }
        let Some(band) = bands.iter().position(|b| b.name() == e.band) else {
            problems.push(Error::UnknownName {
                path: toml.to_path_buf(),
                field: field("band"),
                what: "band",
                name: e.band.clone(),
            });
            continue;
        };
        let year = e.year.unwrap_or(file.horizon);
        if year < file.base_year || year > file.horizon {
            problems.push(Error::InvalidSetting {
                path: toml.to_path_buf(),
                field: field("year"),
                value: f64::from(year),
                range: "a year from base_year to the horizon",
            });
            continue;
        }
        let share = e.kind == crate::scenario::target::ExpectationKind::Share;
        if !(e.value.is_finite() && e.value >= 0.0 && (!share || e.value <= 1.0)) {
            problems.push(Error::InvalidSetting {
                path: toml.to_path_buf(),
                field: field("value"),
                value: e.value,
                range: if share {
                    "a share in [0, 1]"
                } else {
                    "a count >= 0"
                },
            });
            continue;
        }
        out.push(Expectation {
            id: e.id.clone(),
            band,
            kind: e.kind,
            op: e.op,
            value: e.value,
            year,
            description: e.description.clone(),
        });
    }
    finish(problems, toml).map(|()| out)
}

fn finish(problems: Problems, path: &Path) -> Result<()> {
    if problems.0.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidScenario {
            path: path.to_path_buf(),
            problems: problems.0,
        })
    }
}
