//! Travel minutes between areas, and which areas lie within a walking radius of each.
//!
//! A scenario gives access either as a full matrix (its own minutes for every ordered pair)
//! or as centroids walked at a speed with a detour factor. The matrix is kept as given.
//! Centroids are kept as points: minutes are computed when asked for (great circle ×
//! detour / speed), and the areas within a radius are found through a grid of cells, so a
//! scenario of 41,636 areas holds 41,636 points rather than 41,636² minutes (13.9 GB), and
//! the allocation model visits only the pairs within reach.

use std::collections::HashMap;

/// Earth's mean radius, km.
const EARTH_KM: f64 = 6371.0;

/// Travel minutes between areas: a matrix, or centroids with a walking speed and a detour
/// factor.
#[derive(Debug, Clone, PartialEq)]
pub struct Access {
    areas: usize,
    source: Source,
}

#[derive(Debug, Clone, PartialEq)]
enum Source {
    /// `minutes[from * areas + to]`.
    Matrix(Vec<f64>),
    /// Points (latitude, longitude in degrees) and their grid.
    Centroids(Centroids),
}

/// Centroids walked at `speed_kmh` with `detour` (walked / straight-line distance), indexed
/// by a grid of `cell` degrees of latitude and longitude.
#[derive(Debug, Clone, PartialEq)]
struct Centroids {
    points: Vec<(f64, f64)>,
    speed_kmh: f64,
    detour: f64,
    cell: f64,
    grid: HashMap<(i64, i64), Vec<usize>>,
}

/// Great-circle distance in km between two (latitude, longitude) points in degrees
/// (haversine).
fn great_circle_km((lat1, lon1): (f64, f64), (lat2, lon2): (f64, f64)) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_KM * h.sqrt().min(1.0).asin()
}

impl Centroids {
    fn new(points: &[(f64, f64)], speed_kmh: f64, detour: f64) -> Self {
        // Cells of about two points each over the points' extent (at least a millionth of
        // a degree, so that coincident points do not make cells of size 0).
        let extent = |pick: fn(&(f64, f64)) -> f64| {
            let (lo, hi) = points
                .iter()
                .map(pick)
                .filter(|x| x.is_finite())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
                    (lo.min(x), hi.max(x))
                });
            if hi >= lo { hi - lo } else { 0.0 }
        };
        let span = extent(|p| p.0).max(1e-6) * extent(|p| p.1).max(1e-6);
        let cell = (2.0 * span / points.len().max(1) as f64).sqrt().max(1e-6);
        let mut grid: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
        for (k, &p) in points.iter().enumerate() {
            grid.entry(Self::cell_of(p, cell)).or_default().push(k);
        }
        Self {
            points: points.to_vec(),
            speed_kmh,
            detour,
            cell,
            grid,
        }
    }

    /// The grid cell of a point (non-finite coordinates fall in cell (0, 0); such points
    /// are never within any radius).
    fn cell_of((lat, lon): (f64, f64), cell: f64) -> (i64, i64) {
        let index = |x: f64| {
            let i = (x / cell).floor();
            if i.is_finite() { i as i64 } else { 0 }
        };
        (index(lat), index(lon))
    }

    fn minutes(&self, from: usize, to: usize) -> f64 {
        60.0 * great_circle_km(self.points[from], self.points[to]) * self.detour / self.speed_kmh
    }

    /// Every area whose minutes from `from` are at most `radius`, ascending. The cells
    /// searched hold every point that close: a point within d km of the centre lies within
    /// d / R radians of its latitude, and (from the haversine formula, with the cosine of
    /// the farthest latitude it can have) within 2 asin(sin(d / 2R) / √(cos φ cos φ′)) of
    /// its longitude; the exact minutes then decide.
    fn within(&self, from: usize, radius: f64) -> Vec<usize> {
        let (lat, lon) = self.points[from];
        let km = radius * self.speed_kmh / (60.0 * self.detour);
        if !(km.is_finite() && lat.is_finite() && lon.is_finite()) {
            return self.scan(from, radius);
        }
        // A margin for rounding in the bounds; the exact test below decides.
        let angle = km / EARTH_KM * (1.0 + 1e-9) + 1e-12;
        let dlat = angle.to_degrees();
        let farthest = (lat.abs() + dlat).to_radians();
        let cosines = lat.to_radians().cos() * farthest.cos();
        let half = (angle / 2.0).sin();
        if farthest >= std::f64::consts::FRAC_PI_2 || cosines <= 0.0 || half * half >= cosines {
            // Near a pole or over half the globe: every longitude can be close.
            return self.scan(from, radius);
        }
        let dlon = (2.0 * (half / cosines.sqrt()).asin()).to_degrees();
        if lon - dlon < -180.0 || lon + dlon > 180.0 {
            // The date line: neighbours may sit at the other end of the longitudes.
            return self.scan(from, radius);
        }
        let (lat_lo, lon_lo) = Self::cell_of((lat - dlat, lon - dlon), self.cell);
        let (lat_hi, lon_hi) = Self::cell_of((lat + dlat, lon + dlon), self.cell);
        let cells = (lat_hi - lat_lo + 1).saturating_mul(lon_hi - lon_lo + 1);
        if cells > self.grid.len() as i64 {
            // Wider than the grid itself (or wrapping the date line): read every cell.
            return self.scan(from, radius);
        }
        let mut found = Vec::new();
        for a in lat_lo..=lat_hi {
            for b in lon_lo..=lon_hi {
                if let Some(members) = self.grid.get(&(a, b)) {
                    found.extend(
                        members
                            .iter()
                            .copied()
                            .filter(|&to| self.minutes(from, to) <= radius),
                    );
                }
            }
        }
        found.sort_unstable();
        found
    }

    /// Every area within `radius` of `from`, by testing each.
    fn scan(&self, from: usize, radius: f64) -> Vec<usize> {
        (0..self.points.len())
            .filter(|&to| self.minutes(from, to) <= radius)
            .collect()
    }
}

