//! Monte Carlo projection (DESIGN §4): draws of the uncertain assumptions, each projected,
//! summarised by quantiles of every band per area and year.

use rayon::prelude::*;
use serde::Serialize;

use crate::demography::band::Band;
use crate::demography::population::Population;
use crate::error::{Error, Result};
use crate::scenario::Scenario;
use crate::uncertainty::draw::{DrawBuffers, DrawProjector};
use crate::uncertainty::draw_generator;
use crate::uncertainty::quantile::{QuantileStream, sample_quantile};
use crate::uncertainty::settings::{
    DRAWS_RANGE, Uncertainty, draws_allowed, probability_allowed, strictly_ascending,
};
use crate::uncertainty::variant::{StreetPaths, Variant};

/// The name of the extra band that counts every resident.
pub const TOTAL_BAND: &str = "total";
/// The name of the extra place that sums every area.
pub const DISTRICT: &str = "district";

/// Memory allowed for the draws of one parallel batch (bytes); a batch holds at least one
/// draw.
const BATCH_BYTES: usize = 256 << 20;

/// A Monte Carlo run of a scenario.
///
/// Each draw `d` has its own generator ([`draw_generator`]`(seed, d)`), from which it takes,
/// in this order: the TFR factor (cut at 0), the e0 shift, the migration factor, then for
/// each step and each street a shock to the street's TFR ratio and one to its e0 gap
/// (standard normals). The draws run in parallel (rayon) in batches whose size depends only
/// on the scenario, and are folded into the summaries in draw order, so the result is the
/// same, to the bit, whatever the number of threads.
///
/// # Examples
///
/// ```
/// use popalloc::Scenario;
/// use popalloc::uncertainty::MonteCarlo;
///
/// let yuzhong = Scenario::yuzhong()?;
/// let mut settings = yuzhong.uncertainty.clone();
/// settings.draws = 20;
/// let run = MonteCarlo::new(&yuzhong, settings).run(None)?;
/// let elderly = run.band_index("elderly").unwrap();
/// let [p10, p50, p90] = [0, 1, 2].map(|j| run.quantile(2025, elderly, run.district(), j).unwrap());
/// assert!(p10 <= p50 && p50 <= p90);
/// # Ok::<(), popalloc::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct MonteCarlo<'a> {
    scenario: &'a Scenario,
    settings: Uncertainty,
    horizon: i32,
    keep_draws: bool,
}

/// What a draw took for the district.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DrawAssumption {
    /// Factor on the TFR path.
    pub tfr_factor: f64,
    /// Years added to e0.
    pub e0_shift: f64,
    /// Factor on net migration (cut at 0, like the TFR factor).
    pub migration_factor: f64,
}

/// The summaries of a Monte Carlo run: quantiles and means of persons per year, band (the
/// scenario's bands and [`TOTAL_BAND`]) and place (the areas and [`DISTRICT`]), and, if
/// asked for, every draw.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonteCarloSummary {
    /// Years, base year to horizon.
    pub years: Vec<i32>,
    /// Band names; the last is [`TOTAL_BAND`].
    pub bands: Vec<String>,
    /// Area ids; the last is [`DISTRICT`].
    pub places: Vec<String>,
    /// Quantile probabilities, ascending.
    pub probs: Vec<f64>,
    /// The seed.
    pub seed: u64,
    /// Each draw's district assumptions, in draw order.
    pub assumptions: Vec<DrawAssumption>,
    /// `[cell × probs + prob]`.
    quantiles: Vec<f64>,
    /// `[cell]`.
    mean: Vec<f64>,
    /// `[draw × cells + cell]` when kept.
    kept: Option<Vec<f64>>,
    /// Whether the quantiles are exact (every draw kept) or streamed (P²).
    pub exact: bool,
}

impl<'a> MonteCarlo<'a> {
    /// A run of `scenario` to its horizon with these settings (usually
    /// `scenario.uncertainty`), keeping summaries only.
    pub fn new(scenario: &'a Scenario, settings: Uncertainty) -> Self {
        Self {
            scenario,
            settings,
            horizon: scenario.horizon(),
            keep_draws: false,
        }
    }

    /// Projects to another horizon.
    pub fn horizon(mut self, horizon: i32) -> Self {
        self.horizon = horizon;
        self
    }

