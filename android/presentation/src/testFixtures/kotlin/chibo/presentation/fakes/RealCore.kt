package chibo.presentation.fakes

import java.io.File
import java.nio.file.Files
import uniffi.chibo_core.ChiboStore
import uniffi.chibo_core.newId

/** A real store in a throwaway folder: the core library through JNA, as on a phone. */
class RealDevice : AutoCloseable {
    val dir: File = Files.createTempDirectory("chibo-android-test").toFile()
    val path: String = File(dir, "chibo.sqlite3").absolutePath
    private val opened = mutableListOf<ChiboStore>()
    /** The platform keystore: it outlives the app's process, so every open uses it. */
    val keystore = JdkKeystore()

    /** Opens the store file; a second call is the app starting again after being killed. */
    fun open(): ChiboStore = ChiboStore.open(path, keystore).also { opened += it }

    /** A camera file: a copy of a fixture photo, as the camera app would leave it. */
    fun cameraFile(fixture: String = "phone/gps_tagged.jpg"): String {
        val source = File(fixturesDir(), "photos/$fixture")
        check(source.isFile) { "fixture photo missing: $source" }
        val target = File(dir, "camera-${System.nanoTime()}.jpg")
        source.copyTo(target)
        return target.absolutePath
    }

    override fun close() {
        opened.forEach { it.close() }
        dir.deleteRecursively()
    }

    companion object {
        fun fixturesDir(): File = File(System.getProperty("chibo.fixtures") ?: "../shared/fixtures")
    }
}

/** The demo cell with ids the real core accepts (UUIDv7 from the core). */
fun realDemoCell() = DemoCell { newId() }
