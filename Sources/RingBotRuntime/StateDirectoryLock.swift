import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on `STATE_DIR/lock`, holding this process's pid, so two
/// bots never share one state folder. The kernel releases the lock when the
/// process exits for any reason (including SIGKILL); ``release()`` drops it early.
public final class StateDirectoryLock: Sendable {
    /// Why the lock could not be taken.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    private let descriptor: Int32
    public let path: String

    /// Takes the lock or throws a ``Failure`` naming the pid that holds it.
    public init(directory: String) throws {
        path = (directory as NSString).appendingPathComponent("lock")
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw Failure(description: "cannot open the lock file \(path): \(String(cString: strerror(errno))); check the permissions of the state folder")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = Self.readPID(fd)
            close(fd)
            let who = holder.map { "pid \($0)" } ?? "another process"
            throw Failure(description: "another ringbot (\(who)) is already using the state folder \(directory); stop it first or set RINGBOT_STATE_DIR to another folder")
        }
        descriptor = fd
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit {
        close(descriptor)
    }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(text)
    }
}
