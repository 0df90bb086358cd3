//! The secretary's meeting flow as use cases over the store: each call builds one
//! domain [`Change`] (or a few, applied atomically) and lets the store validate and write
//! it. The façade and the CLI both go through here, so neither holds any logic.

use chibo_domain::change::{Change, MeetingField};
use chibo_domain::rules;
use chibo_domain::*;

use crate::store::{Store, StoreError};

pub type FlowResult<T> = Result<T, StoreError>;

pub fn plan_meeting(
    store: &mut Store,
    cell_id: &str,
    kind: MeetingKind,
    planned_start: EpochMillis,
    planned_place: String,
    now: EpochMillis,
) -> FlowResult<Meeting> {
    let meeting = Meeting::planned(
        new_id(),
        cell_id.to_string(),
        kind,
        planned_start,
        planned_place,
    );
    store.apply(
        Change::PlanMeeting {
            meeting: meeting.clone(),
        },
        now,
    )?;
    store.meeting(&meeting.id)
}

pub fn add_speech(
    store: &mut Store,
    meeting_id: &str,
    speaker: Speaker,
    gist: String,
    now: EpochMillis,
) -> FlowResult<Speech> {
    let speech = Speech {
        id: new_id(),
        speaker,
        gist,
    };
    store.apply(
        Change::AddSpeech {
            meeting_id: meeting_id.to_string(),
            speech: speech.clone(),
        },
        now,
    )?;
    Ok(speech)
}

pub fn add_task(
    store: &mut Store,
    meeting_id: &str,
    description: String,
    assignee_id: String,
    deadline: CalendarDate,
    now: EpochMillis,
) -> FlowResult<Task> {
    let task = Task {
        id: new_id(),
        description,
        assignee_id,
        deadline,
    };
    store.apply(
        Change::AddTask {
            meeting_id: meeting_id.to_string(),
            task: task.clone(),
        },
        now,
    )?;
    Ok(task)
}

#[allow(clippy::too_many_arguments)]
pub fn record_vote(
    store: &mut Store,
    meeting_id: &str,
    question: String,
    kind: VoteKind,
    in_favor: u32,
    against: u32,
    abstain: u32,
    now: EpochMillis,
) -> FlowResult<VoteTally> {
    let vote = VoteTally {
        id: new_id(),
        question,
        kind,
        in_favor,
        against,
        abstain,
    };
    store.apply(
        Change::RecordVote {
            meeting_id: meeting_id.to_string(),
            vote: vote.clone(),
        },
        now,
    )?;
    Ok(vote)
}

pub fn raise_petition(
    store: &mut Store,
    meeting_id: &str,
    content: String,
    category: PetitionCategory,
    raised_by: String,
    now: EpochMillis,
) -> FlowResult<Petition> {
    let meeting = store.meeting(meeting_id)?;
    // Raised at the meeting, even when the minutes are typed up days later: the monthly
    // report counts it in the meeting's month. Never in the future.
    let raised_at = meeting.started_at().min(now);
    let petition = Petition {
        id: new_id(),
        cell_id: meeting.cell_id,
        meeting_id: Some(meeting.id),
        content,
        category,
        raised_by,
        status: PetitionStatus::Raised,
        raised_at,
    };
    store.apply(
        Change::RaisePetition {
            petition: petition.clone(),
        },
        now,
    )?;
    Ok(petition)
}

/// Signs the minutes in the names of the chair and the minute-taker on record.
pub fn sign_meeting(
    store: &mut Store,
    meeting_id: &str,
    now: EpochMillis,
) -> FlowResult<MeetingRecord> {
    let record = store.meeting_record(meeting_id)?;
    rules::ensure_editable(&record.meeting)?;
    rules::validate_for_signing(&record)?;
    let name_of = |id: &Option<Id>| -> FlowResult<String> {
        match id {
            Some(id) => Ok(store.member(id)?.full_name),
            None => Ok(String::new()),
        }
    };
    let signature = Signature {
        signed_at: now,
        chair_name: name_of(&record.meeting.chair_id)?,
        minute_taker_name: name_of(&record.meeting.minute_taker_id)?,
    };
    store.apply(
        Change::SignMeeting {
            meeting_id: meeting_id.to_string(),
            signature,
        },
        now,
    )?;
    store.meeting_record(meeting_id)
}

/// Saves the editable header. Only the fields that differ from what the store holds are
/// sent, each with its own clock, so an edit made on another phone of a field this one
/// did not touch is kept. Nothing changed: nothing is written.
pub fn update_meeting(store: &mut Store, meeting: Meeting, now: EpochMillis) -> FlowResult<()> {
    let current = store.meeting(&meeting.id)?;
    let fields = MeetingField::changed_between(&current, &meeting);
    if fields.is_empty() {
        return Ok(());
    }
    store.apply(Change::UpdateMeeting { meeting, fields }, now)?;
    Ok(())
}

