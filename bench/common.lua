-- Shared by the wrk scripts of bench/submit.sh: one request shape per script, and a machine-readable summary
-- line that submit.sh parses (microseconds; wrk's own --latency table is printed above it).

local M = {}

function M.urlencode(s)
   return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

-- jobs: how many jobs one request carries, so that jobs/s can be told from requests/s.
function M.report(jobs)
   return function(summary, latency, requests)
      local e = summary.errors
      io.write(string.format("RESULT requests=%d duration_us=%d jobs_per_request=%d p50_us=%d p99_us=%d "
         .. "non2xx=%d socket_errors=%d\n", summary.requests, summary.duration, jobs,
         latency:percentile(50), latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
   end
end

return M
