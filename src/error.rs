//! The one error type of the crate.
//!
//! Every fallible public function returns [`Result<T, Error>`](Result). Each variant names
//! what went wrong with the data needed to find it: the file, the row (1-based, counting the
//! header as row 1), the field and the offending value. A verdict about a plan (targets that
//! conflict, a street that cannot be served) is never an error; errors are for bad input and
//! for computations that cannot proceed.

use std::path::PathBuf;

/// Shorthand for `std::result::Result<T, popalloc::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in popalloc.
///
/// # Examples
///
/// ```
/// use popalloc::{Error, LifeTable, Sex};
///
/// // A negative death rate is rejected, and the error says where.
/// let err = LifeTable::from_mx(Sex::Female, &[0.01, -0.002, 0.5]).unwrap_err();
/// assert!(matches!(err, Error::InvalidRate { age: 1, .. }));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },

    /// An output folder cannot take a result set: it holds files no run wrote, is not a
    /// folder, or an output name is not a plain file name. Nothing was written.
    #[error("{path}: {problem}")]
    OutputFolder {
        /// The folder.
        path: PathBuf,
        /// What is wrong, naming the files concerned.
        problem: String,
    },

    /// A CSV file is malformed (bad quoting, wrong number of fields, not UTF-8).
    #[error("{path}: {source}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// What the CSV reader said, with its position.
        #[source]
        source: csv::Error,
    },

    /// A required column is missing from a CSV header.
    #[error("{path}: missing column `{column}` in the header (expected {expected})")]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The missing column.
        column: &'static str,
        /// The header the file should have, e.g. `area,sex,age,value`.
        expected: &'static str,
    },

    /// A field could not be read as what it should be.
    #[error("{path}, row {row}, field `{field}`: cannot read {value:?} as {expected}")]
    BadField {
        /// The file.
        path: PathBuf,
        /// The row, 1-based, the header being row 1.
        row: usize,
        /// The column.
        field: &'static str,
        /// The text found.
        value: String,
        /// What was expected, e.g. "a number" or "female or male".
        expected: &'static str,
    },

    /// A number read from a file is outside its range (negative, NaN, infinite, or beyond
    /// its largest magnitude).
    #[error("{path}, row {row}: {what} must be {range}, found {}", shown(*.value))]
    InvalidValue {
        /// The file.
        path: PathBuf,
        /// The row, 1-based, the header being row 1.
        row: usize,
        /// What the value is, e.g. "a population count" or a column's name.
        what: &'static str,
        /// The values allowed, e.g. "a number from 0 to 1e10".
        range: &'static str,
        /// The value found.
        value: f64,
    },

    /// The same (area, sex, age) cell appears twice in a file.
    #[error(
        "{path}, row {row}: duplicate cell area {area:?}, {sex}, age {age} (first seen in row {first_row})"
    )]
    DuplicateCell {
        /// The file.
        path: PathBuf,
        /// The row of the second occurrence.
        row: usize,
        /// The row of the first occurrence.
        first_row: usize,
        /// The area.
        area: String,
        /// The sex.
        sex: crate::Sex,
        /// The age label as written in the file.
        age: String,
    },

    /// An (area, sex) series lacks an age: the table is ragged or incomplete.
    #[error("{path}: area {area:?}, {sex} has no row for age {age}")]
    MissingAge {
        /// The file.
        path: PathBuf,
        /// The area.
        area: String,
        /// The sex.
        sex: crate::Sex,
        /// The missing age or age group label.
        age: String,
    },

    /// Age groups in a file do not tile 0..=ω (a gap, an overlap, or no open group).
    #[error("{path}: age groups do not tile the ages 0 to {omega}+: {problem}")]
    BadAgeGroups {
        /// The file.
        path: PathBuf,
        /// The open age ω.
        omega: usize,
        /// What is wrong, e.g. "gap between 4 and 10".
        problem: String,
    },

    /// An area appears where it is not known (in one file and not another, or not in the
    /// scenario's list of areas).
    #[error("{path}, row {row}: unknown area {area:?}")]
    UnknownArea {
        /// The file.
        path: PathBuf,
        /// The row, 1-based, the header being row 1 (0 when the area is missing entirely).
        row: usize,
        /// The area id.
        area: String,
    },

    /// An area id is empty or given twice.
    #[error("area id {area:?} at position {position} is empty or repeated")]
    BadAreaId {
        /// The position in the list of areas, from 0.
        position: usize,
        /// The id.
        area: String,
    },

    /// A rate or probability in a schedule is out of its range (negative, NaN, or a
    /// probability above 1).
    #[error("{schedule}: value at age {age} is {}, which is not {range}", shown(*.value))]
    InvalidRate {
        /// The schedule, e.g. "female m(x)" or "ASFR".
        schedule: &'static str,
        /// The age (or age index) of the value.
        age: usize,
        /// The value found.
        value: f64,
        /// The allowed range, e.g. "a finite number >= 0".
        range: &'static str,
    },

    /// A scalar parameter is out of its range.
    #[error("{parameter} = {} is out of range: it must be {range}", shown(*.value))]
    InvalidParameter {
        /// The parameter, e.g. "sex ratio at birth".
        parameter: &'static str,
        /// The value found.
        value: f64,
        /// The allowed range.
        range: &'static str,
    },

    /// Two inputs that must agree in length (ages, areas, steps) do not.
    #[error("{what}: expected length {expected}, found {found}")]
    LengthMismatch {
        /// What is being compared, e.g. "survival ratios vs age groups".
        what: &'static str,
        /// The expected length.
        expected: usize,
        /// The length found.
        found: usize,
    },

    /// A size given by a caller (areas, age groups, steps, cells) is too large: the count
    /// it multiplies to does not fit the machine's integers, or the memory for it cannot be
    /// had. Nothing was allocated.
    #[error("{what}: {size} is too large: {problem}")]
    TooLarge {
        /// What is counted, e.g. "population cells (areas x 2 sexes x age groups)".
        what: &'static str,
        /// The size asked for, e.g. `1 x 2 x 18446744073709551615` or `1099511627776`.
        size: String,
        /// Why it cannot be had, e.g. "the count overflows a 64-bit number".
        problem: String,
    },

    /// A scenario file is not valid TOML for the scenario format (a syntax error, an unknown
    /// field, a value of the wrong type); the message gives the line and column.
    #[error("{path}: {source}")]
    Toml {
        /// The file.
        path: PathBuf,
        /// What the TOML reader said.
        #[source]
        source: Box<toml::de::Error>,
    },

    /// A scenario file is not valid JSON for the scenario format.
    #[error("{path}: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// What the JSON reader said, with line and column.
        #[source]
        source: serde_json::Error,
    },

    /// A value in a JSON scenario file has the wrong type (or a field is unknown): the
    /// message names the field by its path, e.g. `targets[2].value`, then gives what the
    /// JSON reader said, with line and column.
    #[error("{path}, {field}: {source}")]
    JsonField {
        /// The file.
        path: PathBuf,
        /// The field's path from the top of the file, e.g. `horizon` or `targets[2].value`.
        field: String,
        /// What the JSON reader said, with line and column.
        #[source]
        source: serde_json::Error,
    },

    /// A setting of a scenario is out of its range (a share above 1, a negative cost, a
    /// horizon before the base year, …).
    #[error("{path}, {field}: {} is not {range}", shown(*.value))]
    InvalidSetting {
        /// The file.
        path: PathBuf,
        /// The field, e.g. `targets[2].value` or `row 7, max_added`.
        field: String,
        /// The value found.
        value: f64,
        /// The allowed range.
        range: &'static str,
    },

    /// A setting is missing, or settings that exclude each other are both given.
    #[error("{path}, {field}: {problem}")]
    BadSettings {
        /// The file.
        path: PathBuf,
        /// The section or field, e.g. `[fertility]`.
        field: String,
        /// What is needed, e.g. "give either asfr, or tfr with shape, or tfr with mean_age and sd".
        problem: &'static str,
    },

    /// A name refers to something the scenario does not define (a target naming an unknown
    /// service, a stock row naming an unknown variant, …).
    #[error("{path}, {field}: unknown {what} {name:?}")]
    UnknownName {
        /// The file.
        path: PathBuf,
        /// The field or row, e.g. `targets[0].service` or `row 5`.
        field: String,
        /// What kind of thing, e.g. "service".
        what: &'static str,
        /// The name found.
        name: String,
    },

    /// The same identifier is defined twice.
    #[error("{path}, {field}: duplicate {what} {name:?}")]
    DuplicateName {
        /// The file.
        path: PathBuf,
        /// The field or row of the second definition.
        field: String,
        /// What kind of thing, e.g. "area".
        what: &'static str,
        /// The identifier.
        name: String,
    },

    /// A travel-time matrix lacks a pair of areas (it must be square over the areas).
    #[error(
        "{path}: no travel time from {from:?} to {to:?}; the matrix must give every ordered pair of areas"
    )]
    IncompleteMatrix {
        /// The file.
        path: PathBuf,
        /// Origin area.
        from: String,
        /// Destination area.
        to: String,
    },

    /// Two targets cannot both hold whatever the plan does (e.g. a share ≥ 60 % and ≤ 50 %
    /// of the same variants in the same year).
    #[error("{path}: targets {first:?} and {second:?} contradict each other: {detail}")]
    ContradictoryTargets {
        /// The file.
        path: PathBuf,
        /// The first target's id.
        first: String,
        /// The second target's id.
        second: String,
        /// Why, with the figures.
        detail: String,
    },

    /// A solver backend failed (a numerical fault, a time limit) or cannot take the model.
    #[error("solver {backend}: {detail}")]
    Solver {
        /// The backend, e.g. "microlp".
        backend: &'static str,
        /// What it said, e.g. "Singular matrix" or "time limit reached".
        detail: String,
    },

    /// A solution breaks a binding target or a row of the model when re-evaluated from its
    /// values alone (the certificate); such a plan is never returned.
    #[error("the solution breaks {row} by {by} (tolerance {tolerance})")]
    CertificateFailed {
        /// The row's name, e.g. `nursing_share_2025`.
        row: String,
        /// By how much it is broken, in the row's units.
        by: f64,
        /// The tolerance it was checked to.
        tolerance: f64,
    },

    /// A scenario has problems; every one found is listed (validation does not stop at the
    /// first).
    #[error("{path}: {} problem(s) in the scenario; the first: {}", problems.len(), problems.first().map(|p| p.to_string()).unwrap_or_default())]
    InvalidScenario {
        /// The scenario directory (or `<embedded>`), or the one file whose rows have the
        /// problems.
        path: PathBuf,
        /// Every problem found.
        problems: Vec<Error>,
    },

    /// Two populations that must list the same areas in the same order do not: the area at
    /// `position` differs.
    #[error("{what}: area at position {position} is {found:?}, expected {expected:?}")]
    AreaMismatch {
        /// What is being compared, e.g. "later census areas vs earlier census".
        what: &'static str,
        /// The position in the list of areas, from 0.
        position: usize,
        /// The area id expected there.
        expected: String,
        /// The area id found.
        found: String,
    },

    /// A ratio between two counts is undefined: its denominator is 0 (or so small that the
    /// ratio is not finite) while its numerator is positive. A ratio 0 / 0 is taken as 0
    /// and is not an error.
    #[error(
        "{ratio} for area {area:?}, {sex}, age group from {age}: {numerator} / {denominator} is not a finite number"
    )]
    UndefinedRatio {
        /// The ratio, e.g. "cohort change ratio" or "child-woman ratio".
        ratio: &'static str,
        /// The area id.
        area: String,
        /// The sex of the persons counted in the numerator.
        sex: crate::Sex,
        /// The first age, in years, of the age group counted in the numerator.
        age: usize,
        /// The numerator (persons).
        numerator: f64,
        /// The denominator (persons).
        denominator: f64,
    },

    /// A value handed to a chart cannot be drawn: it is NaN or infinite, larger in magnitude
    /// than [`MAX_CHART_VALUE`](crate::report::charts::MAX_CHART_VALUE), negative where it
    /// counts persons, or a year not after the one before it.
    #[error("chart {chart}, {series}, value {index}: {value} is not {range}")]
    ChartValue {
        /// The chart, e.g. "population_pyramid".
        chart: &'static str,
        /// The series the value belongs to, e.g. "horizon males" or a band's label.
        series: String,
        /// The position of the value in its series, from 0.
        index: usize,
        /// The value found.
        value: f64,
        /// What it must be, e.g. "a finite number >= 0".
        range: &'static str,
    },

    /// A series handed to a chart does not have one value for each point of its axis (each
    /// age, year or street).
    #[error("chart {chart}, {series}: {found} values for {expected} {axis}")]
    ChartLength {
        /// The chart, e.g. "bands_over_time".
        chart: &'static str,
        /// The series, e.g. a band's or a service's label.
        series: String,
        /// What the axis counts, e.g. "years".
        axis: &'static str,
        /// The number of points on the axis.
        expected: usize,
        /// The number of values found.
        found: usize,
    },

    /// A title or label handed to a chart holds a control character, which an SVG (XML) file
    /// cannot carry or shows as garbage.
    #[error("chart {chart}: the label {label:?} holds a control character")]
    ChartLabel {
        /// The chart, e.g. "additions_by_street".
        chart: &'static str,
        /// The label found.
        label: String,
    },

    /// The chart library failed while drawing valid data (a fault, not bad input).
    #[error("chart {chart}: drawing failed: {detail}")]
    Chart {
        /// The chart, e.g. "cost_against_target".
        chart: &'static str,
        /// What the chart library said.
        detail: String,
    },

    /// Parts handed over in code do not belong together, or break a rule that a loaded
    /// scenario keeps: an index beyond its list, a vector of the wrong length, a number out
    /// of the loader's range, need or a projection of another scenario, options out of
    /// range. Found by the consistency check that every public entry point runs first
    /// ([`Scenario::check_consistent`](crate::Scenario::check_consistent)); nothing was
    /// computed.
    #[error("{part}, {field}: {problem}")]
    Inconsistent {
        /// What was checked, e.g. "scenario", "need", "projection", "allocation options".
        part: &'static str,
        /// The field, e.g. `targets[0].service` or `services[1].stock[0]`.
        field: String,
        /// What is wrong, with the figures, e.g. "service 99, but the scenario has 2".
        problem: String,
    },

    /// An iterative computation did not reach its tolerance.
    #[error("{what} did not converge: {detail}")]
    NoConvergence {
        /// The computation, e.g. "Brass alpha for e0".
        what: &'static str,
        /// Why, with the figures, e.g. "target e0 90 is outside 20.1..=87.3".
        detail: String,
    },
}

