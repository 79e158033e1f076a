//! Cohort evaluation: `clinrule eval RULES --cases COHORT.ndjson`.
//!
//! Cases are read one per line and evaluated in batches on every core,
//! while the file is still being read, so memory stays bounded whatever its
//! size; results are written in the order of the input. A line that is not
//! a good case is reported with its number and, in the JSON output, written
//! as an error record in its place: no good line is lost, and the output has
//! one record per input line.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, Write};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::time::Instant;

use std::path::{Path, PathBuf};

use clinrule::{CheckedRuleSet, Program, RuleSet};
use clinrule_eval::{CodedCase, CompactTrace};
use miette::Diagnostic;

use crate::error::CliError;
use crate::exit::{EXIT_FINDINGS, EXIT_OUTPUT, EXIT_SUCCESS};
use crate::session::Session;
use crate::{files, output};

/// Lines per batch handed to a worker: many for the summary, whose results
/// are counts; fewer for JSON records, each tens of kilobytes, so that the
/// batches in flight stay within a few tens of megabytes.
fn batch_size(format: CohortFormat) -> usize {
    match format {
        CohortFormat::Summary => 512,
        CohortFormat::Json => 64,
    }
}

/// What a cohort run writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CohortFormat {
    /// One JSON record per input line.
    Json,
    /// Counts per conclusion over the cohort.
    Summary,
}

/// What one batch gave.
struct BatchOutput {
    /// The records, for JSON output.
    records: String,
    /// The problems, one line each, for standard error.
    problems: String,
    /// How many lines were refused.
    refused: u64,
    /// How many cases were evaluated.
    evaluated: u64,
    /// For each conclusion identifier, in the order of `Counts::ids`, the
    /// cases that reached it.
    reached: Vec<u64>,
}

/// The conclusions of a rule set as the summary counts them (`suspect
/// lead_exposure`, `exclude lead_exposure`, `note c0`), each once, in file
/// order, and for each (rule, conclusion) position its index among them.
fn conclusion_ids(rule_set: &CheckedRuleSet) -> (Vec<String>, Vec<Vec<usize>>) {
    let mut ids: Vec<String> = Vec::new();
    // Each row's position by its name: a rule set of 100,000 conclusions
    // must not compare every one with every other.
    let mut rows: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut positions = Vec::with_capacity(rule_set.rules().len());
    for rule in rule_set.rules() {
        let mut mine = Vec::with_capacity(rule.conclusions.len());
        for conclusion in &rule.conclusions {
            // A diagnosis suspected and excluded under one identifier are
            // two rows: what the rules concluded, not just what about.
            let verb = match conclusion.action {
                Some(clinrule_check::model::DiagnosisAction::Suspect) => "suspect",
                Some(clinrule_check::model::DiagnosisAction::Exclude) => "exclude",
                None => conclusion.kind.word(),
            };
            let key = format!("{verb} {}", conclusion.id);
            let index = match rows.get(&key) {
                Some(index) => *index,
                None => {
                    rows.insert(key.clone(), ids.len());
                    ids.push(key);
                    ids.len() - 1
                }
            };
            mine.push(index);
        }
        positions.push(mine);
    }
    (ids, positions)
}

/// A batch of lines: their text, one after the other, and for each its
/// number in the file and where it lies in the text; a line longer than
/// [`MAX_LINE_BYTES`] has an empty range and is marked too long.
struct Batch {
    text: Vec<u8>,
    lines: Vec<(u64, std::ops::Range<usize>, bool)>,
}

/// The longest line read as one case: 16 MiB. A longer line is refused
/// without being held in memory, and the run goes on with the next one.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// The most text a batch gathers before it is handed to a worker.
const MAX_BATCH_BYTES: usize = 4 << 20;

/// Why a cohort run stopped before its end.
#[derive(Debug)]
pub enum CohortFailure {
    /// The cases could not be read.
    Read(std::io::Error),
    /// The results could not be written.
    Write(std::io::Error),
}

impl From<std::io::Error> for CohortFailure {
    fn from(error: std::io::Error) -> CohortFailure {
        CohortFailure::Write(error)
    }
}

