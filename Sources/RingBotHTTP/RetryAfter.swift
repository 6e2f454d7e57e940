import Foundation

/// Parses the `Retry-After` response header (RFC 9110 §10.2.3).
///
/// Two forms are accepted:
/// - delta-seconds: a non-negative decimal integer, e.g. `120`;
/// - an HTTP-date, in the preferred IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`)
///   or either obsolete form (RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT`, asctime
///   `Sun Nov  6 08:49:37 1994`). A date in the past means "retry now" and yields `.zero`.
///
/// Anything else (negative numbers, fractions, garbage, impossible dates) yields `nil`.
public enum RetryAfter {
    /// The wait a `Retry-After` value asks for, measured from `now` for the date form.
    public static func parse(_ value: String?, now: Date = Date()) -> Duration? {
        guard let value else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        if trimmed.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // Saturate absurdly long values instead of rejecting them: "wait very long".
            guard let seconds = Int64(trimmed) else { return .seconds(Int64.max) }
            return .seconds(seconds)
        }
        guard let date = HTTPDate.parse(trimmed) else { return nil }
        let delta = date.timeIntervalSince(now)
        guard delta > 0 else { return .zero }
        return .milliseconds(Int64((delta * 1000).rounded(.up)))
    }
}

/// A strict, locale-independent parser for the three HTTP-date formats.
enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun",
                                 "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let shortDays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    private static let longDays = ["monday", "tuesday", "wednesday", "thursday",
                                   "friday", "saturday", "sunday"]

    static func parse(_ text: String) -> Date? {
        let tokens = text.split(separator: " ", omittingEmptySubsequences: true).map { $0.lowercased() }
        if tokens.count == 6 { return imfFixdate(tokens) }
        if tokens.count == 4 { return rfc850(tokens) }
        if tokens.count == 5 { return asctime(tokens) }
        return nil
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT`
    private static func imfFixdate(_ t: [String]) -> Date? {
        guard t[0].hasSuffix(","), shortDays.contains(String(t[0].dropLast())), t[5] == "gmt",
              t[1].count == 2, let day = Int(t[1]), let month = months.firstIndex(of: t[2]),
              t[3].count == 4, let year = Int(t[3]) else { return nil }
        return make(year: year, month: month + 1, day: day, time: t[4])
    }

    /// `Sunday, 06-Nov-94 08:49:37 GMT` (two-digit years are taken as 19xx/20xx per RFC 9110).
    private static func rfc850(_ t: [String]) -> Date? {
        guard t[0].hasSuffix(","), longDays.contains(String(t[0].dropLast())), t[3] == "gmt" else { return nil }
        let parts = t[1].split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 2, parts[2].count == 2,
              let day = Int(parts[0]), let month = months.firstIndex(of: String(parts[1])),
              let yy = Int(parts[2]) else { return nil }
        // A year more than 50 years in the future is taken as the past century.
        let currentYear = Calendar(identifier: .gregorian).component(.year, from: Date())
        var year = (currentYear / 100) * 100 + yy
        if year > currentYear + 50 { year -= 100 }
        return make(year: year, month: month + 1, day: day, time: t[2])
    }

    /// `Sun Nov  6 08:49:37 1994`
    private static func asctime(_ t: [String]) -> Date? {
        guard shortDays.contains(t[0]), let month = months.firstIndex(of: t[1]),
              (1...2).contains(t[2].count), let day = Int(t[2]),
              t[4].count == 4, let year = Int(t[4]) else { return nil }
        return make(year: year, month: month + 1, day: day, time: t[3])
    }

    private static func make(year: Int, month: Int, day: Int, time: String) -> Date? {
        let hms = time.split(separator: ":", omittingEmptySubsequences: false)
        guard hms.count == 3, hms.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
              let hour = Int(hms[0]), let minute = Int(hms[1]), let second = Int(hms[2]),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
