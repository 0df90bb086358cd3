//! The verdict on a check-in: one rule, run on the cadre's phone (provisional) and on the
//! server (final).
//!
//! A check-in is [`VerdictStatus::Verified`] only when every check ran and passed:
//! signature by an enrolled key, cadre assigned to the cell, the check-in names this
//! meeting, a valid presence code for that meeting and time, device time consistent with
//! the server's and with the time the device's boot clock says really passed, time within
//! the meeting window, a fresh, unmocked GPS fix within the meeting place's radius (never
//! wider than [`MAX_MEETING_RADIUS_M`]) allowing for its accuracy, reachable at a
//! plausible speed from the cadre's other check-ins, and a photo the server received
//! that no other check-in or meeting uses.
//!
//! Every failed check adds a [`VerdictReason`] in Vietnamese with its figures and makes the
//! verdict [`VerdictStatus::NeedsReview`]; nothing is silently accepted or dropped. A check
//! this device cannot run (the cadre's phone has no presence secret and no server receipt)
//! goes into `unchecked`, and with no failure the verdict is
//! [`VerdictStatus::Provisional`]: the server decides.
//!
//! # Time
//! The check-in's time is the device wall time corrected by the offset it last learnt
//! from the server (`server_offset_ms`). On the server, the push that carried the check-in
//! also tells the device's clock at sending ([`ServerReceipt`]), so the server knows the
//! device's offset *now*. When the two offsets disagree by more than
//! [`CheckInSettings::clock_tolerance_ms`] (or the device had no offset and its clock is
//! that far off) the clock was wrong or changed: the verdict says by how much. The code
//! and the meeting window are then judged at whichever of the two corrections fits (the
//! recorded one first), so a wrong clock yields one clear reason rather than three.
//!
//! Both offsets come from the device, so a cadre who sets the clock back to the meeting,
//! checks in and restores the clock before syncing shows none. The device's boot clock
//! does: its push says how long ago (by the clock since boot, which nobody sets) the
//! check-in was made, so the server knows when it really happened ([`Evidence::true_time`])
//! and judges the code and the window at that time.
//!
//! A wrong or expired code gets one message, whatever step it belongs to: the verdict
//! goes back to the cadre, and must not tell them which code would have fitted.

use serde::{Deserialize, Serialize};

use super::format::{vi_decimal, vi_distance, vi_duration, vi_time};
use super::presence::presence_code_matches;
use super::signature::verify_check_in_signature;
use super::CheckIn;
use crate::model::{Id, Meeting, MeetingKind, MeetingPlace};
use crate::rules::MAX_MEETING_RADIUS_M;
use crate::time::EpochMillis;

/// How far the check-in's recorded time may be from the time its device's boot clock
/// says it was made before it is a reason.
pub const TRUE_TIME_TOLERANCE_MS: i64 = 10 * 60_000;
/// The fastest a cadre can plausibly travel between two check-ins: 80 km/h, generous
/// for mountain roads.
pub const MAX_TRAVEL_SPEED_KMH: f64 = 80.0;
/// Check-ins of one cadre within this span of each other are compared for travel.
pub const TRAVEL_WINDOW_MS: i64 = 24 * 3_600_000;
/// How many check-ins one cadre may send for one meeting: a few tries for a mistyped
/// code, no more, so the code cannot be guessed.
pub const MAX_CHECK_INS_PER_MEETING: usize = 3;

/// Thresholds a commune may change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CheckInSettings {
    /// How early before the (planned or actual, whichever is earlier) start a check-in
    /// counts: 30 minutes.
    pub early_ms: i64,
    /// How late after the end a check-in counts: 30 minutes.
    pub late_ms: i64,
    /// The meeting's length when its end is not recorded yet: 3 hours.
    pub assumed_duration_ms: i64,
    /// Code steps accepted either side of the check-in's step: 1 (5 minutes).
    pub code_tolerance_steps: u32,
    /// How far the device clock may disagree with the server before it is a reason:
    /// 1 hour.
    pub clock_tolerance_ms: i64,
    /// The largest accuracy radius a fix may claim: 500 m. A worse fix is a reason, and
    /// only this much of its accuracy is allowed for in the distance.
    pub max_gps_accuracy_m: f64,
    /// How far the fix time may be from the check-in time: 30 minutes.
    pub max_fix_age_ms: i64,
}

