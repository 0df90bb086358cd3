//! Read models: what the office reads, computed from the commune's documents by
//! `chibo_domain`'s rules. The stored meeting summaries ([`summaries`]), which the write
//! path keeps current; the dashboard's months, cells and trends ([`months`]); who
//! received the office's guidance ([`guidance`]); the JSON API's reports ([`reports`]).

pub mod guidance;
pub mod months;
pub mod province;
pub mod reports;
pub mod summaries;
