/*
 * kview.c - the kernel's view from /proc, sock_diag and kcmp (see kview.h).
 * Reads only; never writes to, signals or traces the processes it looks at.
 */
#include "kview.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sockdiag.h"
#include "util.h"

#define KV_MAX_TCP 8192   /* TCP sockets of the machine read at once (sock_diag) */
#define KV_MAX_PROCS 8192 /* processes of the machine scanned for descendants */

/* Fill out from fdinfo text: pos, flags, mnt_id, ino and a watch per tfd line. */
int
kview_parse_fdinfo(const char *text, struct kv_fdinfo *out)
{
	const char *p = text;
	int cap = 0, seen = 0;

	memset(out, 0, sizeof *out);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[256];

		if (len >= sizeof line)
			len = sizeof line - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl ? 1 : 0);
		if (sscanf(line, "pos: %lu", &out->pos) == 1 || sscanf(line, "mnt_id: %lu", &out->mnt_id) == 1 ||
		    sscanf(line, "ino: %lu", &out->ino) == 1) {
			seen = 1;
			continue;
		}
		if (sscanf(line, "flags: %lo", &out->flags) == 1) {
			seen = 1;
			continue;
		}
		if (strncmp(line, "tfd:", 4) == 0) {
			struct kv_watch w;
			unsigned long long data;
			const char *ino;

			memset(&w, 0, sizeof w);
			if (sscanf(line, "tfd: %d events: %x data: %llx", &w.tfd, &w.events, &data) != 3)
				continue; /* a form this reader does not know: skip the line, keep the rest */
			w.data = data;
			ino = strstr(line, " ino:");
			if (ino && sscanf(ino, " ino:%lx", &w.ino) == 1)
				w.has_ino = 1;
			if (out->nw == cap) {
				cap = cap ? cap * 2 : 8;
				out->w = xreallocarray(out->w, (size_t)cap, sizeof *out->w);
			}
			out->w[out->nw++] = w;
			seen = 1;
		}
	}
	return seen ? 0 : -1;
}

/* Free the watch array and leave none. */
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
					 "inotify", "pidfd", "anon" };

	return kind >= 0 && (size_t)kind < ARRAY_LEN(n) ? n[kind] : "other";
}

/* Socket inodes the kernel can describe: TCP via sock_diag, UNIX via /proc/net/unix. */
struct sockmap {
	struct listener *tcp;
	int ntcp;
	struct {
		unsigned long ino;
		char path[96];
	} *unx;
	int nunx;
};

/* Snapshot every TCP socket (sock_diag) and the UNIX sockets of /proc/net/unix. */
static void
sockmap_read(struct sockmap *sm)
{
	FILE *f;
	char line[512];
	int cap = 0;

	memset(sm, 0, sizeof *sm);
	sm->tcp = xcalloc(KV_MAX_TCP, sizeof *sm->tcp);
	sm->ntcp = sockdiag_tcp_all(sm->tcp, KV_MAX_TCP);
	if (sm->ntcp < 0)
		sm->ntcp = 0;
	f = fopen("/proc/net/unix", "re");
	if (f == NULL)
		return;
	while (fgets(line, sizeof line, f)) {
		unsigned long ino;
		char path[256] = "";

		if (sscanf(line, "%*s %*s %*s %*s %*s %*s %lu %255s", &ino, path) < 1)
			continue;
		if (sm->nunx == cap) {
			cap = cap ? cap * 2 : 64;
			sm->unx = xreallocarray(sm->unx, (size_t)cap, sizeof *sm->unx);
		}
		sm->unx[sm->nunx].ino = ino;
		str_copy(sm->unx[sm->nunx].path, path, sizeof sm->unx[0].path);
		sm->nunx++;
	}
	fclose(f);
}

/* Free the two tables of a socket map. */
static void
sockmap_free(struct sockmap *sm)
{
	free(sm->tcp);
	free(sm->unx);
}