/// Reads one line into `text`, up to and including its `\n`. A line longer
/// than [`MAX_LINE_BYTES`] is read to its end but not kept: what was kept of
/// it is taken back out of `text`. Gives the bytes read (0 at the end of the
/// input) and whether the line was too long.
fn read_line(input: &mut dyn BufRead, text: &mut Vec<u8>) -> std::io::Result<(usize, bool)> {
    let start = text.len();
    let mut read = 0;
    let mut too_long = false;
    loop {
        let available = match input.fill_buf() {
            Ok(available) => available,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        if available.is_empty() {
            break;
        }
        let (taken, ended) = match available.iter().position(|byte| *byte == b'\n') {
            Some(at) => (at + 1, true),
            None => (available.len(), false),
        };
        if !too_long {
            if text.len() - start + taken > MAX_LINE_BYTES {
                too_long = true;
                text.truncate(start);
            } else {
                text.extend_from_slice(available.get(..taken).unwrap_or_default());
            }
        }
        input.consume(taken);
        read += taken;
        if ended {
            break;
        }
    }
    Ok((read, too_long))
}

/// What a worker keeps from batch to batch: the compiled program's buffers.
struct Worker<'program> {
    rules: &'program RuleSet,
    program: &'program Program,
    coded: CodedCase,
    trace: CompactTrace,
    /// Per conclusion identifier, whether this case already counted it.
    seen: Vec<bool>,
}

/// The most problems reported for one cohort line; the rest are counted.
pub const MAX_LINE_ERRORS: usize = 20;

/// Reports a line that is not a good case, as a problem on standard error
/// and, for JSON output, as an error record in its place.
fn refuse(
    output: &mut BatchOutput,
    format: CohortFormat,
    number: u64,
    line: &str,
    errors: &[clinrule_eval::EvalError],
) {
    output.refused += 1;
    let mut record = format!("{{\"line\":{number},\"errors\":[");
    for (position, error) in errors.iter().take(MAX_LINE_ERRORS).enumerate() {
        let code = error
            .code()
            .map(|code| code.to_string())
            .unwrap_or_default();
        let (_, column) =
            clinrule::SourceMap::new(String::new(), line).line_column(error.span().start);
        let message = crate::safe_text::shorten_quotes(&error.to_string()).into_owned();
        let _ = writeln!(
            output.problems,
            "line {number}, column {column}: {code} {}",
            crate::safe_text::one_line(&message)
        );
        if position > 0 {
            record.push(',');
        }
        let _ = write!(
            record,
            "{{\"code\":{},\"message\":{},\"column\":{column}}}",
            serde_json::Value::String(code),
            serde_json::Value::String(message)
        );
    }
    record.push(']');
    let more = errors.len().saturating_sub(MAX_LINE_ERRORS);
    if more > 0 {
        let _ = writeln!(
            output.problems,
            "line {number}: {more} more {} not shown",
            if more == 1 { "problem" } else { "problems" }
        );
        let _ = write!(record, ",\"more_errors\":{more}");
    }
    record.push_str("}\n");
    if format == CohortFormat::Json {
        output.records.push_str(&record);
    }
}

/// Evaluates one batch of lines.
fn run_batch(
    worker: &mut Worker<'_>,
    format: CohortFormat,
    positions: &[Vec<usize>],
    batch: &Batch,
) -> BatchOutput {
    let rule_set = worker.program.rule_set();
    let mut output = BatchOutput {
        records: String::new(),
        problems: String::new(),
        refused: 0,
        evaluated: 0,
        reached: vec![0; worker.seen.len()],
    };
    for (number, range, too_long) in &batch.lines {
        if *too_long {
            refuse(
                &mut output,
                format,
                *number,
                "",
                &[clinrule_eval::EvalError::InvalidJson {
                    message: format!(
                        "the line is longer than {} MiB, the most one case may take",
                        MAX_LINE_BYTES >> 20
                    ),
                    span: clinrule_syntax::Span::new(0, 1),
                }],
            );
            continue;
        }
        let bytes = batch.text.get(range.clone()).unwrap_or_default();
        let line = match std::str::from_utf8(bytes) {
            Ok(line) => line.trim_end_matches(['\n', '\r']),
            Err(problem) => {
                let at = u32::try_from(problem.valid_up_to()).unwrap_or(u32::MAX);
                let line = String::from_utf8_lossy(bytes);
                refuse(
                    &mut output,
                    format,
                    *number,
                    &line,
                    &[clinrule_eval::EvalError::InvalidJson {
                        message: "the line is not valid UTF-8 text".to_owned(),
                        span: clinrule_syntax::Span::new(at, at.saturating_add(1)),
                    }],
                );
                continue;
            }
        };
        match format {
            CohortFormat::Summary => {
                match worker
                    .program
                    .evaluate_json(line, &mut worker.coded, &mut worker.trace)
                {
                    Err(errors) => refuse(&mut output, format, *number, line, &errors),
                    Ok(()) => {
                        output.evaluated += 1;
                        // A conclusion reached by two rules counts once per case.
                        worker.seen.iter_mut().for_each(|flag| *flag = false);
                        for (rule, conclusion) in worker.trace.conclusions(rule_set) {
                            if let Some(index) =
                                positions.get(rule).and_then(|mine| mine.get(conclusion))
                                && let Some(flag) = worker.seen.get_mut(*index)
                                && !*flag
                            {
                                *flag = true;
                                if let Some(count) = output.reached.get_mut(*index) {
                                    *count += 1;
                                }
                            }
                        }
                    }
                }
            }
            CohortFormat::Json => match worker.rules.read_case(line) {
                Err(errors) => refuse(&mut output, format, *number, line, &errors),
                Ok(case) => {
                    output.evaluated += 1;
                    let _ = writeln!(
                        output.records,
                        "{{\"line\":{number},\"result\":{}}}",
                        worker.rules.explain(case).json_compact()
                    );
                }
            },
        }
    }
    output
}

