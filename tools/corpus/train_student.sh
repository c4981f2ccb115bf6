#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The bundled student's noisy-student training (v2), in resumable stages; run it again to continue.
#   tools/corpus/train_student.sh [MINUTES]
# Stops after about MINUTES (default 60) of caching or training; every stage resumes where it
# stopped. Environment: CLI (tagscope-cli), DATA (folder of the corpus list, teacher cache and
# runs; required), TEACHERS (folder of the upstream checkpoints <dataset>_<arch>.pth; required),
# THREADS (torch threads, 2), MODELS (the project's models/ folder, for v1's weights and the
# taxonomy; default: next to this script).
#
# Stages (each skipped once done):
#   1. corpus:   install the packages of packages.tsv, list their music files >= 30 s;
#   2. cache:    the 8 upstream teachers on every 29 s window of every file (all the audio);
#   3. coarse:   the coarse-level comparison of issue 12 (Zhong et al. 2023): three runs from v1's
#                weights on the same data and schedule - no coarse head (groups max-pooled after
#                the fact), rule-based grouped max-pooling with a coarse loss, attention-based
#                coarse queries - then each one's test evaluation with the coarse level scored;
#   4. mixtures: 1000 mixtures of two train windows of different packages, labelled by the
#                teachers (waveforms added, the second 0-6 dB down), for the runs that use them;
#   5. mixing:   the same fine-tune with and without the mixtures (rule head), evaluated;
#   6. coarse on all windows + mixtures: no head, and the attention head scoped to members.
#   7. capacity: stage 5's no-mixture run again with a deeper (4 layers) and a wider (token width
#      128) student, each grown from v1's weights so it starts as v1's function (--init with
#      --layers / --width); compared with stage 5's nomix run (same data, schedule and seed).
#   8. whole windows: v1's weights fine-tuned on whole 29 s windows (--crop 1813, the teachers'
#      own input length) with the mixtures, at lr 2e-4 and 5e-4; each run's weights then pulled
#      back toward v1 (WiSE-FT, interpolate_weights.py, alpha 0.75) and evaluated.
#   9. the tag-wise ranking term on whole windows; a conv front end grown to 32 channels; whole
#      windows and 5 s crops in turn (sessions 9-10).
#  10. voices: real recorded speech laid over train music windows, labelled by the teachers
#      (build_voice_tracks.sh, plan_voice_mixtures.py); the rank run continued on them.
#  11. every window and a few voices; the same with the MSD tags weighted twice (session 12).
#  12. the same without the noise (no gain, SpecAugment or dropout), with windows of rare top-5
#      tags drawn more often (--balance-power), and both (session 13); also scored on the train
#      split (how well the student fits its own training tracks).
#  13. the clean run continued twice more; then grown to 3 transformer layers, with and without a
#      window-wise list term, beside a 2-layer control; snapshots every 100 steps scored on the
#      validation and test splits at 5 and 29 s (session 14).
# The corpus is music only: build_file_list.sh leaves out the sound effects of not_music.tsv.
# Sessions 6-8 (stages 3-7) ran on files_v2.tsv, which still held 36 of them (2 in the test
# split); session 9 filtered the corpus (files_v3.tsv) and the mixture plan (mixtures_v3.tsv: the
# 837 of the 1000 planned mixtures without a sound effect).
# Session 7 ran stages 5-6 with 519 of the 1000 mixtures cached (the runs use what is cached).
# v1 was trained by this script's earlier version: 2 windows per file, 12 packages, 2000 BCE
# steps from random weights then 6000 with --logit-weight 1 (its card records it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cli=${CLI:-tagscope-cli}
data=${DATA:?set DATA to the folder for the corpus list, teacher cache and runs}
teachers=${TEACHERS:?set TEACHERS to the folder of the upstream teacher checkpoints}
models=${MODELS:-$here/../../models}
threads=${THREADS:-2}
minutes=${1:-60}
corpus="$data/corpus/files_v3.tsv"
mixtures="$data/mixtures_v3.tsv"
common="--corpus $corpus --cache $data/teacher_cache --teachers $teachers"

