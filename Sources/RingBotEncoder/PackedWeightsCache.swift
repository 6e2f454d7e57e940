import Foundation
import RingBotCachePaths
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A folder of packed encoder weights (the bf16 blocks the kernels read), so that a start maps
/// them instead of packing 42 MB of fp32 again.
///
/// One file per key (`<hash of key>.bf16`): a 4,096-byte header page — magic, format version,
/// key length, word count, an FNV-1a checksum of those fields and the key, then the key — and
/// the words. A file is written to a temporary name in the same folder and renamed over, so a
/// crash or a second process never leaves a half-written entry; it is mapped read-only and
/// checked by size, header and checksum (not every byte) before use.
public struct PackedWeightsCache: Sendable {
    /// The folder holding the entries.
    public let directory: URL
    /// Entries kept; older ones are removed after each store.
    static let keep = 2
    static let magic = Array("RBBF16\u{0}\n".utf8)
    static let formatVersion: UInt32 = 1
    /// Where the words start in a file.
    static let headerSize = 4096

    public init(directory: URL) {
        self.directory = directory
    }

    /// `$RINGBOT_CACHE_DIR/encoder`, else `$XDG_CACHE_HOME/ringbot/encoder` (`~/.cache/...` by default).
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        CacheRoot.directory("encoder", environment: environment)
    }

    /// The file of `key`.
    func file(for key: String) -> URL {
        let name = Array(key.utf8).withUnsafeBytes { FNV1a.hex($0) }
        return directory.appendingPathComponent("\(name).bf16")
    }

    /// What looking up a key found.
    enum Lookup {
        case hit(PackedWordBuffer)
        case missing
        /// The entry exists but is damaged or for another key; it will be rewritten.
        case unusable(String)
    }

    /// The words stored under `key`, mapped read-only, if the entry is whole: `count` words
    /// after a header naming exactly `key`.
    func load(key: String, count: Int) -> Lookup {
        let url = file(for: key)
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .missing }
        defer { close(fd) }
        var info = stat()
        let length = Self.headerSize + 4 * count
        guard fstat(fd, &info) == 0, Int(info.st_size) == length else {
            return .unusable("\(url.path) is not \(length) bytes long")
        }
        var header = [UInt8](repeating: 0, count: Self.headerSize)
        guard header.withUnsafeMutableBytes({ pread(fd, $0.baseAddress, Self.headerSize, 0) }) == Self.headerSize else {
            return .unusable("\(url.path): header cannot be read")
        }
        guard header == Self.header(key: key, count: count) else {
            return .unusable("\(url.path): header does not match (damaged, or another model or format)")
        }
        #if os(Linux)
        let flags = MAP_PRIVATE | MAP_POPULATE  // every word is read by the first embedding
        #else
        let flags = MAP_PRIVATE
        #endif
        guard let base = mmap(nil, length, PROT_READ, flags, fd, 0), base != MAP_FAILED else {
            return .unusable("\(url.path) cannot be mapped (\(String(cString: strerror(errno))))")
        }
        return .hit(.mapped(base: base, length: length, offset: Self.headerSize, count: count))
    }

    /// Why an entry could not be written: the system's reason.
    struct WriteError: Error, CustomStringConvertible {
        let description: String

        init(_ url: URL, _ code: Int32) {
            description = "\(url.path): \(String(cString: strerror(code)))"
        }
    }

    /// Stores `words` under `key` atomically (temporary file, then rename), then prunes old entries.
    /// - Throws: a `CocoaError` when the folder cannot be made, a ``WriteError`` when the entry cannot be written.
    func store(key: String, words: UnsafeBufferPointer<UInt32>) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let target = file(for: key)
        let temporary = directory.appendingPathComponent(".\(target.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteError(temporary, errno) }
        let header = Self.header(key: key, count: words.count)
        let written = header.withUnsafeBytes { Self.writeAll(fd, $0) } && Self.writeAll(fd, UnsafeRawBufferPointer(words))
        let failure = errno
        close(fd)
        guard written, rename(temporary.path, target.path) == 0 else {
            let code = written ? errno : failure
            unlink(temporary.path)
            throw WriteError(written ? target : temporary, code)
        }
        prune(keeping: target)
    }

    /// The header page of an entry for `key` holding `count` words.
    static func header(key: String, count: Int) -> [UInt8] {
        var bytes = magic
        withUnsafeBytes(of: formatVersion.littleEndian) { bytes += $0 }
        let keyBytes = Array(key.utf8.prefix(headerSize - 64))
        withUnsafeBytes(of: UInt32(keyBytes.count).littleEndian) { bytes += $0 }
        withUnsafeBytes(of: UInt64(count).littleEndian) { bytes += $0 }
        let checksum = (bytes + keyBytes).withUnsafeBytes { FNV1a.hash($0) }
        withUnsafeBytes(of: checksum.littleEndian) { bytes += $0 }
        bytes += keyBytes
        bytes += [UInt8](repeating: 0, count: headerSize - bytes.count)
        return bytes
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }

    /// Removes all but the newest ``keep`` entries (`current` always stays) and stale temporary files.
    private func prune(keeping current: URL) {
        let urls = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: [.contentModificationDateKey])) ?? []
        func date(_ url: URL) -> Date {
            (try? url.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
        }
        let others = urls.filter { $0.pathExtension == "bf16" && $0.lastPathComponent != current.lastPathComponent }
            .sorted { (date($0), $0.path) < (date($1), $1.path) }
        for url in others.dropLast(Self.keep - 1) { try? FileManager.default.removeItem(at: url) }
        let hour = Date().addingTimeInterval(-3600)
        for url in urls where url.pathExtension == "tmp" && date(url) < hour { try? FileManager.default.removeItem(at: url) }
    }
}
