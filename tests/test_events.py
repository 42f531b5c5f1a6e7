import json

from summarizer.client import parse_sse
from summarizer.queue.events import EventLog, sse_comment, sse_frame, valid_event_id


def test_frame_has_id_event_and_one_line_of_json():
    frame = sse_frame("token", {"text": "a\nb\n\ndata: x"}, "1-0")
    assert frame.endswith("\n\n")
    lines = frame.rstrip("\n").split("\n")
    assert lines == ["id: 1-0", "event: token", 'data: {"text":"a\\nb\\n\\ndata: x"}']


def test_frames_parse_back_including_newlines_and_unicode():
    frames = sse_frame("token", {"text": "é\n"}, "5-1") + sse_comment("keep-alive") + \
        "retry: 10\n\n" + sse_frame("done", {"summary": "ok"}, "6-0")
    events = list(parse_sse(frames.split("\n")))
    assert [(e.event, e.data, e.id) for e in events] == [
        ("token", {"text": "é\n"}, "5-1"), ("done", {"summary": "ok"}, "6-0")]


def test_comment_is_ignored_by_clients():
    assert sse_comment("keep-alive") == ": keep-alive\n\n"
    assert list(parse_sse(sse_comment("a\nb").split("\n"))) == []


def test_event_ids_are_validated():
    assert valid_event_id("1700000000000-3")
    for bad in ("", "abc", "1-", "-1", "1-2-3", "$"):
        assert not valid_event_id(bad)


def test_log_keeps_order_and_resumes_after_an_id(redis_client):
    log = EventLog(redis_client, "events-test", ttl_seconds=60)
    ids = [log.append("token", {"text": str(i)}) for i in range(5)]
    everything = log.read()
    assert [data["text"] for _, _, data in everything] == ["0", "1", "2", "3", "4"]
    after_second = log.read(ids[1])
    assert [event_id for event_id, _, _ in after_second] == ids[2:]
    assert log.last()[0] == ids[-1]
    assert 0 < redis_client.ttl(log.key) <= 60


def test_read_blocks_then_returns_nothing_when_idle(redis_client):
    log = EventLog(redis_client, "idle-test")
    assert log.read(block_ms=50) == []
    assert not log.exists()
    assert json.loads(json.dumps(log.read())) == []
