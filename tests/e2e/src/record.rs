//! What the people do on their phones, through the façade the apps call: a secretary
//! records and signs a month's meeting with photos; a cadre reads the presence code off
//! the secretary's screen and checks in with a photo and a GPS fix.

use std::path::PathBuf;

use chibo_core::photos::PhotoInfo;
use chibo_core::visits::{CheckInRequest, CheckInRow, PhotoRef};
use chibo_demo::meetings::{record_meeting, MonthPlan};
use chibo_demo::Phone;
use chibo_domain::checkin::GpsFix;
use chibo_domain::*;

use crate::commune::{now, ok, Town};

/// The shared photo fixtures (`../shared/fixtures/photos` from the repository root).
pub fn fixture(relative: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures/photos"
    ))
    .join(relative)
}

/// The camera file, processed into the phone's photo folder.
pub fn take_photo(phone: &Phone, fixture_path: &str) -> PhotoInfo {
    ok(
        phone
            .store
            .process_photo(fixture(fixture_path).display().to_string(), false),
        "process a photo",
    )
}

pub fn photo_ref(photo: &PhotoInfo) -> PhotoRef {
    PhotoRef {
        sha256: photo.sha256.clone(),
        width: photo.width,
        height: photo.height,
        byte_size: photo.byte_size,
    }
}

/// A meeting the secretary recorded.
pub struct Recorded {
    pub meeting_id: Id,
    pub photos: Vec<PhotoInfo>,
}

/// The secretary of cell `index` records this month's meeting (roll call, speeches,
/// tasks, vote, petition, score) as the app does, started `minutes_ago`, with the
/// cadre of the cell as a guest.
pub fn record_month(phone: &Phone, town: &Town, index: usize, minutes_ago: i64) -> Id {
    record_meeting_at(phone, town, index, now() - minutes_ago * 60_000)
}

/// The same, for a meeting that started at `start`.
pub fn record_meeting_at(phone: &Phone, town: &Town, index: usize, start: EpochMillis) -> Id {
    let cell = town.cell(index).clone();
    let roster = town.roster(index);
    let cadre = town.cadre_of(index);
    let plan = MonthPlan {
        cell: &cell,
        roster: &roster,
        start,
        variant: index,
        visiting_cadre: Some((&cadre.full_name, &cadre.title)),
    };
    ok(
        record_meeting(&phone.store, &plan, &[]),
        "record the meeting",
    )
}

/// Attaches the fixtures as meeting photos.
pub fn attach_photos(phone: &Phone, meeting_id: &str, fixtures: &[&str]) -> Vec<PhotoInfo> {
    fixtures
        .iter()
        .map(|f| {
            let photo = take_photo(phone, f);
            ok(
                phone
                    .store
                    .attach_meeting_photo(meeting_id.to_string(), photo_ref(&photo)),
                "attach a photo",
            );
            photo
        })
        .collect()
}

/// A whole signed meeting with its photos.
pub fn record_signed_meeting(
    phone: &Phone,
    town: &Town,
    index: usize,
    fixtures: &[&str],
) -> Recorded {
    let meeting_id = record_month(phone, town, index, 20);
    let photos = attach_photos(phone, &meeting_id, fixtures);
    ok(
        phone.store.sign_meeting(meeting_id.clone()),
        "sign the meeting",
    );
    Recorded { meeting_id, photos }
}

/// The QR payload the secretary's screen shows for the meeting.
pub fn presence_qr(secretary: &Phone, meeting_id: &str) -> String {
    ok(
        secretary.store.presence_code(meeting_id.to_string()),
        "show the presence code",
    )
    .qr_payload
}

/// The cadre of cell `index` checks in at the meeting with the scanned QR payload, a
/// photo and a GPS fix at the meeting place.
pub fn check_in(
    cadre_phone: &Phone,
    town: &Town,
    index: usize,
    meeting_id: &str,
    qr: &str,
    photo_fixture: &str,
) -> (CheckInRow, PhotoInfo) {
    let cell = town.cell(index);
    let place = cell
        .meeting_place
        .as_ref()
        .expect("the cell has a meeting place");
    let photo = take_photo(cadre_phone, photo_fixture);
    let at = now();
    let offset = ok(cadre_phone.status(), "sync status").server_offset_ms;
    let row = ok(
        cadre_phone.store.check_in(
            CheckInRequest {
                meeting_id: meeting_id.to_string(),
                cell_id: cell.id.clone(),
                cadre_id: town.cadre_of(index).id,
                photo: Some(photo_ref(&photo)),
                gps: Some(GpsFix {
                    latitude: place.latitude + 0.0003,
                    longitude: place.longitude,
                    accuracy_m: 15.0,
                    fix_time: at - 60_000,
                    mock_location: false,
                }),
                device_wall_time: at,
                monotonic_ms: 5_400_000,
                server_offset_ms: offset,
                presence_code: qr.to_string(),
            },
            cadre_phone.keystore(),
        ),
        "check in",
    );
    (row, photo)
}
