//! The command line as a user meets it: round trips, refusals and every error case, each checked
//! for its exit code, a one-line message naming the problem, and no file left behind.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn aizip(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aizip"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run aizip")
}

fn sample_text() -> Vec<u8> {
    include_str!("../src/lib.rs").repeat(4).into_bytes()
}

/// A folder with `name` holding the sample text.
fn folder_with(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    fs::write(&path, sample_text()).unwrap();
    (dir, path)
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn assert_error(out: &Output, code: i32, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}");
    assert!(stderr.contains(needle), "expected {needle:?} in {stderr:?}");
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one line expected: {stderr:?}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn round_trip_with_default_names_keeps_the_input() {
    let (dir, _) = folder_with("text.txt");
    let out = aizip(&["compress", "-q", "text.txt"], dir.path());
    assert!(out.status.success());
    assert_eq!(files_in(dir.path()), ["text.txt", "text.txt.aiz"]);
    fs::rename(dir.path().join("text.txt"), dir.path().join("original.txt")).unwrap();
    let out = aizip(&["decompress", "-q", "text.txt.aiz"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        fs::read(dir.path().join("text.txt")).unwrap(),
        sample_text()
    );
}

#[test]
fn rm_removes_the_input_only_after_success() {
    let (dir, _) = folder_with("text.txt");
    assert!(aizip(&["compress", "-q", "--rm", "text.txt"], dir.path())
        .status
        .success());
    assert_eq!(files_in(dir.path()), ["text.txt.aiz"]);
    assert!(
        aizip(&["decompress", "-q", "--rm", "text.txt.aiz"], dir.path())
            .status
            .success()
    );
    assert_eq!(files_in(dir.path()), ["text.txt"]);
    assert_eq!(
        fs::read(dir.path().join("text.txt")).unwrap(),
        sample_text()
    );
}

#[test]
fn rm_refuses_an_archive_on_standard_output() {
    let (dir, _) = folder_with("text.txt");
    let out = aizip(
        &["compress", "-q", "--rm", "text.txt", "-o", "-"],
        dir.path(),
    );
    assert_error(&out, 1, "--rm needs an output file");
    assert!(out.stdout.is_empty());
    assert_eq!(files_in(dir.path()), ["text.txt"]);
}

#[test]
fn empty_file_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("empty"), b"").unwrap();
    assert!(aizip(&["compress", "-q", "empty"], dir.path())
        .status
        .success());
    assert!(
        aizip(&["decompress", "-q", "-o", "back", "empty.aiz"], dir.path())
            .status
            .success()
    );
    assert_eq!(fs::read(dir.path().join("back")).unwrap(), b"");
}

#[test]
fn standard_streams_round_trip() {
    let data = sample_text();
    let run = |args: &[&str], input: &[u8]| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_aizip"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let input = input.to_vec();
        let writer = std::thread::spawn(move || stdin.write_all(&input));
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let archive = run(&["compress", "-", "-l", "2"], &data);
    assert_eq!(run(&["decompress", "-"], &archive), data);
}

#[test]
fn existing_output_is_never_overwritten_without_force() {
    let (dir, _) = folder_with("text.txt");
    fs::write(dir.path().join("text.txt.aiz"), b"precious").unwrap();
    let out = aizip(&["compress", "text.txt"], dir.path());
    assert_error(&out, 1, "already exists");
    assert_eq!(
        fs::read(dir.path().join("text.txt.aiz")).unwrap(),
        b"precious"
    );
    assert_eq!(files_in(dir.path()), ["text.txt", "text.txt.aiz"]);
    assert!(aizip(&["compress", "-q", "-f", "text.txt"], dir.path())
        .status
        .success());
    assert_ne!(
        fs::read(dir.path().join("text.txt.aiz")).unwrap(),
        b"precious"
    );
}

#[test]
fn not_an_archive_is_named_and_leaves_nothing() {
    let (dir, _) = folder_with("text.aiz");
    let out = aizip(&["decompress", "text.aiz"], dir.path());
    assert_error(&out, 1, "text.aiz: not an aizip archive");
    assert_eq!(files_in(dir.path()), ["text.aiz"]);
}

/// Compresses the sample in `dir` and returns the archive bytes.
fn archive_in(dir: &Path) -> Vec<u8> {
    fs::write(dir.join("t"), sample_text()).unwrap();
    assert!(aizip(&["compress", "-q", "-l", "1", "t"], dir)
        .status
        .success());
    fs::remove_file(dir.join("t")).unwrap();
    fs::read(dir.join("t.aiz")).unwrap()
}

#[test]
fn unsupported_version_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut archive = archive_in(dir.path());
    archive[4] = 99;
    fs::write(dir.path().join("t.aiz"), &archive).unwrap();
    assert_error(
        &aizip(&["decompress", "t.aiz"], dir.path()),
        1,
        "unsupported archive version 99",
    );
    assert_eq!(files_in(dir.path()), ["t.aiz"]);
}

