//! Demography: the population array, life tables, schedules and the cohort-component
//! projection (DESIGN §2–4).

pub mod band;
pub mod graduation;
pub mod life_table;
pub mod population;
pub mod sex;
pub mod tidy;
