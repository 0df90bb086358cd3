//! Charts as inline SVG, drawn on the server (no JS): a line chart for rates, bars, and
//! stacked bars for the grade mix. Each SVG is `role="img"` with a `<title>` and an
//! `aria-label`; the page also shows the numbers as a table (see `partials/chart.html`).

use std::fmt::Write;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 36.0;

/// A drawn chart with its numbers, for the table beside it.
pub struct Chart {
    pub title: String,
    /// The SVG markup; every text in it is escaped.
    pub svg: String,
    /// Column headers of the data table (the first names the rows).
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Series names and their CSS class, for the legend (stacked bars only).
    pub legend: Vec<(String, String)>,
}

/// Escapes text for SVG/HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn open_svg(title: &str) -> String {
    let t = escape(title);
    format!(
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{t}\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>"
    )
}

fn plot_width() -> f64 {
    WIDTH - LEFT - RIGHT
}

fn plot_height() -> f64 {
    HEIGHT - TOP - BOTTOM
}

fn y_of(value: f64, max: f64) -> f64 {
    let share = if max > 0.0 {
        (value / max).clamp(0.0, 1.0)
    } else {
        0.0
    };
    TOP + plot_height() * (1.0 - share)
}

/// Horizontal grid lines and their labels at 0, ½ and the maximum.
fn axes(svg: &mut String, max: f64, unit: &str) {
    for step in [0.0, 0.5, 1.0] {
        let value = max * step;
        let y = y_of(value, max);
        let _ = write!(
            svg,
            "<line class=\"axis\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}{}</text>",
            WIDTH - RIGHT,
            LEFT - 4.0,
            y + 4.0,
            number(value),
            escape(unit)
        );
    }
}

fn number(value: f64) -> String {
    if (value - value.round()).abs() < 0.05 {
        format!("{}", value.round() as i64)
    } else {
        format!("{value:.1}").replace('.', ",")
    }
}

fn x_label(svg: &mut String, x: f64, label: &str) {
    let _ = write!(
        svg,
        "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
        HEIGHT - BOTTOM + 16.0,
        escape(label)
    );
}

