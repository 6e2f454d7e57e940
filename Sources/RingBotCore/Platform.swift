/// The phone platform an answer can depend on.
public enum Platform: String, Sendable, Hashable, Codable, CaseIterable {
    case android
    case ios

    /// How the platform is named to users.
    public var displayName: String {
        switch self {
        case .android: "Android"
        case .ios: "iPhone"
        }
    }
}

/// Steps that may differ per platform. `common` applies to every phone.
public struct PlatformSteps: Sendable, Hashable {
    public var common: [String]
    public var android: [String]
    public var ios: [String]

    public init(common: [String] = [], android: [String] = [], ios: [String] = []) {
        self.common = common
        self.android = android
        self.ios = ios
    }

    /// Whether any step differs by platform.
    public var isPlatformSpecific: Bool { !android.isEmpty || !ios.isEmpty }

    public var isEmpty: Bool { common.isEmpty && android.isEmpty && ios.isEmpty }

    /// The steps to show for `platform`: the common steps, then that platform's.
    public func steps(for platform: Platform) -> [String] {
        switch platform {
        case .android: common + android
        case .ios: common + ios
        }
    }
}
