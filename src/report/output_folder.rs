//! An output folder holds one complete result set, old or new, never a mix.
//!
//! A run's files are written into a fresh hidden folder beside the output folder, with a
//! manifest ([`MANIFEST`]) written last; then the old folder is moved aside, the new one
//! moved into its place, and the old one removed. A reader of the output folder sees the
//! previous run's files or this run's, never some of each. A crash can leave, beside the
//! output folder, hidden folders named `.<name>.popalloc-new-…` or `.<name>.popalloc-old-…`
//! (and, if it came between the two moves, no output folder at all); the next run into
//! the same folder removes them.
//!
//! An output folder is only ever replaced when it is empty or holds exactly the files a
//! previous run listed in its manifest: a folder with anything else in it (a scenario's
//! inputs, a user's own files) is refused, and nothing is written.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::demography::tidy::os_error;
use crate::error::{Error, Result};

/// The manifest of an output folder: the names of the files a run wrote, one per line,
/// written after every other file.
pub const MANIFEST: &str = ".popalloc-files";

/// The longest output file name, in bytes (the common file-system limit).
const MAX_NAME_BYTES: usize = 255;

/// Writes `files` (name, text) as the complete contents of the folder `dir`, replacing the
/// result set a previous run left there; returns the paths written (under `dir` as given).
///
/// `dir` is created if it does not exist (with its parents). It is replaced only when it
/// is empty or holds exactly the files of a previous run's manifest.
///
/// # Errors
///
/// [`Error::OutputFolder`] when a name is not a plain file name, is repeated, or `dir`
/// holds files no run wrote (each named) or is not a folder; [`Error::Io`] when a file or
/// folder cannot be written or moved. Nothing in `dir` changes on an error.
///
/// # Examples
///
/// ```
/// use popalloc::report::output_folder::{MANIFEST, write_result_set};
///
/// let dir = std::env::temp_dir().join(format!("popalloc-doc-set-{}", std::process::id()));
/// write_result_set(&dir, &[("a.csv", "x\n1\n".into()), ("b.csv", "y\n".into())])?;
/// // The next run replaces the whole set: b.csv does not outlive it.
/// write_result_set(&dir, &[("a.csv", "x\n2\n".into())])?;
/// assert_eq!(std::fs::read_to_string(dir.join("a.csv"))?, "x\n2\n");
/// assert!(!dir.join("b.csv").exists());
/// assert_eq!(std::fs::read_to_string(dir.join(MANIFEST))?, "a.csv\n");
/// // A folder with files of its own is never replaced.
/// std::fs::write(dir.join("mine.txt"), "keep")?;
/// assert!(write_result_set(&dir, &[("a.csv", String::new())]).is_err());
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_result_set(dir: &Path, files: &[(&str, String)]) -> Result<Vec<PathBuf>> {
    write_folder(dir, files, Replace::PreviousRun)
}

/// Writes `files` as a new folder `dir`: `dir` must not exist or be empty. All or nothing:
/// the files appear together, or not at all.
///
/// # Errors
///
/// As [`write_result_set`]; [`Error::OutputFolder`] when `dir` holds anything.
///
/// # Examples
///
/// ```
/// use popalloc::report::output_folder::write_new_folder;
///
/// let dir = std::env::temp_dir().join(format!("popalloc-doc-new-{}", std::process::id()));
/// write_new_folder(&dir, &[("scenario.toml", "name = \"x\"\n".into())])?;
/// assert!(dir.join("scenario.toml").is_file());
/// // Never over files that are there.
/// assert!(write_new_folder(&dir, &[("areas.csv", String::new())]).is_err());
/// assert!(!dir.join("areas.csv").exists());
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_new_folder(dir: &Path, files: &[(&str, String)]) -> Result<Vec<PathBuf>> {
    write_folder(dir, files, Replace::EmptyOnly)
}

/// What an existing folder may hold for it to be replaced.
#[derive(Clone, Copy, PartialEq)]
enum Replace {
    /// Nothing, or exactly a previous run's manifest and its files.
    PreviousRun,
    /// Nothing.
    EmptyOnly,
}

