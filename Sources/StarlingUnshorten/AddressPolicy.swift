// Which network addresses the resolver may connect to (SSRF rules). A shortener is someone else's server telling
// us where to go next; without these rules a crafted link could make `starling unshorten` probe the machine's own
// services, the private network, or a cloud provider's metadata endpoint (instance credentials).

/// An IPv4 or IPv6 address.
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    case v4(UInt32)
    case v6([UInt8])

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (no zone ids); nil otherwise.
    public init?(_ text: String) {
        if let v4 = Self.parseV4(Substring(text)) { self = .v4(v4); return }
        if let v6 = Self.parseV6(text) { self = .v6(v6); return }
        return nil
    }

    private static func parseV4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isASCII), let n = UInt32(p), n <= 255 else { return nil }
            value = value << 8 | n
        }
        return value
    }

    private static func parseV6(_ text: String) -> [UInt8]? {
        guard text.contains(":") else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ s: String) -> [UInt8]? {
            if s.isEmpty { return [] }
            var out: [UInt8] = []
            let items = s.split(separator: ":", omittingEmptySubsequences: false)
            for (i, g) in items.enumerated() {
                if i == items.count - 1, g.contains("."), let v4 = parseV4(g) {
                    out += [UInt8(v4 >> 24), UInt8(v4 >> 16 & 0xff), UInt8(v4 >> 8 & 0xff), UInt8(v4 & 0xff)]
                    continue
                }
                guard !g.isEmpty, g.count <= 4, let n = UInt16(g, radix: 16) else { return nil }
                out += [UInt8(n >> 8), UInt8(n & 0xff)]
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    public var description: String {
        switch self {
        case .v4(let v): return "\(v >> 24).\(v >> 16 & 0xff).\(v >> 8 & 0xff).\(v & 0xff)"
        case .v6(let b):
            // Plain eight groups, zero runs not compressed: unambiguous, and only shown in messages.
            return stride(from: 0, to: 16, by: 2).map { String(UInt16(b[$0]) << 8 | UInt16(b[$0 + 1]), radix: 16) }
                .joined(separator: ":")
        }
    }
}

/// The kinds of address the resolver refuses unless the policy allows them.
public enum AddressClass: String, Sendable, CaseIterable, Comparable {
    /// 127.0.0.0/8, ::1.
    case loopback
    /// RFC 1918 (10/8, 172.16/12, 192.168/16), IPv6 unique-local fc00::/7 and the old site-local fec0::/10.
    case privateNetwork = "private"
    /// 169.254.0.0/16, fe80::/10.
    case linkLocal = "link-local"
    /// Carrier-grade NAT, 100.64.0.0/10 (RFC 6598).
    case sharedCGNAT = "cgnat"
    /// 0.0.0.0/8 and :: (Linux connects 0.0.0.0 to the local host).
    case unspecified
    /// Cloud metadata endpoints: 169.254.169.254, 169.254.170.2 (AWS ECS), fd00:ec2::254 (AWS IPv6),
    /// 100.100.100.200 (Alibaba), 192.0.0.192 (Oracle), and the names `metadata.google.internal` & co.
    case metadata
    /// Multicast, broadcast, documentation, benchmarking and reserved ranges: nothing a link should lead to.
    case reserved

    public static func < (a: AddressClass, b: AddressClass) -> Bool { a.rawValue < b.rawValue }

    /// The class of `address`, or nil for an ordinary public address.
    public static func of(_ address: IPAddress) -> AddressClass? {
        switch address {
        case .v4(let a): return ofV4(a)
        case .v6(let b): return ofV6(b)
        }
    }

    private static func inV4(_ a: UInt32, _ net: UInt32, _ bits: UInt32) -> Bool {
        let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - bits)
        return a & mask == net & mask
    }

    private static func v4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> UInt32 {
        UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    private static let metadataV4: Set<UInt32> = [
        v4(169, 254, 169, 254), v4(169, 254, 170, 2), v4(100, 100, 100, 200), v4(192, 0, 0, 192),
    ]

    private static func ofV4(_ a: UInt32) -> AddressClass? {
        if metadataV4.contains(a) { return .metadata }
        if inV4(a, v4(0, 0, 0, 0), 8) { return .unspecified }
        if inV4(a, v4(127, 0, 0, 0), 8) { return .loopback }
        if inV4(a, v4(10, 0, 0, 0), 8) || inV4(a, v4(172, 16, 0, 0), 12) || inV4(a, v4(192, 168, 0, 0), 16) {
            return .privateNetwork
        }
        if inV4(a, v4(169, 254, 0, 0), 16) { return .linkLocal }
        if inV4(a, v4(100, 64, 0, 0), 10) { return .sharedCGNAT }
        if inV4(a, v4(192, 0, 0, 0), 24) || inV4(a, v4(192, 0, 2, 0), 24) || inV4(a, v4(198, 18, 0, 0), 15)
            || inV4(a, v4(198, 51, 100, 0), 24) || inV4(a, v4(203, 0, 113, 0), 24) || inV4(a, v4(224, 0, 0, 0), 4)
            || inV4(a, v4(240, 0, 0, 0), 4)
        {
            return .reserved
        }
        return nil
    }

    private static let metadataV6: [UInt8] = [0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54]

    private static func ofV6(_ b: [UInt8]) -> AddressClass? {
        precondition(b.count == 16, "an IPv6 address has 16 bytes")
        if b == metadataV6 { return .metadata }
        let zeros12 = b[0..<12].allSatisfy { $0 == 0 }
        let embedded = { (i: Int) in v4(b[i], b[i + 1], b[i + 2], b[i + 3]) }
        if zeros12 {
            if b[12..<16].allSatisfy({ $0 == 0 }) { return .unspecified }
            if b[12..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return .loopback }
            return ofV4(embedded(12))  // IPv4-compatible ::a.b.c.d (deprecated, still routed by some stacks)
        }
        // IPv4-mapped ::ffff:a.b.c.d and NAT64 64:ff9b::a.b.c.d reach the embedded IPv4 address.
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff { return ofV4(embedded(12)) }
        if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4..<12].allSatisfy({ $0 == 0 }) {
            return ofV4(embedded(12))
        }
        // 6to4 2002:AABB:CCDD::/48 tunnels to the IPv4 address AA.BB.CC.DD.
        if b[0] == 0x20 && b[1] == 0x02, let c = ofV4(embedded(2)) { return c }
        if b[0] & 0xfe == 0xfc { return .privateNetwork }
        if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return .linkLocal }
        if b[0] == 0xfe && b[1] & 0xc0 == 0xc0 { return .privateNetwork }
        if b[0] == 0xff { return .reserved }
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8 { return .reserved }  // documentation
        return nil
    }
}

