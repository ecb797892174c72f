/*
 * kview.c - the kernel's view from /proc, sock_diag and kcmp (see kview.h).
 * Reads only; never writes to, signals or traces the processes it looks at.
 */
#include "kview.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/kcmp.h>
#include <locale.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "i18n.h"
#include "par.h"
#include "sockdiag.h"
#include "utf8.h"
#include "util.h"

/*
 * Every description of an fd is written twice: in English into what_en
 * (JSON and trace records: stable, parsed by programs) and in the user's
 * language into what (the text report and the screen).  tr says which is
 * being written: 0 English, 1 translated; L gives the format for it.
 */
static const char *L(int tr, const char *s) __attribute__((format_arg(2)));

/*
 * Whether a catalogue translates messages now (asked at the start of each
 * reading).  When none does, the second text is the first one: it is
 * copied, not written again (a reading of 20 000 sockets spent a tenth of
 * its time writing each description twice, and asking gettext for the
 * same English under its lock from every thread).
 */
static atomic_int translating;

/* Ask gettext whether a catalogue is loaded: its header is the translation of "" (a variable: not for xgettext). */
static void
ask_translating(void)
{
	const char *header = "";

	atomic_store_explicit(&translating, dgettext(I18N_DOMAIN, header)[0] != '\0', memory_order_relaxed);
}

/* The format s in English (tr 0) or in the user's language (tr 1). */
static const char *
L(int tr, const char *s)
{
	return tr && atomic_load_explicit(&translating, memory_order_relaxed) ? _(s) : s;
}

/*
 * An fd's two descriptions are drafted in this thread's buffers (fd_what
 * hands them out, as many times as the writing takes) and kept by fd_keep
 * in the reading's text blocks: an entry holds two pointers, not 416
 * bytes that are mostly empty (20 000 fds were 8 MB to fault in).
 */
#define WHAT_MAX 256
#define WHAT_EN_MAX 160
static _Thread_local char draft[WHAT_MAX], draft_en[WHAT_EN_MAX];

/* Start drafting an fd's descriptions: both empty. */
static void
fd_draft(void)
{
	draft[0] = draft_en[0] = '\0';
}

/* The draft that tr names (1: translated, 0: English), and its size. */
static char *
fd_what(int tr, size_t *cap)
{
	*cap = tr ? sizeof draft : sizeof draft_en;
	return tr ? draft : draft_en;
}

/* Drop a UTF-8 sequence cut short at the end of s (by a byte-counted precision or a full buffer). */
static char *
utf8_trim(char *s)
{
	s[utf8_whole(s, strlen(s))] = '\0';
	return s;
}

/*
 * With no catalogue, make the translated draft the copy of the English
 * one, just written, when that was not cut short (the translated one has
 * room for more): 1 when done, 0 when it must be written on its own.
 */
static int
what_as_english(void)
{
	size_t n;

	if (atomic_load_explicit(&translating, memory_order_relaxed))
		return 0;
	n = strlen(draft_en);
	if (n + 1 >= sizeof draft_en)
		return 0;
	memcpy(draft, draft_en, n + 1);
	utf8_trim(draft);
	return 1;
}

/*
 * Blocks of text that live as long as the reading (kv->texts): the fds'
 * descriptions and a stale watch's own texts are carved from them, not
 * malloc'd one by one (20 000 small allocations on fresh pages took a
 * tenth of a reading).
 */
struct kv_block {
	struct kv_block *next;
	size_t used, cap;
	char s[];
};

#define KV_BLOCK_MIN (4u << 10)
#define KV_BLOCK_MAX (256u << 10)

/* n bytes from the first block of *list, a new one when it is full (each twice the last, up to KV_BLOCK_MAX). */
static char *
block_alloc(struct kv_block **list, size_t n)
{
	struct kv_block *b = *list;

	if (b == NULL || b->cap - b->used < n) {
		size_t cap = b == NULL ? KV_BLOCK_MIN : b->cap * 2 > KV_BLOCK_MAX ? KV_BLOCK_MAX : b->cap * 2;

		cap = n > cap ? n : cap;
		b = xcalloc(1, sizeof *b + cap);
		prefault(b->s, cap);
		b->cap = cap;
		b->next = *list;
		*list = b;
	}
	b->used += n;
	return b->s + b->used - n;
}

/* Put the blocks of list in front of *into. */
static void
blocks_join(struct kv_block **into, struct kv_block *list)
{
	while (list) {
		struct kv_block *next = list->next;

		list->next = *into;
		*into = list;
		list = next;
	}
}

/* Keep the drafts as f's descriptions, copied into blocks of *list (once when they are the same text). */
static void
fd_keep(struct kv_fd *f, struct kv_block **list)
{
	size_t n = strlen(draft) + 1, m = strlen(draft_en) + 1;
	char *own;

	if (n == m && memcmp(draft, draft_en, n) == 0) {
		own = block_alloc(list, n);
		memcpy(own, draft, n);
		f->what = f->what_en = own;
		return;
	}
	own = block_alloc(list, n + m);
	memcpy(own, draft, n);
	memcpy(own + n, draft_en, m);
	f->what = own;
	f->what_en = own + n;
}

/* At most max bytes of s, not cutting a character, in tmp (of max + 1 bytes at least). */
static const char *
clip(const char *s, size_t max, char *tmp)
{
	size_t n = strnlen(s, max);

	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return utf8_trim(tmp);
}

/*
 * After blanks, key, then a number in base (10 or 16) at *p, as strtoull
 * reads it (base 16 takes a 0x before a digit), all before end; moves *p
 * past it.  0, or -1 when not there or out of range.
 */
static int
key_number(const char **p, const char *end, const char *key, int base, unsigned long long *v)
{
	size_t kl = strlen(key);
	const char *s = *p;
	unsigned long long n = 0;
	int any = 0;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if ((size_t)(end - s) < kl || memcmp(s, key, kl) != 0)
		return -1;
	s += kl;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end || !isxdigit((unsigned char)*s))
		return -1;
	if (base == 16 && end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    isxdigit((unsigned char)s[2]))
		s += 2;
	for (; s < end; s++, any = 1) {
		unsigned d = (unsigned char)*s - '0';

		if (d > 9 && base == 16 && isxdigit((unsigned char)*s))
			d = (unsigned)((*s | 0x20) - 'a' + 10);
		else if (d > 9)
			break;
		if (n > (ULLONG_MAX - d) / (unsigned)base)
			return -1; /* strtoull's ERANGE */
		n = n * (unsigned)base + d;
	}
	if (!any)
		return -1;
	*v = n;
	*p = s;
	return 0;
}

/*
 * One tfd line, the len bytes at line ("tfd: 5 events: 19 data: 55fa552b1e90
 * pos:0 ino:10a40 sdev:e"): 0, or -1 for another form.
 */
static int
parse_tfd(const char *line, size_t len, struct kv_watch *w)
{
	unsigned long long fd, events, data, ino;
	const char *p = line, *end = line + len;

	memset(w, 0, sizeof *w);
	w->what = w->what_en = "";
	if (key_number(&p, end, "tfd:", 10, &fd) < 0 || fd > INT_MAX ||
	    key_number(&p, end, "events:", 16, &events) < 0 || events > UINT32_MAX ||
	    key_number(&p, end, "data:", 16, &data) < 0)
		return -1;
	w->tfd = (int)fd;
	w->events = (uint32_t)events;
	w->data = data;
	p = memmem(p, (size_t)(end - p), " ino:", 5);
	if (p && key_number(&p, end, "ino:", 16, &ino) == 0) {
		w->ino = (unsigned long)ino;
		w->has_ino = 1;
	}
	return 0;
}

/*
 * Fill out from fdinfo text: pos, flags, mnt_id, ino and a watch per tfd
 * line.  The lines are read in place, 255 bytes at most each (as the
 * copies into a line buffer once were), and the watch array is sized from
 * the count of lines: an interest list of 20 000 is one allocation, not a
 * doubling chain of 20 000 watches.
 */
int
kview_parse_fdinfo(const char *text, struct kv_fdinfo *out)
{
	const char *p = text;
	int cap = 1, seen = 0;

	memset(out, 0, sizeof *out);
	for (const char *q = strchr(text, '\n'); q; q = strchr(q + 1, '\n'))
		cap++;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *at = p;
		char line[256];

		if (len >= sizeof line)
			len = sizeof line - 1;
		p += len + (nl ? 1 : 0); /* (past the first 255 bytes of a longer line, the rest is read as one) */
		if (len >= 4 && memcmp(at, "tfd:", 4) == 0) {
			if (out->w == NULL || out->nw == cap) {
				cap = out->w ? cap * 2 : cap;
				out->w = xreallocarray(out->w, (size_t)cap, sizeof *out->w);
				prefault(out->w, (size_t)cap * sizeof *out->w);
			}
			if (parse_tfd(at, len, &out->w[out->nw]) < 0)
				continue; /* a form this reader does not know: skip the line, keep the rest */
			out->nw++;
			seen = 1;
			continue;
		}
		memcpy(line, at, len);
		line[len] = '\0';
		if (sscanf(line, "pos: %lu", &out->pos) == 1 || sscanf(line, "mnt_id: %lu", &out->mnt_id) == 1 ||
		    sscanf(line, "ino: %lu", &out->ino) == 1) {
			seen = 1;
			continue;
		}
		if (sscanf(line, "flags: %lo", &out->flags) == 1)
			seen = 1;
	}
	return seen ? 0 : -1;
}

/* Free the watch array and leave none (the watches' own texts are in the reading's blocks). */
void
kview_fdinfo_free(struct kv_fdinfo *fi)
{
	free(fi->w);
	fi->w = NULL;
	fi->nw = 0;
}

/* The kv_kind of an fd's link target, with the inode of sockets and pipes in *ino. */
int
kview_classify(const char *link, unsigned long *ino)
{
	static const struct {
		const char *anon;
		int kind;
	} anon[] = {
		{ "anon_inode:[eventpoll]", KV_EPOLL }, { "anon_inode:[eventfd]", KV_EVENTFD },
		{ "anon_inode:[timerfd]", KV_TIMERFD }, { "anon_inode:[signalfd]", KV_SIGNALFD },
		{ "anon_inode:inotify", KV_INOTIFY },   { "anon_inode:[pidfd]", KV_PIDFD },
	};

	*ino = 0;
	if (sscanf(link, "socket:[%lu]", ino) == 1)
		return KV_SOCKET;
	if (sscanf(link, "pipe:[%lu]", ino) == 1)
		return KV_PIPE;
	for (size_t i = 0; i < ARRAY_LEN(anon); i++)
		if (strcmp(link, anon[i].anon) == 0)
			return anon[i].kind;
	if (strncmp(link, "anon_inode:", 11) == 0)
		return KV_ANON;
	if (link[0] == '/')
		return KV_FILE;
	return KV_OTHER;
}

