"""The intake's figures: concern submissions through the public form against one-row inserts
of the same tables, their 99th percentile at 50 at once, none lost; the form's weight."""

from __future__ import annotations

import re
import statistics
from urllib.parse import urlencode

import sqlalchemy as sa

from agmtool.bench import Result, measures
from agmtool.bench.harness import PAIRS, spread

SUBMISSIONS = 10_000
PER_RUN = 250  # submissions, then inserts, in each pair
AT_ONCE = 50
SESSIONS = 64
RECEIPT = r'<p class="receipt" lang="en">([^<]+)</p>'
BODY = ("Desde que abrieron el nuevo tajo, el río baja turbio y los niños tienen manchas en la "
        "piel después de bañarse en la quebrada. Las volquetas pasan de noche, las casas se "
        "agrietan y perdimos los cultivos de yuca por el polvo. Nadie de la empresa vino a "
        "explicar nada a la comunidad.")


def forms(run, count: int) -> list[dict]:
    """``count`` concern forms as browsers hold them: a session cookie and its token, an
    idempotency key and its signed stamp. SESSIONS browsers open the form; each then sends
    many, with keys and stamps made here as the form makes them (the form page itself is not
    what is measured, and 10,000 renderings of it would take the bench's time)."""
    from agmtool.concerns import receipts
    from agmtool.concerns.public import form_stamp

    opened = run.rate([{"path": "/es/concerns/new", "keep_cookie": False}], SESSIONS,
                      concurrency=8, fields=["csrf_token"])["results"]
    made = []
    with run.app.test_request_context("/es/concerns/new"):
        for n in range(count):
            session = opened[n % SESSIONS]["fields"]
            key = receipts.new_idempotency_key()
            made.append({"cookie": session["cookie"], "csrf_token": session["csrf_token"],
                         "idempotency_key": key, "started": form_stamp(key)})
    return made


def submission(form: dict, n: int, company_id: int) -> dict:
    body = urlencode({
        "csrf_token": form["csrf_token"], "idempotency_key": form["idempotency_key"],
        "started": form["started"], "website": "", "company": str(company_id),
        "company_other": "", "place": "Río Cauca", "community_name": f"Vereda {n % 40}",
        "topics": "water", "body": f"{BODY} ({n})",
        "wanted": "Que la empresa diga cuándo va a limpiar el río.",
        "attribution": "anonymous", "speaker_name": "", "contact_name": "",
        "contact_details": "", "reply_language": "es"})
    return {"method": "POST", "path": "/es/concerns/new", "body": body,
            "headers": {"Cookie": form["cookie"],
                        "Content-Type": "application/x-www-form-urlencoded"}}


@measures("submit_vs_raw_insert", "submit_p99_ms", "submissions_lost")
def submissions(run) -> dict:
    from agmtool.concerns import receipts
    from agmtool.extensions import db
    from agmtool.models import Company, Concern

    with run.app.app_context():
        company_id = db.session.scalar(sa.select(Company.id).limit(1))
        db.session.remove()
    posts = iter([submission(form, n, company_id)
                  for n, form in enumerate(forms(run, SUBMISSIONS + 1))])
    insert = {"method": "POST", "path": "/bench/insert", "body": next(posts)["body"],
              "headers": {"Content-Type": "application/x-www-form-urlencoded"}}
    codes: list[str] = []

    def submit(count: int, concurrency: int) -> dict:
        batch = [next(posts) for _ in range(count)]
        answer = run.rate(batch, count, concurrency=concurrency, capture=RECEIPT, fresh=True)
        codes.extend(r["capture"] for r in answer["results"] if r["capture"])
        return answer

    run.note("forms ready")
    ratio, ratios, submit_rate, insert_rate = run.ratio(
        lambda: submit(PER_RUN, 8), lambda: run.rate([insert], PER_RUN, fresh=True))
    run.note(f"submissions against inserts: {ratio:.2f}")
    rest = SUBMISSIONS - PAIRS * PER_RUN
    busy = submit(rest, AT_ONCE)
    latencies = sorted(r["ms"] for r in busy["results"])
    p99 = statistics.quantiles(latencies, n=100)[98]
    stored = 0
    with run.app.app_context():
        hashes = [receipts.receipt_hash(code) for code in codes]
        for start in range(0, len(hashes), 500):
            stored += db.session.scalar(sa.select(sa.func.count()).select_from(Concern).where(
                Concern.receipt_hash.in_(hashes[start:start + 500])))
        db.session.remove()
    sent = PAIRS * PER_RUN + rest
    return {
        "submit_vs_raw_insert": Result(
            round(ratio, 3), f"{submit_rate:.0f} submissions/s vs {insert_rate:.0f} inserts/s, "
                             f"8 connections", spread(ratios)),
        "submit_p99_ms": Result(
            round(p99, 1), f"{rest:,} submissions at {AT_ONCE} at once: median "
                           f"{statistics.median(latencies):.0f} ms, {busy['rate']:.0f}/s"),
        "submissions_lost": Result(
            len(codes) - stored, f"of {sent:,} sent, {len(codes):,} acknowledged with a "
                                 f"receipt code, {stored:,} of those stored"),
    }


@measures("form_page_bytes")
def form_page(run) -> dict:
    sizes = {}
    for lang in ("en", "es", "pt", "id"):
        _status, _headers, html = run.get(f"/{lang}/concerns/new")
        assets = sorted(set(re.findall(rb'(?:href|src)="(/static/[^"?#]+)', html)))
        sizes[lang] = len(html) + sum(len(run.get(path.decode())[2]) for path in assets)
    heaviest = max(sizes, key=sizes.get)
    return {"form_page_bytes": Result(
        sizes[heaviest], f"{heaviest} heaviest; " + ", ".join(
            f"{lang} {size:,}" for lang, size in sizes.items()) + " bytes, uncompressed")}
