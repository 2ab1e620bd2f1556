//! The plan as a planner acts on it: the memo's section "What to build, where and when"
//! (units added by street, year, service and variant; conversions between variants; the
//! need one street's capacity serves in another, in words) and the additions by street
//! that `run` and `allocate` print.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use crate::allocate::{FLOW_TOLERANCE, Flow, Plan};
use crate::scenario::Scenario;

/// A flow from one street's capacity to another street's need is named in the memo only
/// when it reaches this many units (a bed, a place, a seat) in some year.
pub const SHARING_MIN_UNITS: f64 = 1.0;

/// The most pairs of streets the memo names per service, the largest flow first; the
/// others are counted (flows.csv lists every flow).
pub const SHARING_SHOWN: usize = 5;

/// Units of each service added in each street over the whole plan, `[area][service]` in
/// the scenario's order (all variants and years together).
///
/// # Examples
///
/// ```
/// use popalloc::{Allocation, AllocationOptions, Need, Scenario, allocate};
/// use popalloc::report::projects::additions_by_street;
///
/// let yuzhong = Scenario::yuzhong()?;
/// let need = Need::from_projection(&yuzhong, &yuzhong.project(yuzhong.horizon())?)?;
/// if let Allocation::Plan(plan) = allocate(&yuzhong, &need, &AllocationOptions::default())? {
///     let by_street = additions_by_street(&yuzhong, &plan);
///     assert_eq!(by_street.len(), yuzhong.areas.len());
///     let beds: f64 = by_street.iter().map(|street| street[0]).sum();
///     let district: f64 = plan
///         .rows
///         .iter()
///         .filter(|r| r.service == "elder_beds")
///         .map(|r| r.added)
///         .sum();
///     assert!((beds - district).abs() < 1e-6);
/// }
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn additions_by_street(scenario: &Scenario, plan: &Plan) -> Vec<Vec<f64>> {
    let areas = index_of(scenario.areas.iter().map(|a| a.id.as_str()));
    let services = index_of(scenario.services.iter().map(|s| s.id.as_str()));
    let mut out = vec![vec![0.0; scenario.services.len()]; scenario.areas.len()];
    for r in &plan.rows {
        if let (Some(&i), Some(&f)) = (areas.get(r.area.as_str()), services.get(r.service.as_str()))
        {
            out[i][f] += r.added;
        }
    }
    out
}

/// The memo's section "What to build, where and when": a street × year table of the
/// units each street adds, by service and variant (the plan's projects); the conversions
/// between variants, in total and by street and year; and, per service, the share of need
/// served in another street and the largest flows between streets in words ("Nanjimen
/// serves 35 beds of Qixinggang's need in 2025"): those of at least [`SHARING_MIN_UNITS`]
/// in some year, at most [`SHARING_SHOWN`] per service, largest first, with a count of
/// the rest. Amounts are whole where the plan's are and rounded to the unit otherwise;
/// plan.csv and flows.csv hold the exact values.
///
/// # Examples
///
/// ```
/// use popalloc::{Allocation, AllocationOptions, Need, Scenario, allocate};
/// use popalloc::report::projects::section;
///
/// let yuzhong = Scenario::yuzhong()?;
/// let need = Need::from_projection(&yuzhong, &yuzhong.project(yuzhong.horizon())?)?;
/// if let Allocation::Plan(plan) = allocate(&yuzhong, &need, &AllocationOptions::default())? {
///     let text = section(&yuzhong, &plan);
///     assert!(text.starts_with("## What to build, where and when"));
///     assert!(text.contains("| street | service | variant | 2021 |"));
/// }
/// # Ok::<(), popalloc::Error>(())
/// ```
pub fn section(scenario: &Scenario, plan: &Plan) -> String {
    let mut m = String::from("## What to build, where and when\n\n");
    projects(&mut m, scenario, plan);
    conversions(&mut m, scenario, plan);
    sharing(&mut m, scenario, plan);
    m
}

/// Ids to their positions.
fn index_of<'a>(ids: impl Iterator<Item = &'a str>) -> HashMap<&'a str, usize> {
    ids.enumerate().map(|(k, id)| (id, k)).collect()
}

