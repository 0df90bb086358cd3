package chibo.tests

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import uniffi.chibo_core.ChiboException
import uniffi.chibo_core.ChiboStore
import uniffi.chibo_domain.qualityGradeLabel
import uniffi.chibo_core.standardAgenda
import uniffi.chibo_domain.AgendaItem
import uniffi.chibo_domain.AgendaSection
import uniffi.chibo_domain.Attendance
import uniffi.chibo_domain.Guest
import uniffi.chibo_domain.JudgedScores
import uniffi.chibo_domain.Meeting
import uniffi.chibo_domain.MeetingKind
import uniffi.chibo_domain.MeetingRecord
import uniffi.chibo_domain.MeetingStatus
import uniffi.chibo_domain.PetitionCategory
import uniffi.chibo_domain.PetitionStatus
import uniffi.chibo_domain.Preparation
import uniffi.chibo_domain.ResolutionText
import uniffi.chibo_domain.Speaker
import uniffi.chibo_domain.Task
import uniffi.chibo_domain.TaskOutcome
import uniffi.chibo_domain.VoteKind

/**
 * The secretary's whole month through the Kotlin bindings: last month's meeting signed with
 * tasks, this month's meeting planned, held, recorded in every part, scored and signed;
 * then the store is reopened and everything reads back equal, and the signed meeting is
 * frozen.
 */
class MeetingRecordTest {
    private val scores = JudgedScores(
        contentPrepared = 3u, orientationAndDraft = 2u, committeePremeeting = 2u,
        fullProcedure = 5u, regularContent = 9u, thematicPart = 0u, praiseAndCriticism = 2u,
        ideologyTime = 1u, documentsPosted = 1u, chairing = 9u, principles = 5u,
        conclusionAdopted = 2u, minutesAdoptedAndTasks = 2u,
    )

    /** Last month's regular meeting, held, minuted and signed, assigning two tasks. */
    private fun signLastMonth(store: ChiboStore, roster: Roster): List<Task> {
        val start = vn(2026, 10, 24, 19, 30)
        val planned = store.plan(roster.cell, MeetingKind.REGULAR, start)
        store.updateMeeting(roster.held(planned, start, 100).copy(minutesApproved = true, conclusion = "Thống nhất."))
        store.setAgenda(planned.id, standardAgenda(MeetingKind.REGULAR))
        roster.takeRollCall(store, planned.id)
        val tasks = listOf(
            store.addTask(planned.id, "Vận động nhân dân làm đường bê tông nội bản", roster.committee.id, "2026-11-20"),
            store.addTask(planned.id, "Thu đảng phí quý IV", roster.deputy.id, "2026-11-15"),
        )
        store.signMeeting(planned.id)
        return tasks
    }

