import LiveTestSupport
import Testing

/// The moto_server the suites with the `.motoServer` trait run against.
enum CurrentMoto {
    @TaskLocal static var server: MotoServer?
}

extension MotoServer {
    /// The server of the suite running (`WithMotoServer`).
    static var current: MotoServer? { CurrentMoto.server }

    /// An IAM user allowed s3:*, and its access key, made with boto3 from moto's own venv (the
    /// first three requests of a server started with `INITIAL_NO_AUTH_ACTION_COUNT=3` need no signature).
    func createAccessKey() throws -> (id: String, secret: String) {
        let script = """
            import boto3
            iam = boto3.client("iam", endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
            iam.create_user(UserName="s3tests")
            policy = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'
            iam.put_user_policy(UserName="s3tests", PolicyName="s3", PolicyDocument=policy)
            key = iam.create_access_key(UserName="s3tests")["AccessKey"]
            print(key["AccessKeyId"], key["SecretAccessKey"])
            """
        let words = try python(script).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard words.count == 2 else { throw TestSetupError(message: "boto3 printed no access key: \(words)") }
        return (String(words[0]), String(words[1]))
    }
}

/// Runs a suite's tests against one moto_server, started before the first and stopped after the last.
struct WithMotoServer: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let moto = try MotoServer.start()
        defer { moto.stop() }
        try await CurrentMoto.$server.withValue(moto) { try await function() }
    }
}

extension Trait where Self == WithMotoServer {
    static var motoServer: Self { Self() }

}
