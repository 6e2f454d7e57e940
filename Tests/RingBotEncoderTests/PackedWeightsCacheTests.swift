import Foundation
import Testing
@testable import RingBotEncoder

/// The packed-weights cache: a start maps what an earlier one packed, gives the same bits as
/// packing in memory, and rebuilds by itself a missing, damaged or stale entry; a folder that
/// cannot be written still gives a working encoder, with one warning.
@Suite("Packed weights cache")
struct PackedWeightsCacheTests {
    /// A tiny model folder and an empty cache folder beside it, both removed by `body`'s end.
    private func withTinyModel(_ body: (URL, PackedWeightsCache) throws -> Void) throws {
        let model = try TinyModel().write()
        let cache = PackedWeightsCache(directory: model.appendingPathComponent("cache", isDirectory: true))
        defer { try? FileManager.default.removeItem(at: model) }
        try body(model, cache)
    }

    private static let ids: [[Int32]] = [[2, 3], [2, 4, 5, 6, 3], [2, 4, 5, 6, 7, 8, 9, 10, 11, 4, 5, 6, 7, 8, 9, 3]]

    /// The embeddings of ``ids``.
    private func embeddings(_ encoder: SentenceEncoder) -> [[Float]] {
        Self.ids.map { encoder.embed(tokenIDs: $0) }
    }

