//! What the commune office's device does besides reading: answer petitions and send
//! guidance down. Thin like the rest of the façade: `flow` decides.

use chibo_domain::*;

use super::store::now;
use super::{ChiboError, ChiboStore};
use crate::flow;

type Result<T> = std::result::Result<T, ChiboError>;

#[uniffi::export]
impl ChiboStore {
    /// Answers a petition or moves it along; `text` is the answer, where it was
    /// forwarded, or why it was declined.
    pub fn respond_to_petition(
        &self,
        petition_id: String,
        status: PetitionStatus,
        text: String,
        responder: String,
    ) -> Result<PetitionResponse> {
        Ok(flow::respond_to_petition(
            &mut self.store(),
            &petition_id,
            status,
            text,
            responder,
            now(),
        )?)
    }

    /// Sends guidance or a notice to the commune's cells (all of them when `cell_ids` is
    /// empty).
    pub fn publish_guidance(
        &self,
        commune_id: String,
        kind: GuidanceKind,
        title: String,
        body: String,
        period: String,
        cell_ids: Vec<String>,
    ) -> Result<Guidance> {
        Ok(flow::publish_guidance(
            &mut self.store(),
            &commune_id,
            kind,
            title,
            body,
            period,
            cell_ids,
            now(),
        )?)
    }
}
