package chibo.presentation

import chibo.presentation.common.Str
import chibo.presentation.common.XmlStringTable
import chibo.presentation.common.str
import java.io.File
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** The app's words live in res/values/strings.xml, and the shared code names each one. */
class StringsTest {
    private val android = File(System.getProperty("chibo.appFixtures", "android/presentation/src/test/fixtures"))
        .absoluteFile.parentFile.parentFile.parentFile.parentFile
    private val stringsXml = File(android, "app/src/main/res/values/strings.xml")

    @Test
    fun everyKeyIsAStringResourceAndEveryResourceAKey() {
        val names = stringsXml.inputStream().use { XmlStringTable.read(it) }.names.toList()
        assertEquals(names, Str.entries.map { it.name }, "Str (StrKeys.kt) must list strings.xml's names in order")
    }

    @Test
    fun theWordsReadAsAndroidReadsThem() {
        assertEquals("Sổ Chi bộ", str(Str.app_name))
        // Placeholders are filled as Android's getString(id, args) does.
        assertEquals("2/4 lần tháng này", str(Str.lan_thang_nay, 2, 4))
        // Quoted: the leading space is kept; unquoted white space is one space, trimmed.
        assertEquals(" (2 chờ xác nhận)", str(Str.cho_xac_nhan, 2))
        assertEquals("a b \"c\" d'e\nf  g", XmlStringTable.unescape("  a \n  b \\\"c\\\" d\\'e\\nf\"  g\"  "))
    }

    /** No Vietnamese words typed into the screens', the state holders' or the shell's Kotlin any more. */
    @Test
    fun noUserFacingTextIsLeftInTheKotlinSources() {
        val literal = Regex("\"(?:[^\"\\\\]|\\\\.)*\"")
        val left = listOf("ui/src/commonMain", "presentation/src/main", "app/src/main/kotlin").flatMap { dir ->
            File(android, dir).walk().filter { it.extension == "kt" }.flatMap { file ->
                file.readLines().withIndex().flatMap { (i, line) ->
                    val code = line.trim()
                    if (code.startsWith("//") || code.startsWith("*") || code.startsWith("/*")) emptyList()
                    else literal.findAll(code.substringBefore(" // ")).map { it.value }
                        .filter { s -> s.any { it.code > 127 && it.isLetter() } }
                        .map { "${file.name}:${i + 1}: $it" }.toList()
                }
            }.toList()
        }
        assertTrue(left.isEmpty(), "move these to strings.xml:\n" + left.joinToString("\n"))
    }
}
