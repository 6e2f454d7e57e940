import ArgumentParser
import Foundation
import RingBotCore
import RingBotTerminal

/// `ringbot repl` (the default): the local chat.
struct ReplCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Chat with RingBot in the terminal (the default command).",
        discussion: """
            On a terminal: a friendly chat with /help, /reset and /quit.
            With --json, or when standard input is not a terminal, every input line is the next
            turn of one conversation and each reply is one JSON object:
            {"intent": "<id>", "platform": "android"|"ios"|null, "reply": "<plain text>",
             "phones": {"user": "android"|"ios"|null, "other": "android"|"ios"|null}}
            ("phones": the user's phone and the other person's, as far as the conversation told.)
            """
    )

    @OptionGroup var knowledgeOptions: KnowledgeOptions

    @Flag(name: .long, help: "Print one JSON object per turn instead of chatting.")
    var json = false

    func run() async throws {
        let assistant = try await knowledgeOptions.loadAssistant()
        let interactive = !json && isatty(STDIN_FILENO) == 1
        if interactive {
            InteractiveChat(assistant: assistant).run()
        } else {
            var state = ConversationState()
            while let line = readLine(strippingNewline: true) {
                let text = line.hasSuffix("\r") ? String(line.dropLast()) : line
                let reply = assistant.respond(to: text, state: &state, now: Date())
                Stdout.writeLine(JSONLine.object([
                    "intent": .string(reply.intent),
                    "platform": .optional(reply.platform?.rawValue),
                    "reply": .string(reply.plainText),
                    "phones": .object([("user", .optional(state.userPlatform?.rawValue)),
                                       ("other", .optional(state.otherPlatform?.rawValue))]),
                ]))
            }
        }
    }
}
