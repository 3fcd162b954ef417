# SPDX-License-Identifier: GPL-2.0-or-later
# ctest driver for one fuzzer: fuzz a fresh copy of the seed corpus for SECONDS seconds; a
# crash, leak, sanitizer report or timeout makes libFuzzer exit non-zero and fails the test.
# Inputs: FUZZER, SEEDS, WORK, ARTIFACTS, SECONDS.
foreach(var FUZZER SEEDS WORK ARTIFACTS SECONDS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_fuzz.cmake: -D${var}=... missing")
  endif()
endforeach()
if(NOT IS_DIRECTORY "${SEEDS}")
  message(FATAL_ERROR "no seed corpus at ${SEEDS}: build the fuzzer target first")
endif()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}" "${ARTIFACTS}")
file(GLOB seeds "${SEEDS}/*")
file(COPY ${seeds} DESTINATION "${WORK}")

execute_process(
  COMMAND "${FUZZER}" -max_total_time=${SECONDS} -rss_limit_mb=2048 -timeout=10
          -print_final_stats=1 -artifact_prefix=${ARTIFACTS}/ "${WORK}"
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${FUZZER} failed (exit ${rc}); the input that triggered it is in "
                      "${ARTIFACTS}/, reproduce with: ${FUZZER} ${ARTIFACTS}/<file>")
endif()
