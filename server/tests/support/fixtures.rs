//! Realistic data: two village cells of a commune with 12-member rosters in mixed
//! statuses, a visiting cadre assigned to the first, and the changes that record a whole
//! meeting (after rust-core/tests/store_support).

use chibo_domain::change::Change;
use chibo_domain::checkin::{self, CheckIn, GpsFix, Verdict, VerdictStatus};
use chibo_domain::compliance::{Assignment, Cadre};
use chibo_domain::sync::Role;
use chibo_domain::time::from_local;
use chibo_domain::*;

use super::{Commune, Device, TestServer};

pub const MINUTE: i64 = 60_000;
pub const DAY: i64 = 24 * 60 * MINUTE;

/// A local (Vietnam) wall-clock time.
pub fn at(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> EpochMillis {
    from_local(
        chrono::NaiveDate::from_ymd_opt(year, month, day)
            .unwrap()
            .and_hms_opt(hour, minute, 0)
            .unwrap(),
    )
}

/// The meeting of the tests: today, 24/11/2026 at 19:30 (the server's clock says 19:45).
pub fn meeting_start() -> EpochMillis {
    at(2026, 11, 24, 19, 30)
}

pub const PLACE_LAT: f64 = 21.5;
pub const PLACE_LON: f64 = 103.9;

pub struct Village {
    pub cell: Cell,
    /// 0 secretary, 1 deputy, 2..=7 active, 8 working away, 9 exempt, 10 attached
    /// elsewhere, 11 probationary.
    pub members: Vec<Member>,
}

impl Village {
    pub fn new(commune_id: &str, commune_name: &str, name: &str) -> Village {
        use MemberRole::{DeputySecretary, Secretary};
        use MemberStatus::*;
        use MembershipKind::*;
        const PLAIN: MemberRole = MemberRole::Member;
        let cell = Cell {
            id: new_id(),
            commune_id: commune_id.into(),
            commune_name: commune_name.into(),
            name: name.into(),
            kind: CellKind::Village,
            meeting_place: Some(MeetingPlace {
                label: format!("Nhà văn hóa {name}"),
                latitude: PLACE_LAT,
                longitude: PLACE_LON,
                radius_m: 150.0,
            }),
            meeting_day: Some(24),
        };
        let people = [
            ("Lò Văn Hùng", Full, Active, Secretary),
            ("Quàng Thị Mai", Full, Active, DeputySecretary),
            ("Cà Văn Bình", Full, Active, PLAIN),
            ("Điêu Thị Hoa", Full, Active, PLAIN),
            ("Hà Văn Dũng", Full, Active, PLAIN),
            ("Lường Văn Khánh", Full, Active, PLAIN),
            ("Tòng Thị Lan", Full, Active, PLAIN),
            ("Vì Văn Nam", Full, Active, PLAIN),
            ("Lò Văn Sơn", Full, WorkingAway, PLAIN),
            ("Cầm Văn Tâm", Full, Exempt, PLAIN),
            ("Lê Thị Thu", Full, AttachedElsewhere, PLAIN),
            ("Sa Văn Tú", Probationary, Active, PLAIN),
        ];
        let members = people
            .into_iter()
            .map(|(full_name, membership, status, role)| Member {
                id: new_id(),
                cell_id: cell.id.clone(),
                full_name: full_name.into(),
                membership,
                status,
                status_since: (status != Active)
                    .then(|| CalendarDate::from_ymd(2025, 6, 1).unwrap()),
                status_reason: match status {
                    Exempt => Some("Tuổi cao, sức yếu".into()),
                    WorkingAway => Some("Đi làm ăn tại Bình Dương".into()),
                    AttachedElsewhere => Some("Sinh hoạt tạm thời tại chi bộ cơ quan".into()),
                    Active => None,
                },
                role,
                party_group: None,
            })
            .collect();
        Village { cell, members }
    }

    pub fn id(&self, index: usize) -> Id {
        self.members[index].id.clone()
    }

    pub fn roster_changes(&self) -> Vec<Change> {
        let mut changes = vec![Change::UpsertCell {
            cell: self.cell.clone(),
        }];
        changes.extend(
            self.members
                .iter()
                .cloned()
                .map(|member| Change::UpsertMember { member }),
        );
        changes
    }

    /// Everyone present except the one working away (excused), the exempt and the
    /// attached-elsewhere member.
    pub fn roll_call(&self) -> Vec<RollCallEntry> {
        self.members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let attendance = match i {
                    8 => Attendance::AbsentExcused,
                    9 => Attendance::Exempt,
                    10 => Attendance::AttachedElsewhere,
                    _ => Attendance::Present,
                };
                RollCallEntry {
                    member_id: m.id.clone(),
                    attendance,
                    reason: (i == 8).then(|| "Đi làm ăn xa".to_string()),
                }
            })
            .collect()
    }

    pub fn planned(&self, meeting_id: &Id, start: EpochMillis) -> Meeting {
        Meeting::planned(
            meeting_id.clone(),
            self.cell.id.clone(),
            MeetingKind::Regular,
            start,
            format!("Nhà văn hóa {}", self.cell.name),
        )
    }

    pub fn header(&self, meeting_id: &Id, start: EpochMillis) -> Meeting {
        let mut m = self.planned(meeting_id, start);
        m.actual_start = Some(start);
        m.actual_end = Some(start + 120 * MINUTE);
        m.chair_id = Some(self.id(0));
        m.minute_taker_id = Some(self.id(1));
        m.preparation = Preparation {
            notice_sent_to_members: true,
            notice_sent_to_cadre: true,
            documents_sent_at: Some(start - 2 * DAY),
        };
        m.party_fee_note = Some("Đã thu đủ đảng phí tháng 11".into());
        m.conclusion = Some("Thống nhất các nhiệm vụ tháng 12".into());
        m.resolution = Some(ResolutionText {
            number: "Số 11-NQ/CB".into(),
            text: "Chi bộ thống nhất nghị quyết tháng 11.".into(),
        });
        m.minutes_approved = true;
        m.final_documents_sent_at = Some(start + DAY);
        m
    }

    /// Every change that records a meeting, up to but not including the signature.
    pub fn meeting_changes(&self, meeting_id: &Id, start: EpochMillis) -> Vec<Change> {
        let id = meeting_id.clone();
        let mut changes = vec![
            Change::PlanMeeting {
                meeting: self.planned(meeting_id, start),
            },
            Change::UpdateMeeting {
                meeting: self.header(meeting_id, start),
                fields: vec![],
            },
            Change::SetAgenda {
                meeting_id: id.clone(),
                items: vec![
                    AgendaItem {
                        section: AgendaSection::Opening,
                        title: "Tuyên bố lý do, giới thiệu đại biểu, điểm danh".into(),
                        conclusion: None,
                    },
                    AgendaItem {
                        section: AgendaSection::Body,
                        title: "Đánh giá kết quả tháng 11, nhiệm vụ tháng 12".into(),
                        conclusion: Some("Hoàn thành phần lớn chỉ tiêu".into()),
                    },
                    AgendaItem {
                        section: AgendaSection::Closing,
                        title: "Thông qua nghị quyết".into(),
                        conclusion: None,
                    },
                ],
            },
        ];
        changes.extend(
            self.roll_call()
                .into_iter()
                .map(|entry| Change::SetAttendance {
                    meeting_id: id.clone(),
                    entry,
                }),
        );
        changes.extend([0, 2, 3, 4, 5, 11].into_iter().map(|i| Change::AddSpeech {
            meeting_id: id.clone(),
            speech: Speech {
                id: new_id(),
                speaker: Speaker::Member {
                    member_id: self.id(i),
                },
                gist: format!("Ý kiến của đồng chí {}", self.members[i].full_name),
            },
        }));
        changes.push(Change::RecordVote {
            meeting_id: id.clone(),
            vote: VoteTally {
                id: new_id(),
                question: "Thông qua nghị quyết tháng 11".into(),
                kind: VoteKind::Ordinary,
                in_favor: 8,
                against: 0,
                abstain: 0,
            },
        });
        changes.push(Change::RaisePetition {
            petition: self.petition(Some(id.clone()), start + 60 * MINUTE),
        });
        changes.push(Change::SetJudgedScores {
            meeting_id: id,
            scores: judged(),
        });
        changes
    }

    pub fn petition(&self, meeting_id: Option<Id>, raised_at: EpochMillis) -> Petition {
        Petition {
            id: new_id(),
            cell_id: self.cell.id.clone(),
            meeting_id,
            content: "Đường ống nước đầu bản bị vỡ".into(),
            category: PetitionCategory::Infrastructure,
            raised_by: format!("Nhân dân {}", self.cell.name),
            status: PetitionStatus::Raised,
            raised_at,
        }
    }

    pub fn signature(&self, signed_at: EpochMillis) -> Signature {
        Signature {
            signed_at,
            chair_name: self.members[0].full_name.clone(),
            minute_taker_name: self.members[1].full_name.clone(),
        }
    }
}

