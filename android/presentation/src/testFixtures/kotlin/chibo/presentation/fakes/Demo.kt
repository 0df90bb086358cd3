package chibo.presentation.fakes

import java.time.LocalDateTime
import java.time.ZoneOffset
import uniffi.chibo_domain.Cadre
import uniffi.chibo_domain.Cell
import uniffi.chibo_domain.CellKind
import uniffi.chibo_domain.MeetingPlace
import uniffi.chibo_domain.Member
import uniffi.chibo_domain.MemberRole
import uniffi.chibo_domain.MemberStatus
import uniffi.chibo_domain.MembershipKind

/** Epoch milliseconds of a wall-clock time in Vietnam (UTC+7). */
fun vn(year: Int, month: Int, day: Int, hour: Int, minute: Int = 0): Long =
    LocalDateTime.of(year, month, day, hour, minute).toInstant(ZoneOffset.ofHours(7)).toEpochMilli()

private var counter = 0
/** A UUIDv7-shaped id for fakes (the real core makes its own). */
fun fakeId(): String = "0190a6f0-0000-7000-8000-%012d".format(++counter)

/** The highland cell the tests and screenshots use: 12 members in every standing. */
class DemoCell(private val idOf: () -> String = ::fakeId) {
    val cell = Cell(
        id = idOf(),
        communeId = "0190a6f0-0000-7000-8000-000000000001",
        communeName = "Đảng bộ xã Xuân Hòa",
        name = "Chi bộ bản Nà Hẩu",
        kind = CellKind.VILLAGE,
        meetingPlace = MeetingPlace("Nhà văn hóa bản Nà Hẩu", 21.7167, 104.9000, 150.0),
        meetingDay = 24u.toUByte(),
    )

    private fun member(name: String, role: MemberRole = MemberRole.MEMBER, membership: MembershipKind = MembershipKind.FULL,
        status: MemberStatus = MemberStatus.ACTIVE, since: String? = null, reason: String? = null) =
        Member(idOf(), cell.id, name, membership, status, since, reason, role, null)

    val secretary = member("Lò Văn Thắng", MemberRole.SECRETARY)
    val deputy = member("Hoàng Thị Mai", MemberRole.DEPUTY_SECRETARY)
    val committee = member("Vàng A Sử", MemberRole.CELL_COMMITTEE)
    val active = listOf(
        member("Lường Văn Páo"), member("Cầm Thị Hoa"), member("Quàng Văn Chiến"), member("Lò Thị Ngọc"), member("Tòng Văn Hải"),
    )
    val probationary = member("Điêu Thị Thu", membership = MembershipKind.PROBATIONARY)
    val exempt = member("Lò Văn Inh", status = MemberStatus.EXEMPT, since = "2024-03-01", reason = "Tuổi cao, sức yếu")
    val attached = member("Hà Văn Dũng", status = MemberStatus.ATTACHED_ELSEWHERE, since = "2025-09-15", reason = "Sinh hoạt tạm thời tại chi bộ Trường THCS xã")
    val workingAway = member("Lường Thị Xuân", status = MemberStatus.WORKING_AWAY, since = "2025-02-10", reason = "Đi làm ăn tại Bình Dương")

    val all: List<Member> = listOf(secretary, deputy, committee) + active + listOf(probationary, exempt, attached, workingAway)

    val cadre = Cadre(idOf(), cell.communeId, "Nguyễn Văn Bình", "Đảng ủy viên")
}
