//! Age groups and their graduation to single years (Sprague multipliers).

use std::fmt;

use crate::error::{Error, Result};

/// An age group: ages `from..=to`, or `from` and over when `to` is `None`.
///
/// Parsed from the labels of tidy files: `37` (a single age), `5-9` (or `5–9`), `100+`.
///
/// # Examples
///
/// ```
/// use popalloc::AgeGroup;
///
/// assert_eq!(AgeGroup::parse("5-9"), Some(AgeGroup { from: 5, to: Some(9) }));
/// assert_eq!(AgeGroup::parse("100+"), Some(AgeGroup { from: 100, to: None }));
/// assert_eq!(AgeGroup::parse("37").unwrap().to_string(), "37");
/// assert_eq!(AgeGroup::parse("9-5"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgeGroup {
    /// The first age.
    pub from: usize,
    /// The last age, `None` for the open group.
    pub to: Option<usize>,
}

impl AgeGroup {
    /// Parses a label: `37`, `5-9`, `5–9` or `100+`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Some(from) = text.strip_suffix('+') {
            return Some(Self {
                from: from.trim().parse().ok()?,
                to: None,
            });
        }
        if let Some((a, b)) = text.split_once(['-', '–']) {
            let (from, to): (usize, usize) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            return (to >= from).then_some(Self { from, to: Some(to) });
        }
        let age = text.parse().ok()?;
        Some(Self {
            from: age,
            to: Some(age),
        })
    }

    /// The number of single ages in a closed group; `None` for the open group, for an
    /// inverted group (`to` below `from`, which [`AgeGroup::parse`] never gives but the
    /// public fields allow) and for the group `0..=usize::MAX`, whose width does not fit.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::AgeGroup;
    ///
    /// assert_eq!(AgeGroup { from: 5, to: Some(9) }.width(), Some(5));
    /// assert_eq!(AgeGroup { from: 100, to: None }.width(), None);
    /// assert_eq!(AgeGroup { from: 5, to: Some(3) }.width(), None);
    /// ```
    pub fn width(&self) -> Option<usize> {
        self.to?.checked_sub(self.from)?.checked_add(1)
    }
}

impl fmt::Display for AgeGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to {
            None => write!(f, "{}+", self.from),
            Some(to) if to == self.from => write!(f, "{to}"),
            Some(to) => write!(f, "{}-{to}", self.from),
        }
    }
}

/// Sprague's fifth-difference osculatory multipliers (Shryock & Siegel 1976, table C-?;
/// UN Manual III). Row `k` gives single age `k` of the target group from the five groups
/// named by each panel.
const FIRST: [[f64; 5]; 5] = [
    [0.3616, -0.2768, 0.1488, -0.0336, 0.0],
    [0.2640, -0.0960, 0.0400, -0.0080, 0.0],
    [0.1840, 0.0400, -0.0320, 0.0080, 0.0],
    [0.1200, 0.1360, -0.0720, 0.0160, 0.0],
    [0.0704, 0.1968, -0.0848, 0.0176, 0.0],
];
const SECOND: [[f64; 5]; 5] = [
    [0.0336, 0.2272, -0.0752, 0.0144, 0.0],
    [0.0080, 0.2320, -0.0480, 0.0080, 0.0],
    [-0.0080, 0.2160, -0.0080, 0.0, 0.0],
    [-0.0160, 0.1840, 0.0400, -0.0080, 0.0],
    [-0.0176, 0.1408, 0.0912, -0.0144, 0.0],
];
const MIDDLE: [[f64; 5]; 5] = [
    [-0.0128, 0.0848, 0.1504, -0.0240, 0.0016],
    [-0.0016, 0.0144, 0.2224, -0.0416, 0.0064],
    [0.0064, -0.0336, 0.2544, -0.0336, 0.0064],
    [0.0064, -0.0416, 0.2224, 0.0144, -0.0016],
    [0.0016, -0.0240, 0.1504, 0.0848, -0.0128],
];

