package chibo.presentation.common

import uniffi.chibo_domain.Attendance
import uniffi.chibo_domain.MeetingKind
import uniffi.chibo_domain.MeetingStatus
import uniffi.chibo_domain.MemberRole
import uniffi.chibo_domain.MemberStatus
import uniffi.chibo_domain.MembershipKind
import uniffi.chibo_domain.PetitionCategory
import uniffi.chibo_domain.PetitionStatus
import uniffi.chibo_domain.QualityGrade
import uniffi.chibo_domain.TaskOutcome
import uniffi.chibo_domain.VoteKind

// The Party's own terms, as the secretaries use them (domain.md's glossary).

fun MeetingKind.label(): String = when (this) {
    MeetingKind.REGULAR -> "Thường kỳ"
    MeetingKind.THEMATIC -> "Chuyên đề"
    MeetingKind.EXTRAORDINARY -> "Bất thường"
    MeetingKind.MODEL -> "Sinh hoạt mẫu"
    MeetingKind.REGULAR_WITH_THEMATIC -> "Thường kỳ và chuyên đề"
}

fun MeetingStatus.label(): String = when (this) {
    MeetingStatus.PLANNED -> "Đã lên lịch"
    MeetingStatus.IN_PROGRESS -> "Đang họp"
    MeetingStatus.RECORDED -> "Đã ghi, chưa ký"
    MeetingStatus.SIGNED -> "Đã ký"
}

fun Attendance.label(): String = when (this) {
    Attendance.PRESENT -> "Có mặt"
    Attendance.LATE -> "Đến muộn"
    Attendance.ABSENT_EXCUSED -> "Vắng có lý do"
    Attendance.ABSENT_UNEXCUSED -> "Vắng không lý do"
    Attendance.EXEMPT -> "Miễn sinh hoạt"
    Attendance.ATTACHED_ELSEWHERE -> "Sinh hoạt nơi khác"
}

fun MemberStatus.label(): String = when (this) {
    MemberStatus.ACTIVE -> "Đang sinh hoạt"
    MemberStatus.EXEMPT -> "Miễn sinh hoạt"
    MemberStatus.ATTACHED_ELSEWHERE -> "Sinh hoạt tạm thời nơi khác"
    MemberStatus.WORKING_AWAY -> "Đi làm ăn xa"
}

fun MembershipKind.label(): String = when (this) {
    MembershipKind.FULL -> "Chính thức"
    MembershipKind.PROBATIONARY -> "Dự bị"
}

fun MemberRole.label(): String? = when (this) {
    MemberRole.MEMBER -> null
    MemberRole.SECRETARY -> "Bí thư"
    MemberRole.DEPUTY_SECRETARY -> "Phó bí thư"
    MemberRole.CELL_COMMITTEE -> "Chi ủy viên"
}

fun PetitionCategory.label(): String = when (this) {
    PetitionCategory.INFRASTRUCTURE -> "Đường, điện, nước"
    PetitionCategory.LAND -> "Đất đai"
    PetitionCategory.SECURITY_ORDER -> "An ninh trật tự"
    PetitionCategory.ENVIRONMENT -> "Vệ sinh, môi trường"
    PetitionCategory.LIVELIHOOD -> "Sản xuất, việc làm"
    PetitionCategory.SOCIAL_POLICY -> "Chính sách xã hội"
    PetitionCategory.OTHER -> "Khác"
}

fun PetitionStatus.label(): String = when (this) {
    PetitionStatus.RAISED -> "Mới nêu"
    PetitionStatus.FORWARDED -> "Đã chuyển xã"
    PetitionStatus.ANSWERED -> "Xã đã trả lời"
    PetitionStatus.RESOLVED -> "Đã giải quyết"
    PetitionStatus.DECLINED -> "Không giải quyết"
}

fun TaskOutcome.label(): String = when (this) {
    TaskOutcome.DONE -> "Đã xong"
    TaskOutcome.PARTLY_DONE -> "Làm một phần"
    TaskOutcome.NOT_DONE -> "Chưa làm"
}

fun VoteKind.label(): String = when (this) {
    VoteKind.ORDINARY -> "Nghị quyết, kết luận"
    VoteKind.ADMISSION -> "Kết nạp đảng viên"
    VoteKind.CONFIRM_FULL_MEMBERSHIP -> "Công nhận chính thức"
}

fun QualityGrade.label(): String = when (this) {
    QualityGrade.GOOD -> "Tốt"
    QualityGrade.FAIR -> "Khá"
    QualityGrade.AVERAGE -> "Trung bình"
    QualityGrade.POOR -> "Kém"
}

/** How a UI shows a judgement: the words, and whether it is good, pending or a problem. */
enum class Tone { Good, Neutral, Warning, Problem }

// A check-in's verdict: chibo.presentation.cadre.toUi, which also reads the office's review.

fun QualityGrade.tone(): Tone = when (this) {
    QualityGrade.GOOD -> Tone.Good
    QualityGrade.FAIR -> Tone.Neutral
    QualityGrade.AVERAGE -> Tone.Warning
    QualityGrade.POOR -> Tone.Problem
}
