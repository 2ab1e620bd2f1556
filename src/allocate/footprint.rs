//! How large the allocation model of a scenario will be, counted before it is built, so
//! that a scenario too large for the machine is refused with a typed error that says how
//! large it would be, instead of aborting half-way (5,000 areas over 100 years, or 2,000
//! areas all within reach of each other, reached 13–15 GB and aborted).

use crate::error::{Error, Result};
use crate::need::Need;
use crate::scenario::Scenario;

/// The most memory a model may take by default: 8 GiB.
pub const DEFAULT_MAX_MODEL_BYTES: u64 = 8 << 30;

/// The environment variable that overrides [`DEFAULT_MAX_MODEL_BYTES`] (a number of bytes).
pub const MAX_MODEL_BYTES_VAR: &str = "POPALLOC_MAX_MODEL_BYTES";

/// Bytes a variable takes, all copies counted: the model's entry with its readable name
/// (≈ 100), the modelling layer's (≈ 60) and the solver's bounds and iterates (≈ 90).
const BYTES_PER_VARIABLE: u64 = 250;

/// Bytes a nonzero coefficient takes, all copies counted: the model's term (16), the
/// modelling layer's expression (≈ 40) and the solver's matrix and factor (≈ 44).
const BYTES_PER_NONZERO: u64 = 100;

/// The size of a scenario's allocation model, counted from the scenario alone.
///
/// # Examples
///
/// ```
/// use popalloc::{Need, Scenario, allocate::footprint::ModelFootprint};
///
/// let yuzhong = Scenario::yuzhong()?;
/// let need = Need::from_projection(&yuzhong, &yuzhong.project(2025)?)?;
/// let size = ModelFootprint::of(&yuzhong, &need);
/// assert!(size.variables > 1_000 && size.bytes < 100 << 20);
/// assert!(size.check(popalloc::allocate::footprint::DEFAULT_MAX_MODEL_BYTES).is_ok());
/// # Ok::<(), popalloc::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ModelFootprint {
    /// Variables: additions, conversions and flows (one per pair of areas in reach, per
    /// service and year).
    pub variables: u64,
    /// Nonzero coefficients of the rows (an upper estimate).
    pub nonzeros: u64,
    /// Memory the model will take, bytes (an estimate of the model, the modelling layer
    /// and the solver together).
    pub bytes: u64,
}

impl ModelFootprint {
    /// Counts the model of `scenario` for `need` (its years).
    pub fn of(scenario: &Scenario, need: &Need) -> Self {
        let n = scenario.areas.len() as u64;
        let years = need.years().len() as u64;
        let mut variables = 0_u64;
        let mut nonzeros = 0_u64;
        for service in &scenario.services {
            let reach: u64 = (0..scenario.areas.len())
                .map(|i| service.areas_reached(&scenario.access, i).len() as u64)
                .sum();
            let variants = service.variants.len() as u64;
            let additions = variants.saturating_mul(n).saturating_mul(years);
            let flows = reach.saturating_mul(years);
            variables = variables.saturating_add(additions).saturating_add(flows);
            // A flow sits in its area's served row and its provider's capacity row; an
            // addition in the capacity rows of its year and every later one (≤ years),
            // in targets and caps, and in its year's build-rate rows (district, street).
            nonzeros = nonzeros
                .saturating_add(flows.saturating_mul(2))
                .saturating_add(additions.saturating_mul(years.saturating_add(5)));
        }
        for conversion in &scenario.conversions {
            // A conversion sits in the capacity rows of its year and every later one (of
            // both services when it repurposes), in the start-of-year rows of the variant
            // it draws on (≤ years), in targets and in its cap.
            let services = if conversion.is_repurposing() { 2 } else { 1 };
            let count = n.saturating_mul(years);
            variables = variables.saturating_add(count);
            let per_variable = years.saturating_mul(services + 1).saturating_add(3);
            nonzeros = nonzeros.saturating_add(count.saturating_mul(per_variable));
        }
        let bytes = variables
            .saturating_mul(BYTES_PER_VARIABLE)
            .saturating_add(nonzeros.saturating_mul(BYTES_PER_NONZERO));
        Self {
            variables,
            nonzeros,
            bytes,
        }
    }

    /// Whether the model fits in `max_bytes`.
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`] giving the variables, nonzeros and bytes, and how to go on
    /// (fewer areas or years, smaller radii, or a larger limit through
    /// [`MAX_MODEL_BYTES_VAR`]).
    pub fn check(&self, max_bytes: u64) -> Result<()> {
        if self.bytes <= max_bytes {
            return Ok(());
        }
        Err(Error::TooLarge {
            what: "allocation model (variables, nonzeros)",
            size: format!(
                "{} variables, {} nonzeros, about {:.1} GiB",
                self.variables,
                self.nonzeros,
                self.bytes as f64 / f64::from(1_u32 << 30)
            ),
            problem: format!(
                "more than the limit of {:.1} GiB; plan fewer areas or years, give services smaller radii, or set {MAX_MODEL_BYTES_VAR} to a larger number of bytes",
                max_bytes as f64 / f64::from(1_u32 << 30)
            ),
        })
    }
}

/// The most memory a model may take: [`MAX_MODEL_BYTES_VAR`] when it holds a whole number
/// of bytes, else [`DEFAULT_MAX_MODEL_BYTES`].
///
/// # Examples
///
/// ```
/// if std::env::var_os(popalloc::allocate::footprint::MAX_MODEL_BYTES_VAR).is_none() {
///     assert_eq!(popalloc::allocate::footprint::max_model_bytes(), 8 << 30);
/// }
/// ```
pub fn max_model_bytes() -> u64 {
    std::env::var(MAX_MODEL_BYTES_VAR)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(DEFAULT_MAX_MODEL_BYTES)
}

/// Refuses a scenario whose model would not fit in [`max_model_bytes`].
///
/// # Errors
///
/// As [`ModelFootprint::check`].
pub(crate) fn check_fits(scenario: &Scenario, need: &Need) -> Result<()> {
    ModelFootprint::of(scenario, need).check(max_model_bytes())
}
