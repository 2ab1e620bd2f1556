//! Projects with a fixed cost: where to build, by dynamic slope scaling.
//!
//! A project (an addition of a variant in an area and year) costs its units plus a fixed
//! cost F carried by its binary. The LP relaxation spreads F over the most the project
//! could ever add (F / U per unit), which is close to nothing, so it builds a little
//! everywhere every year. Dynamic slope scaling (Kim and Pardalos, 1999, "A solution
//! approach to the fixed charge network flow problem using a dynamic slope scaling
//! procedure", Operations Research Letters 24) instead charges each project F / x per
//! unit, x being its size in the previous LP: small projects grow dear and vanish, large
//! ones grow cheap, and after a few LPs the set of projects settles. That set is the point
//! rounded: one module wherever it builds.
//!
//! The procedure is a heuristic: its plan is checked like any other and its gap to the
//! relaxation's bound is stated.

use std::collections::HashMap;

use crate::allocate::model::{Model, Row, RowRole, Sense};
use crate::allocate::rounding::StageSettings;
use crate::allocate::solve::{Backend, Integers, Outcome, solve};
use crate::error::{Error, Result};

/// The most LPs solved; the set of projects usually settles within five.
const ROUNDS: usize = 8;

/// Below this (units) a project's addition is solver noise.
const BUILDS: f64 = 1e-3;

/// A project: the binary that carries its fixed cost, the addition it gates and the most
/// that addition can be.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Project {
    built: usize,
    add: usize,
    fixed: f64,
    most: f64,
}

/// The projects of `objective`: module binaries with a positive cost, read from the
/// `module_max` rows (add − most × built ≤ 0).
fn projects(model: &Model, objective: &[(usize, f64)]) -> Vec<Project> {
    let cost: HashMap<usize, f64> = objective.iter().copied().collect();
    model
        .rows
        .iter()
        .filter(|r| r.sense == Sense::AtMost && matches!(r.role, RowRole::Module { .. }))
        .filter_map(|r| {
            let add = r.terms.iter().find(|(_, c)| *c > 0.0)?.0;
            let &(built, coefficient) = r.terms.iter().find(|(_, c)| *c < 0.0)?;
            let fixed = cost.get(&built).copied().filter(|f| *f > 0.0)?;
            Some(Project {
                built,
                add,
                fixed,
                most: -coefficient,
            })
        })
        .collect()
}

/// Whether the stage's objective puts a fixed cost on any project.
pub(crate) fn has_fixed_costs(model: &Model, objective: &[(usize, f64)]) -> bool {
    !projects(model, objective).is_empty()
}

/// The point that slope scaling settles on: the relaxed plan with the binaries of the
/// projects it builds at 1 and the others at 0; `None` without fixed costs, or when an LP
/// fails (the other roundings still serve).
pub(crate) fn slope_scaled_point(
    model: &Model,
    objective: &[(usize, f64)],
    extra: &[Row],
    settings: &StageSettings<'_>,
) -> Result<Option<Vec<f64>>> {
    let projects = projects(model, objective);
    if projects.is_empty() {
        return Ok(None);
    }
    let mut relaxed = model.clone();
    for v in &mut relaxed.variables {
        v.integer = false;
    }
    let binaries: Vec<usize> = projects.iter().map(|p| p.built).collect();
    let unit_costs: Vec<(usize, f64)> = objective
        .iter()
        .copied()
        .filter(|(v, _)| !binaries.contains(v))
        .collect();
    // The relaxation's own slope to start with: F / most.
    let mut slopes: Vec<f64> = projects.iter().map(|p| p.fixed / p.most.max(1.0)).collect();
    let mut settled: Option<Vec<bool>> = None;
    let mut point = None;
    for _ in 0..ROUNDS {
        let mut scaled = unit_costs.clone();
        scaled.extend(projects.iter().zip(&slopes).map(|(p, s)| (p.add, *s)));
        let solved = solve(
            &relaxed,
            &scaled,
            None,
            extra,
            Integers::Keep,
            Backend::Clarabel,
            settings.time_limit_seconds,
        );
        let mut values = match solved {
            Ok(Outcome::Optimal(s)) => s.values,
            Ok(Outcome::Infeasible) | Err(Error::Solver { .. }) => return Ok(point),
            Err(e) => return Err(e),
        };
        let builds: Vec<bool> = projects.iter().map(|p| values[p.add] > BUILDS).collect();
        for ((p, s), &b) in projects.iter().zip(&mut slopes).zip(&builds) {
            if b {
                *s = p.fixed / values[p.add];
            }
            values[p.built] = if b { 1.0 } else { 0.0 };
        }
        point = Some(values);
        if settled.as_ref() == Some(&builds) {
            break;
        }
        settled = Some(builds);
    }
    Ok(point)
}
