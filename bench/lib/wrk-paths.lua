-- wrk script for bench/lib/wrk.ts: sends the paths listed (one per line) in the file named by
-- WRK_PATHS, in order, split between wrk's threads (thread i sends paths i, i+T, i+2T, …,
-- wrapping around), and prints the figures as one JSON line that wrk.ts reads. No response()
-- hook: wrk then never copies response bodies into Lua, so the load generator's cost per
-- request does not grow with the size of the answer.
local count = 0

function setup(thread)
  count = count + 1
  thread:set("first", count)
end

function init(args)
  paths = {}
  for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
  step = tonumber(os.getenv("WRK_THREADS"))
  -- 0-based internally: a list shorter than the thread count still starts every thread on a path.
  position = (first - 1) % #paths
end

function request()
  local path = paths[position + 1]
  position = (position + step) % #paths
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout, latency:percentile(50), latency:percentile(99)))
end
