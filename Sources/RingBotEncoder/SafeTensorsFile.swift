import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `.safetensors` file, memory-mapped read-only: an 8-byte little-endian header length,
/// a JSON header naming each tensor's dtype, shape and byte range, then the raw data.
///
/// Every check the format allows is made when the file opens or a tensor is asked for;
/// each failure is an ``EncoderError`` naming the file and ending with ``ModelFiles/fetchHint``.
/// The mapping lives as long as the object; tensors are views into it, never copies.
final class SafeTensorsFile: @unchecked Sendable {
    /// One entry of the header.
    struct Entry: Equatable {
        let dtype: String
        let shape: [Int]
        /// Byte range inside the data section (after the header).
        let start: Int
        let end: Int
    }

    let url: URL
    /// The tensors by name (the `__metadata__` entry left out).
    let entries: [String: Entry]
    /// The file's size and a hash of its header (names, shapes and byte ranges of every tensor)
    /// with its first data bytes, as 16 hex digits: a cheap name for this exact file.
    let identity: String
    /// The file's device, inode and modification time: changes whenever the file is rewritten,
    /// even with the same size and header (for caches of what is derived from its bytes).
    let changeStamp: String
    /// The mapped file; read-only for the object's whole life.
    private let base: UnsafeRawPointer
    private let size: Int
    /// Where the data section starts in the file.
    private let dataStart: Int

    /// Maps `url` and parses its header. Fails on a missing, short or malformed file.
    init(url: URL) throws {
        self.url = url
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw Self.error(url, "cannot be opened (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw Self.error(url, "cannot be read (\(String(cString: strerror(errno))))")
        }
        let size = Int(info.st_size)
        #if os(Linux)
        changeStamp = "\(info.st_dev)-\(info.st_ino)-\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        #else
        changeStamp = "\(info.st_dev)-\(info.st_ino)-\(info.st_mtimespec.tv_sec).\(info.st_mtimespec.tv_nsec)"
        #endif
        guard size >= 8 else { throw Self.error(url, "is \(size) bytes long, too short for a safetensors header") }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw Self.error(url, "cannot be mapped into memory (\(String(cString: strerror(errno))))")
        }
        let base = UnsafeRawPointer(mapped)
        do {
            let headerLength = base.loadUnaligned(as: UInt64.self).littleEndian
            guard headerLength >= 2, headerLength <= UInt64(size - 8) else {
                throw Self.error(url, "declares a \(headerLength)-byte header in a \(size)-byte file")
            }
            let header = Data(bytes: base + 8, count: Int(headerLength))
            let entries = try Self.parseHeader(header, url: url)
            let dataStart = 8 + Int(headerLength)
            for (name, entry) in entries where entry.end > size - dataStart {
                throw Self.error(url, "tensor \(name) ends at byte \(entry.end) of the data, past the end of the \(size - dataStart)-byte data (truncated file?)")
            }
            self.entries = entries
            self.dataStart = dataStart
            identity = "\(size)-" + FNV1a.hex(UnsafeRawBufferPointer(start: base, count: min(size, dataStart + 4096)))
        } catch {
            munmap(mapped, size)
            throw error
        }
        self.base = base
        self.size = size
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), size)
    }

    /// The fp32 tensor `name`, checked to have exactly `shape`.
    func floats(_ name: String, shape: [Int]) throws -> UnsafeBufferPointer<Float> {
        guard let entry = entries[name] else { throw Self.error(url, "has no tensor \(name)") }
        guard entry.dtype == "F32" else {
            throw Self.error(url, "tensor \(name) is \(entry.dtype), expected F32")
        }
        guard entry.shape == shape else {
            throw Self.error(url, "tensor \(name) has shape \(entry.shape), expected \(shape) from config.json")
        }
        let count = shape.reduce(1, *)
        guard entry.end - entry.start == count * MemoryLayout<Float>.size else {
            throw Self.error(url, "tensor \(name) holds \(entry.end - entry.start) bytes, expected \(count * 4) for shape \(shape)")
        }
        let offset = dataStart + entry.start
        guard offset % MemoryLayout<Float>.alignment == 0 else {
            throw Self.error(url, "tensor \(name) starts at byte \(offset), not aligned for F32 values")
        }
        return UnsafeBufferPointer(start: (base + offset).assumingMemoryBound(to: Float.self), count: count)
    }

    /// Maps all pages of `tensor` (a view from ``floats(_:shape:)``) in one system call before
    /// it is read in full, instead of one page fault per few pages (Linux 5.14+; a no-op elsewhere).
    func prefault(_ tensor: UnsafeBufferPointer<Float>) {
        #if os(Linux)
        advise(tensor, 22, inside: false)  // MADV_POPULATE_READ
        #endif
    }

    /// Tells the kernel the pages of `tensor` will not be read again, so they leave the
    /// resident set (they stay in the page cache).
    func release(_ tensor: UnsafeBufferPointer<Float>) {
        advise(tensor, Int32(MADV_DONTNEED), inside: true)
    }

    /// `madvise` on the pages of `tensor`: only the pages wholly inside it when `inside`
    /// (so neighbours stay untouched), else every page it touches.
    private func advise(_ tensor: UnsafeBufferPointer<Float>, _ advice: Int32, inside: Bool) {
        guard let start = tensor.baseAddress, tensor.count > 0 else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let low = Int(bitPattern: start), high = Int(bitPattern: start + tensor.count)
        let first = inside ? (low + page - 1) / page * page : low / page * page
        let last = inside ? high / page * page : (high + page - 1) / page * page
        guard last > first else { return }
        _ = madvise(UnsafeMutableRawPointer(bitPattern: first), last - first, advice)
    }

    private static func parseHeader(_ header: Data, url: URL) throws -> [String: Entry] {
        guard let object = try? JSONSerialization.jsonObject(with: header), let json = object as? [String: Any] else {
            throw error(url, "has a header that is not a JSON object")
        }
        var entries: [String: Entry] = [:]
        for (name, value) in json where name != "__metadata__" {
            guard let fields = value as? [String: Any],
                  let dtype = fields["dtype"] as? String,
                  let shape = (fields["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  shape.count == (fields["shape"] as? [Any])?.count, shape.allSatisfy({ $0 >= 0 }),
                  let offsets = (fields["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  offsets.count == 2, offsets[0] >= 0, offsets[1] >= offsets[0]
            else {
                throw error(url, "has a malformed header entry for \(name) (needs dtype, shape and two data_offsets)")
            }
            entries[name] = Entry(dtype: dtype, shape: shape, start: offsets[0], end: offsets[1])
        }
        return entries
    }

    static func error(_ url: URL, _ problem: String) -> EncoderError {
        EncoderError("\(url.path) \(problem); \(ModelFiles.fetchHint)")
    }
}