impl Default for CheckInSettings {
    fn default() -> Self {
        CheckInSettings {
            early_ms: 30 * 60_000,
            late_ms: 30 * 60_000,
            assumed_duration_ms: 3 * 3_600_000,
            code_tolerance_steps: 1,
            clock_tolerance_ms: 3_600_000,
            max_gps_accuracy_m: 500.0,
            max_fix_age_ms: 30 * 60_000,
        }
    }
}

/// What the server knew when the check-in arrived. The sync push carries the device's
/// wall clock at sending; the server stamps its own receive time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ServerReceipt {
    pub received_at: EpochMillis,
    pub device_clock_at_send: EpochMillis,
}

impl ServerReceipt {
    /// Server time minus device time when the push was sent.
    pub fn offset_ms(&self) -> i64 {
        self.received_at.saturating_sub(self.device_clock_at_send)
    }

    /// When a change the device made `elapsed_ms` before sending (by its boot clock)
    /// really happened, in server time.
    pub fn true_time(&self, elapsed_ms: Option<i64>) -> Option<EpochMillis> {
        elapsed_ms.map(|elapsed| self.received_at.saturating_sub(elapsed))
    }

    /// How far off (server minus device) the device's clock was when it stamped a change
    /// `created_at`: from its boot clock when it said how long ago that was, otherwise
    /// from its clock when it sent the push.
    pub fn clock_error_at(&self, created_at: EpochMillis, elapsed_ms: Option<i64>) -> i64 {
        match self.true_time(elapsed_ms) {
            Some(true_time) => true_time.saturating_sub(created_at),
            None => self.offset_ms(),
        }
    }
}

/// A photo hash already used by a check-in, a meeting's record or a guidance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PhotoUse {
    /// The check-in, meeting or guidance that uses it.
    pub used_by: Id,
    pub photo_sha256: String,
}

/// Another check-in of the same cadre with a location fix, for the travel check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TravelPoint {
    pub check_in_id: Id,
    /// Its judged (effective) time.
    pub at: EpochMillis,
    pub latitude: f64,
    pub longitude: f64,
    pub accuracy_m: f64,
}

/// What only some devices know about a check-in beyond the record itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct Evidence<'a> {
    /// Whether the server holds the photo's bytes (verified against its hash). `None`
    /// on a phone, which holds its own photo.
    pub photo_received: Option<bool>,
    /// When the check-in really happened: the server's receipt minus how long ago the
    /// device's boot clock says it was made. `None` when the device did not say (an
    /// older app, or it restarted since).
    pub true_time: Option<EpochMillis>,
    /// The cadre's other check-ins with a fix, near in time.
    pub other_fixes: &'a [TravelPoint],
}

