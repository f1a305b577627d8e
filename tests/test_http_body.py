import pytest
from fastapi import HTTPException

from api.http_body import parse_json


def test_nul_characters_are_dropped_everywhere() -> None:
    body = b'{"entry": [{"text": {"body": "oi\\u0000 tudo"}}], "k\\u0000": "\\u0000"}'
    assert parse_json(body) == {"entry": [{"text": {"body": "oi tudo"}}], "k": ""}


@pytest.mark.parametrize("body", [b"{", b"\xff\xfe", b"not json"])
def test_malformed_json_is_a_400_with_a_reason(body: bytes) -> None:
    with pytest.raises(HTTPException) as error:
        parse_json(body)
    assert error.value.status_code == 400 and "malformed JSON" in error.value.detail
