/// Splits a stream of chunks into lines (LF, with a CR before it dropped), keeping at most
/// `maxLineBytes` of a line: a longer line is reported by its length and not kept, so memory stays
/// bounded whatever the input.
struct LineReader {
    let maxLineBytes: Int
    private(set) var lineNumber = 0
    private var line: [UInt8] = []
    private var lineLength = 0

    init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    enum Line {
        case bytes([UInt8])
        /// The line had this many bytes, more than the limit.
        case tooLong(Int)
    }

    /// Feeds a chunk; `body` gets each complete line with its number (from 1).
    mutating func feed<Failure: Error>(_ chunk: UnsafeRawBufferPointer, _ body: (Line, Int) throws(Failure) -> Void) throws(Failure) {
        var start = 0
        while start < chunk.count {
            // memchr finds the next LF in the chunk without a Swift loop over every byte.
            let base = chunk.baseAddress.map { $0 + start }
            let found = base.flatMap { memchrLF($0, chunk.count - start) }
            let end = found.map { start + $0 } ?? chunk.count
            take(UnsafeRawBufferPointer(rebasing: chunk[start..<end]))
            if found == nil { return }
            try emit(body)
            start = end + 1
        }
    }

    /// Ends the stream: a last line without LF is still a line.
    mutating func finish<Failure: Error>(_ body: (Line, Int) throws(Failure) -> Void) throws(Failure) {
        if lineLength > 0 { try emit(body) }
    }

    private mutating func take(_ part: UnsafeRawBufferPointer) {
        lineLength += part.count
        if lineLength <= maxLineBytes + 1 { line.append(contentsOf: part) }
    }

    private mutating func emit<Failure: Error>(_ body: (Line, Int) throws(Failure) -> Void) throws(Failure) {
        lineNumber += 1
        var length = lineLength
        if line.last == 0x0D, length <= maxLineBytes + 1 {
            line.removeLast()
            length -= 1
        }
        let result: Line = length > maxLineBytes ? .tooLong(length) : .bytes(line)
        line.removeAll(keepingCapacity: line.capacity <= 1 << 20)
        lineLength = 0
        try body(result, lineNumber)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The offset of the first LF in `count` bytes at `pointer`. The corresponding C function is `memchr`.
private func memchrLF(_ pointer: UnsafeRawPointer, _ count: Int) -> Int? {
    guard let found = memchr(pointer, 0x0A, count) else { return nil }
    return pointer.distance(to: UnsafeRawPointer(found))
}
