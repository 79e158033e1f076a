//! Writing results and files so that nothing is lost.
//!
//! Every file the command writes (a cohort's `--out`, a formatted rule file,
//! a case saved by `consult`) goes through [`write_whole`]: the text is
//! written to a temporary file beside the target, flushed and synced to the
//! disk, and only then renamed over the target, so the target holds either
//! its old text or the whole new one, never a part. The target must be a
//! regular file (or not exist yet) and must not be one of the run's own
//! inputs, whatever name or link it is reached by.
//!
//! A run interrupted by SIGINT, SIGTERM or SIGHUP removes its temporary file
//! before it ends ([`remove_partial_files_on_signals`]).
//!
//! Standard output is watched by [`Watched`]: the first error writing to it
//! is kept, so that the command ends with [`crate::exit::EXIT_OUTPUT`] instead of
//! reporting success over a result that never arrived.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::CliError;

/// The temporary files being written now, removed if a signal ends the run.
static PARTIAL_FILES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Tells apart temporary files of one process.
static NEXT_PARTIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The signals after which the command removes its temporary files and
/// ends, with the exit code 128 plus the signal's number, as a shell would
/// show for a process the signal ended.
#[cfg(unix)]
const ENDING_SIGNALS: [i32; 3] = [
    signal_hook::consts::SIGINT,
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGHUP,
];

/// Makes SIGINT, SIGTERM and SIGHUP remove every temporary file the command
/// is writing before it ends. Called once by the `clinrule` binary; a
/// program that embeds the command keeps its own signal handling.
pub fn remove_partial_files_on_signals() {
    #[cfg(unix)]
    {
        let Ok(mut signals) = signal_hook::iterator::Signals::new(ENDING_SIGNALS) else {
            return;
        };
        let spawned = std::thread::Builder::new()
            .name("signals".to_owned())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    // The lock is held until the process ends, so that no
                    // rename can complete a file after it was removed.
                    let partial = PARTIAL_FILES
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    for path in partial.iter() {
                        let _ = std::fs::remove_file(path);
                    }
                    std::process::exit(128 + signal);
                }
            });
        drop(spawned);
    }
}

/// What a file is, in words, for a target that is not a regular file.
fn kind_of(metadata: &std::fs::Metadata) -> &'static str {
    let file_type = metadata.file_type();
    if file_type.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return "a named pipe";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

/// Whether two metadata describe the same file, whatever names reach it.
fn same_file(one: &std::fs::Metadata, other: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        one.dev() == other.dev() && one.ino() == other.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = (one, other);
        false
    }
}

/// A file about to be written, checked: where its text will really go.
#[derive(Debug)]
pub struct Target {
    /// The name as the user gave it, for messages.
    shown: String,
    /// The file the name leads to, links followed.
    real: PathBuf,
    /// The permissions of the file being replaced, kept for the new text.
    permissions: Option<std::fs::Permissions>,
}

