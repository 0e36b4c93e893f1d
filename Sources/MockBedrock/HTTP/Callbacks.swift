import CMicroHTTPD
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// What one request has gathered between libmicrohttpd's calls of the access handler.
final class RequestContext {
    let startNanoseconds = monotonicNanoseconds()
    var body: [UInt8] = []
    /// Bytes of body past `Configuration.maxBodyBytes`, read and dropped; nonzero answers 413.
    var discarded = 0
    /// The answer waiting while the connection is suspended for a delay or a stall.
    var pending: ServiceAnswer?
    /// The events a held `GET /_mock/events` waits for; answered when the connection resumes.
    var eventQuery: EventQuery?
    /// The operation held while the data work it needs runs; answered when the connection resumes.
    var dataWait: DataWait?
    /// Run when the request is done with (answered, or its connection closed): forgets a waiting reader.
    var onRelease: (() -> Void)?

    deinit { onRelease?() }
}

/// libmicrohttpd's access handler. It runs on libmicrohttpd's threads, so it captures nothing:
/// the server arrives as the context pointer. The first call only creates the request context
/// (answering then would make libmicrohttpd close the connection after each response); body
/// chunks are gathered; the last call answers.
let accessHandler: MHD_AccessHandlerCallback = { context, connection, url, method, _, uploadData, uploadDataSize, requestContext in
    guard let context, let connection, let url, let method, let uploadDataSize, let requestContext else { return MHD_Result.NO }
    let server = Unmanaged<MockBedrockServer>.fromOpaque(context).takeUnretainedValue()
    guard let pointer = requestContext.pointee else {
        let request = RequestContext()
        requestContext.pointee = Unmanaged.passRetained(request).toOpaque()
        server.requestsInFlight.add(1, ordering: .relaxed)
        if let refusal = server.refusalBeforeBody(connection) {
            // Answered before the body: libmicrohttpd then sends no 100 Continue, reads no body
            // and closes the connection after the answer.
            return server.answerAtOnce(refusal, connection, method: String(cString: method), path: String(cString: url), request)
        }
        return MHD_Result.YES
    }
    let request = Unmanaged<RequestContext>.fromOpaque(pointer).takeUnretainedValue()
    if uploadDataSize.pointee > 0 {
        let count = uploadDataSize.pointee
        uploadDataSize.pointee = 0
        let limit = server.configuration.maxBodyBytes
        if request.discarded > 0 || request.body.count + count > limit {
            request.discarded += count + request.body.count
            request.body = []
            // A client that keeps sending long past the limit is cut off rather than read forever.
            return request.discarded > 16 * max(limit, 1 << 16) ? MHD_Result.NO : MHD_Result.YES
        }
        if let uploadData {
            request.body.append(contentsOf: UnsafeRawBufferPointer(start: uploadData, count: count))
        }
        return MHD_Result.YES
    }
    return server.answer(connection, method: String(cString: method), path: String(cString: url), request)
}

/// Releases the request context when libmicrohttpd is done with a request, answered or not.
let requestCompleted: MHD_RequestCompletedCallback = { context, _, requestContext, _ in
    guard let requestContext, let pointer = requestContext.pointee else { return }
    Unmanaged<RequestContext>.fromOpaque(pointer).release()
    requestContext.pointee = nil
    if let context { Unmanaged<MockBedrockServer>.fromOpaque(context).takeUnretainedValue().requestsInFlight.subtract(1, ordering: .releasing) }
}

/// Collects header fields, their names in lower case, into the `HeaderCollection` the iterator
/// context points to: those the service reads (`HTTPRequest.readHeaders`), or all of them.
private let collectLowercasedName: MHD_KeyValueIterator = { context, _, key, value in
    guard let context else { return MHD_Result.YES }
    let collection = context.assumingMemoryBound(to: HeaderCollection.self)
    guard let key, let name = lowercasedString(cString: key, keep: { collection.pointee.everything || HTTPRequest.isRead($0) }) else {
        return MHD_Result.YES
    }
    collection.pointee.fields.append((name, value.map { String(cString: $0) } ?? ""))
    return MHD_Result.YES
}

/// The header fields of a request: those the service reads, or every one (SigV4 checking needs
/// the ones the client signed).
private struct HeaderCollection {
    var fields: [(name: String, value: String)] = []
    let everything: Bool
}

