package chibo.presentation

import chibo.presentation.fakes.FakeCamera
import chibo.presentation.fakes.FakeClock
import chibo.presentation.fakes.JdkKeystore
import chibo.presentation.fakes.RealDevice
import chibo.presentation.fakes.realDemoCell
import chibo.presentation.impl.BindingsCore
import chibo.presentation.impl.CoreDrafts
import chibo.presentation.meeting.MeetingFlowStateHolder
import java.io.File
import kotlin.test.AfterTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import uniffi.chibo_core.ChiboException
import uniffi.chibo_core.ChiboStore
import uniffi.chibo_domain.MeetingKind

/**
 * The app's store at rest, as the app writes it through its own classes: SQLCipher under
 * a key the keystore wraps. Nothing a member is called can be read from its files;
 * without the keystore's key it does not open, and says so in Vietnamese; a store from
 * the version before encryption is encrypted on first open and keeps every record.
 */
class AppStoreEncryptionTest {
    private val device = RealDevice()

    @AfterTest
    fun cleanUp() = device.close()

    /** Every file of the store: the database, its WAL and shared memory, any journal. */
    private fun storeFiles(path: String): List<File> {
        val db = File(path)
        return db.parentFile.listFiles().orEmpty().filter { it.name.startsWith(db.name) && !it.name.endsWith(".key") }.sortedBy { it.name }
    }

    private fun readable(files: List<File>, words: List<String>): List<String> = files.flatMap { file ->
        val bytes = file.readBytes()
        words.filter { word -> bytes.indexOf(word.toByteArray(Charsets.UTF_8)) >= 0 }.map { "$it in ${file.name}" }
    }

    private fun ByteArray.indexOf(needle: ByteArray): Int {
        outer@ for (i in 0..size - needle.size) {
            for (j in needle.indices) if (this[i + j] != needle[j]) continue@outer
            return i
        }
        return -1
    }

    @Test
    fun noMemberNameIsReadableInTheAppStoreFiles() {
        // Kept after the run, for anyone to look at (tests/lib/android.sh says where).
        val keptDir = File(System.getProperty("chibo.appStore") ?: File(device.dir, "kept").path).apply { deleteRecursively(); mkdirs() }
        val path = File(keptDir, "chibo.sqlite3").path
        val keystore = JdkKeystore()
        val store = ChiboStore.open(path, keystore)
        val demo = realDemoCell()
        store.importRoster(demo.cell, demo.all)
        val core = BindingsCore(store)
        val meeting = core.plan(demo.cell.id, MeetingKind.REGULAR, System.currentTimeMillis(), "Nhà văn hóa bản Nà Hẩu")
        val drafts = CoreDrafts(store)
        val flow = MeetingFlowStateHolder(core, core, null, FakeCamera(), FakeClock(), drafts, CoroutineScope(Dispatchers.Unconfined), Dispatchers.Unconfined)
        flow.load(meeting.id)
        flow.startNow()
        flow.chooseSpeaker(demo.active[0].id)
        flow.editGist("Đồng chí ${demo.active[1].fullName} đề nghị sửa đường nội bản")
        flow.addSpeech()
        flow.editConclusion("Giao đồng chí ${demo.secretary.fullName} đôn đốc")
        drafts.flush()

        val names = demo.all.map { it.fullName } + demo.cell.name
        val files = storeFiles(path)
        assertTrue(files.any { it.name.endsWith("-wal") }, "the WAL is read too: $files")
        assertEquals(emptyList(), readable(files, names + "SQLite format 3"))
        assertEquals(names.size - 1, store.members(demo.cell.id).size, "and it reads back through its key")
        store.close()
        assertEquals(emptyList(), readable(storeFiles(path), names))

        // Reopened (the app started again): the drafts typed before are there.
        val again = ChiboStore.open(path, keystore)
        assertEquals("Giao đồng chí ${demo.secretary.fullName} đôn đốc", CoreDrafts(again).get("meeting:${meeting.id}:conclusion"))
        again.close()
    }

    @Test
    fun withoutTheKeystoresKeyTheStoreDoesNotOpenAndSaysWhy() {
        val store = device.open()
        val demo = realDemoCell()
        store.importRoster(demo.cell, demo.all)
        store.close()

        // Another phone's keystore (or the Keystore reset): the key does not unwrap.
        val error = assertFailsWith<ChiboException.Storage> { ChiboStore.open(device.path, JdkKeystore()) }
        assertTrue(error.message!!.startsWith("Kho khóa của máy không mở được khóa của sổ dữ liệu"), error.message)

        // The wrapped key gone: refused plainly, and no new key is made over the store.
        File(device.path + ".key").delete()
        val missing = assertFailsWith<ChiboException.Storage> { ChiboStore.open(device.path, device.keystore) }
        assertTrue("không tìm thấy khóa" in missing.message!!, missing.message)
        assertFalse(File(device.path + ".key").exists())
    }

    @Test
    fun aStoreFromBeforeEncryptionIsEncryptedOnFirstOpenKeepingEveryRecord() {
        // Written by the app before this version (schema 5, plain SQLite): a cell of six
        // members and a signed meeting, as `chibo` made them (tests/fixtures of the CLI).
        val fixture = File(System.getProperty("chibo.appFixtures") ?: "android/presentation/src/test/fixtures", "plain-store-v5.sqlite3")
        assertTrue(fixture.isFile, "fixture missing: $fixture")
        fixture.copyTo(File(device.path))
        assertEquals("SQLite format 3", String(File(device.path).readBytes().copyOf(15)))
        assertTrue(readable(listOf(File(device.path)), listOf("Lò Thị Xuân")).isNotEmpty(), "the old store is plain")

        val store = device.open()
        val cellId = "0192f000-0000-7000-8000-000000000001"
        val meetingId = "0192f000-0000-7000-8000-000000000100"
        val members = store.members(cellId)
        assertEquals(6, members.size)
        assertTrue(members.any { it.fullName == "Lò Thị Xuân" })
        val record = store.meetingRecord(meetingId)
        assertEquals(uniffi.chibo_domain.MeetingStatus.SIGNED, record.meeting.status)
        assertEquals(6, record.rollCall.size)
        assertTrue(record.petitions.any { "cầu treo" in it.content }, record.petitions.toString())
        assertEquals(1, store.meetingHistory(cellId).size)
        assertTrue(store.syncStatus().pendingChanges > 0u, "the outbox too: nothing sent yet is lost")
        store.close()
        assertEquals(emptyList(), readable(storeFiles(device.path), members.map { it.fullName } + "SQLite format 3"))
    }
}
