//! A small reader of the CPLEX LP files popalloc writes (its own subset: `Minimize`,
//! `Subject To`, `Bounds`, `Binaries`, `General`, `End`), solving them with good_lp so
//! that the export can be checked independently of the model that wrote it.

use std::collections::HashMap;

use good_lp::{Expression, ProblemVariables, Solution, SolverModel, Variable, variable};

/// Linear terms `(coefficient, variable name)`.
type Terms = Vec<(f64, String)>;

#[derive(Default)]
struct Lp {
    objective: Terms,
    rows: Vec<(Terms, String, f64)>,
    bounds: HashMap<String, (f64, f64)>,
    binaries: Vec<String>,
    names: Vec<String>,
}

fn terms(tokens: &[&str]) -> Terms {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let (sign, rest) = match tokens[i] {
            "+" => (1.0, i + 1),
            "-" => (-1.0, i + 1),
            _ => (1.0, i),
        };
        let coefficient: f64 = tokens[rest].parse().expect("coefficient");
        out.push((sign * coefficient, tokens[rest + 1].to_string()));
        i = rest + 2;
    }
    out
}

fn parse(text: &str) -> Lp {
    let mut lp = Lp::default();
    let mut section = "";
    let mut pending = String::new();
    let mut statements = Vec::new();
    for line in text.lines() {
        let line = line.trim_end();
        if line.starts_with('\\') || line.trim().is_empty() {
            continue;
        }
        let trimmed = line.trim();
        if [
            "Minimize",
            "Subject To",
            "Bounds",
            "Binaries",
            "General",
            "End",
        ]
        .contains(&trimmed)
        {
            if !pending.is_empty() {
                statements.push((section.to_string(), std::mem::take(&mut pending)));
            }
            section = match trimmed {
                "Minimize" => "min",
                "Subject To" => "st",
                "Bounds" => "bounds",
                "Binaries" => "bin",
                "General" => "gen",
                _ => "end",
            };
            continue;
        }
        // A new statement starts with "name:" in objective and constraints; bounds and
        // integer lists are one line each; continuation lines start with two spaces.
        let continues = line.starts_with("  ");
        if !continues && !pending.is_empty() {
            statements.push((section.to_string(), std::mem::take(&mut pending)));
        }
        pending.push(' ');
        pending.push_str(trimmed);
    }
    if !pending.is_empty() {
        statements.push((section.to_string(), pending));
    }
    for (section, statement) in statements {
        match section.as_str() {
            "min" => {
                let (_, body) = statement.split_once(':').unwrap();
                lp.objective = terms(&body.split_whitespace().collect::<Vec<_>>());
            }
            "st" => {
                let (_, body) = statement.split_once(':').unwrap();
                let tokens: Vec<&str> = body.split_whitespace().collect();
                let k = tokens
                    .iter()
                    .position(|t| ["<=", ">=", "="].contains(t))
                    .unwrap();
                let rhs: f64 = tokens[k + 1].parse().unwrap();
                lp.rows
                    .push((terms(&tokens[..k]), tokens[k].to_string(), rhs));
            }
            "bounds" => {
                let tokens: Vec<&str> = statement.split_whitespace().collect();
                let upper = if tokens[4] == "+inf" {
                    f64::INFINITY
                } else {
                    tokens[4].parse().unwrap()
                };
                lp.bounds
                    .insert(tokens[2].to_string(), (tokens[0].parse().unwrap(), upper));
            }
            "bin" | "gen" => lp
                .binaries
                .extend(statement.split_whitespace().map(String::from)),
            _ => {}
        }
    }
    let mut seen = std::collections::HashSet::new();
    for name in lp
        .objective
        .iter()
        .map(|t| &t.1)
        .chain(lp.rows.iter().flat_map(|r| r.0.iter().map(|t| &t.1)))
        .chain(lp.bounds.keys())
        .chain(lp.binaries.iter())
    {
        if seen.insert(name.clone()) {
            lp.names.push(name.clone());
        }
    }
    lp
}

/// Parses and solves the LP text (microlp when it has integer variables, else clarabel)
/// and returns the optimal objective.
pub fn solve_lp_text(text: &str) -> f64 {
    let lp = parse(text);
    let mut problem = ProblemVariables::new();
    let mut vars: HashMap<String, Variable> = HashMap::new();
    for name in &lp.names {
        let binary = lp.binaries.contains(name);
        let (lower, upper) = lp.bounds.get(name).copied().unwrap_or((0.0, f64::INFINITY));
        let mut def = variable().min(lower);
        if upper.is_finite() {
            def = def.max(upper);
        }
        if binary {
            def = variable().binary();
        }
        vars.insert(name.clone(), problem.add(def));
    }
    let expression = |terms: &[(f64, String)]| {
        let mut e = Expression::with_capacity(terms.len());
        for (c, name) in terms {
            e.add_mul(*c, vars[name]);
        }
        e
    };
    let objective = expression(&lp.objective);
    let constraints: Vec<good_lp::Constraint> = lp
        .rows
        .iter()
        .map(|(t, sense, rhs)| {
            let e = expression(t);
            match sense.as_str() {
                "<=" => e.leq(*rhs),
                ">=" => e.geq(*rhs),
                _ => e.eq(*rhs),
            }
        })
        .collect();
    let unsolved = problem.minimise(objective.clone());
    if lp.binaries.is_empty() {
        let mut m = good_lp::clarabel(unsolved);
        for c in constraints {
            m.add_constraint(c);
        }
        let s = m.solve().expect("the exported LP solves");
        s.eval(&objective)
    } else {
        let mut m = good_lp::microlp(unsolved);
        for c in constraints {
            m.add_constraint(c);
        }
        let s = m.solve().expect("the exported MILP solves");
        s.eval(&objective)
    }
}
