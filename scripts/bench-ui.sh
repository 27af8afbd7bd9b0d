#!/usr/bin/env bash
# bench-ui.sh measures the Authdesk window under X (Xvfb) with 1,000
# accounts, beside the same figures, taken in the same run, for an empty
# Fyne window (the toolkit's floor) and for Debian's otpclient (a GTK
# authenticator):
#
#   - time from process start to the first frame with codes (median of 3);
#   - resident memory after a minute;
#   - CPU time used over 60 s idle, as a share of one core;
#   - time to scroll the whole list, a page per drawn frame.
#
# Usage: scripts/bench-ui.sh   (uses $DISPLAY, else starts its own Xvfb)
# Takes about 2–3 minutes. Needs Xvfb, xdotool; installs otpclient from
# Debian when it is missing and apt-get can (skipped otherwise).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/authdesk-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

say() { echo "bench-ui: $*" >&2; }

if [ -z "${DISPLAY:-}" ]; then
  Xvfb -displayfd 6 -screen 0 1280x1024x24 -nolisten tcp 6>"$work/display" >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do [ -s "$work/display" ] && break; sleep 0.05; done
  export DISPLAY=":$(cat "$work/display")"
fi
say "building authdesk and the empty window"
(cd "$root" && go build -o "$work/authdesk" ./cmd/authdesk &&
  go build -o "$work/emptywin" ./cmd/authdesk/internal/emptywin &&
  go run ./cmd/authdesk/internal/mkvault -o "$work/vault.json" -n 1000 -password bench-password)
# No keyring, no tray, nothing of the caller's desktop: the same for every
# program measured.
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent
mkdir -p "$HOME"

export AUTHDESK_VAULT="$work/vault.json" AUTHDESK_PASSWORD=bench-password AUTHDESK_BENCH=1

if ! command -v otpclient >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  say "installing otpclient"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq otpclient >/dev/null 2>&1 || true
fi

# launch NAME CMD...: start in the background, stderr to $work/NAME.err.
launch() {
  local name=$1; shift
  "$@" 2>"$work/$name.err" >/dev/null &
  echo $!
}

# first_frame FILE PID: wait for the first-frame-ms line, print the number.
first_frame() {
  for _ in $(seq 1 600); do
    if grep -q '^first-frame-ms=' "$1" 2>/dev/null; then
      sed -n 's/^first-frame-ms=//p' "$1" | head -1
      return
    fi
    kill -0 "$2" 2>/dev/null || { say "process died: $(cat "$1")"; echo NA; return; }
    sleep 0.05
  done
  echo NA
}

stop() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

median() { grep -v '^NA$' | sort -n | awk '{a[NR]=$1} END {if (NR==0) print "NA"; else print a[int((NR+1)/2)]}'; }

cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
rss_mib() { awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo NA; }

# Start-up: three launches each, one after the other.
declare -A ff
for prog in emptywin authdesk; do
  runs=()
  for i in 1 2 3; do
    pid=$(launch "$prog$i" "$work/$prog")
    runs+=("$(first_frame "$work/$prog$i.err" "$pid")")
    stop "$pid"
  done
  ff[$prog]=$(printf '%s\n' "${runs[@]}" | median)
  say "$prog first frame: ${runs[*]} ms"
done

# otpclient: time to its first window (it has no frame hook), same way.
otp_ff=NA
if command -v otpclient >/dev/null 2>&1; then
  runs=()
  for i in 1 2 3; do
    rm -rf "$HOME/.config/otpclient" "$HOME/.config/otpclient.cfg"
    t0=$(date +%s%N)
    pid=$(launch otp$i otpclient)
    ms=NA
    for _ in $(seq 1 400); do
      if xdotool search --pid "$pid" --onlyvisible --name . >/dev/null 2>&1; then
        ms=$(( ($(date +%s%N) - t0) / 1000000 )); break
      fi
      sleep 0.025
    done
    runs+=("$ms")
    stop "$pid"
  done
  otp_ff=$(printf '%s\n' "${runs[@]}" | median)
  say "otpclient first window: ${runs[*]} ms"
