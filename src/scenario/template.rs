//! A template for a new district (`popalloc init DIR --template`): the default scenario's
//! files, so that it runs at once, with its name, `[provenance]` and SOURCES.md turned into
//! placeholders to fill, so that a new district's memo never cites Yuzhong's census.

use std::path::Path;

use crate::error::Result;
use crate::scenario::Scenario;
use crate::scenario::embedded::YUZHONG;

/// The mark every placeholder starts with; the memo shows it until it is replaced.
pub const TO_FILL: &str = "[to fill]";

/// The `[provenance]` keys the template lists, with what each should say.
const PROVENANCE: [(&str, &str); 11] = [
    (
        "population",
        "the base population: census or register, year, how streets were split",
    ),
    (
        "fertility",
        "the TFR path and the age shape: where from, which years",
    ),
    (
        "sex_ratio_at_birth",
        "the sex ratio at birth: the published figure",
    ),
    ("mortality", "e0 by sex, or the death rates: where from"),
    ("migration", "net migration by street: how it was estimated"),
    (
        "need",
        "the need rates: the standards or plan figures they come from",
    ),
    ("stock", "capacity in the base year: the register, year"),
    (
        "costs",
        "unit costs: the published figures, or say they are relative",
    ),
    (
        "access",
        "centroids or travel times: how they were measured",
    ),
    (
        "targets",
        "the plan the targets come from, with its classes",
    ),
    ("uncertainty", "the spreads of the assumptions: where from"),
];

impl Scenario {
    /// Writes a template for a new district into `dir` (new or empty): the default
    /// scenario's files, so that it validates and runs at once, with the name, the
    /// `[provenance]` table and SOURCES.md turned into placeholders marked
    /// [`TO_FILL`]. Every number (the census rows its migration is estimated from
    /// included) is still Yuzhong's until it is replaced, and SOURCES.md says so.
    ///
    /// # Errors
    ///
    /// As [`Scenario::write_default`].
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let target = dir.path().join("new-district");
    /// popalloc::Scenario::write_template(&target)?;
    /// let template = popalloc::Scenario::load(&target)?;
    /// assert!(template.file.name.contains("template"));
    /// assert!(template.file.provenance.values().all(|v| v.starts_with("[to fill]")));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_template(dir: impl AsRef<Path>) -> Result<()> {
        let mut files: Vec<(&str, String)> = Vec::new();
        for (name, text) in YUZHONG {
            let text = match *name {
                "scenario.toml" => template_toml(text),
                "SOURCES.md" => template_sources(),
                _ => (*text).to_string(),
            };
            files.push((name, text));
        }
        crate::report::output_folder::write_new_folder(dir.as_ref(), &files).map(|_| ())
    }
}

/// The default scenario.toml with a template's name and placeholder provenance.
fn template_toml(text: &str) -> String {
    let mut out = String::from(
        "# A template for a new district, written by `popalloc init DIR --template`.\n\
         # Every number below is still Yuzhong's (渝中区, 2020): replace each one, and say where\n\
         # it comes from in [provenance] and SOURCES.md (docs/scenario.md, section 22).\n",
    );
    let mut in_provenance = false;
    // The scenario's own keys come before the first table; `name` there is its name.
    let mut top_level = true;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            top_level = false;
            in_provenance = trimmed.starts_with("[provenance]");
            if in_provenance {
                continue;
            }
        }
        if in_provenance {
            continue;
        }
        if trimmed.starts_with("provenance =") {
            // A service's own source of its need rate.
            out.push_str(&format!(
                "provenance = \"{TO_FILL} where this need rate comes from\"\n"
            ));
        } else if top_level && trimmed.starts_with("name =") {
            out.push_str("name = \"New district (template): replace every value\"\n");
        } else if top_level && trimmed.starts_with("name_zh =") {
            continue;
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push_str("\n[provenance]\n");
    for (key, what) in PROVENANCE {
        out.push_str(&format!("{key} = \"{TO_FILL} {what}\"\n"));
    }
    out
}

/// A SOURCES.md skeleton: one section per file, each a placeholder.
fn template_sources() -> String {
    let mut out = String::from(
        "# Sources of this scenario\n\n\
         This folder was written by `popalloc init DIR --template`. Its numbers are still those\n\
         of the default scenario (Yuzhong District, Chongqing, 2020); they are there so that the\n\
         template validates and runs. Replace each file's numbers with your district's, and\n\
         write below where every number comes from, with one of these marks: [plan], [census],\n\
         [quoted figure] (with the source) or [estimate: method].\n",
    );
    for (name, _) in YUZHONG {
        if *name == "SOURCES.md" {
            continue;
        }
        out.push_str(&format!(
            "\n## {name}\n\n{TO_FILL} where its numbers come from.\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_toml_keeps_every_section_but_provenance_and_the_name() {
        let (_, text) = YUZHONG[0];
        let template = template_toml(text);
        assert!(!template.contains("588,717"), "{template}");
        assert!(!template.contains("name_zh = \"重庆市"));
        assert!(
            template.contains("name = \"elderly\""),
            "bands keep their names"
        );
        for section in [
            "[areas]",
            "[fertility]",
            "[[services]]",
            "[[targets]]",
            "[uncertainty]",
        ] {
            assert!(template.contains(section), "{section}");
        }
        // The [provenance] lines and each service's source of its need rate.
        let services = template.matches("[[services]]").count();
        assert_eq!(
            template.matches(TO_FILL).count(),
            PROVENANCE.len() + services
        );
    }
}
