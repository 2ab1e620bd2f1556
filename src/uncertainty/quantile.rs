//! Quantiles of many cells over draws: exact from kept draws, or streamed with the P²
//! algorithm in fixed memory.

/// The type-1 sample quantile (the inverse of the empirical distribution function,
/// Hyndman & Fan 1996): the smallest value x of `sorted` with at least a share `p` of the
/// values ≤ x. So at least ⌈p·n⌉ of n values are covered, which is what a chance
/// constraint needs. `sorted` must be ascending; an empty slice gives NaN.
///
/// # Examples
///
/// ```
/// use popalloc::uncertainty::sample_quantile;
///
/// let xs: Vec<f64> = (1..=10).map(f64::from).collect();
/// assert_eq!(sample_quantile(&xs, 0.9), 9.0);
/// assert_eq!(sample_quantile(&xs, 0.91), 10.0);
/// assert_eq!(sample_quantile(&xs, 0.5), 5.0);
/// assert_eq!(sample_quantile(&xs, 0.0), 1.0);
/// ```
pub fn sample_quantile(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    // ⌈p·n⌉, forgiving the rounding of p·n (0.9 × 10 = 9.000000000000002).
    let k = (p * n as f64 - 1e-9).ceil();
    let index = if k.is_nan() || k < 1.0 {
        0
    } else {
        (k as usize).min(n) - 1
    };
    sorted[index]
}

/// Streaming quantiles of `cells` values per observation, for each of `probs`, by the P²
/// algorithm (Jain & Chlamtac 1985): five markers per cell and probability, adjusted by a
/// piecewise-parabolic formula after each observation. Memory: 80 bytes per cell and
/// probability, whatever the number of observations; exact while fewer than six
/// observations are seen; a constant stream gives that constant exactly. Observations are
/// folded in the order given, so the result is fixed by that order.
///
/// # Examples
///
/// ```
/// use popalloc::uncertainty::QuantileStream;
///
/// let mut stream = QuantileStream::new(1, vec![0.5])?;
/// for x in 1..=999 {
///     stream.push(&[f64::from((x * 37) % 1000)]);
/// }
/// let median = stream.quantiles()[0];
/// assert!((median - 500.0).abs() < 10.0);
/// # Ok::<(), popalloc::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct QuantileStream {
    probs: Vec<f64>,
    cells: usize,
    count: usize,
    /// Marker heights `[(cell × probs + prob) × 5 + marker]`.
    heights: Vec<f64>,
    /// Marker positions (1-based ranks), same layout.
    positions: Vec<f64>,
}