#[test]
fn truncated_archive_is_an_error_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let archive = archive_in(dir.path());
    for cut in [3, 10, archive.len() / 2, archive.len() - 1] {
        fs::write(dir.path().join("t.aiz"), &archive[..cut]).unwrap();
        let out = aizip(&["decompress", "t.aiz"], dir.path());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "cut {cut}: {stderr}");
        assert!(
            stderr.contains("truncated")
                || stderr.contains("checksum")
                || stderr.contains("not an aizip"),
            "{stderr}"
        );
        assert_eq!(files_in(dir.path()), ["t.aiz"], "cut {cut}");
    }
}

#[test]
fn corrupted_stream_fails_the_checksum_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut archive = archive_in(dir.path());
    let middle = archive.len() / 2;
    archive[middle] ^= 0x10;
    fs::write(dir.path().join("t.aiz"), &archive).unwrap();
    let out = aizip(&["decompress", "t.aiz"], dir.path());
    assert_error(&out, 1, "t.aiz:");
    assert_eq!(files_in(dir.path()), ["t.aiz"]);
}

#[test]
fn test_checks_each_archive_and_names_the_failures() {
    let dir = tempfile::tempdir().unwrap();
    let mut archive = archive_in(dir.path());
    let middle = archive.len() / 2;
    archive[middle] ^= 0x10;
    fs::write(dir.path().join("bad.aiz"), &archive).unwrap();
    let out = aizip(&["test", "bad.aiz", "t.aiz"], dir.path());
    // The failure is one line naming the archive; the good one after it is still tested.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(lines[0].starts_with("aizip: bad.aiz: "), "{stderr}");
    let size = sample_text().len();
    assert_eq!(
        lines[1].split(" in ").next(),
        Some(&*format!("t.aiz: OK, {size} bytes"))
    );
    let out = aizip(&["test", "-q", "t.aiz"], dir.path());
    assert!(out.status.success() && out.stderr.is_empty());
    assert_eq!(files_in(dir.path()), ["bad.aiz", "t.aiz"]);
}

#[test]
fn list_reads_the_headers_and_decodes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let archive = archive_in(dir.path());
    let out = aizip(&["list", "-v", "t.aiz"], dir.path());
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let row: Vec<&str> = stdout.lines().nth(1).unwrap().split_whitespace().collect();
    let size = sample_text().len();
    // Blocks, level, transformed blocks, sizes, ratio, bits per byte, name.
    assert_eq!(row[0..2], ["1", "1"]);
    assert_eq!(row[3..5], [archive.len().to_string(), size.to_string()]);
    assert_eq!(
        row[6],
        format!("{:.4}", archive.len() as f64 * 8.0 / size as f64)
    );
    assert_eq!(row[7], "t.aiz");
    // Level 1 does not prime.
    assert!(
        stdout.contains(&format!("block 1: {size} bytes, unprimed, ")),
        "{stdout}"
    );
    // A file that is not an archive is named.
    fs::write(dir.path().join("plain"), sample_text()).unwrap();
    let out = aizip(&["list", "plain"], dir.path());
    assert_error(&out, 1, "plain: not an aizip archive");
}

