//! The optimisation model as data: variables, rows with their registry entries, objective.
//!
//! The model is built once from a scenario and its need, then handed to a backend through
//! good_lp. Keeping it as plain data lets the same rows be re-evaluated from a solution
//! (the certificate), relaxed (the elastic filter), dropped (the deletion filter), written
//! out (CPLEX LP) and re-solved with a changed right-hand side (dual checks, sweeps).

use serde::Serialize;

/// A decision variable: its readable name, bounds and whether it is integer (binary when
/// its bounds are 0 and 1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variable {
    /// Name used in messages and the exported model, e.g. `add_elder_beds_nursing_social_daping_2023`.
    pub name: String,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound (`f64::INFINITY` for none).
    pub upper: f64,
    /// Whether the variable must take whole values.
    pub integer: bool,
}

/// The sense of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Sense {
    /// lhs ≥ rhs.
    AtLeast,
    /// lhs ≤ rhs.
    AtMost,
    /// lhs = rhs.
    Equal,
}

impl Sense {
    /// The symbol in CPLEX LP format.
    pub fn symbol(self) -> &'static str {
        match self {
            Sense::AtLeast => ">=",
            Sense::AtMost => "<=",
            Sense::Equal => "=",
        }
    }
}

/// What a row stands for: the registry entry that lets results speak in targets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum RowRole {
    /// A target of the scenario (its index in `Scenario::targets`), in an area (for
    /// area-level targets and the per-area rows of `area_count`) or the district.
    Target {
        /// Index of the target.
        target: usize,
    },
    /// A street cap on a service's additions (optionally one variant) over the plan.
    Cap {
        /// Index of the service.
        service: usize,
        /// Index of the variant, `None` for all variants.
        variant: Option<usize>,
    },
    /// A cap on conversions between two variants in an area over the plan.
    ConversionCap {
        /// Index of the conversion.
        conversion: usize,
    },
    /// The whole plan's budget.
    BudgetTotal,
    /// One year's budget.
    BudgetYear,
    /// Capacity in an area serves at most itself: Σ_i flow(i→j) ≤ Σ_v cap(j).
    CapacityBalance {
        /// Index of the service.
        service: usize,
    },
    /// Served need in an area is at most its need: Σ_j flow(i→j) ≤ need(i).
    ServedAtMostNeed {
        /// Index of the service.
        service: usize,
    },
    /// Conversions out of a variant in an area and year take at most its capacity at the
    /// start of the year (so capacity never goes below zero through conversions).
    NonNegativeCapacity {
        /// Index of the service.
        service: usize,
        /// Index of the variant.
        variant: usize,
    },
    /// Repurposing in an area draws only on the service's capacity that served nobody
    /// there the year before.
    IdleCapacity {
        /// Index of the service repurposed from.
        service: usize,
    },
    /// An area counts towards an `area_count` target only if it holds enough capacity.
    AreaCountLink {
        /// Index of the target.
        target: usize,
    },
    /// Coverage spread across areas (the optional equity term).
    Equity {
        /// Index of the service.
        service: usize,
    },
    /// An addition is 0 or a whole module (linked to its binary).
    Module {
        /// Index of the service.
        service: usize,
        /// Index of the variant.
        variant: usize,
    },
    /// The first stage of the lexicographic objective held in the second.
    StageHold,
    /// A joint chance constraint: the plan serves every street's need of one Monte Carlo
    /// draw, or the draw's indicator is 0.
    DrawCovered {
        /// Index of the service.
        service: usize,
        /// Number of the draw.
        draw: usize,
    },
    /// A joint chance constraint: enough draws covered.
    DrawsCovered,
}

impl RowRole {
    /// Whether the row can take part in a conflict: targets, caps and budgets can; the
    /// model's structure (balances, links) cannot.
    pub fn is_plan_choice(&self) -> bool {
        matches!(
            self,
            RowRole::Target { .. }
                | RowRole::Cap { .. }
                | RowRole::ConversionCap { .. }
                | RowRole::BudgetTotal
                | RowRole::BudgetYear
                | RowRole::DrawsCovered
        )
    }
}

/// A row of the model with its registry entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Readable unique name, e.g. `nursing_share_2025` or `cap_elder_beds_daping`.
    pub name: String,
    /// What it stands for.
    pub role: RowRole,
    /// The area it concerns, if one.
    pub area: Option<usize>,
    /// The year it concerns, if one.
    pub year: Option<i32>,
    /// Coefficients `(variable, value)`.
    pub terms: Vec<(usize, f64)>,
    /// The sense.
    pub sense: Sense,
    /// The right-hand side.
    pub rhs: f64,
    /// For a soft row (an expected target): the slack variables that relax it (two for an
    /// equality: short and over). Hard rows have none.
    pub slack: Vec<usize>,
}

