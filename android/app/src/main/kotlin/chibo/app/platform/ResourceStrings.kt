package chibo.app.platform

import android.annotation.SuppressLint
import android.content.Context
import chibo.presentation.common.Str
import chibo.presentation.common.StringTable

/**
 * The app's words from its string resources (res/values/strings.xml, Vietnamese by
 * default; a values-xx/ translation would be picked by the system's language). The keys
 * are looked up by name once each: the shared code names them with [Str], whose entries
 * StringsTest keeps equal to the file's; res/raw/keep.xml keeps them through shrinking.
 */
class ResourceStrings(private val context: Context) : StringTable {
    private val ids = IntArray(Str.entries.size)

    @SuppressLint("DiscouragedApi")
    override fun raw(key: Str): String {
        var id = ids[key.ordinal]
        if (id == 0) {
            id = context.resources.getIdentifier(key.name, "string", context.packageName)
            check(id != 0) { "no string resource ${key.name}" }
            ids[key.ordinal] = id
        }
        return context.getString(id)
    }
}
