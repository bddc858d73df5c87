-- wrk's --latency table stops at 50/75/90/99 %; this prints one parseable line with p95 too.
-- Latencies are in microseconds; "errors" are socket errors, "non2xx" non-2xx/3xx responses.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%.1f p95_us=%.1f p99_us=%.1f errors=%d non2xx=%d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