/// Totals over the cohort.
pub struct Totals {
    /// Lines read.
    pub lines: u64,
    /// Cases evaluated.
    pub evaluated: u64,
    /// Lines refused.
    pub refused: u64,
}

/// Progress on standard error: cases, cases per second, and time left.
struct Progress {
    started: Instant,
    last: Instant,
    total_bytes: u64,
}

impl Progress {
    fn show(&mut self, err: &mut dyn Write, done: u64, bytes: u64, last: bool) {
        let now = Instant::now();
        if !last && now.duration_since(self.last).as_millis() < 250 {
            return;
        }
        self.last = now;
        let seconds = now.duration_since(self.started).as_secs_f64().max(1e-9);
        let rate = done as f64 / seconds;
        let share = if self.total_bytes > 0 {
            bytes as f64 / self.total_bytes as f64
        } else {
            0.0
        };
        let left = if share > 0.0 {
            seconds * (1.0 - share) / share
        } else {
            0.0
        };
        let _ = write!(
            err,
            "\r{done} cases · {rate:.0} cases/s · {:.0}% · {left:.0} s left   ",
            share * 100.0
        );
        if last {
            let _ = writeln!(err);
        }
        let _ = err.flush();
    }
}

/// Puts batch outputs back in input order and writes them.
struct Writer<'streams> {
    out: &'streams mut dyn Write,
    err: &'streams mut dyn Write,
    pending: BTreeMap<usize, BatchOutput>,
    next: usize,
    totals: Totals,
    reached: Vec<u64>,
    progress: Option<Progress>,
}

impl Writer<'_> {
    fn accept(
        &mut self,
        index: usize,
        output: BatchOutput,
        bytes_read: u64,
    ) -> std::io::Result<()> {
        self.pending.insert(index, output);
        while let Some(output) = self.pending.remove(&self.next) {
            self.out.write_all(output.records.as_bytes())?;
            // Standard error is for people: if it cannot be written, the
            // results still can.
            let _ = self.err.write_all(output.problems.as_bytes());
            self.totals.evaluated += output.evaluated;
            self.totals.refused += output.refused;
            for (total, count) in self.reached.iter_mut().zip(&output.reached) {
                *total += count;
            }
            self.next += 1;
        }
        if let Some(progress) = self.progress.as_mut() {
            let done = self.totals.evaluated + self.totals.refused;
            progress.show(self.err, done, bytes_read, false);
        }
        Ok(())
    }
}

