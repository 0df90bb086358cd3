//! A petition's way from the meeting that raised it to its answer (domain.md,
//! "Petitions"): raised → forwarded → answered → resolved, or declined with a reason.
//! Responses come after the meeting is signed, so they never touch the frozen minutes:
//! they are insert-only children and the petition's status is that of the latest one.

use super::{not_blank, valid_id};
use crate::error::ValidationError;
use crate::model::{Petition, PetitionResponse, PetitionStatus};

/// Whether a petition is still open: it may yet move along its way (resolved and
/// declined are final). The office's inbox and counts, and the phone, ask this.
#[cfg_attr(feature = "uniffi", uniffi::export)]
pub fn petition_is_open(status: PetitionStatus) -> bool {
    PetitionStatus::ALL
        .into_iter()
        .any(|to| petition_may_move(status, to))
}

/// Days a petition may stay open before the province counts it as long open.
pub const PETITION_LONG_OPEN_DAYS: i64 = 30;

/// Whether a petition raised at `raised_at` and still `status` on `today` (Vietnam's
/// calendar) has been open longer than [`PETITION_LONG_OPEN_DAYS`]: counted in whole
/// days, so every screen and report that asks on the same day agrees.
pub fn petition_open_too_long(
    status: PetitionStatus,
    raised_at: crate::time::EpochMillis,
    today: crate::time::CalendarDate,
) -> bool {
    let raised_on = crate::time::local_date(raised_at).0;
    petition_is_open(status) && (today.0 - raised_on).num_days() > PETITION_LONG_OPEN_DAYS
}

/// Who raised a concern the meeting relays from the village: "Chi bộ bản Nà Hẩu" →
/// "Nhân dân bản Nà Hẩu".
#[cfg_attr(feature = "uniffi", uniffi::export)]
pub fn raised_by_the_people(cell_name: String) -> String {
    let name = cell_name.trim();
    let village = name.strip_prefix("Chi bộ ").map_or(name, str::trim_start);
    format!("Nhân dân {village}")
}

/// Whether a petition may move from `from` to `to`. Resolved and declined are final;
/// an answer that does not settle it may be forwarded again.
pub fn petition_may_move(from: PetitionStatus, to: PetitionStatus) -> bool {
    use PetitionStatus::*;
    matches!(
        (from, to),
        (Raised, Forwarded | Answered | Declined | Resolved)
            | (Forwarded, Answered | Declined)
            | (Answered, Resolved | Forwarded)
    )
}

fn check_move(from: PetitionStatus, to: PetitionStatus) -> Result<(), ValidationError> {
    if petition_may_move(from, to) {
        Ok(())
    } else {
        Err(ValidationError::PetitionTransition { from, to })
    }
}

/// A response to `petition` (as it stands now): a permitted move, with the answer or the
/// reason written out when it answers or declines, and who gave it.
pub fn validate_petition_response(
    petition: &Petition,
    response: &PetitionResponse,
) -> Result<(), ValidationError> {
    valid_id(&response.id)?;
    valid_id(&response.petition_id)?;
    check_move(petition.status, response.status)?;
    match response.status {
        PetitionStatus::Answered => not_blank(&response.text, "nội dung trả lời kiến nghị")?,
        PetitionStatus::Declined => not_blank(&response.text, "lý do không giải quyết kiến nghị")?,
        _ => {}
    }
    not_blank(&response.responder, "người trả lời kiến nghị")
}

