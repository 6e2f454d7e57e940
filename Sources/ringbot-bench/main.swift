import Foundation
import RingBotCore
import RingBotEncoder
import RingBotKnowledge
import RingBotMatcherCache

// `make bench`: RingBot's speed and memory, printed as a table.
//   1. per-message classification latency over dev.tsv repeated (in process), for the lexical
//      and the hybrid matcher; the hybrid matcher's one-time compile and its warm cache load
//   2. start-up: process start to the first answer of `ringbot classify`, for both
//   3. peak resident memory of `ringbot classify` over all of dev.tsv, for both
//   4. the sentence encoder alone: load, latency by token count, memory (EncoderBench.swift)
// Figures are measured, never asserted: the targets are printed beside them.

struct Options {
    var ringbot = ".build/release/ringbot"
    var data = "Tests/Data/dev.tsv"
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

// 1. Build time and per-message latency, in process: the lexical matcher, then the hybrid one.
let clock = ContinuousClock()
let buildStart = clock.now
let knowledge: KnowledgeBase
do { knowledge = try KnowledgeLoader.load(directory: knowledgeDirectory) } catch { fail("\(error)") }
let loaded = clock.now
let assistant = Assistant(knowledge: knowledge)
let built = clock.now
var sink = 0

/// Latencies of `classify` over the utterances, in microseconds, sorted.
@MainActor func classifyLatencies(_ assistant: Assistant, repeats: Int) -> [Double] {
    var latencies: [Double] = []
    latencies.reserveCapacity(utterances.count * repeats)
    for text in utterances.prefix(50) { sink &+= assistant.classify(text).intent.count }  // warm-up
    for _ in 0..<repeats {
        for text in utterances {
            let start = clock.now
            sink &+= assistant.classify(text).intent.count
            latencies.append(seconds(clock.now - start) * 1e6)
        }
    }
    return latencies.sorted()
}
let latencies = classifyLatencies(assistant, repeats: options.repeats)

// The hybrid matcher: a one-time compile into a throw-away cache, then a warm load.
let benchCache = FileManager.default.temporaryDirectory.appendingPathComponent("ringbot-bench-cache-\(getpid())")
defer { try? FileManager.default.removeItem(at: benchCache) }
let encoder: SentenceEncoder
// Its packed weights go to the throw-away cache too, so that the started binaries below map them (a warm start).
do {
    encoder = try SentenceEncoder(directory: ModelFiles.defaultDirectory(),
                                  packedCache: PackedWeightsCache(directory: benchCache.appendingPathComponent("encoder")))
} catch { fail("\(error); run `make model`") }
let loader = HybridAssistantLoader(cache: CompiledMatcherCache(directory: benchCache.appendingPathComponent("compiled")))
let compileStart = clock.now
let compiled = loader.load(knowledge: knowledge, directory: knowledgeDirectory, tuning: MatcherTuning(), embedder: encoder)
let compileTime = seconds(clock.now - compileStart)
let warmStart = clock.now
let hybrid = loader.load(knowledge: knowledge, directory: knowledgeDirectory, tuning: MatcherTuning(), embedder: encoder)
let warmTime = seconds(clock.now - warmStart)
if hybrid.rebuilt { fail("the compiled cache was not used on the second load: \(hybrid.warnings)") }
let hybridLatencies = classifyLatencies(hybrid.assistant, repeats: max(1, options.repeats / 10))

// The tokenizer alone, per message.
let tokenizer: WordPieceTokenizer
do { tokenizer = try WordPieceTokenizer(vocabularyFile: ModelFiles.defaultDirectory().appendingPathComponent("vocab.txt")) } catch { fail("\(error)") }
var tokenizerTimes: [Double] = []
for _ in 0..<options.repeats {
    for text in utterances {
        let start = clock.now
        sink &+= tokenizer.encode(text).count
        tokenizerTimes.append(seconds(clock.now - start) * 1e6)
    }
}
tokenizerTimes.sort()

// 2 and 3. The real binary, as a user starts it (the hybrid one on the warm cache above).
/// Runs `ringbot classify` on `lines`; times the first answer and the whole run, and reads the
/// child's peak resident set (VmHWM) while it is still alive, after its last answer and before
/// its standard input closes (getrusage's figure for children would include the bench's own pages).
@MainActor func runClassify(lines: [String], matcher: String) -> (firstLine: Double, total: Double, peakKiB: Int) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: options.ringbot)
    process.arguments = ["classify", "--knowledge", knowledgeDirectory, "--matcher", matcher]
    var environment = ProcessInfo.processInfo.environment
    environment["RINGBOT_CACHE_DIR"] = benchCache.path
    process.environment = environment
    let stdin = Pipe(), stdout = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = FileHandle.nullDevice
    let start = clock.now
    do { try process.run() } catch { fail("cannot start \(options.ringbot): \(error); run `make bench`, which builds it") }
    stdin.fileHandleForWriting.write(Data(lines.map { $0 + "\n" }.joined().utf8))
    var first: Double?
    var answers = 0
    while answers < lines.count {
        let chunk = stdout.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        if first == nil, chunk.contains(0x0A) { first = seconds(clock.now - start) * 1e3 }
        answers += chunk.filter { $0 == 0x0A }.count
    }
    let total = seconds(clock.now - start) * 1e3
    let peak = peakResidentKiB(of: process.processIdentifier)
    try? stdin.fileHandleForWriting.close()
    process.waitUntilExit()
    if process.terminationStatus != 0 { fail("ringbot classify --matcher \(matcher) exited \(process.terminationStatus)") }
    return (first ?? total, total, peak)
}