private let collectDecoded: MHD_KeyValueIterator = { context, _, key, value in
    guard let context, let key else { return MHD_Result.YES }
    let fields = context.assumingMemoryBound(to: [(name: String, value: String)].self)
    let name = PercentEncoding.decode(String(cString: key), plusIsSpace: true)
    fields.pointee.append((name, value.map { PercentEncoding.decode(String(cString: $0), plusIsSpace: true) } ?? ""))
    return MHD_Result.YES
}

extension MockBedrockServer {
    /// How long a stalled connection is held when its rule gives no delay: ten minutes, longer
    /// than any client waits; then it is closed without an answer.
    static let stallMilliseconds = 600_000

    #if DEBUG
        /// Whether test hooks answer (debug builds, MOCK_BEDROCK_TEST_HOOKS=1 in the environment at start).
        static let testHooks = getenv("MOCK_BEDROCK_TEST_HOOKS").map { String(cString: $0) == "1" } ?? false
    #endif

    /// The error for a request whose body must not be read, from its head alone: a transfer coding
    /// libmicrohttpd 0.9.75 cannot decode (it would wait for the client to close, until the idle
    /// timeout), or a body announced past `maxBodyBytes` by a client that waits for `100 Continue`
    /// (it sends nothing until then, so it can be told at once). Nil for every other request.
    func refusalBeforeBody(_ connection: OpaquePointer) -> AWSError? {
        if let coding = MHD_lookup_connection_value(connection, .HEADER_KIND, "Transfer-Encoding").map({ String(cString: $0) }) {
            guard ASCII.lowercased(coding) == "chunked" else {
                return AWSError(
                    code: "NotImplemented", status: 501,
                    message:
                        "A header you provided implies functionality that is not implemented: Transfer-Encoding '\(coding)'. Send the body with Content-Length or Transfer-Encoding: chunked."
                )
            }
            return nil  // chunked: libmicrohttpd ignores a Content-Length, and so does the limit below
        }
        guard let expect = MHD_lookup_connection_value(connection, .HEADER_KIND, "Expect"),
            ASCII.lowercased(String(cString: expect)) == "100-continue",
            let length = MHD_lookup_connection_value(connection, .HEADER_KIND, "Content-Length").flatMap({ UInt64(String(cString: $0)) }),
            length > UInt64(configuration.maxBodyBytes)
        else { return nil }
        return AWSError(
            code: "RequestEntityTooLargeException", status: 413,
            message: "The request body is \(length) bytes; the mock reads at most \(configuration.maxBodyBytes).")
    }

    /// Answers `error` from the first call of the access handler.
    func answerAtOnce(_ error: AWSError, _ connection: OpaquePointer, method: String, path: String, _ context: RequestContext) -> MHD_Result {
        deliver(ServiceAnswer(error, requestId: RequestID.make()), on: connection, method: method, path: path, context)
    }

    /// Builds the request, asks the service and carries out its answer: at once, or after
    /// suspending the connection for a delay or a stall.
    func answer(_ connection: OpaquePointer, method: String, path: String, _ context: RequestContext) -> MHD_Result {
        if let pending = context.pending {
            // Resumed after the delay.
            context.pending = nil
            return deliver(pending, on: connection, method: method, path: path, context)
        }
        if let wait = context.dataWait {
            // Resumed when the data work ended or the wait did: the operation goes on.
            context.dataWait = nil
            return carryOut(service.resume(wait, waiting: !isStopping.load(ordering: .acquiring)), connection, method: method, path: path, context)
        }
        if let query = context.eventQuery {
            // Resumed when an event came or the wait ended: the events as they are now.
            context.eventQuery = nil
            var response = service.eventsResponse(query).response
            response.headers.append(("x-amzn-RequestId", RequestID.make()))
            return deliver(ServiceAnswer(response: response), on: connection, method: method, path: path, context)
        }
        if context.discarded > 0 {
            let error = AWSError(
                code: "RequestEntityTooLargeException", status: 413,
                message: "The request body is \(context.discarded) bytes; the mock reads at most \(configuration.maxBodyBytes).")
            let answer = ServiceAnswer(error, requestId: RequestID.make())
            return deliver(answer, on: connection, method: method, path: path, context)
        }
        var query: [(name: String, value: String)] = []
        var collection = HeaderCollection(everything: service.settings.sigV4 != nil)
        withUnsafeMutablePointer(to: &collection) { _ = MHD_get_connection_values(connection, .HEADER_KIND, collectLowercasedName, $0) }
        withUnsafeMutablePointer(to: &query) { _ = MHD_get_connection_values(connection, .GET_ARGUMENT_KIND, collectDecoded, $0) }
        let request = HTTPRequest(method: method, path: path, query: query, headers: collection.fields, body: context.body)
        #if DEBUG
            // Debug builds started with MOCK_BEDROCK_TEST_HOOKS=1 only: `x-mock-debug-block-ms: N` holds
            // this worker thread for N ms (at most a minute), the way a request stuck in the server would;
            // the shutdown tests use it. Release builds have no such code; debug builds without the
            // variable ignore the header (any client could otherwise hold the threads).
            if Self.testHooks, let text = MHD_lookup_connection_value(connection, .HEADER_KIND, "x-mock-debug-block-ms").map({ String(cString: $0) }),
                let milliseconds = UInt32(text)
            {
                usleep(min(milliseconds, 60_000) * 1000)
            }
        #endif
        return carryOut(service.begin(request), connection, method: method, path: path, context)
    }