impl Row {
    /// A hard row of no particular role (a budget's, in the registry), for the tests' small
    /// models.
    #[cfg(test)]
    pub(crate) fn plain(name: &str, terms: Vec<(usize, f64)>, sense: Sense, rhs: f64) -> Self {
        Self {
            name: name.into(),
            role: RowRole::BudgetTotal,
            area: None,
            year: None,
            terms,
            sense,
            rhs,
            slack: Vec::new(),
        }
    }

    /// The row's left-hand side at `values`.
    pub fn lhs(&self, values: &[f64]) -> f64 {
        self.terms.iter().map(|&(v, c)| c * values[v]).sum()
    }

    /// By how much the row is violated at `values` (0 when it holds).
    pub fn violation(&self, values: &[f64]) -> f64 {
        let lhs = self.lhs(values);
        match self.sense {
            Sense::AtLeast => (self.rhs - lhs).max(0.0),
            Sense::AtMost => (lhs - self.rhs).max(0.0),
            Sense::Equal => (lhs - self.rhs).abs(),
        }
    }

    /// A scale for tolerances: the largest magnitude among the rhs and the terms at `values`.
    pub fn magnitude(&self, values: &[f64]) -> f64 {
        self.terms
            .iter()
            .map(|&(v, c)| (c * values[v]).abs())
            .fold(self.rhs.abs(), f64::max)
            .max(1.0)
    }
}

/// What a target's row measures, so that the target can be read at a solution and
/// restated at another value: the row is `numerator − value × denominator {≥, ≤, =} 0`,
/// each side a linear expression of the variables plus a constant (the stock, the need,
/// the persons per 1,000). A `share` has variables on both sides; every other kind has a
/// constant denominator.
///
/// # Examples
///
/// ```
/// use popalloc::allocate::model::Measure;
///
/// // Nursing beds (variable 0, 40 in stock) over all beds (variables 0 and 1, 100 in stock).
/// let share = Measure {
///     numerator: vec![(0, 1.0)],
///     numerator_constant: 40.0,
///     denominator: vec![(0, 1.0), (1, 1.0)],
///     denominator_constant: 100.0,
///     value: 0.6,
/// };
/// assert_eq!(share.at(&[20.0, 0.0]), Some(0.5));
/// let (terms, rhs) = share.row_at(0.6);
/// assert_eq!(terms, vec![(0, 1.0), (0, -0.6), (1, -0.6)]);
/// assert!((rhs - 20.0).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measure {
    /// Terms of the numerator, e.g. the capacity of the target's variants.
    pub numerator: Vec<(usize, f64)>,
    /// The numerator's constant, e.g. the stock of the target's variants.
    pub numerator_constant: f64,
    /// Terms of the denominator (a share's capacity of all variants; empty otherwise).
    pub denominator: Vec<(usize, f64)>,
    /// The denominator's constant: 1 for a total, persons / 1,000 for a per-capita rate,
    /// the need for a coverage, the number of areas for an area count, the stock of all
    /// variants for a share.
    pub denominator_constant: f64,
    /// The target's value as written in the scenario.
    pub value: f64,
}

impl Measure {
    /// A measure with a constant denominator: `(terms + constant) / denominator`.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::allocate::model::Measure;
    /// // Coverage: served need (variable 0) over a need of 200.
    /// let coverage = Measure::count(vec![(0, 1.0)], 0.0, 200.0, 1.0);
    /// assert_eq!(coverage.at(&[150.0]), Some(0.75));
    /// ```
    pub fn count(terms: Vec<(usize, f64)>, constant: f64, denominator: f64, value: f64) -> Self {
        Self {
            numerator: terms,
            numerator_constant: constant,
            denominator: Vec::new(),
            denominator_constant: denominator,
            value,
        }
    }

    /// The numerator at `values`.
    pub fn numerator_at(&self, values: &[f64]) -> f64 {
        self.numerator_constant + Model::evaluate(&self.numerator, values)
    }

    /// The denominator at `values`.
    pub fn denominator_at(&self, values: &[f64]) -> f64 {
        self.denominator_constant + Model::evaluate(&self.denominator, values)
    }

