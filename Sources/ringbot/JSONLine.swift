import Foundation

/// A JSON value for one-object-per-line output, written with keys in the order given
/// (the contract's order) and every string escaped, control characters included.
enum JSONValue {
    case string(String)
    case number(Double)
    case null
    /// A nested object, keys in the order given.
    case object([(String, JSONValue)])

    static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
}

enum JSONLine {
    /// `{"key": value, ...}` on one line.
    static func object(_ fields: KeyValuePairs<String, JSONValue>) -> String {
        "{" + fields.map { "\(quote($0.key)): \(render($0.value))" }.joined(separator: ", ") + "}"
    }

    static func render(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): quote(text)
        case .null: "null"
        case .object(let fields):
            "{" + fields.map { "\(quote($0.0)): \(render($0.1))" }.joined(separator: ", ") + "}"
        case .number(let number):
            number.isFinite ? String(format: "%.4g", number) : "0"
        }
    }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// Unbuffered line output, so each result reaches a pipe as soon as it is computed.
enum Stdout {
    static func writeLine(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
