// SHA-256 lives in its own small target so that adapters outside the chat runtime (the
// compiled-matcher cache) can use it too; the runtime's users keep seeing it from here.
@_exported import RingBotDigest
