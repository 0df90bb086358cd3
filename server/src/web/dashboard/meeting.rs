//! One meeting as its minutes read (header, attendance, agenda, speeches, votes, tasks,
//! petitions, resolution, the rules' warnings), both quality scores (the secretary's and
//! each visiting cadre's), the photos and the check-ins with their verdicts. The photos
//! themselves are served by [`super::photos`].

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use chibo_domain::checkin::{haversine_m, OfficeReview, Verdict, VerdictStatus};
use chibo_domain::labels::{
    format_date, format_date_time, format_distance, format_percent, in_sentence, month_title,
    vote_result, Label,
};
use chibo_domain::ledger::LedgerView;
use chibo_domain::model::*;
use chibo_domain::rules::{self, MeetingAssessment, QualityScore};
use chibo_domain::time::local_year_month;

use crate::docs::{CommuneDocs, OBSERVATION, PHOTO};
use crate::figures::reports::MeetingInputs;
use crate::storage::DocFilter;
use crate::AppState;

use super::layout::{commune_path, read_docs, render, urlencode, Chrome, Nav, PageError};
use super::photos::photo_path;
use super::session::CommuneScope;

pub fn routes() -> Router<AppState> {
    Router::new().route("/communes/{commune_id}/meetings/{meeting_id}", get(page))
}

// ---------------------------------------------------------------- labels

/// CSS class of a verdict badge.
pub fn verdict_class(verdict: &Verdict) -> &'static str {
    if verdict.is_rejected() {
        return "bad";
    }
    match verdict.status {
        VerdictStatus::Verified => "ok",
        VerdictStatus::Provisional => "neutral",
        VerdictStatus::NeedsReview => "warn",
    }
}

/// "Nguyễn Thị Hoa, 20:15 24/11/2026: Ảnh chụp đúng buổi họp" for a reviewed check-in.
pub fn review_text(review: &OfficeReview) -> String {
    let who = format!(
        "{}, {}",
        review.reviewer_name,
        format_date_time(review.reviewed_at)
    );
    match review.note.trim() {
        "" => who,
        note => format!("{who}: {note}"),
    }
}

/// `/communes/{c}/meetings/{m}`.
pub fn meeting_path(commune_id: &str, meeting_id: &str) -> String {
    format!(
        "{}/meetings/{}",
        commune_path(commune_id),
        urlencode(meeting_id)
    )
}

fn name_of(roster: &[Member], member_id: &str) -> String {
    roster
        .iter()
        .find(|m| m.id == member_id)
        .map(|m| m.full_name.clone())
        .unwrap_or_else(|| "(không có trong danh sách)".to_string())
}

// ---------------------------------------------------------------- the page

pub struct NamedGroup {
    pub label: &'static str,
    pub people: Vec<NamedMark>,
}

pub struct NamedMark {
    pub name: String,
    pub reason: Option<String>,
}

pub struct AgendaRow {
    pub section: &'static str,
    pub title: String,
    pub conclusion: Option<String>,
}

pub struct SpeechRow {
    pub speaker: String,
    pub gist: String,
}

pub struct VoteRow {
    pub question: String,
    pub kind: &'static str,
    pub in_favor: u32,
    pub against: u32,
    pub abstain: u32,
    pub base: u32,
    pub required: u32,
    pub passed: bool,
    pub result: &'static str,
}

pub struct TaskRow {
    pub description: String,
    pub assignee: String,
    pub deadline: String,
    pub outcome: &'static str,
    pub note: Option<String>,
}

pub struct PetitionView {
    pub content: String,
    pub category: &'static str,
    pub raised_by: String,
    pub status: &'static str,
}

pub struct ScoreView {
    /// "Bí thư chi bộ tự chấm" or the cadre's name and title.
    pub by: String,
    pub total: u32,
    pub grade: &'static str,
    pub judged_entered: bool,
    pub items: Vec<ScoreItem>,
    pub guidance_given: Option<String>,
    pub lessons: Option<String>,
}

pub struct ScoreItem {
    pub group: String,
    pub criterion: String,
    pub points: u32,
    pub max: u32,
    pub computed: bool,
}

