//! Finding and reading rule files and cases. The only module that touches the file system.

use std::path::{Path, PathBuf};

use crate::error::CliError;

/// What the system said about a file, in plain words.
fn reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        std::io::ErrorKind::IsADirectory => "this is a folder, not a file".to_owned(),
        _ => error.to_string(),
    }
}

/// A file's name as shown in diagnostics and its text; for a rule set
/// written in several files, their texts one after the other.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user gave it (or as found in a folder they gave); for
    /// a rule set in several files, the file with the `ruleset` header.
    pub name: String,
    /// The text.
    pub text: String,
    /// For a rule set in several files: each file's name and where its text
    /// starts; empty for a single file.
    pub parts: Vec<(String, usize)>,
}

impl SourceFile {
    /// The file a byte offset falls in, and the offset where that file starts.
    pub fn part_of(&self, offset: usize) -> (&str, usize) {
        self.parts
            .iter()
            .rev()
            .find(|(_, start)| *start <= offset)
            .map_or((self.name.as_str(), 0), |(name, start)| {
                (name.as_str(), *start)
            })
    }

    /// The files, by name, for a line of output: `main.crl` or
    /// `main.crl (with labs.crl, scores.crl)`.
    pub fn display_name(&self) -> String {
        if self.parts.len() <= 1 {
            return self.name.clone();
        }
        let others: Vec<&str> = self
            .parts
            .iter()
            .skip(1)
            .map(|(name, _)| name.as_str())
            .collect();
        format!("{} (with {})", self.name, others.join(", "))
    }
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

/// Groups rule files into rule sets. In a folder that holds exactly one
/// file with a `ruleset` header, the files without one are parts of that
/// rule set and join it, after it, in name order; every other file is a
/// rule set of its own. A file that cannot be read stays on its own, so
/// that reading it reports the problem.
pub fn rule_sets(files: Vec<PathBuf>) -> Vec<Vec<PathBuf>> {
    let mut folders: Vec<(PathBuf, Vec<(PathBuf, bool)>)> = Vec::new();
    for file in files {
        let folder = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let headed = std::fs::read_to_string(&file).map_or(true, |text| has_header(&text));
        match folders.iter_mut().find(|(known, _)| *known == folder) {
            Some((_, members)) => members.push((file, headed)),
            None => folders.push((folder, vec![(file, headed)])),
        }
    }
    let mut sets = Vec::new();
    for (_, members) in folders {
        let headed: Vec<&PathBuf> = members
            .iter()
            .filter(|(_, headed)| *headed)
            .map(|(file, _)| file)
            .collect();
        let parts: Vec<&PathBuf> = members
            .iter()
            .filter(|(_, headed)| !*headed)
            .map(|(file, _)| file)
            .collect();
        if let ([main], false) = (headed.as_slice(), parts.is_empty()) {
            let mut set = vec![(*main).clone()];
            set.extend(parts.into_iter().cloned());
            sets.push(set);
        } else {
            sets.extend(members.into_iter().map(|(file, _)| vec![file]));
        }
    }
    sets
}

/// Reads the files of one rule set into one text, each file starting on a
/// line of its own.
pub fn read_rule_set(files: &[PathBuf]) -> Result<SourceFile, CliError> {
    let mut combined: Option<SourceFile> = None;
    for path in files {
        let file = read(path)?;
        match combined.as_mut() {
            None => {
                let mut first = file;
                first.parts = vec![(first.name.clone(), 0)];
                combined = Some(first);
            }
            Some(set) => {
                if !set.text.ends_with('\n') {
                    set.text.push('\n');
                }
                set.parts.push((file.name, set.text.len()));
                set.text.push_str(&file.text);
            }
        }
    }
    combined.ok_or_else(|| CliError::NoRuleFiles {
        path: String::new(),
    })
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
    let mut unique = Vec::with_capacity(files.len());
    for file in files {
        if !unique.contains(&file) {
            unique.push(file);
        }
    }
    Ok(unique)
}

fn collect_rule_files(folder: &Path, found: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let entries = std::fs::read_dir(folder).map_err(|error| CliError::Unreadable {
        path: folder.display().to_string(),
        reason: reason(&error),
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_rule_files(&path, found)?;
        } else if path.extension().is_some_and(|extension| extension == "crl") {
            found.push(path);
        }
    }
    Ok(())
}

/// Reads a text file, refusing one that is not UTF-8.
pub fn read(path: &Path) -> Result<SourceFile, CliError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|error| CliError::Unreadable {
        path: name.clone(),
        reason: reason(&error),
    })?;
    let text = String::from_utf8(bytes).map_err(|error| CliError::NotUtf8 {
        path: name.clone(),
        offset: error.utf8_error().valid_up_to(),
    })?;
    Ok(SourceFile {
        name,
        text,
        parts: Vec::new(),
    })
}
