package chibo.ui.screens

import chibo.presentation.common.Str
import chibo.presentation.common.str
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
    ChiboScreen(state.cellName.ifEmpty { str(Str.app_name) }, onBack = null, sync = sync, onSync = a.sync) {
        if (state.loading) return@ChiboScreen Loading()
        state.error?.let { MessageBox(listOf(it), Tone.Problem, onDismiss = a.dismissError) }
        Text(state.communeName, style = MaterialTheme.typography.bodyMedium)
        SectionCard(str(Str.buoi_hop_toi)) {
            val next = state.next
            if (next == null) {
                Text(str(Str.chua_len_lich_buoi_hop), style = MaterialTheme.typography.bodyLarge)
                PrimaryButton(str(Str.len_lich_hop_thang_nay), Icons.Filled.Add, a.planMeeting)
            } else {
                Text(next.title, style = MaterialTheme.typography.titleMedium)
                Text(next.whenAndWhere, style = MaterialTheme.typography.bodyLarge)
                PrimaryButton(if (next.inProgress) str(Str.tiep_tuc_ghi_buoi_hop) else str(Str.bat_dau_ghi_buoi_hop), Icons.Filled.PlayArrow, { a.openMeeting(next.meetingId) })
            }
        }
        SectionCard(str(Str.nhiem_vu_dang_lam, state.openTasks.size)) {
            if (state.openTasks.isEmpty()) Text(str(Str.khong_co_nhiem_vu_nao), style = MaterialTheme.typography.bodyLarge)
            state.openTasks.forEach { t ->
                Text(t.description, style = MaterialTheme.typography.titleSmall)
                Row(verticalAlignment = Alignment.CenterVertically) {
                    Text(str(Str.nguoi_han, t.assignee, t.deadline), style = MaterialTheme.typography.bodySmall, modifier = Modifier.weight(1f))
                    if (t.overdue) ToneLabel(str(Str.qua_han), Tone.Problem)
                }
            }
        }
        state.last?.let { last ->
            SectionCard(str(Str.buoi_hop_gan_nhat)) {
                Text(last.title, style = MaterialTheme.typography.titleSmall)
                last.grade?.let { ToneLabel(str(Str.xep_loai, it), last.gradeTone) }
                Text(last.detail, style = MaterialTheme.typography.bodyMedium)
                MessageBox(state.lastWarnings, Tone.Warning)
            }
        }
        state.viabilityWarning?.let { MessageBox(listOf(it), Tone.Warning) }
        SectionCard(null) {
            MenuLine(Icons.Filled.Groups, str(Str.danh_sach_dang_vien), state.members, a.roster)
            HorizontalDivider()
            MenuLine(Icons.Filled.EventNote, str(Str.cac_buoi_hop_da_ghi), onClick = a.history)
            HorizontalDivider()
            MenuLine(Icons.Filled.RecordVoiceOver, str(Str.kien_nghi_va_tra_loi), onClick = a.petitions)
            HorizontalDivider()
            MenuLine(Icons.Filled.Description, str(Str.dinh_huong_cua_dang_uy), onClick = a.guidance)
            HorizontalDivider()
            MenuLine(Icons.Filled.FactCheck, str(Str.can_xu_ly), onClick = a.needsAttention)
            HorizontalDivider()
            MenuLine(Icons.Filled.Settings, str(Str.cai_dat), str(Str.co_chu_gui_anh_qua), a.settings)
        }
    }
}

