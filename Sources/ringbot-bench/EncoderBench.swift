import Foundation
import RingBotEncoder

/// The sentence encoder's figures: load time, resident memory added by the model, and the
/// latency of one message of 8, 16, 32 and 64 tokens (p50/p99 over `repeats` runs each,
/// one thread; wall clock, and this thread's CPU time, which other processes on a shared
/// machine do not inflate). Prints rows in the bench's table; a missing model is one line, not a failure
/// of the other figures.
func printEncoderBench(repeats: Int = 200) {
    let clock = ContinuousClock()
    let residentBefore = residentKiB()
    let start = clock.now
    let startCPU = threadCPUMilliseconds()
    let encoder: SentenceEncoder
    do { encoder = try SentenceEncoder() } catch {
        print(row("encoder", "not measured", "\(error)"))
        return
    }
    let loadTime = seconds(clock.now - start) * 1e3
    let loadCPU = threadCPUMilliseconds() - startCPU
    // Of which the tokenizer's vocabulary (loaded again here on its own).
    let vocabularyStart = threadCPUMilliseconds()
    _ = try? WordPieceTokenizer(vocabularyFile: ModelFiles.defaultDirectory().appendingPathComponent("vocab.txt"))
    let vocabularyCPU = threadCPUMilliseconds() - vocabularyStart
    let firstStart = clock.now
    var sink = encoder.embed(tokenIDs: [101, 2026, 2655, 102])[0]
    let firstEmbedding = seconds(clock.now - firstStart) * 1e3
    print(row("encoder load, wall / CPU (\(encoder.fingerprint.split(separator: "/").last ?? ""))",
              f(loadTime, 1) + "/" + f(loadCPU, 1) + " ms", ""))
    print(row("  of which vocabulary (tokenizer), CPU", f(vocabularyCPU, 1) + " ms", ""))
    print(row("encoder first embedding after load", f(firstEmbedding, 2) + " ms", ""))
    for length in [8, 16, 32, 64] {
        // [CLS], word-piece ids spread over the vocabulary, [SEP].
        let ids: [Int32] = [101] + (1..<(length - 1)).map { Int32(2000 + ($0 * 7919) % 20000) } + [102]
        for _ in 0..<5 { sink += encoder.embed(tokenIDs: ids)[1] }  // warm-up
        var times: [Double] = [], cpuTimes: [Double] = []
        for _ in 0..<repeats {
            let runStart = clock.now
            let runCPU = threadCPUMilliseconds()
            sink += encoder.embed(tokenIDs: ids)[1]
            cpuTimes.append(threadCPUMilliseconds() - runCPU)
            times.append(seconds(clock.now - runStart) * 1e3)
        }
        times.sort()
        cpuTimes.sort()
        print(row("encoder \(length) tokens p50 / p99", f(percentile(times, 0.5), 2) + "/" + f(percentile(times, 0.99), 2) + " ms",
                  length <= 32 ? "p50 <= 5 ms" : ""))
        print(row("encoder \(length) tokens CPU p50 / p99", f(percentile(cpuTimes, 0.5), 2) + "/" + f(percentile(cpuTimes, 0.99), 2) + " ms", ""))
    }
    // End to end from text: tokenizer and model on a typical support message.
    let message = "my whatsapp call just says calling and never rings, is she offline or did she block me?"
    var textTimes: [Double] = []
    for _ in 0..<repeats {
        let runStart = clock.now
        sink += encoder.embed(message)[2]
        textTimes.append(seconds(clock.now - runStart) * 1e3)
    }
    textTimes.sort()
    print(row("encoder embed(text), \(message.split(separator: " ").count) words p50/p99",
              f(percentile(textTimes, 0.5), 2) + "/" + f(percentile(textTimes, 0.99), 2) + " ms", ""))
    print(row("encoder resident memory (added)", f(Double(residentKiB() - residentBefore) / 1024) + " MB", ""))
    if sink == 42 { print("") }  // keeps the work from being optimised away
}

/// This thread's CPU time so far, in milliseconds.
private func threadCPUMilliseconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return Double(now.tv_sec) * 1e3 + Double(now.tv_nsec) / 1e6
}

/// This process's resident set (VmRSS), in KiB; 0 where /proc is missing.
private func residentKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}
