//! Safe output for the command line: a temporary file beside the target, renamed into place only
//! when everything succeeded; removed on any failure. Also the progress bar.

use aizip::Progress;
use anyhow::{anyhow, Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The temporary file being written, for the Ctrl-C handler to remove.
static PENDING: Mutex<Option<PathBuf>> = Mutex::new(None);

/// On SIGINT/SIGTERM, removes the temporary output (if any) and exits with 130, as shells expect.
pub fn remove_temporary_on_interrupt() {
    // Without a handler the default action still ends the process; only the cleanup is lost.
    let _ = ctrlc::set_handler(|| {
        if let Ok(mut pending) = PENDING.lock() {
            if let Some(path) = pending.take() {
                let _ = fs::remove_file(path);
            }
        }
        std::process::exit(130);
    });
}

fn set_pending(path: Option<&Path>) {
    if let Ok(mut pending) = PENDING.lock() {
        *pending = path.map(Path::to_path_buf);
    }
}

pub enum Output {
    Stdout(BufWriter<io::Stdout>),
    File {
        file: Option<BufWriter<File>>,
        temp: PathBuf,
        target: PathBuf,
        force: bool,
    },
}

impl Output {
    /// Prepares to write `target` (`-` is standard output). Refuses to replace an existing file
    /// unless `force`, and refuses to write over `input`.
    pub fn create(target: &Path, input: &Path, force: bool) -> Result<Output> {
        if target.as_os_str() == "-" {
            return Ok(Output::Stdout(BufWriter::with_capacity(
                1 << 16,
                io::stdout(),
            )));
        }
        if let (Ok(a), Ok(b)) = (fs::canonicalize(target), fs::canonicalize(input)) {
            if a == b {
                return Err(anyhow!(
                    "{}: output would overwrite the input",
                    target.display()
                ));
            }
        }
        if !force && fs::symlink_metadata(target).is_ok() {
            return Err(anyhow!(
                "{}: already exists (use -f to overwrite)",
                target.display()
            ));
        }
        let dir = target
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .ok_or_else(|| anyhow!("{}: not a file name", target.display()))?;
        let temp = dir.join(format!(
            ".{}.{}.aizip-tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .with_context(|| format!("{}: cannot create", target.display()))?;
        set_pending(Some(&temp));
        Ok(Output::File {
            file: Some(BufWriter::with_capacity(1 << 16, file)),
            temp,
            target: target.to_path_buf(),
            force,
        })
    }

    /// Flushes, syncs and moves the output into place.
    pub fn commit(mut self) -> Result<()> {
        match &mut self {
            Output::Stdout(out) => out.flush().context("standard output: cannot write"),
            Output::File {
                file,
                temp,
                target,
                force,
            } => {
                let writer = file.take().expect("committed twice");
                let file = writer
                    .into_inner()
                    .map_err(|e| e.into_error())
                    .with_context(|| format!("{}: cannot write", target.display()))?;
                file.sync_all()
                    .with_context(|| format!("{}: cannot write", target.display()))?;
                drop(file);
                if *force {
                    fs::rename(&*temp, &*target)
                        .with_context(|| format!("{}: cannot write", target.display()))?;
                } else {
                    // A hard link never replaces a file that appeared meanwhile.
                    fs::hard_link(&*temp, &*target)
                        .with_context(|| format!("{}: cannot create", target.display()))?;
                    let _ = fs::remove_file(&*temp);
                }
                *temp = PathBuf::new();
                set_pending(None);
                Ok(())
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(out) => out.write(buf),
            Output::File { file, .. } => file.as_mut().expect("written after commit").write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(out) => out.flush(),
            Output::File { file, .. } => file.as_mut().map_or(Ok(()), |f| f.flush()),
        }
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Output::File { file, temp, .. } = self {
            if !temp.as_os_str().is_empty() {
                drop(file.take());
                let _ = fs::remove_file(&*temp);
                set_pending(None);
            }
        }
    }
}

/// A progress bar on stderr for inputs over 1 MB, when stderr is a terminal.
pub struct ProgressReport {
    bar: Option<ProgressBar>,
    compressing: bool,
}

impl ProgressReport {
    pub fn new(total: u64, quiet: bool, compressing: bool) -> Self {
        let show = !quiet && total > 1_000_000 && io::stderr().is_terminal();
        let bar = show.then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {msg} eta {eta}",
                )
                .expect("valid template"),
            );
            bar
        });
        ProgressReport { bar, compressing }
    }

    pub fn update(&self, p: Progress) {
        if let Some(bar) = &self.bar {
            bar.set_position(p.original_bytes);
            if self.compressing && p.original_bytes > 0 {
                bar.set_message(format!(
                    "{:.3} bpb",
                    p.archive_bytes as f64 * 8.0 / p.original_bytes as f64
                ));
            }
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
