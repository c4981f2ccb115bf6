# SPDX-License-Identifier: GPL-3.0-or-later
# Warnings as an interface target: link it PRIVATE to the project's own targets.
add_library(tagscope_warnings INTERFACE)
target_compile_options(tagscope_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wno-unused-parameter)
