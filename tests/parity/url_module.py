# url.parse, join, encode_query and quote/unquote against urllib.parse.
# url.parse's port is the scheme's default when none is written (Python's
# is None), and its query is a map (a repeated name keeps its last value,
# dict(parse_qsl(...))) beside every pair in order.
# Every URL names 127.0.0.1 only (the tests name no other host): the first
# has it as its user name too, and an upper-case scheme.
import json
from urllib.parse import (parse_qsl, quote, quote_plus, unquote, unquote_plus,
                          urlencode, urljoin, urlsplit)

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}


def parse(text):
    p = urlsplit(text)
    pairs = parse_qsl(p.query, keep_blank_values=True)
    return {
        "scheme": p.scheme,
        "user": p.username,
        "password": p.password,
        "host": p.hostname,
        "port": p.port or DEFAULT_PORTS.get(p.scheme),
        "path": p.path,
        "query": dict(pairs),
        "query_pairs": [list(pair) for pair in pairs],
        "query_string": p.query,
        "fragment": p.fragment,
    }


for text in [
    "HTTPS://127.0.0.1:s3cret@127.0.0.1:8443/a/b.html?x=1&y=2&x=3#top",
    "http://127.0.0.1/search?q=caf%C3%A9+au+lait&lang=fr&empty=&flag",
    "http://127.0.0.1:8000/p?",
    "https://127.0.0.1/",
    "ftp://127.0.0.1/pub/file.txt",
    "mailto:ada@127.0.0.1",
    "file:///etc/hosts",
    "//127.0.0.1:81/lib.js?v=2",
    "/just/a/path?q=a+b#top",
    "page.html?x=1&x=2",
    "?only=query",
    "#frag",
]:
    print(json.dumps(parse(text)))

base = "http://127.0.0.1/b/c/d;p?q"
for ref in ["g:h", "g", "./g", "g/", "/g", "?y", "g?y", "#s", "g#s", "g?y#s",
            ";x", "g;x", "", ".", "./", "..", "../", "../g", "../..", "../../",
            "../../g", "../../../g", "/./g", "/../g", "g.", ".g", "g..", "..g",
            "./../g", "g/./h", "g/../h", "https://127.0.0.1:8443/x"]:
    print(json.dumps(ref), urljoin(base, ref))

print(urlencode({"q": "café au lait", "page": 2, "tags": ["a b", "c&d"], "x": 1.5,
                 "path": "/a/b?c=d#e", "plus": "1+1=2", "tilde": "~_.-"}, doseq=True))
print(urlencode([("a", "1"), ("a", "2"), ("b", "")]))
print(urlencode({}))

for text in ["a b/c?d=é&~", "100% sure", "emoji 😀", "", "safe:/?#[]@!$&'()*+,;="]:
    print(quote(text), quote(text, safe=""), quote(text, safe="/:?="),
          quote_plus(text), quote_plus(text, safe="/"))
for text in ["caf%C3%A9", "a%20b+c", "%zz%", "%ff%C3", "%F0%9F%98", "%F0%9F%98%80!",
             "%e2%82%ac", "%", "100%", "é%41", "%C3é"]:
    print(json.dumps(unquote(text)), json.dumps(unquote_plus(text)))
print(json.dumps(unquote(quote("naïve / ünïcode ? & = + %")) == "naïve / ünïcode ? & = + %"))