/* The short name of a kv_kind, or "other" when out of range. */
const char *
kview_kind_name(int kind)
{
	static const char *const n[] = { "other", "file", "dir", "chr", "pipe", "fifo", "tcp", "udp",
					 "unix", "socket", "epoll", "eventfd", "timerfd", "signalfd",
					 "inotify", "pidfd", "anon", "netlink" };

	return kind >= 0 && (size_t)kind < ARRAY_LEN(n) ? n[kind] : "other";
}

/* A kv_kind's name as a description starts with it: the JSON name (tr 0) or the user's language (tr 1). */
static const char *
kind_label(int kind, int tr)
{
	/*
	 * Kinds of file an fd can be, as the first word of its description:
	 * tcp, udp, unix, epoll, eventfd... are kernel names and stay.
	 */
	static const char *const n[] = {
		/* TRANSLATORS: a kind of fd, first word of its description in `epollviz attach`. */
		N_("other"),
		/* TRANSLATORS: a kind of fd, followed by its path: a regular file. */
		N_("file"),
		/* TRANSLATORS: a kind of fd, followed by its path: a directory (short). */
		N_("dir"),
		/* TRANSLATORS: a kind of fd, followed by its path: a character device (short). */
		N_("chr"),
		/* TRANSLATORS: a kind of fd: an anonymous pipe, followed by "(read end)" or "(write end)". */
		N_("pipe"),
		/* TRANSLATORS: a kind of fd, followed by its path: a named pipe (FIFO). */
		N_("fifo"),
		"tcp", "udp", "unix",
		/* TRANSLATORS: a kind of fd: a socket of a family not told apart. */
		N_("socket"),
		"epoll", "eventfd", "timerfd", "signalfd", "inotify", "pidfd",
		/* TRANSLATORS: a kind of fd, followed by its anon_inode name: another anonymous inode. */
		N_("anon"),
		"netlink",
	};

	if (!tr)
		return kview_kind_name(kind);
	return _(kind >= 0 && (size_t)kind < ARRAY_LEN(n) ? n[kind] : n[0]);
}

/* A growing buffer for whole /proc files, reused across one reading. */
struct textbuf {
	char *s;
	size_t cap;
};

/*
 * Read path (relative to dirfd) whole into tb, however long (an interest
 * list of 20 000 entries is over a megabyte of fdinfo).  Returns its
 * length, or -1 with errno.
 */
static ssize_t
read_whole(int dirfd, const char *path, struct textbuf *tb)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;

	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t k;

		if (tb->cap - len < 4096) {
			tb->cap = tb->cap ? tb->cap * 2 : 65536;
			tb->s = xreallocarray(tb->s, tb->cap, 1);
			prefault(tb->s + len, tb->cap - len);
		}
		k = read(fd, tb->s + len, tb->cap - 1 - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno;

			close(fd);
			errno = e;
			return -1;
		}
		if (k == 0)
			break;
		len += (size_t)k;
	}
	close(fd);
	tb->s[len] = '\0';
	return (ssize_t)len;
}

/* One kernel instance: the epoll fd that stands for it. */
struct rep {
	int pid, fd, id;
	struct kv_fdinfo info; /* (while reading) its fdinfo as read; w belongs to that fd */
};

/*
 * Where the instance of (pid, fd) is among the n representatives, kept in
 * kcmp's order of kernel objects: its index, or -1 - the insertion point
 * when it is new, or INT_MIN with *err set when kcmp refused.
 */
static int
rep_search(const struct rep *rep, int n, int pid, int fd, int *err)
{
	int lo = 0, hi = n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		long c = syscall(SYS_kcmp, pid, rep[mid].pid, KCMP_FILE, fd, rep[mid].fd);

		if (c == 0)
			return mid;
		if (c == 1)
			hi = mid;
		else if (c == 2)
			lo = mid + 1;
		else if (c < 0) {
			*err = errno;
			return INT_MIN;
		} else { /* 3: unequal, no order: look at each */
			for (int r = 0; r < n; r++)
				if (syscall(SYS_kcmp, pid, rep[r].pid, KCMP_FILE, fd, rep[r].fd) == 0)
					return r;
			return -1 - n;
		}
	}
	return -1 - lo;
}

/* Put r at index at of the sorted representatives (*n of them, room for *cap). */
static void
rep_insert(struct rep **rep, int *n, int *cap, int at, struct rep r)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*rep = xreallocarray(*rep, (size_t)*cap, sizeof **rep);
	}
	memmove(&(*rep)[at + 1], &(*rep)[at], (size_t)(*n - at) * sizeof **rep);
	(*rep)[at] = r;
	(*n)++;
}

/* One reading's shared state: the text buffer, the socket tables by namespace, the inode index. */
struct netns_tab {
	dev_t dev;
	ino_t ino;
	int err;                  /* errno when its sockets could not be read */
	struct sockdiag_table t;
};

struct inode_ref {
	unsigned long ino;
	int pi, fi;               /* kv->p[pi].fds[fi] */
};

struct reading {
	struct textbuf tb;
	struct netns_tab *ns;
	int nns;
	int *ns_of;               /* per process: its index in ns, -1 not yet looked up */
	struct inode_ref *ix;     /* every fd but epoll ones, by inode */
	int nix;
	struct rep *inst;         /* the instances whose fdinfo was read, in kcmp's order */
	int ninst, instcap;
	struct kv_block *texts;   /* the fds' descriptions, read_proc's; kv->texts at the end */
};

/* The index in rd->ns of pid's network namespace (a new, empty table the first time). */
static int
netns_index(struct reading *rd, int pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof path, "/proc/%d/ns/net", pid);
	if (stat(path, &st) < 0 && stat("/proc/self/ns/net", &st) < 0)
		memset(&st, 0, sizeof st);
	for (int i = 0; i < rd->nns; i++)
		if (rd->ns[i].dev == st.st_dev && rd->ns[i].ino == st.st_ino)
			return i;
	rd->ns = xreallocarray(rd->ns, (size_t)rd->nns + 1, sizeof *rd->ns);
	memset(&rd->ns[rd->nns], 0, sizeof rd->ns[0]);
	rd->ns[rd->nns].dev = st.st_dev;
	rd->ns[rd->nns].ino = st.st_ino;
	return rd->nns++;
}

/* qsort order of inodes. */
static int
cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* Drop repeats from sorted v of n; the count left. */
static int
uniq_ulong(unsigned long *v, int n)
{
	int m = 0;

	for (int i = 0; i < n; i++)
		if (m == 0 || v[m - 1] != v[i])
			v[m++] = v[i];
	return m;
}

/* Keep in want (sorted) only the inodes t does not hold; their count. */
static int
missing_sockets(const struct sockdiag_table *t, unsigned long *want, int n)
{
	int m = 0;

	for (int i = 0; i < n; i++)
		if (sockdiag_find(t, want[i]) == NULL)
			want[m++] = want[i];
	return m;
}

/*
 * The socket tables: each process with a socket is placed in its network
 * namespace, and each namespace dumped once (from inside it, by one of its
 * processes), only as far as it takes to find the sockets they hold.
 */
static void
read_sockets(const struct kview *kv, struct reading *rd)
{
	rd->ns_of = xcalloc((size_t)kv->np + 1, sizeof *rd->ns_of);
	for (int i = 0; i < kv->np; i++) {
		rd->ns_of[i] = -1;
		for (int k = 0; k < kv->p[i].nfds && rd->ns_of[i] < 0; k++)
			if (kv->p[i].fds[k].kind == KV_SOCKET)
				rd->ns_of[i] = netns_index(rd, kv->p[i].pid);
	}
	for (int n = 0; n < rd->nns; n++) {
		unsigned long *want = NULL;
		int nwant = 0, cap = 0, fd = -1, pid = 0;

		for (int i = 0; i < kv->np; i++) {
			if (rd->ns_of[i] != n)
				continue;
			if (pid == 0)
				pid = kv->p[i].pid;
			for (int k = 0; k < kv->p[i].nfds; k++) {
				if (kv->p[i].fds[k].kind != KV_SOCKET)
					continue;
				if (nwant == cap) {
					cap = cap ? cap * 2 : 64;
					want = xreallocarray(want, (size_t)cap, sizeof *want);
				}
				want[nwant++] = kv->p[i].fds[k].ino;
			}
		}
		if (nwant > 1)
			qsort(want, (size_t)nwant, sizeof *want, cmp_ulong);
		nwant = uniq_ulong(want, nwant); /* a socket many processes share is one row */
		rd->ns[n].t.want = want;
		rd->ns[n].t.nwant = nwant;
		sockdiag_reserve(&rd->ns[n].t, nwant);
		fd = sockdiag_open(pid);
		if (fd < 0 || sockdiag_dump_all(fd, &rd->ns[n].t) < 0) {
			/*
			 * Not allowed into the namespace (or sock_diag failed): its
			 * /proc/PID/net tables for the rest, which lack backlogs and
			 * unix peers.  (A socket a working dump did not find is of a
			 * family neither knows: the text is not read for it.)
			 */
			rd->ns[n].err = errno;
			rd->ns[n].t.nwant = missing_sockets(&rd->ns[n].t, want, nwant);
			if (sockdiag_read_proc_net(pid, &rd->ns[n].t) == 0)
				rd->ns[n].err = 0;
		}
		if (fd >= 0)
			close(fd);
		rd->ns[n].t.want = NULL;
		free(want);
	}
}

/* qsort order of inode refs: inode, then process, then fd. */
static int
cmp_ref(const void *a, const void *b)
{
	const struct inode_ref *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->pi != y->pi ? x->pi - y->pi : x->fi - y->fi;
}

