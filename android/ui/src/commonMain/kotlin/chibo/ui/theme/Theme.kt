package chibo.ui.theme

import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Typography
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.platform.LocalDensity
import androidx.compose.ui.text.TextStyle
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.Density
import androidx.compose.ui.unit.dp
import androidx.compose.ui.unit.sp
import chibo.presentation.common.Tone

// High contrast for outdoor light and older eyes: near-black on white, one strong red.
val PartyRed = Color(0xFFB3001B)
private val Ink = Color(0xFF111111)
val Good = Color(0xFF1B5E20)
val WarningInk = Color(0xFF8A4B00)
val ProblemInk = Color(0xFFB00020)
val NeutralInk = Color(0xFF2B3A55)

private val colors = lightColorScheme(
    primary = PartyRed,
    onPrimary = Color.White,
    primaryContainer = Color(0xFFFFDAD6),
    onPrimaryContainer = Color(0xFF410003),
    secondary = Color(0xFF2B3A55),
    onSecondary = Color.White,
    secondaryContainer = Color(0xFFDCE3F5),
    onSecondaryContainer = Ink,
    background = Color.White,
    onBackground = Ink,
    surface = Color.White,
    onSurface = Ink,
    surfaceVariant = Color(0xFFF1EFEF),
    onSurfaceVariant = Color(0xFF2E2E2E),
    outline = Color(0xFF5C5C5C),
    error = ProblemInk,
    errorContainer = Color(0xFFFFE5E5),
    onErrorContainer = Color(0xFF5C0011),
)

/** The minimum height of anything a finger presses (Material says 48 dp; we give more). */
val TouchTarget = 56.dp

private fun typography(family: FontFamily): Typography {
    fun style(size: Int, line: Int, weight: FontWeight = FontWeight.Normal) =
        TextStyle(fontFamily = family, fontSize = size.sp, lineHeight = line.sp, fontWeight = weight)
    return Typography(
        displaySmall = style(40, 48, FontWeight.Bold),
        headlineMedium = style(26, 34, FontWeight.Bold),
        headlineSmall = style(23, 30, FontWeight.Bold),
        titleLarge = style(21, 28, FontWeight.Bold),
        titleMedium = style(18, 25, FontWeight.Bold),
        titleSmall = style(16, 22, FontWeight.Bold),
        bodyLarge = style(18, 26),
        bodyMedium = style(16, 23),
        bodySmall = style(15, 21),
        labelLarge = style(17, 22, FontWeight.Bold),
        labelMedium = style(15, 20, FontWeight.Bold),
        labelSmall = style(14, 18, FontWeight.Bold),
    )
}

/**
 * The app's theme. [textScale] is the user's text-size setting on top of the system's;
 * [fontFamily] is the platform's default on Android (Roboto has Vietnamese) and a bundled
 * Noto Sans in the desktop tests.
 */
@Composable
fun ChiboTheme(textScale: Float = 1f, fontFamily: FontFamily = FontFamily.Default, content: @Composable () -> Unit) {
    val density = LocalDensity.current
    CompositionLocalProvider(LocalDensity provides Density(density.density, density.fontScale * textScale)) {
        MaterialTheme(colorScheme = colors, typography = typography(fontFamily), content = content)
    }
}

fun Tone.color(): Color = when (this) {
    Tone.Good -> Good
    Tone.Neutral -> NeutralInk
    Tone.Warning -> WarningInk
    Tone.Problem -> ProblemInk
}

fun Tone.background(): Color = when (this) {
    Tone.Good -> Color(0xFFE3F1E4)
    Tone.Neutral -> Color(0xFFE8ECF5)
    Tone.Warning -> Color(0xFFFFF0D9)
    Tone.Problem -> Color(0xFFFFE5E5)
}
