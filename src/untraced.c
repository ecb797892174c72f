/*
 * untraced.c - why a process sends no trace (see untraced.h).
 */
#include "untraced.h"

#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace_rec.h"
#include "util.h"

#define ENV_MAX (64 * 1024) /* of /proc/PID/environ read */

/* Read exactly n bytes at off of fd; 0 or -1. */
static int
read_at(int fd, void *buf, size_t n, off_t off)
{
	return pread(fd, buf, n, off) == (ssize_t)n ? 0 : -1;
}

/* 1 when the ELF file has no program interpreter (the dynamic loader), 0 when it has one, -1 unknown. */
int
untraced_is_static(const char *path)
{
	Elf64_Ehdr eh;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 1;

	if (fd < 0)
		return -1;
	if (read_at(fd, &eh, sizeof eh, 0) < 0 || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 4096) {
		close(fd);
		return -1;
	}
	for (int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		if (read_at(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + (Elf64_Off)i * sizeof ph)) < 0) {
			ret = -1;
			break;
		}
		if (ph.p_type == PT_INTERP) {
			ret = 0;
			break;
		}
	}
	close(fd);
	return ret;
}

/* Does the NUL-separated file at path contain a string that contains needle (after prefix, if given)? */
static int
file_has(const char *path, const char *prefix, const char *needle)
{
	char *buf = malloc(ENV_MAX + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC), found = 0;
	ssize_t n = 0, got = 1;

	/* A /proc file comes in pieces: read to its end (or ENV_MAX). */
	while (buf && fd >= 0 && got > 0 && n < ENV_MAX) {
		got = read(fd, buf + n, (size_t)(ENV_MAX - n));
		n += got > 0 ? got : 0;
	}
	if (fd >= 0)
		close(fd);
	for (ssize_t i = 0; n > 0 && i < n && !found;) {
		size_t len = strnlen(buf + i, (size_t)(n - i));
		char *s = buf + i;

		buf[i + (ssize_t)len < n ? i + (ssize_t)len : n - 1] = '\0';
		if ((prefix == NULL || strncmp(s, prefix, strlen(prefix)) == 0) && strstr(s, needle))
			found = 1;
		i += (ssize_t)len + 1;
	}
	free(buf);
	return found;
}

/* The first reason that holds, in the order the loader would meet them. */
int
untraced_why(int pid, const char *lib)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof path, "/proc/%d/exe", pid);
	if (untraced_is_static(path) == 1)
		return UT_STATIC;
	if (stat(path, &st) == 0 && (st.st_mode & (S_ISUID | S_ISGID)))
		return UT_SETID;
	snprintf(path, sizeof path, "/proc/%d/environ", pid);
	if (!file_has(path, "LD_PRELOAD=", lib))
		return UT_NO_PRELOAD;
	snprintf(path, sizeof path, "/proc/%d/maps", pid);
	if (!file_has(path, NULL, lib))
		return UT_NOT_LOADED;
	return UT_SILENT;
}
