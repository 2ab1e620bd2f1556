//! The model written out in CPLEX LP format, from the row registry, with readable names,
//! so that any LP solver can check a plan.

use std::collections::HashSet;
use std::fmt::Write as _;

use crate::allocate::model::{Model, Row, merge_terms};

/// Writes `model` with objective `objective` (minimised) and the `extra` rows in CPLEX LP
/// format. Variable and row names are the model's, made safe for the format (letters,
/// digits, `_` and `.`; never starting with a digit, a period or `e`/`E`), and unique.
///
/// # Examples
///
/// ```
/// use popalloc::allocate::lp_format::write_lp;
/// use popalloc::allocate::model::{Model, Row, RowRole, Sense};
///
/// let mut model = Model::new();
/// let x = model.continuous("add_beds".into());
/// model.row(Row {
///     name: "beds_2025".into(),
///     role: RowRole::BudgetTotal,
///     area: None,
///     year: None,
///     terms: vec![(x, 1.0)],
///     sense: Sense::AtLeast,
///     rhs: 40.0,
///     slack: vec![],
/// });
/// let text = write_lp(&model, &[(x, 12.5)], &[], "a test");
/// assert!(text.contains("beds_2025: + 1 add_beds >= 40"));
/// assert!(text.contains("cost: + 12.5 add_beds"));
/// ```
pub fn write_lp(model: &Model, objective: &[(usize, f64)], extra: &[Row], comment: &str) -> String {
    let mut taken = HashSet::new();
    let var_names: Vec<String> = model
        .variables
        .iter()
        .map(|v| unique(safe(&v.name), &mut taken))
        .collect();
    let mut out = String::new();
    for line in comment.lines() {
        let _ = writeln!(out, "\\ {line}");
    }
    out.push_str("Minimize\n");
    out.push_str(" cost:");
    write_terms(&mut out, objective, &var_names);
    out.push_str("\nSubject To\n");
    for row in model.rows.iter().chain(extra) {
        let name = unique(safe(&row.name), &mut taken);
        let _ = write!(out, " {name}:");
        if merge_terms(&row.terms).is_empty() {
            // An empty row still states its bound: 0 × the first variable.
            let _ = write!(out, " 0 {}", var_names.first().map_or("x", String::as_str));
        } else {
            write_terms(&mut out, &row.terms, &var_names);
        }
        let _ = writeln!(out, " {} {}", row.sense.symbol(), number(row.rhs));
    }
    out.push_str("Bounds\n");
    if model.variables.is_empty() {
        // A model with nothing to decide (no services) still names a variable in its
        // objective and rows, `x`: declared here, fixed at 0.
        out.push_str(" 0 <= x <= 0\n");
    }
    for (v, var) in model.variables.iter().enumerate() {
        if is_binary(var) {
            continue;
        }
        let upper = if var.upper.is_finite() {
            number(var.upper)
        } else {
            "+inf".to_string()
        };
        let _ = writeln!(out, " {} <= {} <= {upper}", number(var.lower), var_names[v]);
    }
    let binaries: Vec<&str> = model
        .variables
        .iter()
        .enumerate()
        .filter(|(_, v)| is_binary(v))
        .map(|(i, _)| var_names[i].as_str())
        .collect();
    if !binaries.is_empty() {
        out.push_str("Binaries\n");
        for chunk in binaries.chunks(8) {
            let _ = writeln!(out, " {}", chunk.join(" "));
        }
    }
    let generals: Vec<&str> = model
        .variables
        .iter()
        .enumerate()
        .filter(|(_, v)| v.integer && !is_binary(v))
        .map(|(i, _)| var_names[i].as_str())
        .collect();
    if !generals.is_empty() {
        out.push_str("General\n");
        for chunk in generals.chunks(8) {
            let _ = writeln!(out, " {}", chunk.join(" "));
        }
    }
    out.push_str("End\n");
    out
}

/// An integer variable with bounds exactly 0 and 1 (compared as bits: bounds are set,
/// never computed).
fn is_binary(v: &crate::allocate::model::Variable) -> bool {
    v.integer && v.lower.to_bits() == 0f64.to_bits() && v.upper.to_bits() == 1f64.to_bits()
}

