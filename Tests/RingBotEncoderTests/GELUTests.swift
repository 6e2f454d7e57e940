import CEncoderKernels
import Foundation
import Testing

@Suite("Encoder kernels")
struct GELUTests {
    @Test("the kernels' GELU is within 1e-6 (relative beyond |x| = 1) of the erf form 0.5 x (1 + erf(x / sqrt 2))")
    func geluMatchesErf() {
        var worst = 0.0
        for step in -12_000...12_000 {
            let x = Double(step) / 1000
            let exact = 0.5 * x * (1 + erf(x / 2.0.squareRoot()))
            worst = max(worst, abs(Double(ek_gelu(Float(x))) - exact) / max(1, abs(x)))
        }
        #expect(worst < 1e-6, "largest difference \(worst)")
    }
}
