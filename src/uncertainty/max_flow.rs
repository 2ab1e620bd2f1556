//! Maximum flow on `f64` capacities (Dinic's algorithm, with a tolerance), and the routing
//! of each street's need to the capacity within its reach that a plan's reliability is
//! judged on.
//!
//! The routing network of one service, year and draw has a source, one node per street
//! with need, one node per street with capacity, and a sink: source → street i carries at
//! most i's need, street i → capacity of street j exists where j is within i's reach, and
//! capacity of j → sink carries at most j's capacity. A maximum flow is a maximum routing:
//! as much need served as the capacity in reach allows.

/// A flow network with residual capacities: arc `a` and its reverse `a ^ 1` are stored
/// side by side, and the flow on `a` is the residual capacity of `a ^ 1`.
#[derive(Debug, Clone)]
pub(crate) struct FlowNetwork {
    /// Arcs leaving each node.
    out: Vec<Vec<usize>>,
    /// Head of each arc.
    head: Vec<usize>,
    /// Residual capacity of each arc.
    residual: Vec<f64>,
    /// Residual capacities at or below this are read as zero.
    tolerance: f64,
}

impl FlowNetwork {
    /// A network of `nodes` nodes and no arcs; residual capacities at or below `tolerance`
    /// count as saturated.
    pub(crate) fn new(nodes: usize, tolerance: f64) -> Self {
        Self {
            out: vec![Vec::new(); nodes],
            head: Vec::new(),
            residual: Vec::new(),
            tolerance: tolerance.max(0.0),
        }
    }

    /// Adds an arc of capacity `capacity` (negative and NaN read as 0) and returns its
    /// index.
    pub(crate) fn arc(&mut self, from: usize, to: usize, capacity: f64) -> usize {
        let a = self.head.len();
        self.head.push(to);
        self.residual
            .push(if capacity > 0.0 { capacity } else { 0.0 });
        self.out[from].push(a);
        self.head.push(from);
        self.residual.push(0.0);
        self.out[to].push(a + 1);
        a
    }

    /// The flow on arc `a` (as returned by [`FlowNetwork::arc`]).
    pub(crate) fn flow(&self, a: usize) -> f64 {
        self.residual[a ^ 1]
    }

    /// Moves `amount` of flow back off arc `a` (at most the flow it carries).
    fn cancel(&mut self, a: usize, amount: f64) {
        let amount = amount.min(self.residual[a ^ 1]).max(0.0);
        self.residual[a] += amount;
        self.residual[a ^ 1] -= amount;
    }

    /// Sets the capacity left on arc `a` to 0 (its flow stays).
    fn close(&mut self, a: usize) {
        self.residual[a] = 0.0;
    }

    /// Whether arc `a` can carry more flow.
    fn open(&self, a: usize) -> bool {
        self.residual[a] > self.tolerance
    }

    /// Augments the current flow to a maximum flow from `source` to `sink` and returns
    /// the flow added. Dinic's algorithm: breadth-first levels over open arcs, then a
    /// blocking flow along arcs that go one level down.
    pub(crate) fn max_flow(&mut self, source: usize, sink: usize) -> f64 {
        let nodes = self.out.len();
        if source == sink || source >= nodes || sink >= nodes {
            return 0.0;
        }
        let mut added = 0.0;
        let mut level = vec![usize::MAX; nodes];
        let mut next = vec![0usize; nodes];
        // Each phase lengthens the shortest open path, so there are fewer than `nodes`.
        for _ in 0..nodes {
            if !self.levels(source, sink, &mut level) {
                break;
            }
            next.iter_mut().for_each(|n| *n = 0);
            loop {
                let pushed = self.push(source, sink, f64::INFINITY, &level, &mut next);
                if pushed <= self.tolerance {
                    break;
                }
                added += pushed;
            }
        }
        added
    }

    /// Breadth-first distances from `source` over open arcs; whether `sink` is reached.
    fn levels(&self, source: usize, sink: usize, level: &mut [usize]) -> bool {
        level.iter_mut().for_each(|l| *l = usize::MAX);
        level[source] = 0;
        let mut queue = std::collections::VecDeque::from([source]);
        while let Some(u) = queue.pop_front() {
            for &a in &self.out[u] {
                let v = self.head[a];
                if level[v] == usize::MAX && self.open(a) {
                    level[v] = level[u] + 1;
                    queue.push_back(v);
                }
            }
        }
        level[sink] != usize::MAX
    }

