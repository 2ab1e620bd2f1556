//! Named distributions of an uncertain assumption (DESIGN §4): normal, lognormal, triangular,
//! uniform, and a fixed value.

use rand::RngExt;
use rand_distr::{Distribution as _, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The distribution of one uncertain quantity, as written in a scenario's `[uncertainty]`
/// section (`distribution = "normal"`, then its parameters).
///
/// # Examples
///
/// ```
/// use popalloc::uncertainty::Distribution;
///
/// let tfr: Distribution = toml::from_str("distribution = \"lognormal\"\nmedian = 1.0\nsigma = 0.15").unwrap();
/// tfr.check("scenario.toml".as_ref(), "uncertainty.tfr").unwrap();
/// assert_eq!(tfr.median(), 1.0);
/// let bad: Distribution = toml::from_str("distribution = \"uniform\"\nmin = 2.0\nmax = 1.0").unwrap();
/// assert!(bad.check("scenario.toml".as_ref(), "uncertainty.migration").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "distribution", rename_all = "lowercase", deny_unknown_fields)]
pub enum Distribution {
    /// Normal with a mean and a standard deviation (sd ≥ 0; 0 is a fixed value).
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation (≥ 0).
        sd: f64,
    },
    /// Lognormal: `median × exp(sigma × z)`, z standard normal (median > 0, sigma ≥ 0).
    Lognormal {
        /// Median (> 0).
        median: f64,
        /// Standard deviation of the logarithm (≥ 0).
        sigma: f64,
    },
    /// Triangular on `[min, max]` with its peak at `mode` (min ≤ mode ≤ max).
    Triangular {
        /// Lowest value.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Highest value.
        max: f64,
    },
    /// Uniform on `[min, max]` (min ≤ max).
    Uniform {
        /// Lowest value.
        min: f64,
        /// Highest value.
        max: f64,
    },
    /// Always the same value.
    Fixed {
        /// The value.
        value: f64,
    },
}

impl Distribution {
    /// Checks the parameters; `path` and `field` name the file and the quantity in the error
    /// (e.g. `scenario.toml`, `uncertainty.tfr`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSetting`] for a parameter that is not finite or out of its range.
    pub fn check(&self, path: &std::path::Path, field: &str) -> Result<()> {
        let bad = |value: f64, range: &'static str| Error::InvalidSetting {
            path: path.to_path_buf(),
            field: field.to_owned(),
            value,
            range,
        };
        let finite = |values: &[f64]| -> Result<()> {
            match values.iter().find(|v| !v.is_finite()) {
                Some(&v) => Err(bad(v, "finite parameters")),
                None => Ok(()),
            }
        };
        match *self {
            Self::Normal { mean, sd } => {
                finite(&[mean, sd])?;
                if sd < 0.0 {
                    return Err(bad(sd, "sd >= 0"));
                }
            }
            Self::Lognormal { median, sigma } => {
                finite(&[median, sigma])?;
                if median <= 0.0 {
                    return Err(bad(median, "median > 0"));
                }
                if sigma < 0.0 {
                    return Err(bad(sigma, "sigma >= 0"));
                }
            }
            Self::Triangular { min, mode, max } => {
                finite(&[min, mode, max])?;
                if !(min <= mode && mode <= max) {
                    return Err(bad(mode, "min <= mode <= max"));
                }
            }
            Self::Uniform { min, max } => {
                finite(&[min, max])?;
                if min > max {
                    return Err(bad(min, "min <= max"));
                }
            }
            Self::Fixed { value } => finite(&[value])?,
        }
        Ok(())
    }

    /// One draw. Normal and lognormal use one standard normal variate (ziggurat); triangular
    /// and uniform one uniform variate through the inverse distribution function; fixed none.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::uncertainty::{Distribution, draw_generator};
    ///
    /// let mut rng = draw_generator(7, 0);
    /// let x = Distribution::Triangular { min: 0.5, mode: 1.0, max: 1.5 }.sample(&mut rng);
    /// assert!((0.5..=1.5).contains(&x));
    /// ```
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match *self {
            Self::Normal { mean, sd } => {
                let z: f64 = StandardNormal.sample(rng);
                mean + sd * z
            }
            Self::Lognormal { median, sigma } => {
                let z: f64 = StandardNormal.sample(rng);
                median * (sigma * z).exp()
            }
            Self::Triangular { .. } | Self::Uniform { .. } => self.inverse_cdf(rng.random::<f64>()),
            Self::Fixed { value } => value,
        }
    }

    /// The quantile function for triangular, uniform and fixed distributions (`p` in
    /// [0, 1]); normal and lognormal use [`statrs`]' inverse of the normal distribution.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::uncertainty::Distribution;
    ///
    /// let d = Distribution::Normal { mean: 0.0, sd: 1.0 };
    /// assert!((d.inverse_cdf(0.9) - 1.281_551_565_5).abs() < 1e-8);
    /// let t = Distribution::Triangular { min: 0.0, mode: 0.0, max: 1.0 };
    /// assert!((t.inverse_cdf(0.75) - 0.5).abs() < 1e-12);
    /// ```
    pub fn inverse_cdf(&self, p: f64) -> f64 {
        let p = p.clamp(0.0, 1.0);
        let z = || {
            use statrs::distribution::ContinuousCDF;
            // Mean 0, sd 1 are valid parameters: the constructor cannot fail here.
            statrs::distribution::Normal::standard().inverse_cdf(p)
        };
        match *self {
            Self::Normal { mean, sd } => mean + sd * z(),
            Self::Lognormal { median, sigma } => median * (sigma * z()).exp(),
            Self::Triangular { min, mode, max } => {
                let width = max - min;
                if width <= 0.0 {
                    return min;
                }
                let split = (mode - min) / width;
                if p < split {
                    min + (p * width * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - p) * width * (max - mode)).sqrt()
                }
            }
            Self::Uniform { min, max } => min + p * (max - min),
            Self::Fixed { value } => value,
        }
    }

    /// The median (the value at p = 0.5).
    pub fn median(&self) -> f64 {
        self.inverse_cdf(0.5)
    }
}

