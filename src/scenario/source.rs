//! Where scenario files come from: a directory, or the files embedded in the binary.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A set of scenario files: a directory on disk, or named texts held in memory (the
/// embedded default scenario).
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// Files in a directory.
    Dir(PathBuf),
    /// Files in memory: (name, text), and the name messages give the set.
    Memory(Vec<(String, String)>, &'static str),
}

impl Source {
    /// The path used in messages for a file of this source.
    pub(crate) fn path(&self, name: &str) -> PathBuf {
        match self {
            Source::Dir(dir) => dir.join(name),
            Source::Memory(_, root) => Path::new(root).join(name),
        }
    }

    /// The source's own name in messages.
    pub(crate) fn root(&self) -> PathBuf {
        match self {
            Source::Dir(dir) => dir.clone(),
            Source::Memory(_, root) => PathBuf::from(root),
        }
    }

    /// Whether the source has a file.
    pub(crate) fn has(&self, name: &str) -> bool {
        match self {
            Source::Dir(dir) => dir.join(name).is_file(),
            Source::Memory(files, _) => files.iter().any(|(n, _)| n == name),
        }
    }

    /// The text of a file.
    pub(crate) fn read(&self, name: &str) -> Result<String> {
        match self {
            Source::Dir(dir) => {
                let path = dir.join(name);
                crate::input::read_input(&path)
            }
            Source::Memory(files, _) => files
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, text)| text.clone())
                .ok_or_else(|| {
                    Error::io(
                        self.path(name),
                        std::io::Error::new(std::io::ErrorKind::NotFound, "no such file in memory"),
                    )
                }),
        }
    }
}
