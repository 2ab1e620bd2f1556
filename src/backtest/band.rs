//! The age bands a backtest compares: `0-4`, `5-14`, `15-59`, `60+`, `65+`, `80+`, `total`.

use crate::demography::census::{CENSUS_GROUP_COUNT, CensusUnit};

/// One band of ages `from ..= to` (`to = None`: and over).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BacktestBand {
    /// The name written in the outputs.
    pub name: &'static str,
    /// First age.
    pub from: usize,
    /// Last age, `None` for an open band.
    pub to: Option<usize>,
}

impl BacktestBand {
    /// Whether `age` is in the band.
    pub fn contains(&self, age: usize) -> bool {
        age >= self.from && self.to.is_none_or(|to| age <= to)
    }

    /// The band's persons in a census table (both sexes): the census groups lie inside
    /// every band.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::backtest::BANDS;
    /// use popalloc::demography::census::CensusUnit;
    ///
    /// let unit = CensusUnit { code: "110101".into(), name: "x".into(), counts: [[10.0; 19]; 2] };
    /// assert_eq!(BANDS[0].census_total(&unit), 40.0); // 0 and 1-4, both sexes
    /// assert_eq!(BANDS[3].census_total(&unit), 120.0); // 60-64 … 85+: 6 groups × 2 sexes
    /// ```
    pub fn census_total(&self, unit: &CensusUnit) -> f64 {
        (0..CENSUS_GROUP_COUNT)
            .filter(|&g| self.contains(group_start(g)))
            .map(|g| unit.counts[0][g] + unit.counts[1][g])
            .sum()
    }
}

/// The first age of census group `g` (`0`, `1-4`, `5-9`, …).
fn group_start(g: usize) -> usize {
    match g {
        0 => 0,
        1 => 1,
        _ => 5 * (g - 1),
    }
}

/// The bands of a backtest, in output order.
pub const BANDS: [BacktestBand; 7] = [
    BacktestBand {
        name: "0-4",
        from: 0,
        to: Some(4),
    },
    BacktestBand {
        name: "5-14",
        from: 5,
        to: Some(14),
    },
    BacktestBand {
        name: "15-59",
        from: 15,
        to: Some(59),
    },
    BacktestBand {
        name: "60+",
        from: 60,
        to: None,
    },
    BacktestBand {
        name: "65+",
        from: 65,
        to: None,
    },
    BacktestBand {
        name: "80+",
        from: 80,
        to: None,
    },
    BacktestBand {
        name: "total",
        from: 0,
        to: None,
    },
];
