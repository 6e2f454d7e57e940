import Foundation
import RingBotCore
import RingBotTerminal

/// The terminal chat loop: welcome, prompt, replies; `/help`, `/reset`, `/quit`;
/// Ctrl-D and Ctrl-C leave cleanly.
struct InteractiveChat {
    let assistant: Assistant

    func run() {
        let environment = ProcessInfo.processInfo.environment
        let color = isatty(STDOUT_FILENO) == 1 && environment["NO_COLOR"].map(\.isEmpty) ?? true
            && environment["TERM"] != "dumb"
        var size = winsize()
        let columns = ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
        let renderer = TerminalRenderer(color: color, width: min(columns, 100) - 1)
        // Ctrl-C: leave like /quit (the default would kill mid-line and leave the prompt dirty).
        signal(SIGINT) { _ in
            let bye = "\nBye!\n"
            _ = bye.withCString { write(STDOUT_FILENO, $0, strlen($0)) }
            _exit(0)
        }
        let history = environment["HOME"].map { $0 + "/.local/state/ringbot/history" }
        let reader = LineReader(historyFile: history)
        let name = assistant.knowledge.settings.botName
        print(renderer.style("\(name)", code: "1;32") + " — ask me about WhatsApp calls that won't ring. "
            + "Type /help for commands, /quit to leave.")
        var state = ConversationState()
        while true {
            // \u{1}…\u{2} tell libedit the colour codes take no room on screen.
            let you = reader.isUTF8 ? "you› " : "you> "
            let prompt = color ? "\u{1}\u{1B}[1m\u{2}\(you)\u{1}\u{1B}[0m\u{2}" : you
            guard let line = reader.readLine(prompt: prompt) else {
                print("\nBye!")
                return
            }
            let text = line.trimmingCharacters(in: .whitespaces)
            switch text.lowercased() {
            case "":
                continue
            case "/quit", "/exit", "/q":
                print("Bye!")
                return
            case "/reset":
                state = ConversationState()
                print(renderer.style("(conversation reset)", code: "2"))
                continue
            case "/help", "/?":
                print("""
                    Commands: /help this list · /reset forget the conversation · /quit leave (or Ctrl-D)
                    Ask in your own words, e.g. "my whatsapp call says calling and never rings".
                    """)
                continue
            default:
                break
            }
            let reply = assistant.respond(to: text, state: &state, now: Date())
            print(renderer.style("\(name)›", code: "1;32"))
            print(renderer.render(reply.document) + "\n")
        }
    }
}
