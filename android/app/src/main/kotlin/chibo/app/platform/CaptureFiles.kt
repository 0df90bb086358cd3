package chibo.app.platform

import android.content.ContentProvider
import android.content.ContentValues
import android.content.Context
import android.database.Cursor
import android.database.MatrixCursor
import android.provider.OpenableColumns
import android.net.Uri
import android.os.ParcelFileDescriptor
import java.io.File
import java.io.FileNotFoundException

/**
 * Where the camera app writes a photo: a fresh file in app-private storage, handed to the
 * camera as a content:// URI by [CaptureProvider] (a few lines of android.* instead of
 * AndroidX's FileProvider). The core's photo pipeline then processes and removes it.
 */
class CaptureFiles(private val context: Context) {
    private val dir get() = File(context.filesDir, "capture").apply { mkdirs() }
    /** The capture in progress, on disk: it outlives the Activity and the process. */
    private val prefs = context.getSharedPreferences("capture", Context.MODE_PRIVATE)

    /**
     * A new file for the camera app, remembered with [purpose] (which screen asked: e.g.
     * `meeting:<id>`) until [finish], so that a result arriving after the Activity was
     * recreated or the process killed still reaches the record.
     */
    fun newCapture(purpose: String): Pair<File, Uri> {
        val file = File(dir, "photo-${System.currentTimeMillis()}.jpg")
        prefs.edit().putString("file", file.path).putString("purpose", purpose).commit()
        return file to Uri.parse("content://${context.packageName}.capture/${file.name}")
    }

    /** The capture started and not finished: its file and purpose. */
    fun pending(): Pair<File, String>? {
        val file = prefs.getString("file", null) ?: return null
        return File(file) to (prefs.getString("purpose", null) ?: "")
    }

    fun finish() {
        prefs.edit().clear().commit()
    }

    /** Leftovers of captures that were cancelled or interrupted, and shared documents. */
    fun clearOld(olderThanMs: Long = 24 * 60 * 60 * 1000L) {
        val keep = pending()?.first
        dir.listFiles()?.filter { it != keep && System.currentTimeMillis() - it.lastModified() > olderThanMs }?.forEach { it.delete() }
    }
}

/** Serves only files inside the capture folder: photos the camera app writes, documents the share sheet reads. */
class CaptureProvider : ContentProvider() {
    override fun onCreate() = true

    override fun openFile(uri: Uri, mode: String): ParcelFileDescriptor {
        val dir = File(context!!.filesDir, "capture")
        val name = uri.lastPathSegment ?: throw FileNotFoundException(uri.toString())
        val file = File(dir, name)
        if (file.parentFile?.canonicalPath != dir.canonicalPath) throw FileNotFoundException(uri.toString())
        return ParcelFileDescriptor.open(file, ParcelFileDescriptor.parseMode(mode))
    }

    override fun getType(uri: Uri) =
        if (uri.lastPathSegment?.endsWith(".docx") == true) "application/vnd.openxmlformats-officedocument.wordprocessingml.document" else "image/jpeg"
    /** Name and size, which Zalo, Gmail and other share targets ask for. */
    override fun query(uri: Uri, projection: Array<out String>?, selection: String?, selectionArgs: Array<out String>?, sortOrder: String?): Cursor? {
        val dir = File(context!!.filesDir, "capture")
        val file = File(dir, uri.lastPathSegment ?: return null)
        if (file.parentFile?.canonicalPath != dir.canonicalPath || !file.exists()) return null
        val columns = projection ?: arrayOf(OpenableColumns.DISPLAY_NAME, OpenableColumns.SIZE)
        return MatrixCursor(columns).apply {
            addRow(
                columns.map<String, Any?> {
                    when (it) {
                        OpenableColumns.SIZE -> file.length()
                        OpenableColumns.DISPLAY_NAME -> file.name
                        else -> null
                    }
                }.toTypedArray(),
            )
        }
    }
    override fun insert(uri: Uri, values: ContentValues?): Uri? = null
    override fun delete(uri: Uri, selection: String?, selectionArgs: Array<out String>?) = 0
    override fun update(uri: Uri, values: ContentValues?, selection: String?, selectionArgs: Array<out String>?) = 0
}
