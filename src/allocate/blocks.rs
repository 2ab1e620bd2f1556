//! Independent blocks of a model: sets of variables that no row ties together.
//!
//! Areas that share no reach (no flow runs between them) and no target, cap, limit or
//! budget form models of their own: their variables meet in no row, and the objective of
//! every stage (shortfall, cost) is a sum over variables. The optimum of the whole is then
//! the optimum of each block, and each block can be solved apart (in parallel) at the cost
//! of its own size. A district-wide row (a district target, a per-year build limit, a
//! budget) ties every block it touches into one.
//!
//! Blocks are the connected components of the graph whose nodes are variables and in which
//! a row links the variables of its terms and slacks (union-find, near-linear in the
//! non-zeros).

use crate::allocate::model::{Measure, Model, Row};

/// One block: its variables and rows in the whole model, and the block as a model of its
/// own (variables and rows renumbered in the same order).
#[derive(Debug, Clone)]
pub(crate) struct Block {
    /// The block's variables, by their index in the whole model (ascending).
    pub variables: Vec<usize>,
    /// The block's rows, by their index in the whole model (ascending).
    pub rows: Vec<usize>,
    /// The block as a model: variable `k` is `variables[k]` of the whole, row `k` is
    /// `rows[k]`, and its objectives are the whole's times [`Block::scale`].
    pub model: Model,
    /// The factor the block's objectives (shortfall and cost) are multiplied by: the
    /// whole first stage's weight over the block's (Σ|coefficients|; the cost's when the
    /// first stage has none). A block's objective is then of the whole's size, and the
    /// tolerances that are relative to an objective (the hold of the first stage, the
    /// optimality a solver is held to, with its floor of 1) mean for each block what they
    /// mean for the whole, not a thousand times more for a thousandth of it. The optimum
    /// is the same; values and bounds are divided by it when put back together.
    pub scale: f64,
}

/// The representative of `v`'s set, halving the path on the way.
fn find(parent: &mut [usize], mut v: usize) -> usize {
    while parent[v] != v {
        parent[v] = parent[parent[v]];
        v = parent[v];
    }
    v
}

/// Joins the sets of `a` and `b` (the smaller index becomes the representative, so the
/// blocks come out in the order of their first variable whatever the order of the rows).
fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        let (low, high) = if ra < rb { (ra, rb) } else { (rb, ra) };
        parent[high] = low;
    }
}

/// The model's blocks, in the order of their first variable, or `None` when it is one
/// block. Variables in no row (a cost alone) join the first block.
pub(crate) fn split(model: &Model) -> Option<Vec<Block>> {
    let n = model.variables.len();
    if n == 0 {
        return None;
    }
    let mut parent: Vec<usize> = (0..n).collect();
    for row in &model.rows {
        join(&mut parent, row_variables(row));
    }
    // A measure's variables join its row's (its terms may cancel in the row, e.g. a share
    // of 1 over every variant), so that a row and its measure are always in one block.
    for (r, measure) in &model.measures {
        let row = model.rows.get(*r);
        join(
            &mut parent,
            measure_variables(measure).chain(row.into_iter().flat_map(row_variables)),
        );
    }
    // Block of each variable; the blocks that hold a row, in order of first variable.
    let mut root_of: Vec<usize> = (0..n).map(|v| find(&mut parent, v)).collect();
    let anchors = anchors(model);
    let mut has_row = vec![false; n];
    for &v in anchors.iter().flatten() {
        has_row[root_of[v]] = true;
    }
    let mut block_of_root = vec![usize::MAX; n];
    let mut blocks = 0;
    for v in 0..n {
        let r = root_of[v];
        if has_row[r] && block_of_root[r] == usize::MAX {
            block_of_root[r] = blocks;
            blocks += 1;
        }
    }
    if blocks <= 1 {
        return None;
    }
    for r in root_of.iter_mut() {
        // A variable in no row joins block 0.
        *r = match block_of_root[*r] {
            usize::MAX => 0,
            b => b,
        };
    }
    let block_of = root_of;
    Some(build_blocks(model, &block_of, &anchors, blocks))
}

/// Joins the sets of all of `vars`.
fn join(parent: &mut [usize], mut vars: impl Iterator<Item = usize>) {
    if let Some(first) = vars.next() {
        for v in vars {
            union(parent, first, v);
        }
    }
}

