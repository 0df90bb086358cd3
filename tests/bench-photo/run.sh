#!/usr/bin/env bash
# Photo pipeline benchmark: chibo-photo against vipsthumbnail and ImageMagick convert on
# the real phone photos in shared/fixtures/photos/phone, side by side in one run.
#
# Each tool makes what the app makes per photo: a 1600 px (long edge, never enlarged)
# JPEG at quality 80 without metadata, plus a 320 px thumbnail. vips and convert need two
# processes for that, chibo one. Reported: median wall time per photo over REPS runs,
# peak RSS (GNU time), and PSNR of chibo's photo against libvips' one.
#
# Outputs go to /dev/shm (tmpfs) for all three tools so the shared machine's disk flush
# latency does not drown the comparison; chibo's fsyncs are cheap there. A last
# informational run measures chibo writing to a real disk, fsyncs included.
#
# Env: REPS (default 5), PHOTOS_DIR, STRICT=1 to exit 1 when a target is missed.
# The LAST line printed is the summary line other scripts read.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PHOTOS_DIR="${PHOTOS_DIR:-$ROOT/../shared/fixtures/photos/phone}"
REPS="${REPS:-5}"

log() { echo "bench-photo: $*" >&2; }

# --- tools -----------------------------------------------------------------------------
# /usr/local/bin/convert may be a stand-in on these machines: always use the real one.
CONVERT=/usr/bin/convert
missing=()
command -v vipsthumbnail >/dev/null || missing+=(libvips-tools)
[ -x "$CONVERT" ] || missing+=(imagemagick)
[ -x /usr/bin/time ] || missing+=(time)
command -v cmake >/dev/null || missing+=(cmake)
command -v nasm >/dev/null || missing+=(nasm) # libjpeg-turbo's x86 SIMD
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

log "building photo_bench (release)"
(cd "$ROOT" && cargo build --release --quiet -p chibo-photo --example photo_bench)
TARGET_DIR="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps 2>/dev/null |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
BENCH="${TARGET_DIR:-$ROOT/target}/release/examples/photo_bench"
[ -x "$BENCH" ] || { log "missing $BENCH"; exit 1; }

