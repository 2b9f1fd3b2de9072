from briefings.markdown import render_markdown


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
