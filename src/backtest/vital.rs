//! The 2010 census's birth and death rates by county (`vital_2010.csv`).

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result};

/// The header `vital_2010.csv` should have (other columns are ignored).
const EXPECTED: &str = "code,name,level,total,birth_rate_per_1000,death_rate_per_1000";

/// One unit's births and deaths of the 12 months before the 2010 census, per 1,000
/// residents.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VitalRates {
    /// Births per 1,000 residents.
    pub birth_rate: f64,
    /// Deaths per 1,000 residents.
    pub death_rate: f64,
}

/// Reads `vital_2010.csv` (`code, name, level, total, birth_rate_per_1000,
/// death_rate_per_1000, …`) into rates by 6-digit code.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be read; [`Error::Csv`] for malformed CSV;
/// [`Error::MissingColumn`]; [`Error::BadField`] for a code that is not 6 digits or a rate
/// that is not a number; [`Error::InvalidValue`] for a rate that is negative, not finite or
/// above 1,000. Several problems are listed together in [`Error::InvalidScenario`].
///
/// # Examples
///
/// ```
/// use popalloc::backtest::read_vital_rates_from;
///
/// let csv = "code,name,level,total,birth_rate_per_1000,death_rate_per_1000\n\
///            500103,渝中区,county,630090,5.83,5.38\n";
/// let rates = read_vital_rates_from(csv.as_bytes(), "vital_2010.csv")?;
/// assert_eq!(rates["500103"].death_rate, 5.38);
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn read_vital_rates_from(
    reader: impl std::io::Read,
    path: impl AsRef<Path>,
) -> Result<BTreeMap<String, VitalRates>> {
    let path = path.as_ref();
    let mut csv = crate::demography::tidy::CsvRows::open(reader, path)?;
    let column = |name: &'static str| {
        csv.column(name).ok_or_else(|| Error::MissingColumn {
            path: path.to_path_buf(),
            column: name,
            expected: EXPECTED,
        })
    };
    let code_col = column("code")?;
    let birth_col = column("birth_rate_per_1000")?;
    let death_col = column("death_rate_per_1000")?;
    let mut rates = BTreeMap::new();
    let mut problems = Vec::new();
    csv.each(&mut problems, |record, row| {
        let field = |c: usize| record.get(c).unwrap_or("");
        let code = field(code_col);
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::BadField {
                path: path.to_path_buf(),
                row,
                field: "code",
                value: code.to_string(),
                expected: "a 6-digit statistical code",
            });
        }
        let rate = |c: usize, name: &'static str| -> Result<f64> {
            let text = field(c);
            let value: f64 = text.parse().map_err(|_| Error::BadField {
                path: path.to_path_buf(),
                row,
                field: name,
                value: text.to_string(),
                expected: "a rate per 1,000 residents",
            })?;
            if !(0.0..=1000.0).contains(&value) {
                return Err(Error::InvalidValue {
                    path: path.to_path_buf(),
                    row,
                    what: name,
                    range: "a rate from 0 to 1,000 per 1,000 residents",
                    value,
                });
            }
            Ok(value)
        };
        let birth_rate = rate(birth_col, "birth_rate_per_1000")?;
        let death_rate = rate(death_col, "death_rate_per_1000")?;
        rates.insert(
            code.to_string(),
            VitalRates {
                birth_rate,
                death_rate,
            },
        );
        Ok(())
    });
    crate::demography::tidy::every_problem(path, problems)?;
    Ok(rates)
}

/// Reads the file `path` as [`read_vital_rates_from`] does.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be opened; the errors of [`read_vital_rates_from`].
pub fn read_vital_rates(path: impl AsRef<Path>) -> Result<BTreeMap<String, VitalRates>> {
    let path = path.as_ref();
    let file = crate::input::open_input(path)?;
    read_vital_rates_from(file, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_that_is_not_a_number_names_row_and_field() {
        let csv = "code,birth_rate_per_1000,death_rate_per_1000\n110101,x,5\n";
        match read_vital_rates_from(csv.as_bytes(), "v.csv") {
            Err(Error::BadField { row, field, .. }) => {
                assert_eq!((row, field), (2, "birth_rate_per_1000"));
            }
            other => panic!("expected a bad field, got {other:?}"),
        }
    }

    #[test]
    fn a_missing_column_is_named() {
        let csv = "code,birth_rate_per_1000\n110101,5\n";
        assert!(matches!(
            read_vital_rates_from(csv.as_bytes(), "v.csv"),
            Err(Error::MissingColumn {
                column: "death_rate_per_1000",
                ..
            })
        ));
    }
}
