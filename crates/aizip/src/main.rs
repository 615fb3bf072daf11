//! The `aizip` command line. See `aizip --help` and the README.

mod cli_output;
mod score;

use aizip::{Dictionary, Error, Options, Progress};
use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use cli_output::{Output, ProgressReport};
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Parser)]
#[command(
    name = "aizip",
    version,
    about = "Lossless context-mixing compressor for text",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compress INPUT to INPUT.aiz (or OUTPUT); `-` reads standard input.
    Compress(CompressArgs),
    /// Decompress INPUT.aiz to INPUT (or OUTPUT); `-` reads standard input.
    Decompress(DecompressArgs),
    /// Decode each archive and check it against its checksum, writing nothing.
    Test(TestArgs),
    /// Show each archive's level, blocks, sizes and bits per byte, from its headers alone.
    List(ListArgs),
    /// For the dictionary transform, the primer and each model, the archive size and time
    /// without it.
    Ablate(AblateArgs),
    /// Compress, decompress and verify FILE; report the prize score, speed and memory.
    Score(ScoreArgs),
}

#[derive(Args)]
struct TestArgs {
    /// Archives to test; `-` reads standard input.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Report only failures.
    #[arg(short, long)]
    quiet: bool,
    /// Use up to N threads: to decode N blocks at once (archives made with -T), or a second to
    /// learn a primed block's primer; default: every core.
    #[arg(short = 'T', long, value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
}

#[derive(Args)]
struct ListArgs {
    /// Archives to list; `-` reads standard input.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Also a line per block: its length, whether its engine was primed, its dictionary
    /// transform and coded stream; and the checksum.
    #[arg(short, long)]
    verbose: bool,
}

#[derive(Args)]
struct ScoreArgs {
    /// File to measure on.
    input: PathBuf,
    /// Compression level.
    #[arg(short, long, default_value_t = aizip::DEFAULT_LEVEL,
          value_parser = clap::value_parser!(u8).range(aizip::MIN_LEVEL as i64..=aizip::MAX_LEVEL as i64))]
    level: u8,
    /// Print one JSON object instead of the report.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct AblateArgs {
    /// File to measure on.
    input: PathBuf,
    /// Compression level.
    #[arg(short, long, default_value_t = aizip::DEFAULT_LEVEL,
          value_parser = clap::value_parser!(u8).range(aizip::MIN_LEVEL as i64..=aizip::MAX_LEVEL as i64))]
    level: u8,
    /// Measure only these rows, comma-separated: model names, `dictionary`, `primer` (at level
    /// 9 each row takes minutes on a few megabytes).
    #[arg(long, value_delimiter = ',', value_name = "ROWS")]
    only: Vec<String>,
}

#[derive(Args)]
struct CommonArgs {
    /// File to read, or `-` for standard input.
    input: PathBuf,
    /// Where to write; `-` for standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Overwrite the output if it exists.
    #[arg(short, long)]
    force: bool,
    /// Remove the input once the output is complete, synced and verified (compressing decodes
    /// the new archive once more to prove it restores the input).
    #[arg(long)]
    rm: bool,
    /// No progress bar, no summary.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Args)]
struct CompressArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Level 1 (fast, small memory) to 9 (strongest).
    #[arg(short, long, default_value_t = aizip::DEFAULT_LEVEL,
          value_parser = clap::value_parser!(u8).range(aizip::MIN_LEVEL as i64..=aizip::MAX_LEVEL as i64))]
    level: u8,
    /// Do not apply the dictionary transform (for comparisons).
    #[arg(long)]
    no_dict: bool,
    /// Cut the input into N blocks and compress them in parallel (costs some compression; the
    /// default single stream is what the Hutter Prize rules assume).
    #[arg(short = 'T', long, default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..=aizip::format::MAX_BLOCKS as i64))]
    threads: u16,
    /// Do not run the models ahead on a second thread (same archive; single-stream compression
    /// otherwise uses two cores where it has them; an input under 1 MiB, 3 MiB at levels
    /// 8-9, is coded twice side by side either way, with and without the dictionary).
    #[arg(long)]
    single_thread: bool,
}