/// Everything the verdict looks at.
#[derive(Clone, Copy, Debug)]
pub struct VerdictInput<'a> {
    pub check_in: &'a CheckIn,
    /// The meeting the check-in is for.
    pub meeting: &'a Meeting,
    /// The cell's registered meeting place, if it has one.
    pub meeting_place: Option<&'a MeetingPlace>,
    /// Whether the cadre was assigned to the cell on the check-in's day
    /// ([`crate::compliance::is_assigned`]).
    pub cadre_assigned: bool,
    /// The meeting's presence secret: the secretary's device and the server have it, the
    /// cadre's phone does not.
    pub presence_secret: Option<&'a [u8]>,
    /// Public keys (hex) of the devices enrolled for this cadre. The phone passes its own
    /// key; the server the keys it enrolled for the person.
    pub enrolled_keys: &'a [String],
    /// Photos used so far (entries of this same check-in are ignored).
    pub earlier_photos: &'a [PhotoUse],
    /// On the server only.
    pub receipt: Option<ServerReceipt>,
    pub settings: &'a CheckInSettings,
    pub evidence: Evidence<'a>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum VerdictStatus {
    /// Every check ran and passed: counts in the cadre's evaluation.
    Verified,
    /// Nothing failed, but some checks can only run elsewhere (the server).
    Provisional,
    /// At least one check failed: the commune office reviews it.
    NeedsReview,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum VerdictCode {
    SignatureInvalid,
    KeyNotEnrolled,
    NotAssigned,
    WrongMeeting,
    PresenceCodeMissing,
    PresenceCodeWrong,
    PresenceCodeExpired,
    PresenceCodeUnchecked,
    ClockSkew,
    ClockUnchecked,
    /// The device's boot clock says the check-in was made at another time.
    ClockMoved,
    /// The device does not hold the meeting, so its time window was not checked.
    MeetingUnchecked,
    OutsideMeetingTime,
    GpsMissing,
    GpsInvalid,
    GpsMocked,
    GpsInaccurate,
    GpsStale,
    MeetingPlaceUnknown,
    OutsideMeetingPlace,
    PhotoMissing,
    PhotoInvalid,
    PhotoReused,
    /// The server has not received the photo's bytes yet.
    PhotoNotReceived,
    /// The cadre's other check-in is too far away for the time between them.
    TravelImplausible,
}

/// One failed (or not yet possible) check, in Vietnamese with its figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct VerdictReason {
    pub code: VerdictCode,
    pub message: String,
}

impl VerdictReason {
    fn new(code: VerdictCode, message: impl Into<String>) -> Self {
        VerdictReason {
            code,
            message: message.into(),
        }
    }
}

/// The commune office's decision on a check-in that needed review.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    /// The visit counts despite the failed checks.
    Accepted,
    /// The visit does not count.
    Rejected,
}

/// Who in the office reviewed a check-in, when, what they decided and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct OfficeReview {
    pub decision: ReviewDecision,
    pub note: String,
    /// The dashboard user's id and name.
    pub reviewer_id: Id,
    pub reviewer_name: String,
    pub reviewed_at: EpochMillis,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Verdict {
    pub status: VerdictStatus,
    /// Failed checks; non-empty when the status is `NeedsReview`, and kept after the
    /// office accepted the check-in (`Verified` with a review), so the record says why
    /// it was reviewed.
    pub reasons: Vec<VerdictReason>,
    /// Checks this device could not run.
    pub unchecked: Vec<VerdictReason>,
    /// The check-in's time as judged (device time corrected), for counting the visit in
    /// a month ([`crate::compliance`]).
    pub effective_time: EpochMillis,
    /// The office's review, once made: final over any later automatic judgement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub review: Option<OfficeReview>,
}

impl Verdict {
    pub fn messages(&self) -> Vec<&str> {
        self.reasons.iter().map(|r| r.message.as_str()).collect()
    }

    /// Waiting for the office: flagged and not reviewed yet. (A rejected check-in keeps
    /// the `NeedsReview` status, so it never counts, but waits no more.)
    pub fn awaits_review(&self) -> bool {
        self.status == VerdictStatus::NeedsReview && self.review.is_none()
    }

    /// The office turned the check-in down: it never counts and waits for nobody.
    pub fn is_rejected(&self) -> bool {
        self.review
            .as_ref()
            .is_some_and(|r| r.decision == ReviewDecision::Rejected)
    }

    /// Not counted yet but still may be: the server has not judged it (`Provisional`) or
    /// the office has not reviewed it.
    pub fn is_pending(&self) -> bool {
        self.status != VerdictStatus::Verified && !self.is_rejected()
    }

