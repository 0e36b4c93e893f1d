import JSON

/// The counts a job's manifest reports, equal to what Get and List report for the job.
public struct Manifest: Sendable, Equatable {
    public var totalRecordCount: Int
    public var processedRecordCount: Int
    public var successRecordCount: Int
    public var errorRecordCount: Int
    public var inputTokenCount: Int64
    public var outputTokenCount: Int64

    public var json: [UInt8] {
        var writer = JSONWriter(reservingCapacity: 256)
        writer.beginObject()
        for (key, value) in [
            ("totalRecordCount", Int64(totalRecordCount)), ("processedRecordCount", Int64(processedRecordCount)),
            ("successRecordCount", Int64(successRecordCount)), ("errorRecordCount", Int64(errorRecordCount)),
            ("inputTokenCount", inputTokenCount), ("outputTokenCount", outputTokenCount),
        ] {
            writer.key(key)
            writer.integer(value)
        }
        writer.endObject()
        return writer.bytes
    }
}

/// Writes a finished job's results: for each input file `<output>/<jobId>/<name>.out` with a line for
/// each processed record (the first `processed` records in input order), then
/// `<output>/<jobId>/manifest.json.out`. The input is read again as a stream; the scan's decisions
/// (which records fail) are followed, so the counts are the scan's.
public struct OutputWriter {
    public var store: any ObjectStore
    public var limits: DataLimits

    public init(store: any ObjectStore, limits: DataLimits) {
        self.store = store
        self.limits = limits
    }

    /// The message a record picked to fail (not refused by the model) carries.
    public static let pickedErrorMessage = "The model could not process this record: an internal error occurred. Try your request again."

    /// Writes the results whole or not at all: a failure (a store error, the output budget, a
    /// cancellation) discards the files already written, so a failed job leaves no partial results.
    public func write(
        _ scan: InputScan, processed: Int, output: S3Location, jobId: String, responder: any RecordResponder
    ) throws(DataProblem) -> Manifest {
        var written: [any ObjectSink] = []
        do throws(DataProblem) {
            return try write(scan, processed: processed, output: output, jobId: jobId, responder: responder, written: &written)
        } catch {
            for sink in written.reversed() { sink.discard() }
            throw error
        }
    }

    /// The message of a job whose results pass `--max-output-bytes`.
    func budgetMessage(_ folder: S3Location) -> String {
        "Unable to write the output to \(folder): the results would take more than the mock's output budget of \(limits.maxOutputBytes) bytes (--max-output-bytes); none were kept."
    }

