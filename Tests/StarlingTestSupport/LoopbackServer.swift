// A tiny HTTP/1.1 server on a loopback port that behaves like link shorteners: the tests give it a handler from
// (method, path) to a reply (status, headers, delay). It counts requests per path and the most in flight at once.
// Plain POSIX sockets, a thread per connection, `Connection: close` on every reply. Shared by the unshortener's
// tests and the service's (background unshortening over real sockets).
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A shortener-like HTTP server on 127.0.0.1 and a free port.
public final class LoopbackServer: @unchecked Sendable {
    /// What the server answers to one request.
    public struct Reply: Sendable {
        /// The status code.
        public var status: Int
        /// Extra header fields.
        public var headers: [(String, String)] = []
        /// Seconds to wait before answering.
        public var delay: Double = 0

        /// A reply with `status`, `headers` and `delay`.
        public init(status: Int, headers: [(String, String)] = [], delay: Double = 0) {
            self.status = status
            self.headers = headers
            self.delay = delay
        }

        /// A redirect to `location`.
        public static func redirect(_ location: String, status: Int = 302, delay: Double = 0) -> Reply {
            Reply(status: status, headers: [("Location", location)], delay: delay)
        }
        /// 200 OK.
        public static let ok = Reply(status: 200)
    }

    /// Maps a request to its reply; called on the connection's thread.
    public typealias Handler = @Sendable (_ method: String, _ path: String) -> Reply

    /// The address listened on.
    public let host: String
    /// The port listened on.
    public let port: UInt16
    private let listener: Int32
    private let handler: Handler
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    private var methods: [String] = []
    private var inFlight = 0
    private var maxInFlightSeen = 0

    /// Listens on a free port of `host` (any 127/8 address works on Linux: a second server on 127.0.0.2 is a
    /// second host) and answers with `handler` until ``stop()``.
    public init(host: String = "127.0.0.1", handler: @escaping Handler) throws {
        self.handler = handler
        self.host = host
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr(host)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        port = UInt16(bigEndian: addr.sin_port)
        listener = fd
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// `http://HOST:PORT` + path.
    public func url(_ path: String) -> String { "http://\(host):\(port)\(path)" }

    /// Requests seen for `path` (any method), or for every path.
    public func requests(_ path: String? = nil) -> Int {
        lock.lock(); defer { lock.unlock() }
        if let path { return counts[path] ?? 0 }
        return counts.values.reduce(0, +)
    }

    /// Methods of every request, in arrival order.
    public var methodsSeen: [String] { lock.lock(); defer { lock.unlock() }; return methods }

    /// The most requests being answered at the same time.
    public var maxInFlight: Int { lock.lock(); defer { lock.unlock() }; return maxInFlightSeen }

    /// Stops listening (connections being answered finish).
    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let c = accept(listener, nil, nil)
            if c < 0 {
                if errno == EINTR { continue }
                return
            }
            Thread.detachNewThread { [self] in serve(c) }
        }
    }

    private func serve(_ c: Int32) {
        defer { close(c) }
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while buffer.count < 65536 {
            let n = recv(c, &chunk, chunk.count, 0)
            if n <= 0 { return }
            buffer += chunk[0..<n]
            if buffer.count >= 4, String(decoding: buffer, as: UTF8.self).contains("\r\n\r\n") { break }
        }
        let head = String(decoding: buffer, as: UTF8.self)
        let parts = head.split(separator: "\r\n", maxSplits: 1).first?.split(separator: " ") ?? []
        guard parts.count >= 2 else { return }
        let method = String(parts[0])
        let path = String(parts[1])
        lock.lock()
        counts[path, default: 0] += 1
        methods.append(method)
        inFlight += 1
        maxInFlightSeen = max(maxInFlightSeen, inFlight)
        lock.unlock()
        let reply = handler(method, path)
        if reply.delay > 0 { Thread.sleep(forTimeInterval: reply.delay) }
        lock.lock()
        inFlight -= 1
        lock.unlock()
        let body = method == "HEAD" ? "" : "status \(reply.status)\n"
        var text = "HTTP/1.1 \(reply.status) X\r\nContent-Length: \(method == "HEAD" ? 0 : body.utf8.count)\r\nConnection: close\r\n"
        for (k, v) in reply.headers { text += "\(k): \(v)\r\n" }
        text += "\r\n" + body
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}
