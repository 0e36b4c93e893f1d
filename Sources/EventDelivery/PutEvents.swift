import JSON

/// EventBridge's PutEvents in the JSON 1.1 protocol, as botocore writes and reads it: the
/// request body for a batch of events, and what the answer says of each entry.
enum PutEvents {
    /// The most entries PutEvents takes in one request.
    static let maxEntries = 10
    /// The most a request's entries may weigh (EventBridge counts 256 KiB per request).
    static let maxBytes = 256 << 10

    /// What EventBridge counts of an entry's size, near enough: its strings and its detail.
    static func size(_ event: OutgoingEvent) -> Int {
        event.source.utf8.count + event.detailType.utf8.count + event.detail.count + event.resources.reduce(0) { $0 + $1.utf8.count } + 14
    }

    /// How many of the waiting events make the next request: up to 10, in order, of the first
    /// one's region (unless one region signs all), within PutEvents' 256 KiB.
    static func batchCount(_ waiting: ArraySlice<OutgoingEvent>, fixedRegion: Bool) -> Int {
        guard let first = waiting.first else { return 0 }
        var count = 0
        var bytes = 0
        // One event a resource (job) per request: an entry refused and sent again must not come
        // after a later event of the same job that the same request delivered.
        var resources: Set<[String]> = []
        for event in waiting.prefix(PutEvents.maxEntries) {
            let size = PutEvents.size(event)
            guard fixedRegion || event.region == first.region, count == 0 || bytes + size <= PutEvents.maxBytes,
                resources.insert(event.resources).inserted
            else { break }
            count += 1
            bytes += size
        }
        return count
    }

    /// `{"Entries": [{"Source", "DetailType", "Detail", "Resources", "Time", "EventBusName"}...]}`.
    /// `Detail` is the detail's JSON as a string; `Time` is epoch seconds (botocore's form of a
    /// timestamp in JSON protocols), left out when the event's time cannot be read (EventBridge
    /// then takes the time of the call).
    static func body(_ events: [OutgoingEvent], busName: String) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: events.reduce(64) { $0 + size($1) + busName.utf8.count + 96 })
        writer.beginObject()
        writer.key("Entries")
        writer.beginArray()
        for event in events {
            writer.beginObject()
            writer.key("Source")
            writer.string(event.source)
            writer.key("DetailType")
            writer.string(event.detailType)
            writer.key("Detail")
            writer.string(String(decoding: event.detail, as: UTF8.self))
            writer.key("Resources")
            writer.beginArray()
            for resource in event.resources { writer.string(resource) }
            writer.endArray()
            if let seconds = EventTime.epochSeconds(event.time) {
                writer.key("Time")
                writer.integer(seconds)
            }
            writer.key("EventBusName")
            writer.string(busName)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    /// What became of one entry of a 2xx answer.
    enum EntryOutcome: Equatable {
        case delivered
        /// EventBridge's `ErrorCode` and `ErrorMessage` for the entry.
        case refused(code: String, message: String)
    }

    /// The outcome of each of `count` entries sent, from a 2xx answer's body
    /// (`{"FailedEntryCount": n, "Entries": [{"EventId"} or {"ErrorCode", "ErrorMessage"}...]}`);
    /// nil when the body is not such an answer.
    static func entryOutcomes(_ body: [UInt8], count: Int) -> [EntryOutcome]? {
        guard let answer = try? JSONParser.parse(body), case .object = answer else { return nil }
        let failedCount = answer["FailedEntryCount"]?.int64Value ?? 0
        guard case .array(let entries)? = answer["Entries"] else {
            // An answer that lists no entries and counts no failure is taken as all delivered.
            return failedCount == 0 ? Array(repeating: .delivered, count: count) : nil
        }
        guard entries.count == count else { return failedCount == 0 ? Array(repeating: .delivered, count: count) : nil }
        return entries.map { entry in
            guard case .string(let code)? = entry["ErrorCode"], !code.isEmpty else { return .delivered }
            if case .string(let message)? = entry["ErrorMessage"] { return .refused(code: code, message: message) }
            return .refused(code: code, message: "")
        }
    }

    /// Whether EventBridge may take the entry on another try: it was throttled or failed inside.
    static func isRetriable(entryCode code: String) -> Bool {
        code == "ThrottlingException" || code == "InternalFailure" || code == "InternalException"
    }

    /// The error type and message of an answer that is not a success (`{"__type": "...#Code", "message": "..."}`).
    static func error(_ body: [UInt8]) -> (type: String, message: String)? {
        guard let answer = try? JSONParser.parse(body), case .string(let type)? = answer["__type"] else { return nil }
        let code = type.split(separator: "#").last.map(String.init) ?? type
        var message = ""
        if case .string(let text)? = answer["message"] ?? answer["Message"] { message = text }
        return (code, message)
    }
}

/// The event's ISO 8601 time as epoch seconds, without a calendar library.
enum EventTime {
    /// `2026-12-01T20:00:00Z` (fractions of a second allowed, and dropped) as seconds since
    /// 1970-01-01T00:00:00Z; nil for any other form.
    static func epochSeconds(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z"), bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let year = number(bytes[0..<4]), let month = number(bytes[5..<7]), let day = number(bytes[8..<10]), let hour = number(bytes[11..<13]),
            let minute = number(bytes[14..<16]), let second = number(bytes[17..<19])
        else { return nil }
        if bytes.count > 20 {
            guard bytes[19] == UInt8(ascii: "."), bytes.count > 21, bytes[20..<bytes.count - 1].allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        return (daysSince1970(year: year, month: month, day: day) * 86_400) + hour * 3_600 + minute * 60 + second
    }

    /// Decimal digits only (no sign), as a number; nil for anything else.
    private static func number(_ digits: ArraySlice<UInt8>) -> Int64? {
        guard !digits.isEmpty, digits.count <= 18 else { return nil }
        var value: Int64 = 0
        for digit in digits {
            guard (0x30...0x39).contains(digit) else { return nil }
            value = value * 10 + Int64(digit - 0x30)
        }
        return value
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to the date, in the proleptic Gregorian calendar (Howard Hinnant's days_from_civil).
    static func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shifted = month <= 2 ? year - 1 : year
        let era = (shifted >= 0 ? shifted : shifted - 399) / 400
        let yearOfEra = shifted - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
