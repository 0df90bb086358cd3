package chibo.ui.components

import chibo.presentation.common.Str
import chibo.presentation.common.str
import androidx.compose.foundation.BorderStroke
import androidx.compose.foundation.background
import androidx.compose.foundation.border
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ColumnScope
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.WindowInsets
import androidx.compose.foundation.layout.WindowInsetsSides
import androidx.compose.foundation.layout.displayCutout
import androidx.compose.foundation.layout.imePadding
import androidx.compose.foundation.layout.navigationBars
import androidx.compose.foundation.layout.only
import androidx.compose.foundation.layout.statusBars
import androidx.compose.foundation.layout.union
import androidx.compose.foundation.layout.widthIn
import androidx.compose.foundation.layout.windowInsetsPadding
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.ui.text.input.ImeAction
import androidx.compose.ui.text.input.KeyboardCapitalization
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.foundation.verticalScroll
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.automirrored.filled.ArrowBack
import androidx.compose.material.icons.filled.Check
import androidx.compose.material.icons.filled.CheckCircle
import androidx.compose.material.icons.filled.Info
import androidx.compose.material.icons.filled.Refresh
import androidx.compose.material.icons.filled.Warning
import androidx.compose.material3.Button
import androidx.compose.material3.ButtonDefaults
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.TopAppBar
import androidx.compose.material3.TopAppBarDefaults
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.graphics.vector.ImageVector
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.selected
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import chibo.presentation.common.SyncUi
import chibo.presentation.common.Tone
import chibo.ui.theme.TouchTarget
import chibo.ui.theme.background
import chibo.ui.theme.color

/** A screen: title bar with back (words and arrow), the sync state, and scrolling content. */
@Composable
fun ChiboScreen(
    title: String,
    onBack: (() -> Unit)?,
    sync: SyncUi? = null,
    onSync: () -> Unit = {},
    bottomBar: @Composable () -> Unit = {},
    scroll: Boolean = true,
    content: @Composable ColumnScope.() -> Unit,
) {
    Scaffold(
        topBar = {
            Column {
                // Not Material's TopAppBar: its title is one line and clips long Vietnamese
                // titles at large text sizes; here the title wraps. One compact row (back
                // as an arrow with its word under it, then the title), under the status
                // bar: the app draws edge to edge.
                Row(
                    Modifier.fillMaxWidth().background(MaterialTheme.colorScheme.primary)
                        .windowInsetsPadding(WindowInsets.statusBars.union(WindowInsets.displayCutout).only(WindowInsetsSides.Top + WindowInsetsSides.Horizontal))
                        .padding(horizontal = 4.dp, vertical = 2.dp),
                    verticalAlignment = Alignment.CenterVertically,
                ) {
                    if (onBack != null) {
                        Column(
                            Modifier.heightIn(min = TouchTarget).widthIn(min = TouchTarget).clickable(role = Role.Button, onClick = onBack)
                                .semantics(mergeDescendants = true) {}.padding(horizontal = 6.dp, vertical = 2.dp),
                            horizontalAlignment = Alignment.CenterHorizontally,
                            verticalArrangement = Arrangement.Center,
                        ) {
                            Icon(Icons.AutoMirrored.Filled.ArrowBack, contentDescription = null, tint = Color.White)
                            Text(str(Str.quay_lai), color = Color.White, style = MaterialTheme.typography.labelSmall)
                        }
                    }
                    Text(
                        title, style = MaterialTheme.typography.titleLarge, color = Color.White,
                        modifier = Modifier.weight(1f).padding(horizontal = 8.dp, vertical = 8.dp),
                    )
                }
                if (sync != null) SyncBar(sync, onSync)
            }
        },
        bottomBar = { Box(Modifier.windowInsetsPadding(WindowInsets.navigationBars)) { bottomBar() } },
        contentWindowInsets = WindowInsets(0, 0, 0, 0),
    ) { padding ->
        val base = Modifier.fillMaxSize().padding(padding).imePadding()
        Column(
            (if (scroll) base.verticalScroll(rememberScrollState()) else base).padding(horizontal = 16.dp, vertical = 12.dp),
            verticalArrangement = Arrangement.spacedBy(12.dp),
            content = content,
        )
    }
}