impl ScoreView {
    fn new(by: String, score: &QualityScore) -> ScoreView {
        ScoreView {
            by,
            total: score.total,
            grade: score.grade.label(),
            judged_entered: score.judged_entered,
            items: score
                .items
                .iter()
                .map(|i| ScoreItem {
                    group: i.group.clone(),
                    criterion: i.criterion.clone(),
                    points: i.points,
                    max: i.max,
                    computed: i.computed,
                })
                .collect(),
            guidance_given: None,
            lessons: None,
        }
    }
}

pub struct PhotoView {
    pub full: String,
    pub thumb: String,
    pub caption: String,
}

pub struct CheckInView {
    pub cadre: String,
    pub time: String,
    pub verdict: &'static str,
    pub verdict_class: &'static str,
    /// Who in the office decided, when and why.
    pub review: Option<String>,
    pub reasons: Vec<String>,
    pub unchecked: Vec<String>,
    /// "21.500000, 103.900000 (±12 m)".
    pub position: Option<String>,
    /// "22 m từ Nhà văn hóa bản Nà Hẩu (trong bán kính 150 m)".
    pub distance: Option<String>,
    pub photo: Option<PhotoView>,
}

#[derive(Template)]
#[template(path = "meeting.html")]
pub struct MeetingPage {
    pub chrome: Chrome,
    pub cell_name: String,
    pub cell_href: String,
    pub month: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub signed: bool,
    pub revision: u32,
    pub revision_of_href: Option<String>,
    pub corrected_by_href: Option<String>,
    pub planned_start: String,
    /// The header was written on a phone whose clock was wrong: said, with the start
    /// corrected by the offset the server measured.
    pub clock_note: Option<String>,
    pub actual_start: Option<String>,
    pub actual_end: Option<String>,
    pub duration: Option<String>,
    pub place: String,
    pub thematic_topic: Option<String>,
    pub chair: Option<String>,
    pub minute_taker: Option<String>,
    pub guests: Vec<String>,
    pub party_fee_note: Option<String>,
    pub attendance_line: String,
    pub attendance_rate: String,
    pub attendance_groups: Vec<NamedGroup>,
    pub agenda: Vec<AgendaRow>,
    pub speeches: Vec<SpeechRow>,
    pub speaking_share: Option<String>,
    pub votes: Vec<VoteRow>,
    pub tasks: Vec<TaskRow>,
    pub previous_tasks: Vec<TaskRow>,
    pub task_results: Option<String>,
    pub petitions: Vec<PetitionView>,
    pub conclusion: Option<String>,
    pub resolution_number: Option<String>,
    pub resolution_text: Option<String>,
    pub signature: Option<String>,
    pub warnings: Vec<String>,
    pub secretary_score: ScoreView,
    pub cadre_scores: Vec<ScoreView>,
    pub good_meeting: bool,
    pub photos: Vec<PhotoView>,
    pub check_ins: Vec<CheckInView>,
    pub minutes_docx: String,
    pub resolution_docx: String,
}

async fn page(
    scope: CommuneScope,
    Path((_, meeting_id)): Path<(String, String)>,
    State(state): State<AppState>,
) -> Result<Response, PageError> {
    let CommuneScope { user, commune } = scope;
    let page = read_docs(&state, &commune.id, move |docs| build(docs, &meeting_id)).await?;
    let Some(mut page) = page else {
        return Err(PageError::NotFound);
    };
    page.chrome = Chrome::new(user, Some(commune), Nav::None, page.chrome.title);
    Ok(render(&page)?.into_response())
}