/* Index every fd of every process (but epoll fds) by inode. */
static void
index_inodes(const struct kview *kv, struct reading *rd)
{
	int n = 0;

	for (int i = 0; i < kv->np; i++)
		n += kv->p[i].nfds;
	rd->ix = xcalloc((size_t)n + 1, sizeof *rd->ix);
	prefault(rd->ix, (size_t)n * sizeof *rd->ix);
	rd->nix = 0;
	for (int i = 0; i < kv->np; i++)
		for (int k = 0; k < kv->p[i].nfds; k++)
			if (kv->p[i].fds[k].kind != KV_EPOLL && kv->p[i].fds[k].ino)
				rd->ix[rd->nix++] = (struct inode_ref){ kv->p[i].fds[k].ino, i, k };
	qsort(rd->ix, (size_t)rd->nix, sizeof *rd->ix, cmp_ref);
}

/* The first index entry with inode ino (its run follows), or -1. */
static int
index_find(const struct reading *rd, unsigned long ino)
{
	int lo = 0, hi = rd->nix;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (rd->ix[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < rd->nix && rd->ix[lo].ino == ino ? lo : -1;
}

/* " (fd N of pid P)" for the first holder of ino other than pi/fi, or "". */
static const char *
holder_of(const struct kview *kv, const struct reading *rd, unsigned long ino, int pi, int fi, char *buf,
	  size_t cap, int tr)
{
	buf[0] = '\0';
	for (int r = index_find(rd, ino); r >= 0 && r < rd->nix && rd->ix[r].ino == ino; r++) {
		if (rd->ix[r].pi == pi && rd->ix[r].fi == fi)
			continue;
		if (rd->ix[r].pi == pi)
			snprintf(buf, cap, " (fd %d)", kv->p[pi].fds[rd->ix[r].fi].fd);
		else
		{
			const struct kv_proc *q = &kv->p[rd->ix[r].pi];

			/* TRANSLATORS: after a unix socket's peer: which fd of which process holds it. */
			snprintf(buf, cap, L(tr, N_(" (fd %d of pid %d)")), q->fds[rd->ix[r].fi].fd, q->pid);
		}
		break;
	}
	return buf;
}

/* "stream", "dgram", "seqpacket": a unix socket's type as ss prints it. */
static const char *
unix_type(int type)
{
	return type == SOCK_STREAM ? "stream" : type == SOCK_DGRAM ? "dgram" : type == SOCK_SEQPACKET ? "seqpacket" : "?";
}

/* A netlink protocol's name (as ss -f netlink), or NULL. */
static const char *
netlink_proto(int proto)
{
	static const char *const n[] = { [0] = "route", [4] = "sock_diag", [6] = "xfrm", [9] = "audit",
					 [10] = "fib_lookup", [11] = "connector", [12] = "netfilter",
					 [15] = "kobject_uevent", [16] = "generic", [21] = "crypto" };

	return proto >= 0 && (size_t)proto < ARRAY_LEN(n) ? n[proto] : NULL;
}

/* " LISTEN (queue 2 of 128)" after len bytes of what; without "of" when the backlog is not known. */
static void
listen_text(const struct kv_fd *f, char *what, size_t cap, size_t len, int tr)
{
	if (len >= cap)
		return;
	if (f->no_backlog)
		/* TRANSLATORS: LISTEN is the socket state as ss prints it; the queue is the accept queue. */
		snprintf(what + len, cap - len, L(tr, N_(" LISTEN (queue %u)")), f->qlen);
	else
		/* TRANSLATORS: LISTEN is the socket state; the accept queue's length, of its backlog. */
		snprintf(what + len, cap - len, L(tr, N_(" LISTEN (queue %u of %u)")), f->qlen, f->backlog);
}

/* A socket's description (English with tr 0, translated with tr 1) from its sock_diag entry s. */
static void
socket_what(const struct kview *kv, const struct reading *rd, int pi, int fi, const struct sockdiag_sock *s,
	    int tr)
{
	struct kv_fd *f = &kv->p[pi].fds[fi];
	char peer[96];
	size_t cap, len;
	char *what = fd_what(tr, &cap);

	if (s->family == AF_NETLINK) {
		const char *name = netlink_proto(s->proto);

		if (name)
			snprintf(what, cap, "netlink %s pid %u", name, s->portid);
		else
			snprintf(what, cap, L(tr, N_("netlink proto %d pid %u")), s->proto, s->portid);
		return;
	}
	if (s->family == AF_UNIX) {
		len = (size_t)snprintf(what, cap, "unix %s %s", unix_type(s->proto),
				       s->local[0] ? s->local : L(tr, N_("(unnamed)")));
		if (f->listening)
			listen_text(f, what, cap, len, tr);
		else if (s->peer && len < cap)
			/* TRANSLATORS: a connected unix socket's peer, by inode ("-> peer 4242 (fd 5)"). */
			snprintf(what + len, cap - len, L(tr, N_(" -> peer %lu%s")), s->peer,
				 holder_of(kv, rd, s->peer, pi, fi, peer, sizeof peer, tr));
		if (tr)
			utf8_trim(what);
		return;
	}
	len = (size_t)snprintf(what, cap, "%s%s %s", s->proto == IPPROTO_UDP ? "udp" : "tcp",
			       s->family == AF_INET6 ? "6" : "", s->local);
	if (len >= cap)
		return;
	if (f->listening)
		listen_text(f, what, cap, len, tr);
	else if (s->proto == IPPROTO_TCP)
		snprintf(what + len, cap - len, " -> %s %s", s->remote, sockdiag_state_name(s->state));
	else if (s->state == 1 /* TCP_ESTABLISHED: a connected UDP socket */)
		snprintf(what + len, cap - len, " -> %s", s->remote);
	if (tr)
		utf8_trim(what);
}

/* Draft a socket fd's descriptions from its namespace's table, and set its kind, state and queues. */
static void
draft_socket(struct kview *kv, struct reading *rd, int pi, int fi)
{
	struct kv_fd *f = &kv->p[pi].fds[fi];
	struct netns_tab *ns = &rd->ns[rd->ns_of[pi]];
	const struct sockdiag_sock *s = sockdiag_find(&ns->t, f->ino);

	if (s == NULL) {
		for (int tr = 0; tr < 2; tr++) {
			size_t cap;
			char *what = fd_what(tr, &cap);

			if (ns->err)
				/* TRANSLATORS: %2$s: an errno name, why its sockets were not read. */
				snprintf(what, cap, L(tr, N_("socket (inode %lu; its network namespace: %s)")),
					 f->ino, errno_name(ns->err));
			else
				snprintf(what, cap, L(tr, N_("socket (inode %lu)")), f->ino);
		}
		return;
	}
	if (s->family == AF_NETLINK) {
		f->kind = KV_NETLINK;
		socket_what(kv, rd, pi, fi, s, 0);
		if (!what_as_english())
			socket_what(kv, rd, pi, fi, s, 1);
		return;
	}
	f->listening = s->state == 10 /* TCP_LISTEN, for unix too */ && s->proto != IPPROTO_UDP;
	if (f->listening) {
		f->qlen = s->rq;
		f->backlog = s->wq;
		f->no_backlog = s->no_backlog;
	} else if (s->has_q) {
		f->has_q = 1;
		f->recvq = s->rq;
		f->sendq = s->wq;
	}
	if (s->family == AF_UNIX) {
		f->kind = KV_UNIX;
		f->peer = s->peer;
	} else {
		f->kind = s->proto == IPPROTO_UDP ? KV_UDP : KV_TCP;
	}
	socket_what(kv, rd, pi, fi, s, 0);
	if (!what_as_english())
		socket_what(kv, rd, pi, fi, s, 1);
}

/* Describe a socket fd: its drafts kept in *texts (the thread's blocks). */
static void
describe_socket(struct kview *kv, struct reading *rd, int pi, int fi, struct kv_block **texts)
{
	fd_draft();
	draft_socket(kv, rd, pi, fi);
	fd_keep(&kv->p[pi].fds[fi], texts);
}

/* describe_sockets' loop: the socket fds, as (process, fd) index pairs. */
struct sockets_work {
	struct kview *kv;
	struct reading *rd;
	int *at;
	struct kv_block *texts[PAR_MAX_THREADS]; /* each thread's blocks, joined into kv->texts after */
};

/* par_for body: describe the socket fds from to to of w->at. */
static void
describe_sockets_range(void *ctx, int from, int to, int slot)
{
	struct sockets_work *w = ctx;

	for (int i = from; i < to; i++)
		describe_socket(w->kv, w->rd, w->at[2 * i], w->at[2 * i + 1], &w->texts[slot]);
}

/* Describe every socket fd, on several threads when there are many (each writes only its own fd). */
static void
describe_sockets(struct kview *kv, struct reading *rd)
{
	struct sockets_work w = { kv, rd, NULL, { NULL } };
	int n = 0, m = 0;

	for (int i = 0; i < kv->np; i++)
		n += kv->p[i].nfds;
	w.at = xcalloc((size_t)n * 2 + 2, sizeof *w.at);
	for (int i = 0; i < kv->np; i++)
		for (int k = 0; k < kv->p[i].nfds; k++)
			if (kv->p[i].fds[k].kind == KV_SOCKET) {
				w.at[2 * m] = i;
				w.at[2 * m++ + 1] = k;
			}
	par_for(m, 256, 2048, describe_sockets_range, &w);
	for (int i = 0; i < PAR_MAX_THREADS; i++)
		blocks_join(&kv->texts, w.texts[i]);
	free(w.at);
}

/* A timerfd's clock as "CLOCK_MONOTONIC". */
static const char *
clock_name(int id)
{
	static const char *const n[] = { "CLOCK_REALTIME", "CLOCK_MONOTONIC", [7] = "CLOCK_BOOTTIME",
					 [8] = "CLOCK_REALTIME_ALARM", [9] = "CLOCK_BOOTTIME_ALARM" };

	return id >= 0 && (size_t)id < ARRAY_LEN(n) && n[id] ? n[id] : "clock ?";
}

/* The value of the fdinfo line "key" in text (as a string after the key), or NULL. */
static const char *
fdinfo_field(const char *text, const char *key)
{
	size_t kl = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, kl) == 0)
			return p + kl;
	return NULL;
}

