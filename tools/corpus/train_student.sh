#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The bundled student's noisy-student training, in resumable stages; run it again to continue.
#   tools/corpus/train_student.sh [CACHE_MINUTES] [TRAIN_MINUTES]
# Environment: CLI (tagscope-cli), DATA (/work/data), TEACHERS (../shared/models/upstream),
# THREADS (torch threads of training, 2).
#
# Stages (each skipped once done, each resumable from its checkpoint):
#   1. corpus: install the packages of packages.tsv, list their music files >= 30 s;
#   2. cache:  run the 8 upstream teachers once per file (two 29 s windows) and keep their targets;
#   3. bce:    2000 steps of soft-target BCE (lr 1e-3) from random weights;
#   4. logit:  6000 steps started from stage 3's best student with the logit-space term
#              (--logit-weight 1, lr 5e-4), which teaches the low-probability MSD/Jamendo tags;
#   5. eval:   the student and every single teacher against the ensemble on the test packages.
# Export the result with: tagscope-cli train export --run-dir "$DATA/runs/student_logit" ...
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cli=${CLI:-tagscope-cli}
data=${DATA:-/work/data}
teachers=${TEACHERS:-$here/../../../shared/models/upstream}
threads=${THREADS:-2}
cache_minutes=${1:-20}
train_minutes=${2:-60}
corpus="$data/corpus/files.tsv"
common="--corpus $corpus --cache $data/teacher_cache --teachers $teachers"

sh "$here/install_corpus.sh"
[ -f "$corpus" ] || sh "$here/build_file_list.sh" "$corpus" "$cli"
"$cli" train cache $common --max-windows 2 --max-minutes "$cache_minutes"

# stage(run-dir, options...): start or resume one run, stopping after TRAIN_MINUTES.
stage() {
    run_dir=$1
    shift
    if [ -f "$run_dir/checkpoint.safetensors" ]; then
        "$cli" train run $common --threads "$threads" --resume --run-dir "$run_dir" --max-minutes "$train_minutes"
    else
        "$cli" train run $common --threads "$threads" --run-dir "$run_dir" --max-minutes "$train_minutes" "$@"
    fi
}
done_at() { [ -f "$1/log.tsv" ] && [ "$(tail -n 1 "$1/log.tsv" | cut -f1)" -ge "$2" ]; }

bce="$data/runs/student_bce"
logit="$data/runs/student_logit"
done_at "$bce" 2000 || stage "$bce" --steps 2000 --lr 1e-3 --warmup 300
done_at "$bce" 2000 || exit 0 # out of time: run again
done_at "$logit" 6000 || stage "$logit" --init "$bce/best_student.safetensors" --logit-weight 1 --lr 5e-4 \
    --steps 6000 --warmup 100 --seed 3
"$cli" train eval $common --run-dir "$logit" --split test
