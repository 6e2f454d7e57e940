import Foundation
import RingBotCore

/// Finds and reads the knowledge files of a folder, safely: sub-folders are
/// followed once each (symlink loops are cut), files over the size limit and
/// files that are not UTF-8 are reported instead of read.
enum KnowledgeFiles {
    /// Knowledge files larger than this are refused (a knowledge file is text a person writes).
    static let maxFileBytes = 1 << 20
    /// How deep sub-folders may nest.
    static let maxDepth = 8

    struct File {
        /// The path as shown in messages.
        var path: String
        var text: String
    }

    /// Reads every `*.yaml` / `*.yml` below `directory`, sorted by path.
    static func read(directory: String, problems: inout [KnowledgeProblem]) -> [File] {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            problems.append(KnowledgeProblem(SourceLocation(file: directory, line: 0),
                "knowledge folder not found; pass --knowledge PATH to a folder of .yaml files"))
            return []
        }
        var paths: [String] = []
        var visited: Set<String> = []
        collect(directory, depth: 0, into: &paths, visited: &visited, problems: &problems)
        var files: [File] = []
        for path in paths.sorted() {
            let location = SourceLocation(file: path, line: 1)
            guard let attributes = try? fm.attributesOfItem(atPath: path),
                  let size = attributes[.size] as? Int else {
                problems.append(KnowledgeProblem(location, "cannot read this file; check its permissions"))
                continue
            }
            if size > maxFileBytes {
                problems.append(KnowledgeProblem(location,
                    "file is too large (\(size) bytes, the limit is \(maxFileBytes)); split it into several files"))
                continue
            }
            guard let data = fm.contents(atPath: path) else {
                problems.append(KnowledgeProblem(location, "cannot read this file; check its permissions"))
                continue
            }
            guard let text = String(validating: data, as: UTF8.self) else {
                let line = data.prefix { _ in true }.split(separator: 0x0A, omittingEmptySubsequences: false)
                    .firstIndex { String(validating: $0, as: UTF8.self) == nil }.map { $0 + 1 } ?? 1
                problems.append(KnowledgeProblem(SourceLocation(file: path, line: line),
                    "file is not valid UTF-8 text; save it as UTF-8"))
                continue
            }
            if text.utf8.contains(0) {  // bytes: Foundation's substring search is far slower
                problems.append(KnowledgeProblem(location, "file contains NUL bytes; is it really a YAML file?"))
                continue
            }
            files.append(File(path: path, text: text))
        }
        return files
    }

    private static func collect(_ directory: String, depth: Int, into paths: inout [String],
                                visited: inout Set<String>, problems: inout [KnowledgeProblem]) {
        let real = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        guard visited.insert(real).inserted else {
            problems.append(KnowledgeProblem(SourceLocation(file: directory, line: 0),
                "folder is reached twice (a symbolic link loop?); skipped"))
            return
        }
        guard depth <= maxDepth else {
            problems.append(KnowledgeProblem(SourceLocation(file: directory, line: 0),
                "folders nest deeper than \(maxDepth) levels; skipped"))
            return
        }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            problems.append(KnowledgeProblem(SourceLocation(file: directory, line: 0),
                "cannot list this folder; check its permissions"))
            return
        }
        for entry in entries.sorted() where !entry.hasPrefix(".") {
            let path = directory.hasSuffix("/") ? directory + entry : directory + "/" + entry
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
                if (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil {
                    problems.append(KnowledgeProblem(SourceLocation(file: path, line: 0),
                        "broken or looping symbolic link; remove it"))
                }
                continue
            }
            if isDir.boolValue {
                collect(path, depth: depth + 1, into: &paths, visited: &visited, problems: &problems)
            } else if entry.hasSuffix(".yaml") || entry.hasSuffix(".yml") {
                paths.append(path)
            }
        }
    }
}
