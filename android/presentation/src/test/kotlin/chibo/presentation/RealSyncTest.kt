package chibo.presentation

import chibo.presentation.common.SyncStateHolder
import chibo.presentation.common.Tone
import chibo.presentation.fakes.JdkKeystore
import chibo.presentation.fakes.RealDevice
import chibo.presentation.fakes.realDemoCell
import chibo.presentation.impl.BindingsEnrollment
import chibo.presentation.impl.BindingsSync
import kotlin.test.AfterTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers

/** The sync indicator on the real sync engine, on a device that has not been enrolled. */
class RealSyncTest {
    private val device = RealDevice()

    @AfterTest
    fun cleanUp() = device.close()

    @Test
    fun anUnenrolledDeviceShowsWhatWaitsAndWhySendingFailed() {
        val store = device.open()
        val demo = realDemoCell()
        store.importRoster(demo.cell, demo.all)
        val sync = SyncStateHolder(BindingsSync(store), null, CoroutineScope(Dispatchers.Unconfined), Dispatchers.Unconfined)
        sync.refresh()
        val pending = store.syncStatus().pendingChanges.toLong()
        assertEquals(13L, pending, "the cell and its 12 members wait in the outbox")
        assertEquals("Chờ gửi 13 mục", sync.state.value.headline)
        assertEquals("13 thay đổi · Chưa gửi lần nào", sync.state.value.detail)
        assertNull(BindingsEnrollment(store, JdkKeystore(), "test").current())

        sync.syncNow()
        val after = sync.state.value
        assertFalse(after.running)
        assertTrue(after.tone == Tone.Warning || after.tone == Tone.Problem, after.toString())
        assertFalse(after.lastError.isNullOrBlank(), "the core says why nothing was sent: $after")
        assertEquals(pending, store.syncStatus().pendingChanges.toLong(), "nothing is lost")
    }
}