sh "$here/install_corpus.sh"
[ -f "$corpus" ] || sh "$here/build_file_list.sh" "$corpus" "$cli"
"$cli" train cache $common --threads "$threads" --max-windows 0 --max-minutes "$minutes"

# stage(run-dir, steps, options...): start or resume one run, stopping after MINUTES.
done_at() { [ -f "$1/log.tsv" ] && [ "$(tail -n 1 "$1/log.tsv" | cut -f1)" -ge "$2" ]; }
stage() {
    run_dir=$1 steps=$2
    shift 2
    done_at "$run_dir" "${UNTIL:-$steps}" && return 0
    # KEEP=N keeps every N-th step's student (--keep-every); UNTIL=S stops the schedule of `steps`
    # at step S. Both are per-session options, passed on resume too.
    if [ -f "$run_dir/checkpoint.safetensors" ]; then
        "$cli" train run $common --threads "$threads" --resume --run-dir "$run_dir" --max-minutes "$minutes" \
            ${KEEP:+--keep-every "$KEEP"} ${UNTIL:+--until-step "$UNTIL"}
    else
        "$cli" train run $common --threads "$threads" --run-dir "$run_dir" --max-minutes "$minutes" --steps "$steps" \
            ${KEEP:+--keep-every "$KEEP"} ${UNTIL:+--until-step "$UNTIL"} "$@"
    fi
    done_at "$run_dir" "${UNTIL:-$steps}" || exit 0 # out of time: run again
}
# score(run-dir, weights, split, chunk, output): train eval of one student unless output exists.
score() {
    [ -f "$5" ] || "$cli" train eval $common --threads "$threads" --run-dir "$1" --weights "$2" --split "$3" \
        --chunk-frames "$4" --taxonomy "$taxonomy" --output "$5" > /dev/null
}
v1="$models/tagscope_mtt_student.safetensors"
taxonomy="$models/taxonomy/tagscope_mtt_student.json"
coarse_steps=3000
for head in none rule attention; do
    run="$data/runs/coarse_$head"
    extra=""
    [ "$head" = none ] || extra="--coarse $head --taxonomy $taxonomy"
    stage "$run" "$coarse_steps" --init "$v1" --logit-weight 1 --lr 3e-4 --warmup 100 --seed 5 $extra
    [ -f "$run/eval_test.json" ] || "$cli" train eval $common --threads "$threads" --run-dir "$run" --split test \
        --taxonomy "$taxonomy" > /dev/null
done
"$cli" train cache $common --threads "$threads" --max-windows 0 --max-minutes "$minutes" \
    --splits train --mixtures 1000 --mixture-list "$mixtures"

# 5. mixing: what waveform mixtures add (issue 12 item 2). Two runs from v1's weights on every
#    cached window, rule coarse head, identical but for --mixtures; then their test evaluation.
# 6. coarse, again on every window with the mixtures: no head, and the attention head scoped to
#    each group's members (the rule head is stage 5's mixing run).
for run_name in mix nomix none attnmem; do
    run="$data/runs/s7_$run_name"
    extra="--coarse rule --taxonomy $taxonomy"
    case $run_name in
        none) extra="" ;;
        attnmem) extra="--coarse attention-members --taxonomy $taxonomy" ;;
    esac
    [ "$run_name" = nomix ] || extra="$extra --mixtures $mixtures"
    stage "$run" 3000 --init "$v1" --logit-weight 1 --lr 2e-4 --warmup 100 --seed 7 $extra
    [ -f "$run/eval_test.json" ] || "$cli" train eval $common --threads "$threads" --run-dir "$run" --split test \
        --taxonomy "$taxonomy" > /dev/null
done