impl Target {
    /// Checks that `path` can be written whole: it must be a regular file,
    /// or not exist yet, and must be none of `inputs`. An input given as
    /// `Some(input)` whose metadata cannot be read is skipped: it cannot be
    /// the same file as one that exists.
    pub fn check(path: &Path, inputs: &[&Path]) -> Result<Target, CliError> {
        let shown = path.display().to_string();
        let unwritable = |reason: String| CliError::Unwritable {
            path: shown.clone(),
            help: help_for_reason(&reason),
            reason,
        };
        let (real, metadata) = match std::fs::symlink_metadata(path) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                // A new file: its folder must be there, found before any
                // work is done that could not be saved.
                let folder = match path.parent() {
                    Some(folder) if !folder.as_os_str().is_empty() => folder,
                    _ => Path::new("."),
                };
                if !std::fs::metadata(folder).is_ok_and(|metadata| metadata.is_dir()) {
                    return Err(unwritable("the folder does not exist".to_owned()));
                }
                (path.to_path_buf(), None)
            }
            Err(error) => return Err(unwritable(reason(&error))),
            Ok(link) if link.file_type().is_symlink() => {
                // A link: write the file it leads to, so the link stays.
                let real = std::fs::canonicalize(path).map_err(|_| CliError::Unwritable {
                    path: shown.clone(),
                    reason: "it is a link to a file that does not exist".to_owned(),
                    help: "name the file itself, or remove the broken link".to_owned(),
                })?;
                let metadata =
                    std::fs::metadata(&real).map_err(|error| unwritable(reason(&error)))?;
                (real, Some(metadata))
            }
            Ok(metadata) => (path.to_path_buf(), Some(metadata)),
        };
        if let Some(metadata) = &metadata {
            if !metadata.is_file() {
                return Err(CliError::NotARegularFile {
                    path: shown,
                    kind: kind_of(metadata),
                });
            }
            for input in inputs {
                if let Ok(input_metadata) = std::fs::metadata(input)
                    && same_file(metadata, &input_metadata)
                {
                    return Err(CliError::WouldOverwriteInput {
                        path: shown,
                        input: input.display().to_string(),
                    });
                }
            }
        }
        Ok(Target {
            shown,
            real,
            permissions: metadata.map(|metadata| metadata.permissions()),
        })
    }

    /// The name as the user gave it.
    pub fn shown(&self) -> &str {
        &self.shown
    }
}

/// The temporary file beside `real`: hidden, named for the target and this
/// process, so that two runs never share one.
fn partial_path(real: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(real.file_name().unwrap_or_default());
    let number = NEXT_PARTIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    name.push(format!(".clinrule-partial-{}-{number}", std::process::id()));
    real.with_file_name(name)
}

/// Forgets a temporary file: it was renamed or removed.
fn forget(path: &Path) {
    let mut partial = PARTIAL_FILES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    partial.retain(|known| known != path);
}

/// Why writing a file failed: the work that writes the text failed (its own
/// error, returned as it is), or the file itself could not be written.
#[derive(Debug)]
pub enum WriteFailure<E> {
    /// The work that produces the text failed; nothing was written.
    Work(E),
    /// The file could not be written; it was left as it was.
    File(CliError),
}

/// Writes the text that `work` produces to `target`, whole or not at all.
///
/// The text goes to a temporary file in the target's folder, is flushed and
/// synced, and is renamed over the target only when `work` succeeded; on any
/// failure the temporary file is removed and the target is left as it was.
pub fn write_whole<T, E>(
    target: &Target,
    work: impl FnOnce(&mut dyn Write) -> Result<T, E>,
) -> Result<T, WriteFailure<E>>
where
    E: From<std::io::Error>,
{
    let failure = |error: &std::io::Error| {
        let reason = reason(error);
        WriteFailure::File(CliError::Unwritable {
            path: target.shown.clone(),
            help: help_for_reason(&reason),
            reason,
        })
    };
    let partial = partial_path(&target.real);
    let file = {
        // Registered before it exists, so that a signal can never leave it.
        let mut registered = PARTIAL_FILES
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        registered.push(partial.clone());
        File::options().write(true).create_new(true).open(&partial)
    };
    let file = match file {
        Ok(file) => file,
        Err(error) => {
            forget(&partial);
            return Err(failure(&error));
        }
    };
    let remove = || {
        let _ = std::fs::remove_file(&partial);
        forget(&partial);
    };
    let mut buffered = BufWriter::with_capacity(1 << 16, file);
    let value = match work(&mut buffered) {
        Ok(value) => value,
        Err(error) => {
            drop(buffered);
            remove();
            return Err(WriteFailure::Work(error));
        }
    };
    let finished = buffered
        .into_inner()
        .map_err(std::io::IntoInnerError::into_error)
        .and_then(|file| {
            if let Some(permissions) = &target.permissions {
                file.set_permissions(permissions.clone())?;
            }
            file.sync_all()
        })
        .and_then(|()| {
            // Renamed under the lock a signal takes, so that the file is
            // either whole under its name or removed.
            let registered = PARTIAL_FILES
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let renamed = std::fs::rename(&partial, &target.real);
            drop(registered);
            renamed
        });
    if let Err(error) = finished {
        remove();
        return Err(failure(&error));
    }
    forget(&partial);
    // The rename itself is made durable by syncing the folder; a system
    // that cannot open folders this way has nothing more to sync.
    if let Some(folder) = target.real.parent()
        && let Ok(folder) = File::open(if folder.as_os_str().is_empty() {
            Path::new(".")
        } else {
            folder
        })
    {
        let _ = folder.sync_all();
    }
    Ok(value)
}

