//! How model values sit in columns: enums as their serde (snake_case) names, small
//! nested structs as JSON text, dates as `YYYY-MM-DD`.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::StoreError;

/// The serde name of a unit enum variant, e.g. `MemberStatus::WorkingAway` → `working_away`.
pub(crate) fn enum_text<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        other => panic!("not a unit enum: {other:?}"),
    }
}

pub(crate) fn enum_parse<T: DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|e| StoreError::Corrupt(format!("\"{text}\": {e}")))
}

pub(crate) fn json_text<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("model values serialise")
}

pub(crate) fn json_opt<T: Serialize>(value: &Option<T>) -> Option<String> {
    value.as_ref().map(json_text)
}

pub(crate) fn json_parse<T: DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{e}: {text}")))
}

pub(crate) fn json_parse_opt<T: DeserializeOwned>(
    text: Option<String>,
) -> Result<Option<T>, StoreError> {
    text.as_deref().map(json_parse).transpose()
}
