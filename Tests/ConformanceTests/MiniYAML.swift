// A minimal YAML reader for the conformance suites' files (twitter-text's extract.yml and tlds.yml): block
// mappings and sequences by indentation, double-quoted strings with `\n`, `\uXXXX`, `\UXXXXXXXX` escapes, flow
// sequences of strings and integers, plain scalars, `#` comment lines. Not a general YAML parser.

/// A YAML value.
indirect enum YAML: Equatable, CustomStringConvertible {
    case null
    case string(String)
    case int(Int)
    case list([YAML])
    case map([(String, YAML)])

    static func == (a: YAML, b: YAML) -> Bool { a.description == b.description }

    var description: String {
        switch self {
        case .null: return "null"
        case .string(let s): return "\"\(s)\""
        case .int(let i): return String(i)
        case .list(let l): return "[" + l.map(\.description).joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + "}"
        }
    }

    subscript(key: String) -> YAML? {
        if case .map(let m) = self { return m.first { $0.0 == key }?.1 }
        return nil
    }

    var string: String? { if case .string(let s) = self { return s } else { return nil } }
    var int: Int? { if case .int(let i) = self { return i } else { return nil } }
    var list: [YAML]? { if case .list(let l) = self { return l } else { return nil } }
    var entries: [(String, YAML)]? { if case .map(let m) = self { return m } else { return nil } }
}

struct YAMLError: Error, CustomStringConvertible {
    let line: Int
    let message: String
    var description: String { "YAML line \(line): \(message)" }
}

/// Parses a document of the shape described at the top of the file.
enum MiniYAML {
    private struct Line {
        var number: Int
        var indent: Int
        var text: Substring  // without the indentation
    }

    static func parse(_ source: String) throws -> YAML {
        var lines = [Line]()
        for (k, raw) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var t = raw[...]
            if t.hasSuffix("\r") { t = t.dropLast() }
            let indent = t.prefix { $0 == " " }.count
            let body = t.dropFirst(indent)
            if body.isEmpty || body.hasPrefix("#") || body == "---" { continue }
            lines.append(Line(number: k + 1, indent: indent, text: body))
        }
        var i = 0
        guard !lines.isEmpty else { return .null }
        return try block(&lines, &i, indent: lines[0].indent)
    }

    private static func block(_ lines: inout [Line], _ i: inout Int, indent: Int) throws -> YAML {
        guard i < lines.count else { return .null }
        if lines[i].text.hasPrefix("- ") || lines[i].text == "-" {
            var items = [YAML]()
            while i < lines.count, lines[i].indent == indent, lines[i].text.hasPrefix("-") {
                // "- key: v" is a mapping whose first line sits after the dash: re-indent it and parse the block.
                let rest = lines[i].text.dropFirst().drop { $0 == " " }
                let inner = indent + (lines[i].text.count - rest.count)
                if rest.isEmpty {
                    i += 1
                    items.append(i < lines.count && lines[i].indent > indent ? try block(&lines, &i, indent: lines[i].indent) : .null)
                } else if isMappingLine(rest) {
                    lines[i] = Line(number: lines[i].number, indent: inner, text: rest)
                    items.append(try block(&lines, &i, indent: inner))
                } else {
                    items.append(try scalar(rest, line: lines[i].number))
                    i += 1
                }
            }
            return .list(items)
        }
        var entries = [(String, YAML)]()
        while i < lines.count, lines[i].indent == indent, !lines[i].text.hasPrefix("- ") {
            let line = lines[i]
            guard let colon = keyColon(line.text) else { throw YAMLError(line: line.number, message: "expected key: value") }
            let key = String(line.text[..<colon])
            let rest = line.text[line.text.index(after: colon)...].drop { $0 == " " }
            i += 1
            if !rest.isEmpty {
                entries.append((key, try scalar(rest, line: line.number)))
            } else if i < lines.count, lines[i].indent > indent || (lines[i].indent == indent && lines[i].text.hasPrefix("-")) {
                entries.append((key, try block(&lines, &i, indent: lines[i].indent)))
            } else {
                entries.append((key, .null))
            }
        }
        if i < lines.count, lines[i].indent > indent {
            throw YAMLError(line: lines[i].number, message: "unexpected indentation")
        }
        return .map(entries)
    }

    private static func keyColon(_ text: Substring) -> String.Index? {
        guard let first = text.first, first != "\"", first != "[" else { return nil }
        var idx = text.startIndex
        while idx < text.endIndex {
            if text[idx] == ":" {
                let next = text.index(after: idx)
                if next == text.endIndex || text[next] == " " { return idx }
            }
            idx = text.index(after: idx)
        }
        return nil
    }

    private static func isMappingLine(_ text: Substring) -> Bool { keyColon(text) != nil }

    private static func scalar(_ text: Substring, line: Int) throws -> YAML {
        var t = text
        while t.last == " " { t.removeLast() }
        if t.first == "\"" {
            var i = t.startIndex
            let s = try quoted(t, &i, line: line)
            return .string(s)
        }
        if t.first == "[" { return try flow(t, line: line) }
        if let v = Int(t) { return .int(v) }
        if t == "~" || t == "null" { return .null }
        return .string(String(t))
    }

    private static func flow(_ t: Substring, line: Int) throws -> YAML {
        var items = [YAML]()
        var i = t.index(after: t.startIndex)
        while i < t.endIndex {
            let c = t[i]
            if c == " " || c == "," { i = t.index(after: i); continue }
            if c == "]" { return .list(items) }
            if c == "\"" {
                items.append(.string(try quoted(t, &i, line: line)))
                continue
            }
            var j = i
            while j < t.endIndex, t[j] != ",", t[j] != "]" { j = t.index(after: j) }
            let word = t[i..<j].trimmingSuffix()
            items.append(Int(word).map(YAML.int) ?? .string(String(word)))
            i = j
        }
        throw YAMLError(line: line, message: "unterminated [")
    }

    /// A double-quoted string starting at `i`; leaves `i` after the closing quote.
    private static func quoted(_ t: Substring, _ i: inout Substring.Index, line: Int) throws -> String {
        var out = String.UnicodeScalarView()
        let u = t.unicodeScalars
        var k = u.index(after: i)
        while k < u.endIndex {
            let c = u[k]
            if c == "\"" {
                i = u.index(after: k)
                return String(out)
            }
            if c == "\\" {
                k = u.index(after: k)
                guard k < u.endIndex else { break }
                let e = u[k]
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "0": out.append("\0")
                case "\"", "\\", "/": out.append(e)
                case "u", "U", "x":
                    let digits = e == "u" ? 4 : (e == "U" ? 8 : 2)
                    var v: UInt32 = 0
                    for _ in 0..<digits {
                        k = u.index(after: k)
                        guard k < u.endIndex, let d = UInt32(String(u[k]), radix: 16) else {
                            throw YAMLError(line: line, message: "bad \\\(e) escape")
                        }
                        v = v * 16 + d
                    }
                    guard let s = Unicode.Scalar(v) else { throw YAMLError(line: line, message: "bad code point") }
                    out.append(s)
                default:
                    throw YAMLError(line: line, message: "unknown escape \\\(e)")
                }
                k = u.index(after: k)
                continue
            }
            out.append(c)
            k = u.index(after: k)
        }
        throw YAMLError(line: line, message: "unterminated string")
    }
}

extension Substring {
    fileprivate func trimmingSuffix() -> Substring {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