/// The page of one meeting; `None` when the commune has no such record. The chrome's user
/// is filled in by the caller.
fn build(
    docs: &CommuneDocs,
    meeting_id: &str,
) -> crate::storage::StorageResult<Option<MeetingPage>> {
    let Some(inputs) = MeetingInputs::of_meeting(docs, meeting_id)? else {
        return Ok(None);
    };
    let ctx = inputs.ctx();
    let a: MeetingAssessment = rules::assess_meeting(&ctx);
    let record = &inputs.record;
    let m = &record.meeting;
    let roster = &inputs.roster;
    let cell = &inputs.cell;
    let commune_id = docs.commune_id().to_string();
    let (year, month) = local_year_month(m.actual_start.unwrap_or(m.planned_start));

    // The roll call by category, in roster order, with the reasons given.
    let mut groups: Vec<NamedGroup> = Attendance::ALL
        .into_iter()
        .map(|mark| NamedGroup {
            label: mark.label(),
            people: roster
                .iter()
                .filter_map(|member| {
                    let entry = record.roll_call.iter().find(|e| e.member_id == member.id)?;
                    (entry.attendance == mark).then(|| NamedMark {
                        name: member.full_name.clone(),
                        reason: entry.reason.clone().or_else(|| {
                            matches!(mark, Attendance::Exempt | Attendance::AttachedElsewhere)
                                .then(|| member.status_reason.clone())
                                .flatten()
                        }),
                    })
                })
                .collect(),
        })
        .collect();
    let unmarked: Vec<NamedMark> = roster
        .iter()
        .filter(|member| !record.roll_call.iter().any(|e| e.member_id == member.id))
        .map(|member| NamedMark {
            name: member.full_name.clone(),
            reason: None,
        })
        .collect();
    groups.push(NamedGroup {
        label: "Chưa điểm danh",
        people: unmarked,
    });
    groups.retain(|g| !g.people.is_empty());

    let speaker = |s: &Speaker| match s {
        Speaker::Member { member_id } => name_of(roster, member_id),
        Speaker::Guest { name } => format!("{name} (khách mời)"),
    };
    let task_row = |t: &Task, review: Option<&TaskReview>| TaskRow {
        description: t.description.clone(),
        assignee: name_of(roster, &t.assignee_id),
        deadline: t.deadline.to_vietnamese(),
        outcome: review.map(|r| r.outcome).label(),
        note: review.and_then(|r| r.note.clone()),
    };
    let review_of = |task_id: &str| record.review_of(task_id);

    let mut secretary_score = ScoreView::new("Bí thư chi bộ tự chấm".to_string(), &a.quality);
    if !a.quality.judged_entered {
        secretary_score
            .by
            .push_str(" (chưa chấm các tiêu chí đánh giá)");
    }
    let cadres = docs.cadres()?;
    let observations: Vec<Observation> = docs.list(
        OBSERVATION,
        &DocFilter {
            ref_id: Some(m.id.clone()),
            ..DocFilter::default()
        },
    )?;
    let mut cadre_scores: Vec<ScoreView> = observations
        .iter()
        .map(|o| {
            let score = rules::quality_score(&ctx, Some(&o.judged));
            let by = match cadres.iter().find(|c| c.id == o.cadre_id) {
                Some(c) => format!("Đồng chí {} – {}", c.full_name, c.title),
                None => "Cấp ủy viên dự họp".to_string(),
            };
            let mut view = ScoreView::new(
                format!("{by}, chấm ngày {}", format_date(o.recorded_at)),
                &score,
            );
            view.guidance_given = Some(o.guidance_given.clone()).filter(|t| !t.trim().is_empty());
            view.lessons = Some(o.lessons_exchanged.clone()).filter(|t| !t.trim().is_empty());
            view
        })
        .collect();
    cadre_scores.sort_by(|x, y| x.by.cmp(&y.by));

    // Meeting photos, one per hash.
    let mut photos: Vec<PhotoView> = Vec::new();
    let attachments: Vec<PhotoAttachment> = docs.list(
        PHOTO,
        &DocFilter {
            cell_id: Some(cell.id.clone()),
            ..DocFilter::default()
        },
    )?;
    let mut attachments: Vec<&PhotoAttachment> = attachments
        .iter()
        .filter(|p| p.meeting_id.as_deref() == Some(m.id.as_str()) && p.check_in_id.is_none())
        .collect();
    attachments.sort_by_key(|p| (p.attached_at, p.sha256.clone()));
    for p in attachments {
        if photos
            .iter()
            .any(|v| v.full == photo_path(&commune_id, &p.sha256))
        {
            continue;
        }
        photos.push(photo_view(
            &commune_id,
            &p.sha256,
            format!(
                "Ảnh buổi họp, {}×{}, chụp lúc {}",
                p.width,
                p.height,
                format_date_time(p.attached_at)
            ),
        ));
    }

    let place = cell.meeting_place.as_ref();
    let mut check_ins = docs.check_ins_of_meeting(&m.id)?;
    check_ins.sort_by_key(|s| (s.verdict.effective_time, s.check_in.id.clone()));
    let check_ins = check_ins
        .into_iter()
        .map(|s| {
            let c = &s.check_in;
            let cadre = cadres
                .iter()
                .find(|x| x.id == c.cadre_id)
                .map(|x| x.full_name.clone())
                .unwrap_or_else(|| "(cán bộ không rõ)".to_string());
            let position = c.gps.as_ref().map(|g| {
                format!(
                    "{:.6}, {:.6} (sai số ±{} m)",
                    g.latitude,
                    g.longitude,
                    g.accuracy_m.round()
                )
            });
            let distance = match (c.gps.as_ref(), place) {
                (Some(g), Some(p)) => {
                    let d = haversine_m(g.latitude, g.longitude, p.latitude, p.longitude);
                    let inside = if d <= p.radius_m { "trong" } else { "ngoài" };
                    Some(format!(
                        "{} từ {} ({inside} bán kính {})",
                        format_distance(d),
                        p.label,
                        format_distance(p.radius_m)
                    ))
                }
                (Some(_), None) => Some("Chi bộ chưa khai báo địa điểm họp".to_string()),
                (None, _) => None,
            };
            CheckInView {
                time: format_date_time(s.verdict.effective_time),
                verdict: s.verdict.label(),
                verdict_class: verdict_class(&s.verdict),
                review: s.verdict.review.as_ref().map(review_text),
                reasons: s
                    .verdict
                    .reasons
                    .iter()
                    .map(|r| r.message.clone())
                    .collect(),
                unchecked: s
                    .verdict
                    .unchecked
                    .iter()
                    .map(|r| r.message.clone())
                    .collect(),
                position,
                distance,
                photo: c.photo_sha256.as_ref().map(|sha| {
                    photo_view(
                        &commune_id,
                        sha,
                        format!("Ảnh điểm danh của đồng chí {cadre}"),
                    )
                }),
                cadre,
            }
        })
        .collect();

    let corrected_by = docs
        .correction_of(&m.id)
        .map_err(|e| crate::storage::StorageError::Unavailable(e.0))?;
    let minutes_docx = format!("{}/minutes.docx", meeting_path(&commune_id, &m.id));
    let resolution_docx = format!("{}/resolution.docx", meeting_path(&commune_id, &m.id));

    let page = MeetingPage {
        chrome: Chrome {
            user: placeholder_user(),
            commune: None,
            active: Nav::None,
            title: format!("{} – {}", cell.name, format_date(m.started_at())),
        },
        cell_name: cell.name.clone(),
        cell_href: format!(
            "{}/cells/{}",
            commune_path(&commune_id),
            urlencode(&cell.id)
        ),
        month: month_title(year, month),
        kind: m.kind.label(),
        status: m.status.label(),
        signed: m.status == MeetingStatus::Signed,
        revision: m.revision,
        revision_of_href: m
            .revision_of
            .as_ref()
            .map(|id| meeting_path(&commune_id, id)),
        corrected_by_href: corrected_by.map(|id| meeting_path(&commune_id, &id)),
        planned_start: format_date_time(m.planned_start),
        clock_note: docs.clock_note(&m.id)?.map(|note| {
            format!(
                "Buổi sinh hoạt được ghi trên máy có đồng hồ {}: các giờ trên biên bản là giờ \
                 của máy. Giờ bắt đầu đã hiệu chỉnh theo máy chủ: {}.",
                chibo_domain::sync::clock_offset_words(note.offset_ms),
                format_date_time(m.started_at().saturating_add(note.offset_ms))
            )
        }),
        actual_start: m.actual_start.map(format_date_time),
        actual_end: m.actual_end.map(format_date_time),
        duration: a
            .duration_minutes
            .map(|d| format!("{d} phút (quy định tối thiểu {} phút)", a.required_minutes)),
        place: m.planned_place.clone(),
        thematic_topic: m.thematic_topic.clone(),
        chair: m.chair_id.as_ref().map(|id| name_of(roster, id)),
        minute_taker: m.minute_taker_id.as_ref().map(|id| name_of(roster, id)),
        guests: m
            .guests
            .iter()
            .map(|g| {
                let upper = if g.upper_level {
                    ", cấp ủy cấp trên"
                } else {
                    ""
                };
                format!("{} – {}{upper}", g.name, g.title)
            })
            .collect(),
        party_fee_note: m.party_fee_note.clone(),
        attendance_line: format!(
            "Tổng số đảng viên {} ({} {}, {} {}); phải dự {}; {} {} ({} {}); {} {}; {} {}; \
             {} {}; {} {}",
            a.attendance.total_members,
            a.attendance.full_members,
            in_sentence(MembershipKind::Full.label()),
            a.attendance.probationary_members,
            in_sentence(MembershipKind::Probationary.label()),
            a.attendance.expected,
            in_sentence(Attendance::Present.label()),
            a.attendance.present,
            in_sentence(Attendance::Late.label()),
            a.attendance.late,
            in_sentence(Attendance::AbsentExcused.label()),
            a.attendance.absent_excused,
            in_sentence(Attendance::AbsentUnexcused.label()),
            a.attendance.absent_unexcused,
            in_sentence(MemberStatus::Exempt.label()),
            a.attendance.exempt,
            in_sentence(MemberStatus::AttachedElsewhere.label()),
            a.attendance.attached_elsewhere,
        ),
        attendance_rate: match a.attendance.rate_percent {
            Some(rate) => format!(
                "{} ({}/{})",
                format_percent(rate),
                a.attendance.present,
                a.attendance.expected
            ),
            None => "Không có đảng viên phải dự".to_string(),
        },
        attendance_groups: groups,
        agenda: record
            .agenda
            .iter()
            .map(|i| AgendaRow {
                section: i.section.label(),
                title: i.title.clone(),
                conclusion: i.conclusion.clone(),
            })
            .collect(),
        speeches: record
            .speeches
            .iter()
            .map(|s| SpeechRow {
                speaker: speaker(&s.speaker),
                gist: s.gist.clone(),
            })
            .collect(),
        speaking_share: a.speaking_share_percent.map(format_percent),
        votes: record
            .votes
            .iter()
            .zip(&a.votes)
            .map(|(v, o)| VoteRow {
                question: v.question.clone(),
                kind: v.kind.label(),
                in_favor: v.in_favor,
                against: v.against,
                abstain: v.abstain,
                base: o.base,
                required: o.required,
                passed: o.passed,
                result: vote_result(o.passed),
            })
            .collect(),
        tasks: record.tasks.iter().map(|t| task_row(t, None)).collect(),
        previous_tasks: inputs
            .previous_tasks
            .iter()
            .map(|t| task_row(t, review_of(&t.id)))
            .collect(),
        task_results: a.task_results.as_ref().map(|t| {
            format!(
                "{} nhiệm vụ: hoàn thành {}, một phần {}, chưa hoàn thành {}, chưa đánh giá {} \
                 – đạt {}",
                t.total,
                t.done,
                t.partly_done,
                t.not_done,
                t.unreviewed,
                format_percent(t.done_share_percent)
            )
        }),
        petitions: record
            .petitions
            .iter()
            .map(|p| PetitionView {
                content: p.content.clone(),
                category: p.category.label(),
                raised_by: p.raised_by.clone(),
                status: p.status.label(),
            })
            .collect(),
        conclusion: m.conclusion.clone(),
        resolution_number: m.resolution.as_ref().map(|r| r.number.clone()),
        resolution_text: m.resolution.as_ref().map(|r| r.text.clone()),
        signature: m.signature.as_ref().map(|s| {
            format!(
                "Ký lúc {}: chủ trì {}, thư ký {}",
                format_date_time(s.signed_at),
                s.chair_name,
                s.minute_taker_name
            )
        }),
        warnings: a.warnings.iter().map(|w| w.message.clone()).collect(),
        secretary_score,
        cadre_scores,
        good_meeting: a.good_meeting.passed,
        photos,
        check_ins,
        minutes_docx,
        resolution_docx,
    };
    Ok(Some(page))
}

fn photo_view(commune_id: &str, sha256: &str, caption: String) -> PhotoView {
    let full = photo_path(commune_id, sha256);
    PhotoView {
        thumb: format!("{full}/thumb"),
        full,
        caption,
    }
}

/// Replaced by the signed-in user before rendering.
fn placeholder_user() -> crate::accounts::sessions::DashboardUser {
    crate::accounts::sessions::DashboardUser {
        id: String::new(),
        username: String::new(),
        display_name: String::new(),
        role: crate::accounts::users::DashboardRole::CommuneViewer,
        commune_id: None,
        province_id: None,
        csrf_token: String::new(),
        client_ip: String::new(),
    }
}
