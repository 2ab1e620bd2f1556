//! Error metrics of a backtest: percentage errors of predicted against observed, summed up
//! over counties.

/// The signed percentage error `100 · (predicted − observed) / observed`; `None` when
/// nothing was observed (a band nobody is in) or a value is not finite.
///
/// # Examples
///
/// ```
/// use popalloc::backtest::percentage_error;
///
/// assert_eq!(percentage_error(110.0, 100.0), Some(10.0));
/// assert_eq!(percentage_error(5.0, 0.0), None);
/// ```
pub fn percentage_error(predicted: f64, observed: f64) -> Option<f64> {
    let e = 100.0 * (predicted - observed) / observed;
    (observed > 0.0 && e.is_finite()).then_some(e)
}

/// The `p`-quantile (0 ≤ p ≤ 1) of sorted values by linear interpolation between order
/// statistics (type 7 of Hyndman & Fan, R's default): position `h = (n − 1)·p`, value
/// `x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])`. NaN for no values.
///
/// # Examples
///
/// ```
/// use popalloc::backtest::interpolated_quantile;
///
/// assert_eq!(interpolated_quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
/// assert_eq!(interpolated_quantile(&[0.0, 10.0], 0.9), 9.0);
/// ```
pub fn interpolated_quantile(sorted: &[f64], p: f64) -> f64 {
    let Some(last) = sorted.len().checked_sub(1) else {
        return f64::NAN;
    };
    let h = last as f64 * p.clamp(0.0, 1.0);
    // h is in [0, last]: its floor is a valid index.
    let lo = (h.floor() as usize).min(last);
    let hi = (lo + 1).min(last);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// The errors of one method on one band over a set of counties.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErrorSummary {
    /// Counties with an observed value (the others are left out of every figure).
    pub counties: usize,
    /// Mean absolute percentage error.
    pub mape: f64,
    /// Median absolute percentage error.
    pub median_ape: f64,
    /// Mean signed percentage error (positive: predicted too high).
    pub malpe: f64,
    /// 90th percentile of the absolute percentage errors.
    pub p90_ape: f64,
    /// Share (0–1) of counties whose observed value lies within their P10–P90 interval;
    /// `None` without intervals.
    pub coverage_p10_p90: Option<f64>,
}

/// Sums up predicted against observed values, one per county, and, if given, each
/// county's P10–P90 interval `[p10, p90]`. Counties whose error is undefined
/// ([`percentage_error`]) are left out; with none left every figure is NaN.
///
/// # Examples
///
/// ```
/// use popalloc::backtest::summarize_errors;
///
/// let s = summarize_errors(&[110.0, 90.0, 100.0], &[100.0, 100.0, 50.0], Some(&[[95.0, 105.0], [80.0, 95.0], [90.0, 110.0]]));
/// assert_eq!(s.counties, 3);
/// assert!((s.mape - (10.0 + 10.0 + 100.0) / 3.0).abs() < 1e-12);
/// assert!((s.malpe - (10.0 - 10.0 + 100.0) / 3.0).abs() < 1e-12);
/// assert_eq!(s.median_ape, 10.0);
/// assert_eq!(s.coverage_p10_p90, Some(1.0 / 3.0));
/// ```
pub fn summarize_errors(
    predicted: &[f64],
    observed: &[f64],
    intervals: Option<&[[f64; 2]]>,
) -> ErrorSummary {
    let mut signed = Vec::with_capacity(predicted.len());
    let mut inside = 0usize;
    for (i, (&p, &o)) in predicted.iter().zip(observed).enumerate() {
        let Some(e) = percentage_error(p, o) else {
            continue;
        };
        signed.push(e);
        if let Some([lo, hi]) = intervals.and_then(|iv| iv.get(i))
            && *lo <= o
            && o <= *hi
        {
            inside += 1;
        }
    }
    let n = signed.len();
    let mean = |xs: &[f64]| {
        if xs.is_empty() {
            f64::NAN
        } else {
            xs.iter().sum::<f64>() / xs.len() as f64
        }
    };
    let mut absolute: Vec<f64> = signed.iter().map(|e| e.abs()).collect();
    absolute.sort_by(f64::total_cmp);
    ErrorSummary {
        counties: n,
        mape: mean(&absolute),
        median_ape: interpolated_quantile(&absolute, 0.5),
        malpe: mean(&signed),
        p90_ape: interpolated_quantile(&absolute, 0.9),
        coverage_p10_p90: intervals.map(|_| {
            if n == 0 {
                f64::NAN
            } else {
                inside as f64 / n as f64
            }
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Five counties worked by hand: errors +10, −20, +5, −50, +100 %.
    #[test]
    fn metrics_match_hand_computed_figures() {
        let observed = [100.0, 50.0, 200.0, 40.0, 10.0];
        let predicted = [110.0, 40.0, 210.0, 20.0, 20.0];
        let intervals = [
            [90.0, 120.0],  // 100 inside
            [45.0, 49.0],   // 50 above
            [200.0, 220.0], // 200 on the edge: inside
            [10.0, 30.0],   // 40 above
            [5.0, 10.0],    // 10 on the edge: inside
        ];
        let s = summarize_errors(&predicted, &observed, Some(&intervals));
        assert_eq!(s.counties, 5);
        // |e| = 10, 20, 5, 50, 100: mean 37, sorted 5 10 20 50 100.
        assert!((s.mape - 37.0).abs() < 1e-12);
        assert!((s.median_ape - 20.0).abs() < 1e-12);
        // signed: 10 − 20 + 5 − 50 + 100 = 45, mean 9.
        assert!((s.malpe - 9.0).abs() < 1e-12);
        // p90: h = 4 × 0.9 = 3.6, 50 + 0.6 × (100 − 50) = 80.
        assert!((s.p90_ape - 80.0).abs() < 1e-12);
        assert_eq!(s.coverage_p10_p90, Some(0.6));
    }

    #[test]
    fn a_county_with_nobody_observed_is_left_out() {
        let s = summarize_errors(&[5.0, 12.0], &[0.0, 10.0], None);
        assert_eq!(s.counties, 1);
        assert!((s.mape - 20.0).abs() < 1e-12);
        assert_eq!(s.median_ape, s.p90_ape);
        assert_eq!(s.coverage_p10_p90, None);
        assert!(summarize_errors(&[], &[], None).mape.is_nan());
    }

    #[test]
    fn even_counts_take_the_mean_of_the_middle_pair() {
        assert_eq!(interpolated_quantile(&[1.0, 3.0, 7.0, 9.0], 0.5), 5.0);
        assert_eq!(interpolated_quantile(&[4.0], 0.9), 4.0);
        assert!(interpolated_quantile(&[], 0.5).is_nan());
    }
}
