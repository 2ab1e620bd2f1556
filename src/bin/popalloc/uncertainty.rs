//! `popalloc montecarlo` and `popalloc sensitivity`.

use std::io::IsTerminal as _;
use std::path::PathBuf;

use popalloc::report::uncertainty::UncertaintyReport;
use popalloc::uncertainty::{
    MonteCarlo, MonteCarloSummary, ReliabilityPoint, SensitivityOptions, allocate_joint,
    quantile_need, reliability, reliability_curve, sensitivity,
};
use popalloc::{Allocation, AllocationOptions, Need, Scenario, TargetClass, allocate};

use crate::{Failure, json, print_json, quiet};

/// The most memory the kept draws may take (2 GiB).
const KEEP_BYTES: usize = 2 << 30;

/// The α of the cost-of-reliability curve (the one asked for is added).
const CURVE_ALPHAS: [f64; 5] = [0.5, 0.25, 0.1, 0.05, 0.01];

/// Options of `popalloc montecarlo`.
pub struct MonteCarloArgs {
    pub draws: Option<usize>,
    pub seed: Option<u64>,
    pub alpha: Option<f64>,
    pub joint: Option<usize>,
    pub out: Option<PathBuf>,
    pub threads: Option<usize>,
    pub sensitivity: bool,
}

/// A progress bar on standard error for `total` steps, hidden when stderr is not a
/// terminal or with `--quiet`.
fn progress_bar(total: usize, what: &str) -> indicatif::ProgressBar {
    if quiet() || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_owned());
    bar
}

fn in_pool<T: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> Result<T, Failure> + Send,
) -> Result<T, Failure> {
    // More threads than 4 per core only slow the run down (and 100,000 of them took
    // minutes to start): refused.
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    match threads {
        None => f(),
        Some(n) if n == 0 || n > 4 * cores => {
            Err(Failure::from(popalloc::Error::InvalidParameter {
                parameter: "--threads",
                value: n as f64,
                range: "from 1 to 4 × the machine's cores",
            }))
        }
        Some(n) => match rayon::ThreadPoolBuilder::new().num_threads(n).build() {
            Ok(pool) => pool.install(f),
            Err(_) => Err(Failure::from(popalloc::Error::InvalidParameter {
                parameter: "--threads",
                value: n as f64,
                range: "a number of threads the system can start",
            })),
        },
    }
}

