//! Changes to a meeting record: plan, edits of an unsigned meeting, signature,
//! correction, and the petitions raised at a meeting with their responses.

use super::{require_cell, require_record, Effect, LedgerView, RecordPart, Refusal};
use crate::change::{Change, MeetingField};
use crate::model::*;
use crate::rules;

pub(super) fn decide_record(view: &dyn LedgerView, change: &Change) -> Result<Effect, Refusal> {
    match change {
        Change::PlanMeeting { meeting } => plan(view, meeting),
        Change::UpdateMeeting { meeting, fields } => edit_fields(view, &meeting.id, |record| {
            // Only the named editable fields: status, revision and signature follow from
            // their own changes, the judged scores from SetJudgedScores, and a field
            // another device wrote later keeps that device's value.
            let mut edited = record.meeting.clone();
            for field in MeetingField::named_or_all(fields) {
                field.copy(meeting, &mut edited);
            }
            check_meeting_people(view, &edited)?;
            rules::validate_meeting_times(&edited)?;
            record.meeting = edited;
            Ok(RecordPart::Header)
        }),
        Change::SetAttendance { meeting_id, entry } => edit_fields(view, meeting_id, |record| {
            check_member(view, &entry.member_id, &record.meeting.cell_id)?;
            upsert_by(&mut record.roll_call, entry.clone(), |e| {
                e.member_id == entry.member_id
            });
            Ok(RecordPart::Attendance(entry.member_id.clone()))
        }),
        Change::SetAgenda { meeting_id, items } => edit_fields(view, meeting_id, |record| {
            record.agenda = items.clone();
            Ok(RecordPart::Agenda)
        }),
        Change::AddSpeech { meeting_id, speech } => {
            let held = |r: &MeetingRecord| r.speeches.contains(speech);
            add_child(view, meeting_id, ("speech", &speech.id), held, |record| {
                if let Speaker::Member { member_id } = &speech.speaker {
                    check_member(view, member_id, &record.meeting.cell_id)?;
                }
                upsert_by(&mut record.speeches, speech.clone(), |s| s.id == speech.id);
                Ok(RecordPart::Speech(speech.id.clone()))
            })
        }
        Change::ReviewTask { meeting_id, review } => edit_fields(view, meeting_id, |record| {
            upsert_by(&mut record.task_reviews, review.clone(), |r| {
                r.task_id == review.task_id
            });
            Ok(RecordPart::Review(review.task_id.clone()))
        }),
        Change::AddTask { meeting_id, task } => {
            let held = |r: &MeetingRecord| r.tasks.contains(task);
            add_child(view, meeting_id, ("task", &task.id), held, |record| {
                check_member(view, &task.assignee_id, &record.meeting.cell_id)?;
                upsert_by(&mut record.tasks, task.clone(), |t| t.id == task.id);
                Ok(RecordPart::Task(task.id.clone()))
            })
        }
        Change::RecordVote { meeting_id, vote } => {
            let held = |r: &MeetingRecord| r.votes.contains(vote);
            add_child(view, meeting_id, ("vote", &vote.id), held, |record| {
                upsert_by(&mut record.votes, vote.clone(), |v| v.id == vote.id);
                Ok(RecordPart::Vote(vote.id.clone()))
            })
        }
        Change::RaisePetition { petition } => raise_petition(view, petition),
        Change::SetJudgedScores { meeting_id, scores } => edit_fields(view, meeting_id, |record| {
            rules::validate_judged_scores(scores)?;
            record.meeting.secretary_judgement = Some(scores.clone());
            Ok(RecordPart::Header)
        }),
        Change::SignMeeting {
            meeting_id,
            signature,
        } => sign(view, meeting_id, signature),
        Change::StartCorrection {
            original_id,
            revision_id,
            ..
        } => start_correction(view, original_id, revision_id),
        Change::RespondToPetition { response } => respond_to_petition(view, response),
        other => unreachable!("not a change of a meeting record: {other:?}"),
    }
}

/// The domain's check that `member_id` names a member of `cell_id`.
fn check_member(view: &dyn LedgerView, member_id: &str, cell_id: &str) -> Result<(), Refusal> {
    let found = view.member(member_id)?;
    rules::check_member_in_cell(member_id, cell_id, found.as_ref())?;
    Ok(())
}

fn check_meeting_people(view: &dyn LedgerView, meeting: &Meeting) -> Result<(), Refusal> {
    for id in [&meeting.chair_id, &meeting.minute_taker_id]
        .into_iter()
        .flatten()
    {
        check_member(view, id, &meeting.cell_id)?;
    }
    Ok(())
}

