//! `plot-history [HISTORY.tsv [OUT.svg]]`: draws bits per byte over the CI history.
//!
//! Reads `ci/history.tsv` (or the first argument), writes `docs/history.svg` (or the second).
//! Any problem is reported on one line of stderr with exit status 1.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const DEFAULT_INPUT: &str = "ci/history.tsv";
const DEFAULT_OUTPUT: &str = "docs/history.svg";
const USAGE: &str = "usage: plot-history [HISTORY.tsv [OUT.svg]] \
     (defaults: ci/history.tsv docs/history.svg)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    match run(&args) {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("plot-history: {message}");
            ExitCode::from(1)
        }
    }
}

fn run(args: &[String]) -> Result<String, String> {
    if args.len() > 2 {
        return Err(format!("too many arguments; {USAGE}"));
    }
    let input = PathBuf::from(args.first().map_or(DEFAULT_INPUT, String::as_str));
    let output = PathBuf::from(args.get(1).map_or(DEFAULT_OUTPUT, String::as_str));

    let text = std::fs::read_to_string(&input)
        .map_err(|e| format!("cannot read {}: {e}", input.display()))?;
    let history = plot_history::parse(&text).map_err(|e| format!("{}: {e}", input.display()))?;
    let svg = plot_history::render_svg(&history)?;
    write(&output, &svg)?;
    let names: Vec<&str> = history.series.iter().map(|s| s.name.as_str()).collect();
    Ok(format!(
        "plot-history: wrote {} ({} runs; {})",
        output.display(),
        history.len(),
        names.join(", ")
    ))
}

fn write(path: &Path, svg: &str) -> Result<(), String> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(path, svg).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
