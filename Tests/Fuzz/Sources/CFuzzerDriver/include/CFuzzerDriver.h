#ifndef RINGBOT_CFUZZERDRIVER_H
#define RINGBOT_CFUZZERDRIVER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (libclang_rt.fuzzer, LLVM >= 12): what its own `main` calls.
/// SwiftPM on Linux links executables with `--defsym main=<module>_main`, so the
/// harness defines `ringbot_fuzz_main` and hands control to this.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
