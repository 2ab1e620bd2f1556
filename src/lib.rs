//! # popalloc
//!
//! Projects a district's population by single year of age, sex and street with the
//! cohort-component method, turns it into need for elder-care beds, childcare places and
//! school seats, and allocates new capacity to the streets at least cost so that a
//! public-service plan's targets hold: binding targets (约束性) as hard constraints,
//! expected ones (预期性) as closely as they can be met.
//!
//! # The flow
//!
//! The flow runs one way, one module per stage:
//!
//! | stage | module | main items |
//! |---|---|---|
//! | a district, its assumptions and its plan's targets | [`scenario`] | [`Scenario::load`], [`Scenario::yuzhong`], [`Scenario::plausibility_warnings`] |
//! | the population, year by year | [`demography`] | [`Scenario::project`] → [`Projection`]; [`LifeTable`], [`Projector`], [`demography::census`] |
//! | need by street, service and year | [`need`] | [`Need::from_projection`] |
//! | the least-cost plan | [`allocate`](mod@allocate) | [`allocate()`] → [`Allocation`]: a [`Plan`] or a [`Conflict`] |
//! | uncertainty | [`uncertainty`] | Monte Carlo draws, sensitivity, plans against the draws |
//! | files for people | [`report`] | CSV, JSON, the Markdown memo and SVG charts |
//!
//! # Examples
//!
//! The default scenario (Yuzhong District, 渝中区, Chongqing: the 2020 census to the plan's
//! 2025 targets) from projection to plan, as in the README:
//!
//! ```
//! use popalloc::{Allocation, AllocationOptions, Need, Scenario, TargetStatus, allocate};
//!
//! let scenario = Scenario::yuzhong()?;
//! let projection = scenario.project(scenario.horizon())?;
//! let need = Need::from_projection(&scenario, &projection)?;
//! match allocate(&scenario, &need, &AllocationOptions::default())? {
//!     Allocation::Plan(plan) => {
//!         // Every binding target holds in a plan.
//!         let nursing = plan.targets.iter().find(|t| t.id == "nursing_share_2025").unwrap();
//!         assert_eq!(nursing.status, TargetStatus::Met);
//!     }
//!     Allocation::Conflict(conflict) => panic!("{}", conflict.message),
//! }
//! # Ok::<(), popalloc::Error>(())
//! ```
//!
//! A life table from death rates, and the survival ratios a projection uses:
//!
//! ```
//! use popalloc::{LifeTable, Sex};
//!
//! let mx: Vec<f64> = (0..=100).map(|x| 0.00003 * (0.09 * x as f64).exp() + 0.0003).collect();
//! let table = LifeTable::from_mx(Sex::Female, &mx)?;
//! assert!(table.life_expectancy() > 70.0);
//! let survival = table.survival_ratios();
//! assert!(survival.iter().all(|s| (0.0..=1.0).contains(s)));
//! # Ok::<(), popalloc::Error>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::float_cmp))]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod allocate;
pub mod backtest;
pub mod demography;
mod error;
pub mod input;
pub mod need;
pub mod report;
pub mod scenario;
mod size;
pub mod uncertainty;

pub use allocate::{
    Allocation, AllocationOptions, Backend, Conflict, ConflictMember, Plan, PlanRow, TargetResult,
    TargetStatus, allocate,
};
pub use demography::band::Band;
pub use demography::brass::{
    BRASS_E0_TOLERANCE, brass_fit, brass_for_e0, brass_life_table, brass_logit,
};
pub use demography::fertility::{FertileAges, Fertility, mean_age_at_childbearing};
pub use demography::graduation::{AgeGroup, graduate};
pub use demography::hamilton_perry::HamiltonPerry;
pub use demography::leslie::{
    LESLIE_MAX_ITERATIONS, LESLIE_TOLERANCE, LeslieAnalysis, LeslieMatrix,
};
pub use demography::life_table::{LifeTable, andreev_kingkade_a0, survival_ratios};
pub use demography::migration::{Migrants, RogersCastro};
pub use demography::population::{OMEGA, Population};
pub use demography::projection::{MigrationTiming, Projection, Projector, StepFlows, StepInput};
pub use demography::rates::StepRates;
pub use demography::sex::{Sex, UnknownSex};
pub use demography::tidy::{
    TidyRow, TidyTable, ValueRule, read_migrants, read_migrants_from, read_population,
    read_population_from, write_atomic, write_population,
};
pub use error::{Error, Result};
pub use need::Need;
pub use scenario::Scenario;
pub use scenario::assumptions::{
    FertilityAssumption, FertilitySetting, MigrationAssumption, MortalityAssumption, YearPath,
};
pub use scenario::file::ScenarioFile;
pub use scenario::plan_data::{Access, Area, Budget, Conversion, Expectation, Service, Target};
pub use scenario::target::{Comparison, ExpectationKind, TargetClass, TargetKind, TargetLevel};

/// The README's code examples, run as doctests so that they keep compiling and working.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
