import pytest

from drillbook.errors import DrillbookError
from drillbook.stack.network import is_loopback_url, require_loopback


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080/ready", "http://localhost:1/", "https://127.0.0.1:8443"],
)
def test_loopback_ports_pass(url: str) -> None:
    assert is_loopback_url(url)
    require_loopback(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:1@10.0.0.1/",  # userinfo: the host is 10.0.0.1
        "http://127.0.0.1.evil.example:80/",
        "http://10.0.0.1:8080/",
        "http://127.0.0.1/",  # no published port named
        "ftp://127.0.0.1:21/",
        "http://127.0.0.1:99999/",
        "not a url",
    ],
)
def test_everything_else_is_refused(url: str) -> None:
    assert not is_loopback_url(url)
    with pytest.raises(DrillbookError, match=r"only targets 127\.0\.0\.1"):
        require_loopback(url)
