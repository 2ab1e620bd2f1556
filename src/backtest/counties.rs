//! The counties of a backtest: the units whose code and name agree in the 2010 and 2020
//! census tables and that have an age table and 2010 vital rates, and the ones left out.

use std::collections::BTreeMap;

use crate::backtest::sample::Sample;
use crate::backtest::vital::VitalRates;
use crate::demography::census::{CensusSelection, CensusUnit};

/// One county of the backtest: its 2010 table (the base), its 2020 table (the observed),
/// its 2010 vital rates and its half of the provinces.
#[derive(Debug, Clone, PartialEq)]
pub struct County {
    /// The 6-digit code (the same in both censuses).
    pub code: String,
    /// The name (the same in both censuses).
    pub name: String,
    /// Its half of the provinces.
    pub sample: Sample,
    /// The 2010 census table (1 November 2010).
    pub base: CensusUnit,
    /// The 2020 census table (1 November 2020).
    pub observed: CensusUnit,
    /// Births and deaths of the 12 months before the 2010 census.
    pub vital: VitalRates,
}

/// A unit left out of the backtest and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// The code.
    pub code: String,
    /// The name (the 2010 one when the unit is in the 2010 table).
    pub name: String,
    /// Why, in words.
    pub reason: String,
}

/// The counties of a backtest and the units left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Counties {
    /// The counties compared, in 2010 file order.
    pub counties: Vec<County>,
    /// Every county-level unit of either table left out, with the reason; 2010 units first.
    pub left_out: Vec<LeftOut>,
}

/// Pairs the county-level units of the 2010 and 2020 tables: a unit is kept when its code
/// is in both, with the same name, both years have an age table, and the 2010 vital rates
/// have its code. Every other unit of either table is listed in [`Counties::left_out`].
///
/// # Examples
///
/// ```
/// use popalloc::backtest::{VitalRates, match_counties};
/// use popalloc::demography::census::{CensusSelection, CensusUnit};
///
/// let unit = |code: &str, name: &str| CensusUnit {
///     code: code.into(),
///     name: name.into(),
///     counts: [[10.0; 19]; 2],
/// };
/// let y2010 = CensusSelection { units: vec![unit("110101", "东城区"), unit("110103", "崇文区")], empty: vec![] };
/// let y2020 = CensusSelection { units: vec![unit("110101", "东城区")], empty: vec![] };
/// let vital = [("110101".to_string(), VitalRates { birth_rate: 6.0, death_rate: 6.0 })].into();
/// let matched = match_counties(&y2010, &y2020, &vital);
/// assert_eq!(matched.counties.len(), 1);
/// assert_eq!(matched.left_out[0].code, "110103");
/// ```
pub fn match_counties(
    y2010: &CensusSelection,
    y2020: &CensusSelection,
    vital: &BTreeMap<String, VitalRates>,
) -> Counties {
    let later: BTreeMap<&str, &CensusUnit> =
        y2020.units.iter().map(|u| (u.code.as_str(), u)).collect();
    let later_empty: BTreeMap<&str, &str> = y2020
        .empty
        .iter()
        .map(|(c, n)| (c.as_str(), n.as_str()))
        .collect();
    let earlier_codes: std::collections::BTreeSet<&str> = y2010
        .units
        .iter()
        .map(|u| u.code.as_str())
        .chain(y2010.empty.iter().map(|(c, _)| c.as_str()))
        .collect();
    let mut out = Counties {
        counties: Vec::new(),
        left_out: Vec::new(),
    };
    let mut leave = |code: &str, name: &str, reason: String| {
        out.left_out.push(LeftOut {
            code: code.to_string(),
            name: name.to_string(),
            reason,
        });
    };
    for (code, name) in &y2010.empty {
        leave(code, name, "no 2010 age table (all zero)".into());
    }
    let mut counties = Vec::new();
    for unit in &y2010.units {
        let code = unit.code.as_str();
        let reason = match (later.get(code), later_empty.get(code), vital.get(code)) {
            (Some(now), _, Some(rates)) if now.name == unit.name => {
                counties.push(County {
                    code: unit.code.clone(),
                    name: unit.name.clone(),
                    sample: Sample::of_code(code),
                    base: unit.clone(),
                    observed: (*now).clone(),
                    vital: *rates,
                });
                continue;
            }
            (Some(now), _, _) if now.name != unit.name => {
                format!("code named {} in 2020 (renamed or recoded)", now.name)
            }
            (Some(_), _, _) => "no 2010 birth and death rates".to_string(),
            (None, Some(_), _) => "no 2020 age table (all zero)".to_string(),
            (None, None, _) => "code not in the 2020 table (merged, renamed or recoded)".into(),
        };
        leave(code, &unit.name, reason);
    }
    for unit in y2020
        .units
        .iter()
        .filter(|u| !earlier_codes.contains(u.code.as_str()))
    {
        leave(
            &unit.code,
            &unit.name,
            "code not in the 2010 table (new or recoded)".into(),
        );
    }
    for (code, name) in y2020
        .empty
        .iter()
        .filter(|(c, _)| !earlier_codes.contains(c.as_str()))
    {
        leave(
            code,
            name,
            "code not in the 2010 table; no 2020 age table".into(),
        );
    }
    out.counties = counties;
    out
}
