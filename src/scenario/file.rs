//! The scenario file as written by people: `scenario.toml` (or `scenario.json`), with serde.
//!
//! These structs mirror the file one to one and check nothing beyond the syntax; the
//! validated [`Scenario`](crate::Scenario) is made from them by `TryFrom`. Every field
//! states its unit. Unknown fields are rejected, so a typo is an error, not a silent
//! default. docs/scenario.md describes the same format for readers who do not read Rust.

use serde::{Deserialize, Serialize};

pub use crate::scenario::target::{
    Comparison, ExpectationKind, TargetClass, TargetKind, TargetLevel,
};

/// The whole `scenario.toml`.
///
/// # Examples
///
/// ```
/// use popalloc::ScenarioFile;
///
/// let text = r#"
/// name = "Example"
/// base_year = 2020
/// horizon = 2025
/// [areas]
/// file = "areas.csv"
/// [population]
/// file = "base_population.csv"
/// [fertility]
/// sex_ratio_at_birth = 1.07
/// tfr = "tfr.csv"
/// shape = "fertility_shape.csv"
/// [mortality]
/// e0 = "e0.csv"
/// standard = "mortality_standard.csv"
/// "#;
/// let file: ScenarioFile = toml::from_str(text).unwrap();
/// assert_eq!(file.horizon, 2025);
/// assert!(toml::from_str::<ScenarioFile>(&format!("{text}\nhorizn = 2030")).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// The scenario's name in English.
    pub name: String,
    /// The scenario's name in Chinese, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    /// The census year of the base population (a state at that date).
    pub base_year: i32,
    /// The last year projected and planned for (a state at that date).
    pub horizon: i32,
    /// When migrants join during a step: `even` (default, the UN convention) or `end`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migration_timing: Option<crate::MigrationTiming>,
    /// The streets (areas).
    pub areas: AreasSection,
    /// The base population.
    pub population: PopulationSection,
    /// Fertility assumptions.
    pub fertility: FertilitySection,
    /// Mortality assumptions.
    pub mortality: MortalitySection,
    /// Migration assumptions; without this section each area's `net_migration` is shaped
    /// by the fundamental Rogers–Castro schedule, half female.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migration: Option<MigrationSection>,
    /// Cohort bands; without any, the defaults of DESIGN §2.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bands: Vec<BandEntry>,
    /// Services to plan for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<ServiceEntry>,
    /// Existing capacity in the base year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<FileRef>,
    /// Unit costs of additions and conversions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub costs: Option<CostsSection>,
    /// Budgets (in the cost unit of the costs file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<BudgetSection>,
    /// How the plan is costed and counted: a discount rate, whole units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanSection>,
    /// Per-area caps on additions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caps: Option<FileRef>,
    /// Travel times between areas and service radii.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<AccessSection>,
    /// The plan's targets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<TargetEntry>,
    /// What the plan expects of the population, reported beside the projection, never
    /// imposed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expectations: Vec<ExpectationEntry>,
    /// Where the assumptions come from, in words, keyed by what they concern
    /// (`population`, `fertility`, `mortality`, `migration`, `need`, `stock`, `costs`, `access`,
    /// `targets`): marks such as `[plan]`, `[census]`, `[WPP]` or `[estimate: method]`,
    /// repeated in the memo beside each assumption.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub provenance: std::collections::BTreeMap<String, String>,
    /// Uncertainty of the assumptions: Monte Carlo distributions, street deviations,
    /// quantiles and sensitivity steps (defaults: [`Uncertainty::default`](crate::uncertainty::Uncertainty)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<crate::uncertainty::UncertaintySection>,
}

impl ScenarioFile {
    /// Every file the scenario names, as `(setting, file name as written)`, e.g.
    /// `("[areas] file", "areas.csv")`.
    ///
    /// # Examples
    ///
    /// ```
    /// let yuzhong = popalloc::Scenario::yuzhong()?;
    /// let names = yuzhong.file.file_names();
    /// assert!(names.contains(&("[areas] file", "areas.csv")));
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn file_names(&self) -> Vec<(&'static str, &str)> {
        let mut names = vec![
            ("[areas] file", self.areas.file.as_str()),
            ("[population] file", self.population.file.as_str()),
        ];
        let optional = [
            ("[fertility] asfr", self.fertility.asfr.as_deref()),
            ("[fertility] tfr", self.fertility.tfr.as_deref()),
            ("[fertility] shape", self.fertility.shape.as_deref()),
            ("[mortality] mx", self.mortality.mx.as_deref()),
            ("[mortality] e0", self.mortality.e0.as_deref()),
            ("[mortality] standard", self.mortality.standard.as_deref()),
            (
                "[migration] file",
                self.migration.as_ref().and_then(|m| m.file.as_deref()),
            ),
            (
                "[migration.census] first",
                self.migration
                    .as_ref()
                    .and_then(|m| m.census.as_ref().map(|c| c.first.as_str())),
            ),
            (
                "[migration.census] second",
                self.migration
                    .as_ref()
                    .and_then(|m| m.census.as_ref().map(|c| c.second.as_str())),
            ),
            ("[stock] file", self.stock.as_ref().map(|s| s.file.as_str())),
            ("[costs] file", self.costs.as_ref().map(|c| c.file.as_str())),
            (
                "[costs] conversions",
                self.costs.as_ref().and_then(|c| c.conversions.as_deref()),
            ),
            ("[caps] file", self.caps.as_ref().map(|c| c.file.as_str())),
            (
                "[access] matrix",
                self.access.as_ref().and_then(|a| a.matrix.as_deref()),
            ),
        ];
        names.extend(
            optional
                .into_iter()
                .filter_map(|(setting, name)| name.map(|n| (setting, n))),
        );
        names
    }
}

