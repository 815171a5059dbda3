"""Renders in warm worker processes (agmtool.packs.worker) and documents asked for by input
hash (agmtool.packs.documents): limits, replacement, single flight, the shared cap."""

from __future__ import annotations

import threading
import time

import pdf_helpers
import pytest
from cachelib import SimpleCache

from agmtool.packs import demo, documents, worker

CARD = worker.Job("pdf/demo_cards.html", demo.card_content(1))
BIG_PACK = worker.Job("pdf/demo_pack.html", demo.pack_content(50))
# Generous for a card on a busy machine, far too short for the 50-question pack.
TIME_LIMIT = 30.0


@pytest.fixture(scope="module")
def pool():
    pool = worker.Pool(size=1, time_limit=TIME_LIMIT, memory_mib=1024)
    pool.warm()
    yield pool
    pool.close()


def wait_for(predicate, seconds: float = TIME_LIMIT):
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("gave up waiting")
        time.sleep(0.05)


def test_a_warm_worker_renders_a_pdf(pool):
    rendered = pool.render(CARD.digest, CARD)
    assert rendered.data[:5] == b"%PDF-"


def test_a_runaway_render_is_stopped_at_its_time_limit(pool):
    with pytest.raises(worker.RenderTimeout):
        pool.render(BIG_PACK.digest, BIG_PACK, time_limit=0.3)


def test_a_stopped_worker_is_replaced(pool):
    with pytest.raises(worker.RenderTimeout):
        pool.render(BIG_PACK.digest, BIG_PACK, time_limit=0.3)
    assert pool.render(CARD.digest, CARD).data[:5] == b"%PDF-"


def test_a_render_past_its_memory_limit_is_stopped():
    small = worker.Pool(size=1, time_limit=120, memory_mib=100)
    try:
        with pytest.raises(worker.RenderOutOfMemory):
            small.render(BIG_PACK.digest, BIG_PACK)
    finally:
        small.close()


def test_a_template_error_leaves_the_worker_working(pool):
    broken = worker.Job("pdf/demo_pack.html", {"company": "only this"})
    with pytest.raises(worker.RenderError) as raised:
        pool.render(broken.digest, broken)
    assert (raised.value.reason, pool.render(CARD.digest, CARD).data[:5]) == (
        "failed", b"%PDF-")


def test_a_100000_character_word_renders_within_the_limit(pool):
    content = demo.card_content(1)
    content["questions"][0]["text"] = "x" * 100_000
    job = worker.Job("pdf/demo_cards.html", content)
    assert pool.render(job.digest, job).data[:5] == b"%PDF-"


def test_a_megabyte_of_text_in_every_field_renders_within_the_limit(pool):
    text = ("Lorem ipsum dolor sit amet, água, ñandú. " * 25_000)[:1_000_000]
    content = demo.pack_content(2)
    for question in content["questions"]:
        question.update(text=text, notes=text, title=text)
        question["original"]["text"] = text
    for community in content["communities"]:
        community["background"] = text
    job = worker.Job("pdf/demo_pack.html", content)
    assert pool.render(job.digest, job).data[:5] == b"%PDF-"


def test_hostile_text_in_a_worker_fetches_and_attaches_nothing(pool, tmp_path):
    with pdf_helpers.Canary() as canary:
        content = demo.card_content(2)
        hostile = " ".join(pdf_helpers.hostile_texts(canary.url))
        for question in content["questions"]:
            question["text"] = question["original"]["text"] = hostile
        job = worker.Job("pdf/demo_cards.html", content)
        data = pool.render(job.digest, job).data
        assert (canary.requests, pdf_helpers.attachments(data, tmp_path)) == (
            [], "0 embedded files")


# --- documents: asked for by input hash ---------------------------------------------------

def make_documents(pool, **settings) -> documents.Documents:
    return documents.Documents(SimpleCache(), pool, **settings)


def test_a_cached_document_comes_at_once_without_a_render(pool):
    docs = make_documents(pool)
    docs.cache.set("pdf:doc:" + CARD.digest, b"%PDF-cached")
    started = pool.started
    assert (docs.request(CARD), pool.started) == (
        documents.Ready(CARD.digest, b"%PDF-cached"), started)


