//! Downloads: a signed meeting's minutes and resolution as DOCX (the core's renderer,
//! the same the phones share), the commune's monthly report as XLSX, built from
//! [`figures::monthly_report_at`] only, so the file says what the overview says, and the
//! province's (one row per commune, from the same rollup as its page).

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use chibo_domain::labels::{rounded_percent, Label, NOT_GRADED};
use chibo_domain::model::MeetingStatus;
use chibo_domain::rules::{self, QualityGrade};
use chibo_domain::time::local_datetime;

use crate::docs::CommuneDocs;
use crate::figures::reports::MeetingInputs;
use crate::storage;
use crate::AppState;

use super::layout::{blocking, read_docs, urlencode, PageError};
use super::session::CommuneScope;
use super::xlsx_layout::{print_as_report, width_for};
use crate::figures::months::{self as figures, MonthlyReport};
use crate::figures::province::ProvinceRollup;

pub const XLSX_MIME_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/communes/{commune_id}/meetings/{meeting_id}/minutes.docx",
            get(minutes),
        )
        .route(
            "/communes/{commune_id}/meetings/{meeting_id}/resolution.docx",
            get(resolution),
        )
        .route("/communes/{commune_id}/reports/{file}", get(monthly_xlsx))
}

/// `Content-Disposition: attachment` with an ASCII fallback name and the Vietnamese name
/// in RFC 5987's `filename*`.
pub fn attachment(ascii_name: &str, name: &str) -> HeaderValue {
    let fallback: String = ascii_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let value = format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        urlencode(name)
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

pub(super) fn download(
    bytes: Vec<u8>,
    mime: &'static str,
    ascii_name: &str,
    name: &str,
) -> Response {
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    h.insert(header::CONTENT_DISPOSITION, attachment(ascii_name, name));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    response
}

// ---------------------------------------------------------------- DOCX

#[derive(Clone, Copy)]
enum Document {
    Minutes,
    Resolution,
}

async fn minutes(
    scope: CommuneScope,
    Path((_, meeting_id)): Path<(String, String)>,
    State(state): State<AppState>,
) -> Result<Response, PageError> {
    docx(scope, meeting_id, state, Document::Minutes).await
}

async fn resolution(
    scope: CommuneScope,
    Path((_, meeting_id)): Path<(String, String)>,
    State(state): State<AppState>,
) -> Result<Response, PageError> {
    docx(scope, meeting_id, state, Document::Resolution).await
}

enum Rendered {
    Missing,
    Unsigned,
    File {
        bytes: Vec<u8>,
        cell: String,
        date: String,
    },
}

async fn docx(
    scope: CommuneScope,
    meeting_id: String,
    state: AppState,
    which: Document,
) -> Result<Response, PageError> {
    let commune_id = scope.commune.id.clone();
    let rendered = blocking(move || {
        let inputs = storage::read(&*state.storage, |tx| {
            MeetingInputs::of_meeting(&CommuneDocs::new(tx, &commune_id), &meeting_id)
        })?;
        let Some(inputs) = inputs else {
            return Ok(Rendered::Missing);
        };
        let m = &inputs.record.meeting;
        if m.status != MeetingStatus::Signed {
            return Ok(Rendered::Unsigned);
        }
        let ctx = inputs.ctx();
        let assessment = rules::assess_meeting(&ctx);
        let bytes = match which {
            Document::Minutes => chibo_documents::minutes_docx(&ctx, &assessment),
            Document::Resolution => chibo_documents::resolution_docx(&ctx, &assessment),
        }
        .map_err(|e| PageError::Internal(e.to_string()))?;
        Ok(Rendered::File {
            bytes,
            cell: inputs.cell.name.clone(),
            date: local_datetime(m.actual_start.unwrap_or(m.planned_start))
                .format("%d-%m-%Y")
                .to_string(),
        })
    })
    .await?;
    match rendered {
        Rendered::Missing => Err(PageError::NotFound),
        Rendered::Unsigned => {
            let mut response = PageError::BadRequest(
                "Biên bản buổi họp này chưa được ký. Chỉ tải được biên bản và nghị quyết \
                 của buổi họp đã ký."
                    .to_string(),
            )
            .into_response();
            *response.status_mut() = StatusCode::CONFLICT;
            Ok(response)
        }
        Rendered::File { bytes, cell, date } => {
            let (ascii, title) = match which {
                Document::Minutes => ("bien-ban", "Biên bản"),
                Document::Resolution => ("nghi-quyet", "Nghị quyết"),
            };
            Ok(download(
                bytes,
                chibo_documents::DOCX_MIME_TYPE,
                &format!("{ascii}-{date}.docx"),
                &format!("{title} {cell} {date}.docx"),
            ))
        }
    }
}

// ---------------------------------------------------------------- XLSX

async fn monthly_xlsx(
    scope: CommuneScope,
    Path((_, file)): Path<(String, String)>,
    State(state): State<AppState>,
) -> Result<Response, PageError> {
    let (year, month) = file
        .strip_suffix(".xlsx")
        .and_then(figures::parse_month)
        .ok_or(PageError::NotFound)?;
    let commune_name = scope.commune.name.clone();
    let now = state.clock.now();
    let report = read_docs(&state, &scope.commune.id, move |docs| {
        figures::monthly_report_at(docs, year, month, now)
    })
    .await?;
    let bytes = monthly_workbook(&commune_name, &report)
        .map_err(|e| PageError::Internal(format!("xlsx: {e}")))?;
    Ok(download(
        bytes,
        XLSX_MIME_TYPE,
        &format!("bao-cao-{}.xlsx", figures::month_key(year, month)),
        &format!("Báo cáo tháng {month:02}-{year} {commune_name}.xlsx"),
    ))
}

/// The two sheets' names.
pub const CELLS_SHEET: &str = "Chi bộ";
pub const CADRES_SHEET: &str = "Cán bộ";
/// Rows above the data: the title, a blank line, the header.
pub const HEADER_ROW: u32 = 2;

fn yes_no(value: bool) -> &'static str {
    if value {
        "Có"
    } else {
        "Không"
    }
}