/// The panel for a group is the first, second or middle one, or the mirror image of the
/// second or first (next-to-last and last groups).
fn panel_value(panel: &[[f64; 5]; 5], mirrored: bool, k: usize, groups: &[f64; 5]) -> f64 {
    let (row, reversed) = if mirrored { (4 - k, true) } else { (k, false) };
    (0..5)
        .map(|j| {
            let coef = panel[row][j];
            let g = if reversed { groups[4 - j] } else { groups[j] };
            coef * g
        })
        .sum()
}

/// Splits five-year group counts `counts[0]` (ages 0–4), `counts[1]` (5–9), … into single
/// years with Sprague's multipliers, then makes every group non-negative without changing
/// its sum: a group with a negative single year is blended with the even split `G/5` just
/// enough to bring its smallest single year to 0.
///
/// Needs at least five groups.
fn sprague(counts: &[f64]) -> Result<Vec<f64>> {
    let k = counts.len();
    if k < 5 {
        return Err(Error::LengthMismatch {
            what: "five-year groups for Sprague graduation (at least 5)",
            expected: 5,
            found: k,
        });
    }
    let mut out = Vec::with_capacity(5 * k);
    for j in 0..k {
        let (panel, mirrored, start) = match j {
            0 => (&FIRST, false, 0),
            1 => (&SECOND, false, 0),
            _ if j + 2 < k => (&MIDDLE, false, j - 2),
            _ if j + 2 == k => (&SECOND, true, k - 5),
            _ => (&FIRST, true, k - 5),
        };
        let mut window = [0.0; 5];
        window.copy_from_slice(&counts[start..start + 5]);
        let mut single = [0.0; 5];
        for (age, cell) in single.iter_mut().enumerate() {
            *cell = panel_value(panel, mirrored, age, &window);
        }
        make_non_negative(&mut single, counts[j]);
        out.extend_from_slice(&single);
    }
    Ok(out)
}

/// Blends `cells` (summing to `total`) with the even split just enough that none is
/// negative, then rescales so that they sum to `total` to the last bit possible.
fn make_non_negative(cells: &mut [f64], total: f64) {
    let n = cells.len() as f64;
    let even = total / n;
    let mut theta: f64 = 1.0;
    for &c in cells.iter() {
        if c < 0.0 {
            theta = theta.min(even / (even - c));
        }
    }
    for c in cells.iter_mut() {
        *c = (theta * *c + (1.0 - theta) * even).max(0.0);
    }
    let sum: f64 = cells.iter().sum();
    if sum > 0.0 {
        let scale = total / sum;
        for c in cells.iter_mut() {
            *c *= scale;
        }
    } else {
        cells.fill(even);
    }
}