    /// Whether `next` may replace this verdict: once the office reviewed a check-in, only
    /// another review does.
    pub fn may_be_replaced_by(&self, next: &Verdict) -> bool {
        self.review.is_none() || next.review.is_some()
    }
}

/// The verdict after the office's review of `current`: accepted counts as verified (the
/// failed checks stay listed), rejected stays "needs review" and never counts. A flagged
/// check-in is reviewed, and so is one left provisional (its photo or its meeting never
/// reached the server); a verified one is not. The office may change a decision it
/// made. A rejection must say why.
pub fn review_verdict(
    check_in_id: &str,
    current: &Verdict,
    review: OfficeReview,
) -> Result<Verdict, crate::error::ValidationError> {
    use crate::error::ValidationError;
    if current.status == VerdictStatus::Verified && current.review.is_none() {
        return Err(ValidationError::CheckInNotUnderReview {
            check_in_id: check_in_id.to_string(),
        });
    }
    crate::rules::not_blank(&review.reviewer_name, "người xem xét")?;
    if review.decision == ReviewDecision::Rejected {
        crate::rules::not_blank(&review.note, "lý do không công nhận lượt điểm danh")?;
    }
    let status = match review.decision {
        ReviewDecision::Accepted => VerdictStatus::Verified,
        ReviewDecision::Rejected => VerdictStatus::NeedsReview,
    };
    Ok(Verdict {
        status,
        review: Some(review),
        ..current.clone()
    })
}

/// Mean Earth radius (IUGG), metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in metres between two WGS 84 points (haversine).
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

