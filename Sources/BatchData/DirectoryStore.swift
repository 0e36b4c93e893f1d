#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `--s3-dir DIR`: `s3://bucket/key` is the file `DIR/bucket/key`. Nothing outside `DIR` is read or
/// written: keys are checked by `S3Location.keyProblem` (no `..`, no NUL, no absolute paths), and
/// every path is resolved with `realpath` before use, so a symbolic link that leads out of `DIR` is
/// refused (one that stays inside is followed). Written objects appear whole: they are written to a
/// hidden temporary file beside the target and renamed over it.
public struct DirectoryStore: ObjectStore {
    /// The root, resolved (no symbolic links, no trailing `/`).
    public let root: String
    public var name: String { "s3-dir \(root)" }

    /// Opens `path` as the root; it must be an existing directory.
    public init(path: String) throws(StoreError) {
        guard let resolved = Self.realPath(path) else { throw StoreError("NoSuchDirectory", "--s3-dir \(path) does not exist.") }
        var info = stat()
        guard stat(resolved, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { throw StoreError("NotADirectory", "--s3-dir \(path) is not a directory.") }
        root = resolved == "/" ? "" : resolved
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The bucket's directory, checked to exist inside the root.
    private func bucketPath(_ bucket: String) throws(StoreError) -> String {
        if let problem = S3Location.bucketProblem(bucket) { throw StoreError("InvalidBucketName", "The bucket name \(bucket) is not valid: \(problem).") }
        let path = root + "/" + bucket
        guard let resolved = Self.realPath(path), isInside(resolved), isDirectory(resolved) else {
            throw StoreError("NoSuchBucket", "The specified bucket does not exist: \(bucket)")
        }
        return resolved
    }

    private func isInside(_ resolved: String) -> Bool {
        resolved.hasPrefix(root + "/") && resolved.utf8.count > root.utf8.count + 1
    }

    private func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    private func checkedKey(_ key: String) throws(StoreError) {
        if let problem = S3Location.keyProblem(key) { throw StoreError("InvalidKey", "The key \(key) is not valid: \(problem).") }
    }

    /// The regular file a key names, resolved inside the root; nil when there is none.
    private func file(bucket: String, key: String) throws(StoreError) -> (path: String, size: Int64)? {
        let base = try bucketPath(bucket)
        try checkedKey(key)
        guard !key.isEmpty, !key.hasSuffix("/"), let resolved = Self.realPath(base + "/" + key) else { return nil }
        guard isInside(resolved) else { throw StoreError("AccessDenied", "Access Denied: \(key) leads outside the --s3-dir directory.") }
        var info = stat()
        guard stat(resolved, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return (resolved, Int64(info.st_size))
    }

    public func head(bucket: String, key: String) throws(StoreError) -> StoredObject? {
        try file(bucket: bucket, key: key).map { StoredObject(key: key, size: $0.size) }
    }

    public func list(bucket: String, prefix: String, limit: Int) throws(StoreError) -> [StoredObject] {
        let base = try bucketPath(bucket)
        if let problem = S3Location.keyProblem(prefix) { throw StoreError("InvalidKey", "The prefix \(prefix) is not valid: \(problem).") }
        // Walk only the deepest directory the prefix names whole: `in/2024-` walks `in/`.
        let folder = prefix.lastIndex(of: "/").map { String(prefix[..<$0]) } ?? ""
        var found: [StoredObject] = []
        var pending: [(path: String, key: String, depth: Int)] = [(folder.isEmpty ? base : base + "/" + folder, folder.isEmpty ? "" : folder + "/", 0)]
        while let (path, keyPrefix, depth) = pending.popLast() {
            guard let resolved = Self.realPath(path), resolved == base || isInside(resolved), let directory = opendir(resolved) else { continue }
            defer { closedir(directory) }
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name == "." || name == ".." || name.hasPrefix(".mock-bedrock-") { continue }
                let key = keyPrefix + name
                let full = resolved + "/" + name
                guard let target = Self.realPath(full), isInside(target) else { continue }  // a link out of the root is not there
                var info = stat()
                guard stat(target, &info) == 0 else { continue }
                if info.st_mode & S_IFMT == S_IFDIR {
                    // Symbolic links to directories are not walked: a loop of them would never end.
                    var link = stat()
                    if lstat(full, &link) == 0, link.st_mode & S_IFMT == S_IFDIR, depth < 64, (key + "/").hasPrefix(prefix) || prefix.hasPrefix(key + "/") {
                        pending.append((full, key + "/", depth + 1))
                    }
                } else if info.st_mode & S_IFMT == S_IFREG, key.hasPrefix(prefix), S3Location.keyProblem(key) == nil {
                    found.append(StoredObject(key: key, size: Int64(info.st_size)))
                    if found.count > limit { throw StoreError("TooManyObjects", "More than \(limit) objects under s3://\(bucket)/\(prefix).") }
                }
            }
        }
        return found.sorted { $0.key < $1.key }
    }

    public func read(bucket: String, key: String, _ chunk: (UnsafeRawBufferPointer) throws(StoreError) -> Void) throws(StoreError) {
        guard let (path, _) = try file(bucket: bucket, key: key) else { throw StoreError("NoSuchKey", "The specified key does not exist: \(key)") }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw StoreError("AccessDenied", "Access Denied: \(key) cannot be opened (errno \(errno)).") }
        defer { close(descriptor) }
        // Only regular files: a FIFO swapped in after the check would block the read forever.
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { throw StoreError("AccessDenied", "Access Denied: \(key) is not a regular file.") }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw StoreError("InternalError", "Reading \(key) failed (errno \(errno)).") }
            if count == 0 { return }
            // withUnsafeBytes rethrows untyped errors: carry the typed one out by hand.
            let failure = buffer.withUnsafeBytes { raw -> StoreError? in
                do throws(StoreError) {
                    try chunk(UnsafeRawBufferPointer(rebasing: raw[0..<count]))
                    return nil
                } catch { return error }
            }
            if let failure { throw failure }
        }
    }

    public func writer(bucket: String, key: String) throws(StoreError) -> any ObjectSink {
        let base = try bucketPath(bucket)
        try checkedKey(key)
        guard !key.isEmpty, !key.hasSuffix("/") else { throw StoreError("InvalidKey", "The key \(key) names no object.") }
        // Make each folder of the key, checking after each step that it is still inside the root.
        var directory = base
        let segments = key.split(separator: "/")
        for segment in segments.dropLast() {
            let next = directory + "/" + segment
            if mkdir(next, 0o755) != 0, errno != EEXIST { throw StoreError("AccessDenied", "Access Denied: cannot make the folder of \(key) (errno \(errno)).") }
            guard let resolved = Self.realPath(next), isInside(resolved), isDirectory(resolved) else {
                throw StoreError("AccessDenied", "Access Denied: \(key) leads outside the --s3-dir directory.")
            }
            directory = resolved
        }
        let target = directory + "/" + (segments.last.map(String.init) ?? "")
        return try FileSink(target: target, key: key)
    }
}