    /// Keeps every draw (memory: draws × cells × 8 bytes): quantiles are then exact
    /// (type 1) and the draws can be read back, e.g. to evaluate a plan against each.
    pub fn keep_draws(mut self, keep: bool) -> Self {
        self.keep_draws = keep;
        self
    }

    /// The bytes every draw kept would take ([`MonteCarlo::keep_draws`]): draws × years ×
    /// (bands + 1) × (areas + 1) × 8.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Scenario, uncertainty::MonteCarlo};
    ///
    /// let yuzhong = Scenario::yuzhong()?;
    /// let run = MonteCarlo::new(&yuzhong, yuzhong.uncertainty.clone());
    /// // 1,000 draws × 6 years × 9 bands × 12 places × 8 bytes.
    /// assert_eq!(run.kept_bytes(), 1000 * 6 * 9 * 12 * 8);
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn kept_bytes(&self) -> usize {
        let years =
            usize::try_from(i64::from(self.horizon) - i64::from(self.scenario.base_year()) + 1)
                .unwrap_or(0);
        self.settings
            .draws
            .saturating_mul(years)
            .saturating_mul(self.scenario.bands.len() + 1)
            .saturating_mul(self.scenario.areas.len() + 1)
            .saturating_mul(8)
    }

    /// The settings.
    pub fn settings(&self) -> &Uncertainty {
        &self.settings
    }

    /// The variant of draw `draw` (see the type's documentation for the order of the
    /// numbers taken).
    ///
    /// # Errors
    ///
    /// The errors of the district life tables ([`Scenario::life_tables`]).
    pub fn variant(&self, draw: u64) -> Result<Variant> {
        let e0 = self.district_e0()?;
        Ok(self.variant_with(draw, &e0))
    }

    /// The district's e0 (mean of both sexes) for each step, as assumed.
    fn district_e0(&self) -> Result<Vec<f64>> {
        (self.scenario.base_year()..self.horizon)
            .map(|year| {
                let [f, m] = self.scenario.life_tables(year)?;
                Ok(0.5 * (f.life_expectancy() + m.life_expectancy()))
            })
            .collect()
    }

    fn variant_with(&self, draw: u64, district_e0: &[f64]) -> Variant {
        let s = &self.settings;
        let mut rng = draw_generator(s.seed, draw);
        let tfr_factor = s.tfr.sample(&mut rng).max(0.0);
        let e0_shift = s.e0.sample(&mut rng);
        // Factors are cut at 0 (a negative one would turn net migration around).
        let migration_factor = s.migration.sample(&mut rng).max(0.0);
        // The district e0 of each step, with the draw's shift, sets the e0 gap's shock.
        let e0_by_step: Vec<f64> = district_e0.iter().map(|e0| e0 + e0_shift).collect();
        let streets =
            StreetPaths::draw(&s.streets, &mut rng, &e0_by_step, self.scenario.areas.len());
        Variant {
            tfr_factor,
            e0_shift,
            migration_factor,
            streets,
            ..Variant::default()
        }
    }

