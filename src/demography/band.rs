//! Cohort bands: named, inclusive age ranges such as "elderly 60+".

use crate::error::{Error, Result};

/// A cohort band: an inclusive range of single ages with a name, e.g. infants 0–2
/// (3岁以下) or elderly 60+ (open-ended). Bands are data: a scenario may define its own.
///
/// # Examples
///
/// ```
/// use popalloc::Band;
///
/// let elderly = Band::new("elderly", 60, None).unwrap();
/// assert!(elderly.contains(100));
/// assert!(!elderly.contains(59));
/// assert!(Band::new("bad", 10, Some(5)).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Band {
    name: String,
    from: usize,
    to: Option<usize>,
}

impl Band {
    /// A band of ages `from..=to`, or `from` and over when `to` is `None`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when the name is empty or `to < from`.
    pub fn new(name: impl Into<String>, from: usize, to: Option<usize>) -> Result<Self> {
        let name = name.into();
        if name.trim().is_empty() {
            return Err(Error::InvalidParameter {
                parameter: "band name",
                value: f64::NAN,
                range: "a non-empty name",
            });
        }
        if let Some(to) = to
            && to < from
        {
            return Err(Error::InvalidParameter {
                parameter: "band upper age",
                value: to as f64,
                range: "at least the band's lower age",
            });
        }
        Ok(Self { name, from, to })
    }

    /// The band's name, e.g. `elderly`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The first age of the band.
    pub fn from(&self) -> usize {
        self.from
    }

    /// The last age of the band, `None` for an open-ended band.
    pub fn to(&self) -> Option<usize> {
        self.to
    }

    /// Whether a single age lies in the band.
    pub fn contains(&self, age: usize) -> bool {
        age >= self.from && self.to.is_none_or(|to| age <= to)
    }

    /// The default bands of DESIGN §2: infants 0–2 (3岁以下), preschool 3–5, primary 6–11,
    /// junior 12–14, senior 15–17, elderly 60+, and 65+ and 80+.
    ///
    /// # Examples
    ///
    /// ```
    /// let bands = popalloc::Band::defaults();
    /// assert_eq!(bands[0].name(), "infants");
    /// assert_eq!(bands.len(), 8);
    /// ```
    pub fn defaults() -> Vec<Band> {
        [
            ("infants", 0, Some(2)),
            ("preschool", 3, Some(5)),
            ("primary", 6, Some(11)),
            ("junior", 12, Some(14)),
            ("senior", 15, Some(17)),
            ("elderly", 60, None),
            ("aged_65_plus", 65, None),
            ("aged_80_plus", 80, None),
        ]
        .into_iter()
        .map(|(name, from, to)| Band {
            name: name.to_string(),
            from,
            to,
        })
        .collect()
    }
}
