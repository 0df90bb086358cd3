package chibo.presentation.api

import uniffi.chibo_domain.Attendance
import uniffi.chibo_domain.FixQuality
import uniffi.chibo_domain.GuidanceKind
import uniffi.chibo_domain.JudgedItem
import uniffi.chibo_domain.JudgedPart
import uniffi.chibo_domain.JudgedScores
import uniffi.chibo_domain.MeetingKind
import uniffi.chibo_domain.MeetingStatus
import uniffi.chibo_domain.MemberRole
import uniffi.chibo_domain.MemberStatus
import uniffi.chibo_domain.MembershipKind
import uniffi.chibo_domain.PetitionCategory
import uniffi.chibo_domain.PetitionStatus
import uniffi.chibo_domain.QualityGrade
import uniffi.chibo_domain.RuleSettings
import uniffi.chibo_domain.TaskOutcome
import uniffi.chibo_domain.Verdict
import uniffi.chibo_domain.VoteKind

/**
 * The core's words for its values, and how it writes numbers and dates
 * (`chibo_domain::labels`). The commune's dashboard takes the same words from the same
 * functions, so a value reads the same on the phone and in the office. The only
 * implementation calls the core (chibo.presentation.impl.BindingsLabels); the fakes
 * delegate to it too, so no second copy of a word exists in Kotlin.
 *
 * The core interfaces extend it, and a state holder speaks with the words of the core it
 * was given (`Labels by cells`).
 */
interface Labels {
    fun MeetingKind.label(): String
    fun MeetingStatus.label(): String
    fun Attendance.label(): String
    fun MemberStatus.label(): String
    fun MembershipKind.label(): String
    fun MemberRole.label(): String
    fun PetitionCategory.label(): String
    fun PetitionStatus.label(): String
    fun TaskOutcome.label(): String
    fun VoteKind.label(): String
    fun QualityGrade.label(): String
    fun GuidanceKind.label(): String
    /** How good a location fix is, while the cadre checks in. */
    fun FixQuality.label(): String

    /** A check-in's standing: the office's decision once it made one, else the verdict. */
    fun Verdict.label(): String

    /** "98%", "88,2%". */
    fun percent(value: Double): String
    /** "19:30 24/11/2026", Vietnam time. */
    fun timeAndDate(epochMs: Long): String
    /** "24/11/2026". */
    fun dateOf(epochMs: Long): String
    /** "19:30". */
    fun timeOf(epochMs: Long): String
    /** A calendar day: "2026-12-20" → "20/12/2026". */
    fun isoDateLabel(iso: String): String
    /** "Tháng 11/2026". */
    fun monthLabel(epochMs: Long): String
    /** "850 m", "12,4 km". */
    fun distance(metres: Double): String
    /** "850 KB", "1,2 MB". */
    fun bytesLabel(bytes: Long): String
    /** A guidance period: "2026-11" → "Tháng 11/2026", "2026-Q4" → "Quý 4/2026". */
    fun periodLabel(period: String): String

    /** The 13 judged parts of Guideline 42's score, with their words and maxima. */
    fun judgedItems(): List<JudgedItem>
    fun JudgedScores.points(part: JudgedPart): Int
    fun JudgedScores.withPoints(part: JudgedPart, points: Int): JudgedScores

    /** The commune's rule settings as sentences. */
    fun ruleSettingsText(settings: RuleSettings): List<String>
}