/// The generator of one draw: ChaCha8 keyed by the run's seed and the draw's number, so a
/// draw's numbers depend on nothing else (not the thread it runs on, not the draws before
/// it). ChaCha8's output for a key is fixed by its specification: the same on every
/// platform and in every version.
///
/// # Examples
///
/// ```
/// use popalloc::uncertainty::draw_generator;
/// use rand::RngExt;
///
/// let a: u64 = draw_generator(42, 3).random();
/// let b: u64 = draw_generator(42, 3).random();
/// let c: u64 = draw_generator(42, 4).random();
/// assert_eq!(a, b);
/// assert_ne!(a, c);
/// ```
pub fn draw_generator(seed: u64, draw: u64) -> rand::rngs::ChaCha8Rng {
    use rand::SeedableRng;
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&draw.to_le_bytes());
    rand::rngs::ChaCha8Rng::from_seed(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted_sample(d: Distribution, n: u64) -> Vec<f64> {
        let mut rng = draw_generator(2021, 0);
        let mut xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        xs.sort_by(f64::total_cmp);
        xs
    }

    #[test]
    fn sample_quantiles_match_the_distribution() {
        let n = 200_000;
        for d in [
            Distribution::Normal { mean: 2.0, sd: 0.5 },
            Distribution::Lognormal {
                median: 1.0,
                sigma: 0.15,
            },
            Distribution::Triangular {
                min: 0.5,
                mode: 1.0,
                max: 1.5,
            },
            Distribution::Uniform {
                min: -1.0,
                max: 3.0,
            },
        ] {
            let xs = sorted_sample(d, n);
            for p in [0.05, 0.1, 0.5, 0.9, 0.95] {
                let sample = xs[(p * n as f64) as usize];
                let exact = d.inverse_cdf(p);
                let spread = d.inverse_cdf(0.9) - d.inverse_cdf(0.1);
                assert!(
                    (sample - exact).abs() < 0.01 * spread,
                    "{d:?} p={p}: sample {sample} vs {exact}"
                );
            }
        }
    }

    #[test]
    fn zero_spread_is_a_fixed_value() {
        let mut rng = draw_generator(1, 1);
        for d in [
            Distribution::Normal { mean: 1.5, sd: 0.0 },
            Distribution::Lognormal {
                median: 1.5,
                sigma: 0.0,
            },
            Distribution::Triangular {
                min: 1.5,
                mode: 1.5,
                max: 1.5,
            },
            Distribution::Uniform { min: 1.5, max: 1.5 },
            Distribution::Fixed { value: 1.5 },
        ] {
            assert_eq!(d.sample(&mut rng), 1.5, "{d:?}");
        }
    }

    #[test]
    fn triangular_quantiles_by_hand() {
        // min 0, mode 1, max 4: F(1) = 1/4; F(x) = x²/4 below the mode.
        let d = Distribution::Triangular {
            min: 0.0,
            mode: 1.0,
            max: 4.0,
        };
        assert!((d.inverse_cdf(0.25) - 1.0).abs() < 1e-12);
        assert!((d.inverse_cdf(0.0625) - 0.5).abs() < 1e-12);
        // Above the mode: 1 − (4 − x)² / 12 = 0.25 + 0.5 ⇒ x = 4 − 3 = 1 … check x = 2.5:
        // F(2.5) = 1 − 2.25/12 = 0.8125.
        assert!((d.inverse_cdf(0.8125) - 2.5).abs() < 1e-12);
    }

    #[test]
    fn bad_parameters_are_named() {
        let cases = [
            Distribution::Normal {
                mean: 0.0,
                sd: -1.0,
            },
            Distribution::Lognormal {
                median: 0.0,
                sigma: 0.1,
            },
            Distribution::Triangular {
                min: 1.0,
                mode: 0.5,
                max: 2.0,
            },
            Distribution::Uniform { min: 1.0, max: 0.0 },
            Distribution::Fixed { value: f64::NAN },
        ];
        for d in cases {
            match d.check("s.toml".as_ref(), "uncertainty.tfr") {
                Err(Error::InvalidSetting { field, .. }) => assert_eq!(field, "uncertainty.tfr"),
                other => panic!("{d:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn unknown_fields_and_names_are_rejected() {
        assert!(
            toml::from_str::<Distribution>(
                "distribution = \"normal\"\nmean = 0\nsd = 1\nsigma = 2"
            )
            .is_err()
        );
        assert!(toml::from_str::<Distribution>("distribution = \"cauchy\"\nmean = 0").is_err());
    }
}
