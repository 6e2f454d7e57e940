/// A chat platform adapter: receives messages, asks a ``BotEngine`` for replies and
/// delivers them. The executable only starts it and relays stop requests.
public protocol Connector: Sendable {
    /// Runs until ``requestStop()`` (then returns normally) or a fatal error (then throws).
    func run() async throws
    /// Asks ``run()`` to finish the reply in flight, save its state and return.
    /// Safe to call from any thread, e.g. a signal handler.
    func requestStop()
}
