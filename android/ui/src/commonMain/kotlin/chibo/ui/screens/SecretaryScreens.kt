package chibo.ui.screens

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.background
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Description
import androidx.compose.material.icons.filled.EventNote
import androidx.compose.material.icons.filled.FactCheck
import androidx.compose.material.icons.filled.Groups
import androidx.compose.material.icons.filled.Link
import androidx.compose.material.icons.filled.RecordVoiceOver
import androidx.compose.material.icons.filled.AccountCircle
import androidx.compose.material.icons.filled.Add
import androidx.compose.material.icons.filled.Check
import androidx.compose.material.icons.filled.DateRange
import androidx.compose.material.icons.filled.Email
import androidx.compose.material.icons.filled.Info
import androidx.compose.material.icons.automirrored.filled.KeyboardArrowRight
import androidx.compose.material.icons.automirrored.filled.List
import androidx.compose.material.icons.filled.Notifications
import androidx.compose.material.icons.filled.PlayArrow
import androidx.compose.material.icons.filled.QrCodeScanner
import androidx.compose.material.icons.filled.Settings
import androidx.compose.material.icons.filled.Share
import androidx.compose.material.icons.filled.Warning
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.geometry.Size
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.graphics.vector.ImageVector
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.style.TextAlign
import androidx.compose.ui.unit.dp
import androidx.compose.ui.unit.sp
import chibo.presentation.common.QrMatrix
import chibo.presentation.common.SyncUi
import chibo.presentation.common.Tone
import chibo.presentation.secretary.GuidanceState
import chibo.presentation.secretary.HistoryState
import chibo.presentation.secretary.HomeState
import chibo.presentation.secretary.PetitionsState
import chibo.presentation.secretary.PresenceState
import chibo.presentation.secretary.RosterState
import chibo.presentation.secretary.ShareState
import chibo.ui.components.ChiboScreen
import chibo.ui.components.EmptyState
import chibo.ui.components.LabeledValue
import chibo.ui.components.Loading
import chibo.ui.components.MessageBox
import chibo.ui.components.PrimaryButton
import chibo.ui.components.SecondaryButton
import chibo.ui.components.SectionCard
import chibo.ui.components.ToneLabel
import chibo.ui.theme.TouchTarget

/** A menu line: icon, words, arrow; the whole line is the target. */
@Composable
fun MenuLine(icon: ImageVector, text: String, detail: String? = null, onClick: () -> Unit) {
    Row(
        Modifier.fillMaxWidth().heightIn(min = TouchTarget).clickable(role = Role.Button, onClick = onClick).padding(vertical = 6.dp),
        verticalAlignment = Alignment.CenterVertically,
    ) {
        Icon(icon, null, tint = MaterialTheme.colorScheme.primary)
        Spacer(Modifier.width(12.dp))
        Column(Modifier.weight(1f)) {
            Text(text, style = MaterialTheme.typography.titleMedium)
            if (detail != null) Text(detail, style = MaterialTheme.typography.bodySmall)
        }
        Icon(Icons.AutoMirrored.Filled.KeyboardArrowRight, null)
    }
}

class HomeActions(
    val openMeeting: (String) -> Unit = {},
    val planMeeting: () -> Unit = {},
    val roster: () -> Unit = {},
    val history: () -> Unit = {},
    val petitions: () -> Unit = {},
    val guidance: () -> Unit = {},
    val needsAttention: () -> Unit = {},
    val settings: () -> Unit = {},
    val sync: () -> Unit = {},
    val dismissError: () -> Unit = {},
)