/// Which address classes the resolver may connect to. The default allows none: only public addresses.
public struct AddressPolicy: Sendable, Equatable {
    /// Classes allowed besides public addresses.
    public var allowed: Set<AddressClass>

    public init(allowing allowed: Set<AddressClass> = []) {
        self.allowed = allowed
    }

    /// Public addresses only (the default).
    public static let publicOnly = AddressPolicy()
    /// `--allow-private`: also loopback, private, link-local, CGNAT and unspecified addresses, for shorteners run
    /// inside a private network. Cloud metadata and reserved ranges stay refused.
    public static let allowingPrivate = AddressPolicy(
        allowing: [.loopback, .privateNetwork, .linkLocal, .sharedCGNAT, .unspecified])

    /// Host names of cloud metadata services (refused by name, before any lookup).
    public static let metadataHostNames: Set<String> = [
        "metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal",
    ]

    /// Why `address` may not be connected to, or nil when it may.
    public func refusal(for address: IPAddress) -> AddressClass? {
        guard let c = AddressClass.of(address) else { return nil }
        return allowed.contains(c) ? nil : c
    }

    /// Whether the host name itself is refused (a metadata service name).
    public func refusesName(_ host: String) -> Bool {
        var h = host.lowercased()
        while h.hasSuffix(".") { h.removeLast() }
        return Self.metadataHostNames.contains(h) && !allowed.contains(.metadata)
    }
}
