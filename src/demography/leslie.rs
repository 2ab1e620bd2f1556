//! Leslie analysis of one step's rates (DESIGN §4, "Leslie"): the projection matrix that
//! reproduces the fast step on a closed population, its dominant eigenvalue (intrinsic
//! growth), stable age structure and reproductive values.
//!
//! The projection itself never multiplies matrices (the step in
//! [`Projector`](crate::Projector) runs on slices); the matrix is for analysis and for
//! checking the step.

use nalgebra::{DMatrix, DVector};

use crate::demography::rates::StepRates;
use crate::demography::sex::Sex;
use crate::error::{Error, Result, check_parameter};

/// Convergence tolerance of the power iterations behind the Leslie analysis: the iteration
/// stops when the L1 distance between two successive iterates, each scaled to sum 1, is at
/// most this.
///
/// # Examples
///
/// ```
/// assert!(popalloc::LESLIE_TOLERANCE > 0.0 && popalloc::LESLIE_TOLERANCE < 1e-9);
/// ```
pub const LESLIE_TOLERANCE: f64 = 1e-13;

/// The most iterations a power iteration of the Leslie analysis may take before it reports
/// [`Error::NoConvergence`].
///
/// # Examples
///
/// ```
/// assert!(popalloc::LESLIE_MAX_ITERATIONS >= 10_000);
/// ```
pub const LESLIE_MAX_ITERATIONS: usize = 200_000;

/// A Leslie (population projection) matrix: square, every entry finite and non-negative,
/// checked once by the constructors.
///
/// Row `x`, column `y` is the number of persons in age group `x` at the end of a step per
/// person in age group `y` at its start. [`LeslieMatrix::female_dominant`] and
/// [`LeslieMatrix::two_sex`] build the matrix of a step's rates so that its product with a
/// population equals the fast step of [`Projector`](crate::Projector) on a closed
/// population.
///
/// # Analysis
///
/// [`dominant_eigenvalue`](LeslieMatrix::dominant_eigenvalue) λ,
/// [`intrinsic_growth_rate`](LeslieMatrix::intrinsic_growth_rate) r = ln(λ)/n,
/// [`stable_age_structure`](LeslieMatrix::stable_age_structure) (the right eigenvector of λ,
/// summing to 1) and [`reproductive_values`](LeslieMatrix::reproductive_values) (the left
/// eigenvector, v(0) = 1) are each computed on demand; [`LeslieMatrix::analyse`] computes
/// all four with one power iteration per eigenvector.
///
/// The eigenvectors come from power iteration on the shifted matrix A + I, which has the
/// same eigenvectors as A and eigenvalues 1 + μ: the shift makes the dominant eigenvalue
/// strictly dominant in modulus even when A is imprimitive (fertility in only some age
/// groups, e.g. every other one), where plain power iteration would oscillate. Iterates are
/// scaled to sum 1; the iteration stops when two successive iterates differ by at most
/// [`LESLIE_TOLERANCE`] (L1) and gives up after [`LESLIE_MAX_ITERATIONS`].
///
/// # References
///
/// Leslie, P. H. (1945). On the use of matrices in certain population mathematics.
/// *Biometrika* 33(3), 183–212. Caswell, H. (2001). *Matrix Population Models*, 2nd ed.,
/// ch. 4. Preston, S. H., Heuveline, P. & Guillot, M. (2001). *Demography*, ch. 6.
///
/// # Examples
///
/// A textbook matrix with λ = 1.5:
///
/// ```
/// use nalgebra::DMatrix;
/// use popalloc::LeslieMatrix;
///
/// let a = LeslieMatrix::new(DMatrix::from_row_slice(3, 3, &[
///     0.0, 4.0, 3.0,
///     0.5, 0.0, 0.0,
///     0.0, 0.25, 0.0,
/// ]))?;
/// assert!((a.dominant_eigenvalue()? - 1.5).abs() < 1e-12);
/// assert_eq!(a.apply(&[10.0, 0.0, 0.0])?, vec![0.0, 5.0, 0.0]);
/// # Ok::<(), popalloc::Error>(())
/// ```
#[doc(alias = "projection matrix")]
#[derive(Debug, Clone, PartialEq)]
pub struct LeslieMatrix {
    matrix: DMatrix<f64>,
}

