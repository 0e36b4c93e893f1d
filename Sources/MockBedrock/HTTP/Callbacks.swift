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
}

/// libmicrohttpd's access handler. It runs on libmicrohttpd's threads, so it captures nothing:
/// the server arrives as the context pointer. The first call only creates the request context
/// (answering then would make libmicrohttpd close the connection after each response); body
/// chunks are gathered; the last call answers.
let accessHandler: MHD_AccessHandlerCallback = { context, connection, url, method, _, uploadData, uploadDataSize, requestContext in
    guard let context, let connection, let url, let method, let uploadDataSize, let requestContext else { return MHD_Result.NO }
    guard let pointer = requestContext.pointee else {
        requestContext.pointee = Unmanaged.passRetained(RequestContext()).toOpaque()
        return MHD_Result.YES
    }
    let request = Unmanaged<RequestContext>.fromOpaque(pointer).takeUnretainedValue()
    if uploadDataSize.pointee > 0 {
        if let uploadData {
            request.body.append(contentsOf: UnsafeRawBufferPointer(start: uploadData, count: uploadDataSize.pointee))
        }
        uploadDataSize.pointee = 0
        return MHD_Result.YES
    }
    let server = Unmanaged<MockBedrockServer>.fromOpaque(context).takeUnretainedValue()
    return server.answer(connection, method: String(cString: method), path: String(cString: url), request)
}

/// Releases the request context when libmicrohttpd is done with a request, answered or not.
let requestCompleted: MHD_RequestCompletedCallback = { _, _, requestContext, _ in
    guard let requestContext, let pointer = requestContext.pointee else { return }
    Unmanaged<RequestContext>.fromOpaque(pointer).release()
    requestContext.pointee = nil
}

/// Collects header fields or query arguments into the `[(name, value)]` the iterator context points to.
private let collectLowercasedName: MHD_KeyValueIterator = { context, _, key, value in
    guard let context, let key else { return MHD_Result.YES }
    let fields = context.assumingMemoryBound(to: [(name: String, value: String)].self)
    fields.pointee.append((String(cString: key).lowercased(), value.map { String(cString: $0) } ?? ""))
    return MHD_Result.YES
}

private let collectDecoded: MHD_KeyValueIterator = { context, _, key, value in
    guard let context, let key else { return MHD_Result.YES }
    let fields = context.assumingMemoryBound(to: [(name: String, value: String)].self)
    let name = PercentEncoding.decode(String(cString: key), plusIsSpace: true)
    fields.pointee.append((name, value.map { PercentEncoding.decode(String(cString: $0), plusIsSpace: true) } ?? ""))
    return MHD_Result.YES
}

extension MockBedrockServer {
    /// Builds the request, asks the service and queues its response.
    func answer(_ connection: OpaquePointer, method: String, path: String, _ context: RequestContext) -> MHD_Result {
        var headers: [(name: String, value: String)] = []
        var query: [(name: String, value: String)] = []
        withUnsafeMutablePointer(to: &headers) { _ = MHD_get_connection_values(connection, .HEADER_KIND, collectLowercasedName, $0) }
        withUnsafeMutablePointer(to: &query) { _ = MHD_get_connection_values(connection, .GET_ARGUMENT_KIND, collectDecoded, $0) }
        let request = HTTPRequest(method: method, path: path, query: query, headers: headers, body: context.body)
        let response = service.respond(to: request)
        let result = queue(response, on: connection)
        if logger.logLevel <= .info {
            let micros = (monotonicNanoseconds() - context.startNanoseconds) / 1000
            logger.info(
                "\(method) \(path) \(response.status) \(micros)us",
                metadata: ["aws.request_id": "\(response.header("x-amzn-RequestId") ?? "")"])
        }
        return result
    }

    private func queue(_ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
        let created = response.body.withUnsafeBytes { body in
            MHD_create_response_from_buffer(body.count, UnsafeMutableRawPointer(mutating: body.baseAddress), .RESPMEM_MUST_COPY)
        }
        guard let created else { return MHD_Result.NO }
        defer { MHD_destroy_response(created) }
        for (name, value) in response.headers {
            _ = MHD_add_response_header(created, name, value)
        }
        return MHD_queue_response(connection, UInt32(response.status), created)
    }
}
