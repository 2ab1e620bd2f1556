//! The ranges a scenario's numbers and names must keep, in one place: the loader checks
//! files against them, and [`Scenario::check_consistent`](crate::Scenario::check_consistent)
//! checks a scenario built or edited in code against the same ones.

pub(crate) use crate::demography::tidy::MAX_INPUT_VALUE;
use crate::scenario::target::{Comparison, TargetKind};

/// The comparisons a target of `kind` may make: total allows >=, <= and =; share allows
/// >= and <=; the others only >=.
pub(crate) fn allowed_comparisons(kind: TargetKind) -> &'static [Comparison] {
    match kind {
        TargetKind::Total => &[Comparison::AtLeast, Comparison::AtMost, Comparison::Equal],
        TargetKind::Share => &[Comparison::AtLeast, Comparison::AtMost],
        _ => &[Comparison::AtLeast],
    }
}

/// A value of a scenario table (stock, unit cost, cap, conversion cost) in words.
pub(crate) const TABLE_VALUE_RANGE: &str = "a number from 0 to 1e10";

/// The longest area id, in characters.
pub(crate) const AREA_ID_MAX_CHARS: usize = 64;

/// What an area id may be, as said in errors.
pub(crate) const AREA_ID_RULE: &str = "an area id: 1 to 64 letters, digits, '_' or '-', and not \"district\" (the whole district's name in outputs)";

/// What an area's group may be, as said in errors (the rule of area ids: a group names
/// the rows of its targets).
pub(crate) const GROUP_ID_RULE: &str =
    "a group name: 1 to 64 letters, digits, '_' or '-', and not \"district\"";

/// Whether `id` may name an area: 1 to [`AREA_ID_MAX_CHARS`] letters (any script),
/// digits, `_` or `-`, and not `district`, which outputs keep for the whole district.
/// Outputs name files after areas, so an id never holds a path separator or a dot.
pub(crate) fn is_area_id(id: &str) -> bool {
    let chars = id.chars().count();
    (1..=AREA_ID_MAX_CHARS).contains(&chars)
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        && !id.eq_ignore_ascii_case("district")
}

/// The largest street multiplier of the district's fertility or mortality.
pub(crate) const MAX_MULTIPLIER: f64 = 10.0;

/// A street's multiplier in words.
pub(crate) const MULTIPLIER_RANGE: &str = "a multiplier from 0 to 10 (above 0 for mortality)";

/// Whether `value` may multiply the district's rates in a street (`mortality`: above 0).
pub(crate) fn is_multiplier(value: f64, mortality: bool) -> bool {
    value.is_finite() && (0.0..=MAX_MULTIPLIER).contains(&value) && !(mortality && value <= 0.0)
}

/// The largest need rate, units per person of the band (the largest in use is 1 seat per
/// child).
pub(crate) const MAX_NEED_RATE: f64 = 100.0;

/// A need rate in words.
pub(crate) const NEED_RATE_RANGE: &str = "a number from 0 to 100 units per person";

/// A build-rate limit in words (the budget's bound, in units).
pub(crate) const BUILD_RATE_RANGE: &str = "a number of units from 0 to 1e15";

/// The highest total fertility rate a path may hold, children per woman (the highest
/// national TFR on record is below 9; beyond 20 a projection of 150 years leaves the
/// finite numbers).
pub(crate) const MAX_TFR: f64 = 20.0;

/// A TFR in words.
pub(crate) const TFR_RANGE: &str = "a total fertility rate from 0 to 20 children per woman";

/// The life expectancies at birth an e0 path may hold, years.
pub(crate) const E0_RANGE: std::ops::RangeInclusive<f64> = 15.0..=110.0;

/// That range in words.
pub(crate) const E0_RANGE_TEXT: &str = "from 15 to 110 years";

/// A stated baseline provision in words (the need-rate range per 1,000 persons).
pub(crate) const STATED_BASELINE_RANGE: &str = "a number from 0 to 100,000 units per 1,000 persons";

/// The longest service radius, minutes of walking (a day).
pub(crate) const MAX_RADIUS_MINUTES: f64 = 1440.0;

/// A radius in words.
pub(crate) const RADIUS_RANGE: &str = "a number of minutes from 0 to 1,440 (a day)";

/// The largest module (`min_addition`), units.
pub(crate) const MAX_MODULE_UNITS: f64 = 1e6;

/// A module in words.
pub(crate) const MODULE_RANGE: &str = "a number of units from 0 to 1,000,000";

/// The largest budget, in the cost unit.
pub(crate) const MAX_BUDGET: f64 = 1e15;

/// A budget in words.
pub(crate) const BUDGET_RANGE: &str = "a number from 0 to 1e15";

/// The largest discount rate per year.
pub(crate) const MAX_DISCOUNT_RATE: f64 = 1.0;

/// A discount rate in words.
pub(crate) const DISCOUNT_RATE_RANGE: &str = "a rate per year from 0 to 1 (0.04 = 4 %)";

/// Whether `value` is finite and in `0..=upper`.
pub(crate) fn in_range(value: f64, upper: f64) -> bool {
    value.is_finite() && (0.0..=upper).contains(&value)
}