shopt -s nullglob
PHOTOS=("$PHOTOS_DIR"/*.jpg)
[ "${#PHOTOS[@]}" -gt 0 ] || { log "no photos in $PHOTOS_DIR"; exit 1; }

SCRATCH_BASE=/dev/shm
[ -d "$SCRATCH_BASE" ] && [ -w "$SCRATCH_BASE" ] || SCRATCH_BASE="${TMPDIR:-/tmp}"
WORK="$(mktemp -d "$SCRATCH_BASE/chibo-bench-photo.XXXXXX")"
# The build's target directory is surely on a real disk (/tmp may be tmpfs).
DISK_WORK="$(mktemp -d "${TARGET_DIR:-$ROOT/target}/bench-photo-disk.XXXXXX")"
trap 'rm -rf "$WORK" "$DISK_WORK"' EXIT
RESULTS="$WORK/results.tsv" # tool photo rep ms peak_kb
: >"$RESULTS"

now_ns() { date +%s%N; }

# run_timed TOOL PHOTO REP CMD...: one command of a tool's job; appends ms and peak KB.
run_timed() {
    local tool=$1 photo=$2 rep=$3
    shift 3
    local t0 t1
    t0=$(now_ns)
    /usr/bin/time -f '%M' -o "$WORK/rss" "$@" >/dev/null 2>"$WORK/err" || {
        log "$tool failed on $photo:"
        cat "$WORK/err" >&2
        exit 1
    }
    t1=$(now_ns)
    printf '%s\t%s\t%s\t%s\t%s\n' "$tool" "$photo" "$rep" \
        "$(((t1 - t0) / 1000))" "$(tail -n 1 "$WORK/rss")" >>"$RESULTS"
}

job() { # job TOOL PHOTO_PATH REP OUTDIR
    local tool=$1 in=$2 rep=$3 out=$4 name
    name="$(basename "$in" .jpg)"
    rm -rf "$out" && mkdir -p "$out"
    case "$tool" in
    chibo)
        run_timed chibo "$name" "$rep" "$BENCH" process "$out/store" "$in"
        ;;
    vips)
        run_timed vips "$name" "$rep" vipsthumbnail "$in" -s '1600x1600>' -o "$out/photo.jpg[Q=80,strip]"
        run_timed vips "$name" "$rep" vipsthumbnail "$in" -s '320x320>' -o "$out/thumb.jpg[Q=80,strip]"
        ;;
    convert)
        run_timed convert "$name" "$rep" "$CONVERT" "$in" -auto-orient -resize '1600x1600>' -strip -quality 80 "$out/photo.jpg"
        run_timed convert "$name" "$rep" "$CONVERT" "$in" -auto-orient -thumbnail '320x320>' -strip -quality 80 "$out/thumb.jpg"
        ;;
    chibo-disk)
        run_timed chibo-disk "$name" "$rep" "$BENCH" process "$out/store" "$in"
        ;;
    esac
}

log "${#PHOTOS[@]} photos x $REPS repetitions, outputs in $WORK"
# Warm the page cache and the binaries once, unmeasured.
for in in "${PHOTOS[@]}"; do
    cat "$in" >/dev/null
    for tool in chibo vips convert; do
        job "$tool" "$in" 0 "$WORK/out-$tool"
    done
done
: >"$RESULTS"
# Interleaved, so a noisy neighbour hurts every tool alike.
for rep in $(seq 1 "$REPS"); do
    for in in "${PHOTOS[@]}"; do
        for tool in chibo vips convert; do
            job "$tool" "$in" "$rep" "$WORK/out-$tool"
        done
        job chibo-disk "$in" "$rep" "$DISK_WORK/out"
    done
done

# Keep one set of outputs per photo for the quality check.
psnr_lines=""
min_psnr=""
for in in "${PHOTOS[@]}"; do
    name="$(basename "$in" .jpg)"
    job chibo "$in" q "$WORK/q-chibo-$name"
    job vips "$in" q "$WORK/q-vips-$name"
    chibo_out=$(find "$WORK/q-chibo-$name/store" -name '*.jpg' ! -name '*.thumb.jpg' | head -n 1)
    p=$("$BENCH" psnr "$chibo_out" "$WORK/q-vips-$name/photo.jpg")
    psnr_lines+="  $name: ${p} dB"$'\n'
    if [ -z "$min_psnr" ] || awk -v a="$p" -v b="$min_psnr" 'BEGIN{exit !(a<b)}'; then
        min_psnr=$p
    fi
done

# Per tool, photo and rep: the job's time is the sum of its commands, its peak the max.
summary=$(awk -F'\t' '$3 != "q" {
        key = $1 "\t" $2 "\t" $3
        ms[key] += $4 / 1000.0
        if ($5 > kb[key]) kb[key] = $5
    }
    END { for (k in ms) printf "%s\t%.3f\t%d\n", k, ms[k], kb[k] }' "$RESULTS" | sort)

median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

echo "photo pipeline benchmark: ${#PHOTOS[@]} photos, $REPS runs each, median wall ms per photo (peak RSS MB)"
printf '%-16s %16s %16s %16s %16s\n' photo chibo vips convert "chibo(disk)"
for in in "${PHOTOS[@]}"; do
    name="$(basename "$in" .jpg)"
    row=$(printf '%-16s' "$name")
    for tool in chibo vips convert chibo-disk; do
        med=$(echo "$summary" | awk -F'\t' -v t="$tool" -v p="$name" '$1==t && $2==p {print $4}' | median)
        peak=$(echo "$summary" | awk -F'\t' -v t="$tool" -v p="$name" '$1==t && $2==p && $5>m {m=$5} END {printf "%.0f", m/1024}')
        row+=$(printf ' %9.1f (%4s)' "$med" "$peak")
    done
    echo "$row"
done

# Whole-set figures: per run, the mean over photos; then the median over runs.
per_photo() { # TOOL -> median over reps of (sum over photos / count)
    echo "$summary" | awk -F'\t' -v t="$1" -v n="${#PHOTOS[@]}" '$1==t {s[$3]+=$4} END {for (r in s) print s[r]/n}' | median
}
peak_mb() { echo "$summary" | awk -F'\t' -v t="$1" '$1==t && $5>m {m=$5} END {printf "%.1f", m/1024}'; }

X=$(per_photo chibo)
Y=$(per_photo vips)
Z=$(per_photo convert)
D=$(per_photo chibo-disk)
A=$(peak_mb chibo)
B=$(peak_mb convert)
V=$(peak_mb vips)
R1=$(awk -v x="$X" -v y="$Y" 'BEGIN{printf "%.2f", x/y}')
R2=$(awk -v x="$X" -v z="$Z" 'BEGIN{printf "%.2f", x/z}')

echo "PSNR of chibo's 1600 px photo vs libvips' (same size), minimum ${min_psnr} dB:"
printf '%s' "$psnr_lines"
echo "peak MB: chibo $A, vips $V, convert $B; chibo writing to disk (fsync) $(printf '%.1f' "$D") ms per photo"

missed=()
awk -v r="$R1" 'BEGIN{exit !(r<=1.1)}' || missed+=("time vs vips ${R1} > 1.1")
awk -v r="$R2" 'BEGIN{exit !(r<=1/3)}' || missed+=("time vs convert ${R2} > 0.33")
awk -v a="$A" -v b="$B" 'BEGIN{exit !(a<=b/2)}' || missed+=("peak memory ${A} MB > half of convert's ${B} MB")
awk -v p="$min_psnr" 'BEGIN{exit !(p>=30)}' || missed+=("PSNR ${min_psnr} dB < 30")
if [ "${#missed[@]}" -eq 0 ]; then
    echo "targets: all met (time <= 1.1x vips and <= 1/3 convert, memory <= 1/2 convert, PSNR >= 30 dB)"
else
    echo "targets MISSED: $(IFS=';'; echo "${missed[*]}")"
fi
printf 'photo: chibo %.1f ms, vips %.1f ms (X/Y = %s), convert %.1f ms (X/Z = %s), peak MB chibo %s convert %s\n' \
    "$X" "$Y" "$R1" "$Z" "$R2" "$A" "$B"
if [ "${#missed[@]}" -gt 0 ] && [ "${STRICT:-0}" = 1 ]; then
    exit 1
fi