    private func write(
        _ scan: InputScan, processed: Int, output: S3Location, jobId: String, responder: any RecordResponder, written: inout [any ObjectSink]
    ) throws(DataProblem) -> Manifest {
        let folder = output.appending(jobId)
        var outputBytes: Int64 = 0
        let overBudget = StoreError.signal("OutputBudget")
        // Every byte of results counts against the job's budget, before it is written.
        let charge = { (count: Int) throws(StoreError) in
            let (sum, overflow) = outputBytes.addingReportingOverflow(Int64(count))
            guard !overflow, sum <= limits.maxOutputBytes else { throw overBudget }
            outputBytes = sum
        }
        var manifest = Manifest(
            totalRecordCount: scan.totalRecords, processedRecordCount: min(processed, scan.totalRecords), successRecordCount: 0,
            errorRecordCount: 0, inputTokenCount: 0, outputTokenCount: 0)
        var index = 0
        for file in scan.files {
            let target = folder.appending(file.outputName)
            let sink: any ObjectSink
            do throws(StoreError) {
                sink = try store.writer(bucket: target.bucket, key: target.key)
            } catch {
                throw DataProblem(Self.writeMessage(error, target))
            }
            var lines = LineReader(maxLineBytes: limits.maxRecordBytes)
            var seen = 0
            var writeFailure: StoreError?
            let changed = StoreError.signal("InputChanged", "The input file \(file.location) changed after the job was validated; its results cannot be written.")
            let handle = { (line: LineReader.Line, _: Int) throws(StoreError) in
                guard case .bytes(let bytes) = line else { throw changed }  // a line too long was refused by Validating
                if BatchRecord.isBlank(bytes) { return }
                seen += 1
                guard seen <= file.records else { throw changed }  // more records than Validating found
                guard index < manifest.processedRecordCount else { return }
                // The scan accepted every line, so a line that is not a record means the input changed.
                guard case .success(let record) = BatchRecord.parse(bytes, index: index, jobId: jobId) else {
                    throw changed
                }
                index += 1
                let answer =
                    scan.isError(record.index) && !scan.isRefused(record.index)
                    ? .error(code: 500, message: Self.pickedErrorMessage) : responder.answer(record)
                switch answer.outcome {
                case .output: manifest.successRecordCount += 1
                case .error: manifest.errorRecordCount += 1
                }
                manifest.inputTokenCount += answer.inputTokens
                manifest.outputTokenCount += answer.outputTokens
                do throws(StoreError) {
                    let line = Self.line(record, answer)
                    try charge(line.count)
                    try sink.append(line)
                } catch  where error.isSignal(overBudget) {
                    throw error
                } catch {
                    writeFailure = error
                    throw error
                }
            }
            var reading = false
            do throws(StoreError) {
                if index < manifest.processedRecordCount {
                    reading = true
                    // The file Validating read, or the counts would not be the manifest's: the same size,
                    // and (read through) the same number of records.
                    guard try store.head(bucket: file.location.bucket, key: file.location.key)?.size == file.size else { throw changed }
                    var bytesRead: Int64 = 0
                    try store.read(bucket: file.location.bucket, key: file.location.key) { (chunk: UnsafeRawBufferPointer) throws(StoreError) in
                        // An input that now serves more than the size Validating read is not the same input.
                        bytesRead += Int64(chunk.count)
                        guard bytesRead <= file.size else { throw changed }
                        try lines.feed(chunk, handle)
                    }
                    try lines.finish(handle)
                    guard seen == file.records else { throw changed }
                    reading = false
                }
                try sink.finish()
                written.append(sink)
            } catch {
                sink.abort()
                if error.isSignal(changed) { throw DataProblem(error.message) }
                if error.isSignal(overBudget) { throw DataProblem(budgetMessage(folder)) }
                // A failed append or finish is the output's; a failure while reading, the input's.
                let isRead = reading && writeFailure == nil
                throw DataProblem(isRead ? InputScanner.accessMessage(error, file.location) : Self.writeMessage(error, target))
            }
        }
        let target = folder.appending("manifest.json.out")
        let sink: any ObjectSink
        do throws(StoreError) {
            sink = try store.writer(bucket: target.bucket, key: target.key)
        } catch {
            throw DataProblem(Self.writeMessage(error, target))
        }
        do throws(StoreError) {
            let json = manifest.json
            try charge(json.count)
            try sink.append(json)
            try sink.finish()
            written.append(sink)
        } catch {
            sink.abort()
            throw DataProblem(error.isSignal(overBudget) ? budgetMessage(folder) : Self.writeMessage(error, target))
        }
        return manifest
    }

    static func writeMessage(_ error: StoreError, _ location: S3Location) -> String {
        switch error.code {
        case "NoSuchBucket": "Unable to write the output to \(location): the bucket \(location.bucket) does not exist."
        case "AccessDenied", "Forbidden": "Unable to write the output to \(location): access denied (\(error.message))."
        default: "Unable to write the output to \(location): \(error.code): \(error.message)"
        }
    }

    /// `{"recordId": ..., "modelInput": ..., "modelOutput": ...}` or with `"error": {"errorCode", "errorMessage"}`, and LF.
    static func line(_ record: BatchRecord, _ answer: RecordAnswer) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 2048)
        writer.beginObject()
        writer.key("recordId")
        writer.string(record.recordId)
        writer.key("modelInput")
        writer.write(record.modelInput)
        switch answer.outcome {
        case .output(let output):
            writer.key("modelOutput")
            writer.write(output)
        case .error(let code, let message):
            writer.key("error")
            writer.beginObject()
            writer.key("errorCode")
            writer.integer(Int64(code))
            writer.key("errorMessage")
            writer.string(message)
            writer.endObject()
        }
        writer.endObject()
        var bytes = writer.bytes
        bytes.append(0x0A)
        return bytes
    }
}
