//! The consistency check of a scenario built or edited in code, and of a projection against
//! its scenario: every index within its list, every per-area and per-variant vector of the
//! right length, every number finite and within the range the loader enforces
//! ([`limits`](super::limits)). Each public entry point runs it first, so that parts that do
//! not fit together give a typed error, never a panic or a plan of the wrong thing.

use std::collections::HashSet;

use crate::demography::migration::RogersCastro;
use crate::demography::population::{OMEGA, Population};
use crate::demography::projection::Projection;
use crate::demography::sex::Sex;
use crate::error::{Error, Result, shown};
use crate::scenario::Scenario;
use crate::scenario::assumptions::{FertilityAssumption, MortalityAssumption};
use crate::scenario::limits::{
    AREA_ID_RULE, BUDGET_RANGE, BUILD_RATE_RANGE, DISCOUNT_RATE_RANGE, E0_RANGE, E0_RANGE_TEXT,
    GROUP_ID_RULE, MAX_BUDGET, MAX_DISCOUNT_RATE, MAX_INPUT_VALUE, MAX_MODULE_UNITS, MAX_NEED_RATE,
    MAX_RADIUS_MINUTES, MAX_TFR, MODULE_RANGE, MULTIPLIER_RANGE, NEED_RATE_RANGE, RADIUS_RANGE,
    TABLE_VALUE_RANGE, TFR_RANGE, allowed_comparisons, in_range, is_area_id, is_multiplier,
};
use crate::scenario::plan_data::{CONVERSION_RATIO_RANGE, MAX_CONVERSION_RATIO, Service};
use crate::scenario::target::{TargetKind, TargetLevel};

/// An [`Error::Inconsistent`] of part `part`.
pub(crate) fn inconsistent(
    part: &'static str,
    field: impl Into<String>,
    problem: impl Into<String>,
) -> Error {
    Error::Inconsistent {
        part,
        field: field.into(),
        problem: problem.into(),
    }
}

/// An [`Error::Inconsistent`] of the scenario.
fn problem(field: impl Into<String>, problem: impl Into<String>) -> Error {
    inconsistent("scenario", field, problem)
}

/// `index` must point into a list of `len` things called `what`.
fn index(field: impl Into<String>, index: usize, len: usize, what: &str) -> Result<()> {
    if index < len {
        return Ok(());
    }
    Err(problem(
        field,
        format!("{what} number {index} (from 0), but there are {len} {what}s"),
    ))
}

/// A vector must hold `expected` values, one per `what`.
fn length(field: impl Into<String>, found: usize, expected: usize, what: &str) -> Result<()> {
    if found == expected {
        return Ok(());
    }
    Err(problem(
        field,
        format!("{found} values, but one per {what} makes {expected}"),
    ))
}

/// A number must pass `ok`, which is said `range` in words.
fn number(field: impl Into<String>, value: f64, ok: bool, range: &str) -> Result<()> {
    number_at(|| field.into(), value, ok, range)
}

/// [`number`] with the field named only when the check fails, so that loops over every
/// area and table cell make no string.
fn number_at(field: impl FnOnce() -> String, value: f64, ok: bool, range: &str) -> Result<()> {
    if ok && value.is_finite() {
        return Ok(());
    }
    Err(problem(field(), format!("{} is not {range}", shown(value))))
}

/// Every value of a table cell list: finite, from 0 to [`MAX_INPUT_VALUE`].
fn table_values(field: &str, values: impl IntoIterator<Item = f64>) -> Result<()> {
    for (i, v) in values.into_iter().enumerate() {
        number_at(
            || format!("{field}[{i}]"),
            v,
            in_range(v, MAX_INPUT_VALUE),
            TABLE_VALUE_RANGE,
        )?;
    }
    Ok(())
}