# 7. capacity (issue 12 item 3): the same fine-tune as stage 5's nomix run, with a deeper and a
#    wider student grown from v1 (layers added as identities; token units copied).
for run_name in deep4 wide128; do
    run="$data/runs/s8_$run_name"
    size="--layers 4"
    [ "$run_name" = wide128 ] && size="--width 128"
    stage "$run" 3000 --init "$v1" --logit-weight 1 --lr 2e-4 --warmup 100 --seed 7 --coarse rule --taxonomy "$taxonomy" $size
    [ -f "$run/eval_test.json" ] || "$cli" train eval $common --threads "$threads" --run-dir "$run" --split test \
        --taxonomy "$taxonomy" > /dev/null
done

# 8. whole windows (session 9): MSD's teachers (FCN, CRNN) see 29 s; so does the student here.
for lr in 2e-4 5e-4; do
    run="$data/runs/s9_w1813mix" steps=1500
    [ "$lr" = 5e-4 ] && run="$data/runs/s9_w1813mix_lr5" steps=1000
    stage "$run" "$steps" --init "$v1" --logit-weight 1 --lr "$lr" --warmup 100 --seed 7 --coarse rule \
        --taxonomy "$taxonomy" --crop 1813 --mixtures "$mixtures"
    [ -f "$run/wise_0.75.safetensors" ] || /usr/bin/python3 "$here/interpolate_weights.py" \
        "$run/initial_student.safetensors" "$run/best_student.safetensors" 0.75 "$run/wise_0.75.safetensors"
    for weights in best_student wise_0.75; do
        [ -f "$run/$weights.test.json" ] || "$cli" train eval $common --threads "$threads" --run-dir "$run" \
            --weights "$run/$weights.safetensors" --split test --taxonomy "$taxonomy" --output "$run/$weights.test.json" > /dev/null
    done
done

# 9. sessions 9-10: the tag-wise ranking term on whole windows (the best MSD figures so far), then
#    a conv front end grown from it to 32 channels (issue 12's capacity question for the conv part).
run="$data/runs/s9_w1813m_rank1"
stage "$run" 600 --init "$v1" --logit-weight 1 --rank-weight 1 --lr 2e-4 --warmup 100 --seed 7 --coarse rule \
    --taxonomy "$taxonomy" --crop 1813 --mixtures "$mixtures"
rank="$run/best_student.safetensors"
run="$data/runs/s10_c32"
stage "$run" 1200 --init "$rank" --conv-channels 32 --logit-weight 1 --rank-weight 1 --lr 3e-4 --warmup 100 --seed 7 \
    --coarse rule --taxonomy "$taxonomy" --crop 1813 --mixtures "$mixtures"
# ... and the rank run continued on whole windows and 5 s crops in turn (one student for both chunks).
run="$data/runs/s10_mixcrop"
stage "$run" 800 --init "$rank" --crop 1813 --short-crop 313 --logit-weight 1 --rank-weight 1 --lr 2e-4 --warmup 100 \
    --seed 7 --coarse rule --taxonomy "$taxonomy" --mixtures "$mixtures"
# All scored at the training crop and at v1's 5 s chunks (by_teacher included).
for run in "$data/runs/s9_w1813m_rank1" "$data/runs/s10_c32" "$data/runs/s10_mixcrop"; do
    for chunk in 1813 313; do
        [ -f "$run/best_student.test$chunk.json" ] || "$cli" train eval $common --threads "$threads" --run-dir "$run" \
            --chunk-frames "$chunk" --split test --taxonomy "$taxonomy" --output "$run/best_student.test$chunk.json" > /dev/null
    done
done

# 10. session 11: voices. No redistributable sung recordings are reachable here, so real recorded
#     speech (tuxpaint-stamps-default's spoken descriptions, 9 languages, male and female) is laid
#     over train music windows (music 0-6 dB down) and the teachers label each mixture. The rank
#     run is continued on 2 windows per file plus 400 such mixtures, whole windows and 5 s crops
#     in turn, then scored at 5, 15 and 29 s chunks. (Session 11 ran this on a new machine whose
#     cache held 2 windows per train file, 746 windows; on a full cache the run uses every window.)
voices="$data/voice"
[ -f "$voices/voices.tsv" ] || sh "$here/build_voice_tracks.sh" "$voices"
[ -f "$data/mixtures_voice.tsv" ] || /usr/bin/python3 "$here/plan_voice_mixtures.py" "$voices/voices.tsv" "$corpus" 400 \
    "$data/mixtures_voice.tsv"
