//! The `popalloc` command line: a thin layer over the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use popalloc::{
    Allocation, AllocationOptions, Error, ExpectationKind, Need, Projection, Scenario, allocate,
};

/// Writes a line to standard output; a closed pipe (`popalloc run | head`) ends the
/// output quietly instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// Writes to standard output, ignoring a closed pipe.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

/// Project a district's population by age, sex and street, and plan its services.
#[derive(Debug, Parser)]
#[command(
    version,
    about,
    after_help = "Exit codes: 0 done; 1 bad input (a scenario, a value or the command line); \
                  2 binding targets in conflict; 3 the solver gave up (no plan within its time \
                  limit, or a numerical fault; build with --features highs for large MILPs)."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Print no messages on standard error, only errors.
    #[arg(short, long, global = true)]
    quiet: bool,
    /// Print the result as JSON on standard output, for scripts.
    #[arg(long, global = true)]
    json: bool,
    /// Names on the charts: both (中文 English, the default; needs a CJK font), latin
    /// (English only, no CJK character in any chart) or chinese.
    #[arg(
        long,
        global = true,
        default_value = "both",
        value_name = "latin|chinese|both"
    )]
    labels: popalloc::report::labels::Labels,
}

/// `--quiet` and `--json`, set once at start.
static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
static JSON: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

fn json() -> bool {
    JSON.load(std::sync::atomic::Ordering::Relaxed)
}

/// `--labels`, set once at start.
static LABELS: std::sync::OnceLock<popalloc::report::labels::Labels> = std::sync::OnceLock::new();

/// The names the charts show (`--labels`).
pub(crate) fn labels() -> popalloc::report::labels::Labels {
    LABELS.get().copied().unwrap_or_default()
}

/// A message on standard error, unless `--quiet`.
macro_rules! note {
    ($($arg:tt)*) => {{
        if !quiet() {
            eprintln!($($arg)*);
        }
    }};
}

pub(crate) use {note, out, outln};

/// `text` padded with spaces to `width` terminal columns (by display width: a Chinese
/// character takes two), never cut.
pub(crate) fn pad(text: &str, width: usize) -> String {
    let shown = unicode_width::UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(shown)))
}

mod backtest;
mod uncertainty;

/// Prints a value as JSON on standard output.
fn print_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|source| Error::Json {
        path: "<stdout>".into(),
        source,
    })?;
    outln!("{text}");
    Ok(())
}

