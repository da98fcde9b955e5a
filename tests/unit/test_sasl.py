"""The SASL messages, parsed directly from bytes (RFC 4616, RFC 2195, RFC 7628, XOAUTH2)."""

from __future__ import annotations

import pytest

from elektromail.sasl import SaslError, cram_md5_digest, parse_oauthbearer, parse_plain, parse_xoauth2


def test_cram_md5_digest_matches_the_rfc_2195_example() -> None:
    challenge = b"<1896.697170952@postoffice.reston.mci.net>"
    assert cram_md5_digest("tanstaaftanstaaf", challenge) == "b913a602c7eda7a495b4e6e7334d3890"


def test_plain() -> None:
    assert parse_plain(b"admin\0tim\0tanstaaftanstaaf") == ("admin", "tim", "tanstaaftanstaaf")
    for bad in (b"tim\0pw", b"\0\0pw", b"\0tim\0pw\0", b"\0\xff\0pw"):
        with pytest.raises(SaslError):
            parse_plain(bad)


def test_xoauth2() -> None:
    assert parse_xoauth2(b"user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmT\x01\x01") == (
        "someuser@example.com",
        "ya29.vF9dft4qmT",
    )
    for bad in (b"user=a\x01auth=Bearer t\x01", b"auth=Bearer t\x01\x01", b"user=a\x01auth=t\x01\x01"):
        with pytest.raises(SaslError):
            parse_xoauth2(bad)


def test_oauthbearer_as_in_rfc_7628() -> None:
    message = (
        b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01"
        b"auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01"
    )
    assert parse_oauthbearer(message) == ("user@example.com", "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==")
    assert parse_oauthbearer(b"n,a=a=2Cb=3Dc,\x01auth=Bearer t\x01\x01") == ("a,b=c", "t")
    for bad in (b"n,,\x01auth=Bearer t\x01\x01", b"p=x,a=u,\x01auth=Bearer t\x01\x01", b"n,a=u,\x01auth=Bearer t"):
        with pytest.raises(SaslError):
            parse_oauthbearer(bad)
