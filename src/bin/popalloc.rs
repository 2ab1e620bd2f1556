//! The `popalloc` command line: a thin layer over the library.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use popalloc::demography::example::Sweden1993;
use popalloc::{Band, Population};

/// Project a population by age, sex and street, and plan services for it.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the default job: for now, the built-in Sweden 1993 example (Preston et al. 2001,
    /// Box 6.2) projected to 2018, printed as a summary.
    ///
    /// Example: popalloc run --steps 5
    Run {
        /// Number of five-year steps to project.
        #[arg(long, default_value_t = 5)]
        steps: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Run { steps: 5 }) {
        Command::Run { steps } => run(steps),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("popalloc: {err}");
            ExitCode::from(1)
        }
    }
}

fn run(steps: usize) -> popalloc::Result<()> {
    let example = Sweden1993::load()?;
    let projection = example.project(steps)?;
    let children = Band::new("0-14", 0, Some(14))?;
    let working = Band::new("15-64", 15, Some(64))?;
    let elderly = Band::new("65+", 65, None)?;
    let share = |pop: &Population, band: &Band| 100.0 * pop.band_total(0, band) / pop.total();
    println!(
        "Sweden, both sexes (Preston, Heuveline & Guillot 2001, Box 6.2; 1993 rates held constant)"
    );
    println!(
        "{:>6} {:>11} {:>7} {:>7} {:>7} {:>11} {:>11} {:>11}",
        "year", "population", "0-14 %", "15-64 %", "65+ %", "births", "deaths", "migrants"
    );
    for (k, (year, pop)) in projection.states.iter().enumerate() {
        let (births, deaths, migrants) =
            match k.checked_sub(1).and_then(|i| projection.flows.get(i)) {
                Some(f) => (
                    format!("{:.0}", f.total_births()),
                    format!("{:.0}", f.deaths.iter().sum::<f64>()),
                    format!("{:.0}", f.migrants.iter().sum::<f64>()),
                ),
                None => ("".into(), "".into(), "".into()),
            };
        println!(
            "{year:>6} {:>11.0} {:>7.1} {:>7.1} {:>7.1} {births:>11} {deaths:>11} {migrants:>11}",
            pop.total(),
            share(pop, &children),
            share(pop, &working),
            share(pop, &elderly),
        );
    }
    println!("Flows on a row belong to the five years ending that year.");
    Ok(())
}
