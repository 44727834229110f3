// The SSRF rules as a table: address -> class, and what each policy refuses.
import Testing
@testable import StarlingUnshorten

@Suite struct AddressPolicyTests {
    @Test func classifiesAddresses() {
        let table: [(String, AddressClass?)] = [
            ("8.8.8.8", nil), ("1.1.1.1", nil), ("151.101.1.69", nil), ("172.32.0.1", nil), ("100.128.0.1", nil),
            ("127.0.0.1", .loopback), ("127.255.1.2", .loopback),
            ("10.0.0.1", .privateNetwork), ("172.16.5.4", .privateNetwork), ("172.31.255.255", .privateNetwork),
            ("192.168.1.1", .privateNetwork),
            ("169.254.1.1", .linkLocal), ("169.254.169.254", .metadata), ("169.254.170.2", .metadata),
            ("100.64.0.1", .sharedCGNAT), ("100.127.255.254", .sharedCGNAT), ("100.100.100.200", .metadata),
            ("0.0.0.0", .unspecified), ("0.1.2.3", .unspecified),
            ("224.0.0.1", .reserved), ("255.255.255.255", .reserved), ("192.0.2.10", .reserved),
            ("192.0.0.192", .metadata),
            ("2606:4700:4700::1111", nil), ("2a00:1450:4001:80b::200e", nil),
            ("::1", .loopback), ("::", .unspecified),
            ("fc00::1", .privateNetwork), ("fd12:3456::1", .privateNetwork), ("fd00:ec2::254", .metadata),
            ("fe80::1", .linkLocal), ("febf::1", .linkLocal), ("fec0::1", .privateNetwork),
            ("ff02::1", .reserved), ("2001:db8::1", .reserved),
            // IPv4 inside IPv6: mapped, NAT64, 6to4 and the old compatible form reach the IPv4 address.
            ("::ffff:127.0.0.1", .loopback), ("::ffff:10.1.2.3", .privateNetwork), ("::ffff:8.8.8.8", nil),
            ("64:ff9b::a9fe:a9fe", .metadata), ("2002:c0a8:101::1", .privateNetwork), ("2002:808:808::1", nil),
            ("::127.0.0.1", .loopback),
        ]
        for (text, expected) in table {
            guard let address = IPAddress(text) else {
                Issue.record("\(text) did not parse")
                continue
            }
            #expect(AddressClass.of(address) == expected, "\(text)")
        }
    }

    @Test func parsesOnlyAddresses() {
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "example.com", "1:2:3:4:5:6:7:8:9", "::1::2", "12345::1"] {
            #expect(IPAddress(bad) == nil, "\(bad)")
        }
        #expect(IPAddress("1:2:3:4:5:6:7:8")?.description == "1:2:3:4:5:6:7:8")
        #expect(IPAddress("10.20.30.40")?.description == "10.20.30.40")
    }

    @Test func policiesRefuseWhatTheyShould() {
        let loopback = IPAddress("127.0.0.1")!
        let metadata = IPAddress("169.254.169.254")!
        let rfc1918 = IPAddress("192.168.0.10")!
        let cgnat = IPAddress("100.64.3.3")!
        let publicAddress = IPAddress("93.184.216.34")!
        #expect(AddressPolicy.publicOnly.refusal(for: loopback) == .loopback)
        #expect(AddressPolicy.publicOnly.refusal(for: rfc1918) == .privateNetwork)
        #expect(AddressPolicy.publicOnly.refusal(for: publicAddress) == nil)
        #expect(AddressPolicy.allowingPrivate.refusal(for: loopback) == nil)
        #expect(AddressPolicy.allowingPrivate.refusal(for: rfc1918) == nil)
        #expect(AddressPolicy.allowingPrivate.refusal(for: cgnat) == nil)
        // Metadata stays refused with --allow-private.
        #expect(AddressPolicy.allowingPrivate.refusal(for: metadata) == .metadata)
        #expect(AddressPolicy.allowingPrivate.refusesName("metadata.google.internal"))
        #expect(AddressPolicy.allowingPrivate.refusesName("Metadata.Google.Internal."))
        #expect(!AddressPolicy.allowingPrivate.refusesName("google.com"))
        #expect(!AddressPolicy(allowing: [.metadata]).refusesName("metadata.google.internal"))
    }
}

@Suite struct ShortenerListTests {
    @Test func matchesDomainsAndSubdomains() {
        let list = ShortenerList(domains: ["bit.ly", "on.wsj.com", "T.CO."])
        #expect(list.contains(host: "bit.ly"))
        #expect(list.contains(host: "www.bit.ly"))
        #expect(list.contains(host: "t.co"))
        #expect(list.contains(host: "on.wsj.com"))
        #expect(!list.contains(host: "wsj.com"))
        #expect(!list.contains(host: "notbit.ly"))
        #expect(!list.contains(host: "bit.ly.example.com"))
        #expect(list.contains(url: "https://bit.ly/3abc?x=1"))
        #expect(list.contains(url: "http://user@bit.ly:8080/x"))
        #expect(!list.contains(url: "https://example.com/bit.ly"))
        #expect(!list.contains(url: "bit.ly/abc"))
    }

    @Test func standardListLoads() throws {
        let list = try ShortenerList.standard()
        #expect(list.domains.count >= 50)
        for d in ["bit.ly", "t.co", "goo.gl", "ow.ly", "tinyurl.com", "buff.ly", "dlvr.it", "is.gd", "trib.al",
                  "fb.me", "ift.tt", "lnkd.in"] {
            #expect(list.contains(host: d), "\(d)")
        }
        #expect(!list.contains(host: "nytimes.com"))
    }
}
