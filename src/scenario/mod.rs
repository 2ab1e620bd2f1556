//! Scenarios: the files that describe a district, its assumptions and its plan's targets
//! (DESIGN §2, §4–6), read into validated types.
//!
//! A scenario is a directory holding `scenario.toml` (or `scenario.json`) and the tidy CSV
//! files it names. [`Scenario::load`] reads one; [`Scenario::yuzhong`] is the default
//! scenario embedded in the crate; [`Scenario::write_default`] writes the embedded files
//! out for editing (`popalloc init`).

pub mod access;
pub mod assumptions;
pub mod census;
pub mod census_fertility;
pub mod census_migration;
mod consistency;
mod embedded;
pub mod file;
pub mod interim;
mod limits;
mod load;
pub mod plan_data;
pub mod plausibility;
mod projection;
mod source;
pub mod target;
pub mod template;
mod tuning;

/// The longest projection a scenario may ask for, in years from its base year.
///
/// Planning horizons are decades; a longer period is almost always a mistyped year
/// (`base_year = 2` for 2020) and would run for a very long time before anyone noticed.
///
/// ```
/// assert!(2025 - 2020 <= popalloc::scenario::MAX_PROJECTION_YEARS);
/// ```
pub const MAX_PROJECTION_YEARS: i32 = 150;

/// The horizons a projection from `base_year` may reach, in words for error messages.
pub(crate) const HORIZON_RANGE: &str = "a year after the base year, at most 150 years after it";

/// Whether `horizon` is after `base_year` and at most [`MAX_PROJECTION_YEARS`] after it.
pub(crate) fn horizon_in_reach(base_year: i32, horizon: i32) -> bool {
    let years = i64::from(horizon) - i64::from(base_year);
    (1..=i64::from(MAX_PROJECTION_YEARS)).contains(&years)
}

use std::path::Path;

use crate::demography::band::Band;
use crate::demography::population::Population;
#[allow(unused_imports)] // `Error` names the error variants in doc links.
use crate::error::{Error, Result};
use assumptions::{FertilitySetting, MigrationAssumption, MortalityAssumption};
use file::ScenarioFile;
pub use plan_data::PlanSettings;
use plan_data::{Access, Area, Budget, Conversion, Expectation, Service, Target};
use source::Source;

/// A validated scenario: every file read, every reference resolved, every range checked.
///
/// # Examples
///
/// ```
/// let yuzhong = popalloc::Scenario::yuzhong()?;
/// assert_eq!(yuzhong.areas.len(), 11);
/// assert_eq!(yuzhong.base.total().round(), 588_717.0);
/// # Ok::<(), popalloc::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The scenario file as read (names, years, settings).
    pub file: ScenarioFile,
    /// The areas (streets), in the order of the areas file.
    pub areas: Vec<Area>,
    /// The base population by single year, areas in the order of `areas`.
    pub base: Population,
    /// Cohort bands.
    pub bands: Vec<Band>,
    /// Fertility assumption and the sex ratio at birth (males per female).
    pub fertility: FertilitySetting,
    /// Mortality assumption.
    pub mortality: MortalityAssumption,
    /// Migration assumption.
    pub migration: MigrationAssumption,
    /// Services with their stock, costs and caps.
    pub services: Vec<Service>,
    /// Allowed conversions between variants.
    pub conversions: Vec<Conversion>,
    /// Budgets.
    pub budget: Budget,
    /// How the plan is costed and counted: discount rate, whole units (`[plan]`).
    pub plan_settings: PlanSettings,
    /// Travel minutes between areas.
    pub access: Access,
    /// The plan's targets.
    pub targets: Vec<Target>,
    /// What the plan expects of the population.
    pub expectations: Vec<Expectation>,
    /// The uncertainty of the assumptions (Monte Carlo and sensitivity settings).
    pub uncertainty: crate::uncertainty::Uncertainty,
    /// Files the scenario reads from outside its folder (an absolute name, or one through
    /// `..`), as `(setting, file name as written, path read)`: the memo names them.
    pub files_outside: Vec<(String, String, std::path::PathBuf)>,
}

impl Scenario {
    /// Reads and validates the scenario in directory `dir`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when `scenario.toml` (or `.json`) cannot be read; [`Error::Toml`] or
    /// [`Error::Json`] when it does not parse (unknown fields included), and
    /// [`Error::JsonField`] naming the field of a JSON value of the wrong type;
    /// [`Error::InvalidScenario`] listing every problem found in the files.
    pub fn load(dir: impl AsRef<Path>) -> Result<Self> {
        load::load(&Source::Dir(dir.as_ref().to_path_buf()))
    }

