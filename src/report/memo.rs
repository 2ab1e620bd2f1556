//! report.md: a planning memo in the plan's own terms.

use std::fmt::Write as _;

use crate::allocate::Allocation;
use crate::demography::projection::Projection;
use crate::need::Need;
use crate::scenario::Scenario;
use crate::scenario::assumptions::{FertilityAssumption, MortalityAssumption};
use crate::scenario::target::{ExpectationKind, TargetClass};

/// The memo: the question, the assumptions, the projection against what the plan expects,
/// the plan by street and year, what to build where and when
/// ([`projects::section`](crate::report::projects::section)), every target against what
/// the plan achieves, the binding targets' marginal costs, conflicts, `uncertainty` (a
/// section of its own, e.g. [`memo_section`](crate::report::uncertainty::memo_section),
/// when not empty), caveats, and links to the charts in `charts`. The plan is the one on
/// the deterministic projection; [`memo_of`] says which plan it is otherwise.
pub fn memo(
    scenario: &Scenario,
    projection: &Projection,
    need: &Need,
    allocation: &Allocation,
    uncertainty: &str,
    charts: &[(&str, &str)],
) -> String {
    memo_of(
        scenario,
        projection,
        need,
        allocation,
        &PlanBasis::Projection,
        uncertainty,
        charts,
    )
}

/// Which plan a memo shows: the plan for the need of the deterministic projection, or a
/// Monte Carlo plan at a reliability α.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PlanBasis {
    /// The plan for the need of the deterministic projection.
    Projection,
    /// The plan for each street's need at the 1 − α quantile of the draws.
    Quantile {
        /// The α.
        alpha: f64,
    },
    /// The plan that serves every street at once in at least `required` of the first
    /// `draws` draws.
    Joint {
        /// The α.
        alpha: f64,
        /// Draws sampled.
        draws: usize,
        /// Draws that must be covered.
        required: usize,
    },
}

impl PlanBasis {
    /// The basis of a Monte Carlo run's plan, from its α and (for a joint plan) its draws
    /// and the draws required.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::report::memo::PlanBasis;
    ///
    /// assert_eq!(PlanBasis::of(None, None), PlanBasis::Projection);
    /// assert_eq!(PlanBasis::of(Some(0.1), None), PlanBasis::Quantile { alpha: 0.1 });
    /// ```
    pub fn of(alpha: Option<f64>, joint: Option<(usize, usize)>) -> Self {
        match (alpha, joint) {
            (Some(alpha), Some((draws, required))) => PlanBasis::Joint {
                alpha,
                draws,
                required,
            },
            (Some(alpha), None) => PlanBasis::Quantile { alpha },
            (None, _) => PlanBasis::Projection,
        }
    }

    /// The plan's name in headings: "The plan", or "The plan at α = 0.1".
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::report::memo::PlanBasis;
    ///
    /// assert_eq!(PlanBasis::Projection.title(), "The plan");
    /// assert_eq!(PlanBasis::Quantile { alpha: 0.1 }.title(), "The plan at α = 0.1");
    /// ```
    pub fn title(&self) -> String {
        match self {
            PlanBasis::Projection => "The plan".to_string(),
            PlanBasis::Quantile { alpha } | PlanBasis::Joint { alpha, .. } => {
                format!("The plan at α = {alpha}")
            }
        }
    }

    /// What the plan covers, in a sentence (none for the deterministic plan).
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::report::memo::PlanBasis;
    ///
    /// assert_eq!(
    ///     PlanBasis::Quantile { alpha: 0.1 }.statement().as_deref(),
    ///     Some("The plan at α = 0.1: each street's need covered at its 90 % quantile of the Monte Carlo draws.")
    /// );
    /// assert_eq!(PlanBasis::Projection.statement(), None);
    /// ```
    pub fn statement(&self) -> Option<String> {
        let percent = |alpha: f64| {
            let p = (100.0 * (1.0 - alpha) * 100.0).round() / 100.0;
            format!("{p}")
        };
        match self {
            PlanBasis::Projection => None,
            PlanBasis::Quantile { alpha } => Some(format!(
                "{}: each street's need covered at its {} % quantile of the Monte Carlo draws.",
                self.title(),
                percent(*alpha)
            )),
            PlanBasis::Joint {
                draws, required, ..
            } => Some(format!(
                "{}, jointly: every street's need served at once in at least {required} of the first {draws} Monte Carlo draws.",
                self.title()
            )),
        }
    }
}

