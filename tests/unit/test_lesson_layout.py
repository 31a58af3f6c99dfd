"""content/lesson_layout.py: tables scroll in their own region and images open at full size (issue 20)."""

from __future__ import annotations

from learnhub.content.lesson_layout import for_reading

REGION = '<div class="table-wrap" role="region" aria-label="Table" tabindex="0">'


def region(label: str) -> str:
    return f'<div class="table-wrap" role="region" aria-label="{label}" tabindex="0">'


def laid_out(html: str) -> str:
    return str(for_reading(html, "Table", "Full size"))


def test_an_outermost_table_is_wrapped_once_nested_ones_are_not():
    html = "<p>a</p><table><tr><td><table><tr><td>x</td></tr></table></td></tr></table><table></table>"
    assert laid_out(html) == (f"<p>a</p>{region('Table 1')}<table><tr><td><table><tr><td>x</td></tr></table>"
                              f"</td></tr></table></div>{region('Table 2')}<table></table></div>")


def test_a_lone_table_has_the_plain_label_several_get_distinct_ones():
    assert laid_out("<table></table>") == f"{REGION}<table></table></div>"
    three = str(for_reading("<table></table>" * 3, "T", "F", numbered_label=lambda n: f"Table {n} of 3"))
    assert [region(f"Table {n} of 3") in three for n in (1, 2, 3)] == [True, True, True]


def test_an_image_links_to_its_own_file_unless_it_is_a_link_already():
    html = ('<p><img src="/m/a.png" alt="A > B"></p><a href="/x"><img src="/m/b.png" alt="b"></a>'
            "<img src='/m/c\"d.png' alt=c><img alt=\"no source\">")
    assert laid_out(html) == (
        '<p><a class="image-link" href="/m/a.png"><img src="/m/a.png" alt="A > B">'
        '<span class="image-hint">Full size</span></a></p><a href="/x"><img src="/m/b.png" alt="b"></a>'
        '<a class="image-link" href="/m/c&quot;d.png"><img src=\'/m/c"d.png\' alt=c>'
        '<span class="image-hint">Full size</span></a><img alt="no source">')


def test_labels_are_escaped_and_an_unclosed_table_is_closed():
    assert str(for_reading("<table><tr><td>x", 'Tab"le', "<b>")) == (
        '<div class="table-wrap" role="region" aria-label="Tab&#34;le" tabindex="0"><table><tr><td>x</div>')
    assert "&lt;b&gt;" in str(for_reading('<img src="/a.png">', "T", "<b>"))