"$cli" train cache $common --threads "$threads" --max-windows 2 --max-minutes "$minutes" --splits train \
    --mixtures 1 --mixture-list "$data/mixtures_voice.tsv"
run="$data/runs/s11_voice"
stage "$run" 600 --init "$rank" --crop 1813 --short-crop 313 --logit-weight 1 --rank-weight 1 --lr 2e-4 --warmup 50 \
    --seed 7 --coarse rule --taxonomy "$taxonomy" --mixtures "$data/mixtures_voice.tsv"
# ... and the same with the plan's first 120 mixtures only (14 % of the windows instead of 35 %).
head -n 120 "$data/mixtures_voice.tsv" > "$data/mixtures_voice120.tsv"
run120="$data/runs/s11_voice120"
stage "$run120" 600 --init "$rank" --crop 1813 --short-crop 313 --logit-weight 1 --rank-weight 1 --lr 2e-4 --warmup 50 \
    --seed 7 --coarse rule --taxonomy "$taxonomy" --mixtures "$data/mixtures_voice120.tsv"
for run in "$data/runs/s11_voice" "$run120"; do
    for chunk in 313 938 1813; do
        [ -f "$run/best_student.test$chunk.json" ] || "$cli" train eval $common --threads "$threads" --run-dir "$run" \
            --chunk-frames "$chunk" --split test --taxonomy "$taxonomy" --output "$run/best_student.test$chunk.json" > /dev/null
    done
done

# 11. session 12: the rank run continued on every window of every train file (stage 2's full
#     cache, 2944 windows) plus the 120 voice mixtures (4 % of the windows), and the same with the
#     MSD tags weighted twice in the loss (--vocabulary-weight). Scored on the test split at 5 and
#     15 s chunks and on the validation split at 5 s (its two packages are harder than the test's).
for name in full msdw; do
    run="$data/runs/s12_$name"
    extra=""
    [ "$name" = msdw ] && extra="--vocabulary-weight msd_top50=2"
    stage "$run" 800 --init "$rank" --crop 1813 --short-crop 313 --logit-weight 1 --rank-weight 1 --lr 2e-4 --warmup 50 \
        --seed 7 --coarse rule --taxonomy "$taxonomy" --mixtures "$data/mixtures_voice120.tsv" $extra
    for chunk in 313 938; do
        [ -f "$run/best_student.test$chunk.json" ] || "$cli" train eval $common --threads "$threads" --run-dir "$run" \
            --chunk-frames "$chunk" --split test --taxonomy "$taxonomy" --output "$run/best_student.test$chunk.json" > /dev/null
    done
    [ -f "$run/best_student.validation313.json" ] || "$cli" train eval $common --threads "$threads" --run-dir "$run" \
        --chunk-frames 313 --split validation --taxonomy "$taxonomy" --output "$run/best_student.validation313.json" > /dev/null
done

