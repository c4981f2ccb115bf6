# SPDX-License-Identifier: GPL-3.0-or-later
# Sanitizer and fuzzing builds. Everything here is attached to tagscope_warnings, the interface
# target every project target links, so libraries, executables and tests are all instrumented.
#
#   -DTAGSCOPE_SANITIZER=address   AddressSanitizer + UndefinedBehaviorSanitizer (tools/sanitize.sh)
#   -DTAGSCOPE_SANITIZER=thread    ThreadSanitizer (tools/sanitize.sh --thread, for the ui tests)
#   -DTAGSCOPE_SANITIZER_SKIP="tagscope_model;..."  targets compiled without instrumentation (still
#                                  linked with the runtime); TSan uses it to keep the torch layer,
#                                  which it cannot see into anyway, out of a long rebuild
#   -DTAGSCOPE_FUZZ=ON             libFuzzer executables fuzz_<target> (clang only; implies address)
set(TAGSCOPE_SANITIZER "" CACHE STRING "Sanitizers: empty, 'address' (ASan+UBSan) or 'thread' (TSan)")
set_property(CACHE TAGSCOPE_SANITIZER PROPERTY STRINGS "" address thread)
set(TAGSCOPE_SANITIZER_SKIP "" CACHE STRING "Targets compiled without sanitizer instrumentation")
option(TAGSCOPE_FUZZ "Build the libFuzzer executables in fuzz/ (needs clang)" OFF)

if(TAGSCOPE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "TAGSCOPE_FUZZ needs clang (e.g. CXX=clang++-14); the compiler is ${CMAKE_CXX_COMPILER_ID}")
  endif()
  if(TAGSCOPE_SANITIZER STREQUAL "")
    set(TAGSCOPE_SANITIZER address CACHE STRING "" FORCE)
  endif()
endif()

if(TAGSCOPE_SANITIZER STREQUAL "address")
  # NOTE: UBSan findings abort (no recovery), so a test that triggers one fails.
  set(_flags -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
elseif(TAGSCOPE_SANITIZER STREQUAL "thread")
  set(_flags -fsanitize=thread -fno-omit-frame-pointer)
elseif(NOT TAGSCOPE_SANITIZER STREQUAL "")
  message(FATAL_ERROR "TAGSCOPE_SANITIZER must be empty, 'address' or 'thread' (got '${TAGSCOPE_SANITIZER}')")
endif()

if(_flags)
  set(_compile ${_flags})
  if(TAGSCOPE_FUZZ)
    list(APPEND _compile -fsanitize=fuzzer-no-link)
  endif()
  set(_skipped "$<IN_LIST:$<TARGET_PROPERTY:NAME>,${TAGSCOPE_SANITIZER_SKIP}>")
  target_compile_options(tagscope_warnings INTERFACE "$<$<NOT:${_skipped}>:${_compile}>")
  target_link_options(tagscope_warnings INTERFACE ${_flags})
  message(STATUS "Tagscope: sanitizer build (${TAGSCOPE_SANITIZER}); uninstrumented: ${TAGSCOPE_SANITIZER_SKIP}")
endif()
