/*
 * untraced.h - why a process of a run sends no trace, read from /proc:
 * a statically linked or set-id executable (no LD_PRELOAD for it), an
 * environment without the tracer, a tracer not in its memory, or one that
 * is loaded but sees no call (raw system calls, io_uring).  No state.
 */
#ifndef EPOLLVIZ_UNTRACED_H
#define EPOLLVIZ_UNTRACED_H

#include <stddef.h>

/*
 * Is the ELF image at path statically linked (no PT_INTERP)?  1, 0, or -1
 * when it cannot be read or is no 64-bit little-endian ELF file.
 */
int untraced_is_static(const char *path);
/* The likely reason pid sends no trace (enum untraced_why); lib is the tracer's file name. */
int untraced_why(int pid, const char *lib);

#endif
