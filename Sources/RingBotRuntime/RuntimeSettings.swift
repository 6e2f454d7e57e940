/// How the runtime paces, waits and retries; the same for every platform.
/// Read from the settings file by ``RuntimeSettings/parse(_:)``.
public struct RuntimeSettings: Sendable, Equatable {
    /// Flood control (`flood:`).
    public var flood: FloodControlSettings
    /// In a direct chat, how long a message that is not a question on its own waits for the
    /// next message of the same person (`fragment_wait_seconds:`, default 2; 0 turns it off).
    public var fragmentWait: Duration
    /// At most this many fragments are joined into one question.
    public var maxFragments: Int
    /// The long-poll wait passed to ``ChatPlatform/poll(from:timeout:)`` when nothing is pending.
    public var pollTimeout: Duration
    /// Back-off between retries of a transient failure.
    public var backoff: BackoffPolicy
    /// On a first start (no cursor stored for the platform), transient failures are retried
    /// this many times before the bot gives up with one `error:` line.
    public var firstStartAttempts: Int
    /// How long a stop waits for a reply in flight before abandoning it (the outbox keeps it).
    public var stopGrace: Duration

    public init(flood: FloodControlSettings = FloodControlSettings(), fragmentWait: Duration = .seconds(2),
                maxFragments: Int = 8, pollTimeout: Duration = .seconds(30), backoff: BackoffPolicy = BackoffPolicy(),
                firstStartAttempts: Int = 4, stopGrace: Duration = .seconds(5)) {
        self.flood = flood
        self.fragmentWait = fragmentWait
        self.maxFragments = maxFragments
        self.pollTimeout = pollTimeout
        self.backoff = backoff
        self.firstStartAttempts = firstStartAttempts
        self.stopGrace = stopGrace
    }
}