    /** This month's meeting, recorded in every part and signed. Returns its id. */
    private fun recordAndSignThisMonth(store: ChiboStore, roster: Roster, lastMonthsTasks: List<Task>): String {
        val start = vn(2026, 11, 24, 19, 30)
        val planned = store.plan(roster.cell, MeetingKind.REGULAR, start)
        assertEquals(MeetingStatus.PLANNED, planned.status)
        assertEquals(1u, planned.revision)
        assertEquals(roster.cell.id, planned.cellId)
        assertEquals(start, planned.plannedStart)

        val header = roster.held(planned, start + 5 * MINUTE_MS, 110).copy(
            guests = listOf(Guest("Nguyễn Văn Bình", "Đảng ủy viên, phụ trách chi bộ", true)),
            preparation = Preparation(
                noticeSentToMembers = true,
                noticeSentToCadre = true,
                documentsSentAt = start - 3 * 24 * 60 * MINUTE_MS,
            ),
            partyFeeNote = "Đã thu đủ đảng phí tháng 11",
            conclusion = "Chi bộ thống nhất tập trung hoàn thành đường bê tông trước Tết.",
            resolution = ResolutionText("Số 11-NQ/CB", "Nghị quyết tháng 11/2026 của chi bộ bản Nà Hẩu"),
            minutesApproved = true,
        )
        store.updateMeeting(header)

        val agenda = standardAgenda(MeetingKind.REGULAR)
        assertTrue(agenda.isNotEmpty(), "the standard agenda is empty")
        store.setAgenda(planned.id, agenda)

        roster.takeRollCall(store, planned.id, present = 9)

        val speeches = listOf(
            store.addSpeech(planned.id, Speaker.Member(roster.active[0].id), "Đề nghị làm rõ tiến độ làm đường."),
            store.addSpeech(planned.id, Speaker.Member(roster.probationary.id), "Xin nhận nhiệm vụ tuyên truyền."),
            store.addSpeech(planned.id, Speaker.Guest("Nguyễn Văn Bình"), "Đảng ủy ghi nhận kết quả của chi bộ."),
        )
        assertEquals(3, speeches.map { it.id }.toSet().size)

        val previous = store.previousTasks(planned.id)
        assertEquals(lastMonthsTasks.sortedBy { it.id }, previous.sortedBy { it.id })
        store.reviewTask(planned.id, lastMonthsTasks[0].id, TaskOutcome.PARTLY_DONE, "Đã làm được 300 m")
        store.reviewTask(planned.id, lastMonthsTasks[1].id, TaskOutcome.DONE, null)

        val task = store.addTask(planned.id, "Hoàn thành 200 m đường còn lại", roster.committee.id, "2026-12-20")
        assertEquals("2026-12-20", task.deadline)

        val vote = store.recordVote(planned.id, "Thông qua nghị quyết tháng 11", VoteKind.ORDINARY, 9u, 0u, 0u)
        assertEquals(9u, vote.inFavor)

        val petition = store.raisePetition(
            planned.id, "Đề nghị xã hỗ trợ xi măng làm đường", PetitionCategory.INFRASTRUCTURE, "Nhân dân bản Nà Hẩu",
        )
        assertEquals(PetitionStatus.RAISED, petition.status)
        assertEquals(planned.id, petition.meetingId)

        store.setSecretaryScore(planned.id, scores)

        val signed = store.signMeeting(planned.id)
        assertEquals(MeetingStatus.SIGNED, signed.meeting.status)
        val signature = assertNotNull(signed.meeting.signature)
        assertEquals(roster.secretary.fullName, signature.chairName)
        assertEquals(roster.deputy.fullName, signature.minuteTakerName)

        // Everything recorded is in the record, as given.
        val record = store.meetingRecord(planned.id)
        assertEquals(header.copy(status = MeetingStatus.SIGNED, secretaryJudgement = scores, signature = signature), record.meeting)
        assertEquals(agenda, record.agenda)
        assertEquals(12, record.rollCall.size)
        assertEquals(9, record.rollCall.count { it.attendance == Attendance.PRESENT })
        assertEquals(speeches.sortedBy { it.id }, record.speeches.sortedBy { it.id })
        assertEquals(setOf(TaskOutcome.PARTLY_DONE, TaskOutcome.DONE), record.taskReviews.map { it.outcome }.toSet())
        assertEquals(listOf(task), record.tasks)
        assertEquals(listOf(vote), record.votes)
        assertEquals(listOf(petition), record.petitions)
        return planned.id
    }