    /// The measured value at `values`, in the target's units; `None` when the denominator
    /// is not positive (nothing to measure against).
    pub fn at(&self, values: &[f64]) -> Option<f64> {
        let d = self.denominator_at(values);
        (d > 0.0).then(|| self.numerator_at(values) / d)
    }

    /// The row's terms and right-hand side when the target asks for `value`:
    /// `numerator − value × denominator` against `value × constant of the denominator −
    /// constant of the numerator`.
    pub fn row_at(&self, value: f64) -> (Vec<(usize, f64)>, f64) {
        let mut terms = self.numerator.clone();
        terms.extend(self.denominator.iter().map(|&(v, c)| (v, -value * c)));
        (
            terms,
            value * self.denominator_constant - self.numerator_constant,
        )
    }
}

/// The model: variables, rows, and the two objectives of the lexicographic order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Model {
    /// All variables.
    pub variables: Vec<Variable>,
    /// All rows, each registered with what it stands for.
    pub rows: Vec<Row>,
    /// First stage: weighted relative shortfall of expected targets and unmet need.
    pub shortfall: Vec<(usize, f64)>,
    /// Second stage: cost of additions and conversions.
    pub cost: Vec<(usize, f64)>,
    /// What each target's row measures, by row index (rows of other roles have none).
    pub measures: Vec<(usize, Measure)>,
}

impl Model {
    /// An empty model.
    pub fn new() -> Self {
        Self {
            variables: Vec::new(),
            rows: Vec::new(),
            shortfall: Vec::new(),
            cost: Vec::new(),
            measures: Vec::new(),
        }
    }

    /// What row `row` measures, when it is a target's row.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Need, Scenario, allocate::build_model};
    ///
    /// let yuzhong = Scenario::yuzhong()?;
    /// let need = Need::from_projection(&yuzhong, &yuzhong.project(2025)?)?;
    /// let model = build_model(&yuzhong, &need);
    /// let share = model.row_index("nursing_share_2025").and_then(|r| model.measure(r));
    /// assert_eq!(share.map(|m| m.value), Some(0.6));
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn measure(&self, row: usize) -> Option<&Measure> {
        self.measures
            .iter()
            .find(|(r, _)| *r == row)
            .map(|(_, m)| m)
    }

    /// Adds a continuous variable ≥ 0 and returns its index.
    pub fn continuous(&mut self, name: String) -> usize {
        self.variables.push(Variable {
            name,
            lower: 0.0,
            upper: f64::INFINITY,
            integer: false,
        });
        self.variables.len() - 1
    }

    /// Adds a variable that takes whole values from 0 up (a count of units) and returns its
    /// index.
    pub fn whole(&mut self, name: String) -> usize {
        self.variables.push(Variable {
            name,
            lower: 0.0,
            upper: f64::INFINITY,
            integer: true,
        });
        self.variables.len() - 1
    }

    /// Adds a variable of the plan: whole units when `whole`, else continuous.
    pub fn amount(&mut self, name: String, whole: bool) -> usize {
        if whole {
            self.whole(name)
        } else {
            self.continuous(name)
        }
    }

    /// Adds a binary variable and returns its index.
    pub fn binary(&mut self, name: String) -> usize {
        self.variables.push(Variable {
            name,
            lower: 0.0,
            upper: 1.0,
            integer: true,
        });
        self.variables.len() - 1
    }

    /// Adds a row, its terms merged so that each variable appears once (see
    /// [`merge_terms`]), and returns its index.
    pub fn row(&mut self, mut row: Row) -> usize {
        row.terms = merge_terms(&row.terms);
        self.rows.push(row);
        self.rows.len() - 1
    }

    /// Whether any variable is integer.
    pub fn is_mixed_integer(&self) -> bool {
        self.variables.iter().any(|v| v.integer)
    }

    /// The value of a linear objective at `values`.
    pub fn evaluate(terms: &[(usize, f64)], values: &[f64]) -> f64 {
        terms.iter().map(|&(v, c)| c * values[v]).sum()
    }

    /// The index of a row by name.
    pub fn row_index(&self, name: &str) -> Option<usize> {
        self.rows.iter().position(|r| r.name == name)
    }
}

