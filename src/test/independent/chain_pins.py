#!/usr/bin/env python3
"""Second opinion for the literals in the hash-chain pin tests.

Computes, without any of the service's code, the values written into
  src/test/java/io/scimledger/events/CanonicalJsonPinTest.java
  src/test/java/io/scimledger/events/HashChainPinTest.java
  src/test/java/io/scimledger/audit/CheckpointPinTest.java
following docs/audit.md ("Verifying the hash chain", "Signed checkpoints") and what events/CanonicalJson does:
object keys sorted by UTF-16 code unit (Java String order), no whitespace, strings escaped like Jackson (\\" \\\\
\\b \\f \\n \\r \\t, other control characters as \\u00XX with upper-case hex, characters outside the BMP as
their escaped surrogate pair \\uD83D\\uDE00 (upper-case hex), everything else as raw UTF-8),
integers as written, JSON numbers with a fraction or exponent read as IEEE doubles and written as the plain form of
the shortest decimal without trailing zeros. Needs python3 and the `cryptography` package. Run it and compare its
output with the literals; never edit a literal to match new Java behaviour without a migration plan for stored chains.
"""
import base64
import hashlib
import json
from decimal import Decimal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


class Double(float):
    """A JSON number with a fraction or exponent, as Jackson's default ObjectMapper reads it (a double)."""


def parse(text):
    return json.loads(text, parse_float=lambda s: Double(float(s)), object_pairs_hook=list_of_pairs)


class Obj(list):
    pass


def list_of_pairs(pairs):
    return Obj(pairs)


def plain_decimal(d):
    """BigDecimal.stripTrailingZeros().toPlainString(): no exponent, no trailing zeros, zero is "0"."""
    if d == 0:
        return "0"
    d = d.normalize()
    s = format(d, "f")
    return s


def escape(s):
    out = ['"']
    short = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    for ch in s:
        if ch in short:
            out.append(short[ch])
        elif ord(ch) < 0x20:
            out.append("\\u%04X" % ord(ch))
        elif ord(ch) > 0xFFFF:  # Jackson 2.x writes a non-BMP character as its escaped UTF-16 surrogate pair
            u = ord(ch) - 0x10000
            out.append("\\u%04X\\u%04X" % (0xD800 + (u >> 10), 0xDC00 + (u & 0x3FF)))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def utf16_key(k):
    return k.encode("utf-16-be")  # byte order of UTF-16BE == order of UTF-16 code units (Java String.compareTo)


