import ChiboCore

/// A check-in's verdict as every screen shows it (`VerdictUi.of` is the only mapping).
public struct VerdictUi: Equatable {
    /// The headline: the office's decision once there is one, else the automatic verdict.
    public let status: String
    public let tone: Tone
    /// The failed checks, in the core's words; kept after the office's review.
    public let reasons: [String]
    /// Checks the server will still run; empty once the office decided.
    public let pending: [String]
    /// The office's note and who decided when: "Lý do: …", "Người xem xét: … · 23/11/2026".
    public let detail: [String]
    /// The heading over `reasons`.
    public let reasonsTitle: String
    public let reasonsTone: Tone

    /// The office's review wins over the status: a rejected check-in keeps the status
    /// needsReview (it never counts) and must not read as still waiting.
    public static func of(_ verdict: Verdict) -> VerdictUi {
        let reasons = verdict.reasons.map(\.message)
        guard let review = verdict.review else {
            return VerdictUi(
                status: Labels.checkInVerdict(verdict), tone: tone(of: verdict.status), reasons: reasons,
                pending: verdict.unchecked.map(\.message), detail: [], reasonsTitle: "Lý do cần xem xét", reasonsTone: .warning
            )
        }
        let reviewer = review.reviewerName.trimmingCharacters(in: .whitespaces).isEmpty ? "Văn phòng xã" : review.reviewerName
        let by = "Người xem xét: \(reviewer) · \(Format.dateOf(review.reviewedAt))"
        let note = review.note.trimmingCharacters(in: .whitespacesAndNewlines)
        switch review.decision {
        case .rejected:
            return VerdictUi(
                status: Labels.checkInVerdict(verdict), tone: .problem, reasons: reasons, pending: [],
                detail: (note.isEmpty ? [] : ["Lý do: \(note)"]) + [by], reasonsTitle: "Lý do đưa ra xem xét", reasonsTone: .warning
            )
        case .accepted:
            // Accepted despite these: shown for the record, not as a problem.
            return VerdictUi(
                status: Labels.checkInVerdict(verdict), tone: .good, reasons: reasons, pending: [],
                detail: (note.isEmpty ? [] : ["Ghi chú: \(note)"]) + [by], reasonsTitle: "Lý do đưa ra xem xét", reasonsTone: .neutral
            )
        }
    }

    private static func tone(of status: VerdictStatus) -> Tone {
        switch status {
        case .verified: return .good
        case .provisional: return .neutral
        case .needsReview: return .warning
        }
    }
}
