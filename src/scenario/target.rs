//! The words of targets: their kinds, classes, levels and comparisons (DESIGN §6).

use serde::{Deserialize, Serialize};

/// The most units of capacity per resident a `total` or `per_capita` target may ask for
/// (see [`TargetKind::max_value`]). No public service comes near it: school seats and
/// elder-care beds are below one per resident, sports ground a few m² per resident.
pub const MAX_UNITS_PER_RESIDENT: f64 = 100.0;

/// The population below which [`TargetKind::max_value`] counts this many residents, so that
/// a district planned before its people arrive may still ask for 1,000,000 units.
pub const MIN_RESIDENTS_FOR_BOUND: f64 = 10_000.0;

/// What a target measures.
///
/// # Examples
///
/// ```
/// use popalloc::TargetKind;
/// let kind: TargetKind = serde_json::from_str("\"per_capita\"").unwrap();
/// assert_eq!(kind, TargetKind::PerCapita);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// Σ capacity {≥, =, ≤} value (e.g. beds = 4,000).
    Total,
    /// Σ capacity of some variants {≥, ≤} r × Σ capacity (e.g. nursing ≥ 60 %).
    Share,
    /// Σ capacity ≥ r / 1,000 × persons of a band (e.g. 4.5 childcare places per 1,000
    /// residents).
    PerCapita,
    /// Σ served need ≥ r × need (e.g. enrolment 100 %).
    Coverage,
    /// At least ⌈r · |areas|⌉ areas hold ≥ m units of some variants (e.g. inclusive
    /// childcare in ≥ 60 % of streets).
    AreaCount,
}

impl TargetKind {
    /// Whether `value` can be this kind's target value: a ratio in [0, 1] for shares,
    /// coverages and area counts, a finite number ≥ 0 for totals and per-capita rates.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::TargetKind;
    /// assert!(TargetKind::Share.accepts(0.6));
    /// assert!(!TargetKind::Share.accepts(60.0));
    /// assert!(TargetKind::Total.accepts(4000.0));
    /// assert!(!TargetKind::Total.accepts(-5.0));
    /// assert!(!TargetKind::PerCapita.accepts(f64::NAN));
    /// ```
    pub fn accepts(self, value: f64) -> bool {
        value.is_finite() && value >= 0.0 && (!self.is_ratio() || value <= 1.0)
    }

    /// The values [`TargetKind::accepts`], in words for error messages.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(popalloc::TargetKind::Coverage.value_range(), "a ratio in [0, 1]");
    /// ```
    pub fn value_range(self) -> &'static str {
        if self.is_ratio() {
            "a ratio in [0, 1]"
        } else {
            "a finite number >= 0"
        }
    }

    /// The largest value a target of this kind may ask for in a district of `residents`
    /// (its base population): 1 for the ratio kinds; for `total`,
    /// [`MAX_UNITS_PER_RESIDENT`] units per resident (counted as at least
    /// [`MIN_RESIDENTS_FOR_BOUND`]); for `per_capita`, the same per person, i.e.
    /// 1,000 × [`MAX_UNITS_PER_RESIDENT`] per 1,000 persons.
    ///
    /// A larger value is a typing slip (4,000,000 beds for 4,000), and it would break the
    /// solver's numerics: a unit of capacity would weigh less than its tolerances.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::TargetKind;
    /// // Yuzhong: 588,717 residents, so at most 58.9 million units of a service.
    /// assert_eq!(TargetKind::Total.max_value(588_717.0), 58_871_700.0);
    /// assert_eq!(TargetKind::PerCapita.max_value(588_717.0), 100_000.0);
    /// assert_eq!(TargetKind::Share.max_value(588_717.0), 1.0);
    /// ```
    pub fn max_value(self, residents: f64) -> f64 {
        match self {
            TargetKind::Total => MAX_UNITS_PER_RESIDENT * residents.max(MIN_RESIDENTS_FOR_BOUND),
            TargetKind::PerCapita => MAX_UNITS_PER_RESIDENT * 1000.0,
            _ => 1.0,
        }
    }

    /// The bound of [`TargetKind::max_value`] in words, for error messages.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(popalloc::TargetKind::Total.magnitude_range().contains("100 units per resident"));
    /// ```
    pub fn magnitude_range(self) -> &'static str {
        match self {
            TargetKind::Total => {
                "at most 100 units per resident of the base population (1,000,000 below 10,000 residents)"
            }
            TargetKind::PerCapita => "at most 100,000 per 1,000 persons (100 per person)",
            _ => self.value_range(),
        }
    }

    /// Whether `value` is accepted ([`TargetKind::accepts`]) and within
    /// [`TargetKind::max_value`] for a district of `residents`.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::TargetKind;
    /// assert!(TargetKind::Total.accepts_in(4000.0, 588_717.0));
    /// assert!(!TargetKind::Total.accepts_in(1e10, 588_717.0));
    /// ```
    pub fn accepts_in(self, value: f64, residents: f64) -> bool {
        self.accepts(value) && value <= self.max_value(residents)
    }

    fn is_ratio(self) -> bool {
        matches!(
            self,
            TargetKind::Share | TargetKind::Coverage | TargetKind::AreaCount
        )
    }
}

/// Whether a target must hold or is aimed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetClass {
    /// 约束性: a hard constraint; a plan that breaks it is never returned.
    Binding,
    /// 预期性: a soft constraint; shortfalls are minimised first, then cost.
    Expected,
}

/// Where a target is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetLevel {
    /// Once, over the whole district.
    #[default]
    District,
    /// In every area separately.
    Area,
    /// In every group of areas separately (the areas file's `group` column, e.g. each
    /// prefecture of a national scenario of counties).
    Group,
}

/// The comparison of a target or expectation with its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Comparison {
    /// At least.
    #[default]
    #[serde(rename = ">=")]
    AtLeast,
    /// At most.
    #[serde(rename = "<=")]
    AtMost,
    /// Exactly (for totals).
    #[serde(rename = "=")]
    Equal,
    /// About (expectations only: within 5 %).
    #[serde(rename = "~")]
    About,
}

impl Comparison {
    /// Whether `value` compares to `target` as this comparison says; `=` holds to 1e-9
    /// relative, `~` (about) to 5 %.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::Comparison;
    /// assert!(Comparison::AtLeast.holds(0.247, 0.22));
    /// assert!(!Comparison::About.holds(6121.0, 15000.0));
    /// ```
    pub fn holds(self, value: f64, target: f64) -> bool {
        match self {
            Comparison::AtLeast => value >= target,
            Comparison::AtMost => value <= target,
            Comparison::Equal => (value - target).abs() <= 1e-9 * target.abs().max(1.0),
            Comparison::About => (value - target).abs() <= 0.05 * target.abs(),
        }
    }

    /// The symbol as written in files: `>=`, `<=`, `=` or `~`.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::AtLeast => ">=",
            Comparison::AtMost => "<=",
            Comparison::Equal => "=",
            Comparison::About => "~",
        }
    }
}

/// What an expectation about the population measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpectationKind {
    /// The band's share of all residents (a ratio).
    Share,
    /// The band's number of persons.
    Count,
}