/// Graduates counts by age group to single years `0..=ω`, ω being the open group's first age.
///
/// The groups must tile 0..ω: either all single years (returned as they are), or five-year
/// groups `0-4, 5-9, …` or `0, 1-4, 5-9, …`, then an open group `ω+` with ω a multiple of
/// 5. The closed groups are split with Sprague's multipliers (at least five five-year
/// groups); where a split would give a negative count, that group is blended with an even
/// split, just enough to make its smallest count zero. Ages 1–4 take their shape from the
/// split of 0–4. The single years sum back to every group (to rounding) and none is
/// negative; the open group is kept as it is.
///
/// # Errors
///
/// [`Error::BadAgeGroups`] when the groups are not of this form (its `path` is empty);
/// [`Error::LengthMismatch`] when `counts` and `groups` differ in length or there are
/// fewer than five five-year groups; [`Error::InvalidRate`] for a negative or NaN count.
///
/// # References
///
/// Sprague, T. B. (1880); Shryock, H. S. & Siegel, J. S. (1976), *The Methods and Materials
/// of Demography*, appendix C (the multipliers).
///
/// # Examples
///
/// ```
/// use popalloc::{AgeGroup, graduate};
///
/// let groups: Vec<AgeGroup> = (0..6)
///     .map(|g| AgeGroup { from: 5 * g, to: Some(5 * g + 4) })
///     .chain([AgeGroup { from: 30, to: None }])
///     .collect();
/// let counts = [500.0, 480.0, 470.0, 450.0, 460.0, 430.0, 900.0];
/// let singles = graduate(&groups, &counts).unwrap();
/// assert_eq!(singles.len(), 31);
/// assert!((singles[5..10].iter().sum::<f64>() - 480.0).abs() < 1e-9);
/// assert_eq!(singles[30], 900.0);
/// ```
pub fn graduate(groups: &[AgeGroup], counts: &[f64]) -> Result<Vec<f64>> {
    if groups.len() != counts.len() {
        return Err(Error::LengthMismatch {
            what: "counts vs age groups",
            expected: groups.len(),
            found: counts.len(),
        });
    }
    crate::error::check_non_negative("counts by age group", counts)?;
    let bad = |omega, problem: String| Error::BadAgeGroups {
        path: Default::default(),
        omega,
        problem,
    };
    let Some(open) = groups.last().filter(|g| g.to.is_none()) else {
        return Err(bad(0, "the last group must be open (e.g. 100+)".into()));
    };
    let omega = open.from;
    let closed = &groups[..groups.len() - 1];
    if closed.iter().all(|g| g.width() == Some(1)) {
        let ok = closed.iter().enumerate().all(|(i, g)| g.from == i) && closed.len() == omega;
        if !ok {
            return Err(bad(
                omega,
                "single ages must run 0, 1, 2, … up to the open group".into(),
            ));
        }
        return Ok(counts.to_vec());
    }
    // Merge "0" and "1-4" into 0-4, remembering the split.
    let split_infants = closed.len() >= 2
        && closed[0]
            == AgeGroup {
                from: 0,
                to: Some(0),
            }
        && closed[1]
            == AgeGroup {
                from: 1,
                to: Some(4),
            };
    let (five, rest_groups) = if split_infants {
        (counts[0] + counts[1], &closed[2..])
    } else {
        (counts[0], &closed[1..])
    };
    let first = if split_infants {
        AgeGroup {
            from: 0,
            to: Some(4),
        }
    } else {
        closed[0]
    };
    let offset = if split_infants { 2 } else { 1 };
    let mut fives = vec![five];
    let mut expect_from = 0;
    for g in std::iter::once(&first).chain(rest_groups) {
        if g.from != expect_from || g.width() != Some(5) {
            return Err(bad(
                omega,
                format!(
                    "expected the group {}-{}, found {g}",
                    expect_from,
                    expect_from + 4
                ),
            ));
        }
        expect_from += 5;
    }
    if expect_from != omega {
        return Err(bad(
            omega,
            format!("the open group should start at {expect_from}, found {omega}+"),
        ));
    }
    fives.extend_from_slice(&counts[offset..counts.len() - 1]);
    let mut singles = sprague(&fives)?;
    if split_infants {
        singles[0] = counts[0];
        make_non_negative(&mut singles[1..5], counts[1]);
    }
    singles.push(counts[counts.len() - 1]);
    Ok(singles)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn five_year_groups(k: usize) -> Vec<AgeGroup> {
        (0..k)
            .map(|g| AgeGroup {
                from: 5 * g,
                to: Some(5 * g + 4),
            })
            .chain([AgeGroup {
                from: 5 * k,
                to: None,
            }])
            .collect()
    }

    /// Each panel's columns sum to 1 for the target group and 0 for the others, so a
    /// split always sums back to its group.
    #[test]
    fn multipliers_preserve_group_sums() {
        for (panel, target) in [(&FIRST, 0), (&SECOND, 1), (&MIDDLE, 2)] {
            for j in 0..5 {
                let sum: f64 = (0..5).map(|k| panel[k][j]).sum();
                let expected = if j == target { 1.0 } else { 0.0 };
                assert!((sum - expected).abs() < 1e-12, "column {j}: {sum}");
            }
        }
    }

    /// Sprague's interpolation reproduces a polynomial of degree ≤ 4 exactly: integrate a
    /// quartic over 5-year groups, graduate, compare with the single-year integrals.
    #[test]
    fn reproduces_a_quartic_exactly() {
        let antiderivative =
            |x: f64| 2000.0 * x + 10.0 * x * x - 0.4 * x.powi(3) + 0.002 * x.powi(4);
        let integral = |a: f64, b: f64| antiderivative(b) - antiderivative(a);
        let k = 12;
        let counts: Vec<f64> = (0..k)
            .map(|g| integral(5.0 * g as f64, 5.0 * g as f64 + 5.0))
            .chain([1000.0])
            .collect();
        let singles = graduate(&five_year_groups(k), &counts).unwrap();
        for age in 0..5 * k {
            let want = integral(age as f64, age as f64 + 1.0);
            assert!(
                (singles[age] - want).abs() < 1e-6 * want.abs().max(1.0),
                "age {age}: {} vs {want}",
                singles[age]
            );
        }
    }

    #[test]
    fn sums_back_and_stays_non_negative_on_a_jagged_input() {
        let counts = [10.0, 5000.0, 0.0, 4000.0, 0.0, 3000.0, 1.0, 50.0, 120.0];
        let singles = graduate(&five_year_groups(8), &counts).unwrap();
        for g in 0..8 {
            let sum: f64 = singles[5 * g..5 * g + 5].iter().sum();
            assert!(
                (sum - counts[g]).abs() <= 1e-9 * counts[g].max(1.0),
                "group {g}"
            );
        }
        assert!(singles.iter().all(|&v| v >= 0.0), "{singles:?}");
        assert_eq!(singles[40], 120.0);
    }

    #[test]
    fn infant_and_one_to_four_groups_are_kept() {
        let mut groups = vec![
            AgeGroup {
                from: 0,
                to: Some(0),
            },
            AgeGroup {
                from: 1,
                to: Some(4),
            },
        ];
        groups.extend(five_year_groups(6).into_iter().skip(1));
        let counts = [90.0, 400.0, 520.0, 530.0, 540.0, 560.0, 580.0, 2000.0];
        let singles = graduate(&groups, &counts).unwrap();
        assert_eq!(singles.len(), 31);
        assert_eq!(singles[0], 90.0);
        assert!((singles[1..5].iter().sum::<f64>() - 400.0).abs() < 1e-9);
    }

    #[test]
    fn width_of_an_inverted_or_unbounded_group_is_none() {
        let inverted = AgeGroup {
            from: 5,
            to: Some(3),
        };
        assert_eq!(inverted.width(), None);
        let everything = AgeGroup {
            from: 0,
            to: Some(usize::MAX),
        };
        assert_eq!(everything.width(), None);
        let last = AgeGroup {
            from: usize::MAX,
            to: Some(usize::MAX),
        };
        assert_eq!(last.width(), Some(1));
        // An inverted group among the closed groups is a tiling error, not a panic.
        let mut groups = five_year_groups(6);
        groups[3] = inverted;
        assert!(matches!(
            graduate(&groups, &[1.0; 7]),
            Err(Error::BadAgeGroups { .. })
        ));
    }

    #[test]
    fn bad_groups_are_rejected() {
        let mut groups = five_year_groups(6);
        groups[2] = AgeGroup {
            from: 10,
            to: Some(15),
        };
        assert!(matches!(
            graduate(&groups, &[1.0; 7]),
            Err(Error::BadAgeGroups { .. })
        ));
        assert!(matches!(
            graduate(&five_year_groups(3), &[1.0; 4]),
            Err(Error::LengthMismatch { .. })
        ));
        assert!(matches!(
            graduate(&five_year_groups(6), &[1.0, -1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
            Err(Error::InvalidRate { age: 1, .. })
        ));
    }
}