/// Terms with each variable once: coefficients of a repeated variable summed, in the
/// order of first appearance, and terms that sum to zero dropped. A conversion, for
/// example, leaves one variant and enters another, and both may sit in one capacity row.
///
/// # Examples
///
/// ```
/// use popalloc::allocate::model::merge_terms;
///
/// assert_eq!(
///     merge_terms(&[(3, 1.0), (1, 2.0), (3, 0.5), (2, 1.0), (2, -1.0)]),
///     vec![(3, 1.5), (1, 2.0)]
/// );
/// ```
pub fn merge_terms(terms: &[(usize, f64)]) -> Vec<(usize, f64)> {
    let mut position: std::collections::HashMap<usize, usize> =
        std::collections::HashMap::with_capacity(terms.len());
    let mut merged: Vec<(usize, f64)> = Vec::with_capacity(terms.len());
    for &(v, c) in terms {
        match position.entry(v) {
            std::collections::hash_map::Entry::Occupied(at) => merged[*at.get()].1 += c,
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(merged.len());
                merged.push((v, c));
            }
        }
    }
    merged.retain(|&(_, c)| c != 0.0);
    merged
}

/// How far a solution is from optimal, judged from the row duals of the solve that found
/// it by Lagrangian duality: for duals `y` (d objective / d right-hand side, so `y ≥ 0`
/// on `≥` rows and `y ≤ 0` on `≤` rows) every feasible `x` has
/// `c·x ≥ b·y + Σ_j min(d_j·l_j, d_j·u_j)`, with reduced costs `d = c − Aᵀy` and bounds
/// `l ≤ x ≤ u`: the right-hand side is a lower bound on the optimum.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Optimality {
    /// The objective at the solution.
    pub value: f64,
    /// The lower bound on the optimum from the duals (see [`Model::optimality`] for
    /// variables without an upper bound).
    pub bound: f64,
    /// The variable without an upper bound whose negative reduced cost lowers the bound
    /// most, if any.
    pub worst_variable: Option<usize>,
}

impl Optimality {
    /// The gap `value − bound`: how much better than the solution the optimum might be.
    pub fn gap(&self) -> f64 {
        self.value - self.bound
    }

    /// The gap allowed at relative tolerance `tolerance`: `tolerance × max(|value|, 1)`.
    pub fn allowed_gap(&self, tolerance: f64) -> f64 {
        tolerance * self.value.abs().max(1.0)
    }

    /// Whether the solution is optimal to the relative tolerance `tolerance`.
    pub fn holds(&self, tolerance: f64) -> bool {
        self.gap() <= self.allowed_gap(tolerance)
    }
}

impl Model {
    /// The optimality of `values` for minimising `objective` over `rows` (each with its dual
    /// in `duals`) within the variable bounds `bounds`. A dual of the wrong sign counts as 0
    /// (still a valid multiplier). A negative reduced cost `d_j` on a variable without an
    /// upper bound would make the bound −∞ (the duals are infeasible there, as an
    /// interior-point solver's are to its tolerance): the bound takes such a variable at
    /// its value plus max(|value|, 1), so that it holds whenever the optimum keeps the
    /// variable below that, and a reduced cost of the wrong sign widens the gap in
    /// proportion to the variable's size.
    pub(crate) fn optimality(
        objective: &[(usize, f64)],
        rows: &[&Row],
        duals: &[f64],
        bounds: &[(f64, f64)],
        values: &[f64],
    ) -> Optimality {
        let mut reduced = vec![0.0; bounds.len()];
        for &(v, c) in objective {
            if let Some(r) = reduced.get_mut(v) {
                *r += c;
            }
        }
        let mut bound = 0.0;
        for (row, &dual) in rows.iter().zip(duals) {
            let y = match row.sense {
                Sense::AtLeast => dual.max(0.0),
                Sense::AtMost => dual.min(0.0),
                Sense::Equal => dual,
            };
            if y == 0.0 || !y.is_finite() {
                continue;
            }
            bound += y * row.rhs;
            for &(v, a) in &row.terms {
                if let Some(r) = reduced.get_mut(v) {
                    *r -= y * a;
                }
            }
        }
        let mut worst = 0.0;
        let mut worst_variable = None;
        for (j, (&(lower, upper), &d)) in bounds.iter().zip(&reduced).enumerate() {
            let at = if d >= 0.0 { lower } else { upper };
            if at.is_finite() {
                bound += d * at;
            } else {
                let x = values.get(j).copied().unwrap_or(f64::NAN);
                let term = d * (x + x.abs().max(1.0));
                if -term > worst {
                    worst = -term;
                    worst_variable = Some(j);
                }
                bound += term;
            }
        }
        Optimality {
            value: Model::evaluate(objective, values),
            bound,
            worst_variable,
        }
    }
}

impl Default for Model {
    fn default() -> Self {
        Self::new()
    }
}
