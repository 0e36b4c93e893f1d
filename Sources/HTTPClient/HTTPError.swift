/// Why an HTTP exchange ended without an answer to read. The kinds are the ones a caller acts on:
/// a connection failure or a timeout may be worth another try, the others are not.
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// No connection (refused, unresolvable, TLS failed), or it broke before the answer was whole.
        case connectionFailed = "ConnectionFailed"
        /// The connect or total time bound, or the low-speed limit, ended the transfer.
        case timeout = "Timeout"
        /// libcurl is missing, or refused an option or a URL.
        case invalidConfiguration = "InvalidConfiguration"
        /// An answer libcurl could not read as HTTP.
        case invalidResponse = "InvalidResponse"
        /// An answer body past the caller's limit.
        case tooLarge = "TooLarge"
        /// The caller's chunk callback asked to stop.
        case stopped = "Stopped"
    }

    public var kind: Kind
    public var message: String
    /// The status of the answer whose status line had come when the exchange failed (a body that
    /// stalled or broke off), nil when none had.
    public var status: Int?

    public init(_ kind: Kind, _ message: String, status: Int? = nil) {
        self.kind = kind
        self.message = message
        self.status = status
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}