#[test]
fn unreadable_input_is_named() {
    let dir = tempfile::tempdir().unwrap();
    assert_error(
        &aizip(&["compress", "missing.txt"], dir.path()),
        1,
        "missing.txt: cannot open",
    );
    assert_error(
        &aizip(&["decompress", "missing.aiz"], dir.path()),
        1,
        "missing.aiz: cannot open",
    );
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn unwritable_output_is_named_and_the_input_untouched() {
    let (dir, input) = folder_with("text.txt");
    let out = aizip(
        &["compress", "text.txt", "-o", "no/such/folder/out.aiz"],
        dir.path(),
    );
    assert_error(&out, 1, "no/such/folder/out.aiz: cannot create");
    assert_eq!(files_in(dir.path()), ["text.txt"]);
    assert_eq!(fs::read(input).unwrap(), sample_text());
}

#[test]
fn full_disk_is_an_error_and_leaves_nothing() {
    // /dev/full accepts the open but fails every write with ENOSPC.
    if !Path::new("/dev/full").exists() {
        return;
    }
    let (dir, _) = folder_with("text.txt");
    let out = Command::new(env!("CARGO_BIN_EXE_aizip"))
        .args(["compress", "-q", "text.txt", "-o", "-"])
        .current_dir(dir.path())
        .stdout(fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    assert_error(&out, 1, "No space left");
    assert_eq!(files_in(dir.path()), ["text.txt"]);
}

#[test]
fn output_over_the_input_is_refused() {
    let (dir, _) = folder_with("text.txt");
    let out = aizip(
        &["compress", "-f", "text.txt", "-o", "text.txt"],
        dir.path(),
    );
    assert_error(&out, 1, "overwrite the input");
    assert_eq!(
        fs::read(dir.path().join("text.txt")).unwrap(),
        sample_text()
    );
}

#[test]
fn unknown_suffix_asks_for_an_output_name() {
    let (dir, _) = folder_with("text.bin");
    assert_error(
        &aizip(&["decompress", "text.bin"], dir.path()),
        1,
        "unknown suffix",
    );
}

#[test]
fn usage_errors_exit_with_2() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(aizip(&["compress"], dir.path()).status.code(), Some(2));
    assert_eq!(
        aizip(&["compress", "x", "-l", "10"], dir.path())
            .status
            .code(),
        Some(2)
    );
    assert_eq!(aizip(&["frobnicate"], dir.path()).status.code(), Some(2));
}

#[test]
fn score_reports_the_prize_fields_as_json() {
    let (dir, _) = folder_with("text.txt");
    let out = aizip(&["score", "text.txt", "-l", "1", "--json"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "input_bytes",
        "archive_bytes",
        "decompressor_bytes",
        "total_bytes",
        "bits_per_byte",
        "compress_seconds",
        "decompress_seconds",
        "peak_rss_bytes",
        "projected_enwik9_hours",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert_eq!(json["input_bytes"], sample_text().len() as u64);
}

/// The README's bound for level 1: 24 MiB of tables and buffers plus four times the input
/// (`score` holds the input, its transformed text, the archive and the restored copy).
fn level1_memory_bound(input_len: usize) -> u64 {
    24 * (1 << 20) + 4 * input_len as u64
}

#[test]
fn smallest_level_stays_within_its_memory_bound() {
    // 1.2 MB of words drawn from a 3,000-word vocabulary: the dictionary transform applies, and
    // the input is too long for the trial coding with and without it (which doubles the memory
    // of inputs under 1 MiB).
    let mut seed = 0x1234_5678_u64;
    let mut next = move || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 33) as usize
    };
    let vocabulary: Vec<String> = (0..3000)
        .map(|i| {
            let len = 2 + i % 9;
            (0..len)
                .map(|k| (b'a' + ((i * 7 + k * 13) % 26) as u8) as char)
                .collect()
        })
        .collect();
    let mut text = String::new();
    while text.len() < 1_200_000 {
        text += &vocabulary[next() % 64 * (next() % 47 + 1) % vocabulary.len()];
        text.push(if next() % 12 == 0 { '\n' } else { ' ' });
    }
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("words.txt"), &text).unwrap();
    // With only this folder on its PATH, `score` finds no xz and skips compressing the test
    // executable (10 s). (Without a PATH, the C library would search /bin and /usr/bin.)
    let out = Command::new(env!("CARGO_BIN_EXE_aizip"))
        .args(["score", "-l", "1", "--json", "words.txt"])
        .current_dir(dir.path())
        .env("PATH", dir.path())
        .output()
        .expect("run aizip");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let Some(rss) = json["peak_rss_bytes"].as_u64() else {
        eprintln!("no peak RSS on this system: bound not checked");
        return;
    };
    let bound = level1_memory_bound(text.len());
    eprintln!("level 1: peak RSS {rss} bytes, bound {bound}");
    assert!(rss <= bound, "level 1 used {rss} bytes, bound {bound}");
}

/// The first word of each line `aizip ablate ARGS` prints: the rows' names.
fn ablate_rows(args: &[&str], dir: &Path) -> Vec<String> {
    let out = aizip(&[&["ablate"], args].concat(), dir);
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn ablate_lists_the_models_that_text_runs_at_its_level() {
    let (dir, _) = folder_with("t.txt");
    let rows = ablate_rows(&["-l", "3", "t.txt"], dir.path());
    // The sample is text: below level 7 it runs without order 4 (model_set::TEXT_LEVELS).
    assert!(rows.iter().any(|name| name == "order3"));
    assert!(!rows.iter().any(|name| name == "order4"));
}

#[test]
fn ablate_only_measures_the_rows_named() {
    let (dir, _) = folder_with("t.txt");
    let rows = ablate_rows(
        &["-l", "3", "--only", "order2,primer,order2", "t.txt"],
        dir.path(),
    );
    assert_eq!(rows, ["without", "(nothing)", "primer", "order2"]);
}

#[test]
fn ablate_only_refuses_rows_it_cannot_measure() {
    let (dir, _) = folder_with("t.txt");
    for (rows, says) in [
        ("order2,ordr3", "no row named `ordr3`"),
        ("order2,", "an empty row name"),
        ("lstm", "lstm does not run at level 3"),
        // Binary data runs order 4 from level 1, text from level 7.
        ("order4", "order4 does not run at level 3 on this input"),
    ] {
        let out = aizip(&["ablate", "-l", "3", "--only", rows, "t.txt"], dir.path());
        assert!(!out.status.success());
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(says), "{stderr}");
        assert!(out.stdout.is_empty());
    }
    // Binary data is neither transformed nor primed: those rows would repeat the first.
    let bytes: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    fs::write(dir.path().join("b.bin"), bytes).unwrap();
    let out = aizip(
        &["ablate", "-l", "3", "--only", "primer", "b.bin"],
        dir.path(),
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("binary data has no primer"), "{stderr}");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader};
    let (dir, _) = folder_with("t.txt");
    let mut child = spawn_piped(&["ablate", "-l", "1", "t.txt"], dir.path());
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("without"));
    // The reader is gone (as after `| head -1`): the next line meets a closed pipe.
    assert_ended_quietly(child);
}

