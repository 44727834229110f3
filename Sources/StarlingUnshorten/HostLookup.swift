// Name resolution for the SSRF check: every address a host name resolves to is checked before the resolver
// connects, so one private address among public ones is enough to refuse the host.
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A host name could not be resolved.
public struct HostLookupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The resolver's message (e.g. `Name or service not known`), or `timed out`.
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Turns host names into addresses. ``system`` asks the C library (getaddrinfo); tests may substitute a table.
public struct HostLookup: Sendable {
    private let resolve: @Sendable (String) -> Result<[IPAddress], HostLookupError>

    /// A lookup answering with `resolve` (blocking calls are fine: they run off Swift's cooperative pool).
    public init(_ resolve: @escaping @Sendable (String) -> Result<[IPAddress], HostLookupError>) {
        self.resolve = resolve
    }

    /// The system resolver (getaddrinfo: /etc/hosts, DNS, literal addresses in every form the C library accepts).
    public static let system = HostLookup { host in systemAddresses(host) }

    /// `host`'s addresses; an IP literal (with or without brackets) is its own address. Gives up after `timeout`
    /// seconds (the blocked lookup thread finishes on its own).
    public func addresses(of host: String, timeout: Double) async -> Result<[IPAddress], HostLookupError> {
        var h = host
        if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        if let literal = IPAddress(h) { return .success([literal]) }
        let resolve = self.resolve
        let name = h
        return await withCheckedContinuation { (continuation: CheckedContinuation<Result<[IPAddress], HostLookupError>, Never>) in
            let once = ResumeOnce(continuation)
            DispatchQueue.global().async { once.resume(resolve(name)) }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                once.resume(.failure(HostLookupError("timed out")))
            }
        }
    }

    /// getaddrinfo, both families, TCP.
    static func systemAddresses(_ host: String) -> Result<[IPAddress], HostLookupError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &list)
        guard rc == 0 else { return .failure(HostLookupError(String(cString: gai_strerror(rc)))) }
        defer { freeaddrinfo(list) }
        var out: [IPAddress] = []
        var node = list
        while let n = node {
            if let sa = n.pointee.ai_addr {
                if n.pointee.ai_family == AF_INET {
                    let a = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
                    out.append(.v4(UInt32(bigEndian: a)))
                } else if n.pointee.ai_family == AF_INET6 {
                    var a6 = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    let bytes = withUnsafeBytes(of: &a6) { Array($0) }
                    out.append(.v6(bytes))
                }
            }
            node = n.pointee.ai_next
        }
        if out.isEmpty { return .failure(HostLookupError("no addresses")) }
        var seen = Set<IPAddress>()
        return .success(out.filter { seen.insert($0).inserted })
    }
}

/// Resumes a continuation once; later calls are ignored (a result racing its own deadline).
final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, Never>?

    init(_ continuation: CheckedContinuation<T, Never>) { self.continuation = continuation }

    func resume(_ value: T) {
        lock.lock()
        let c = continuation
        continuation = nil
        lock.unlock()
        c?.resume(returning: value)
    }
}
