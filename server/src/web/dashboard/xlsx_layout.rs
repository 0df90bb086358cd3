//! How the dashboard's XLSX reports print: the clerk opens the monthly report and prints
//! it for the committee's meeting, so a table must come out on A4 landscape, all its
//! columns on every page (one page wide, as many pages tall as the rows need), the
//! title and the column headers repeated at the top of every page, "Trang 2/3" in the
//! footer, and no name wrapped over two lines. The commune's monthly report and the
//! province's (one row per commune) use it.

use rust_xlsxwriter::{Worksheet, XlsxError};

/// Excel's paper size code for A4.
const PAPER_A4: u8 = 9;
/// The widest a column grows to fit its text, in character widths; longer text wraps.
const MAX_TEXT_WIDTH: f64 = 60.0;

/// A column of a report table: its header and its narrowest width (in character widths,
/// Excel's unit), for numbers and short words.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub header: &'static str,
    pub width: f64,
}

impl Column {
    pub const fn new(header: &'static str, width: f64) -> Column {
        Column { header, width }
    }
}

/// The width a column needs so that none of `texts` wraps: at least `min`, at most
/// [`MAX_TEXT_WIDTH`]. Counted in characters (an average Vietnamese letter is about
/// Excel's unit wide), with room for the wider ones and the cell's padding.
pub fn width_for<'a>(min: f64, texts: impl IntoIterator<Item = &'a str>) -> f64 {
    let longest = texts
        .into_iter()
        .map(|t| t.chars().count())
        .max()
        .unwrap_or(0);
    (longest as f64 + 3.0).clamp(min, MAX_TEXT_WIDTH.max(min))
}

/// Sets `sheet` to print as a report: A4 landscape, fitted to one page wide, rows
/// `0..=header_row` (the title above the table and its column headers) repeated on every
/// page, the page number in the footer, centred between narrow margins.
pub fn print_as_report(sheet: &mut Worksheet, header_row: u32) -> Result<(), XlsxError> {
    sheet.set_paper_size(PAPER_A4);
    sheet.set_landscape();
    // 0 pages tall: as many as the rows need.
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, header_row)?;
    // Inches: left, right, top, bottom, header, footer.
    sheet.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    sheet.set_print_center_horizontally(true);
    sheet.set_footer("&CTrang &P/&N");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_column_grows_to_its_longest_text_within_bounds() {
        assert_eq!(width_for(10.0, ["Có", "Không"]), 10.0);
        let long = "Chi bộ Trường Phổ thông dân tộc bán trú Xuân Hòa";
        let w = width_for(10.0, ["Chi bộ Bản Pá Hu", long]);
        assert!(w > long.chars().count() as f64 && w < MAX_TEXT_WIDTH, "{w}");
        assert_eq!(width_for(10.0, [&"x".repeat(500) as &str]), MAX_TEXT_WIDTH);
    }
}
