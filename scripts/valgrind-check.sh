#!/bin/sh
# Runs a real headless scenario with the front end under valgrind and fails
# on any memory error, definite leak, or fd the front end opened and left open.
# Usage: scripts/valgrind-check.sh BIN LOG
set -u
bin=$1 log=$2
command -v valgrind >/dev/null || { echo "valgrind: not installed (apt-get install valgrind)" >&2; exit 1; }
EPOLLVIZ_SELF=$(readlink -f "$bin") valgrind -q --track-fds=yes --leak-check=full \
	--errors-for-leak-kinds=definite --error-exitcode=9 --log-file="$log" \
	"$bin" --headless everything --script 'connect 3; burst 10; writer; write x; hangup; sigint' >/dev/null
status=$?
# Every fd still open at exit must be one valgrind says we inherited.
leaked=$(awk '/Open file descriptor [0-9]+:/ { fd = $0; getline; if ($0 !~ /inherited from parent/) print fd }' "$log")
if [ -n "$leaked" ]; then
	echo "valgrind: fds left open by the front end:" >&2
	echo "$leaked" >&2
	exit 1
fi
if [ "$status" -ne 0 ]; then
	echo "valgrind: the run failed (status $status); see $log" >&2
	cat "$log" >&2
	exit 1
fi
echo "valgrind: clean (no memory error, no definite leak, no fd left open)"
