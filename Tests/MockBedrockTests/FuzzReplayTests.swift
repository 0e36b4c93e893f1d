import Fixtures
import MockBedrockFuzzing
import Testing

/// The fuzz target's seeds and twenty thousand fixed mutations of them, in every test run: a crash
/// or a broken invariant here is one the fuzzer (scripts/fuzz) would find.
@Suite struct FuzzReplayTests {
    @Test func everySeedRunsCleanly() {
        #expect(FuzzSeeds.all.count > 20)
        for seed in FuzzSeeds.all { FuzzInput.run(seed) }
    }

    @Test func fixedMutationsOfTheSeedsRunCleanly() {
        var random = SplitMix64(seed: 0x9E37_79B9_7F4A_7C15)
        let seeds = FuzzSeeds.all
        for _ in 0..<20_000 {
            var input = seeds[Int(random.next() % UInt64(seeds.count))]
            for _ in 0..<(1 + random.next() % 4) {
                let position = input.isEmpty ? 0 : Int(random.next() % UInt64(input.count))
                switch random.next() % 5 {
                case 0 where !input.isEmpty: input[position] = UInt8(truncatingIfNeeded: random.next())
                case 1: input.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
                case 2 where input.count > 1: input.remove(at: position)
                case 3:  // splice in part of another seed
                    let other = seeds[Int(random.next() % UInt64(seeds.count))]
                    let start = Int(random.next() % UInt64(other.count))
                    input.insert(contentsOf: other[start..<min(other.count, start + 16)], at: position)
                default: if !input.isEmpty { input[position] ^= 0x80 }
                }
            }
            FuzzInput.run(input)
        }
    }
}
