// The module only declares LLVMFuzzerRunDriver (include/CFuzzerDriver.h); libFuzzer defines it.
#include "CFuzzerDriver.h"
