//! The official documents (the minutes and the monthly resolution) as structured content
//! in the Party's administrative format (Guideline 36-HD/VPTW). The content is decided
//! here once; renderers (plain text below, DOCX in chibo-documents) only lay it out.

use serde::{Deserialize, Serialize};

use super::{member_name, MeetingContext};
use crate::labels::format_document_time;
use crate::model::Member;
use crate::time::{local_date, EpochMillis};

/// Which document it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// Biên bản sinh hoạt chi bộ.
    Minutes,
    /// Nghị quyết chi bộ tháng.
    Resolution,
}

/// The heading block of Guideline 36: the issuing body at the top left, the Party's name
/// and the place-and-date line at the top right.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocumentHeading {
    /// "ĐẢNG BỘ XÃ XUÂN HÒA": the committee above the cell.
    pub superior_body: String,
    /// "CHI BỘ BẢN NÀ HẨU": the issuing cell.
    pub issuing_body: String,
    /// "ĐẢNG CỘNG SẢN VIỆT NAM".
    pub party_name: String,
    /// "Xuân Hòa, ngày 24 tháng 10 năm 2026".
    pub place_and_date: String,
}

/// A table with a header row; `widths` are relative column weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocumentTable {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub widths: Vec<u32>,
}

/// One piece of the body, in reading order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// A section heading, numbering included ("I. THÀNH PHẦN").
    Heading {
        text: String,
    },
    Paragraph {
        text: String,
    },
    /// A list entry: `marker` is "-" or "1." (none for a continuation line); `level` 0
    /// is flush with the text, 1 is indented under the entry above.
    Item {
        marker: Option<String>,
        text: String,
        level: u8,
    },
    Table(DocumentTable),
}

/// A signature: "T/M CHI ỦY" over "BÍ THƯ", the hint, then the signer's name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignatureBlock {
    /// "T/M CHI ỦY" / "T/M CHI BỘ" when signing on behalf of the body.
    pub on_behalf_of: Option<String>,
    /// "BÍ THƯ", "CHỦ TRÌ", "THƯ KÝ".
    pub caption: String,
    /// "(Ký, ghi rõ họ tên)".
    pub hint: Option<String>,
    /// Empty when nobody is recorded: the line stays blank for a pen.
    pub name: String,
}

/// A document ready to lay out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OfficialDocument {
    pub kind: DocumentKind,
    pub heading: DocumentHeading,
    /// "Số 11-NQ/CB", under the issuing body.
    pub number: Option<String>,
    /// "BIÊN BẢN SINH HOẠT CHI BỘ THÁNG 10/2026", "NGHỊ QUYẾT".
    pub title: String,
    /// Lines under the title (the kind of meeting, a correction's revision).
    pub subtitles: Vec<String>,
    pub blocks: Vec<Block>,
    /// Paragraphs set apart after the body, before the signatures.
    pub closing: Vec<String>,
    /// "Nơi nhận", bottom left; empty for the minutes.
    pub recipients: Vec<String>,
    /// One (right) or two (left, right) signature blocks.
    pub signatures: Vec<SignatureBlock>,
    /// Lines after the signatures (when and by whom it was signed on the device).
    pub notes: Vec<String>,
}

/// Builds the body of a document section by section, numbering the sections I, II, ...
pub(crate) struct Body {
    pub blocks: Vec<Block>,
    sections: usize,
}

const ROMAN: [&str; 12] = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
];

impl Body {
    pub fn new() -> Self {
        Body {
            blocks: Vec::new(),
            sections: 0,
        }
    }

    pub fn section(&mut self, title: &str) {
        let number = ROMAN.get(self.sections).copied().unwrap_or("*");
        self.sections += 1;
        self.blocks.push(Block::Heading {
            text: format!("{number}. {title}"),
        });
    }

    pub fn paragraph(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Paragraph { text: text.into() });
    }

    /// "- text".
    pub fn bullet(&mut self, text: impl Into<String>) {
        self.item(Some("-".into()), text, 0);
    }

    /// "n. text".
    pub fn numbered(&mut self, n: usize, text: impl Into<String>) {
        self.item(Some(format!("{n}.")), text, 0);
    }

    /// An indented line under the item above.
    pub fn continuation(&mut self, text: impl Into<String>) {
        self.item(None, text, 1);
    }

    fn item(&mut self, marker: Option<String>, text: impl Into<String>, level: u8) {
        self.blocks.push(Block::Item {
            marker,
            text: text.into(),
            level,
        });
    }

    pub fn table(&mut self, header: &[&str], widths: &[u32], rows: Vec<Vec<String>>) {
        self.blocks.push(Block::Table(DocumentTable {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows,
            widths: widths.to_vec(),
        }));
    }
}

