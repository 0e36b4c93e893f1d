import CPCRE2
import Synchronization

/// One of the model's patterns, compiled for PCRE2's DFA matcher: it decides whether a whole
/// value matches in time linear in the value's length, whatever the value. Swift's `Regex` (like
/// any backtracking engine) takes exponential time on values such as a job name of many dashes
/// and one bad character; a request or a fixture must never make the mock do that.
///
/// Semantics: the whole value, on Unicode code points, `\s` and `\S` by Unicode properties, `.`
/// matching anything but a line break (any of Unicode's), `^`/`$` only at the ends of the value:
/// what Swift's `Regex` on code points answered before (a test compares them). AWS validates with
/// its own engine, whose edge cases may differ (Java's `.` takes vertical tab and form feed, and its
/// `\s` is ASCII): values with such characters are not what the model's patterns are written for.
public final class LinearPattern: @unchecked Sendable {
    /// The pattern as the model writes it.
    public let source: String
    // Immutable after init and only read by pcre2_dfa_match, which is thread-safe on shared code.
    private let code: OpaquePointer

    /// Integers of DFA workspace a match starts with, and the most a retry may use. The model's
    /// patterns need at most about 1,000 on any value (the counted patterns with thousands of
    /// states, job names and idempotency tokens, have hand-written matchers in `FastPatterns`).
    static let workspaceStart = 4096
    static let workspaceMost = 1 << 18

    /// Compiles `source`, or throws PCRE2's message.
    public init(_ source: String) throws(PatternError) {
        var errorCode: Int32 = 0
        var errorOffset = 0
        // Anchored at the end here: PCRE2 10.42's DFA matcher ignores PCRE2_ENDANCHORED.
        let whole = "(?:" + source + ")\\z"
        let compiled = whole.withCString { mock_pcre2_compile_whole($0, whole.utf8.count, &errorCode, &errorOffset) }
        guard let compiled else {
            throw PatternError(pattern: source, message: "\(Self.message(errorCode)) at offset \(errorOffset)")
        }
        self.source = source
        self.code = compiled
    }

    deinit { pcre2_code_free_8(code) }

    /// True when the whole of `text` matches. Should PCRE2 fail (no memory, or a workspace too small
    /// even at its most, which no pattern of the model comes near), the value is taken as not matching
    /// (a validation error, never a crash) and `failures` counts it; the tests require it to stay 0.
    public func matches(_ text: String) -> Bool {
        var count = Self.workspaceStart
        while true {
            let result = Self.match(code, text, workspace: count)
            if result >= 0 { return result == 1 }
            // Only a workspace too small for the states alive at once is worth another try.
            guard result == PCRE2_ERROR_DFA_WSSIZE, count < Self.workspaceMost else {
                Self.failures.add(1, ordering: .relaxed)
                return false
            }
            count *= 4
        }
    }

    /// Matches PCRE2 could not decide (see `matches`).
    public static let failures = Atomic<Int>(0)

    private static func match(_ code: OpaquePointer, _ text: String, workspace count: Int) -> Int32 {
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: count) { workspace in
            var text = text
            return text.withUTF8 { bytes in
                bytes.withMemoryRebound(to: CChar.self) { chars in
                    // PCRE2 10.42 refuses a null subject even of length 0.
                    guard let subject = chars.baseAddress, !chars.isEmpty else {
                        return mock_pcre2_dfa_whole_match(code, "", 0, workspace.baseAddress, count)
                    }
                    return mock_pcre2_dfa_whole_match(code, subject, chars.count, workspace.baseAddress, count)
                }
            }
        }
    }

    private static func message(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        _ = mock_pcre2_error_message(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A pattern PCRE2 cannot compile (only the model's own patterns are compiled; a test compiles them all).
public struct PatternError: Error, Sendable, CustomStringConvertible {
    public var pattern: String
    public var message: String
    public var description: String { "pattern \(pattern) does not compile: \(message)" }
}
