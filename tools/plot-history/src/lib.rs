//! # plot-history: bits per byte over the project's history
//!
//! `ci/score --history` appends one line per scored commit to `ci/history.tsv`. This crate reads
//! that file ([`parse`]) and draws every `*.bpb` column as one line against the row index
//! ([`render_svg`]), so a compression regression — or a gain — shows up as a step in the chart.
//!
//! ## The file
//! Tab-separated UTF-8 text. Blank lines and lines starting with `#` are ignored. The first other
//! line is the header: a `commit` column, usually `date`, then for each measured file
//! `NAME.bytes`, `NAME.bpb` and `NAME.compress_s` (and `NAME.compress_cost` for the file whose
//! simulated cost is measured). Every later line is one run with exactly as
//! many fields as the header. A `.bpb` field that is empty or `-` is a missing value (a gap in the
//! line); anything else must be a non-negative number. Other columns are carried but not checked.

use plotters::prelude::*;
use std::collections::HashSet;
use std::fmt;

/// Suffix of the columns that are plotted.
pub const BPB_SUFFIX: &str = ".bpb";

/// Size of the chart in pixels.
pub const SIZE: (u32, u32) = (1000, 560);

/// The parsed history: one entry per data row in every vector.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    /// The `commit` field of each row.
    pub commits: Vec<String>,
    /// The `date` field of each row (empty when the file has no `date` column).
    pub dates: Vec<String>,
    /// One series per `.bpb` column, in header order.
    pub series: Vec<Series>,
}

/// The values of one `.bpb` column.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The column name without `.bpb` (the measured file, e.g. `enwik8-head`).
    pub name: String,
    /// Bits per byte of each row; `None` where the field was empty or `-`.
    pub values: Vec<Option<f64>>,
}

/// Why a history could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number, or `None` for a problem with the file as a whole.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ParseError {}

fn error(line: Option<usize>, message: impl Into<String>) -> ParseError {
    ParseError {
        line,
        message: message.into(),
    }
}

/// Parses the text of a history file; see the crate documentation for the format.
pub fn parse(text: &str) -> Result<History, ParseError> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.strip_suffix('\r').unwrap_or(line)))
        .filter(|(_, line)| !line.trim().is_empty() && !line.trim_start().starts_with('#'));

    let (header_line, header) = lines
        .next()
        .ok_or_else(|| error(None, "no header line (the file is empty)"))?;
    let columns: Vec<&str> = header.split('\t').map(str::trim).collect();
    let mut seen = HashSet::new();
    for name in &columns {
        if name.is_empty() {
            return Err(error(Some(header_line), "header has an empty column name"));
        }
        if !seen.insert(*name) {
            return Err(error(
                Some(header_line),
                format!("header names column `{name}` twice"),
            ));
        }
    }
    let commit_col = columns
        .iter()
        .position(|&c| c == "commit")
        .ok_or_else(|| error(Some(header_line), "header has no `commit` column"))?;
    let date_col = columns.iter().position(|&c| c == "date");
    let bpb_cols: Vec<usize> = (0..columns.len())
        .filter(|&i| columns[i].len() > BPB_SUFFIX.len() && columns[i].ends_with(BPB_SUFFIX))
        .collect();
    if bpb_cols.is_empty() {
        return Err(error(
            Some(header_line),
            format!("header has no column ending in `{BPB_SUFFIX}`"),
        ));
    }

    let mut history = History {
        commits: Vec::new(),
        dates: Vec::new(),
        series: bpb_cols
            .iter()
            .map(|&i| Series {
                name: columns[i][..columns[i].len() - BPB_SUFFIX.len()].to_string(),
                values: Vec::new(),
            })
            .collect(),
    };
    for (number, line) in lines {
        let fields: Vec<&str> = line.split('\t').map(str::trim).collect();
        if fields.len() != columns.len() {
            return Err(error(
                Some(number),
                format!(
                    "{} tab-separated fields, the header has {}",
                    fields.len(),
                    columns.len()
                ),
            ));
        }
        history.commits.push(fields[commit_col].to_string());
        history
            .dates
            .push(date_col.map_or(String::new(), |i| fields[i].to_string()));
        for (series, &col) in history.series.iter_mut().zip(&bpb_cols) {
            series
                .values
                .push(parse_bpb(fields[col], columns[col], number)?);
        }
    }
    if history.commits.is_empty() {
        return Err(error(None, "no data rows after the header"));
    }
    Ok(history)
}

