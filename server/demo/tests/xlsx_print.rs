//! The monthly reports as the clerks print them. The commune's: Xuân Hòa's 43 cells and 32 cadres,
//! written by the dashboard's exporter, rendered by LibreOffice Calc to PDF, and read back
//! with poppler (`pdfinfo`, `pdftotext -layout`): every page A4 landscape, every page with
//! all the columns (their first and last headers), the headers repeated on the pages
//! after the first, and every name whole on one line. The PDF and a PNG of each page are
//! kept in target/print/ for a look. The province's: 100 communes, one row each, the
//! same checks.
//!
//! Needs LibreOffice and poppler-utils, which `tests/run print` installs; ignored by a
//! plain `cargo test`.

use std::path::{Path, PathBuf};
use std::process::Command;

use chibo_demo::seed;
use chibo_domain::time::CalendarDate;
use chibo_server::figures::months::{
    CadreMonth, CellMonth, GradeCounts, MonthTotals, MonthlyReport,
};
use chibo_server::figures::province::{CommuneMonth, CommuneRollup, ProvinceRollup};
use chibo_server::storage::CommuneRow;
use chibo_server::web::dashboard::exports::{monthly_workbook, province_workbook};

fn day(text: &str) -> CalendarDate {
    CalendarDate::parse(text).unwrap()
}

/// November 2026 in Xuân Hòa, grown into a ward with 40 residential groups as well (83
/// cells, enough to need a second page): most cells met, a few did not, every cadre
/// listed.
fn report() -> MonthlyReport {
    let commune = seed::xuan_hoa(day("2026-11-30"));
    let names: Vec<(String, String)> = commune
        .cells
        .iter()
        .map(|c| (c.id.clone(), c.name.clone()))
        .chain((1..=40).map(|n| {
            (
                format!("to-dan-pho-{n}"),
                format!("Chi bộ Tổ dân phố số {n}"),
            )
        }))
        .collect();
    let cells = names
        .iter()
        .enumerate()
        .map(|(i, (id, name))| {
            let met = i % 7 != 3;
            let mut row: CellMonth = serde_json::from_value(serde_json::json!({
                "cell_id": id,
                "cell_name": name,
                "kind": null,
                "met": met,
                "overdue": !met,
                "due_on": day("2026-11-24"),
                "meeting_id": null,
                "date": null,
                "started_at": null,
                "duration_minutes": null,
                "present": 0,
                "expected": 0,
                "attendance_percent": null,
                "quality_total": null,
                "grade": null,
                "cadre_quality_total": null,
                "cadre_grade": null,
                "cadre_visited": i % 3 == 0,
                "cadre_visit_needs_review": false,
                "petitions_raised": i % 4,
                "petitions_resolved": i % 3,
                "viable": true,
                "viability_warnings": [],
                "other_meetings": 0,
            }))
            .expect("a cell's month");
            if met {
                row.date = Some(day("2026-11-24"));
                row.duration_minutes = Some(95 + i as i64);
                row.present = 10 + (i as u32 % 9);
                row.expected = 14 + (i as u32 % 9);
                row.attendance_percent =
                    Some(f64::from(row.present) * 100.0 / f64::from(row.expected));
                row.quality_total = Some(70 + (i as u32 % 25));
            }
            row
        })
        .collect();
    let cadres = commune
        .cadres
        .iter()
        .enumerate()
        .map(|(i, cadre)| CadreMonth {
            cadre_id: cadre.id.clone(),
            name: cadre.full_name.clone(),
            title: cadre.title.clone(),
            team: commune
                .teams
                .get(i % commune.teams.len().max(1))
                .map(|t| t.name.clone()),
            required: 2,
            done: (i % 3) as u32,
            needs_review: (i % 2) as u32,
            required_this_year: 22,
            done_this_year: 15 + (i % 8) as u32,
            cells_behind: (i % 2) as u32,
            behind: i % 3 != 2,
        })
        .collect();
    MonthlyReport {
        year: 2026,
        month: 11,
        cells,
        cadres,
        totals: MonthTotals::default(),
    }
}