/// Opens a new, editable revision of a signed meeting; the signed original is kept.
pub fn start_correction(
    store: &mut Store,
    meeting_id: &str,
    now: EpochMillis,
) -> FlowResult<Meeting> {
    let revision_id = new_id();
    store.apply(
        Change::StartCorrection {
            original_id: meeting_id.to_string(),
            revision_id: revision_id.clone(),
            started_at: now,
        },
        now,
    )?;
    store.meeting(&revision_id)
}

/// Records a whole meeting at once (e.g. imported from a file), all or nothing.
/// The meeting is planned if new; its status follows from what it holds, never from input.
pub fn record_meeting(
    store: &mut Store,
    record: MeetingRecord,
    now: EpochMillis,
) -> FlowResult<Meeting> {
    let meeting_id = record.meeting.id.clone();
    let mut header = record.meeting.clone();
    header.signature = None;
    let mut changes = Vec::new();
    // Saved again: only what differs (the delegate a verified check-in added stays).
    let fields = match store.meeting(&meeting_id) {
        Ok(current) => MeetingField::changed_between(&current, &header),
        Err(_) => {
            let mut planned = header.clone();
            planned.status = MeetingStatus::Planned;
            changes.push(Change::PlanMeeting { meeting: planned });
            MeetingField::ALL.to_vec()
        }
    };
    if !fields.is_empty() {
        changes.push(Change::UpdateMeeting {
            meeting: header,
            fields,
        });
    }
    if !record.agenda.is_empty() {
        changes.push(Change::SetAgenda {
            meeting_id: meeting_id.clone(),
            items: record.agenda,
        });
    }
    let id = || meeting_id.clone();
    changes.extend(
        record
            .roll_call
            .into_iter()
            .map(|entry| Change::SetAttendance {
                meeting_id: id(),
                entry,
            }),
    );
    changes.extend(record.speeches.into_iter().map(|speech| Change::AddSpeech {
        meeting_id: id(),
        speech,
    }));
    changes.extend(
        record
            .task_reviews
            .into_iter()
            .map(|review| Change::ReviewTask {
                meeting_id: id(),
                review,
            }),
    );
    changes.extend(record.tasks.into_iter().map(|task| Change::AddTask {
        meeting_id: id(),
        task,
    }));
    changes.extend(record.votes.into_iter().map(|vote| Change::RecordVote {
        meeting_id: id(),
        vote,
    }));
    changes.extend(
        record
            .petitions
            .into_iter()
            .map(|petition| Change::RaisePetition { petition }),
    );
    if let Some(scores) = record.meeting.secretary_judgement {
        changes.push(Change::SetJudgedScores {
            meeting_id: id(),
            scores,
        });
    }
    store.apply_all(changes, now)?;
    store.meeting(&meeting_id)
}

/// The minutes (biên bản) as plain Vietnamese text.
pub fn minutes_text(store: &Store, meeting_id: &str) -> FlowResult<String> {
    store.with_meeting_context(meeting_id, |context| {
        rules::minutes_text(context, &rules::assess_meeting(context))
    })
}

/// Answers a petition or moves it along (forwarded, resolved, declined with a reason).
/// Allowed after the meeting that raised it is signed; the domain checks the move.
pub fn respond_to_petition(
    store: &mut Store,
    petition_id: &str,
    status: PetitionStatus,
    text: String,
    responder: String,
    now: EpochMillis,
) -> FlowResult<PetitionResponse> {
    let response = PetitionResponse {
        id: new_id(),
        petition_id: petition_id.to_string(),
        status,
        text,
        responder,
        responded_at: now,
    };
    store.apply(
        Change::RespondToPetition {
            response: response.clone(),
        },
        now,
    )?;
    Ok(response)
}

/// Publishes the commune's guidance or a notice to its cells (all of them when
/// `cell_ids` is empty).
#[allow(clippy::too_many_arguments)]
pub fn publish_guidance(
    store: &mut Store,
    commune_id: &str,
    kind: GuidanceKind,
    title: String,
    body: String,
    period: String,
    cell_ids: Vec<Id>,
    now: EpochMillis,
) -> FlowResult<Guidance> {
    let guidance = Guidance {
        id: new_id(),
        commune_id: commune_id.to_string(),
        kind,
        title,
        body,
        period,
        cell_ids,
        attachments: Vec::new(),
        published_at: now,
    };
    store.apply(
        Change::PublishGuidance {
            guidance: guidance.clone(),
        },
        now,
    )?;
    Ok(guidance)
}