    /// Runs every draw; `progress`, if given, is called on the calling thread with the
    /// number of draws done after each batch.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a horizon not after the base year (or more than
    /// [`MAX_PROJECTION_YEARS`](crate::scenario::MAX_PROJECTION_YEARS) after it) or no draws; the
    /// first error of any draw's projection (e.g. an e0 Brass cannot reach);
    /// [`Error::Inconsistent`] when the scenario's parts do not fit together
    /// ([`Scenario::check_consistent`]).
    pub fn run(&self, progress: Option<&dyn Fn(usize)>) -> Result<MonteCarloSummary> {
        let sc = self.scenario;
        sc.check_consistent()?;
        sc.check_horizon(self.horizon, "Monte Carlo horizon (year)")?;
        let draws = self.settings.draws;
        if !draws_allowed(draws) {
            return Err(Error::InvalidParameter {
                parameter: "Monte Carlo draws",
                value: draws as f64,
                range: DRAWS_RANGE,
            });
        }
        let probs = &self.settings.quantiles;
        if let Some(&p) = probs.iter().find(|&&p| !probability_allowed(p)) {
            return Err(Error::InvalidParameter {
                parameter: "Monte Carlo quantile probability",
                value: p,
                range: "in (0, 1)",
            });
        }
        if probs.is_empty() || !strictly_ascending(probs) {
            return Err(Error::InvalidParameter {
                parameter: "Monte Carlo quantile probabilities (count)",
                value: probs.len() as f64,
                range: "at least one, in strictly ascending order",
            });
        }
        // `kept_bytes` saturates: usize::MAX means the kept draws could not be addressed.
        if self.keep_draws && self.kept_bytes() == usize::MAX {
            return Err(Error::InvalidParameter {
                parameter: "bytes of the kept Monte Carlo draws",
                value: f64::INFINITY,
                range: "addressable memory: fewer draws, or quantiles streamed",
            });
        }
        let layout = Layout::new(sc, self.horizon);
        let cells = layout.cells();
        let probs = self.settings.quantiles.clone();
        let district_e0 = self.district_e0()?;
        let projector = DrawProjector::new(sc, self.horizon)?;
        // The base year's totals, the same in every draw.
        let mut base_values = Vec::with_capacity(layout.per_year());
        layout.push_state(&sc.bands, &sc.base, &mut base_values);
        let batch = (BATCH_BYTES / (cells * 8).max(1)).clamp(1, 256);
        let mut stream = (!self.keep_draws)
            .then(|| QuantileStream::new(cells, probs.clone()))
            .transpose()?;
        // `kept_bytes` (checked above) counts draws × cells × 8 without overflow.
        let mut kept = self
            .keep_draws
            .then(|| crate::size::with_capacity("kept Monte Carlo values", draws * cells))
            .transpose()?;
        let mut sum = vec![0.0; cells];
        let mut assumptions = Vec::with_capacity(draws);
        // One buffer for the values of a batch, reused batch after batch.
        let mut values = crate::size::filled(
            "Monte Carlo values of a batch of draws",
            batch.min(draws) * cells,
            0.0,
        )?;
        let mut done = 0;
        while done < draws {
            let end = (done + batch).min(draws);
            let batch_values = &mut values[..(end - done) * cells];
            let results: Vec<Result<DrawAssumption>> = batch_values
                .par_chunks_mut(cells)
                .enumerate()
                .map_init(
                    || DrawBuffers::new(&projector),
                    |buffers, (i, out)| {
                        let variant = self.variant_with((done + i) as u64, &district_e0);
                        let (base, projected) = out.split_at_mut(base_values.len());
                        base.copy_from_slice(&base_values);
                        projector.project(&variant, buffers, projected)?;
                        Ok(DrawAssumption {
                            tfr_factor: variant.tfr_factor,
                            e0_shift: variant.e0_shift,
                            migration_factor: variant.migration_factor,
                        })
                    },
                )
                .collect();
            let draws_values: Vec<&[f64]> = batch_values.chunks(cells).collect();
            for (result, values) in results.into_iter().zip(&draws_values) {
                assumptions.push(result?);
                for (s, v) in sum.iter_mut().zip(*values) {
                    *s += v;
                }
                if let Some(kept) = kept.as_mut() {
                    kept.extend_from_slice(values);
                }
            }
            if let Some(stream) = stream.as_mut() {
                stream.push_all(&draws_values);
            }
            done = end;
            if let Some(report) = progress {
                report(done);
            }
        }
        let mut quantiles = match (&stream, &kept) {
            (Some(stream), _) => stream.quantiles(),
            (None, Some(kept)) => exact_quantiles(kept, cells, draws, &probs),
            (None, None) => Vec::new(),
        };
        // Streamed estimates of one cell are made ascending in p (a rearrangement that
        // leaves ordered estimates as they are).
        for chunk in quantiles.chunks_mut(probs.len().max(1)) {
            for j in 1..chunk.len() {
                chunk[j] = chunk[j].max(chunk[j - 1]);
            }
        }
        let n = draws as f64;
        Ok(MonteCarloSummary {
            years: layout.years,
            bands: layout.band_names,
            places: layout.places,
            probs,
            seed: self.settings.seed,
            assumptions,
            quantiles,
            mean: sum.into_iter().map(|s| s / n).collect(),
            exact: kept.is_some(),
            kept,
        })
    }
}

fn exact_quantiles(kept: &[f64], cells: usize, draws: usize, probs: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(cells * probs.len());
    let mut column = Vec::with_capacity(draws);
    for cell in 0..cells {
        column.clear();
        column.extend((0..draws).map(|d| kept[d * cells + cell]));
        column.sort_by(f64::total_cmp);
        out.extend(probs.iter().map(|&p| sample_quantile(&column, p)));
    }
    out
}

