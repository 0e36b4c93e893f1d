#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `--s3-dir DIR`: `s3://bucket/key` is the file `DIR/bucket/key`. Nothing outside `DIR` is read or
/// written. Keys are checked by `S3Location.keyProblem` (no `..`, no NUL, no absolute paths); then
/// every file and folder is opened first and checked after: the path the kernel opened (read back
/// from `/proc/self/fd`) must be inside `DIR`. So a symbolic link that leads out of `DIR` is refused,
/// one that stays inside is followed, and a folder swapped for a link between a check and a use
/// cannot lead out either: what is checked is what was opened. Written objects appear whole: they
/// are written under a hidden name beside their target and renamed, relative to the opened folder.
public struct DirectoryStore: ObjectStore {
    /// The root, resolved (no symbolic links, no trailing `/`).
    public let root: String
    public var name: String { "s3-dir \(root)" }
    /// The prefix of the hidden names objects are written under; listings skip them.
    static let temporaryPrefix = ".mock-bedrock-upload-"
    /// The deepest folder a listing walks below the bucket's: deeper ones are refused, not skipped.
    static let maxDepth = 64

    /// Opens `path` as the root; it must be an existing directory, and `/proc` must show what a
    /// descriptor opened (Linux).
    public init(path: String) throws(StoreError) {
        guard let resolved = Self.realPath(path) else { throw StoreError("NoSuchDirectory", "--s3-dir \(path) does not exist.") }
        var info = stat()
        guard stat(resolved, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { throw StoreError("NotADirectory", "--s3-dir \(path) is not a directory.") }
        root = resolved == "/" ? "" : resolved
        let probe = open(resolved, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { if probe >= 0 { close(probe) } }
        guard probe >= 0, Self.openedPath(probe) == resolved else {
            throw StoreError("Unsupported", "--s3-dir needs /proc/self/fd to check what it opens (Linux with /proc mounted).")
        }
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The path the kernel opened for a descriptor. The corresponding C function is `readlink` (of `/proc/self/fd/N`).
    static func openedPath(_ descriptor: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/fd/\(descriptor)", &buffer, Int(PATH_MAX))
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func isInside(_ resolved: String) -> Bool {
        resolved.hasPrefix(root + "/") && resolved.utf8.count > root.utf8.count + 1
    }

    /// Opens `path` (relative to the folder `at`, or absolute when `at` is nil) and returns the
    /// descriptor when what it opened is inside the root, else closes it and throws.
    private func openInside(_ path: String, at folder: Int32? = nil, flags: Int32, key: String) throws(StoreError) -> Int32? {
        let descriptor = folder.map { openat($0, path, flags | O_CLOEXEC) } ?? open(path, flags | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw StoreError("AccessDenied", "Access Denied: \(key) cannot be opened (errno \(errno)).")
        }
        guard let opened = Self.openedPath(descriptor), isInside(opened) else {
            close(descriptor)
            throw StoreError("AccessDenied", "Access Denied: \(key) leads outside the --s3-dir directory.")
        }
        return descriptor
    }

    /// The bucket's folder, opened.
    private func openBucket(_ bucket: String) throws(StoreError) -> Int32 {
        if let problem = S3Location.bucketProblem(bucket) { throw StoreError("InvalidBucketName", "The bucket name \(bucket) is not valid: \(problem).") }
        guard let descriptor = try openInside(root + "/" + bucket, flags: O_RDONLY | O_DIRECTORY, key: bucket) else {
            throw StoreError("NoSuchBucket", "The specified bucket does not exist: \(bucket)")
        }
        return descriptor
    }

    private func checkedKey(_ key: String) throws(StoreError) {
        if let problem = S3Location.keyProblem(key) { throw StoreError("InvalidKey", "The key \(key) is not valid: \(problem).") }
    }

    /// The regular file a key names, opened for reading with its size; nil when there is none.
    private func openFile(bucket: String, key: String) throws(StoreError) -> (descriptor: Int32, size: Int64)? {
        let folder = try openBucket(bucket)
        defer { close(folder) }
        try checkedKey(key)
        guard !key.isEmpty, !key.hasSuffix("/") else { return nil }
        // O_NONBLOCK: a FIFO is opened without waiting for a writer, then refused as not a regular file.
        guard let descriptor = try openInside(key, at: folder, flags: O_RDONLY | O_NONBLOCK, key: key) else { return nil }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            return nil
        }
        return (descriptor, Int64(info.st_size))
    }

    public func head(bucket: String, key: String) throws(StoreError) -> StoredObject? {
        guard let (descriptor, size) = try openFile(bucket: bucket, key: key) else { return nil }
        close(descriptor)
        return StoredObject(key: key, size: size)
    }

    public func read(bucket: String, key: String, _ chunk: (UnsafeRawBufferPointer) throws(StoreError) -> Void) throws(StoreError) {
        guard let (descriptor, _) = try openFile(bucket: bucket, key: key) else {
            throw StoreError("NoSuchKey", "The specified key does not exist: \(key)")
        }
        defer { close(descriptor) }
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

    public func list(bucket: String, prefix: String, limit: Int) throws(StoreError) -> [StoredObject] {
        let base = try openBucket(bucket)
        defer { close(base) }
        if let problem = S3Location.keyProblem(prefix) { throw StoreError("InvalidKey", "The prefix \(prefix) is not valid: \(problem).") }
        // Walk only the deepest folder the prefix names whole: `in/2024-` walks `in/`.
        let folder = prefix.lastIndex(of: "/").map { String(prefix[..<$0]) } ?? ""
        var found: [StoredObject] = []
        // What the walk cannot list as an S3 object, counted exactly and refused below with the first
        // of each: names that are not UTF-8 (an S3 key is), folders deeper than `maxDepth`, and
        // symbolic links that lead outside the root, to a folder (not followed: a loop of them would
        // never end), or nowhere.
        var notUTF8 = Unlisted()
        var tooDeep = Unlisted()
        var linksOut = Unlisted()
        var linksToFolders = Unlisted()
        var linksNowhere = Unlisted()
        var pending: [(path: String, key: String, depth: Int)] = [(folder.isEmpty ? "." : folder, folder.isEmpty ? "" : folder + "/", 0)]
        while let (path, keyPrefix, depth) = pending.popLast() {
            guard let descriptor = try? openInside(path, at: base, flags: O_RDONLY | O_DIRECTORY, key: path),
                let directory = fdopendir(descriptor)
            else { continue }
            defer { closedir(directory) }  // closes the descriptor too
            while let entry = readdir(directory) {
                let raw = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
                let decoded = String(validating: raw, as: UTF8.self)
                let name = decoded ?? String(decoding: raw, as: UTF8.self)
                if name == "." || name == ".." || name.hasPrefix(Self.temporaryPrefix) { continue }
                let key = keyPrefix + name
                let isBelow = key.hasPrefix(prefix) || prefix.hasPrefix(key + "/")
                guard decoded != nil else {
                    if isBelow { notUTF8.add(key) }
                    continue
                }
                var info = stat()
                // Not followed: a link is listed only when what it leads to is inside (checked again when read).
                guard fstatat(dirfd(directory), name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                var kind = info.st_mode & S_IFMT
                if kind == S_IFLNK {
                    guard isBelow else { continue }
                    var target = stat()
                    guard let resolved = Self.realPath(root + "/" + bucket + "/" + key), stat(resolved, &target) == 0 else {
                        linksNowhere.add(key)
                        continue
                    }
                    guard isInside(resolved) else {
                        linksOut.add(key)
                        continue
                    }
                    guard target.st_mode & S_IFMT == S_IFREG else {
                        if target.st_mode & S_IFMT == S_IFDIR { linksToFolders.add(key) }
                        continue
                    }
                    info = target
                    kind = S_IFREG
                }
                if kind == S_IFDIR {
                    guard (key + "/").hasPrefix(prefix) || prefix.hasPrefix(key + "/") else { continue }
                    if depth < Self.maxDepth {
                        pending.append((key, key + "/", depth + 1))
                    } else {
                        tooDeep.add(key + "/")
                    }
                } else if kind == S_IFREG, key.hasPrefix(prefix), S3Location.keyProblem(key) == nil {
                    found.append(StoredObject(key: key, size: Int64(info.st_size)))
                    if found.count > limit { throw StoreError("TooManyObjects", "More than \(limit) objects under s3://\(bucket)/\(prefix).") }
                }
            }
        }
        let unlisted = [
            notUTF8.said("name is", "names are", "not UTF-8, as S3 keys are"),
            tooDeep.said("folder is", "folders are", "nested more than \(Self.maxDepth) folders below the one listed, deeper than the mock walks"),
            linksOut.said("link leads", "links lead", "outside the --s3-dir directory"),
            linksToFolders.said("link leads", "links lead", "to a folder, which the mock does not follow"),
            linksNowhere.said("link leads", "links lead", "nowhere"),
        ].compactMap { $0 }
        if !unlisted.isEmpty {
            throw StoreError(
                "UnlistableObjects", "The --s3-dir folder for s3://\(bucket)/\(prefix) holds what the mock cannot list as S3 objects: " + unlisted.joined(separator: "; "))
        }
        return found.sorted { $0.key < $1.key }
    }

    public func writer(bucket: String, key: String) throws(StoreError) -> any ObjectSink {
        try checkedKey(key)
        let segments = key.split(separator: "/").map(String.init)
        guard let name = segments.last, !key.hasSuffix("/") else { throw StoreError("InvalidKey", "The key \(key) names no object.") }
        // Another job's failed write may remove an empty folder this one has just opened (it undoes the
        // folders it made): a folder gone under the walk is made again, a few times at most.
        for _ in 0..<3 {
            if let sink = try openWriter(bucket: bucket, key: key, folders: segments.dropLast(), name: name) { return sink }
        }
        throw StoreError("AccessDenied", "Access Denied: the folders of \(key) kept being removed while it was written.")
    }

    /// Makes and opens each folder of the key from the one before, checking each is inside the root,
    /// and the hidden file in the last; nil when a folder was removed under the walk (ENOENT).
    private func openWriter(bucket: String, key: String, folders: ArraySlice<String>, name: String) throws(StoreError) -> (any ObjectSink)? {
        var folder = try openBucket(bucket)
        var made: [String] = []
        var path = ""
        for segment in folders {
            path += segment + "/"
            if mkdirat(folder, segment, 0o755) == 0 {
                made.append(path)
            } else if errno != EEXIST {
                let error = errno
                close(folder)
                remove(bucket: bucket, key: nil, folders: made)
                if error == ENOENT { return nil }
                throw StoreError("AccessDenied", "Access Denied: cannot make the folder of \(key) (errno \(error)).")
            }
            let next: Int32?
            do throws(StoreError) {
                next = try openInside(segment, at: folder, flags: O_RDONLY | O_DIRECTORY, key: key)
            } catch {
                close(folder)
                remove(bucket: bucket, key: nil, folders: made)
                throw error
            }
            close(folder)
            guard let next else {
                remove(bucket: bucket, key: nil, folders: made)
                return nil
            }
            folder = next
        }
        do throws(StoreError) {
            return try FileSink(folder: folder, name: name, key: key, undo: (self, bucket, made))
        } catch {
            remove(bucket: bucket, key: nil, folders: made)
            if error.isSignal(FileSink.folderGone) { return nil }
            throw error
        }
    }

    /// Removes the object `key` (when given) and then the `folders` (keys ending in `/`, outermost
    /// first) that are empty: what a write made, undone. Each is reached from the bucket's folder a
    /// segment at a time through `openInside`, so nothing outside the root is touched, and
    /// `unlinkat` removes the last segment itself, never what a link leads to.
    func remove(bucket: String, key: String?, folders: [String]) {
        guard let base = try? openBucket(bucket) else { return }
        defer { close(base) }
        if let key { unlink(key, in: base, flags: 0) }
        for folder in folders.reversed() { unlink(folder, in: base, flags: AT_REMOVEDIR) }
    }

    private func unlink(_ key: String, in base: Int32, flags: Int32) {
        var segments = key.split(separator: "/").map(String.init)
        guard let last = segments.popLast() else { return }
        var folder = dup(base)
        guard folder >= 0 else { return }
        defer { close(folder) }
        for segment in segments {
            guard let next = try? openInside(segment, at: folder, flags: O_RDONLY | O_DIRECTORY, key: key) else { return }
            close(folder)
            folder = next
        }
        unlinkat(folder, last, flags)
    }
}

/// Entries of a folder that a listing cannot take as S3 objects, of one kind: how many, and the first.
struct Unlisted {
    private(set) var count = 0
    private(set) var first = ""

    mutating func add(_ key: String) {
        count += 1
        if first.isEmpty { first = key }
    }

    /// `2 names are not UTF-8 (the first: in/x)`, nil when there are none.
    func said(_ one: String, _ many: String, _ what: String) -> String? {
        count == 0 ? nil : "\(count) \(count == 1 ? one : many) \(what) (the first: \(first))"
    }
}

/// A file written under a hidden name in an opened folder and renamed to its own when finished.
final class FileSink: ObjectSink {
    /// The opened folder was removed (by another job undoing its write) before the file was made in it.
    static let folderGone = StoreError.signal("FolderGone")

    let folder: Int32
    let name: String
    let temporary: String
    let key: String
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var finished = false
    /// The store, the bucket and the folders the write made (outermost first), to undo it (`discard`).
    let undo: (store: DirectoryStore, bucket: String, folders: [String])

    /// Takes over `folder` (closed when the sink is done).
    init(folder: Int32, name: String, key: String, undo: (store: DirectoryStore, bucket: String, folders: [String])) throws(StoreError) {
        self.folder = folder
        self.name = name
        self.key = key
        self.undo = undo
        var random = SystemRandomNumberGenerator()
        temporary = DirectoryStore.temporaryPrefix + String(random.next(), radix: 36)
        descriptor = openat(folder, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            close(folder)
            if errno == ENOENT { throw Self.folderGone }
            throw StoreError("AccessDenied", "Access Denied: cannot write \(key) (errno \(errno)).")
        }
        buffer.reserveCapacity(1 << 16)
    }

    deinit {
        abort()
        close(folder)
    }

    func append(_ bytes: [UInt8]) throws(StoreError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws(StoreError) {
        var written = 0
        while written < buffer.count {
            let count = buffer.withUnsafeBytes { raw in raw.baseAddress.map { write(descriptor, $0 + written, raw.count - written) } ?? 0 }
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
        // renameat(2) in the opened folder replaces the target, a file or a symbolic link, as a whole;
        // it never writes through a link.
        guard renameat(folder, temporary, folder, name) == 0 else {
            let error = errno
            unlinkat(folder, temporary, 0)
            undo.store.remove(bucket: undo.bucket, key: nil, folders: undo.folders)
            throw StoreError("AccessDenied", "Access Denied: cannot write \(key) (errno \(error)).")
        }
        finished = true
    }

    /// Removes what was written so far, and the folders the write made if they are empty.
    func abort() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlinkat(folder, temporary, 0)
        undo.store.remove(bucket: undo.bucket, key: nil, folders: undo.folders)
    }

    func discard() {
        abort()
        guard finished else { return }
        finished = false
        undo.store.remove(bucket: undo.bucket, key: key, folders: undo.folders)
    }
}