struct Styles {
    title: Format,
    header: Format,
    text: Format,
    number: Format,
    percent: Format,
}

fn styles() -> Styles {
    let border = |f: Format| f.set_border(FormatBorder::Thin);
    Styles {
        title: Format::new().set_bold().set_font_size(14),
        header: border(
            Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color("#E8EEF7"),
        ),
        text: border(Format::new().set_text_wrap()),
        number: border(Format::new().set_num_format("0")),
        percent: border(Format::new().set_num_format("General")),
    }
}

/// The title, the column headers and widths, and the print layout of a report sheet.
fn header(
    sheet: &mut Worksheet,
    s: &Styles,
    title: &str,
    columns: &[(&str, f64)],
) -> Result<(), XlsxError> {
    print_as_report(sheet, HEADER_ROW)?;
    sheet.write_string_with_format(0, 0, title, &s.title)?;
    for (col, (name, width)) in columns.iter().enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(HEADER_ROW, col, *name, &s.header)?;
        sheet.set_column_width(col, *width)?;
    }
    // Three lines of a wrapped bold header.
    sheet.set_row_height(HEADER_ROW, 46)?;
    sheet.set_freeze_panes(HEADER_ROW + 1, 1)?;
    Ok(())
}

fn opt_number(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: Option<f64>,
    f: &Format,
) -> Result<(), XlsxError> {
    match value {
        Some(v) => sheet.write_number_with_format(row, col, v, f)?,
        None => sheet.write_blank(row, col, f)?,
    };
    Ok(())
}

