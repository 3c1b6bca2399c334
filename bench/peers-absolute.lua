-- bench/peers-absolute.lua: makes wrk talk to a forward proxy.
--   wrk ... -s bench/peers-absolute.lua http://127.0.0.1:PROXYPORT/ -- URL
-- wrk connects to the host and port of its own URL (the proxy) and, with
-- this script, sends the request line in absolute form, "GET URL HTTP/1.1",
-- as a browser configured with a proxy does.  The request is built once
-- (wrk.init formats it after init() returns), so the script costs nothing
-- per request.
init = function(args)
	wrk.path = args[1]
end
