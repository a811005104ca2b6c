-- wrk script for bench/lib/wrk-posts.ts: sends each POST listed in WRK_REQUESTS once (one per
-- line: path, Authorization, Idempotency-Key and body, tab-separated), split between wrk's
-- threads; counts the answers by status and refusal code and notes when the last 201 came.
-- wrk always runs for its -d duration, so each thread prints WRK_THREAD_DONE when its share is
-- answered and wrk-posts.ts then stops wrk with SIGINT (wrk prints its summary on SIGINT). The
-- figures are timed here, from the first request to the last answer, not by wrk's duration.
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_usec; } timeval; int gettimeofday(timeval *tv, void *tz); ]]
local tv = ffi.new("timeval")
local function now_us() ffi.C.gettimeofday(tv, nil); return tonumber(tv.tv_sec) * 1000000 + tonumber(tv.tv_usec) end

local threads = {}
local count = 0

function setup(thread)
  count = count + 1
  thread:set("first", count)
  thread:set("started_us", now_us())
  table.insert(threads, thread)
end

function init(args)
  lines = {}
  local step = tonumber(os.getenv("WRK_THREADS"))
  local i = 0
  for line in io.lines(os.getenv("WRK_REQUESTS")) do
    if i % step == first - 1 then lines[#lines + 1] = line end
    i = i + 1
  end
  position, answered, last_answer_us = 0, 0, now_us()
  verified = first ~= 1
  quiet_us = (tonumber(os.getenv("WRK_QUIET_MS") or "") or 2000) * 1000
  created, last_win_us = 0, 0
  -- Every refusal by "status code", as "409 room_full=12;…" (a string crosses wrk's threads
  -- safely in thread:get; done() adds them up).
  refusal_counts = {}
  refusals = ""
end

function request()
  -- wrk calls request() once on the first thread right after init() to check the request
  -- (script_verify_request in wrk.c) and never sends that one: it must not use up a line.
  if not verified then
    verified = true
    return wrk.format("GET", "/__wrk_done")
  end
  position = position + 1
  -- Past its share a connection asks for a path neither server has (a 404, not counted) while
  -- the thread waits for its last answers: a real request is never sent twice.
  if position > #lines then return wrk.format("GET", "/__wrk_done") end
  local line = lines[position]
  local path, auth, key, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
  return wrk.format("POST", path, { ["Authorization"] = auth, ["Idempotency-Key"] = key, ["Content-Type"] = "application/json" }, body)
end

-- A connection past its share sends its filler requests (below) at most every FILLER_DELAY_MS:
-- sent back to back they were a flood of 404s through the whole app, competing with the other
-- thread's real requests and counted in their CPU (bench:profile showed them as most of a
-- refusal burst's samples).
local FILLER_DELAY_MS = 100
function delay()
  if position >= #lines then return FILLER_DELAY_MS end
  return 0
end

function response(status, headers, body)
  if status == 404 then
    -- Every line sent, yet some never answered (a connection wrk had to reopen drops the request
    -- it was on): after WRK_QUIET_MS quiet (default two seconds) the thread is done; done()
    -- reports them as unanswered. A slow route's last answers may take longer than two seconds.
    if position > #lines and now_us() - last_answer_us > quiet_us then finish() end
    return
  end
  answered = answered + 1
  last_answer_us = now_us()
  if status == 201 then
    created = created + 1
    last_win_us = now_us()
  else
    local code = body:match('"code":"([^"]+)"') or "unknown"
    local kind = status .. " " .. code
    refusal_counts[kind] = (refusal_counts[kind] or 0) + 1
  end
  if answered >= #lines then finish() end
end

function finish()
  if finished then return end
  finished = true
  local parts = {}
  for kind, n in pairs(refusal_counts) do parts[#parts + 1] = kind .. "=" .. n end
  refusals = table.concat(parts, ";")
  io.write("WRK_THREAD_DONE\n")
  io.flush()
end

function done(summary, latency, requests)
  local t = { created = 0, answered = 0, last_win_us = 0, started_us = 0, last_answer_us = 0 }
  local refused = {}
  for _, thread in ipairs(threads) do
    for kind, n in string.gmatch(thread:get("refusals") or "", "([^;=]+)=(%d+)") do refused[kind] = (refused[kind] or 0) + tonumber(n) end
    for _, k in ipairs({ "created", "answered" }) do t[k] = t[k] + thread:get(k) end
    t.last_win_us = math.max(t.last_win_us, thread:get("last_win_us"))
    t.last_answer_us = math.max(t.last_answer_us, thread:get("last_answer_us"))
    if t.started_us == 0 or thread:get("started_us") < t.started_us then t.started_us = thread:get("started_us") end
  end
  local parts = {}
  for kind, n in pairs(refused) do parts[#parts + 1] = string.format('"%s":%d', kind, n) end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"answered":%d,"answering_us":%d,"created":%d,"last_win_after_us":%d,"errors":%d,"timeouts":%d,"p50_us":%d,"p99_us":%d,"refusals":{%s}}\n',
    summary.requests, t.answered, t.last_answer_us - t.started_us, t.created,
    t.last_win_us > 0 and (t.last_win_us - t.started_us) or 0, e.connect + e.read + e.write, e.timeout, latency:percentile(50), latency:percentile(99), table.concat(parts, ",")))
end
