//! Demography: the population array, life tables, schedules and the cohort-component
//! projection (DESIGN §2–4).

pub mod band;
pub mod brass;
pub mod census;
pub mod example;
pub mod fertility;
pub mod graduation;
pub mod hamilton_perry;
pub mod leslie;
pub mod life_table;
pub mod migration;
pub mod population;
pub mod projection;
pub mod rates;
pub mod residual_migration;
pub mod reverse_survival;
pub mod sex;
pub mod tidy;
