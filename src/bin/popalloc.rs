//! The `popalloc` command line: a thin layer over the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use popalloc::{Comparison, Error, ExpectationKind, Scenario};

/// Project a district's population by age, sex and street, and plan its services.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a scenario (the embedded Yuzhong plan when DIR is omitted): project the
    /// population to the horizon and print a summary.
    ///
    /// Example: popalloc run my-scenario/
    Run {
        /// The scenario directory (scenario.toml and its CSV files).
        dir: Option<PathBuf>,
    },
    /// Check a scenario and report every problem found, each with file, field or row, and
    /// value. Writes nothing.
    ///
    /// Example: popalloc validate my-scenario/
    Validate {
        /// The scenario directory.
        dir: PathBuf,
    },
    /// Write the embedded Yuzhong scenario into DIR as editable files.
    ///
    /// Example: popalloc init my-scenario/ && popalloc validate my-scenario/
    Init {
        /// The directory to create (it must not hold a scenario already).
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Run { dir: None }) {
        Command::Run { dir } => load(dir.as_ref()).and_then(|s| run(&s)),
        Command::Validate { dir } => load(Some(&dir)).map(|s| {
            eprintln!(
                "{}: valid ({} areas, {} services, {} targets)",
                dir.display(),
                s.areas.len(),
                s.services.len(),
                s.targets.len()
            );
        }),
        Command::Init { dir } => Scenario::write_default(&dir).map(|()| {
            eprintln!(
                "wrote the Yuzhong scenario to {}; edit it, then: popalloc validate {0}",
                dir.display()
            );
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::InvalidScenario { path, problems }) => {
            eprintln!(
                "popalloc: {}: {} problem(s):",
                path.display(),
                problems.len()
            );
            for problem in problems {
                eprintln!("  - {problem}");
            }
            ExitCode::from(1)
        }
        Err(err) => {
            eprintln!("popalloc: {err}");
            ExitCode::from(1)
        }
    }
}

fn load(dir: Option<&PathBuf>) -> popalloc::Result<Scenario> {
    match dir {
        Some(dir) => Scenario::load(dir),
        None => Scenario::yuzhong(),
    }
}

fn run(scenario: &Scenario) -> popalloc::Result<()> {
    let projection = scenario.project(scenario.horizon())?;
    let band = |name: &str| scenario.band_index(name).map(|i| &scenario.bands[i]);
    println!("{}", scenario.file.name);
    if let Some(zh) = &scenario.file.name_zh {
        println!("{zh}");
    }
    println!();
    println!(
        "{:>6} {:>10} {:>8} {:>9} {:>8} {:>9} {:>8} {:>8} {:>8}",
        "year", "residents", "60+ %", "60+", "0-2", "3-5", "6-11", "12-14", "15-17"
    );
    for (year, pop) in &projection.states {
        let district = pop.aggregate("district");
        let count = |name: &str| band(name).map_or(f64::NAN, |b| district.band_total(0, b));
        println!(
            "{year:>6} {:>10.0} {:>8.2} {:>9.0} {:>8.0} {:>9.0} {:>8.0} {:>8.0} {:>8.0}",
            district.total(),
            100.0 * count("elderly") / district.total(),
            count("elderly"),
            count("infants"),
            count("preschool"),
            count("primary"),
            count("junior"),
            count("senior"),
        );
    }
    println!();
    println!("What the plan expects (reported, not imposed):");
    for e in &scenario.expectations {
        let Some(pop) = projection.at(e.year) else {
            continue;
        };
        let district = pop.aggregate("district");
        let persons = district.band_total(0, &scenario.bands[e.band]);
        let (projected, expected) = match e.kind {
            ExpectationKind::Share => (
                format!("{:.1} %", 100.0 * persons / district.total()),
                format!("{:.1} %", 100.0 * e.value),
            ),
            ExpectationKind::Count => (format!("{persons:.0}"), format!("{:.0}", e.value)),
        };
        let holds = match (e.kind, e.op) {
            (ExpectationKind::Share, op) => compare(persons / district.total(), op, e.value),
            (ExpectationKind::Count, op) => compare(persons, op, e.value),
        };
        println!(
            "  {:<18} {} {} {expected:>9}; projected {projected:>9}  {}",
            e.id,
            e.year,
            e.op.symbol(),
            if holds { "as expected" } else { "differs" }
        );
    }
    println!();
    let (horizon, last) = projection
        .horizon()
        .map(|(y, p)| (*y, p))
        .unwrap_or((scenario.base_year(), &scenario.base));
    println!("By street, {} → {horizon}:", scenario.base_year());
    println!(
        "{:<23} {:>10} {:>10} {:>8} {:>8}",
        "street",
        scenario.base_year(),
        horizon,
        "60+ %",
        "0-2"
    );
    for (i, area) in scenario.areas.iter().enumerate() {
        let elderly = band("elderly").map_or(f64::NAN, |b| last.band_total(i, b));
        let infants = band("infants").map_or(f64::NAN, |b| last.band_total(i, b));
        // Chinese characters take two columns in a terminal: pad by display width.
        let label = format!("{} {}", area.name_en, area.name_zh);
        let width = area.name_en.chars().count() + 1 + 2 * area.name_zh.chars().count();
        println!(
            "{label}{} {:>10.0} {:>10.0} {:>8.2} {:>8.0}",
            " ".repeat(23usize.saturating_sub(width)),
            scenario.base.area_total(i),
            last.area_total(i),
            100.0 * elderly / last.area_total(i),
            infants
        );
    }
    Ok(())
}

fn compare(value: f64, op: Comparison, target: f64) -> bool {
    match op {
        Comparison::AtLeast => value >= target,
        Comparison::AtMost => value <= target,
        Comparison::Equal => (value - target).abs() <= 1e-9 * target.abs().max(1.0),
        Comparison::About => (value - target).abs() <= 0.05 * target.abs(),
    }
}