impl Access {
    /// Travel minutes from a full matrix (row-major, `areas × areas`).
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`](crate::Error::LengthMismatch) when the matrix is not
    /// `areas × areas`; [`Error::TooLarge`](crate::Error::TooLarge) when `areas × areas`
    /// does not fit a `usize`; [`Error::InvalidRate`](crate::Error::InvalidRate) for a
    /// negative or non-finite time (its `age` is the flat index).
    ///
    /// # Examples
    ///
    /// ```
    /// let access = popalloc::Access::from_matrix(2, vec![0.0, 7.5, 8.0, 0.0]).unwrap();
    /// assert_eq!(access.minutes(1, 0), 8.0);
    /// ```
    pub fn from_matrix(areas: usize, minutes: Vec<f64>) -> crate::Result<Self> {
        const WHAT: &str = "travel-minute matrix (areas x areas)";
        let expected = crate::size::product(WHAT, &[areas, areas])?;
        if minutes.len() != expected {
            return Err(crate::Error::LengthMismatch {
                what: WHAT,
                expected,
                found: minutes.len(),
            });
        }
        crate::error::check_non_negative("travel minutes", &minutes)?;
        Ok(Self {
            areas,
            source: Source::Matrix(minutes),
        })
    }

    /// Walking minutes between centroids: great-circle distance × detour factor / speed.
    /// The centroids are kept, not a matrix: memory grows with the areas, not their
    /// square.
    ///
    /// # Formula
    ///
    /// d = 2 R asin(√(sin²(Δφ/2) + cos φ₁ cos φ₂ sin²(Δλ/2))), R = 6,371 km;
    /// minutes = 60 · d · detour / speed.
    ///
    /// # Examples
    ///
    /// ```
    /// // Two points 0.01° of latitude apart (1.11 km), walked at 4 km/h with no detour.
    /// let access = popalloc::Access::from_centroids(&[(29.55, 106.55), (29.56, 106.55)], 4.0, 1.0);
    /// assert!((access.minutes(0, 1) - 16.68).abs() < 0.01);
    /// ```
    pub fn from_centroids(centroids: &[(f64, f64)], speed_kmh: f64, detour: f64) -> Self {
        Self {
            areas: centroids.len(),
            source: Source::Centroids(Centroids::new(centroids, speed_kmh, detour)),
        }
    }

    /// Minutes from area `from` to area `to`.
    ///
    /// # Panics
    ///
    /// When an index is out of range.
    pub fn minutes(&self, from: usize, to: usize) -> f64 {
        match &self.source {
            Source::Matrix(minutes) => minutes[from * self.areas + to],
            Source::Centroids(c) => c.minutes(from, to),
        }
    }

    /// Whether need in area `from` can be met by capacity in area `to` for a service of
    /// this walking radius: the minutes from `from` to `to` are at most `radius_minutes`.
    /// An area serves itself only within the radius too: centroids put it 0 minutes from
    /// itself, a matrix may give it more (a large street whose residents walk far to its
    /// own facilities).
    ///
    /// # Panics
    ///
    /// When an index is out of range.
    ///
    /// # Examples
    ///
    /// ```
    /// // Street 0 is 6 minutes from its own facilities, street 1 is 4 minutes from its.
    /// let access = popalloc::Access::from_matrix(2, vec![6.0, 9.0, 9.0, 4.0]).unwrap();
    /// assert!(!access.within(0, 0, 5.0));
    /// assert!(access.within(1, 1, 5.0));
    /// assert!(access.within(0, 1, 10.0));
    /// ```
    pub fn within(&self, from: usize, to: usize, radius_minutes: f64) -> bool {
        self.minutes(from, to) <= radius_minutes
    }

