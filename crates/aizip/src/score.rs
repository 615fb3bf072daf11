//! `aizip score`: the Hutter Prize score of one file, and the figures regressions are tracked by.
//!
//! The prize counts `S = archive bytes + decompressor bytes`, where the decompressor may ship in a
//! compressed container (zip, xz…); it must run in about 50 hours on one core of the reference
//! machine and within 10 GB of memory on enwik9. This command compresses (without the two-thread
//! pipeline, as the prize runs it; an input under 1 MiB, 3 MiB at levels 8-9, is still coded
//! twice side by side, with and without the dictionary) and decompresses a file in memory,
//! verifies the round trip, and reports those quantities, with the time projected to enwik9
//! (10^9 bytes) at the measured speed.

use anyhow::{anyhow, Context, Result};
use serde::Serialize;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// Bytes in enwik9.
const ENWIK9_BYTES: f64 = 1e9;
/// The prize's time limit on its reference machine, in hours.
const PRIZE_HOURS: f64 = 50.0;
/// The prize's memory limit, in bytes.
const PRIZE_MEMORY_BYTES: u64 = 10_000_000_000;

#[derive(Serialize)]
pub struct Score {
    pub file: String,
    pub level: u8,
    pub simd: String,
    pub input_bytes: u64,
    pub archive_bytes: u64,
    /// The executable as built.
    pub decompressor_bytes: u64,
    /// The executable in an xz container (`xz -9e`), when `xz` is installed.
    pub decompressor_xz_bytes: Option<u64>,
    /// Archive plus the smaller form of the decompressor.
    pub total_bytes: u64,
    pub bits_per_byte: f64,
    pub compress_seconds: f64,
    pub decompress_seconds: f64,
    pub compress_mb_per_s: f64,
    pub decompress_mb_per_s: f64,
    pub peak_rss_bytes: Option<u64>,
    /// The slower of compression and decompression, projected to 10^9 bytes.
    pub projected_enwik9_hours: f64,
    pub prize_hours_limit: f64,
    pub prize_memory_limit_bytes: u64,
}

pub fn score(path: &Path, data: &[u8], level: u8) -> Result<Score> {
    // One core, as the prize runs a compressor: the tables are faulted in on this thread too.
    aizip_models::table::set_prefault_threads(1);
    // The models on the coding thread, as the prize runs them.
    let options = aizip::Options {
        level,
        pipeline: false,
        ..aizip::Options::default()
    };
    let start = Instant::now();
    let mut archive = Vec::new();
    aizip::compress(data, &options, &mut archive, |_| {})
        .with_context(|| format!("{}: compression failed", path.display()))?;
    let compress_seconds = start.elapsed().as_secs_f64();

    let start = Instant::now();
    let mut restored = Vec::with_capacity(data.len());
    let one_thread = aizip::DecompressOptions {
        threads: 1,
        ..aizip::DecompressOptions::default()
    };
    aizip::decompress_with(&one_thread, &archive[..], &mut restored, |_| {})
        .with_context(|| format!("{}: decompression failed", path.display()))?;
    let decompress_seconds = start.elapsed().as_secs_f64();
    if restored != data {
        return Err(anyhow!(
            "{}: round trip differs from the input",
            path.display()
        ));
    }

    let exe = std::env::current_exe().context("cannot locate the aizip executable")?;
    let decompressor_bytes = std::fs::metadata(&exe)
        .with_context(|| format!("{}: cannot read", exe.display()))?
        .len();
    let decompressor_xz_bytes = xz_size(&exe);
    let archive_bytes = archive.len() as u64;
    let input_bytes = data.len() as u64;
    let mb = input_bytes as f64 / 1e6;
    let slower = compress_seconds.max(decompress_seconds);
    Ok(Score {
        file: path.display().to_string(),
        level,
        simd: options.simd.to_string(),
        input_bytes,
        archive_bytes,
        decompressor_bytes,
        decompressor_xz_bytes,
        total_bytes: archive_bytes
            + decompressor_xz_bytes
                .unwrap_or(decompressor_bytes)
                .min(decompressor_bytes),
        bits_per_byte: if input_bytes == 0 {
            0.0
        } else {
            archive_bytes as f64 * 8.0 / input_bytes as f64
        },
        compress_seconds,
        decompress_seconds,
        compress_mb_per_s: mb / compress_seconds.max(1e-9),
        decompress_mb_per_s: mb / decompress_seconds.max(1e-9),
        peak_rss_bytes: peak_rss_bytes(),
        projected_enwik9_hours: slower / input_bytes.max(1) as f64 * ENWIK9_BYTES / 3600.0,
        prize_hours_limit: PRIZE_HOURS,
        prize_memory_limit_bytes: PRIZE_MEMORY_BYTES,
    })
}

/// Size of `xz -9e` of the file, if xz is installed.
fn xz_size(path: &Path) -> Option<u64> {
    let output = Command::new("xz")
        .args(["-9e", "-c", "--"])
        .arg(path)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then_some(output.stdout.len() as u64)
}

/// CPU seconds (user + system) this process has used so far, where the system says (Linux:
/// `/proc/self/stat`, in the kernel's fixed 100 ticks per second): unlike wall time, unaffected by
/// other processes sharing the machine.
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    let rest = stat.rsplit_once(')')?.1;
    let mut fields = rest.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some((user + system) as f64 / 100.0)
}

/// The process's peak resident set size (Linux: VmHWM).
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

impl Score {
    /// A human-readable report.
    pub fn report(&self) -> String {
        let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
        let mut s = String::new();
        s += &format!("file                 {}\n", self.file);
        s += &format!("level                {} ({} path)\n", self.level, self.simd);
        s += &format!("input                {:>14} bytes\n", self.input_bytes);
        s += &format!(
            "archive              {:>14} bytes  ({:.4} bits per byte)\n",
            self.archive_bytes, self.bits_per_byte
        );
        s += &format!("decompressor         {:>14} bytes", self.decompressor_bytes);
        match self.decompressor_xz_bytes {
            Some(xz) => s += &format!("  ({xz} as .xz)\n"),
            None => s += "  (xz not installed: no container size)\n",
        }
        s += &format!("total S              {:>14} bytes\n", self.total_bytes);
        s += &format!(
            "compress             {:>14.2} s      ({:.3} MB/s)\n",
            self.compress_seconds, self.compress_mb_per_s
        );
        s += &format!(
            "decompress           {:>14.2} s      ({:.3} MB/s)\n",
            self.decompress_seconds, self.decompress_mb_per_s
        );
        if let Some(rss) = self.peak_rss_bytes {
            s += &format!("peak RSS             {:>14.1} MiB\n", mib(rss));
        }
        s += &format!(
            "enwik9 projection    {:>14.1} h      (prize limit about {} h on one core, {} GB RAM)\n",
            self.projected_enwik9_hours,
            self.prize_hours_limit,
            self.prize_memory_limit_bytes / 1_000_000_000
        );
        s
    }
}