/// The results of a Leslie analysis (see [`LeslieMatrix::analyse`]).
///
/// # Examples
///
/// ```
/// use nalgebra::DMatrix;
/// use popalloc::LeslieMatrix;
///
/// let a = LeslieMatrix::new(DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 0.5, 0.0]))?;
/// let analysis = a.analyse(5)?;
/// // λ² = λ + 0.5
/// let lambda = (1.0 + 3.0_f64.sqrt()) / 2.0;
/// assert!((analysis.eigenvalue - lambda).abs() < 1e-12);
/// assert!((analysis.growth_rate - lambda.ln() / 5.0).abs() < 1e-12);
/// assert!((analysis.stable_structure.iter().sum::<f64>() - 1.0).abs() < 1e-12);
/// assert_eq!(analysis.reproductive_values[0], 1.0);
/// # Ok::<(), popalloc::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LeslieAnalysis {
    /// The dominant eigenvalue λ: the factor by which a stable population grows per step.
    pub eigenvalue: f64,
    /// The intrinsic growth rate r = ln(λ) / n per year, n being the step length.
    pub growth_rate: f64,
    /// The stable age structure: the right eigenvector of λ, scaled to sum 1.
    pub stable_structure: Vec<f64>,
    /// The reproductive values: the left eigenvector of λ, scaled so that v(0) = 1.
    pub reproductive_values: Vec<f64>,
}

impl LeslieMatrix {
    /// A Leslie matrix from a square matrix of finite, non-negative entries.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] when the matrix is empty or not square;
    /// [`Error::InvalidRate`] for an entry that is negative or not finite (its `age` is the
    /// entry's row-major flat index, row × dimension + column).
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use popalloc::{Error, LeslieMatrix};
    ///
    /// let ok = LeslieMatrix::new(DMatrix::from_row_slice(2, 2, &[0.0, 1.2, 0.9, 0.0]))?;
    /// assert_eq!(ok.dimension(), 2);
    /// let negative = LeslieMatrix::new(DMatrix::from_row_slice(2, 2, &[0.0, 1.2, -0.9, 0.0]));
    /// assert!(matches!(negative, Err(Error::InvalidRate { age: 2, .. })));
    /// let not_square = LeslieMatrix::new(DMatrix::zeros(2, 3));
    /// assert!(matches!(not_square, Err(Error::LengthMismatch { .. })));
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn new(matrix: DMatrix<f64>) -> Result<Self> {
        let (rows, columns) = matrix.shape();
        if rows == 0 {
            return Err(Error::LengthMismatch {
                what: "Leslie matrix rows (at least 1)",
                expected: 1,
                found: 0,
            });
        }
        if columns != rows {
            return Err(Error::LengthMismatch {
                what: "Leslie matrix columns vs rows",
                expected: rows,
                found: columns,
            });
        }
        for row in 0..rows {
            for column in 0..columns {
                let value = matrix[(row, column)];
                if !value.is_finite() || value < 0.0 {
                    return Err(Error::InvalidRate {
                        schedule: "Leslie matrix entry",
                        age: row * columns + column,
                        value,
                        range: "a finite number >= 0",
                    });
                }
            }
        }
        Ok(Self { matrix })
    }

    /// The female-dominant Leslie matrix of a step's rates, with age groups and step
    /// `width` years long: its product with a closed female population (no migration)
    /// equals the females at the end of the fast step of [`Projector`](crate::Projector)
    /// with all area multipliers 1.
    ///
    /// # Formula
    ///
    /// The step gives, for females W without migration, W(x, t+n) = S(x) W(x−1, t)
    /// (1 ≤ x ≤ ω−1), W(ω, t+n) = S(ω) (W(ω−1, t) + W(ω, t)), and births
    /// B = n Σ f(x) ½ (W(x, t) + W(x, t+n)) over x = 1..ω−1, of which 1/(1+SRB) are girls
    /// and S(0) of them survive to the end of the step. Collecting the terms of each W(y, t):
    ///
    /// ```text
    /// A[0][y]   = S(0) · 1/(1+SRB) · (n/2) · (f(y) + f(y+1) · S(y+1))    0 ≤ y ≤ ω−1
    /// A[x][x−1] = S(x)                                                   1 ≤ x ≤ ω
    /// A[ω][ω]   = S(ω)
    /// ```
    ///
    /// with f(0) = f(ω) = 0 (guaranteed by [`StepRates`]), so that A(0, ω) = 0. Had f(ω)
    /// been positive, the open group's end exposure S(ω)(W(ω−1) + W(ω)) would add
    /// (n/2) f(ω) S(ω) to the first-row entries of ω−1 and (n/2) f(ω) (1 + S(ω)) to ω; the
    /// code writes these terms, which vanish.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when `width` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{LeslieMatrix, StepRates};
    ///
    /// let s = vec![0.99, 0.98, 0.9, 0.5];
    /// let rates = StepRates::from_survival(s.clone(), s, vec![0.0, 0.2, 0.1, 0.0], 1.0)?;
    /// let a = LeslieMatrix::female_dominant(&rates, 5)?;
    /// // Girls per woman aged 0..4: half of (5/2) f(1) S(1), surviving with S(0).
    /// let expected = 0.99 * 0.5 * 2.5 * (0.2 * 0.98);
    /// assert!((a.matrix()[(0, 0)] - expected).abs() < 1e-15);
    /// assert_eq!(a.matrix()[(3, 3)], 0.5);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    #[doc(alias = "female-dominant projection matrix")]
    pub fn female_dominant(rates: &StepRates, width: usize) -> Result<Self> {
        let births = births_per_woman(rates, width)?;
        let g = rates.groups();
        let female_share = 1.0 / (1.0 + rates.sex_ratio_at_birth());
        let mut matrix = DMatrix::zeros(g, g);
        let infant_survival = rates.survival(Sex::Female)[0];
        for (y, b) in births.iter().enumerate() {
            matrix[(0, y)] = infant_survival * female_share * b;
        }
        survival_block(&mut matrix, 0, rates.survival(Sex::Female));
        Self::new(matrix)
    }