    /// The scenario with its amounts continuous and without fixed project costs: the same
    /// need, targets, limits and discount rate, solved as one LP pass instead of projects
    /// chosen and units rounded. Its cost is a lower bound on the whole plan's (the
    /// continuous stage's) and it responds smoothly to a change of assumption, so the
    /// analyses that solve many plans — sensitivity, target sweeps, the reliability curve —
    /// solve this one; the plan itself (`run`, `allocate`) keeps whole units and projects.
    ///
    /// # Examples
    ///
    /// ```
    /// let yuzhong = popalloc::Scenario::yuzhong()?;
    /// assert!(yuzhong.plan_settings.whole_units);
    /// assert_eq!(yuzhong.services[0].project_cost, Some(50.0));
    /// let continuous = yuzhong.continuous();
    /// assert!(!continuous.plan_settings.whole_units);
    /// assert!(continuous.services.iter().all(|s| s.project_cost.is_none()));
    /// // Limits and the discount rate stay.
    /// assert_eq!(continuous.services[0].max_added_per_year, Some(800.0));
    /// assert_eq!(continuous.plan_settings.discount_rate, 0.08);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn continuous(&self) -> Self {
        let mut continuous = self.clone();
        continuous.plan_settings.whole_units = false;
        for service in &mut continuous.services {
            service.project_cost = None;
        }
        continuous
    }

    /// The cost unit in words: `[costs] unit`, or "relative units" when the scenario does
    /// not say.
    ///
    /// # Examples
    ///
    /// ```
    /// let yuzhong = popalloc::Scenario::yuzhong()?;
    /// assert_eq!(yuzhong.cost_unit(), "10,000 yuan (万元)");
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn cost_unit(&self) -> &str {
        self.file
            .costs
            .as_ref()
            .and_then(|c| c.unit.as_deref())
            .unwrap_or("relative units")
    }

    /// The embedded default scenario: Yuzhong District (渝中区), Chongqing, 2020 census →
    /// 2025, from the district's 2021–2025 public-service plan (data/yuzhong/SOURCES.md).
    ///
    /// # Errors
    ///
    /// None in practice (a test loads it); the errors of [`Scenario::load`].
    pub fn yuzhong() -> Result<Self> {
        let files = embedded::YUZHONG
            .iter()
            .map(|(name, text)| ((*name).to_string(), (*text).to_string()))
            .collect();
        load::load(&Source::Memory(files, "<embedded>"))
    }

    /// Loads a scenario from texts held in memory, `(file name, text)`: `scenario.toml` (or
    /// `scenario.json`) and every file it names, as [`Scenario::load`] reads them from a
    /// folder. Messages name the files as `<memory>/name`.
    ///
    /// # Errors
    ///
    /// The errors of [`Scenario::load`]; a file the scenario names but `files` lacks is
    /// [`Error::Io`] (not found).
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// popalloc::Scenario::write_default(dir.path())?;
    /// let mut files = Vec::new();
    /// for entry in std::fs::read_dir(dir.path())? {
    ///     let path = entry?.path();
    ///     let name = path.file_name().unwrap().to_string_lossy().into_owned();
    ///     files.push((name, std::fs::read_to_string(&path)?));
    /// }
    /// let from_memory = popalloc::Scenario::from_texts(&files)?;
    /// assert_eq!(from_memory.areas.len(), 11);
    /// files.retain(|(name, _)| name != "areas.csv");
    /// let err = popalloc::Scenario::from_texts(&files).unwrap_err();
    /// assert!(err.to_string().contains("<memory>/areas.csv"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_texts<N: AsRef<str>, T: AsRef<str>>(files: &[(N, T)]) -> Result<Self> {
        let files = files
            .iter()
            .map(|(name, text)| (name.as_ref().to_string(), text.as_ref().to_string()))
            .collect();
        load::load(&Source::Memory(files, "<memory>"))
    }

    /// Writes the embedded default scenario's files into `dir`, for editing: `dir` must be
    /// new or empty, and the files appear all together or not at all (see
    /// [`write_new_folder`](crate::report::output_folder::write_new_folder)).
    ///
    /// # Errors
    ///
    /// [`Error::OutputFolder`] naming the files already in `dir`; [`Error::Io`] when it
    /// cannot be written.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("popalloc-doc-init-{}", std::process::id()));
    /// popalloc::Scenario::write_default(&dir)?;
    /// assert!(popalloc::Scenario::load(&dir).is_ok());
    /// // Never over what is there.
    /// assert!(popalloc::Scenario::write_default(&dir).is_err());
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_default(dir: impl AsRef<Path>) -> Result<()> {
        let files: Vec<(&str, String)> = embedded::YUZHONG
            .iter()
            .map(|(name, text)| (*name, (*text).to_string()))
            .collect();
        crate::report::output_folder::write_new_folder(dir.as_ref(), &files).map(|_| ())
    }

    /// The scenario's name for chart titles: its Chinese name when it has one, else its
    /// name.
    ///
    /// # Examples
    ///
    /// ```
    /// let yuzhong = popalloc::Scenario::yuzhong()?;
    /// assert!(yuzhong.short_name().starts_with("重庆市渝中区"));
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn short_name(&self) -> &str {
        self.file.name_zh.as_deref().unwrap_or(&self.file.name)
    }

    /// The base year (census date).
    pub fn base_year(&self) -> i32 {
        self.file.base_year
    }

    /// The horizon year.
    pub fn horizon(&self) -> i32 {
        self.file.horizon
    }

    /// The index of a band by name.
    pub fn band_index(&self, name: &str) -> Option<usize> {
        self.bands.iter().position(|b| b.name() == name)
    }
}