/// Judges a check-in. See the module documentation.
pub fn judge_check_in(input: &VerdictInput<'_>) -> Verdict {
    let c = input.check_in;
    let s = input.settings;
    let mut reasons = Vec::new();
    let mut unchecked = Vec::new();

    // Who signed it.
    match verify_check_in_signature(c) {
        Err(e) => reasons.push(VerdictReason::new(
            VerdictCode::SignatureInvalid,
            e.to_string(),
        )),
        Ok(()) => {
            let enrolled = input
                .enrolled_keys
                .iter()
                .any(|k| k.trim().eq_ignore_ascii_case(c.public_key_hex.trim()));
            if !enrolled {
                reasons.push(VerdictReason::new(
                    VerdictCode::KeyNotEnrolled,
                    "Khóa ký không thuộc thiết bị đã đăng ký của đồng chí",
                ));
            }
        }
    }
    if !input.cadre_assigned {
        reasons.push(VerdictReason::new(
            VerdictCode::NotAssigned,
            "Đồng chí không được phân công phụ trách chi bộ này",
        ));
    }
    if c.meeting_id != input.meeting.id {
        reasons.push(VerdictReason::new(
            VerdictCode::WrongMeeting,
            "Điểm danh ghi một buổi họp khác",
        ));
    }
    if c.cell_id != input.meeting.cell_id {
        reasons.push(VerdictReason::new(
            VerdictCode::WrongMeeting,
            "Điểm danh ghi một chi bộ khác với chi bộ của buổi họp",
        ));
    }

    // When: the clock, then the code and the window at the best-fitting correction.
    let recorded_time = c.corrected_time();
    let mut candidates = vec![recorded_time];
    match input.receipt {
        None => unchecked.push(VerdictReason::new(
            VerdictCode::ClockUnchecked,
            "Chưa đối chiếu được giờ trên máy với máy chủ",
        )),
        Some(receipt) => {
            let now_offset = receipt.offset_ms();
            let disagreement = now_offset.saturating_sub(c.server_offset_ms.unwrap_or(0));
            if disagreement.unsigned_abs() > s.clock_tolerance_ms.unsigned_abs() {
                reasons.push(VerdictReason::new(
                    VerdictCode::ClockSkew,
                    format!(
                        "Giờ trên máy lệch {} so với máy chủ",
                        vi_duration(disagreement)
                    ),
                ));
                candidates.push(c.device_wall_time.saturating_add(now_offset));
            }
        }
    }
    if let Some(true_time) = input.evidence.true_time {
        let moved = recorded_time.saturating_sub(true_time);
        if moved.unsigned_abs() > TRUE_TIME_TOLERANCE_MS.unsigned_abs() {
            reasons.push(VerdictReason::new(
                VerdictCode::ClockMoved,
                format!(
                    "Giờ điểm danh trên máy ({}) khác thời gian thực lúc điểm danh ({}), lệch {}",
                    vi_time(recorded_time),
                    vi_time(true_time),
                    vi_duration(moved)
                ),
            ));
        }
        // The boot clock is the witness nobody sets: judge at its time only.
        candidates = vec![true_time];
    }
    let judged: Vec<(EpochMillis, Vec<VerdictReason>)> = candidates
        .into_iter()
        .map(|at| (at, judge_time_and_code(input, at)))
        .collect();
    let (effective_time, time_reasons) = judged
        .into_iter()
        .min_by_key(|(_, r)| r.len())
        .expect("at least the recorded time");
    reasons.extend(time_reasons);
    if let Some(receipt) = input.receipt {
        if effective_time > receipt.received_at.saturating_add(s.clock_tolerance_ms) {
            reasons.push(VerdictReason::new(
                VerdictCode::ClockSkew,
                format!(
                    "Giờ điểm danh {} muộn hơn lúc máy chủ nhận {}",
                    vi_time(effective_time),
                    vi_time(receipt.received_at)
                ),
            ));
        }
    }
    if !c.presence_code.trim().is_empty() && input.presence_secret.is_none() {
        unchecked.push(VerdictReason::new(
            VerdictCode::PresenceCodeUnchecked,
            "Chưa xác minh được mã xác nhận trên máy này",
        ));
    }

    // Where.
    judge_location(input, &mut reasons);

    // Evidence.
    match &c.photo_sha256 {
        None => reasons.push(VerdictReason::new(
            VerdictCode::PhotoMissing,
            "Không có ảnh",
        )),
        Some(hash) if !is_sha256_hex(hash) => reasons.push(VerdictReason::new(
            VerdictCode::PhotoInvalid,
            "Mã băm của ảnh không hợp lệ",
        )),
        Some(hash) => {
            let reused = input.earlier_photos.iter().any(|p| {
                p.used_by != c.id && p.photo_sha256.trim().eq_ignore_ascii_case(hash.trim())
            });
            if reused {
                reasons.push(VerdictReason::new(
                    VerdictCode::PhotoReused,
                    "Ảnh đã được dùng ở nơi khác (lượt điểm danh hoặc biên bản khác)",
                ));
            }
            if input.evidence.photo_received == Some(false) {
                unchecked.push(VerdictReason::new(
                    VerdictCode::PhotoNotReceived,
                    "Máy chủ chưa nhận được ảnh điểm danh",
                ));
            }
        }
    }

    // How they got there.
    judge_travel(input, effective_time, &mut reasons);

    let status = if !reasons.is_empty() {
        VerdictStatus::NeedsReview
    } else if !unchecked.is_empty() {
        VerdictStatus::Provisional
    } else {
        VerdictStatus::Verified
    };
    Verdict {
        status,
        reasons,
        unchecked,
        effective_time,
        review: None,
    }
}

