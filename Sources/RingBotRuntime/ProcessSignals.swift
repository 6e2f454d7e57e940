import Dispatch
import Foundation

/// SIGINT/SIGTERM (stop) and SIGHUP (reload) as Dispatch sources; the default handlers
/// are turned off while an instance lives. Keep it alive for as long as the bot runs.
public final class ProcessSignals {
    private let sources: [any DispatchSourceSignal]

    /// - Parameters:
    ///   - onStop: called on SIGINT and SIGTERM.
    ///   - onReload: called on SIGHUP.
    public init(onStop: @escaping @Sendable () -> Void, onReload: @escaping @Sendable () -> Void) {
        sources = [(SIGINT, onStop), (SIGTERM, onStop), (SIGHUP, onReload)].map { number, handler in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