    /// The two-sex Leslie matrix of a step's rates: 2(ω+1) rows and columns, females first
    /// (ages 0..=ω), then males. Its product with a closed population laid out like one area
    /// of a [`Population`](crate::Population) (females then males) equals the fast step of
    /// [`Projector`](crate::Projector) with all area multipliers 1, for both sexes.
    ///
    /// # Formula
    ///
    /// In block form, with F the female-dominant matrix
    /// ([`LeslieMatrix::female_dominant`]), b(y) = (n/2)(f(y) + f(y+1) S_f(y+1)) the births
    /// per woman aged y at the start, and M the males' survival (sub-diagonal S_m(x) and the
    /// open group's S_m(ω) on the diagonal):
    ///
    /// ```text
    /// ┌ F  0 ┐     the male first row of the lower-left block is
    /// └ G  M ┘     G[0][y] = S_m(0) · SRB/(1+SRB) · b(y); other rows of G are 0
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] when `width` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{LeslieMatrix, StepRates};
    ///
    /// let s = vec![0.99, 0.98, 0.9, 0.5];
    /// let rates = StepRates::from_survival(s.clone(), s, vec![0.0, 0.2, 0.1, 0.0], 1.05)?;
    /// let a = LeslieMatrix::two_sex(&rates, 1)?;
    /// assert_eq!(a.dimension(), 8);
    /// // 100 women aged 1 at the start: boys aged 0 at the end.
    /// let end = a.apply(&[0.0, 100.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])?;
    /// let boys = 0.99 * (1.05 / 2.05) * 0.5 * (0.2 + 0.1 * 0.9) * 100.0;
    /// assert!((end[4] - boys).abs() < 1e-12);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn two_sex(rates: &StepRates, width: usize) -> Result<Self> {
        let births = births_per_woman(rates, width)?;
        let g = rates.groups();
        let female_share = 1.0 / (1.0 + rates.sex_ratio_at_birth());
        // SRB / (1 + SRB), computed as the step computes it.
        let male_share = 1.0 - female_share;
        let mut matrix = DMatrix::zeros(2 * g, 2 * g);
        let female_infant = rates.survival(Sex::Female)[0];
        let male_infant = rates.survival(Sex::Male)[0];
        for (y, b) in births.iter().enumerate() {
            matrix[(0, y)] = female_infant * female_share * b;
            matrix[(g, y)] = male_infant * male_share * b;
        }
        survival_block(&mut matrix, 0, rates.survival(Sex::Female));
        survival_block(&mut matrix, g, rates.survival(Sex::Male));
        Self::new(matrix)
    }

    /// The matrix.
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// let a = popalloc::LeslieMatrix::new(DMatrix::identity(3, 3))?;
    /// assert_eq!(a.matrix()[(1, 1)], 1.0);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn matrix(&self) -> &DMatrix<f64> {
        &self.matrix
    }

    /// The matrix, consuming the Leslie matrix.
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// let a = popalloc::LeslieMatrix::new(DMatrix::identity(3, 3))?;
    /// assert_eq!(a.into_matrix(), DMatrix::identity(3, 3));
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn into_matrix(self) -> DMatrix<f64> {
        self.matrix
    }

    /// The number of rows (and columns): age groups, times 2 for a two-sex matrix.
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// let a = popalloc::LeslieMatrix::new(DMatrix::zeros(4, 4))?;
    /// assert_eq!(a.dimension(), 4);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn dimension(&self) -> usize {
        self.matrix.nrows()
    }

    /// The product A · v: the population one step after `v`.
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] when `v` does not have [`LeslieMatrix::dimension`] values.
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use popalloc::LeslieMatrix;
    ///
    /// let a = LeslieMatrix::new(DMatrix::from_row_slice(2, 2, &[0.0, 2.0, 0.5, 0.0]))?;
    /// assert_eq!(a.apply(&[4.0, 1.0])?, vec![2.0, 2.0]);
    /// assert!(a.apply(&[1.0]).is_err());
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn apply(&self, v: &[f64]) -> Result<Vec<f64>> {
        let n = self.dimension();
        if v.len() != n {
            return Err(Error::LengthMismatch {
                what: "vector vs Leslie matrix dimension",
                expected: n,
                found: v.len(),
            });
        }
        let product = &self.matrix * DVector::from_column_slice(v);
        Ok(product.as_slice().to_vec())
    }

    /// The dominant eigenvalue λ: the factor by which a population in the stable age
    /// structure grows in one step.
    ///
    /// # Errors
    ///
    /// [`Error::NoConvergence`] when the power iteration does not reach
    /// [`LESLIE_TOLERANCE`] within [`LESLIE_MAX_ITERATIONS`] (e.g. a dominant eigenvalue
    /// without a single eigenvector, as in a nilpotent matrix).
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use popalloc::LeslieMatrix;
    ///
    /// let a = LeslieMatrix::new(DMatrix::from_row_slice(2, 2, &[0.0, 2.0, 0.5, 0.0]))?;
    /// assert!((a.dominant_eigenvalue()? - 1.0).abs() < 1e-12);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    #[doc(alias = "lambda")]
    pub fn dominant_eigenvalue(&self) -> Result<f64> {
        let u = power_iteration(&self.matrix, false)?;
        Ok(self.eigenvalue_of(&u))
    }

    /// The intrinsic growth rate r = ln(λ) / n per year, for steps `width` = n years long.
    ///
    /// # Errors
    ///
    /// As [`LeslieMatrix::dominant_eigenvalue`]; [`Error::InvalidParameter`] when `width`
    /// is 0 or λ is 0 (a population that dies out in finitely many steps has no growth
    /// rate).
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use popalloc::LeslieMatrix;
    ///
    /// let a = LeslieMatrix::new(DMatrix::from_row_slice(2, 2, &[0.0, 8.0, 0.5, 0.0]))?;
    /// // λ = 2 over a 5-year step.
    /// assert!((a.intrinsic_growth_rate(5)? - 2.0_f64.ln() / 5.0).abs() < 1e-12);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    #[doc(alias = "intrinsic rate of natural increase")]
    pub fn intrinsic_growth_rate(&self, width: usize) -> Result<f64> {
        growth_rate(self.dominant_eigenvalue()?, width)
    }

    /// The stable age structure: the right eigenvector u of λ (A u = λ u), scaled to sum 1.
    ///
    /// # Errors
    ///
    /// As [`LeslieMatrix::dominant_eigenvalue`].
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use popalloc::LeslieMatrix;
    ///
    /// let a = LeslieMatrix::new(DMatrix::from_row_slice(2, 2, &[0.0, 2.0, 0.5, 0.0]))?;
    /// let u = a.stable_age_structure()?;
    /// assert!((u[0] - 2.0 / 3.0).abs() < 1e-12 && (u[1] - 1.0 / 3.0).abs() < 1e-12);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    #[doc(alias = "stable population")]
    pub fn stable_age_structure(&self) -> Result<Vec<f64>> {
        Ok(power_iteration(&self.matrix, false)?.as_slice().to_vec())
    }

    /// The reproductive values: the left eigenvector v of λ (v A = λ v), scaled so that
    /// v(0) = 1.
    ///
    /// # Errors
    ///
    /// As [`LeslieMatrix::dominant_eigenvalue`]; [`Error::InvalidParameter`] when v(0) is 0
    /// (the first age group contributes nothing to the dominant growth, so it cannot be the
    /// unit).
    ///
    /// # Examples
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use popalloc::LeslieMatrix;
    ///
    /// let a = LeslieMatrix::new(DMatrix::from_row_slice(2, 2, &[0.0, 2.0, 0.5, 0.0]))?;
    /// // λ = 1: v(1) = (λ v(0) − F(0)) / S(1) = 1 / 0.5.
    /// let v = a.reproductive_values()?;
    /// assert_eq!(v[0], 1.0);
    /// assert!((v[1] - 2.0).abs() < 1e-12);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    #[doc(alias = "reproductive value")]
    pub fn reproductive_values(&self) -> Result<Vec<f64>> {
        let v = power_iteration(&self.matrix, true)?;
        let first = v[0];
        check_parameter(
            "reproductive value of the first age group",
            first,
            first > 0.0,
            "> 0 to scale the reproductive values by",
        )?;
        Ok(v.iter().map(|value| value / first).collect())
    }

    /// The whole analysis for steps `width` years long: λ, r, the stable age structure and
    /// the reproductive values, with one power iteration per eigenvector.
    ///
    /// # Errors
    ///
    /// As [`LeslieMatrix::intrinsic_growth_rate`] and
    /// [`LeslieMatrix::reproductive_values`].
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{LeslieMatrix, LifeTable, Sex, StepRates};
    ///
    /// let mx: Vec<f64> = (0..=100).map(|x| 0.0001 * (0.09 * x as f64).exp() + 0.001).collect();
    /// let table = LifeTable::from_mx(Sex::Female, &mx)?;
    /// let mut asfr = vec![0.0; 101];
    /// for age in 15..50 { asfr[age] = 1.2 / 35.0; }
    /// let rates = StepRates::from_survival(
    ///     table.survival_ratios(), table.survival_ratios(), asfr, 1.06)?;
    /// let analysis = LeslieMatrix::female_dominant(&rates, 1)?.analyse(1)?;
    /// assert!(analysis.eigenvalue < 1.0 && analysis.growth_rate < 0.0);
    /// assert_eq!(analysis.stable_structure.len(), 101);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn analyse(&self, width: usize) -> Result<LeslieAnalysis> {
        let u = power_iteration(&self.matrix, false)?;
        let eigenvalue = self.eigenvalue_of(&u);
        let growth_rate = growth_rate(eigenvalue, width)?;
        let reproductive_values = self.reproductive_values()?;
        Ok(LeslieAnalysis {
            eigenvalue,
            growth_rate,
            stable_structure: u.as_slice().to_vec(),
            reproductive_values,
        })
    }

    /// λ from a converged right eigenvector u with non-negative entries summing to 1:
    /// Σ (A u) / Σ u = Σ (A u).
    fn eigenvalue_of(&self, u: &DVector<f64>) -> f64 {
        (&self.matrix * u).sum()
    }
}

