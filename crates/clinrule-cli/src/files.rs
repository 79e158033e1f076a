//! Finding and reading rule files and cases. The only module that touches the file system.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clinrule::SourceMap;

use crate::error::CliError;

/// What the system said about a file, in plain words.
pub(crate) fn reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        std::io::ErrorKind::IsADirectory => "this is a folder, not a file".to_owned(),
        _ => error.to_string(),
    }
}

/// A text the command shows diagnostics for (a rule set, in one file or
/// several, or a case): its source map, shared with the rule set, and the
/// copy of its text that diagnostics show, made once.
#[derive(Debug, Clone)]
pub struct SourceFile {
    map: Arc<SourceMap>,
    /// The text as diagnostics show it, made once; `None` when it is the
    /// text itself.
    shown: std::sync::OnceLock<Option<String>>,
}

impl SourceFile {
    /// A file of one part, by name and text.
    pub fn new(name: String, text: String) -> SourceFile {
        SourceFile::of(Arc::new(SourceMap::new(name, text)))
    }

    /// The text of a source map, shared.
    pub fn of(map: Arc<SourceMap>) -> SourceFile {
        SourceFile {
            map,
            shown: std::sync::OnceLock::new(),
        }
    }

    /// The source map: the text, its files and its lines.
    pub fn map(&self) -> &SourceMap {
        &self.map
    }

    /// The name of the file (for a rule set in several files, the one with
    /// the `ruleset` header), as the user gave it or as found in a folder.
    pub fn name(&self) -> &str {
        self.map.name()
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        self.map.text()
    }

    /// The text as diagnostics show it: each character that could act on
    /// a terminal replaced by a visible one of the same length, made once
    /// for all the file's diagnostics.
    pub(crate) fn shown_text(&self) -> &str {
        self.shown
            .get_or_init(
                || match crate::safe_text::same_length_display(self.text()) {
                    std::borrow::Cow::Borrowed(_) => None,
                    std::borrow::Cow::Owned(shown) => Some(shown),
                },
            )
            .as_deref()
            .unwrap_or(self.text())
    }

    /// The files, by name, for a line of output: `main.crl` or
    /// `main.crl (with labs.crl, scores.crl)`.
    pub fn display_name(&self) -> String {
        self.map.display_name()
    }
}

/// A text file, read: its name as reports show it, and its text.
#[derive(Debug)]
pub struct TextFile {
    /// The path as the user gave it, or as found in a folder, on one line.
    pub name: String,
    /// The text.
    pub text: String,
}

/// Whether a rule file's text has a `ruleset` header: a line that starts
/// with the word, as the parser sees items.
fn has_header(text: &str) -> bool {
    text.lines().any(|line| {
        line.trim_start_matches([' ', '\t', '\u{feff}'])
            .strip_prefix("ruleset")
            .is_some_and(|rest| rest.starts_with([' ', '\t']))
    })
}

/// A rule file, read once: its path and its text, or why it could not be read.
#[derive(Debug)]
pub struct ReadFile {
    /// The path, as given or as found in a folder.
    pub path: PathBuf,
    /// The text, or why it could not be read.
    pub text: Result<TextFile, CliError>,
}

/// Reads each rule file once and groups them into rule sets. In a folder
/// that holds exactly one file with a `ruleset` header, the files without
/// one are parts of that rule set and join it, after it, in name order;
/// every other file is a rule set of its own. A file that cannot be read
/// stays on its own, so that reading it reports the problem. Each file is
/// read once, so rules given through a pipe are read as they came.
pub fn rule_sets(files: Vec<PathBuf>) -> Vec<Vec<ReadFile>> {
    let mut folders: Vec<(PathBuf, Vec<(ReadFile, bool)>)> = Vec::new();
    for path in files {
        let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let text = read_text(&path);
        let headed = text.as_ref().map_or(true, |file| has_header(&file.text));
        let file = ReadFile { path, text };
        match folders.iter_mut().find(|(known, _)| *known == folder) {
            Some((_, members)) => members.push((file, headed)),
            None => folders.push((folder, vec![(file, headed)])),
        }
    }
    let mut sets = Vec::new();
    for (_, members) in folders {
        let headed_count = members.iter().filter(|(_, headed)| *headed).count();
        let parts_count = members.len() - headed_count;
        if headed_count == 1 && parts_count > 0 {
            let (mut main, parts): (Vec<_>, Vec<_>) =
                members.into_iter().partition(|(_, headed)| *headed);
            main.extend(parts);
            sets.push(main.into_iter().map(|(file, _)| file).collect());
        } else {
            sets.extend(members.into_iter().map(|(file, _)| vec![file]));
        }
    }
    sets
}

/// Joins the files of one rule set, already read, into one text, each file
/// starting on a line of its own.
pub fn read_rule_set(files: Vec<ReadFile>) -> Result<SourceMap, CliError> {
    let files = files
        .into_iter()
        .map(|file| file.text.map(|text| (text.name, text.text)))
        .collect::<Result<Vec<_>, _>>()?;
    if files.is_empty() {
        return Err(CliError::NoRuleFiles {
            path: String::new(),
        });
    }
    Ok(SourceMap::join(files))
}