impl Scenario {
    /// Checks that the scenario's parts fit together and keep the loader's rules, as a
    /// scenario read by [`Scenario::load`] always does: every index (a target's service,
    /// band and variants, a conversion's service and variants, a service's band) within
    /// its list; every per-area and per-variant vector (stock, unit costs, caps, the base
    /// population's areas, the travel-time matrix) of the right length; every number
    /// finite and within the range the loader accepts. The check takes time in proportion
    /// to the scenario's size (negligible next to a projection).
    ///
    /// Every public entry point that takes a scenario runs it first ([`crate::allocate()`],
    /// [`crate::allocate::export_lp`], [`crate::allocate::sweep::sweep`],
    /// [`Scenario::project`], [`crate::Need::from_projection`], the report writers and the
    /// uncertainty runs), so a caller who edits a scenario's public fields gets this error
    /// rather than a panic or a plan of something else.
    ///
    /// # Errors
    ///
    /// [`Error::Inconsistent`] naming the field (e.g. `targets[0].service`) and what is
    /// wrong with it, for the first problem found; [`Error::InvalidSetting`] for a target
    /// value beyond what its kind accepts for the district's base population
    /// ([`TargetKind::accepts_in`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::{Error, Scenario};
    ///
    /// let mut yuzhong = Scenario::yuzhong()?;
    /// assert!(yuzhong.check_consistent().is_ok());
    /// yuzhong.targets[0].service = 99;
    /// let err = yuzhong.check_consistent().unwrap_err();
    /// assert!(matches!(err, Error::Inconsistent { ref field, .. } if field == "targets[0].service"));
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn check_consistent(&self) -> Result<()> {
        number(
            "file.horizon",
            f64::from(self.file.horizon),
            super::horizon_in_reach(self.file.base_year, self.file.horizon),
            super::HORIZON_RANGE,
        )?;
        self.check_areas()?;
        self.check_base()?;
        self.check_assumptions()?;
        for (f, service) in self.services.iter().enumerate() {
            self.check_service(f, service)?;
        }
        self.check_conversions()?;
        for (field, value) in [
            ("budget.total", self.budget.total),
            ("budget.per_year", self.budget.per_year),
        ] {
            if let Some(v) = value {
                number(field, v, in_range(v, MAX_BUDGET), BUDGET_RANGE)?;
            }
        }
        let rate = self.plan_settings.discount_rate;
        number(
            "plan.discount_rate",
            rate,
            in_range(rate, MAX_DISCOUNT_RATE),
            DISCOUNT_RATE_RANGE,
        )?;
        length(
            "access",
            self.access.area_count(),
            self.areas.len(),
            "area (rows of the travel-time matrix)",
        )?;
        self.check_targets()?;
        self.check_expectations()
    }

    fn check_areas(&self) -> Result<()> {
        if self.areas.is_empty() {
            return Err(problem("areas", "no areas; a scenario needs at least one"));
        }
        let mut seen = HashSet::with_capacity(self.areas.len());
        for (i, area) in self.areas.iter().enumerate() {
            let field = |name: &str| format!("areas[{i}].{name}");
            if !is_area_id(&area.id) {
                return Err(problem(
                    field("id"),
                    format!("{:?} is not {AREA_ID_RULE}", area.id),
                ));
            }
            if !seen.insert(area.id.as_str()) {
                return Err(problem(
                    field("id"),
                    format!("{:?} is given twice", area.id),
                ));
            }
            if let Some(group) = &area.group
                && !is_area_id(group)
            {
                return Err(problem(
                    field("group"),
                    format!("{group:?} is not {GROUP_ID_RULE}"),
                ));
            }
            if let Some((lat, lon)) = area.centroid {
                let range = "degrees within ±90 (latitude) or ±180 (longitude)";
                number_at(|| field("centroid"), lat, lat.abs() <= 90.0, range)?;
                number_at(|| field("centroid"), lon, lon.abs() <= 180.0, range)?;
            }
            for (name, v, mortality) in [
                ("fertility_multiplier", area.fertility_multiplier, false),
                ("mortality_multiplier", area.mortality_multiplier, true),
            ] {
                number_at(
                    || field(name),
                    v,
                    is_multiplier(v, mortality),
                    MULTIPLIER_RANGE,
                )?;
            }
            let v = area.net_migration;
            number_at(
                || field("net_migration"),
                v,
                v.abs() <= MAX_INPUT_VALUE,
                "a number of persons a year from -1e10 to 1e10",
            )?;
        }
        Ok(())
    }