fn parse_bpb(field: &str, column: &str, line: usize) -> Result<Option<f64>, ParseError> {
    if field.is_empty() || field == "-" {
        return Ok(None);
    }
    match field.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
        _ => Err(error(
            Some(line),
            format!("`{column}` is `{field}`, not a non-negative number"),
        )),
    }
}

impl History {
    /// Number of data rows.
    pub fn len(&self) -> usize {
        self.commits.len()
    }

    pub fn is_empty(&self) -> bool {
        self.commits.is_empty()
    }

    /// Smallest and largest value of all series, or `None` when every value is missing.
    pub fn value_range(&self) -> Option<(f64, f64)> {
        self.series
            .iter()
            .flat_map(|s| s.values.iter().flatten())
            .fold(None, |range, &v| match range {
                None => Some((v, v)),
                Some((lo, hi)) => Some((f64::min(lo, v), f64::max(hi, v))),
            })
    }

    /// `commit` and `date` of row `i`, for labels.
    fn row_label(&self, i: usize) -> String {
        match self.dates[i].as_str() {
            "" => self.commits[i].clone(),
            date => format!("{} {date}", self.commits[i]),
        }
    }
}

/// The runs of consecutive present values of a series, as `(row, value)` points.
fn segments(values: &[Option<f64>]) -> Vec<Vec<(i32, f64)>> {
    let mut segments = Vec::new();
    let mut current = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => current.push((i as i32, *v)),
            None if !current.is_empty() => segments.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        segments.push(current);
    }
    segments
}

/// Draws the history as an SVG document: one line per series, x = row index, y = bits per byte.
pub fn render_svg(history: &History) -> Result<String, String> {
    let mut svg = String::new();
    draw(history, &mut svg).map_err(|e| format!("cannot draw the chart: {e}"))?;
    Ok(svg)
}

