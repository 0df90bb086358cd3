//! What guidance from the commune must hold before it goes down to the cells.

use super::{not_blank, valid_id};
use crate::checkin::is_sha256_hex;
use crate::error::ValidationError;
use crate::model::Guidance;

/// Whether `text` names a month ("2026-11") or a quarter ("2026-Q4").
pub fn is_guidance_period(text: &str) -> bool {
    let Some((year, rest)) = text.split_once('-') else {
        return false;
    };
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    match rest.as_bytes() {
        [b'Q', q] => (b'1'..=b'4').contains(q),
        [m1, m2] if m1.is_ascii_digit() && m2.is_ascii_digit() => {
            (1..=12).contains(&((m1 - b'0') * 10 + (m2 - b'0')))
        }
        _ => false,
    }
}

pub fn validate_guidance(guidance: &Guidance) -> Result<(), ValidationError> {
    valid_id(&guidance.id)?;
    valid_id(&guidance.commune_id)?;
    for cell_id in &guidance.cell_ids {
        valid_id(cell_id)?;
    }
    not_blank(&guidance.title, "tiêu đề định hướng")?;
    not_blank(&guidance.body, "nội dung định hướng")?;
    if !is_guidance_period(&guidance.period) {
        return Err(ValidationError::InvalidPeriod {
            text: guidance.period.clone(),
        });
    }
    for attachment in &guidance.attachments {
        not_blank(&attachment.file_name, "tên tệp đính kèm")?;
        if !is_sha256_hex(&attachment.sha256) {
            return Err(ValidationError::InvalidHash {
                field: "tệp đính kèm",
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{GuidanceAttachment, GuidanceKind};
    use crate::rules::test_support::{id, CELL_ID};

    fn guidance() -> Guidance {
        Guidance {
            id: id(80),
            commune_id: id(9000),
            kind: GuidanceKind::MonthlyGuidance,
            title: "Định hướng sinh hoạt chi bộ tháng 11/2026".into(),
            body: "Tập trung phòng chống cháy rừng; học tập Chỉ thị 50-CT/TW.".into(),
            period: "2026-11".into(),
            cell_ids: vec![CELL_ID.into()],
            attachments: vec![GuidanceAttachment {
                sha256: "ab".repeat(32),
                file_name: "chi-thi-50.pdf".into(),
                byte_size: 120_000,
            }],
            published_at: 0,
        }
    }

    #[test]
    fn months_and_quarters_are_periods_and_nothing_else() {
        for ok in ["2026-11", "2026-01", "2026-12", "2026-Q1", "2026-Q4"] {
            assert!(is_guidance_period(ok), "{ok}");
        }
        for bad in [
            "2026-13",
            "2026-00",
            "2026-Q5",
            "2026-Q0",
            "2026-q4",
            "26-11",
            "2026-1",
            "2026/11",
            "2026-11-01",
            "",
            "tháng 11",
        ] {
            assert!(!is_guidance_period(bad), "{bad}");
        }
    }

    #[test]
    fn complete_guidance_is_accepted() {
        assert_eq!(validate_guidance(&guidance()), Ok(()));
        let everyone = Guidance {
            cell_ids: vec![],
            attachments: vec![],
            period: "2026-Q4".into(),
            ..guidance()
        };
        assert_eq!(validate_guidance(&everyone), Ok(()));
    }

    #[test]
    fn blank_text_a_bad_period_or_a_bad_hash_is_refused_in_vietnamese() {
        let blank = Guidance {
            body: "\n".into(),
            ..guidance()
        };
        assert_eq!(
            validate_guidance(&blank),
            Err(ValidationError::EmptyField {
                field: "nội dung định hướng"
            })
        );
        let period = Guidance {
            period: "11/2026".into(),
            ..guidance()
        };
        let err = validate_guidance(&period).unwrap_err();
        assert!(err.to_string().contains("2026-Q4"), "{err}");
        let mut hash = guidance();
        hash.attachments[0].sha256 = "not-a-hash".into();
        assert_eq!(
            validate_guidance(&hash),
            Err(ValidationError::InvalidHash {
                field: "tệp đính kèm"
            })
        );
        let mut cell = guidance();
        cell.cell_ids.push("bản Nà Hẩu".into());
        assert!(matches!(
            validate_guidance(&cell),
            Err(ValidationError::InvalidId { .. })
        ));
    }
}