    fn check_base(&self) -> Result<()> {
        self.check_population("base", "scenario", &self.base)?;
        let groups = self.base.groups().max(1);
        for (i, &v) in self.base.values().iter().enumerate() {
            if !in_range(v, MAX_INPUT_VALUE) {
                let sex = Sex::ALL[(i / groups) % 2];
                let area = self
                    .areas
                    .get(i / (2 * groups))
                    .map_or("?", |a| a.id.as_str());
                return Err(problem(
                    "base",
                    format!(
                        "{} persons ({area}, {sex}, age {}) is not a number from 0 to 1e10",
                        shown(v),
                        i % groups
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A population must have the scenario's areas, in order, by single year to [`OMEGA`]+.
    fn check_population(
        &self,
        field: &str,
        part: &'static str,
        population: &Population,
    ) -> Result<()> {
        let ids = population.areas();
        if ids.len() != self.areas.len() {
            return Err(inconsistent(
                part,
                field,
                format!(
                    "{} areas, but the scenario has {}",
                    ids.len(),
                    self.areas.len()
                ),
            ));
        }
        if let Some((i, (id, area))) = ids
            .iter()
            .zip(&self.areas)
            .enumerate()
            .find(|(_, (id, area))| **id != area.id)
        {
            return Err(inconsistent(
                part,
                field,
                format!(
                    "area number {i} is {id:?}, but the scenario's is {:?}",
                    area.id
                ),
            ));
        }
        if population.width() != 1 || population.open_age() != OMEGA {
            return Err(inconsistent(
                part,
                field,
                format!(
                    "ages in groups of {} to {}+, but a scenario's go by single year to {OMEGA}+",
                    population.width(),
                    population.open_age()
                ),
            ));
        }
        Ok(())
    }

    fn check_assumptions(&self) -> Result<()> {
        let ratio = self.fertility.sex_ratio_at_birth;
        number(
            "fertility.sex_ratio_at_birth",
            ratio,
            ratio > 0.0,
            "a finite number > 0 (males per female birth)",
        )?;
        match &self.fertility.schedule {
            FertilityAssumption::TfrShape { tfr, .. }
            | FertilityAssumption::TfrGamma { tfr, .. } => {
                for &(year, value) in tfr.points() {
                    number(
                        format!("fertility.tfr[{year}]"),
                        value,
                        (0.0..=MAX_TFR).contains(&value),
                        TFR_RANGE,
                    )?;
                }
            }
            FertilityAssumption::Asfr(_) => {}
        }
        if let MortalityAssumption::Brass { e0, .. } = &self.mortality {
            for sex in Sex::ALL {
                for &(year, value) in e0[sex.index()].points() {
                    number(
                        format!("mortality.e0.{}[{year}]", sex.as_str()),
                        value,
                        E0_RANGE.contains(&value),
                        E0_RANGE_TEXT,
                    )?;
                }
            }
        }
        let migration = &self.migration;
        number(
            "migration.female_share",
            migration.female_share,
            (0.0..=1.0).contains(&migration.female_share),
            "a share in [0, 1]",
        )?;
        let s = &migration.schedule;
        if let Err(e) = RogersCastro::new(s.a1, s.alpha1, s.a2, s.alpha2, s.mu2, s.lambda2, s.c) {
            return Err(problem("migration.schedule", e.to_string()));
        }
        for (year, migrants) in migration.by_age.iter().flatten() {
            let field = match year {
                Some(y) => format!("migration.by_age[{y}]"),
                None => "migration.by_age[every year]".into(),
            };
            length(&field, migrants.area_count(), self.areas.len(), "area")?;
            length(&field, migrants.groups(), OMEGA + 1, "age")?;
        }
        Ok(())
    }

    fn check_service(&self, f: usize, s: &Service) -> Result<()> {
        let field = |name: &str| format!("services[{f}].{name}");
        let (areas, variants) = (self.areas.len(), s.variants.len());
        index(field("band"), s.band, self.bands.len(), "band")?;
        let (rate, radius) = (s.need_rate, s.radius_minutes);
        let rate_ok = in_range(rate, MAX_NEED_RATE);
        number(field("need_rate"), rate, rate_ok, NEED_RATE_RANGE)?;
        let radius_ok = in_range(radius, MAX_RADIUS_MINUTES);
        number(field("radius_minutes"), radius, radius_ok, RADIUS_RANGE)?;
        if let Some(m) = s.min_addition {
            number(
                field("min_addition"),
                m,
                in_range(m, MAX_MODULE_UNITS),
                MODULE_RANGE,
            )?;
        }
        for (name, limit) in [
            ("max_added_per_year", s.max_added_per_year),
            ("max_added_per_area_year", s.max_added_per_area_year),
        ] {
            if let Some(m) = limit {
                number(field(name), m, in_range(m, MAX_BUDGET), BUILD_RATE_RANGE)?;
            }
        }
        if let Some(c) = s.project_cost {
            number(
                field("project_cost"),
                c,
                in_range(c, MAX_BUDGET),
                BUDGET_RANGE,
            )?;
        }
        if variants == 0 {
            return Err(problem(
                field("variants"),
                "no variants; a service needs one",
            ));
        }
        let mut seen = HashSet::with_capacity(variants);
        if let Some(v) = s.variants.iter().find(|v| !seen.insert(v.as_str())) {
            return Err(problem(field("variants"), format!("{v:?} is given twice")));
        }
        length(field("stock"), s.stock.len(), variants, "variant")?;
        for (v, stock) in s.stock.iter().enumerate() {
            let name = field(&format!("stock[{v}]"));
            length(&name, stock.len(), areas, "area")?;
            table_values(&name, stock.iter().copied())?;
        }
        length(field("add_cost"), s.add_cost.len(), variants, "variant")?;
        table_values(&field("add_cost"), s.add_cost.iter().copied())?;
        length(field("caps"), s.caps.len(), areas, "area")?;
        table_values(&field("caps"), s.caps.iter().flatten().copied())?;
        length(
            field("variant_caps"),
            s.variant_caps.len(),
            variants,
            "variant",
        )?;
        for (v, caps) in s.variant_caps.iter().enumerate() {
            let name = field(&format!("variant_caps[{v}]"));
            length(&name, caps.len(), areas, "area")?;
            table_values(&name, caps.iter().flatten().copied())?;
        }
        Ok(())
    }

    fn check_conversions(&self) -> Result<()> {
        for (k, c) in self.conversions.iter().enumerate() {
            let field = |name: &str| format!("conversions[{k}].{name}");
            index(field("service"), c.service, self.services.len(), "service")?;
            let variants = self.services[c.service].variants.len();
            index(field("from"), c.from, variants, "variant")?;
            index(
                field("to_service"),
                c.to_service,
                self.services.len(),
                "service",
            )?;
            let to_variants = self.services[c.to_service].variants.len();
            index(field("to"), c.to, to_variants, "variant")?;
            if c.service == c.to_service && c.from == c.to {
                return Err(problem(
                    field("to"),
                    "the same variant as `from`; a conversion changes the variant",
                ));
            }
            number(
                field("ratio"),
                c.ratio,
                c.ratio > 0.0 && c.ratio <= MAX_CONVERSION_RATIO,
                CONVERSION_RATIO_RANGE,
            )?;
            number(
                field("cost"),
                c.cost,
                in_range(c.cost, MAX_INPUT_VALUE),
                TABLE_VALUE_RANGE,
            )?;
            if let Some(m) = c.max_per_area {
                let ok = in_range(m, MAX_INPUT_VALUE);
                number(field("max_per_area"), m, ok, TABLE_VALUE_RANGE)?;
            }
        }
        Ok(())
    }

    fn check_targets(&self) -> Result<()> {
        let residents = self.base.total();
        for (k, t) in self.targets.iter().enumerate() {
            let field = |name: &str| format!("targets[{k}].{name}");
            index(field("service"), t.service, self.services.len(), "service")?;
            let variants = self.services[t.service].variants.len();
            if t.variants.is_empty() {
                return Err(problem(
                    field("variants"),
                    "no variants; a target counts at least one",
                ));
            }
            let mut seen = HashSet::with_capacity(t.variants.len());
            for &v in &t.variants {
                index(field("variants"), v, variants, "variant")?;
                if !seen.insert(v) {
                    return Err(problem(
                        field("variants"),
                        format!("variant {v} is counted twice"),
                    ));
                }
            }
            if let Some(b) = t.band {
                index(field("band"), b, self.bands.len(), "band")?;
            }
            let (base, horizon) = (self.base_year(), self.horizon());
            number(
                field("year"),
                f64::from(t.year),
                t.year > base && t.year <= horizon,
                "a year after base_year and no later than the horizon",
            )?;
            let m = t.min_per_area;
            number(field("min_per_area"), m, m >= 0.0, "a finite number >= 0")?;
            if !allowed_comparisons(t.kind).contains(&t.op) {
                return Err(problem(
                    field("op"),
                    format!("{} is not allowed for this kind of target", t.op.symbol()),
                ));
            }
            if t.kind == TargetKind::AreaCount && t.level != TargetLevel::District {
                return Err(problem(
                    field("level"),
                    "an area_count target counts areas, so it is a district target",
                ));
            }
            if t.level == TargetLevel::Group
                && let Some(area) = self.areas.iter().find(|a| a.group.is_none())
            {
                return Err(problem(
                    field("level"),
                    format!(
                        "a group target is measured in each group of areas, and area {:?} has \
                         no group (the areas file's column group)",
                        area.id
                    ),
                ));
            }
            if !t.kind.accepts_in(t.value, residents) {
                return Err(Error::InvalidSetting {
                    path: "<scenario>".into(),
                    field: format!("targets[{k}].value (target {:?})", t.id),
                    value: t.value,
                    range: t.kind.magnitude_range(),
                });
            }
        }
        Ok(())
    }

    fn check_expectations(&self) -> Result<()> {
        for (k, e) in self.expectations.iter().enumerate() {
            let field = |name: &str| format!("expectations[{k}].{name}");
            index(field("band"), e.band, self.bands.len(), "band")?;
            number(
                field("year"),
                f64::from(e.year),
                e.year >= self.base_year() && e.year <= self.horizon(),
                "a year from base_year to the horizon",
            )?;
            let share = e.kind == crate::scenario::target::ExpectationKind::Share;
            number(
                field("value"),
                e.value,
                e.value >= 0.0 && (!share || e.value <= 1.0),
                if share {
                    "a share in [0, 1]"
                } else {
                    "a count >= 0"
                },
            )?;
        }
        Ok(())
    }

    /// Checks that a projection is of this scenario: it starts in the base year, goes on
    /// one year at a time, and each state has the scenario's areas in order, by single year
    /// of age to [`OMEGA`]+, every count finite.
    ///
    /// # Errors
    ///
    /// [`Error::Inconsistent`] (part `projection`) naming the state and what is wrong.
    ///
    /// # Examples
    ///
    /// ```
    /// use popalloc::Scenario;
    ///
    /// let yuzhong = Scenario::yuzhong()?;
    /// let projection = yuzhong.project(2022)?;
    /// assert!(yuzhong.check_projection(&projection).is_ok());
    /// // The same projection is not of a scenario with one street fewer.
    /// let mut fewer = yuzhong.clone();
    /// fewer.areas.pop();
    /// assert!(fewer.check_projection(&projection).is_err());
    /// # Ok::<(), popalloc::Error>(())
    /// ```
    pub fn check_projection(&self, projection: &Projection) -> Result<()> {
        let part = "projection";
        let Some((first, _)) = projection.states.first() else {
            return Err(inconsistent(part, "states", "no states"));
        };
        if *first != self.base_year() {
            return Err(inconsistent(
                part,
                "states[0]",
                format!(
                    "starts in {first}, but the scenario's base year is {}",
                    self.base_year()
                ),
            ));
        }
        for (k, (year, population)) in projection.states.iter().enumerate() {
            let field = format!("states[{k}]");
            let expected = i64::from(self.base_year()) + k as i64;
            if i64::from(*year) != expected {
                return Err(inconsistent(
                    part,
                    field,
                    format!("year {year}, but states go one year at a time ({expected})"),
                ));
            }
            self.check_population(&field, part, population)?;
            if let Some(v) = population.values().iter().find(|v| !v.is_finite()) {
                return Err(inconsistent(
                    part,
                    field,
                    format!("{v} persons; every count must be a finite number"),
                ));
            }
        }
        Ok(())
    }
}
