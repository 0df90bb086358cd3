package chibo.app.platform

import android.content.ContentProvider
import android.content.ContentValues
import android.content.Context
import android.database.Cursor
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

    fun newCapture(): Pair<File, Uri> {
        val file = File(dir, "photo-${System.currentTimeMillis()}.jpg")
        return file to Uri.parse("content://${context.packageName}.capture/${file.name}")
    }

    /** Leftovers of captures that were cancelled or interrupted. */
    fun clearOld(olderThanMs: Long = 24 * 60 * 60 * 1000L) {
        dir.listFiles()?.filter { System.currentTimeMillis() - it.lastModified() > olderThanMs }?.forEach { it.delete() }
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
    override fun query(uri: Uri, projection: Array<out String>?, selection: String?, selectionArgs: Array<out String>?, sortOrder: String?): Cursor? = null
    override fun insert(uri: Uri, values: ContentValues?): Uri? = null
    override fun delete(uri: Uri, selection: String?, selectionArgs: Array<out String>?) = 0
    override fun update(uri: Uri, values: ContentValues?, selection: String?, selectionArgs: Array<out String>?) = 0
}
