//! The monthly resolution (nghị quyết) after the Guideline 42 template: attendance and
//! duration, last month's results, next month's tasks, who does what, the quality
//! self-score, the vote, the distribution list and the signature on behalf of the body.
//!
//! This file assembles the document; `sections` writes its body section by section and
//! `sign_off` the number, the distribution list and the signature.

mod sections;
mod sign_off;
#[cfg(test)]
mod tests;

use super::document::{
    heading, meeting_time, superior_committee, Body, DocumentKind, OfficialDocument,
};
use super::{MeetingAssessment, MeetingContext};
use crate::model::{Guest, Meeting, MemberRole};
use crate::time::local_year_month;

/// Whether the cell acts through an elected committee (chi ủy): allowed by the cell's
/// size (the viability rule) and one elected (committee members on the roster).
pub fn has_cell_committee(ctx: &MeetingContext, assessment: &MeetingAssessment) -> bool {
    assessment.viability.committee_allowed
        && ctx
            .roster
            .iter()
            .any(|m| m.role == MemberRole::CellCommittee)
}

pub fn resolution_document(
    ctx: &MeetingContext,
    assessment: &MeetingAssessment,
) -> OfficialDocument {
    let meeting = &ctx.record.meeting;
    let months = Months::of(ctx);
    let committee = superior_committee(&ctx.cell.commune_name);
    let delegates = upper_level_delegates(meeting);
    let has_committee = has_cell_committee(ctx, assessment);

    let mut doc = Body::new();
    sections::opening(&mut doc, ctx, assessment, months, &delegates);
    sections::last_month_results(&mut doc, ctx, assessment);
    sections::strengths(&mut doc, ctx, assessment);
    sections::shortcomings(&mut doc, ctx, assessment);
    sections::next_month_tasks(&mut doc, ctx, months);
    sections::organisation(&mut doc, ctx, months, has_committee, &committee);
    sections::quality(&mut doc, assessment);
    sections::vote_results(&mut doc, ctx, assessment);

    OfficialDocument {
        kind: DocumentKind::Resolution,
        heading: heading(ctx),
        number: Some(sign_off::number(meeting)),
        title: "NGHỊ QUYẾT".into(),
        subtitles: vec![format!(
            "Về kết quả thực hiện nhiệm vụ tháng {:02}/{} và nhiệm vụ tháng {:02}/{}",
            months.month, months.year, months.next_month, months.next_year
        )],
        blocks: doc.blocks,
        closing: vec![
            "Nghị quyết được phổ biến đến toàn thể đảng viên trong chi bộ để thực hiện.".into(),
        ],
        recipients: sign_off::recipients(&committee, &delegates),
        signatures: vec![sign_off::signature(ctx, has_committee)],
        notes: Vec::new(),
    }
}

/// The month the resolution reviews (the meeting's) and the month it plans for.
#[derive(Clone, Copy, Debug)]
struct Months {
    year: i32,
    month: u32,
    next_year: i32,
    next_month: u32,
}

impl Months {
    fn of(ctx: &MeetingContext) -> Self {
        let (year, month) = local_year_month(meeting_time(ctx));
        let (next_year, next_month) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
        Months {
            year,
            month,
            next_year,
            next_month,
        }
    }
}

/// The upper-level delegates who came to guide the meeting (dự và chỉ đạo), in the
/// order the record lists them.
fn upper_level_delegates(meeting: &Meeting) -> Vec<&Guest> {
    meeting.guests.iter().filter(|g| g.upper_level).collect()
}
