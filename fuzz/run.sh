#!/usr/bin/env bash
# Builds the fuzz targets with clang++ (libFuzzer + AddressSanitizer + UBSan) and runs each
# for N seconds (first argument; default 600). Kept out of the main CMake build, which uses g++.
#
#   fuzz/run.sh          # 600 s per target, the documented run
#   fuzz/run.sh 30       # CI
#
# Build output and the growing corpora live in build/fuzz/; seeds in fuzz/seeds/<target>/.
# A crash leaves its input in build/fuzz/crash-* and makes the script exit non-zero.
set -euo pipefail

seconds="${1:-600}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${root}/build/fuzz"
mkdir -p "${out}"

cxx="${CXX_FUZZ:-clang++}"
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
       -fno-sanitize-recover=undefined -I"${root}/src")
re2_flags=$(pkg-config --cflags --libs re2)

confirm_sources=(
  "${root}/src/confirm/shell_split.cc"
  "${root}/src/confirm/detail/wrappers.cc"
  "${root}/src/confirm/pattern.cc"
  "${root}/src/confirm/policy.cc"
  "${root}/src/confirm/default_patterns.cc"
  "${root}/src/confirm/tool_options.cc"
  "${root}/src/confirm/code_env.cc"
)

sketch_sources=(
  "${root}/src/analytics/sketch.cc"
  "${root}/src/analytics/encoded_sketch.cc"
)

targets=(shell_split_fuzz policy_fuzz confirm_request_fuzz sketch_decode_fuzz request_parser_fuzz
         tool_options_fuzz code_env_fuzz rls_mapping_fuzz resp_reply_fuzz
         outside_text_fuzz analytics_query_fuzz request_target_fuzz strict_json_fuzz)

# What reads a request's query: Boost.URL (compiled into the target, as in gaia_boost_url), the
# problem answers (Beast header-only here), JSON text.
url_sources=(
  "${root}/src/http/boost_url_impl.cc"
  "${root}/src/http/query.cc"
  "${root}/src/http/json_text.cc"
  "${root}/src/http/message.cc"
)

for t in "${targets[@]}"; do
  echo "fuzz: building ${t}"
  if [[ "${t}" == rls_mapping_fuzz ]]; then
    "${cxx}" "${flags[@]}" "${root}/fuzz/${t}.cc" "${root}/src/rls/mapping.cc" \
      "${root}/src/rls/trusted_peers.cc" "${root}/src/core/text_check.cc" -o "${out}/${t}"
    continue
  fi
  # Redis replies: hiredis is the protocol codec (the system library, not instrumented).
  if [[ "${t}" == resp_reply_fuzz ]]; then
    # shellcheck disable=SC2046
    "${cxx}" "${flags[@]}" "${root}/fuzz/${t}.cc" "${root}/src/cluster/redis/resp.cc" \
      $(pkg-config --libs hiredis) -o "${out}/${t}"
    continue
  fi
  if [[ "${t}" == outside_text_fuzz ]]; then
    "${cxx}" "${flags[@]}" "${root}/fuzz/${t}.cc" "${root}/src/core/text_check.cc" \
      "${root}/src/core/log_escape.cc" "${root}/src/core/redact_url.cc" -o "${out}/${t}"
    continue
  fi
  # The analytics query parser and what it reads through (query parameters, RFC 3339 times,
  # the report's bounds). Its files also define functions the target never calls, whose
  # dependencies (the store, the directory) are not linked: lld drops them with their sections.
  if [[ "${t}" == analytics_query_fuzz ]]; then
    "${cxx}" "${flags[@]}" -ffunction-sections -fdata-sections -fuse-ld=lld -Wl,--gc-sections \
      -DBOOST_JSON_NO_LIB -DBOOST_CONTAINER_NO_LIB "${root}/fuzz/${t}.cc" \
      "${root}/src/api/admin/analytics_query.cc" "${root}/src/api/admin/admin_support.cc" \
      "${root}/src/api/api_support.cc" "${root}/src/analytics/report.cc" \
      "${root}/src/store/store.cc" "${url_sources[@]}" -o "${out}/${t}"
    continue
  fi
  if [[ "${t}" == request_target_fuzz ]]; then
    "${cxx}" "${flags[@]}" -DBOOST_JSON_NO_LIB -DBOOST_CONTAINER_NO_LIB "${root}/fuzz/${t}.cc" \
      "${root}/src/http/detail/target_text.cc" "${root}/src/core/text_check.cc" \
      "${url_sources[@]}" -o "${out}/${t}"
    continue
  fi
  if [[ "${t}" == strict_json_fuzz ]]; then
    "${cxx}" "${flags[@]}" -DBOOST_JSON_NO_LIB -DBOOST_CONTAINER_NO_LIB "${root}/fuzz/${t}.cc" \
      "${root}/src/http/strict_json.cc" -o "${out}/${t}"
    continue
  fi
  if [[ "${t}" == sketch_decode_fuzz ]]; then
    "${cxx}" "${flags[@]}" "${root}/fuzz/${t}.cc" "${sketch_sources[@]}" -o "${out}/${t}"
    continue
  fi
  # Beast is header-only here (the main build compiles it once, separately). Its assertions
  # are off, as in a release build: Boost 1.81's chunk-header parser asserts n >= 5 where a
  # read may end after "0\r\n" plus one byte, and then correctly asks for more
  # (boostorg/beast#2861).
  if [[ "${t}" == request_parser_fuzz ]]; then
    "${cxx}" "${flags[@]}" -DBOOST_DISABLE_ASSERTS "${root}/fuzz/${t}.cc" \
      "${root}/src/http/detail/request_parser.cc" -o "${out}/${t}"
    continue
  fi
  extra=()
  # The confirm request parser lives in src/confirm; Boost.JSON is compiled into the target.
  if [[ "${t}" == confirm_request_fuzz ]]; then
    extra=("${root}/src/confirm/confirm_request.cc" -DBOOST_JSON_NO_LIB -DBOOST_CONTAINER_NO_LIB)
  fi
  # shellcheck disable=SC2086
  "${cxx}" "${flags[@]}" "${root}/fuzz/${t}.cc" "${confirm_sources[@]}" "${extra[@]}" \
    ${re2_flags} -o "${out}/${t}"
done

status=0
for t in "${targets[@]}"; do
  corpus="${out}/corpus/${t}"
  seeds="${root}/fuzz/seeds/${t%_fuzz}"
  mkdir -p "${corpus}"
  echo "fuzz: running ${t} for ${seconds}s"
  if ! (cd "${out}" && ASAN_OPTIONS=detect_leaks=1 "./${t}" -max_total_time="${seconds}" \
        -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        "${corpus}" "${seeds}" 2>&1 | tee "${out}/${t}.log" | grep -E "^(#[0-9]+ +DONE|stat::|==[0-9]+==|SUMMARY)|Done [0-9]+ runs"); then
    :
  fi
  if grep -qE "ERROR: libFuzzer|ERROR: AddressSanitizer|runtime error|SUMMARY: " "${out}/${t}.log"; then
    echo "fuzz: ${t} FAILED, see ${out}/${t}.log"
    status=1
  else
    echo "fuzz: ${t} passed"
  fi
done
exit "${status}"