    /// Pushes up to `limit` from `u` to `sink` along open arcs one level down (depth-first,
    /// resuming each node's arcs where the last push left them).
    fn push(
        &mut self,
        u: usize,
        sink: usize,
        limit: f64,
        level: &[usize],
        next: &mut [usize],
    ) -> f64 {
        if u == sink {
            return limit;
        }
        while next[u] < self.out[u].len() {
            let a = self.out[u][next[u]];
            let v = self.head[a];
            if self.open(a) && level[v] == level[u].wrapping_add(1) {
                let pushed = self.push(v, sink, limit.min(self.residual[a]), level, next);
                if pushed > 0.0 {
                    self.residual[a] -= pushed;
                    self.residual[a ^ 1] += pushed;
                    return pushed;
                }
            }
            next[u] += 1;
        }
        0.0
    }

    /// Nodes reachable from `source` over open arcs.
    fn reachable(&self, source: usize) -> Vec<bool> {
        let mut seen = vec![false; self.out.len()];
        seen[source] = true;
        let mut stack = vec![source];
        while let Some(u) = stack.pop() {
            for &a in &self.out[u] {
                let v = self.head[a];
                if !seen[v] && self.open(a) {
                    seen[v] = true;
                    stack.push(v);
                }
            }
        }
        seen
    }
}

/// Streets' need routed to capacity within reach by a maximum flow.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Routing {
    /// Need served in total: the value of every maximum routing.
    pub total: f64,
    /// Need of each street served in one maximum routing (they sum to `total`).
    pub served: Vec<f64>,
    /// Need of each street served in every maximum routing: the least it gets in any.
    pub assured: Vec<f64>,
}

