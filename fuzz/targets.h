/*
 * targets.h - one function per reader of outside data, shared by the
 * libFuzzer harnesses (make fuzz) and the regression test in make test,
 * which replays every committed corpus and crash input through them.
 */
#ifndef EPOLLVIZ_FUZZ_TARGETS_H
#define EPOLLVIZ_FUZZ_TARGETS_H

#include <stddef.h>
#include <stdint.h>

int fuzz_scenario(const uint8_t *data, size_t size);
int fuzz_trace(const uint8_t *data, size_t size);
int fuzz_fdinfo(const uint8_t *data, size_t size);
int fuzz_record(const uint8_t *data, size_t size);
int fuzz_script(const uint8_t *data, size_t size);

#endif
