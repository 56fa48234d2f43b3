#!/usr/bin/env bash
# Regenerate the README's charts and the command output it quotes, from the
# shipped scenarios: bash docs/make_images.sh (about 10 minutes on 2 cores).
# The printed tables go to out/docs/*.txt for copying into the README.
set -euo pipefail
cd "$(dirname "$0")/.."
out=out/docs
images=docs/images
mkdir -p "$out" "$images"

run() {  # run NAME COMMAND...: the command's output to out/docs/NAME.txt
    local name=$1; shift
    echo "$ $*" | tee "$out/$name.txt"
    "$@" >> "$out/$name.txt"
}

run requirements svcsim requirements scenarios/ecommerce_peak.yaml --out "$out/ecommerce_requirements"
cp "$out/ecommerce_requirements/requirements.png" "$images/ecommerce_requirements.png"
run simulate svcsim simulate scenarios/ecommerce_peak.yaml --out "$out/ecommerce_simulate"
cp "$out/ecommerce_simulate/service_level.png" "$images/ecommerce_service_level.png"
run plan svcsim plan scenarios/ecommerce_peak.yaml --time-limit 5 --out "$out/ecommerce_plan"
cp "$out/ecommerce_plan/coverage.png" "$images/ecommerce_roster_coverage.png"
run plan_daily svcsim plan scenarios/bank_hotline_daily.yaml --out "$out/bank_daily"
cp "$out/bank_daily/coverage.png" "$images/bank_daily_coverage.png"
cp "$out/bank_daily/service_level.png" "$images/bank_daily_service_level.png"
run compare svcsim compare scenarios/studies/phone_standard.yaml --out "$out/phone_standard"
cp "$out/phone_standard/comparison.png" "$images/phone_study_comparison.png"
run sweep svcsim sweep scenarios/studies/phone_volume.yaml --out "$out/phone_volume"
cp "$out/phone_volume/sweep.png" "$images/phone_volume_sweep.png"
run frontier svcsim frontier scenarios/studies/phone_frontier.yaml --out "$out/phone_frontier"
cp "$out/phone_frontier/frontier.png" "$images/phone_frontier.png"
# the rota sheet of the bank hotline's workbook (needs libreoffice-calc and poppler-utils)
run plan_bank svcsim plan scenarios/bank_hotline.yaml --out "$out/bank_plan"
python docs/tools/rota_screenshot.py "$out/bank_plan/roster.xlsx" "$images/rota_sheet.png"
cp "$out/bank_plan/report.html" docs/examples/bank_hotline_plan.html
# from a history to a plan: a month of Tuesdays of the bank hotline as it ran,
# logged by the simulator, fitted back and one day replayed (model vs reality)
run history_fit bash -c "svcsim simulate docs/examples/bank_hotline_history.yaml -n 12 --seed 7 \
    --log $out/bank_history/calls.csv --out $out/bank_history/sim > /dev/null \
  && svcsim fit $out/bank_history/calls.csv --out $out/bank_history/fit/fitted.yaml"
run history_replay svcsim replay "$out/bank_history/calls.csv" "$out/bank_history/fit/fitted.yaml" \
    --out "$out/bank_history/replay"
cp "$out/bank_history/replay/replay.png" "$images/history_replay.png"
