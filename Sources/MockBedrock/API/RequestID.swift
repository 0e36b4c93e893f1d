import Fixtures
import Synchronization

/// Request ids in AWS's form: a version 4 UUID in lower case. The bits come from SplitMix64 over a
/// counter with a random start: unique in the process, unpredictable enough for a mock, and no
/// system call per request.
enum RequestID {
    private static let counter = Atomic<UInt64>(SystemRandomNumberGenerator().nextValue())

    static func make() -> String {
        var generator = SplitMix64(seed: counter.wrappingAdd(1, ordering: .relaxed).oldValue)
        var high = generator.next()
        var low = generator.next()
        high = (high & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000  // version 4
        low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000  // RFC 4122 variant
        return String(unsafeUninitializedCapacity: 36) { buffer in
            let digits: StaticString = "0123456789abcdef"
            var index = 0
            for nibble in 0..<32 {
                if index == 8 || index == 13 || index == 18 || index == 23 {
                    buffer[index] = UInt8(ascii: "-")
                    index += 1
                }
                let word = nibble < 16 ? high : low
                buffer[index] = digits.utf8Start[Int((word >> UInt64(60 - (nibble % 16) * 4)) & 0xF)]
                index += 1
            }
            return 36
        }
    }
}