@Composable
fun SecretaryHomeScreen(state: HomeState, sync: SyncUi?, a: HomeActions) {
    ChiboScreen(state.cellName.ifEmpty { "Sổ Chi bộ" }, onBack = null, sync = sync, onSync = a.sync) {
        if (state.loading) return@ChiboScreen Loading()
        state.error?.let { MessageBox(listOf(it), Tone.Problem, onDismiss = a.dismissError) }
        Text(state.communeName, style = MaterialTheme.typography.bodyMedium)
        SectionCard("Buổi họp tới") {
            val next = state.next
            if (next == null) {
                Text("Chưa lên lịch buổi họp nào.", style = MaterialTheme.typography.bodyLarge)
                PrimaryButton("Lên lịch họp tháng này", Icons.Filled.Add, a.planMeeting)
            } else {
                Text(next.title, style = MaterialTheme.typography.titleMedium)
                Text(next.whenAndWhere, style = MaterialTheme.typography.bodyLarge)
                PrimaryButton(if (next.inProgress) "Tiếp tục ghi buổi họp" else "Bắt đầu ghi buổi họp", Icons.Filled.PlayArrow, { a.openMeeting(next.meetingId) })
            }
        }
        SectionCard("Nhiệm vụ đang làm (${state.openTasks.size})") {
            if (state.openTasks.isEmpty()) Text("Không có nhiệm vụ nào đang mở.", style = MaterialTheme.typography.bodyLarge)
            state.openTasks.forEach { t ->
                Text(t.description, style = MaterialTheme.typography.titleSmall)
                Row(verticalAlignment = Alignment.CenterVertically) {
                    Text("${t.assignee} · hạn ${t.deadline}", style = MaterialTheme.typography.bodySmall, modifier = Modifier.weight(1f))
                    if (t.overdue) ToneLabel("Quá hạn", Tone.Problem)
                }
            }
        }
        state.last?.let { last ->
            SectionCard("Buổi họp gần nhất") {
                Text(last.title, style = MaterialTheme.typography.titleSmall)
                last.grade?.let { ToneLabel("Xếp loại: $it", last.gradeTone) }
                Text(last.detail, style = MaterialTheme.typography.bodyMedium)
                MessageBox(state.lastWarnings, Tone.Warning)
            }
        }
        state.viabilityWarning?.let { MessageBox(listOf(it), Tone.Warning) }
        SectionCard(null) {
            MenuLine(Icons.Filled.Groups, "Danh sách đảng viên", state.members, a.roster)
            HorizontalDivider()
            MenuLine(Icons.Filled.EventNote, "Các buổi họp đã ghi", onClick = a.history)
            HorizontalDivider()
            MenuLine(Icons.Filled.RecordVoiceOver, "Kiến nghị và trả lời của xã", onClick = a.petitions)
            HorizontalDivider()
            MenuLine(Icons.Filled.Description, "Định hướng của Đảng ủy xã", onClick = a.guidance)
            HorizontalDivider()
            MenuLine(Icons.Filled.FactCheck, "Cần xử lý", onClick = a.needsAttention)
            HorizontalDivider()
            MenuLine(Icons.Filled.Settings, "Cài đặt", "Cỡ chữ, gửi ảnh qua Wi-Fi", a.settings)
        }
    }
}

@Composable
fun RosterScreen(state: RosterState, onBack: () -> Unit) {
    ChiboScreen("Đảng viên", onBack) {
        if (state.loading) return@ChiboScreen Loading()
        state.error?.let { MessageBox(listOf(it), Tone.Problem) }
        Text(state.cellName, style = MaterialTheme.typography.titleLarge)
        Text(state.summary, style = MaterialTheme.typography.bodyLarge)
        state.viabilityWarning?.let { MessageBox(listOf(it), Tone.Warning) }
        if (state.communeRules.isNotEmpty()) Text("Quy định của xã: " + state.communeRules.joinToString("; "), style = MaterialTheme.typography.bodyMedium)
        if (state.members.isEmpty()) EmptyState("Chưa có danh sách đảng viên. Danh sách sẽ về máy khi đồng bộ với xã.")
        state.members.forEach { m ->
            Column(Modifier.fillMaxWidth().background(MaterialTheme.colorScheme.surfaceVariant, RoundedCornerShape(12.dp)).padding(12.dp)) {
                Text(m.name, style = MaterialTheme.typography.titleMedium)
                Text(listOfNotNull(m.role, m.membership).joinToString(" · "), style = MaterialTheme.typography.bodyMedium)
                m.status?.let { ToneLabel(it + (m.statusReason?.let { r -> ": $r" } ?: ""), Tone.Neutral, Modifier.padding(top = 4.dp)) }
            }
        }
    }
}

/** The code in digits as large as fit, and the QR for the cadre's camera. */
@Composable
fun PresenceCodeScreen(state: PresenceState, onBack: () -> Unit) {
    ChiboScreen("Mã xác nhận dự họp", onBack) {
        state.error?.let { MessageBox(listOf(it), Tone.Problem) }
        Text("Đưa màn hình này cho đồng chí cấp ủy viên dự họp quét, hoặc đọc mã số.", style = MaterialTheme.typography.bodyLarge)
        if (state.code.isEmpty() && state.error == null) return@ChiboScreen Loading()
        Text(
            state.code, style = MaterialTheme.typography.displaySmall.copy(fontSize = 56.sp, letterSpacing = 4.sp), fontWeight = FontWeight.Bold,
            textAlign = TextAlign.Center, modifier = Modifier.fillMaxWidth().semantics { contentDescription = "Mã ${state.code}" },
        )
        state.qr?.let { QrCode(it, Modifier.fillMaxWidth(0.8f).align(Alignment.CenterHorizontally)) }
        Text(state.validUntil, style = MaterialTheme.typography.bodyLarge, textAlign = TextAlign.Center, modifier = Modifier.fillMaxWidth())
    }
}

