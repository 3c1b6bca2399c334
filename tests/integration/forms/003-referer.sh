# forms/003-referer: a path-form page's root-relative sub-resources
# (/site/style.css) are resolved against the Referer's origin.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
fetchp "/$ORIGIN/site/page.html"
expect_status 200
expect_body_has "style.css"

ref="http://$PROXY/$ORIGIN/site/page.html"
fetchp "/site/style.css" -H "Referer: $ref"
expect_status 200
expect_header 'Content-Type: text/css'
expect_origin_hits /site/style.css 1
fetchp "/site/img/a.png" -H "Referer: $ref"
expect_status 200
expect_header 'Content-Type: image/png'

# Without a Referer, or with one that is not a path-form page of this
# proxy, such a path names no site: 400 with a page that says so.
fetchp "/site/style.css"
expect_status 400
expect_body_has "names no site"
fetchp "/site/style.css" -H "Referer: http://elsewhere.test/$ORIGIN/x.html"
expect_status 400
expect_origin_hits /site/style.css 1