/// Runs aizip with its standard output and error piped back.
fn spawn_piped(args: &[&str], dir: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_aizip"))
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for a child whose output reader went away: status 141 (as for SIGPIPE), nothing said.
fn assert_ended_quietly(child: std::process::Child) {
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(141));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn decompressing_into_a_closed_pipe_ends_quietly() {
    use std::io::Read;
    let (dir, _) = folder_with("t.txt");
    // Several times what a pipe holds, so the decoder is still writing when the reader goes.
    let text = sample_text().repeat(4);
    fs::write(dir.path().join("t.txt"), &text).unwrap();
    assert!(aizip(&["compress", "-q", "-l", "1", "t.txt"], dir.path())
        .status
        .success());
    let mut child = spawn_piped(&["decompress", "-q", "t.txt.aiz", "-o", "-"], dir.path());
    let mut first = [0u8; 1];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    assert_ended_quietly(child);
}

#[test]
fn interrupt_removes_the_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    // Large enough to still be compressing when the signal arrives.
    fs::write(dir.path().join("big.txt"), sample_text().repeat(60)).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_aizip"))
        .args(["compress", "-q", "big.txt"])
        .current_dir(dir.path())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while files_in(dir.path()).len() < 2 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert_eq!(files_in(dir.path()), ["big.txt"]);
}

#[test]
fn threads_make_blocks_that_round_trip() {
    let (dir, _) = folder_with("t.txt");
    let text = sample_text().repeat(2);
    fs::write(dir.path().join("t.txt"), &text).unwrap();
    let out = aizip(
        &[
            "compress", "-q", "-l", "1", "-T", "2", "t.txt", "-o", "t.aiz",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let archive = fs::read(dir.path().join("t.aiz")).unwrap();
    assert_eq!(aizip::Header::read(&mut &archive[..]).unwrap().blocks, 2);
    for threads in ["1", "2"] {
        let restored = format!("t{threads}.txt");
        let out = aizip(
            &["decompress", "-q", "-T", threads, "t.aiz", "-o", &restored],
            dir.path(),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(fs::read(dir.path().join(restored)).unwrap() == text);
    }
}

#[test]
fn no_dict_turns_the_transform_off_and_both_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    // Over 1 MiB, so that the transform is applied whenever it removes enough bytes (a shorter
    // text is coded both ways and may keep either).
    let text =
        "The river flows past the old mill, and the miller watches the water. ".repeat(16_000);
    fs::write(dir.path().join("t.txt"), &text).unwrap();
    assert!(aizip(
        &["compress", "-q", "-l", "1", "t.txt", "-o", "with.aiz"],
        dir.path()
    )
    .status
    .success());
    assert!(aizip(
        &[
            "compress",
            "-q",
            "-l",
            "1",
            "--no-dict",
            "t.txt",
            "-o",
            "without.aiz"
        ],
        dir.path()
    )
    .status
    .success());
    let with = fs::read(dir.path().join("with.aiz")).unwrap();
    let without = fs::read(dir.path().join("without.aiz")).unwrap();
    let uses_dictionary = |archive: &[u8]| {
        let mut cursor = archive;
        aizip::Header::read(&mut cursor).unwrap();
        let block = aizip::BlockHeader::read(&mut cursor, true).unwrap();
        block.dictionary.is_some()
    };
    assert!(uses_dictionary(&with), "dictionary flag set");
    assert!(!uses_dictionary(&without), "dictionary flag clear");
    for archive in ["with.aiz", "without.aiz"] {
        let out = aizip(
            &["decompress", "-q", archive, "-o", &format!("{archive}.txt")],
            dir.path(),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            fs::read_to_string(dir.path().join(format!("{archive}.txt"))).unwrap(),
            text
        );
    }
}
