//! Net migration rates read from a county's 2010 age structure: the cumulated net
//! migration of recent cohorts, continued.

use crate::backtest::counties::County;
use crate::demography::census::CENSUS_GROUP_COUNT;
use crate::demography::population::OMEGA;
use crate::demography::sex::Sex;

/// The first five-year group (10-14, index 2 of [`five_year_groups`]) whose passage to the
/// next is read as migration.
const FIRST_PAIR: usize = 2;
/// The last such group (20-24, index 4): pairs 10-14→15-19, 15-19→20-24 and 20-24→25-29.
/// Later pairs were tried (up to 55-59→60-64) and fitted worse on the calibration
/// counties: the shares of older cohorts carry the migration of earlier decades, not a
/// rate that continues.
const LAST_PAIR: usize = 4;
/// The largest yearly net migration rate, in or out.
pub const MAX_RATE: f64 = 0.1;

/// A census table's counts of one sex in five-year groups 0-4, 5-9, …, 80-84, 85+ (the
/// census's `0` and `1-4` added).
fn five_year_groups(counts: &[f64; CENSUS_GROUP_COUNT]) -> [f64; CENSUS_GROUP_COUNT - 1] {
    let mut out = [0.0; CENSUS_GROUP_COUNT - 1];
    out[0] = counts[0] + counts[1];
    out[1..].copy_from_slice(&counts[2..]);
    out
}

/// The yearly net migration rates by county, sex and single age implied by the 2010 age
/// structures, `[county × 2 × 101 + sex × 101 + age]`.
///
/// For county c, sex s and five-year group g, the share `S(g) = P_c(g) / P_N(g)` is the
/// county's population in g over the nation's (all the counties together). A cohort moving
/// from g to g + 1 in five years keeps its share unless it gains or loses migrants (the
/// county's survival being near the nation's at these ages); read as a stationary regime,
/// the synthetic cohort of 2010 gives the yearly rate
/// `r(g) = (S(g+1) / S(g))^(1/5) − 1`, held to ±[`MAX_RATE`], for the single ages from
/// the middle of g to the middle of g + 1 (5g + 2 … 5g + 6). Only the pairs 10-14→15-19,
/// 15-19→20-24 and 20-24→25-29 are read (ages 12 … 26), the ages at which the migration
/// of the years before 2010 shows and goes on: at younger ages the shares move with
/// fertility, at older ones they keep the migration of earlier decades. Every other age
/// has rate 0. A group with no one gives 0.
///
/// # Examples
///
/// ```
/// use popalloc::backtest::{County, Sample, VitalRates, cohort_migration_rates};
/// use popalloc::demography::census::CensusUnit;
///
/// let unit = |counts: [f64; 19]| CensusUnit { code: "110101".into(), name: "x".into(), counts: [counts; 2] };
/// let county = |counts: [f64; 19]| County {
///     code: "110101".into(), name: "x".into(), sample: Sample::Calibration,
///     base: unit(counts), observed: unit(counts),
///     vital: VitalRates { birth_rate: 10.0, death_rate: 6.0 },
/// };
/// let flat = [100.0; 19];
/// let mut young = flat;
/// young[5] = 200.0; // 20-24 twice the nation's pattern: in-migration at 17…21
/// let rates = cohort_migration_rates(&[county(flat), county(young)]);
/// let r = rates[101 * 2 + 19]; // the second county, female, age 19
/// assert!(r > 0.0);
/// assert_eq!(rates[101 * 2 + 70], 0.0);
/// ```
pub fn cohort_migration_rates(counties: &[County]) -> Vec<f64> {
    let ages = OMEGA + 1;
    let mut national = [[0.0; CENSUS_GROUP_COUNT - 1]; 2];
    for c in counties {
        for sex in Sex::ALL {
            let g = five_year_groups(&c.base.counts[sex.index()]);
            for (n, v) in national[sex.index()].iter_mut().zip(g) {
                *n += v;
            }
        }
    }
    let mut rates = vec![0.0; counties.len() * 2 * ages];
    for (a, c) in counties.iter().enumerate() {
        for sex in Sex::ALL {
            let own = five_year_groups(&c.base.counts[sex.index()]);
            let nat = &national[sex.index()];
            let at = (a * 2 + sex.index()) * ages;
            for g in FIRST_PAIR..=LAST_PAIR {
                let share = |k: usize| own[k] / nat[k];
                let ratio = share(g + 1) / share(g);
                let r = if ratio.is_finite() && ratio > 0.0 {
                    (ratio.powf(0.2) - 1.0).clamp(-MAX_RATE, MAX_RATE)
                } else {
                    0.0
                };
                rates[at + 5 * g + 2..at + 5 * g + 7].fill(r);
            }
        }
    }
    rates
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backtest::sample::Sample;
    use crate::backtest::vital::VitalRates;
    use crate::demography::census::CensusUnit;

    fn county(counts: [f64; CENSUS_GROUP_COUNT]) -> County {
        let unit = CensusUnit {
            code: "110101".into(),
            name: "x".into(),
            counts: [counts; 2],
        };
        County {
            code: unit.code.clone(),
            name: unit.name.clone(),
            sample: Sample::Calibration,
            base: unit.clone(),
            observed: unit,
            vital: VitalRates {
                birth_rate: 10.0,
                death_rate: 6.0,
            },
        }
    }

    /// A county with twice the nation's pattern at 20-24 gains migrants from the middle
    /// of 15-19 to the middle of 20-24 (ages 17–21) and loses them from there to the
    /// middle of 25-29 (ages 22–26), at the rates of its shares; nothing elsewhere.
    #[test]
    fn a_bulge_at_20_24_reads_as_in_then_out_migration_at_ages_17_to_26() {
        let flat = [100.0; CENSUS_GROUP_COUNT];
        let mut bulge = flat;
        bulge[5] = 200.0; // the census group 20-24
        let rates = cohort_migration_rates(&[county(flat), county(flat), county(bulge)]);
        let ages = OMEGA + 1;
        let third = &rates[2 * 2 * ages..3 * 2 * ages];
        // Shares: 1/3 of the nation except 20-24, where 200 / 400 = 1/2.
        let up = 1.5f64.powf(0.2) - 1.0;
        let down = (1.0f64 / 1.5).powf(0.2) - 1.0;
        for sex in 0..2 {
            let r = &third[sex * ages..(sex + 1) * ages];
            for (age, &rate) in r.iter().enumerate() {
                let expected = match age {
                    17..=21 => up,
                    22..=26 => down,
                    _ => 0.0,
                };
                assert!((rate - expected).abs() < 1e-12, "age {age}: {rate}");
            }
        }
        // The flat counties lose a little at 17-21 (their share of 20-24 falls to 1/4).
        assert!(rates[19] < 0.0);
    }
}