impl QuantileStream {
    /// A stream of `cells` values per observation, summarised at each probability of `probs`.
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`](crate::Error::TooLarge) when the markers (cells × probabilities
    /// × 5) cannot be counted in a `usize` or their memory cannot be reserved.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::uncertainty::QuantileStream;
    ///
    /// assert_eq!(QuantileStream::new(12, vec![0.1, 0.9])?.count(), 0);
    /// assert!(QuantileStream::new(usize::MAX, vec![0.5]).is_err());
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn new(cells: usize, probs: Vec<f64>) -> crate::Result<Self> {
        const MARKERS: &str = "quantile markers (cells x probabilities x 5)";
        let len = crate::size::product(MARKERS, &[cells, probs.len(), 5])?;
        Ok(Self {
            probs,
            cells,
            count: 0,
            heights: crate::size::filled(MARKERS, len, 0.0)?,
            positions: crate::size::filled(MARKERS, len, 0.0)?,
        })
    }

    /// The number of observations folded in.
    pub fn count(&self) -> usize {
        self.count
    }

    /// The probabilities summarised.
    pub fn probs(&self) -> &[f64] {
        &self.probs
    }

    /// Folds one observation: `values[cell]` for every cell (extra values are ignored,
    /// missing ones count as 0).
    pub fn push(&mut self, values: &[f64]) {
        self.push_all(std::slice::from_ref(&values));
    }

    /// Folds several observations in their order. Cells are independent, so blocks of
    /// cells are folded in parallel (rayon); each cell still sees the observations in the
    /// order given, so the result does not depend on the number of threads.
    pub fn push_all<V: AsRef<[f64]> + Sync>(&mut self, observations: &[V]) {
        use rayon::prelude::*;
        let np = self.probs.len();
        let per_cell = np * 5;
        if per_cell == 0 || observations.is_empty() {
            self.count += observations.len();
            return;
        }
        const BLOCK: usize = 4096;
        let start = self.count;
        let probs = &self.probs;
        self.heights
            .par_chunks_mut(BLOCK * per_cell)
            .zip(self.positions.par_chunks_mut(BLOCK * per_cell))
            .enumerate()
            .for_each(|(block, (heights, positions))| {
                let first = block * BLOCK;
                let cells = heights.len() / per_cell;
                for c in 0..cells {
                    let cell = first + c;
                    for (k, obs) in observations.iter().enumerate() {
                        let x = obs.as_ref().get(cell).copied().unwrap_or(0.0);
                        for (j, &p) in probs.iter().enumerate() {
                            let at = (c * np + j) * 5;
                            fold(
                                &mut heights[at..at + 5],
                                &mut positions[at..at + 5],
                                x,
                                p,
                                start + k,
                            );
                        }
                    }
                }
            });
        self.count += observations.len();
    }

    /// The estimates `[cell × probs + prob]` (NaN before the first observation).
    pub fn quantiles(&self) -> Vec<f64> {
        let np = self.probs.len();
        let mut out = Vec::with_capacity(self.cells * np);
        for cell in 0..self.cells {
            for (j, &p) in self.probs.iter().enumerate() {
                let at = (cell * np + j) * 5;
                if self.count > 5 {
                    out.push(self.heights[at + 2]);
                } else {
                    // Up to five observations are kept as they are: the exact quantile.
                    let mut seen = self.heights[at..at + self.count].to_vec();
                    seen.sort_by(f64::total_cmp);
                    out.push(sample_quantile(&seen, p));
                }
            }
        }
        out
    }
}

/// Folds observation number `n` (0-based) into one cell's markers: the first five are
/// kept (sorted at the fifth), later ones move the markers.
fn fold(q: &mut [f64], pos: &mut [f64], x: f64, p: f64, n: usize) {
    if n < 5 {
        q[n] = x;
        if n == 4 {
            q.sort_by(f64::total_cmp);
            pos.copy_from_slice(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        }
    } else {
        p2_update(q, pos, x, p, n + 1);
    }
}

/// One P² step for a new observation `x`, the `count`-th (count ≥ 6).
fn p2_update(q: &mut [f64], pos: &mut [f64], x: f64, p: f64, count: usize) {
    let k = if x < q[0] {
        q[0] = x;
        0
    } else if x >= q[4] {
        q[4] = x;
        3
    } else {
        (0..4).find(|&i| x < q[i + 1]).unwrap_or(3)
    };
    for position in pos.iter_mut().skip(k + 1) {
        *position += 1.0;
    }
    // Desired positions after `count` observations.
    let c = (count - 1) as f64;
    let desired = [
        1.0,
        1.0 + c * p / 2.0,
        1.0 + c * p,
        1.0 + c * (1.0 + p) / 2.0,
        1.0 + c,
    ];
    for i in 1..4 {
        let d = desired[i] - pos[i];
        if (d >= 1.0 && pos[i + 1] - pos[i] > 1.0) || (d <= -1.0 && pos[i - 1] - pos[i] < -1.0) {
            let s = d.signum();
            let parabolic = q[i]
                + s / (pos[i + 1] - pos[i - 1])
                    * ((pos[i] - pos[i - 1] + s) * (q[i + 1] - q[i]) / (pos[i + 1] - pos[i])
                        + (pos[i + 1] - pos[i] - s) * (q[i] - q[i - 1]) / (pos[i] - pos[i - 1]));
            q[i] = if q[i - 1] < parabolic && parabolic < q[i + 1] {
                parabolic
            } else {
                let j = if s > 0.0 { i + 1 } else { i - 1 };
                q[i] + s * (q[j] - q[i]) / (pos[j] - pos[i])
            };
            pos[i] += s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uncertainty::{Distribution, draw_generator};

    #[test]
    fn impossible_sizes_are_typed_errors() {
        for (cells, probs) in [(usize::MAX, 1), (1 << 62, 1), (1 << 44, 3)] {
            let err = QuantileStream::new(cells, vec![0.5; probs]).unwrap_err();
            assert!(
                matches!(err, crate::Error::TooLarge { .. }),
                "{cells} x {probs}: {err:?}"
            );
        }
    }

    #[test]
    fn type1_quantile_covers_its_share() {
        for n in 1..60usize {
            let xs: Vec<f64> = (0..n).map(|i| i as f64).collect();
            for p in [0.05, 0.1, 0.5, 0.9, 0.95, 0.99] {
                let q = sample_quantile(&xs, p);
                let covered = xs.iter().filter(|&&x| x <= q).count();
                assert!(covered as f64 >= p * n as f64 - 1e-9, "n={n} p={p}");
                // And it is the smallest such value.
                let below = xs.iter().filter(|&&x| x < q).count();
                assert!((below as f64) < p * n as f64 + 1e-9, "n={n} p={p}");
            }
        }
    }

    #[test]
    fn p2_tracks_normal_quantiles() {
        let d = Distribution::Normal {
            mean: 10.0,
            sd: 2.0,
        };
        let probs = vec![0.1, 0.5, 0.9];
        let mut stream = QuantileStream::new(2, probs.clone()).unwrap();
        let mut rng = draw_generator(5, 0);
        for _ in 0..20_000 {
            let x = d.sample(&mut rng);
            stream.push(&[x, -x]);
        }
        let got = stream.quantiles();
        for (j, &p) in probs.iter().enumerate() {
            let exact = d.inverse_cdf(p);
            assert!(
                (got[j] - exact).abs() < 0.05,
                "p={p}: {} vs {exact}",
                got[j]
            );
            // The mirrored cell: quantile p of −X is −quantile (1 − p) of X.
            let mirrored = -d.inverse_cdf(1.0 - p);
            assert!((got[3 + j] - mirrored).abs() < 0.05);
        }
    }

    #[test]
    fn a_constant_stream_gives_the_constant_and_estimates_are_ordered() {
        let mut stream = QuantileStream::new(1, vec![0.1, 0.5, 0.9]).unwrap();
        for _ in 0..100 {
            stream.push(&[3.25]);
        }
        assert_eq!(stream.quantiles(), vec![3.25, 3.25, 3.25]);

        let mut stream = QuantileStream::new(1, vec![0.1, 0.5, 0.9]).unwrap();
        let mut rng = draw_generator(9, 0);
        let d = Distribution::Lognormal {
            median: 1.0,
            sigma: 0.5,
        };
        for _ in 0..500 {
            stream.push(&[d.sample(&mut rng)]);
        }
        let q = stream.quantiles();
        assert!(q[0] <= q[1] && q[1] <= q[2], "{q:?}");
    }

    #[test]
    fn few_observations_are_exact() {
        let mut stream = QuantileStream::new(1, vec![0.5, 0.9]).unwrap();
        for x in [4.0, 1.0, 3.0] {
            stream.push(&[x]);
        }
        assert_eq!(stream.quantiles(), vec![3.0, 4.0]);
        assert!(QuantileStream::new(1, vec![0.5]).unwrap().quantiles()[0].is_nan());
        // Exactly five: still the exact type-1 quantiles, not the middle marker for all.
        let mut five = QuantileStream::new(1, vec![0.1, 0.5, 0.9]).unwrap();
        for x in [5.0, 2.0, 4.0, 1.0, 3.0] {
            five.push(&[x]);
        }
        assert_eq!(five.quantiles(), vec![1.0, 3.0, 5.0]);
    }
}