/// The street × year table of additions by service and variant.
fn projects(m: &mut String, scenario: &Scenario, plan: &Plan) {
    let areas = index_of(scenario.areas.iter().map(|a| a.id.as_str()));
    let services = index_of(scenario.services.iter().map(|s| s.id.as_str()));
    let years = index_of_years(&plan.years);
    // (area, service, variant) → units added in each year.
    let mut cells: BTreeMap<(usize, usize, usize), Vec<f64>> = BTreeMap::new();
    for r in plan.rows.iter().filter(|r| r.added >= FLOW_TOLERANCE) {
        let (Some(&i), Some(&f), Some(&t)) = (
            areas.get(r.area.as_str()),
            services.get(r.service.as_str()),
            years.get(&r.year),
        ) else {
            continue;
        };
        let Some(v) = scenario.services[f]
            .variants
            .iter()
            .position(|x| *x == r.variant)
        else {
            continue;
        };
        cells
            .entry((i, f, v))
            .or_insert_with(|| vec![0.0; plan.years.len()])[t] += r.added;
    }
    if cells.is_empty() {
        let _ = writeln!(m, "The plan adds no capacity.\n");
        return;
    }
    let count: usize = cells
        .values()
        .map(|v| v.iter().filter(|x| **x >= FLOW_TOLERANCE).count())
        .sum();
    let _ = writeln!(
        m,
        "The projects: units added in each street and year, by service and variant ({count} {} of a variant in a street and year). \
         Whole units where the plan adds whole units, otherwise rounded to the unit (`<1`: less than half a unit); plan.csv holds the exact values.\n",
        if count == 1 { "addition" } else { "additions" }
    );
    year_table_header(m, &["street", "service", "variant"], &plan.years);
    for ((i, f, v), by_year) in &cells {
        let service = &scenario.services[*f];
        let _ = write!(
            m,
            "| {} | {} | {} |",
            scenario.areas[*i].label(),
            service.id,
            service.variants[*v]
        );
        for x in by_year {
            let _ = write!(m, " {} |", cell(*x));
        }
        let _ = writeln!(m, " {} |", units(by_year.iter().sum()));
    }
    m.push('\n');
}

fn index_of_years(years: &[i32]) -> HashMap<i32, usize> {
    years.iter().enumerate().map(|(t, y)| (*y, t)).collect()
}

/// A kind of conversion: service and variant from, service and variant to.
type Kind<'a> = (&'a str, &'a str, &'a str, &'a str);

/// The units of one kind of conversion over the plan (given up and gained), and the
/// streets that convert.
struct ConversionTotal<'a> {
    kind: Kind<'a>,
    amount: f64,
    gained: f64,
    streets: Vec<&'a str>,
}

/// The yearly units of one kind of conversion in one street: given up and gained.
struct StreetConversions<'a> {
    area: &'a str,
    kind: Kind<'a>,
    amount: Vec<f64>,
    gained: Vec<f64>,
}

/// Conversions between variants and repurposing between services: totals in words, each
/// street's repurposing in words, then the units converted by street and year.
fn conversions(m: &mut String, scenario: &Scenario, plan: &Plan) {
    let _ = writeln!(m, "### Conversions and repurposing\n");
    let converted = plan.conversions();
    if converted.is_empty() {
        let _ = writeln!(
            m,
            "The plan converts no capacity from one variant to another and repurposes none.\n"
        );
        return;
    }
    let years = index_of_years(&plan.years);
    // Totals per kind of conversion, and yearly amounts per street and kind, each in the
    // order first met (the plan lists its conversions by year, area and conversion).
    let mut totals: Vec<ConversionTotal> = Vec::new();
    let mut total_of: HashMap<Kind, usize> = HashMap::new();
    let mut by_street: Vec<StreetConversions> = Vec::new();
    let mut street_of: HashMap<(&str, Kind), usize> = HashMap::new();
    for c in converted {
        let kind = (
            c.service.as_str(),
            c.from.as_str(),
            c.to_service.as_str(),
            c.to.as_str(),
        );
        let k = *total_of.entry(kind).or_insert_with(|| {
            totals.push(ConversionTotal {
                kind,
                amount: 0.0,
                gained: 0.0,
                streets: Vec::new(),
            });
            totals.len() - 1
        });
        totals[k].amount += c.amount;
        totals[k].gained += c.gained;
        if !totals[k].streets.contains(&c.area.as_str()) {
            totals[k].streets.push(&c.area);
        }
        let Some(&t) = years.get(&c.year) else {
            continue;
        };
        let row = *street_of.entry((&c.area, kind)).or_insert_with(|| {
            by_street.push(StreetConversions {
                area: &c.area,
                kind,
                amount: vec![0.0; plan.years.len()],
                gained: vec![0.0; plan.years.len()],
            });
            by_street.len() - 1
        });
        by_street[row].amount[t] += c.amount;
        by_street[row].gained[t] += c.gained;
    }
    for total in &totals {
        let _ = writeln!(m, "- {}", total_sentence(scenario, total));
    }
    m.push('\n');
    let repurposing: Vec<&StreetConversions> =
        by_street.iter().filter(|s| s.kind.0 != s.kind.2).collect();
    if !repurposing.is_empty() {
        let _ = writeln!(
            m,
            "Repurposing, street by street (capacity of one service turned into another's):\n"
        );
        for street in repurposing {
            let _ = writeln!(
                m,
                "- {}",
                repurposing_sentence(scenario, &plan.years, street)
            );
        }
        m.push('\n');
    }
    let _ = writeln!(
        m,
        "Units converted (given up) by street and year; repurposing gains the other service's units in words above.\n"
    );
    year_table_header(m, &["street", "service", "converted"], &plan.years);
    for street in &by_street {
        let (service, from, to_service, to) = street.kind;
        let services = if service == to_service {
            service.to_string()
        } else {
            format!("{service} → {to_service}")
        };
        let _ = write!(
            m,
            "| {} | {services} | {from} → {to} |",
            street_label(scenario, street.area)
        );
        for x in &street.amount {
            let _ = write!(m, " {} |", cell(*x));
        }
        let _ = writeln!(m, " {} |", units(street.amount.iter().sum()));
    }
    m.push('\n');
}

