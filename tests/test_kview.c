/*
 * test_kview.c - unit tests of the /proc fdinfo parser and the fd link
 * classifier, on real samples captured from this kernel (tests/data/fdinfo)
 * and an older kernel's shorter format.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "kview.h"

static char *
slurp(const char *name)
{
	char path[256];
	static char buf[8192];
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "tests/data/fdinfo/%s", name);
	f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s (tests run from the repository root)", path);
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

Test(fdinfo, empty_instance)
{
	struct kv_fdinfo fi;

	cr_assert_eq(kview_parse_fdinfo(slurp("empty.txt"), &fi), 0);
	cr_assert_eq(fi.nw, 0);
	cr_assert_eq(fi.ino, 1038);
	cr_assert_eq(fi.mnt_id, 17);
	cr_assert_eq(fi.flags, 02000002, "flags are octal: O_CLOEXEC|O_RDWR");
	kview_fdinfo_free(&fi);
}

Test(fdinfo, nginx_worker)
{
	struct kv_fdinfo fi;

	cr_assert_eq(kview_parse_fdinfo(slurp("nginx-worker.txt"), &fi), 0);
	cr_assert_eq(fi.nw, 3);
	cr_assert_eq(fi.w[0].tfd, 5);
	cr_assert_eq(fi.w[0].events, EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP);
	cr_assert_eq(fi.w[0].data, 0x55fa552b1e90ull);
	cr_assert(fi.w[0].has_ino);
	cr_assert_eq(fi.w[0].ino, 0x10a40ul);
	cr_assert_eq(fi.w[1].tfd, 8);
	cr_assert(fi.w[1].events & EPOLLET, "the eventfd is edge-triggered");
	cr_assert_eq(fi.w[2].ino, 0x10a42ul);
	kview_fdinfo_free(&fi);
}

Test(fdinfo, exclusive_oneshot_flags_kept)
{
	struct kv_fdinfo fi;

	cr_assert_eq(kview_parse_fdinfo(slurp("pipe-and-listener.txt"), &fi), 0);
	cr_assert_eq(fi.nw, 2);
	cr_assert(fi.w[0].events & EPOLLEXCLUSIVE);
	cr_assert_eq(fi.w[1].events & (EPOLLET | EPOLLONESHOT), EPOLLET | EPOLLONESHOT);
	/* EPOLLERR|EPOLLHUP: always reported, so the kernel keeps them in every mask. */
	cr_assert_eq(fi.w[0].events & (EPOLLERR | EPOLLHUP), EPOLLERR | EPOLLHUP);
	kview_fdinfo_free(&fi);
}

Test(fdinfo, older_kernel_fewer_fields)
{
	struct kv_fdinfo fi;

	cr_assert_eq(kview_parse_fdinfo(slurp("old-kernel.txt"), &fi), 0);
	cr_assert_eq(fi.nw, 2);
	cr_assert_eq(fi.ino, 0, "no ino: line in this format");
	cr_assert(!fi.w[0].has_ino);
	cr_assert_eq(fi.w[1].data, 0x7f11223344ull);
	cr_assert(fi.w[1].events & EPOLLET);
	kview_fdinfo_free(&fi);
}

Test(fdinfo, garbage_is_not_fdinfo)
{
	struct kv_fdinfo fi;

	cr_assert_eq(kview_parse_fdinfo("hello\nworld\n", &fi), -1);
	kview_fdinfo_free(&fi);
	cr_assert_eq(kview_parse_fdinfo("", &fi), -1);
	kview_fdinfo_free(&fi);
	/* A tfd line cut short is skipped, the rest kept. */
	cr_assert_eq(kview_parse_fdinfo("pos:\t0\ntfd: 5 events:\ntfd: 7 events: 1 data: 7\n", &fi), 0);
	cr_assert_eq(fi.nw, 1);
	cr_assert_eq(fi.w[0].tfd, 7);
	kview_fdinfo_free(&fi);
}

Test(fdinfo, classify_links)
{
	unsigned long ino;

	cr_assert_eq(kview_classify("socket:[55962]", &ino), KV_SOCKET);
	cr_assert_eq(ino, 55962);
	cr_assert_eq(kview_classify("pipe:[123]", &ino), KV_PIPE);
	cr_assert_eq(ino, 123);
	cr_assert_eq(kview_classify("anon_inode:[eventpoll]", &ino), KV_EPOLL);
	cr_assert_eq(kview_classify("anon_inode:[eventfd]", &ino), KV_EVENTFD);
	cr_assert_eq(kview_classify("anon_inode:[timerfd]", &ino), KV_TIMERFD);
	cr_assert_eq(kview_classify("anon_inode:[signalfd]", &ino), KV_SIGNALFD);
	cr_assert_eq(kview_classify("anon_inode:inotify", &ino), KV_INOTIFY);
	cr_assert_eq(kview_classify("anon_inode:[io_uring]", &ino), KV_ANON);
	cr_assert_eq(kview_classify("/var/log/x.log", &ino), KV_FILE);
	cr_assert_eq(kview_classify("net:[4026531840]", &ino), KV_OTHER);
	cr_assert_str_eq(kview_kind_name(KV_EPOLL), "epoll");
}
