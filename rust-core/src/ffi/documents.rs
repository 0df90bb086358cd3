//! The minutes and the monthly resolution of a signed meeting as DOCX, for the phone's
//! share sheet: the same renderer the commune dashboard serves (chibo-documents).

use chibo_documents::DocumentError;
use chibo_domain::rules::{self, MeetingAssessment, MeetingContext};
use chibo_domain::MeetingStatus;

use super::{ChiboError, ChiboStore};

type Result<T> = std::result::Result<T, ChiboError>;
type Renderer =
    fn(&MeetingContext, &MeetingAssessment) -> std::result::Result<Vec<u8>, DocumentError>;

impl From<DocumentError> for ChiboError {
    fn from(error: DocumentError) -> Self {
        ChiboError::Storage(error.to_string())
    }
}

#[uniffi::export]
impl ChiboStore {
    /// The signed minutes (biên bản) as a Word file.
    pub fn minutes_docx(&self, meeting_id: String) -> Result<Vec<u8>> {
        self.signed_document(&meeting_id, chibo_documents::minutes_docx)
    }

    /// The monthly resolution (nghị quyết) of a signed meeting as a Word file.
    pub fn resolution_docx(&self, meeting_id: String) -> Result<Vec<u8>> {
        self.signed_document(&meeting_id, chibo_documents::resolution_docx)
    }
}

impl ChiboStore {
    /// Official documents are issued from the signed record only: before signing the
    /// minutes may still change.
    fn signed_document(&self, meeting_id: &str, render: Renderer) -> Result<Vec<u8>> {
        let store = self.store();
        if store.meeting(meeting_id)?.status != MeetingStatus::Signed {
            return Err(ChiboError::Validation(
                "Buổi sinh hoạt chưa ký biên bản: chỉ tạo được tệp Word của biên bản, nghị \
                 quyết sau khi chủ trì và thư ký đã ký."
                    .into(),
            ));
        }
        let bytes = store
            .with_meeting_context(meeting_id, |ctx| render(ctx, &rules::assess_meeting(ctx)))??;
        Ok(bytes)
    }
}