/* Describe a socket fd: TCP with addresses and state, UNIX with its path. */
static void
describe_socket(const struct sockmap *sm, struct kv_fd *f)
{
	for (int i = 0; i < sm->ntcp; i++) {
		const struct listener *l = &sm->tcp[i];

		if (l->inode != f->ino)
			continue;
		f->kind = KV_TCP;
		if (l->state == 10 /* TCP_LISTEN */) {
			f->listening = 1;
			f->qlen = l->qlen;
			f->backlog = l->backlog;
			snprintf(f->what, sizeof f->what, "tcp %s LISTEN (queue %u of %u)", l->local, l->qlen,
				 l->backlog);
		} else {
			snprintf(f->what, sizeof f->what, "tcp %s -> %s %s", l->local, l->remote,
				 sockdiag_state_name(l->state));
		}
		return;
	}
	for (int i = 0; i < sm->nunx; i++) {
		if (sm->unx[i].ino == f->ino) {
			f->kind = KV_UNIX;
			snprintf(f->what, sizeof f->what, "unix %s", sm->unx[i].path[0] ? sm->unx[i].path : "(unnamed)");
			return;
		}
	}
	snprintf(f->what, sizeof f->what, "socket (inode %lu)", f->ino);
}

/* qsort order of fd entries: by ascending fd number. */
static int
cmp_fd(const void *a, const void *b)
{
	return ((const struct kv_fd *)a)->fd - ((const struct kv_fd *)b)->fd;
}

/* Read one process's fds.  Sets p->gone or p->err when it cannot. */
static void
read_proc(struct kv_proc *p, const struct sockmap *sm)
{
	char dir[64];
	DIR *d;
	struct dirent *de;
	int cap = 0;

	if (proctab_read(p->pid, &p->row) < 0) {
		p->gone = 1;
		return;
	}
	snprintf(dir, sizeof dir, "/proc/%d/fd", p->pid);
	d = opendir(dir);
	if (d == NULL) {
		p->err = errno;
		if (errno == ENOENT)
			p->gone = 1;
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char path[128], info[65536];
		struct kv_fd *f;
		struct stat st;
		ssize_t k;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (p->nfds == cap) {
			cap = cap ? cap * 2 : 32;
			p->fds = xreallocarray(p->fds, (size_t)cap, sizeof *p->fds);
		}
		f = &p->fds[p->nfds];
		memset(f, 0, sizeof *f);
		f->fd = atoi(de->d_name);
		snprintf(path, sizeof path, "/proc/%d/fd/%d", p->pid, f->fd);
		k = readlink(path, f->link, sizeof f->link - 1);
		if (k < 0)
			continue; /* closed meanwhile */
		f->link[k] = '\0';
		f->kind = kview_classify(f->link, &f->ino);
		/* stat follows the magic link: the inode fdinfo's tfd lines name, for every kind. */
		if (stat(path, &st) == 0) {
			f->ino = st.st_ino;
			if (f->kind == KV_FILE)
				f->kind = S_ISDIR(st.st_mode) ? KV_DIR : S_ISCHR(st.st_mode) ? KV_CHR
					: S_ISFIFO(st.st_mode) ? KV_FIFO : KV_FILE;
		}
		switch (f->kind) {
		case KV_SOCKET: describe_socket(sm, f); break;
		case KV_PIPE: snprintf(f->what, sizeof f->what, "pipe (inode %lu)", f->ino); break;
		case KV_EPOLL: snprintf(f->what, sizeof f->what, "epoll instance"); break;
		case KV_EVENTFD:
		case KV_TIMERFD:
		case KV_SIGNALFD:
		case KV_INOTIFY:
		case KV_PIDFD: snprintf(f->what, sizeof f->what, "%s", kview_kind_name(f->kind)); break;
		default: snprintf(f->what, sizeof f->what, "%s %.110s", kview_kind_name(f->kind), f->link); break;
		}
		if (f->kind == KV_EPOLL) {
			snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", p->pid, f->fd);
			if (read_text_file(path, info, sizeof info) > 0)
				kview_parse_fdinfo(info, &f->info);
		}
		p->nfds++;
	}
	closedir(d);
	if (p->nfds > 1) /* a zombie has no fd at all, and qsort must not get NULL */
		qsort(p->fds, (size_t)p->nfds, sizeof *p->fds, cmp_fd);
}

