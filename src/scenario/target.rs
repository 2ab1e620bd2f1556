//! The words of targets: their kinds, classes, levels and comparisons (DESIGN §6).

use serde::{Deserialize, Serialize};

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
