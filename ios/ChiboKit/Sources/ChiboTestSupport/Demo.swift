import ChiboCore
import Foundation
import Presentation

/// Epoch milliseconds of a wall-clock time in Vietnam (UTC+7).
public func vn(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Int64 {
    Format.vietnamTime(year: year, month: month, day: day, hour: hour, minute: minute)
}

private var fakeCounter = 0
private let fakeCounterLock = NSLock()

/// A UUIDv7-shaped id for fakes (the real core makes its own).
public func fakeId() -> String {
    fakeCounterLock.lock()
    defer { fakeCounterLock.unlock() }
    fakeCounter += 1
    return String(format: "0190a6f0-0000-7000-8000-%012d", fakeCounter)
}

/// The highland cell the tests use: 12 members in every standing.
public final class DemoCell {
    public let cell: Cell
    public let secretary: Member
    public let deputy: Member
    public let committee: Member
    public let active: [Member]
    public let probationary: Member
    public let exempt: Member
    public let attached: Member
    public let workingAway: Member
    public let cadre: Cadre

    public var all: [Member] { [secretary, deputy, committee] + active + [probationary, exempt, attached, workingAway] }

    /// `idOf` makes ids: `fakeId` for fakes, the core's `newId` for a real store.
    public init(idOf: () -> String = fakeId, communeId: String = "0190a6f0-0000-7000-8000-000000000001") {
        let cell = Cell(
            id: idOf(), communeId: communeId, communeName: "Đảng bộ xã Xuân Hòa",
            name: "Chi bộ bản Nà Hẩu", kind: .village,
            meetingPlace: MeetingPlace(label: "Nhà văn hóa bản Nà Hẩu", latitude: 21.7167, longitude: 104.9000, radiusM: 150),
            meetingDay: 24
        )
        func member(
            _ name: String, role: MemberRole = .member, membership: MembershipKind = .full, status: MemberStatus = .active,
            since: String? = nil, reason: String? = nil
        ) -> Member {
            Member(
                id: idOf(), cellId: cell.id, fullName: name, membership: membership, status: status, statusSince: since,
                statusReason: reason, role: role, partyGroup: nil
            )
        }
        self.cell = cell
        secretary = member("Lò Văn Thắng", role: .secretary)
        deputy = member("Hoàng Thị Mai", role: .deputySecretary)
        committee = member("Vàng A Sử", role: .cellCommittee)
        active = ["Lường Văn Páo", "Cầm Thị Hoa", "Quàng Văn Chiến", "Lò Thị Ngọc", "Tòng Văn Hải"].map { member($0) }
        probationary = member("Điêu Thị Thu", membership: .probationary)
        exempt = member("Lò Văn Inh", status: .exempt, since: "2024-03-01", reason: "Tuổi cao, sức yếu")
        attached = member("Hà Văn Dũng", status: .attachedElsewhere, since: "2025-09-15", reason: "Sinh hoạt tạm thời tại chi bộ Trường THCS xã")
        workingAway = member("Lường Thị Xuân", status: .workingAway, since: "2025-02-10", reason: "Đi làm ăn tại Bình Dương")
        cadre = Cadre(id: idOf(), communeId: cell.communeId, fullName: "Nguyễn Văn Bình", title: "Đảng ủy viên")
    }
}