/* The fd entry of pid, or NULL. */
static const struct kv_fd *
kview_fd(const struct kview *kv, int pid, int fd)
{
	for (int i = 0; i < kv->np; i++) {
		if (kv->p[i].pid != pid)
			continue;
		for (int k = 0; k < kv->p[i].nfds; k++)
			if (kv->p[i].fds[k].fd == fd)
				return &kv->p[i].fds[k];
	}
	return NULL;
}

/*
 * Is pid's fd the very file registered in epfd (of epid) under tfd?  Both
 * ends of a pipe share an inode, so the inode alone cannot tell;
 * kcmp(KCMP_EPOLL_TFD) can.  When kcmp is refused, the inode has to do.
 */
static int
same_target(int pid, int fd, int epid, int epfd, int tfd, int toff)
{
	struct kcmp_epoll_slot slot = { .efd = (uint32_t)epfd, .tfd = (uint32_t)tfd, .toff = (uint32_t)toff };
	long r = syscall(SYS_kcmp, pid, epid, KCMP_EPOLL_TFD, fd, (unsigned long)&slot);

	return r == 0 || (r < 0 && errno != ENOENT && errno != EBADF);
}

/* What a watched file is: the fd with the same inode, in this process or another. */
static void
describe_watches(struct kview *kv)
{
	for (int i = 0; i < kv->np; i++) {
		for (int k = 0; k < kv->p[i].nfds; k++) {
			struct kv_fd *e = &kv->p[i].fds[k];

			for (int w = 0; w < e->info.nw; w++) {
				struct kv_watch *wt = &e->info.w[w];
				const struct kv_fd *same = kview_fd(kv, kv->p[i].pid, wt->tfd);
				int toff = 0;

				/* Several files can be registered under one fd number (shared instances). */
				for (int v = 0; v < w; v++)
					toff += e->info.w[v].tfd == wt->tfd;

				if (same && (!wt->has_ino || same->ino == wt->ino) &&
				    same_target(kv->p[i].pid, same->fd, kv->p[i].pid, e->fd, wt->tfd, toff)) {
					str_copy(wt->what, same->what, sizeof wt->what);
					continue;
				}
				/* Another holder of the instance, or a file kept open by a dup. */
				for (int j = 0; j < kv->np && !wt->what[0]; j++)
					for (int m = 0; m < kv->p[j].nfds && !wt->what[0]; m++) {
						const struct kv_fd *o = &kv->p[j].fds[m];

						if (!wt->has_ino || o->ino != wt->ino || o->kind == KV_EPOLL)
							continue;
						if (!same_target(kv->p[j].pid, o->fd, kv->p[i].pid, e->fd, wt->tfd, toff))
							continue;
						if (kv->p[j].pid == kv->p[i].pid)
							snprintf(wt->what, sizeof wt->what,
								 "fd %d was closed, but the file is still open as "
								 "fd %d (a dup): %.60s", wt->tfd, o->fd, o->what);
						else
							snprintf(wt->what, sizeof wt->what, "%.80s (fd %d of pid %d)",
								 o->what, o->fd, kv->p[j].pid);
					}
				if (!wt->what[0])
					snprintf(wt->what, sizeof wt->what,
						 same ? "fd %d is now another file; the registered one is still open elsewhere"
						      : "fd %d is closed here; the file is still open elsewhere (a dup or a fork)",
						 wt->tfd);
			}
		}
	}
}

