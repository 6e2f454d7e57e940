import Foundation
import Testing

@Suite("Golden fixture")
struct GoldenFixtureTests {
    @Test("the golden fixture is complete and consistent")
    func fixtureShape() throws {
        let golden = try GoldenFixture.load()
        #expect(golden.cases.count >= 30)
        #expect(golden.maxTokens == 256)
        #expect(golden.dimension == 384)
        #expect(Set(golden.cases.map(\.name)).count == golden.cases.count)
        #expect(golden.cases.contains { $0.ids.count == golden.maxTokens })
        #expect(golden.cases.contains { $0.text.isEmpty })
        for item in golden.cases {
            #expect(item.ids.first == 101 && item.ids.last == 102, "\(item.name): not [CLS] ... [SEP]")
            #expect(item.ids.count <= golden.maxTokens, "\(item.name)")
            #expect(item.embedding.count == golden.dimension, "\(item.name)")
            let norm = item.embedding.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-4, "\(item.name): embedding norm \(norm)")
        }
    }
}
