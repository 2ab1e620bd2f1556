//! The two sexes of the projection.

use std::fmt;
use std::str::FromStr;

/// A sex, as written in the tidy files: `female` or `male`.
///
/// Females come first everywhere (index 0), as in the dense population array.
///
/// # Examples
///
/// ```
/// use popalloc::Sex;
///
/// let sex: Sex = "male".parse().unwrap();
/// assert_eq!(sex, Sex::Male);
/// assert_eq!(sex.index(), 1);
/// assert_eq!(Sex::Female.to_string(), "female");
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    /// Female (index 0).
    Female,
    /// Male (index 1).
    Male,
}

impl Sex {
    /// Both sexes in array order.
    pub const ALL: [Sex; 2] = [Sex::Female, Sex::Male];

    /// The position of this sex in the dense arrays: 0 for female, 1 for male.
    pub const fn index(self) -> usize {
        match self {
            Sex::Female => 0,
            Sex::Male => 1,
        }
    }

    /// The name used in files: `female` or `male`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was neither `female` nor `male`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSex;

impl FromStr for Sex {
    type Err = UnknownSex;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "female" | "Female" | "f" | "F" => Ok(Sex::Female),
            "male" | "Male" | "m" | "M" => Ok(Sex::Male),
            _ => Err(UnknownSex),
        }
    }
}