/// The variables of a row: its terms', then its slacks'.
fn row_variables(row: &Row) -> impl Iterator<Item = usize> + '_ {
    row.terms
        .iter()
        .map(|&(v, _)| v)
        .chain(row.slack.iter().copied())
}

/// The variables of a measure: its numerator's, then its denominator's.
fn measure_variables(measure: &Measure) -> impl Iterator<Item = usize> + '_ {
    measure
        .numerator
        .iter()
        .chain(&measure.denominator)
        .map(|&(v, _)| v)
}

/// The variable that places each row in a block: its first term or slack, else the first
/// variable of its measure (a row whose terms all cancelled), else none.
fn anchors(model: &Model) -> Vec<Option<usize>> {
    let mut anchors: Vec<Option<usize>> = model
        .rows
        .iter()
        .map(|row| row_variables(row).next())
        .collect();
    for (r, measure) in &model.measures {
        if let Some(anchor @ None) = anchors.get_mut(*r) {
            *anchor = measure_variables(measure).next();
        }
    }
    anchors
}

/// Cuts the model into `count` blocks along `block_of` (the block of each variable), each
/// row with its anchor's.
fn build_blocks(
    model: &Model,
    block_of: &[usize],
    anchors: &[Option<usize>],
    count: usize,
) -> Vec<Block> {
    let mut local = vec![0usize; block_of.len()];
    let mut blocks: Vec<Block> = (0..count)
        .map(|_| Block {
            variables: Vec::new(),
            rows: Vec::new(),
            model: Model::new(),
            scale: 1.0,
        })
        .collect();
    for (v, &b) in block_of.iter().enumerate() {
        local[v] = blocks[b].variables.len();
        blocks[b].variables.push(v);
        blocks[b].model.variables.push(model.variables[v].clone());
    }
    let renumber = |terms: &[(usize, f64)]| -> Vec<(usize, f64)> {
        terms.iter().map(|&(v, c)| (local[v], c)).collect()
    };
    let mut local_row = vec![0usize; model.rows.len()];
    let mut row_block = vec![0usize; model.rows.len()];
    for (r, row) in model.rows.iter().enumerate() {
        // A row without variables constrains no block (its feasibility is the
        // constant's): it stays with block 0, where the solver still sees it.
        let b = anchors[r].map_or(0, |v| block_of[v]);
        let block = &mut blocks[b];
        local_row[r] = block.rows.len();
        row_block[r] = b;
        block.rows.push(r);
        block.model.rows.push(Row {
            terms: renumber(&row.terms),
            slack: row.slack.iter().map(|&v| local[v]).collect(),
            ..row.clone()
        });
    }
    for &(v, c) in &model.shortfall {
        blocks[block_of[v]].model.shortfall.push((local[v], c));
    }
    for &(v, c) in &model.cost {
        blocks[block_of[v]].model.cost.push((local[v], c));
    }
    for (r, measure) in &model.measures {
        // A measure names a row of the model (build makes them together).
        let (Some(&b), Some(&row)) = (row_block.get(*r), local_row.get(*r)) else {
            continue;
        };
        blocks[b].model.measures.push((
            row,
            Measure {
                numerator: renumber(&measure.numerator),
                denominator: renumber(&measure.denominator),
                ..measure.clone()
            },
        ));
    }
    let weight = |terms: &[(usize, f64)]| terms.iter().map(|&(_, c)| c.abs()).sum::<f64>();
    let (shortfall, cost) = (weight(&model.shortfall), weight(&model.cost));
    for block in &mut blocks {
        let ratio = |whole: f64, part: f64| {
            let r = whole / part;
            (r.is_finite() && r > 0.0).then_some(r)
        };
        let scale = ratio(shortfall, weight(&block.model.shortfall))
            .or_else(|| ratio(cost, weight(&block.model.cost)))
            .unwrap_or(1.0);
        block.scale = scale;
        for (_, c) in block
            .model
            .shortfall
            .iter_mut()
            .chain(block.model.cost.iter_mut())
        {
            *c *= scale;
        }
    }
    blocks
}

/// Puts the blocks' values back in the whole model's order.
pub(crate) fn merge_variables(blocks: &[Block], values: &[Vec<f64>], variables: usize) -> Vec<f64> {
    let mut out = vec![0.0; variables];
    for (block, values) in blocks.iter().zip(values) {
        for (&v, &x) in block.variables.iter().zip(values) {
            out[v] = x;
        }
    }
    out
}

