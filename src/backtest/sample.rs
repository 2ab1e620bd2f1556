//! The fixed split of provinces into a calibration half and a holdout half.

/// Which half of the provinces a county belongs to.
///
/// The provinces, in the order of their 2-digit codes (11 北京, 12 天津, 13 河北, …, 65
/// 新疆), are dealt alternately: the 1st, 3rd, 5th, … to calibration, the 2nd, 4th, … to
/// holdout. Every parameter a method fits is fitted on the calibration counties only.
///
/// # Examples
///
/// ```
/// use popalloc::backtest::Sample;
///
/// assert_eq!(Sample::of_code("110101"), Sample::Calibration); // 北京, 1st
/// assert_eq!(Sample::of_code("120101"), Sample::Holdout); // 天津, 2nd
/// assert_eq!(Sample::of_code("500103"), Sample::Holdout); // 重庆, 22nd
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sample {
    /// The counties of the odd-ranked provinces.
    Calibration,
    /// The counties of the even-ranked provinces.
    Holdout,
}

/// The 31 provinces of mainland China by their 2-digit code, in code order.
pub const PROVINCES: [&str; 31] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
];

impl Sample {
    /// The half of the county `code` (6 digits); a code whose province is not one of the
    /// 31 goes to holdout, so that nothing unexpected is fitted on.
    pub fn of_code(code: &str) -> Self {
        let province = code.get(..2).unwrap_or("");
        match PROVINCES.iter().position(|p| *p == province) {
            Some(rank) if rank % 2 == 0 => Sample::Calibration,
            _ => Sample::Holdout,
        }
    }

    /// `calibration` or `holdout`, as written in `backtest_summary.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sample::Calibration => "calibration",
            Sample::Holdout => "holdout",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provinces_alternate_in_code_order() {
        let cal: Vec<&str> = PROVINCES
            .iter()
            .copied()
            .filter(|p| Sample::of_code(&format!("{p}0101")) == Sample::Calibration)
            .collect();
        assert_eq!(cal.len(), 16);
        assert_eq!(&cal[..3], &["11", "13", "15"]);
        assert_eq!(Sample::of_code("71"), Sample::Holdout);
    }
}