/// A file written under a hidden name and renamed to its own when finished.
final class FileSink: ObjectSink {
    let target: String
    let temporary: String
    let key: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []

    init(target: String, key: String) throws(StoreError) {
        self.target = target
        self.key = key
        let slash = target.lastIndex(of: "/") ?? target.startIndex
        var random = SystemRandomNumberGenerator()
        temporary = String(target[..<slash]) + "/.mock-bedrock-" + String(random.next(), radix: 36)
        descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw StoreError("AccessDenied", "Access Denied: cannot write \(key) (errno \(errno)).") }
        buffer.reserveCapacity(1 << 16)
    }

    deinit { abort() }

    func append(_ bytes: [UInt8]) throws(StoreError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws(StoreError) {
        var written = 0
        while written < buffer.count {
            let count = buffer.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw StoreError("InternalError", "Writing \(key) failed (errno \(errno)).") }
            written += count
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func finish() throws(StoreError) {
        guard descriptor >= 0 else { throw StoreError("InternalError", "\(key) was already closed.") }
        try flush()
        close(descriptor)
        descriptor = -1
        // rename(2) replaces the target, a file or a symbolic link, as a whole; it never writes through a link.
        guard rename(temporary, target) == 0 else {
            unlink(temporary)
            throw StoreError("AccessDenied", "Access Denied: cannot write \(key) (errno \(errno)).")
        }
    }

    func abort() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlink(temporary)
    }
}
