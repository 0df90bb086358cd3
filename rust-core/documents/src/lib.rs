//! The official documents as DOCX: the layout of Guideline 36-HD/VPTW (A4, Times New
//! Roman, the two-column heading, the signature blocks) applied to the content that
//! chibo-domain decides ([`OfficialDocument`]). The phones share these files and the
//! commune dashboard serves them; both call this one renderer.

mod package;

use chibo_domain::rules::{
    minutes_document, resolution_document, Block, DocumentTable, MeetingAssessment, MeetingContext,
    SignatureBlock,
};
use docx_rs::{
    AlignmentType, Docx, LineSpacing, PageMargin, Paragraph, Run, RunFonts, SpecialIndentType,
    Table, TableCell, TableLayoutType, TableRow, VAlignType, WidthType,
};

pub use chibo_domain::rules::{DocumentKind, OfficialDocument};

/// The MIME type to serve or share the files with.
pub const DOCX_MIME_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// Why a document could not be written. The message is for the user.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("Không tạo được tệp Word (DOCX): {0}")]
    Write(String),
}

// Sizes in twentieths of a point (twips) and half-points, as WordprocessingML counts.
const A4_WIDTH: u32 = 11_906;
const A4_HEIGHT: u32 = 16_838;
/// Guideline 36: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
const MARGIN_TOP: i32 = mm(20);
const MARGIN_BOTTOM: i32 = mm(20);
const MARGIN_LEFT: i32 = mm(30);
const MARGIN_RIGHT: i32 = mm(15);
const TEXT_WIDTH: usize = (A4_WIDTH as i32 - MARGIN_LEFT - MARGIN_RIGHT) as usize;
const FONT: &str = "Times New Roman";
/// 14 pt body text, 13 pt for the heading block and table cells, 15 pt for the title.
const BODY: usize = 28;
const SMALL: usize = 26;
const TITLE: usize = 30;
const NOTE: usize = 24;
const FIRST_LINE: i32 = 567; // 1 cm

const fn mm(millimetres: i32) -> i32 {
    millimetres * 1440 * 10 / 254
}

/// The minutes of the meeting as DOCX.
pub fn minutes_docx(
    ctx: &MeetingContext,
    assessment: &MeetingAssessment,
) -> Result<Vec<u8>, DocumentError> {
    to_docx(&minutes_document(ctx, assessment))
}

/// The meeting's monthly resolution as DOCX.
pub fn resolution_docx(
    ctx: &MeetingContext,
    assessment: &MeetingAssessment,
) -> Result<Vec<u8>, DocumentError> {
    to_docx(&resolution_document(ctx, assessment))
}

/// Lays a document out as a Word file.
pub fn to_docx(doc: &OfficialDocument) -> Result<Vec<u8>, DocumentError> {
    // Every script slot names the font, so Word never falls back to one without the
    // Vietnamese letters (ơ, ư, đ and the stacked tone marks).
    let fonts = RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .east_asia(FONT)
        .cs(FONT);
    let mut docx = Docx::new()
        .page_size(A4_WIDTH, A4_HEIGHT)
        .page_margin(
            PageMargin::new()
                .top(MARGIN_TOP)
                .bottom(MARGIN_BOTTOM)
                .left(MARGIN_LEFT)
                .right(MARGIN_RIGHT)
                .header(mm(10))
                .footer(mm(10)),
        )
        .default_fonts(fonts)
        .default_size(BODY)
        .default_line_spacing(LineSpacing::new().before(0).after(60).line(276));

    docx = docx.add_table(heading_table(doc));
    docx = docx.add_paragraph(empty());
    docx = docx.add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(Run::new().add_text(&doc.title).bold().size(TITLE)),
    );
    for subtitle in &doc.subtitles {
        docx = docx.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(Run::new().add_text(subtitle).bold()),
        );
    }
    docx = docx.add_paragraph(centered("-----", false));

    for block in &doc.blocks {
        match block {
            Block::Heading { text } => {
                docx = docx.add_paragraph(
                    Paragraph::new()
                        .line_spacing(LineSpacing::new().before(120).after(60))
                        .keep_next(true)
                        .add_run(Run::new().add_text(text).bold()),
                );
            }
            Block::Paragraph { text } => {
                for line in text.lines().filter(|l| !l.trim().is_empty()) {
                    docx = docx.add_paragraph(body_paragraph(line));
                }
            }
            Block::Item {
                marker,
                text,
                level,
            } => {
                let text = match marker {
                    Some(marker) => format!("{marker} {text}"),
                    None => text.clone(),
                };
                let left = i32::from(*level) * FIRST_LINE;
                docx = docx.add_paragraph(
                    Paragraph::new()
                        .align(AlignmentType::Both)
                        .indent(
                            Some(left),
                            Some(SpecialIndentType::FirstLine(FIRST_LINE)),
                            None,
                            None,
                        )
                        .add_run(Run::new().add_text(text)),
                );
            }
            Block::Table(table) => {
                docx = docx.add_table(content_table(table));
                docx = docx.add_paragraph(empty());
            }
        }
    }

    for line in &doc.closing {
        docx = docx.add_paragraph(body_paragraph(line));
    }
    docx = docx.add_paragraph(empty());
    docx = docx.add_table(signature_table(doc));
    for note in &doc.notes {
        docx = docx.add_paragraph(empty());
        docx = docx
            .add_paragraph(Paragraph::new().add_run(Run::new().add_text(note).italic().size(NOTE)));
    }

    package::pack(docx.build()).map_err(DocumentError::Write)
}

fn empty() -> Paragraph {
    Paragraph::new()
}