/// Judges a check-in on a device that does not hold its meeting (a cadre's phone before
/// the cell's record has synced down). Every check runs as in [`judge_check_in`] except
/// the meeting's time window, which goes into `unchecked`
/// ([`VerdictCode::MeetingUnchecked`]); the presence code cannot be checked either (no
/// meeting, no secret). With no failure the verdict is therefore `Provisional`.
pub fn judge_check_in_without_meeting(
    check_in: &CheckIn,
    meeting_place: Option<&MeetingPlace>,
    cadre_assigned: bool,
    enrolled_keys: &[String],
    earlier_photos: &[PhotoUse],
    settings: &CheckInSettings,
    evidence: Evidence<'_>,
) -> Verdict {
    // A stand-in whose window is centred on the check-in, so the window adds no reason.
    let stand_in = Meeting::planned(
        check_in.meeting_id.clone(),
        check_in.cell_id.clone(),
        MeetingKind::Regular,
        check_in.corrected_time(),
        String::new(),
    );
    let mut verdict = judge_check_in(&VerdictInput {
        check_in,
        meeting: &stand_in,
        meeting_place,
        cadre_assigned,
        presence_secret: None,
        enrolled_keys,
        earlier_photos,
        receipt: None,
        settings,
        evidence,
    });
    verdict.unchecked.push(VerdictReason::new(
        VerdictCode::MeetingUnchecked,
        "Máy này chưa có thông tin buổi họp, chưa đối chiếu được thời gian họp",
    ));
    if verdict.reasons.is_empty() {
        verdict.status = VerdictStatus::Provisional;
    }
    verdict
}

/// The presence code and the meeting window, judged at `at`.
fn judge_time_and_code(input: &VerdictInput<'_>, at: EpochMillis) -> Vec<VerdictReason> {
    let c = input.check_in;
    let s = input.settings;
    let mut reasons = Vec::new();
    if c.presence_code.trim().is_empty() {
        reasons.push(VerdictReason::new(
            VerdictCode::PresenceCodeMissing,
            "Không có mã xác nhận",
        ));
    } else if let Some(secret) = input.presence_secret {
        if !presence_code_matches(
            secret,
            &input.meeting.id,
            &c.presence_code,
            at,
            s.code_tolerance_steps,
        ) {
            reasons.push(VerdictReason::new(
                VerdictCode::PresenceCodeWrong,
                "Mã xác nhận không đúng hoặc đã hết hạn",
            ));
        }
    }
    let (from, until) = meeting_window(input.meeting, s);
    if at < from || at > until {
        reasons.push(VerdictReason::new(
            VerdictCode::OutsideMeetingTime,
            format!(
                "Giờ điểm danh {} ngoài thời gian buổi họp ({} – {})",
                vi_time(at),
                vi_time(from),
                vi_time(until)
            ),
        ));
    }
    reasons
}

/// From the earlier of the planned and actual start minus `early_ms`, to the recorded end
/// (or the later start plus `assumed_duration_ms`) plus `late_ms`.
pub fn meeting_window(meeting: &Meeting, settings: &CheckInSettings) -> (EpochMillis, EpochMillis) {
    let actual_start = meeting.actual_start.unwrap_or(meeting.planned_start);
    let start = meeting.planned_start.min(actual_start);
    let end = meeting.actual_end.unwrap_or_else(|| {
        meeting
            .planned_start
            .max(actual_start)
            .saturating_add(settings.assumed_duration_ms)
    });
    (
        start.saturating_sub(settings.early_ms),
        end.saturating_add(settings.late_ms),
    )
}

