# toml.parse against Python's tomllib (printed as JSON, which both write
# alike; a date-time as its TOML text), and that each bad document fails.
import datetime, json, tomllib

def text(v):
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time)):
        return v.isoformat().replace("+00:00", "Z")
    raise TypeError(v)

docs = [
    'title = "TOML Example"\n\n[owner]\nname = "Tom Preston-Werner"\ndob = 1979-05-27T07:32:00-08:00\n\n[database]\nenabled = true\nports = [ 8000, 8001, 8002 ]\ndata = [ ["delta", "phi"], [3.14] ]\ntemp_targets = { cpu = 79.5, case = 72.0 }\n\n[servers]\n\n[servers.alpha]\nip = "10.0.0.1"\nrole = "frontend"\n',
    '[[products]]\nname = "Hammer"\nsku = 738594937\n\n[[products]]  # empty table within the array\n\n[[products]]\nname = "Nail"\nsku = 284758393\ncolor = "gray"\n',
    'int1 = +99\nint2 = 1_000\nhex = 0xDEADBEEF\noct = 0o755\nbin = 0b1101\nflt1 = -3.1415\nflt2 = 5e+22\nflt3 = 6.626e-34\nsinf = -inf\nsnan = nan\nbig = 9223372036854775807\n',
    'str1 = "I\'m a string. \\"You can quote me\\". Name\\tJos\\u00E9\\nLocation\\tSF."\nlit = \'C:\\Users\\nodejs\\templates\'\nml = """\nRoses are red\n  Violets are blue"""\nfold = """\\\n  The quick brown \\\n  fox."""\nraw = \'\'\'\nThe first newline is\ntrimmed in raw strings.\n\'\'\'\n',
    'name = "Orange"\nphysical.color = "orange"\nphysical.shape = "round"\nsite."google.com" = true\n"quoted key" = 1\npoint = { x = 1, y = 2 }\n',
    'odt1 = 1979-05-27T07:32:00Z\nodt2 = 1979-05-27T00:32:00.999999-07:00\nodt3 = 1979-05-27 07:32:00+05:30\nldt = 1979-05-27T07:32:00\nld = 1979-05-27\nlt = 00:32:00.123456\n',
    '',
]
for d in docs:
    print(json.dumps(tomllib.loads(d), default=text))

bad = [
    "a = 1\na = 2\n",
    "x = [1, 2\n",
    "[table\nb = 1\n",
    "a.b = 1\na = 2\n",
    "s = \"unterminated\n",
]
for b in bad:
    try:
        tomllib.loads(b)
    except tomllib.TOMLDecodeError as e:
        print("TomlError")