fn upsert_by<T>(items: &mut Vec<T>, item: T, same: impl Fn(&T) -> bool) {
    match items.iter_mut().find(|i| same(i)) {
        Some(existing) => *existing = item,
        None => items.push(item),
    }
}

/// For [`edit`]: the (kind, id) of an insert-only child when the record holds it as is.
fn held_as<'a>(
    kind: &'static str,
    id: &'a str,
    held: impl Fn(&MeetingRecord) -> bool + 'a,
) -> impl FnOnce(&MeetingRecord) -> Option<(&'static str, Id)> + 'a {
    move |record| held(record).then(|| (kind, id.to_string()))
}

/// The shape of every edit of a meeting: refuse if frozen (unless `already_held` finds
/// the very child in the signed record: the change is already applied), let `apply`
/// change the record, validate the whole record with the rules, advance the status.
fn edit(
    view: &dyn LedgerView,
    mut record: MeetingRecord,
    already_held: impl FnOnce(&MeetingRecord) -> Option<(&'static str, Id)>,
    apply: impl FnOnce(&mut MeetingRecord) -> Result<RecordPart, Refusal>,
) -> Result<Effect, Refusal> {
    if record.meeting.is_frozen() {
        if let Some((kind, id)) = already_held(&record) {
            return Err(Refusal::AlreadyApplied { kind, id });
        }
    }
    rules::ensure_editable(&record.meeting)?;
    let part = apply(&mut record)?;
    record.sort_children();
    validate_record(view, &record)?;
    record.meeting.status = rules::status_after_edit(&record.meeting);
    Ok(Effect::Record { record, part })
}

/// An edit of editable fields (last-writer-wins: ordered by HLC before `decide`).
fn edit_fields(
    view: &dyn LedgerView,
    meeting_id: &str,
    apply: impl FnOnce(&mut MeetingRecord) -> Result<RecordPart, Refusal>,
) -> Result<Effect, Refusal> {
    edit(view, require_record(view, meeting_id)?, |_| None, apply)
}

/// An insert-only child (kind, id); `held` says whether the record has it as is.
fn add_child(
    view: &dyn LedgerView,
    meeting_id: &str,
    (kind, id): (&'static str, &str),
    held: impl Fn(&MeetingRecord) -> bool,
    apply: impl FnOnce(&mut MeetingRecord) -> Result<RecordPart, Refusal>,
) -> Result<Effect, Refusal> {
    let record = require_record(view, meeting_id)?;
    edit(view, record, held_as(kind, id, held), apply)
}

fn validate_record(view: &dyn LedgerView, record: &MeetingRecord) -> Result<(), Refusal> {
    let roster = view.roster(&record.meeting.cell_id)?;
    let previous_tasks = view.previous_tasks(&record.meeting)?;
    rules::validate_record(record, &roster, &previous_tasks)?;
    Ok(())
}

fn plan(view: &dyn LedgerView, meeting: &Meeting) -> Result<Effect, Refusal> {
    rules::valid_id(&meeting.id)?;
    if let Some(existing) = view.record(&meeting.id)? {
        // The same original meeting of the same cell: this plan, pulled back.
        let same =
            existing.meeting.cell_id == meeting.cell_id && existing.meeting.revision_of.is_none();
        let (kind, id) = ("meeting", meeting.id.clone());
        return Err(if same {
            Refusal::AlreadyApplied { kind, id }
        } else {
            Refusal::AlreadyExists { kind, id }
        });
    }
    require_cell(view, &meeting.cell_id)?;
    // A plan is always a first, planned revision with nothing decided yet; later edits
    // advance the status (`rules::status_after_edit`).
    let meeting = Meeting {
        status: MeetingStatus::Planned,
        revision: 1,
        revision_of: None,
        secretary_judgement: None,
        signature: None,
        ..meeting.clone()
    };
    check_meeting_people(view, &meeting)?;
    rules::validate_meeting_times(&meeting)?;
    let record = MeetingRecord::new(meeting);
    validate_record(view, &record)?;
    Ok(Effect::Record {
        record,
        part: RecordPart::Planned,
    })
}

fn raise_petition(view: &dyn LedgerView, petition: &Petition) -> Result<Effect, Refusal> {
    rules::valid_id(&petition.id)?;
    require_cell(view, &petition.cell_id)?;
    // An edit keeps the stored cell, meeting and status (rules::petition_after_edit).
    let petition = match view.petition(&petition.id)? {
        Some(current) => match rules::petition_after_edit(&current, petition)? {
            Some(edited) => edited,
            None => {
                return Err(Refusal::AlreadyApplied {
                    kind: "petition",
                    id: petition.id.clone(),
                })
            }
        },
        None => petition.clone(),
    };
    let Some(meeting_id) = &petition.meeting_id else {
        rules::not_blank(&petition.content, "nội dung kiến nghị")?;
        return Ok(Effect::LoosePetition(petition));
    };
    let record = require_record(view, meeting_id)?;
    if record.meeting.cell_id != petition.cell_id {
        // From this cell's point of view, that meeting does not exist.
        return Err(Refusal::not_found("meeting", meeting_id));
    }
    let held = |r: &MeetingRecord| r.petitions.contains(&petition);
    edit(
        view,
        record,
        held_as("petition", &petition.id, held),
        |record| {
            upsert_by(&mut record.petitions, petition.clone(), |p| {
                p.id == petition.id
            });
            Ok(RecordPart::Petition(petition.id.clone()))
        },
    )
}

fn sign(view: &dyn LedgerView, meeting_id: &str, signature: &Signature) -> Result<Effect, Refusal> {
    let mut record = require_record(view, meeting_id)?;
    if record.meeting.is_frozen() && record.meeting.signature.as_ref() == Some(signature) {
        return Err(Refusal::AlreadyApplied {
            kind: "meeting",
            id: meeting_id.to_string(),
        });
    }
    rules::ensure_editable(&record.meeting)?;
    record.meeting.signature = Some(signature.clone());
    validate_record(view, &record)?;
    rules::validate_for_signing(&record)?;
    record.meeting.status = MeetingStatus::Signed;
    Ok(Effect::Record {
        record,
        part: RecordPart::Signed,
    })
}

/// A new, editable revision of a signed meeting holding a copy of all its children.
fn start_correction(
    view: &dyn LedgerView,
    original_id: &str,
    revision_id: &str,
) -> Result<Effect, Refusal> {
    rules::valid_id(revision_id)?;
    let original = require_record(view, original_id)?;
    if !original.meeting.is_frozen() {
        return Err(crate::ValidationError::CorrectionOfUnsigned {
            meeting_id: original_id.to_string(),
        }
        .into());
    }
    match view.correction_of(original_id)? {
        Some(existing) if existing == revision_id => {
            return Err(Refusal::AlreadyApplied {
                kind: "meeting",
                id: existing,
            })
        }
        Some(existing) => {
            return Err(Refusal::AlreadyCorrected {
                meeting_id: original_id.to_string(),
                revision_id: existing,
            })
        }
        None => {}
    }
    if view.record(revision_id)?.is_some() {
        return Err(Refusal::AlreadyExists {
            kind: "meeting",
            id: revision_id.to_string(),
        });
    }
    let mut record = original;
    record.meeting = Meeting {
        id: revision_id.to_string(),
        status: MeetingStatus::Recorded,
        revision: record.meeting.revision + 1,
        revision_of: Some(original_id.to_string()),
        signature: None,
        ..record.meeting
    };
    for petition in &mut record.petitions {
        petition.meeting_id = Some(revision_id.to_string());
    }
    Ok(Effect::Record {
        record,
        part: RecordPart::Correction {
            original_id: original_id.to_string(),
        },
    })
}

/// Insert-only, and allowed after the meeting that raised the petition is signed: the
/// answer is the point of it. The same response again is already applied.
fn respond_to_petition(
    view: &dyn LedgerView,
    response: &PetitionResponse,
) -> Result<Effect, Refusal> {
    rules::valid_id(&response.id)?;
    if let Some(existing) = view.petition_response(&response.id)? {
        let (kind, id) = ("petition_response", response.id.clone());
        return Err(if existing == *response {
            Refusal::AlreadyApplied { kind, id }
        } else {
            Refusal::AlreadyExists { kind, id }
        });
    }
    rules::valid_id(&response.petition_id)?;
    let petition = view
        .petition(&response.petition_id)?
        .ok_or_else(|| Refusal::not_found("petition", &response.petition_id))?;
    rules::validate_petition_response(&petition, response)?;
    Ok(Effect::PetitionResponse {
        response: response.clone(),
        petition: Petition {
            status: response.status,
            ..petition
        },
    })
}
