//! Validated planning data of a scenario: areas, services, stock, costs, caps, access,
//! targets and expectations.

use crate::demography::band::Band;
use crate::demography::population::Population;
use crate::scenario::target::{Comparison, ExpectationKind, TargetClass, TargetKind, TargetLevel};

/// An area (street, 街道) of the district.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Area {
    /// Identifier used in every file, e.g. `jiefangbei`.
    pub id: String,
    /// Statistical code, e.g. `500103001`.
    pub code: Option<String>,
    /// Chinese name, e.g. 解放碑.
    pub name_zh: String,
    /// English name, e.g. Jiefangbei.
    pub name_en: String,
    /// Centroid latitude and longitude (degrees, WGS84), if known.
    pub centroid: Option<(f64, f64)>,
    /// Multiplier on the district's ASFR.
    pub fertility_multiplier: f64,
    /// Multiplier on the district's death rates m(x).
    pub mortality_multiplier: f64,
    /// Net migrants per year (persons; negative: net out-migration).
    pub net_migration: f64,
    /// The group of areas it belongs to (e.g. the prefecture 地级市 of a county), in which
    /// targets of level `group` are measured; `None` when the scenario has no groups.
    pub group: Option<String>,
}

impl Area {
    /// The street as a planner reads it: Chinese and English names, e.g. `解放碑 Jiefangbei`.
    ///
    /// # Examples
    ///
    /// ```
    /// let yuzhong = popalloc::Scenario::yuzhong()?;
    /// assert_eq!(yuzhong.areas[1].label(), "解放碑 Jiefangbei");
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn label(&self) -> String {
        format!("{} {}", self.name_zh, self.name_en)
    }
}

/// A service to plan: who needs it, how much, how far they walk, and its variants.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Service {
    /// Identifier, e.g. `elder_beds`.
    pub id: String,
    /// English name.
    pub name: String,
    /// Chinese name.
    pub name_zh: Option<String>,
    /// Unit of capacity, e.g. `bed`.
    pub unit: String,
    /// Index of the band (in the scenario's bands) whose members need it.
    pub band: usize,
    /// Units needed per person of the band.
    pub need_rate: f64,
    /// Walking radius in minutes.
    pub radius_minutes: f64,
    /// Variants of capacity.
    pub variants: Vec<String>,
    /// Smallest addition of a variant in an area and year (0 or at least this), if any.
    pub min_addition: Option<f64>,
    /// The base-year provision per 1,000 persons of the band as the plan states it, if
    /// given (reported beside [`Service::baseline_per_1000`], never used in the model).
    pub stated_baseline_per_1000: Option<f64>,
    /// The most the district may add of the service in one year (units), if limited.
    pub max_added_per_year: Option<f64>,
    /// The most one area may add of the service in one year (units), if limited.
    pub max_added_per_area_year: Option<f64>,
    /// Whether the service serves the whole district from any street (no radius applies).
    pub district_wide: bool,
    /// Where the need rate comes from, if the scenario says (the memo's need row).
    pub provenance: Option<String>,
    /// Fixed cost of a project (any addition of a variant in an area in a year), if any.
    pub project_cost: Option<f64>,
    /// Base-year capacity, `[variant][area]` (units).
    pub stock: Vec<Vec<f64>>,
    /// Cost per unit added, by variant (cost unit).
    pub add_cost: Vec<f64>,
    /// The most each area may add over the plan, all variants together (units), `None`
    /// for no cap.
    pub caps: Vec<Option<f64>>,
    /// The most each area may add of one variant over the plan, `[variant][area]`.
    pub variant_caps: Vec<Vec<Option<f64>>>,
}

impl Service {
    /// The index of a variant.
    pub fn variant_index(&self, id: &str) -> Option<usize> {
        self.variants.iter().position(|v| v == id)
    }

    /// Whether capacity in area `to` can serve need in area `from`: always for a
    /// district-wide service, else within its walking radius ([`Access::within`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let yuzhong = popalloc::Scenario::yuzhong()?;
    /// let senior = yuzhong.services.iter().find(|s| s.id == "senior").unwrap();
    /// assert!(senior.district_wide);
    /// assert!(senior.reaches(&yuzhong.access, 0, 10));
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn reaches(&self, access: &Access, from: usize, to: usize) -> bool {
        self.district_wide || access.within(from, to, self.radius_minutes)
    }