fn write_folder(dir: &Path, files: &[(&str, String)], replace: Replace) -> Result<Vec<PathBuf>> {
    check_names(dir, files)?;
    let (parent, name) = split(dir)?;
    std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    let parent = std::fs::canonicalize(&parent).map_err(|e| Error::io(&parent, e))?;
    let target = parent.join(&name);
    let exists = match std::fs::symlink_metadata(&target) {
        Ok(meta) if meta.is_dir() => true,
        Ok(_) => {
            return Err(Error::OutputFolder {
                path: dir.to_path_buf(),
                problem: "is not a folder (a file or a link is there)".into(),
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(Error::io(dir, e)),
    };
    if exists {
        check_replaceable(dir, &target, replace)?;
    }
    remove_litter(&parent, &name);
    let fresh = tempfile::Builder::new()
        .prefix(&format!(".{name}.popalloc-new-"))
        .tempdir_in(&parent)
        .map_err(|e| Error::io(dir, os_error(e)))?;
    for (file, text) in files {
        create_new(&fresh.path().join(file), text.as_bytes())
            .map_err(|e| Error::io(dir.join(file), e))?;
    }
    if replace == Replace::PreviousRun {
        let manifest: String = files.iter().map(|(f, _)| format!("{f}\n")).collect();
        create_new(&fresh.path().join(MANIFEST), manifest.as_bytes())
            .map_err(|e| Error::io(dir.join(MANIFEST), e))?;
    }
    // From here on the new folder is moved, not dropped: it must not be removed.
    let fresh = fresh.keep();
    swap_in(dir, &parent, &name, &target, &fresh, exists)?;
    Ok(files.iter().map(|(f, _)| dir.join(f)).collect())
}

/// Every name a plain, distinct file name.
fn check_names(dir: &Path, files: &[(&str, String)]) -> Result<()> {
    let mut seen = std::collections::HashSet::with_capacity(files.len());
    for (name, _) in files {
        let plain = !name.is_empty()
            && name.len() <= MAX_NAME_BYTES
            && !name.starts_with('.')
            && !name.contains(['/', '\\', '\0']);
        let problem = if !plain {
            format!(
                "output file name {name:?} is not a plain file name (1 to {MAX_NAME_BYTES} bytes, no separator, not hidden)"
            )
        } else if !seen.insert(*name) {
            format!("output file name {name:?} is given twice")
        } else {
            continue;
        };
        return Err(Error::OutputFolder {
            path: dir.to_path_buf(),
            problem,
        });
    }
    Ok(())
}

/// The folder's parent (`.` for a bare name) and its own name; `dir` must end in a
/// name (not `..`, not a root).
fn split(dir: &Path) -> Result<(PathBuf, String)> {
    let absolute;
    let dir_named = if dir.file_name().is_some() {
        dir
    } else {
        // `.`, `results/.` or `..`: name the folder by its real path.
        absolute = std::fs::canonicalize(dir).map_err(|e| Error::io(dir, e))?;
        &absolute
    };
    let name = dir_named
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let parent = dir_named.parent();
    match (parent, name) {
        (Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                parent.to_path_buf()
            };
            Ok((parent, name))
        }
        _ => Err(Error::OutputFolder {
            path: dir.to_path_buf(),
            problem: "is a root folder; give a folder to write the results into".into(),
        }),
    }
}

/// An existing folder may be replaced when it is empty or, for a result set, holds
/// exactly a previous run's manifest and its files.
fn check_replaceable(dir: &Path, target: &Path, replace: Replace) -> Result<()> {
    let entries: Vec<String> = std::fs::read_dir(target)
        .map_err(|e| Error::io(dir, e))?
        .map(|entry| entry.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<std::io::Result<_>>()
        .map_err(|e| Error::io(dir, e))?;
    let listed: Vec<String> = match replace {
        Replace::EmptyOnly => Vec::new(),
        Replace::PreviousRun => manifest_of(target),
    };
    let mut foreign: Vec<&String> = entries
        .iter()
        .filter(|e| e.as_str() != MANIFEST || listed.is_empty())
        .filter(|e| !listed.contains(e) || !is_plain_file(&target.join(e)))
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    foreign.sort();
    let shown: Vec<String> = foreign.iter().take(8).map(|f| format!("{f:?}")).collect();
    let more = foreign.len().saturating_sub(shown.len());
    let list = if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    };
    let problem = match replace {
        Replace::EmptyOnly => {
            format!("is not empty ({list}); nothing was written: give a new or empty folder")
        }
        Replace::PreviousRun => format!(
            "holds files that no run wrote ({list}); nothing was written: give a new or empty folder, or one an earlier run wrote"
        ),
    };
    Err(Error::OutputFolder {
        path: dir.to_path_buf(),
        problem,
    })
}

/// The names a folder's manifest lists (none when it has no readable manifest).
fn manifest_of(folder: &Path) -> Vec<String> {
    let path = folder.join(MANIFEST);
    if !is_plain_file(&path) {
        return Vec::new();
    }
    std::fs::read_to_string(path)
        .map(|text| {
            text.lines()
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// A regular file, not a link.
fn is_plain_file(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file())
}

/// Removes what an interrupted run left beside the folder: hidden folders (never links)
/// named `.<name>.popalloc-new-…` or `.<name>.popalloc-old-…`. Best effort: litter that
/// cannot be removed stays, and the run goes on.
fn remove_litter(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefixes = [
        format!(".{name}.popalloc-new-"),
        format!(".{name}.popalloc-old-"),
    ];
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && prefixes.iter().any(|p| file_name.starts_with(p)) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Creates a file that must not exist yet (never through a link) and writes it to disk.
fn create_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::File::create_new(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Moves the fresh folder into the target's place, the old one aside and then away.
fn swap_in(
    dir: &Path,
    parent: &Path,
    name: &str,
    target: &Path,
    fresh: &Path,
    exists: bool,
) -> Result<()> {
    let fail = |e: std::io::Error| {
        let _ = std::fs::remove_dir_all(fresh);
        Error::io(dir, e)
    };
    if !exists {
        return std::fs::rename(fresh, target).map_err(fail);
    }
    // The old folder's name beside the target: unique, as the fresh folder's is.
    let old = tempfile::Builder::new()
        .prefix(&format!(".{name}.popalloc-old-"))
        .tempdir_in(parent)
        .map_err(|e| fail(os_error(e)))?
        .keep();
    // rename(2) moves a folder over an empty folder only: the placeholder just made is
    // empty.
    std::fs::rename(target, &old).map_err(fail)?;
    if let Err(e) = std::fs::rename(fresh, target) {
        // Put the old result set back; the error names the folder.
        let _ = std::fs::rename(&old, target);
        return Err(fail(e));
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(label: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("popalloc-folder-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn set(names: &[&str]) -> Vec<(&'static str, String)> {
        names
            .iter()
            .map(|n| {
                (
                    Box::leak(n.to_string().into_boxed_str()) as &str,
                    format!("{n}\n"),
                )
            })
            .collect()
    }

    #[test]
    fn a_new_run_replaces_the_whole_previous_set() {
        let root = scratch("replace");
        let out = root.join("out");
        write_result_set(&out, &set(&["a.csv", "pyramid_old.svg"])).unwrap();
        write_result_set(&out, &set(&["a.csv", "report.md"])).unwrap();
        let mut names: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, [MANIFEST, "a.csv", "report.md"]);
        // Nothing is left beside the folder.
        let beside: Vec<_> = std::fs::read_dir(&root).unwrap().collect();
        assert_eq!(beside.len(), 1);
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_folder_with_other_files_is_refused_untouched() {
        let root = scratch("foreign");
        let out = root.join("out");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("plan.csv"), "stock").unwrap();
        std::fs::write(out.join("scenario.toml"), "name").unwrap();
        match write_result_set(&out, &set(&["plan.csv"])) {
            Err(Error::OutputFolder { problem, .. }) => {
                assert!(
                    problem.contains("\"plan.csv\", \"scenario.toml\""),
                    "{problem}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            std::fs::read_to_string(out.join("plan.csv")).unwrap(),
            "stock"
        );
        // A file beside a previous run's set is foreign too.
        let out2 = root.join("out2");
        write_result_set(&out2, &set(&["a.csv"])).unwrap();
        std::fs::write(out2.join("notes.txt"), "mine").unwrap();
        assert!(write_result_set(&out2, &set(&["a.csv"])).is_err());
        assert!(out2.join("notes.txt").exists());
        std::fs::remove_dir_all(root).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_link_is_never_written_through() {
        let root = scratch("link");
        let victim = root.join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        let out = root.join("out");
        write_result_set(&out, &set(&["report.md"])).unwrap();
        // A link planted where a temporary or an output file would go.
        std::os::unix::fs::symlink(&victim, out.join("report.md.tmp")).unwrap();
        assert!(write_result_set(&out, &set(&["report.md"])).is_err());
        std::fs::remove_file(out.join("report.md.tmp")).unwrap();
        std::fs::remove_file(out.join("report.md")).unwrap();
        std::os::unix::fs::symlink(&victim, out.join("report.md")).unwrap();
        assert!(write_result_set(&out, &set(&["report.md"])).is_err());
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn litter_of_an_interrupted_run_is_removed() {
        let root = scratch("litter");
        let out = root.join("out");
        std::fs::create_dir_all(root.join(".out.popalloc-new-abc")).unwrap();
        std::fs::write(root.join(".out.popalloc-new-abc/a.csv"), "half").unwrap();
        std::fs::create_dir_all(root.join(".out.popalloc-old-def")).unwrap();
        write_result_set(&out, &set(&["a.csv"])).unwrap();
        let beside: Vec<String> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(beside, ["out"]);
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn names_must_be_plain_and_distinct() {
        let root = scratch("names");
        for bad in ["../escaped.svg", "a/b.svg", "", ".hidden", "x\0y"] {
            assert!(
                matches!(
                    write_result_set(&root.join("out"), &[(bad, String::new())]),
                    Err(Error::OutputFolder { .. })
                ),
                "{bad:?}"
            );
        }
        assert!(write_result_set(&root.join("out"), &set(&["a.csv", "a.csv"])).is_err());
        assert!(!root.join("out").exists());
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_new_folder_goes_only_where_nothing_is() {
        let root = scratch("new");
        let dir = root.join("scenario");
        std::fs::create_dir_all(&dir).unwrap();
        // An empty folder is taken.
        write_new_folder(&dir, &set(&["scenario.toml", "areas.csv"])).unwrap();
        assert!(dir.join("areas.csv").is_file());
        assert!(!dir.join(MANIFEST).exists());
        let other = root.join("partial");
        std::fs::create_dir_all(&other).unwrap();
        std::fs::write(other.join("areas.csv"), "mine").unwrap();
        assert!(write_new_folder(&other, &set(&["scenario.toml", "areas.csv"])).is_err());
        assert_eq!(
            std::fs::read_to_string(other.join("areas.csv")).unwrap(),
            "mine"
        );
        assert!(!other.join("scenario.toml").exists());
        std::fs::remove_dir_all(root).unwrap();
    }
}
