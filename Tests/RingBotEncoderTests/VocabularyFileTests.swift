import Foundation
import Testing
import RingBotEncoder

/// Reading `vocab.txt`, and the errors that say how to fix a bad one.
@Suite("Vocabulary file")
struct VocabularyFileTests {
    /// A fresh temporary folder, removed by `cleanUp()`.
    struct Folder {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ringbot-vocab-\(UUID().uuidString)")
        init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        func write(_ data: Data, to name: String) throws -> URL {
            let file = url.appendingPathComponent(name)
            try data.write(to: file)
            return file
        }
        func cleanUp() { try? FileManager.default.removeItem(at: url) }
    }

    func loadError(_ file: URL) -> EncoderError? {
        do {
            _ = try WordPieceTokenizer(vocabularyFile: file)
            return nil
        } catch let error as EncoderError {
            return error
        } catch {
            Issue.record("expected an EncoderError, got \(error)")
            return nil
        }
    }

    @Test("a missing vocabulary names the file and `make model`")
    func missingFile() throws {
        let folder = try Folder()
        defer { folder.cleanUp() }
        let file = folder.url.appendingPathComponent("vocab.txt")
        let error = try #require(loadError(file))
        #expect(error.description.contains(file.path))
        #expect(error.description.contains("is missing"))
        #expect(error.description.contains(ModelFiles.fetchHint))
    }

    @Test("an empty vocabulary names the file and `make model`")
    func emptyFile() throws {
        let folder = try Folder()
        defer { folder.cleanUp() }
        for content in ["", "\n", "\n\n\n"] {
            let file = try folder.write(Data(content.utf8), to: "vocab.txt")
            let error = try #require(loadError(file))
            #expect(error.description.contains("\(file.path) is empty"))
            #expect(error.description.contains("make model"))
        }
    }

    @Test("a vocabulary without [CLS] is not BERT's")
    func missingSpecials() throws {
        let folder = try Folder()
        defer { folder.cleanUp() }
        let file = try folder.write(Data("[PAD]\n[UNK]\n[SEP]\nhello\n".utf8), to: "vocab.txt")
        let error = try #require(loadError(file))
        #expect(error.description.contains("lacks [CLS]"))
        #expect(error.description.contains("make model"))
    }

    @Test("a vocabulary that is not UTF-8 is refused")
    func notUTF8() throws {
        let folder = try Folder()
        defer { folder.cleanUp() }
        let file = try folder.write(Data("[UNK]\n[CLS]\n[SEP]\n".utf8) + Data([0xFF, 0xFE, 0x0A]), to: "vocab.txt")
        let error = try #require(loadError(file))
        #expect(error.description.contains("not UTF-8"))
        #expect(error.description.contains("line 4"))
    }

    @Test("line number is the id, with \\n or \\r\\n line ends and no final newline")
    func lineOrder() throws {
        let folder = try Folder()
        defer { folder.cleanUp() }
        for separator in ["\n", "\r\n"] {
            let lines = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello", "##ी", "world"]
            let file = try folder.write(Data(lines.joined(separator: separator).utf8), to: "vocab.txt")
            let tokenizer = try WordPieceTokenizer(vocabularyFile: file)
            #expect(tokenizer.encode("hello world") == [2, 4, 6, 3])
            #expect(tokenizer.encode("hello world") == WordPieceTokenizer(vocabulary: lines).encode("hello world"))
        }
    }
}