/// A section that only names a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRef {
    /// The file, relative to the scenario directory.
    pub file: String,
}

/// `[areas]`: the areas file, columns
/// `id,code,name_zh,name_en,latitude,longitude,fertility_multiplier,mortality_multiplier,net_migration,group`.
/// Latitude and longitude (degrees, WGS84) may be empty; multipliers default to 1;
/// `net_migration` is persons per year (negative: net out-migration), default 0; `group`
/// (optional) names the group of areas in which targets of level `group` are measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreasSection {
    /// The areas file.
    pub file: String,
}

/// `[population]`: the base population, tidy `area,sex,age,value` in persons; single
/// years 0..=100 (100 = 100+) or five-year groups (`0`, `1-4`, `5-9`, …, `100+`), which are
/// graduated to single years (Sprague).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationSection {
    /// The base population file.
    pub file: String,
}

/// `[fertility]`: either `asfr` (a file), or `tfr` with `shape`, or `tfr` with `mean_age`
/// and `sd` (a gamma schedule).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FertilitySection {
    /// Males born per female born (e.g. 1.07).
    pub sex_ratio_at_birth: f64,
    /// ASFR file `[year,]age,value`, births per woman per year by single age.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asfr: Option<String>,
    /// TFR path file `year,value` (children per woman), linear between years, constant
    /// outside them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tfr: Option<String>,
    /// Percent-ASFR shape file `age,value` (single ages or five-year groups, percent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<String>,
    /// Mean age at childbearing (years), for a gamma schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_age: Option<f64>,
    /// Standard deviation of the age at childbearing (years), for a gamma schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
}

/// `[mortality]`: either `mx` (a file of death rates), or `e0` with a `standard`
/// (Brass relational logit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MortalitySection {
    /// Death-rate file `[year,]sex,age,value`, deaths per person-year by single age.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mx: Option<String>,
    /// Life expectancy path `year,sex,value` (years), linear between years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e0: Option<String>,
    /// Standard death rates `sex,age,value` for Brass's logit model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard: Option<String>,
    /// Brass's β (slope), 1 unless given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beta: Option<f64>,
}

/// `[migration]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationSection {
    /// Female share of net migrants, in [0, 1] (default 0.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub female_share: Option<f64>,
    /// Rogers–Castro parameters of the age shape (default: the fundamental schedule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<crate::RogersCastro>,
    /// Net migrants by age instead: `[year,]area,sex,age,value`, persons per year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Net migrants by age from two censuses instead (the census-survival residual,
    /// smoothed), shared among the areas in proportion to their `net_migration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub census: Option<CensusMigrationSection>,
}

/// `[migration.census]`: the census-survival residual between two county census tables
/// (docs/scenario.md, "Migration from two censuses").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CensusMigrationSection {
    /// The first census table (`code,[province,prefecture,]name,level,sex,age,value`).
    pub first: String,
    /// The second census table, same layout.
    pub second: String,
    /// The code prefix of the units summed into the district (e.g. `500103`).
    pub code: String,
    /// The year of the first census.
    pub first_year: i32,
    /// The year of the second census (a whole number of years later, at most 50).
    pub second_year: i32,
    /// The crude birth rate of the first census year, births per 1,000 residents: it
    /// scales the scenario's fertility shape to the births of the interval.
    pub birth_rate: f64,
    /// The smoothing penalty λ on second differences by age (default
    /// [`DEFAULT_SMOOTHING`](crate::scenario::census_migration::DEFAULT_SMOOTHING)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smoothing: Option<f64>,
}

/// `[[bands]]`: a cohort band, ages `from..=to` (`to` omitted: open-ended).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandEntry {
    /// The band's name, used by services, targets and reports.
    pub name: String,
    /// First age (years).
    pub from: usize,
    /// Last age (years); omitted for "and over".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<usize>,
}

