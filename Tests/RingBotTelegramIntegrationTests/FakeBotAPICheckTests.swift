import Foundation
import RingBotTestSupport
import Testing

/// The fake Bot API itself, driven by python-telegram-bot (Telegram's own Python client), so the fake
/// behaves like the real server and not only like RingBot expects.
@Suite struct FakeBotAPICheckTests {
    @Test func theFakeBotAPIPassesPythonTelegramBotsChecks() throws {
        let venv = ProcessInfo.processInfo.environment["RINGBOT_TELEGRAM_VENV"]
            ?? (NSHomeDirectory() + "/.cache/ringbot/telegram-venv")
        let python = venv + "/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw IntegrationError("no python-telegram-bot virtualenv at \(venv): run `make telegram-client` (or set RINGBOT_TELEGRAM_VENV)")
        }
        let result = try run(python, [Paths.telegramSupport + "/check_with_ptb.py"])
        #expect(result.status == 0, "check_with_ptb.py failed:\n\(result.output)")
        #expect(result.output.contains("checks passed against python-telegram-bot"))
    }
}