#[derive(Args)]
struct DecompressArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Use up to N threads: to decode N blocks at once (archives made with -T), or a second to
    /// learn a primed block's primer; default: every core.
    #[arg(short = 'T', long, value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
}

fn main() {
    let cli = Cli::parse();
    cli_output::remove_temporary_on_interrupt();
    let result = match cli.command {
        Command::Compress(args) => compress(args),
        Command::Decompress(args) => decompress(args),
        Command::Test(args) => test_archives(args),
        Command::List(args) => list_archives(args),
        Command::Ablate(args) => ablate(args),
        Command::Score(args) => score_command(args),
    };
    if let Err(e) = result {
        if e.is::<FailuresReported>() {
            std::process::exit(1);
        }
        // A reader that stopped reading (`aizip ablate … | head`) is not an error to report:
        // exit as a program killed by SIGPIPE would, silently.
        if is_closed_pipe(&e) {
            std::process::exit(141);
        }
        eprintln!("aizip: {e:#}");
        std::process::exit(1);
    }
}

/// Whether `e` comes of writing to a pipe whose reader has gone.
fn is_closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        let io = match cause.downcast_ref::<Error>() {
            Some(Error::Io(io)) => Some(io),
            _ => cause.downcast_ref::<io::Error>(),
        };
        io.is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn is_stdio(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The whole input: a memory map for files (never copied), a buffer for standard input.
enum InputData {
    Mapped(memmap2::Mmap),
    Buffered(Vec<u8>),
}

impl InputData {
    fn open(path: &Path) -> Result<InputData> {
        if is_stdio(path) {
            let mut data = Vec::new();
            io::stdin()
                .read_to_end(&mut data)
                .context("standard input: cannot read")?;
            return Ok(InputData::Buffered(data));
        }
        let file = File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
        let meta = file
            .metadata()
            .with_context(|| format!("{}: cannot read", path.display()))?;
        if !meta.is_file() {
            return Err(anyhow!("{}: not a regular file", path.display()));
        }
        if meta.len() == 0 {
            return Ok(InputData::Buffered(Vec::new()));
        }
        // SAFETY: the map is read-only; aizip's contract (as for any compressor reading a file in
        // place) is that the input is not modified while it is compressed.
        let map = unsafe { memmap2::Mmap::map(&file) }
            .with_context(|| format!("{}: cannot read", path.display()))?;
        Ok(InputData::Mapped(map))
    }

    fn bytes(&self) -> &[u8] {
        match self {
            InputData::Mapped(m) => m,
            InputData::Buffered(v) => v,
        }
    }

    /// Takes a memory map's pages out of this process's resident set (a later read faults the
    /// file's bytes back in; the kernel's page cache may still hold them, as it holds any file
    /// read, until it needs the memory); a buffer stays as it is. A failure only leaves the
    /// pages where they are.
    fn release(&self) {
        #[cfg(unix)]
        if let InputData::Mapped(map) = self {
            // SAFETY: the map is read-only and never written, so dropping its pages loses
            // nothing: a later read sees the file's bytes again, which aizip's contract (see
            // `open`) keeps unchanged.
            let _ = unsafe { map.unchecked_advise(memmap2::UncheckedAdvice::DontNeed) };
        }
    }
}

fn compress(args: CompressArgs) -> Result<()> {
    let common = &args.common;
    let target = match &common.output {
        Some(p) => p.clone(),
        None if is_stdio(&common.input) => PathBuf::from("-"),
        None => {
            let mut name = common.input.clone().into_os_string();
            name.push(".aiz");
            PathBuf::from(name)
        }
    };
    if common.rm && is_stdio(&target) && !is_stdio(&common.input) {
        return Err(anyhow!(
            "--rm needs an output file: an archive on standard output cannot be verified"
        ));
    }
    let input = InputData::open(&common.input)?;
    let data = input.bytes();
    let mut output = Output::create(&target, &common.input, common.force)?;
    let report = ProgressReport::new(data.len() as u64, common.quiet, true);
    let start = Instant::now();
    let options = Options {
        level: args.level,
        dictionary: if args.no_dict {
            Dictionary::Off
        } else {
            Dictionary::Auto
        },
        threads: args.threads as usize,
        pipeline: Options::default().pipeline && !args.single_thread,
        ..Options::default()
    };
    let progress = |p: Progress| report.update(p);
    let size = aizip::compress_releasing(data, &options, &mut output, progress, || input.release())
        .map_err(|e| name_error(e, &target, "standard output"))?;
    output.commit()?;
    report.finish();
    if !common.quiet {
        let bpb = if data.is_empty() {
            0.0
        } else {
            size as f64 * 8.0 / data.len() as f64
        };
        eprintln!(
            "{}: {} -> {} bytes ({bpb:.4} bits per byte) in {:.2} s",
            common.input.display(),
            data.len(),
            size,
            start.elapsed().as_secs_f64()
        );
    }
    if common.rm && !is_stdio(&common.input) {
        verify_archive(&target, data)?;
    }
    drop(input);
    remove_input(common)
}

/// Decodes the archive just written and compares it with the input, byte for byte: `--rm`
/// deletes an input only when its archive is proven to restore it.
fn verify_archive(archive: &Path, original: &[u8]) -> Result<()> {
    let file = File::open(archive)
        .with_context(|| format!("{}: cannot reopen to verify", archive.display()))?;
    let mut compare = ComparingWriter {
        expected: original,
        matches: true,
    };
    let options = aizip::DecompressOptions::default();
    let restored = aizip::decompress_with(&options, io::BufReader::new(file), &mut compare, |_| {});
    match restored {
        Ok(len)
            if len == original.len() as u64 && compare.matches && compare.expected.is_empty() =>
        {
            Ok(())
        }
        Ok(_) => Err(anyhow!(
            "{}: verification failed: the archive does not restore the input (input kept)",
            archive.display()
        )),
        Err(e) => Err(anyhow!(
            "{}: verification failed: {e} (input kept)",
            archive.display()
        )),
    }
}

/// A writer that checks what it is given against the bytes expected, in order.
struct ComparingWriter<'a> {
    /// What is still to come.
    expected: &'a [u8],
    matches: bool,
}

