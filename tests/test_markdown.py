import threading

import pytest
from django.urls import reverse

from briefings.markdown import render_markdown
from tests.helpers import make_user


def test_table_column_alignment_survives_as_a_class_without_a_warning():
    rendered = render_markdown("| Ships | Tonnes |\n|:---|---:|\n| A | 1,200 |\n")
    assert '<th class="align-left">Ships</th>' in rendered.html
    assert '<td class="align-right">1,200</td>' in rendered.html
    assert rendered.dropped == []
    forged = render_markdown('<table><tr><td class="align-right evil" style="color:red">x</td></tr></table>')
    assert 'class="align-right"' in forged.html and "evil" not in forged.html and "style" not in forged.html


def test_footnotes_tables_heading_anchors_and_smart_quotes():
    html = render_markdown(
        '## The "new" doctrine\n\nText.[^1]\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[^1]: See https://example.org.'
    ).html
    assert '<h2 id="the-new-doctrine">The “new” doctrine</h2>' in html
    assert 'href="#fn:1"' in html and 'id="fn:1"' in html and 'href="#fnref:1"' in html
    assert "<table>" in html and "<td>1</td>" in html
    assert '<a href="https://example.org"' in html


def test_raw_html_scripts_are_removed_and_reported():
    rendered = render_markdown("Before <script>alert('x')</script> after")
    assert "<script" not in rendered.html and "alert" not in rendered.html
    assert any("<script>" in item for item in rendered.dropped)


def test_javascript_links_are_removed_and_reported_in_any_case():
    rendered = render_markdown("[click](javascript:alert(1)) [again](JaVaScRiPt:alert(2))")
    assert "javascript" not in rendered.html.lower()
    assert rendered.dropped == ["javascript: link on <a>: only http, https and mailto links are allowed"]


def test_event_attributes_are_removed_and_reported():
    rendered = render_markdown('<img src="x.png" onerror="alert(1)"> <a href="/x" onclick="steal()">x</a>')
    assert "onerror" not in rendered.html and "onclick" not in rendered.html
    assert any("onerror" in item for item in rendered.dropped)
    assert any("onclick" in item for item in rendered.dropped)


def test_clean_markdown_reports_nothing():
    assert render_markdown("## Fine\n\n*Plain* text with a [link](https://example.org).").dropped == []


PATHOLOGICAL = {
    "brackets": "[" * 100_000,
    "unclosed links": "[a](" * 25_000,
    "emphasis runs": "*a _b " * 20_000,
    "underscores": "_" * 100_000,
    "backticks": "`" * 100_000,
    "nested lists": "".join("  " * depth + "- item\n" for depth in range(500)),
    "nested quotes": ">" * 5_000 + " deep\n",
    "quotes and lists": "> - " * 2_000 + "deep\n",
    "long link references": "\n".join(f"[r{n}]: https://example.org/{n}" for n in range(10_000))
    + "\n\n"
    + " ".join(f"[r{n}]" for n in range(10_000)),
    "raw html": "<a " * 30_000,
    "footnotes": "".join(f"x[^{n}] " for n in range(5_000)) + "\n\n" + "".join(f"[^{n}]: n\n" for n in range(5_000)),
}


def render_in_time(text: str, seconds: float = 10.0):
    """The rendering, or a failure if it takes longer than any text of this length should."""
    result = {}
    worker = threading.Thread(target=lambda: result.setdefault("rendered", render_markdown(text)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"{len(text):,} characters took over {seconds} s"
    return result["rendered"]


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_pathological_input_renders_in_bounded_time(name):
    """Reproduces the report that 100,000 brackets kept a worker busy for minutes and 500 nested lists gave
    a 500: the renderer's time grows with the text's length, and deep nesting is cut, not followed."""
    rendered = render_in_time(PATHOLOGICAL[name])
    assert rendered.html.strip()
    assert rendered.html.count("<ul>") <= 50 and rendered.html.count("<blockquote>") <= 50


@pytest.mark.django_db
def test_the_preview_refuses_text_longer_than_a_briefing(client, settings):
    settings.BRIEFING_BODY_MAX_CHARS = 1000
    client.force_login(make_user())
    response = client.post(reverse("admin:briefings_briefing_markdown_preview"), {"content": "x" * 1001})
    assert response.status_code == 400 and "longer than" in response.text
