/// An instant in UTC with nanosecond resolution that remembers how many fraction digits it was
/// written with, so a fixture's `2026-03-01T10:00:00.123Z` is served as written and not as `...00.123000Z`.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var seconds: Int64
    /// 0 ..< 1_000_000_000.
    public var nanoseconds: Int32
    /// How many fraction digits `description` prints (0 ... 9).
    public var fractionDigits: Int

    public init(seconds: Int64, nanoseconds: Int32 = 0, fractionDigits: Int = 3) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        self.fractionDigits = fractionDigits
    }

    /// Milliseconds since the epoch (the precision of the clock that drives the lifecycle).
    public var milliseconds: Int64 { seconds * 1000 + Int64(nanoseconds / 1_000_000) }

    /// The first instant a timestamp may be, 0001-01-01T00:00:00Z, and the last to the millisecond,
    /// 9999-12-31T23:59:59.999Z: ISO 8601 with four-digit years, and Python's `datetime` (boto3
    /// raises on a year it cannot hold, failing a whole List for one job).
    public static let earliestMillis: Int64 = -62_135_596_800_000
    public static let latestMillis: Int64 = 253_402_300_799_999

    /// The instant `milliseconds` after the epoch, held within `earliestMillis...latestMillis`: every
    /// time the mock computes (an expiration a week after a submit near the end, say) stays writable.
    public init(milliseconds: Int64) {
        let milliseconds = min(max(milliseconds, Self.earliestMillis), Self.latestMillis)
        let (quotient, remainder) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let floorSeconds = remainder < 0 ? quotient - 1 : quotient
        let floorRemainder = remainder < 0 ? remainder + 1000 : remainder
        self.init(seconds: floorSeconds, nanoseconds: Int32(floorRemainder) * 1_000_000, fractionDigits: 3)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    /// Equal instants are equal whatever their printed precision.
    public static func == (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.seconds == rhs.seconds && lhs.nanoseconds == rhs.nanoseconds
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(seconds)
        hasher.combine(nanoseconds)
    }

    /// ISO 8601 in UTC: `YYYY-MM-DDTHH:MM:SS[.f…]Z`, the form AWS sends in JSON bodies.
    public var description: String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Self.civil(fromDays: days)
        var text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
        text += pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if fractionDigits > 0 {
            let fraction = pad(Int64(nanoseconds), 9)
            text += "." + fraction.prefix(fractionDigits)
        }
        return text + "Z"
    }

    /// Parses ISO 8601 / RFC 3339 date-times: `2026-03-01T10:00:00Z`, `2026-03-01T10:00:00.123Z`,
    /// `2026-03-01T10:00:00.123456+00:00` (the AWS CLI v2 form) and `2026-03-01 10:00:00+00:00`
    /// (Python's `str(datetime)`). An offset is required; it is folded into UTC, and the result must
    /// lie within years 1 to 9999 (`earliestMillis`, up to the last nanosecond of 9999).
    public init?(iso8601 text: String) {
        var scanner = Scanner(Array(text.utf8))
        guard let year = scanner.digits(4), scanner.skip("-"),
            let month = scanner.digits(2), scanner.skip("-"),
            let day = scanner.digits(2), scanner.skip("T") || scanner.skip("t") || scanner.skip(" "),
            let hour = scanner.digits(2), scanner.skip(":"),
            let minute = scanner.digits(2), scanner.skip(":"),
            let second = scanner.digits(2)
        else { return nil }
        guard (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }
        var nanoseconds: Int64 = 0
        var digits = 0
        if scanner.skip(".") || scanner.skip(",") {
            while let digit = scanner.digit() {
                guard digits < 9 else { return nil }
                nanoseconds = nanoseconds * 10 + digit
                digits += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 { nanoseconds *= 10 }
        }
        var offset: Int64 = 0
        if scanner.skip("Z") || scanner.skip("z") {
            offset = 0
        } else if let sign: Int64 = scanner.skip("+") ? 1 : (scanner.skip("-") ? -1 : nil) {
            guard let offsetHours = scanner.digits(2) else { return nil }
            _ = scanner.skip(":")
            guard let offsetMinutes = scanner.digits(2), offsetHours < 24, offsetMinutes < 60 else { return nil }
            offset = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return nil
        }
        guard scanner.atEnd else { return nil }
        let days = Self.days(fromCivil: year, month, day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        guard seconds >= Self.earliestMillis / 1000, seconds <= Self.latestMillis / 1000 else { return nil }
        self.init(
            seconds: seconds,
            nanoseconds: Int32(nanoseconds),
            fractionDigits: digits
        )
    }

    // Howard Hinnant's days_from_civil / civil_from_days, proleptic Gregorian calendar.
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func skip(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        mutating func digit() -> Int64? {
            guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
            defer { index += 1 }
            return Int64(bytes[index] - UInt8(ascii: "0"))
        }

        mutating func digits(_ count: Int) -> Int64? {
            var value: Int64 = 0
            for _ in 0..<count {
                guard let digit = digit() else { return nil }
                value = value * 10 + digit
            }
            return value
        }
    }
}

private func pad(_ value: Int64, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}
