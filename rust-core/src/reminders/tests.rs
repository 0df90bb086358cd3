use super::*;
use chibo_domain::change::Change;
use chibo_domain::time::from_local;
use chibo_domain::{CellKind, MeetingPlace};

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> EpochMillis {
    from_local(
        chrono::NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_opt(h, mi, 0)
            .unwrap(),
    )
}

fn cell(meeting_day: Option<u8>) -> Cell {
    Cell {
        id: chibo_domain::new_id(),
        commune_id: chibo_domain::new_id(),
        commune_name: "Đảng bộ xã Xuân Hòa".into(),
        name: "Chi bộ bản Nà Hẩu".into(),
        kind: CellKind::Village,
        meeting_place: Some(MeetingPlace {
            label: "Nhà văn hóa bản".into(),
            latitude: 21.5,
            longitude: 103.9,
            radius_m: 150.0,
        }),
        meeting_day,
    }
}

#[test]
fn the_fixed_day_is_reminded_until_a_meeting_is_planned_for_it() {
    let mut store = Store::open_in_memory().unwrap();
    let c = cell(Some(24));
    let now = at(2026, 11, 10, 9, 0);
    store
        .apply(Change::UpsertCell { cell: c.clone() }, now)
        .unwrap();
    let role = EnrolledRole::Secretary {
        cell_id: c.id.clone(),
    };

    let fixed = upcoming(&store, Some(&role), now).unwrap();
    assert_eq!(fixed.len(), 1);
    assert_eq!(fixed[0].meeting_id, None);
    assert_eq!(fixed[0].meeting_at, at(2026, 11, 24, 19, 30));
    assert_eq!(fixed[0].remind_at, at(2026, 11, 23, 19, 30));
    assert!(
        fixed[0].text.contains("ngày họp cố định"),
        "{}",
        fixed[0].text
    );

    // Planned for that month (another day, another hour): that meeting instead.
    let meeting = crate::flow::plan_meeting(
        &mut store,
        &c.id,
        MeetingKind::Regular,
        at(2026, 11, 25, 8, 0),
        "Nhà văn hóa bản".into(),
        now,
    )
    .unwrap();
    let planned = upcoming(&store, Some(&role), now).unwrap();
    assert_eq!(planned.len(), 1);
    assert_eq!(planned[0].meeting_id.as_deref(), Some(meeting.id.as_str()));
    assert_eq!(planned[0].title, "Ngày mai họp Chi bộ bản Nà Hẩu");
    assert!(
        planned[0].text.contains("08:00 ngày 25/11/2026"),
        "{}",
        planned[0].text
    );

    // After the 24th has passed this month, the fixed day is next month's.
    let later = at(2026, 11, 26, 9, 0);
    let next = upcoming(&store, Some(&role), later).unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].meeting_at, at(2026, 12, 24, 19, 30));
}

#[test]
fn a_cadre_is_reminded_of_the_meetings_to_attend_and_the_office_of_none() {
    let mut store = Store::open_in_memory().unwrap();
    let c = cell(None);
    let now = at(2026, 11, 10, 9, 0);
    store
        .apply(Change::UpsertCell { cell: c.clone() }, now)
        .unwrap();
    crate::flow::plan_meeting(
        &mut store,
        &c.id,
        MeetingKind::Thematic,
        at(2026, 11, 10, 20, 0),
        "Nhà văn hóa bản".into(),
        now,
    )
    .unwrap();
    // Not enrolled: every cell held. A meeting this evening is reminded now.
    let all = upcoming(&store, None, now).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].remind_at, now);
    assert!(all[0].text.starts_with("Sinh hoạt chuyên đề"));
    assert!(upcoming(&store, Some(&EnrolledRole::Office), now)
        .unwrap()
        .is_empty());
    // A cadre assigned to nothing here has nothing to attend.
    let cadre = EnrolledRole::Cadre {
        cadre_id: chibo_domain::new_id(),
    };
    assert!(upcoming(&store, Some(&cadre), now).unwrap().is_empty());
}