    /// Every area whose capacity can serve need in area `from` ([`Service::reaches`]),
    /// ascending: all areas for a district-wide service, else those within its radius
    /// ([`Access::areas_within`], which searches only nearby areas when access comes from
    /// centroids).
    ///
    /// # Examples
    ///
    /// ```
    /// let yuzhong = popalloc::Scenario::yuzhong()?;
    /// let beds = &yuzhong.services[0];
    /// let reached = beds.areas_reached(&yuzhong.access, 0);
    /// assert!(reached.contains(&0));
    /// assert!(reached.iter().all(|&j| beds.reaches(&yuzhong.access, 0, j)));
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn areas_reached(&self, access: &Access, from: usize) -> Vec<usize> {
        if self.district_wide {
            (0..access.area_count()).collect()
        } else {
            access.areas_within(from, self.radius_minutes)
        }
    }

    /// Total base-year capacity, all variants and areas.
    pub fn total_stock(&self) -> f64 {
        self.stock.iter().flatten().sum()
    }

    /// The base-year provision per 1,000 persons of the service's band, over all areas:
    /// [`Service::total_stock`] × 1,000 / the band's persons in `base` (`bands` are the
    /// scenario's bands). `None` when the band holds nobody or is not in `bands`.
    ///
    /// # Examples
    ///
    /// ```
    /// let yuzhong = popalloc::Scenario::yuzhong()?;
    /// let beds = &yuzhong.services[0];
    /// // 1,915 beds for the 116,320 residents aged 60+ of the 2020 census.
    /// let per_1000 = beds.baseline_per_1000(&yuzhong.base, &yuzhong.bands).unwrap();
    /// assert!((per_1000 - 1_915.0 * 1_000.0 / 116_320.0).abs() < 1e-9);
    /// assert_eq!(beds.stated_baseline_per_1000, Some(16.0));
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn baseline_per_1000(&self, base: &Population, bands: &[Band]) -> Option<f64> {
        let band = bands.get(self.band)?;
        let persons: f64 = (0..base.area_count())
            .map(|a| base.band_total(a, band))
            .sum();
        (persons > 0.0).then(|| self.total_stock() * 1_000.0 / persons)
    }
}

/// An allowed conversion of capacity from a variant of one service to a variant of the
/// same service (e.g. ordinary → nursing beds, private → public kindergarten places) or of
/// another service (repurposing, e.g. kindergarten places → childcare places: nursery
/// classes, 托班, in kindergartens), with its cost per unit converted.
///
/// Converting `x` units takes `x` from variant `from` of `service` and gives
/// `ratio × x` to variant `to` of `to_service`; only capacity that existed at the start
/// of the year (the end of the year before, the base-year stock in the first year) can be
/// converted.
///
/// # Examples
///
/// ```
/// let yuzhong = popalloc::Scenario::yuzhong()?;
/// let nursery = yuzhong
///     .conversions
///     .iter()
///     .find(|c| c.is_repurposing())
///     .expect("kindergarten places may become childcare places");
/// assert_eq!(yuzhong.services[nursery.service].id, "kindergarten");
/// assert_eq!(yuzhong.services[nursery.to_service].id, "childcare");
/// // A kindergarten place given up yields `ratio` childcare places.
/// assert_eq!(nursery.gained(30.0), nursery.ratio * 30.0);
/// # Ok::<(), popalloc::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Conversion {
    /// Index of the service converted from.
    pub service: usize,
    /// Index of the variant converted from (a variant of `service`).
    pub from: usize,
    /// Index of the service converted to (`service` itself for a conversion within one
    /// service).
    pub to_service: usize,
    /// Index of the variant converted to (a variant of `to_service`).
    pub to: usize,
    /// Units of `to` gained per unit of `from` given up (1 within a service unless the
    /// scenario says otherwise; above 0, at most [`MAX_CONVERSION_RATIO`]).
    pub ratio: f64,
    /// Cost per unit converted (per unit of `from` given up).
    pub cost: f64,
    /// The most each area may convert over the plan (units of `from`), `None` for no cap.
    pub max_per_area: Option<f64>,
    /// Whether only the base-year stock of `from` may be converted (renovating or buying
    /// what stands), never capacity the plan builds.
    pub stock_only: bool,
}

/// How the plan is costed and counted (`[plan]`).
///
/// # Examples
///
/// ```
/// use popalloc::scenario::PlanSettings;
///
/// let settings = PlanSettings { discount_rate: 0.04, whole_units: true };
/// // A cost paid two years after the base year weighs 1 / 1.04².
/// assert!((settings.discount_factor(2) - 1.0 / 1.0816).abs() < 1e-12);
/// assert_eq!(PlanSettings::default().discount_factor(5), 1.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct PlanSettings {
    /// Real discount rate per year (0.04 = 4 %); 0 for none.
    pub discount_rate: f64,
    /// Whether additions and conversions come in whole units.
    pub whole_units: bool,
}

impl PlanSettings {
    /// The weight of a cost paid `years_after_base` years after the base year:
    /// 1 / (1 + discount_rate)^years_after_base.
    pub fn discount_factor(&self, years_after_base: i32) -> f64 {
        (1.0 + self.discount_rate).powi(-years_after_base)
    }
}