/* Group epoll fds into kernel instances with kcmp(KCMP_FILE). */
static void
group_instances(struct kview *kv)
{
	struct {
		int pid, fd;
	} rep[256];
	int nrep = 0;

	for (int i = 0; i < kv->np; i++) {
		for (int k = 0; k < kv->p[i].nfds; k++) {
			struct kv_fd *e = &kv->p[i].fds[k];
			int g = 0, refused = 0;

			if (e->kind != KV_EPOLL)
				continue;
			for (int r = 0; r < nrep && !g; r++) {
				long c = syscall(SYS_kcmp, kv->p[i].pid, rep[r].pid, KCMP_FILE, e->fd, rep[r].fd);

				if (c == 0)
					g = r + 1;
				else if (c < 0) {
					refused = 1;
					kv->kcmp_err = errno;
				}
			}
			if (!g && refused) {
				e->instance = 0; /* never guess */
				kv->unknown++;
				continue;
			}
			if (!g) {
				/* kcmp on itself tells whether it may be compared at all. */
				if (syscall(SYS_kcmp, kv->p[i].pid, kv->p[i].pid, KCMP_FILE, e->fd, e->fd) < 0) {
					kv->kcmp_err = errno;
					e->instance = 0;
					kv->unknown++;
					continue;
				}
				if (nrep == (int)ARRAY_LEN(rep)) {
					e->instance = 0;
					kv->unknown++;
					continue;
				}
				rep[nrep].pid = kv->p[i].pid;
				rep[nrep].fd = e->fd;
				g = ++nrep;
			}
			e->instance = g;
		}
	}
	kv->ninstances = nrep;
}

/* Append the descendants of pid (from a snapshot of all processes). */
static int
add_descendants(int **pids, int *n, int *cap, const struct proc_row *all, int nall, int pid)
{
	for (int i = 0; i < nall; i++) {
		if (all[i].ppid != pid)
			continue;
		if (*n == *cap) {
			*cap *= 2;
			*pids = xreallocarray(*pids, (size_t)*cap, sizeof **pids);
		}
		(*pids)[(*n)++] = all[i].pid;
		add_descendants(pids, n, cap, all, nall, all[i].pid);
	}
	return 0;
}

/* Read each pid once (with children, their descendants too); tell instances and watches apart. */
int
kview_read(struct kview *kv, const int *pids, int npids, int children)
{
	struct sockmap sm;
	int *list, n = 0, cap = npids + 16;

	memset(kv, 0, sizeof *kv);
	list = xcalloc((size_t)cap, sizeof *list);
	for (int i = 0; i < npids; i++)
		list[n++] = pids[i];
	if (children) {
		struct proc_row *all = xcalloc(KV_MAX_PROCS, sizeof *all);
		int nall = proctab_scan(NULL, NULL, all, KV_MAX_PROCS);

		for (int i = 0; i < npids; i++)
			add_descendants(&list, &n, &cap, all, nall, pids[i]);
		free(all);
	}
	sockmap_read(&sm);
	kv->p = xcalloc((size_t)n, sizeof *kv->p);
	for (int i = 0; i < n; i++) {
		int dup = 0;

		for (int j = 0; j < kv->np; j++)
			dup |= kv->p[j].pid == list[i];
		if (dup)
			continue;
		kv->p[kv->np].pid = list[i];
		read_proc(&kv->p[kv->np], &sm);
		kv->np++;
	}
	free(list);
	sockmap_free(&sm);
	group_instances(kv);
	describe_watches(kv);
	return 0;
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
	memset(kv, 0, sizeof *kv);
}