/// The heading of a document the cell issues about `ctx`'s meeting, dated the day it
/// was held (or planned).
pub(crate) fn heading(ctx: &MeetingContext) -> DocumentHeading {
    let date = local_date(meeting_time(ctx)).0;
    DocumentHeading {
        superior_body: party_organisation(&ctx.cell.commune_name).to_uppercase(),
        issuing_body: ctx.cell.name.to_uppercase(),
        party_name: "ĐẢNG CỘNG SẢN VIỆT NAM".into(),
        place_and_date: format!(
            "{}, {}",
            place_name(&ctx.cell.commune_name),
            date.format("ngày %d tháng %m năm %Y")
        ),
    }
}

/// When the meeting was held, or planned when it has not started.
pub(crate) fn meeting_time(ctx: &MeetingContext) -> EpochMillis {
    let meeting = &ctx.record.meeting;
    meeting.actual_start.unwrap_or(meeting.planned_start)
}

/// The place name of the date line: "Đảng bộ xã Xuân Hòa" is issued at "Xuân Hòa".
pub(crate) fn place_name(commune_name: &str) -> String {
    let mut name = commune_name.trim();
    for prefix in ["Đảng bộ ", "ĐẢNG BỘ ", "đảng bộ "] {
        name = name.strip_prefix(prefix).unwrap_or(name);
    }
    for unit in ["xã ", "phường ", "thị trấn ", "đặc khu ", "Xã ", "Phường "] {
        if let Some(rest) = name.strip_prefix(unit) {
            return rest.trim().to_string();
        }
    }
    name.to_string()
}