/// Terms as ` + 1.5 x - 2 y`, each variable once (repeats summed: LP readers warn on a
/// variable repeated within a row), wrapped every eight terms.
fn write_terms(out: &mut String, terms: &[(usize, f64)], names: &[String]) {
    let mut written = 0;
    for (v, c) in merge_terms(terms) {
        if c == 0.0 {
            continue;
        }
        if written > 0 && written % 8 == 0 {
            out.push_str("\n  ");
        }
        let sign = if c < 0.0 { '-' } else { '+' };
        let _ = write!(out, " {sign} {} {}", number(c.abs()), names[v]);
        written += 1;
    }
    if written == 0 {
        let _ = write!(out, " 0 {}", names.first().map_or("x", String::as_str));
    }
}

/// A number as LP text: the shortest decimal that reads back to the same f64.
fn number(x: f64) -> String {
    if x == 0.0 {
        "0".to_string()
    } else {
        format!("{x}")
    }
}

/// A name the LP format accepts.
fn safe(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let first = s.chars().next();
    let starts_badly = match first {
        None => true,
        Some(c) if c.is_ascii_digit() || c == '.' => true,
        Some('e' | 'E') => s
            .chars()
            .nth(1)
            .is_none_or(|c| c.is_ascii_digit() || c == 'e' || c == 'E'),
        _ => false,
    };
    if starts_badly {
        s.insert_str(0, "n_");
    }
    s.truncate(250);
    s
}

/// `name`, or `name_2`, `name_3`, … when taken.
fn unique(name: String, taken: &mut HashSet<String>) -> String {
    if taken.insert(name.clone()) {
        return name;
    }
    let mut k = 2;
    loop {
        let candidate = format!("{name}_{k}");
        if taken.insert(candidate.clone()) {
            return candidate;
        }
        k += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_safe_and_unique() {
        assert_eq!(safe("nursing_share_2025"), "nursing_share_2025");
        assert_eq!(safe("2025-beds"), "n_2025_beds");
        assert_eq!(safe("e1"), "n_e1");
        assert_eq!(safe("elder"), "elder");
        assert_eq!(safe("解放碑"), "___");
        let mut taken = HashSet::new();
        assert_eq!(unique("a".into(), &mut taken), "a");
        assert_eq!(unique("a".into(), &mut taken), "a_2");
    }

    #[test]
    fn a_variable_repeated_in_a_row_is_written_once() {
        use crate::allocate::model::{RowRole, Sense};
        let mut model = Model::new();
        let (x, y) = (model.continuous("x".into()), model.continuous("y".into()));
        let row = |name: &str, terms: Vec<(usize, f64)>| Row {
            name: name.into(),
            role: RowRole::BudgetTotal,
            area: None,
            year: None,
            terms,
            sense: Sense::AtMost,
            rhs: 5.0,
            slack: vec![],
        };
        model.row(row("capacity", vec![(x, 1.0), (y, 2.0), (x, -3.0)]));
        // An extra row bypasses Model::row; its terms cancel out.
        let extra = [row("cancelled", vec![(y, 1.0), (y, -1.0)])];
        let text = write_lp(&model, &[(x, 1.0), (x, 1.0)], &extra, "merge");
        assert!(text.contains(" capacity: - 2 x + 2 y <= 5"), "{text}");
        assert!(text.contains(" cancelled: 0 x <= 5"), "{text}");
        assert!(text.contains(" cost: + 2 x\n"), "{text}");
    }

    #[test]
    fn a_model_without_variables_declares_the_one_it_writes() {
        let text = write_lp(&Model::new(), &[], &[], "empty");
        assert!(text.contains(" cost: 0 x\n"), "{text}");
        assert!(text.contains("Bounds\n 0 <= x <= 0\n"), "{text}");
    }

    #[test]
    fn numbers_read_back_exactly() {
        for x in [0.1, 1.0 / 3.0, 12345.678, 1e-12, 6.02e23] {
            assert_eq!(number(x).parse::<f64>().unwrap(), x);
        }
    }
}