pub fn montecarlo(scenario: &Scenario, args: &MonteCarloArgs) -> Result<(), Failure> {
    let mut settings = scenario.uncertainty.clone();
    if let Some(d) = args.draws {
        settings.draws = d;
    }
    if let Some(s) = args.seed {
        settings.seed = s;
    }
    let draws = settings.draws;
    let run = MonteCarlo::new(scenario, settings);
    // Reliability reads every draw; past this much memory the run streams its summaries and
    // says so.
    let keep = run.kept_bytes() <= KEEP_BYTES;
    if !keep && args.alpha.is_some() {
        return Err(Failure::from(popalloc::Error::InvalidParameter {
            parameter: "--alpha with this many draws and areas (bytes of kept draws)",
            value: run.kept_bytes() as f64,
            range: "at most 2 GiB of kept draws: fewer draws or areas",
        }));
    }
    if !keep {
        crate::note!(
            "{} draws × {} areas would take {:.1} GB kept: quantiles are streamed (P²) and the plan is not checked against each draw",
            draws,
            scenario.areas.len(),
            run.kept_bytes() as f64 / 1e9
        );
    }
    let summary = in_pool(args.threads, || {
        let bar = progress_bar(draws, "draws");
        let tick = |done: usize| bar.set_position(done as u64);
        let result = run.keep_draws(keep).run(Some(&tick));
        bar.finish_and_clear();
        Ok(result?)
    })?;
    let projection = scenario.project(scenario.horizon())?;
    let options = AllocationOptions::default();
    let (need, allocation, joint) = match (args.alpha, args.joint) {
        (Some(alpha), Some(draws)) => {
            let (allocation, joint) = allocate_joint(scenario, &summary, alpha, draws, &options)?;
            (joint.need, allocation, Some((joint.draws, joint.required)))
        }
        (None, Some(draws)) => {
            return Err(Failure::from(popalloc::Error::InvalidParameter {
                parameter: "--joint (draws)",
                value: draws as f64,
                range: "given together with --alpha",
            }));
        }
        (Some(alpha), None) => {
            let need = quantile_need(scenario, &summary, alpha, &[])?;
            let allocation = allocate(scenario, &need, &options)?;
            (need, allocation, None)
        }
        (None, None) => {
            let need = Need::from_projection(scenario, &projection)?;
            let allocation = allocate(scenario, &need, &options)?;
            (need, allocation, None)
        }
    };
    let plan = match &allocation {
        Allocation::Plan(plan) => Some(plan),
        Allocation::Conflict(_) => None,
    };
    let rel = plan
        .filter(|_| keep)
        .map(|p| reliability(scenario, p, &summary))
        .transpose()?;
    // The plan at --alpha (unless joint) is a point of the curve already: not solved twice.
    let own_point = match (args.alpha, joint) {
        (Some(a), None) if keep => Some(ReliabilityPoint::of(a, &allocation, rel.as_ref())),
        _ => None,
    };
    let alphas: Vec<f64> = CURVE_ALPHAS
        .into_iter()
        .filter(|x| {
            own_point
                .as_ref()
                .is_none_or(|p| (x - p.alpha).abs() > 1e-12)
        })
        .collect();
    let mut curve = if keep {
        in_pool(args.threads, || {
            Ok(reliability_curve(scenario, &summary, &alphas, &options)?)
        })?
    } else {
        Vec::new()
    };
    curve.extend(own_point);
    curve.sort_by(|a, b| b.alpha.total_cmp(&a.alpha));
    let sens = if args.sensitivity {
        Some(in_pool(args.threads, || {
            Ok(sensitivity(scenario, &SensitivityOptions::default())?)
        })?)
    } else {
        None
    };
    let report = UncertaintyReport {
        summary,
        alpha: args.alpha,
        joint,
        reliability: rel,
        curve,
        sensitivity: sens,
    };
    if let Some(out) = &args.out {
        let files = popalloc::report::write_outputs_labelled(
            out,
            scenario,
            &projection,
            &need,
            &allocation,
            Some(&report),
            crate::labels(),
        )?;
        for file in files {
            crate::note!("wrote {}", file.display());
        }
    }
    if json() {
        #[derive(serde::Serialize)]
        struct Document<'a> {
            alpha: Option<f64>,
            summary: &'a MonteCarloSummary,
            reliability: &'a Option<popalloc::uncertainty::Reliability>,
            curve: &'a [popalloc::uncertainty::ReliabilityPoint],
        }
        print_json(&Document {
            alpha: report.alpha,
            summary: &report.summary,
            reliability: &report.reliability,
            curve: &report.curve,
        })?;
    } else {
        print_montecarlo(scenario, &report);
    }
    match allocation {
        Allocation::Conflict(c) => Err(Failure::Conflict(c)),
        Allocation::Plan(_) => Ok(()),
    }
}

fn print_montecarlo(scenario: &Scenario, report: &UncertaintyReport) {
    let s = &report.summary;
    let horizon = scenario.horizon();
    crate::outln!(
        "Monte Carlo: {} draws, seed {}, district in {horizon}",
        s.draws(),
        s.seed
    );
    let labels: Vec<String> = s
        .probs
        .iter()
        .map(|p| format!("P{}", (100.0 * p).round()))
        .collect();
    crate::out!("{:<12}", "band");
    for l in &labels {
        crate::out!(" {l:>10}");
    }
    crate::outln!();
    for (b, band) in s.bands.iter().enumerate() {
        crate::out!("{band:<12}");
        for j in 0..s.probs.len() {
            crate::out!(
                " {:>10.0}",
                s.quantile(horizon, b, s.district(), j).unwrap_or(f64::NAN)
            );
        }
        crate::outln!();
    }
    crate::outln!();
    match (report.alpha, report.joint) {
        (Some(a), Some((draws, required))) => crate::outln!(
            "Plan at α = {a}, jointly: every street served at once in at least {required} of the first {draws} draws"
        ),
        (Some(a), None) => crate::outln!(
            "Plan at α = {a}: need at the {:.0} % quantile of the draws",
            100.0 * (1.0 - a)
        ),
        (None, _) => crate::outln!("Plan on the deterministic projection"),
    }
    if let Some(r) = &report.reliability {
        crate::outln!(
            "{:<36} {:<9} {:>4} {:>18}",
            "target",
            "class",
            "year",
            "share of draws met"
        );
        for t in &r.targets {
            let class = match t.class {
                TargetClass::Binding => "binding",
                TargetClass::Expected => "expected",
            };
            crate::outln!(
                "{:<36} {class:<9} {:>4} {:>17.1}%",
                t.id,
                t.year,
                100.0 * t.share_met
            );
        }
        if let Some(w) = r.worst_street() {
            crate::outln!(
                "Streets: need met in at least {:.1} % of draws everywhere (lowest: {} {} {})",
                100.0 * w.share_met,
                w.service,
                w.area,
                w.year
            );
        }
    }
    if report.curve.is_empty() {
        return;
    }
    crate::outln!();
    crate::outln!("Cost of reliability:");
    crate::outln!("{:>6} {:>12} {:>14}", "alpha", "cost", "lowest street");
    for p in &report.curve {
        crate::outln!(
            "{:>6} {:>12} {:>13}",
            p.alpha,
            p.cost.map_or("conflict".to_owned(), |c| format!("{c:.0}")),
            p.worst_street
                .map_or("—".to_owned(), |w| format!("{:.1}%", 100.0 * w))
        );
    }
}

