// A real `xapian-tcpsrv` (Debian's xapian-tools) serving one database on a free loopback port, for the tests of
// remote shards: XapianKit's own (RemoteShardTests) and the `starling` binary's (EndToEndTests/ShardSearchTests,
// the service over shards).
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `xapian-tcpsrv` child process on 127.0.0.1; stopped by ``stop()`` or when released.
public final class XapianServer: @unchecked Sendable {
    public static let binary = "/usr/bin/xapian-tcpsrv"
    /// Whether the server program is installed.
    public static var available: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    public let process: Process
    public let port: UInt16
    /// `127.0.0.1:PORT`, as `starling --shard` takes it.
    public var address: String { "127.0.0.1:\(port)" }

    /// Starts a server for the database at `path` on `port`, or on a free port (another one if the chosen one is
    /// taken meanwhile, 5 tries), and waits at most 10 s a try until it accepts connections.
    public init(database path: String, port fixed: UInt16? = nil) throws {
        for _ in 0..<(fixed == nil ? 5 : 1) {
            let port = try fixed ?? Self.freeLoopbackPort()
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Self.binary)
            p.arguments = ["--interface", "127.0.0.1", "--port", String(port), path]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline, p.isRunning {
                if Self.accepts(port) {
                    process = p
                    self.port = port
                    return
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
            Self.stop(p)
        }
        throw POSIXError(.ECONNREFUSED)
    }

    deinit { stop() }

    /// Stops the server: SIGTERM, then SIGKILL after half a second (a child of the test runner may inherit a
    /// blocked SIGTERM), then waits at most two seconds for it to be reaped. The processes it forked for open
    /// connections are killed first, so clients see the shard go away as when its machine does.
    public func stop() {
        if process.isRunning {
            for child in Self.children(of: process.processIdentifier) { kill(child, SIGKILL) }
        }
        Self.stop(process)
    }

    /// The processes whose parent is `pid` (from /proc).
    static func children(of pid: Int32) -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { name -> Int32? in
            guard let child = Int32(name),
                  let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            // "pid (comm) state ppid ...": the parent is the second field after the command name.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == pid ? child : nil
        }
    }

    private static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        waitForExit(process, seconds: 0.5)
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        waitForExit(process, seconds: 2)
    }

    private static func waitForExit(_ process: Process, seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
    }

    /// A loopback port nobody listens on right now (the kernel picks it for a socket bound to port 0).
    public static func freeLoopbackPort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Whether something accepts TCP connections on the loopback `port`.
    static func accepts(_ port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        return address
    }
}
