/* fuzz_fdinfo.c - libFuzzer entry point for fuzz_fdinfo() (see targets.h). */
#include "targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_fdinfo(data, size);
}