/// The largest [`Conversion::ratio`] a scenario may give: units of the variant gained per
/// unit given up.
pub const MAX_CONVERSION_RATIO: f64 = 1000.0;

/// [`MAX_CONVERSION_RATIO`] in words, for messages.
pub(crate) const CONVERSION_RATIO_RANGE: &str = "a number above 0, at most 1000";

impl Conversion {
    /// Whether the conversion turns capacity of one service into another's (repurposing).
    ///
    /// # Examples
    ///
    /// ```
    /// let yuzhong = popalloc::Scenario::yuzhong()?;
    /// let beds = &yuzhong.conversions[0];
    /// assert!(!beds.is_repurposing());
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn is_repurposing(&self) -> bool {
        self.service != self.to_service
    }

    /// Units of the `to` variant gained by converting `amount` units of `from`.
    ///
    /// # Examples
    ///
    /// ```
    /// let yuzhong = popalloc::Scenario::yuzhong()?;
    /// let beds = &yuzhong.conversions[0];
    /// assert_eq!(beds.gained(12.0), 12.0);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn gained(&self, amount: f64) -> f64 {
        self.ratio * amount
    }

    /// The change of the capacity of variant `variant` of service `service` per unit
    /// converted: −1 for the variant converted from, `ratio` for the one converted to, 0
    /// for any other.
    ///
    /// # Examples
    ///
    /// ```
    /// let yuzhong = popalloc::Scenario::yuzhong()?;
    /// let c = &yuzhong.conversions[0];
    /// assert_eq!(c.capacity_coefficient(c.service, c.from), -1.0);
    /// assert_eq!(c.capacity_coefficient(c.to_service, c.to), c.ratio);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn capacity_coefficient(&self, service: usize, variant: usize) -> f64 {
        let mut coefficient = 0.0;
        if self.service == service && self.from == variant {
            coefficient -= 1.0;
        }
        if self.to_service == service && self.to == variant {
            coefficient += self.ratio;
        }
        coefficient
    }
}

/// Budgets, in the cost unit.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Budget {
    /// The most the whole plan may cost.
    pub total: Option<f64>,
    /// The most any one year may cost.
    pub per_year: Option<f64>,
}

pub use crate::scenario::access::Access;

/// A validated target of the plan (DESIGN §6).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Target {
    /// Identifier, e.g. `nursing_share_2025`.
    pub id: String,
    /// Index of the service.
    pub service: usize,
    /// What it measures.
    pub kind: TargetKind,
    /// Binding or expected.
    pub class: TargetClass,
    /// The year it must hold.
    pub year: i32,
    /// District or every area.
    pub level: TargetLevel,
    /// The comparison.
    pub op: Comparison,
    /// The level (see [`TargetEntry::value`](crate::scenario::file::TargetEntry::value)).
    pub value: f64,
    /// Indices of the variants it counts (all for most kinds).
    pub variants: Vec<usize>,
    /// Index of the band for `per_capita` (`None`: all residents).
    pub band: Option<usize>,
    /// For `area_count`: the capacity an area must hold to count.
    pub min_per_area: f64,
    /// The plan's words.
    pub description: Option<String>,
}

/// Something the plan expects of the population, reported beside the projection.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Expectation {
    /// Identifier.
    pub id: String,
    /// Index of the band.
    pub band: usize,
    /// Share or count.
    pub kind: ExpectationKind,
    /// The comparison.
    pub op: Comparison,
    /// The expected level.
    pub value: f64,
    /// The year.
    pub year: i32,
    /// The plan's words.
    pub description: Option<String>,
}

impl Expectation {
    /// What the projection gives for this expectation, in its unit (a share of residents or
    /// a count of persons), and whether that is what the plan expects; `None` when the
    /// projection has no state at the expectation's year.
    ///
    /// # Examples
    ///
    /// ```
    /// let yuzhong = popalloc::Scenario::yuzhong()?;
    /// let projection = yuzhong.project(yuzhong.horizon())?;
    /// let aging = yuzhong.expectations.iter().find(|e| e.id == "aging_rate_2025").unwrap();
    /// let (share, holds) = aging.projected(&yuzhong.bands, &projection).unwrap();
    /// assert!(share > 0.22 && holds);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn projected(
        &self,
        bands: &[crate::Band],
        projection: &crate::Projection,
    ) -> Option<(f64, bool)> {
        let district = projection.at(self.year)?.aggregate("district");
        let persons = district.band_total(0, bands.get(self.band)?);
        let value = match self.kind {
            ExpectationKind::Share => persons / district.total(),
            ExpectationKind::Count => persons,
        };
        Some((value, self.op.holds(value, self.value)))
    }
}
