package chibo.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.ui.graphics.asSkiaBitmap
import androidx.compose.ui.platform.LocalDensity
import androidx.compose.ui.semantics.SemanticsActions
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.test.ComposeUiTest
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.captureToImage
import androidx.compose.ui.test.onRoot
import androidx.compose.ui.test.runDesktopComposeUiTest
import androidx.compose.ui.text.TextLayoutResult
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.platform.Font
import androidx.compose.ui.unit.Density
import chibo.ui.theme.ChiboTheme
import java.io.File
import org.jetbrains.skia.EncodedImageFormat
import org.jetbrains.skia.Image
import kotlin.test.fail

/** A phone: 360×800 dp at 3 px per dp (1080×2400 px), like a common low-end Android. */
const val WIDTH_PX = 1080
const val HEIGHT_PX = 2400
const val DENSITY = 3f

/** The default text size and the largest the settings offer ("Rất lớn"). */
val TEXT_SIZES = listOf("default" to 1f, "largest" to chibo.presentation.common.TEXT_SCALES.maxOf { it.second })

/** Noto Sans from the system (tests/lib/android.sh installs fonts-noto-core): full Vietnamese. */
val NOTO: FontFamily by lazy {
    val regular = System.getProperty("chibo.font") ?: "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"
    val bold = System.getProperty("chibo.fontBold") ?: "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"
    FontFamily(Font(File(regular), FontWeight.Normal), Font(File(regular), FontWeight.Medium), Font(File(bold), FontWeight.Bold))
}

val SCREENS_DIR: File = File(System.getProperty("chibo.screens") ?: "target/test-output/android-screens").apply { mkdirs() }

/** The app's theme at a phone's density and the given text scale, with Noto Sans. */
@Composable
fun Phone(textScale: Float, density: Float = DENSITY, content: @Composable () -> Unit) {
    CompositionLocalProvider(LocalDensity provides Density(density, 1f)) {
        ChiboTheme(textScale = textScale, fontFamily = NOTO, content = content)
    }
}

/**
 * Renders [content] at both text sizes to `<name>-default.png` and `<name>-largest.png`
 * (the first screenful, as a phone shows it), and, when the screen scrolls, again on a
 * screen tall enough for all of it to `<name>-<size>-full.png`: every part of a long
 * screen is seen, not only its top. Fails if any text is cut: overflowing its box, or
 * running past the screen's right edge.
 */
@OptIn(ExperimentalTestApi::class)
fun shoot(name: String, content: @Composable () -> Unit) {
    for ((size, scale) in TEXT_SIZES) {
        var scrollPx = 0f
        runDesktopComposeUiTest(WIDTH_PX, HEIGHT_PX) {
            setContent { Phone(scale) { content() } }
            waitForIdle()
            assertNoClippedText("$name-$size")
            save(onRoot().captureToImage(), "$name-$size")
            scrollPx = onAllNodes(SemanticsMatcher.keyIsDefined(SemanticsProperties.VerticalScrollAxisRange)).fetchSemanticsNodes()
                .maxOfOrNull { it.config[SemanticsProperties.VerticalScrollAxisRange].maxValue() } ?: 0f
        }
        if (scrollPx > 0f) {
            runDesktopComposeUiTest(WIDTH_PX, HEIGHT_PX + kotlin.math.ceil(scrollPx).toInt()) {
                setContent { Phone(scale) { content() } }
                waitForIdle()
                assertNoClippedText("$name-$size-full", HEIGHT_PX + kotlin.math.ceil(scrollPx).toInt())
                save(onRoot().captureToImage(), "$name-$size-full")
            }
        }
    }
}

private fun save(image: androidx.compose.ui.graphics.ImageBitmap, name: String) {
    val png = Image.makeFromBitmap(image.asSkiaBitmap()).encodeToData(EncodedImageFormat.PNG) ?: fail("PNG encoding failed")
    File(SCREENS_DIR, "$name.png").writeBytes(png.bytes)
}

@OptIn(ExperimentalTestApi::class)
fun ComposeUiTest.assertNoClippedText(where: String, @Suppress("UNUSED_PARAMETER") heightPx: Int = HEIGHT_PX) {
    val nodes = onAllNodes(SemanticsMatcher.keyIsDefined(SemanticsProperties.Text), useUnmergedTree = true).fetchSemanticsNodes()
    val problems = mutableListOf<String>()
    for (node in nodes) {
        val text = node.config.getOrNull(SemanticsProperties.Text)?.joinToString { it.text }.orEmpty()
        val results = mutableListOf<TextLayoutResult>()
        node.config.getOrNull(SemanticsActions.GetTextLayoutResult)?.action?.invoke(results)
        // hasVisualOverflow is not usable here (the semantics re-layout reports the paragraph at
        // the full constraint width); check each line against the text's own box instead.
        for (r in results) {
            val cut = r.didOverflowHeight || (0 until r.lineCount).any { r.isLineEllipsized(it) || r.getLineRight(it) > r.size.width + 1f }
            if (cut) problems += "overflows its box: \"$text\""
        }
        val bounds = node.boundsInRoot
        if (bounds.width > 0 && bounds.right > WIDTH_PX + 1) problems += "runs past the right edge (${bounds.right} px): \"$text\""
    }
    if (problems.isNotEmpty()) fail("$where: clipped text\n" + problems.joinToString("\n"))
}
