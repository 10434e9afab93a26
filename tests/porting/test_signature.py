"""X-Twilio-Signature: the twilio-python test vectors, and the ways a forgery must fail."""

from bot.porting.signature import compute_signature, sign_json, signed_url, validate_json

TOKEN = "12345"
BODY = b'{"property": "value", "boolean": true}'
HASH = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
URL = f"https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256={HASH}"


def test_twilio_python_json_vector() -> None:
    assert signed_url("https://mycompany.com/myapp.php?foo=1&bar=2", BODY) == URL
    assert compute_signature(TOKEN, URL) == "a9nBmqA0ju/hNViExpshrM61xv4="
    assert validate_json([TOKEN], URL, BODY, "a9nBmqA0ju/hNViExpshrM61xv4=")


def test_twilio_python_form_vector_url_part() -> None:
    # Form scheme appends sorted params to the URL; the HMAC primitive is the same.
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    message = url + "".join(k + params[k] for k in sorted(params))
    assert compute_signature(TOKEN, message) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_tampered_body_fails_even_with_valid_url_signature() -> None:
    assert not validate_json([TOKEN], URL, b'{"property": "evil"}', "a9nBmqA0ju/hNViExpshrM61xv4=")


def test_missing_or_wrong_signature_fails() -> None:
    assert not validate_json([TOKEN], URL, BODY, None)
    assert not validate_json([TOKEN], URL, BODY, "")
    assert not validate_json(["other"], URL, BODY, "a9nBmqA0ju/hNViExpshrM61xv4=")


def test_url_without_body_hash_never_validates() -> None:
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert not validate_json([TOKEN], url, BODY, compute_signature(TOKEN, url))


def test_default_port_variants_and_token_list() -> None:
    full, sig = sign_json("tok", "https://bot.example.com:443/twilio/porting", b"{}")
    plain = full.replace(":443", "")
    assert validate_json(["nope", "tok"], plain, b"{}", sig)
    full2, sig2 = sign_json("tok", "https://bot.example.com/twilio/porting", b"{}")
    assert validate_json(["tok"], full2.replace(".com/", ".com:443/"), b"{}", sig2)