/// Expands files and folders into the rule files they name, sorted and without repeats.
pub fn rule_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut files = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|error| CliError::Unreadable {
            path: path.display().to_string(),
            reason: reason(&error),
        })?;
        if metadata.is_dir() {
            let mut found = Vec::new();
            collect_rule_files(path, &mut found)?;
            if found.is_empty() {
                return Err(CliError::NoRuleFiles {
                    path: path.display().to_string(),
                });
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    let mut seen = std::collections::HashSet::with_capacity(files.len());
    files.retain(|file| seen.insert(file.clone()));
    Ok(files)
}

/// How deep folders are searched for rule files.
const MAX_FOLDER_DEPTH: usize = 32;

/// Collects the rule files below `folder`, in name order. Each folder is
/// searched once, however many links lead to it, so a link to a folder
/// that holds it ends; only regular files (or links to them) ending in
/// `.crl` are rule files: a named pipe or a device with that name would
/// never finish reading.
fn collect_rule_files(folder: &Path, found: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let mut visited = Vec::new();
    collect_below(folder, found, &mut visited, 0)
}

fn collect_below(
    folder: &Path,
    found: &mut Vec<PathBuf>,
    visited: &mut Vec<FileIdentity>,
    depth: usize,
) -> Result<(), CliError> {
    let metadata = std::fs::metadata(folder).map_err(|error| CliError::Unreadable {
        path: folder.display().to_string(),
        reason: reason(&error),
    })?;
    let identity = FileIdentity::of(&metadata);
    if depth > MAX_FOLDER_DEPTH || identity.is_some_and(|identity| visited.contains(&identity)) {
        return Ok(());
    }
    visited.extend(identity);
    let entries = std::fs::read_dir(folder).map_err(|error| CliError::Unreadable {
        path: folder.display().to_string(),
        reason: reason(&error),
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .collect();
    paths.sort();
    for path in paths {
        // Links are followed; one that leads nowhere, or round in a
        // circle, is not a rule file.
        let Ok(metadata) = std::fs::metadata(&path) else {
            continue;
        };
        if metadata.is_dir() {
            collect_below(&path, found, visited, depth + 1)?;
        } else if metadata.is_file() && path.extension().is_some_and(|extension| extension == "crl")
        {
            found.push(path);
        }
    }
    Ok(())
}

/// What tells a file apart from every other, whatever names lead to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileIdentity {
    device: u64,
    inode: u64,
}

impl FileIdentity {
    #[cfg(unix)]
    fn of(metadata: &std::fs::Metadata) -> Option<FileIdentity> {
        use std::os::unix::fs::MetadataExt as _;
        Some(FileIdentity {
            device: metadata.dev(),
            inode: metadata.ino(),
        })
    }

    #[cfg(not(unix))]
    fn of(_metadata: &std::fs::Metadata) -> Option<FileIdentity> {
        None
    }
}

/// Why a file cannot be read as text before trying: a folder, or a device
/// whose bytes never end (`/dev/zero`). A terminal, `/dev/null`, a named
/// pipe and `/dev/stdin` are read as they come.
pub(crate) fn refuse_before_reading(path: &Path) -> Option<String> {
    let metadata = std::fs::metadata(path).ok()?;
    if metadata.is_dir() {
        return Some("this is a folder, not a file".to_owned());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _};
        let file_type = metadata.file_type();
        if file_type.is_block_device() {
            return Some("this is a disk device, not a file".to_owned());
        }
        if file_type.is_char_device() {
            let is_null =
                std::fs::metadata("/dev/null").is_ok_and(|null| null.rdev() == metadata.rdev());
            let is_terminal =
                std::fs::File::open(path).is_ok_and(|file| std::io::IsTerminal::is_terminal(&file));
            if !is_null && !is_terminal {
                return Some("this is a device, not a file: its contents never end".to_owned());
            }
        }
    }
    None
}

/// The largest text read as a rule file or a case: positions in a file are
/// 32-bit, so a larger one could not be pointed into.
pub const MAX_FILE_BYTES: u64 = u32::MAX as u64;

/// Reads a case from standard input (`--case -`), to its end, as a file is
/// read: at most [`MAX_FILE_BYTES`], and UTF-8 text. Diagnostics name it
/// "standard input".
pub fn read_input(input: &mut dyn std::io::BufRead) -> Result<SourceFile, CliError> {
    use std::io::Read as _;
    let name = "standard input".to_owned();
    let mut bytes = Vec::new();
    input
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| CliError::Unreadable {
            path: name.clone(),
            reason: reason(&error),
        })?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(CliError::Unreadable {
            path: name,
            reason: "the input is larger than 4 GiB".to_owned(),
        });
    }
    let text = String::from_utf8(bytes).map_err(|error| CliError::NotUtf8 {
        path: name.clone(),
        offset: error.utf8_error().valid_up_to(),
    })?;
    Ok(SourceFile::new(name, text))
}

/// Reads a text file to show diagnostics for, as [`read_text`] does.
pub fn read(path: &Path) -> Result<SourceFile, CliError> {
    read_text(path).map(|file| SourceFile::new(file.name, file.text))
}

/// Reads a text file, refusing one that is not UTF-8, a folder, a device
/// without end, or a file larger than [`MAX_FILE_BYTES`].
pub fn read_text(path: &Path) -> Result<TextFile, CliError> {
    use std::io::Read as _;
    // The name as reports show it: a file found in a folder may be called
    // anything, escape sequences included.
    let name = crate::safe_text::one_line(&path.display().to_string()).into_owned();
    if let Some(reason) = refuse_before_reading(path) {
        return Err(CliError::Unreadable { path: name, reason });
    }
    let unreadable = |error: &std::io::Error| CliError::Unreadable {
        path: name.clone(),
        reason: reason(error),
    };
    let file = std::fs::File::open(path).map_err(|error| unreadable(&error))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| unreadable(&error))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(CliError::Unreadable {
            path: name,
            reason: "the file is larger than 4 GiB".to_owned(),
        });
    }
    let text = String::from_utf8(bytes).map_err(|error| CliError::NotUtf8 {
        path: name.clone(),
        offset: error.utf8_error().valid_up_to(),
    })?;
    Ok(TextFile { name, text })
}