/// VmHWM of a running process, in KiB (0 where /proc is missing).
func peakResidentKiB(of pid: Int32) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}

@MainActor func startUps(_ matcher: String) -> [Double] {
    (0..<options.startups).map { _ in runClassify(lines: ["my whatsapp call says calling"], matcher: matcher).firstLine }.sorted()
}
let lexicalStartUps = startUps("lexical")
let lexicalAll = runClassify(lines: utterances, matcher: "lexical")
let hybridStartUps = startUps("hybrid")
let hybridAll = runClassify(lines: utterances, matcher: "hybrid")

func row(_ name: String, _ value: String, _ target: String) -> String {
    name.padding(toLength: 48, withPad: " ", startingAt: 0) + value.padding(toLength: 18, withPad: " ", startingAt: 0) + target
}
func f(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
func ms(_ sorted: [Double]) -> String { f(percentile(sorted, 0.50) / 1e3, 2) + "/" + f(percentile(sorted, 0.99) / 1e3, 2) + " ms" }

print("RingBot benchmark — \(utterances.count) utterances, \(options.startups) start-ups, \(ProcessInfo.processInfo.activeProcessorCount) cores")
print(row("measure", "value", "target"))
print("— lexical matcher alone")
print(row("classify latency p50 / p99", f(percentile(latencies, 0.50), 2) + "/" + f(percentile(latencies, 0.99), 2) + " µs", ""))
print(row("throughput (one core)", f(Double(latencies.count) / (latencies.reduce(0, +) / 1e6), 0) + " msg/s", ""))
print(row("knowledge load (in process)", f(seconds(loaded - buildStart) * 1e3, 2) + " ms", ""))
print(row("matcher build (in process)", f(seconds(built - loaded) * 1e3, 2) + " ms", ""))
print(row("start-up to first answer p50 / p95", f(percentile(lexicalStartUps, 0.50)) + "/" + f(percentile(lexicalStartUps, 0.95)) + " ms", ""))
print(row("peak resident memory (all of dev.tsv)", f(Double(lexicalAll.peakKiB) / 1024) + " MB", ""))
print("— hybrid matcher (sentence encoder + lexical), the default")
print(row("classify latency p50 / p99", ms(hybridLatencies), "p50 <= 5 ms"))
print(row("tokenizer per message p50 / p99", f(percentile(tokenizerTimes, 0.50), 2) + "/" + f(percentile(tokenizerTimes, 0.99), 2) + " µs", ""))
print(row("one-time cache build (compile, in process)", f(compileTime, 2) + " s", ""))
print(row("warm cache load + assistant (in process)", f(warmTime * 1e3, 1) + " ms", ""))
print(row("start-up to first answer, warm cache p50 / p95", f(percentile(hybridStartUps, 0.50)) + "/" + f(percentile(hybridStartUps, 0.95)) + " ms", "<= 100 ms"))
print(row("classify all of dev.tsv (process)", f(hybridAll.total) + " ms", ""))
print(row("peak resident memory (all of dev.tsv)", f(Double(hybridAll.peakKiB) / 1024) + " MB", "<= 150 MB"))
print("— the sentence encoder alone")
printEncoderBench()
if sink == 42 || compiled.encoded < 0 { print("") }  // keeps the work from being optimised away
