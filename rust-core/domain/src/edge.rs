//! What a device sends is a claim. Every pushed entry is checked here, at the edge,
//! before any rule or any storage sees it: its clock, its times, and the size and shape
//! of every text and list in its change. A change that fails is refused alone, with the
//! reason in Vietnamese; it never reaches a log that other devices read, so one bad
//! change can never stop anyone else's sync. The phone runs the same checks on what it
//! pulls.

use serde_json::Value;

use crate::change::Change;
use crate::error::ValidationError;
use crate::hlc::{Hlc, MAX_MILLIS};
use crate::time::EpochMillis;

/// The longest text any field may hold: a long speech or a guidance's body.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// The most items any list in a change may hold (guests, agenda items, cells).
pub const MAX_LIST_ITEMS: usize = 1_000;
/// The largest one change may be, as JSON.
pub const MAX_CHANGE_BYTES: usize = 256 * 1024;
/// The longest a device may say it kept a change before sending it: a year.
pub const MAX_ELAPSED_MS: i64 = 366 * 24 * 3_600_000;

/// Checks one pushed entry's clock, claimed times and change.
pub fn check_pushed(
    hlc: &Hlc,
    created_at: EpochMillis,
    elapsed_ms: Option<i64>,
    change: &Change,
) -> Result<(), ValidationError> {
    hlc.validate()?;
    check_time(created_at, "thời điểm tạo thay đổi")?;
    if let Some(elapsed) = elapsed_ms {
        if !(0..=MAX_ELAPSED_MS).contains(&elapsed) {
            return Err(ValidationError::InvalidTime {
                field: "thời gian đã trôi qua từ lúc tạo thay đổi",
            });
        }
    }
    check_change(change)
}

/// An instant a record can store: between 1970 and the year 9999.
pub fn check_time(at: EpochMillis, field: &'static str) -> Result<(), ValidationError> {
    if (0..=MAX_MILLIS).contains(&at) {
        Ok(())
    } else {
        Err(ValidationError::InvalidTime { field })
    }
}

/// Every text and list of `change` within bounds, no control characters but line
/// breaks and tabs, every number finite and every time storable.
pub fn check_change(change: &Change) -> Result<(), ValidationError> {
    let json = serde_json::to_string(change).map_err(|_| ValidationError::InvalidNumber {
        field: "số liệu của thay đổi",
    })?;
    if json.len() > MAX_CHANGE_BYTES {
        return Err(ValidationError::ChangeTooLarge {
            given: json.len(),
            max: MAX_CHANGE_BYTES,
        });
    }
    let value: Value = serde_json::from_str(&json).map_err(|_| ValidationError::InvalidNumber {
        field: "số liệu của thay đổi",
    })?;
    let mut path = Vec::new();
    walk(&value, &mut path)
}

fn walk<'v>(value: &'v Value, path: &mut Vec<&'v str>) -> Result<(), ValidationError> {
    match value {
        Value::String(text) => {
            let chars = text.chars().count();
            if chars > MAX_TEXT_CHARS {
                return Err(ValidationError::TooLong {
                    field: path.join("."),
                    given: chars,
                    max: MAX_TEXT_CHARS,
                });
            }
            if text
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            {
                return Err(ValidationError::ControlCharacter {
                    field: path.join("."),
                });
            }
            Ok(())
        }
        Value::Array(items) => {
            if items.len() > MAX_LIST_ITEMS {
                return Err(ValidationError::TooMany {
                    field: path.join("."),
                    given: items.len(),
                    max: MAX_LIST_ITEMS,
                });
            }
            items.iter().try_for_each(|item| walk(item, path))
        }
        Value::Object(fields) => {
            for (name, field) in fields {
                path.push(name);
                let checked = walk(field, path).and_then(|()| check_named_time(name, field));
                path.pop();
                checked?;
            }
            Ok(())
        }
        Value::Number(_) | Value::Bool(_) | Value::Null => Ok(()),
    }
}

/// Fields named as instants (`…_at`, `…_start`, `…_end`, `…_time`) must be storable
/// times: a negative or far-future instant would sort, print and count wrongly.
fn check_named_time(name: &str, value: &Value) -> Result<(), ValidationError> {
    let is_instant = name.ends_with("_at")
        || name.ends_with("_start")
        || name.ends_with("_end")
        || name.ends_with("_time");
    match value.as_i64() {
        Some(at) if is_instant => check_time(at, "thời điểm ghi trong thay đổi"),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn speech(gist: &str) -> Change {
        Change::AddSpeech {
            meeting_id: new_id(),
            speech: Speech {
                id: new_id(),
                speaker: Speaker::Guest {
                    name: "Đồng chí Sơn".into(),
                },
                gist: gist.into(),
            },
        }
    }

    #[test]
    fn a_sensible_change_passes() {
        let hlc = Hlc::zero("0193b2a4-7c1e-7000-8000-00000000000a").tick(1_795_524_300_000);
        let change = speech("Đồng chí phát biểu về làm đường bê tông.\nThống nhất.");
        assert_eq!(
            check_pushed(&hlc, 1_795_524_300_000, Some(60_000), &change),
            Ok(())
        );
    }

    #[test]
    fn oversized_text_and_control_characters_are_refused_with_the_field() {
        let long = "a".repeat(MAX_TEXT_CHARS + 1);
        let err = check_change(&speech(&long)).unwrap_err();
        assert!(matches!(&err, ValidationError::TooLong { field, .. } if field == "speech.gist"));
        assert!(err.to_string().contains("speech.gist"), "{err}");
        let nul = check_change(&speech("a\u{0}b")).unwrap_err();
        assert!(matches!(nul, ValidationError::ControlCharacter { .. }));
    }

    #[test]
    fn clocks_and_instants_that_cannot_be_stored_are_refused() {
        let change = speech("Ý kiến");
        let bad = Hlc {
            millis: -1,
            counter: 0,
            node: "x".into(),
        };
        assert!(matches!(
            check_pushed(&bad, 0, None, &change),
            Err(ValidationError::InvalidClock { .. })
        ));
        let good = Hlc::zero("x").tick(1);
        assert!(check_pushed(&good, -5, None, &change).is_err());
        assert!(check_pushed(&good, 0, Some(-1), &change).is_err());
        let mut meeting = Meeting::planned(
            new_id(),
            new_id(),
            MeetingKind::Regular,
            -86_400_000,
            "Nhà văn hóa".into(),
        );
        assert!(check_change(&Change::PlanMeeting {
            meeting: meeting.clone()
        })
        .is_err());
        meeting.planned_start = 1_795_524_300_000;
        assert!(check_change(&Change::PlanMeeting { meeting }).is_ok());
    }
}
