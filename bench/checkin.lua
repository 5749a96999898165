-- wrk script for bench/checkin.py: every request is one check-in of a different trainee.
-- args: <credentials file> <first line (0-based)> <path> <body>
-- The file has one "bearer<TAB>device" per line; the answer is counted as a check-in when its
-- status is 2xx and its body says "checked_in" (app) or "inserted" (floor).
local creds = {}
local next_line, path, body
sent, ok, checked, non2xx, overflow = 0, 0, 0, 0, 0  -- globals: done() reads them with thread:get

function init(args)
  for line in io.lines(args[1]) do
    local bearer, device = line:match("^([^\t]+)\t(.+)$")
    creds[#creds + 1] = { bearer, device }
  end
  next_line = tonumber(args[2]) + 1
  path, body = args[3], args[4]
end

function request()
  local i = next_line
  next_line = next_line + 1
  if i > #creds then
    overflow = overflow + 1
    i = ((i - 1) % #creds) + 1
  end
  sent = sent + 1
  local c = creds[i]
  return wrk.format("POST", path, {
    ["Authorization"] = "Bearer " .. c[1],
    ["X-Device-Id"] = c[2],
    ["Content-Type"] = "application/json",
  }, body)
end

function response(status, headers, resp_body)
  if status >= 200 and status < 300 then
    ok = ok + 1
    if resp_body:find('"checked_in"', 1, true) or resp_body:find('"inserted"', 1, true) then
      checked = checked + 1
    end
  else
    non2xx = non2xx + 1
  end
end

local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end

function done(summary, latency, requests)
  local t = { sent = 0, ok = 0, checked = 0, non2xx = 0, overflow = 0 }
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (thread:get(k) or 0) end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, "status_errors": %d, ' ..
    '"sent": %d, "ok": %d, "checked": %d, "non2xx": %d, "overflow": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.timeout, e.status, t.sent, t.ok, t.checked, t.non2xx, t.overflow))
end
