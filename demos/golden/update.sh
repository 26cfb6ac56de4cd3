#!/bin/sh
# Golden tests of the demo scripts: each script's input (2,000 events from its scenario's generator,
# seed 42; for energy every 23rd of 46,000, so that the readings span a day: the first 2,000 are all
# night-time) and its expected results, written by `streamsql test … --update`. `swift test` runs
# `streamsql test` on each (GoldenDemoTests). Rerun this after a deliberate change to a demo's results
# (with the binary built: swift build), and review the diff of the .expected.jsonl files.
#   sh demos/golden/update.sh            regenerate the expected files (inputs kept)
#   sh demos/golden/update.sh --inputs   regenerate the inputs too
set -e
cd "$(dirname "$0")/../.."
B=.build/debug/streamsql
G=demos/golden
if [ "$1" = "--inputs" ]; then
  for s in recommend supply fraud traffic moderation; do $B gen $s --events 2000 > $G/$s.jsonl; done
  $B gen energy --events 46000 | awk 'NR % 23 == 1' > $G/energy.jsonl
  $B gen routing --events 2000 --stream agent_status > $G/routing_agent_status.jsonl
  $B gen routing --events 2000 --stream tickets > $G/routing_tickets.jsonl
fi
t() { script=$1; shift; $B test demos/$script.sql "$@" --expect $G/$script.expected.jsonl --update; }
t recommend --input user_events=$G/recommend.jsonl
t routing --input agent_status=$G/routing_agent_status.jsonl --input tickets=$G/routing_tickets.jsonl
t supply --input inventory=$G/supply.jsonl
t fraud --input transactions=$G/fraud.jsonl
t traffic --input traffic=$G/traffic.jsonl
t moderation --input posts=$G/moderation.jsonl
t energy --input energy=$G/energy.jsonl
t sensors --input readings=demos/sensors.jsonl
