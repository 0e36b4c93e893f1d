@testable import EventDelivery

/// Events as the server makes them: a job's state change, its envelope written out.
enum Events {
    static func make(_ number: Int, region: String = "us-east-1", status: String = "InProgress") -> OutgoingEvent {
        let arn = "arn:aws:bedrock:\(region):123456789012:model-invocation-job/job\(number)"
        let detail = #"{"batchJobArn":"\#(arn)","batchJobName":"job\#(number)","status":"\#(status)"}"#
        let envelope =
            #"{"version":"0","id":"id-\#(number)","detail-type":"Batch Inference Job State Change","source":"aws.bedrock","account":"123456789012","#
            + #""time":"2026-12-01T20:00:00Z","region":"\#(region)","resources":["\#(arn)"],"detail":\#(detail)}"#
        return OutgoingEvent(
            region: region, source: "aws.bedrock", detailType: "Batch Inference Job State Change", resources: [arn], detail: Array(detail.utf8),
            time: "2026-12-01T20:00:00Z", envelope: Array(envelope.utf8))
    }

    /// Options with short waits, for tests.
    static func options(attempts: Int = 3, backoff: [Int] = [10, 20], requestTimeoutSeconds: Int = 5, queueLimit: Int = 10_000) -> DeliveryOptions {
        var options = DeliveryOptions()
        options.attempts = attempts
        options.backoffMilliseconds = backoff
        options.connectTimeoutSeconds = 1
        options.requestTimeoutSeconds = requestTimeoutSeconds
        options.queueLimit = queueLimit
        return options
    }
}
