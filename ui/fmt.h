/*
 * fmt.h - the number formats the panels share: 1,234  12k/s  830 ms  1.2 KiB.
 */
#ifndef EPOLLVIZ_UI_FMT_H
#define EPOLLVIZ_UI_FMT_H

#include <stddef.h>
#include <stdint.h>

/* 1234567 -> "1,234,567". */
const char *fmt_count(uint64_t n, char *buf, size_t cap);
/* Events per second -> "850/s", "12k/s", "2.4M/s". */
const char *fmt_rate(double per_s, char *buf, size_t cap);
/* Nanoseconds -> "0.4 ms", "830 ms", "12.3 s", "4 min 05 s". */
const char *fmt_dur(uint64_t ns, char *buf, size_t cap);
/* Bytes -> "20 B", "1.2 KiB", "3.4 MiB". */
const char *fmt_bytes(uint64_t n, char *buf, size_t cap);

#endif
