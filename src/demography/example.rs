//! A built-in example projection: Sweden 1993, the worked example of Preston, Heuveline &
//! Guillot (2001), Box 6.2 (data and provenance in `data/examples/`).

use crate::demography::graduation::AgeGroup;
use crate::demography::life_table::survival_ratios;
use crate::demography::migration::Migrants;
use crate::demography::population::Population;
use crate::demography::projection::{MigrationTiming, Projection, Projector, StepInput};
use crate::demography::rates::StepRates;
use crate::error::{Error, Result};

const SWEDEN_1993: &str = include_str!("../../data/examples/sweden_1993.csv");
const SOURCE: &str = "data/examples/sweden_1993.csv (built in)";

/// Sweden 1993 with five-year groups and steps, the 1993 rates held constant: a small,
/// published example to run and check the engine on.
///
/// # Examples
///
/// ```
/// let example = popalloc::demography::example::Sweden1993::load()?;
/// let projection = example.project(1)?;
/// let female_0_4 = projection.at(1998).unwrap().get(0, popalloc::Sex::Female, 0).unwrap();
/// assert!((female_0_4 - 302_392.0).abs() < 0.5); // Preston et al. (2001), Box 6.2
/// # Ok::<(), popalloc::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Sweden1993 {
    /// The 1 January 1993 population (males are given the female counts, as in the book).
    pub base: Population,
    /// The rates of every step: survival from the 1993 female life table, ASFR, SRB 1.05.
    pub step: StepInput,
}

impl Sweden1993 {
    /// The base year.
    pub const BASE_YEAR: i32 = 1993;
    /// The width of age groups and steps, in years.
    pub const WIDTH: usize = 5;

    /// Reads the built-in data.
    ///
    /// # Errors
    ///
    /// [`Error::Csv`], [`Error::BadField`] or [`Error::InvalidRate`] if the embedded file
    /// were damaged (a test keeps it whole).
    pub fn load() -> Result<Self> {
        let mut reader = csv::Reader::from_reader(SWEDEN_1993.as_bytes());
        let mut columns: [Vec<f64>; 4] = Default::default();
        for (i, record) in reader.records().enumerate() {
            let record = record.map_err(|source| Error::Csv {
                path: SOURCE.into(),
                source,
            })?;
            let row = i + 2;
            let label = record.get(0).unwrap_or("");
            let expected_from = i * Self::WIDTH;
            if AgeGroup::parse(label).map(|g| g.from) != Some(expected_from) {
                return Err(Error::BadField {
                    path: SOURCE.into(),
                    row,
                    field: "age",
                    value: label.to_string(),
                    expected: "five-year groups in order from 0-4",
                });
            }
            for (c, column) in columns.iter_mut().enumerate() {
                let text = record.get(c + 1).unwrap_or("");
                column.push(text.parse().map_err(|_| Error::BadField {
                    path: SOURCE.into(),
                    row,
                    field: "value",
                    value: text.to_string(),
                    expected: "a number",
                })?);
            }
        }
        let [population, person_years, net_migrants, asfr] = columns;
        let groups = population.len();
        let survival = survival_ratios(100_000.0, &person_years, Self::WIDTH)?;
        let rates = StepRates::from_survival(survival.clone(), survival, asfr, 1.05)?;
        let both = |v: &[f64]| [v, v].concat();
        let base = Population::from_values(
            vec!["Sweden".into()],
            Self::WIDTH,
            groups,
            both(&population),
        )?;
        let migrants = Migrants::from_values(1, groups, both(&net_migrants))?;
        Ok(Self {
            base,
            step: StepInput { rates, migrants },
        })
    }

    /// Projects `steps` five-year steps from 1993 with "even" migration, at most
    /// [`MAX_PROJECTION_YEARS`](crate::scenario::MAX_PROJECTION_YEARS) years (30 steps), as
    /// for a scenario.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for more than 30 steps; the errors of
    /// [`Projector::project`].
    ///
    /// # Examples
    ///
    /// ```
    /// let example = popalloc::demography::example::Sweden1993::load()?;
    /// assert_eq!(example.project(30)?.states.len(), 31);
    /// assert!(example.project(usize::MAX).is_err());
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn project(&self, steps: usize) -> Result<Projection> {
        // Exact: the bound is 30 and the value is only shown in a message.
        let most = crate::scenario::MAX_PROJECTION_YEARS.unsigned_abs() as usize / Self::WIDTH;
        if steps > most {
            return Err(Error::InvalidParameter {
                parameter: "five-year steps of the Sweden 1993 example",
                value: steps as f64,
                range: "at most 30 (150 years)",
            });
        }
        let projector = Projector::new(Self::WIDTH, self.base.groups(), 1, MigrationTiming::Even)?;
        projector.project(
            &self.base,
            Self::BASE_YEAR,
            &vec![self.step.clone(); steps],
            None,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_impossible_number_of_steps_is_refused_before_any_is_made() {
        let example = Sweden1993::load().unwrap();
        for steps in [31, 1 << 40, usize::MAX] {
            let err = example.project(steps).unwrap_err();
            assert!(
                matches!(err, Error::InvalidParameter { .. }),
                "{steps}: {err:?}"
            );
        }
        let projection = example.project(30).unwrap();
        assert_eq!(projection.horizon().unwrap().0, 1993 + 150);
    }
}