/// A street's label (Chinese and English names), or its id when unknown.
fn street_label(scenario: &Scenario, id: &str) -> String {
    scenario
        .areas
        .iter()
        .find(|a| a.id == id)
        .map_or(id.to_string(), |a| a.label())
}

/// A street's English name (its label when it has none, its id when unknown).
fn street_name(scenario: &Scenario, id: &str) -> String {
    scenario
        .areas
        .iter()
        .find(|a| a.id == id)
        .map_or(id.to_string(), |a| {
            if a.name_en.is_empty() {
                a.label()
            } else {
                a.name_en.clone()
            }
        })
}

/// "Elder-care beds: 1,747 beds converted from ordinary_social to nursing_social, in 11
/// streets." or, repurposing, "Kindergarten places → Childcare places (under 3): 900
/// private kindergarten places turned into 600 inclusive childcare places, in 6 streets."
fn total_sentence(scenario: &Scenario, total: &ConversionTotal) -> String {
    let (service, from, to_service, to) = total.kind;
    let streets = total.streets.len();
    let in_streets = format!(
        "in {streets} {}",
        if streets == 1 { "street" } else { "streets" }
    );
    let (name, unit) = service_words(scenario, service);
    if service == to_service {
        return format!(
            "{name}: {} {} converted from {from} to {to}, {in_streets}.",
            units(total.amount),
            plural(&unit, total.amount)
        );
    }
    let (to_name, _) = service_words(scenario, to_service);
    format!(
        "{name} → {to_name}: {} turned into {}, {in_streets}.",
        capacity_words(scenario, service, from, total.amount),
        capacity_words(scenario, to_service, to, total.gained)
    )
}

/// "Daping turns 45 private kindergarten places into 30 inclusive childcare places in
/// 2023 (and 20 into 13 in 2024)."
fn repurposing_sentence(scenario: &Scenario, years: &[i32], street: &StreetConversions) -> String {
    let (service, from, to_service, to) = street.kind;
    let done: Vec<(i32, f64, f64)> = years
        .iter()
        .zip(street.amount.iter().zip(&street.gained))
        .filter(|(_, (a, _))| **a >= FLOW_TOLERANCE)
        .map(|(y, (a, g))| (*y, *a, *g))
        .collect();
    let Some(((year, amount, gained), rest)) = done.split_first() else {
        return String::new();
    };
    let mut text = format!(
        "{} turns {} into {} in {year}",
        street_name(scenario, street.area),
        capacity_words(scenario, service, from, *amount),
        capacity_words(scenario, to_service, to, *gained)
    );
    let parts: Vec<String> = rest
        .iter()
        .map(|(y, a, g)| format!("{} into {} in {y}", units(*a), units(*g)))
        .collect();
    if let Some((last, others)) = parts.split_last() {
        let joined = if others.is_empty() {
            last.clone()
        } else {
            format!("{}, and {last}", others.join(", "))
        };
        let _ = write!(text, " (and {joined})");
    }
    text.push('.');
    text
}

