#!/usr/bin/env python3
"""Freshness probe: how long after /v1/collect acknowledges an event the api.video API counts it.

Every PERIOD seconds it sends one impression of a new media id (so the answer changes from 0 to 1
only through that event), notes when the 202 arrives, then asks two questions until both count it:
/data/metrics/impression/count?filterBy[mediaId][]=<id> (one media) until it answers 1, and
/data/metrics/impression/count over the whole account until it answers one more than before the
impression was sent (the load the bench scripts offer sends no impressions). The delay from the
acknowledgement to each question's first counting answer is one sample of it. Prints p50/p90/p99/max
of each, and the first sample apart (the first question after a quiet spell finds no live rows
kept, and waits for the seal).

Usage: freshness.py BASE_URL PLAYER_KEY API_KEY SAMPLES [PERIOD_SECONDS]
"""
import base64
import datetime
import json
import sys
import time
import urllib.parse
import urllib.request
import uuid

base, player_key, api_key, samples = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
period = float(sys.argv[5]) if len(sys.argv) > 5 else 0.2
auth = "Basic " + base64.b64encode((api_key + ":").encode()).decode()
# A browser's user agent: Playlens drops events from scripts' and bots' agents, as it should.
BROWSER = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
           " Chrome/131.0.0.0 Safari/537.36")


def post(body):
    request = urllib.request.Request(
        base + "/v1/collect", data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "User-Agent": BROWSER}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        result = json.load(response)
        assert response.status == 202 and result["accepted"] == 1, result


def count(media, since):
    parameters = {"from": since}
    if media is not None:
        parameters["filterBy[mediaId][]"] = media
    query = urllib.parse.urlencode(parameters)
    request = urllib.request.Request(
        base + "/data/metrics/impression/count?" + query, headers={"Authorization": auth})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["data"]


delays = {"one media": [], "whole account": []}
since = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)).replace(
    microsecond=0).isoformat()
total = count(None, since)
for i in range(samples):
    media = "fresh-" + uuid.uuid4().hex[:12]
    post({"key": player_key, "session": str(uuid.uuid4()), "media": {"id": media},
          "events": [{"type": "impression"}]})
    acknowledged = time.perf_counter()
    total += 1
    waiting = {"one media": media, "whole account": None}
    while waiting:
        for question, filtered in list(waiting.items()):
            if count(filtered, since) >= (1 if filtered else total):
                delays[question].append((time.perf_counter() - acknowledged) * 1000)
                del waiting[question]
        if waiting and time.perf_counter() - acknowledged > 30:
            sys.exit("freshness: event of media %s not counted by %s after 30 s"
                     % (media, ", ".join(waiting)))
    time.sleep(period)


def pct(values, p):
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))]


for question, values in delays.items():
    first = values[0]
    values.sort()
    print("freshness (%s) over %d samples: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms"
          " (the first sample: %.1f ms)"
          % (question, len(values), pct(values, 0.5), pct(values, 0.9), pct(values, 0.99),
             values[-1], first))