/// Births in the step per woman of each age group at its start (the step's b(y), DESIGN §4),
/// before the split by sex and infant survival.
fn births_per_woman(rates: &StepRates, width: usize) -> Result<Vec<f64>> {
    check_parameter("step width n (years)", width as f64, width >= 1, ">= 1")?;
    // Exact for any width a projection can have (far below 2^53).
    let n = width as f64;
    let fertility = rates.fertility();
    let survival = rates.survival(Sex::Female);
    let g = fertility.len();
    let omega = g - 1;
    let mut births = vec![0.0; g];
    // B = n Σ f(x) ½ (W(x, t) + W(x, t+n)); f(0) = 0 (age 0 at the end is the births
    // themselves), so x starts at 1, as in the step.
    for x in 1..g {
        let weight = n * fertility[x] * 0.5;
        // Start exposure W(x, t).
        births[x] += weight;
        // End exposure W(x, t+n) in terms of the start population.
        if x < omega {
            births[x - 1] += weight * survival[x];
        } else {
            // The open group: S(ω) (W(ω−1, t) + W(ω, t)). f(ω) = 0, so these add 0.
            births[omega - 1] += weight * survival[omega];
            births[omega] += weight * survival[omega];
        }
    }
    Ok(births)
}

/// Writes one sex's survival into the block starting at row and column `offset`:
/// A[x][x−1] = S(x) for 1 ≤ x ≤ ω and A[ω][ω] = S(ω).
fn survival_block(matrix: &mut DMatrix<f64>, offset: usize, survival: &[f64]) {
    let omega = survival.len() - 1;
    for x in 1..=omega {
        matrix[(offset + x, offset + x - 1)] = survival[x];
    }
    matrix[(offset + omega, offset + omega)] = survival[omega];
}

