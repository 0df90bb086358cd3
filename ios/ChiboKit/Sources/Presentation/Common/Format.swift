import ChiboCore
import Foundation

/// Dates and numbers as the screens show them: the core's formats (chibo_domain::labels), so
/// that a date or a percentage reads the same on the phone, the dashboard and the minutes.
/// Vietnam is UTC+7 all year and the record's dates are Vietnam dates, whatever zone the phone
/// is set to; the calendar here is only for date arithmetic (deadlines, planning).
public enum Format {
    public static let vietnam = TimeZone(secondsFromGMT: 7 * 3600)!

    static let calendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = vietnam
        return c
    }()

    private static let iso: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = vietnam
        f.dateFormat = "yyyy-MM-dd"
        return f
    }()

    static func instant(_ epochMs: Int64) -> Date { Date(timeIntervalSince1970: Double(epochMs) / 1000) }

    public static func timeAndDate(_ epochMs: Int64) -> String { formatDateTime(at: epochMs) }
    public static func dateOf(_ epochMs: Int64) -> String { formatDate(at: epochMs) }
    public static func timeOf(_ epochMs: Int64) -> String { formatTime(at: epochMs) }
    /// The Vietnam calendar date of an instant, "2026-11-24" (the record's date format).
    public static func isoDate(_ epochMs: Int64) -> String { iso.string(from: instant(epochMs)) }
    /// A calendar day such as a deadline: "20/12/2026".
    public static func isoDateLabel(_ isoDate: String) -> String { formatCalendarDate(date: isoDate) }
    /// "Tháng 11/2026".
    public static func monthLabel(_ epochMs: Int64) -> String { monthTitleOf(at: epochMs) }
    public static func percent(_ value: Double) -> String { formatPercent(value: value) }
    public static func bytesLabel(_ bytes: UInt64) -> String { formatFileSize(bytes: bytes) }
    public static func guidancePeriod(_ period: String) -> String { formatGuidancePeriod(period: period) }

    /// Epoch milliseconds of a wall-clock time in Vietnam.
    public static func vietnamTime(year: Int, month: Int, day: Int, hour: Int, minute: Int = 0) -> Int64 {
        let d = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!
        return Int64((d.timeIntervalSince1970 * 1000).rounded())
    }
}