/// Evaluates a cohort, one case per line, against the one rule set named,
/// writing to standard output or, whole or not at all, to `out_path`.
pub(crate) fn run(
    session: &mut Session<'_>,
    paths: &[PathBuf],
    cases: &Path,
    out_path: Option<&Path>,
    format: CohortFormat,
    quiet: bool,
) -> u8 {
    let rules = match session.read_one_rule_set(paths) {
        Ok(rules) => rules,
        Err(code) => return code,
    };
    let rule_set = &rules.rule_set;
    // The output file is checked before anything is read: it must not
    // be an input of this run, nor a folder, a device or a pipe.
    let target = match out_path {
        Some(path) => {
            let mut inputs: Vec<&Path> = vec![cases];
            inputs.extend(paths.iter().map(PathBuf::as_path));
            inputs.extend(rules.file_paths.iter().map(PathBuf::as_path));
            match output::Target::check(path, &inputs) {
                Ok(target) => Some(target),
                Err(error) => return session.usage_error(&error),
            }
        }
        None => None,
    };
    let unreadable = |reason: String| CliError::Unreadable {
        path: cases.display().to_string(),
        reason,
    };
    if let Some(reason) = files::refuse_before_reading(cases) {
        return session.usage_error(&unreadable(reason));
    }
    let input = match std::fs::File::open(cases) {
        Ok(input) => input,
        Err(error) => return session.usage_error(&unreadable(files::reason(&error))),
    };
    let total_bytes = input
        .metadata()
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|metadata| metadata.len());
    let mut input = std::io::BufReader::with_capacity(1 << 16, input);
    let progress = (session.terminal.progress && !quiet)
        .then_some(total_bytes)
        .flatten();
    let err = &mut *session.err;
    let result = match &target {
        // Results go to a file beside the one asked for, renamed to it
        // only once every line is written: an interrupted run never
        // leaves a file that looks complete.
        Some(target) => output::write_whole(target, |out| {
            evaluate_stream(rule_set, &mut input, out, err, format, progress)
        })
        .map_err(|failure| match failure {
            output::WriteFailure::Work(failure) => Err(failure),
            output::WriteFailure::File(error) => Ok(error),
        }),
        None => {
            let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut *session.out);
            let result =
                evaluate_stream(rule_set, &mut input, &mut buffered, err, format, progress);
            drop(buffered);
            result.map_err(Err)
        }
    };
    match result {
        Ok(totals) if totals.refused > 0 => {
            let _ = writeln!(
                session.err,
                "{}: {} of {} lines refused; each is reported above{}",
                cases.display(),
                totals.refused,
                totals.lines,
                if format == CohortFormat::Json {
                    " and written as an error record"
                } else {
                    ""
                }
            );
            EXIT_FINDINGS
        }
        Ok(_) => EXIT_SUCCESS,
        Err(Ok(error)) => session.usage_error(&error),
        Err(Err(CohortFailure::Read(error))) => {
            session.usage_error(&unreadable(files::reason(&error)))
        }
        Err(Err(CohortFailure::Write(error))) => match &target {
            Some(target) => {
                let reason = output::reason(&error);
                session.report(
                    &CliError::Unwritable {
                        path: target.shown().to_owned(),
                        help: output::help_for_reason(&reason),
                        reason,
                    },
                    None,
                );
                EXIT_OUTPUT
            }
            // Standard output's error was kept by the watcher, which
            // reports it when the command ends.
            None => EXIT_OUTPUT,
        },
    }
}

/// A batch of lines and its place in the input.
type Job = (usize, Batch);