/// Capacity in words: "45 private kindergarten places" (amount, variant, service id and
/// unit, underscores read as spaces).
fn capacity_words(scenario: &Scenario, service: &str, variant: &str, amount: f64) -> String {
    let (_, unit) = service_words(scenario, service);
    format!(
        "{} {} {} {}",
        units(amount),
        variant.replace('_', " "),
        service.replace('_', " "),
        plural(&unit, amount)
    )
}

/// A pair of streets that share capacity: the yearly flows from one to the other.
struct Pair<'a> {
    serving: &'a str,
    served: &'a str,
    by_year: Vec<(i32, f64)>,
}

impl Pair<'_> {
    /// The largest yearly flow and its year (the earliest of equal ones).
    fn peak(&self) -> (i32, f64) {
        self.by_year
            .iter()
            .copied()
            .fold((0, f64::NEG_INFINITY), |best, (y, x)| {
                if x > best.1 { (y, x) } else { best }
            })
    }
}

/// Per service: the share of need served in another street, and the largest flows
/// between streets in words.
fn sharing(m: &mut String, scenario: &Scenario, plan: &Plan) {
    let _ = writeln!(m, "### Sharing between streets\n");
    let _ = writeln!(
        m,
        "Need in one street may be served by capacity in another within the service's walking radius. \
         Named below, per service: the flows between streets of at least {} unit in some year, at most {SHARING_SHOWN} per service, \
         the largest first; flows.csv lists every flow.\n",
        units(SHARING_MIN_UNITS)
    );
    let horizon = plan.years.last().copied();
    for service in &scenario.services {
        let flows: Vec<&Flow> = plan
            .flows()
            .iter()
            .filter(|f| f.service == service.id)
            .collect();
        let unit = &service.unit;
        let mut pairs: Vec<Pair> = Vec::new();
        let mut position: HashMap<(&str, &str), usize> = HashMap::new();
        for f in flows.iter().filter(|f| f.area_served != f.area_serving) {
            let key = (f.area_serving.as_str(), f.area_served.as_str());
            match position.get(&key) {
                Some(&k) => pairs[k].by_year.push((f.year, f.amount)),
                None => {
                    position.insert(key, pairs.len());
                    pairs.push(Pair {
                        serving: key.0,
                        served: key.1,
                        by_year: vec![(f.year, f.amount)],
                    });
                }
            }
        }
        let mut text = format!("**{}**", service.name);
        if let Some(year) = horizon {
            // Folded from +0 (an empty sum of f64 is -0, shown "-0 %").
            let served = flows
                .iter()
                .filter(|f| f.year == year)
                .fold(0.0, |sum, f| sum + f.amount);
            let away = flows
                .iter()
                .filter(|f| f.year == year && f.area_served != f.area_serving)
                .fold(0.0, |sum, f| sum + f.amount);
            if served > 0.0 {
                let _ = write!(
                    text,
                    ": in {year}, {} of the {} {} of need served are served in another street ({:.0} %).",
                    units(away),
                    units(served),
                    plural(unit, served),
                    100.0 * away / served
                );
            } else {
                let _ = write!(text, ": no need served in {year}.");
            }
        }
        let (named, small): (Vec<Pair>, Vec<Pair>) = pairs
            .into_iter()
            .partition(|p| p.peak().1 >= SHARING_MIN_UNITS);
        let mut named = named;
        named.sort_by(|a, b| b.peak().1.total_cmp(&a.peak().1));
        if named.is_empty() {
            let _ = writeln!(
                m,
                "{text} No street serves {} {} or more of another street's need in any year{}.\n",
                units(SHARING_MIN_UNITS),
                plural(unit, SHARING_MIN_UNITS),
                if small.is_empty() {
                    String::new()
                } else {
                    format!(" ({} pairs of streets share less)", small.len())
                }
            );
            continue;
        }
        let _ = writeln!(m, "{text}\n");
        for pair in named.iter().take(SHARING_SHOWN) {
            let _ = writeln!(m, "- {}", sentence(scenario, unit, pair));
        }
        let more = named.len().saturating_sub(SHARING_SHOWN);
        if more > 0 || !small.is_empty() {
            let _ = writeln!(
                m,
                "- and {more} more {} of streets sharing at least {} {} in some year, {} sharing less.",
                if more == 1 { "pair" } else { "pairs" },
                units(SHARING_MIN_UNITS),
                plural(unit, SHARING_MIN_UNITS),
                small.len()
            );
        }
        m.push('\n');
    }
}