def test_a_quick_render_is_ready_within_the_wait(pool):
    docs = make_documents(pool, wait_seconds=TIME_LIMIT)
    result = docs.request(CARD)
    assert (type(result), result.data[:5]) == (documents.Ready, b"%PDF-")


def test_a_slow_render_is_pending_then_ready(pool):
    docs = make_documents(pool, wait_seconds=0.2)
    job = worker.Job("pdf/demo_pack.html", demo.pack_content(6))
    first = docs.request(job)
    wait_for(lambda: docs.cached(job.digest) is not None)
    assert (first, type(docs.request(job))) == (documents.Pending(job.digest),
                                                documents.Ready)


def test_two_requests_for_one_document_start_one_render(pool):
    docs = make_documents(pool, wait_seconds=0)
    job = worker.Job("pdf/demo_cards.html", demo.card_content(2))
    started = pool.started
    results = [docs.request(job), docs.request(job)]
    wait_for(lambda: docs.cached(job.digest) is not None)
    assert (results, pool.started - started) == ([documents.Pending(job.digest)] * 2, 1)


def test_a_runaway_render_fails_with_its_reason(pool):
    docs = make_documents(pool, wait_seconds=TIME_LIMIT, time_limit=0.3)
    assert docs.request(BIG_PACK) == documents.Failed(BIG_PACK.digest, "timeout")


def test_a_failure_is_remembered_so_a_refresh_does_not_start_it_again(pool):
    docs = make_documents(pool, wait_seconds=TIME_LIMIT, time_limit=0.3)
    docs.request(BIG_PACK)
    started = pool.started
    assert (docs.request(BIG_PACK), pool.started) == (
        documents.Failed(BIG_PACK.digest, "timeout"), started)


def test_renders_wait_for_a_free_slot_shared_by_all_processes(pool):
    docs = make_documents(pool, max_concurrent=1, wait_seconds=0)
    docs.cache.add("pdf:slot:0", "another process")
    job = worker.Job("pdf/demo_cards.html", demo.card_content(3))
    docs.request(job)
    time.sleep(1)
    held = docs.cached(job.digest)
    docs.cache.delete("pdf:slot:0")
    wait_for(lambda: docs.cached(job.digest) is not None)
    assert held is None


def test_the_web_process_keeps_answering_while_a_render_runs(pool, client):
    docs = make_documents(pool, wait_seconds=0)
    job = worker.Job("pdf/demo_pack.html", demo.pack_content(20))
    docs.request(job)
    answers = [client.get("/healthz").get_data(as_text=True) for _ in range(3)]
    wait_for(lambda: docs.cached(job.digest) is not None, 120)
    assert answers == ["ok"] * 3


def test_documents_share_redis_between_processes(pool):
    redis = pytest.importorskip("redis")
    from cachelib import RedisCache

    store = redis.Redis.from_url("redis://127.0.0.1:6379/7")
    try:
        store.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"test-{time.monotonic_ns()}:"
    one = documents.Documents(RedisCache(store, key_prefix=prefix), pool, wait_seconds=0)
    two = documents.Documents(RedisCache(store, key_prefix=prefix), pool, wait_seconds=0)
    job = worker.Job("pdf/demo_cards.html", demo.card_content(4))
    started = pool.started
    one.request(job)
    second = two.request(job)  # as another gunicorn process would: it finds the lock
    wait_for(lambda: two.cached(job.digest) is not None)
    assert (second, pool.started - started) == (documents.Pending(job.digest), 1)


def test_for_app_uses_the_app_cache_and_settings(app):
    # create_app has run packs.init_app: the PDF_* defaults are set.
    app.config.update(PDF_WAIT_SECONDS=0.5, PDF_MAX_CONCURRENT=3)
    docs = documents.for_app(app)
    try:
        assert (docs.wait_seconds, docs.max_concurrent, docs.pool.size) == (0.5, 3, 1)
    finally:
        worker.shutdown()


def test_threads_asking_at_once_start_one_render(pool):
    docs = make_documents(pool, wait_seconds=TIME_LIMIT)
    job = worker.Job("pdf/demo_cards.html", demo.card_content(5))
    started = pool.started
    results = []
    threads = [threading.Thread(target=lambda: results.append(docs.request(job)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ({type(r) for r in results}, pool.started - started) == ({documents.Ready}, 1)
