package chibo.presentation

import chibo.presentation.fakes.FakeCamera
import chibo.presentation.fakes.FakeClock
import chibo.presentation.fakes.FakeCore
import chibo.presentation.fakes.MemoryDrafts
import chibo.presentation.fakes.vn
import chibo.presentation.impl.BindingsLabels
import chibo.presentation.meeting.MeetingFlowStateHolder
import chibo.presentation.secretary.HistoryStateHolder
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import uniffi.chibo_domain.Attendance
import uniffi.chibo_domain.GuidanceKind
import uniffi.chibo_domain.MeetingKind
import uniffi.chibo_domain.MeetingStatus
import uniffi.chibo_domain.MemberRole
import uniffi.chibo_domain.MemberStatus
import uniffi.chibo_domain.MembershipKind
import uniffi.chibo_domain.PetitionCategory
import uniffi.chibo_domain.PetitionStatus
import uniffi.chibo_domain.QualityGrade
import uniffi.chibo_domain.TaskOutcome
import uniffi.chibo_domain.VoteKind
import uniffi.chibo_domain.attendanceLabel
import uniffi.chibo_domain.guidanceKindLabel
import uniffi.chibo_domain.judgedItems
import uniffi.chibo_domain.meetingKindLabel
import uniffi.chibo_domain.meetingStatusLabel
import uniffi.chibo_domain.memberRoleLabel
import uniffi.chibo_domain.memberStatusLabel
import uniffi.chibo_domain.membershipLabel
import uniffi.chibo_domain.petitionCategoryLabel
import uniffi.chibo_domain.petitionStatusLabel
import uniffi.chibo_domain.qualityGradeLabel
import uniffi.chibo_domain.taskOutcomeLabel
import uniffi.chibo_domain.voteKindLabel

/**
 * The phone's words are the core's: the same functions the commune's dashboard renders
 * with (server/tests/dashboard_labels.rs checks that side). No word is written in Kotlin.
 */
class LabelsTest {
    private val scope = CoroutineScope(Dispatchers.Unconfined)
    private val work = Dispatchers.Unconfined

    /** Every value of [entries] has its own word, and the app's [BindingsLabels] says exactly that word. */
    private fun <E> assertOwnWords(entries: List<E>, core: (E) -> String, app: (E) -> String) {
        val words = entries.map(core)
        assertTrue(words.all { it.isNotBlank() }, words.toString())
        assertEquals(words.size, words.toSet().size, "one word per value: $words")
        assertEquals(words, entries.map(app))
    }

    @Test
    fun everyValueHasOneWordAndTheAppSaysIt() = with(BindingsLabels) {
        assertOwnWords(MeetingKind.entries, ::meetingKindLabel) { it.label() }
        assertOwnWords(MeetingStatus.entries, ::meetingStatusLabel) { it.label() }
        assertOwnWords(Attendance.entries, ::attendanceLabel) { it.label() }
        assertOwnWords(MemberStatus.entries, ::memberStatusLabel) { it.label() }
        assertOwnWords(MembershipKind.entries, ::membershipLabel) { it.label() }
        assertOwnWords(MemberRole.entries, ::memberRoleLabel) { it.label() }
        assertOwnWords(PetitionCategory.entries, ::petitionCategoryLabel) { it.label() }
        assertOwnWords(PetitionStatus.entries, ::petitionStatusLabel) { it.label() }
        assertOwnWords(TaskOutcome.entries, ::taskOutcomeLabel) { it.label() }
        assertOwnWords(VoteKind.entries, ::voteKindLabel) { it.label() }
        assertOwnWords(QualityGrade.entries, ::qualityGradeLabel) { it.label() }
        assertOwnWords(GuidanceKind.entries, ::guidanceKindLabel) { it.label() }
        // The review's example: 48 of 49 present reads "98%", as on the dashboard.
        assertEquals("98%", percent(48 * 100.0 / 49))
        assertEquals("88,2%", percent(15 * 100.0 / 17))
    }

    @Test
    fun theHistoryShowsEachKindAndStatusInTheCoresWords() {
        val core = FakeCore()
        val cell = core.demo.cell.id
        val planned = core.plan(cell, MeetingKind.THEMATIC, vn(2026, 12, 5, 19, 30), "Nhà văn hóa")
        val inProgress = core.plan(cell, MeetingKind.EXTRAORDINARY, vn(2026, 11, 20, 8, 0), "Nhà văn hóa")
        core.updateMeeting(inProgress.copy(actualStart = vn(2026, 11, 20, 8, 5)))
        val recorded = core.plan(cell, MeetingKind.MODEL, vn(2026, 10, 24, 19, 30), "Nhà văn hóa")
        core.updateMeeting(recorded.copy(actualStart = vn(2026, 10, 24, 19, 30), actualEnd = vn(2026, 10, 24, 21, 0)))
        val signed = core.plan(cell, MeetingKind.REGULAR_WITH_THEMATIC, vn(2026, 9, 24, 19, 30), "Nhà văn hóa")
        core.updateMeeting(
            signed.copy(
                actualStart = vn(2026, 9, 24, 19, 30), actualEnd = vn(2026, 9, 24, 21, 30),
                chairId = core.demo.all[0].id, minuteTakerId = core.demo.all[1].id,
            ),
        )
        core.sign(signed.id)
        val history = HistoryStateHolder(core, cell, scope, work).apply { load() }
        val rows = history.state.value.rows.associateBy { it.meetingId }
        for ((meeting, status) in listOf(
            planned to MeetingStatus.PLANNED, inProgress to MeetingStatus.IN_PROGRESS,
            recorded to MeetingStatus.RECORDED, signed to MeetingStatus.SIGNED,
        )) {
            val row = rows.getValue(meeting.id)
            assertEquals(meetingStatusLabel(status), row.status)
            assertTrue(row.title.startsWith(meetingKindLabel(meeting.kind)), row.title)
        }
    }

    @Test
    fun theScoreSheetIsTheCoresThirteenJudgedParts() {
        val core = FakeCore()
        val meeting = core.plan(core.demo.cell.id, MeetingKind.REGULAR, vn(2026, 11, 24, 19, 30), "Nhà văn hóa")
        val flow = MeetingFlowStateHolder(core, core, core, FakeCamera(), FakeClock(), MemoryDrafts(), scope, work)
        flow.load(meeting.id)
        val items = judgedItems()
        assertEquals(13, items.size)
        assertEquals(items.map { it.label to it.max.toInt() }, flow.state.value.closing.scores.map { it.label to it.max })
        assertEquals(items.map { it.part.name }, flow.state.value.closing.scores.map { it.key })
    }
}