/// "Nanjimen serves 35 beds of Qixinggang's need in 2025 (and 30 to 34 in 2021–2024)."
fn sentence(scenario: &Scenario, unit: &str, pair: &Pair) -> String {
    let name = |id: &str| street_name(scenario, id);
    let (year, amount) = pair.peak();
    let mut text = format!(
        "{} serves {} {} of {}'s need in {year}",
        name(pair.serving),
        units(amount),
        plural(unit, amount),
        name(pair.served)
    );
    let others: Vec<(i32, f64)> = pair
        .by_year
        .iter()
        .copied()
        .filter(|(y, x)| *y != year && *x >= SHARING_MIN_UNITS)
        .collect();
    if !others.is_empty() {
        let low = others.iter().map(|o| o.1).fold(f64::INFINITY, f64::min);
        let high = others.iter().map(|o| o.1).fold(0.0, f64::max);
        let range = if units(low) == units(high) {
            units(low)
        } else {
            format!("{} to {}", units(low), units(high))
        };
        let years: Vec<i32> = others.iter().map(|o| o.0).collect();
        let _ = write!(text, " (and {range} in {})", year_list(&years));
    }
    text.push('.');
    text
}

/// Years as a reader writes them: runs of consecutive years as "2021–2024", the rest
/// listed: "2021, 2023 and 2025".
fn year_list(years: &[i32]) -> String {
    let mut runs: Vec<(i32, i32)> = Vec::new();
    for &y in years {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == y => *end = y,
            _ => runs.push((y, y)),
        }
    }
    let parts: Vec<String> = runs
        .iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}–{b}")
            }
        })
        .collect();
    match parts.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// The service's name (lower case) and unit.
fn service_words(scenario: &Scenario, id: &str) -> (String, String) {
    scenario
        .services
        .iter()
        .find(|s| s.id == id)
        .map_or((id.to_string(), "unit".to_string()), |s| {
            (s.name.clone(), s.unit.clone())
        })
}

/// A table cell: empty for nothing, else [`units`].
fn cell(x: f64) -> String {
    if x.abs() < FLOW_TOLERANCE {
        String::new()
    } else {
        units(x)
    }
}

/// An amount as a planner reads it: whole units with thousands separators, `<1` for a
/// positive amount under half a unit.
fn units(x: f64) -> String {
    if x > 0.0 && x < 0.5 {
        return "<1".to_string();
    }
    let whole = x.round();
    let digits = format!("{:.0}", whole.abs());
    let mut grouped = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if whole < 0.0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// The unit in the plural unless the amount reads as one.
fn plural(unit: &str, amount: f64) -> String {
    let alphabetic = unit.chars().last().is_some_and(char::is_alphabetic);
    if units(amount) == "1" || !alphabetic || unit.ends_with('s') {
        unit.to_string()
    } else {
        format!("{unit}s")
    }
}

/// The header of a Markdown table with the `labels` columns, one column per year and a
/// total, the numbers right-aligned.
fn year_table_header(m: &mut String, labels: &[&str], years: &[i32]) {
    let _ = write!(m, "|");
    for label in labels {
        let _ = write!(m, " {label} |");
    }
    for y in years {
        let _ = write!(m, " {y} |");
    }
    let _ = write!(m, " total |\n|");
    for _ in labels {
        let _ = write!(m, "---|");
    }
    for _ in years {
        let _ = write!(m, "---:|");
    }
    let _ = writeln!(m, "---:|");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_as_whole_units() {
        assert_eq!(units(1747.4), "1,747");
        assert_eq!(units(115.000001), "115");
        assert_eq!(units(0.3), "<1");
        assert_eq!(units(0.0), "0");
        assert_eq!(units(-1234.6), "-1,235");
        assert_eq!(plural("bed", 1.0), "bed");
        assert_eq!(plural("bed", 35.0), "beds");
    }

    #[test]
    fn years_read_as_runs() {
        assert_eq!(year_list(&[2021, 2022, 2023, 2024]), "2021–2024");
        assert_eq!(year_list(&[2021, 2023, 2025]), "2021, 2023 and 2025");
        assert_eq!(year_list(&[2021, 2022, 2025]), "2021–2022 and 2025");
        assert_eq!(year_list(&[2024]), "2024");
    }
}