fn centered(text: &str, bold: bool) -> Paragraph {
    let run = Run::new().add_text(text);
    Paragraph::new()
        .align(AlignmentType::Center)
        .add_run(if bold { run.bold() } else { run })
}

/// A justified paragraph with the first line indented 1 cm.
fn body_paragraph(text: &str) -> Paragraph {
    Paragraph::new()
        .align(AlignmentType::Both)
        .indent(
            None,
            Some(SpecialIndentType::FirstLine(FIRST_LINE)),
            None,
            None,
        )
        .add_run(Run::new().add_text(text))
}

fn cell(width: usize, paragraphs: Vec<Paragraph>) -> TableCell {
    paragraphs
        .into_iter()
        .fold(TableCell::new(), TableCell::add_paragraph)
        .width(width, WidthType::Dxa)
}

/// A table the page's width wide, columns in proportion to `weights`.
fn column_widths(weights: &[u32], columns: usize) -> Vec<usize> {
    let weights: Vec<u32> = if weights.len() == columns {
        weights.to_vec()
    } else {
        vec![1; columns]
    };
    let total: u32 = weights.iter().sum::<u32>().max(1);
    weights
        .iter()
        .map(|w| TEXT_WIDTH * *w as usize / total as usize)
        .collect()
}

fn borderless(widths: Vec<usize>, cells: Vec<TableCell>) -> Table {
    Table::without_borders(vec![TableRow::new(cells)])
        .set_grid(widths)
        .layout(TableLayoutType::Fixed)
        .width(TEXT_WIDTH, WidthType::Dxa)
}

/// Guideline 36's heading: the issuing body top left (the superior committee over the
/// cell, a star, the number), the Party's name and the place and date top right.
fn heading_table(doc: &OfficialDocument) -> Table {
    let h = &doc.heading;
    let widths = column_widths(&[45, 55], 2);
    let line = |text: &str, bold: bool| {
        let run = Run::new().add_text(text).size(SMALL);
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(if bold { run.bold() } else { run })
    };
    let mut left = vec![
        line(&h.superior_body, false),
        line(&h.issuing_body, true),
        line("*", false),
    ];
    left.extend(doc.number.as_deref().map(|n| line(n, false)));
    let right = vec![
        Paragraph::new().align(AlignmentType::Center).add_run(
            Run::new()
                .add_text(&h.party_name)
                .bold()
                .size(TITLE)
                .underline("single"),
        ),
        empty(),
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(Run::new().add_text(&h.place_and_date).italic()),
    ];
    borderless(
        widths.clone(),
        vec![cell(widths[0], left), cell(widths[1], right)],
    )
}

/// A bordered table with a bold header row.
fn content_table(table: &DocumentTable) -> Table {
    let columns = table.header.len();
    let widths = column_widths(&table.widths, columns);
    let text_cell = |width: usize, text: &str, header: bool| {
        let run = Run::new().add_text(text).size(SMALL);
        let paragraph = Paragraph::new()
            .align(if header {
                AlignmentType::Center
            } else {
                AlignmentType::Left
            })
            .add_run(if header { run.bold() } else { run });
        cell(width, vec![paragraph]).vertical_align(VAlignType::Center)
    };
    let header = TableRow::new(
        table
            .header
            .iter()
            .zip(&widths)
            .map(|(text, width)| text_cell(*width, text, true))
            .collect(),
    );
    let rows = table.rows.iter().map(|row| {
        TableRow::new(
            widths
                .iter()
                .enumerate()
                .map(|(n, width)| text_cell(*width, row.get(n).map_or("", String::as_str), false))
                .collect(),
        )
    });
    Table::new(std::iter::once(header).chain(rows).collect())
        .set_grid(widths)
        .layout(TableLayoutType::Fixed)
        .width(TEXT_WIDTH, WidthType::Dxa)
}

fn signature_paragraphs(signature: &SignatureBlock) -> Vec<Paragraph> {
    let mut paragraphs = Vec::new();
    paragraphs.extend(
        signature
            .on_behalf_of
            .as_deref()
            .map(|text| centered(text, true)),
    );
    paragraphs.push(centered(&signature.caption, true));
    paragraphs.extend(signature.hint.as_deref().map(|hint| {
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(Run::new().add_text(hint).italic().size(NOTE))
    }));
    // Room for the handwritten signature.
    paragraphs.extend([empty(), empty(), empty()]);
    paragraphs.push(centered(&signature.name, true));
    paragraphs
}

fn recipient_paragraphs(recipients: &[String]) -> Vec<Paragraph> {
    if recipients.is_empty() {
        return vec![empty()];
    }
    let mut paragraphs = vec![Paragraph::new().add_run(
        Run::new()
            .add_text("Nơi nhận:")
            .bold()
            .italic()
            .size(NOTE)
            .underline("single"),
    )];
    paragraphs.extend(recipients.iter().map(|r| {
        Paragraph::new()
            .line_spacing(LineSpacing::new().before(0).after(0))
            .add_run(Run::new().add_text(format!("- {r}")).size(22))
    }));
    paragraphs
}

/// The bottom of the document: two signatures side by side (the minutes), or the
/// distribution list on the left and the signature on the right (the resolution).
fn signature_table(doc: &OfficialDocument) -> Table {
    let widths = column_widths(&[50, 50], 2);
    let (left, right) = match doc.signatures.as_slice() {
        [first, second, ..] => (signature_paragraphs(first), signature_paragraphs(second)),
        [only] => (
            recipient_paragraphs(&doc.recipients),
            signature_paragraphs(only),
        ),
        [] => (recipient_paragraphs(&doc.recipients), vec![empty()]),
    };
    borderless(
        widths.clone(),
        vec![cell(widths[0], left), cell(widths[1], right)],
    )
}