/* What an fd of a kind /proc/PID/fdinfo says more about is (fdinfo text in text), as tr says. */
static void
fdinfo_what(struct kv_fd *f, const char *text, int tr)
{
	const char *v, *sem;
	unsigned long long a, b, c, d;
	size_t cap, len;
	char *what = fd_what(tr, &cap);

	switch (f->kind) {
	case KV_PIPE:
	case KV_FIFO: /* "pipe", or "fifo PATH": and which end */
		len = strlen(what);
		snprintf(what + len, cap - len, " (%s)",
			 (f->flags & O_ACCMODE) == O_WRONLY  ? L(tr, N_("write end"))
			 : (f->flags & O_ACCMODE) == O_RDWR ? L(tr, N_("read-write"))
							    : L(tr, N_("read end")));
		break;
	case KV_EVENTFD:
		v = fdinfo_field(text, "eventfd-count:");
		sem = fdinfo_field(text, "eventfd-semaphore:");
		if (v && sem && atoi(sem))
			/* TRANSLATORS: an eventfd made with EFD_SEMAPHORE, and its counter. */
			snprintf(what, cap, L(tr, N_("eventfd (count %llu, semaphore)")),
				 strtoull(v, NULL, 16));
		else if (v)
			snprintf(what, cap, L(tr, N_("eventfd (count %llu)")), strtoull(v, NULL, 16));
		break;
	case KV_TIMERFD:
		v = fdinfo_field(text, "clockid:");
		len = (size_t)snprintf(what, cap, "timerfd %s", v ? clock_name(atoi(v)) : "");
		if ((v = fdinfo_field(text, "it_value:")) == NULL || sscanf(v, " (%llu, %llu)", &a, &b) != 2)
			break;
		if ((v = fdinfo_field(text, "it_interval:")) == NULL || sscanf(v, " (%llu, %llu)", &c, &d) != 2)
			break;
		if (a == 0 && b == 0)
			/* TRANSLATORS: follows "timerfd CLOCK_MONOTONIC": the timer is not set. */
			snprintf(what + len, cap - len, "%s", L(tr, N_(", disarmed")));
		else if (c == 0 && d == 0)
			/* TRANSLATORS: follows "timerfd CLOCK_MONOTONIC": a one-shot timer; s: seconds. */
			snprintf(what + len, cap - len, L(tr, N_(", once, in %llu.%03llu s")), a,
				 b / 1000000);
		else
			/* TRANSLATORS: follows "timerfd CLOCK_MONOTONIC": a periodic timer; s: seconds. */
			snprintf(what + len, cap - len,
				 L(tr, N_(", every %llu.%03llu s, next in %llu.%03llu s")), c, d / 1000000, a,
				 b / 1000000);
		break;
	case KV_SIGNALFD:
		len = (size_t)snprintf(what, cap, "signalfd");
		if ((v = fdinfo_field(text, "sigmask:")) != NULL) {
			unsigned long long mask = strtoull(v, NULL, 16);

			/* sigabbrev_np, not signal_name: a reading may run off the screen's thread. */
			for (int sig = 1; sig <= 64 && len < cap; sig++) {
				const char *name = sigabbrev_np(sig);

				if (!(mask & (1ull << (sig - 1))))
					continue;
				if (name)
					len += (size_t)snprintf(what + len, cap - len, "%sSIG%s",
								len == 8 ? " " : "|", name);
				else
					len += (size_t)snprintf(what + len, cap - len, "%sSIG%d",
								len == 8 ? " " : "|", sig);
			}
		}
		break;
	case KV_INOTIFY: {
		int n = 0;

		for (v = strstr(text, "inotify wd:"); v; v = strstr(v + 1, "\ninotify wd:"))
			n++;
		/* TRANSLATORS: an inotify fd and how many files or directories it watches. */
		snprintf(what, cap, tr ? P_("inotify (%d watch)", "inotify (%d watches)", n)
			 : n == 1 ? "inotify (%d watch)" : "inotify (%d watches)", n);
		break;
	}
	case KV_PIDFD:
		v = fdinfo_field(text, "Pid:");
		if (v && atoi(v) > 0)
			snprintf(what, cap, L(tr, N_("pidfd of pid %d")), atoi(v));
		else
			snprintf(what, cap, "%s", L(tr, N_("pidfd of a process that has exited")));
		break;
	default: break;
	}
	if (tr)
		utf8_trim(what);
}

/* What an fd of a kind /proc/PID/fdinfo says more about is, both ways: flags, then the descriptions. */
static void
describe_from_fdinfo(struct kv_fd *f, const char *text)
{
	const char *v = fdinfo_field(text, "flags:");

	if (v)
		f->flags = (unsigned)strtoul(v, NULL, 8);
	fdinfo_what(f, text, 0);
	fdinfo_what(f, text, 1);
}

/* Does the kind's fdinfo say more than its link (pipe direction, eventfd count...)? */
static int
kind_has_fdinfo(int kind)
{
	return kind == KV_EPOLL || kind == KV_PIPE || kind == KV_FIFO || kind == KV_EVENTFD || kind == KV_TIMERFD ||
	       kind == KV_SIGNALFD || kind == KV_INOTIFY || kind == KV_PIDFD;
}

/* qsort order of ints. */
static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/*
 * Record that path refused with errno e: the process's own files (fd -1)
 * first, then the fd read first in fd order (epoll fds are read after the
 * others, and their refusal still counts in its place).
 */
static void
proc_refused(struct kv_proc *p, const char *path, int e, int fd)
{
	if (p->err && (fd < 0 || p->err_fd < 0 || p->err_fd < fd))
		return;
	p->err = e;
	p->err_fd = fd;
	str_copy(p->err_path, path, sizeof p->err_path);
}

/*
 * Where epoll fd f of pid is among the instances read so far: its index,
 * or -1 - the insertion point of a new one, or INT_MIN when kcmp refused.
 */
static int
instance_read(const struct reading *rd, int pid, const struct kv_fd *f)
{
	int err = 0;

	return rep_search(rd->inst, rd->ninst, pid, f->fd, &err);
}

/* Give f the fdinfo of instance at (its copy: the watches are then described for f's own process). */
static void
instance_fdinfo(const struct reading *rd, int at, struct kv_fd *f)
{
	const struct kv_fdinfo *fi = &rd->inst[at].info;

	f->info = *fi;
	f->info.w = xreallocarray(NULL, (size_t)fi->nw + 1, sizeof *fi->w);
	prefault(f->info.w, (size_t)fi->nw * sizeof *fi->w);
	if (fi->nw > 0) /* an empty list may have no array at all */
		memcpy(f->info.w, fi->w, (size_t)fi->nw * sizeof *fi->w);
}

/* Keep f's fdinfo, just parsed, as instance -1 - at's (a new one) for its later holders. */
static void
instance_add(struct reading *rd, int at, int pid, const struct kv_fd *f)
{
	if (at == INT_MIN)
		return; /* kcmp refused: nothing to compare with later */
	rep_insert(&rd->inst, &rd->ninst, &rd->instcap, -1 - at, (struct rep){ pid, f->fd, 0, f->info });
}

/* How reading one fd's own files ended. */
enum fd_read { FD_CLOSED = 0, FD_READ = 1, FD_REFUSED = -1 };

/* Why an fd's reading was refused: the errno, and whether it was its fdinfo (not its link). */
struct fd_refusal {
	int err;
	int fdinfo;
};

/*
 * Read one fd's link, kind and inode, and, for the kinds whose fdinfo says
 * more (pipe direction, eventfd count...), that fdinfo; an epoll fd's is
 * left to the caller, which reads each instance once.  fddir and fdinfo:
 * the process's open /proc/PID/fd and /proc/PID/fdinfo (fdinfo_err the
 * errno when that could not be opened).  Touches nothing but f, tb and
 * *why, so that several threads can read the fds of one process.
 */
static enum fd_read
read_fd(struct kv_fd *f, int fddir, int fdinfo, int fdinfo_err, struct textbuf *tb, struct kv_block **texts,
	struct fd_refusal *why)
{
	char name[16], link[PATH_MAX], esc[128];
	struct stat st;
	ssize_t k;

	snprintf(name, sizeof name, "%d", f->fd);
	k = readlinkat(fddir, name, link, sizeof link - 1);
	if (k < 0) {
		*why = (struct fd_refusal){ errno, 0 };
		return errno == ENOENT ? FD_CLOSED : FD_REFUSED;
	}
	link[k] = '\0';
	f->kind = kview_classify(link, &f->ino);
	/* stat follows the magic link: the inode fdinfo's tfd lines name (sockets and pipes have it in the link). */
	if (f->kind != KV_SOCKET && f->kind != KV_PIPE && fstatat(fddir, name, &st, 0) == 0) {
		f->ino = st.st_ino;
		if (f->kind == KV_FILE)
			f->kind = S_ISDIR(st.st_mode) ? KV_DIR : S_ISCHR(st.st_mode) ? KV_CHR
				: S_ISFIFO(st.st_mode) ? KV_FIFO : KV_FILE;
	}
	if (f->kind == KV_SOCKET)
		return FD_READ; /* described from its namespace's table once all are read (describe_socket) */
	if (f->kind == KV_EPOLL)
		return FD_READ; /* described by its instance's number once all are told apart (name_instances) */
	proctab_escape(link, (size_t)k, esc, sizeof esc);
	fd_draft();
	for (int tr = 0; tr < 2; tr++) {
		size_t cap;
		char *what = fd_what(tr, &cap), tmp[121];

		switch (f->kind) {
		case KV_PIPE:
		case KV_EVENTFD:
		case KV_TIMERFD:
		case KV_SIGNALFD:
		case KV_INOTIFY:
		case KV_PIDFD: snprintf(what, cap, "%s", kind_label(f->kind, tr)); break;
		default:
			if (tr)
				snprintf(what, cap, "%s %s", kind_label(f->kind, tr), clip(esc, 120, tmp));
			else
				snprintf(what, cap, "%s %.120s", kind_label(f->kind, tr), esc);
			break;
		}
	}
	if (kind_has_fdinfo(f->kind)) {
		if (fdinfo < 0 || read_whole(fdinfo, name, tb) < 0) {
			*why = (struct fd_refusal){ fdinfo < 0 ? fdinfo_err : errno, 1 };
			return why->err == ENOENT ? FD_CLOSED : FD_REFUSED;
		}
		describe_from_fdinfo(f, tb->s);
	}
	fd_keep(f, texts);
	return FD_READ;
}

/*
 * Read an epoll fd's fdinfo, but each instance's only once: two processes
 * that share an instance after a fork print the same fdinfo, a megabyte
 * and a half of text at 20 000 watches.
 */