/// An edit of a petition already recorded (its text, in a meeting not yet signed or in a
/// correction). It stays in its cell and meeting, and it never moves the status: that is
/// what responses do, so an edit keeps the status the petition has now (a meeting saved
/// again after the commune answered does not take the answer back). A petition raised
/// outside a meeting is edited only until someone has acted on it.
///
/// `Ok(None)`: nothing but the status differs, so there is nothing to write.
pub fn petition_after_edit(
    current: &Petition,
    edited: &Petition,
) -> Result<Option<Petition>, ValidationError> {
    if edited.cell_id != current.cell_id || edited.meeting_id != current.meeting_id {
        return Err(ValidationError::PetitionMoved {
            petition_id: current.id.clone(),
        });
    }
    let edited = Petition {
        status: current.status,
        ..edited.clone()
    };
    if edited == *current {
        return Ok(None);
    }
    if current.meeting_id.is_none() && current.status != PetitionStatus::Raised {
        return Err(ValidationError::PetitionAlreadyActedOn {
            petition_id: current.id.clone(),
        });
    }
    Ok(Some(edited))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PetitionCategory;
    use crate::rules::test_support::{id, CELL_ID};
    use PetitionStatus::*;

    const ALL: [PetitionStatus; 5] = PetitionStatus::ALL;

    #[test]
    fn a_petition_is_long_open_after_thirty_whole_days_while_it_is_open() {
        use crate::time::{from_local, CalendarDate};
        let raised_on = CalendarDate::parse("2026-10-01").unwrap();
        // Late in the evening, Vietnam time: the day counts, not the hour.
        let raised_at = from_local(raised_on.0.and_hms_opt(23, 30, 0).unwrap());
        let day = |d: &str| CalendarDate::parse(d).unwrap();
        assert!(!petition_open_too_long(
            Raised,
            raised_at,
            day("2026-10-31")
        ));
        assert!(petition_open_too_long(Raised, raised_at, day("2026-11-01")));
        assert!(petition_open_too_long(
            Answered,
            raised_at,
            day("2026-11-01")
        ));
        assert!(!petition_open_too_long(
            Resolved,
            raised_at,
            day("2026-12-01")
        ));
        assert!(!petition_open_too_long(
            Declined,
            raised_at,
            day("2026-12-01")
        ));
    }

    fn petition(status: PetitionStatus) -> Petition {
        Petition {
            id: id(70),
            cell_id: CELL_ID.into(),
            meeting_id: Some(id(100)),
            content: "Đường ống nước đầu bản bị vỡ".into(),
            category: PetitionCategory::Infrastructure,
            raised_by: "Nhân dân bản Nà Hẩu".into(),
            status,
            raised_at: 0,
        }
    }

    fn response(status: PetitionStatus, text: &str) -> PetitionResponse {
        PetitionResponse {
            id: id(71),
            petition_id: id(70),
            status,
            text: text.into(),
            responder: "Văn phòng Đảng ủy xã".into(),
            responded_at: 1,
        }
    }

    #[test]
    fn a_relayed_concern_is_raised_by_the_villages_people() {
        assert_eq!(
            raised_by_the_people("Chi bộ bản Nà Hẩu".into()),
            "Nhân dân bản Nà Hẩu"
        );
        assert_eq!(
            raised_by_the_people(" Chi bộ  thôn Đông ".into()),
            "Nhân dân thôn Đông"
        );
        assert_eq!(
            raised_by_the_people("Bản Pác Ngòi".into()),
            "Nhân dân Bản Pác Ngòi"
        );
    }

    #[test]
    fn resolved_and_declined_petitions_are_closed() {
        let open: Vec<PetitionStatus> = ALL.into_iter().filter(|&s| petition_is_open(s)).collect();
        assert_eq!(open, vec![Raised, Forwarded, Answered]);
    }

    #[test]
    fn the_permitted_moves_are_exactly_the_lifecycle() {
        let allowed: Vec<(PetitionStatus, PetitionStatus)> = ALL
            .iter()
            .flat_map(|&from| ALL.iter().map(move |&to| (from, to)))
            .filter(|&(from, to)| petition_may_move(from, to))
            .collect();
        assert_eq!(
            allowed,
            vec![
                (Raised, Forwarded),
                (Raised, Answered),
                (Raised, Resolved),
                (Raised, Declined),
                (Forwarded, Answered),
                (Forwarded, Declined),
                (Answered, Forwarded),
                (Answered, Resolved),
            ]
        );
    }

    #[test]
    fn resolved_and_declined_are_final_with_a_vietnamese_reason() {
        for from in [Resolved, Declined] {
            for to in ALL {
                let err = validate_petition_response(&petition(from), &response(to, "Đã xong"))
                    .unwrap_err();
                assert_eq!(err, ValidationError::PetitionTransition { from, to });
            }
        }
        let err = validate_petition_response(&petition(Resolved), &response(Raised, ""))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "Kiến nghị đang ở trạng thái \"Đã giải quyết\", không thể chuyển sang \"Chi bộ tiếp nhận\""
        );
    }

    #[test]
    fn an_answer_or_a_refusal_must_say_something() {
        let err = validate_petition_response(&petition(Forwarded), &response(Answered, "  "))
            .unwrap_err();
        assert_eq!(
            err,
            ValidationError::EmptyField {
                field: "nội dung trả lời kiến nghị"
            }
        );
        let err =
            validate_petition_response(&petition(Raised), &response(Declined, "")).unwrap_err();
        assert!(err.to_string().contains("lý do không giải quyết"), "{err}");
        // Forwarding needs no text.
        assert_eq!(
            validate_petition_response(&petition(Raised), &response(Forwarded, "")),
            Ok(())
        );
        assert_eq!(
            validate_petition_response(
                &petition(Forwarded),
                &response(Answered, "Xã sẽ sửa đường ống trong tháng 12")
            ),
            Ok(())
        );
    }

    #[test]
    fn a_response_names_who_gave_it_and_has_real_ids() {
        let mut r = response(Forwarded, "");
        r.responder = " ".into();
        assert!(matches!(
            validate_petition_response(&petition(Raised), &r),
            Err(ValidationError::EmptyField { .. })
        ));
        let mut r = response(Forwarded, "");
        r.id = "x".into();
        assert!(matches!(
            validate_petition_response(&petition(Raised), &r),
            Err(ValidationError::InvalidId { .. })
        ));
    }

    #[test]
    fn an_edit_keeps_the_status_and_never_moves_the_petition() {
        let answered = petition(Answered);
        let mut edited = answered.clone();
        edited.status = Raised;
        // Saved again as it was after the commune answered: nothing to write.
        assert_eq!(petition_after_edit(&answered, &edited), Ok(None));
        edited.content = "Đường ống nước đầu bản và cuối bản bị vỡ".into();
        let kept = petition_after_edit(&answered, &edited).unwrap().unwrap();
        assert_eq!(kept.status, Answered);
        assert_eq!(kept.content, edited.content);
        let mut moved = edited.clone();
        moved.meeting_id = None;
        assert!(matches!(
            petition_after_edit(&answered, &moved),
            Err(ValidationError::PetitionMoved { .. })
        ));
        let mut loose = petition(Forwarded);
        loose.meeting_id = None;
        let mut rewritten = loose.clone();
        rewritten.content = "Nội dung khác".into();
        assert!(matches!(
            petition_after_edit(&loose, &rewritten),
            Err(ValidationError::PetitionAlreadyActedOn { .. })
        ));
    }
}