@Composable
fun QrCode(matrix: QrMatrix, modifier: Modifier = Modifier) {
    Canvas(modifier.aspectRatio(1f).background(Color.White).padding(12.dp)) {
        val cell = size.width / matrix.size
        for (y in 0 until matrix.size) for (x in 0 until matrix.size) {
            if (matrix.isDark(x, y)) drawRect(Color.Black, Offset(x * cell, y * cell), Size(cell + 0.5f, cell + 0.5f))
        }
    }
}

@Composable
fun HistoryScreen(state: HistoryState, onBack: () -> Unit, onOpen: (String) -> Unit) {
    ChiboScreen("Các buổi họp", onBack) {
        if (state.loading) return@ChiboScreen Loading()
        state.error?.let { MessageBox(listOf(it), Tone.Problem) }
        if (state.rows.isEmpty()) EmptyState("Chưa ghi buổi họp nào.")
        state.rows.forEach { r ->
            Column(
                Modifier.fillMaxWidth().background(MaterialTheme.colorScheme.surfaceVariant, RoundedCornerShape(12.dp))
                    .clickable(role = Role.Button) { onOpen(r.meetingId) }.heightIn(min = TouchTarget).padding(12.dp),
                verticalArrangement = Arrangement.spacedBy(4.dp),
            ) {
                Text(r.title, style = MaterialTheme.typography.titleMedium)
                Text(r.detail, style = MaterialTheme.typography.bodyMedium)
                Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    r.grade?.let { ToneLabel(it, r.gradeTone) }
                    ToneLabel(r.status, Tone.Neutral)
                }
            }
        }
    }
}

@Composable
fun PetitionsScreen(state: PetitionsState, onBack: () -> Unit) {
    ChiboScreen("Kiến nghị", onBack) {
        if (state.loading) return@ChiboScreen Loading()
        state.error?.let { MessageBox(listOf(it), Tone.Warning) }
        if (state.rows.isNotEmpty()) Text("${state.waiting} kiến nghị đang chờ xã trả lời", style = MaterialTheme.typography.bodyLarge)
        if (state.rows.isEmpty() && state.error == null) EmptyState("Chưa có kiến nghị nào.")
        state.rows.forEach { p ->
            SectionCard(null) {
                Text(p.content, style = MaterialTheme.typography.titleMedium)
                Text("${p.category} · ${p.raisedBy} · ${p.raisedAt}", style = MaterialTheme.typography.bodySmall)
                ToneLabel(p.status, p.statusTone)
                p.answers.forEach { ans ->
                    Column(Modifier.fillMaxWidth().background(Color.White, RoundedCornerShape(8.dp)).padding(10.dp)) {
                        Text("${ans.responder} · ${ans.at}", style = MaterialTheme.typography.labelMedium)
                        Text(ans.text, style = MaterialTheme.typography.bodyLarge)
                    }
                }
            }
        }
    }
}

@Composable
fun GuidanceScreen(state: GuidanceState, onBack: () -> Unit) {
    ChiboScreen("Định hướng của xã", onBack) {
        if (state.loading) return@ChiboScreen Loading()
        state.error?.let { MessageBox(listOf(it), Tone.Warning) }
        if (state.items.isEmpty() && state.error == null) EmptyState("Chưa nhận được định hướng nào từ Đảng ủy xã.")
        state.items.forEach { g ->
            SectionCard(null) {
                ToneLabel(g.kind, Tone.Neutral)
                Text(g.title, style = MaterialTheme.typography.titleMedium)
                Text("${g.period} · gửi ngày ${g.published}", style = MaterialTheme.typography.bodySmall)
                Text(g.body, style = MaterialTheme.typography.bodyLarge)
                g.attachments.forEach { Text("Tài liệu: $it", style = MaterialTheme.typography.bodyMedium) }
            }
        }
    }
}

@Composable
fun ShareScreen(state: ShareState, onBack: () -> Unit, onMinutes: () -> Unit, onResolution: () -> Unit, onSend: () -> Unit) {
    ChiboScreen("Chia sẻ văn bản", onBack) {
        Text("Tạo tệp Word (DOCX) để gửi qua Zalo, thư điện tử hoặc in.", style = MaterialTheme.typography.bodyLarge)
        PrimaryButton("Biên bản sinh hoạt", Icons.AutoMirrored.Filled.List, onMinutes, enabled = !state.busy)
        PrimaryButton("Nghị quyết tháng", Icons.AutoMirrored.Filled.List, onResolution, enabled = !state.busy)
        if (state.busy) Loading()
        state.unavailable?.let { MessageBox(listOf(it, "Biên bản vẫn được lưu đầy đủ trên máy và gửi về xã khi đồng bộ."), Tone.Neutral, title = "Chưa tạo được tệp") }
        state.error?.let { MessageBox(listOf(it), Tone.Problem) }
        state.ready?.let { doc ->
            MessageBox(listOf("Đã tạo ${doc.fileName}"), Tone.Good)
            PrimaryButton("Gửi tệp", Icons.Filled.Share, onSend)
        }
    }
}

