-- POST /v1/pools/demo/jobs: one job per request.
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"payload": {"seconds": 1}}'
done = common.report(1)
