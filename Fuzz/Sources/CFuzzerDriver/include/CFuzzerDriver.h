#ifndef PTQLAB_CFUZZERDRIVER_H
#define PTQLAB_CFUZZERDRIVER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver for programs that have their own main (libclang_rt.fuzzer: FuzzerDriver.cpp).
/// Parses libFuzzer's options from argc/argv and calls `callback` once per input.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