static enum fd_read
read_epoll_fd(int pid, struct kv_fd *f, int fdinfo, int fdinfo_err, struct reading *rd, struct fd_refusal *why)
{
	char name[16];
	int at = instance_read(rd, pid, f);

	if (at >= 0) {
		instance_fdinfo(rd, at, f);
		return FD_READ;
	}
	snprintf(name, sizeof name, "%d", f->fd);
	if (fdinfo < 0 || read_whole(fdinfo, name, &rd->tb) < 0) {
		*why = (struct fd_refusal){ fdinfo < 0 ? fdinfo_err : errno, 1 };
		return why->err == ENOENT ? FD_CLOSED : FD_REFUSED;
	}
	kview_parse_fdinfo(rd->tb.s, &f->info);
	instance_add(rd, at, pid, f);
	return FD_READ;
}

/*
 * A few processes read at once (read_procs): each listed on its own
 * thread, then all their fds spread over the threads, a region each
 * (par_for), so that two processes of 10 000 fds are read one per thread
 * under their own /proc directories.  Each link is a path walk in /proc
 * of a few microseconds, and a server holds tens of thousands.
 */
#define READ_BATCH 16 /* processes whose /proc directories are open at once: 32 fds */

/* One process of a batch: its open directories, and how reading each of its fds ended. */
struct proc_work {
	struct kv_proc *p;
	unsigned long long want_start;
	DIR *d;                    /* /proc/PID/fd; NULL when the process was not listed */
	int fdinfo, fdinfo_err;
	int first;                 /* the index of its first fd among the batch's */
	signed char *res;          /* per fd: enum fd_read */
	struct fd_refusal *why;    /* per fd: why refused or closed */
};

/* A batch: its processes, and each thread's scratch. */
struct batch_work {
	struct proc_work *pw;
	int np;
	struct textbuf tb[PAR_MAX_THREADS];
	struct kv_block *texts[PAR_MAX_THREADS]; /* each thread's blocks of descriptions */
};

/*
 * List one process: its row, then its fd numbers and an entry for each
 * (empty), its /proc/PID/fd and fdinfo left open in w.  Sets p->gone or
 * p->err when it cannot.  Touches only w and its process.
 */
static void
proc_open(struct proc_work *w)
{
	struct kv_proc *p = w->p;
	char path[64];
	struct dirent *de;
	int cap = 0, sorted = 1, n = 0, *num = NULL;

	w->fdinfo = -1;
	snprintf(path, sizeof path, "/proc/%d/stat", p->pid);
	if (proctab_read(p->pid, &p->row) < 0) {
		if (errno == ENOENT)
			p->gone = 1;
		else
			proc_refused(p, path, errno, -1);
		p->start = w->want_start;
		return;
	}
	p->start = p->row.start;
	if (w->want_start && p->row.start != w->want_start) {
		p->gone = p->reused = 1; /* the caller lists the new process after it */
		p->start = w->want_start;
		return;
	}
	snprintf(path, sizeof path, "/proc/%d/fd", p->pid);
	w->d = opendir(path);
	if (w->d == NULL) {
		if (errno == ENOENT)
			p->gone = 1;
		else
			proc_refused(p, path, errno, -1);
		return;
	}
	while ((de = readdir(w->d)) != NULL) { /* the numbers first: the entries are allocated once below */
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			num = xreallocarray(num, (size_t)cap, sizeof *num);
		}
		num[n] = atoi(de->d_name);
		sorted &= n == 0 || num[n - 1] < num[n];
		n++;
	}
	if (!sorted) /* /proc lists them in order: qsort only when it did not */
		qsort(num, (size_t)n, sizeof *num, cmp_int);
	p->fds = xcalloc((size_t)n + 1, sizeof *p->fds);
	prefault(p->fds, ((size_t)n + 1) * sizeof *p->fds);
	for (int i = 0; i < n; i++) {
		p->fds[i].fd = num[i];
		p->fds[i].what = p->fds[i].what_en = ""; /* a socket's until describe_socket, an epoll fd's until name_instances */
	}
	p->nfds = n;
	free(num);
	/* Opened now, so that every fd is read from this very process even if its pid is taken meanwhile. */
	snprintf(path, sizeof path, "/proc/%d/fdinfo", p->pid);
	w->fdinfo = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	w->fdinfo_err = w->fdinfo < 0 ? errno : 0;
	w->res = xcalloc((size_t)n + 1, sizeof *w->res);
	w->why = xcalloc((size_t)n + 1, sizeof *w->why);
}

/* par_for body: list the batch's processes from to to. */
static void
open_procs(void *ctx, int from, int to, int slot)
{
	struct batch_work *b = ctx;

	(void)slot;
	for (int i = from; i < to; i++)
		proc_open(&b->pw[i]);
}

/* par_for body: read the batch's fds from to to (numbered across its processes), with slot's scratch. */
static void
read_fds(void *ctx, int from, int to, int slot)
{
	struct batch_work *b = ctx;
	int j = 0;

	for (int i = from; i < to; i++) {
		while (i >= b->pw[j].first + b->pw[j].p->nfds)
			j++; /* the process this index is in (one without fds has none) */
		struct proc_work *w = &b->pw[j];
		int x = i - w->first;

		w->res[x] = (signed char)read_fd(&w->p->fds[x], dirfd(w->d), w->fdinfo, w->fdinfo_err, &b->tb[slot],
						 &b->texts[slot], &w->why[x]);
	}
}

/* The fds read of one process, in fd order: its first refusal, and only the fds still there; close what it opened. */
static void
proc_close(struct proc_work *w)
{
	struct kv_proc *p = w->p;
	char path[64];
	int m = 0;

	if (w->d == NULL)
		return;
	for (int i = 0; i < p->nfds; i++) {
		struct kv_fd *f = &p->fds[i];

		if (w->res[i] == FD_REFUSED) {
			snprintf(path, sizeof path, "/proc/%d/%s/%d", p->pid, w->why[i].fdinfo ? "fdinfo" : "fd", f->fd);
			proc_refused(p, path, w->why[i].err, f->fd);
		}
		if (w->res[i] != FD_READ)
			continue;
		if (m != i)
			p->fds[m] = *f;
		m++;
	}
	p->nfds = m;
	free(w->res);
	free(w->why);
	closedir(w->d);
	if (w->fdinfo >= 0)
		close(w->fdinfo);
}

/*
 * Whether n processes have enough fds between them for their listings to
 * be worth threads of their own (a thread costs more than listing a small
 * process): /proc/PID/fd's size is its number of open fds from Linux 6.2
 * on, 0 before (then they are listed one after the other).
 */
static int
worth_listing_apart(const struct proc_work *pw, int n)
{
	char path[64];
	struct stat st;
	long long total = 0;

	for (int i = 0; n > 1 && i < n; i++) {
		snprintf(path, sizeof path, "/proc/%d/fd", pw[i].p->pid);
		if (stat(path, &st) == 0)
			total += st.st_size;
	}
	return total >= 4096;
}

/*
 * Read n processes (n <= READ_BATCH, each p[i].pid set, want[i] its start
 * time or 0): their rows, then their fds, but the fdinfo of their epoll
 * fds is left to read_epolls.
 */
static void
read_procs(struct kv_proc *p, const unsigned long long *want, int n, struct reading *rd)
{
	struct proc_work pw[READ_BATCH];
	struct batch_work b = { .pw = pw, .np = n };
	int total = 0;

	memset(pw, 0, sizeof pw);
	for (int i = 0; i < n; i++) {
		pw[i].p = &p[i];
		pw[i].want_start = want[i];
	}
	par_for(n, 1, worth_listing_apart(pw, n) ? 1 : n + 1, open_procs, &b);
	for (int i = 0; i < n; i++) {
		pw[i].first = total;
		total += p[i].nfds;
	}
	b.tb[0] = rd->tb;
	par_for(total, 64, 512, read_fds, &b);
	rd->tb = b.tb[0];
	for (int i = 1; i < PAR_MAX_THREADS; i++)
		free(b.tb[i].s);
	for (int i = 0; i < PAR_MAX_THREADS; i++)
		blocks_join(&rd->texts, b.texts[i]);
	for (int i = 0; i < n; i++)
		proc_close(&pw[i]);
}

/*
 * /proc/PID/fdinfo of p again, for read_epolls (no directory is held from
 * one process to the next: a tree of thousands would run out of fds), and
 * /proc/PID/fd in *fddir, only if its pid still names the process read
 * (its start time): -1 with *err ENOENT when it does not, or the errno of
 * the open.
 */