/// Evaluates every line of `input`, writing records or the summary to
/// `out` and each problem to `err`. Reading and writing stay on this
/// thread; the evaluation runs on one worker per core.
fn evaluate_stream(
    rules: &RuleSet,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
    format: CohortFormat,
    total_bytes: Option<u64>,
) -> Result<Totals, CohortFailure> {
    let (ids, positions) = conclusion_ids(rules.checked());
    let program = rules.program();
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .clamp(1, 16);
    let mut writer = Writer {
        out,
        err,
        pending: BTreeMap::new(),
        next: 0,
        totals: Totals {
            lines: 0,
            evaluated: 0,
            refused: 0,
        },
        reached: vec![0u64; ids.len()],
        progress: total_bytes.map(|total_bytes| Progress {
            started: Instant::now(),
            last: Instant::now(),
            total_bytes,
        }),
    };
    let (job_sender, job_receiver) = sync_channel::<Job>(workers * 2);
    let job_receiver = std::sync::Mutex::new(job_receiver);
    let (result_sender, result_receiver) = sync_channel::<(usize, BatchOutput)>(workers * 4);
    std::thread::scope(|scope| -> Result<(), CohortFailure> {
        // The sender lives in this closure, so that leaving it early, on an
        // error, stops the workers and the scope can end.
        let job_sender = job_sender;
        let result_receiver = result_receiver;
        for _ in 0..workers {
            let job_receiver = &job_receiver;
            let result_sender: SyncSender<(usize, BatchOutput)> = result_sender.clone();
            let positions = &positions;
            let id_count = ids.len();
            scope.spawn(move || {
                let mut worker = Worker {
                    rules,
                    program,
                    coded: program.new_case(),
                    trace: program.new_trace(),
                    seen: vec![false; id_count],
                };
                loop {
                    let job = match job_receiver.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return,
                    };
                    let Ok((index, batch)) = job else { return };
                    let output = run_batch(&mut worker, format, positions, &batch);
                    if result_sender.send((index, output)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(result_sender);

        let send =
            |mut job: Job, writer: &mut Writer<'_>, bytes: u64| -> Result<(), CohortFailure> {
                loop {
                    match job_sender.try_send(job) {
                        Ok(()) => break,
                        Err(std::sync::mpsc::TrySendError::Full(back)) => {
                            job = back;
                            // Every worker is busy: write a result while waiting.
                            match result_receiver.recv() {
                                Ok((done, output)) => writer.accept(done, output, bytes)?,
                                Err(_) => {
                                    return Err(CohortFailure::Write(std::io::Error::other(
                                        "the workers stopped",
                                    )));
                                }
                            }
                        }
                        Err(std::sync::mpsc::TrySendError::Disconnected(_)) => {
                            return Err(CohortFailure::Write(std::io::Error::other(
                                "the workers stopped",
                            )));
                        }
                    }
                }
                while let Ok((done, output)) = result_receiver.try_recv() {
                    writer.accept(done, output, bytes)?;
                }
                Ok(())
            };
        let batch_lines = batch_size(format);
        let new_batch = || Batch {
            text: Vec::with_capacity(batch_lines * 512),
            lines: Vec::with_capacity(batch_lines),
        };
        let mut batch = new_batch();
        let mut index = 0;
        let mut bytes = 0u64;
        loop {
            // Lines are read as bytes: one that is not UTF-8 text is a bad
            // record, reported in its place, not the end of the run.
            let start = batch.text.len();
            let (read, too_long) =
                read_line(input, &mut batch.text).map_err(CohortFailure::Read)?;
            if read == 0 {
                break;
            }
            bytes += read as u64;
            writer.totals.lines += 1;
            batch
                .lines
                .push((writer.totals.lines, start..batch.text.len(), too_long));
            // A batch ends at its count of lines, or sooner when its lines
            // are long: the batches in flight hold a bounded amount of text
            // whatever the lines' lengths.
            if batch.lines.len() == batch_lines || batch.text.len() >= MAX_BATCH_BYTES {
                let full = std::mem::replace(&mut batch, new_batch());
                send((index, full), &mut writer, bytes)?;
                index += 1;
            }
        }
        if !batch.lines.is_empty() {
            send((index, batch), &mut writer, bytes)?;
        }
        drop(job_sender);
        while let Ok((done, output)) = result_receiver.recv() {
            writer.accept(done, output, bytes)?;
        }
        Ok(())
    })?;
    let Writer {
        out,
        err,
        totals,
        reached,
        mut progress,
        ..
    } = writer;
    if let Some(progress) = progress.as_mut() {
        progress.show(
            err,
            totals.evaluated + totals.refused,
            progress.total_bytes,
            true,
        );
    }
    match format {
        CohortFormat::Summary => write_summary(out, &ids, &reached, &totals)?,
        // The last record says the stream is whole: a reader that does not
        // find it, with as many lines as it read, holds a cut stream.
        CohortFormat::Json => writeln!(
            out,
            "{{\"end\":{{\"lines\":{},\"evaluated\":{},\"refused\":{}}}}}",
            totals.lines, totals.evaluated, totals.refused
        )?,
    }
    out.flush()?;
    Ok(totals)
}

/// The counts per conclusion over the cohort.
fn write_summary(
    out: &mut dyn Write,
    ids: &[String],
    reached: &[u64],
    totals: &Totals,
) -> std::io::Result<()> {
    let mut text = format!(
        "{} lines: {} cases evaluated, {} refused\n",
        totals.lines, totals.evaluated, totals.refused
    );
    let width = ids.iter().map(String::len).max().unwrap_or(10).max(10);
    let _ = writeln!(
        text,
        "{:<width$}  {:>10}  {:>7}",
        "conclusion", "cases", "share"
    );
    for (id, count) in ids.iter().zip(reached) {
        let share = if totals.evaluated > 0 {
            *count as f64 * 100.0 / totals.evaluated as f64
        } else {
            0.0
        };
        let _ = writeln!(text, "{id:<width$}  {count:>10}  {share:>6.1}%");
    }
    out.write_all(text.as_bytes())
}