@Composable
fun RosterScreen(state: RosterState, onBack: () -> Unit) {
    ChiboScreen(str(Str.tieu_de_dang_vien), onBack) {
        if (state.loading) return@ChiboScreen Loading()
        state.error?.let { MessageBox(listOf(it), Tone.Problem) }
        Text(state.cellName, style = MaterialTheme.typography.titleLarge)
        Text(state.summary, style = MaterialTheme.typography.bodyLarge)
        state.viabilityWarning?.let { MessageBox(listOf(it), Tone.Warning) }
        if (state.communeRules.isNotEmpty()) Text(str(Str.quy_dinh_cua_xa) + state.communeRules.joinToString("; "), style = MaterialTheme.typography.bodyMedium)
        if (state.members.isEmpty()) EmptyState(str(Str.chua_co_danh_sach_dang))
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
    ChiboScreen(str(Str.ma_xac_nhan_du_hop), onBack) {
        state.error?.let { MessageBox(listOf(it), Tone.Problem) }
        Text(str(Str.dua_man_hinh_nay_cho), style = MaterialTheme.typography.bodyLarge)
        if (state.code.isEmpty() && state.error == null) return@ChiboScreen Loading()
        Text(
            state.code, style = MaterialTheme.typography.displaySmall.copy(fontSize = 56.sp, letterSpacing = 4.sp), fontWeight = FontWeight.Bold,
            textAlign = TextAlign.Center, modifier = Modifier.fillMaxWidth().semantics { contentDescription = str(Str.ma_so, state.code) },
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
    ChiboScreen(str(Str.cac_buoi_hop), onBack) {
        if (state.loading) return@ChiboScreen Loading()
        state.error?.let { MessageBox(listOf(it), Tone.Problem) }
        if (state.rows.isEmpty()) EmptyState(str(Str.chua_ghi_buoi_hop_nao))
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
    ChiboScreen(str(Str.tieu_de_kien_nghi), onBack) {
        if (state.loading) return@ChiboScreen Loading()
        state.error?.let { MessageBox(listOf(it), Tone.Warning) }
        if (state.rows.isNotEmpty()) Text(str(Str.kien_nghi_dang_cho_xa, state.waiting), style = MaterialTheme.typography.bodyLarge)
        if (state.rows.isEmpty() && state.error == null) EmptyState(str(Str.chua_co_kien_nghi_nao))
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
    ChiboScreen(str(Str.dinh_huong_cua_xa), onBack) {
        if (state.loading) return@ChiboScreen Loading()
        state.error?.let { MessageBox(listOf(it), Tone.Warning) }
        if (state.items.isEmpty() && state.error == null) EmptyState(str(Str.chua_nhan_dinh_huong_nao))
        state.items.forEach { g ->
            SectionCard(null) {
                ToneLabel(g.kind, Tone.Neutral)
                Text(g.title, style = MaterialTheme.typography.titleMedium)
                Text(str(Str.ky_gui_ngay, g.period, g.published), style = MaterialTheme.typography.bodySmall)
                Text(g.body, style = MaterialTheme.typography.bodyLarge)
                g.attachments.forEach { Text(str(Str.tai_lieu, it), style = MaterialTheme.typography.bodyMedium) }
            }
        }
    }
}

@Composable
fun ShareScreen(state: ShareState, onBack: () -> Unit, onMinutes: () -> Unit, onResolution: () -> Unit, onSend: () -> Unit) {
    ChiboScreen(str(Str.chia_se_van_ban), onBack) {
        Text(str(Str.tao_tep_word_docx_de), style = MaterialTheme.typography.bodyLarge)
        PrimaryButton(str(Str.bien_ban_sinh_hoat), Icons.AutoMirrored.Filled.List, onMinutes, enabled = !state.busy)
        PrimaryButton(str(Str.nghi_quyet_thang), Icons.AutoMirrored.Filled.List, onResolution, enabled = !state.busy)
        if (state.busy) Loading()
        state.unavailable?.let { MessageBox(listOf(it, str(Str.bien_ban_van_duoc_luu)), Tone.Neutral, title = str(Str.chua_tao_duoc_tep)) }
        state.error?.let { MessageBox(listOf(it), Tone.Problem) }
        state.ready?.let { doc ->
            MessageBox(listOf(str(Str.da_tao, doc.fileName)), Tone.Good)
            PrimaryButton(str(Str.gui_tep), Icons.Filled.Share, onSend)
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
    onAppSettings: () -> Unit = {},
) {
    ChiboScreen(str(Str.dang_ky_may), onBack = null) {
        Text(str(Str.app_name), style = MaterialTheme.typography.headlineMedium)
        Text(str(Str.van_phong_dang_uy_xa), style = MaterialTheme.typography.bodyLarge)
        PrimaryButton(str(Str.quet_ma_qr), Icons.Filled.QrCodeScanner, onScan, enabled = !state.busy)
        Text(str(Str.ma_qr_co_san_dia), style = MaterialTheme.typography.titleSmall)
        chibo.ui.components.TextInput(str(Str.ma_dang_ky), state.code, onCode, keyboard = chibo.ui.components.Keyboards.Code)
        chibo.ui.components.TextInput(str(Str.dia_chi_may_chu_cua), state.serverAddress, onServerAddress, keyboard = chibo.ui.components.Keyboards.Address)
        SecondaryButton(if (state.busy) str(Str.dang_dang_ky) else str(Str.dang_ky_bang_ma), Icons.Filled.Link, onEnroll, Modifier.fillMaxWidth(), enabled = !state.busy)
        state.error?.let { MessageBox(listOf(it), Tone.Problem) }
        if (state.askAppSettings) SecondaryButton(str(Str.mo_cai_dat_quyen_cua), Icons.Filled.Settings, onAppSettings, Modifier.fillMaxWidth())
        state.enrolled?.let { MessageBox(listOf(str(Str.da_dang_ky, it.personName, it.communeName)), Tone.Good) }
        MessageBox(listOf(str(Str.can_co_mang_de_dang)), Tone.Neutral)
    }
}

@Composable
fun NeedsAttentionScreen(sync: SyncUi, onBack: () -> Unit, onSync: () -> Unit, onDone: (String) -> Unit = {}) {
    ChiboScreen(str(Str.can_xu_ly), onBack, sync = sync, onSync = onSync) {
        sync.lastError?.let { MessageBox(listOf(it), Tone.Warning, title = str(Str.lan_gui_gan_nhat_khong)) }
        if (sync.attention.isEmpty()) EmptyState(str(Str.khong_co_muc_nao_bi))
        sync.attention.forEach { item ->
            SectionCard(item.what) {
                ToneLabel(str(Str.bi_tu_choi), Tone.Problem)
                LabeledValue(str(Str.tieu_de_ly_do), item.reason)
                LabeledValue(str(Str.can_lam), item.whatToDo)
                SecondaryButton(str(Str.da_xu_ly_xong), Icons.Filled.Check, { onDone(item.id) }, Modifier.fillMaxWidth())
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
    ChiboScreen(str(Str.cai_dat), onBack) {
        SectionCard(str(Str.co_chu)) {
            chibo.ui.components.ChoiceRow(state.scales.map { it.first }, state.scales.firstOrNull { it.second == state.textScale }?.first, { label -> onScale(state.scales.first { it.first == label }.second) })
            Text(str(Str.chu_mau_chi_bo_ban), style = MaterialTheme.typography.bodyLarge)
        }
        SectionCard(str(Str.gui_anh)) {
            chibo.ui.components.ChoiceRow(
                listOf(PHOTOS_ANY_NETWORK, PHOTOS_WIFI_ONLY),
                if (state.photosOnWifiOnly) PHOTOS_WIFI_ONLY else PHOTOS_ANY_NETWORK,
                { onPhotosOnWifiOnly(it == PHOTOS_WIFI_ONLY) },
            )
            Text(str(Str.bien_ban_va_diem_danh), style = MaterialTheme.typography.bodyMedium)
        }
        Text(str(Str.so_chi_bo_du_lieu), style = MaterialTheme.typography.bodyMedium)
    }
}

val PHOTOS_ANY_NETWORK: String get() = str(Str.gui_anh_bang_moi_mang)
val PHOTOS_WIFI_ONLY: String get() = str(Str.chi_gui_anh_khi_co)
