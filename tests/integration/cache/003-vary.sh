# cache/003-vary: Vary makes the named request headers part of the key.
. "$(dirname "$0")/../lib.sh"

origin_start
proxy_start
U="http://$ORIGIN/bytes/20?h=Cache-Control:max-age%3D60&h=Vary:Accept-Language"
fetch "$U" -H 'Accept-Language: en'
fetch "$U" -H 'Accept-Language: en'
expect_header 'Cache-Status: evproxy; hit'
expect_origin_hits /bytes/20 1
fetch "$U" -H 'Accept-Language: fr'
expect_header 'Cache-Status: evproxy; fwd=miss'
expect_origin_hits /bytes/20 2
fetch "$U" -H 'Accept-Language: fr'
expect_header 'Cache-Status: evproxy; hit'
fetch "$U" -H 'Accept-Language: en'
expect_header 'Cache-Status: evproxy; hit'
expect_origin_hits /bytes/20 2
