import Testing
import RingBotTerminal

@Suite("Progress bar")
struct ProgressBarTests {
    @Test("the bar fills in proportion and names the counts")
    func lines() {
        let bar = ProgressBar(label: "compiling", width: 10)
        #expect(bar.line(done: 0, total: 200) == "compiling [··········]   0% 0/200")
        #expect(bar.line(done: 100, total: 200) == "compiling [#####·····]  50% 100/200")
        #expect(bar.line(done: 200, total: 200) == "compiling [##########] 100% 200/200")
        #expect(bar.line(done: 0, total: 0) == "compiling [##########] 100% 0/0")
    }

    @Test("redraws happen once per percent and at the end")
    func redraws() {
        let redraws = (1...1000).filter { ProgressBar.shouldRedraw(done: $0, total: 1000) }
        #expect(redraws.count == 100)
        #expect(redraws.last == 1000)
        #expect((1...7).allSatisfy { ProgressBar.shouldRedraw(done: $0, total: 7) })
    }
}
