import ArgumentParser

extension MockBedrockCommand {
    /// Environment variables that stand for options, in the order they are applied.
    static let environmentOptions: [(variable: String, option: String)] = [
        ("MOCK_BEDROCK_HOST", "--host"),
        ("MOCK_BEDROCK_PORT", "--port"),
        ("MOCK_BEDROCK_FIXTURES", "--fixtures"),
        ("MOCK_BEDROCK_THREADS", "--threads"),
        ("MOCK_BEDROCK_LOG_LEVEL", "--log-level"),
        ("MOCK_BEDROCK_CLOCK_START", "--clock-start"),
        ("MOCK_BEDROCK_CLOCK_RATE", "--clock-rate"),
        ("MOCK_BEDROCK_JOURNAL_SIZE", "--journal-size"),
        ("MOCK_BEDROCK_REGION", "--region"),
        ("MOCK_BEDROCK_ACCOUNT_ID", "--account-id"),
        ("MOCK_BEDROCK_MAX_ACTIVE_JOBS", "--max-active-jobs"),
        ("MOCK_BEDROCK_MAX_CONNECTIONS", "--max-connections"),
        ("MOCK_BEDROCK_IDLE_TIMEOUT", "--idle-timeout"),
        ("MOCK_BEDROCK_MAX_BODY_BYTES", "--max-body-bytes"),
        ("MOCK_BEDROCK_ADMIN_TOKEN", "--admin-token"),
    ]

    /// Environment variables that stand for flags: 1, true, yes or on add the flag; 0, false, no, off
    /// or empty leave it out; anything else is refused (a typo must not switch a lock off silently).
    static let environmentFlags: [(variable: String, flag: String)] = [
        ("MOCK_BEDROCK_NO_ADMIN", "--no-admin"),
        ("MOCK_BEDROCK_VERIFY_SIGV4", "--verify-sigv4"),
        ("MOCK_BEDROCK_EXIT_ON_STDIN_CLOSE", "--exit-on-stdin-close"),
    ]

    /// Environment variables that stand for a repeatable option, as comma-separated lists.
    static let environmentLists: [(variable: String, option: String)] = [
        ("MOCK_BEDROCK_RATE_LIMITS", "--rate-limit"),
        ("MOCK_BEDROCK_CREDENTIALS", "--credentials"),
        ("MOCK_BEDROCK_DENY_ACCESS_KEYS", "--deny-access-key"),
    ]

    /// The arguments to parse: the subcommand, then options from set environment variables, so that
    /// the same option on the command line (parsed later, and the last one wins) overrides them.
    static func arguments(commandLine: [String], environment: (String) -> String?) throws(ValidationError) -> [String] {
        if commandLine.first == HealthCommand.configuration.commandName {
            return HealthCommand.arguments(commandLine: commandLine, environment: environment)
        }
        let rest = commandLine.first == configuration.commandName ? Array(commandLine.dropFirst()) : commandLine
        var arguments = [configuration.commandName!]  // set in the static configuration above
        for (variable, option) in environmentOptions + DataOptions.environmentOptions + EventOptions.environmentOptions {
            if let value = environment(variable), !value.isEmpty { arguments += [option, value] }
        }
        for (variable, flag) in environmentFlags {
            guard let value = environment(variable) else { continue }
            switch value.lowercased() {
            case "1", "true", "yes", "on": arguments.append(flag)
            case "", "0", "false", "no", "off": break
            default: throw ValidationError("\(variable) must be 1, true, yes or on to set \(flag), or 0, false, no or off; not '\(value)'")
            }
        }
        for (variable, option) in environmentLists {
            for item in (environment(variable) ?? "").split(separator: ",") where !item.isEmpty { arguments += [option, String(item)] }
        }
        return arguments + rest
    }
}