fn output_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/print");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(command: &mut Command) -> String {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e} (tests/run print installs it)"));
    assert!(
        output.status.success(),
        "{command:?}: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The XLSX through LibreOffice Calc, as PDF.
fn render(xlsx: &Path, work: &Path) -> PathBuf {
    let profile = work.join("lo-profile");
    run(Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--norestore", "--nolockcheck"])
        .args(["--convert-to", "pdf", "--outdir"])
        .arg(work)
        .arg(xlsx));
    let pdf = xlsx.with_extension("pdf");
    let pdf = work.join(pdf.file_name().unwrap());
    assert!(pdf.is_file(), "LibreOffice made no PDF");
    pdf
}

/// Each page's size in points, from `pdfinfo`.
fn page_sizes(pdf: &Path) -> Vec<(f64, f64)> {
    let info = run(Command::new("pdfinfo").arg(pdf));
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .expect("pdfinfo names the page count")
        .trim()
        .parse()
        .unwrap();
    let info = run(Command::new("pdfinfo")
        .args(["-f", "1", "-l", &pages.to_string()])
        .arg(pdf));
    let sizes: Vec<(f64, f64)> = info
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains(" size: "))
        .map(|l| {
            let size = l.split(" size: ").nth(1).unwrap();
            let mut numbers = size.split_whitespace();
            let w: f64 = numbers.next().unwrap().parse().unwrap();
            numbers.next(); // "x"
            let h: f64 = numbers.next().unwrap().parse().unwrap();
            (w, h)
        })
        .collect();
    assert_eq!(sizes.len(), pages, "{info}");
    sizes
}

fn page_text(pdf: &Path, page: usize) -> String {
    let n = page.to_string();
    run(Command::new("pdftotext")
        .args(["-layout", "-f", &n, "-l", &n])
        .arg(pdf)
        .arg("-"))
}

#[test]
#[ignore = "needs LibreOffice and poppler-utils: tests/run print"]
fn the_monthly_report_prints_on_a4_landscape_one_page_wide_with_its_headers_on_every_page() {
    let report = report();
    let bytes = monthly_workbook("Xuân Hòa", &report).unwrap();
    let work = tempfile::tempdir().unwrap();
    let xlsx = work.path().join("bao-cao-2026-11.xlsx");
    std::fs::write(&xlsx, &bytes).unwrap();
    let pdf = render(&xlsx, work.path());

    let out = output_dir();
    std::fs::copy(&pdf, out.join("bao-cao-2026-11.pdf")).unwrap();
    run(Command::new("pdftoppm")
        .args(["-png", "-r", "60"])
        .arg(&pdf)
        .arg(out.join("bao-cao-2026-11-page")));

    let sizes = page_sizes(&pdf);
    for (i, (w, h)) in sizes.iter().enumerate() {
        // A4 is 841.89 × 595.28 points.
        assert!(
            (w - 841.9).abs() < 2.0 && (h - 595.3).abs() < 2.0,
            "page {}: {w} × {h} points, not A4 landscape",
            i + 1
        );
    }

    // Which sheet each page belongs to, by its first column's header; each page must
    // also show the sheet's last column, or it holds overflow columns only.
    let (mut cell_pages, mut cadre_pages) = (Vec::new(), Vec::new());
    for page in 1..=sizes.len() {
        let text = page_text(&pdf, page);
        // The repeated title says which report this is on every page.
        assert!(
            text.contains("tháng 11/2026 – Xuân Hòa"),
            "page {page}:\n{text}"
        );
        let header = text
            .lines()
            .find(|l| l.contains("Đã họp") || l.contains("Chức vụ"))
            .unwrap_or_else(|| panic!("page {page} has no column headers:\n{text}"));
        if header.contains("Đã họp") {
            assert!(
                text.contains("Kiến nghị đã") && text.contains("Xếp loại"),
                "page {page} lacks the cells' last columns:\n{text}"
            );
            cell_pages.push(text);
        } else {
            assert!(
                text.contains("Đạt yêu") && text.contains("Cán bộ"),
                "page {page} lacks the cadres' first or last column:\n{text}"
            );
            cadre_pages.push(text);
        }
    }
    assert!(
        cell_pages.len() >= 2,
        "83 cells fill more than one page, so the repeated headers are seen: {} page(s)",
        cell_pages.len()
    );
    assert!(!cadre_pages.is_empty());

    // Every name whole, on one line: not wrapped, not cut.
    let all_cells = cell_pages.join("\n");
    for cell in &report.cells {
        assert!(
            all_cells.lines().any(|l| l.contains(&cell.cell_name)),
            "{:?} is not on one line",
            cell.cell_name
        );
    }
    let all_cadres = cadre_pages.join("\n");
    for cadre in &report.cadres {
        for text in [&cadre.name, &cadre.title] {
            assert!(
                all_cadres.lines().any(|l| l.contains(text.as_str())),
                "{text:?} is not on one line"
            );
        }
    }
}