/// Reads `--seed`: a whole number 0 … 2^64 − 1, said so when the value is anything else
/// (clap's own message for a u64, "invalid digit found in string", does not say it).
fn parse_seed(text: &str) -> Result<u64, String> {
    text.trim().parse().map_err(|_| {
        format!(
            "the seed is a whole number from 0 to 2^64 - 1 ({})",
            u64::MAX
        )
    })
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a scenario (the embedded Yuzhong plan when DIR is omitted): project the
    /// population to the horizon, plan its services, and print a summary of both.
    ///
    /// Example: popalloc run my-scenario/ --out results/
    Run {
        /// The scenario directory (scenario.toml and its CSV files).
        dir: Option<PathBuf>,
        /// Write projection.csv, bands.csv, components.csv, need.csv, plan.csv,
        /// targets.csv, flows.csv, plan.json, the SVG charts and report.md into this directory (a new
        /// folder, an empty one or one a run wrote; replaced whole).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Project a scenario's population to its horizon and print the bands by year.
    ///
    /// Example: popalloc project
    Project {
        /// The scenario directory (the embedded Yuzhong plan when omitted).
        dir: Option<PathBuf>,
    },
    /// Plan a scenario's services: the least-cost plan holding every binding target.
    /// Exit code 2 (and the conflicting targets printed) when they cannot all hold, 3 when
    /// the solver gives up (no plan within its time limit, or a numerical fault).
    ///
    /// Example: popalloc allocate my-scenario/ --out results/
    Allocate {
        /// The scenario directory (the embedded Yuzhong plan when omitted).
        dir: Option<PathBuf>,
        /// Write the outputs of `run --out` (the tables, flows.csv, plan.json, the charts
        /// and report.md) into this directory.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Solve across a range of one target's value and print cost and status per point.
    ///
    /// Example: popalloc sweep --target nursing_share_2025 --from 0.5 --to 0.8 --steps 7
    Sweep {
        /// The scenario directory (the embedded Yuzhong plan when omitted).
        dir: Option<PathBuf>,
        /// The target to move.
        #[arg(long)]
        target: String,
        /// First value.
        #[arg(long, allow_negative_numbers = true)]
        from: f64,
        /// Last value.
        #[arg(long, allow_negative_numbers = true)]
        to: f64,
        /// Number of values, ends included.
        #[arg(long, default_value_t = 5)]
        steps: usize,
        /// Also draw cost against the target as an SVG chart into this file.
        #[arg(long)]
        chart: Option<PathBuf>,
    },
    /// Write the model (final stage: cost with the shortfall stage held) in CPLEX LP format.
    ///
    /// Example: popalloc export-lp --out yuzhong.lp
    ExportLp {
        /// The scenario directory (the embedded Yuzhong plan when omitted).
        dir: Option<PathBuf>,
        /// The file to write (standard output when omitted).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check a scenario and report every problem found, each with file, field or row, and
    /// value. Writes nothing.
    ///
    /// Example: popalloc validate my-scenario/
    Validate {
        /// The scenario directory.
        dir: PathBuf,
    },
    /// Monte Carlo: project N draws of the uncertain assumptions (the scenario's
    /// [uncertainty] section), print quantiles of every band, evaluate the plan against
    /// every draw (the share of draws in which each target holds and each street's need is
    /// met) and the cost of reliability over α. With --alpha, the plan covers each
    /// street's need at the 1 − α quantile of the draws. Exit code 2 when the binding
    /// targets conflict.
    ///
    /// Example: popalloc montecarlo --draws 1000 --seed 7 --alpha 0.1 --out results/
    Montecarlo {
        /// The scenario directory (the embedded Yuzhong plan when omitted).
        dir: Option<PathBuf>,
        /// Number of draws (default: the scenario's, 1,000 for Yuzhong).
        #[arg(long)]
        draws: Option<usize>,
        /// Seed of the generator, a whole number 0 … 2^64 − 1 (default: the scenario's).
        #[arg(long, allow_negative_numbers = true, value_parser = parse_seed)]
        seed: Option<u64>,
        /// Plan for need at the 1 − α quantile (e.g. 0.1: each street covered in 90 % of draws).
        #[arg(long)]
        alpha: Option<f64>,
        /// With --alpha: cover every street at once in a share 1 − α of the first K draws
        /// (a scenario MILP; K at most 50, each draw adding a binary).
        #[arg(long, value_name = "K")]
        joint: Option<usize>,
        /// Threads for the draws, 1 to 4 × the cores (default: all cores); the results do not
        /// depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// Also run the one-at-a-time sensitivity and add its tornadoes to the report.
        #[arg(long)]
        sensitivity: bool,
        /// Write every output of `run` plus montecarlo_quantiles.csv, montecarlo_draws.csv,
        /// reliability_*.csv, the fan and reliability charts and a memo with a section on
        /// uncertainty into this directory.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Sensitivity: move the TFR, e0, migration and each street's multipliers down and up
    /// by the scenario's steps, one at a time, and print their effect on the bands at the
    /// horizon and on the plan's cost (a tornado table).
    ///
    /// Example: popalloc sensitivity --out results/
    Sensitivity {
        /// The scenario directory (the embedded Yuzhong plan when omitted).
        dir: Option<PathBuf>,
        /// Leave out the street multipliers (district assumptions only).
        #[arg(long)]
        no_streets: bool,
        /// Project only; do not plan each variant.
        #[arg(long)]
        no_plan: bool,
        /// Write sensitivity.csv and the tornado charts into this directory.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write the embedded Yuzhong scenario into DIR as editable files, or, with --census,
    /// a scenario of the county-level units of a census table.
    ///
    /// Example: popalloc init my-scenario/ && popalloc validate my-scenario/
    /// Example: popalloc init chongqing/ --census age_sex_2020.csv --code 5001
    Init {
        /// The directory to create (it must not hold a scenario already).
        dir: PathBuf,
        /// A county census table (age_sex_2020.csv or age_sex_2010.csv): one area per
        /// county-level unit, its census base graduated to single years, WPP China
        /// mortality and fertility, no migration and no services.
        #[arg(long, value_name = "PATH")]
        census: Option<PathBuf>,
        /// With --census: the code prefix of the units (a province 50, a prefecture 5001,
        /// a county 500103); every county-level unit when omitted.
        #[arg(long, value_name = "PREFIX", requires = "census")]
        code: Option<String>,
        /// A template for a new district: the default files with the name, [provenance]
        /// and SOURCES.md as placeholders marked "[to fill]".
        #[arg(long, conflicts_with = "census")]
        template: bool,
    },
    /// Backtest: project every county whose code and name agree in the 2010 and 2020
    /// census tables from 2010 to 2020 by each method (survival_only, local_rates,
    /// local_migration) and compare with the 2020 census by band.
    ///
    /// Example: popalloc backtest --census ../shared/data/china-census-county --out bt/
    Backtest {
        /// The folder holding age_sex_2010.csv, age_sex_2020.csv and vital_2010.csv.
        #[arg(long, value_name = "PATH")]
        census: PathBuf,
        /// Write backtest.csv, backtest_summary.csv, backtest.md and backtest_errors.svg
        /// into this directory (a new folder, an empty one or one a run wrote; replaced whole).
        #[arg(long)]
        out: PathBuf,
        /// Monte Carlo draws per method for the P10-P90 coverage (default 100).
        #[arg(long)]
        draws: Option<usize>,
        /// Seed of the generator, a whole number 0 … 2^64 − 1 (default 2021).
        #[arg(long, allow_negative_numbers = true, value_parser = parse_seed)]
        seed: Option<u64>,
    },
}

fn main() -> ExitCode {
    // A command line that cannot be read is bad input (exit 1): exit 2 is kept for
    // conflicting targets. Help and version go to standard output with exit 0.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    QUIET.store(cli.quiet, std::sync::atomic::Ordering::Relaxed);
    JSON.store(cli.json, std::sync::atomic::Ordering::Relaxed);
    let _ = LABELS.set(cli.labels);
    let result = match cli.command.unwrap_or(Command::Run {
        dir: None,
        out: None,
    }) {
        Command::Run { dir, out } => load(dir.as_ref()).and_then(|s| {
            let (projection, need, allocation) = solve_scenario(&s)?;
            if let Some(out) = &out {
                write_outputs(&s, out, &projection, &need, &allocation)?;
            }
            if json() {
                // One JSON document: need and the plan (or the conflict), as plan.json.
                outln!(
                    "{}",
                    popalloc::report::tables::plan_json(&s, &need, &allocation)?
                );
                return match allocation {
                    Allocation::Conflict(c) => Err(Failure::Conflict(c)),
                    Allocation::Plan(_) => Ok(()),
                };
            }
            project(&s, &projection)?;
            outln!();
            plan(&s, allocation)
        }),
        Command::Project { dir } => load(dir.as_ref()).and_then(|s| {
            let projection = s.project(s.horizon())?;
            project(&s, &projection)
        }),
        Command::Allocate { dir, out } => load(dir.as_ref()).and_then(|s| {
            let (projection, need, allocation) = solve_scenario(&s)?;
            if let Some(out) = &out {
                write_outputs(&s, out, &projection, &need, &allocation)?;
            }
            plan(&s, allocation)
        }),
        Command::Sweep {
            dir,
            target,
            from,
            to,
            steps,
            chart,
        } => load(dir.as_ref()).and_then(|s| sweep(&s, &target, from, to, steps, chart.as_deref())),
        Command::ExportLp { dir, out } => load(dir.as_ref()).and_then(|s| export(&s, out.as_ref())),
        Command::Validate { dir } => load(Some(&dir)).map(|s| {
            let warnings = s.plausibility_warnings();
            if json() {
                let listed: Vec<String> = warnings.iter().map(|w| w.to_string()).collect();
                outln!(
                    "{{\"valid\": true, \"areas\": {}, \"services\": {}, \"targets\": {}, \"warnings\": {}}}",
                    s.areas.len(),
                    s.services.len(),
                    s.targets.len(),
                    serde_json::to_string(&listed).unwrap_or_else(|_| "[]".into())
                );
            }
            for warning in &warnings {
                note!("warning: {warning}");
            }
            note!(
                "{}: valid ({} areas, {} services, {} targets)",
                dir.display(),
                s.areas.len(),
                s.services.len(),
                s.targets.len()
            );
        }),
        Command::Montecarlo {
            dir,
            draws,
            seed,
            alpha,
            joint,
            threads,
            sensitivity,
            out,
        } => load(dir.as_ref()).and_then(|s| {
            uncertainty::montecarlo(
                &s,
                &uncertainty::MonteCarloArgs {
                    draws,
                    seed,
                    alpha,
                    joint,
                    out,
                    threads,
                    sensitivity,
                },
            )
        }),
        Command::Sensitivity {
            dir,
            no_streets,
            no_plan,
            out,
        } => load(dir.as_ref()).and_then(|s| {
            uncertainty::run_sensitivity(
                &s,
                &uncertainty::SensitivityArgs {
                    streets: !no_streets,
                    plan: !no_plan,
                    out,
                },
            )
        }),
        Command::Init {
            dir,
            census: Some(census),
            code,
            ..
        } => popalloc::scenario::census::write_census_scenario(&dir, &census, code.as_deref())
            .map_err(Failure::from)
            .map(|init| {
                let left_out = init.selection.empty.len();
                note!(
                    "wrote {} area(s), {:.0} residents ({} census) to {}{}; then: popalloc validate {3}",
                    init.selection.units.len(),
                    init.base.total(),
                    init.year,
                    dir.display(),
                    if left_out > 0 {
                        format!(" ({left_out} unit(s) without an age table left out, listed in SOURCES.md)")
                    } else {
                        String::new()
                    }
                );
            }),
        Command::Init {
            dir,
            template: true,
            ..
        } => Scenario::write_template(&dir)
            .map_err(Failure::from)
            .map(|()| {
                note!(
                    "wrote a template for a new district to {}: replace its numbers (still Yuzhong's) and every \"[to fill]\" in scenario.toml and SOURCES.md, then: popalloc validate {0}",
                    dir.display()
                );
            }),
        Command::Backtest {
            census,
            out,
            draws,
            seed,
        } => backtest::backtest(&backtest::BacktestArgs {
            census,
            out,
            draws,
            seed,
        }),
        Command::Init { dir, .. } => Scenario::write_default(&dir)
            .map_err(Failure::from)
            .map(|()| {
                note!(
                    "wrote the Yuzhong scenario to {}; edit it, then: popalloc validate {0}",
                    dir.display()
                );
            }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Conflict(conflict)) => {
            report_conflict(&conflict);
            ExitCode::from(2)
        }
        Err(Failure::Input(err)) => report_error(err),
    }
}

/// The conflict on standard error, in the targets' own words: the changes that would each
/// restore a plan, then the other members.
fn report_conflict(conflict: &popalloc::Conflict) {
    eprintln!(
        "popalloc: the binding targets cannot all hold: {}.",
        conflict.message
    );
    let (alone, others): (Vec<_>, Vec<_>) = conflict
        .members
        .iter()
        .partition(|m| m.restoring_value.is_some());
    if !alone.is_empty() {
        eprintln!("Any one of these changes alone restores a plan (smallest change first):");
        for m in alone {
            eprintln!("  - {}", m.remedy);
        }
    }
    if !others.is_empty() {
        eprintln!(
            "Also in the conflict (changing one of these alone does not restore a plan: another conflicting set holds without it):"
        );
        for m in others {
            match m
                .remedy
                .strip_prefix(popalloc::allocate::conflict::NOT_ALONE)
            {
                Some("") => eprintln!("  - {}", m.statement),
                Some(rest) => eprintln!("  - {}{rest}", m.statement),
                None => eprintln!("  - {}; {}", m.statement, m.remedy),
            }
        }
    }
}

/// Why a command failed: bad input (exit 1) or conflicting targets (exit 2).
enum Failure {
    Input(Error),
    Conflict(popalloc::Conflict),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Input(e)
    }
}

fn report_error(err: Error) -> ExitCode {
    match err {
        Error::InvalidScenario { path, problems } => {
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
        // A solver that gives up (time limit, numerical fault) is not bad input.
        err @ Error::Solver { .. } => {
            eprintln!("popalloc: {err}");
            ExitCode::from(3)
        }
        err => {
            eprintln!("popalloc: {err}");
            ExitCode::from(1)
        }
    }
}

fn load(dir: Option<&PathBuf>) -> Result<Scenario, Failure> {
    Ok(match dir {
        Some(dir) => Scenario::load(dir)?,
        None => Scenario::yuzhong()?,
    })
}

fn need(scenario: &Scenario) -> popalloc::Result<Need> {
    Need::from_projection(scenario, &scenario.project(scenario.horizon())?)
}

/// The whole flow once: projection to the horizon, need, allocation.
fn solve_scenario(scenario: &Scenario) -> Result<(Projection, Need, Allocation), Failure> {
    let projection = scenario.project(scenario.horizon())?;
    let need = Need::from_projection(scenario, &projection)?;
    let allocation = allocate(scenario, &need, &AllocationOptions::default())?;
    Ok((projection, need, allocation))
}

fn plan(scenario: &Scenario, allocation: Allocation) -> Result<(), Failure> {
    let plan = match allocation {
        Allocation::Plan(plan) => plan,
        Allocation::Conflict(c) => {
            if json() {
                print_json(&c)?;
            }
            return Err(Failure::Conflict(c));
        }
    };
    let nothing = popalloc::report::nothing_to_plan(scenario);
    if json() {
        if nothing {
            note!("{}", popalloc::report::NOTHING_TO_PLAN);
        }
        return print_json(&plan);
    }
    if nothing {
        outln!("{}", popalloc::report::NOTHING_TO_PLAN);
        return Ok(());
    }
    outln!(
        "Plan {}–{} (costs in {}; backend {})",
        plan.years[0],
        plan.years[plan.years.len() - 1],
        scenario.cost_unit(),
        plan.backend.name()
    );
    // A MILP search that stopped early: how far the plan may be from the best.
    for gap in plan.milp_gaps.iter().filter(|g| !g.proven_optimal) {
        outln!("MILP {gap}");
    }
    outln!(
        "{:<36} {:<9} {:>4} {:>2} {:>12} {:>12} {:>7} {:>14}",
        "target",
        "class",
        "year",
        "",
        "required",
        "achieved",
        "status",
        "marginal cost"
    );
    for t in &plan.targets {
        let class = match t.class {
            popalloc::TargetClass::Binding => "binding",
            popalloc::TargetClass::Expected => "expected",
        };
        let status = match t.status {
            popalloc::TargetStatus::Met => "met",
            popalloc::TargetStatus::Missed => "missed",
        };
        let dual = t.dual.map_or(String::new(), |d| format!("{d:.1}"));
        outln!(
            "{:<36} {class:<9} {:>4} {:>2} {:>12.4} {:>12.4} {status:>7} {dual:>14}",
            t.id,
            t.year,
            t.op.symbol(),
            t.required,
            t.achieved
        );
    }
    outln!();
    outln!("Additions by service and year:");
    for service in &scenario.services {
        let by_year: Vec<String> = plan
            .years
            .iter()
            .map(|y| {
                let added: f64 = plan
                    .rows
                    .iter()
                    .filter(|r| r.year == *y && r.service == service.id)
                    .map(|r| r.added)
                    .sum();
                format!("{y}: {added:>7.0}")
            })
            .collect();
        outln!("  {:<14} {}", service.id, by_year.join("  "));
    }
    outln!();
    additions_by_street(scenario, &plan);
    outln!();
    outln!("{}", popalloc::report::cost_line(scenario, &plan));
    Ok(())
}

/// Additions by street over the plan period: a street × service table with the district
/// total.
fn additions_by_street(scenario: &Scenario, plan: &popalloc::Plan) {
    let by_street = popalloc::report::projects::additions_by_street(scenario, plan);
    let widths: Vec<usize> = scenario
        .services
        .iter()
        .map(|s| s.id.chars().count().max(8))
        .collect();
    outln!(
        "Additions by street, {}–{}:",
        plan.years.first().copied().unwrap_or_default(),
        plan.years.last().copied().unwrap_or_default()
    );
    out!("{:<23}", "street");
    for (s, w) in scenario.services.iter().zip(&widths) {
        out!(" {:>w$}", s.id);
    }
    outln!();
    let row = |label: &str, width: usize, values: &[f64]| {
        // Chinese characters take two columns in a terminal: pad by display width.
        out!("{label}{}", " ".repeat(23usize.saturating_sub(width)));
        for (x, w) in values.iter().zip(&widths) {
            out!(" {x:>w$.0}");
        }
        outln!();
    };
    for (area, values) in scenario.areas.iter().zip(&by_street) {
        let label = format!("{} {}", area.name_en, area.name_zh);
        let width = area.name_en.chars().count() + 1 + 2 * area.name_zh.chars().count();
        row(&label, width, values);
    }
    let district: Vec<f64> = (0..scenario.services.len())
        .map(|f| by_street.iter().map(|v| v[f]).sum())
        .collect();
    row("district", "district".len(), &district);
}

fn write_outputs(
    scenario: &Scenario,
    out: &std::path::Path,
    projection: &Projection,
    need: &Need,
    allocation: &Allocation,
) -> Result<(), Failure> {
    let files = popalloc::report::write_outputs_labelled(
        out,
        scenario,
        projection,
        need,
        allocation,
        None,
        labels(),
    )?;
    for file in files {
        note!("wrote {}", file.display());
    }
    Ok(())
}

fn sweep(
    scenario: &Scenario,
    target: &str,
    from: f64,
    to: f64,
    steps: usize,
    chart: Option<&std::path::Path>,
) -> Result<(), Failure> {
    let need = need(scenario)?;
    let points = popalloc::allocate::sweep::sweep(
        scenario,
        &need,
        target,
        from,
        to,
        steps,
        &AllocationOptions::default(),
    )?;
    if let Some(file) = chart {
        let values: Vec<(f64, Option<f64>)> =
            points.iter().map(|p| (p.value, p.total_cost)).collect();
        let svg = popalloc::report::charts::cost_against_target(
            &format!(
                "{}: cost against {target}",
                scenario
                    .file
                    .name_zh
                    .as_deref()
                    .unwrap_or(&scenario.file.name)
            ),
            target,
            &values,
            &format!("cost ({})", scenario.cost_unit()),
        )?;
        let svg = labels().relabel(scenario, &svg);
        popalloc::write_atomic(file, svg.as_bytes())?;
        note!("wrote {}", file.display());
    }
    if json() {
        return print_json(&points);
    }
    outln!(
        "{:>12} {:>10} {:>14} {:>14}",
        target,
        "status",
        "total cost",
        "present value"
    );
    for p in points {
        let status = match p.status {
            popalloc::allocate::sweep::SweepStatus::Planned => "planned",
            popalloc::allocate::sweep::SweepStatus::Conflict => "conflict",
        };
        let cost = p.total_cost.map_or("—".to_string(), |c| format!("{c:.1}"));
        let present = p
            .present_value
            .map_or("—".to_string(), |c| format!("{c:.1}"));
        outln!("{:>12.4} {status:>10} {cost:>14} {present:>14}", p.value);
    }
    Ok(())
}

fn export(scenario: &Scenario, out: Option<&PathBuf>) -> Result<(), Failure> {
    let need = need(scenario)?;
    let text = popalloc::allocate::export_lp(scenario, &need, &AllocationOptions::default())?;
    match out {
        Some(path) => {
            popalloc::write_atomic(path, text.as_bytes())?;
            note!("wrote {}", path.display());
        }
        None => out!("{text}"),
    }
    Ok(())
}

fn project(scenario: &Scenario, projection: &Projection) -> Result<(), Failure> {
    if json() {
        // Persons of every band in the district, by date.
        let bands: Vec<(String, Vec<(i32, f64)>)> = scenario
            .bands
            .iter()
            .map(|b| {
                let series = projection
                    .states
                    .iter()
                    .map(|(y, p)| (*y, p.aggregate("district").band_total(0, b)))
                    .collect();
                (b.name().to_string(), series)
            })
            .collect();
        return print_json(&bands);
    }
    let band = |name: &str| scenario.band_index(name).map(|i| &scenario.bands[i]);
    outln!("{}", scenario.file.name);
    if let Some(zh) = &scenario.file.name_zh {
        outln!("{zh}");
    }
    outln!();
    outln!(
        "{:>6} {:>10} {:>8} {:>9} {:>8} {:>9} {:>8} {:>8} {:>8}",
        "year",
        "residents",
        "60+ %",
        "60+",
        "0-2",
        "3-5",
        "6-11",
        "12-14",
        "15-17"
    );
    for (year, pop) in &projection.states {
        let district = pop.aggregate("district");
        let count = |name: &str| band(name).map_or(f64::NAN, |b| district.band_total(0, b));
        outln!(
            "{year:>6} {:>10.0} {:>8} {:>9.0} {:>8.0} {:>9.0} {:>8.0} {:>8.0} {:>8.0}",
            district.total(),
            percent(count("elderly"), district.total()),
            count("elderly"),
            count("infants"),
            count("preschool"),
            count("primary"),
            count("junior"),
            count("senior"),
        );
    }
    outln!();
    outln!("What the plan expects (reported, not imposed):");
    for e in &scenario.expectations {
        let Some((value, holds)) = e.projected(&scenario.bands, projection) else {
            continue;
        };
        let (projected, expected) = match e.kind {
            ExpectationKind::Share => (
                format!("{:.1} %", 100.0 * value),
                format!("{:.1} %", 100.0 * e.value),
            ),
            ExpectationKind::Count => (format!("{value:.0}"), format!("{:.0}", e.value)),
        };
        outln!(
            "  {:<18} {} {} {expected:>9}; projected {projected:>9}  {}",
            e.id,
            e.year,
            e.op.symbol(),
            if holds { "as expected" } else { "differs" }
        );
    }
    outln!();
    let (horizon, last) = projection
        .horizon()
        .map(|(y, p)| (*y, p))
        .unwrap_or((scenario.base_year(), &scenario.base));
    outln!("By street, {} → {horizon}:", scenario.base_year());
    outln!(
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
        let label = pad(&format!("{} {}", area.name_en, area.name_zh), 23);
        outln!(
            "{label} {:>10.0} {:>10.0} {:>8} {:>8.0}",
            scenario.base.area_total(i),
            last.area_total(i),
            percent(elderly, last.area_total(i)),
            infants
        );
    }
    Ok(())
}

/// `part` as a percentage of `whole` to two decimals, or "—" when there is nothing to
/// measure against (an area without residents) or no such band.
fn percent(part: f64, whole: f64) -> String {
    if whole > 0.0 && part.is_finite() {
        format!("{:.2}", 100.0 * part / whole)
    } else {
        "—".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_padded_by_terminal_columns_not_characters() {
        // 解放碑 is three characters and six columns.
        assert_eq!(pad("解放碑 Jiefangbei", 20), "解放碑 Jiefangbei   ");
        assert_eq!(pad("Jiefangbei", 12), "Jiefangbei  ");
        assert_eq!(pad("a long label", 4), "a long label");
    }

    #[test]
    fn a_solver_that_gives_up_exits_3_and_bad_input_1() {
        let gave_up = Error::Solver {
            backend: "microlp",
            detail: "found no plan within the time limit (0 s)".into(),
        };
        assert_eq!(report_error(gave_up), ExitCode::from(3));
        let bad = Error::InvalidValue {
            path: "base_population.csv".into(),
            row: 2,
            what: "a population count",
            range: "a number from 0 to 1e10",
            value: -1.0,
        };
        assert_eq!(report_error(bad), ExitCode::from(1));
    }
}
