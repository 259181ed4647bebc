"""The per-report cache and the YAML reader: what is put is got back; a damaged entry is a miss."""

from grassroots.pipeline.corpus import cache_file, cache_get_blocks, cache_put_blocks

BLOCKS = {
    "mentions": (2, 'bato,m0001,12,"tiếp nhận 1.134 hồ sơ,\r\n đúng hạn"\nbato,m0002,13,x\n'.encode()),
    "indicators": (0, b""),
    "reports": (1, "bato,Bá Thước\n".encode()),
}


def test_blocks_come_back_as_they_were_put(tmp_path):
    cache_put_blocks(tmp_path, "extract", "bato", "k1", BLOCKS)
    assert cache_get_blocks(tmp_path, "extract", "bato", "k1") == BLOCKS  # "\r\n" inside a field kept
    assert cache_get_blocks(tmp_path, "extract", "bato", "k2") is None  # another code version
    assert cache_get_blocks(tmp_path, "extract", "other", "k1") is None  # never written


def test_a_damaged_entry_is_a_miss(tmp_path):
    cache_put_blocks(tmp_path, "extract", "bato", "k1", BLOCKS)
    path = cache_file(tmp_path, "extract", "bato")
    good = path.read_bytes()
    head, body = good.split(b"\n", 1)
    damaged = {
        "cut short": good[:-5],
        "zeroed body": head + b"\n" + bytes(len(body)),
        "same length, one byte changed": good[:-3] + b"y" + good[-2:],
        "no body": head,
        "not json": b"[" + good[1:],
        "empty": b"",
    }
    for what, data in damaged.items():
        path.write_bytes(data)
        assert cache_get_blocks(tmp_path, "extract", "bato", "k1") is None, what
    path.write_bytes(good)
    assert cache_get_blocks(tmp_path, "extract", "bato", "k1") == BLOCKS


def test_yaml_read_with_the_c_parser_is_what_the_python_parser_reads():
    import pytest
    import yaml

    from grassroots.paths import RULES_DIR
    from grassroots.pipeline.rawio import load_yaml

    from .conftest import FIXTURES, RAW

    files = sorted(RULES_DIR.glob("*.yml")) + sorted(RAW.glob("*.yml")) + sorted(FIXTURES.rglob("*.yml"))
    assert len(files) > 5
    for path in files:
        text = path.read_text(encoding="utf-8")
        try:
            expected = yaml.safe_load(text)
        except yaml.YAMLError:
            with pytest.raises(yaml.YAMLError):
                load_yaml(text)
            continue
        assert load_yaml(text) == expected, path.name
    with pytest.raises(yaml.YAMLError):
        load_yaml("title: [unclosed\n")