/// A line of rates (0–`max`), a gap where a point has no value; `target` draws a dashed
/// line (e.g. the 85 % attendance the guidance asks for).
pub fn line_chart(
    title: &str,
    value_header: &str,
    points: &[(String, Option<f64>, String)],
    max: f64,
    unit: &str,
    target: Option<f64>,
) -> Chart {
    let mut svg = open_svg(title);
    axes(&mut svg, max, unit);
    let n = points.len().max(1) as f64;
    let step = plot_width() / n;
    let x_at = |i: usize| LEFT + step * (i as f64 + 0.5);
    if let Some(t) = target {
        let y = y_of(t, max);
        let _ = write!(
            svg,
            "<line class=\"target\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>",
            WIDTH - RIGHT
        );
    }
    let mut path = String::new();
    let mut pen_down = false;
    for (i, (_, value, _)) in points.iter().enumerate() {
        match value {
            Some(v) => {
                let _ = write!(
                    path,
                    "{}{:.1},{:.1} ",
                    if pen_down { "L" } else { "M" },
                    x_at(i),
                    y_of(*v, max)
                );
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    if !path.is_empty() {
        let _ = write!(svg, "<path class=\"line\" d=\"{}\"/>", path.trim_end());
    }
    for (i, (label, value, text)) in points.iter().enumerate() {
        if let Some(v) = value {
            let _ = write!(
                svg,
                "<circle class=\"dot\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\"><title>{}: {}</title></circle>",
                x_at(i),
                y_of(*v, max),
                escape(label),
                escape(text)
            );
        }
        if label_shown(i, points.len()) {
            x_label(&mut svg, x_at(i), label);
        }
    }
    svg.push_str("</svg>");
    Chart {
        title: title.to_string(),
        svg,
        headers: vec!["Tháng".to_string(), value_header.to_string()],
        rows: points
            .iter()
            .map(|(label, _, text)| vec![label.clone(), text.clone()])
            .collect(),
        legend: Vec::new(),
    }
}

/// With many points, every other label, so they do not overlap.
fn label_shown(i: usize, n: usize) -> bool {
    n <= 14 || i % 2 == (n - 1) % 2
}

/// Stacked bars: per column, segments (series index, count); `series` names each with its
/// CSS class.
pub fn stacked_bars(
    title: &str,
    series: &[(String, String)],
    columns: &[(String, Vec<u32>)],
) -> Chart {
    let max = columns
        .iter()
        .map(|(_, v)| v.iter().sum::<u32>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut svg = open_svg(title);
    axes(&mut svg, max, "");
    let n = columns.len().max(1) as f64;
    let step = plot_width() / n;
    let bar = (step * 0.65).max(2.0);
    for (i, (label, values)) in columns.iter().enumerate() {
        let x = LEFT + step * i as f64 + (step - bar) / 2.0;
        let mut base = 0.0;
        for (s, value) in values.iter().enumerate() {
            if *value == 0 {
                continue;
            }
            let top = y_of(base + f64::from(*value), max);
            let bottom = y_of(base, max);
            let (name, class) = series.get(s).cloned().unwrap_or_default();
            let _ = write!(
                svg,
                "<rect class=\"{}\" x=\"{x:.1}\" y=\"{top:.1}\" width=\"{bar:.1}\" height=\"{:.1}\">\
                 <title>{}: {} {}</title></rect>",
                escape(&class),
                (bottom - top).max(0.5),
                escape(label),
                escape(&name),
                value
            );
            base += f64::from(*value);
        }
        if label_shown(i, columns.len()) {
            x_label(&mut svg, x + bar / 2.0, label);
        }
    }
    svg.push_str("</svg>");
    let mut headers = vec!["Tháng".to_string()];
    headers.extend(series.iter().map(|(name, _)| name.clone()));
    Chart {
        title: title.to_string(),
        svg,
        headers,
        rows: columns
            .iter()
            .map(|(label, values)| {
                let mut row = vec![label.clone()];
                row.extend(values.iter().map(u32::to_string));
                row
            })
            .collect(),
        legend: series.to_vec(),
    }
}

/// Plain bars, one per label, values 0–`max`.
pub fn bar_chart(
    title: &str,
    value_header: &str,
    bars: &[(String, f64, String)],
    max: f64,
    unit: &str,
) -> Chart {
    let max = if max > 0.0 { max } else { 1.0 };
    let mut svg = open_svg(title);
    axes(&mut svg, max, unit);
    let n = bars.len().max(1) as f64;
    let step = plot_width() / n;
    let width = (step * 0.65).max(2.0);
    for (i, (label, value, text)) in bars.iter().enumerate() {
        let x = LEFT + step * i as f64 + (step - width) / 2.0;
        let top = y_of(*value, max);
        let _ = write!(
            svg,
            "<rect class=\"bar\" x=\"{x:.1}\" y=\"{top:.1}\" width=\"{width:.1}\" height=\"{:.1}\">\
             <title>{}: {}</title></rect>",
            (TOP + plot_height() - top).max(0.0),
            escape(label),
            escape(text)
        );
        if label_shown(i, bars.len()) {
            x_label(&mut svg, x + width / 2.0, label);
        }
    }
    svg.push_str("</svg>");
    Chart {
        title: title.to_string(),
        svg,
        headers: vec![String::new(), value_header.to_string()],
        rows: bars
            .iter()
            .map(|(label, _, text)| vec![label.clone(), text.clone()])
            .collect(),
        legend: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_chart_is_labelled_and_escapes_text() {
        let chart = line_chart(
            "Tỷ lệ <dự họp>",
            "Tỷ lệ",
            &[
                ("01/2026".into(), Some(80.0), "80%".into()),
                ("02/2026".into(), None, "–".into()),
                ("03/2026".into(), Some(90.0), "90%".into()),
            ],
            100.0,
            "%",
            Some(85.0),
        );
        assert!(chart.svg.contains("role=\"img\""));
        assert!(chart.svg.contains("<title>Tỷ lệ &lt;dự họp&gt;</title>"));
        // The gap in February breaks the line into two pieces.
        assert_eq!(chart.svg.matches('M').count(), 2);
        assert_eq!(chart.rows[1], vec!["02/2026".to_string(), "–".to_string()]);
    }

    #[test]
    fn stacked_bars_skip_empty_segments() {
        let series = vec![
            ("Tốt".to_string(), "g-good".to_string()),
            ("Khá".to_string(), "g-fair".to_string()),
        ];
        let chart = stacked_bars("Xếp loại", &series, &[("11/2026".into(), vec![3, 0])]);
        assert_eq!(chart.svg.matches("<rect").count(), 1);
        assert_eq!(chart.headers, vec!["Tháng", "Tốt", "Khá"]);
    }
}
