# hashes (whole and streamed), hmac, base64 and gzip against hashlib, hmac,
# base64 and gzip. gzip output differs by compressor, so it is compared by
# round trips and by reading data CPython compressed.
import base64, gzip, hashlib, hmac

inputs = [b"", b"abc", "naïve ✓".encode(), bytes(range(256)) * 40]
for data in inputs:
    print(len(data), hashlib.md5(data).hexdigest(), hashlib.sha1(data).hexdigest())
    print(hashlib.sha256(data).hexdigest(), hashlib.sha384(data).hexdigest()[:32])
    print(hashlib.sha512(data).hexdigest())
    print(base64.b64encode(data).decode()[:80], base64.urlsafe_b64encode(data).decode()[-20:])
    print(base64.b64decode(base64.b64encode(data)) == data, gzip.decompress(gzip.compress(data)) == data)
h = hashlib.sha256()
for i in range(100):
    h.update(bytes([i]) * i)
print(h.hexdigest(), h.digest()[:8])
print(hashlib.sha256("text is its UTF-8: é".encode()).hexdigest())
print(hmac.new(b"key", b"The quick brown fox", "sha256").hexdigest())
print(hmac.new(b"k" * 200, b"long key", "sha512").hexdigest()[:64])
print(hmac.new(b"key", b"msg", "sha1").hexdigest(), hmac.new(b"key", b"msg", "sha384").hexdigest()[:16])
made = bytes.fromhex("1f8b0800000000000203cb4d4c495548aa54700ea82cc9c8cfe3ca1de58ff247f9703e032313330b2b1b3b072717370f2f1fbf80a090b088a898b884a494b48cac9cbc82a292b28aaa9aba86a696b68eae9ebe81a191b189a999b985a595b58dad9dbd83a393b38bab9bbb87a797b78faf9f7f4060507048685878446454744c6c5c7c426252724a6a5a7a466656764e6e5e7e4161517149695979456555754d6d5d7d436353734b6b5b7b476757774f6f5fff848993264f993a6dfa8c99b366cf993b6ffe82858b162f59ba6cf98a95ab56af59bb6efd868d9b366fd9ba6dfb8e9dbb76efd9bb6fff8183870e1f397aecf88993a74e9f397beefc858b972e5fb97aedfa8d9bb76edfb97beffe83878f1e3f79faecf98b97af5ebf79fbeefd878f9f3e7ff9faedfb8f9fbf7efff9fbef3f0091f4e8d8200400001f8b08000000000002032b4e4dcecf4b51c84dcd4d4a2d02002474fa9f0d000000")
out = gzip.decompress(made)
print(len(out), out[:20], out[-13:], hashlib.sha256(out).hexdigest())
for bad in [b"nope", b"\x1f\x8b\x08\x00garbage"]:
    try:
        gzip.decompress(bad)
    except Exception as e:
        print("error")
print(base64.b64decode("aGk="), base64.urlsafe_b64decode("-_8="), base64.b64decode(b"+/8="))