/// [`memo`] for the plan of `basis`: its sections on the plan name it ("The plan at α =
/// 0.1") and say what it covers.
pub fn memo_of(
    scenario: &Scenario,
    projection: &Projection,
    need: &Need,
    allocation: &Allocation,
    basis: &PlanBasis,
    uncertainty: &str,
    charts: &[(&str, &str)],
) -> String {
    let mut m = String::new();
    let base = scenario.base_year();
    let horizon = scenario.horizon();
    let title = scenario
        .file
        .name_zh
        .as_deref()
        .map_or(scenario.file.name.clone(), |zh| {
            format!("{} ({zh})", scenario.file.name)
        });
    let _ = writeln!(
        m,
        "# {title}: projection and service plan, {base}–{horizon}\n"
    );

    let _ = writeln!(m, "## The question\n");
    if super::nothing_to_plan(scenario) {
        let _ = writeln!(
            m,
            "How many residents of each age will the {} streets have each year to {horizon}?\n",
            scenario.areas.len()
        );
    } else {
        let _ = writeln!(
            m,
            "How many residents of each age will the {} streets have each year to {horizon}, and what is the least-cost way to add \
         {} so that the plan's binding targets hold and its expected targets are met as closely as possible?\n",
            scenario.areas.len(),
            scenario
                .services
                .iter()
                .map(|s| s.name.to_lowercase())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }

    let _ = writeln!(m, "## Assumptions\n");
    let _ = writeln!(m, "| assumption | value | source |\n|---|---|---|");
    let source = |key: &str| scenario.file.provenance.get(key).map_or("", String::as_str);
    let (fertility, srb) = (
        &scenario.fertility.schedule,
        &scenario.fertility.sex_ratio_at_birth,
    );
    let fertility_text = match fertility {
        FertilityAssumption::Asfr(_) => "age-specific rates from a file".to_string(),
        FertilityAssumption::TfrShape { tfr, .. } => {
            format!("TFR {} with a standard age shape", path_text(tfr.points()))
        }
        FertilityAssumption::TfrGamma { tfr, mean_age, sd } => format!(
            "TFR {} (gamma schedule, mean age {mean_age}, sd {sd})",
            path_text(tfr.points())
        ),
    };
    let _ = writeln!(
        m,
        "| base population | {:.0} residents in {} streets, {base} | {} |",
        scenario.base.total(),
        scenario.areas.len(),
        source("population")
    );
    let _ = writeln!(
        m,
        "| fertility | {fertility_text} | {} |",
        source("fertility")
    );
    let _ = writeln!(
        m,
        "| sex ratio at birth | {srb} males per female | {} |",
        source("sex_ratio_at_birth")
    );
    let mortality = match &scenario.mortality {
        MortalityAssumption::Mx(_) => "death rates from a file".to_string(),
        MortalityAssumption::Brass { e0, .. } => format!(
            "life expectancy at birth: female {}, male {} (Brass logit against a standard)",
            path_text(e0[0].points()),
            path_text(e0[1].points())
        ),
    };
    let _ = writeln!(m, "| mortality | {mortality} | {} |", source("mortality"));
    let census = scenario
        .file
        .migration
        .as_ref()
        .and_then(|m| m.census.as_ref());
    let by_age: Option<f64> = scenario
        .migration
        .by_age
        .as_ref()
        .and_then(|map| map.values().next())
        .map(|m| m.total());
    match (census, by_age) {
        (Some(c), Some(total)) => {
            let _ = writeln!(
                m,
                "| migration | net {total:+.0} persons a year over all streets, by sex and age from the {}–{} census-survival residual (smoothed), shared as the streets' net_migration | {} |",
                c.first_year,
                c.second_year,
                source("migration")
            );
        }
        _ => {
            let migration: f64 = scenario.areas.iter().map(|a| a.net_migration).sum();
            let _ = writeln!(
                m,
                "| migration | net {migration:+.0} persons a year over all streets, {:.0} % female, Rogers–Castro age shape | {} |",
                100.0 * scenario.migration.female_share,
                source("migration")
            );
        }
    }
    for s in &scenario.services {
        let reach = if s.district_wide {
            "served district-wide".to_string()
        } else {
            format!("radius {} walking minutes", s.radius_minutes)
        };
        let _ = writeln!(
            m,
            "| need: {} | {} {} per person of band {} ({reach}) | {} |",
            s.name,
            s.need_rate,
            s.unit,
            scenario.bands[s.band].name(),
            s.provenance.as_deref().unwrap_or(source("need"))
        );
    }
    for (key, label) in [
        ("stock", "capacity in the base year"),
        ("costs", "unit costs"),
        ("access", "walking times"),
        ("targets", "targets"),
    ] {
        if let Some(text) = scenario.file.provenance.get(key) {
            let _ = writeln!(m, "| {label} | | {text} |");
        }
    }
    let _ = writeln!(
        m,
        "\nWhere each number comes from (plan, census, WPP or estimate, with the method) is stated in the scenario's SOURCES.md.\n"
    );
    let warnings = scenario.plausibility_warnings();
    if !warnings.is_empty() {
        let _ = writeln!(
            m,
            "**Values outside demographic plausibility** (valid, but check that each is meant):\n"
        );
        for warning in &warnings {
            let _ = writeln!(m, "- {warning}");
        }
        let _ = writeln!(m);
    }
    if !scenario.files_outside.is_empty() {
        let _ = writeln!(m, "Files read from outside the scenario's folder:\n");
        for (setting, name, read) in &scenario.files_outside {
            let _ = writeln!(m, "- {setting} = `{name}`: read from `{}`", read.display());
        }
        let _ = writeln!(m);
    }

    if !scenario.services.is_empty() {
        let _ = writeln!(m, "## Where the district starts ({base})\n");
        let _ = writeln!(
            m,
            "Capacity in {base} against the persons of each service's band in the base population:\n"
        );
        let _ = writeln!(
            m,
            "| service | capacity {base} | band | persons {base} | per 1,000 | the plan states |\n|---|---|---|---|---|---|"
        );
        for s in &scenario.services {
            let band = &scenario.bands[s.band];
            let persons: f64 = (0..scenario.base.area_count())
                .map(|a| scenario.base.band_total(a, band))
                .sum();
            let ratio = s
                .baseline_per_1000(&scenario.base, &scenario.bands)
                .map_or("–".to_string(), |r| format!("{r:.1}"));
            let stated = s
                .stated_baseline_per_1000
                .map_or("–".to_string(), |r| format!("{r}"));
            let _ = writeln!(
                m,
                "| {} | {:.0} {}s | {} | {persons:.0} | {ratio} | {stated} |",
                s.name,
                s.total_stock(),
                s.unit,
                band.name()
            );
        }
        let _ = writeln!(m);
    }

    let _ = writeln!(m, "## The projection\n");
    let names = crate::report::SUMMARY_BANDS;
    let bands: Vec<(usize, &str)> = names
        .iter()
        .filter_map(|n| scenario.band_index(n).map(|i| (i, *n)))
        .collect();
    let _ = write!(m, "| year | residents |");
    for (_, n) in &bands {
        let _ = write!(m, " {n} |");
    }
    let _ = write!(m, "\n|---|---|");
    for _ in &bands {
        let _ = write!(m, "---|");
    }
    m.push('\n');
    for (year, pop) in &projection.states {
        let district = pop.aggregate("district");
        let _ = write!(m, "| {year} | {:.0} |", district.total());
        for (b, _) in &bands {
            let _ = write!(m, " {:.0} |", district.band_total(0, &scenario.bands[*b]));
        }
        m.push('\n');
    }
    if !scenario.expectations.is_empty() {
        let _ = writeln!(
            m,
            "\nWhat the plan expects, beside the projection (reported, not imposed):\n"
        );
        let _ = writeln!(
            m,
            "| expectation | year | the plan expects | projected | |\n|---|---|---|---|---|"
        );
        for e in &scenario.expectations {
            let Some((value, holds)) = e.projected(&scenario.bands, projection) else {
                continue;
            };
            let (text, expected) = match e.kind {
                ExpectationKind::Share => (
                    format!("{:.1} %", 100.0 * value),
                    format!("{} {:.1} %", e.op.symbol(), 100.0 * e.value),
                ),
                ExpectationKind::Count => (
                    format!("{value:.0}"),
                    format!("{} {:.0}", e.op.symbol(), e.value),
                ),
            };
            let _ = writeln!(
                m,
                "| {} | {} | {expected} | {text} | {} |",
                e.id,
                e.year,
                if holds { "as expected" } else { "**differs**" }
            );
        }
    }
    if let Some((_, last)) = projection.horizon() {
        let _ = writeln!(m, "\nBy street in {horizon}:\n");
        let _ = writeln!(
            m,
            "| street | residents {base} | residents {horizon} | aged 60+ | under 3 |\n|---|---|---|---|---|"
        );
        let elderly = scenario.band_index("elderly");
        let infants = scenario.band_index("infants");
        for (i, a) in scenario.areas.iter().enumerate() {
            let count =
                |b: Option<usize>| b.map_or(f64::NAN, |b| last.band_total(i, &scenario.bands[b]));
            let _ = writeln!(
                m,
                "| {} | {:.0} | {:.0} | {:.0} | {:.0} |",
                a.label(),
                scenario.base.area_total(i),
                last.area_total(i),
                count(elderly),
                count(infants)
            );
        }
    }

    match allocation {
        Allocation::Plan(_) if super::nothing_to_plan(scenario) => {
            let _ = writeln!(m, "\n## {}\n\n{}", basis.title(), super::NOTHING_TO_PLAN);
        }
        Allocation::Plan(plan) => {
            let _ = writeln!(m, "\n## {}\n", basis.title());
            if let Some(statement) = basis.statement() {
                let _ = writeln!(m, "{statement}\n");
            }
            let unmet = plan.unmet_need(0.5);
            if !unmet.is_empty() {
                let _ = writeln!(
                    m,
                    "Need the plan cannot meet in time (caps, budgets or build-rate limits stop it from building enough), by service and year:\n\n| service | year | unmet need |\n|---|---|---|"
                );
                for (service, year, units) in &unmet {
                    let unit = scenario
                        .services
                        .iter()
                        .find(|s| &s.id == service)
                        .map_or("unit", |s| s.unit.as_str());
                    let _ = writeln!(m, "| {service} | {year} | {units:.0} {unit}s |");
                }
                let _ = writeln!(m);
            }
            let _ = writeln!(
                m,
                "Additions by street over {}–{horizon} (units of each service):\n",
                base + 1
            );
            let _ = write!(m, "| street |");
            for s in &scenario.services {
                let _ = write!(m, " {} |", s.id);
            }
            let _ = write!(m, "\n|---|");
            for _ in &scenario.services {
                let _ = write!(m, "---|");
            }
            m.push('\n');
            for a in &scenario.areas {
                let _ = write!(m, "| {} |", a.label());
                for s in &scenario.services {
                    let added: f64 = plan
                        .rows
                        .iter()
                        .filter(|r| r.area == a.id && r.service == s.id)
                        .map(|r| r.added)
                        .sum();
                    let _ = write!(m, " {added:.0} |");
                }
                m.push('\n');
            }
            let _ = writeln!(m, "\nAdditions by year:\n");
            let _ = write!(m, "| service |");
            for y in &plan.years {
                let _ = write!(m, " {y} |");
            }
            let _ = write!(m, "\n|---|");
            for _ in &plan.years {
                let _ = write!(m, "---|");
            }
            m.push('\n');
            for s in &scenario.services {
                let _ = write!(m, "| {} |", s.id);
                for y in &plan.years {
                    let added: f64 = plan
                        .rows
                        .iter()
                        .filter(|r| r.year == *y && r.service == s.id)
                        .map(|r| r.added)
                        .sum();
                    let _ = write!(m, " {added:.0} |");
                }
                m.push('\n');
            }
            let _ = writeln!(m, "\n{}.\n", crate::report::cost_line(scenario, plan));
            if plan.milp_gaps.iter().any(|g| !g.proven_optimal) {
                let _ = writeln!(
                    m,
                    "The MILP search (whole modules, area counts) stopped before proving the plan optimal; the plan holds every binding target, and its gap says how far it may be from the best plan:\n"
                );
                for gap in plan.milp_gaps.iter().filter(|g| !g.proven_optimal) {
                    let _ = writeln!(m, "- {gap}");
                }
                m.push('\n');
            }
            m.push_str(&super::projects::section(scenario, plan));

            let _ = writeln!(m, "## Every target against the plan\n");
            let _ = writeln!(
                m,
                "| target | class | year | required | achieved | status |\n|---|---|---|---|---|---|"
            );
            for t in &plan.targets {
                let class = match t.class {
                    TargetClass::Binding => "binding 约束性",
                    TargetClass::Expected => "expected 预期性",
                };
                let status = match t.status {
                    crate::TargetStatus::Met => "met",
                    crate::TargetStatus::Missed => "**missed**",
                };
                let _ = writeln!(
                    m,
                    "| {} | {class} | {} | {} {} | {:.4} | {status} |",
                    t.id,
                    t.year,
                    t.op.symbol(),
                    t.required,
                    t.achieved
                );
            }
            let _ = writeln!(m, "\n## Binding targets and their marginal costs\n");
            let _ = writeln!(
                m,
                "The marginal cost is the change in the plan's cost when the target's value rises by one of its units (d cost / d value; a share's unit is 1.0 = 100 percentage points){}{}.\n",
                if scenario.plan_settings.discount_rate > 0.0 {
                    ", in present value at the base year"
                } else {
                    ""
                },
                if scenario.plan_settings.whole_units {
                    "; with whole units, it is that of the plan's projects with their amounts continuous"
                } else {
                    ""
                }
            );
            let _ = writeln!(m, "| target | marginal cost |\n|---|---|");
            for t in plan
                .targets
                .iter()
                .filter(|t| t.class == TargetClass::Binding)
            {
                let dual = t.dual.map_or(
                    "not defined (a coverage of 100 % cannot rise, or an integer count)"
                        .to_string(),
                    |d| {
                        // No "-0.00" for a dual of solver noise.
                        let cents = (d * 100.0).round() / 100.0;
                        format!("{:.2}", if cents == 0.0 { 0.0 } else { cents })
                    },
                );
                let _ = writeln!(m, "| {} | {dual} |", t.id);
            }
        }
        Allocation::Conflict(c) => {
            let _ = writeln!(m, "\n## Conflict: the binding targets cannot all hold\n");
            let _ = writeln!(m, "{}.\n", c.message);
            let _ = writeln!(
                m,
                "Each row is one member of the conflict as the scenario states it, and the change of that member alone that would restore a plan, everything else kept (smallest change first).\n"
            );
            let _ = writeln!(
                m,
                "| member | change that restores a plan | row |\n|---|---|---|"
            );
            for member in &c.members {
                let _ = writeln!(
                    m,
                    "| {} | {} | `{}` |",
                    member.statement.replace('|', "/"),
                    member.remedy.replace('|', "/"),
                    member.name
                );
            }
        }
    }

    if !uncertainty.is_empty() {
        let _ = writeln!(m, "\n{}", uncertainty.trim_end());
    }
    if !charts.is_empty() {
        let _ = writeln!(m, "\n## Charts\n");
        for (file, caption) in charts {
            let _ = writeln!(m, "- [{caption}]({file})");
        }
    }
    let _ = writeln!(m, "\n## Caveats\n");
    let _ = writeln!(
        m,
        "- Street populations and their age structure are estimates where SOURCES.md says so; read street figures as orders of magnitude."
    );
    let _ = writeln!(
        m,
        "- Costs are relative assumptions, not budgets: compare options, do not book them."
    );
    if uncertainty.is_empty() {
        let _ = writeln!(
            m,
            "- The projection is one deterministic path; fertility in particular is uncertain (`popalloc montecarlo` gives its spread)."
        );
    } else {
        let _ = writeln!(
            m,
            "- The spread of the draws is as wide as the distributions assumed for them; they are estimates, not measurements."
        );
    }
    let _ = writeln!(
        m,
        "- Need rates turn persons into places; they are planning norms, not observed demand."
    );
    let _ = writeln!(
        m,
        "- The model has {} need years and {} streets; flows stay within each service's walking radius.",
        need.years().len(),
        need.area_count()
    );
    m
}

fn path_text(points: &[(i32, f64)]) -> String {
    points
        .iter()
        .map(|(y, v)| format!("{v} ({y})"))
        .collect::<Vec<_>>()
        .join(" → ")
}
