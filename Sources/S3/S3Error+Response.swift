extension S3Error {
    /// The error an answer that is not a success carries (public for the fuzzer, which feeds it any bytes): S3's `<Error><Code>..</Code><Message>..</Message></Error>`,
    /// or, for an answer without a body (HEAD, some proxies), a code named after the status.
    public init(status: Int, body: [UInt8]) {
        guard !body.isEmpty else {
            self.init(code: Self.codesByStatus[status] ?? "HTTP\(status)", message: "HTTP status \(status) without a body", httpStatus: status)
            return
        }
        do {
            self = try S3Error(errorDocument: XMLElement.parse(body), status: status)
        } catch {
            self = error.code == "InvalidResponse" ? .invalidResponse("HTTP status \(status): \(error.message)", httpStatus: status) : error
        }
    }

    /// The error of a parsed `<Error>` document, which S3 also sends with status 200 when a
    /// CompleteMultipartUpload fails after its headers went out.
    init(errorDocument root: XMLElement, status: Int) throws(S3Error) {
        guard root.name == "Error", let code = root.child("Code")?.text, !code.isEmpty else {
            throw .invalidResponse("HTTP status \(status) with a body that is not an S3 error (<\(root.name)>)", httpStatus: status)
        }
        self.init(code: code, message: root.child("Message")?.text ?? "", httpStatus: status)
    }

    /// The codes AWS's SDKs give bodiless errors.
    private static let codesByStatus = [
        301: "PermanentRedirect", 304: "NotModified", 400: "BadRequest", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed",
        409: "Conflict", 412: "PreconditionFailed", 500: "InternalError", 503: "ServiceUnavailable",
    ]
}
