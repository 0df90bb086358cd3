package chibo.tests

import java.io.File
import java.nio.file.Files
import java.time.LocalDateTime
import java.time.ZoneOffset
import uniffi.chibo_core.ChiboStore
import uniffi.chibo_core.newId
import uniffi.chibo_domain.Attendance
import uniffi.chibo_domain.Cell
import uniffi.chibo_domain.CellKind
import uniffi.chibo_domain.Meeting
import uniffi.chibo_domain.MeetingKind
import uniffi.chibo_domain.MeetingPlace
import uniffi.chibo_domain.Member
import uniffi.chibo_domain.MemberRole
import uniffi.chibo_domain.MemberStatus
import uniffi.chibo_domain.MembershipKind

/** Vietnam is UTC+7 all year. */
private val VIETNAM = ZoneOffset.ofHours(7)

const val MINUTE_MS = 60_000L

/** Epoch milliseconds of a wall-clock time in Vietnam. */
fun vn(year: Int, month: Int, day: Int, hour: Int, minute: Int = 0): Long =
    LocalDateTime.of(year, month, day, hour, minute).toInstant(VIETNAM).toEpochMilli()

/** A throwaway directory holding one store file; deleted by [close]. */
class TempStore : AutoCloseable {
    val dir: File = Files.createTempDirectory("chibo-kotlin-test").toFile()
    val path: String = File(dir, "chibo.sqlite3").absolutePath

    /** The device's keystore, kept across reopenings as the platform's is. */
    val keystore = JdkKeystore()

    fun open(): ChiboStore = ChiboStore.open(path, keystore)

    override fun close() {
        dir.deleteRecursively()
    }
}

fun newCell(name: String = "Chi bộ bản Nà Hẩu"): Cell =
    Cell(
        id = newId(),
        communeId = "0190a6f0-0000-7000-8000-000000000001",
        communeName = "Đảng bộ xã Xuân Hòa",
        name = name,
        kind = CellKind.VILLAGE,
        meetingPlace = MeetingPlace(
            label = "Nhà văn hóa bản Nà Hẩu",
            latitude = 21.7167,
            longitude = 104.9000,
            radiusM = 150.0,
        ),
        meetingDay = 24u.toUByte(),
    )

fun newMember(
    cell: Cell,
    fullName: String,
    role: MemberRole = MemberRole.MEMBER,
    membership: MembershipKind = MembershipKind.FULL,
    status: MemberStatus = MemberStatus.ACTIVE,
    statusSince: String? = null,
    statusReason: String? = null,
): Member =
    Member(
        id = newId(),
        cellId = cell.id,
        fullName = fullName,
        membership = membership,
        status = status,
        statusSince = statusSince,
        statusReason = statusReason,
        role = role,
        partyGroup = null,
    )

/**
 * A village cell of 12 members in every standing: a secretary, a deputy and a committee
 * member; 6 more active full members; one exempt, one attached elsewhere, one working
 * away; one of the active members is probationary. 10 of the 12 are expected at meetings.
 */
class Roster(val cell: Cell = newCell()) {
    val secretary = newMember(cell, "Lò Văn Thắng", role = MemberRole.SECRETARY)
    val deputy = newMember(cell, "Hoàng Thị Mai", role = MemberRole.DEPUTY_SECRETARY)
    val committee = newMember(cell, "Vàng A Sử", role = MemberRole.CELL_COMMITTEE)
    val active = listOf(
        newMember(cell, "Lường Văn Páo"),
        newMember(cell, "Cầm Thị Hoa"),
        newMember(cell, "Quàng Văn Chiến"),
        newMember(cell, "Lò Thị Ngọc"),
        newMember(cell, "Tòng Văn Hải"),
    )
    val probationary = newMember(cell, "Điêu Thị Thu", membership = MembershipKind.PROBATIONARY)
    val exempt = newMember(
        cell, "Lò Văn Inh",
        status = MemberStatus.EXEMPT, statusSince = "2024-03-01", statusReason = "Tuổi cao, sức yếu",
    )
    val attached = newMember(
        cell, "Hà Văn Dũng",
        status = MemberStatus.ATTACHED_ELSEWHERE, statusSince = "2025-09-15",
        statusReason = "Sinh hoạt tạm thời tại chi bộ Trường THCS xã",
    )
    val workingAway = newMember(
        cell, "Lường Thị Xuân",
        status = MemberStatus.WORKING_AWAY, statusSince = "2025-02-10",
        statusReason = "Đi làm ăn tại Bình Dương",
    )

    val all: List<Member> =
        listOf(secretary, deputy, committee) + active + listOf(probationary, exempt, attached, workingAway)

    /** The 10 members counted in the attendance base. */
    val expected: List<Member> = all.filter { it.status == MemberStatus.ACTIVE || it.status == MemberStatus.WORKING_AWAY }

    fun importInto(store: ChiboStore) = store.importRoster(cell, all)

    /**
     * Marks the roll call so that [present] of the 10 expected members attend; the others
     * are absent (the one working away excused, then unexcused). The exempt and attached
     * members are marked as such.
     */
    fun takeRollCall(store: ChiboStore, meetingId: String, present: Int = 10) {
        val absentees = (listOf(workingAway) + active.reversed()).take(expected.size - present).toSet()
        for (member in expected) {
            when {
                member !in absentees -> store.markAttendance(meetingId, member.id, Attendance.PRESENT, null)
                member == workingAway ->
                    store.markAttendance(meetingId, member.id, Attendance.ABSENT_EXCUSED, "Đi làm ăn xa")
                else -> store.markAttendance(meetingId, member.id, Attendance.ABSENT_UNEXCUSED, null)
            }
        }
        store.markAttendance(meetingId, exempt.id, Attendance.EXEMPT, "Tuổi cao, sức yếu")
        store.markAttendance(meetingId, attached.id, Attendance.ATTACHED_ELSEWHERE, null)
    }

    /** A meeting held from [start] for [minutes], chaired by the secretary, minuted by the deputy. */
    fun held(meeting: Meeting, start: Long, minutes: Long): Meeting =
        meeting.copy(
            actualStart = start,
            actualEnd = start + minutes * MINUTE_MS,
            chairId = secretary.id,
            minuteTakerId = deputy.id,
        )
}

/** A planned meeting with the usual place. */
fun ChiboStore.plan(cell: Cell, kind: MeetingKind, start: Long): Meeting =
    planMeeting(cell.id, kind, start, "Nhà văn hóa bản Nà Hẩu")