/// Where each year, band and place sits in a draw's values.
struct Layout {
    years: Vec<i32>,
    band_names: Vec<String>,
    places: Vec<String>,
    /// Bands and the total.
    series: usize,
}

impl Layout {
    fn new(sc: &Scenario, horizon: i32) -> Self {
        let mut band_names: Vec<String> = sc.bands.iter().map(|b| b.name().to_owned()).collect();
        band_names.push(TOTAL_BAND.to_owned());
        let mut places: Vec<String> = sc.areas.iter().map(|a| a.id.clone()).collect();
        places.push(DISTRICT.to_owned());
        Self {
            years: (sc.base_year()..=horizon).collect(),
            band_names,
            series: sc.bands.len() + 1,
            places,
        }
    }

    fn per_year(&self) -> usize {
        self.series * self.places.len()
    }

    fn cells(&self) -> usize {
        self.years.len() * self.per_year()
    }

    /// Adds the band totals of `pop` (every area, then the district) to `out`, with
    /// [`Population::band_total`] and [`Population::area_total`], the sums [`Need`](crate::Need)
    /// uses.
    fn push_state(&self, bands: &[Band], pop: &Population, out: &mut Vec<f64>) {
        let places = self.places.len();
        let areas = places - 1;
        let series = bands.len() + 1;
        let start = out.len();
        out.resize(start + self.per_year(), 0.0);
        let year = &mut out[start..];
        let mut totals = vec![0.0; bands.len()];
        for area in 0..areas {
            pop.band_totals(area, bands, &mut totals);
            for (b, total) in totals.iter().enumerate() {
                year[b * places + area] = *total;
            }
            year[bands.len() * places + area] = pop.area_total(area);
        }
        for b in 0..series {
            let row = &mut year[b * places..(b + 1) * places];
            row[areas] = row[..areas].iter().sum();
        }
    }
}

impl MonteCarloSummary {
    /// Checks that the summary is of `scenario` and whole, as [`MonteCarlo::run`] makes it:
    /// years from the base year on, one at a time; the scenario's bands then
    /// [`TOTAL_BAND`]; its areas in order then [`DISTRICT`]; quantile probabilities in
    /// (0, 1), strictly ascending; one quantile per cell and probability, one mean per cell,
    /// and every draw's cells when kept; every number finite. The report writers and the
    /// uncertainty entry points that read a summary run it first, so a summary whose public
    /// fields were edited gives this error rather than a panic or a mislabelled table.
    ///
    /// # Errors
    ///
    /// [`Error::Inconsistent`] (part `Monte Carlo summary`) naming the field.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::Scenario;
    /// use popalloc::uncertainty::MonteCarlo;
    ///
    /// let yuzhong = Scenario::yuzhong()?;
    /// let mut settings = yuzhong.uncertainty.clone();
    /// settings.draws = 3;
    /// let mut run = MonteCarlo::new(&yuzhong, settings).run(None)?;
    /// assert!(run.check_matches(&yuzhong).is_ok());
    /// run.places.pop();
    /// assert!(run.check_matches(&yuzhong).is_err());
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn check_matches(&self, scenario: &Scenario) -> Result<()> {
        let wrong = |field: &str, problem: String| Error::Inconsistent {
            part: "Monte Carlo summary",
            field: field.to_string(),
            problem,
        };
        let years = scenario.base_year()..;
        if self.years.is_empty() || !years.zip(&self.years).all(|(a, b)| a == *b) {
            return Err(wrong(
                "years",
                format!(
                    "{:?}, but a run of this scenario goes one year at a time from {}",
                    self.years.first().zip(self.years.last()),
                    scenario.base_year()
                ),
            ));
        }
        let bands = scenario.bands.iter().map(|b| b.name()).chain([TOTAL_BAND]);
        if !bands.eq(self.bands.iter().map(String::as_str)) {
            return Err(wrong(
                "bands",
                format!(
                    "{} bands, but a run of this scenario has its {} bands then {TOTAL_BAND:?}",
                    self.bands.len(),
                    scenario.bands.len()
                ),
            ));
        }
        let places = scenario
            .areas
            .iter()
            .map(|a| a.id.as_str())
            .chain([DISTRICT]);
        if !places.eq(self.places.iter().map(String::as_str)) {
            return Err(wrong(
                "places",
                format!(
                    "{} places, but a run of this scenario has its {} areas in order then {DISTRICT:?}",
                    self.places.len(),
                    scenario.areas.len()
                ),
            ));
        }
        if !(self.probs.iter().all(|&p| probability_allowed(p)) && strictly_ascending(&self.probs))
        {
            return Err(wrong(
                "probs",
                format!(
                    "{:?} are not probabilities in (0, 1), strictly ascending",
                    self.probs
                ),
            ));
        }
        let cells = self.years.len() * self.bands.len() * self.places.len();
        let lengths = [
            (
                "quantiles",
                self.quantiles.len(),
                cells.checked_mul(self.probs.len()),
            ),
            ("mean", self.mean.len(), Some(cells)),
            (
                "draws kept",
                self.kept.as_ref().map_or(0, Vec::len),
                match self.kept {
                    Some(_) => cells.checked_mul(self.draws()),
                    None => Some(0),
                },
            ),
        ];
        for (field, found, expected) in lengths {
            if Some(found) != expected {
                return Err(wrong(
                    field,
                    format!(
                        "{found} values for {} years, bands, places and draws",
                        cells
                    ),
                ));
            }
        }
        let numbers = self.quantiles.iter().chain(&self.mean);
        let numbers = numbers.chain(self.kept.iter().flatten());
        if let Some(v) = numbers.copied().find(|v| !v.is_finite()) {
            return Err(wrong("values", format!("{v}: every count must be finite")));
        }
        Ok(())
    }