# 12. session 13: stage 11's full run without the noise (the student sees exactly the windows its
#     teachers labelled), with rare-top-5 windows drawn more often (--balance-power), and both.
#     Scored on the test split at 5 and 29 s, on the validation split at 5 s, and at 5 s on the
#     train split itself: session 12's students rank MSD tags on their own training tracks
#     no better than on held-out ones (ROC-AUC 0.907 against the ensemble's top-5).
quiet="--gain-db 0 --frequency-masks 0 --time-masks 0 --dropout 0"
for name in clean bal cleanbal; do
    run="$data/runs/s13_$name"
    case $name in
        clean) extra="$quiet" ;;
        bal) extra="--balance-power 0.5" ;;
        cleanbal) extra="$quiet --balance-power 1" ;;
    esac
    # shellcheck disable=SC2086
    stage "$run" 600 --init "$rank" --crop 1813 --short-crop 313 --logit-weight 1 --rank-weight 1 --lr 2e-4 --warmup 50 \
        --seed 7 --coarse rule --taxonomy "$taxonomy" --mixtures "$data/mixtures_voice120.tsv" $extra
    for split_chunk in test:313 test:1813 validation:313 train:313; do
        split=${split_chunk%:*} chunk=${split_chunk#*:}
        score "$run" "$run/best_student.safetensors" "$split" "$chunk" "$run/best_student.$split$chunk.json"
    done
done

# 13. session 14: s13_clean continued with new schedules (s13_clean2: 700 steps; s13_clean3: 500,
#     stopped at 400), then from s13_clean3's best: grown to 3 transformer layers (the new layer
#     starts as an identity) for 1200 steps (s14_deep3), the same with the window-wise list term
#     (s14_deep3list, --list-weight 1), and a 2-layer control with the same schedule (s14_clean4).
#     Every 100th step is kept (--keep-every); every 200th is scored on the validation and test
#     splits at 5 and 29 s. s14_deep3's last step (the end of its schedule)
#     is within 0.03 of the best teacher on the test split at 29 s chunks in all three
#     vocabularies; the session-14 note has the figures and why it is not shipped yet.
KEEP=100
base="--crop 1813 --short-crop 313 --logit-weight 1 --rank-weight 1 --lr 2e-4 --warmup 50 --seed 7 --coarse rule"
base="$base --taxonomy $taxonomy --mixtures $data/mixtures_voice120.tsv $quiet"
# shellcheck disable=SC2086
stage "$data/runs/s13_clean2" 700 --init "$data/runs/s13_clean/best_student.safetensors" $base
UNTIL=400 # session 13 stopped this 500-step schedule at step 400
# shellcheck disable=SC2086
stage "$data/runs/s13_clean3" 500 --init "$data/runs/s13_clean2/best_student.safetensors" $base
UNTIL=
for name in deep3 deep3list clean4; do
    run="$data/runs/s14_$name"
    case $name in
        deep3) extra="--layers 3" ;;
        deep3list) extra="--layers 3 --list-weight 1" ;;
        clean4) extra="" ;;
    esac
    # shellcheck disable=SC2086
    stage "$run" 1200 --init "$data/runs/s13_clean3/best_student.safetensors" $base $extra
    for step in 200 400 600 800 1000 1200; do
        snapshot="$run/snapshots/step_$(printf %06d "$step").safetensors"
        for split_chunk in validation:313 test:313 validation:1813 test:1813; do
            split=${split_chunk%:*} chunk=${split_chunk#*:}
            score "$run" "$snapshot" "$split" "$chunk" "$run/snapshots/step_$step.$split$chunk.json"
        done
    done
done

# 14. session 15: v2, shipped. s14_clean4's last step (the end of its schedule, chosen without the
#     test split; on validation at 29 s within 0.001 of its best kept step) is exported with two
#     chunk lengths: the track's
#     tags from 29 s chunks (where it is within 0.03 of the best teacher on the test split), the
#     taggram and explanations from 3 s chunks (its ROC-AUC there is within 0.002 of 5 s, and the
#     evidence of spliced passages stays inside them: bundled-model Pointing test). Then its
#     card gets the training chain (tools/corpus/card_chain.py, see the README) and its surrogate
#     is trained (train surrogate, README "Explaining tags in musical terms").
run="$data/runs/s14_clean4"
last="$run/snapshots/step_001200.safetensors"
score "$run" "$last" test 188 "$run/snapshots/step_1200.test188.json"
if [ ! -f "$data/v2/tagscope_mtt_student.json" ]; then
    mkdir -p "$data/v2/taxonomy"
    for v in mtat_top50 msd_top50 jamendo_top50; do cp "$models/taxonomy/$v.json" "$data/v2/taxonomy/"; done
    "$cli" train export $common --threads "$threads" --run-dir "$run" --weights "$last" --models-dir "$data/v2" \
        --chunk-frames 188 --track-chunk-frames 1813
fi