/** The sync state in one line under the title: an icon with words, tap to send now. */
@Composable
fun SyncBar(sync: SyncUi, onSync: () -> Unit) {
    Row(
        Modifier.fillMaxWidth().background(sync.tone.background()).clickable(role = Role.Button, onClick = onSync)
            .heightIn(min = TouchTarget).padding(horizontal = 16.dp, vertical = 6.dp),
        verticalAlignment = Alignment.CenterVertically,
    ) {
        Icon(if (sync.tone == Tone.Good) Icons.Filled.CheckCircle else if (sync.tone == Tone.Neutral) Icons.Filled.Refresh else Icons.Filled.Warning, null, tint = sync.tone.color())
        Spacer(Modifier.width(8.dp))
        Column(Modifier.weight(1f)) {
            Text(sync.headline, style = MaterialTheme.typography.labelLarge, color = sync.tone.color())
            if (sync.detail.isNotEmpty()) Text(sync.detail, style = MaterialTheme.typography.bodySmall)
        }
        if (sync.running) CircularProgressIndicator(Modifier.size(24.dp)) else Text(str(Str.gui_ngay), style = MaterialTheme.typography.labelMedium, color = MaterialTheme.colorScheme.primary)
    }
}

@Composable
fun PrimaryButton(text: String, icon: ImageVector?, onClick: () -> Unit, modifier: Modifier = Modifier, enabled: Boolean = true) {
    Button(onClick = onClick, enabled = enabled, modifier = modifier.fillMaxWidth().heightIn(min = TouchTarget), shape = RoundedCornerShape(12.dp)) {
        if (icon != null) {
            Icon(icon, contentDescription = null)
            Spacer(Modifier.width(8.dp))
        }
        Text(text, style = MaterialTheme.typography.labelLarge)
    }
}

@Composable
fun SecondaryButton(text: String, icon: ImageVector?, onClick: () -> Unit, modifier: Modifier = Modifier, enabled: Boolean = true) {
    OutlinedButton(
        onClick = onClick, enabled = enabled, modifier = modifier.heightIn(min = TouchTarget), shape = RoundedCornerShape(12.dp),
        border = BorderStroke(2.dp, MaterialTheme.colorScheme.outline),
    ) {
        if (icon != null) {
            Icon(icon, contentDescription = null)
            Spacer(Modifier.width(6.dp))
        }
        Text(text, style = MaterialTheme.typography.labelLarge, color = MaterialTheme.colorScheme.onSurface)
    }
}

/** One choice among a few, as a large pressable pill with a tick when chosen. */
@Composable
fun Choice(text: String, selected: Boolean, onClick: () -> Unit, modifier: Modifier = Modifier, tone: Tone = Tone.Neutral) {
    val shape = RoundedCornerShape(24.dp)
    Row(
        modifier
            .heightIn(min = TouchTarget)
            .semantics { this.selected = selected }
            .background(if (selected) tone.color() else Color.White, shape)
            .border(2.dp, if (selected) tone.color() else MaterialTheme.colorScheme.outline, shape)
            .clickable(role = Role.RadioButton, onClick = onClick)
            .padding(horizontal = 14.dp, vertical = 8.dp),
        verticalAlignment = Alignment.CenterVertically,
    ) {
        if (selected) {
            Icon(Icons.Filled.Check, null, tint = Color.White, modifier = Modifier.size(20.dp))
            Spacer(Modifier.width(4.dp))
        }
        Text(text, style = MaterialTheme.typography.labelLarge, color = if (selected) Color.White else MaterialTheme.colorScheme.onSurface)
    }
}

@OptIn(ExperimentalLayoutApi::class)
@Composable
fun ChoiceRow(options: List<String>, selected: String?, onSelect: (String) -> Unit, tone: Tone = Tone.Neutral) {
    FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        options.forEach { Choice(it, it == selected, { onSelect(it) }, tone = tone) }
    }
}

@Composable
fun SectionCard(title: String?, modifier: Modifier = Modifier, content: @Composable ColumnScope.() -> Unit) {
    Card(
        modifier.fillMaxWidth(),
        colors = CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.surfaceVariant),
        shape = RoundedCornerShape(14.dp),
    ) {
        Column(Modifier.padding(14.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
            if (title != null) Text(title, style = MaterialTheme.typography.titleMedium)
            content()
        }
    }
}

/** A judgement in words with its icon, never colour alone. */
@Composable
fun ToneLabel(text: String, tone: Tone, modifier: Modifier = Modifier) {
    Row(
        modifier.background(tone.background(), RoundedCornerShape(8.dp)).padding(horizontal = 10.dp, vertical = 6.dp),
        verticalAlignment = Alignment.CenterVertically,
    ) {
        Icon(
            when (tone) {
                Tone.Good -> Icons.Filled.CheckCircle
                Tone.Neutral -> Icons.Filled.Info
                Tone.Warning, Tone.Problem -> Icons.Filled.Warning
            },
            null, tint = tone.color(), modifier = Modifier.size(22.dp),
        )
        Spacer(Modifier.width(6.dp))
        Text(text, style = MaterialTheme.typography.labelLarge, color = tone.color())
    }
}