fn judge_location(input: &VerdictInput<'_>, reasons: &mut Vec<VerdictReason>) {
    let s = input.settings;
    let Some(gps) = &input.check_in.gps else {
        reasons.push(VerdictReason::new(
            VerdictCode::GpsMissing,
            "Không có tọa độ GPS",
        ));
        return;
    };
    if gps.mock_location {
        reasons.push(VerdictReason::new(
            VerdictCode::GpsMocked,
            "Thiết bị báo vị trí giả lập",
        ));
    }
    let valid = gps.latitude.is_finite()
        && gps.longitude.is_finite()
        && gps.accuracy_m.is_finite()
        && gps.latitude.abs() <= 90.0
        && gps.longitude.abs() <= 180.0
        && gps.accuracy_m >= 0.0;
    if !valid {
        reasons.push(VerdictReason::new(
            VerdictCode::GpsInvalid,
            "Tọa độ GPS không hợp lệ",
        ));
        return;
    }
    if gps.accuracy_m > s.max_gps_accuracy_m {
        reasons.push(VerdictReason::new(
            VerdictCode::GpsInaccurate,
            format!(
                "Sai số GPS quá lớn: {} (tối đa {})",
                vi_distance(gps.accuracy_m),
                vi_distance(s.max_gps_accuracy_m)
            ),
        ));
    }
    // GPS fix times are satellite (true) time, so compare with the corrected clock.
    let fix_age = input.check_in.corrected_time().saturating_sub(gps.fix_time);
    if fix_age.unsigned_abs() > s.max_fix_age_ms.unsigned_abs() {
        reasons.push(VerdictReason::new(
            VerdictCode::GpsStale,
            format!("Tọa độ GPS lấy cách lúc điểm danh {}", vi_duration(fix_age)),
        ));
    }
    let Some(place) = input.meeting_place else {
        reasons.push(VerdictReason::new(
            VerdictCode::MeetingPlaceUnknown,
            "Chi bộ chưa có tọa độ điểm họp, không đối chiếu được vị trí",
        ));
        return;
    };
    let distance = haversine_m(place.latitude, place.longitude, gps.latitude, gps.longitude);
    let allowance = gps.accuracy_m.min(s.max_gps_accuracy_m);
    // Whatever radius a record claims, never wider than the domain allows.
    let radius = place.radius_m.min(MAX_MEETING_RADIUS_M);
    if distance - allowance > radius {
        reasons.push(VerdictReason::new(
            VerdictCode::OutsideMeetingPlace,
            format!("Vị trí cách điểm họp {}", vi_distance(distance)),
        ));
    }
}

/// The cadre could not have been at both places: a fix of another of their check-ins
/// near in time, farther away (less both accuracies) than [`MAX_TRAVEL_SPEED_KMH`] covers
/// in the time between them.
fn judge_travel(input: &VerdictInput<'_>, at: EpochMillis, reasons: &mut Vec<VerdictReason>) {
    let Some(gps) = &input.check_in.gps else {
        return;
    };
    let cap = input.settings.max_gps_accuracy_m;
    let worst = input
        .evidence
        .other_fixes
        .iter()
        .filter(|p| p.check_in_id != input.check_in.id)
        .filter(|p| p.at.saturating_sub(at).unsigned_abs() <= TRAVEL_WINDOW_MS.unsigned_abs())
        .filter_map(|p| {
            let distance = haversine_m(p.latitude, p.longitude, gps.latitude, gps.longitude);
            let slack = gps.accuracy_m.min(cap) + p.accuracy_m.min(cap);
            let apart = distance - slack;
            if !apart.is_finite() || apart <= 0.0 {
                return None;
            }
            let hours = p.at.saturating_sub(at).unsigned_abs() as f64 / 3_600_000.0;
            let speed = if hours > 0.0 {
                apart / 1000.0 / hours
            } else {
                f64::INFINITY
            };
            (speed > MAX_TRAVEL_SPEED_KMH).then_some((speed, distance, p.at))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((speed, distance, other_at)) = worst {
        let pace = if speed.is_finite() {
            format!("phải đi {} km/giờ", vi_decimal(speed, 0))
        } else {
            "cùng một lúc".to_string()
        };
        reasons.push(VerdictReason::new(
            VerdictCode::TravelImplausible,
            format!(
                "Lượt điểm danh khác lúc {} cách nơi này {}: {pace}",
                vi_time(other_at),
                vi_distance(distance)
            ),
        ));
    }
}

/// Whether `text` is a SHA-256 digest as 64 hex digits (surrounding spaces ignored).
pub fn is_sha256_hex(text: &str) -> bool {
    let text = text.trim();
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests;