    @Test
    fun aWholeMeetingIsRecordedSignedAndReadBackAfterReopeningTheStore() {
        TempStore().use { temp ->
            val roster = Roster()
            val meetingId: String
            val before: MeetingRecord
            val lastMonth: List<Task>
            temp.open().use { store ->
                roster.importInto(store)
                assertEquals(listOf(roster.cell), store.cells())
                assertEquals(roster.all.sortedBy { it.id }, store.members(roster.cell.id).sortedBy { it.id })

                lastMonth = signLastMonth(store, roster)
                meetingId = recordAndSignThisMonth(store, roster, lastMonth)
                before = store.meetingRecord(meetingId)
                assertTrue(store.pendingChangeCount() > 0u, "changes are queued for sync")
            }

            // A new process opening the same file sees the same record.
            temp.open().use { store ->
                assertEquals(listOf(roster.cell), store.cells())
                assertEquals(roster.all.sortedBy { it.id }, store.members(roster.cell.id).sortedBy { it.id })
                assertEquals(before, store.meetingRecord(meetingId))
                assertEquals(lastMonth.sortedBy { it.id }, store.previousTasks(meetingId).sortedBy { it.id })

                val history = store.meetingHistory(roster.cell.id)
                assertEquals(2, history.size)
                assertTrue(history.all { it.status == MeetingStatus.SIGNED })
                assertTrue(history.any { it.meetingId == meetingId && it.durationMinutes == 110L })

                val home = store.home(roster.cell.id)
                assertEquals(roster.cell, home.cell)
                assertEquals(meetingId, home.lastMeeting?.meetingId)
                assertTrue(home.pendingChanges > 0u)

                val viability = store.cellViability(roster.cell.id)
                assertEquals(12u, viability.totalMembers)
                assertEquals(11u, viability.fullMembers)

                val assessment = store.assessMeeting(meetingId)
                assertEquals(90.0, assessment.attendance.ratePercent)
                assertEquals(10u, assessment.attendance.expected)
                assertEquals(110L, assessment.durationMinutes)
                assertTrue(assessment.quality.judgedEntered, "the secretary's score is used")
                assertTrue(assessment.quality.total > 0u, "quality total: ${assessment.quality.total}")
                assertTrue(qualityGradeLabel(assessment.quality.grade).isNotBlank())

                val minutes = store.minutesText(meetingId)
                assertTrue(roster.secretary.fullName in minutes, "the minutes name the chair")
            }
        }
    }

    @Test
    fun aSignedMeetingIsFrozenAndIsCorrectedByANewRevision() {
        TempStore().use { temp ->
            val roster = Roster()
            temp.open().use { store ->
                roster.importInto(store)
                val lastMonth = signLastMonth(store, roster)
                val meetingId = recordAndSignThisMonth(store, roster, lastMonth)
                val signed = store.meetingRecord(meetingId)

                val edits: List<Pair<String, () -> Unit>> = listOf(
                    "update the header" to { store.updateMeeting(signed.meeting.copy(conclusion = "Sửa lại kết luận")) },
                    "change the roll call" to {
                        store.markAttendance(meetingId, roster.active[4].id, Attendance.PRESENT, null)
                    },
                    "add a speech" to { store.addSpeech(meetingId, Speaker.Member(roster.deputy.id), "Bổ sung") },
                    "add a task" to { store.addTask(meetingId, "Việc mới", roster.deputy.id, "2026-12-31") },
                    "change the agenda" to {
                        store.setAgenda(meetingId, listOf(AgendaItem(AgendaSection.BODY, "Thêm mục", null)))
                    },
                    "sign again" to { store.signMeeting(meetingId) },
                )
                for ((what, edit) in edits) {
                    val error = assertFailsWith<ChiboException.Frozen>("$what on a signed meeting") { edit() }
                    assertTrue(error.message.orEmpty().isNotBlank(), "Frozen carries a message")
                }
                assertEquals(signed, store.meetingRecord(meetingId), "a refused edit changed nothing")

                // The correction is a new, editable revision; the signed original stays.
                val correction: Meeting = store.startCorrection(meetingId)
                assertNotEquals(meetingId, correction.id)
                assertEquals(2u, correction.revision)
                assertEquals(meetingId, correction.revisionOf)
                assertNotEquals(MeetingStatus.SIGNED, correction.status)
                assertNull(correction.signature)
                store.updateMeeting(correction.copy(conclusion = "Kết luận đã đính chính"))
                assertEquals("Kết luận đã đính chính", store.meetingRecord(correction.id).meeting.conclusion)
                assertEquals(signed, store.meetingRecord(meetingId))
            }
        }
    }
}
