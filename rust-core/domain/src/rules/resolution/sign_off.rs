//! What closes the resolution: its number, the distribution list (nơi nhận) and the
//! signature on behalf of the body.

use crate::model::{Guest, Meeting, MemberRole};
use crate::rules::document::{resolution_number, SignatureBlock};
use crate::rules::{member_name, MeetingContext};

/// "Số 11-NQ/CB", or the blank the secretary fills in by hand.
pub(super) fn number(meeting: &Meeting) -> String {
    meeting
        .resolution
        .as_ref()
        .and_then(|r| resolution_number(&r.number))
        .map_or_else(|| "Số       -NQ/CB".to_string(), |n| format!("Số {n}"))
}

/// Nơi nhận: the commune committee, the upper-level delegates by name (or the committee
/// member in charge of the cell when none came), the members and the cell's file.
pub(super) fn recipients(committee: &str, delegates: &[&Guest]) -> Vec<String> {
    let mut recipients = vec![format!("{committee} (báo cáo),")];
    if delegates.is_empty() {
        recipients.push("Đồng chí cấp ủy viên phụ trách chi bộ,".into());
    }
    for guest in delegates {
        recipients.push(format!("Đồng chí {} ({}),", guest.name, guest.title));
    }
    recipients.push("Đảng viên trong chi bộ,".into());
    recipients.push("Lưu chi bộ.".into());
    recipients
}

/// Signed by the secretary on behalf of the committee or the cell; a cell without a
/// secretary is signed by whoever chaired.
pub(super) fn signature(ctx: &MeetingContext, has_committee: bool) -> SignatureBlock {
    let roster = ctx.roster;
    let secretary = roster.iter().find(|m| m.role == MemberRole::Secretary);
    let (caption, name) = match (secretary, ctx.record.meeting.chair_id.as_deref()) {
        (Some(secretary), _) => ("BÍ THƯ", secretary.full_name.clone()),
        (None, Some(chair)) => {
            let deputy = roster
                .iter()
                .any(|m| m.id == chair && m.role == MemberRole::DeputySecretary);
            (
                if deputy { "PHÓ BÍ THƯ" } else { "BÍ THƯ" },
                member_name(roster, chair),
            )
        }
        (None, None) => ("BÍ THƯ", String::new()),
    };
    SignatureBlock {
        on_behalf_of: Some(
            if has_committee {
                "T/M CHI ỦY"
            } else {
                "T/M CHI BỘ"
            }
            .into(),
        ),
        caption: caption.into(),
        hint: None,
        name,
    }
}
