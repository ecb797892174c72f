#!/bin/sh
# Usage: scripts/with-load.sh CMD [ARG...]
# Runs CMD with one CPU-bound busy loop per online core beside it (make
# test-loaded), so that a test that assumes the machine is idle fails here
# rather than on a busy CI runner.  The loops start before CMD and are killed
# when this script exits, however it exits (CMD failing, Ctrl+C, SIGTERM);
# should the script itself be SIGKILLed, each loop notices its parent is gone
# and stops.  The exit status is CMD's.
set -u

[ $# -gt 0 ] || { echo "usage: $0 CMD [ARG...]" >&2; exit 2; }

cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null || echo 1)
self=$$
pids=""

stop_load() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	pids=""
}
trap stop_load EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

i=0
while [ "$i" -lt "$cores" ]; do
	# Pure shell arithmetic (no fork): one core kept busy.  kill -0 is a
	# builtin: the loop checks now and then that this script still runs.
	(
		trap - HUP INT TERM
		while kill -0 "$self" 2>/dev/null; do
			n=0
			while [ "$n" -lt 200000 ]; do n=$((n + 1)); done
		done
	) &
	pids="$pids $!"
	i=$((i + 1))
done
echo "with-load: $cores busy loop(s) beside: $*" >&2

"$@"
exit $?