/// Options of `popalloc sensitivity`.
pub struct SensitivityArgs {
    pub streets: bool,
    pub plan: bool,
    pub out: Option<PathBuf>,
}

pub fn run_sensitivity(scenario: &Scenario, args: &SensitivityArgs) -> Result<(), Failure> {
    let options = SensitivityOptions {
        streets: args.streets,
        plan: args.plan,
        ..SensitivityOptions::default()
    };
    let s = sensitivity(scenario, &options)?;
    if let Some(out) = &args.out {
        let mut files = vec![(
            "sensitivity.csv",
            popalloc::report::uncertainty::sensitivity_csv(&s),
        )];
        let mut charts = popalloc::report::uncertainty::tornado_figures(scenario, &s)?;
        crate::labels().apply(scenario, &mut charts);
        files.extend(charts.iter().map(|f| (f.file.as_str(), f.svg.clone())));
        for file in popalloc::report::output_folder::write_result_set(out, &files)? {
            crate::note!("wrote {}", file.display());
        }
    }
    if json() {
        return print_json(&s);
    }
    let measure = if s.baseline.cost.is_some() {
        "cost"
    } else {
        "elderly"
    };
    crate::outln!(
        "Sensitivity in {} (each assumption moved alone; the rest as assumed)",
        s.horizon
    );
    let columns: Vec<&str> = ["elderly", "infants", "primary", "total"]
        .into_iter()
        .filter(|b| s.bands.iter().any(|x| x == b))
        .collect();
    crate::out!("{:<44}", "assumption (down / up)");
    for c in &columns {
        crate::out!(" {:>19}", c);
    }
    if s.baseline.cost.is_some() {
        crate::out!(" {:>19}", "cost");
    }
    crate::outln!();
    let mut order: Vec<usize> = (0..s.rows.len()).collect();
    if let Some((_, swings)) = s.measure(measure) {
        order.sort_by(|&a, &b| {
            let w = |i: usize| (swings[i].high - swings[i].low).abs();
            w(b).total_cmp(&w(a))
        });
    }
    let base = &s.baseline;
    crate::out!("{:<44}", "as assumed");
    for c in &columns {
        let b = s.bands.iter().position(|x| x == c).unwrap_or(0);
        crate::out!(" {:>19.0}", base.bands[b]);
    }
    if let Some(c) = base.cost {
        crate::out!(" {c:>19.0}");
    }
    crate::outln!();
    for i in order {
        let row = &s.rows[i];
        crate::out!("{}", crate::pad(&row.label, 44));
        for c in &columns {
            let b = s.bands.iter().position(|x| x == c).unwrap_or(0);
            crate::out!(" {:>9.0} /{:>8.0}", row.low.bands[b], row.high.bands[b]);
        }
        if base.cost.is_some() {
            let cost = |o: &popalloc::uncertainty::Outcome| {
                o.cost.map_or("conflict".to_owned(), |c| format!("{c:.0}"))
            };
            crate::out!(" {:>9} /{:>8}", cost(&row.low), cost(&row.high));
        }
        crate::outln!();
    }
    Ok(())
}
