/// AWQ's knobs (mit-han-lab/llm-awq's defaults): the scale search's grid of exponents α = i/grid
/// (i = 0…grid−1), and whether the weight-clipping search runs after the scales
/// (`mse_range`, on by default in llm-awq).
public struct AWQSettings: Codable, Hashable, Sendable {
    public var grid: Int
    public var clip: Bool

    public static let defaultGrid = 20

    public init(grid: Int = AWQSettings.defaultGrid, clip: Bool = true) {
        self.grid = grid; self.clip = clip
    }

    /// Why these settings cannot run, or nil.
    public var problem: String? {
        guard (2...1000).contains(grid) else { return "AWQ grid must be 2…1000 points, got \(grid)" }
        return nil
    }

    /// `+grid10+no-clip`: the knobs that differ from the defaults.
    public var label: String {
        (grid != Self.defaultGrid ? "+grid\(grid)" : "") + (clip ? "" : "+no-clip")
    }
}
