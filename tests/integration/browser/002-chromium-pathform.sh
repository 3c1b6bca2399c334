# browser/002-chromium-pathform: headless Chromium, with no proxy set,
# opens the suite's test page in path form (http://PROXY/ORIGIN/site/
# page.html) and renders it with its stylesheet, image and script: the
# root-relative /site/style.css and /site/app.js reach the origin through
# the Referer, the relative img/a.png as a path-form URL.  A second load,
# by a fresh browser profile, is served from evproxy's cache: the origin
# sees no request for the page or its sub-resources again.
. "$(dirname "$0")/../lib.sh"

ORIGIN_ADDR=127.0.0.2
origin_start
proxy_start
URL="http://$PROXY/$ORIGIN/site/page.html"

browser_load first "$URL" --no-proxy-server
expect_page_rendered first
expect_site_served MISS 0

n=$(wc -l <"$T/proxy.log")
browser_load again "$URL" --no-proxy-server
expect_page_rendered again
expect_site_served HIT "$n"