fi

# Idle: all three showing, left alone for a minute.
say "idle minute"
e=$(launch emptywin-idle "$work/emptywin")
a=$(launch authdesk-idle "$work/authdesk")
pids+=("$e" "$a")
first_frame "$work/emptywin-idle.err" "$e" >/dev/null
first_frame "$work/authdesk-idle.err" "$a" >/dev/null
o=""
if command -v otpclient >/dev/null 2>&1; then
  rm -rf "$HOME/.config/otpclient" "$HOME/.config/otpclient.cfg"
  o=$(launch otpclient-idle otpclient)
  pids+=("$o")
fi
sleep 5
e0=$(cpu_ticks "$e"); a0=$(cpu_ticks "$a"); o0=0; [ -n "$o" ] && o0=$(cpu_ticks "$o")
sleep 60
e1=$(cpu_ticks "$e"); a1=$(cpu_ticks "$a"); o1=0; [ -n "$o" ] && o1=$(cpu_ticks "$o")
pct() { awk -v d="$(( $2 - $1 ))" 'BEGIN {printf "%.2f", d/100/60*100}'; }
e_cpu=$(pct "$e0" "$e1"); a_cpu=$(pct "$a0" "$a1"); o_cpu=NA; [ -n "$o" ] && o_cpu=$(pct "$o0" "$o1")
e_rss=$(rss_mib "$e"); a_rss=$(rss_mib "$a"); o_rss=NA; [ -n "$o" ] && o_rss=$(rss_mib "$o")
stop "$e"; stop "$a"; [ -n "$o" ] && stop "$o"

# Scroll: the whole list, a page per drawn frame.
say "scrolling 1,000 accounts"
s=$(launch authdesk-scroll env AUTHDESK_BENCH_SCROLL=1 "$work/authdesk")
for _ in $(seq 1 1200); do
  grep -q '^scroll-ms=' "$work/authdesk-scroll.err" 2>/dev/null && break
  sleep 0.05
done
scroll=$(sed -n 's/^scroll-ms=\([0-9]*\) pages=\([0-9]*\)/\1 ms for \2 pages/p' "$work/authdesk-scroll.err")
per=$(sed -n 's/^scroll-ms=\([0-9]*\) pages=\([0-9]*\)/\1 \2/p' "$work/authdesk-scroll.err" | awk '{ if ($2>0) printf "%.1f", $1/$2 }')
stop "$s"

printf '\n%-34s %14s %16s %14s\n' "Authdesk UI, Xvfb" "empty Fyne" "authdesk 1,000" "otpclient*"
printf '%-34s %14s %16s %14s\n' "first frame (ms, median of 3)" "${ff[emptywin]}" "${ff[authdesk]}" "$otp_ff"
printf '%-34s %14s %16s %14s\n' "resident memory after 1 min (MiB)" "$e_rss" "$a_rss" "$o_rss"
printf '%-34s %14s %16s %14s\n' "CPU over 60 s idle (% of a core)" "$e_cpu" "$a_cpu" "$o_cpu"
printf '%-34s %14s %16s %14s\n' "scroll the whole list" "-" "${scroll:-NA}" "-"
echo
awk -v f="${ff[authdesk]}" -v er="$e_rss" -v ar="$a_rss" -v ec="$e_cpu" -v ac="$a_cpu" -v per="$per" 'BEGIN {
  printf "authdesk vs the empty window: first frame %s ms (target < 1000), memory +%.1f MiB (target <= +40), idle CPU +%.2f points (target <= +1)", f, ar-er, ac-ec
  if (per != "") printf ", %s ms per scrolled page", per
  printf "\n"
}'
echo "* otpclient 3.x keeps its accounts in its own Argon2id-encrypted database that only its GUI"
echo "  creates and imports into, so it is measured at its first-run screen, with no accounts:"
echo "  a floor for a GTK authenticator, not a like-for-like load of 1,000 accounts."
