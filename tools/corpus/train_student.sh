#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# One session of the bundled student's noisy-student training; run it again to continue.
# Every stage is resumable: the file list is rebuilt cheaply, cached teacher targets are
# skipped, and training continues from its last checkpoint with the options it started with.
#   tools/corpus/train_student.sh [CACHE_MINUTES] [TRAIN_MINUTES]
# Environment: CLI (tagscope-cli), DATA (/work/data), TEACHERS (../shared/models/upstream).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cli=${CLI:-tagscope-cli}
data=${DATA:-/work/data}
teachers=${TEACHERS:-$here/../../../shared/models/upstream}
cache_minutes=${1:-20}
train_minutes=${2:-60}
run_dir="$data/runs/mtt_student"

sh "$here/install_corpus.sh"
[ -f "$data/corpus/files.tsv" ] || sh "$here/build_file_list.sh" "$data/corpus/files.tsv" "$cli"
"$cli" train cache --corpus "$data/corpus/files.tsv" --cache "$data/teacher_cache" --teachers "$teachers" \
    --max-windows 3 --max-minutes "$cache_minutes"
resume=""
[ -f "$run_dir/checkpoint.safetensors" ] && resume="--resume"
"$cli" train run $resume --corpus "$data/corpus/files.tsv" --cache "$data/teacher_cache" --teachers "$teachers" \
    --run-dir "$run_dir" --max-minutes "$train_minutes"
"$cli" train eval --corpus "$data/corpus/files.tsv" --cache "$data/teacher_cache" --teachers "$teachers" \
    --run-dir "$run_dir" --split validation
