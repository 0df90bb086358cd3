package chibo.presentation.cadre

import chibo.presentation.common.Str
import chibo.presentation.common.str
import chibo.presentation.api.Labels
import chibo.presentation.common.Tone
import uniffi.chibo_domain.ReviewDecision
import uniffi.chibo_domain.Verdict
import uniffi.chibo_domain.VerdictStatus

/** A check-in's verdict as every screen shows it ([toUi] is the only mapping). */
data class VerdictUi(
    /** The headline: the office's decision once there is one, else the automatic verdict. */
    val status: String,
    val tone: Tone,
    /** The failed checks; kept after the office's review. */
    val reasons: List<String>,
    /** Checks the server will still run; empty once the office decided. */
    val pending: List<String>,
    /** The office's note and who decided when: "Lý do: …", "Người xem xét: … · 23/11/2026". */
    val detail: List<String> = emptyList(),
    /** The heading over [reasons]. */
    val reasonsTitle: String = AWAITING_REASONS,
    val reasonsTone: Tone = Tone.Warning,
)

private val AWAITING_REASONS: String get() = str(Str.ly_do_can_xem_xet)

/**
 * The office's review wins over the status: a rejected check-in keeps the status
 * NEEDS_REVIEW (it never counts) and must not read as still waiting. The headline is the
 * core's word for the check-in's standing, the same the dashboard shows.
 */
fun Verdict.toUi(labels: Labels): VerdictUi = with(labels) {
    val verdict = this@toUi
    val reasons = reasons.map { it.message }
    val review = review ?: return VerdictUi(verdict.label(), status.tone(), reasons, unchecked.map { it.message })
    val by = str(Str.nguoi_xem_xet, review.reviewerName.ifBlank { str(Str.van_phong_xa) }, dateOf(review.reviewedAt))
    val note = review.note.trim()
    when (review.decision) {
        ReviewDecision.REJECTED -> VerdictUi(
            verdict.label(), Tone.Problem, reasons, emptyList(),
            listOfNotNull(note.takeIf { it.isNotEmpty() }?.let { str(Str.ly_do, it) }, by),
            str(Str.ly_do_dua_ra_xem), Tone.Warning,
        )
        ReviewDecision.ACCEPTED -> VerdictUi(
            verdict.label(), Tone.Good, reasons, emptyList(),
            listOfNotNull(note.takeIf { it.isNotEmpty() }?.let { str(Str.ghi_chu, it) }, by),
            // Accepted despite these: shown for the record, not as a problem.
            str(Str.ly_do_dua_ra_xem), Tone.Neutral,
        )
    }
}

private fun VerdictStatus.tone(): Tone = when (this) {
    VerdictStatus.VERIFIED -> Tone.Good
    VerdictStatus.PROVISIONAL -> Tone.Neutral
    VerdictStatus.NEEDS_REVIEW -> Tone.Warning
}
