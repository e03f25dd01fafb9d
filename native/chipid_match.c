/* chipid native core. C99, no Python.h, no globals, caller-allocated buffers. */
#include "chipid_match.h"

int chipid_abi_version(void) { return 1; }
