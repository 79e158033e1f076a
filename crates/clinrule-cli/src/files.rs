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

/// A file's name as shown in diagnostics and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user gave it (or as found in a folder they gave).
    pub name: String,
    /// The file's text.
    pub text: String,
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
    Ok(SourceFile { name, text })
}
