"""bench/province.py at a tiny scale: the same generator and measurement code, every request 2xx.

No timing assertions: speed is bench/'s (bench/README.md). The generator is PostgreSQL's
(generate_series, json_agg): this test runs in the PostgreSQL pass of `make test` only, on its own
throw-away server (tests/pg.py), so it never touches the session's database.
"""

from basesys.extensions import db
from bench.province import a_certificate, build, make_app, measure, requests_for, reset
from bench.province_data import Sizes
from tests.pg import PostgresServer


def quiet(*_args):
    pass


def test_every_measured_request_answers_2xx():
    server = PostgresServer().start()
    try:
        url = server.create_database("province_small")
        sizes = Sizes.at(0.001)
        build(url, sizes, log=quiet)
        app = make_app(url)
        reset(app, sizes)
        certificate = a_certificate(app, sizes)
        rows = measure(app, sizes, certificate, repeat=1, log=quiet)
        with app.app_context():
            db.engine.dispose()
    finally:
        server.stop()
    assert len(rows) == len(requests_for(sizes, certificate))
    failed = [(r.who, r.label, r.path, r.status) for r in rows if not r.ok]
    assert failed == []
