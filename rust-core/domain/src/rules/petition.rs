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
/// correction) keeps its status or moves it along the permitted way; it never takes it
/// back, e.g. to "raised" after the commune answered.
pub fn validate_petition_edit(
    current: &Petition,
    edited: &Petition,
) -> Result<(), ValidationError> {
    if edited.status == current.status {
        Ok(())
    } else {
        check_move(current.status, edited.status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PetitionCategory;
    use crate::rules::test_support::{id, CELL_ID};
    use PetitionStatus::*;

    const ALL: [PetitionStatus; 5] = PetitionStatus::ALL;

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
    fn an_edit_keeps_the_status_or_moves_it_forward() {
        let answered = petition(Answered);
        let mut edited = answered.clone();
        edited.content = "Đường ống nước đầu bản và cuối bản bị vỡ".into();
        assert_eq!(validate_petition_edit(&answered, &edited), Ok(()));
        edited.status = Resolved;
        assert_eq!(validate_petition_edit(&answered, &edited), Ok(()));
        edited.status = Raised;
        assert_eq!(
            validate_petition_edit(&answered, &edited),
            Err(ValidationError::PetitionTransition {
                from: Answered,
                to: Raised
            })
        );
    }
}
