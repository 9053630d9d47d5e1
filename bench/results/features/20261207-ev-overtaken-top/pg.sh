#!/usr/bin/env bash
# A PostgreSQL of our own on loopback (default settings, fsync on), the events scenario on it with each build, then stopped.
set -u
work=$(mktemp -d /tmp/ev/pgwork.XXXXXX); chmod 755 /tmp/ev "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
mkdir -p "$work/pg" "$work/sock"; chown postgres "$work/pg" "$work/sock"
stop() { su postgres -s /bin/sh -c "/usr/lib/postgresql/15/bin/pg_ctl -D $work/pg -m fast stop" >/dev/null 2>&1; rm -rf "$work"; }
trap stop EXIT INT TERM
su postgres -s /bin/sh -c "/usr/lib/postgresql/15/bin/initdb -D $work/pg --auth=trust -U postgres" >/dev/null || exit 1
su postgres -s /bin/sh -c "/usr/lib/postgresql/15/bin/pg_ctl -D $work/pg -w -l $work/sock/pg.log -o \"-p $port -c listen_addresses=127.0.0.1 -k $work/sock -c max_connections=300\" start" >/dev/null || exit 1
export HUBBUB_BENCH_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Pooling=true"
cd /work/wt/ev
for which in "$@"; do
  case $which in A) dll=/work/baseline/Hubbub.Server.dll;; B) dll=/tmp/ev/newbuild/Hubbub.Server.dll;; esac
  echo "== pg $which start $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/ev/runs.log
  before=$(ls bench/results/*.md 2>/dev/null | sort)
  HUBBUB_BENCH_SERVER_DLL=$dll dotnet run -c Release --project bench/Hubbub.Bench -- events --issue-size --databases postgres --rounds 1 --step-seconds 10 > /tmp/ev/pgrun-$which-$(date +%H%M%S).log 2>&1
  after=$(ls bench/results/*.md 2>/dev/null | sort)
  echo "== pg $which end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg) new: $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')" >> /tmp/ev/runs.log
done