/// The monthly report: one row per cell, one per cadre, under a title naming the commune
/// and the month.
pub fn monthly_workbook(commune_name: &str, report: &MonthlyReport) -> Result<Vec<u8>, XlsxError> {
    let s = styles();
    let mut book = Workbook::new();
    let period = format!("tháng {:02}/{}", report.month, report.year);

    let cells = book.add_worksheet();
    cells.set_name(CELLS_SHEET)?;
    header(
        cells,
        &s,
        &format!("Sinh hoạt chi bộ {period} – {commune_name}"),
        &[
            (
                "Chi bộ",
                width_for(20.0, report.cells.iter().map(|c| c.cell_name.as_str())),
            ),
            ("Đã họp", 9.0),
            ("Ngày họp", 12.0),
            ("Thời lượng (phút)", 11.0),
            ("Có mặt", 8.0),
            ("Phải dự", 8.0),
            ("Tỷ lệ dự họp (%)", 10.0),
            ("Điểm chất lượng", 10.0),
            ("Xếp loại", 12.0),
            ("Cán bộ dự họp", 10.0),
            ("Kiến nghị nêu", 10.0),
            ("Kiến nghị đã giải quyết", 12.0),
        ],
    )?;
    for (i, c) in report.cells.iter().enumerate() {
        let row = HEADER_ROW + 1 + i as u32;
        cells.write_string_with_format(row, 0, &c.cell_name, &s.text)?;
        cells.write_string_with_format(row, 1, yes_no(c.met), &s.text)?;
        let date = c.date.map(|d| d.to_vietnamese()).unwrap_or_default();
        cells.write_string_with_format(row, 2, &date, &s.text)?;
        opt_number(
            cells,
            row,
            3,
            c.duration_minutes.map(|d| d as f64),
            &s.number,
        )?;
        let counted = |n: u32| c.met.then_some(f64::from(n));
        opt_number(cells, row, 4, counted(c.present), &s.number)?;
        opt_number(cells, row, 5, counted(c.expected), &s.number)?;
        // The figure every screen prints (at most one decimal): 48 of 49 is 98.
        opt_number(
            cells,
            row,
            6,
            c.attendance_percent.map(rounded_percent),
            &s.percent,
        )?;
        opt_number(cells, row, 7, c.quality_total.map(f64::from), &s.number)?;
        let grade = if c.met || c.grade.is_some() {
            c.grade.label()
        } else {
            ""
        };
        cells.write_string_with_format(row, 8, grade, &s.text)?;
        cells.write_string_with_format(row, 9, yes_no(c.cadre_visited), &s.text)?;
        cells.write_number_with_format(row, 10, f64::from(c.petitions_raised), &s.number)?;
        cells.write_number_with_format(row, 11, f64::from(c.petitions_resolved), &s.number)?;
    }

    let cadres = book.add_worksheet();
    cadres.set_name(CADRES_SHEET)?;
    header(
        cadres,
        &s,
        &format!("Cán bộ dự sinh hoạt chi bộ {period} – {commune_name}"),
        &[
            (
                "Cán bộ",
                width_for(18.0, report.cadres.iter().map(|c| c.name.as_str())),
            ),
            (
                "Chức vụ",
                width_for(14.0, report.cadres.iter().map(|c| c.title.as_str())),
            ),
            (
                "Tổ công tác",
                width_for(12.0, report.cadres.iter().filter_map(|c| c.team.as_deref())),
            ),
            ("Yêu cầu trong tháng", 10.0),
            ("Đã dự (xác minh)", 10.0),
            ("Chờ xem xét", 10.0),
            ("Yêu cầu cả năm", 10.0),
            ("Đã dự cả năm", 10.0),
            ("Số chi bộ chưa đủ", 10.0),
            ("Đạt yêu cầu", 10.0),
        ],
    )?;
    for (i, c) in report.cadres.iter().enumerate() {
        let row = HEADER_ROW + 1 + i as u32;
        cadres.write_string_with_format(row, 0, &c.name, &s.text)?;
        cadres.write_string_with_format(row, 1, &c.title, &s.text)?;
        cadres.write_string_with_format(row, 2, c.team.as_deref().unwrap_or(""), &s.text)?;
        for (col, n) in [
            (3, c.required),
            (4, c.done),
            (5, c.needs_review),
            (6, c.required_this_year),
            (7, c.done_this_year),
            (8, c.cells_behind),
        ] {
            cadres.write_number_with_format(row, col, f64::from(n), &s.number)?;
        }
        cadres.write_string_with_format(row, 9, yes_no(!c.behind), &s.text)?;
    }
    book.save_to_buffer()
}