    fn cell(&self, year: i32, band: usize, place: usize) -> Option<usize> {
        let y = self.years.iter().position(|&v| v == year)?;
        (band < self.bands.len() && place < self.places.len())
            .then(|| (y * self.bands.len() + band) * self.places.len() + place)
    }

    /// The number of draws.
    pub fn draws(&self) -> usize {
        self.assumptions.len()
    }

    /// The index of a band by name ([`TOTAL_BAND`] included).
    pub fn band_index(&self, name: &str) -> Option<usize> {
        self.bands.iter().position(|b| b == name)
    }

    /// The index of the district in `places`.
    pub fn district(&self) -> usize {
        self.places.len().saturating_sub(1)
    }

    /// Quantile number `prob` (an index into `probs`) of persons of `band` in `place` in
    /// `year`.
    pub fn quantile(&self, year: i32, band: usize, place: usize, prob: usize) -> Option<f64> {
        let cell = self.cell(year, band, place)?;
        self.quantiles.get(cell * self.probs.len() + prob).copied()
    }

    /// Mean persons of `band` in `place` in `year` over the draws.
    pub fn mean(&self, year: i32, band: usize, place: usize) -> Option<f64> {
        self.mean.get(self.cell(year, band, place)?).copied()
    }

    /// Persons of `band` in `place` in `year` in each draw, when the draws were kept.
    pub fn draw_values(&self, year: i32, band: usize, place: usize) -> Option<Vec<f64>> {
        let cell = self.cell(year, band, place)?;
        let kept = self.kept.as_ref()?;
        let cells = self.years.len() * self.bands.len() * self.places.len();
        (0..self.draws())
            .map(|d| kept.get(d * cells + cell).copied())
            .collect()
    }

    /// Persons of `band` in `place` in `year` in draw number `draw`, when the draws were
    /// kept.
    pub fn draw_value(&self, draw: usize, year: i32, band: usize, place: usize) -> Option<f64> {
        let cell = self.cell(year, band, place)?;
        let cells = self.years.len() * self.bands.len() * self.places.len();
        self.kept.as_ref()?.get(draw * cells + cell).copied()
    }

    /// Whether every draw was kept.
    pub fn has_draws(&self) -> bool {
        self.kept.is_some()
    }

    /// Persons of `band` in `place` in `year` at probability `p` from the kept draws
    /// (type 1, exact); `None` without kept draws.
    pub fn quantile_at(&self, year: i32, band: usize, place: usize, p: f64) -> Option<f64> {
        let mut values = self.draw_values(year, band, place)?;
        values.sort_by(f64::total_cmp);
        Some(sample_quantile(&values, p))
    }
}
