import JSON
import Testing

@testable import Inference

/// The cost of sampling a tool schema, counted (`SchemaSampler.sampleCountingWork`: schemas
/// visited, members scanned, pointer bytes read, members merged) rather than timed: every hostile
/// shape costs work linear in the schema's bytes, whatever it repeats or points at.
@Suite struct SchemaCostTests {
    /// The work allowed for a schema of `bytes` bytes: linear, with room for the node budget's visits.
    static func allowance(_ bytes: Int) -> Int { 16 * bytes + 200_000 }

    static func expectLinear(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let schema = Records.parse(text)
        var generator = SeededGenerator(seed: 7)
        let (value, work) = SchemaSampler.sampleCountingWork(schema, generator: &generator)
        let bytes = text.utf8.count
        #expect(work <= allowance(bytes), "work \(work) for \(bytes) bytes of schema", sourceLocation: sourceLocation)
        // The value is bounded too: no more than the longest output the mock generates.
        #expect(Records.compact(value).utf8.count <= 600_000, sourceLocation: sourceLocation)
    }

    /// `count` members "p0": `member`, "p1": ... as the text of an object's members.
    static func members(_ count: Int, _ member: String) -> String {
        (0..<count).map { "\"p\($0)\": \(member)" }.joined(separator: ", ")
    }

    /// Arrays of 64 items twice over (4,096 items), each item `inner`, reached as `#/$defs/leaf`:
    /// every hostile leaf below is visited thousands of times.
    static func fanOut(leaf: String, defs: String = "") -> String {
        ##"{"type": "array", "minItems": 64, "items": {"$ref": "#/$defs/mid"}, "$defs": {"mid": {"type": "array", "minItems": 64, "items": {"$ref": "#/$defs/leaf"}}, "leaf": \##(leaf)\##(defs)}}"##
    }

    @Test func aLongPointerIsResolvedOnce() {
        // "#////...": empty segments, so the pointer names the root; every item follows it again.
        let pointer = "#" + String(repeating: "/", count: 32_768)
        Self.expectLinear(#"{"type": "array", "minItems": 64, "items": {"$ref": "\#(pointer)"}}"#)
        // Many distinct long pointers to one definition.
        let pointers = (0..<64).map { "#" + String(repeating: "/", count: 512 + $0) + "$defs/leaf" }
        let items = pointers.map { #"{"$ref": "\#($0)"}"# }.joined(separator: ", ")
        Self.expectLinear(
            ##"{"type": "array", "minItems": 64, "prefixItems": [\##(items)], "$defs": {"leaf": {"type": "array", "minItems": 64, "items": {"$ref": "#"}}}}"##)
    }

    @Test func mergePartsThatAddNothingStillSpendTheBudget() {
        // allOf of many `true` parts, or of one $ref repeated: each visit looked at every part, free.
        let trues = Array(repeating: "true", count: 20_000).joined(separator: ", ")
        Self.expectLinear(Self.fanOut(leaf: #"{"allOf": [\#(trues)]}"#))
        let refs = Array(repeating: ##"{"$ref": "#/$defs/b"}"##, count: 5_000).joined(separator: ", ")
        Self.expectLinear(Self.fanOut(leaf: #"{"allOf": [\#(refs)]}"#, defs: #", "b": {"type": "object"}"#))
    }

    @Test func aLeafWithManyMembersIsReadOnce() {
        // Thousands of visits to a schema with 5,000 members the sampler does not use.
        Self.expectLinear(Self.fanOut(leaf: #"{"type": "integer", \#(Self.members(5_000, "0"))}"#))
    }

    @Test func aLongDefinitionsSectionIsIndexedOnce() {
        // Each item follows a chain of references through a section of 5,000 definitions, from its end.
        let chain = (1...5_000).map { ##""d\##($0)": {"$ref": "#/$defs/d\##($0 - 1)"}"## }.joined(separator: ", ")
        Self.expectLinear(Self.fanOut(leaf: ##"{"$ref": "#/$defs/d5000"}"##, defs: #", "d0": {"type": "integer"}, "# + chain))
    }

    @Test func leanVisitsSkipTheUnrequiredProperties() {
        // Past depth 12 an object makes only its required members: 5,000 others cost nothing a visit.
        var leaf = #"{"type": "object", "required": ["p0"], "properties": {\#(Self.members(5_000, "true"))}}"#
        for _ in 0..<8 { leaf = #"{"type": "array", "minItems": 1, "items": \#(leaf)}"# }
        Self.expectLinear(Self.fanOut(leaf: leaf))
    }

    @Test func mergedPartsAreChargedAndShared() {
        // allOf of a large part, visited thousands of times; nested allOf five levels deep.
        let big = #"{"type": "object", "properties": {\#(Self.members(2_000, "true"))}}"#
        Self.expectLinear(Self.fanOut(leaf: ##"{"allOf": [{"$ref": "#/$defs/big"}, {"$ref": "#/$defs/big"}]}"##, defs: ", \"big\": \(big)"))
        var nested = big
        for _ in 0..<5 { nested = #"{"allOf": [\#(nested), \#(nested)]}"# }
        Self.expectLinear(Self.fanOut(leaf: nested))
    }

    @Test func largeEnumsAndConstantsAreNotCopiedWithoutLimit() {
        // A 20 KB value chosen for thousands of items would be an output of 80 MB.
        let large = "[" + (0..<2_000).map { "\"v\($0)\"" }.joined(separator: ",") + "]"
        Self.expectLinear(Self.fanOut(leaf: #"{"enum": [\#(large)]}"#))
        Self.expectLinear(Self.fanOut(leaf: #"{"const": \#(large)}"#))
    }
}