impl Error {
    /// An [`Error::Io`] for `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// Checks that every value of a schedule is finite and non-negative.
pub(crate) fn check_non_negative(schedule: &'static str, values: &[f64]) -> Result<()> {
    for (age, &value) in values.iter().enumerate() {
        if !value.is_finite() || value < 0.0 {
            return Err(Error::InvalidRate {
                schedule,
                age,
                value,
                range: "a finite number >= 0",
            });
        }
    }
    Ok(())
}

/// Checks that every value of a schedule is a probability in [0, 1].
pub(crate) fn check_probability(schedule: &'static str, values: &[f64]) -> Result<()> {
    for (age, &value) in values.iter().enumerate() {
        if !(0.0..=1.0).contains(&value) {
            return Err(Error::InvalidRate {
                schedule,
                age,
                value,
                range: "a probability in [0, 1]",
            });
        }
    }
    Ok(())
}

/// Checks a scalar parameter against a range.
pub(crate) fn check_parameter(
    parameter: &'static str,
    value: f64,
    ok: bool,
    range: &'static str,
) -> Result<f64> {
    if value.is_finite() && ok {
        Ok(value)
    } else {
        Err(Error::InvalidParameter {
            parameter,
            value,
            range,
        })
    }
}

/// A number as messages show it: plain, or in scientific notation when very large or very
/// small (1e308 rather than 309 digits).
pub(crate) fn shown(value: f64) -> String {
    let magnitude = value.abs();
    // Whole numbers (years, counts) stay plain up to 1e15; others beyond 1e9.
    let large = if value.fract() == 0.0 { 1e15 } else { 1e9 };
    if value.is_finite() && value != 0.0 && !(1e-4..large).contains(&magnitude) {
        format!("{value:e}")
    } else {
        format!("{value}")
    }
}
