import Testing

@testable import mock_bedrock

/// Parsing `arguments` fails, with a message that contains `message` (not just any error).
func expectRefusal(_ arguments: [String], saying message: String, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        _ = try MockBedrockCommand.parse(arguments)
        Issue.record("\(arguments) was accepted", sourceLocation: sourceLocation)
    } catch {
        let said = MockBedrockCommand.message(for: error)
        #expect(said.contains(message), "\(said)", sourceLocation: sourceLocation)
    }
}
