package chibo.presentation.impl

import chibo.presentation.api.Labels
import uniffi.chibo_domain.Attendance
import uniffi.chibo_domain.FixQuality
import uniffi.chibo_domain.GuidanceKind
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
import uniffi.chibo_domain.attendanceLabel
import uniffi.chibo_domain.checkInVerdictLabel
import uniffi.chibo_domain.fixQualityLabel
import uniffi.chibo_domain.formatDistance
import uniffi.chibo_domain.formatCalendarDate
import uniffi.chibo_domain.formatDate
import uniffi.chibo_domain.formatDateTime
import uniffi.chibo_domain.formatFileSize
import uniffi.chibo_domain.formatGuidancePeriod
import uniffi.chibo_domain.formatPercent
import uniffi.chibo_domain.formatTime
import uniffi.chibo_domain.guidanceKindLabel
import uniffi.chibo_domain.judgedItems as coreJudgedItems
import uniffi.chibo_domain.judgedPoints
import uniffi.chibo_domain.meetingKindLabel
import uniffi.chibo_domain.meetingStatusLabel
import uniffi.chibo_domain.memberRoleLabel
import uniffi.chibo_domain.memberStatusLabel
import uniffi.chibo_domain.membershipLabel
import uniffi.chibo_domain.monthTitleOf
import uniffi.chibo_domain.petitionCategoryLabel
import uniffi.chibo_domain.petitionStatusLabel
import uniffi.chibo_domain.qualityGradeLabel
import uniffi.chibo_domain.ruleSettingsLines
import uniffi.chibo_domain.taskOutcomeLabel
import uniffi.chibo_domain.voteKindLabel
import uniffi.chibo_domain.withJudgedPoints

/** [Labels] on the generated bindings: every word and format comes from the core. */
object BindingsLabels : Labels {
    override fun MeetingKind.label() = meetingKindLabel(this)
    override fun MeetingStatus.label() = meetingStatusLabel(this)
    override fun Attendance.label() = attendanceLabel(this)
    override fun MemberStatus.label() = memberStatusLabel(this)
    override fun MembershipKind.label() = membershipLabel(this)
    override fun MemberRole.label() = memberRoleLabel(this)
    override fun PetitionCategory.label() = petitionCategoryLabel(this)
    override fun PetitionStatus.label() = petitionStatusLabel(this)
    override fun TaskOutcome.label() = taskOutcomeLabel(this)
    override fun VoteKind.label() = voteKindLabel(this)
    override fun QualityGrade.label() = qualityGradeLabel(this)
    override fun GuidanceKind.label() = guidanceKindLabel(this)
    override fun Verdict.label() = checkInVerdictLabel(this)
    override fun FixQuality.label() = fixQualityLabel(this)

    override fun percent(value: Double) = formatPercent(value)
    override fun timeAndDate(epochMs: Long) = formatDateTime(epochMs)
    override fun dateOf(epochMs: Long) = formatDate(epochMs)
    override fun timeOf(epochMs: Long) = formatTime(epochMs)
    // A malformed date (never written by the core) is shown as it is rather than lost.
    override fun isoDateLabel(iso: String) = runCatching { formatCalendarDate(iso) }.getOrDefault(iso)
    override fun monthLabel(epochMs: Long) = monthTitleOf(epochMs)
    override fun distance(metres: Double) = formatDistance(metres)
    override fun bytesLabel(bytes: Long) = formatFileSize(bytes.coerceAtLeast(0).toULong())
    override fun periodLabel(period: String) = formatGuidancePeriod(period)

    override fun judgedItems() = coreJudgedItems()
    override fun JudgedScores.points(part: JudgedPart) = judgedPoints(this, part).toInt()
    override fun JudgedScores.withPoints(part: JudgedPart, points: Int) =
        withJudgedPoints(this, part, points.coerceIn(0, 255).toUByte())

    override fun ruleSettingsText(settings: RuleSettings) = ruleSettingsLines(settings)
}
