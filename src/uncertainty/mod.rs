//! Uncertainty (DESIGN §4, §6): Monte Carlo cohorts, quantile summaries, one-at-a-time
//! sensitivity, chance-constrained plans and their reliability.
//!
//! - [`Distribution`]: a named distribution of an uncertain assumption;
//! - [`Uncertainty`]: the validated `[uncertainty]` section of a scenario;
//! - [`Variant`]: the assumptions moved by stated amounts (a draw, or a sensitivity step);
//! - [`MonteCarlo`]: draws in parallel, bit-identical for a seed whatever the thread count,
//!   summarised by [`QuantileStream`] or exactly from kept draws;
//! - [`quantile_need`]: the need a chance-constrained plan covers; [`reliability`]: a plan
//!   against every draw; [`reliability_curve`]: the cost of reliability over α;
//! - [`allocate_joint`]: every street at once in a share of the draws, a scenario MILP;
//! - [`sensitivity`]: one assumption at a time, down and up (a tornado).

mod chance;
mod distribution;
mod draw;
mod joint;
pub(crate) mod max_flow;
mod montecarlo;
mod quantile;
pub(crate) mod reliability;
mod sensitivity;
mod settings;
mod variant;

pub use chance::{ReliabilityPoint, quantile_need, reliability_curve};
pub use distribution::{Distribution, draw_generator};
pub use joint::{JointChance, MAX_JOINT_DRAWS, allocate_joint};
pub use montecarlo::{DISTRICT, DrawAssumption, MonteCarlo, MonteCarloSummary, TOTAL_BAND};
pub use quantile::{QuantileStream, sample_quantile};
pub use reliability::{
    COVER_TOLERANCE, Reliability, StreetReliability, TargetReliability, reliability,
};
pub use sensitivity::{
    Outcome, Sensitivity, SensitivityOptions, SensitivityRow, Swing, sensitivity,
};
pub use settings::{
    CALIBRATED_MIGRATION_RHO, CALIBRATED_MIGRATION_SIGMA, MAX_DRAWS, SensitivitySection,
    SensitivitySteps, StreetDeviation, StreetSection, Uncertainty, UncertaintySection,
};
pub use variant::{StreetPaths, Variant};