/// Routes `need[i]` of each street to `capacity[j]` of the streets within its reach
/// (`reach[i]`: the places street i reaches), as much as can be served, and finds what
/// each street is assured of.
///
/// **The rule.** Let F be the value of a maximum routing and F₋ᵢ the value when street i's
/// need is dropped. Street i gets at least F − F₋ᵢ in every maximum routing, and exactly
/// that in some; so its need dᵢ is served in every maximum routing iff F = F₋ᵢ + dᵢ.
///
/// *Proof sketch.* Every path of the network is source → i → j → sink, so a maximum
/// routing f splits into street flows fᵢ. (≥) Taking i's paths out of f leaves a routing
/// without i of value F − fᵢ ≤ F₋ᵢ, so fᵢ ≥ F − F₋ᵢ. (attained) Start from a maximum
/// routing g without i (value F₋ᵢ) and augment it to a maximum routing h of the whole
/// network: an augmenting path starts at the source and never returns to it, so no other
/// street's flow falls, hᵢ's partners keep at least F₋ᵢ and hᵢ ≤ F − F₋ᵢ. Since fᵢ ≤ dᵢ
/// always, dᵢ is served in every maximum routing iff F − F₋ᵢ = dᵢ.
///
/// *Computation.* One maximum flow f gives F and `served`. A street that no open
/// (unsaturated) path from the source reaches cannot give up flow to another street (that
/// would need a source arc with room leading to it), so it is assured of fᵢ. For the
/// others, F₋ᵢ is found from f with i's paths taken out and i's source arc closed,
/// augmented to a maximum: F₋ᵢ = F − fᵢ + a, so i is assured of fᵢ − a.
///
/// Negative and NaN need or capacity count as 0. Residual capacities at or below 10⁻¹²
/// of the larger of total need and total capacity are read as saturated.
pub(crate) fn route(need: &[f64], capacity: &[f64], reach: &[Vec<usize>]) -> Routing {
    let streets = need.len();
    let places = capacity.len();
    let clean = |x: f64| if x > 0.0 && x.is_finite() { x } else { 0.0 };
    let need: Vec<f64> = need.iter().map(|&x| clean(x)).collect();
    let capacity: Vec<f64> = capacity.iter().map(|&x| clean(x)).collect();
    let scale = need.iter().sum::<f64>().max(capacity.iter().sum()).max(1.0);
    // Nodes: source, streets' need, streets' capacity, sink.
    let source = 0;
    let sink = streets + places + 1;
    let mut network = FlowNetwork::new(sink + 1, 1e-12 * scale);
    let from_source: Vec<usize> = (0..streets)
        .map(|i| network.arc(source, 1 + i, need[i]))
        .collect();
    let mut to_places: Vec<Vec<usize>> = vec![Vec::new(); streets];
    for i in 0..streets {
        if need[i] <= 0.0 {
            continue;
        }
        for &j in reach.get(i).map_or(&[][..], Vec::as_slice) {
            if capacity.get(j).is_some_and(|&c| c > 0.0) {
                to_places[i].push(network.arc(1 + i, 1 + streets + j, need[i]));
            }
        }
    }
    let to_sink: Vec<usize> = (0..places)
        .map(|j| network.arc(1 + streets + j, sink, capacity[j]))
        .collect();
    let total = network.max_flow(source, sink);
    let served: Vec<f64> = from_source.iter().map(|&a| network.flow(a)).collect();
    let reached = network.reachable(source);
    let assured = (0..streets)
        .map(|i| {
            if !reached[1 + i] || served[i] <= 0.0 {
                return served[i];
            }
            let mut without = network.clone();
            for &a in &to_places[i] {
                let x = without.flow(a);
                let j = without.head[a] - 1 - streets;
                without.cancel(a, x);
                without.cancel(to_sink[j], x);
                without.cancel(from_source[i], x);
            }
            without.close(from_source[i]);
            let regained = without.max_flow(source, sink);
            (served[i] - regained).clamp(0.0, served[i])
        })
        .collect();
    Routing {
        total,
        served,
        assured,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
    }

    /// The places each of `streets` streets reaches, from a test of every pair.
    fn pairs(
        streets: usize,
        places: usize,
        reach: impl Fn(usize, usize) -> bool,
    ) -> Vec<Vec<usize>> {
        (0..streets)
            .map(|i| (0..places).filter(|&j| reach(i, j)).collect())
            .collect()
    }

    #[test]
    fn the_textbook_network_carries_23() {
        // Cormen et al., Introduction to Algorithms, Fig. 26.1: s=0, v1..v4 = 1..4, t=5.
        let mut n = FlowNetwork::new(6, 1e-12);
        for (u, v, c) in [
            (0, 1, 16.0),
            (0, 2, 13.0),
            (2, 1, 4.0),
            (1, 3, 12.0),
            (3, 2, 9.0),
            (2, 4, 14.0),
            (4, 3, 7.0),
            (3, 5, 20.0),
            (4, 5, 4.0),
        ] {
            n.arc(u, v, c);
        }
        assert!(close(n.max_flow(0, 5), 23.0));
        // A maximum flow has no more to add.
        assert_eq!(n.max_flow(0, 5), 0.0);
    }

    #[test]
    fn fractional_capacities_are_carried_exactly() {
        let mut n = FlowNetwork::new(4, 1e-12);
        let a = n.arc(0, 1, 0.1);
        n.arc(0, 2, 0.2);
        n.arc(1, 3, 0.3);
        n.arc(2, 3, 0.15);
        n.arc(1, 2, 1.0);
        assert!(close(n.max_flow(0, 3), 0.25));
        assert!(close(n.flow(a), 0.1));
    }

    #[test]
    fn spare_capacity_next_door_serves_a_street_in_every_routing() {
        // Street 0 has need 10 and no capacity; street 1 next door has 20 places, no need.
        let r = route(&[10.0, 0.0], &[0.0, 20.0], &pairs(2, 2, |_, _| true));
        assert!(close(r.total, 10.0));
        assert!(close(r.assured[0], 10.0));
        // Out of reach, nothing is served.
        let r = route(&[10.0, 0.0], &[0.0, 20.0], &pairs(2, 2, |i, j| i == j));
        assert_eq!(r.total, 0.0);
        assert_eq!(r.assured[0], 0.0);
    }

    #[test]
    fn two_streets_sharing_one_facility_are_assured_only_what_the_other_cannot_take() {
        // Needs 10 and 5, 10 places in street 0, both in reach: F = 10; without street 0
        // F = 5, so street 0 is assured 5; without street 1 F = 10, so street 1 none.
        let r = route(&[10.0, 5.0], &[10.0, 0.0], &pairs(2, 2, |_, _| true));
        assert!(close(r.total, 10.0));
        assert!(close(r.served.iter().sum(), 10.0));
        assert!(close(r.assured[0], 5.0), "{r:?}");
        assert!(close(r.assured[1], 0.0), "{r:?}");
        // With 15 places both are served in every routing.
        let r = route(&[10.0, 5.0], &[15.0, 0.0], &pairs(2, 2, |_, _| true));
        assert!(
            close(r.assured[0], 10.0) && close(r.assured[1], 5.0),
            "{r:?}"
        );
    }

    #[test]
    fn a_chain_of_streets_is_assured_what_hand_computation_gives() {
        // A reaches X; B reaches X and Y; C reaches Y. Needs 5 each, X = 5, Y = 7: F = 12.
        // Without A: B→X 5, C→Y 5 = 10, so A is assured 2; likewise B and C.
        let reach = |i: usize, j: usize| matches!((i, j), (0, 0) | (1, 0) | (1, 1) | (2, 1));
        let r = route(&[5.0, 5.0, 5.0], &[5.0, 7.0], &pairs(3, 2, reach));
        assert!(close(r.total, 12.0));
        for i in 0..3 {
            assert!(close(r.assured[i], 2.0), "{i}: {r:?}");
        }
        // Y = 10: everything fits, every street assured its need.
        let r = route(&[5.0, 5.0, 5.0], &[5.0, 10.0], &pairs(3, 2, reach));
        assert!(r.assured.iter().all(|&a| close(a, 5.0)), "{r:?}");
        // A far street with its own ample capacity is not disturbed by a short one.
        let reach = |i: usize, j: usize| matches!((i, j), (0, 0) | (1, 0) | (2, 1));
        let r = route(&[5.0, 5.0, 5.0], &[6.0, 9.0], &pairs(3, 2, reach));
        assert!(close(r.total, 11.0));
        assert!(close(r.assured[0], 1.0) && close(r.assured[1], 1.0));
        assert!(close(r.assured[2], 5.0));
    }

    #[test]
    fn bad_numbers_count_as_nothing() {
        let r = route(
            &[f64::NAN, -3.0, 4.0],
            &[f64::INFINITY, 2.0, -1.0],
            &pairs(3, 3, |_, _| true),
        );
        assert!(close(r.total, 2.0));
        assert_eq!(r.assured[0], 0.0);
        assert!(close(r.assured[2], 2.0));
    }

    /// F₋ᵢ by a fresh maximum flow, the rule's own definition.
    fn value_without(
        need: &[f64],
        capacity: &[f64],
        reach: &dyn Fn(usize, usize) -> bool,
        i: usize,
    ) -> f64 {
        let mut dropped = need.to_vec();
        dropped[i] = 0.0;
        route(
            &dropped,
            capacity,
            &pairs(need.len(), capacity.len(), reach),
        )
        .total
    }

    #[test]
    fn assured_need_is_the_value_lost_without_the_street_on_random_networks() {
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(11);
        for case in 0..300 {
            let n = rng.random_range(1..7);
            let need: Vec<f64> = (0..n)
                .map(|_| f64::from(rng.random_range(0..40u32)) * 0.25)
                .collect();
            let capacity: Vec<f64> = (0..n)
                .map(|_| f64::from(rng.random_range(0..40u32)) * 0.3)
                .collect();
            let links: Vec<bool> = (0..n * n).map(|_| rng.random_bool(0.4)).collect();
            let reach = |i: usize, j: usize| i == j || links[i * n + j];
            let r = route(&need, &capacity, &pairs(n, n, reach));
            assert!(close(r.served.iter().sum(), r.total), "case {case}");
            // The value equals the smallest cut (Hall): need left out of a set S of
            // streets plus the capacity that S reaches, over every S.
            let cut = (0..1usize << n)
                .map(|s| {
                    let inside = |i: usize| s & (1 << i) != 0;
                    let left: f64 = (0..n).filter(|&i| !inside(i)).map(|i| need[i]).sum();
                    let reached: f64 = (0..n)
                        .filter(|&j| (0..n).any(|i| inside(i) && need[i] > 0.0 && reach(i, j)))
                        .map(|j| capacity[j])
                        .sum();
                    left + reached
                })
                .fold(f64::INFINITY, f64::min);
            assert!(close(r.total, cut), "case {case}: {} vs cut {cut}", r.total);
            for i in 0..n {
                let expected = r.total - value_without(&need, &capacity, &reach, i);
                assert!(
                    close(r.assured[i], expected),
                    "case {case}, street {i}: {} vs {expected}; {need:?} {capacity:?} {links:?}",
                    r.assured[i]
                );
                assert!(r.assured[i] <= r.served[i] + 1e-9);
            }
        }
    }
}