def canonical_text(v):
    if isinstance(v, (Obj, dict)):
        pairs = list(v.items()) if isinstance(v, dict) else list(v)
        pairs.sort(key=lambda p: utf16_key(p[0]))
        return "{" + ",".join(escape(k) + ":" + canonical_text(x) for k, x in pairs) + "}"
    if isinstance(v, list):
        return "[" + ",".join(canonical_text(x) for x in v) + "]"
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, Double):
        return plain_decimal(Decimal(repr(float(v))))  # repr = shortest round-tripping decimal
    if isinstance(v, Decimal):
        return plain_decimal(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return escape(v)
    raise TypeError(type(v))


def canonical(v):
    return canonical_text(v).encode("utf-8")


def sha256(*parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(p)
    return h.digest()


def section(title):
    print("\n== " + title)


# ---------------------------------------------------------------- canonical JSON
section("canonical JSON")
CASES = {
    "nested": '{"b":{"z":1,"a":[3,2,1],"m":{"y":true,"x":false}},"a":null,"B":"upper","aa":"","_":0}',
    "arrays": '[{"b":2,"a":1},[],{},[[null]],"s",true,false,null]',
    "empty": '{"f":[],"e":{}}',
    "escapes": '{"s":"quote\\" backslash\\\\ slash\\/ nl\\n cr\\r tab\\t bs\\b ff\\f nul\\u0000 us\\u001f del\\u007f"}',
    "unicode": '{"name":"Zo\\u00eb \\u00dcnal \\u65e5\\u672c \\ud83d\\ude00 ls\\u2028","\\u043a\\u043b\\u044e\\u0447":"\\u0437",'
               '"\\uff01":1,"\\ud83d\\ude00":2,"\\u00e9":3,"e\\u0301":4}',
    "numbers": '{"int":42,"neg":-17,"zero":0,"negzero":-0,"long":9223372036854775807,'
               '"big":123456789012345678901234567890,"bigneg":-98765432109876543210,'
               '"dec":3.14,"trail":1.50,"whole":2.0,"negdec":-0.25,"negzerodec":-0.0,"exp":1E3,'
               '"small":2.5e-7,"large":1.5E20,"sum":0.30000000000000004,"pi":3.14159265358979323846}',
}
for name, text in CASES.items():
    c = canonical(parse(text))
    print(name)
    print("  text:", c.decode("utf-8").encode("unicode_escape").decode("ascii"))
    print("  hex: ", c.hex())
# values built as BigDecimal (DecimalNode), as AttributeValues does for a decimal attribute sent as a string
dec = [("a", Decimal("1.2300")), ("b", Decimal("1E+2")), ("c", Decimal("-0.000")), ("d", Decimal("0.1000000000000000000001"))]
print("decimalNodes", canonical(Obj(dec)).decode(), canonical(Obj(dec)).hex())

# ---------------------------------------------------------------- event hashes
section("event hashes")
STREAM = "5f0c6a4e-1b7d-4c1e-9a53-2d8e6f0b7c11"
TXN1 = "0d9e1f7a-3c2b-4e5d-8f6a-7b8c9d0e1f21"
TXN2 = "0d9e1f7a-3c2b-4e5d-8f6a-7b8c9d0e1f22"
SEALED = "q2Vj4mJbS0oAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
EVENTS = [
    {"eventId": "a1b2c3d4-0001-4000-8000-000000000001", "tenant": "acme", "streamType": "User", "streamId": STREAM,
     "version": 1, "type": "UserCreated", "schemaVersion": 1, "occurredAt": "2026-05-04T09:15:02Z",
     "actorSubject": "okta-provisioner", "actorClientId": "okta", "requestId": "req-1",
     "clientAddress": "203.0.113.7", "txnId": TXN1,
     "payload": parse('{"state":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],'
                      '"userName":{"$enc":"' + SEALED + '"},"title":"Tour Guide","active":true},'
                      '"request":{"method":"POST"}}')},
    {"eventId": "a1b2c3d4-0002-4000-8000-000000000002", "tenant": "acme", "streamType": "User", "streamId": STREAM,
     "version": 2, "type": "UserPatched", "schemaVersion": 1, "occurredAt": "2026-05-04T09:15:02.120Z",
     "actorSubject": "okta-provisioner", "actorClientId": None, "requestId": "req-2",
     "clientAddress": None, "txnId": TXN2,
     "payload": parse('{"state":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],'
                      '"userName":{"$enc":"' + SEALED + '"},"title":"F\\u00fchrer de visite \\u2014 \\ud83d\\uddfa",'
                      '"active":true},"request":{"method":"PATCH","operations":[{"op":"replace","path":"title",'
                      '"value":"F\\u00fchrer de visite \\u2014 \\ud83d\\uddfa"}]},"changed":["title"]}')},
    {"eventId": "a1b2c3d4-0003-4000-8000-000000000003", "tenant": "acme", "streamType": "User", "streamId": STREAM,
     "version": 3, "type": "UserDeleted", "schemaVersion": 1,
     "occurredAt": "2026-05-04T09:15:02.123456Z",  # Java input has nanoseconds .123456789; hashed truncated to micros
     "actorSubject": None, "actorClientId": None, "requestId": None,
     "clientAddress": "2001:db8::1", "txnId": TXN2,
     "payload": parse('{"request":{"method":"DELETE"}}')},
]
prev = None
for e in EVENTS:
    c = canonical(e)
    h = sha256(prev or bytes(32), c)
    print("v%d canonical: %s" % (e["version"], c.decode("utf-8").encode("unicode_escape").decode("ascii")))
    print("v%d hash:      %s" % (e["version"], h.hex()))
    prev = h
print("hash(00..1f, 'abc'):", sha256(bytes(range(32)), b"abc").hex())
print("hash(genesis, ''):  ", sha256(bytes(32), b"").hex())

# ---------------------------------------------------------------- checkpoints
section("checkpoints")
LEAVES1 = [(1, sha256(b"event-1")), (2, sha256(b"event-2")), (1000, sha256(b"event-1000")),
           (4294967297, sha256(b"event-4294967297"))]
for p, h in LEAVES1:
    print("leaf", p, h.hex())


def range_root(prev_root, leaves):
    parts = [prev_root]
    for position, h in leaves:
        parts += [position.to_bytes(8, "big"), h]
    return sha256(*parts)


root1 = range_root(bytes(32), LEAVES1)
print("root1", root1.hex())
LEAVES2 = [(4294967298, sha256(b"event-4294967298"))]
root2 = range_root(root1, LEAVES2)
print("root2", root2.hex())

signed = "\n".join([
    "scim-ledger-checkpoint-v1", "id=12", "from=1042:3380", "to=1077:3512", "count=132",
    "prev=" + root1.hex(), "root=" + root2.hex(), "created=2026-11-28T19:40:01.123456Z", "key=checkpoint-1"])
print("signed text:\n" + signed)
print("signed hex:", signed.encode("utf-8").hex())

# RFC 8032 section 7.1, TEST 1 key pair
seed = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
key = Ed25519PrivateKey.from_private_bytes(seed)
pub = key.public_key()
print("public raw:", pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex())
print("pkcs8 b64: ", base64.b64encode(key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                                        serialization.NoEncryption())).decode())
print("spki b64:  ", base64.b64encode(pub.public_bytes(serialization.Encoding.DER,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo)).decode())
print("sig(empty):", key.sign(b"").hex())
sig = key.sign(signed.encode("utf-8"))
print("sig(signed) b64:", base64.b64encode(sig).decode())
pub.verify(sig, signed.encode("utf-8"))
