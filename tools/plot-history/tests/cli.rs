//! The binary end to end: success writes an SVG, every failure is one line on stderr and exit 1.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A fresh folder in the system's temporary directory for one test's output.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("plot-history-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn plot(args: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plot-history"))
        .args(args)
        .output()
        .expect("cannot run plot-history")
}

fn assert_one_line_failure(out: &Output, expected: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "stderr: {stderr}");
    assert!(stderr.starts_with("plot-history: "), "stderr: {stderr}");
    assert!(stderr.contains(expected), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
}

#[test]
fn writes_an_svg_of_the_fixture() {
    let dir = scratch("ok");
    let svg_path = dir.join("nested/history.svg");
    let out = plot(&[&fixture("history.tsv"), &svg_path]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("5 runs"), "{stdout}");
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(svg.starts_with("<svg"));
    for needle in ["enwik8-head", "wiki2m", "1a2b3c4", "7a8b9c0"] {
        assert!(svg.contains(needle), "{needle} missing from the SVG");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_missing_file_is_one_line_and_exit_1() {
    let dir = scratch("missing");
    let out = plot(&[&dir.join("no-such.tsv"), &dir.join("out.svg")]);
    assert_one_line_failure(&out, "cannot read");
    assert!(!dir.join("out.svg").exists());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_malformed_row_is_one_line_and_exit_1() {
    let dir = scratch("malformed");
    let out = plot(&[&fixture("malformed.tsv"), &dir.join("out.svg")]);
    assert_one_line_failure(&out, "line 3: 3 tab-separated fields, the header has 5");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn too_many_arguments_is_one_line_and_exit_1() {
    let a = fixture("history.tsv");
    let out = plot(&[&a, &a, &a]);
    assert_one_line_failure(&out, "too many arguments");
}
