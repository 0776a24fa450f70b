"""The OpenAI-compatible API, driven by the real ``openai`` Python package over loopback HTTP."""
from __future__ import annotations

import httpx
import openai
import pytest

from tests.conftest import make_settings, serve

QUESTION = "Đơn vị nào chủ trì tuyên truyền trên hệ thống thông tin cơ sở ở Quảng Ninh?"
KEY = "test-key-0123456789"


@pytest.fixture(scope="module")
def keyed_server(services, tmp_path_factory):
    """The session's index behind an app that requires an API key."""
    from bot.http.app import create_app

    settings = make_settings(services.settings.home, api_keys=[KEY])
    application = create_app(settings)
    application.state.services = services
    with serve(application) as base:
        yield base


@pytest.fixture(scope="module")
def client(keyed_server):
    return openai.OpenAI(base_url=f"{keyed_server}/v1", api_key=KEY, max_retries=0, timeout=60)


def test_models_lists_the_product(client):
    assert [m.id for m in client.models.list().data] == ["aseanbot"]


def test_plain_completion_answers_with_sources(client):
    reply = client.chat.completions.create(model="aseanbot", messages=[{"role": "user", "content": QUESTION}])
    content = reply.choices[0].message.content
    assert "các huyện, thị xã, thành phố [1]" in content
    assert "[1]" in content and "\nNguồn:\n[1] " in content  # plain clients still see the sources
    extra = reply.choices[0].message.model_extra
    assert extra["citations"][0]["doc_id"].startswith("asean-quangninh")
    assert extra["citations"][0]["quote"]
    assert reply.choices[0].finish_reason == "stop" and reply.usage.total_tokens > 0


def test_streamed_completion_reassembles_to_the_plain_reply(client):
    plain = client.chat.completions.create(model="aseanbot", messages=[{"role": "user", "content": QUESTION}])
    chunks = list(client.chat.completions.create(model="aseanbot", stream=True,
                                                 messages=[{"role": "user", "content": QUESTION}]))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == plain.choices[0].message.content
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert last.model_extra["citations"] == plain.choices[0].message.model_extra["citations"]


def test_a_thread_uses_its_first_message(client):
    messages = [
        {"role": "user", "content": "Đơn vị nào chủ trì tuyên truyền trên mạng xã hội ở Quảng Ninh?"},
        {"role": "assistant", "content": "(câu trả lời trước)"},
        {"role": "user", "content": "Còn Tây Ninh thì sao?"},
    ]
    reply = client.chat.completions.create(model="aseanbot", messages=messages)
    cites = reply.choices[0].message.model_extra["citations"]
    assert cites and all(c["doc_id"].startswith("asean-tayninh") for c in cites)
    alone = client.chat.completions.create(model="aseanbot", messages=[messages[-1]])
    assert alone.choices[0].message.content != reply.choices[0].message.content


def test_a_refusal_is_an_ordinary_reply(client):
    reply = client.chat.completions.create(
        model="aseanbot", messages=[{"role": "user", "content": "Giá vé máy bay từ Hà Nội đi Singapore là bao nhiêu?"}])
    assert reply.choices[0].message.content.startswith("Các tài liệu hiện có không đề cập")
    assert reply.choices[0].message.model_extra["citations"] == []


def test_a_wrong_key_gets_401_in_openais_shape(keyed_server):
    bad = openai.OpenAI(base_url=f"{keyed_server}/v1", api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as err:
        bad.chat.completions.create(model="aseanbot", messages=[{"role": "user", "content": QUESTION}])
    assert err.value.status_code == 401
    body = err.value.body
    assert body["code"] == "invalid_api_key" and body["type"] == "invalid_request_error" and body["message"]


def test_bad_requests_get_400_in_openais_shape(keyed_server):
    headers = {"Authorization": f"Bearer {KEY}"}
    r = httpx.post(f"{keyed_server}/v1/chat/completions", headers=headers, json={"messages": []})
    assert r.status_code == 400 and set(r.json()["error"]) == {"message", "type", "param", "code"}
    r = httpx.post(f"{keyed_server}/v1/chat/completions", headers=headers,
                   json={"messages": [{"role": "system", "content": "x"}]})
    assert r.status_code == 400 and "user" in r.json()["error"]["message"]


def test_without_keys_only_loopback_may_call(live_server):
    """The session's default app has no keys: a loopback caller is served."""
    local = openai.OpenAI(base_url=f"{live_server}/v1", api_key="anything", max_retries=0)
    assert local.models.list().data[0].id == "aseanbot"
