"""bench/app.py's pure parts: which responses count as JS/CSS, the gzipped sizes the tablet side is given
(as webapp/serve.py sends them), the median with min-max, and the JSON keys and pass/fail lines."""

from __future__ import annotations

import gzip

from bench import app


def test_the_app_bench_counts_js_and_css_gzips_as_serve_does_and_reports_the_median_of_the_slowest(tmp_path):
    assert app.is_asset("https://127.0.0.1:1/app/app.js?v=2#x") and app.is_asset("https://h/app/app.css")
    assert not app.is_asset("https://h/app/i18n/cy.json") and not app.is_asset("https://h/app/js/")
    big, small = b"let a = 1;\n" * 200, b"x" * 100
    (tmp_path / "big.js").write_bytes(big)
    (tmp_path / "small.css").write_bytes(small)
    assert app.gzipped_bytes(tmp_path, ["big.js", "small.css", "big.js"]) == (
        2 * len(gzip.compress(big, 9, mtime=0)) + 100)  # under 512 bytes goes as it is; fetched twice, twice

    rounds = [{"home": 400.0, "health": 900.0}, {"home": 1200.0, "health": 500.0}, {"home": 300.0, "health": 700.0}]
    slowest = app.spread([max(r.values()) for r in rounds])
    assert (slowest["median"], slowest["min"], slowest["max"]) == (900.0, 700.0, 1200.0)
    found = {"phone_bytes": 300 * 1024 + 1, "tablet_bytes": 100 * 1024, "slowest": slowest,
             "fetched": [("app.js", 1)], "per_screen": {"home": app.spread([400.0, 1200.0, 300.0])}}
    assert app.figures(found) == {"app_first_load_kb": 300.0, "app_first_load_tablet_kb": 100.0,
                                  "app_screen_ms": 900, "app_screen_ms_min": 700, "app_screen_ms_max": 1200}
    assert set(app.figures(None)) == set(app.figures(found)) and app.figures(None)["app_screen_ms"] is None
    lines = app.table(found).splitlines()
    assert lines[1].endswith("FAIL") and lines[2].endswith("pass") and lines[4].endswith("pass")