    /// Carries out what the service answered: holds the connection for data work or events, for a
    /// delay or a stall, or delivers the answer at once.
    private func carryOut(_ answer: ServiceAnswer, _ connection: OpaquePointer, method: String, path: String, _ context: RequestContext) -> MHD_Result {
        if let wait = answer.dataWait {
            if holdForData(wait, connection, context) { return MHD_Result.YES }
            // Stopping: the answer as things stand, without waiting.
            return carryOut(service.resume(wait, waiting: false), connection, method: method, path: path, context)
        }
        if let wait = answer.eventWait, holdForEvents(wait, connection, context) { return MHD_Result.YES }
        let hold = answer.connectionFault == .stall ? (answer.delayMilliseconds > 0 ? answer.delayMilliseconds : Self.stallMilliseconds) : answer.delayMilliseconds
        if hold > 0 {
            context.pending = answer
            if suspended.suspend(connection, milliseconds: hold) != nil { return MHD_Result.YES }
            context.pending = nil
        }
        return deliver(answer, on: connection, method: method, path: path, context)
    }

    /// Holds an operation while the data work it needs runs: the connection is suspended (no thread of
    /// libmicrohttpd waits) and resumed when the work ends, when the wait's deadline passes, when the
    /// client hangs up or when the server stops. False when it cannot be held (stopping).
    private func holdForData(_ wait: DataWait, _ connection: OpaquePointer, _ context: RequestContext) -> Bool {
        guard !isStopping.load(ordering: .acquiring),
            let id = suspended.suspend(connection, milliseconds: wait.remainingMilliseconds, answersOnStop: true)
        else { return false }
        context.dataWait = wait
        wait.notify { [suspended] in suspended.resume(id: id) }
        // A client that hangs up while it waits leaves nothing behind: the work forgets this waiter.
        context.onRelease = { wait.completion.cancel() }
        // A stop that began meanwhile resumed the connections held before this one: this one too.
        if isStopping.load(ordering: .acquiring) { suspended.resume(id: id) }
        return true
    }

    /// Holds a `GET /_mock/events` that found nothing until an event matches or the wait ends; false
    /// when it cannot be held (stopping), and the answer already made goes out at once.
    private func holdForEvents(_ wait: EventWait, _ connection: OpaquePointer, _ context: RequestContext) -> Bool {
        guard !isStopping.load(ordering: .acquiring),
            let id = suspended.suspend(connection, milliseconds: wait.milliseconds, answersOnStop: true)
        else { return false }
        context.eventQuery = wait.query
        let log = service.events.log
        switch log.wait(wait.query, wake: { [suspended] in suspended.resume(id: id) }) {
        case .registered(let token): context.onRelease = { log.cancel(token) }
        case .ready: suspended.resume(id: id)  // an event came meanwhile
        case .full: break  // the timer resumes it
        }
        // A stop that began meanwhile resumed the connections held before this one: this one too.
        if isStopping.load(ordering: .acquiring) { suspended.resume(id: id) }
        return true
    }