static int
fdinfo_again(const struct kv_proc *p, int *err, int *fddir)
{
	char path[64], text[4096];
	struct proc_row row;
	int dir, fd = -1, st;
	ssize_t k = -1;

	snprintf(path, sizeof path, "/proc/%d", p->pid);
	if ((dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		*err = errno;
		return -1;
	}
	/* The directory stays this process's even if the pid is taken: its stat says whose it is. */
	if ((st = openat(dir, "stat", O_RDONLY | O_CLOEXEC)) >= 0) {
		k = read(st, text, sizeof text - 1);
		close(st);
	}
	if (k > 0)
		text[k] = '\0';
	if (k <= 0 || proctab_parse_stat(text, &row) < 0 || row.start != p->start)
		*err = ENOENT;
	else if ((fd = openat(dir, "fdinfo", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		*err = errno;
	else
		*fddir = openat(dir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(dir);
	return fd;
}

/* Is fd still an epoll fd (its link read again, just before its fdinfo)?  Yes when that cannot be told. */
static int
still_epoll(int fddir, int fd)
{
	char name[16], link[64];
	ssize_t k;

	if (fddir < 0)
		return 1;
	snprintf(name, sizeof name, "%d", fd);
	k = readlinkat(fddir, name, link, sizeof link - 1);
	if (k < 0)
		return errno != ENOENT;
	link[k] = '\0';
	return strcmp(link, "anon_inode:[eventpoll]") == 0;
}

/*
 * The fdinfo of every epoll fd, in reading order (each instance read once).
 * An epoll fd closed meanwhile (or of a process that has ended) is marked
 * with fd -1: drop_closed takes it out later, since the socket reading may
 * be walking the same fds now.
 */
static void
read_epolls(struct kview *kv, struct reading *rd)
{
	for (int i = 0; i < kv->np; i++) {
		struct kv_proc *p = &kv->p[i];
		int dir = -2, fddir = -1, err = 0;

		for (int k = 0; k < p->nfds; k++) {
			struct kv_fd *f = &p->fds[k];
			struct fd_refusal why;
			char path[64];
			enum fd_read r;

			if (f->kind != KV_EPOLL)
				continue;
			if (dir == -2)
				dir = fdinfo_again(p, &err, &fddir);
			/* Its number may name another file by now: then it was closed meanwhile. */
			r = still_epoll(fddir, f->fd) ? read_epoll_fd(p->pid, f, dir, err, rd, &why) : FD_CLOSED;
			if (r == FD_REFUSED) {
				snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", p->pid, f->fd);
				proc_refused(p, path, why.err, f->fd);
			}
			if (r != FD_READ) {
				kview_fdinfo_free(&f->info);
				f->fd = -1;
			}
		}
		if (dir >= 0)
			close(dir);
		if (fddir >= 0)
			close(fddir);
	}
}

/* Take out the epoll fds read_epolls found closed. */
static void
drop_closed(struct kview *kv)
{
	for (int i = 0; i < kv->np; i++) {
		struct kv_proc *p = &kv->p[i];
		int m = 0;

		for (int k = 0; k < p->nfds; k++)
			if (p->fds[k].fd >= 0)
				p->fds[m++] = p->fds[k];
		p->nfds = m;
	}
}

/* The fd entry of process pi, by binary search of its sorted fds, or NULL. */
static const struct kv_fd *
proc_fd(const struct kv_proc *p, int fd)
{
	int lo = 0, hi = p->nfds;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (p->fds[mid].fd == fd)
			return &p->fds[mid];
		if (p->fds[mid].fd < fd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Is pid's fd f the very file registered in epfd (of epid) as watch wt?
 * A socket's inode names one file, so the inode (when fdinfo prints it) is
 * the answer.  Both ends of a pipe share an inode, and every eventfd or
 * timerfd shares one anon inode: for those kcmp(KCMP_EPOLL_TFD) decides (it
 * walks the interest list in the kernel, which is why sockets are spared
 * it).  When kcmp is refused, the inode has to do.
 *
 * The kernel walks the list holding the instance's mutex, so the threads
 * describing watches take turns here: left to meet on that mutex, they
 * spin in the kernel (twice the CPU for 19 800 eventfds, no time saved).
 */
static int
same_target(const struct kv_fd *f, const struct kv_watch *wt, int pid, int epid, int epfd, int toff)
{
	static pthread_mutex_t walk = PTHREAD_MUTEX_INITIALIZER;
	struct kcmp_epoll_slot slot = { .efd = (uint32_t)epfd, .tfd = (uint32_t)wt->tfd, .toff = (uint32_t)toff };
	long r;
	int e;

	if (wt->has_ino && f->ino == wt->ino &&
	    (f->kind == KV_SOCKET || f->kind == KV_TCP || f->kind == KV_UDP || f->kind == KV_UNIX ||
	     f->kind == KV_NETLINK))
		return 1;
	pthread_mutex_lock(&walk);
	r = syscall(SYS_kcmp, pid, epid, KCMP_EPOLL_TFD, f->fd, (unsigned long)&slot);
	e = errno;
	pthread_mutex_unlock(&walk);
	return r == 0 || (r < 0 && e != ENOENT && e != EBADF);
}

/* qsort order of (tfd, position) pairs. */
static int
cmp_pair(const void *a, const void *b)
{
	const int *x = a, *y = b;

	return x[0] != y[0] ? x[0] - y[0] : x[1] - y[1];
}

/*
 * toff[w] of each watch: how many earlier lines have the same tfd (several
 * files can be registered under one fd number in a shared instance).
 */
static int *
watch_offsets(const struct kv_fdinfo *fi)
{
	int *pair, *toff = xcalloc((size_t)fi->nw + 1, sizeof *toff), top = 0;

	for (int w = 0; w < fi->nw; w++)
		top = fi->w[w].tfd > top ? fi->w[w].tfd : top; /* (never below 0: parsed unsigned) */
	if (top <= 4L * fi->nw + 1024) {
		/* fd numbers are small: count each one's lines so far, in one pass */
		int *seen = xcalloc((size_t)top + 1, sizeof *seen);

		for (int w = 0; w < fi->nw; w++)
			toff[w] = seen[fi->w[w].tfd]++;
		free(seen);
		return toff;
	}
	pair = xcalloc((size_t)fi->nw * 2 + 2, sizeof *pair);
	for (int w = 0; w < fi->nw; w++) {
		pair[2 * w] = fi->w[w].tfd;
		pair[2 * w + 1] = w;
	}
	qsort(pair, (size_t)fi->nw, 2 * sizeof *pair, cmp_pair);
	for (int i = 1; i < fi->nw; i++)
		if (pair[2 * i] == pair[2 * i - 2])
			toff[pair[2 * i + 1]] = toff[pair[2 * i - 1]] + 1;
	free(pair);
	return toff;
}

/* Give wt texts of its own, what and what_en (NULL: the same as what), copied into blocks of *list. */
static void
watch_own(struct kv_watch *wt, const char *what, const char *what_en, struct kv_block **list)
{
	size_t n = strlen(what) + 1, m = what_en ? strlen(what_en) + 1 : 0;
	char *own = block_alloc(list, n + m);

	memcpy(own, what, n);
	wt->what = wt->what_en = own;
	if (what_en) {
		memcpy(own + n, what_en, m);
		wt->what_en = own + n;
	}
}

/* What one watch of e (epoll fd of process pi) is: the fd with the same file, here or in another process. */
static void
describe_watch(const struct kview *kv, const struct reading *rd, int pi, const struct kv_fd *e, struct kv_watch *wt,
	       int toff, struct kv_block **texts)
{
	const struct kv_proc *p = &kv->p[pi];
	const struct kv_fd *same = proc_fd(p, wt->tfd);
	char what[256], what_en[160];
	int english = 0;

	if (same && same->kind != KV_EPOLL && (!wt->has_ino || same->ino == wt->ino) &&
	    same_target(same, wt, p->pid, p->pid, e->fd, toff)) {
		wt->what = same->what;
		wt->what_en = same->what_en;
		return;
	}
	if (same && same->kind == KV_EPOLL && (!wt->has_ino || same->ino == wt->ino)) {
		wt->what = same->what; /* a nested instance, named by its number */
		wt->what_en = same->what_en;
		return;
	}
	wt->stale = 1; /* from here on, the fd number in p no longer names the registered file */
	/* Another holder of the instance, or a file kept open by a dup. */
	for (int r = wt->has_ino ? index_find(rd, wt->ino) : -1; r >= 0 && r < rd->nix && rd->ix[r].ino == wt->ino;
	     r++) {
		const struct kv_proc *q = &kv->p[rd->ix[r].pi];
		const struct kv_fd *o = &q->fds[rd->ix[r].fi];

		char tmp[161];

		if (!same_target(o, wt, q->pid, p->pid, e->fd, toff))
			continue;
		/* With no catalogue and o's texts alike and short (cut by neither format), one text serves. */
		english = !atomic_load_explicit(&translating, memory_order_relaxed) && strlen(o->what_en) <= 80 &&
			  strcmp(o->what, o->what_en) == 0;
		if (q->pid == p->pid) {
			snprintf(what_en, sizeof what_en,
				 "fd %d was closed, but the file is still open as fd %d (a dup): %.80s", wt->tfd, o->fd,
				 o->what_en);
			if (english)
				break;
			const char *fmt =
				/* TRANSLATORS: a watch whose fd lives on in a dup; %3$s: the file. */
				_("fd %d was closed, but the file is still open as fd %d (a dup): %s");

			snprintf(what, sizeof what, fmt, wt->tfd, o->fd, clip(o->what, 140, tmp));
		} else {
			snprintf(what_en, sizeof what_en, "%.110s (fd %d of pid %d)", o->what_en, o->fd, q->pid);
			if (english)
				break;
			/* TRANSLATORS: %1$s: what the file is; then which fd of which process. */
			snprintf(what, sizeof what, _("%s (fd %d of pid %d)"), clip(o->what, 160, tmp), o->fd,
				 q->pid);
		}
		watch_own(wt, utf8_trim(what), what_en, texts);
		return;
	}
	if (english) {
		watch_own(wt, what_en, NULL, texts);
		return;
	}
	if (same) {
		snprintf(what_en, sizeof what_en,
			 "fd %d is now another file; the registered one is still open elsewhere", wt->tfd);
		snprintf(what, sizeof what,
			 _("fd %d is now another file; the registered one is still open elsewhere"), wt->tfd);
	} else {
		snprintf(what_en, sizeof what_en,
			 "fd %d is closed here; the file is still open elsewhere (a dup or a fork)", wt->tfd);
		snprintf(what, sizeof what,
			 _("fd %d is closed here; the file is still open elsewhere (a dup or a fork)"),
			 wt->tfd);
	}
	watch_own(wt, what, what_en, texts);
}

/* describe_watches' loop over the watches of one epoll fd e of process pi. */
struct watches_work {
	const struct kview *kv;
	const struct reading *rd;
	int pi;
	struct kv_fd *e;
	const int *toff;
	struct kv_block *texts[PAR_MAX_THREADS]; /* each thread's blocks, for every epoll fd of the reading */
};

/* par_for body: describe watches from to to of w->e (blocks of texts per slot). */
static void
describe_watches_range(void *ctx, int from, int to, int slot)
{
	struct watches_work *w = ctx;

	for (int i = from; i < to; i++)
		describe_watch(w->kv, w->rd, w->pi, w->e, &w->e->info.w[i], w->toff[i], &w->texts[slot]);
}

/* What every watched file is (on several threads for a long interest list: each writes only its watch). */
static void
describe_watches(struct kview *kv, const struct reading *rd)
{
	struct watches_work w = { kv, rd, 0, NULL, NULL, { NULL } };

	for (int i = 0; i < kv->np; i++)
		for (int k = 0; k < kv->p[i].nfds; k++) {
			int *toff;

			w.pi = i;
			w.e = &kv->p[i].fds[k];
			if (w.e->kind != KV_EPOLL || w.e->info.nw == 0)
				continue;
			toff = watch_offsets(&w.e->info);
			w.toff = toff;
			par_for(w.e->info.nw, 256, 2048, describe_watches_range, &w);
			free(toff);
		}
	for (int t = 0; t < PAR_MAX_THREADS; t++)
		blocks_join(&kv->texts, w.texts[t]);
}

/*
 * Group epoll fds into kernel instances with kcmp(KCMP_FILE).  kcmp orders
 * the objects it compares, so the representatives stay sorted and each fd
 * costs a binary search: O(E log I), not one kcmp per pair.  Instances are
 * numbered in reading order.
 */
static void
group_instances(struct kview *kv)
{
	struct rep *rep = NULL;
	int nrep = 0, cap = 0;

	for (int i = 0; i < kv->np; i++) {
		for (int k = 0; k < kv->p[i].nfds; k++) {
			struct kv_fd *e = &kv->p[i].fds[k];
			int err = 0, at;

			if (e->kind != KV_EPOLL)
				continue;
			/* kcmp on itself tells whether it may be compared at all. */
			if (syscall(SYS_kcmp, kv->p[i].pid, kv->p[i].pid, KCMP_FILE, e->fd, e->fd) < 0) {
				err = errno;
				at = INT_MIN;
			} else {
				at = rep_search(rep, nrep, kv->p[i].pid, e->fd, &err);
			}
			if (at == INT_MIN) {
				e->instance = 0; /* never guess */
				kv->kcmp_err = err;
				kv->unknown++;
				continue;
			}
			if (at >= 0 && at < nrep) {
				e->instance = rep[at].id;
				continue;
			}
			rep_insert(&rep, &nrep, &cap, -1 - at, (struct rep){ kv->p[i].pid, e->fd, ++kv->ninstances });
			e->instance = kv->ninstances;
		}
	}
	free(rep);
}

/* Each epoll fd's what: its instance number, which a watch on it (a nested epoll) then names. */
static void
name_instances(struct kview *kv)
{
	for (int i = 0; i < kv->np; i++)
		for (int k = 0; k < kv->p[i].nfds; k++) {
			struct kv_fd *e = &kv->p[i].fds[k];

			if (e->kind != KV_EPOLL)
				continue;
			fd_draft();
			for (int tr = 0; tr < 2; tr++) {
				size_t cap;
				char *what = fd_what(tr, &cap);

				if (e->instance)
					/* TRANSLATORS: an epoll fd: its instance, how many fds it watches. */
					snprintf(what, cap, L(tr, N_("epoll instance #%d (%d watched)")),
						 e->instance, e->info.nw);
				else
					/* TRANSLATORS: an epoll fd kcmp could not place; how many it watches. */
					snprintf(what, cap, L(tr, N_("epoll instance (unknown), %d watched")),
						 e->info.nw);
			}
			fd_keep(e, &kv->texts);
		}
}

/* qsort order of processes by ppid. */
static int
cmp_ppid(const void *a, const void *b)
{
	const struct proc_row *x = a, *y = b;

	return x->ppid != y->ppid ? x->ppid - y->ppid : x->pid - y->pid;
}

/* qsort order of process rows by pid. */
static int
cmp_row_pid(const void *a, const void *b)
{
	const struct proc_row *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Is id still the process that has its pid (start unknown counts as yes)?  bypid: rows sorted by pid. */
static int
still_there(const struct proc_row *bypid, int n, const struct kv_id *id)
{
	struct proc_row key = { .pid = id->pid };
	const struct proc_row *r = bsearch(&key, bypid, (size_t)n, sizeof *bypid, cmp_row_pid);

	return r != NULL && (id->start == 0 || r->start == id->start);
}

/*
 * Append every descendant of the ids to list (breadth first), from one scan
 * of the process table; none below an id whose pid now names another
 * process (its children are not ours).
 */
static void
add_descendants(struct kv_id **list, int *n, int *cap)
{
	struct proc_row *all, *bypid;
	int nall = proctab_scan_all(&all);

	bypid = xcalloc((size_t)nall + 1, sizeof *bypid);
	if (nall > 0)
		memcpy(bypid, all, (size_t)nall * sizeof *all);
	if (nall > 1) {
		qsort(all, (size_t)nall, sizeof *all, cmp_ppid);
		qsort(bypid, (size_t)nall, sizeof *bypid, cmp_row_pid);
	}
	for (int i = 0; i < *n; i++) {
		int lo = 0, hi = nall;

		if (!still_there(bypid, nall, &(*list)[i]))
			continue;
		while (lo < hi) { /* the first process whose parent is (*list)[i] */
			int mid = lo + (hi - lo) / 2;

			if (all[mid].ppid < (*list)[i].pid)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < nall && all[lo].ppid == (*list)[i].pid; lo++) {
			if (*n == *cap) {
				*cap *= 2;
				*list = xreallocarray(*list, (size_t)*cap, sizeof **list);
			}
			(*list)[(*n)++] = (struct kv_id){ all[lo].pid, all[lo].start, 1 };
		}
	}
	free(bypid);
	free(all);
}

/* qsort order of (pid, position) pairs. */
static int
cmp_pid_pos(const void *a, const void *b)
{
	return cmp_pair(a, b);
}

/*
 * Drop later duplicates of a process from list, keeping the order: the
 * same pid again, unless the first is a descendant known by another start
 * time (then the later one is the new process at its reused pid, and a
 * descendant of ours in its own right).
 */
static int
dedupe(struct kv_id *list, int n)
{
	int *pair = xcalloc((size_t)n * 2 + 2, sizeof *pair), *drop = xcalloc((size_t)n + 1, sizeof *drop), m = 0;

	for (int i = 0; i < n; i++) {
		pair[2 * i] = list[i].pid;
		pair[2 * i + 1] = i;
	}
	qsort(pair, (size_t)n, 2 * sizeof *pair, cmp_pid_pos);
	for (int i = 1, first = 0; i < n; i++) {
		const struct kv_id *a, *b;

		if (pair[2 * i] != pair[2 * first]) {
			first = i;
			continue;
		}
		a = &list[pair[2 * first + 1]];
		b = &list[pair[2 * i + 1]];
		if (!a->descendant || a->start == 0 || b->start == 0 || a->start == b->start)
			drop[pair[2 * i + 1]] = 1;
	}
	for (int i = 0; i < n; i++)
		if (!drop[i])
			list[m++] = list[i];
	free(pair);
	free(drop);
	return m;
}

/* Read pids, whichever processes have them now. */
int
kview_read(struct kview *kv, const int *pids, int npids, int children)
{
	struct kv_id *ids = xcalloc((size_t)npids + 1, sizeof *ids);
	int r;

	for (int i = 0; i < npids; i++)
		ids[i].pid = pids[i];
	r = kview_read_ids(kv, ids, npids, children);
	free(ids);
	return r;
}

/* What epolls_and_sockets does its two readings of. */
struct both {
	struct kview *kv;
	struct reading *rd;
};

/* par_for body over two tasks: 0 reads the interest lists, 1 the socket tables. */
static void
epolls_and_sockets(void *ctx, int from, int to, int slot)
{
	struct both *b = ctx;

	(void)slot;
	for (int i = from; i < to; i++)
		if (i == 0)
			read_epolls(b->kv, b->rd);
		else
			read_sockets(b->kv, b->rd);
}

/* Read each process once (with children, their descendants too); tell instances and watches apart. */
int
kview_read_ids(struct kview *kv, const struct kv_id *ids, int n, int children)
{
	struct reading rd;
	struct kv_id *list;
	int cap = n + 16, nl = n;

	memset(kv, 0, sizeof *kv);
	memset(&rd, 0, sizeof rd);
	ask_translating();
	list = xcalloc((size_t)cap, sizeof *list);
	memcpy(list, ids, (size_t)n * sizeof *list);
	if (children)
		add_descendants(&list, &nl, &cap);
	nl = dedupe(list, nl);
	kv->p = xcalloc((size_t)nl * 2 + 1, sizeof *kv->p); /* room for a new process at each reused pid */
	for (int b = 0; b < nl; b += READ_BATCH) {
		int k = nl - b < READ_BATCH ? nl - b : READ_BATCH;
		struct kv_proc batch[READ_BATCH];
		unsigned long long want[READ_BATCH] = { 0 };
		static const unsigned long long anyone = 0;

		memset(batch, 0, sizeof batch);
		for (int j = 0; j < k; j++) {
			batch[j].pid = list[b + j].pid;
			want[j] = list[b + j].start;
		}
		read_procs(batch, want, k, &rd);
		for (int j = 0; j < k && k > 1; j++) {
			if (batch[j].err != EMFILE && batch[j].err != ENFILE)
				continue;
			/*
			 * A batch holds two directories per process open at
			 * once: under a tight RLIMIT_NOFILE (the contest's load
			 * raises it only as far as its sockets need) a process
			 * is read again alone, as it would have been.
			 */
			free(batch[j].fds);
			memset(&batch[j], 0, sizeof batch[j]);
			batch[j].pid = list[b + j].pid;
			read_procs(&batch[j], &want[j], 1, &rd);
		}
		for (int j = 0; j < k; j++) {
			kv->p[kv->np++] = batch[j];
			if (batch[j].reused && !list[b + j].descendant) { /* a named pid: whoever has it now is shown too */
				struct kv_proc *p = &kv->p[kv->np++];

				p->pid = list[b + j].pid;
				p->newcomer = 1;
				read_procs(p, &anyone, 1, &rd);
			}
		}
	}
	free(list);
	/* Two readings of the kernel that need each other's nothing, at once: interest lists, and sockets. */
	par_for(2, 1, 1, epolls_and_sockets, &(struct both){ kv, &rd });
	drop_closed(kv);
	free(rd.inst);
	blocks_join(&kv->texts, rd.texts);
	index_inodes(kv, &rd);
	describe_sockets(kv, &rd);
	group_instances(kv);
	name_instances(kv);
	describe_watches(kv, &rd);
	for (int i = 0; i < rd.nns; i++)
		sockdiag_table_free(&rd.ns[i].t);
	free(rd.ns);
	free(rd.ns_of);
	free(rd.ix);
	free(rd.tb.s);
	return 0;
}

/* "EACCES: cannot read /proc/1/fd/3: Permission denied", in English whatever the locale (for JSON). */
static const char *
proc_error_en(const struct kv_proc *p, char *buf, size_t cap)
{
	locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);

	snprintf(buf, cap, "%s: cannot read %s: %s", errno_name(p->err), p->err_path[0] ? p->err_path : "/proc",
		 c ? strerror_l(p->err, c) : strerror(p->err));
	if (c)
		freelocale(c);
	return buf;
}

/* "EACCES: cannot read /proc/1/fd/3: Permission denied", in the user's language. */
const char *
kview_proc_error(const struct kv_proc *p, char *buf, size_t cap)
{
	/* TRANSLATORS: %1$s is an errno name (EACCES), %2$s a /proc path, %3$s the system's message. */
	snprintf(buf, cap, _("%s: cannot read %s: %s"), errno_name(p->err),
		 p->err_path[0] ? p->err_path : "/proc", strerror(p->err));
	return utf8_trim(buf);
}

/* Free every process, fd and watch of kv and leave it empty. */
void
kview_free(struct kview *kv)
{
	for (int i = 0; i < kv->np; i++) {
		for (int k = 0; k < kv->p[i].nfds; k++)
			kview_fdinfo_free(&kv->p[i].fds[k].info);
		free(kv->p[i].fds);
	}
	free(kv->p);
	while (kv->texts) {
		struct kv_block *next = kv->texts->next;

		free(kv->texts);
		kv->texts = next;
	}
	memset(kv, 0, sizeof *kv);
}

/* A listener's backlog, or null when only /proc/PID/net text could be read. */
static void
json_backlog(struct strbuf *b, const struct kv_fd *f)
{
	if (f->no_backlog)
		sb_add(b, "null");
	else
		sb_printf(b, "%u", f->backlog);
}

/*
 * With out, write what b holds to it once it is 64 KiB, and empty b: a
 * report is written as it is made, in the same pages, not grown into a
 * buffer of its whole size (10 MB of JSON at 20 000 watches, each new
 * page a fault).
 */
static void
spill(struct strbuf *b, FILE *out)
{
	if (out == NULL || b->len < 65536)
		return;
	fwrite(b->s, 1, b->len, out);
	sb_reset(b);
}

/* Append kv as one JSON document: processes, instances and listening sockets (to out, if given, as it goes). */
void
kview_json(const struct kview *kv, struct strbuf *b, FILE *out)
{
	sb_add(b, "{\"processes\":[");
	for (int i = 0; i < kv->np; i++) {
		const struct kv_proc *p = &kv->p[i];
		int first = 1;

		sb_printf(b, "%s{\"pid\":%d,\"start\":%llu", i ? "," : "", p->pid, p->start);
		if (p->gone) {
			sb_printf(b, ",\"gone\":true,\"reused\":%s}", p->reused ? "true" : "false");
			continue;
		}
		sb_printf(b, ",\"gone\":false,\"ppid\":%d,\"pgid\":%d,\"sid\":%d,\"tty\":", p->row.ppid,
			  p->row.pgid, p->row.sid);
		sb_json_str(b, p->row.tty);
		sb_printf(b, ",\"tpgid\":%d,\"state\":\"%c\",\"cmd\":", p->row.tpgid, p->row.state);
		sb_json_str(b, p->row.cmd);
		sb_add(b, ",\"error\":");
		if (p->err) {
			char msg[160];

			sb_json_str(b, proc_error_en(p, msg, sizeof msg));
		} else {
			sb_add(b, "null");
		}
		sb_add(b, ",\"fds\":[");
		for (int k = 0; k < p->nfds; k++) {
			const struct kv_fd *f = &p->fds[k];

			/* Every fd and every watch: sb_int and sb_add, not printf (10 MB at 20 000 watches). */
			sb_add(b, k ? ",{\"fd\":" : "{\"fd\":");
			sb_int(b, f->fd);
			sb_add(b, ",\"kind\":\"");
			sb_add(b, kview_kind_name(f->kind));
			sb_add(b, "\",\"inode\":");
			sb_uint(b, f->ino);
			sb_add(b, ",\"what\":");
			sb_json_str(b, f->what_en);
			if (f->listening) {
				sb_printf(b, ",\"listening\":true,\"queue\":%u,\"backlog\":", f->qlen);
				json_backlog(b, f);
			}
			if (f->has_q)
				sb_printf(b, ",\"recv_q\":%u,\"send_q\":%u", f->recvq, f->sendq);
			if (f->peer) {
				sb_add(b, ",\"peer_inode\":");
				sb_uint(b, f->peer);
			}
			sb_add(b, "}");
			spill(b, out);
		}
		sb_add(b, "],\"epoll\":[");
		for (int k = 0; k < p->nfds; k++) {
			const struct kv_fd *f = &p->fds[k];

			if (f->kind != KV_EPOLL)
				continue;
			sb_printf(b, "%s{\"fd\":%d,\"instance\":", first ? "" : ",", f->fd);
			if (f->instance)
				sb_printf(b, "%d", f->instance);
			else
				sb_add(b, "null");
			sb_printf(b, ",\"anon_inode\":%lu,\"watches\":[", f->info.ino);
			for (int w = 0; w < f->info.nw; w++) {
				const struct kv_watch *wt = &f->info.w[w];

				sb_add(b, w ? ",{\"fd\":" : "{\"fd\":");
				sb_int(b, wt->tfd);
				sb_add(b, ",\"events\":");
				trace_rec_json_mask(b, wt->events);
				/* data_hex too: a JSON reader's doubles keep only 53 bits of a pointer */
				sb_add(b, ",\"data\":");
				sb_uint(b, wt->data);
				sb_add(b, ",\"data_hex\":\"0x");
				sb_hex(b, wt->data);
				sb_add(b, "\",\"inode\":");
				sb_uint(b, wt->ino);
				sb_add(b, ",\"what\":");
				sb_json_str(b, wt->what_en);
				sb_add(b, "}");
				spill(b, out);
			}
			sb_add(b, "]}");
			first = 0;
		}
		sb_add(b, "]}");
	}
	sb_add(b, "],\"instances\":[");
	for (int g = 1; g <= kv->ninstances; g++) {
		int first = 1;

		sb_printf(b, "%s{\"id\":%d,\"holders\":[", g > 1 ? "," : "", g);
		for (int i = 0; i < kv->np; i++)
			for (int k = 0; k < kv->p[i].nfds; k++)
				if (kv->p[i].fds[k].kind == KV_EPOLL && kv->p[i].fds[k].instance == g) {
					sb_printf(b, "%s{\"pid\":%d,\"fd\":%d,\"watches\":%d}", first ? "" : ",",
						  kv->p[i].pid, kv->p[i].fds[k].fd, kv->p[i].fds[k].info.nw);
					first = 0;
				}
		sb_add(b, "]}");
	}
	sb_printf(b, "],\"instance_count\":%d,\"unknown\":%d,\"kcmp_error\":", kv->ninstances, kv->unknown);
	if (kv->kcmp_err)
		sb_printf(b, "\"%s\"", errno_name(kv->kcmp_err));
	else
		sb_add(b, "null");
	sb_add(b, ",\"listening\":[");
	for (int i = 0, first = 1; i < kv->np; i++)
		for (int k = 0; k < kv->p[i].nfds; k++) {
			const struct kv_fd *f = &kv->p[i].fds[k];

			if (!f->listening)
				continue;
			sb_printf(b, "%s{\"pid\":%d,\"fd\":%d,\"inode\":%lu,\"queue\":%u,\"backlog\":", first ? "" : ",",
				  kv->p[i].pid, f->fd, f->ino, f->qlen);
			json_backlog(b, f);
			sb_add(b, ",\"what\":");
			sb_json_str(b, f->what_en);
			sb_add(b, "}");
			spill(b, out);
			first = 0;
		}
	sb_add(b, "]}\n");
}

/* Append a ps-like report of kv with every epoll fd and its interest list (to out, if given, as it goes). */
void
kview_text(const struct kview *kv, struct strbuf *b, FILE *out)
{
	char m[160];

	/* ps(1)'s column names, which ps keeps in every language: not translated. */
	sb_printf(b, "%-7s %-7s %-7s %-7s %-7s %-7s %-4s %s\n", "PID", "PPID", "PGID", "SID", "TTY", "TPGID",
		  "STAT", "CMD");
	for (int i = 0; i < kv->np; i++) {
		const struct kv_proc *p = &kv->p[i];

		if (p->gone) {
			sb_printf(b, "%-7d %s\n", p->pid,
				  p->reused ? _("(gone; its pid is now another process's)") : _("(gone)"));
			continue;
		}
		sb_printf(b, "%-7d %-7d %-7d %-7d %-7s %-7d %-4c %.100s\n", p->pid, p->row.ppid, p->row.pgid,
			  p->row.sid, p->row.tty, p->row.tpgid, p->row.state, p->row.cmd);
		if (p->err) {
			char msg[160];

			sb_printf(b, "        %s\n", kview_proc_error(p, msg, sizeof msg));
			if (p->nfds == 0)
				continue;
		}
		for (int k = 0; k < p->nfds; k++) {
			const struct kv_fd *f = &p->fds[k];

			if (f->listening)
				sb_printf(b, "        fd %-4d %s\n", f->fd, f->what);
			if (f->kind != KV_EPOLL)
				continue;
			sb_printf(b, "        fd %-4d ", f->fd);
			if (f->instance)
				/* TRANSLATORS: heads an epoll fd's interest list (its watches follow). */
				sb_printf(b, _("epoll instance #%d, %d watched:\n"), f->instance, f->info.nw);
			else
				/* TRANSLATORS: heads an epoll fd's interest list; kcmp could not place it. */
				sb_printf(b, _("epoll instance (unknown: kcmp refused), %d watched:\n"),
					  f->info.nw);
			for (int w = 0; w < f->info.nw; w++) {
				sb_printf(b, "                  fd %-4d %-28s data 0x%-8llx %s\n", f->info.w[w].tfd,
					  epoll_mask_str(f->info.w[w].events, 1, m, sizeof m),
					  (unsigned long long)f->info.w[w].data, f->info.w[w].what);
				spill(b, out);
			}
		}
	}
	if (kv->unknown)
		sb_printf(b, /* TRANSLATORS: the report's last line; %3$s: why kcmp refused. */
			  P_("%d epoll instance told apart by kcmp; %d could not be compared (%s)\n",
			     "%d epoll instances told apart by kcmp; %d could not be compared (%s)\n",
			     kv->ninstances),
			  kv->ninstances, kv->unknown, kv->kcmp_err ? strerror(kv->kcmp_err) : "?");
	else
		sb_printf(b, /* TRANSLATORS: the report's last line: how many kernel instances there are. */
			  P_("%d epoll instance, told apart by kcmp(KCMP_FILE)\n",
			     "%d epoll instances, told apart by kcmp(KCMP_FILE)\n", kv->ninstances),
			  kv->ninstances);
}