/// Puts the blocks' row duals back in the whole model's order, each divided by its
/// block's [`Block::scale`] (a dual is a rate of the block's scaled objective).
pub(crate) fn merge_rows(blocks: &[Block], duals: &[Vec<f64>], rows: usize) -> Vec<f64> {
    let mut out = vec![0.0; rows];
    for (block, duals) in blocks.iter().zip(duals) {
        for (&r, &y) in block.rows.iter().zip(duals) {
            out[r] = y / block.scale;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocate::model::{Sense, Variable};

    fn var(name: &str) -> Variable {
        Variable {
            name: name.into(),
            lower: 0.0,
            upper: f64::INFINITY,
            integer: false,
        }
    }

    /// Four variables: rows tie 0–2 and 1–3; a district row over 0 and 1 ties them all.
    fn model(district_row: bool) -> Model {
        let mut m = Model::new();
        for k in 0..4 {
            m.variables.push(var(&format!("x{k}")));
        }
        m.rows.push(Row::plain(
            "a",
            vec![(0, 1.0), (2, 1.0)],
            Sense::AtLeast,
            3.0,
        ));
        m.rows.push(Row::plain(
            "b",
            vec![(3, 2.0), (1, 1.0)],
            Sense::AtLeast,
            4.0,
        ));
        if district_row {
            m.rows.push(Row::plain(
                "d",
                vec![(0, 1.0), (1, 1.0)],
                Sense::AtMost,
                9.0,
            ));
        }
        m.cost = vec![(0, 1.0), (1, 2.0), (2, 3.0), (3, 4.0)];
        m.measures
            .push((1, Measure::count(vec![(1, 1.0)], 0.0, 4.0, 1.0)));
        m
    }

    #[test]
    fn variables_no_row_ties_together_are_blocks_of_their_own() {
        let blocks = split(&model(false)).expect("two blocks");
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].variables, vec![0, 2]);
        assert_eq!(blocks[1].variables, vec![1, 3]);
        assert_eq!(blocks[0].rows, vec![0]);
        assert_eq!(blocks[1].rows, vec![1]);
        // Row b of the whole is row 0 of block 1, its terms renumbered: x3 → 1, x1 → 0.
        let b = &blocks[1].model;
        assert_eq!(b.rows[0].terms, vec![(1, 2.0), (0, 1.0)]);
        // The cost alone weighs 10, block 1's 6: its objective is scaled by 10 / 6.
        let scale = 10.0 / 6.0;
        assert_eq!(blocks[1].scale, scale);
        assert_eq!(blocks[0].scale, 10.0 / 4.0);
        assert_eq!(b.cost, vec![(0, 2.0 * scale), (1, 4.0 * scale)]);
        assert_eq!(b.measures.len(), 1);
        assert_eq!(b.measures[0].0, 0);
        assert_eq!(b.measures[0].1.numerator, vec![(0, 1.0)]);
        assert!(blocks[0].model.measures.is_empty());
        // Values and duals go back where they came from.
        let merged = merge_variables(&blocks, &[vec![10.0, 12.0], vec![11.0, 13.0]], 4);
        assert_eq!(merged, vec![10.0, 11.0, 12.0, 13.0]);
        assert_eq!(
            merge_rows(&blocks, &[vec![5.0], vec![6.0]], 2),
            vec![5.0 / 2.5, 6.0 / scale]
        );
    }

    #[test]
    fn a_row_without_terms_stays_in_its_measures_block() {
        // Row 1 (`b`) has lost its terms; its measure still reads x1 and x3.
        let mut m = model(false);
        m.rows[1].terms.clear();
        m.rows.push(Row::plain(
            "c",
            vec![(1, 1.0), (3, 1.0)],
            Sense::AtLeast,
            1.0,
        ));
        m.measures[0].1 = Measure::count(vec![(3, 1.0)], 0.0, 4.0, 1.0);
        let blocks = split(&m).expect("two blocks");
        let holding = blocks
            .iter()
            .position(|b| b.rows.contains(&1))
            .expect("row 1 in a block");
        assert_eq!(blocks[holding].variables, vec![1, 3]);
        assert_eq!(blocks[holding].model.measures.len(), 1);
        // Its measure's x3 is variable 1 of that block.
        assert_eq!(
            blocks[holding].model.measures[0].1.numerator,
            vec![(1, 1.0)]
        );
    }

    #[test]
    fn a_district_row_ties_the_blocks_into_one() {
        assert!(split(&model(true)).is_none());
    }
}