/// Writes `text` to `target` whole, as [`write_whole`].
pub fn write_text(target: &Target, text: &str) -> Result<(), CliError> {
    write_whole(target, |out| out.write_all(text.as_bytes())).map_err(|failure| match failure {
        WriteFailure::File(error) => error,
        WriteFailure::Work(error) => {
            let reason = reason(&error);
            CliError::Unwritable {
                path: target.shown.clone(),
                help: help_for_reason(&reason),
                reason,
            }
        }
    })
}

/// What the system said about a write, in plain words.
pub fn reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "the folder does not exist".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        std::io::ErrorKind::StorageFull => "the disk is full".to_owned(),
        std::io::ErrorKind::ReadOnlyFilesystem => "the disk is read-only".to_owned(),
        std::io::ErrorKind::QuotaExceeded => "the disk quota is used up".to_owned(),
        std::io::ErrorKind::BrokenPipe => {
            "the program reading the output stopped reading".to_owned()
        }
        std::io::ErrorKind::IsADirectory => "this is a folder, not a file".to_owned(),
        _ => error.to_string(),
    }
}

/// The fix to propose for a write that failed for `reason`.
pub fn help_for_reason(reason: &str) -> String {
    match reason {
        "the folder does not exist" => {
            "create the folder first, or write to a folder that exists".to_owned()
        }
        "permission denied" | "the disk is read-only" => {
            "write to a folder you are allowed to write to".to_owned()
        }
        "the disk is full" | "the disk quota is used up" => {
            "free some space, or write to another disk; nothing was left half-written".to_owned()
        }
        _ => "check that the folder exists and can be written to".to_owned(),
    }
}

/// Standard output, watched: the first error writing to it is kept, and
/// every later write fails at once, so that a closed pipe or a full disk
/// stops the work and the command ends with [`crate::exit::EXIT_OUTPUT`].
pub struct Watched<'stream> {
    inner: &'stream mut dyn Write,
    failed: Option<(std::io::ErrorKind, String)>,
}

impl<'stream> Watched<'stream> {
    /// Watches `inner`.
    pub fn new(inner: &'stream mut dyn Write) -> Watched<'stream> {
        Watched {
            inner,
            failed: None,
        }
    }

    /// Flushes, then gives the first error met, if any.
    pub fn finish(mut self) -> Option<(std::io::ErrorKind, String)> {
        let _ = self.flush();
        self.failed
    }

    fn keep<T>(&mut self, result: std::io::Result<T>) -> std::io::Result<T> {
        match result {
            Ok(value) => Ok(value),
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => Err(error),
            Err(error) => {
                let kind = error.kind();
                if self.failed.is_none() {
                    self.failed = Some((kind, reason(&error)));
                }
                Err(error)
            }
        }
    }

    fn refuse(&self) -> Option<std::io::Error> {
        self.failed
            .as_ref()
            .map(|(kind, reason)| std::io::Error::new(*kind, reason.clone()))
    }
}

impl Write for Watched<'_> {
    fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
        if let Some(error) = self.refuse() {
            return Err(error);
        }
        let result = self.inner.write(buffer);
        self.keep(result)
    }

    fn write_all(&mut self, buffer: &[u8]) -> std::io::Result<()> {
        if let Some(error) = self.refuse() {
            return Err(error);
        }
        let result = self.inner.write_all(buffer);
        self.keep(result)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if let Some(error) = self.refuse() {
            return Err(error);
        }
        let result = self.inner.flush();
        self.keep(result)
    }
}
