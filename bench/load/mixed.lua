-- wrk script for make loadtest, phase 1: valid requests picked at random
-- from the file given after "--" (tiles, TileJSON, API). Counts answers by
-- status class per thread; done() prints one RESULT line for run.sh.
local threads = {}
local paths = {}
c2, c3, c4, c5, closes = 0, 0, 0, 0, 0

function setup(thread)
  thread:set("seed", math.random(1, 1000000))
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(seed or 1)
  for line in io.lines(args[1]) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  if #paths == 0 then error("no paths in " .. tostring(args[1])) end
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function response(status, headers, body)
  if status >= 500 then c5 = c5 + 1
  elseif status >= 400 then c4 = c4 + 1
  elseif status >= 300 then c3 = c3 + 1
  else c2 = c2 + 1 end
  -- the server ends the connection after some answers (a request line it
  -- cannot parse); wrk then counts a read error on the closed socket.
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