impl io::Write for ComparingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.expected.split_at_checked(buf.len()) {
            Some((head, rest)) if head == buf => self.expected = rest,
            _ => {
                self.matches = false;
                self.expected = &[];
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn decompress(args: DecompressArgs) -> Result<()> {
    let mut options = aizip::DecompressOptions::default();
    if let Some(threads) = args.threads {
        options.threads = threads as usize;
    }
    let args = args.common;
    let target = match &args.output {
        Some(p) => p.clone(),
        None if is_stdio(&args.input) => PathBuf::from("-"),
        None => match args.input.to_str().and_then(|s| s.strip_suffix(".aiz")) {
            Some(stem) if !stem.is_empty() => PathBuf::from(stem),
            _ => {
                return Err(anyhow!(
                    "{}: unknown suffix (expected .aiz); name the output with -o",
                    args.input.display()
                ))
            }
        },
    };
    let input: Box<dyn Read> = if is_stdio(&args.input) {
        Box::new(io::stdin().lock())
    } else {
        Box::new(
            File::open(&args.input)
                .with_context(|| format!("{}: cannot open", args.input.display()))?,
        )
    };
    let archive_len = if is_stdio(&args.input) {
        0
    } else {
        std::fs::metadata(&args.input).map(|m| m.len()).unwrap_or(0)
    };
    let mut output = Output::create(&target, &args.input, args.force)?;
    let report = ProgressReport::new(archive_len.saturating_mul(4), args.quiet, false);
    let start = Instant::now();
    let size = aizip::decompress_with(&options, input, &mut output, |p| report.update(p))
        .map_err(|e| name_error(e, &args.input, "standard input"))?;
    output.commit()?;
    report.finish();
    if !args.quiet {
        eprintln!(
            "{}: {} bytes in {:.2} s",
            args.input.display(),
            size,
            start.elapsed().as_secs_f64()
        );
    }
    remove_input(&args)
}

/// The error of a command that went on past failing inputs and has reported each: it only sets
/// the exit status.
#[derive(Debug, thiserror::Error)]
#[error("some inputs failed")]
struct FailuresReported;

/// Runs `each` on every input, reporting a failure on one line and going on to the next, as
/// `xz -t` and `xz -l` do; fails at the end if any input failed, and at once if the output's
/// reader has gone.
fn for_each_input(inputs: &[PathBuf], mut each: impl FnMut(&Path) -> Result<()>) -> Result<()> {
    let mut failed = false;
    for input in inputs {
        if let Err(e) = each(input) {
            if is_closed_pipe(&e) {
                return Err(e);
            }
            eprintln!("aizip: {e:#}");
            failed = true;
        }
    }
    if failed {
        Err(FailuresReported.into())
    } else {
        Ok(())
    }
}

/// An archive to read: standard input for `-`.
fn open_archive(path: &Path) -> Result<Box<dyn Read>> {
    Ok(if is_stdio(path) {
        Box::new(io::stdin().lock())
    } else {
        Box::new(io::BufReader::new(
            File::open(path).with_context(|| format!("{}: cannot open", path.display()))?,
        ))
    })
}

fn test_archives(args: TestArgs) -> Result<()> {
    let mut options = aizip::DecompressOptions::default();
    if let Some(threads) = args.threads {
        options.threads = threads as usize;
    }
    for_each_input(&args.inputs, |path| {
        let start = Instant::now();
        let size = aizip::decompress_with(&options, open_archive(path)?, io::sink(), |_| {})
            .map_err(|e| name_error(e, path, "standard input"))?;
        if !args.quiet {
            eprintln!(
                "{}: OK, {size} bytes in {:.2} s",
                path.display(),
                start.elapsed().as_secs_f64()
            );
        }
        Ok(())
    })
}

fn list_archives(args: ListArgs) -> Result<()> {
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "{:>6} {:>5} {:>10} {:>14} {:>14} {:>7} {:>9}  Name",
        "Blocks", "Level", "Dictionary", "Compressed", "Uncompressed", "Ratio", "Bits/byte"
    )?;
    for_each_input(&args.inputs, |path| {
        let info = aizip::inspect(open_archive(path)?)
            .map_err(|e| name_error(e, path, "standard input"))?;
        let original = info.header.original_len;
        let transformed = info
            .blocks
            .iter()
            .filter(|(block, _)| block.dictionary.is_some())
            .count();
        let per_byte = |bytes: u64| bytes as f64 / original.max(1) as f64;
        writeln!(
            out,
            "{:>6} {:>5} {:>10} {:>14} {:>14} {:>7.4} {:>9.4}  {}",
            info.blocks.len(),
            info.header.level,
            format!("{transformed}/{}", info.blocks.len()),
            info.archive_len,
            original,
            per_byte(info.archive_len),
            per_byte(info.archive_len * 8),
            path.display()
        )?;
        if args.verbose {
            writeln!(
                out,
                "  format version {}, xxh3-64 of the original {:016x}",
                aizip::format::VERSION,
                info.header.checksum
            )?;
            for (i, (block, stream)) in info.blocks.iter().enumerate() {
                let transform = match &block.dictionary {
                    Some(d) => format!(
                        "dictionary transform to {} bytes ({} word codes)",
                        d.coded_len,
                        d.space.capacity()
                    ),
                    None => "untransformed".to_string(),
                };
                writeln!(
                    out,
                    "  block {}: {} bytes, {}, {transform}, coded stream {stream} bytes",
                    i + 1,
                    block.original_len,
                    if block.primed { "primed" } else { "unprimed" }
                )?;
            }
        }
        Ok(())
    })
}

/// Puts the file an error concerns in front of its message (keeping the error as the source):
/// `path`, or for `-` the standard stream it stands for.
fn name_error(e: Error, path: &Path, stream: &str) -> anyhow::Error {
    let name = if is_stdio(path) {
        stream.to_string()
    } else {
        path.display().to_string()
    };
    anyhow::Error::new(e).context(name)
}

fn remove_input(args: &CommonArgs) -> Result<()> {
    if args.rm && !is_stdio(&args.input) {
        std::fs::remove_file(&args.input)
            .with_context(|| format!("{}: cannot remove", args.input.display()))?;
    }
    Ok(())
}

/// The rows of `aizip ablate` that are not models (text has them, binary data not): the
/// archive without the dictionary transform, and without the primer.
const ABLATE_STAGES: [&str; 2] = [DICTIONARY_ROW, PRIMER_ROW];
const DICTIONARY_ROW: &str = "dictionary";
const PRIMER_ROW: &str = "primer";

/// Refuses, before any run, an `--only` row that is empty, unknown, or a model that runs at
/// `level` on neither text nor binary data.
fn check_ablate_rows(only: &[String], level: u8) -> Result<()> {
    let model_set = aizip::model_set::MODEL_SET;
    for row in only {
        if row.is_empty() {
            bail!("--only: an empty row name");
        }
        if ABLATE_STAGES.contains(&row.as_str()) {
            continue;
        }
        let Some(spec) = model_set.iter().find(|s| s.name == *row) else {
            let known: Vec<&str> = ABLATE_STAGES
                .into_iter()
                .chain(model_set.iter().map(|s| s.name))
                .collect();
            bail!("--only: no row named `{row}` (rows: {})", known.join(", "));
        };
        if ![true, false]
            .iter()
            .any(|&text| aizip::model_set::runs_at(spec, text, level))
        {
            bail!("--only: {row} does not run at level {level}");
        }
    }
    Ok(())
}

fn ablate(args: AblateArgs) -> Result<()> {
    check_ablate_rows(&args.only, args.level)?;
    let model_set = aizip::model_set::MODEL_SET;
    let wanted = |row: &str| args.only.is_empty() || args.only.iter().any(|name| name == row);
    let input = InputData::open(&args.input)?;
    let data = input.bytes();
    // CPU time where the system reports it (other work on the machine does not count), else
    // wall time.
    let start_of_run = Instant::now();
    let clock = || score::cpu_seconds().unwrap_or_else(|| start_of_run.elapsed().as_secs_f64());
    // The archive's size, the CPU time, and whether its blocks are all text (which runs a
    // different model set up to the default level and at the strongest, see
    // `model_set::runs_at`).
    let measure =
        |dictionary: Dictionary, primer: bool, disabled: Vec<String>| -> Result<(u64, f64, bool)> {
            let start = clock();
            // One thread: the CPU time is then the models' own, without the pipeline's hand-over.
            let options = Options {
                level: args.level,
                dictionary,
                primer,
                disabled,
                pipeline: false,
                ..Options::default()
            };
            let mut archive = Vec::new();
            let size = aizip::compress(data, &options, &mut archive, |_| {})
                .map_err(|e| name_error(e, &args.input, "standard input"))?;
            let time = clock() - start;
            let text = aizip::inspect(&archive[..])?
                .blocks
                .iter()
                .all(|(block, _)| block.primed || block.dictionary.is_some());
            Ok((size, time, text))
        };
    // The first run also pays one-time costs (the kernel's first huge pages, the allocator's
    // first maps, the thread pool): run the full model set twice and time the second.
    let (base_size, _, text) = measure(Dictionary::Auto, true, Vec::new())?;
    // Whether the input is text is known now: a row that would repeat this run is refused
    // before the second.
    if let Some(idle) = model_set.iter().find(|s| {
        args.only.iter().any(|name| name == s.name)
            && !aizip::model_set::runs_at(s, text, args.level)
    }) {
        bail!(
            "--only: {} does not run at level {} on this input",
            idle.name,
            args.level
        );
    }
    if let Some(stage) = ABLATE_STAGES
        .iter()
        .find(|stage| !text && args.only.iter().any(|name| name == *stage))
    {
        bail!("--only: binary data has no {stage} to leave out");
    }
    let (_, base_time, _) = measure(Dictionary::Auto, true, Vec::new())?;
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "{:<12} {:>12} {:>10} {:>9} {:>12}",
        "without", "bytes", "diff", "diff %", "saves cpu s"
    )?;
    writeln!(
        out,
        "{:<12} {:>12} {:>10} {:>9} {:>12.2}",
        "(nothing)", base_size, 0, "0.000", 0.0
    )?;
    let models = model_set
        .iter()
        .filter(|s| aizip::model_set::runs_at(s, text, args.level));
    let runs = [
        (DICTIONARY_ROW, Dictionary::Off, true, Vec::new()),
        (PRIMER_ROW, Dictionary::Auto, false, Vec::new()),
    ]
    .into_iter()
    .chain(models.map(|spec| {
        (
            spec.name,
            Dictionary::Auto,
            true,
            vec![spec.name.to_string()],
        )
    }))
    .filter(|(name, ..)| wanted(name));
    for (name, dictionary, primer, disabled) in runs {
        let (size, time, run_text) = measure(dictionary, primer, disabled)?;
        let diff = size as i64 - base_size as i64;
        writeln!(
            out,
            "{:<12} {:>12} {:>+10} {:>+9.3} {:>12.2}{}",
            name,
            size,
            diff,
            diff as f64 * 100.0 / base_size as f64,
            base_time - time,
            match (text, run_text) {
                (true, false) => "  (coded as binary data: its model set)",
                (false, true) => "  (coded as text: its model set)",
                _ => "",
            }
        )?;
    }
    Ok(())
}