pub fn judged() -> JudgedScores {
    JudgedScores {
        content_prepared: 3,
        orientation_and_draft: 2,
        committee_premeeting: 2,
        full_procedure: 5,
        regular_content: 9,
        thematic_part: 0,
        praise_and_criticism: 2,
        ideology_time: 1,
        documents_posted: 1,
        chairing: 9,
        principles: 5,
        conclusion_adopted: 2,
        minutes_adopted_and_tasks: 2,
    }
}

/// A commune with two cells (A, B), a cadre assigned to A, and a phone for the office,
/// each cell's secretary and the cadre.
pub struct World {
    pub srv: TestServer,
    pub commune: Commune,
    pub a: Village,
    pub b: Village,
    pub cadre: Cadre,
    pub secretary_a: Device,
    pub secretary_b: Device,
    pub cadre_phone: Device,
}

impl World {
    pub async fn new() -> World {
        World::on(TestServer::start().await).await
    }

    pub async fn on(srv: TestServer) -> World {
        let mut commune = srv.commune("Đảng bộ xã Xuân Hòa").await;
        let a = Village::new(&commune.id, &commune.name, "Chi bộ bản Nà Hẩu");
        let b = Village::new(&commune.id, &commune.name, "Chi bộ bản Co Muông");
        let cadre = Cadre {
            id: new_id(),
            commune_id: commune.id.clone(),
            full_name: "Nguyễn Văn Thành".into(),
            title: "Đảng ủy viên, phụ trách chi bộ".into(),
        };
        let mut setup = a.roster_changes();
        setup.extend(b.roster_changes());
        setup.push(Change::UpsertCadre {
            cadre: cadre.clone(),
        });
        setup.push(Change::UpsertAssignment {
            assignment: Assignment {
                id: new_id(),
                cadre_id: cadre.id.clone(),
                cell_id: a.cell.id.clone(),
                working_team_id: None,
                starts_on: CalendarDate::from_ymd(2026, 1, 1).unwrap(),
                ends_on: None,
            },
        });
        let response = commune.office.push(&srv, setup).await;
        assert_all_applied(&response);
        let secretary_a = srv
            .person(
                &commune.office,
                "Lò Văn Hùng",
                Role::Secretary {
                    cell_id: a.cell.id.clone(),
                },
            )
            .await;
        let secretary_b = srv
            .person(
                &commune.office,
                "Lò Thị Xuân",
                Role::Secretary {
                    cell_id: b.cell.id.clone(),
                },
            )
            .await;
        let cadre_phone = srv
            .person(
                &commune.office,
                &cadre.full_name,
                Role::Cadre {
                    cadre_id: cadre.id.clone(),
                },
            )
            .await;
        World {
            srv,
            commune,
            a,
            b,
            cadre,
            secretary_a,
            secretary_b,
            cadre_phone,
        }
    }

