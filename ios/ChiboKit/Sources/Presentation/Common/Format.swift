import Foundation

/// Dates and numbers as the screens show them. Vietnam is UTC+7 all year and the record's
/// dates are Vietnam dates, whatever zone the phone is set to.
public enum Format {
    public static let vietnam = TimeZone(secondsFromGMT: 7 * 3600)!

    static let calendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = vietnam
        return c
    }()

    private static func formatter(_ pattern: String) -> DateFormatter {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = vietnam
        f.dateFormat = pattern
        return f
    }

    private static let timeDate = formatter("HH:mm, dd/MM/yyyy")
    private static let date = formatter("dd/MM/yyyy")
    private static let time = formatter("HH:mm")
    private static let iso = formatter("yyyy-MM-dd")

    static func instant(_ epochMs: Int64) -> Date { Date(timeIntervalSince1970: Double(epochMs) / 1000) }

    /// "19:30, 24/11/2026".
    public static func timeAndDate(_ epochMs: Int64) -> String { timeDate.string(from: instant(epochMs)) }
    /// "24/11/2026".
    public static func dateOf(_ epochMs: Int64) -> String { date.string(from: instant(epochMs)) }
    /// "19:30".
    public static func timeOf(_ epochMs: Int64) -> String { time.string(from: instant(epochMs)) }
    /// The Vietnam calendar date of an instant, "2026-11-24".
    public static func isoDate(_ epochMs: Int64) -> String { iso.string(from: instant(epochMs)) }

    /// "2026-12-20" → "20/12/2026" (anything else is shown as it is).
    public static func isoDateLabel(_ isoDate: String) -> String {
        guard let d = iso.date(from: isoDate) else { return isoDate }
        return date.string(from: d)
    }

    /// "Tháng 11/2026".
    public static func monthLabel(_ epochMs: Int64) -> String {
        let c = calendar.dateComponents([.year, .month], from: instant(epochMs))
        return "Tháng \(c.month!)/\(c.year!)"
    }

    /// A percentage with at most one decimal and a Vietnamese comma: "87,5%", "90%".
    public static func percent(_ value: Double) -> String { "\(decimal(value))%" }

    private static func decimal(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        if rounded == rounded.rounded(.down) { return String(Int64(rounded)) }
        return String(format: "%.1f", rounded).replacingOccurrences(of: ".", with: ",")
    }

    public static func bytesLabel(_ bytes: UInt64) -> String {
        if bytes >= 1_000_000 { return "\(decimal(Double(bytes) / 1_000_000)) MB" }
        return "\((bytes + 999) / 1000) KB"
    }

    /// "2026-11" → "Tháng 11/2026"; "2026-Q4" → "Quý 4/2026"; anything else as written.
    public static func guidancePeriod(_ period: String) -> String {
        let parts = period.split(separator: "-")
        if parts.count == 2, parts[0].count == 4, parts[1].count == 2, let month = Int(parts[1]) { return "Tháng \(month)/\(parts[0])" }
        if parts.count == 2, parts[0].count == 4, parts[1].hasPrefix("Q") { return "Quý \(parts[1].dropFirst())/\(parts[0])" }
        return period
    }

    /// Epoch milliseconds of a wall-clock time in Vietnam.
    public static func vietnamTime(year: Int, month: Int, day: Int, hour: Int, minute: Int = 0) -> Int64 {
        let d = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!
        return Int64((d.timeIntervalSince1970 * 1000).rounded())
    }
}