/// `[[services]]`: a service to plan, its need and its variants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceEntry {
    /// Identifier used in the CSV files and targets, e.g. `elder_beds`.
    pub id: String,
    /// English name.
    pub name: String,
    /// Chinese name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    /// The unit of capacity, e.g. `bed`, `place`, `seat`.
    pub unit: String,
    /// The band whose members need the service.
    pub band: String,
    /// Need per person of the band (units per person; 0.03 = 30 per 1,000).
    pub need_rate: f64,
    /// Walking radius of the service in minutes (its life circle). Omitted: the
    /// GB 50180-2018 tier of a known service id (`childcare` and `kindergarten` 5,
    /// `primary` 10, `junior` and `elder_beds` 15); other services must give it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub radius_minutes: Option<f64>,
    /// Variants of capacity (at least one), e.g. `nursing_government`.
    pub variants: Vec<String>,
    /// Smallest addition (units): an area adds 0 or at least this much of a variant in a
    /// year (a facility is built whole). Omitted: additions are continuous.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_addition: Option<f64>,
    /// The base-year provision per 1,000 persons of the band as the plan states it (e.g. 16
    /// beds per 1,000 aged 60+), reported in the memo beside the figure computed from the
    /// stock and the base population. Omitted: only the computed figure is shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stated_baseline_per_1000: Option<f64>,
    /// The most the whole district can add of the service in one year, all variants and
    /// areas together (units): a build-rate limit. Omitted: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_added_per_year: Option<f64>,
    /// The most one area can add of the service in one year, all variants together
    /// (units). Omitted: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_added_per_area_year: Option<f64>,
    /// The service serves the whole district from any street (senior high schools): no
    /// walking radius applies. Omitted: false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district_wide: Option<bool>,
    /// Where the need rate comes from, shown on the service's need row of the memo
    /// (instead of the `[provenance] need` line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<String>,
    /// Fixed cost of a project (cost unit): any addition of a variant in an area in a year
    /// costs this on top of its unit costs, so that the plan builds a few larger projects
    /// rather than many small ones. Omitted: no fixed cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_cost: Option<f64>,
}

/// `[plan]`: how the plan is costed and counted.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanSection {
    /// Real discount rate per year (0.04 = 4 %): a cost paid `k` years after the base year
    /// weighs 1 / (1 + rate)^k in the objective. Omitted: 0 (no discounting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_rate: Option<f64>,
    /// Whether additions and conversions come in whole units (beds, places, seats).
    /// Omitted: false (continuous amounts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whole_units: Option<bool>,
}

/// `[costs]`: unit costs `service,variant,add_cost,unit` and conversions
/// `service,from,to,cost`, in one cost unit throughout (relative figures are fine).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostsSection {
    /// The cost file.
    pub file: String,
    /// The conversions file, if conversions are allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversions: Option<String>,
    /// The cost unit in words, e.g. `10,000 yuan (万元)`. Omitted: "relative units".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// `[budget]`, in the cost unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetSection {
    /// The most the whole plan may cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<f64>,
    /// The most any one year may cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_year: Option<f64>,
}

/// `[access]`: travel minutes from a matrix file `from,to,minutes`, or from the areas'
/// centroids at a walking speed with a detour factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessSection {
    /// Travel-minute matrix file `from,to,minutes`, every ordered pair of areas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matrix: Option<String>,
    /// Walking speed in km/h (default 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub walking_speed_kmh: Option<f64>,
    /// Ratio of walked to straight-line distance, ≥ 1 (default 1.4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detour_factor: Option<f64>,
}

/// `[[targets]]`: one target of the plan (DESIGN §6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetEntry {
    /// Identifier, e.g. `nursing_share_2025`.
    pub id: String,
    /// The service it concerns.
    pub service: String,
    /// `total`, `share`, `per_capita`, `coverage` or `area_count`.
    pub kind: TargetKind,
    /// `binding` (约束性: a hard constraint) or `expected` (预期性: a soft one).
    pub class: TargetClass,
    /// The year it must hold (default: the horizon).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// `district` (default) or `area` (every area).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<TargetLevel>,
    /// `>=` (default), `<=` or `=`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<Comparison>,
    /// The level: units for `total`; a ratio in [0, 1] for `share`, `coverage` and
    /// `area_count`; units per 1,000 persons of the band for `per_capita`.
    pub value: f64,
    /// The subset of variants for `share` and `area_count` (default, when the field is
    /// left out: all). A list given must name at least one variant, each once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variants: Option<Vec<String>>,
    /// The band for `per_capita` (`all` = all residents, the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<String>,
    /// For `area_count`: the capacity (units) an area must hold to count (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_per_area: Option<f64>,
    /// What the plan says, in its words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `linear`: also aim, as expected targets, at the straight line from the base year's
    /// level to the value, one interim target a year (district totals, shares and
    /// per-capita levels). Omitted: the target's year only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// `[[expectations]]`: something the plan expects of the population (e.g. a 60+ share above
/// 22 % in 2025), reported beside the projection and never imposed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectationEntry {
    /// Identifier, e.g. `aging_rate_2025`.
    pub id: String,
    /// The band.
    pub band: String,
    /// `share` (of all residents, a ratio) or `count` (persons).
    pub kind: ExpectationKind,
    /// `>=`, `<=` or `~` (about, within 5 %).
    pub op: Comparison,
    /// The expected level.
    pub value: f64,
    /// The year (default: the horizon).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// What the plan says, in its words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}