/* Append kv as one JSON document: processes, instances and listening sockets. */
void
kview_json(const struct kview *kv, struct strbuf *b)
{
	sb_add(b, "{\"processes\":[");
	for (int i = 0; i < kv->np; i++) {
		const struct kv_proc *p = &kv->p[i];
		int first = 1;

		sb_printf(b, "%s{\"pid\":%d", i ? "," : "", p->pid);
		if (p->gone) {
			sb_add(b, ",\"gone\":true}");
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

			snprintf(msg, sizeof msg, "%s: cannot read /proc/%d/fd: %s", errno_name(p->err), p->pid,
				 strerror(p->err));
			sb_json_str(b, msg);
		} else {
			sb_add(b, "null");
		}
		sb_add(b, ",\"fds\":[");
		for (int k = 0; k < p->nfds; k++) {
			const struct kv_fd *f = &p->fds[k];

			sb_printf(b, "%s{\"fd\":%d,\"kind\":\"%s\",\"inode\":%lu,\"what\":", k ? "," : "", f->fd,
				  kview_kind_name(f->kind), f->ino);
			sb_json_str(b, f->what);
			if (f->listening)
				sb_printf(b, ",\"listening\":true,\"queue\":%u,\"backlog\":%u", f->qlen, f->backlog);
			sb_add(b, "}");
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

				sb_printf(b, "%s{\"fd\":%d,\"events\":", w ? "," : "", wt->tfd);
				trace_rec_json_mask(b, wt->events);
				sb_printf(b, ",\"data\":%llu,\"inode\":%lu,\"what\":", (unsigned long long)wt->data,
					  wt->ino);
				sb_json_str(b, wt->what);
				sb_add(b, "}");
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
			sb_printf(b, "%s{\"pid\":%d,\"fd\":%d,\"inode\":%lu,\"queue\":%u,\"backlog\":%u,\"what\":",
				  first ? "" : ",", kv->p[i].pid, f->fd, f->ino, f->qlen, f->backlog);
			sb_json_str(b, f->what);
			sb_add(b, "}");
			first = 0;
		}
	sb_add(b, "]}\n");
}

/* Append a ps-like report of kv with every epoll fd and its interest list. */
void
kview_text(const struct kview *kv, struct strbuf *b)
{
	char m[160];

	sb_printf(b, "%-7s %-7s %-7s %-7s %-7s %-7s %-4s %s\n", "PID", "PPID", "PGID", "SID", "TTY", "TPGID",
		  "STAT", "CMD");
	for (int i = 0; i < kv->np; i++) {
		const struct kv_proc *p = &kv->p[i];

		if (p->gone) {
			sb_printf(b, "%-7d (gone)\n", p->pid);
			continue;
		}
		sb_printf(b, "%-7d %-7d %-7d %-7d %-7s %-7d %-4c %.100s\n", p->pid, p->row.ppid, p->row.pgid,
			  p->row.sid, p->row.tty, p->row.tpgid, p->row.state, p->row.cmd);
		if (p->err) {
			sb_printf(b, "        cannot read /proc/%d/fd: %s\n", p->pid, strerror(p->err));
			continue;
		}
		for (int k = 0; k < p->nfds; k++) {
			const struct kv_fd *f = &p->fds[k];

			if (f->listening)
				sb_printf(b, "        fd %-4d %s\n", f->fd, f->what);
			if (f->kind != KV_EPOLL)
				continue;
			if (f->instance)
				sb_printf(b, "        fd %-4d epoll instance #%d, %d watched:\n", f->fd, f->instance,
					  f->info.nw);
			else
				sb_printf(b, "        fd %-4d epoll instance (unknown: kcmp refused), %d watched:\n",
					  f->fd, f->info.nw);
			for (int w = 0; w < f->info.nw; w++)
				sb_printf(b, "                  fd %-4d %-28s data %-8llx %s\n", f->info.w[w].tfd,
					  epoll_mask_str(f->info.w[w].events, 1, m, sizeof m),
					  (unsigned long long)f->info.w[w].data, f->info.w[w].what);
		}
	}
	if (kv->unknown)
		sb_printf(b, "%d epoll instance%s told apart by kcmp; %d could not be compared (%s)\n",
			  kv->ninstances, kv->ninstances == 1 ? "" : "s", kv->unknown,
			  kv->kcmp_err ? strerror(kv->kcmp_err) : "?");
	else
		sb_printf(b, "%d epoll instance%s, told apart by kcmp(KCMP_FILE)\n", kv->ninstances,
			  kv->ninstances == 1 ? "" : "s");
}