/// The bare number of a resolution ("11-NQ/CB"): records hold it with or without the
/// "Số" documents print before it.
pub fn resolution_number(recorded: &str) -> Option<String> {
    let text = recorded.trim();
    let text = ["Số", "số", "SỐ"]
        .iter()
        .find_map(|prefix| text.strip_prefix(prefix))
        .map_or(text, |rest| rest.trim_start_matches([' ', ':', '.']));
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// "Đảng bộ xã Xuân Hòa" for a commune recorded as that, as "xã Xuân Hòa" or as
/// "Xuân Hòa" (the product serves communes; a ward keeps its own unit word).
pub(crate) fn party_organisation(commune_name: &str) -> String {
    let name = commune_name.trim();
    let lower = name.to_lowercase();
    if lower.starts_with("đảng bộ") {
        name.to_string()
    } else if ["xã ", "phường ", "thị trấn ", "đặc khu "]
        .iter()
        .any(|unit| lower.starts_with(unit))
    {
        format!("Đảng bộ {name}")
    } else {
        format!("Đảng bộ xã {name}")
    }
}

/// "Đảng bộ xã Xuân Hòa" is run by "Đảng ủy xã Xuân Hòa".
pub(crate) fn superior_committee(commune_name: &str) -> String {
    let organisation = party_organisation(commune_name);
    let rest: String = organisation
        .chars()
        .skip("Đảng bộ".chars().count())
        .collect();
    format!("Đảng ủy{rest}")
}

/// "19 giờ 30, ngày 24/10/2026", or "(chưa ghi)".
pub(crate) fn time_text(at: Option<EpochMillis>) -> String {
    at.map_or_else(|| "(chưa ghi)".to_string(), format_document_time)
}

/// "đồng chí Lò Văn Một" for a member, or "(chưa ghi)" when nobody is recorded.
pub(crate) fn comrade(roster: &[Member], member_id: Option<&str>) -> String {
    member_id.map_or_else(
        || "(chưa ghi)".to_string(),
        |id| format!("đồng chí {}", member_name(roster, id)),
    )
}

// ---------------------------------------------------------------- plain text

const COLUMN_WIDTH: usize = 40;

/// `left` padded to `width` characters, then `right`: two columns in plain text.
fn columns(left: &str, right: &str, width: usize) -> String {
    let pad = width.saturating_sub(left.chars().count());
    format!("{left}{}{right}", " ".repeat(pad))
        .trim_end()
        .to_string()
}

fn signature_lines(signature: &SignatureBlock) -> Vec<String> {
    let mut lines = Vec::new();
    lines.extend(signature.on_behalf_of.clone());
    lines.push(signature.caption.clone());
    lines.extend(signature.hint.clone());
    lines.push(String::new());
    lines.push(signature.name.clone());
    lines
}

/// The document as plain text, two-column parts padded with spaces: for reading the
/// minutes back at the meeting and for sharing where a file cannot go.
pub fn document_text(doc: &OfficialDocument) -> String {
    let mut lines: Vec<String> = Vec::new();
    let h = &doc.heading;
    lines.push(columns(&h.superior_body, &h.party_name, COLUMN_WIDTH));
    lines.push(h.issuing_body.clone());
    lines.push(columns("*", &h.place_and_date, COLUMN_WIDTH));
    lines.extend(doc.number.clone());
    lines.push(String::new());
    lines.push(doc.title.clone());
    lines.extend(doc.subtitles.iter().cloned());

    for block in &doc.blocks {
        match block {
            Block::Heading { text } => {
                lines.push(String::new());
                lines.push(text.clone());
            }
            Block::Paragraph { text } => lines.extend(text.lines().map(str::to_string)),
            Block::Item {
                marker,
                text,
                level,
            } => {
                let indent = "   ".repeat(usize::from(*level));
                lines.push(match marker {
                    Some(marker) => format!("{indent}{marker} {text}"),
                    None => format!("{indent}{text}"),
                });
            }
            Block::Table(table) => {
                lines.push(table.header.join(" | "));
                lines.extend(table.rows.iter().map(|row| row.join(" | ")));
            }
        }
    }

    if !doc.closing.is_empty() {
        lines.push(String::new());
        lines.extend(doc.closing.iter().cloned());
    }

    // Bottom left: the distribution list, or the first of two signatures.
    let (left, right): (Vec<String>, Vec<String>) = match doc.signatures.as_slice() {
        [first, second, ..] => (signature_lines(first), signature_lines(second)),
        [only] => (recipient_lines(&doc.recipients), signature_lines(only)),
        [] => (recipient_lines(&doc.recipients), Vec::new()),
    };
    if !left.is_empty() || !right.is_empty() {
        lines.push(String::new());
        for n in 0..left.len().max(right.len()) {
            let l = left.get(n).map(String::as_str).unwrap_or("");
            let r = right.get(n).map(String::as_str).unwrap_or("");
            lines.push(columns(l, r, COLUMN_WIDTH));
        }
    }

    if !doc.notes.is_empty() {
        lines.push(String::new());
        lines.extend(doc.notes.iter().cloned());
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

fn recipient_lines(recipients: &[String]) -> Vec<String> {
    if recipients.is_empty() {
        return Vec::new();
    }
    std::iter::once("Nơi nhận:".to_string())
        .chain(recipients.iter().map(|r| format!("- {r}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_place_is_the_commune_without_its_unit() {
        assert_eq!(place_name("Đảng bộ xã Xuân Hòa"), "Xuân Hòa");
        assert_eq!(place_name("Đảng bộ phường Tân Phong"), "Tân Phong");
        assert_eq!(place_name("Mường Lay"), "Mường Lay");
        assert_eq!(
            resolution_number("Số 03-NQ/CB").as_deref(),
            Some("03-NQ/CB")
        );
        assert_eq!(resolution_number(" 11-NQ/CB ").as_deref(), Some("11-NQ/CB"));
        assert_eq!(resolution_number("Số: 5-NQ/CB").as_deref(), Some("5-NQ/CB"));
        assert_eq!(resolution_number("  "), None);
        assert_eq!(place_name("Xuân Hòa"), "Xuân Hòa");
        assert_eq!(party_organisation("Xuân Hòa"), "Đảng bộ xã Xuân Hòa");
        assert_eq!(
            party_organisation("phường Tân Phong"),
            "Đảng bộ phường Tân Phong"
        );
        assert_eq!(superior_committee("Xuân Hòa"), "Đảng ủy xã Xuân Hòa");
        assert_eq!(
            superior_committee("Đảng bộ xã Xuân Hòa"),
            "Đảng ủy xã Xuân Hòa"
        );
    }
}
