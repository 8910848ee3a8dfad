-- Shared part of the wrk scripts of make loadtest (mixed.lua, malformed.lua),
-- which load it with dofile from their own directory: a seed per thread,
-- answers counted by status class per thread, and done() printing one
-- RESULT line for run.sh.
local threads = {}
c2, c3, c4, c5, closes = 0, 0, 0, 0, 0

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(seed or 1)
end

function response(status, headers, body)
  if status >= 500 then c5 = c5 + 1
  elseif status >= 400 then c4 = c4 + 1
  elseif status >= 300 then c3 = c3 + 1
  else c2 = c2 + 1 end
  -- The server ends the connection after answering a request line it cannot
  -- parse (malformed.lua's invalid percent-escapes); wrk then counts a read
  -- error on the closed socket. Valid requests (mixed.lua) expect none.
  if headers["Connection"] == "close" then closes = closes + 1 end
end

function done(summary, latency, requests)
  local t2, t3, t4, t5, tc = 0, 0, 0, 0, 0
  for _, t in ipairs(threads) do
    t2 = t2 + t:get("c2"); t3 = t3 + t:get("c3"); t4 = t4 + t:get("c4"); t5 = t5 + t:get("c5"); tc = tc + t:get("closes")
  end
  local e = summary.errors
  io.write(string.format("RESULT requests=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.1f s2xx=%d s3xx=%d s4xx=%d s5xx=%d closes=%d errors=%d read_errors=%d timeouts=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    t2, t3, t4, t5, tc, e.connect + e.read + e.write + e.timeout, e.read, e.timeout))
end
