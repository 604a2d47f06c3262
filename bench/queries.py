#!/usr/bin/env python3
"""Query benchmark: the api.video Analytics calls against a running Playlens, one at a time.

64 calls: every metric/aggregation of /data/metrics over the last 30 days (plus unique views, all-time
plays and a filtered count over 7 days), every /data/buckets metric by media id, country, browser
and referrer, every /data/timeseries metric over 30 days (by day) and over 36 hours (by hour).
Each is made REPS times; prints the 15 routes with the highest p95 and the figures over all calls.

Usage: queries.py BASE_URL API_KEY REPS
"""
import base64
import datetime
import statistics
import sys
import time
import urllib.parse
import urllib.request

base, key, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
last30 = (now - datetime.timedelta(days=29, hours=23)).isoformat()
last7 = (now - datetime.timedelta(days=7)).isoformat()
last36h = (now - datetime.timedelta(hours=36)).isoformat()
auth = "Basic " + base64.b64encode((key + ":").encode()).decode()

calls = []
for metric in ["play/count", "play/rate", "start/count", "end/count", "impression/count",
               "impression-time/average", "impression-time/sum", "watch-time/average",
               "watch-time/sum", "view/count", "ccv/peak", "ccv/live"]:
    calls.append(("metrics/" + metric, {"from": last30}))
calls.append(("metrics/view/count", {"from": last30, "unique": "true", "viewDuration": "10s"}))
calls.append(("metrics/play/total", {}))
calls.append(("metrics/play/count",
              {"from": last7, "filterBy[country][]": "FR", "filterBy[deviceType][]": "phone"}))
for metric in ["play", "play-rate", "play-total", "start", "end", "impression", "ccv-peak",
               "ccv-average", "view"]:
    for breakdown in ["media-id"] if metric == "play-total" else [
            "media-id", "country", "browser", "referrer"]:
        calls.append(("buckets/%s/%s" % (metric, breakdown), {"from": last30}))
for metric in ["play", "play-rate", "start", "end", "impression", "ccv-peak", "ccv-average", "view"]:
    calls.append(("timeseries/" + metric, {"from": last30}))
    calls.append(("timeseries/" + metric + " (36 h)", {"from": last36h, "interval": "hour"}))

times = {}
for _ in range(reps):
    for name, query in calls:
        path = name.split(" ")[0]
        url = base + "/data/" + path + "?" + urllib.parse.urlencode(query)
        started = time.perf_counter()
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": auth})) as r:
            r.read()
            if r.status != 200:
                sys.exit("%s answered %d" % (url, r.status))
        label = name + "".join(" " + k for k in query if k != "from")
        times.setdefault(label, []).append((time.perf_counter() - started) * 1000)


def pct(values, p):
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))]


rows = []
everything = []
for label, values in times.items():
    values.sort()
    everything += values
    rows.append((pct(values, 0.95), label, statistics.median(values), values[-1]))
rows.sort(reverse=True)
for p95, label, p50, worst in rows[:15]:
    print("%-62s p50 %6.1f  p95 %6.1f  max %6.1f ms" % (label, p50, p95, worst))
everything.sort()
print("all %d calls over %d routes: p50 %.1f  p95 %.1f  p99 %.1f  max %.1f ms" % (
    len(everything), len(times), statistics.median(everything), pct(everything, 0.95),
    pct(everything, 0.99), everything[-1]))
