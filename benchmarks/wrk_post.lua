-- POST the JSON bodies of a file (one a line) in turn, and print a JSON summary at the end.
-- Usage: wrk -s wrk_post.lua URL -- BODIES_FILE

local prepared = {}
local index = 0

function init(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    if #line > 0 then
      prepared[#prepared + 1] = wrk.format("POST", nil, {["Content-Type"] = "application/json"}, line)
    end
  end
  file:close()
  assert(#prepared > 0, "no request body in " .. args[1])
  index = math.random(#prepared) - 1
end

function request()
  index = index % #prepared + 1
  return prepared[index]
end

function done(summary, latency, _)
  local errors = summary.errors
  io.write(string.format(
    'WRK_SUMMARY {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "p50": %d, "p95": %d, "p99": %d, "max": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency.mean, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max))
end