fn draw(history: &History, svg: &mut String) -> Result<(), Box<dyn std::error::Error>> {
    let (lo, hi) = history
        .value_range()
        .ok_or("every bits-per-byte value is missing")?;
    let pad = ((hi - lo) * 0.08).max(0.01);
    let rows = history.len() as i32;
    let last = history.len() - 1;

    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("aizip: bits per byte over {} runs", history.len()),
            ("sans-serif", 22),
        )
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(-1..rows, (lo - pad)..(hi + pad))?;

    let x_desc = if last == 0 {
        format!("run (only: {})", history.row_label(0))
    } else {
        format!(
            "run (first: {}, last: {})",
            history.row_label(0),
            history.row_label(last)
        )
    };
    let x_label = |x: &i32| match *x {
        0 => history.commits[0].clone(),
        x if x == last as i32 => history.commits[last].clone(),
        x if x > 0 && x < rows => x.to_string(),
        _ => String::new(),
    };
    let y_label = |y: &f64| format!("{y:.3}");
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc("bits per byte")
        .x_labels(12)
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label)
        .draw()?;

    for (k, series) in history.series.iter().enumerate() {
        let color = Palette99::pick(k).to_rgba();
        for (n, points) in segments(&series.values).into_iter().enumerate() {
            let line = LineSeries::new(points, color.stroke_width(2)).point_size(3);
            let drawn = chart.draw_series(line)?;
            if n == 0 {
                drawn.label(series.name.as_str()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
            }
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# written by ci/score --history\n\
        commit\tdate\tenwik8-head.bytes\tenwik8-head.bpb\tenwik8-head.compress_s\twiki2m.bytes\twiki2m.bpb\twiki2m.compress_s\n\
        a1b2c3d\t2025-01-02\t84120\t1.93080\t0.61\t460000\t1.84000\t3.20\n\
        \n\
        # a comment between rows\n\
        e4f5a6b\t2025-01-03\t83990\t1.92782\t0.60\t\t-\t\n";

    #[test]
    fn parses_header_rows_and_comments() {
        let h = parse(SAMPLE).unwrap();
        assert_eq!(h.commits, ["a1b2c3d", "e4f5a6b"]);
        assert_eq!(h.dates, ["2025-01-02", "2025-01-03"]);
        assert_eq!(h.series.len(), 2);
        assert_eq!(h.series[0].name, "enwik8-head");
        assert_eq!(h.series[0].values, [Some(1.9308), Some(1.92782)]);
        assert_eq!(h.series[1].name, "wiki2m");
        assert_eq!(h.series[1].values, [Some(1.84), None]);
        assert_eq!(h.value_range(), Some((1.84, 1.9308)));
    }

    #[test]
    fn accepts_crlf_line_ends() {
        let h = parse("commit\tdate\tx.bpb\r\nabc\t2025-01-01\t2.5\r\n").unwrap();
        assert_eq!(h.commits, ["abc"]);
        assert_eq!(h.series[0].values, [Some(2.5)]);
    }

    #[test]
    fn the_date_column_is_optional() {
        let h = parse("commit\tx.bpb\nabc\t2.5\n").unwrap();
        assert_eq!(h.dates, [""]);
    }

    #[test]
    fn empty_and_comment_only_files_have_no_header() {
        for text in ["", "\n\n", "# only a comment\n"] {
            let e = parse(text).unwrap_err();
            assert_eq!(e.line, None);
            assert!(e.message.contains("no header"), "{e}");
        }
    }

    #[test]
    fn header_problems_are_reported() {
        let e = parse("date\tx.bpb\n2025\t1.0\n").unwrap_err();
        assert_eq!(e.to_string(), "line 1: header has no `commit` column");
        let e = parse("commit\tdate\tx.bytes\n").unwrap_err();
        assert!(e.message.contains("no column ending in `.bpb`"), "{e}");
        let e = parse("commit\t.bpb\n").unwrap_err();
        assert!(e.message.contains("no column ending in `.bpb`"), "{e}");
        let e = parse("# c\ncommit\tx.bpb\tx.bpb\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("twice"), "{e}");
        let e = parse("commit\t\tx.bpb\n").unwrap_err();
        assert!(e.message.contains("empty column name"), "{e}");
    }

    #[test]
    fn a_header_without_rows_is_an_error() {
        let e = parse("commit\tdate\tx.bpb\n# nothing yet\n").unwrap_err();
        assert_eq!(e.to_string(), "no data rows after the header");
    }

    #[test]
    fn malformed_rows_name_their_line() {
        let e = parse("commit\tdate\tx.bpb\nabc\t2025-01-01\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 2: 2 tab-separated fields, the header has 3"
        );
        let e = parse("commit\tdate\tx.bpb\nabc\t2025-01-01\t1.0\textra\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        // Spaces are not tabs.
        let e = parse("commit\tdate\tx.bpb\n# c\nabc 2025-01-01 1.0\n").unwrap_err();
        assert_eq!(e.line, Some(3));
    }

    #[test]
    fn bad_numbers_are_rejected() {
        for bad in ["abc", "1.2.3", "-0.5", "inf", "NaN"] {
            let e = parse(&format!("commit\tx.bpb\nabc\t{bad}\n")).unwrap_err();
            assert_eq!(e.line, Some(2), "{bad}");
            assert!(e.message.contains("`x.bpb`"), "{e}");
        }
    }

    #[test]
    fn other_columns_are_not_checked() {
        let h = parse("commit\tdate\tx.bytes\tx.bpb\nabc\tyesterday\tlots\t2.0\n").unwrap();
        assert_eq!(h.series[0].values, [Some(2.0)]);
    }

    #[test]
    fn gaps_split_a_series_into_segments() {
        let values = [Some(1.0), Some(2.0), None, None, Some(3.0), None, Some(4.0)];
        assert_eq!(
            segments(&values),
            vec![vec![(0, 1.0), (1, 2.0)], vec![(4, 3.0)], vec![(6, 4.0)]]
        );
        assert!(segments(&[None, None]).is_empty());
    }

    #[test]
    fn renders_an_svg_with_every_series() {
        let svg = render_svg(&parse(SAMPLE).unwrap()).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(80)]);
        assert!(svg.contains("enwik8-head"));
        assert!(svg.contains("wiki2m"));
        assert!(svg.contains("a1b2c3d"));
        assert!(svg.contains("bits per byte"));
    }

    #[test]
    fn a_single_row_renders() {
        let svg = render_svg(&parse("commit\tx.bpb\nabc\t2.0\n").unwrap()).unwrap();
        assert!(svg.contains("abc"));
    }

    #[test]
    fn all_values_missing_is_an_error_not_a_panic() {
        let h = parse("commit\tx.bpb\nabc\t-\n").unwrap();
        let e = render_svg(&h).unwrap_err();
        assert!(e.contains("missing"), "{e}");
    }
}