    private func entries(_ cache: PackedWeightsCache) -> [URL] {
        ((try? FileManager.default.contentsOfDirectory(at: cache.directory, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "bf16" }
    }

    @Test("the first load packs and stores; the next maps the entry and embeds bit for bit the same")
    func storesThenMaps() throws {
        try withTinyModel { model, cache in
            let reference = try SentenceEncoder(directory: model, packedCache: nil)
            let first = try SentenceEncoder(directory: model, packedCache: cache)
            #expect(!first.packedFromCache)
            #expect(first.warnings.isEmpty)
            #expect(entries(cache).count == 1)
            let second = try SentenceEncoder(directory: model, packedCache: cache)
            #expect(second.packedFromCache)
            #expect(embeddings(second) == embeddings(reference))
            #expect(embeddings(first) == embeddings(reference))
            #expect(second.fingerprint == reference.fingerprint)
        }
    }

    @Test("a damaged entry (truncated, or a header byte changed) is rebuilt by the next load")
    func damagedEntryRebuilt() throws {
        try withTinyModel { model, cache in
            let reference = embeddings(try SentenceEncoder(directory: model, packedCache: nil))
            _ = try SentenceEncoder(directory: model, packedCache: cache)
            let entry = try #require(entries(cache).first)
            let whole = try Data(contentsOf: entry)

            try whole.prefix(whole.count - 4).write(to: entry)
            let afterTruncation = try SentenceEncoder(directory: model, packedCache: cache)
            #expect(!afterTruncation.packedFromCache)
            #expect(embeddings(afterTruncation) == reference)
            #expect(try Data(contentsOf: entry) == whole)

            var changed = whole
            changed[20] ^= 0xFF  // inside the word count: the checksum no longer matches
            try changed.write(to: entry)
            let afterChange = try SentenceEncoder(directory: model, packedCache: cache)
            #expect(!afterChange.packedFromCache)
            #expect(embeddings(afterChange) == reference)
            #expect(try SentenceEncoder(directory: model, packedCache: cache).packedFromCache)
        }
    }

    @Test("an entry written for another key or format version is not read")
    func staleHeaderIgnored() throws {
        try withTinyModel { model, cache in
            let reference = embeddings(try SentenceEncoder(directory: model, packedCache: nil))
            _ = try SentenceEncoder(directory: model, packedCache: cache)
            let entry = try #require(entries(cache).first)
            var data = try Data(contentsOf: entry)
            data[8] &+= 1  // the format version
            try data.write(to: entry)
            let encoder = try SentenceEncoder(directory: model, packedCache: cache)
            #expect(!encoder.packedFromCache)
            #expect(embeddings(encoder) == reference)
        }
    }

    @Test("new weights in the model file get an entry of their own, not the old packing")
    func changedModelRepacks() throws {
        try withTinyModel { model, cache in
            _ = try SentenceEncoder(directory: model, packedCache: cache)
            var tiny = TinyModel()
            let index = try #require(tiny.tensors.firstIndex { $0.name == "encoder.layer.0.intermediate.dense.weight" })
            tiny.tensors[index].bytes = Data(repeating: 0, count: 64 * 32 * 4)
            try tiny.safetensors().write(to: model.appendingPathComponent("model.safetensors"), options: .atomic)
            let reference = embeddings(try SentenceEncoder(directory: model, packedCache: nil))
            let encoder = try SentenceEncoder(directory: model, packedCache: cache)
            #expect(!encoder.packedFromCache)
            #expect(embeddings(encoder) == reference)
            #expect(entries(cache).count == 2)
            #expect(try SentenceEncoder(directory: model, packedCache: cache).packedFromCache)
        }
    }

    @Test("a cache folder that cannot be written: the encoder still works, with one warning naming the folder")
    func unwritableFolder() throws {
        try withTinyModel { model, cache in
            // A file where the folder should be: cannot be written even by root.
            try Data("not a folder".utf8).write(to: cache.directory)
            let reference = embeddings(try SentenceEncoder(directory: model, packedCache: nil))
            let encoder = try SentenceEncoder(directory: model, packedCache: cache)
            #expect(!encoder.packedFromCache)
            #expect(embeddings(encoder) == reference)
            #expect(encoder.warnings.count == 1)
            let warning = try #require(encoder.warnings.first)
            #expect(warning.contains(cache.directory.path) && warning.contains("RINGBOT_CACHE_DIR"), "\(warning)")
        }
    }

    @Test("an entry that cannot be replaced (a folder in its place): the encoder still works, the warning says why")
    func entryCannotBeWritten() throws {
        try withTinyModel { model, cache in
            _ = try SentenceEncoder(directory: model, packedCache: cache)
            let entry = try #require(entries(cache).first)
            try FileManager.default.removeItem(at: entry)
            try FileManager.default.createDirectory(at: entry.appendingPathComponent("inside"), withIntermediateDirectories: true)
            let reference = embeddings(try SentenceEncoder(directory: model, packedCache: nil))
            let encoder = try SentenceEncoder(directory: model, packedCache: cache)
            #expect(!encoder.packedFromCache)
            #expect(embeddings(encoder) == reference)
            let warning = try #require(encoder.warnings.first)
            #expect(warning.contains(entry.path) && warning.contains("directory"), "\(warning)")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: cache.directory.path).filter { $0.hasSuffix(".tmp") }
            #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
        }
    }

    @Test("the cache lives under $RINGBOT_CACHE_DIR/encoder, else the XDG or home cache")
    func defaultDirectory() {
        #expect(PackedWeightsCache.defaultDirectory(environment: ["RINGBOT_CACHE_DIR": "/c", "HOME": "/h"]).path == "/c/encoder")
        #expect(PackedWeightsCache.defaultDirectory(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"]).path == "/x/ringbot/encoder")
        #expect(PackedWeightsCache.defaultDirectory(environment: ["HOME": "/h"]).path == "/h/.cache/ringbot/encoder")
    }

    @Test("the real model from a cache entry embeds bit for bit as packed in memory")
    func realModelFromCache() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ringbot-packed-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = PackedWeightsCache(directory: folder)
        let reference = try SentenceEncoder(directory: ModelFiles.defaultDirectory(), packedCache: nil)
        _ = try SentenceEncoder(directory: ModelFiles.defaultDirectory(), packedCache: cache)
        let mapped = try SentenceEncoder(directory: ModelFiles.defaultDirectory(), packedCache: cache)
        #expect(mapped.packedFromCache)
        let cases = try GoldenFixture.load().cases.prefix(12)
        for sample in cases {
            #expect(mapped.embed(tokenIDs: sample.ids) == reference.embed(tokenIDs: sample.ids), "\(sample.ids)")
        }
    }
}