@Composable
fun EnrollmentScreen(
    state: chibo.presentation.common.EnrollmentUi,
    onCode: (String) -> Unit,
    onEnroll: () -> Unit,
    onScan: () -> Unit,
    onServerAddress: (String) -> Unit = {},
) {
    ChiboScreen("Đăng ký máy", onBack = null) {
        Text("Sổ Chi bộ", style = MaterialTheme.typography.headlineMedium)
        Text("Văn phòng Đảng ủy xã cấp cho đồng chí một mã đăng ký (mã QR hoặc mã chữ số). Mã chỉ dùng được một lần.", style = MaterialTheme.typography.bodyLarge)
        PrimaryButton("Quét mã QR", Icons.Filled.QrCodeScanner, onScan, enabled = !state.busy)
        Text("Mã QR có sẵn địa chỉ máy chủ của xã. Nếu nhập mã bằng tay:", style = MaterialTheme.typography.titleSmall)
        chibo.ui.components.TextInput("Mã đăng ký", state.code, onCode, keyboard = chibo.ui.components.Keyboards.Code)
        chibo.ui.components.TextInput("Địa chỉ máy chủ của xã", state.serverAddress, onServerAddress, keyboard = chibo.ui.components.Keyboards.Address)
        SecondaryButton(if (state.busy) "Đang đăng ký…" else "Đăng ký bằng mã", Icons.Filled.Link, onEnroll, Modifier.fillMaxWidth(), enabled = !state.busy)
        state.error?.let { MessageBox(listOf(it), Tone.Problem) }
        state.enrolled?.let { MessageBox(listOf("Đã đăng ký: ${it.personName}, ${it.communeName}"), Tone.Good) }
        MessageBox(listOf("Cần có mạng để đăng ký. Sau đó ứng dụng dùng được cả khi không có mạng."), Tone.Neutral)
    }
}

@Composable
fun NeedsAttentionScreen(sync: SyncUi, onBack: () -> Unit, onSync: () -> Unit, onDone: (String) -> Unit = {}) {
    ChiboScreen("Cần xử lý", onBack, sync = sync, onSync = onSync) {
        sync.lastError?.let { MessageBox(listOf(it), Tone.Warning, title = "Lần gửi gần nhất không thành công") }
        if (sync.attention.isEmpty()) EmptyState("Không có mục nào bị máy chủ từ chối.")
        sync.attention.forEach { item ->
            SectionCard(item.what) {
                ToneLabel("Bị từ chối", Tone.Problem)
                LabeledValue("Lý do", item.reason)
                LabeledValue("Cần làm", item.whatToDo)
                SecondaryButton("Đã xử lý xong", Icons.Filled.Check, { onDone(item.id) }, Modifier.fillMaxWidth())
            }
        }
    }
}

@Composable
fun SettingsScreen(
    state: chibo.presentation.common.SettingsUi,
    onBack: () -> Unit,
    onScale: (Float) -> Unit,
    onPhotosOnWifiOnly: (Boolean) -> Unit = {},
) {
    ChiboScreen("Cài đặt", onBack) {
        SectionCard("Cỡ chữ") {
            chibo.ui.components.ChoiceRow(state.scales.map { it.first }, state.scales.firstOrNull { it.second == state.textScale }?.first, { label -> onScale(state.scales.first { it.first == label }.second) })
            Text("Chữ mẫu: Chi bộ bản Nà Hẩu", style = MaterialTheme.typography.bodyLarge)
        }
        SectionCard("Gửi ảnh") {
            chibo.ui.components.ChoiceRow(
                listOf(PHOTOS_ANY_NETWORK, PHOTOS_WIFI_ONLY),
                if (state.photosOnWifiOnly) PHOTOS_WIFI_ONLY else PHOTOS_ANY_NETWORK,
                { onPhotosOnWifiOnly(it == PHOTOS_WIFI_ONLY) },
            )
            Text("Biên bản và điểm danh luôn được gửi ngay khi có mạng; chỉ ảnh (dung lượng lớn) chờ Wi-Fi nếu chọn.", style = MaterialTheme.typography.bodyMedium)
        }
        Text("Sổ Chi bộ: dữ liệu lưu trên máy (đã mã hóa), gửi về Đảng ủy xã khi có mạng.", style = MaterialTheme.typography.bodyMedium)
    }
}

const val PHOTOS_ANY_NETWORK = "Gửi ảnh bằng mọi mạng"
const val PHOTOS_WIFI_ONLY = "Chỉ gửi ảnh khi có Wi-Fi"
