//! Fertility of the years before a census from its children (reverse survival), with the
//! default scenario's 2020 life tables and fertility shape; and Yuzhong's default `tfr.csv`
//! started from it (data/yuzhong/SOURCES.md section 6.1).
//!
//! Run with: cargo run --example census_fertility -- [census.csv] [code] [oldest age]
//!
//! The defaults are data/yuzhong/census_2020.csv, 500103 (渝中区) and 4 (the children aged
//! 0–4, the five years before the census). For Yuzhong the last lines are the `tfr.csv`
//! the default scenario ships; `tests/reverse_survival.rs` checks that they agree.

use popalloc::Scenario;
use popalloc::demography::census::read_census;
use popalloc::demography::reverse_survival::DEFAULT_CHILD_AGE;
use popalloc::scenario::census_fertility::yuzhong_tfr_path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let census = args.next().unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/data/yuzhong/census_2020.csv").to_string()
    });
    let code = args.next().unwrap_or_else(|| "500103".to_string());
    let oldest: usize = match args.next() {
        Some(age) => age.parse()?,
        None => DEFAULT_CHILD_AGE,
    };
    let scenario = Scenario::yuzhong()?;
    let selection = read_census(&census, Some(&code))?;
    let Some(unit) = selection.units.iter().find(|u| u.code == code) else {
        return Err(format!("{census}: no unit with the code {code}").into());
    };
    let years = scenario.census_fertility(unit, oldest)?;
    println!(
        "{} {} ({} residents), census {}: reverse survival of the children aged 0-{oldest}",
        unit.code,
        unit.name,
        unit.total(),
        scenario.base_year()
    );
    println!("year      age  births_f  births_m    births  weighted_women     TFR");
    for y in &years {
        println!(
            "{}-{}  {:>3}  {:>8.1}  {:>8.1}  {:>8.1}  {:>14.1}  {:>6.4}",
            y.start_year,
            y.end_year,
            y.age_at_census,
            y.births[0],
            y.births[1],
            y.total_births(),
            y.weighted_women,
            y.total_fertility_rate
        );
    }
    if let (true, Some(latest)) = (code == "500103", years.first()) {
        println!(
            "\ntfr.csv (the 2020 level is the TFR of {}-{}):",
            latest.start_year, latest.end_year
        );
        println!("year,value");
        for (year, value) in yuzhong_tfr_path(latest.total_fertility_rate)?.points() {
            println!("{year},{value:.3}");
        }
    }
    Ok(())
}
