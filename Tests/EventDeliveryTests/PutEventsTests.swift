import JSON
import Testing

@testable import EventDelivery

/// PutEvents' request and answer, and the batches: no server needed.
@Suite struct PutEventsTests {
    @Test func theBodyIsWhatBotocoreWouldSend() throws {
        let event = Events.make(3)
        let body = try JSONParser.parse(PutEvents.body([event, Events.make(4)], busName: "default"))
        guard case .array(let entries)? = body["Entries"] else {
            Issue.record("no Entries array")
            return
        }
        #expect(entries.count == 2)
        let first = entries[0]
        #expect(first["Source"] == .string("aws.bedrock"))
        #expect(first["DetailType"] == .string("Batch Inference Job State Change"))
        #expect(first["Detail"] == .string(String(decoding: event.detail, as: UTF8.self)))
        #expect(first["Resources"] == .array([.string(event.resources[0])]))
        #expect(first["Time"] == .number("1796155200"))
        #expect(first["EventBusName"] == .string("default"))
    }

    @Test func eventTimesAreEpochSeconds() {
        #expect(EventTime.epochSeconds("2026-12-01T20:00:00Z") == 1_796_155_200)
        #expect(EventTime.epochSeconds("2000-02-29T23:59:59.999Z") == 951_868_799)
        #expect(EventTime.epochSeconds("1970-01-01T00:00:00Z") == 0)
        for refused in ["2026-12-01T20:00:00", "2026-02-30T00:00:00Z", "2026-12-01 20:00:00Z", "2026-12-01T20:00:00.Z", "x", "2026-12-01T20:00:00+01:00"] {
            #expect(EventTime.epochSeconds(refused) == nil, "\(refused)")
        }
    }

    @Test func batchesHoldTenEventsOfOneRegionInOrder() {
        let waiting = (0..<12).map { Events.make($0) } + [Events.make(12, region: "eu-west-1"), Events.make(13)]
        #expect(PutEvents.batchCount(waiting[...], fixedRegion: false) == 10)
        #expect(PutEvents.batchCount(waiting[10...], fixedRegion: false) == 2)
        #expect(PutEvents.batchCount(waiting[12...], fixedRegion: false) == 1)
        #expect(PutEvents.batchCount(waiting[10...], fixedRegion: true) == 4)
        var large = Events.make(0)
        large = OutgoingEvent(
            region: large.region, source: large.source, detailType: large.detailType, resources: large.resources, detail: [UInt8](repeating: 0x20, count: 200_000),
            time: large.time, envelope: [])
        #expect(PutEvents.batchCount([large, large, large][...], fixedRegion: false) == 1)
    }

    @Test func aBatchHoldsOneEventOfAJob() {
        // job 1's second event waits for the next request: a retried refusal of its first must come first
        let waiting = [Events.make(0), Events.make(1), Events.make(2), Events.make(1, status: "Completed"), Events.make(3)]
        #expect(PutEvents.batchCount(waiting[...], fixedRegion: false) == 3)
        #expect(PutEvents.batchCount(waiting[3...], fixedRegion: false) == 2)
    }

    @Test func answersSayWhatBecameOfEachEntry() {
        let answer = #"{"FailedEntryCount": 1, "Entries": [{"EventId": "a"}, {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}]}"#
        #expect(PutEvents.entryOutcomes(Array(answer.utf8), count: 2) == [.delivered, .refused(code: "MalformedDetail", message: "Detail is malformed.")])
        #expect(PutEvents.entryOutcomes(Array(#"{"FailedEntryCount": 0}"#.utf8), count: 2) == [.delivered, .delivered])
        #expect(PutEvents.entryOutcomes(Array("<html>".utf8), count: 1) == nil)
        let error = PutEvents.error(Array(#"{"__type": "com.amazonaws.events#ThrottlingException", "message": "slow down"}"#.utf8))
        #expect(error?.type == "ThrottlingException")
        #expect(error?.message == "slow down")
    }
}