/// A province of 100 communes (the size after the 2025 reform), some with long names,
/// in November 2026.
fn province_rollup() -> ProvinceRollup {
    let mut names: Vec<String> = (1..=96).map(|n| format!("Xã Thượng Hà {n}")).collect();
    names.extend(
        [
            "Phường Nghĩa Lộ",
            "Xã Trạm Tấu",
            "Xã Phình Hồ",
            "Phường Âu Lâu Văn Phú Nam Cường",
        ]
        .map(String::from),
    );
    let communes: Vec<CommuneRollup> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let i = i as u32;
            let cells = 20 + i % 17;
            let met = cells - i % 4;
            let present = 300 + i * 3;
            let expected = 340 + i * 3;
            CommuneRollup {
                commune: CommuneRow {
                    id: format!("xa-{i}"),
                    name: name.clone(),
                    province_id: "Lào Cai".into(),
                    created_at: 0,
                },
                figures: CommuneMonth {
                    cells,
                    met,
                    not_met: cells - met,
                    overdue: (cells - met) / 2,
                    present,
                    expected,
                    attendance_percent: Some(f64::from(present) * 100.0 / f64::from(expected)),
                    grades: GradeCounts {
                        good: met / 2,
                        fair: met / 4,
                        average: met / 8,
                        poor: i % 2,
                        ungraded: met - met / 2 - met / 4 - met / 8 - i % 2,
                    },
                    cadre_visits_required: cells,
                    cadre_visits_done: cells - i % 5,
                    cadre_visits_needs_review: i % 3,
                    check_ins_to_review: i % 6,
                    open_petitions: 10 + i % 9,
                    long_open_petitions: i % 7,
                    trends: Vec::new(),
                },
            }
        })
        .collect();
    ProvinceRollup {
        year: 2026,
        month: 11,
        totals: CommuneMonth {
            cells: communes.iter().map(|c| c.figures.cells).sum(),
            ..CommuneMonth::default()
        },
        communes,
    }
}

#[test]
#[ignore = "needs LibreOffice and poppler-utils: tests/run print"]
fn the_provinces_report_prints_on_a4_landscape_one_page_wide_with_its_headers_on_every_page() {
    let rollup = province_rollup();
    let bytes = province_workbook("Lào Cai", &rollup).unwrap();
    let work = tempfile::tempdir().unwrap();
    let xlsx = work.path().join("bao-cao-tinh-2026-11.xlsx");
    std::fs::write(&xlsx, &bytes).unwrap();
    let pdf = render(&xlsx, work.path());

    let out = output_dir();
    std::fs::copy(&pdf, out.join("bao-cao-tinh-2026-11.pdf")).unwrap();
    run(Command::new("pdftoppm")
        .args(["-png", "-r", "60"])
        .arg(&pdf)
        .arg(out.join("bao-cao-tinh-2026-11-page")));

    let sizes = page_sizes(&pdf);
    assert!(
        sizes.len() >= 2,
        "100 communes fill more than one page, so the repeated headers are seen: {} page(s)",
        sizes.len()
    );
    let mut pages = Vec::new();
    for (i, (w, h)) in sizes.iter().enumerate() {
        let page = i + 1;
        assert!(
            (w - 841.9).abs() < 2.0 && (h - 595.3).abs() < 2.0,
            "page {page}: {w} × {h} points, not A4 landscape"
        );
        let text = page_text(&pdf, page);
        assert!(
            text.contains("tháng 11/2026 – Lào Cai"),
            "page {page} repeats the title:\n{text}"
        );
        // The first and the last columns' headers: every column is on every page.
        let header = text
            .lines()
            .find(|l| l.contains("Số chi bộ"))
            .unwrap_or_else(|| panic!("page {page} has no column headers:\n{text}"));
        assert!(
            header.contains("Xã") && text.contains("Mở quá 30"),
            "page {page} lacks the first or last column:\n{text}"
        );
        pages.push(text);
    }
    // Every commune's name whole, on one line, and the province's totals at the end.
    let all = pages.join("\n");
    for c in &rollup.communes {
        assert!(
            all.lines().any(|l| l.contains(&c.commune.name)),
            "{:?} is not on one line",
            c.commune.name
        );
    }
    assert!(all.lines().any(|l| l.contains("Toàn tỉnh Lào Cai")));
}
