package chibo.presentation.common

import java.io.InputStream
import java.util.Locale
import javax.xml.parsers.DocumentBuilderFactory
import org.w3c.dom.Element

/**
 * The app's own words (step titles, buttons, hints, the holders' messages), which live in
 * Android's string resources: `android/app/src/main/res/values/strings.xml`, Vietnamese as
 * the default locale. The words of the domain (a grade, an attendance, a verdict) are the
 * core's, through [chibo.presentation.api.Labels].
 *
 * On Android the table reads the resources (so a `values-xx/` translation is picked up);
 * on the JVM (desktop screens, tests) it reads the same file from the classpath.
 */
fun interface StringTable {
    /** The text of [key] as written, with its `%1$s` placeholders. */
    fun raw(key: Str): String
}

object Strings {
    @Volatile
    private var table: StringTable? = null

    /** Android: the resources' table, installed when the application starts. */
    fun install(table: StringTable) {
        this.table = table
    }

    internal fun raw(key: Str): String = (table ?: classpathTable().also { table = it }).raw(key)

    private fun classpathTable(): StringTable {
        val stream = Strings::class.java.getResourceAsStream("/values/strings.xml")
            ?: error("values/strings.xml (android/app/src/main/res) is not on the classpath")
        return stream.use { XmlStringTable.read(it) }
    }
}

/** The text of [key], with [args] in its `%1$s`, `%2$s` placeholders (as Android's getString). */
fun str(key: Str, vararg args: Any?): String {
    val text = Strings.raw(key)
    return if (args.isEmpty()) text else String.format(VIETNAMESE, text, *args)
}

private val VIETNAMESE: Locale = Locale.forLanguageTag("vi")

/** An Android string-resource file read on the JVM, with Android's quoting and escapes. */
class XmlStringTable(private val texts: Map<String, String>) : StringTable {
    override fun raw(key: Str): String = texts[key.name] ?: error("no <string name=\"${key.name}\"> in strings.xml")

    /** Every name in the file, in order. */
    val names: Set<String> get() = texts.keys

    companion object {
        fun read(xml: InputStream): XmlStringTable {
            val doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml)
            val nodes = doc.getElementsByTagName("string")
            val texts = LinkedHashMap<String, String>()
            for (i in 0 until nodes.length) {
                val e = nodes.item(i) as Element
                texts[e.getAttribute("name")] = unescape(e.textContent)
            }
            return XmlStringTable(texts)
        }

        /**
         * What Android's resource compiler makes of a string's text: runs of white space
         * become one space and the ends are trimmed, except inside double quotes; the
         * quotes themselves are dropped; \n, \t, \uXXXX and \x (any other x) are escapes.
         */
        fun unescape(text: String): String {
            val out = StringBuilder()
            // Indices in [out] of the spaces that came from unquoted white space.
            val soft = HashSet<Int>()
            var quoted = false
            var i = 0
            while (i < text.length) {
                val c = text[i]
                when {
                    c == '\\' && i + 1 < text.length -> {
                        when (val e = text[i + 1]) {
                            'n' -> out.append('\n')
                            't' -> out.append('\t')
                            'u' -> {
                                out.append(text.substring(i + 2, i + 6).toInt(16).toChar())
                                i += 4
                            }
                            else -> out.append(e)
                        }
                        i += 2
                        continue
                    }
                    c == '"' -> quoted = !quoted
                    !quoted && c.isWhitespace() -> {
                        if (out.isEmpty() || (out.length - 1) !in soft) {
                            soft += out.length
                            out.append(' ')
                        }
                    }
                    else -> out.append(c)
                }
                i++
            }
            var end = out.length
            while (end > 0 && (end - 1) in soft) end--
            var start = 0
            while (start < end && start in soft) start++
            return out.substring(start, end)
        }
    }
}
