import ArgumentParser
import Foundation
import RingBotRuntime

/// `ringbot report`: reports from the bot's state folder.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reports from the bot's stored state.",
        subcommands: [UnansweredReportCommand.self])
}

/// `ringbot report unanswered`: the questions the bot could not answer, oldest first,
/// one per line: time, hashed sender, best guess, confidence, text (tab-separated;
/// control characters in the text are escaped).
struct UnansweredReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unanswered",
        abstract: "Print the questions the bot could not answer.")

    @Option(name: .long, help: ArgumentHelp(
        "The bot's state folder (default: $RINGBOT_STATE_DIR, else state_dir of --config, else ./.ringbot-state).",
        valueName: "dir"))
    var stateDir: String?

    @Option(name: .long, help: ArgumentHelp("The bot's YAML settings file (for its state_dir).", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Only the questions asked on this platform (matrix, telegram, zulip).",
                                            valueName: "name"))
    var platform: String?

    func run() async throws {
        let directory: String
        do {
            directory = try stateDir ?? StateFolder.path(environment: ProcessInfo.processInfo.environment,
                                                         file: SettingsFile.read(config, knownKeys: nil))
        } catch {
            Stderr.write("error: \(error)")
            throw ExitCode(2)
        }
        let path = StateFolder.databasePath(in: directory)
        guard FileManager.default.fileExists(atPath: path) else {
            Stderr.write("error: no bot state in \(directory) (no \(StateFolder.databaseName)); pass --state-dir or --config, or set RINGBOT_STATE_DIR to the folder the bot uses")
            throw ExitCode(1)
        }
        let questions: [UnansweredQuestion]
        do {
            questions = try StateStore(path: path).unansweredQuestions(platform: platform)
        } catch {
            Stderr.write("error: cannot read \(path): \(error)")
            throw ExitCode(1)
        }
        let style = Date.ISO8601FormatStyle()
        var out = ""
        for question in questions {
            out += [style.format(question.askedAt), question.senderHash, question.bestGuess,
                    String(format: "%.2f", question.confidence), ControlEscaper.escape(question.text)]
                .joined(separator: "\t") + "\n"
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}

/// Escapes control characters (including ESC, so stored text cannot drive the terminal).
enum ControlEscaper {
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\\": out += "\\\\"
            default:
                if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format
                    && scalar.value != 0x200D {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
