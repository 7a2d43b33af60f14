-- wrk script for bench/serve_load.sh: a mix of named queries against `saidgraph serve`,
-- each with a parameter drawn at random among the generated entities (gen_kb.py names
-- them e0 … e(N-1)), first pages as the page asks for them. `done` prints one line of
-- figures: non2xx is wrk's count of statuses of 400 and over.
local entities = tonumber(os.getenv("SG_ENTITIES") or "20000")
math.randomseed(os.time())
local kinds = {
  function(e) return "/queries/statements-by?speaker=" .. e .. "&format=json" end,
  function(e) return "/queries/entity?entity=" .. e .. "&format=json" end,
  function(e) return "/queries/who-said-what-to-whom?limit=100&format=json" end,
  function(e) return "/queries/statements-about?topic=" .. e .. "&format=csv" end,
  function(e) return "/sparql?query=" .. "ASK%7B%3Fs%20sg%3Aspeaker%20entity%3A" .. e .. "%7D" end,
}
request = function()
  local e = "e" .. math.random(0, entities - 1)
  local path = kinds[math.random(#kinds)](e)
  return wrk.format("GET", path)
end
done = function(summary, latency, requests)
  io.write(string.format("SG median_ms=%.1f p99_ms=%.1f req_per_s=%.1f requests=%d errors=%d non2xx=%d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6),
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
