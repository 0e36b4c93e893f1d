#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A request's time as SigV4 writes it, `20130524T000000Z` (UTC, to the second). The C library's
/// calendar (`gmtime_r`, `strftime`) does the arithmetic, so that Signing needs no other module's.
public struct AmzDate: Sendable, Equatable, CustomStringConvertible {
    /// `yyyyMMdd'T'HHmmss'Z'`.
    public let text: String

    /// The day part, `yyyyMMdd`: the credential scope's date.
    public var day: String { String(text.prefix(8)) }

    public var description: String { text }

    /// The time `seconds` after 1970-01-01T00:00:00Z (before it too).
    public init(secondsSince1970 seconds: Int64) {
        var time = time_t(seconds)
        var fields = tm()
        var buffer = [CChar](repeating: 0, count: 32)
        let count = gmtime_r(&time, &fields) == nil ? 0 : strftime(&buffer, buffer.count, "%Y%m%dT%H%M%SZ", &fields)
        text = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