    /// The secretary of A plans and records a meeting (not signed); returns its id.
    pub async fn record_meeting_a(&mut self, start: EpochMillis) -> Id {
        let meeting_id = new_id();
        let changes = self.a.meeting_changes(&meeting_id, start);
        let response = self.secretary_a.push(&self.srv, changes).await;
        assert_all_applied(&response);
        meeting_id
    }

    /// The cadre's phone uploads photo `n`: the server holds its bytes from now on.
    pub async fn upload(&self, n: u32) -> String {
        self.srv
            .upload_photo(&self.cadre_phone, &photo_bytes(n))
            .await
    }

    /// A check-in by the cadre's phone at the meeting of cell A, signed with its key.
    pub fn check_in(&self, meeting_id: &Id, time: EpochMillis, code: &str, photo: &str) -> CheckIn {
        let c = CheckIn {
            id: new_id(),
            meeting_id: meeting_id.clone(),
            cell_id: self.a.cell.id.clone(),
            cadre_id: self.cadre.id.clone(),
            device_id: self.cadre_phone.id.clone(),
            photo_sha256: Some(photo.to_string()),
            gps: Some(GpsFix {
                latitude: PLACE_LAT + 0.0002,
                longitude: PLACE_LON,
                accuracy_m: 12.0,
                fix_time: time - MINUTE,
                mock_location: false,
            }),
            device_wall_time: time,
            monotonic_ms: 7_200_000,
            server_offset_ms: Some(0),
            presence_code: code.to_string(),
            public_key_hex: String::new(),
            signature_hex: String::new(),
        };
        checkin::sign_check_in_with(&self.cadre_phone.key, c)
    }
}

