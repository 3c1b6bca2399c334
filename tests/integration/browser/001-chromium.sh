# browser/001-chromium: headless Chromium with evproxy as its proxy
# (absolute form; loopback not exempt) renders the suite's test page with
# its stylesheet, image and script.  A second load, by a fresh browser
# profile so that Chromium's own cache plays no part, is served from
# evproxy's cache: the origin sees no request for the page or its
# sub-resources again.
. "$(dirname "$0")/../lib.sh"

# the origin on an address of its own, apart from the proxy's 127.0.0.1
ORIGIN_ADDR=127.0.0.2
origin_start
proxy_start
URL="http://$ORIGIN/site/page.html"
set -- "--proxy-server=http://$PROXY" "--proxy-bypass-list=<-loopback>"

browser_load first "$URL" "$@"
expect_page_rendered first
expect_site_served MISS 0

n=$(wc -l <"$T/proxy.log")
browser_load again "$URL" "$@"
expect_page_rendered again
expect_site_served HIT "$n"
