/// A light English suffix stripper. It only has to map the forms users type to
/// one key (`ringing`, `rings`, `ringed` → `ring`; `blocked`, `blocking` → `block`;
/// `close`, `closing` → `clos`), the same way for knowledge and for messages.
public enum Stemmer {
    public static func stem(_ word: String) -> String {
        var w = Array(word.utf8)
        guard w.count > 3, w.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }) else { return word }
        func ends(_ suffix: String) -> Bool {
            let s = Array(suffix.utf8)
            return w.count > s.count + 2 && w.suffix(s.count).elementsEqual(s)
        }
        func hasVowel(_ bytes: ArraySlice<UInt8>) -> Bool {
            bytes.contains { "aeiouy".utf8.contains($0) }
        }
        if ends("ies") {
            w.removeLast(3); w.append(0x79)  // -ies → -y
        } else if ends("sses") {
            w.removeLast(2)
        } else if ends("ing"), hasVowel(w.dropLast(3)) {
            w.removeLast(3)
            undouble(&w)
        } else if ends("ed"), hasVowel(w.dropLast(2)) {
            w.removeLast(2)
            undouble(&w)
        } else if ends("ly") {
            w.removeLast(2)
        } else if w.count > 3, w.last == 0x73, w[w.count - 2] != 0x73, w[w.count - 2] != 0x75, w[w.count - 2] != 0x69 {
            w.removeLast()  // -s, but not -ss, -us, -is
        }
        if w.count > 3, w.last == 0x65 { w.removeLast() }  // final -e
        return String(decoding: w, as: UTF8.self)
    }

    /// `stopp` → `stop`, but keeps `ll`, `ss`, `zz` (`call`, `miss`).
    private static func undouble(_ w: inout [UInt8]) {
        guard w.count >= 3, let last = w.last, last == w[w.count - 2],
              !"lsz".utf8.contains(last), !"aeiou".utf8.contains(last) else { return }
        w.removeLast()
    }
}
