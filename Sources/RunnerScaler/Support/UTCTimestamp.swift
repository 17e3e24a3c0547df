#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The UTC timestamp forms the outside systems use (SigV4's, RFC 3339 from EC2, GitHub and
/// Metal, HTTP dates in `Retry-After`), done with calendar arithmetic rather than a formatter:
/// the result cannot depend on the process locale or time zone, and no ICU calendar or locale
/// data is loaded (a `DateFormatter` costs a Lambda process ~5 MiB of resident memory).
public enum UTCTimestamp {
    /// `20150830T123600Z`, SigV4's `X-Amz-Date`.
    public static func amzDate(_ date: Date) -> String {
        let c = components(date)
        return pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2) + "T"
            + pad(c.hour, 2) + pad(c.minute, 2) + pad(c.second, 2) + "Z"
    }

    /// `20150830`, the date in a SigV4 credential scope.
    public static func dateStamp(_ date: Date) -> String { String(amzDate(date).prefix(8)) }

    /// Parses `20150830T123600Z`.
    public static func parseAMZDate(_ text: String) -> Date? {
        let u = Array(text.utf8)
        guard u.count == 16, u[8] == UInt8(ascii: "T"), u[15] == UInt8(ascii: "Z"),
              let y = number(u[0..<4]), let mo = number(u[4..<6]), let d = number(u[6..<8]),
              let h = number(u[9..<11]), let mi = number(u[11..<13]), let s = number(u[13..<15])
        else { return nil }
        return date(year: y, month: mo, day: d, hour: h, minute: mi, second: s, fraction: 0)
    }

    /// `2026-11-22T07:00:00Z`, or with `milliseconds` `2026-11-22T07:00:00.123Z` (truncated, as
    /// ISO8601DateFormatter wrote them): RFC 3339 in UTC. Written byte by byte, since it runs
    /// for every log line.
    public static func iso8601(_ date: Date, milliseconds: Bool = false) -> String {
        let totalMillis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = totalMillis >= 0 ? totalMillis / 1000 : (totalMillis - 999) / 1000
        let millis = Int(totalMillis - seconds * 1000)
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = Int(seconds - days * 86400)
        let (year, month, day) = civilFromDays(Int(days))
        var out: [UInt8] = []
        out.reserveCapacity(24)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(year, 4); out.append(UInt8(ascii: "-")); digits(month, 2); out.append(UInt8(ascii: "-")); digits(day, 2)
        out.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2); out.append(UInt8(ascii: ":")); digits(secondOfDay / 60 % 60, 2)
        out.append(UInt8(ascii: ":")); digits(secondOfDay % 60, 2)
        if milliseconds { out.append(UInt8(ascii: ".")); digits(millis, 3) }
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Parses an HTTP date in RFC 9110's preferred form, `Sun, 06 Nov 1994 08:49:37 GMT` (the
    /// one servers must send); nil for anything else, including the obsolete forms.
    public static func parseHTTPDate(_ text: String) -> Date? {
        let u = Array(text.utf8)
        guard u.count == 29, u[3] == UInt8(ascii: ","), u[4] == UInt8(ascii: " "), u[7] == UInt8(ascii: " "),
              u[11] == UInt8(ascii: " "), u[16] == UInt8(ascii: " "), u[19] == UInt8(ascii: ":"),
              u[22] == UInt8(ascii: ":"), u[25] == UInt8(ascii: " "),
              String(decoding: u[26...], as: UTF8.self) == "GMT",
              let month = months.firstIndex(of: String(decoding: u[8..<11], as: UTF8.self)),
              let d = number(u[5..<7]), let y = number(u[12..<16]),
              let h = number(u[17..<19]), let mi = number(u[20..<22]), let s = number(u[23..<25])
        else { return nil }
        return date(year: y, month: month + 1, day: d, hour: h, minute: mi, second: s, fraction: 0)
    }

    /// Parses RFC 3339 / ISO 8601 as EC2, GitHub and Metal write it, `2011-12-20T08:29:31.000Z`, with or without
    /// fractional seconds, with `Z` or a `+hh:mm`/`-hh:mm` offset.
    public static func parseISO8601(_ text: String) -> Date? {
        let u = Array(text.utf8)
        guard u.count >= 20, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"),
              u[10] == UInt8(ascii: "T") || u[10] == UInt8(ascii: "t"),
              u[13] == UInt8(ascii: ":"), u[16] == UInt8(ascii: ":"),
              let y = number(u[0..<4]), let mo = number(u[5..<7]), let d = number(u[8..<10]),
              let h = number(u[11..<13]), let mi = number(u[14..<16]), let s = number(u[17..<19])
        else { return nil }
        var i = 19
        var fraction = 0.0
        if u[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            let start = i
            while i < u.count, let digit = number(u[i..<(i + 1)]) {
                fraction += Double(digit) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        guard i < u.count else { return nil }
        var offset = 0
        switch u[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard i + 1 == u.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard i + 6 == u.count, u[i + 3] == UInt8(ascii: ":"),
                  let oh = number(u[(i + 1)..<(i + 3)]), let om = number(u[(i + 4)..<(i + 6)])
            else { return nil }
            offset = (oh * 3600 + om * 60) * (u[i] == UInt8(ascii: "+") ? 1 : -1)
        default:
            return nil
        }
        return date(year: y, month: mo, day: d, hour: h, minute: mi, second: s, fraction: fraction)?
            .addingTimeInterval(TimeInterval(-offset))
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for b in digits {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(b - UInt8(ascii: "0"))
        }
        return digits.isEmpty ? nil : value
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    private static func date(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int,
                             fraction: Double) -> Date? {
        guard (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour),
              (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second
        return Date(timeIntervalSince1970: TimeInterval(seconds) + fraction)
    }

    private static func components(_ date: Date) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let total = Int(date.timeIntervalSince1970.rounded(.down))
        let days = Int((Double(total) / 86_400).rounded(.down))
        let secondsOfDay = total - days * 86_400
        let (y, m, d) = civilFromDays(days)
        return (y, m, d, secondsOfDay / 3600, secondsOfDay % 3600 / 60, secondsOfDay % 60)
    }

    // Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian calendar).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
