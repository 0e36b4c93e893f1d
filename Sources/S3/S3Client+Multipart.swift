/// The four calls of a multipart upload, for `S3ObjectWriter`.
extension S3Client {
    /// CreateMultipartUpload: the upload's id.
    func createMultipartUpload(bucket: String, key: String, stopWhen: (@Sendable () -> Bool)?) throws(S3Error) -> String {
        let request = S3Request(operation: "CreateMultipartUpload", method: "POST", bucket: bucket, key: key, query: [("uploads", "")])
        let outcome = try send(request, stopWhen: stopWhen)
        let root = try XMLElement.parse(outcome.body)
        guard root.name == "InitiateMultipartUploadResult", let uploadId = root.child("UploadId")?.text, !uploadId.isEmpty else {
            throw .invalidResponse("a CreateMultipartUpload answer without an UploadId")
        }
        return uploadId
    }

    /// UploadPart: the part's ETag, which CompleteMultipartUpload lists.
    func uploadPart(bucket: String, key: String, uploadId: String, number: Int, body: [UInt8], stopWhen: (@Sendable () -> Bool)?) throws(S3Error) -> String {
        let query = [(name: "partNumber", value: String(number)), (name: "uploadId", value: uploadId)]
        let request = S3Request(
            operation: "UploadPart", method: "PUT", bucket: bucket, key: key, query: query, body: body, contentType: "application/octet-stream")
        let outcome = try send(request, stopWhen: stopWhen)
        guard let etag = outcome.etag, !etag.isEmpty else { throw .invalidResponse("an UploadPart answer without an ETag") }
        return etag
    }

    /// CompleteMultipartUpload. S3 can answer 200 and still fail (the error comes in the body), so the body is read either way;
    /// such an error is retried as if it had its own status (InternalError, SlowDown...), as AWS's SDKs do.
    /// Any other root is success: S3 names it CompleteMultipartUploadResult, moto CompleteMultipartUploadResponse.
    func completeMultipartUpload(bucket: String, key: String, uploadId: String, etags: [String], stopWhen: (@Sendable () -> Bool)?) throws(S3Error) {
        let parts = etags.enumerated().map { index, etag in
            XMLElement(name: "Part", children: [XMLElement(name: "PartNumber", text: String(index + 1)), XMLElement(name: "ETag", text: etag)])
        }
        let body = try XMLElement(name: "CompleteMultipartUpload", namespace: XMLElement.s3Namespace, children: parts).document()
        let request = S3Request(
            operation: "CompleteMultipartUpload", method: "POST", bucket: bucket, key: key, query: [("uploadId", uploadId)], body: body,
            contentType: "application/xml")
        try retrying(request, stopWhen: stopWhen) { () throws(S3Error) in
            let outcome = try exchange(request, stopWhen: stopWhen)
            guard (200..<300).contains(outcome.status) else { throw S3Error(status: outcome.status, body: outcome.body) }
            let root = try XMLElement.parse(outcome.body)
            if root.name == "Error" { throw try S3Error(errorDocument: root, status: outcome.status) }
        }
    }

    /// AbortMultipartUpload: S3 drops the parts (which it would otherwise keep, and bill). One
    /// attempt, best effort: it runs after a failure, often of the same endpoint.
    func abortMultipartUpload(bucket: String, key: String, uploadId: String, stopWhen: (@Sendable () -> Bool)?) throws(S3Error) {
        let request = S3Request(operation: "AbortMultipartUpload", method: "DELETE", bucket: bucket, key: key, query: [("uploadId", uploadId)])
        let outcome = try exchange(request, stopWhen: stopWhen)
        guard (200..<300).contains(outcome.status) else { throw S3Error(status: outcome.status, body: outcome.body) }
    }
}
