use serde::{Deserialize, Serialize};

use crate::labels::{JudgedPart, Label};

/// The parts of the Guideline 42 quality score that people judge rather than the record
/// shows. The secretary and the visiting cadre each fill one; both are kept.
/// Each field's words and maximum are in [`crate::labels::JudgedPart`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct JudgedScores {
    /// Preparation: content prepared.
    pub content_prepared: u8,
    /// Preparation: discussion orientation and draft conclusion.
    pub orientation_and_draft: u8,
    /// Preparation: committee pre-meeting held and minuted.
    pub committee_premeeting: u8,
    /// Conduct: the full procedure followed.
    pub full_procedure: u8,
    /// Conduct: regular content.
    pub regular_content: u8,
    /// Conduct: the thematic part, in the month it is held.
    pub thematic_part: u8,
    /// Conduct: praise, criticism and self-criticism.
    pub praise_and_criticism: u8,
    /// Conduct: time given to ideology.
    pub ideology_time: u8,
    /// Conduct: documents posted.
    pub documents_posted: u8,
    /// Chairing.
    pub chairing: u8,
    /// Principles of Party activity.
    pub principles: u8,
    /// Closing: conclusion or resolution adopted.
    pub conclusion_adopted: u8,
    /// Closing: minutes adopted and tasks assigned.
    pub minutes_adopted_and_tasks: u8,
}

impl JudgedScores {
    /// (the part's words, awarded, maximum) for every judged part, in the guideline's
    /// order ([`JudgedPart::ALL`]).
    pub fn parts(&self) -> [(&'static str, u8, u8); 13] {
        JudgedPart::ALL.map(|part| (part.label(), self.points(part), part.max()))
    }

    /// The points given to `part`.
    pub fn points(&self, part: JudgedPart) -> u8 {
        match part {
            JudgedPart::ContentPrepared => self.content_prepared,
            JudgedPart::OrientationAndDraft => self.orientation_and_draft,
            JudgedPart::CommitteePremeeting => self.committee_premeeting,
            JudgedPart::FullProcedure => self.full_procedure,
            JudgedPart::RegularContent => self.regular_content,
            JudgedPart::ThematicPart => self.thematic_part,
            JudgedPart::PraiseAndCriticism => self.praise_and_criticism,
            JudgedPart::IdeologyTime => self.ideology_time,
            JudgedPart::DocumentsPosted => self.documents_posted,
            JudgedPart::Chairing => self.chairing,
            JudgedPart::Principles => self.principles,
            JudgedPart::ConclusionAdopted => self.conclusion_adopted,
            JudgedPart::MinutesAdoptedAndTasks => self.minutes_adopted_and_tasks,
        }
    }

    pub fn points_mut(&mut self, part: JudgedPart) -> &mut u8 {
        match part {
            JudgedPart::ContentPrepared => &mut self.content_prepared,
            JudgedPart::OrientationAndDraft => &mut self.orientation_and_draft,
            JudgedPart::CommitteePremeeting => &mut self.committee_premeeting,
            JudgedPart::FullProcedure => &mut self.full_procedure,
            JudgedPart::RegularContent => &mut self.regular_content,
            JudgedPart::ThematicPart => &mut self.thematic_part,
            JudgedPart::PraiseAndCriticism => &mut self.praise_and_criticism,
            JudgedPart::IdeologyTime => &mut self.ideology_time,
            JudgedPart::DocumentsPosted => &mut self.documents_posted,
            JudgedPart::Chairing => &mut self.chairing,
            JudgedPart::Principles => &mut self.principles,
            JudgedPart::ConclusionAdopted => &mut self.conclusion_adopted,
            JudgedPart::MinutesAdoptedAndTasks => &mut self.minutes_adopted_and_tasks,
        }
    }
}
