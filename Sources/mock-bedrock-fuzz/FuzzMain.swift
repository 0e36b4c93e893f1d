import MockBedrockFuzzing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `mock-bedrock-fuzz`: built with `-sanitize=fuzzer` and `-DFUZZING` (scripts/fuzz), it is a
/// libFuzzer binary that takes libFuzzer's flags and corpus directories. Built plainly, it runs the
/// files it is given (a corpus, a crash to reproduce) through the same code once each, and
/// `--write-seeds DIR` writes the seed corpus.
@main
struct FuzzMain {
    static func main() {
        let arguments = CommandLine.arguments
        if arguments.count == 3, arguments[1] == "--write-seeds" {
            for (index, seed) in FuzzSeeds.all.enumerated() {
                write(seed, to: "\(arguments[2])/seed-\(index)")
            }
            return
        }
        if arguments.count == 3, arguments[1] == "--write-dictionary" {
            // libFuzzer's format: one quoted word a line, with \\ and \" escaped.
            let lines = FuzzSeeds.dictionary.map { word in
                "\"" + word.replacingOccurrences("\\", "\\\\").replacingOccurrences("\"", "\\\"") + "\""
            }
            write(Array((lines.joined(separator: "\n") + "\n").utf8), to: arguments[2])
            return
        }
        #if FUZZING
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput))
        #else
            for path in arguments.dropFirst() {
                guard let bytes = read(path) else { fatalError("cannot read \(path)") }
                FuzzInput.run(bytes)
            }
            print("ran \(arguments.count - 1) inputs")
        #endif
    }

    static func read(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes += chunk[..<count]
        }
        return bytes
    }

    static func write(_ bytes: [UInt8], to path: String) {
        guard let file = fopen(path, "wb") else { fatalError("cannot write \(path)") }
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
    }
}

#if FUZZING
    /// The function libFuzzer calls with each input (its runtime also looks for it by this name).
    @_cdecl("LLVMFuzzerTestOneInput")
    func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        FuzzInput.run(size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }

    /// libFuzzer's entry for programs with their own main (compiler-rt's FuzzerInterface.h).
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
    ) -> Int32
#endif
