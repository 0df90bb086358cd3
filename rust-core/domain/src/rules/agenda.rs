//! The agenda a meeting starts from: the procedure of Guideline 42, which the meeting
//! flow follows and the secretary may edit.

use crate::model::{AgendaItem, AgendaSection, MeetingKind};

const OPENING: &[&str] = &[
    "Tuyên bố lý do, giới thiệu đại biểu",
    "Cử thư ký ghi biên bản",
    "Điểm danh, báo cáo số lượng đảng viên dự họp",
    "Báo cáo tình hình thu, nộp đảng phí",
    "Thông qua chương trình sinh hoạt",
];

/// The monthly part of the body, held when the session includes the regular meeting.
const REGULAR_BODY: &[&str] = &[
    "Thông tin thời sự, văn bản chỉ đạo của cấp trên",
    "Tình hình tư tưởng, ý kiến của đảng viên và nhân dân",
    "Đánh giá kết quả thực hiện nghị quyết tháng trước",
];

const DISCUSSION: &str = "Thảo luận, tự phê bình và phê bình";
const PRAISE: &str = "Biểu dương, nhắc nhở đảng viên";
const DELEGATE: &str = "Đại biểu cấp ủy cấp trên phát biểu";
/// After the regular part: the two parts of a combined session run one after the other.
const THEMATIC: &str = "Sinh hoạt chuyên đề";

const CLOSING: &[&str] = &[
    "Chủ trì tổng hợp, kết luận",
    "Phân công nhiệm vụ, người thực hiện và thời hạn",
    "Trả lời, tiếp nhận kiến nghị",
    "Biểu quyết thông qua nghị quyết",
    "Tự chấm điểm chất lượng sinh hoạt",
    "Thư ký đọc lại biên bản, thông qua biên bản",
];

pub fn standard_agenda(kind: MeetingKind) -> Vec<AgendaItem> {
    let mut body: Vec<&str> = Vec::new();
    if kind.is_regular() {
        body.extend(REGULAR_BODY);
        body.extend([DISCUSSION, PRAISE]);
    } else {
        body.push(DISCUSSION);
    }
    body.push(DELEGATE);
    if kind.has_thematic_part() {
        body.push(THEMATIC);
    }

    let item = |section| {
        move |title: &str| AgendaItem {
            section,
            title: title.to_string(),
            conclusion: None,
        }
    };
    OPENING
        .iter()
        .copied()
        .map(item(AgendaSection::Opening))
        .chain(body.into_iter().map(item(AgendaSection::Body)))
        .chain(CLOSING.iter().copied().map(item(AgendaSection::Closing)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(kind: MeetingKind) -> Vec<String> {
        standard_agenda(kind).into_iter().map(|i| i.title).collect()
    }

    #[test]
    fn a_regular_meeting_follows_the_guideline_procedure() {
        let agenda = standard_agenda(MeetingKind::Regular);
        assert_eq!(agenda.len(), 5 + 6 + 6);
        assert_eq!(agenda[0].title, "Tuyên bố lý do, giới thiệu đại biểu");
        assert_eq!(
            agenda[2].title,
            "Điểm danh, báo cáo số lượng đảng viên dự họp"
        );
        assert_eq!(
            agenda.last().unwrap().title,
            "Thư ký đọc lại biên bản, thông qua biên bản"
        );
        assert!(agenda.iter().all(|i| i.conclusion.is_none()));
        let sections: Vec<AgendaSection> = agenda.iter().map(|i| i.section).collect();
        assert!(sections
            .windows(2)
            .all(|w| section_rank(w[0]) <= section_rank(w[1])));
        assert!(!titles(MeetingKind::Regular).contains(&THEMATIC.to_string()));
    }

    fn section_rank(section: AgendaSection) -> u8 {
        match section {
            AgendaSection::Opening => 0,
            AgendaSection::Body => 1,
            AgendaSection::Closing => 2,
        }
    }

    #[test]
    fn a_combined_session_adds_the_thematic_part_after_the_regular_one() {
        let titles = titles(MeetingKind::RegularWithThematic);
        let thematic = titles.iter().position(|t| t == THEMATIC).unwrap();
        let evaluation = titles
            .iter()
            .position(|t| t == "Đánh giá kết quả thực hiện nghị quyết tháng trước")
            .unwrap();
        assert!(evaluation < thematic);
        assert_eq!(titles[thematic + 1], "Chủ trì tổng hợp, kết luận");
    }

    #[test]
    fn a_thematic_meeting_skips_the_monthly_review() {
        let titles = titles(MeetingKind::Thematic);
        assert!(titles.contains(&THEMATIC.to_string()));
        assert!(!titles.contains(&"Đánh giá kết quả thực hiện nghị quyết tháng trước".to_string()));
        assert!(titles.contains(&DELEGATE.to_string()));
    }

    #[test]
    fn a_model_meeting_is_a_regular_one() {
        assert_eq!(titles(MeetingKind::Model), titles(MeetingKind::Regular));
    }
}