    /// Every area `to` with [`Access::within`]`(from, to, radius_minutes)`, ascending.
    /// From centroids, only the grid cells that can hold such an area are searched, so the
    /// cost grows with the areas found, not with all areas.
    ///
    /// # Panics
    ///
    /// When `from` is out of range.
    ///
    /// # Examples
    ///
    /// ```
    /// // Three points on a meridian 0.005° (556 m) apart, walked at 4 km/h: 8.3 minutes
    /// // from one to the next.
    /// let access = popalloc::Access::from_centroids(
    ///     &[(29.550, 106.55), (29.555, 106.55), (29.560, 106.55)],
    ///     4.0,
    ///     1.0,
    /// );
    /// assert_eq!(access.areas_within(1, 10.0), vec![0, 1, 2]);
    /// assert_eq!(access.areas_within(0, 10.0), vec![0, 1]);
    /// ```
    pub fn areas_within(&self, from: usize, radius_minutes: f64) -> Vec<usize> {
        match &self.source {
            Source::Matrix(minutes) => {
                let row = &minutes[from * self.areas..(from + 1) * self.areas];
                (0..self.areas)
                    .filter(|&to| row[to] <= radius_minutes)
                    .collect()
            }
            Source::Centroids(c) => c.within(from, radius_minutes),
        }
    }

    /// The number of areas.
    pub fn area_count(&self) -> usize {
        self.areas
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_matrix_too_large_to_count_is_a_typed_error() {
        // 2^32 × 2^32 = 2^64 overflows; usize::MAX squared too.
        for areas in [1 << 32, usize::MAX] {
            let err = Access::from_matrix(areas, vec![]).unwrap_err();
            assert!(
                matches!(err, crate::Error::TooLarge { .. }),
                "{areas}: {err:?}"
            );
        }
        assert!(matches!(
            Access::from_matrix(3, vec![0.0; 4]),
            Err(crate::Error::LengthMismatch { expected: 9, .. })
        ));
    }

    /// Every pair tested one by one.
    fn brute_force(access: &Access, from: usize, radius: f64) -> Vec<usize> {
        (0..access.area_count())
            .filter(|&to| access.within(from, to, radius))
            .collect()
    }

    #[test]
    fn the_grid_finds_the_areas_a_full_scan_finds_near_a_pole_and_across_the_date_line() {
        let points = [
            (89.999, 0.0),
            (89.999, 180.0),
            (89.9985, 90.0),
            (0.0, 179.9999),
            (0.0, -179.9999),
            (0.0, 0.0),
            (0.0, 0.0),
            (-45.0, 10.0),
        ];
        let access = Access::from_centroids(&points, 4.0, 1.0);
        for from in 0..points.len() {
            for radius in [0.0, 1.0, 5.0, 60.0, 1e9] {
                assert_eq!(
                    access.areas_within(from, radius),
                    brute_force(&access, from, radius),
                    "from {from}, radius {radius}"
                );
            }
        }
        // Across the date line: 0.0002° of longitude, 22 m, 0.3 minutes.
        assert_eq!(access.areas_within(3, 1.0), vec![3, 4]);
    }

    proptest! {
        /// Random towns of a province (or the globe), random radii: the grid's answer is
        /// the full scan's.
        #[test]
        fn the_grid_finds_exactly_the_areas_within_the_radius(
            points in proptest::collection::vec((-60.0f64..60.0, -180.0f64..180.0), 1..60),
            spread in 0.001f64..1.0,
            radius in 0.0f64..600.0,
            detour in 1.0f64..2.0,
        ) {
            // Shrink the points toward the first so that the radius finds a few of them.
            let (lat0, lon0) = points[0];
            let near: Vec<(f64, f64)> = points
                .iter()
                .map(|&(lat, lon)| (lat0 + (lat - lat0) * spread * 0.01, lon0 + (lon - lon0) * spread * 0.01))
                .collect();
            let access = Access::from_centroids(&near, 4.0, detour);
            for from in 0..near.len() {
                prop_assert_eq!(access.areas_within(from, radius), brute_force(&access, from, radius));
            }
        }
    }

    #[test]
    fn a_matrix_row_gives_the_areas_within_the_radius() {
        let access =
            Access::from_matrix(3, vec![6.0, 9.0, 1.0, 9.0, 4.0, 2.0, 0.0, 0.0, 0.0]).unwrap();
        assert_eq!(access.areas_within(0, 5.0), vec![2]);
        assert_eq!(access.areas_within(1, 5.0), vec![1, 2]);
        assert_eq!(access.areas_within(2, 0.0), vec![0, 1, 2]);
    }
}
