//! Net migration by sex and age from two censuses: the census-survival residual of a
//! scenario's `[migration.census]` section, raw and smoothed.
//!
//! ```text
//! cargo run --example census_migration [SCENARIO_DIR]     # default: data/yuzhong
//! ```

use std::path::PathBuf;

use popalloc::Sex;
use popalloc::scenario::census_migration::census_migration;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("data/yuzhong"));
    let scenario = popalloc::Scenario::load(&dir)?;
    let section = scenario
        .file
        .migration
        .as_ref()
        .and_then(|m| m.census.clone())
        .ok_or("the scenario has no [migration.census] section")?;
    let read = |name: &str| std::fs::read_to_string(dir.join(name));
    let (first, second) = (read(&section.first)?, read(&section.second)?);
    let result = census_migration(
        &scenario,
        &section,
        (&dir.join(&section.first), &first),
        (&dir.join(&section.second), &second),
    )?;
    let years = result.residual.years() as f64;
    println!(
        "censuses {} -> {}: {:.0} -> {:.0} residents; {} years",
        section.first_year,
        section.second_year,
        result.first.total(),
        result.second.total(),
        years
    );
    println!(
        "TFR of the interval {:.3}; crude death rate of the first life tables {:.2} per 1,000",
        result.tfr, result.death_rate
    );
    println!(
        "identity gap {:.2e} persons",
        result.residual.identity_gap()
    );
    let raw = result.residual.annual()?;
    let bands: [(&str, usize, usize); 5] = [
        ("0-14", 0, 14),
        ("15-29", 15, 29),
        ("30-59", 30, 59),
        ("60+", 60, 100),
        ("all", 0, 100),
    ];
    println!(
        "net migrants over the interval by age at migration (raw | smoothed) and cohort residual by age at the second census:"
    );
    println!(
        "{:<6} {:>6} {:>10} {:>10} {:>10}",
        "ages", "sex", "raw", "smoothed", "cohort"
    );
    for (name, from, to) in bands {
        for sex in Sex::ALL {
            let sum = |v: &[f64]| v[from..=to].iter().sum::<f64>();
            println!(
                "{:<6} {:>6} {:>10.0} {:>10.0} {:>10.0}",
                name,
                sex.to_string(),
                years * sum(raw.series(0, sex)),
                years * sum(result.annual.series(0, sex)),
                sum(&result.residual.cohort_residual(sex)),
            );
        }
    }
    println!(
        "annual total: raw {:.1}, smoothed {:.1} (female {:.1}, male {:.1}); smoothing {}",
        raw.total(),
        result.annual.total(),
        result.annual.area_sex_total(0, Sex::Female),
        result.annual.area_sex_total(0, Sex::Male),
        result.smoothing
    );
    let model = result.residual.second_from(&result.annual)?;
    println!(
        "second census from the smoothed schedule: {:.0} (census {:.0})",
        model.iter().sum::<f64>(),
        result.second.total()
    );
    if std::env::var_os("SCHEDULE").is_some() {
        println!("age,female_raw,male_raw,female,male");
        for x in 0..raw.groups() {
            println!(
                "{x},{:.1},{:.1},{:.1},{:.1}",
                raw.series(0, Sex::Female)[x],
                raw.series(0, Sex::Male)[x],
                result.annual.series(0, Sex::Female)[x],
                result.annual.series(0, Sex::Male)[x]
            );
        }
    }
    Ok(())
}
