package chibo.tests

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNull
import kotlin.test.assertTrue
import uniffi.chibo_core.ChiboException

/** The sync status a device shows before it is enrolled with the commune server. */
class SyncStatusTest {
    @Test
    fun anUnenrolledStoreShowsItsPendingChangesAndRefusesToSync() {
        TempStore().use { temp ->
            temp.open().use { store ->
                val roster = Roster()
                roster.importInto(store)

                val status = store.syncStatus()
                assertNull(status.enrolledAs)
                assertEquals((roster.all.size + 1).toULong(), status.pendingChanges)
                assertEquals(0uL, status.pendingPhotos)
                assertNull(status.lastSuccessAt)
                assertTrue(status.needsAttention.isEmpty())

                val error = assertFailsWith<ChiboException.Unauthorized> { store.syncNow() }
                assertTrue("chưa đăng ký" in error.message.orEmpty(), "message: ${error.message}")
                val after = store.syncStatus()
                assertEquals(error.message, after.lastError)
                assertEquals(status.pendingChanges, after.pendingChanges, "nothing was lost")

                assertFailsWith<ChiboException.Validation> {
                    store.enroll("may-chu-xa", "AB12CD34", "Điện thoại thử", JdkKeystore())
                }
            }
        }
    }
}
