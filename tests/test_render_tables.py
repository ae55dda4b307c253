"""Two pieces of the output layer the release front uses: a table of labelled facts with no
empty header cells, and the plain words of a main point for the landing page and the feed."""

from pcpbook.core.render import Raw, facts_table, plain_text


def test_a_facts_table_has_a_row_header_per_fact_and_escapes_every_value():
    table = facts_table([("Force", "Essex <Police>"), ("Data to", "March 2021")], caption="About")
    assert table == ('<table class="table pcp-facts"><caption>About</caption><tbody>'
                     '<tr><th scope="row">Force</th><td>Essex &lt;Police&gt;</td></tr>'
                     '<tr><th scope="row">Data to</th><td>March 2021</td></tr></tbody></table>')
    assert isinstance(table, Raw) and "<thead" not in table


def test_a_main_point_loses_its_pointer_to_a_section_and_its_escapes_but_keeps_its_words():
    point = "Burglary (all) fell by 43.6\\% to 1,258: more than usual variation ([Priority 1](2016-2021/p01.ipynb))."
    assert plain_text(point) == "Burglary (all) fell by 43.6% to 1,258: more than usual variation."
    assert plain_text("See [the zip](x.zip) and \\*this\\*.") == "See the zip and *this*."
