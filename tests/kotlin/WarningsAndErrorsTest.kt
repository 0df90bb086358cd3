package chibo.tests

import java.io.File
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import uniffi.chibo_core.ChiboException
import uniffi.chibo_core.ChiboStore
import uniffi.chibo_core.newId
import uniffi.chibo_domain.Attendance
import uniffi.chibo_domain.MeetingKind
import uniffi.chibo_domain.WarningCode

/** The rules' Vietnamese warnings, and the four errors an app can act on. */
class WarningsAndErrorsTest {
    @Test
    fun aSixtyMinuteMeetingWithSeventyPercentAttendanceIsWarnedInVietnamese() {
        TempStore().use { temp ->
            temp.open().use { store ->
                val roster = Roster()
                roster.importInto(store)
                val start = vn(2026, 11, 24, 19, 30)
                val meeting = store.plan(roster.cell, MeetingKind.REGULAR, start)
                store.updateMeeting(roster.held(meeting, start, 60))
                roster.takeRollCall(store, meeting.id, present = 7)

                val assessment = store.assessMeeting(meeting.id)
                assertEquals(70.0, assessment.attendance.ratePercent)
                val messages = assessment.warnings.map { it.message }
                assertTrue(messages.any { "60 phút" in it }, "no warning names the 60 minutes: $messages")
                assertTrue(messages.any { "70%" in it }, "no warning names the 70%: $messages")
                val codes = assessment.warnings.map { it.code }
                assertTrue(WarningCode.SHORT_DURATION in codes, "codes: $codes")
                assertTrue(WarningCode.LOW_ATTENDANCE in codes, "codes: $codes")
            }
        }
    }

    @Test
    fun anUnknownIdIsNotFound() {
        TempStore().use { temp ->
            temp.open().use { store ->
                val roster = Roster()
                roster.importInto(store)
                val unknown = newId()
                assertFailsWith<ChiboException.NotFound> { store.meetingRecord(unknown) }
                assertFailsWith<ChiboException.NotFound> { store.assessMeeting(unknown) }
                assertFailsWith<ChiboException.NotFound> {
                    store.markAttendance(unknown, roster.secretary.id, Attendance.PRESENT, null)
                }
                val error = assertFailsWith<ChiboException.NotFound> { store.cell(unknown) }
                assertTrue(error.message.orEmpty().isNotBlank())
            }
        }
    }

    @Test
    fun aRollCallNamingAMemberOfAnotherCellIsRefused() {
        TempStore().use { temp ->
            temp.open().use { store ->
                val ours = Roster()
                val theirs = Roster(newCell("Chi bộ bản Co Muông"))
                ours.importInto(store)
                theirs.importInto(store)
                val meeting = store.plan(ours.cell, MeetingKind.REGULAR, vn(2026, 11, 24, 19, 30))

                val error = assertFailsWith<ChiboException.Validation> {
                    store.markAttendance(meeting.id, theirs.secretary.id, Attendance.PRESENT, null)
                }
                assertTrue("chi bộ khác" in error.message.orEmpty(), "message: ${error.message}")
                assertTrue(store.meetingRecord(meeting.id).rollCall.isEmpty(), "nothing was marked")
            }
        }
    }

    @Test
    fun aStorePathThatIsNotWritableIsAStorageError() {
        TempStore().use { temp ->
            // Even root cannot create a file below a regular file.
            val notADirectory = File(temp.dir, "not-a-directory").apply { writeText("") }
            val error = assertFailsWith<ChiboException.Storage> {
                ChiboStore.open(File(notADirectory, "chibo.sqlite3").path, JdkKeystore())
            }
            assertTrue(error.message.orEmpty().isNotBlank())
        }
    }
}