    fileprivate func deliver(_ answer: ServiceAnswer, on connection: OpaquePointer, method: String, path: String, _ context: RequestContext) -> MHD_Result {
        let result: MHD_Result
        switch answer.connectionFault {
        case .reset?:
            // Linger 0: closing the socket sends RST instead of FIN.
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            let socket = mhd_shim_connection_socket(connection)
            if socket >= 0 { setsockopt(socket, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size)) }
            result = MHD_Result.NO
        case .close?, .stall?:
            result = MHD_Result.NO
        case .truncate?:
            result = queueTruncated(answer.response, on: connection)
        case nil:
            result = queue(answer.response, on: connection)
        }
        if answer.connectionFault == nil || answer.connectionFault == .truncate { service.counters.answered(status: answer.response.status) }
        if logger.logLevel <= .info {
            let micros = (monotonicNanoseconds() - context.startNanoseconds) / 1000
            let outcome = answer.connectionFault.map { "\($0.rawValue) (\(answer.response.status))" } ?? "\(answer.response.status)"
            logger.info(
                "\(method) \(path) \(outcome) \(micros)us",
                metadata: ["aws.request_id": "\(answer.response.header("x-amzn-RequestId") ?? "")"])
        }
        return result
    }

    private func queue(_ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
        let created = response.body.withUnsafeBytes { body in
            MHD_create_response_from_buffer(body.count, UnsafeMutableRawPointer(mutating: body.baseAddress), .RESPMEM_MUST_COPY)
        }
        guard let created else { return MHD_Result.NO }
        return send(created, response, on: connection)
    }

    /// The headers and the first half of the body, then the connection closes: the declared
    /// Content-Length is never reached.
    private func queueTruncated(_ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
        let half = Unmanaged.passRetained(TruncatedBody(Array(response.body.prefix(response.body.count / 2)))).toOpaque()
        guard let created = MHD_create_response_from_callback(UInt64(response.body.count), 4096, truncatedReader, half, truncatedRelease) else {
            Unmanaged<TruncatedBody>.fromOpaque(half).release()
            return MHD_Result.NO
        }
        return send(created, response, on: connection)
    }

    private func send(_ created: OpaquePointer, _ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
        defer { MHD_destroy_response(created) }
        for (name, value) in response.headers {
            // withCString: passing a String as a C string argument copies small strings to the heap.
            _ = name.withCString { name in value.withCString { MHD_add_response_header(created, name, $0) } }
        }
        if isStopping.load(ordering: .relaxed) {
            // Stopping: the client gets this answer, then its connection closes instead of waiting for another.
            _ = MHD_add_response_header(created, "Connection", "close")
        }
        return MHD_queue_response(connection, UInt32(response.status), created)
    }
}

/// The part of a body a truncated response sends.
final class TruncatedBody {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

/// Hands out the truncated body, then reports an error so that libmicrohttpd closes the connection.
private let truncatedReader: MHD_ContentReaderCallback = { context, position, buffer, capacity in
    guard let context, let buffer else { return -2 }
    let body = Unmanaged<TruncatedBody>.fromOpaque(context).takeUnretainedValue().bytes
    guard position < UInt64(body.count) else { return -2 }  // MHD_CONTENT_READER_END_WITH_ERROR
    let count = min(capacity, body.count - Int(position))
    body.withUnsafeBytes { source in
        guard let start = source.baseAddress else { return }
        UnsafeMutableRawPointer(buffer).copyMemory(from: start + Int(position), byteCount: count)
    }
    return count
}

private let truncatedRelease: MHD_ContentReaderFreeCallback = { context in
    if let context { Unmanaged<TruncatedBody>.fromOpaque(context).release() }
}

/// A copy of a C string with ASCII letters in lower case, if `keep` accepts it (it sees the
/// lower-case bytes; names are short, longer ones are refused unseen).
private func lowercasedString(cString: UnsafePointer<CChar>, keep: (UnsafeBufferPointer<UInt8>) -> Bool) -> String? {
    let count = strlen(cString)
    guard count <= 64 else { return nil }
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(count, 1)) { buffer -> String? in
        cString.withMemoryRebound(to: UInt8.self, capacity: count) { bytes in
            for index in 0..<count { buffer[index] = ASCII.lower(bytes[index]) }
        }
        let name = UnsafeBufferPointer(rebasing: buffer[..<count])
        return keep(name) ? String(decoding: name, as: UTF8.self) : nil
    }
}
