//! Figures in the verdict's reasons, written as every screen writes them
//! ([`crate::labels`]): decimal comma, metres or kilometres, days/hours/minutes.

pub(crate) use crate::labels::{
    format_date_time as vi_time, format_distance as vi_distance,
    format_short_decimal as vi_decimal, format_span as vi_duration,
};
