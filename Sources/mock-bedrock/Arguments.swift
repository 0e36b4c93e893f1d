import ArgumentParser
import Fixtures
import Logging
import MockBedrock
import ServiceModel

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// `--rate-limit`: `OPERATION=N/s`.
struct RateLimitArgument: ExpressibleByArgument {
    let limit: RateLimit

    init?(argument: String) {
        guard let limit = RateLimit(argument) else { return nil }
        self.limit = limit
    }
}

/// `--credentials`: `ACCESS_KEY_ID:SECRET_ACCESS_KEY` (secrets have no colon; the first one splits).
struct CredentialArgument: ExpressibleByArgument {
    let accessKeyId: String
    let secret: String

    init?(argument: String) {
        guard let colon = argument.firstIndex(of: ":") else { return nil }
        accessKeyId = String(argument[..<colon])
        secret = String(argument[argument.index(after: colon)...])
        guard !accessKeyId.isEmpty, !secret.isEmpty else { return nil }
    }
}

/// `--clock-start`: an ISO 8601 time with an offset.
struct ClockStart {
    let timestamp: Timestamp

    init(checking argument: String) throws {
        guard let timestamp = Timestamp(iso8601: argument) else {
            throw ValidationError(
                "--clock-start must be an ISO 8601 time with an offset, within the years 1 to 9999 once in UTC, such as 2026-03-01T10:00:00Z; not '\(argument)'")
        }
        self.timestamp = timestamp
    }
}

/// glibc's `malloc_trim` (in `<malloc.h>`, which the Glibc module does not export).
@_silgen_name("malloc_trim")
func malloc_trim(_ pad: Int) -> Int32
