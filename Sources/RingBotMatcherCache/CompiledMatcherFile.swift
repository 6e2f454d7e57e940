import Foundation
import RingBotCore

/// The on-disk form of a ``CompiledMatcher``: a magic line, a little-endian `UInt32`
/// header length, a JSON header (key, embedder fingerprint, intent ids, feature names,
/// training texts), then the raw little-endian arrays: sparse weights and bias as
/// `Double`, dense weights and embeddings as `Float`.
enum CompiledMatcherFile {
    static let magic = Array("RINGBOT-MATCHER\n".utf8)

    struct Header: Codable {
        var key: String
        var embedder: String
        var intentIDs: [String]
        var features: [String]
        var texts: [String]
        var denseDimension: Int
    }

    /// Why a file could not be read as a compiled matcher.
    struct DecodeError: Error, CustomStringConvertible {
        var description: String
    }

    static func encode(_ compiled: CompiledMatcher, embedder: String) throws -> Data {
        let header = Header(key: compiled.key, embedder: embedder, intentIDs: compiled.intentIDs,
                            features: compiled.features, texts: compiled.texts,
                            denseDimension: compiled.denseDimension)
        let json = try JSONEncoder().encode(header)
        var data = Data(magic)
        withUnsafeBytes(of: UInt32(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        append(compiled.weights, to: &data)
        append(compiled.bias, to: &data)
        append(compiled.denseWeights, to: &data)
        append(compiled.embeddings, to: &data)
        return data
    }

    /// The header alone (cheap: for finding an earlier compile to reuse).
    static func header(_ data: Data) throws(DecodeError) -> (header: Header, bodyOffset: Int) {
        guard data.count >= magic.count + 4, Array(data.prefix(magic.count)) == magic else {
            throw DecodeError(description: "not a compiled matcher file")
        }
        let length = data.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: magic.count, as: UInt32.self))) }
        let start = magic.count + 4
        guard length > 0, data.count >= start + length else { throw DecodeError(description: "truncated header") }
        do {
            let header = try JSONDecoder().decode(Header.self, from: data.subdata(in: start..<(start + length)))
            return (header, start + length)
        } catch {
            throw DecodeError(description: "unreadable header")
        }
    }

    static func decode(_ data: Data) throws(DecodeError) -> (compiled: CompiledMatcher, embedder: String) {
        let (header, offset) = try header(data)
        let classes = header.intentIDs.count
        let dimension = header.denseDimension
        guard classes > 0, dimension >= 0 else { throw DecodeError(description: "empty header") }
        let counts = (weights: header.features.count * classes, bias: classes,
                      dense: dimension * classes, embeddings: header.texts.count * dimension)
        let expected = offset + 8 * (counts.weights + counts.bias) + 4 * (counts.dense + counts.embeddings)
        guard data.count == expected else {
            throw DecodeError(description: "size \(data.count) bytes, expected \(expected)")
        }
        var cursor = offset
        let weights: [Double] = read(data, &cursor, counts.weights)
        let bias: [Double] = read(data, &cursor, counts.bias)
        let dense: [Float] = read(data, &cursor, counts.dense)
        let embeddings: [Float] = read(data, &cursor, counts.embeddings)
        let compiled = CompiledMatcher(key: header.key, intentIDs: header.intentIDs, features: header.features,
                                       weights: weights, bias: bias, denseWeights: dense, denseDimension: dimension,
                                       texts: header.texts, embeddings: embeddings)
        guard compiled.isConsistent else { throw DecodeError(description: "inconsistent sizes") }
        return (compiled, header.embedder)
    }

    private static func append<T: BinaryFloatingPoint>(_ values: [T], to data: inout Data) {
        // Every supported platform is little-endian; the format says so, and `read` checks nothing else.
        values.withUnsafeBytes { data.append(contentsOf: $0) }
    }

    private static func read<T: BinaryFloatingPoint>(_ data: Data, _ cursor: inout Int, _ count: Int) -> [T] {
        let size = MemoryLayout<T>.size * count
        // Every value is copied in: no zero fill first.
        let values = [T](unsafeUninitializedCapacity: count) { target, initialized in
            data.withUnsafeBytes { source in
                UnsafeMutableRawBufferPointer(target).copyMemory(from: UnsafeRawBufferPointer(rebasing: source[cursor..<(cursor + size)]))
            }
            initialized = count
        }
        cursor += size
        return values
    }
}
