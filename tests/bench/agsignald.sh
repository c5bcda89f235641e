# agsignald.sh: starting and stopping agsignald for the benchmark scripts (sourced).
#
# Needs: $server (the agsignald binary), $config (its configuration file), $workdir (a
# scratch directory), a die function; an optional array server_extra.
# start_server NAME sets server_pid, server_url and server_port; stop_server ends it.

stop_server() {
  if [[ -n ${server_pid:-} ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 100); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
  exec 3<&- 2>/dev/null || true
}

# Starts agsignald on 127.0.0.1 with an ephemeral port and reads its "listening on" line.
start_server() {
  local name=$1 line

  rm -f "$workdir/stdout"
  mkfifo "$workdir/stdout"
  "$server" --config "$config" --listen 127.0.0.1:0 \
    ${server_extra[@]+"${server_extra[@]}"} \
    >"$workdir/stdout" 2>"$workdir/$name.server.log" &
  server_pid=$!
  # The fifo stays open on fd 3 for the server's life, so its later output never blocks.
  exec 3<"$workdir/stdout"

  server_url=
  server_port=
  while IFS= read -r -t 10 line <&3; do
    if [[ $line =~ ^agsignald\ listening\ on\ (ws://127\.0\.0\.1:([0-9]+)/v1)$ ]]; then
      server_url=${BASH_REMATCH[1]}
      server_port=${BASH_REMATCH[2]}
      break
    fi
  done
  if [[ -z $server_url ]]; then
    cat "$workdir/$name.server.log" >&2
    die "agsignald did not report its address"
  fi
}