/// The province's report's sheet.
pub const COMMUNES_SHEET: &str = "Các xã";

/// The province's monthly report: one row per commune (in the rollup's order), then the
/// province's totals, under a title naming the province and the month.
pub fn province_workbook(province: &str, rollup: &ProvinceRollup) -> Result<Vec<u8>, XlsxError> {
    let s = styles();
    let bold = |f: &Format| f.clone().set_bold();
    let (total_text, total_number, total_percent) =
        (bold(&s.text), bold(&s.number), bold(&s.percent));
    let mut book = Workbook::new();
    let period = format!("tháng {:02}/{}", rollup.month, rollup.year);
    let total_name = format!("Toàn tỉnh {province}");
    let sheet = book.add_worksheet();
    sheet.set_name(COMMUNES_SHEET)?;
    let names = rollup
        .communes
        .iter()
        .map(|c| c.commune.name.as_str())
        .chain([total_name.as_str()]);
    header(
        sheet,
        &s,
        &format!("Sinh hoạt chi bộ các xã {period} – {province}"),
        &[
            ("Xã", width_for(16.0, names)),
            ("Số chi bộ", 8.0),
            ("Đã họp", 8.0),
            ("Chưa họp", 8.0),
            ("Quá hạn", 8.0),
            ("Tỷ lệ đã họp (%)", 9.0),
            ("Có mặt", 8.0),
            ("Phải dự", 8.0),
            ("Tỷ lệ dự họp (%)", 9.0),
            (QualityGrade::Good.label(), 7.0),
            (QualityGrade::Fair.label(), 7.0),
            (QualityGrade::Average.label(), 8.0),
            (QualityGrade::Poor.label(), 7.0),
            (NOT_GRADED, 8.0),
            ("Cán bộ phải dự", 9.0),
            ("Cán bộ đã dự (xác minh)", 10.0),
            ("Lượt chờ xem xét", 9.0),
            ("Check-in cần xem xét", 10.0),
            ("Kiến nghị đang mở", 9.0),
            ("Mở quá 30 ngày", 9.0),
        ],
    )?;
    let rows = rollup
        .communes
        .iter()
        .map(|c| (c.commune.name.as_str(), &c.figures, false))
        .chain([(total_name.as_str(), &rollup.totals, true)]);
    for (i, (name, f, total)) in rows.enumerate() {
        let row = HEADER_ROW + 1 + i as u32;
        let (text, number, percent) = if total {
            (&total_text, &total_number, &total_percent)
        } else {
            (&s.text, &s.number, &s.percent)
        };
        sheet.write_string_with_format(row, 0, name, text)?;
        let g = &f.grades;
        let counts = [
            (1, f.cells),
            (2, f.met),
            (3, f.not_met),
            (4, f.overdue),
            (6, f.present),
            (7, f.expected),
            (9, g.good),
            (10, g.fair),
            (11, g.average),
            (12, g.poor),
            (13, g.ungraded),
            (14, f.cadre_visits_required),
            (15, f.cadre_visits_done),
            (16, f.cadre_visits_needs_review),
            (17, f.check_ins_to_review),
            (18, f.open_petitions),
            (19, f.long_open_petitions),
        ];
        for (col, n) in counts {
            sheet.write_number_with_format(row, col, f64::from(n), number)?;
        }
        // The figures every screen prints (at most one decimal).
        opt_number(sheet, row, 5, f.met_percent().map(rounded_percent), percent)?;
        opt_number(
            sheet,
            row,
            8,
            f.attendance_percent.map(rounded_percent),
            percent,
        )?;
    }
    book.save_to_buffer()
}
