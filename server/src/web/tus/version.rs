//! The tus version this server speaks: named by the protocol checks and by every answer,
//! errors included (so neither module needs the other for it).

pub const TUS_RESUMABLE: &str = "tus-resumable";
pub const TUS_VERSION: &str = "1.0.0";