/// r = ln(λ) / n.
fn growth_rate(eigenvalue: f64, width: usize) -> Result<f64> {
    check_parameter("step width n (years)", width as f64, width >= 1, ">= 1")?;
    check_parameter(
        "dominant eigenvalue of the Leslie matrix",
        eigenvalue,
        eigenvalue > 0.0,
        "> 0 for a growth rate",
    )?;
    // Exact for any width a projection can have (far below 2^53).
    Ok(eigenvalue.ln() / width as f64)
}

/// The dominant eigenvector of `matrix` (of its transpose when `left`), with non-negative
/// entries summing to 1, by power iteration on the shifted matrix (A + I).
///
/// A Leslie matrix of g groups has about 2g non-zero entries out of g², so the iteration
/// multiplies by the list of non-zero entries of A + I rather than by the dense matrix.
fn power_iteration(matrix: &DMatrix<f64>, left: bool) -> Result<DVector<f64>> {
    let n = matrix.nrows();
    // (row, column, value) of the non-zero entries of A + I (of Aᵀ + I when `left`).
    let mut entries = Vec::new();
    for column in 0..n {
        for row in 0..n {
            let value = matrix[(row, column)] + if row == column { 1.0 } else { 0.0 };
            // Entries are non-negative, so "non-zero" is "> 0".
            if value > 0.0 {
                entries.push(if left {
                    (column, row, value)
                } else {
                    (row, column, value)
                });
            }
        }
    }
    let what = if left {
        "power iteration for the reproductive values (left eigenvector)"
    } else {
        "power iteration for the stable age structure (right eigenvector)"
    };
    // Exact for any dimension that fits in memory (far below 2^53).
    let mut u = vec![1.0 / n as f64; n];
    let mut next = vec![0.0; n];
    let mut change = f64::INFINITY;
    for _ in 0..LESLIE_MAX_ITERATIONS {
        next.fill(0.0);
        for &(row, column, value) in &entries {
            next[row] += value * u[column];
        }
        // With A ≥ 0 and u ≥ 0 summing to 1, (A + I) u sums to at least 1.
        let sum: f64 = next.iter().sum();
        if !sum.is_finite() {
            return Err(Error::NoConvergence {
                what,
                detail: format!("the iterate's sum overflowed to {sum}"),
            });
        }
        change = 0.0;
        for (a, b) in next.iter_mut().zip(&u) {
            *a /= sum;
            change += (*a - b).abs();
        }
        std::mem::swap(&mut u, &mut next);
        if change <= LESLIE_TOLERANCE {
            return Ok(DVector::from_vec(u));
        }
    }
    Err(Error::NoConvergence {
        what,
        detail: format!(
            "successive iterates still differ by {change:e} (L1) after {LESLIE_MAX_ITERATIONS} \
             iterations, tolerance {LESLIE_TOLERANCE:e}"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        LifeTable, Migrants, MigrationTiming, Population, Projector, StepFlows, StepInput,
    };

    /// The tolerance of identities between the matrix and the step, relative.
    const IDENTITY_TOLERANCE: f64 = 1e-9;

    /// Gompertz-like death rates with a higher infant rate; men 40% above women.
    fn mx(sex: Sex) -> Vec<f64> {
        let k = match sex {
            Sex::Female => 1.0,
            Sex::Male => 1.4,
        };
        (0..=100)
            .map(|x| k * (0.00004 * (0.095 * x as f64).exp() + if x == 0 { 0.004 } else { 0.0002 }))
            .collect()
    }

    /// A bell-shaped ASFR on ages 15..=49 summing to `tfr`.
    fn asfr(tfr: f64) -> Vec<f64> {
        let mut f = vec![0.0; 101];
        for x in 15..50 {
            f[x] = (-0.5 * ((x as f64 - 29.0) / 5.5).powi(2)).exp();
        }
        let sum: f64 = f.iter().sum();
        f.iter().map(|v| v * tfr / sum).collect()
    }

    fn rates(tfr: f64) -> StepRates {
        let female = LifeTable::from_mx(Sex::Female, &mx(Sex::Female)).unwrap();
        let male = LifeTable::from_mx(Sex::Male, &mx(Sex::Male)).unwrap();
        StepRates::from_life_tables(&female, &male, asfr(tfr), 1.06).unwrap()
    }

    /// An uneven, positive single-year population of one area.
    fn start_population(width: usize, groups: usize) -> Population {
        let mut values = Vec::with_capacity(2 * groups);
        for s in 0..2 {
            for x in 0..groups {
                let x = x as f64;
                values.push(
                    1000.0 * (-0.012 * x).exp() * (1.0 + 0.3 * (x / 7.0 + s as f64).sin()) + 5.0,
                );
            }
        }
        Population::from_values(vec!["Jiefangbei".into()], width, groups, values).unwrap()
    }

    fn step(rates: &StepRates, start: &Population, timing: MigrationTiming) -> Population {
        let groups = rates.groups();
        let projector = Projector::new(start.width(), groups, 1, timing).unwrap();
        let input = StepInput {
            rates: rates.clone(),
            migrants: Migrants::zeros(1, groups).unwrap(),
        };
        let mut end = start.clone();
        let mut flows = StepFlows::zeros(1, groups).unwrap();
        projector.step(start, &input, &mut end, &mut flows).unwrap();
        end
    }

    fn assert_relative(found: &[f64], expected: &[f64], what: &str) {
        assert_eq!(found.len(), expected.len(), "{what}: lengths");
        for (x, (a, b)) in found.iter().zip(expected).enumerate() {
            assert!(
                (a - b).abs() <= IDENTITY_TOLERANCE * b.abs(),
                "{what}, index {x}: matrix {a} vs step {b}"
            );
        }
    }

    fn textbook() -> LeslieMatrix {
        LeslieMatrix::new(DMatrix::from_row_slice(
            3,
            3,
            &[0.0, 4.0, 3.0, 0.5, 0.0, 0.0, 0.0, 0.25, 0.0],
        ))
        .unwrap()
    }

    /// ‖A u − λ u‖₁ ≤ tolerance · λ ‖u‖₁ (right), or the same for v A (left).
    fn assert_eigenvector(a: &LeslieMatrix, lambda: f64, vector: &[f64], left: bool) {
        let v = DVector::from_column_slice(vector);
        let product = if left {
            a.matrix().transpose() * &v
        } else {
            a.matrix() * &v
        };
        let residual = (product - &v * lambda).lp_norm(1);
        assert!(
            residual <= IDENTITY_TOLERANCE * lambda * v.lp_norm(1),
            "residual {residual:e} (left: {left})"
        );
    }

    #[test]
    fn textbook_matrix_has_known_eigenvalue_structure_and_reproductive_values() {
        // Characteristic equation: λ³ = 4·0.5 λ + 3·0.5·0.25 = 2λ + 0.375, and
        // 1.5³ = 3.375 = 2·1.5 + 0.375. The other roots, (−1.5 ± √1.25)/2 ≈ −0.191 and
        // −1.309, are smaller in modulus.
        let a = textbook();
        let analysis = a.analyse(1).unwrap();
        assert!((analysis.eigenvalue - 1.5).abs() < 1e-12);
        assert!((analysis.growth_rate - 1.5_f64.ln()).abs() < 1e-12);
        // Right eigenvector: u1 = 0.5 u0 / λ = u0 / 3, u2 = 0.25 u1 / λ = u0 / 18,
        // so u ∝ (18, 6, 1) and sums to 25.
        for (found, expected) in analysis.stable_structure.iter().zip([18.0, 6.0, 1.0]) {
            assert!((found - expected / 25.0).abs() < 1e-12, "{found}");
        }
        // Left eigenvector v A = λ v, column by column with v0 = 1:
        // column 0: 0.5 v1 = λ v0            → v1 = (λ v0 − F0) / P0 = (1.5 − 0) / 0.5 = 3;
        // column 1: 4 v0 + 0.25 v2 = λ v1    → v2 = (λ v1 − F1) / P1 = (4.5 − 4) / 0.25 = 2;
        // column 2: 3 v0 = λ v2              → 3 = 1.5 · 2, consistent.
        assert_eq!(analysis.reproductive_values[0], 1.0);
        for (found, expected) in analysis.reproductive_values.iter().zip([1.0, 3.0, 2.0]) {
            assert!((found - expected).abs() < 1e-12, "{found}");
        }
        // The separate methods agree with the analysis.
        assert!((a.dominant_eigenvalue().unwrap() - 1.5).abs() < 1e-12);
        assert!((a.intrinsic_growth_rate(5).unwrap() - 1.5_f64.ln() / 5.0).abs() < 1e-12);
        assert_eq!(a.stable_age_structure().unwrap(), analysis.stable_structure);
        assert_eq!(
            a.reproductive_values().unwrap(),
            analysis.reproductive_values
        );
    }

    #[test]
    fn imprimitive_matrix_converges_thanks_to_the_shift() {
        // Fertility only in the last of two groups: A² = 0.8 I, eigenvalues ±√0.8; plain
        // power iteration from (1, 1) oscillates, the shifted one converges.
        let a = LeslieMatrix::new(DMatrix::from_row_slice(2, 2, &[0.0, 1.6, 0.5, 0.0])).unwrap();
        let lambda = a.dominant_eigenvalue().unwrap();
        assert!((lambda - 0.8_f64.sqrt()).abs() < 1e-12);
        let u = a.stable_age_structure().unwrap();
        assert_eigenvector(&a, lambda, &u, false);
    }

    #[test]
    fn two_sex_matrix_equals_the_step_on_a_closed_population() {
        let rates = rates(1.7);
        let start = start_population(1, 101);
        let two_sex = LeslieMatrix::two_sex(&rates, 1).unwrap();
        let female = LeslieMatrix::female_dominant(&rates, 1).unwrap();
        let product = two_sex.apply(start.values()).unwrap();
        let female_product = female.apply(start.series(0, Sex::Female)).unwrap();
        for timing in [MigrationTiming::Even, MigrationTiming::End] {
            let end = step(&rates, &start, timing);
            assert_relative(&product, end.values(), &format!("two-sex, {timing:?}"));
            assert_relative(
                &female_product,
                end.series(0, Sex::Female),
                &format!("female-dominant, {timing:?}"),
            );
        }
    }

    #[test]
    fn five_year_matrices_equal_the_five_year_step() {
        // 18 groups 0–4, …, 85+, with the factor n = 5 in the births.
        let survival = |k: f64| -> Vec<f64> {
            (0..18)
                .map(|x| (0.995 - k * 0.0004 * (0.45 * x as f64).exp()).max(0.3))
                .collect()
        };
        let mut fertility = vec![0.0; 18];
        for (x, f) in [
            (3, 0.01),
            (4, 0.05),
            (5, 0.1),
            (6, 0.11),
            (7, 0.06),
            (8, 0.02),
        ] {
            fertility[x] = f;
        }
        let rates =
            StepRates::from_survival(survival(1.0), survival(1.3), fertility, 1.05).unwrap();
        let start = start_population(5, 18);
        let product = LeslieMatrix::two_sex(&rates, 5)
            .unwrap()
            .apply(start.values())
            .unwrap();
        let end = step(&rates, &start, MigrationTiming::Even);
        assert_relative(&product, end.values(), "two-sex, n = 5");
        let female = LeslieMatrix::female_dominant(&rates, 5)
            .unwrap()
            .apply(start.series(0, Sex::Female))
            .unwrap();
        assert_relative(
            &female,
            end.series(0, Sex::Female),
            "female-dominant, n = 5",
        );
    }

    #[test]
    fn female_dominant_matrix_is_the_female_block_of_the_two_sex_matrix() {
        let rates = rates(1.7);
        let g = rates.groups();
        let two_sex = LeslieMatrix::two_sex(&rates, 1).unwrap();
        let female = LeslieMatrix::female_dominant(&rates, 1).unwrap();
        assert_eq!(two_sex.dimension(), 2 * g);
        assert_eq!(female.dimension(), g);
        assert_eq!(two_sex.matrix().view((0, 0), (g, g)), *female.matrix());
        // Males never produce births nor become females.
        assert!(
            two_sex
                .matrix()
                .view((0, g), (g, g))
                .iter()
                .all(|&a| a == 0.0)
        );
    }

    #[test]
    fn stable_structure_and_reproductive_values_are_eigenvectors() {
        for tfr in [1.2, 2.1, 3.0] {
            let rates = rates(tfr);
            for a in [
                LeslieMatrix::female_dominant(&rates, 1).unwrap(),
                LeslieMatrix::two_sex(&rates, 1).unwrap(),
            ] {
                let analysis = a.analyse(1).unwrap();
                let lambda = analysis.eigenvalue;
                assert_eigenvector(&a, lambda, &analysis.stable_structure, false);
                assert_eigenvector(&a, lambda, &analysis.reproductive_values, true);
                let sum: f64 = analysis.stable_structure.iter().sum();
                assert!((sum - 1.0).abs() < 1e-12);
                assert!(analysis.stable_structure.iter().all(|&u| u >= 0.0));
                assert_eq!(analysis.reproductive_values[0], 1.0);
            }
        }
    }

    #[test]
    fn dominant_eigenvalue_agrees_with_nalgebra_schur() {
        let a = LeslieMatrix::female_dominant(&rates(1.7), 1).unwrap();
        let lambda = a.dominant_eigenvalue().unwrap();
        let schur = a
            .matrix()
            .clone()
            .complex_eigenvalues()
            .iter()
            .map(|z| z.norm())
            .fold(0.0, f64::max);
        assert!(
            (lambda - schur).abs() <= IDENTITY_TOLERANCE * lambda,
            "{lambda} vs {schur}"
        );
    }

    #[test]
    fn eigenvalue_is_below_one_at_low_fertility_and_above_at_high() {
        let low = LeslieMatrix::female_dominant(&rates(1.2), 1).unwrap();
        let high = LeslieMatrix::female_dominant(&rates(3.0), 1).unwrap();
        let (low, high) = (low.analyse(1).unwrap(), high.analyse(1).unwrap());
        assert!(low.eigenvalue < 1.0 && low.growth_rate < 0.0, "{low:?}");
        assert!(high.eigenvalue > 1.0 && high.growth_rate > 0.0, "{high:?}");
        // A TFR of 1.2 loses about 40% a generation of roughly 29 years.
        assert!(low.growth_rate > -0.03 && high.growth_rate < 0.05);
    }

    #[test]
    fn invalid_matrices_and_vectors_are_rejected() {
        assert!(matches!(
            LeslieMatrix::new(DMatrix::zeros(0, 0)),
            Err(Error::LengthMismatch { found: 0, .. })
        ));
        assert!(matches!(
            LeslieMatrix::new(DMatrix::zeros(3, 2)),
            Err(Error::LengthMismatch {
                expected: 3,
                found: 2,
                ..
            })
        ));
        let mut m = DMatrix::zeros(3, 3);
        m[(1, 2)] = f64::NAN;
        assert!(matches!(
            LeslieMatrix::new(m),
            Err(Error::InvalidRate { age: 5, .. })
        ));
        let mut m = DMatrix::zeros(3, 3);
        m[(2, 0)] = -0.1;
        assert!(matches!(
            LeslieMatrix::new(m),
            Err(Error::InvalidRate { age: 6, .. })
        ));
        let mut m = DMatrix::zeros(3, 3);
        m[(0, 0)] = f64::INFINITY;
        assert!(LeslieMatrix::new(m).is_err());
        assert!(matches!(
            textbook().apply(&[1.0, 2.0]),
            Err(Error::LengthMismatch {
                expected: 3,
                found: 2,
                ..
            })
        ));
        assert!(matches!(
            LeslieMatrix::female_dominant(&rates(1.5), 0),
            Err(Error::InvalidParameter { .. })
        ));
        assert!(matches!(
            textbook().intrinsic_growth_rate(0),
            Err(Error::InvalidParameter { .. })
        ));
    }

    #[test]
    fn defective_dominant_eigenvalue_reports_no_convergence() {
        // A nilpotent matrix: λ = 0 with a Jordan block, so iterates approach the
        // eigenvector only like 1/k.
        let a = LeslieMatrix::new(DMatrix::from_row_slice(2, 2, &[0.0, 0.0, 1.0, 0.0])).unwrap();
        assert!(matches!(
            a.dominant_eigenvalue(),
            Err(Error::NoConvergence { .. })
        ));
        // The zero matrix converges at once, but λ = 0 has no growth rate.
        let zero = LeslieMatrix::new(DMatrix::zeros(2, 2)).unwrap();
        assert_eq!(zero.dominant_eigenvalue().unwrap(), 0.0);
        assert!(matches!(
            zero.intrinsic_growth_rate(1),
            Err(Error::InvalidParameter { .. })
        ));
    }
}
