//! Reading an input file: a regular file (links followed), no larger than a stated limit.
//!
//! Every scenario file and tidy CSV goes through here, so that a FIFO, a device such as
//! `/dev/zero`, a folder or a huge (or sparse) file is refused up front with its name,
//! instead of blocking, reading without end or exhausting memory.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// The largest input file read by default: 1 GiB (a county table of all China is
/// ≈ 10 MB; a single-year population of 41,636 areas ≈ 300 MB).
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 1 << 30;

/// The environment variable that overrides [`DEFAULT_MAX_INPUT_BYTES`] (a number of bytes).
pub const MAX_INPUT_BYTES_VAR: &str = "POPALLOC_MAX_INPUT_BYTES";

/// The largest input file read: [`MAX_INPUT_BYTES_VAR`] when it holds a whole number of
/// bytes, else [`DEFAULT_MAX_INPUT_BYTES`].
///
/// # Examples
///
/// ```
/// // Unless the environment says otherwise, 1 GiB.
/// if std::env::var_os(popalloc::input::MAX_INPUT_BYTES_VAR).is_none() {
///     assert_eq!(popalloc::input::max_input_bytes(), 1 << 30);
/// }
/// ```
pub fn max_input_bytes() -> u64 {
    std::env::var(MAX_INPUT_BYTES_VAR)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(DEFAULT_MAX_INPUT_BYTES)
}

/// Opens an input file for reading, after checking that it is a regular file (links
/// followed) of at most [`max_input_bytes`]; the reader stops one byte past the limit, so
/// a file that grows while read is caught too (see [`read_input`]).
///
/// # Errors
///
/// [`Error::Io`] naming `path` when it does not exist, is not a regular file (a FIFO, a
/// device, a folder) or is larger than the limit.
///
/// # Examples
///
/// ```
/// use std::io::Read;
///
/// let path = std::env::temp_dir().join(format!("popalloc-doc-open-{}.csv", std::process::id()));
/// std::fs::write(&path, "area,value\nnorth,1\n")?;
/// let mut text = String::new();
/// popalloc::input::open_input(&path)?.read_to_string(&mut text)?;
/// assert!(text.starts_with("area"));
/// # #[cfg(unix)]
/// assert!(popalloc::input::open_input(std::path::Path::new("/dev/zero")).is_err());
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn open_input(path: &Path) -> Result<std::io::Take<std::fs::File>> {
    open_within(path, max_input_bytes())
}

/// [`open_input`] with the limit given.
fn open_within(path: &Path, limit: u64) -> Result<std::io::Take<std::fs::File>> {
    // Checked before opening: opening a FIFO for reading blocks until a writer comes.
    check_file(
        path,
        &std::fs::metadata(path).map_err(|e| Error::io(path, e))?,
        limit,
    )?;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    // And again on what was opened, in case the path changed in between.
    check_file(
        path,
        &file.metadata().map_err(|e| Error::io(path, e))?,
        limit,
    )?;
    Ok(file.take(limit.saturating_add(1)))
}

/// Reads an input file as UTF-8 text, with the checks of [`open_input`].
///
/// # Errors
///
/// As [`open_input`]; [`Error::Io`] when the text is not UTF-8, the file grew past the
/// limit while read, or memory for it cannot be had.
///
/// # Examples
///
/// ```
/// let path = std::env::temp_dir().join(format!("popalloc-doc-read-{}.toml", std::process::id()));
/// std::fs::write(&path, "name = \"x\"\n")?;
/// assert_eq!(popalloc::input::read_input(&path)?, "name = \"x\"\n");
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_input(path: &Path) -> Result<String> {
    let limit = max_input_bytes();
    let mut reader = open_within(path, limit)?;
    let expected = reader
        .get_ref()
        .metadata()
        .map(|m| m.len())
        .unwrap_or(0)
        .min(limit);
    let mut text = String::new();
    text.try_reserve(usize::try_from(expected).unwrap_or(usize::MAX))
        .map_err(|_| {
            Error::io(
                path,
                std::io::Error::new(
                    std::io::ErrorKind::OutOfMemory,
                    format!("no memory for a file of {expected} bytes"),
                ),
            )
        })?;
    reader
        .read_to_string(&mut text)
        .map_err(|e| Error::io(path, e))?;
    if text.len() as u64 > limit {
        return Err(too_large(path, limit));
    }
    Ok(text)
}

fn check_file(path: &Path, meta: &std::fs::Metadata, limit: u64) -> Result<()> {
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file (a FIFO, socket or device)"
        };
        return Err(Error::io(
            path,
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("is {what}; an input must be a regular file"),
            ),
        ));
    }
    if meta.len() > limit {
        return Err(too_large(path, limit));
    }
    Ok(())
}

fn too_large(path: &Path, limit: u64) -> Error {
    Error::io(
        path,
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "is larger than the input limit of {limit} bytes (set {MAX_INPUT_BYTES_VAR} to read larger files)"
            ),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn devices_fifos_and_folders_are_refused_without_blocking() {
        for path in ["/dev/zero", "/dev/null", "/tmp"] {
            let err = read_input(Path::new(path)).unwrap_err().to_string();
            assert!(
                err.starts_with(path) && err.contains("regular file"),
                "{err}"
            );
        }
        let dir = std::env::temp_dir().join(format!("popalloc-fifo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("areas.csv");
        let _ = std::fs::remove_file(&fifo);
        // mkfifo(1) makes the FIFO; opening it for reading would block forever.
        if std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success())
        {
            let err = read_input(&fifo).unwrap_err().to_string();
            assert!(err.contains("FIFO"), "{err}");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_sparse_file_beyond_the_limit_is_refused_before_reading() {
        let path = std::env::temp_dir().join(format!("popalloc-sparse-{}", std::process::id()));
        let file = std::fs::File::create(&path).unwrap();
        // 2 GiB of holes: nothing is written to disk, and nothing must be read.
        file.set_len(2 << 30).unwrap();
        let err = read_input(&path).unwrap_err().to_string();
        assert!(err.contains("input limit of 1073741824 bytes"), "{err}");
        std::fs::remove_file(path).unwrap();
    }
}