/** Why something cannot be done yet, or what went wrong, in a box that cannot be missed. */
@Composable
fun MessageBox(lines: List<String>, tone: Tone, title: String? = null, onDismiss: (() -> Unit)? = null) {
    if (lines.isEmpty()) return
    Column(
        Modifier.fillMaxWidth().background(tone.background(), RoundedCornerShape(12.dp)).border(2.dp, tone.color(), RoundedCornerShape(12.dp)).padding(12.dp),
        verticalArrangement = Arrangement.spacedBy(4.dp),
    ) {
        if (title != null) Text(title, style = MaterialTheme.typography.titleSmall, color = tone.color())
        lines.forEach { line ->
            Row(verticalAlignment = Alignment.Top) {
                Icon(
                    when (tone) {
                        Tone.Good -> Icons.Filled.CheckCircle
                        // Plain information is not an alarm.
                        Tone.Neutral -> Icons.Filled.Info
                        Tone.Warning, Tone.Problem -> Icons.Filled.Warning
                    },
                    null, tint = tone.color(), modifier = Modifier.size(22.dp),
                )
                Spacer(Modifier.width(6.dp))
                Text(line, style = MaterialTheme.typography.bodyLarge, color = MaterialTheme.colorScheme.onSurface)
            }
        }
        if (onDismiss != null) TextButton(onClick = onDismiss, modifier = Modifier.heightIn(min = TouchTarget)) { Text(str(Str.da_hieu), style = MaterialTheme.typography.labelLarge) }
    }
}

@Composable
fun LabeledValue(label: String, value: String) {
    Column {
        Text(label, style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant)
        Text(value, style = MaterialTheme.typography.bodyLarge, fontWeight = FontWeight.Medium)
    }
}

@Composable
fun TextInput(
    label: String,
    value: String,
    onChange: (String) -> Unit,
    modifier: Modifier = Modifier,
    minLines: Int = 1,
    keyboard: KeyboardOptions = KeyboardOptions(capitalization = KeyboardCapitalization.Sentences),
) {
    OutlinedTextField(
        value = value, onValueChange = onChange, label = { Text(label, style = MaterialTheme.typography.bodyMedium) },
        textStyle = MaterialTheme.typography.bodyLarge, minLines = minLines, keyboardOptions = keyboard,
        singleLine = minLines == 1 && keyboard.keyboardType != KeyboardType.Text,
        modifier = modifier.fillMaxWidth().heightIn(min = TouchTarget),
    )
}

/** The keyboards the app's codes and addresses need. */
object Keyboards {
    /** The 6-digit presence code: the number pad. */
    val Digits = KeyboardOptions(keyboardType = KeyboardType.NumberPassword, imeAction = ImeAction.Done, autoCorrectEnabled = false)
    /** The enrolment code: letters and digits, capitals, no corrections. */
    val Code = KeyboardOptions(keyboardType = KeyboardType.Ascii, capitalization = KeyboardCapitalization.Characters, autoCorrectEnabled = false, imeAction = ImeAction.Done)
    /** A server address. */
    val Address = KeyboardOptions(keyboardType = KeyboardType.Uri, autoCorrectEnabled = false, imeAction = ImeAction.Next)
}

/** A count changed by taps (- / +), for votes and scores: no typing. */
@Composable
fun Stepper(label: String, value: Int, onMinus: () -> Unit, onPlus: () -> Unit, max: Int? = null) {
    Row(Modifier.fillMaxWidth(), verticalAlignment = Alignment.CenterVertically) {
        Text(label, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.weight(1f))
        OutlinedButton(onClick = onMinus, modifier = Modifier.size(TouchTarget).testTag("$label:-"), contentPadding = androidx.compose.foundation.layout.PaddingValues(0.dp)) {
            Text("−", style = MaterialTheme.typography.titleLarge)
        }
        Box(Modifier.width(64.dp), contentAlignment = Alignment.Center) {
            Text(if (max != null) "$value/$max" else "$value", style = MaterialTheme.typography.titleMedium, modifier = Modifier.semantics { contentDescription = "$label: $value" })
        }
        OutlinedButton(onClick = onPlus, modifier = Modifier.size(TouchTarget).testTag("$label:+"), contentPadding = androidx.compose.foundation.layout.PaddingValues(0.dp)) {
            Text("+", style = MaterialTheme.typography.titleLarge)
        }
    }
}

@Composable
fun Loading() {
    Box(Modifier.fillMaxWidth().padding(32.dp), contentAlignment = Alignment.Center) { CircularProgressIndicator() }
}

@Composable
fun EmptyState(text: String) {
    Text(text, style = MaterialTheme.typography.bodyLarge, color = MaterialTheme.colorScheme.onSurfaceVariant, modifier = Modifier.padding(vertical = 24.dp))
}
