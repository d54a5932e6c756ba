-- POST /v1/pools/demo/jobs:batch: ten jobs per request.
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")

local jobs = {}
for i = 1, 10 do
   jobs[i] = '{"payload": {"seconds": 1}}'
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"jobs": [' .. table.concat(jobs, ", ") .. ']}'
done = common.report(10)
