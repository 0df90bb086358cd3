//! The record a cell keeps: its roster and its meetings, from roll call to signature.
//! Field names follow the glossary in `shared/design/domain.md`.

mod guidance;
mod judged;
mod meeting;
mod names;
mod petition;
mod record;
mod roster;
mod visit;

pub use guidance::*;
pub use judged::*;
pub use meeting::*;
pub use names::{name_order_key, place_order_key};
pub use petition::*;
pub use record::*;
pub use roster::*;
pub use visit::*;

/// Entity ids are UUIDv7 strings made on the device that creates the entity.
pub type Id = String;

/// A fresh UUIDv7 id (time-ordered, so indexes stay compact).
pub fn new_id() -> Id {
    uuid::Uuid::now_v7().to_string()
}

/// Whether `text` is a well-formed UUID, as every id must be.
pub fn is_valid_id(text: &str) -> bool {
    uuid::Uuid::parse_str(text).is_ok()
}
