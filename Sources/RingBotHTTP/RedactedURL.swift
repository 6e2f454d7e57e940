/// Helpers that make a URL safe to show in logs and error messages.
///
/// Matrix sometimes carries access tokens in query strings, and a URL may carry
/// `user:password@` credentials, so both are removed before a URL leaves the client.
enum RedactedURL {
    /// `scheme://host[:port]/path` with user info, query string and fragment removed.
    static func display(_ url: String) -> String {
        let (prefix, rest) = splitScheme(url)
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") {
            authority = authority[authority.index(after: at)...]
        }
        return prefix + authority + pathOnly(rest[authorityEnd...])
    }

    /// Only the path of `url` (no scheme, host, query or fragment); `/` if empty.
    static func path(_ url: String) -> String {
        let (_, rest) = splitScheme(url)
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let path = pathOnly(rest[authorityEnd...])
        return path.isEmpty ? "/" : path
    }

    /// The query string of `url` (without `?` and fragment), or nil when there is none.
    static func query(_ url: String) -> Substring? {
        guard let mark = url.firstIndex(of: "?") else { return nil }
        let start = url.index(after: mark)
        let end = url[start...].firstIndex(of: "#") ?? url.endIndex
        return url[start..<end]
    }

    private static func splitScheme(_ url: String) -> (String, Substring) {
        guard let range = url.range(of: "://") else { return ("", url[...]) }
        return (String(url[..<range.upperBound]), url[range.upperBound...])
    }

    private static func pathOnly(_ pathAndMore: Substring) -> String {
        let end = pathAndMore.firstIndex(where: { $0 == "?" || $0 == "#" }) ?? pathAndMore.endIndex
        return String(pathAndMore[..<end])
    }
}