impl World {
    /// The cadre's phone pushes a check-in at `meeting_id` (made at `time`, with `code`
    /// and `photo`), at the meeting place or, `off_place`, some 5 km north of it.
    pub async fn push_check_in(
        &mut self,
        meeting_id: &Id,
        time: EpochMillis,
        code: &str,
        photo: &str,
        off_place: bool,
    ) -> CheckIn {
        let mut c = self.check_in(meeting_id, time, code, photo);
        if off_place {
            c.gps.as_mut().expect("a fix").latitude += 0.05;
        }
        let c = checkin::sign_check_in_with(&self.cadre_phone.key, c);
        let response = self
            .cadre_phone
            .push(
                &self.srv,
                vec![Change::RecordCheckIn {
                    check_in: c.clone(),
                    verdict: provisional(time),
                }],
            )
            .await;
        assert_all_applied(&response);
        c
    }
}

/// The verdict a cadre's phone reaches on its own (it cannot check the code).
pub fn provisional(time: EpochMillis) -> Verdict {
    Verdict {
        status: VerdictStatus::Provisional,
        reasons: Vec::new(),
        unchecked: Vec::new(),
        effective_time: time,
        review: None,
    }
}

pub fn claimed_verified(time: EpochMillis) -> Verdict {
    Verdict {
        status: VerdictStatus::Verified,
        ..provisional(time)
    }
}

/// A lowercase SHA-256 hex digest of `n`, as a photo hash: that of [`photo_bytes`].
pub fn photo(n: u32) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(photo_bytes(n)))
}

/// The bytes of photo `n`, as a phone uploads them.
pub fn photo_bytes(n: u32) -> Vec<u8> {
    format!("ảnh số {n}").into_bytes()
}

pub fn assert_all_applied(response: &chibo_domain::sync::SyncResponse) {
    for ack in &response.acks {
        assert_eq!(
            ack.outcome,
            chibo_domain::sync::AckOutcome::Applied,
            "#{}",
            ack.device_seq
        );
    }
}
