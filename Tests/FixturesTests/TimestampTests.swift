import Fixtures
import Testing
import ServiceModel

@Suite struct TimestampTests {
    @Test(arguments: [
        ("2026-03-01T10:00:00.123Z", "2026-03-01T10:00:00.123Z"),
        ("2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z"),
        ("2026-03-01T10:00:00.123456+00:00", "2026-03-01T10:00:00.123456Z"),
        ("2026-03-01 12:30:00.5+02:30", "2026-03-01T10:00:00.5Z"),
        ("2026-03-01T02:00:00-08:00", "2026-03-01T10:00:00Z"),
        ("2024-02-29T23:59:59.999999999z", "2024-02-29T23:59:59.999999999Z"),
        ("1969-12-31T23:59:59.250Z", "1969-12-31T23:59:59.250Z"),
    ])
    func servesTheInstantInUTCWithTheWrittenPrecision(written: String, served: String) throws {
        let timestamp = try #require(Timestamp(iso8601: written))
        #expect(timestamp.description == served)
    }

    @Test(arguments: [
        "2026-03-01T10:00:00", "2026-02-29T10:00:00Z", "2026-13-01T10:00:00Z", "2026-03-01T24:00:00Z",
        "2026-03-01T10:00:00.Z", "2026-03-01T10:00:00.1234567891Z", "2026-3-01T10:00:00Z", "1772359200",
        "2026-03-01T10:00:00Z trailing",
    ])
    func rejectsWhatIsNotAnISO8601InstantWithAnOffset(text: String) {
        #expect(Timestamp(iso8601: text) == nil)
    }

    @Test func knowsTheEpochAndComparesInstantsNotPrecision() throws {
        let epoch = try #require(Timestamp(iso8601: "1970-01-01T00:00:00Z"))
        #expect(epoch.seconds == 0)
        let written = try #require(Timestamp(iso8601: "2026-03-01T10:00:00.100Z"))
        let shorter = try #require(Timestamp(iso8601: "2026-03-01T10:00:00.1Z"))
        #expect(written == shorter)
        #expect(written.milliseconds == 1_772_359_200_100)
        #expect(Timestamp(milliseconds: 1_772_359_200_100).description == "2026-03-01T10:00:00.100Z")
        #expect(Timestamp(milliseconds: -750).description == "1969-12-31T23:59:59.250Z")
        #expect(epoch < written)
    }

    /// Years 1 to 9999 once the offset is folded into UTC: nothing the mock parses or computes leaves them.
    @Test func staysWithinTheYearsOneToNineThousandNineHundredNinetyNine() throws {
        #expect(Timestamp(iso8601: "9999-12-31T23:59:59-23:59") == nil)
        #expect(Timestamp(iso8601: "0000-01-01T00:00:00+00:01") == nil)
        #expect(Timestamp(iso8601: "0001-01-01T00:00:00+00:01") == nil)
        #expect(Timestamp(iso8601: "0001-01-01T00:00:00Z")?.milliseconds == Timestamp.earliestMillis)
        #expect(Timestamp(iso8601: "9999-12-31T23:59:59.999Z")?.milliseconds == Timestamp.latestMillis)
        #expect(Timestamp(iso8601: "9999-12-31T23:59:59.999999999Z") != nil)
        // Computed times are held at the ends (an expiration a week after a submit on the last day).
        #expect(Timestamp(milliseconds: Timestamp.latestMillis + 7 * 86_400_000).description == "9999-12-31T23:59:59.999Z")
        #expect(Timestamp(milliseconds: .max).description == "9999-12-31T23:59:59.999Z")
        #expect(Timestamp(milliseconds: .min).description == "0001-01-01T00:00:00.000Z")
    }
}