fn score_command(args: ScoreArgs) -> Result<()> {
    let input = InputData::open(&args.input)?;
    let result = score::score(&args.input, input.bytes(), args.level)?;
    let mut out = io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&result)?)?;
    } else {
        write!(out, "{}", result.report())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{ComparingWriter, InputData};
    use std::io::Write;

    #[test]
    fn a_released_input_reads_the_same() {
        let path = std::env::temp_dir().join(format!("aizip-release-{}", std::process::id()));
        let bytes: Vec<u8> = (0..300_000u32).map(|i| (i * 7 + i / 1000) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        let input = InputData::open(&path).unwrap();
        assert!(matches!(input, InputData::Mapped(_)));
        assert!(input.bytes() == bytes);
        let start = input.bytes().as_ptr() as usize;
        let resident_before = resident_kb(start);
        input.release();
        // Where the system says (Linux), the pages read have left the resident set.
        if let Some(before) = resident_before {
            assert!(before > 0);
            assert_eq!(resident_kb(start), Some(0));
        }
        assert!(input.bytes() == bytes);
        drop(input);
        std::fs::remove_file(&path).unwrap();
    }

    /// Resident kilobytes of this process's mapping that begins at `start`, from
    /// `/proc/self/smaps` where there is one.
    fn resident_kb(start: usize) -> Option<u64> {
        let smaps = std::fs::read_to_string("/proc/self/smaps").ok()?;
        let mut lines = smaps.lines();
        lines.find(|line| line.starts_with(&format!("{start:x}-")))?;
        let rss = lines.find(|line| line.starts_with("Rss:"))?;
        rss.split_whitespace().nth(1)?.parse().ok()
    }

    fn compare(expected: &[u8], pieces: &[&[u8]]) -> bool {
        let mut writer = ComparingWriter {
            expected,
            matches: true,
        };
        for piece in pieces {
            writer.write_all(piece).unwrap();
        }
        writer.matches && writer.expected.is_empty()
    }

    #[test]
    fn comparing_writer_accepts_only_the_exact_bytes() {
        assert!(compare(b"abcdef", &[b"ab", b"cde", b"f"]));
        assert!(compare(b"", &[]));
        assert!(!compare(b"abcdef", &[b"ab", b"cdf", b"f"]));
        assert!(!compare(b"abcdef", &[b"abc"]));
        assert!(!compare(b"abc", &[b"abc", b"d"]));
    }
}
