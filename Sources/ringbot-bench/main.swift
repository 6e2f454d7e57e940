import Foundation
import RingBotCore
import RingBotKnowledge

// `make bench`: RingBot's speed and memory, printed as a table.
//   1. per-message classification latency over dev.tsv repeated (in process)
//   2. start-up: process start to the first answer of `ringbot classify`
//   3. peak resident memory of `ringbot classify` over all of dev.tsv
// Figures are measured, never asserted: the targets are printed beside them.

struct Options {
    var ringbot = ".build/release/ringbot"
    var data = "../shared/data/dev.tsv"
    var knowledge: String?
    var repeats = 50
    var startups = 30

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--ringbot": ringbot = iterator.next() ?? ringbot
            case "--data": data = iterator.next() ?? data
            case "--knowledge": knowledge = iterator.next()
            case "--repeats": repeats = Int(iterator.next() ?? "") ?? repeats
            case "--startups": startups = Int(iterator.next() ?? "") ?? startups
            default:
                FileHandle.standardError.write(Data("usage: ringbot-bench [--ringbot PATH] [--data TSV] [--knowledge DIR] [--repeats N] [--startups N]\n".utf8))
                exit(2)
            }
        }
    }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ringbot-bench: \(message)\n".utf8))
    exit(1)
}

let options = Options(CommandLine.arguments)
let knowledgeDirectory = options.knowledge
    ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Knowledge").path
guard let dataBytes = FileManager.default.contents(atPath: options.data) else { fail("cannot read \(options.data)") }
let utterances = LabelledDataParser.parse(String(decoding: dataBytes, as: UTF8.self), file: options.data).items.map(\.text)
guard !utterances.isEmpty else { fail("no utterances in \(options.data)") }

// 1. Build time and per-message latency, in process.
let clock = ContinuousClock()
let buildStart = clock.now
let knowledge: KnowledgeBase
do { knowledge = try KnowledgeLoader.load(directory: knowledgeDirectory) } catch { fail("\(error)") }
let loaded = clock.now
let assistant = Assistant(knowledge: knowledge)
let built = clock.now
var latencies: [Double] = []
latencies.reserveCapacity(utterances.count * options.repeats)
var sink = 0
for _ in 0..<3 { for text in utterances { sink &+= assistant.classify(text).intent.count } }  // warm-up
for _ in 0..<options.repeats {
    for text in utterances {
        let start = clock.now
        sink &+= assistant.classify(text).intent.count
        latencies.append(seconds(clock.now - start) * 1e6)
    }
}
latencies.sort()

// 2 and 3. The real binary, as a user starts it.
func runClassify(input: Data) -> (firstLine: Double, total: Double, maxRSSKiB: Int) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: options.ringbot)
    process.arguments = ["classify", "--knowledge", knowledgeDirectory]
    let stdin = Pipe(), stdout = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = FileHandle.nullDevice
    let start = clock.now
    do { try process.run() } catch { fail("cannot start \(options.ringbot): \(error); run `make bench`, which builds it") }
    stdin.fileHandleForWriting.write(input)
    try? stdin.fileHandleForWriting.close()
    var first: Double?
    var buffer = Data()
    while true {
        let chunk = stdout.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        if first == nil, chunk.contains(0x0A) { first = seconds(clock.now - start) * 1e3 }
        buffer.append(chunk)
    }
    process.waitUntilExit()
    let total = seconds(clock.now - start) * 1e3
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
    return (first ?? total, total, Int(usage.ru_maxrss))
}

var firstAnswers: [Double] = []
for _ in 0..<options.startups {
    firstAnswers.append(runClassify(input: Data("my whatsapp call says calling\n".utf8)).firstLine)
}
firstAnswers.sort()
let all = runClassify(input: Data((utterances.joined(separator: "\n") + "\n").utf8))

func row(_ name: String, _ value: String, _ target: String) -> String {
    name.padding(toLength: 44, withPad: " ", startingAt: 0) + value.padding(toLength: 16, withPad: " ", startingAt: 0) + target
}
func f(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

print("RingBot benchmark — \(utterances.count) utterances × \(options.repeats), \(options.startups) start-ups, \(ProcessInfo.processInfo.activeProcessorCount) cores")
print(row("measure", "value", "target"))
print(row("classify latency p50", f(percentile(latencies, 0.50), 2) + " µs", ""))
print(row("classify latency p99", f(percentile(latencies, 0.99), 2) + " µs", "< 50 µs"))
print(row("classify latency max", f(latencies.last ?? 0, 2) + " µs", ""))
print(row("throughput (one core)", f(Double(latencies.count) / (latencies.reduce(0, +) / 1e6), 0) + " msg/s", ""))
print(row("knowledge load (in process)", f(seconds(loaded - buildStart) * 1e3, 2) + " ms", ""))
print(row("matcher build (in process)", f(seconds(built - loaded) * 1e3, 2) + " ms", ""))
print(row("start-up to first answer p50", f(percentile(firstAnswers, 0.50)) + " ms", "< 50 ms"))
print(row("start-up to first answer p95", f(percentile(firstAnswers, 0.95)) + " ms", ""))
print(row("classify all of dev.tsv (process)", f(all.total) + " ms", ""))
print(row("peak resident memory", f(Double(all.maxRSSKiB) / 1024) + " MB", "< 30 MB"))
if sink == 42 { print("") }  // keeps the work from being optimised away
printEncoderBench()
